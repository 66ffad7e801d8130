"""Fused, numerically stable softmax and log-softmax over the feature dimension.

Arrays are C-contiguous and 3-D: (frames, features, positions). Rows (a vector, or a batch of
rows) are (N, D, 1); spatial input is (N, C, H*W), normalised over C at every position, as
THNN's SoftMax did for 3-D and 4-D tensors. Every frame is independent, so the parallel drivers
(prange over chunks of frames) compute the same bits as the serial ones.

Per row the forward pass reads the input three times (max, sum of exponentials, write) and the
backward pass twice, with no temporaries:
  softmax      y = exp(x - m) / sum exp(x - m)           dx = y * (g - sum(g * y))
  log-softmax  y = (x - m) - log sum exp(x - m)          dx = g - exp(y) * sum(g)
Subtracting the row maximum m keeps exp() from overflowing: inputs of +-1000 give finite
results, and a row of equal values gives exactly 1/D.

Speed comes from two details that let LLVM vectorise every loop:
  - the maximum is reduced with the `llvm.maxnum` intrinsic (numba's max() lowers to a compare
    and a select that the loop vectoriser will not reduce);
  - exp() of the non-positive shifted inputs is computed inline (`_exp_nonpos`: range reduction
    to r in [-ln2/2, ln2/2], a Taylor polynomial, and the power of two built from its exponent
    bits) instead of calling libm's scalar exp.
Fast-math is limited to multiply-add fusion, plus reassociation inside the row sums (so that they
vectorise); no 'nnan'/'ninf', so -inf inputs give 0 and NaN inputs give NaN rows, as THNN's
did. Sums accumulate in float64 (THNN's accreal).
"""
import math

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic, overload

# Only the leaf reductions may reassociate (see "one row" below); everything else may only fuse
# multiply-adds. No 'nnan'/'ninf': -inf and NaN inputs must keep their meaning.
_JIT = dict(cache=True, nogil=True, error_model='numpy', fastmath={'contract'})
_REDUCE = dict(_JIT, fastmath={'reassoc', 'nsz', 'contract'})
_PJIT = dict(_JIT, parallel=True)

_LOG2E = 1.4426950408889634
_LN2 = 0.6931471805599453


@intrinsic
def _maxnum(typingctx, a, b):
    """max(a, b) as llvm.maxnum (a NaN operand is ignored, as THNN's `>=` scan ignored it)."""
    def codegen(context, builder, signature, args):
        ty = args[0].type
        fn = builder.module.declare_intrinsic('llvm.maxnum', [ty], ir.FunctionType(ty, [ty, ty]))
        return builder.call(fn, args)
    return a(a, b), codegen


def _exp_nonpos(x):
    """exp(x) for x <= 0 (small positive x from rounding is fine too); compiled by overload."""
    raise NotImplementedError("only callable from numba-compiled code")


@overload(_exp_nonpos)
def _exp_nonpos_impl(x):
    # exp(x) = 2**k * exp(r) with k = round(x / ln2) and r = x - k*ln2, |r| <= ln2/2. The error
    # of k*ln2 grows like |x| * eps, which is the conditioning of exp itself. Below the smallest
    # normal power of two the result is 0 (a NaN x fails the comparison and stays NaN).
    if isinstance(x, types.Float) and x.bitwidth == 32:
        def exp32(x):
            f = np.float32
            k = np.floor(x * f(_LOG2E) + f(0.5))
            r = x - k * f(_LN2)
            p = f(1.0) + r * (f(1.0) + r * (f(1 / 2) + r * (f(1 / 6) + r * (f(1 / 24) + r * (
                f(1 / 120) + r * (f(1 / 720) + r * f(1 / 5040)))))))
            kc = min(k if k > f(-127.0) else f(-126.0), f(127.0))
            scale = np.int32((np.int32(kc) + 127) << 23).view(np.float32)
            return f(0.0) if k < f(-126.0) else p * scale
        return exp32

    def exp64(x):
        k = np.floor(x * _LOG2E + 0.5)
        r = x - k * _LN2
        p = 1.0 + r * (1.0 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (
            1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r * (1 / 362880 + r * (
                1 / 3628800 + r * (1 / 39916800 + r * (1 / 479001600))))))))))))
        kc = min(k if k > -1023.0 else -1022.0, 1023.0)
        scale = np.int64((np.int64(kc) + 1023) << 52).view(np.float64)
        return 0.0 if k < -1022.0 else p * scale
    return exp64


@njit(inline='always', **_JIT)
def _log_pos(x):
    """log(x) for a float64 x >= 1 (a normaliser: the row maximum contributes exp(0) = 1),
    vectorisable: x = 2**e * f with f in [sqrt(1/2), sqrt(2)), log f = 2 atanh(z) with
    z = (f - 1) / (f + 1), |z| <= 0.172, summed to 1e-17. A NaN x gives NaN."""
    bits = np.float64(x).view(np.int64)
    e = (bits >> 52) - 1023
    f = np.int64((bits & 0xFFFFFFFFFFFFF) | 0x3FF0000000000000).view(np.float64)
    big = f > 1.4142135623730951
    f = f * 0.5 if big else f
    ef = np.float64(e + 1) if big else np.float64(e)
    z = (f - 1.0) / (f + 1.0)
    z2 = z * z
    series = 2.0 + z2 * (2 / 3 + z2 * (2 / 5 + z2 * (2 / 7 + z2 * (2 / 9 + z2 * (2 / 11 + z2 * (
        2 / 13 + z2 * (2 / 15 + z2 * (2 / 17 + z2 * (2 / 19 + z2 * (2 / 21))))))))))
    r = ef * _LN2 + z * series
    return x if x != x else r


def exp_nonpos(x):
    """Python-callable wrapper of the inline exp (for tests)."""
    out = np.empty_like(x)
    _exp_array(x.reshape(-1), out.reshape(-1))
    return out


@njit(**_JIT)
def _exp_array(x, out):
    for i in range(x.size):
        out[i] = _exp_nonpos(x[i])


def log_pos(x):
    """Python-callable wrapper of the inline log (for tests); x: float64 array."""
    out = np.empty_like(x)
    _log_array(x.reshape(-1), out.reshape(-1))
    return out


@njit(**_JIT)
def _log_array(x, out):
    for i in range(x.size):
        out[i] = _log_pos(x[i])


# -- one row (contiguous) ------------------------------------------------------------------------
# The reductions are leaf functions compiled with reassociation (vectorised sums); every caller is
# compiled without it: numba applies a caller's fast-math flags to the code it inlines, and the
# final `(x - m) - ls` must not become `x - (m + ls)`.
@njit(**_REDUCE)
def _row_max(x):
    m = x[0]
    for j in range(x.shape[0]):
        m = _maxnum(m, x[j])
    return m


@njit(**_REDUCE)
def _row_expsum(x, m):
    s = 0.0
    for j in range(x.shape[0]):
        s += _exp_nonpos(x[j] - m)
    return s


@njit(**_REDUCE)
def _row_exp_store(x, m, out):
    s = 0.0
    for j in range(x.shape[0]):
        e = _exp_nonpos(x[j] - m)
        out[j] = e
        s += e
    return s


@njit(**_REDUCE)
def _row_sum(g):
    s = 0.0
    for j in range(g.shape[0]):
        s += g[j]
    return s


@njit(**_REDUCE)
def _row_dot(g, y):
    s = 0.0
    for j in range(g.shape[0]):
        s += g[j] * y[j]
    return s


@njit(**_JIT)
def _row_forward(x, out, log):
    d = x.shape[0]
    m = _row_max(x)
    if log:
        # (x - m) is exact near the maximum, so the largest log-probabilities keep full
        # precision; x - (m + log s) would round at the magnitude of m
        ls = x.dtype.type(math.log(_row_expsum(x, m)))
        for j in range(d):
            out[j] = (x[j] - m) - ls
    else:
        inv = out.dtype.type(1.0 / _row_exp_store(x, m, out))
        for j in range(d):
            out[j] *= inv


@njit(**_JIT)
def _row_backward(y, g, gin, log):
    d = y.shape[0]
    if log:
        t = y.dtype.type(_row_sum(g))
        for j in range(d):
            gin[j] = g[j] - _exp_nonpos(y[j]) * t
    else:
        t = y.dtype.type(_row_dot(g, y))
        for j in range(d):
            gin[j] = y[j] * (g[j] - t)


# -- one frame of planes: (C, S), normalised over C at each of the S positions -------------------
@njit(**_JIT)
def _planes_forward(x, out, log, m, s):
    c, n = x.shape
    for p in range(n):
        m[p] = x[0, p]
        s[p] = 0.0
    for k in range(c):
        for p in range(n):
            m[p] = _maxnum(m[p], x[k, p])
    for k in range(c):
        for p in range(n):
            s[p] += _exp_nonpos(x[k, p] - m[p])
    if log:
        for p in range(n):
            s[p] = _log_pos(s[p])
        for k in range(c):
            for p in range(n):
                out[k, p] = (x[k, p] - m[p]) - s[p]
    else:
        for p in range(n):
            s[p] = 1.0 / s[p]
        for k in range(c):
            for p in range(n):
                out[k, p] = _exp_nonpos(x[k, p] - m[p]) * s[p]


@njit(**_JIT)
def _planes_backward(y, g, gin, log, s):
    c, n = y.shape
    for p in range(n):
        s[p] = 0.0
    if log:
        for k in range(c):
            for p in range(n):
                s[p] += g[k, p]
        for k in range(c):
            for p in range(n):
                gin[k, p] = g[k, p] - _exp_nonpos(y[k, p]) * s[p]
    else:
        for k in range(c):
            for p in range(n):
                s[p] += g[k, p] * y[k, p]
        for k in range(c):
            for p in range(n):
                gin[k, p] = y[k, p] * (g[k, p] - s[p])


# -- drivers: frames lo..hi ----------------------------------------------------------------------
@njit(**_JIT)
def _forward_frames(x, out, log, lo, hi):
    nf, c, n = x.shape
    if n == 1:
        x2 = x.reshape(nf, c)
        o2 = out.reshape(nf, c)
        for i in range(lo, hi):
            _row_forward(x2[i], o2[i], log)
    else:
        m = np.empty(n, x.dtype)
        s = np.empty(n, np.float64)
        for i in range(lo, hi):
            _planes_forward(x[i], out[i], log, m, s)


@njit(**_JIT)
def _backward_frames(y, g, gin, log, lo, hi):
    nf, c, n = y.shape
    if n == 1:
        y2 = y.reshape(nf, c)
        g2 = g.reshape(nf, c)
        r2 = gin.reshape(nf, c)
        for i in range(lo, hi):
            _row_backward(y2[i], g2[i], r2[i], log)
    else:
        s = np.empty(n, np.float64)
        for i in range(lo, hi):
            _planes_backward(y[i], g[i], gin[i], log, s)


@njit(**_JIT)
def softmax_forward(x, out, log):
    """out = (log-)softmax of x over axis 1; x, out: C-contiguous (N, D, S) float arrays."""
    _forward_frames(x, out, log, 0, x.shape[0])


@njit(**_PJIT)
def softmax_forward_parallel(x, out, log, nchunks):
    nf = x.shape[0]
    for c in prange(nchunks):
        _forward_frames(x, out, log, c * nf // nchunks, (c + 1) * nf // nchunks)


@njit(**_JIT)
def softmax_backward(y, g, gin, log):
    """gin = gradient through (log-)softmax given its output y and the gradient g."""
    _backward_frames(y, g, gin, log, 0, y.shape[0])


@njit(**_PJIT)
def softmax_backward_parallel(y, g, gin, log, nchunks):
    nf = y.shape[0]
    for c in prange(nchunks):
        _backward_frames(y, g, gin, log, c * nf // nchunks, (c + 1) * nf // nchunks)
