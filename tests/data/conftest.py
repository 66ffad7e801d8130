"""Test harness for torchlike.data: an importable module of datasets for process workers (the
deadline on every test comes from tests/conftest.py)."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))    # `import loader_datasets`
