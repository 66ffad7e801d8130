"""The CUDA tests need numba's CUDA target: a GPU, or numba's CUDA simulator, which must be
switched on (NUMBA_ENABLE_CUDASIM=1) before numba is first imported. The main test process
imports numba long before it reaches this folder, so on a machine without a GPU it skips the
folder here and `tests/test_cuda_suite.py` runs it again in a fresh process with the simulator
on. With a GPU the tests run in the main process, on the device."""
import torchlike as torch

if torch.cuda.mode() == 'none':
    collect_ignore_glob = ['test_*.py']
