"""The docs pages with CUDA code run under the simulator too (the main suite runs them with
CUDA off, where their CUDA blocks only report the mode)."""
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'tests' / 'docs'))
from test_docs_blocks import run_page  # noqa: E402


@pytest.mark.parametrize('page', ['tutorial_new_module.md', 'cuda.md'])
def test_page_runs_with_cuda(page, tmp_path, capsys):
    run_page(ROOT / 'docs' / page, tmp_path)
    assert 'no CUDA here' not in capsys.readouterr().out
