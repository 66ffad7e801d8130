"""Element-wise CUDA kernels over contiguous 1-D device arrays of n elements.

One kernel per arity, with an integer op code switched on inside (fewer kernels: less compile
time on a GPU). The tensor layer hands over contiguous operands (it expands and copies strided
or broadcast ones first), so every kernel is a plain grid-stride loop. `out` may be one of the
inputs (in-place forms).

Float kernels (`map1`, `map2`, `map3`) cover the math of float32/float64 tensors; integer
tensors (indices, masks) get the few ops they need from `map1_int` / `map2_int`, whose switch
holds only integer-safe operations so that numba types them without floating-point detours.
Comparisons (`compare1`, `compare2`) work for every dtype and write 0/1 into a uint8 `out`.

Math functions are guarded where C returns inf/NaN but Python's `math` raises (log(0),
sqrt(-1), fmod(x, 0), ...): the simulator runs kernels as Python, a GPU gives the IEEE result,
and the guards make both give the IEEE result.
"""
import math

from numba import cuda

from .launch import grid_1d

# -- op codes ----------------------------------------------------------------------------------
# map1: out = f(x, a, b) with scalars a, b
NEG, ABS, SIGN, EXP, LOG, LOG1P, EXPM1, SQRT, RSQRT, SIGMOID, TANH, SIN, COS = range(13)
FLOOR, CEIL, ROUND, TRUNC, FRAC, CINV, SQUARE = range(13, 20)
ADD_S, MUL_S, DIV_S, POW_S, RPOW_S, FMOD_S, REMAINDER_S, CLAMP = range(20, 28)
CMAX_S, CMIN_S, RSUB_S, RDIV_S = range(28, 32)
# map2: out = g(x, y, a)
ADD, SUB, MUL, DIV, POW, ATAN2, CMAX, CMIN, FMOD, REMAINDER, LERP = range(11)
# map3: out = h(x, y, z, a)
ADDCMUL, ADDCDIV = range(2)
# compare1 / compare2
LT, LE, GT, GE, EQ, NE = range(6)

INT_MAP1 = (NEG, ABS, SIGN, ADD_S, MUL_S, CLAMP, CMAX_S, CMIN_S, RSUB_S, SQUARE)
INT_MAP2 = (ADD, SUB, MUL, CMAX, CMIN)

_INF = math.inf
_NAN = math.nan
_EXACT = 4503599627370496.0   # 2**52: every float at least this large is an integer


# -- device functions --------------------------------------------------------------------------
@cuda.jit(device=True, cache=True)
def _log(v):
    if v > 0:
        return math.log(v)
    if v == 0:
        return -_INF
    return _NAN


@cuda.jit(device=True, cache=True)
def _exp(v):
    if v > 700.0:   # beyond any float: math.exp would raise in Python
        return _INF
    return math.exp(v)


@cuda.jit(device=True, cache=True)
def _sqrt(v):
    if v >= 0:
        return math.sqrt(v)
    return _NAN


@cuda.jit(device=True, cache=True)
def _fmod(v, a):
    if a == 0 or v != v or a != a or math.isinf(v):
        return _NAN
    if math.isinf(a):
        return v
    return math.fmod(v, a)


@cuda.jit(device=True, cache=True)
def _remainder(v, a):
    """x - floor(x / a) * a: the sign of the divisor (numpy's remainder, Python's %)."""
    r = _fmod(v, a)
    if r != 0 and (r < 0) != (a < 0):
        r += a
    return r


@cuda.jit(device=True, cache=True)
def _pow(v, a):
    if a == 2:
        return v * v
    if a == 1:
        return v
    if a == 0:
        return 1.0
    if v == 0:   # IEEE: an odd integer power keeps the sign of zero
        odd = abs(a) < _EXACT and a == math.floor(a) and math.fmod(a, 2.0) != 0
        if a < 0:
            return 1.0 / v if odd else _INF
        return v if odd else 0.0
    if v < 0 and abs(a) < _EXACT and a != math.floor(a):
        return _NAN   # a negative base to a fractional power
    return math.pow(v, a)


@cuda.jit(device=True, cache=True)
def _whole(v):
    """True when v has no fraction to remove: huge, infinite or NaN (math.floor and friends
    would raise on the last two in Python)."""
    return not abs(v) < _EXACT


@cuda.jit(device=True, cache=True)
def _floor(v):
    if _whole(v):
        return v
    return math.floor(v)


@cuda.jit(device=True, cache=True)
def _ceil(v):
    if _whole(v):
        return v
    return math.ceil(v)


@cuda.jit(device=True, cache=True)
def _trunc(v):
    # floor/ceil rather than math.trunc: numpy scalars (the simulator's) lack __trunc__
    if _whole(v):
        return v
    if v >= 0:
        return math.floor(v)
    return math.ceil(v)


@cuda.jit(device=True, cache=True)
def _round(v):
    """Half away from zero (C's round), not round-half-to-even."""
    if _whole(v):
        return v
    t = _trunc(v)
    d = v - t
    if d >= 0.5:
        return t + 1.0
    if d <= -0.5:
        return t - 1.0
    return t


@cuda.jit(device=True, cache=True)
def _sign(v):
    if v > 0:
        return 1.0
    if v < 0:
        return -1.0
    return v   # 0 stays 0, NaN stays NaN (numpy's sign)


@cuda.jit(device=True, cache=True)
def _max_nan(v, a):
    if v != v or a != a:
        return _NAN
    return v if v >= a else a


@cuda.jit(device=True, cache=True)
def _min_nan(v, a):
    if v != v or a != a:
        return _NAN
    return v if v <= a else a


@cuda.jit(device=True, cache=True)
def _unary(op, v, a, b):
    if op == NEG:
        return -v
    if op == ABS:
        return abs(v)
    if op == SIGN:
        return _sign(v)
    if op == EXP:
        return _exp(v)
    if op == LOG:
        return _log(v)
    if op == LOG1P:
        if v > -1:
            return math.log1p(v)
        return _log(v + 1.0)
    if op == EXPM1:
        if v > 700.0:
            return _INF
        return math.expm1(v)
    if op == SQRT:
        return _sqrt(v)
    if op == RSQRT:
        if v == 0:
            return 1.0 / v    # +-inf, with zero's sign (math.sqrt gives Python floats)
        return 1.0 / _sqrt(v)
    if op == SIGMOID:
        return math.tanh(v * 0.5) * 0.5 + 0.5   # the CPU's formula: never overflows
    if op == TANH:
        return math.tanh(v)
    if op == SIN:
        return math.sin(v)
    if op == COS:
        return math.cos(v)
    if op == FLOOR:
        return _floor(v)
    if op == CEIL:
        return _ceil(v)
    if op == ROUND:
        return _round(v)
    if op == TRUNC:
        return _trunc(v)
    if op == FRAC:
        if math.isinf(v):
            return _NAN
        return v - _trunc(v)
    if op == CINV:
        return 1.0 / v
    if op == SQUARE:
        return v * v
    if op == ADD_S:
        return v + a
    if op == MUL_S:
        return v * a
    if op == DIV_S:
        return v / a
    if op == POW_S:
        return _pow(v, a)
    if op == RPOW_S:
        return _pow(a, v)
    if op == FMOD_S:
        return _fmod(v, a)
    if op == REMAINDER_S:
        return _remainder(v, a)
    if op == CLAMP:
        return _min_nan(_max_nan(v, a), b)
    if op == CMAX_S:
        return _max_nan(v, a)
    if op == CMIN_S:
        return _min_nan(v, a)
    if op == RSUB_S:
        return a - v
    # RDIV_S
    return a / v


@cuda.jit(device=True, cache=True)
def _binary(op, v, w, a):
    if op == ADD:
        return v + a * w
    if op == SUB:
        return v - a * w
    if op == MUL:
        return v * w
    if op == DIV:
        return v / w
    if op == POW:
        return _pow(v, w)
    if op == ATAN2:
        return math.atan2(v, w)
    if op == CMAX:
        return _max_nan(v, w)
    if op == CMIN:
        return _min_nan(v, w)
    if op == FMOD:
        return _fmod(v, w)
    if op == REMAINDER:
        return _remainder(v, w)
    # LERP
    return v + a * (w - v)


@cuda.jit(device=True, cache=True)
def _compare(op, v, w):
    if op == LT:
        return v < w
    if op == LE:
        return v <= w
    if op == GT:
        return v > w
    if op == GE:
        return v >= w
    if op == EQ:
        return v == w
    return v != w


@cuda.jit(device=True, cache=True)
def _unary_int(op, v, a, b):
    if op == NEG:
        return -v
    if op == ABS:
        return v if v >= 0 else -v
    if op == SIGN:
        if v > 0:
            return 1
        if v < 0:
            return -1
        return 0
    if op == ADD_S:
        return v + a
    if op == MUL_S:
        return v * a
    if op == CLAMP:
        lo = v if v >= a else a
        return lo if lo <= b else b
    if op == CMAX_S:
        return v if v >= a else a
    if op == CMIN_S:
        return v if v <= a else a
    if op == RSUB_S:
        return a - v
    # SQUARE
    return v * v


@cuda.jit(device=True, cache=True)
def _binary_int(op, v, w, a):
    if op == ADD:
        return v + a * w
    if op == SUB:
        return v - a * w
    if op == MUL:
        return v * w
    if op == CMAX:
        return v if v >= w else w
    # CMIN
    return v if v <= w else w


# -- kernels -------------------------------------------------------------------------------------
# The kernels below are alike on purpose: each is a grid-stride loop around one device-function
# call. Folding the float and integer twins (or put / put_add / put_fill further down) into one
# kernel would add a mode test to every element's iteration, and make numba type the float
# branch for integer arrays; a few lines of loop are the cheaper repetition.
@cuda.jit(cache=True)
def _map1_kernel(op, x, out, n, a, b):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        out[i] = _unary(op, x[i], a, b)
        i += step


@cuda.jit(cache=True)
def _map1_int_kernel(op, x, out, n, a, b):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        out[i] = _unary_int(op, x[i], a, b)
        i += step


@cuda.jit(cache=True)
def _map2_kernel(op, x, y, out, n, a):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        out[i] = _binary(op, x[i], y[i], a)
        i += step


@cuda.jit(cache=True)
def _map2_int_kernel(op, x, y, out, n, a):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        out[i] = _binary_int(op, x[i], y[i], a)
        i += step


@cuda.jit(cache=True)
def _map3_kernel(op, x, y, z, out, n, a):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        if op == ADDCMUL:
            out[i] = x[i] + a * y[i] * z[i]
        else:
            out[i] = x[i] + a * (y[i] / z[i])
        i += step


@cuda.jit(cache=True)
def _compare1_kernel(op, x, out, n, a):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        out[i] = 1 if _compare(op, x[i], a) else 0
        i += step


@cuda.jit(cache=True)
def _compare2_kernel(op, x, y, out, n):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        out[i] = 1 if _compare(op, x[i], y[i]) else 0
        i += step


@cuda.jit(cache=True)
def _masked_fill_kernel(x, mask, n, v):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        if mask[i] != 0:
            x[i] = v
        i += step


# -- launchers -----------------------------------------------------------------------------------
def _launch(kernel, n, *args):
    """Run a grid-stride kernel over n items (nothing for n == 0)."""
    if n:
        blocks, threads = grid_1d(n)
        kernel[blocks, threads](*args)


def map1(op, x, out, a=0, b=0):
    """out = f_op(x, a, b) element-wise; x and out float, contiguous; a, b of x's dtype."""
    _launch(_map1_kernel, x.shape[0], op, x, out, x.shape[0], a, b)


def map1_int(op, x, out, a=0, b=0):
    """The integer ops (INT_MAP1) for integer arrays."""
    _launch(_map1_int_kernel, x.shape[0], op, x, out, x.shape[0], a, b)


def map2(op, x, y, out, a=1):
    """out = g_op(x, y, a) element-wise (a: the multiplier of add/sub, the weight of lerp)."""
    _launch(_map2_kernel, x.shape[0], op, x, y, out, x.shape[0], a)


def map2_int(op, x, y, out, a=1):
    """The integer ops (INT_MAP2) for integer arrays."""
    _launch(_map2_int_kernel, x.shape[0], op, x, y, out, x.shape[0], a)


def map3(op, x, y, z, out, a=1):
    """ADDCMUL: out = x + a*y*z; ADDCDIV: out = x + a*y/z."""
    _launch(_map3_kernel, x.shape[0], op, x, y, z, out, x.shape[0], a)


def compare1(op, x, a, out):
    """out (uint8) = x <op> a for a number a."""
    _launch(_compare1_kernel, x.shape[0], op, x, out, x.shape[0], a)


def compare2(op, x, y, out):
    """out (uint8) = x <op> y element-wise."""
    _launch(_compare2_kernel, x.shape[0], op, x, y, out, x.shape[0])


def masked_fill(x, mask, v):
    """x[i] = v where mask[i] != 0 (mask uint8, both contiguous, same length)."""
    _launch(_masked_fill_kernel, x.shape[0], x, mask, x.shape[0], v)


# -- index kernels -------------------------------------------------------------------------------
# x is contiguous and seen as (outer, n, inner); the index array is read at o*so + j*sj + i*si
# for output position (o, j, i) of (outer, m, inner): strides (0, 1, 0) give index/indexCopy's
# one index per slice, (m*inner, inner, 1) gather/scatter's index of the output's own shape.
# Negative indices count from the end (the caller has checked them against n).
@cuda.jit(device=True, cache=True)
def _source(t, idx, n, m, inner, so, sj, si):
    """(position in the (outer, n, inner) array) for flat output position t."""
    o = t // (m * inner)
    r = t - o * m * inner
    j = r // inner
    i = r - j * inner
    k = idx[o * so + j * sj + i * si]
    if k < 0:
        k += n
    return (o * n + k) * inner + i


@cuda.jit(cache=True)
def _take_kernel(x, idx, out, outer, n, m, inner, so, sj, si):
    t = cuda.grid(1)
    step = cuda.gridsize(1)
    total = outer * m * inner
    while t < total:
        out[t] = x[_source(t, idx, n, m, inner, so, sj, si)]
        t += step


@cuda.jit(cache=True)
def _put_kernel(dst, idx, src, outer, n, m, inner, so, sj, si):
    t = cuda.grid(1)
    step = cuda.gridsize(1)
    total = outer * m * inner
    while t < total:
        dst[_source(t, idx, n, m, inner, so, sj, si)] = src[t]
        t += step


@cuda.jit(cache=True)
def _put_add_kernel(dst, idx, src, outer, n, m, inner, so, sj, si):
    t = cuda.grid(1)
    step = cuda.gridsize(1)
    total = outer * m * inner
    while t < total:
        cuda.atomic.add(dst, _source(t, idx, n, m, inner, so, sj, si), src[t])
        t += step


@cuda.jit(cache=True)
def _put_fill_kernel(dst, idx, v, outer, n, m, inner, so, sj, si):
    t = cuda.grid(1)
    step = cuda.gridsize(1)
    total = outer * m * inner
    while t < total:
        dst[_source(t, idx, n, m, inner, so, sj, si)] = v
        t += step


ONE_PER_SLICE = (0, 1, 0)


def take(x, idx, out, outer, n, m, inner, strides=ONE_PER_SLICE):
    """out[o, j, i] = x[o, idx[...], i]: index (default strides: idx has m entries) or gather
    (strides (m*inner, inner, 1): idx has out's shape). All arrays flat and contiguous."""
    so, sj, si = strides
    _launch(_take_kernel, outer * m * inner, x, idx, out, outer, n, m, inner, so, sj, si)


def put(dst, idx, src, outer, n, m, inner, strides=ONE_PER_SLICE, accumulate=False):
    """dst[o, idx[...], i] = src[o, j, i] (indexCopy / scatter), or += with `accumulate`
    (indexAdd: atomic, so repeated indices add up; float32, float64, int32 or int64 dst).
    With repeated indices and no accumulation, which source element lands is unspecified."""
    so, sj, si = strides
    kernel = _put_add_kernel if accumulate else _put_kernel
    _launch(kernel, outer * m * inner, dst, idx, src, outer, n, m, inner, so, sj, si)


def put_fill(dst, idx, v, outer, n, m, inner, strides=ONE_PER_SLICE):
    """dst[o, idx[...], i] = v (indexFill, scatter of a number)."""
    so, sj, si = strides
    _launch(_put_fill_kernel, outer * m * inner, dst, idx, v, outer, n, m, inner, so, sj, si)
