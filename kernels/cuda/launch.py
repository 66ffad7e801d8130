"""Launch geometry shared by every CUDA kernel.

Kernels loop grid-stride (`i = cuda.grid(1); while i < n: ...; i += cuda.gridsize(1)`), so any
grid covers any size. That lets the CUDA simulator, which runs each GPU thread as a Python
thread (tens of milliseconds per launch of a few dozen threads), use a tiny grid while a real
GPU uses a wide one. Block sizes are powers of two because the reductions halve them.
This module imports nothing from numba.cuda, so it is safe to import in any mode.
"""
import os

SIMULATOR = os.environ.get('NUMBA_ENABLE_CUDASIM', '0') == '1'

TPB = 32 if SIMULATOR else 256          # threads per block of 1-D kernels and reductions
MAX_BLOCKS = 2 if SIMULATOR else 65535  # grid cap; grid-stride loops do the rest
TILE = 4 if SIMULATOR else 16           # side of the square tiles of the shared-memory GEMM


def grid_1d(n):
    """(blocks, threads) for a grid-stride kernel over n items."""
    blocks = (max(int(n), 1) + TPB - 1) // TPB
    return min(blocks, MAX_BLOCKS), TPB


def fmt_dims(a):
    """'4 x 3': the sizes of array `a`, for the launchers' error messages."""
    return ' x '.join(map(str, a.shape))


def check_sizes(what, x, others, noun='arrays', note=''):
    """A ValueError naming both counts unless every array in `others` has as many elements as
    x (the launchers' check for element-wise kernels: the device has no bounds checks)."""
    for o in others:
        if o.size != x.size:
            raise ValueError(f"{what}: {noun} of {x.size} and {o.size} elements differ{note}")


def grid_rows(rows):
    """(blocks, threads) for kernels that give each of `rows` rows one block (softmax, batch norm
    channels, per-row reductions): the block loops over the row, blocks stride over rows."""
    return min(max(int(rows), 1), MAX_BLOCKS), TPB
