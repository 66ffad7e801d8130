"""Negative log-likelihood on the device: the CUDA twin of kernels/cpu/classnll.py (same
launchers, arguments and layouts).

Arrays: x float32 C-contiguous (N, C, S); t int64 (N, S); w float32 (C,) class weights, or an
empty array (or None) for "all weights 1"; `ignore` the target value to skip.

`forward` returns the CPU's triple (-sum w[t] x[n, t, s], sum w[t], position of the first bad
target or -1) as host numbers: one block reduces the whole batch with shared-memory trees (no
atomics, so the float32 sums are deterministic) into a 3-element float64 device array, and the
launcher copies those 24 bytes to the host. That one small transfer per call is the price of
returning the loss as a number, as the criterion's contract wants. A target outside 0..C-1 is
never used as an index (no out-of-bounds read on the device); its position is reported so the
caller can raise before changing any state. `backward` gives every gradInput element one
thread; bad targets match no class there, so they leave zeros.
"""
import numpy as np
from numba import cuda, float32, int64

from .blocks import block_min, block_sum2
from .launch import TPB, fmt_dims, grid_1d
from .memory import or_empty, thread_buffer

_ZERO = float32(0)
_ONE = float32(1)


@cuda.jit(cache=True)
def _forward(x, t, w, ignore, res):
    sl = cuda.shared.array(TPB, float32)
    sw = cuda.shared.array(TPB, float32)
    sb = cuda.shared.array(TPB, int64)
    tid = cuda.threadIdx.x
    N = x.shape[0]
    C = x.shape[1]
    S = x.shape[2]
    count = N * S
    weighted = w.size > 0
    loss = _ZERO
    total = _ZERO
    bad = count
    i = tid
    while i < count:
        n = i // S
        s = i - n * S
        c = t[n, s]
        if c != ignore:
            if c < 0 or c >= C:
                if i < bad:
                    bad = i
            else:
                wc = w[c] if weighted else _ONE
                total += wc
                loss += x[n, c, s] * wc
        i += TPB
    loss, total = block_sum2(sl, sw, tid, loss, total)
    bad = block_min(sb, tid, bad)
    if tid == 0:
        res[0] = -loss
        res[1] = total
        res[2] = bad if bad < count else -1


@cuda.jit(cache=True)
def _backward(gin, t, w, ignore, norm):
    N = gin.shape[0]
    C = gin.shape[1]
    S = gin.shape[2]
    weighted = w.size > 0
    i = cuda.grid(1)
    while i < N * C * S:
        s = i % S
        q = i // S
        c = q % C
        n = q // C
        tc = t[n, s]
        v = _ZERO
        if tc == c and tc != ignore:
            v = -(w[c] if weighted else _ONE) * norm
        gin[n, c, s] = v
        i += cuda.gridsize(1)


def _check(what, x, t, w):
    if x.ndim != 3 or t.ndim != 2 or t.shape != (x.shape[0], x.shape[2]):
        raise ValueError(f"{what}: expected input (N, C, S) and targets (N, S), got input "
                         f"[{fmt_dims(x)}] and targets [{fmt_dims(t)}]")
    if w is not None and w.size not in (0, x.shape[1]):
        raise ValueError(f"{what}: {w.size} class weights for {x.shape[1]} classes")


def forward(x, t, w, ignore):
    """(loss, total weight, first bad target position or -1) as Python numbers, like the CPU:
    loss = -sum of w[t] * x[n, t, s] over the targets that are not `ignore`."""
    _check('classnll.forward', x, t, w)
    res = thread_buffer('classnll', 3, np.float64)   # 24 bytes copied back below
    _forward[1, TPB](x, t, or_empty(w), int(ignore), res)
    loss, total, bad = res.copy_to_host()
    if bad >= 0:
        return 0.0, 0.0, int(bad)
    return float(loss), float(total), -1


def backward(gin, t, w, ignore, norm):
    """gin = d loss / d x: zero except -w[t] * norm at each counted target."""
    _check('classnll.backward', gin, t, w)
    blocks, threads = grid_1d(gin.size)
    _backward[blocks, threads](gin, t, or_empty(w), int(ignore), float32(norm))
