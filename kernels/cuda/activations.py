"""Element-wise pieces of the transfer modules and Dropout on the device. On the CPU nn does
these with numpy (nn/activations.py, nn/dropout.py); these kernels compute the same formulas
in float32, one thread per element (grid-stride):

  threshold_forward   out = value if x <= threshold else x       (ReLU: threshold 0, value 0;
                                                                  NaN passes through)
  threshold_backward  gin = g * (1 if x > threshold else 0)
  sigmoid_backward    gin = ((1 - y) * y) * g                     (y: the forward's output)
  tanh_backward       gin = (1 - y * y) * g
  mul_mask            out = x * mask[i // inner]                  (Dropout: mask of 0 / scale;
                                                                  SpatialDropout: one mask
                                                                  entry per plane of `inner`)
Arrays: flat contiguous float32 device arrays (N-D contiguous ones are flattened); `out`/`gin`
may be the input itself (in-place modules). Thresholds and values are rounded to float32
first, as numpy does when it compares a float32 array with a Python number.
"""
from numba import cuda, float32

from .launch import check_sizes, grid_1d
from .memory import flat

_ZERO = float32(0)
_ONE = float32(1)


@cuda.jit(cache=True)
def _threshold_forward(x, out, threshold, value):
    i = cuda.grid(1)
    while i < x.size:
        v = x[i]
        out[i] = value if v <= threshold else v
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _threshold_backward(x, g, gin, threshold):
    i = cuda.grid(1)
    while i < x.size:
        gin[i] = g[i] * (_ONE if x[i] > threshold else _ZERO)
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _sigmoid_backward(y, g, gin):
    i = cuda.grid(1)
    while i < y.size:
        yi = y[i]
        gin[i] = ((_ONE - yi) * yi) * g[i]
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _tanh_backward(y, g, gin):
    i = cuda.grid(1)
    while i < y.size:
        yi = y[i]
        gin[i] = (_ONE - yi * yi) * g[i]
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _mul_mask(x, mask, out, inner):
    i = cuda.grid(1)
    while i < x.size:
        out[i] = x[i] * mask[i // inner]
        i += cuda.gridsize(1)


def _check(what, a, *others):
    check_sizes(what, a, others)
    return grid_1d(a.size)


def threshold_forward(x, out, threshold, value):
    """out = value where x <= threshold, else x."""
    blocks, threads = _check('threshold_forward', x, out)
    _threshold_forward[blocks, threads](flat(x), flat(out), float32(threshold),
                                        float32(value))


def threshold_backward(x, g, gin, threshold):
    """gin = g where x > threshold, else 0 (g * 0)."""
    blocks, threads = _check('threshold_backward', x, g, gin)
    _threshold_backward[blocks, threads](flat(x), flat(g), flat(gin), float32(threshold))


def sigmoid_backward(y, g, gin):
    blocks, threads = _check('sigmoid_backward', y, g, gin)
    _sigmoid_backward[blocks, threads](flat(y), flat(g), flat(gin))


def tanh_backward(y, g, gin):
    blocks, threads = _check('tanh_backward', y, g, gin)
    _tanh_backward[blocks, threads](flat(y), flat(g), flat(gin))


def mul_mask(x, mask, out, inner=1):
    """out = x * mask, each mask entry covering `inner` consecutive elements of x."""
    inner = int(inner)
    if inner < 1 or mask.size * inner != x.size:
        raise ValueError(f"mul_mask: a mask of {mask.size} entries, each covering {inner} "
                         f"elements, does not fit an input of {x.size} elements")
    blocks, threads = _check('mul_mask', x, out)
    _mul_mask[blocks, threads](flat(x), flat(mask), flat(out), inner)
