"""kernels/cuda/elementwise.py and the element-wise, comparison, operator and index methods of
the CUDA tensors (torchlike/cuda/math_*.py), against numpy and the same operation on a
FloatTensor/LongTensor/ByteTensor. Tiny shapes: the simulator runs each GPU thread as a Python
thread."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numba import cuda

import torchlike as torch
from kernels.cuda import elementwise as K
from torchlike.cuda import CudaByteTensor, CudaLongTensor, CudaTensor

from cuda_helpers import F32, close as _close, host, pair, rand

# the simulator runs kernels as Python: inf and NaN results come with numpy's warnings
pytestmark = pytest.mark.filterwarnings('ignore::RuntimeWarning')
# special values: zeros, halves (rounding), negatives, +-inf, NaN
SPECIAL = np.array([0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 2.4999, 3.0, -7.25, 1e-3, 50.0, -50.0,
                    np.inf, -np.inf, np.nan], F32)


# -- kernels against numpy ---------------------------------------------------------------------------
def _np_round(a):
    return np.trunc(a) + np.sign(a) * (np.abs(a - np.trunc(a)) >= 0.5)


UNARY_REF = {
    'NEG': np.negative, 'ABS': np.abs, 'SIGN': np.sign, 'EXP': np.exp, 'LOG': np.log,
    'LOG1P': np.log1p, 'EXPM1': np.expm1, 'SQRT': np.sqrt, 'RSQRT': lambda a: 1 / np.sqrt(a),
    'SIGMOID': lambda a: np.tanh(a * F32(0.5)) * F32(0.5) + F32(0.5), 'TANH': np.tanh,
    'FLOOR': np.floor, 'CEIL': np.ceil, 'ROUND': _np_round, 'TRUNC': np.trunc,
    'FRAC': lambda a: a - np.trunc(a), 'CINV': lambda a: 1 / a, 'SQUARE': np.square,
}


def _map1(op, a, x=0.0, y=0.0):
    out = cuda.device_array(a.shape, a.dtype)
    K.map1(getattr(K, op), cuda.to_device(a), out, a.dtype.type(x), a.dtype.type(y))
    return out.copy_to_host()


@pytest.mark.parametrize('op', sorted(UNARY_REF))
def test_map1_unary_ops_match_numpy_on_special_values(op):
    with np.errstate(all='ignore'):
        want = UNARY_REF[op](SPECIAL)
    _close(_map1(op, SPECIAL), want)


def test_map1_sin_cos_on_finite_values():
    a = SPECIAL[np.isfinite(SPECIAL)]
    _close(_map1('SIN', a), np.sin(a))
    _close(_map1('COS', a), np.cos(a))


@pytest.mark.parametrize('op, v, ref', [
    ('ADD_S', 1.5, lambda a, v: a + v), ('MUL_S', -2.0, lambda a, v: a * v),
    ('DIV_S', 4.0, lambda a, v: a / v), ('POW_S', 2.0, np.power), ('POW_S', 0.5, np.power),
    ('POW_S', -1.0, np.power), ('RPOW_S', 2.0, lambda a, v: np.power(F32(v), a)),
    ('FMOD_S', 0.75, np.fmod), ('FMOD_S', 0.0, np.fmod), ('REMAINDER_S', -0.75, np.remainder),
    ('CMAX_S', 0.25, np.maximum), ('CMIN_S', 0.25, np.minimum),
    ('RSUB_S', 3.0, lambda a, v: v - a), ('RDIV_S', 3.0, lambda a, v: v / a)])
def test_map1_scalar_ops_match_numpy(op, v, ref):
    with np.errstate(all='ignore'):
        want = ref(SPECIAL, F32(v))
    _close(_map1(op, SPECIAL, v), want)


def test_map1_clamp_keeps_nan():
    _close(_map1('CLAMP', SPECIAL, -1.0, 2.0), np.clip(SPECIAL, -1, 2))


@pytest.mark.parametrize('op, ref', [
    ('ADD', lambda a, b: a + F32(0.5) * b), ('SUB', lambda a, b: a - F32(0.5) * b),
    ('MUL', np.multiply), ('DIV', np.divide), ('POW', np.power), ('ATAN2', np.arctan2),
    ('CMAX', np.maximum), ('CMIN', np.minimum), ('FMOD', np.fmod),
    ('REMAINDER', np.remainder), ('LERP', lambda a, b: a + F32(0.5) * (b - a))])
def test_map2_ops_match_numpy(op, ref):
    a = SPECIAL
    b = np.roll(SPECIAL, 3)
    out = cuda.device_array(a.shape, F32)
    K.map2(getattr(K, op), cuda.to_device(a), cuda.to_device(b), out, F32(0.5))
    with np.errstate(all='ignore'):
        want = ref(a, b)
    _close(out.copy_to_host(), want)


def test_map3_addcmul_addcdiv():
    a, b, c = rand(20, seed=1), rand(20, seed=2), rand(20, seed=3, positive=True)
    for op, want in (('ADDCMUL', a + F32(0.3) * b * c), ('ADDCDIV', a + F32(0.3) * (b / c))):
        out = cuda.device_array(20, F32)
        K.map3(getattr(K, op), cuda.to_device(a), cuda.to_device(b), cuda.to_device(c), out,
               F32(0.3))
        _close(out.copy_to_host(), want)


@pytest.mark.parametrize('dtype', [np.float32, np.int64, np.uint8])
def test_comparisons_write_uint8_for_every_dtype(dtype):
    a = np.array([0, 1, 2, 3, 2, 1, 0, 5], dtype)
    b = np.array([1, 1, 1, 4, 0, 1, 3, 5], dtype)
    refs = {'LT': np.less, 'LE': np.less_equal, 'GT': np.greater, 'GE': np.greater_equal,
            'EQ': np.equal, 'NE': np.not_equal}
    for name, ref in refs.items():
        out = cuda.device_array(8, np.uint8)
        K.compare2(getattr(K, name), cuda.to_device(a), cuda.to_device(b), out)
        np.testing.assert_array_equal(out.copy_to_host(), ref(a, b))
        K.compare1(getattr(K, name), cuda.to_device(a), dtype(2), out)
        np.testing.assert_array_equal(out.copy_to_host(), ref(a, dtype(2)))


@pytest.mark.parametrize('dtype', [np.int64, np.uint8])
def test_integer_kernels(dtype):
    a = np.array([0, 1, 7, 3, 250 if dtype is np.uint8 else -9], dtype)
    b = np.array([2, 2, 1, 5, 3], dtype)
    for op, v, want in (('ADD_S', 3, a + dtype(3)), ('MUL_S', 2, a * dtype(2)),
                        ('CMAX_S', 2, np.maximum(a, 2)), ('SQUARE', 0, a * a)):
        out = cuda.device_array(5, dtype)
        K.map1_int(getattr(K, op), cuda.to_device(a), out, np.int64(v), np.int64(0))
        np.testing.assert_array_equal(out.copy_to_host(), want.astype(dtype))
    for op, want in (('ADD', a + b), ('MUL', a * b), ('CMIN', np.minimum(a, b))):
        out = cuda.device_array(5, dtype)
        K.map2_int(getattr(K, op), cuda.to_device(a), cuda.to_device(b), out, np.int64(1))
        np.testing.assert_array_equal(out.copy_to_host(), want.astype(dtype))


def test_grid_stride_covers_more_elements_than_threads():
    a = rand(300, seed=4)        # the simulator's grid is 2 blocks of 32 threads
    _close(_map1('MUL_S', a, 3.0), a * F32(3))


# -- tensor methods: the three call forms ---------------------------------------------------------------
UNARY = ['exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sigmoid', 'tanh', 'sin', 'cos',
         'floor', 'ceil', 'round', 'trunc', 'frac', 'cinv', 'neg', 'abs', 'sign']


@pytest.mark.parametrize('name', UNARY)
def test_unary_call_forms_match_float_tensor(name):
    a = rand(3, 4, seed=5) * F32(3)
    if name in ('log', 'sqrt', 'rsqrt', 'log1p'):
        a = np.abs(a) + F32(0.1)
    h, d = pair(a)
    want = host(getattr(torch, name)(h))
    _close(host(getattr(torch, name)(d)), want)              # torch.f(x): new
    res = CudaTensor(7)
    assert getattr(torch, name)(res, d) is res               # torch.f(res, x)
    _close(host(res), want)
    res2 = CudaTensor(2)
    assert getattr(res2, name)(d) is res2                    # res.f(x)
    _close(host(res2), want)
    _close(host(d), a)                                       # x untouched so far
    assert getattr(d, name)() is d                           # x.f(): in place
    _close(host(d), want)


@pytest.mark.parametrize('name, v', [('mul', 2.5), ('div', -4.0), ('fmod', 0.7),
                                     ('remainder', 0.7), ('cmax', 0.1), ('cmin', 0.1),
                                     ('add', 3.0), ('csub', 1.5)])
def test_scalar_ops_match_float_tensor(name, v):
    a = rand(4, 3, seed=6)
    h, d = pair(a)
    _close(host(getattr(torch, name)(d, v)), host(getattr(torch, name)(h, v)))
    getattr(d, name)(v)
    getattr(h, name)(v)
    _close(host(d), host(h))


@pytest.mark.parametrize('name', ['cmul', 'cdiv', 'cpow', 'atan2', 'cmax', 'cmin', 'cfmod',
                                  'cremainder', 'add', 'csub', 'mul', 'div'])
def test_tensor_tensor_ops_match_float_tensor(name):
    a = rand(3, 5, seed=7, positive=name == 'cpow')
    b = rand(3, 5, seed=8, positive=name in ('cpow', 'cdiv', 'div'))
    (ha, da), (hb, db) = pair(a), pair(b)
    _close(host(getattr(torch, name)(da, db)), host(getattr(torch, name)(ha, hb)))
    res = CudaTensor(1)
    getattr(torch, name)(res, da, db)
    _close(host(res), host(getattr(torch, name)(ha, hb)))


def test_add_forms():
    a, b = rand(2, 3, seed=9), rand(2, 3, seed=10)
    (ha, da), (hb, db) = pair(a), pair(b)
    _close(host(da.clone().add(2, db)), host(ha.clone().add(2, hb)))      # x += v*y
    _close(host(CudaTensor(5).add(da, db)), a + b)                         # res.add(x, y)
    _close(host(CudaTensor(5).add(da, -3, db)), a - 3 * b)                 # res.add(x, v, y)
    _close(host(torch.add(da, 0.5, db)), a + F32(0.5) * b)                 # torch.add(x, v, y)
    res = CudaTensor()
    torch.add(res, da, 2, db)
    _close(host(res), a + 2 * b)
    _close(host(da.clone().csub(2, db)), a - 2 * b)


def test_addcmul_addcdiv_forms():
    a, b, c = rand(2, 3, seed=11), rand(2, 3, seed=12), rand(2, 3, seed=13, positive=True)
    (ha, da), (hb, db), (hc, dc) = pair(a), pair(b), pair(c)
    for name in ('addcmul', 'addcdiv'):
        want = host(getattr(torch, name)(ha, 0.5, hb, hc))
        _close(host(getattr(torch, name)(da, 0.5, db, dc)), want)
        _close(host(getattr(da.clone(), name)(0.5, db, dc)), want)
        _close(host(getattr(CudaTensor(), name)(da, 0.5, db, dc)), want)
        _close(host(getattr(da.clone(), name)(db, dc)), host(getattr(torch, name)(ha, hb, hc)))


def test_pow_forms_and_clamp_and_lerp():
    a = rand(2, 4, seed=14, positive=True)
    h, d = pair(a)
    _close(host(torch.pow(d, 3)), host(torch.pow(h, 3)))
    _close(host(torch.pow(2, d)), host(torch.pow(2, h)))          # Torch7's tpow
    _close(host(CudaTensor().pow(2, d)), host(torch.pow(2, h)))
    _close(host(d.clone().pow(0.5)), np.sqrt(a))
    _close(host(torch.clamp(d, 0.5, 1.0)), np.clip(a, 0.5, 1.0))
    _close(host(d.clone().clamp(None, 0.7)), np.minimum(a, F32(0.7)))
    b = rand(2, 4, seed=15)
    _close(host(torch.lerp(d, pair(b)[1], 0.25)), host(torch.lerp(h, pair(b)[0], 0.25)))


# -- layouts: strided, expanded, broadcast ---------------------------------------------------------------
def test_non_contiguous_operands_and_destination():
    a, b = rand(4, 6, seed=16), rand(6, 4, seed=17)
    da, db = pair(a)[1], pair(b)[1]
    _close(host(da.t() + db), a.T + b)                                   # transposed
    _close(host(da.narrow(1, 1, 3) * db.t().narrow(1, 2, 3)), a[:, 1:4] * b.T[:, 2:5])
    v = da.t()                                                           # in place, strided
    v.mul(2).add(db)
    _close(host(da), (a.T * 2 + b).T)
    col = da.select(1, 2)
    col.exp()
    want = (a.T * 2 + b).T.copy()
    want[:, 2] = np.exp(want[:, 2])
    _close(host(da), want)


def test_broadcasting_and_expanded_operands():
    a, row, colv = rand(3, 4, seed=18), rand(4, seed=19), rand(3, 1, seed=20)
    da, dr, dc = pair(a)[1], pair(row)[1], pair(colv)[1]
    _close(host(da + dr), a + row)
    _close(host(dr + da), row + a)                  # the smaller operand first: grows
    _close(host(dc * dr), colv * row)               # (3,1) x (4,) -> (3,4)
    _close(host(da.clone().add(dr.view(1, 4).expand(3, 4))), a + row)
    _close(host(torch.cmul(da, dc)), a * colv)
    d = da.clone()
    d.cmul(dc)                                      # in place keeps x's size
    _close(host(d), a * colv)


@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.integers(0, 2 ** 16))
def test_broadcast_add_matches_numpy_for_random_shapes(shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape).astype(F32)
    bshape = [1 if rng.random() < 0.4 else n for n in shape][rng.integers(0, len(shape)):]
    b = rng.standard_normal(bshape).astype(F32)
    got = pair(a)[1] + pair(b)[1] if bshape else pair(a)[1] + 1.0
    _close(host(got), a + b if bshape else a + 1)


def test_in_place_forms_and_result_forms_on_other_types():
    a = rand(2, 3, seed=21)
    h, d = pair(a)
    res = CudaLongTensor()
    torch.mul(res, d, 10)                           # written into a CudaLongTensor: truncated
    np.testing.assert_array_equal(host(res), (a * 10).astype(np.int64))
    alias = d.clone()
    torch.add(alias, alias, alias)                  # the result is an operand
    _close(host(alias), 2 * a)


def test_overlapping_operands_are_read_before_they_are_overwritten():
    a = np.arange(9, dtype=F32).reshape(3, 3)
    d = pair(a)[1]
    d.add(d.t())
    _close(host(d), a + a.T)
    v = pair(np.arange(6, dtype=F32))[1]
    v.narrow(0, 1, 5).add(v.narrow(0, 0, 5))       # shifted views of one storage
    _close(host(v), [0, 1, 3, 5, 7, 9])
    w = pair(np.arange(6, dtype=F32))[1]
    torch.cmul(w.narrow(0, 0, 5), w.narrow(0, 1, 5), w.narrow(0, 1, 5))
    _close(host(w), [1, 4, 9, 16, 25, 5])


def test_mixed_cuda_types_compute_in_the_float_type():
    a = rand(2, 3, seed=34)
    h, d = pair(a)
    mask = d.gt(0)                                   # CudaByteTensor
    _close(host(d.clone().cmul(mask)), a * (a > 0))
    idx = CudaLongTensor([[1, 0, 2], [0, 0, 0]])
    np.testing.assert_array_equal(host(idx.eq(CudaTensor([[1.5, 0, 2], [0, 0, 0.5]]))),
                                  [[0, 1, 1], [1, 1, 0]])
    np.testing.assert_array_equal(host(idx.lt(0.5)), [[0, 1, 0], [1, 1, 1]])


# -- operators ------------------------------------------------------------------------------------------
def test_python_operators_match_float_tensor():
    a, b = rand(3, 3, seed=22), rand(3, 3, seed=23, positive=True)
    (ha, da), (hb, db) = pair(a), pair(b)
    for fn in (lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y,
               lambda x, y: x / y, lambda x, y: x % y, lambda x, y: y ** 2,
               lambda x, y: 2 - x, lambda x, y: 3 / y, lambda x, y: 2 ** x, lambda x, y: -x,
               lambda x, y: abs(x), lambda x, y: +x, lambda x, y: 1 + x * 2, lambda x, y: 5 % y):
        got, want = fn(da, db), fn(ha, hb)
        assert got.__class__ is CudaTensor
        _close(host(got), host(want))

    def in_place(x, y):
        z = x.clone()
        z += y
        z -= 1
        z *= y
        z /= 2
        z **= 2
        return z
    _close(host(in_place(da, db)), host(in_place(ha, hb)))
    eq = da == da.clone()
    assert eq.__class__ is CudaByteTensor and host(eq).all()
    assert host(da != db).all()
    np.testing.assert_array_equal(host(da < 0), host(ha < 0))
    np.testing.assert_array_equal(host(da >= db), host(ha >= hb))
    assert (da == None) is False                    # noqa: E711 (not a tensor: identity)


def test_comparison_forms():
    a, b = rand(2, 5, seed=24), rand(2, 5, seed=25)
    (ha, da), (hb, db) = pair(a), pair(b)
    for name in ('lt', 'le', 'gt', 'ge', 'eq', 'ne'):
        want = host(getattr(torch, name)(ha, hb))
        got = getattr(da, name)(db)
        assert got.__class__ is CudaByteTensor
        np.testing.assert_array_equal(host(got), want)
        res = CudaByteTensor()
        assert getattr(torch, name)(res, da, db) is res
        np.testing.assert_array_equal(host(res), want)
        res = CudaTensor()
        getattr(res, name)(da, 0.0)                 # res.gt(x, v): 0/1 into a CudaTensor
        np.testing.assert_array_equal(host(res), host(getattr(ha, name)(0.0)))


# -- integer tensors (indices, masks) ---------------------------------------------------------------------
def test_integer_tensor_ops_used_for_indices_and_masks():
    idx = CudaLongTensor([3, 0, 2, 2])
    want = np.array([3, 0, 2, 2])
    np.testing.assert_array_equal(host(idx.clone().add(1)), want + 1)
    np.testing.assert_array_equal(host(idx.clone().csub(1)), want - 1)
    np.testing.assert_array_equal(host(idx * 3), want * 3)
    np.testing.assert_array_equal(host(idx + idx), want * 2)
    np.testing.assert_array_equal(host(idx.eq(2)), want == 2)
    np.testing.assert_array_equal(host(idx.clone().clamp(1, 2)), np.clip(want, 1, 2))
    np.testing.assert_array_equal(host(-idx), -want)
    mask = CudaByteTensor([1, 0, 1])
    np.testing.assert_array_equal(host(mask.eq(0)), [0, 1, 0])
    np.testing.assert_array_equal(host(mask.clone().mul(3)), [3, 0, 3])
    b = torch.ByteTensor([250, 3])
    np.testing.assert_array_equal(host(CudaByteTensor([250, 3]).add(10)),
                                  host(b.clone().add(10)))     # wraps modulo 256 like the CPU


def test_float_only_ops_on_integer_tensors_raise():
    idx = CudaLongTensor([1, 2])
    with pytest.raises(TypeError, match='only defined for torch.CudaTensor, not '
                                        'torch.CudaLongTensor'):
        idx.exp()
    with pytest.raises(TypeError, match='CudaLongTensor'):
        idx / 2
    np.testing.assert_array_equal(host(idx), [1, 2])


# -- errors -----------------------------------------------------------------------------------------------
def test_mixed_devices_raise_naming_both_types():
    h, d = pair(rand(2, 2, seed=26))
    before = host(d)
    for call in (lambda: d + h, lambda: d.add(h), lambda: torch.add(d, h),
                 lambda: torch.cmul(d, h), lambda: d.gt(h), lambda: torch.add(h, d, d)):
        with pytest.raises(TypeError) as e:
            call()
        msg = str(e.value)
        assert 'torch.CudaTensor' in msg and 'torch.FloatTensor' in msg or \
            'different devices' in msg
    with pytest.raises(TypeError, match='torch.CudaTensor and torch.FloatTensor'):
        d.cmul(h)
    with pytest.raises(TypeError, match='cannot be used in a CPU operation'):
        h + d
    _close(host(d), before)


def test_size_mismatch_raises_naming_sizes_and_changes_nothing():
    d = pair(rand(3, 4, seed=27))[1]
    before = host(d)
    with pytest.raises(ValueError, match='inconsistent tensor sizes 3 x 4 and 5'):
        d.add(CudaTensor(5))
    with pytest.raises(ValueError, match='both have 12 elements: use view'):
        d.cmul(CudaTensor(4, 3))
    with pytest.raises(ValueError, match='in-place operations cannot grow a tensor'):
        CudaTensor(4).add(CudaTensor(3, 4))
    with pytest.raises(ValueError, match=r'clamp: min \(2\) is larger than max \(1\)'):
        d.clamp(2, 1)
    with pytest.raises(TypeError, match='takes'):
        d.exp(1, 2)
    _close(host(d), before)


def test_empty_tensors_pass_through():
    e = CudaTensor()
    assert e.clone().exp().nElement() == 0
    assert (e + e).nElement() == 0
    assert e.gt(0).nElement() == 0


# -- index and mask operations ----------------------------------------------------------------------------
def test_index_and_gather_match_cpu():
    a = rand(4, 5, seed=28)
    h, d = pair(a)
    for dim, ix in ((0, [3, 0, 3]), (1, [4, -1, 0])):
        _close(host(d.index(dim, CudaLongTensor(ix))), host(h.index(dim, torch.LongTensor(ix))))
    _close(host(d.t().index(0, [1, 2])), a.T[[1, 2]])           # strided source, list index
    res = CudaTensor()
    res.index(d, 1, CudaLongTensor([0, 0]))
    _close(host(res), a[:, [0, 0]])
    g = [[0, 4], [1, 1], [2, 0]]
    _close(host(d.gather(1, CudaLongTensor(g))), host(h.gather(1, torch.LongTensor(g))))
    g0 = [[3, 2, 1, 0, 0]]
    _close(host(d.gather(0, CudaLongTensor(g0))), host(h.gather(0, torch.LongTensor(g0))))


def test_index_put_ops_match_cpu():
    a, s = rand(4, 3, seed=29), rand(2, 3, seed=30)
    (h, d), (hs, ds) = pair(a), pair(s)
    ix, hix = CudaLongTensor([2, 0]), torch.LongTensor([2, 0])
    _close(host(d.clone().indexCopy(0, ix, ds)), host(h.clone().indexCopy(0, hix, hs)))
    dup, hdup = CudaLongTensor([1, 1]), torch.LongTensor([1, 1])
    _close(host(d.clone().indexAdd(0, dup, ds)), host(h.clone().indexAdd(0, hdup, hs)))
    _close(host(d.clone().indexFill(1, CudaLongTensor([0, 2]), -1)),
           host(h.clone().indexFill(1, torch.LongTensor([0, 2]), -1)))
    t = d.clone().t()                                                  # strided destination
    t.indexFill(0, CudaLongTensor([1]), 5)
    want = a.copy()
    want[:, 1] = 5
    _close(host(t.t()), want)
    sc = [[0, 2, 1], [3, 3, 0]]
    _close(host(d.clone().scatter(0, CudaLongTensor(sc), ds)),
           host(h.clone().scatter(0, torch.LongTensor(sc), hs)))
    _close(host(d.clone().scatter(1, CudaLongTensor([[2], [0]]), 7.5)),
           host(h.clone().scatter(1, torch.LongTensor([[2], [0]]), 7.5)))


def test_masks_match_cpu():
    a = rand(3, 4, seed=31)
    h, d = pair(a)
    m, hm = d.gt(0), h.gt(0)
    _close(host(d.maskedSelect(m)), host(h.maskedSelect(hm)))
    _close(host(d.clone().maskedFill(m, 0)), host(h.clone().maskedFill(hm, 0)))
    src = pair(np.arange(12, dtype=F32))
    _close(host(d.clone().maskedCopy(m, src[1])), host(h.clone().maskedCopy(hm, src[0])))
    _close(host(d[m]), host(h[hm]))
    np.testing.assert_array_equal(host(d.gt(0).nonzero()), host(h.gt(0).nonzero()))
    dd = d.clone()
    dd[dd.lt(0)] = 0
    _close(host(dd), np.maximum(a, 0))


def test_index_errors_name_sizes_and_leave_tensors_alone():
    d = pair(rand(3, 2, seed=32))[1]
    before = host(d)
    with pytest.raises(IndexError, match='index 3 is out of range for dimension 0 of size 3'):
        d.index(0, CudaLongTensor([0, 3]))
    with pytest.raises(IndexError, match='out of range'):
        d.indexFill(0, CudaLongTensor([5]), 1)
    with pytest.raises(ValueError, match='source has size 2 x 2, expected 1 x 2'):
        d.indexCopy(0, CudaLongTensor([1]), CudaTensor(2, 2))
    with pytest.raises(TypeError, match='different devices'):
        d.index(0, torch.LongTensor([0]))
    with pytest.raises(ValueError, match='the mask has size 5 but the tensor has size 3 x 2'):
        d.maskedFill(CudaByteTensor(5), 1)
    with pytest.raises(ValueError, match='exceeds tensor size'):
        d.gather(0, CudaLongTensor([[0, 0, 0]]))
    _close(host(d), before)


def test_function_forms_dispatch_through_torch():
    a = rand(2, 3, seed=33)
    h, d = pair(a)
    assert torch.exp(d).__class__ is CudaTensor
    assert torch.gt(d, 0).__class__ is CudaByteTensor
    _close(host(torch.clamp(d, -0.1, 0.1)), np.clip(a, -0.1, 0.1))
    with pytest.raises(TypeError, match='torch.tan is not available for torch.CudaTensor'):
        torch.tan(d)
    from torchlike import functions as F            # the index family's dispatching forms
    _close(host(F.index(d, 1, CudaLongTensor([2, 0]))), a[:, [2, 0]])
    _close(host(F.gather(d, 1, CudaLongTensor([[1], [0]]))), a[[0, 1], [1, 0]][:, None])
    _close(host(F.maskedSelect(d, d.gt(0))), a[a > 0])
    np.testing.assert_array_equal(host(F.nonzero(d.gt(0))), np.argwhere(a > 0))
