"""Runs tests/cuda in its own process under numba's CUDA simulator (see tests/cuda/conftest.py)."""
import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

import torchlike as torch

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.deadline(1200)
def test_cuda_suite_passes_under_the_simulator():
    if torch.cuda.mode() == 'gpu':
        pytest.skip("a GPU is present: tests/cuda ran in this process on the device")
    if importlib.util.find_spec('numba.cuda') is None or \
            importlib.util.find_spec('cuda.bindings') is None:
        pytest.skip("numba-cuda is not installed (it comes with pip install -e '.[test]')")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM='1')
    cmd = [sys.executable, '-m', 'pytest', str(ROOT / 'tests' / 'cuda'), '-q', '-x',
           '-p', 'no:cacheprovider']
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1100)
    summary = run.stdout.strip().splitlines()[-1:] if run.stdout.strip() else ['(no output)']
    assert run.returncode == 0, (f"tests/cuda failed under the simulator: {summary[0]}\n"
                                 f"{run.stdout[-6000:]}\n{run.stderr[-3000:]}")
    assert ' passed' in summary[0] and 'error' not in summary[0], summary[0]
