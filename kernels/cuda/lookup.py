"""LookupTable (embedding) on the device: the CUDA twin of kernels/cpu/lookup.py, plus the
forward gather and an index range check.

    target[idx[i]] += scale_i * grad[i]        for every i with idx[i] != padding

Arrays: idx int64 (n,); grad (n, d) and target (nIndex, d) float32 C-contiguous; count an
int32 (nIndex,) device array kept by the caller (used only with scale_by_freq: reset at the
indices used, then counted by atomics); padding = -1 for none.

Every (i, j) entry gets one thread that adds scale_i * grad[i, j] into its row with an atomic
add (repeated indices hit the same row), so sums over repeated indices may differ from the
CPU's in the last float32 bits (the order of the additions is not fixed). With scale_by_freq
the update takes three launches (reset the counts, count, accumulate): each needs the previous
one finished on every block.

Indices must be in 0..nIndex-1 (nn checks them: `index_range` gives the minimum and maximum
for that check); gather_rows clamps them, so a bad index can never read outside the weight.
"""
import numpy as np
from numba import cuda, float32, int32, int64

from .blocks import block_max, block_min
from .launch import TPB, fmt_dims, grid_1d
from .memory import or_empty, thread_buffer

_ONE_I32 = int32(1)


@cuda.jit(cache=True)
def _reset_counts(idx, count):
    i = cuda.grid(1)
    while i < idx.size:
        count[idx[i]] = 0
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _count(idx, count):
    i = cuda.grid(1)
    while i < idx.size:
        cuda.atomic.add(count, idx[i], _ONE_I32)
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _accumulate(idx, grad, target, count, scale, padding, scale_by_freq):
    n = idx.size
    d = grad.shape[1]
    e = cuda.grid(1)
    while e < n * d:
        i = e // d
        j = e - i * d
        k = idx[i]
        if k != padding:
            s = scale
            if scale_by_freq:
                s = scale / float32(count[k])
            cuda.atomic.add(target, (k, j), s * grad[i, j])
        e += cuda.gridsize(1)


@cuda.jit(cache=True)
def _gather_rows(weight, idx, out):
    n = idx.size
    rows = weight.shape[0]
    d = weight.shape[1]
    e = cuda.grid(1)
    while e < n * d:
        i = e // d
        j = e - i * d
        k = idx[i]
        if k < 0:                    # numpy's mode='clip', as the CPU forward uses
            k = 0
        elif k >= rows:
            k = rows - 1
        out[i, j] = weight[k, j]
        e += cuda.gridsize(1)


@cuda.jit(cache=True)
def _index_range(idx, res):
    lo_s = cuda.shared.array(TPB, int64)
    hi_s = cuda.shared.array(TPB, int64)
    tid = cuda.threadIdx.x
    n = idx.size
    lo = idx[0]
    hi = idx[0]
    i = tid
    while i < n:
        v = idx[i]
        if v < lo:
            lo = v
        if v > hi:
            hi = v
        i += TPB
    lo = block_min(lo_s, tid, lo)
    hi = block_max(hi_s, tid, hi)
    if tid == 0:
        res[0] = lo
        res[1] = hi


def lookup_accumulate(idx, grad, target, count, scale, padding, scale_by_freq):
    """target[idx[i]] += scale_i * grad[i] (scale_i = scale, divided by the number of times
    idx[i] occurs when scale_by_freq); rows at `padding` are skipped."""
    n = idx.size
    if grad.ndim != 2 or target.ndim != 2 or grad.shape[0] != n or \
            grad.shape[1] != target.shape[1]:
        raise ValueError(f"lookup_accumulate: {n} indices need grad [{n} x d] and target "
                         f"[nIndex x d], got grad [{fmt_dims(grad)}] and target "
                         f"[{fmt_dims(target)}]")
    scale_by_freq = bool(scale_by_freq)
    if scale_by_freq:
        if count is None or count.size < target.shape[0]:
            raise ValueError(f"lookup_accumulate: scale_by_freq needs a count array of "
                             f"{target.shape[0]} entries")
        blocks, threads = grid_1d(n)
        _reset_counts[blocks, threads](idx, count)
        _count[blocks, threads](idx, count)
    else:
        count = or_empty(None, np.int32)      # the kernel reads no counts
    blocks, threads = grid_1d(n * grad.shape[1])
    _accumulate[blocks, threads](idx, grad, target, count, float32(scale), int(padding),
                                 scale_by_freq)


def gather_rows(weight, idx, out):
    """out[i, :] = weight[idx[i], :] (the forward); out is (n, d) C-contiguous."""
    n = idx.size
    if weight.ndim != 2 or out.ndim != 2 or out.shape != (n, weight.shape[1]):
        raise ValueError(f"gather_rows: {n} indices into weight [{fmt_dims(weight)}] need out "
                         f"[{n} x {weight.shape[1] if weight.ndim == 2 else '?'}], got "
                         f"[{fmt_dims(out)}]")
    if weight.shape[0] == 0:
        if n:
            raise ValueError("gather_rows: the weight has no rows")
        return
    blocks, threads = grid_1d(n * weight.shape[1])
    _gather_rows[blocks, threads](weight, idx, out)


def index_range(idx):
    """(min, max) of the int64 indices as Python ints, or None for no indices: one small
    reduction and a 16-byte copy to the host, for the caller's range check."""
    if idx.size == 0:
        return None
    res = thread_buffer('index_range', 2, np.int64)
    _index_range[1, TPB](idx, res)
    lo, hi = res.copy_to_host()
    return int(lo), int(hi)
