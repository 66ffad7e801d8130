"""Python operators (DESIGN §2): `+ - * / % **` and the bitwise ones return new tensors of the
left tensor's type (the tensor's type for reflected forms), broadcast as numpy does, and follow
Python's conventions (`%` takes the sign of the divisor); `+=` etc. work in place and keep the
same object; comparisons give ByteTensors. `@` belongs to BLAS and is tested there."""
import operator

import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike_testing import (FAST, WRITABLE, arrays, assert_tensor, layout_names, make_layout,
                               nonzero_arrays, shapes)

D, F, L = torch.DoubleTensor, torch.FloatTensor, torch.LongTensor

ARITH = {'+': operator.add, '-': operator.sub, '*': operator.mul, '/': operator.truediv,
         '%': operator.mod, '**': operator.pow}
INPLACE = {'+': operator.iadd, '-': operator.isub, '*': operator.imul, '/': operator.itruediv,
           '%': operator.imod, '**': operator.ipow}
COMPARE = {'<': operator.lt, '<=': operator.le, '>': operator.gt, '>=': operator.ge,
           '==': operator.eq, '!=': operator.ne}


def _operands(data, op):
    """(x values, y values) suited to `op` (positive bases for **, non-zero divisors)."""
    shape = data.draw(shapes())
    if op == '**':
        return (data.draw(arrays(np.float64, shape, 0.1, 4)),
                data.draw(arrays(np.float64, shape, -2, 2)))
    y = data.draw(nonzero_arrays(np.float64, shape) if op in '/%' else
                  arrays(np.float64, shape))
    return data.draw(arrays(np.float64, shape)), y


@pytest.mark.parametrize('op', sorted(ARITH))
@FAST
@given(data=st.data())
def test_arithmetic_tensor_tensor(op, data):
    a, b = _operands(data, op)
    xl = make_layout(a, data.draw(layout_names()))
    yl = make_layout(b, data.draw(layout_names()))
    r = ARITH[op](xl.tensor, yl.tensor)
    assert r is not xl.tensor and r is not yl.tensor
    assert_tensor(r, ARITH[op](xl.array, yl.array), D)
    assert r.isContiguous()
    assert_tensor(xl.tensor, xl.array, D)
    assert_tensor(yl.tensor, yl.array, D)


@pytest.mark.parametrize('op', sorted(ARITH))
@FAST
@given(data=st.data(), v=st.sampled_from([2, -3, 0.5, -1.25]))
def test_arithmetic_with_numbers_both_sides(op, data, v):
    a, _ = _operands(data, op)
    if op in '/%' or op == '**':
        a = np.where(np.abs(a) < 0.1, 0.5, np.abs(a) if op == '**' else a)
    xl = make_layout(a, data.draw(layout_names()))
    x = xl.tensor
    assert_tensor(ARITH[op](x, v), ARITH[op](xl.array, np.float64(v)), D)
    assert_tensor(ARITH[op](v, x), ARITH[op](np.float64(v), xl.array), D)
    assert_tensor(x, xl.array, D)


@pytest.mark.parametrize('op', sorted(INPLACE))
@FAST
@given(data=st.data())
def test_in_place_operators_keep_the_object(op, data):
    a, b = _operands(data, op)
    xl = make_layout(a, data.draw(st.sampled_from(WRITABLE)))
    yl = make_layout(b, data.draw(layout_names()))
    x = before = xl.tensor
    st_before, stride = x.storage(), x.stride()
    x = INPLACE[op](x, yl.tensor)
    assert x is before
    assert x.storage() is st_before and x.stride() == stride
    assert_tensor(x, ARITH[op](xl.array, yl.array), D)
    xl.check_outside()
    x = INPLACE[op](x, 2)
    assert x is before


def test_in_place_operator_through_a_view_changes_the_base():
    x = D([[1.0, 2.0], [3.0, 4.0]])
    row = x.select(0, 1)
    row += 10
    assert x.totable() == [[1.0, 2.0], [13.0, 14.0]]
    col = x.select(1, 0)
    col *= -1
    assert x.totable() == [[-1.0, 2.0], [-13.0, 14.0]]


def test_in_place_operator_cannot_grow():
    x = D([[1.0], [2.0]])
    with pytest.raises(ValueError, match='2 x 1 and 3'):
        x += D([1.0, 2.0, 3.0])
    assert x.totable() == [[1.0], [2.0]]


def test_unary_operators():
    x = D([[1.0, -2.0], [3.0, -4.0]]).t()
    for r, expected in ((-x, [[-1.0, -3.0], [2.0, 4.0]]), (+x, [[1.0, 3.0], [-2.0, -4.0]]),
                        (abs(x), [[1.0, 3.0], [2.0, 4.0]])):
        assert r is not x
        assert r.type() == 'torch.DoubleTensor'
        assert r.totable() == expected
        assert r.storage() is not x.storage()
    assert x.totable() == [[1.0, 3.0], [-2.0, -4.0]]
    b = torch.IntTensor([1, -2])
    assert (-b).type() == 'torch.IntTensor' and (-b).totable() == [-1, 2]


def test_result_type_is_the_left_tensors():
    f = F([1.5, 2.5])
    d = D([1.0, 1.0])
    lg = L([1, -1])
    assert (f + d).type() == 'torch.FloatTensor'
    assert (d + f).type() == 'torch.DoubleTensor'
    assert_tensor(lg + D([0.7, -0.7]), [1, -1], L)       # computed in double, truncated
    assert_tensor(2.5 * lg, [2, -2], L)                  # reflected: the tensor's type
    assert_tensor(lg * 2.5, [2, -2], L)
    assert_tensor(0.5 + lg, [1, 0], L)
    assert_tensor(lg ** -1, [1, -1], L)
    assert_tensor(2 ** L([0, 3, -1]), [1, 8, 0], L)
    assert_tensor(f - lg, [0.5, 3.5], F)


def test_integer_division_and_modulo():
    x = L([7, -7, 7, -7])
    y = L([2, 2, -2, -2])
    assert (x / y).totable() == [3, -3, -3, 3]             # truncation toward zero
    assert (x / 2).totable() == [3, -3, 3, -3]
    assert (7 / L([2, -2])).totable() == [3, -3]
    assert (x % y).totable() == [1, 1, -1, -1]             # Python: sign of the divisor
    assert (x % 3).totable() == [1, 2, 1, 2]
    assert (7 % L([3, -3])).totable() == [1, -2]
    x2 = L([7, -7])
    x2 /= 2
    assert x2.totable() == [3, -3]
    x2 %= 2
    assert x2.totable() == [1, 1]


def test_float_modulo_follows_python():
    x = D([7.5, -7.5])
    assert (x % 2).totable() == [7.5 % 2, -7.5 % 2]
    assert (x % -2).totable() == [7.5 % -2, -7.5 % -2]


@pytest.mark.parametrize('call', [lambda x: x / 0, lambda x: x / L([1, 0]), lambda x: 5 / x,
                                  lambda x: x % 0, lambda x: 5 % x, lambda x: x.__itruediv__(0),
                                  lambda x: x.__imod__(0)])
def test_integer_division_by_zero_raises(call):
    x = L([0, 3])
    with pytest.raises(ZeroDivisionError, match='integer division by zero'):
        call(x)
    assert x.totable() == [0, 3]


def test_float_division_by_zero_is_inf():
    with np.errstate(divide='ignore'):
        assert (D([1.0, -1.0]) / 0).totable() == [np.inf, -np.inf]


def test_bitwise_operators():
    x = L([12, 10])
    y = L([10, 6])
    assert (x & y).totable() == [8, 2]
    assert (x | y).totable() == [14, 14]
    assert (x ^ y).totable() == [6, 12]
    assert (x & 8).totable() == [8, 8]
    assert x.totable() == [12, 10]


@pytest.mark.parametrize('op', sorted(COMPARE))
@FAST
@given(data=st.data())
def test_comparison_operators(op, data):
    shape = data.draw(shapes())
    a = data.draw(arrays(np.int8, shape, -2, 2)).astype(np.float64)
    b = data.draw(arrays(np.int8, shape, -2, 2)).astype(np.float64)
    xl = make_layout(a, data.draw(layout_names()))
    yl = make_layout(b, data.draw(layout_names()))
    f = COMPARE[op]
    assert_tensor(f(xl.tensor, yl.tensor), f(xl.array, yl.array).astype(np.uint8),
                  torch.ByteTensor)
    assert_tensor(f(xl.tensor, 1), f(xl.array, 1).astype(np.uint8), torch.ByteTensor)
    assert_tensor(xl.tensor, xl.array, D)


def test_reflected_comparison():
    x = D([1.0, 2.0, 3.0])
    assert (2 < x).totable() == [0, 0, 1]
    assert (2 == x).totable() == [0, 1, 0]


def test_equality_with_other_objects_falls_back_to_identity():
    x = D([1.0])
    assert (x == None) is False  # noqa: E711
    assert (x != 'a') is True


def test_operators_broadcast():
    x = D([[1.0], [2.0]])
    y = D([10.0, 20.0, 30.0])
    assert_tensor(x + y, np.array([[1.0], [2.0]]) + np.array([10.0, 20.0, 30.0]), D)
    assert_tensor(y * x, np.array([10.0, 20.0, 30.0]) * np.array([[1.0], [2.0]]), D)


@pytest.mark.parametrize('op', ['+', '-', '*', '/', '%', '**'])
def test_operator_size_errors_suggest_view(op):
    x = D(2, 3).fill(1)
    y = D(3, 2).fill(1)
    with pytest.raises(ValueError, match=r'2 x 3 and 3 x 2.*6 elements: use view\(\)'):
        ARITH[op](x, y)
    with pytest.raises(ValueError, match=r'2 x 3 and 4'):
        ARITH[op](x, D(4).fill(1))


def test_operator_type_errors():
    x = D([1.0])
    with pytest.raises(TypeError):
        x + 'a'
    with pytest.raises(TypeError):
        'a' * x
    with pytest.raises(TypeError):
        x += 'a'
    with pytest.raises(TypeError):
        x & 1
    assert x.totable() == [1.0]


def test_truth_value():
    assert bool(D([2.0])) and not bool(D([0.0]))
    with pytest.raises(ValueError, match='ambiguous'):
        bool(D([1.0, 2.0]))
