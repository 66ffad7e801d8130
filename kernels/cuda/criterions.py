"""Element-wise criterions on the device: MSE, Abs (L1), SmoothL1 and BCE, the formulas of
nn/criterions/regression.py and nn/criterions/classification.py in float32.

Arrays: x (input), t (target), gin (gradInput) flat float32 device arrays of one length (N-D
contiguous ones are flattened); BCE weights w: float32 with one entry per element of a single
input or per column of a batch (entry i % w.size applies to element i), or empty / None.

`*_forward(..., out1)` writes the loss summed over the elements (not averaged: the caller
divides by nElement when sizeAverage) into out1[0], a float32 device array of at least one
element; it stays on the device, so the caller decides when to copy it. The sum is taken by
one block with a shared-memory tree (deterministic, no atomics); float32 sums agree with the
CPU's to float32 tolerance. `*_backward(..., norm)` writes the gradient with norm =
1/nElement (sizeAverage) or 1, rounded to float32 as numpy does with a Python scalar.
  mse       sum (x - t)^2                                   gin = (x - t) * (2 norm)
  abs       sum |x - t|                                     gin = norm if x - t >= 0 else -norm
  smoothl1  sum 0.5 z^2 if z < 1 else z - 0.5, z = |x - t|   gin = clip(x - t, -1, 1) * norm
  bce       -sum w (t log(x + eps) + (1 - t) log(1 - x + eps))
            gin = (-norm * (t - x)) / ((1 - x + eps) * (x + eps)) * w
BCE's eps is nn.BCECriterion.EPS (1e-12); inputs must lie in [0, 1] (nn checks them).
"""
import math

from numba import cuda, float32

from .blocks import block_sum
from .launch import TPB, check_sizes, grid_1d
from .memory import flat, or_empty

_ZERO = float32(0)
_ONE = float32(1)
_HALF = float32(0.5)

MSE, ABS, SMOOTHL1, BCE = 0, 1, 2, 3


@cuda.jit(cache=True)
def _loss_sum(x, t, w, kind, eps, out1):
    """One block: out1[0] = sum over i of the loss term of `kind` at element i."""
    sm = cuda.shared.array(TPB, float32)
    tid = cuda.threadIdx.x
    n = x.size
    nw = w.size
    acc = _ZERO
    i = tid
    while i < n:
        d = x[i] - t[i]
        if kind == 0:
            acc += d * d
        elif kind == 1:
            acc += abs(d)
        elif kind == 2:
            z = abs(d)
            acc += _HALF * z * z if z < _ONE else z - _HALF
        else:
            xi = x[i]
            ti = t[i]
            term = ti * float32(math.log(xi + eps)) + \
                (_ONE - ti) * float32(math.log(_ONE - xi + eps))
            if nw > 0:
                term = term * w[i % nw]
            acc += term
        i += TPB
    total = block_sum(sm, tid, acc)
    if tid == 0:
        out1[0] = -total if kind == 3 else total


@cuda.jit(cache=True)
def _grad(x, t, w, gin, kind, c, eps):
    """gin for `kind`; c is 2*norm for MSE and norm otherwise."""
    nw = w.size
    i = cuda.grid(1)
    while i < x.size:
        xi = x[i]
        ti = t[i]
        d = xi - ti
        if kind == 0:
            gin[i] = d * c
        elif kind == 1:
            gin[i] = c if d >= _ZERO else -c
        elif kind == 2:
            if d > _ONE:
                d = _ONE
            elif d < -_ONE:
                d = -_ONE
            gin[i] = d * c
        else:
            v = (-c * (ti - xi)) / ((_ONE - xi + eps) * (xi + eps))
            if nw > 0:
                v = v * w[i % nw]
            gin[i] = v
        i += cuda.gridsize(1)


def _check_weights(what, x, w):
    if w is not None and w.size and x.size % w.size:
        raise ValueError(f"{what}: {w.size} weights do not divide an input of {x.size} "
                         f"elements")


def _forward(what, kind, x, t, w, out1, eps=0.0):
    check_sizes(what, x, (t,), 'input and target/gradInput')
    if out1.size < 1:
        raise ValueError(f"{what}: out1 must have at least one element")
    _loss_sum[1, TPB](flat(x), flat(t), or_empty(w), kind, float32(eps), out1)


def _backward(what, kind, x, t, w, gin, c, eps=0.0):
    check_sizes(what, x, (t, gin), 'input and target/gradInput')
    blocks, threads = grid_1d(x.size)
    _grad[blocks, threads](flat(x), flat(t), or_empty(w), flat(gin), kind, float32(c),
                           float32(eps))


def mse_forward(x, t, out1):
    """out1[0] = sum (x - t)^2."""
    _forward('mse_forward', MSE, x, t, None, out1)


def mse_backward(x, t, gin, norm):
    """gin = (x - t) * 2 norm."""
    _backward('mse_backward', MSE, x, t, None, gin, 2 * norm)


def abs_forward(x, t, out1):
    """out1[0] = sum |x - t|."""
    _forward('abs_forward', ABS, x, t, None, out1)


def abs_backward(x, t, gin, norm):
    """gin = norm where x - t >= 0 (also at x == t, as Torch7), else -norm."""
    _backward('abs_backward', ABS, x, t, None, gin, norm)


def smoothl1_forward(x, t, out1):
    """out1[0] = sum of 0.5 z^2 (z < 1) or z - 0.5, z = |x - t|."""
    _forward('smoothl1_forward', SMOOTHL1, x, t, None, out1)


def smoothl1_backward(x, t, gin, norm):
    """gin = clip(x - t, -1, 1) * norm."""
    _backward('smoothl1_backward', SMOOTHL1, x, t, None, gin, norm)


def bce_forward(x, t, w, out1, eps=1e-12):
    """out1[0] = -sum w (t log(x + eps) + (1 - t) log(1 - x + eps)); w: weights or None."""
    _check_weights('bce_forward', x, w)
    _forward('bce_forward', BCE, x, t, w, out1, eps)


def bce_backward(x, t, w, gin, norm, eps=1e-12):
    """gin = -norm (t - x) / ((1 - x + eps)(x + eps)), times the weights when given."""
    _check_weights('bce_backward', x, w)
    _backward('bce_backward', BCE, x, t, w, gin, norm, eps)
