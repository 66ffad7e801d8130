"""Element-wise math (reference §1.2 F) and comparisons (I) against numpy, over the catalogue in
torchlike/pointwise.py, on every layout, in every calling form:

  torch.f(x, ...)        a new tensor of x's type; x untouched
  torch.f(res, x, ...)   written into res (resized); returns res
  res.f(x, ...)          the same through the method
  x.f(...)               in place; returns x, keeps its storage and layout

A name added to the catalogue is picked up by the parametrisation and fails until it has a
reference below.
"""
import operator
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike import comparisons as cmp
from torchlike import pointwise as pw
from torchlike_testing import (FAST, WRITABLE, arrays, assert_tensor, layout_names,
                               make_layout, nonzero_arrays, shapes)

F = {**pw.FUNCTIONS, **cmp.FUNCTIONS}
D, L = torch.DoubleTensor, torch.LongTensor


# -- independent references ---------------------------------------------------------------------
def _round_half_away(a):
    q = Decimal(1)
    return np.vectorize(lambda v: float(Decimal(float(v)).quantize(q, rounding=ROUND_HALF_UP)),
                        otypes=[np.float64])(a)


ANY, POS, UNIT, NONZERO, TAN = (-5, 5), (0.1, 10), (-0.95, 0.95), 'nonzero', (-1.4, 1.4)

UNARY_FLOAT_REF = {
    'exp': (np.exp, ANY), 'log': (np.log, POS), 'log1p': (np.log1p, POS),
    'sqrt': (np.sqrt, POS), 'rsqrt': (lambda a: 1 / np.sqrt(a), POS),
    'sigmoid': (lambda a: 1 / (1 + np.exp(-a)), ANY), 'tanh': (np.tanh, ANY),
    'sin': (np.sin, ANY), 'cos': (np.cos, ANY), 'tan': (np.tan, TAN),
    'asin': (np.arcsin, UNIT), 'acos': (np.arccos, UNIT), 'atan': (np.arctan, ANY),
    'sinh': (np.sinh, ANY), 'cosh': (np.cosh, ANY), 'ceil': (np.ceil, ANY),
    'floor': (np.floor, ANY), 'round': (_round_half_away, ANY), 'trunc': (np.trunc, ANY),
    'frac': (lambda a: np.modf(a)[0], ANY), 'cinv': (lambda a: 1 / a, NONZERO),
    'expm1': (np.expm1, ANY),
}
UNARY_ANY_REF = {'abs': np.abs, 'sign': np.sign, 'neg': np.negative}


def _c_div(a, b):
    """C integer division: truncates toward zero."""
    q = np.abs(a) // np.abs(b)
    return q * np.sign(a) * np.sign(b)


def _c_fmod(a, b):
    """C's % on integers: the sign of the dividend."""
    return np.sign(a) * (np.abs(a) % np.abs(b))


def _py_mod(a, b):
    """Python's %: the sign of the divisor."""
    return np.vectorize(lambda p, q: p % q)(a, b)


# name -> {kind: (reference, x domain, y domain)}; kinds 'f' (DoubleTensor), 'i' (LongTensor).
BINARY_REF = {
    'mul': {'f': (operator.mul, ANY, ANY), 'i': (operator.mul, ANY, ANY)},
    'cmul': {'f': (operator.mul, ANY, ANY), 'i': (operator.mul, ANY, ANY)},
    'cpow': {'f': (operator.pow, (0.1, 4), (-2, 2)), 'i': (operator.pow, (-4, 4), (0, 4))},
    'cmax': {'f': (lambda a, b: np.where(a >= b, a, b), ANY, ANY),
             'i': (lambda a, b: np.where(a >= b, a, b), ANY, ANY)},
    'cmin': {'f': (lambda a, b: np.where(a <= b, a, b), ANY, ANY),
             'i': (lambda a, b: np.where(a <= b, a, b), ANY, ANY)},
    'atan2': {'f': (np.arctan2, ANY, ANY)},
    'div': {'f': (operator.truediv, ANY, NONZERO), 'i': (_c_div, (-30, 30), NONZERO)},
    'cdiv': {'f': (operator.truediv, ANY, NONZERO), 'i': (_c_div, (-30, 30), NONZERO)},
    'fmod': {'f': (np.fmod, ANY, NONZERO), 'i': (_c_fmod, (-30, 30), NONZERO)},
    'cfmod': {'f': (np.fmod, ANY, NONZERO), 'i': (_c_fmod, (-30, 30), NONZERO)},
    'mod': {'f': (np.fmod, ANY, NONZERO), 'i': (_c_fmod, (-30, 30), NONZERO)},
    'cmod': {'f': (np.fmod, ANY, NONZERO), 'i': (_c_fmod, (-30, 30), NONZERO)},
    'remainder': {'f': (np.remainder, ANY, NONZERO), 'i': (_py_mod, (-30, 30), NONZERO)},
    'cremainder': {'f': (np.remainder, ANY, NONZERO), 'i': (_py_mod, (-30, 30), NONZERO)},
}
for _n, _op in (('bitand', operator.and_), ('bitor', operator.or_), ('bitxor', operator.xor)):
    BINARY_REF[_n] = BINARY_REF['c' + _n] = {'i': (_op, (-20, 20), (-20, 20))}
for _n, _op in (('lshift', operator.lshift), ('rshift', operator.rshift)):
    BINARY_REF[_n] = BINARY_REF['c' + _n] = {'i': (_op, (0, 50), (0, 4))}

KIND_CLASS = {'f': D, 'i': L}
COMPARE_REF = {'lt': operator.lt, 'le': operator.le, 'gt': operator.gt, 'ge': operator.ge,
               'eq': operator.eq, 'ne': operator.ne}


def _values(dtype, shape, domain):
    if domain == NONZERO:
        return nonzero_arrays(dtype, shape, 1 if np.dtype(dtype).kind == 'i' else 0.5, 10)
    return arrays(dtype, shape, *domain)


def _scalar(kind, domain):
    if domain == NONZERO:
        lo, hi = (1, 10) if kind == 'i' else (0.5, 10)
        mag = st.integers(lo, hi) if kind == 'i' else st.floats(lo, hi)
        return st.tuples(mag, st.booleans()).map(lambda p: -p[0] if p[1] else p[0])
    if kind == 'i':
        return st.integers(*domain)
    return st.floats(*domain, allow_nan=False)


def check_forms(name, a, layout, args, expected, cls, rtol=None, kind_of_res=None):
    """Run f in its four calling forms on `a` in `layout` and compare with `expected`.
    `args` are the remaining arguments (numpy arrays stand for tensors in `args_layouts`)."""
    f, method = F[name], getattr(cls, name)
    # torch.f(x, ...): new tensor, x untouched
    lay = make_layout(a, layout, cls)
    x = lay.tensor
    r = f(x, *args)
    assert r is not x
    assert_tensor(r, expected(lay.array), cls, rtol)
    assert_tensor(x, lay.array, cls)
    lay.check_outside()
    # torch.f(res, x, ...): res of another size is resized
    res = cls(7, 1)
    assert f(res, x, *args) is res
    assert_tensor(res, expected(lay.array), cls, rtol)
    assert_tensor(x, lay.array, cls)
    # res.f(x, ...): a non-contiguous res of the right size is written where it is
    res_lay = make_layout(np.zeros(lay.array.shape), 'transposed', cls)
    res = res_lay.tensor
    stride, st = res.stride(), res.storage()
    assert method(res, x, *args) is res
    assert_tensor(res, expected(lay.array), cls, rtol)
    assert res.stride() == stride and res.storage() is st
    res_lay.check_outside()
    # x.f(...): in place
    if layout in WRITABLE:
        lay = make_layout(a, layout, cls)
        x = lay.tensor
        stride, st, off = x.stride(), x.storage(), x.storageOffset()
        assert method(x, *args) is x
        assert_tensor(x, expected(lay.array), cls, rtol)
        assert (x.stride(), x.storage(), x.storageOffset()) == (stride, st, off)
        lay.check_outside()


# -- unary --------------------------------------------------------------------------------------
def test_every_catalogue_entry_has_a_reference():
    assert set(pw._UNARY_FLOAT) <= set(UNARY_FLOAT_REF)
    assert set(pw._UNARY_ANY) <= set(UNARY_ANY_REF)
    assert set(pw._BINARY) <= set(BINARY_REF)
    assert set(cmp._COMPARE) <= set(COMPARE_REF)


@pytest.mark.parametrize('name', sorted(pw._UNARY_FLOAT))
@FAST
@given(data=st.data())
def test_unary_float(name, data):
    ref, domain = UNARY_FLOAT_REF[name]
    shape = data.draw(shapes())
    a = data.draw(_values(np.float64, shape, domain))
    check_forms(name, a, data.draw(layout_names()), (), ref, D)


@pytest.mark.parametrize('name', sorted(pw._UNARY_FLOAT))
def test_unary_float_on_float32(name):
    ref, domain = UNARY_FLOAT_REF[name]
    rng = np.random.default_rng(0)
    lo, hi = (0.5, 5) if domain == NONZERO else domain
    a = rng.uniform(lo, hi, (3, 4)).astype(np.float32)
    lay = make_layout(a, 'transposed')
    r = F[name](lay.tensor)
    assert_tensor(r, ref(a.astype(np.float64)), torch.FloatTensor, rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize('name', sorted(pw._UNARY_FLOAT))
@pytest.mark.parametrize('cls', [torch.LongTensor, torch.IntTensor, torch.ByteTensor])
def test_unary_float_only_refuses_integer_tensors(name, cls):
    lay = make_layout(np.array([[1, 2], [3, 4]]), 'narrowed', cls)
    x = lay.tensor
    for call in (lambda: F[name](x), lambda: getattr(x, name)(),
                 lambda: F[name](cls(2), x)):
        with pytest.raises(TypeError, match=f"{name} is only defined for FloatTensor and "
                                            f"DoubleTensor, not {cls._typename}"):
            call()
    assert_tensor(x, lay.array, cls)


@pytest.mark.parametrize('name', sorted(pw._UNARY_ANY))
@pytest.mark.parametrize('cls', [torch.DoubleTensor, torch.FloatTensor, torch.LongTensor,
                                 torch.IntTensor, torch.ShortTensor, torch.CharTensor])
@FAST
@given(data=st.data())
def test_unary_any_type(name, cls, data):
    shape = data.draw(shapes())
    a = data.draw(arrays(cls._dtype, shape, -10, 10))
    check_forms(name, a, data.draw(layout_names()), (), UNARY_ANY_REF[name], cls)


def test_round_is_half_away_from_zero():
    x = D([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994, -0.49999999999999994, 2.4])
    expected = [1, 2, 3, -1, -2, -3, 0, 0, 2]
    assert torch.round(x).totable() == expected
    assert x.round() is x and x.totable() == expected
    assert torch.round(torch.FloatTensor([0.5, -2.5])).totable() == [1, -3]


def test_sigmoid_does_not_overflow():
    x = D([-1000.0, 0.0, 1000.0])
    assert torch.sigmoid(x).totable() == [0.0, 0.5, 1.0]


# -- binary ---------------------------------------------------------------------------------------
BINARY_CASES = [(n, k) for n in sorted(pw._BINARY) for k in sorted(BINARY_REF.get(n, {'f': 0}))]


@pytest.mark.parametrize('name,kind', BINARY_CASES)
@FAST
@given(data=st.data())
def test_binary_with_tensor(name, kind, data):
    ref, xdom, ydom = BINARY_REF[name][kind]
    cls = KIND_CLASS[kind]
    shape = data.draw(shapes())
    a = data.draw(_values(cls._dtype, shape, xdom))
    ylay = make_layout(data.draw(_values(cls._dtype, shape, ydom)), data.draw(layout_names()))
    y = ylay.tensor
    check_forms(name, a, data.draw(layout_names()), (y,), lambda v: ref(v, ylay.array), cls)
    assert_tensor(y, ylay.array, cls)


@pytest.mark.parametrize('name,kind', BINARY_CASES)
@FAST
@given(data=st.data())
def test_binary_with_number(name, kind, data):
    ref, xdom, ydom = BINARY_REF[name][kind]
    cls = KIND_CLASS[kind]
    a = data.draw(_values(cls._dtype, data.draw(shapes()), xdom))
    v = data.draw(_scalar(kind, ydom))
    expected = lambda arr: ref(arr, np.array(v, cls._dtype))  # noqa: E731
    check_forms(name, a, data.draw(layout_names()), (v,), expected, cls)


def test_atan2_refuses_integer_tensors():
    x = L([1, 2])
    with pytest.raises(TypeError, match='atan2 is only defined for FloatTensor'):
        x.atan2(L([1, 1]))
    assert x.totable() == [1, 2]


@pytest.mark.parametrize('name', [n for n in sorted(pw._BINARY) if 'f' not in BINARY_REF[n]
                                  and n != 'atan2'])
def test_integer_only_ops_refuse_float_tensors(name):
    x = D([1.0, 2.0])
    with pytest.raises(TypeError, match=f'{name} is only defined for integer tensor types, '
                                        f'not torch.DoubleTensor'):
        getattr(x, name)(D([1.0, 1.0]) if name.startswith('c') else 1)
    assert x.totable() == [1.0, 2.0]


@pytest.mark.parametrize('name', ['div', 'cdiv', 'fmod', 'cfmod', 'mod', 'cmod', 'remainder',
                                  'cremainder'])
@pytest.mark.parametrize('cls', [torch.LongTensor, torch.IntTensor, torch.ByteTensor])
def test_integer_division_by_zero_raises(name, cls):
    x = cls([6, 7, 8])
    divisors = [0, cls([1, 0, 2])]
    for d in divisors:
        res = cls([9])
        for call in (lambda: getattr(x, name)(d), lambda: F[name](x, d),
                     lambda: F[name](res, x, d), lambda: getattr(res, name)(x, d)):
            with pytest.raises(ZeroDivisionError, match=f'{name}: integer division by zero'):
                call()
        assert x.totable() == [6, 7, 8] and res.totable() == [9]


def test_float_division_by_zero_gives_inf():
    with np.errstate(divide='ignore', invalid='ignore'):
        r = torch.div(D([1.0, -1.0, 0.0]), 0)
    assert r[0] == np.inf and r[1] == -np.inf and np.isnan(r[2])


def test_integer_division_truncates_toward_zero():
    x = L([7, -7, 7, -7, 1, -1])
    y = L([2, 2, -2, -2, 3, 3])
    assert torch.div(x, y).totable() == [3, -3, -3, 3, 0, 0]
    assert torch.cdiv(x, y).totable() == [3, -3, -3, 3, 0, 0]
    assert torch.div(x, 2).totable() == [3, -3, 3, -3, 0, 0]
    assert torch.fmod(x, y).totable() == [1, -1, 1, -1, 1, -1]
    assert torch.remainder(x, y).totable() == [1, 1, -1, -1, 1, 2]
    assert x.div(2) is x and x.totable() == [3, -3, 3, -3, 0, 0]


def test_integer_pow_with_negative_exponents_truncates():
    x = L([1, 2, -1, 4])
    assert torch.pow(x, -1).totable() == [1, 0, -1, 0]
    assert torch.cpow(x, L([-1, -1, -3, 2])).totable() == [1, 0, -1, 16]
    assert torch.pow(2, L([-1, 0, 3])).totable() == [0, 1, 8]


# -- clamp, lerp, pow ------------------------------------------------------------------------------
@FAST
@given(data=st.data())
def test_clamp(data):
    a = data.draw(arrays(np.float64, data.draw(shapes())))
    lo = data.draw(st.floats(-5, 0))
    hi = data.draw(st.floats(0, 5))
    check_forms('clamp', a, data.draw(layout_names()), (lo, hi),
                lambda v: np.minimum(np.maximum(v, lo), hi), D)


def test_clamp_integers_and_bad_bounds():
    x = L([-5, 0, 5])
    assert torch.clamp(x, -1, 2).totable() == [-1, 0, 2]
    with pytest.raises(ValueError, match=r'clamp: min \(3\) is larger than max \(1\)'):
        x.clamp(3, 1)
    assert x.totable() == [-5, 0, 5]


@FAST
@given(data=st.data())
def test_lerp(data):
    shape = data.draw(shapes())
    a = data.draw(arrays(np.float64, shape))
    blay = make_layout(data.draw(arrays(np.float64, shape)), data.draw(layout_names()))
    w = data.draw(st.floats(0, 1))
    check_forms('lerp', a, data.draw(layout_names()), (blay.tensor, w),
                lambda v: v + w * (blay.array - v), D)
    assert_tensor(blay.tensor, blay.array, D)


def test_lerp_refuses_integer_tensors():
    with pytest.raises(TypeError, match='lerp is only defined for FloatTensor'):
        L([1]).lerp(L([2]), 0.5)


@FAST
@given(data=st.data())
def test_pow_tensor_to_number(data):
    a = data.draw(arrays(np.float64, data.draw(shapes()), 0.1, 4))
    n = data.draw(st.sampled_from([2, 3, 0.5, -1, -2.5]))
    check_forms('pow', a, data.draw(layout_names()), (n,), lambda v: v ** n, D)


@FAST
@given(a=arrays(np.float64, shapes(), -3, 3), layout=layout_names(),
       base=st.sampled_from([2, 0.5, 3.0]))
def test_pow_number_to_tensor(a, layout, base):
    """torch.pow(n, x) = n^x; torch.pow(res, n, x) and res.pow(n, x) write it into res."""
    lay = make_layout(a, layout)
    x = lay.tensor
    expected = np.float64(base) ** lay.array
    r = torch.pow(base, x)
    assert r is not x
    assert_tensor(r, expected, D)
    res = D(5)
    assert torch.pow(res, base, x) is res
    assert_tensor(res, expected, D)
    res = D(2, 2)
    assert res.pow(base, x) is res
    assert_tensor(res, expected, D)
    assert_tensor(x, lay.array, D)


# -- add / csub ------------------------------------------------------------------------------------
@pytest.mark.parametrize('name,sign', [('add', 1), ('csub', -1)])
@FAST
@given(data=st.data())
def test_add_and_csub_forms(name, sign, data):
    shape = data.draw(shapes())
    a = data.draw(arrays(np.float64, shape))
    b = data.draw(arrays(np.float64, shape))
    v = data.draw(st.floats(-3, 3))
    f = F[name]
    xlay = make_layout(a, data.draw(layout_names(writable=True)))
    ylay = make_layout(b, data.draw(layout_names()))
    x, y, xa, ya = xlay.tensor, ylay.tensor, xlay.array, ylay.array

    def fresh_x():
        lay = make_layout(a, xlay.name)
        return lay.tensor, lay

    # new tensors: torch.f(x, v), torch.f(x, y), torch.f(x, v, y)
    assert_tensor(f(x, v), xa + sign * v, D)
    assert_tensor(f(x, y), xa + sign * ya, D)
    assert_tensor(f(x, v, y), xa + sign * v * ya, D)
    # into res: torch.f(res, x, y), torch.f(res, x, v, y), res.f(x, y), res.f(x, v, y)
    for call, expected in ((lambda r: f(r, x, y), xa + sign * ya),
                           (lambda r: f(r, x, v, y), xa + sign * v * ya),
                           (lambda r: getattr(r, name)(x, y), xa + sign * ya),
                           (lambda r: getattr(r, name)(x, v, y), xa + sign * v * ya)):
        res = D(3)
        assert call(res) is res
        assert_tensor(res, expected, D)
    assert_tensor(x, xa, D)
    assert_tensor(y, ya, D)
    # in place: x.f(v), x.f(y), x.f(v, y)
    for args, expected in (((v,), xa + sign * v), ((y,), xa + sign * ya),
                           ((v, y), xa + sign * v * ya)):
        x2, lay2 = fresh_x()
        st_before = x2.storage()
        assert getattr(x2, name)(*args) is x2
        assert_tensor(x2, expected, D)
        assert x2.storage() is st_before
        lay2.check_outside()
    assert_tensor(y, ya, D)


def test_add_on_integer_and_byte_tensors():
    b = torch.ByteTensor([3, 4])
    assert b.add(2) is b and b.totable() == [5, 6]
    assert b.csub(1) is b and b.totable() == [4, 5]
    assert torch.csub(b, 1).totable() == [3, 4]
    assert (b - 1).totable() == [3, 4]
    x = L([1, -1])
    assert x.add(2, L([1, 1])).totable() == [3, 1]


def test_add_value_must_be_a_number():
    x = D([1.0, 2.0])
    with pytest.raises(TypeError, match='value must be a number'):
        x.add('a', D([1.0, 1.0]))
    with pytest.raises(TypeError, match='expected a tensor or a number, got str'):
        x.add('a')
    assert x.totable() == [1.0, 2.0]


@pytest.mark.parametrize('name', ['add', 'csub'])
def test_add_argument_count(name):
    x = D([1.0])
    with pytest.raises(TypeError, match=f'{name} takes 1 to 3 arguments'):
        getattr(x, name)(x, 1, x, x)
    with pytest.raises(TypeError, match=f'torch.{name} takes 2 to 4 arguments'):
        F[name](x)


# -- addcmul / addcdiv -----------------------------------------------------------------------------
@pytest.mark.parametrize('name,combine', [('addcmul', np.multiply), ('addcdiv', np.divide)])
@FAST
@given(data=st.data())
def test_addcmul_addcdiv_forms(name, combine, data):
    shape = data.draw(shapes())
    a = data.draw(arrays(np.float64, shape))
    l1 = make_layout(data.draw(arrays(np.float64, shape)), data.draw(layout_names()))
    l2 = make_layout(data.draw(nonzero_arrays(np.float64, shape)), data.draw(layout_names()))
    v = data.draw(st.floats(-3, 3))
    t1, t2 = l1.tensor, l2.tensor
    xname = data.draw(layout_names(writable=True))
    xlay = make_layout(a, xname)
    x, xa = xlay.tensor, xlay.array
    prod = combine(l1.array, l2.array)
    f = F[name]
    assert_tensor(f(x, t1, t2), xa + prod, D)
    assert_tensor(f(x, v, t1, t2), xa + v * prod, D)
    for call, expected in ((lambda r: f(r, x, t1, t2), xa + prod),
                           (lambda r: f(r, x, v, t1, t2), xa + v * prod),
                           (lambda r: getattr(r, name)(x, t1, t2), xa + prod),
                           (lambda r: getattr(r, name)(x, v, t1, t2), xa + v * prod)):
        res = D(1)
        assert call(res) is res
        assert_tensor(res, expected, D)
    assert_tensor(x, xa, D)
    for args, expected in (((t1, t2), xa + prod), ((v, t1, t2), xa + v * prod)):
        lay = make_layout(a, xname)
        assert getattr(lay.tensor, name)(*args) is lay.tensor
        assert_tensor(lay.tensor, expected, D)
        lay.check_outside()
    assert_tensor(t1, l1.array, D)
    assert_tensor(t2, l2.array, D)


def test_addcdiv_integer_division_by_zero():
    x = L([1, 2])
    with pytest.raises(ZeroDivisionError, match='addcdiv: integer division by zero'):
        x.addcdiv(L([1, 1]), L([0, 1]))
    assert x.totable() == [1, 2]


def test_addc_bad_arguments():
    x = D([1.0])
    with pytest.raises(TypeError, match=r'addcmul expects \(\[res,\] x, \[value,\] tensor1'):
        torch.addcmul(x, x)


# -- comparisons -----------------------------------------------------------------------------------
@pytest.mark.parametrize('name', sorted(cmp._COMPARE))
@FAST
@given(data=st.data())
def test_compare(name, data):
    ref = COMPARE_REF[name]
    shape = data.draw(shapes())
    # small integers stored as doubles, so that equal values happen
    a = data.draw(arrays(np.int8, shape, -2, 2)).astype(np.float64)
    b = data.draw(arrays(np.int8, shape, -2, 2)).astype(np.float64)
    v = data.draw(st.integers(-2, 2))
    xlay = make_layout(a, data.draw(layout_names()))
    ylay = make_layout(b, data.draw(layout_names()))
    x, y = xlay.tensor, ylay.tensor
    for other, oa in ((y, ylay.array), (v, v)):
        expected = ref(xlay.array, oa).astype(np.uint8)
        r = getattr(x, name)(other)           # method form computes a NEW ByteTensor
        assert r is not x
        assert_tensor(r, expected, torch.ByteTensor)
        assert_tensor(F[name](x, other), expected, torch.ByteTensor)
        res = torch.ByteTensor(5)
        assert F[name](res, x, other) is res
        assert_tensor(res, expected, torch.ByteTensor)
        for res_cls in (D, L, torch.FloatTensor):   # res of another type stores 0/1
            res = res_cls(2)
            assert getattr(res, name)(x, other) is res
            assert_tensor(res, expected, res_cls)
        assert_tensor(x, xlay.array, D)
        assert_tensor(y, ylay.array, D)


@pytest.mark.parametrize('cls', [torch.ByteTensor, torch.IntTensor, torch.LongTensor,
                                 torch.FloatTensor])
def test_compare_gives_byte_tensor_for_every_type(cls):
    x = cls([1, 2, 3])
    assert_tensor(x.gt(1), [0, 1, 1], torch.ByteTensor)
    assert_tensor(torch.eq(x, cls([1, 0, 3])), [1, 0, 1], torch.ByteTensor)


def test_compare_errors():
    x = D(2, 3)
    with pytest.raises(ValueError, match=r'gt: inconsistent tensor sizes 2 x 3 and 3 x 2.*'
                                         r'6 elements: use view\(\)'):
        x.gt(D(3, 2))
    with pytest.raises(TypeError, match='expected a tensor or a number, got str'):
        x.lt('a')
    with pytest.raises(TypeError, match='lt takes 1 or 2 arguments'):
        x.lt(1, 2, 3)


# -- broadcasting and size errors ------------------------------------------------------------------
def test_broadcasting_new_tensors():
    a = np.arange(3.0).reshape(3, 1)
    b = np.arange(4.0)
    for la in ('contiguous', 'narrowed', 'offset'):
        x = make_layout(a, la).tensor
        y = make_layout(b, 'transposed').tensor
        assert_tensor(torch.add(x, y), a + b, D)
        assert_tensor(torch.cmul(x, y), a * b, D)
        assert_tensor(x.gt(y), (a > b).astype(np.uint8), torch.ByteTensor)


def test_in_place_cannot_grow():
    x = D([[1.0], [2.0]])
    with pytest.raises(ValueError, match='2 x 1 and 3'):
        x.add(D([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match='2 x 1 and 3'):
        x.cmul(D([1.0, 2.0, 3.0]))
    assert x.totable() == [[1.0], [2.0]]


@pytest.mark.parametrize('call', [
    lambda x, y: x.add(y), lambda x, y: torch.add(x, y), lambda x, y: x.cmul(y),
    lambda x, y: torch.cdiv(x, y), lambda x, y: x.cmax(y), lambda x, y: x.add(2, y),
    lambda x, y: torch.add(D(1), x, y), lambda x, y: x.addcmul(y, y), lambda x, y: x.lerp(y, .5),
    lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x.eq(y), lambda x, y: x.csub(y)])
def test_same_element_count_different_shape_suggests_view(call):
    x = D([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y = D([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with pytest.raises(ValueError, match=r'2 x 3 and 3 x 2.*both have 6 elements: use view\(\)'):
        call(x, y)
    assert x.totable() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert y.totable() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


def test_incompatible_sizes_name_both():
    x = D(2, 3)
    res = D([5.0])
    with pytest.raises(ValueError, match=r'mul: inconsistent tensor sizes 2 x 3 and 4'):
        torch.mul(res, x, D(4))
    assert res.totable() == [5.0]


def test_bad_arguments():
    x = D([1.0, 2.0])
    with pytest.raises(TypeError, match='exp: expected a tensor, got list'):
        torch.exp([1.0])
    with pytest.raises(TypeError, match='exp takes 0 or 1 arguments'):
        x.exp(x, x)
    with pytest.raises(TypeError, match='torch.cmul takes 2 or 3 arguments'):
        torch.cmul(x)
    with pytest.raises(TypeError, match='expected a tensor or a number, got str'):
        x.cmul('a')
    with pytest.raises(TypeError, match='result argument must be a tensor'):
        torch.exp([1.0], x)
    assert x.totable() == [1.0, 2.0]


@pytest.mark.parametrize('name', sorted(F))
def test_function_forms_are_exported(name):
    assert getattr(torch, name, None) is F[name]
    assert callable(getattr(torch.DoubleTensor, name))


def test_in_place_with_overlapping_operands():
    """Operands that alias the destination are read before they are overwritten."""
    a = np.arange(9.0).reshape(3, 3)
    for call, expected in ((lambda x: x.add(x.t()), a + a.T), (lambda x: x.cmul(x.t()), a * a.T),
                           (lambda x: x.lerp(x.t(), 0.5), a + 0.5 * (a.T - a)),
                           (lambda x: torch.add(x.t(), x, x.t()), a + a.T),
                           (lambda x: x.csub(x), np.zeros((3, 3)))):
        x = D(a)
        call(x)
        assert_tensor(x, expected, D)
    x = D(np.arange(5.0))
    x.narrow(0, 1, 4).add(x.narrow(0, 0, 4))
    assert x.totable() == [0, 1, 3, 5, 7]
