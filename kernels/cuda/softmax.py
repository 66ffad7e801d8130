"""Numerically stable softmax and log-softmax on the device: the CUDA twin of
kernels/cpu/softmax.py (same launchers and layouts).

Arrays are C-contiguous 3-D device arrays (frames N, features D, positions S): rows are
(N, D, 1), spatial input (N, C, H*W) normalised over C at every position.
  softmax      y = exp(x - m) / sum exp(x - m)           dx = y * (g - sum(g * y))
  log-softmax  y = (x - m) - log sum exp(x - m)          dx = g - exp(y) * sum(g)
m is the maximum over the features (NaN entries are skipped when finding it, as the CPU's
maxnum does; they still make their row NaN through the sums).

Two kernel shapes: rows (S == 1) get one block each, which reduces the maximum and the sums by
shared-memory trees; planes (S > 1) get one thread per (frame, position), which loops over the
features (consecutive threads read consecutive positions). Sums are float32 (the CPU sums in
float64), so results agree with the CPU to float32 tolerance, not bit for bit.
"""
import math

import numpy as np
from numba import cuda, float32

from .blocks import block_max, block_sum
from .launch import TPB, fmt_dims, grid_1d, grid_rows

_ZERO = float32(0)
_ONE = float32(1)
_NEG_INF = float32(-np.inf)


@cuda.jit(cache=True)
def _rows_forward(x, out, log):
    sm = cuda.shared.array(TPB, float32)
    tid = cuda.threadIdx.x
    N = x.shape[0]
    D = x.shape[1]
    row = cuda.blockIdx.x
    while row < N:
        m = _NEG_INF
        j = tid
        while j < D:
            v = x[row, j, 0]
            if v > m:
                m = v
            j += TPB
        m = block_max(sm, tid, m)
        acc = _ZERO
        j = tid
        while j < D:
            e = math.exp(x[row, j, 0] - m)
            if not log:
                out[row, j, 0] = e
            acc += e
            j += TPB
        total = block_sum(sm, tid, acc)
        j = tid
        if log:
            ls = float32(math.log(total))
            while j < D:
                out[row, j, 0] = (x[row, j, 0] - m) - ls
                j += TPB
        else:
            inv = _ONE / total
            while j < D:
                out[row, j, 0] *= inv          # the thread wrote this entry itself above
                j += TPB
        row += cuda.gridDim.x


@cuda.jit(cache=True)
def _rows_backward(y, g, gin, log):
    sm = cuda.shared.array(TPB, float32)
    tid = cuda.threadIdx.x
    N = y.shape[0]
    D = y.shape[1]
    row = cuda.blockIdx.x
    while row < N:
        acc = _ZERO
        j = tid
        while j < D:
            if log:
                acc += g[row, j, 0]
            else:
                acc += g[row, j, 0] * y[row, j, 0]
            j += TPB
        t = block_sum(sm, tid, acc)
        j = tid
        while j < D:
            if log:
                gin[row, j, 0] = g[row, j, 0] - math.exp(y[row, j, 0]) * t
            else:
                gin[row, j, 0] = y[row, j, 0] * (g[row, j, 0] - t)
            j += TPB
        row += cuda.gridDim.x


@cuda.jit(cache=True)
def _planes_forward(x, out, log):
    N = x.shape[0]
    C = x.shape[1]
    S = x.shape[2]
    i = cuda.grid(1)
    while i < N * S:
        n = i // S
        p = i - n * S
        m = _NEG_INF
        for k in range(C):
            v = x[n, k, p]
            if v > m:
                m = v
        acc = _ZERO
        for k in range(C):
            acc += math.exp(x[n, k, p] - m)
        if log:
            ls = float32(math.log(acc))
            for k in range(C):
                out[n, k, p] = (x[n, k, p] - m) - ls
        else:
            inv = _ONE / acc
            for k in range(C):
                out[n, k, p] = math.exp(x[n, k, p] - m) * inv
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _planes_backward(y, g, gin, log):
    N = y.shape[0]
    C = y.shape[1]
    S = y.shape[2]
    i = cuda.grid(1)
    while i < N * S:
        n = i // S
        p = i - n * S
        t = _ZERO
        for k in range(C):
            if log:
                t += g[n, k, p]
            else:
                t += g[n, k, p] * y[n, k, p]
        for k in range(C):
            if log:
                gin[n, k, p] = g[n, k, p] - math.exp(y[n, k, p]) * t
            else:
                gin[n, k, p] = y[n, k, p] * (g[n, k, p] - t)
        i += cuda.gridsize(1)


def _check(what, a, b, c=None):
    if a.ndim != 3:
        raise ValueError(f"{what}: expected 3-D (frames, features, positions) arrays, got "
                         f"{a.ndim}-D")
    for o in (b, c):
        if o is not None and o.shape != a.shape:
            raise ValueError(f"{what}: arrays of sizes [{fmt_dims(a)}] and [{fmt_dims(o)}] "
                             f"differ")


def softmax_forward(x, out, log):
    """out = (log-)softmax of x over axis 1; x, out: C-contiguous (N, D, S) device arrays."""
    _check('softmax_forward', x, out)
    N, _, S = x.shape
    log = bool(log)
    if S == 1:
        blocks, threads = grid_rows(N)
        _rows_forward[blocks, threads](x, out, log)
    else:
        blocks, threads = grid_1d(N * S)
        _planes_forward[blocks, threads](x, out, log)


def softmax_backward(y, g, gin, log):
    """gin = gradient through (log-)softmax given its output y and the gradient g."""
    _check('softmax_backward', y, g, gin)
    N, _, S = y.shape
    log = bool(log)
    if S == 1:
        blocks, threads = grid_rows(N)
        _rows_backward[blocks, threads](y, g, gin, log)
    else:
        blocks, threads = grid_1d(N * S)
        _planes_backward[blocks, threads](y, g, gin, log)
