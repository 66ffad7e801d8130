"""Lets the catalogue import the spec files and the harness by plain module name."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
