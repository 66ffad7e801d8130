"""Reductions on the device: over a whole contiguous array (`reduce_all`, `dot`), along one
dimension of a contiguous array viewed as (outer, n, inner) (`reduce_dim`), and running
sums/products along a dimension (`scan_dim`).

Everything accumulates in float64, whatever the input dtype: float32 sums then match the CPU
(which accumulates in double, as Torch7's accreal did), and integer sums (masks, indices) are
exact up to 2**53.

Whole-array reductions: each block reduces its grid-stride share in a shared-memory tree; the
additive ones (sum, sum of squares, ...) combine blocks with `cuda.atomic.add`. max/min/prod
run as a single block, which needs no cross-block combine at all: NaN must propagate (numpy's
max, Torch7's max), and float atomic max/min treat NaN as missing on a GPU, while no atomic
multiply exists. Those reductions are rare outside the training loop, where max runs along a
dimension instead.

max/min along a dimension give 0-based int64 indices: the first occurrence on ties, and the
first NaN if there is one (its value is then NaN), like the CPU's argmax.
"""
import math

import numpy as np
from numba import cuda, float64, int64

from .blocks import block_sum
from .launch import TPB, grid_1d, grid_rows
from .memory import or_empty

# -- op codes ------------------------------------------------------------------------------------
SUM, PROD, MAX, MIN, SUMSQ, SUMABS, NNZ, MAXABS, SUMPOW, SUMSQDEV, DOT = range(11)
_ADDITIVE = (SUM, SUMSQ, SUMABS, NNZ, SUMPOW, SUMSQDEV, DOT)
# reduce_dim: SUM, PROD, MAX, MIN and these (finished per output row)
MEAN, NORM, VAR, STD = range(11, 15)
# scan_dim
CUMSUM, CUMPROD = range(2)

# what reduce_dim does to a row's accumulated value at the end
_NONE, _DIV_N, _SQRT, _ROOT, _VAR, _STD = range(6)

_INF = math.inf
_NAN = math.nan


# -- device functions --------------------------------------------------------------------------
@cuda.jit(device=True, cache=True)
def _identity(op):
    if op == PROD:
        return 1.0
    if op == MAX or op == MAXABS:
        return -_INF
    if op == MIN:
        return _INF
    return 0.0


@cuda.jit(device=True, cache=True)
def _term(op, v, w, p):
    """The contribution of one element (v, and w for dot) as float64."""
    f = float(v)
    if op == SUMSQ:
        return f * f
    if op == SUMABS or op == MAXABS:
        return abs(f)
    if op == NNZ:
        return 0.0 if f == 0 else 1.0
    if op == SUMPOW:
        return abs(f) ** p
    if op == SUMSQDEV:
        d = f - p
        return d * d
    if op == DOT:
        return f * float(w)
    return f


@cuda.jit(device=True, cache=True)
def _combine(op, a, b):
    if op == PROD:
        return a * b
    if op == MAX or op == MAXABS:
        if a != a or b != b:
            return _NAN
        return a if a >= b else b
    if op == MIN:
        if a != a or b != b:
            return _NAN
        return a if a <= b else b
    return a + b


@cuda.jit(device=True, cache=True)
def _tree(op, vals, tid):
    """Reduce shared vals[0:TPB] into vals[0]; every thread of the block must call it."""
    s = TPB // 2
    while s > 0:
        if tid < s:
            vals[tid] = _combine(op, vals[tid], vals[tid + s])
        cuda.syncthreads()
        s //= 2


@cuda.jit(device=True, cache=True)
def _better(op, v, k, bv, bk):
    """Whether candidate (v, k) beats (bv, bk) for argmax/argmin: NaN first, then the larger
    (smaller) value, then the smaller index."""
    if v != v:
        return bv == bv or k < bk
    if bv != bv:
        return False
    if v == bv:
        return k < bk
    if op == MAX:
        return v > bv
    return v < bv


@cuda.jit(device=True, cache=True)
def _finish(fin, acc, n, q):
    if fin == _DIV_N:
        return acc / n
    if fin == _SQRT:
        return math.sqrt(acc)
    if fin == _ROOT:
        return acc ** q
    if fin == _VAR:
        return acc / (n - q)
    if fin == _STD:
        return math.sqrt(acc / (n - q))
    return acc


# -- whole-array reductions ----------------------------------------------------------------------
@cuda.jit(cache=True)
def _set_kernel(out, v):
    out[0] = v


@cuda.jit(cache=True)
def _reduce_all_kernel(op, x, y, n, p, out, direct):
    vals = cuda.shared.array(TPB, float64)
    tid = cuda.threadIdx.x
    acc = _identity(op)
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        acc = _combine(op, acc, _term(op, x[i], y[i], p))
        i += step
    vals[tid] = acc
    cuda.syncthreads()
    _tree(op, vals, tid)
    if tid == 0:
        if direct:
            out[0] = vals[0]
        else:
            cuda.atomic.add(out, 0, vals[0])


def reduce_all(op, x, out, p=0.0, y=None):
    """out[0] (float64 device array) = the reduction `op` of the 1-D contiguous array x:
    SUM PROD MAX MIN, SUMSQ (sum x^2), SUMABS, NNZ (count of non-zeros), MAXABS, SUMPOW
    (sum |x|^p), SUMSQDEV (sum (x - p)^2), DOT (sum x*y). An empty x gives the identity."""
    n = x.shape[0]
    if y is None:
        y = x
    if op in _ADDITIVE:
        blocks, threads = grid_1d(n)
    else:
        blocks, threads = 1, TPB
    direct = blocks == 1
    if not direct:
        _set_kernel[1, 1](out, 0.0)
    _reduce_all_kernel[blocks, threads](op, x, y, n, float(p), out, direct)


def dot(x, y, out):
    """out[0] = sum(x * y) in float64 for 1-D contiguous x and y of equal length."""
    reduce_all(DOT, x, out, 0.0, y)


# -- reductions along a dimension ----------------------------------------------------------------
@cuda.jit(device=True, cache=True)
def _row_base(j, n, inner):
    """Where output j's row starts in x seen as (outer, n, inner); the row steps by inner."""
    o = j // inner
    return o * n * inner + (j - o * inner)


@cuda.jit(device=True, cache=True)
def _row_value(op, fin, x, base, n, inner, p, q):
    """The finished reduction of the row x[base + k*inner], k < n (not max/min)."""
    shift = p
    if fin == _VAR or fin == _STD:   # two passes: the mean, then squared deviations
        s = 0.0
        for k in range(n):
            s += float(x[base + k * inner])
        shift = s / n
    acc = _identity(op)
    for k in range(n):
        acc = _combine(op, acc, _term(op, x[base + k * inner], 0.0, shift))
    return _finish(fin, acc, n, q)


@cuda.jit(cache=True)
def _reduce_rows_kernel(op, fin, x, outer, n, inner, p, q, values, indices):
    """One thread per output element, looping over its row."""
    j = cuda.grid(1)
    step = cuda.gridsize(1)
    total = outer * inner
    while j < total:
        base = _row_base(j, n, inner)
        if op == MAX or op == MIN:
            best = float(x[base])
            bk = 0
            for k in range(1, n):
                v = float(x[base + k * inner])
                if _better(op, v, k, best, bk):
                    best = v
                    bk = k
            values[j] = best
            indices[j] = bk
        else:
            values[j] = _row_value(op, fin, x, base, n, inner, p, q)
        j += step


@cuda.jit(cache=True)
def _reduce_block_kernel(op, fin, x, outer, n, inner, p, q, values, indices):
    """One block per output element: its threads share the row, then a shared-memory tree."""
    vals = cuda.shared.array(TPB, float64)
    idx = cuda.shared.array(TPB, int64)
    tid = cuda.threadIdx.x
    total = outer * inner
    row = cuda.blockIdx.x
    while row < total:
        base = _row_base(row, n, inner)
        if op == MAX or op == MIN:
            best = -_INF if op == MAX else _INF
            bk = n   # no candidate yet: loses every index comparison
            k = tid
            while k < n:
                v = float(x[base + k * inner])
                if _better(op, v, k, best, bk):
                    best = v
                    bk = k
                k += TPB
            vals[tid] = best
            idx[tid] = bk
            cuda.syncthreads()
            s = TPB // 2
            while s > 0:
                if tid < s and _better(op, vals[tid + s], idx[tid + s], vals[tid], idx[tid]):
                    vals[tid] = vals[tid + s]
                    idx[tid] = idx[tid + s]
                cuda.syncthreads()
                s //= 2
            if tid == 0:
                values[row] = vals[0]
                indices[row] = idx[0]
        else:
            shift = p
            if fin == _VAR or fin == _STD:
                acc = 0.0
                k = tid
                while k < n:
                    acc += float(x[base + k * inner])
                    k += TPB
                shift = block_sum(vals, tid, acc) / n
            acc = _identity(op)
            k = tid
            while k < n:
                acc = _combine(op, acc, _term(op, x[base + k * inner], 0.0, shift))
                k += TPB
            vals[tid] = acc
            cuda.syncthreads()
            _tree(op, vals, tid)
            if tid == 0:
                values[row] = _finish(fin, vals[0], n, q)
        cuda.syncthreads()   # the next row reuses the shared arrays
        row += cuda.gridDim.x


def _plan(op, p):
    """(term op, finish code, term parameter, finish parameter) for reduce_dim's `op`."""
    if op in (SUM, PROD, MAX, MIN):
        return op, _NONE, 0.0, 0.0
    if op == MEAN:
        return SUM, _DIV_N, 0.0, 0.0
    if op in (VAR, STD):
        return SUMSQDEV, _VAR if op == VAR else _STD, 0.0, float(p)
    if op == NORM:
        p = float(p)
        if p == 2:
            return SUMSQ, _SQRT, 0.0, 0.0
        if p == 1:
            return SUMABS, _NONE, 0.0, 0.0
        if p == 0:
            return NNZ, _NONE, 0.0, 0.0
        if p == _INF:
            return MAXABS, _NONE, 0.0, 0.0
        return SUMPOW, _ROOT, p, 1.0 / p
    raise ValueError(f"reduce_dim: unknown op {op}")


def reduce_dim(op, x, outer, n, inner, values, indices=None, p=0.0, per_block=None):
    """Reduce the middle axis of contiguous x seen as (outer, n, inner) into values (outer*inner
    elements, the dtype of the result tensor). op: SUM PROD MEAN MAX MIN (indices: int64
    argmax/argmin, 0-based), NORM (p = the norm's order), VAR / STD (p = ddof: 1 unbiased,
    0 biased). n must be >= 1. per_block forces (True) or forbids (False) one block per output;
    by default long rows with few outputs get blocks, everything else a thread per output."""
    rows = outer * inner
    if rows == 0:
        return
    top, fin, tp, fq = _plan(op, p)
    if indices is None:
        indices = or_empty(None, np.int64)   # written only by MAX and MIN, which pass theirs
    if per_block is None:
        per_block = n >= 4 * TPB and rows < 4096
    if per_block:
        blocks, threads = grid_rows(rows)
        _reduce_block_kernel[blocks, threads](top, fin, x, outer, n, inner, tp, fq, values,
                                              indices)
    else:
        blocks, threads = grid_1d(rows)
        _reduce_rows_kernel[blocks, threads](top, fin, x, outer, n, inner, tp, fq, values,
                                             indices)


# -- running sums and products -------------------------------------------------------------------
@cuda.jit(cache=True)
def _scan_kernel(op, x, outer, n, inner, out):
    j = cuda.grid(1)
    step = cuda.gridsize(1)
    total = outer * inner
    while j < total:
        base = _row_base(j, n, inner)
        acc = 1.0 if op == CUMPROD else 0.0
        for k in range(n):
            if op == CUMPROD:
                acc *= float(x[base + k * inner])
            else:
                acc += float(x[base + k * inner])
            out[base + k * inner] = acc
        j += step


def scan_dim(op, x, outer, n, inner, out):
    """out = cumsum (CUMSUM) or cumprod (CUMPROD) of contiguous x along the middle axis of
    (outer, n, inner); accumulates in float64; out may be x."""
    rows = outer * inner
    if rows and n:
        blocks, threads = grid_1d(rows)
        _scan_kernel[blocks, threads](op, x, outer, n, inner, out)
