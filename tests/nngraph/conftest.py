"""Lets the nngraph tests import graph_helpers by plain module name; seeds every test and leaves
debug mode off after each one."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import nngraph  # noqa: E402
import torchlike as torch  # noqa: E402


@pytest.fixture(autouse=True)
def _seeded_and_debug_off():
    torch.manualSeed(7)
    yield
    nngraph.setDebug(False)
