"""Tensor types (reference §1.1): the seven classes, the default type, conversions, and the
dtype rules of element-wise math: the result has the type of the left (or only) tensor,
integer division truncates toward zero and refuses zero divisors, float-only functions refuse
integer tensors, comparisons give ByteTensors."""
import numpy as np
import pytest

import torchlike as torch
from torchlike import comparisons as cmp
from torchlike import pointwise as pw
from torchlike import types
from torchlike_testing import CLASSES, FLOAT_CLASSES, INT_CLASSES, assert_tensor, make_layout

D, F, L = torch.DoubleTensor, torch.FloatTensor, torch.LongTensor
NAMES = ['Byte', 'Char', 'Short', 'Int', 'Long', 'Float', 'Double']
DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.int64, np.float32, np.float64]


@pytest.mark.parametrize('short,dtype', zip(NAMES, DTYPES))
def test_type_table(short, dtype):
    cls = getattr(torch, f'{short}Tensor')
    name = f'torch.{short}Tensor'
    assert cls._typename == name and cls._dtype == np.dtype(dtype)
    assert types.tensor_class(name) is cls
    assert types.class_for_dtype(dtype) is cls
    assert types.storage_class_by_dtype[np.dtype(dtype)] is getattr(torch, f'{short}Storage')
    x = cls(2)
    assert isinstance(x, torch.Tensor)
    assert x.type() == name and x.numpy().dtype == dtype
    assert x.elementSize() == np.dtype(dtype).itemsize
    assert type(x.storage()) is getattr(torch, f'{short}Storage')


def test_unknown_type_names():
    for bad in ('torch.HalfTensor', 'DoubleTensor', 'torch.Foo', None, 3):
        with pytest.raises(TypeError, match=r'unknown tensor type .*; known types: '
                                            r'torch.ByteTensor, torch.CharTensor'):
            types.tensor_class(bad)
    x = D([1.5])
    with pytest.raises(TypeError, match=r"unknown tensor type 'torch.Foo'"):
        x.type('torch.Foo')
    assert x.totable() == [1.5] and x.type() == 'torch.DoubleTensor'
    with pytest.raises(TypeError, match=r'numpy dtype complex64 has no torchlike tensor type '
                                        r'\(supported: uint8, int8'):
        types.class_for_dtype(np.complex64)


def test_default_tensor_type():
    assert torch.getdefaulttensortype() == 'torch.DoubleTensor'
    assert type(torch.Tensor(2)) is D and type(torch.Tensor([1])) is D
    torch.setdefaulttensortype('torch.FloatTensor')
    assert torch.getdefaulttensortype() == 'torch.FloatTensor'
    assert type(torch.Tensor(2)) is F
    assert type(torch.Storage(2)) is torch.FloatStorage
    for x in (F(1), D(1), L(1)):
        assert isinstance(x, torch.Tensor)
    torch.setdefaulttensortype('torch.DoubleTensor')
    assert type(torch.Tensor(2)) is D


def test_default_type_must_be_floating_point():
    for bad, match in (('torch.IntTensor', 'only floating point types can be the default'),
                       ('torch.Nope', 'unknown tensor type')):
        with pytest.raises(TypeError, match=match):
            torch.setdefaulttensortype(bad)
        assert torch.getdefaulttensortype() == 'torch.DoubleTensor'


# -- conversions ----------------------------------------------------------------------------------
@pytest.mark.parametrize('src', CLASSES)
@pytest.mark.parametrize('dst', CLASSES)
def test_conversions(src, dst):
    lay = make_layout(np.array([[1, 2], [3, 4]]), 'transposed', src)
    x = lay.tensor
    y = x.type(dst._typename)
    method = {D: 'double', F: 'float', L: 'long', torch.IntTensor: 'int',
              torch.ShortTensor: 'short', torch.CharTensor: 'char', torch.ByteTensor: 'byte'}[dst]
    z = getattr(x, method)()
    w = x.typeAs(dst(1))
    v = x.type(dst)
    for r in (y, z, w, v):
        assert type(r) is dst
        assert_tensor(r, [[1, 2], [3, 4]], dst)
        if src is dst:
            assert r is x                       # already of that type: the same object
        else:
            assert r.storage() is not x.storage()
            assert r.isContiguous()
    assert_tensor(x, [[1, 2], [3, 4]], src)


def test_float_to_integer_conversion_truncates_toward_zero():
    x = D([1.7, -1.7, 0.5, -0.5, 2.0])
    assert x.long().totable() == [1, -1, 0, 0, 2]
    assert x.int().totable() == [1, -1, 0, 0, 2]
    assert L(3).copy(x.narrow(0, 0, 3)).totable() == [1, -1, 0]


# -- dtype rules of element-wise math --------------------------------------------------------
def test_result_type_is_the_left_tensors():
    f, d, lg = F([1.5, -2.5]), D([1.0, 1.0]), L([3, -3])
    assert type(torch.add(f, d)) is F
    assert type(torch.add(d, f)) is D
    assert type(torch.cmul(lg, d)) is L
    assert_tensor(torch.add(lg, D([0.7, -0.7])), [3, -3], L)      # 3.7 -> 3, -3.7 -> -3
    assert_tensor(torch.cmul(lg, D([0.5, 0.5])), [1, -1], L)      # 1.5 -> 1, -1.5 -> -1
    x = L([3, -3])
    assert x.add(D([0.7, -0.7])) is x and x.totable() == [3, -3]
    res = F(1)
    assert torch.add(res, lg, lg) is res and type(res) is F and res.totable() == [6, -6]


@pytest.mark.parametrize('cls', INT_CLASSES)
def test_integer_division_truncates_toward_zero(cls):
    signed = cls is not torch.ByteTensor
    a = [7, -7, 9, -9] if signed else [7, 9, 200, 5]
    b = [2, 2, -4, -4] if signed else [2, 4, 3, 7]
    x, y = cls(a), cls(b)
    expected = [int(p / q) for p, q in zip(a, b)]
    assert_tensor(torch.div(x, y), expected, cls)
    assert_tensor(torch.cdiv(x, y), expected, cls)
    assert_tensor(x / y, expected, cls)
    assert x.cdiv(y) is x
    assert_tensor(x, expected, cls)


@pytest.mark.parametrize('cls', INT_CLASSES)
@pytest.mark.parametrize('call', [lambda x: x.div(0), lambda x: torch.cdiv(x, x.new([1, 0])),
                                  lambda x: x / 0, lambda x: x.fmod(0), lambda x: x % 0,
                                  lambda x: x.remainder(x.new([0, 1])), lambda x: x.cmod(x)])
def test_integer_division_by_zero(cls, call):
    x = cls([4, 0])
    with pytest.raises(ZeroDivisionError, match='integer division by zero'):
        call(x)
    assert x.totable() == [4, 0]


@pytest.mark.parametrize('cls', FLOAT_CLASSES)
def test_float_division(cls):
    assert_tensor(cls([7, -7]) / 2, [3.5, -3.5], cls)
    assert_tensor(torch.div(cls([1]), 4), [0.25], cls)


FLOAT_ONLY = sorted(pw._UNARY_FLOAT) + ['lerp', 'atan2']


@pytest.mark.parametrize('name', FLOAT_ONLY)
@pytest.mark.parametrize('cls', INT_CLASSES)
def test_float_only_functions_refuse_integer_tensors(name, cls):
    x = cls([1, 2])
    extra = {'lerp': (cls([1, 1]), 0.5), 'atan2': (cls([1, 1]),)}.get(name, ())
    with pytest.raises(TypeError, match=f'{name} is only defined for FloatTensor and '
                                        f'DoubleTensor, not {cls._typename}'):
        getattr(x, name)(*extra)
    with pytest.raises(TypeError, match=f'not {cls._typename}'):
        pw.FUNCTIONS[name](x, *extra)
    assert x.totable() == [1, 2]


@pytest.mark.parametrize('cls', CLASSES)
def test_comparisons_give_byte_tensors(cls):
    x = cls([1, 2, 3])
    for name in cmp._COMPARE:
        assert type(getattr(x, name)(2)) is torch.ByteTensor
        assert type(cmp.FUNCTIONS[name](x, x)) is torch.ByteTensor
    assert type(x > 1) is torch.ByteTensor and type(x == x) is torch.ByteTensor
    assert type(x) is cls and x.totable() == [1, 2, 3]


@pytest.mark.parametrize('res_cls', CLASSES)
def test_comparison_into_another_type_stores_zero_and_one(res_cls):
    x = D([1.0, 5.0, 3.0])
    res = res_cls(7)
    assert res.gt(x, 2.5) is res
    assert type(res) is res_cls
    assert_tensor(res, [0, 1, 1], res_cls)
    assert torch.le(res, x, D([1.0, 1.0, 9.0])) is res
    assert_tensor(res, [1, 0, 1], res_cls)


def test_abs_sign_neg_keep_integer_types():
    for cls in (torch.CharTensor, torch.ShortTensor, torch.IntTensor, L):
        x = cls([-3, 0, 2])
        assert_tensor(torch.abs(x), [3, 0, 2], cls)
        assert_tensor(torch.sign(x), [-1, 0, 1], cls)
        assert_tensor(torch.neg(x), [3, 0, -2], cls)


def test_byte_tensor_arithmetic_wraps_like_uint8():
    b = torch.ByteTensor([250, 3])
    assert_tensor(b + 10, [4, 13], torch.ByteTensor)
    assert_tensor(torch.neg(torch.ByteTensor([1])), [255], torch.ByteTensor)
