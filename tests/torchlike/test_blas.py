"""BLAS-like operations against numpy, in every memory layout, with every calling form.

Semantics under test (docs/tensor.md "BLAS", DESIGN §2): `torch.mm(A, B)` new, `torch.mm(res, A,
B)` / `res.mm(A, B)` into res; `M.addmm([v1,] [v2,] A, B)` in place and `torch.addmm([res,] [v1,]
M, [v2,] A, B)`, with a number just before M scaling M and one just before A scaling the product;
v1 = 0 ignores M (even NaN); `@` on 1-D/2-D/3-D; operands of one type; size errors name the sizes
and are raised before anything is written.
"""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike_testing import FAST, LAYOUTS, WRITABLE, arrays, assert_tensor, make_layout

NAN = float('nan')


def snapshot(t):
    return np.array(t.numpy(), copy=True)


def T(a, cls=torch.DoubleTensor):
    return cls(np.asarray(a, dtype=cls._dtype))


def lay_of(data, shape, writable=False, dtype=np.float64):
    a = data.draw(arrays(dtype, shape, -5, 5))
    return make_layout(a, data.draw(st.sampled_from(WRITABLE if writable else LAYOUTS)))


sizes = st.integers(1, 5)


# -- mm / mv / bmm / ger / dot -------------------------------------------------------------------
@given(st.data(), sizes, sizes, sizes)
@FAST
def test_mm_all_forms(data, n, m, p):
    A, B = lay_of(data, (n, m)), lay_of(data, (m, p))
    expected = A.array @ B.array
    before = snapshot(A.tensor), snapshot(B.tensor)
    r = torch.mm(A.tensor, B.tensor)
    assert_tensor(r, expected, torch.DoubleTensor)
    res = torch.DoubleTensor(7)
    assert torch.mm(res, A.tensor, B.tensor) is res
    assert_tensor(res, expected)
    dest = lay_of(data, (n, p), writable=True)     # a result of the right size, any layout
    assert dest.tensor.mm(A.tensor, B.tensor) is dest.tensor
    assert_tensor(dest.tensor, expected)
    dest.check_outside()
    assert_tensor(A.tensor @ B.tensor, expected)
    np.testing.assert_array_equal(A.tensor.numpy(), before[0])
    np.testing.assert_array_equal(B.tensor.numpy(), before[1])


@given(st.data(), sizes, sizes)
@FAST
def test_mv_all_forms(data, n, m):
    A, v = lay_of(data, (n, m)), lay_of(data, (m,))
    expected = A.array @ v.array
    assert_tensor(torch.mv(A.tensor, v.tensor), expected, torch.DoubleTensor)
    res = torch.DoubleTensor(2, 2)
    assert torch.mv(res, A.tensor, v.tensor) is res
    assert_tensor(res, expected)
    res2 = torch.DoubleTensor()
    assert res2.mv(A.tensor, v.tensor) is res2
    assert_tensor(res2, expected)
    assert_tensor(A.tensor @ v.tensor, expected)


@given(st.data(), st.integers(1, 3), sizes, sizes, sizes)
@FAST
def test_bmm_all_forms(data, b, n, m, p):
    A, B = lay_of(data, (b, n, m)), lay_of(data, (b, m, p))
    expected = np.matmul(A.array, B.array)
    assert_tensor(torch.bmm(A.tensor, B.tensor), expected, torch.DoubleTensor)
    res = torch.DoubleTensor(1)
    assert torch.bmm(res, A.tensor, B.tensor) is res
    assert_tensor(res, expected)
    res2 = torch.DoubleTensor(b, n, p)
    assert res2.bmm(A.tensor, B.tensor) is res2
    assert_tensor(res2, expected)
    assert_tensor(A.tensor @ B.tensor, expected)


@given(st.data(), sizes, sizes)
@FAST
def test_ger_and_dot(data, n, m):
    x, y = lay_of(data, (n,)), lay_of(data, (m,))
    expected = np.multiply.outer(x.array, y.array)
    assert_tensor(torch.ger(x.tensor, y.tensor), expected, torch.DoubleTensor)
    res = torch.DoubleTensor(3)
    assert torch.ger(res, x.tensor, y.tensor) is res
    assert_tensor(res, expected)
    res2 = torch.DoubleTensor()
    assert res2.ger(x.tensor, y.tensor) is res2
    assert_tensor(res2, expected)
    z = lay_of(data, (n,))
    d = float(np.dot(x.array, z.array))
    for v in (x.tensor.dot(z.tensor), torch.dot(x.tensor, z.tensor), x.tensor @ z.tensor):
        assert type(v) is float
        assert math.isclose(v, d, rel_tol=1e-12, abs_tol=1e-12)


def test_dot_takes_any_shapes_with_the_same_count():
    x = T(np.arange(6.).reshape(2, 3))
    assert x.dot(T(np.ones(6))) == 15.0
    assert x.dot(T(np.ones((3, 2)))) == 15.0


def test_integer_dot_does_not_overflow_the_element_type():
    x = torch.ByteTensor([200, 100, 255])
    assert x.dot(x) == 200 * 200 + 100 * 100 + 255 * 255
    assert type(torch.LongTensor([1, 2]).dot(torch.LongTensor([3, 4]))) is int


def test_float32_products():
    a = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    b = np.arange(12, dtype=np.float32).reshape(3, 4) / 3
    r = torch.mm(T(a, torch.FloatTensor), T(b, torch.FloatTensor))
    assert_tensor(r, a.astype(np.float64) @ b, torch.FloatTensor, rtol=1e-5)


def test_result_may_alias_an_operand():
    a = np.array([[1., 2], [3, 4]])
    x = T(a)
    assert x.mm(x, x) is x
    assert_tensor(x, a @ a)
    y = T(a)
    y.addmm(y, y)
    assert_tensor(y, a + a @ a)


# -- addmm and its positional scalars ----------------------------------------------------------
@given(st.data(), sizes, sizes, sizes)
@FAST
def test_addmm_all_forms(data, n, m, p):
    Ml = lay_of(data, (n, p), writable=True)
    A, B = lay_of(data, (n, m)), lay_of(data, (m, p))
    M0, a, b = Ml.array, A.array, B.array
    At, Bt = A.tensor, B.tensor
    prod = a @ b

    # function forms: new tensors, M untouched
    Mt = Ml.tensor
    before = snapshot(Mt)
    cases = [((Mt, At, Bt), M0 + prod), ((2.0, Mt, At, Bt), 2 * M0 + prod),
             ((Mt, 3.0, At, Bt), M0 + 3 * prod), ((2.0, Mt, 3.0, At, Bt), 2 * M0 + 3 * prod),
             ((0, Mt, 1, At, Bt), prod)]
    for args, expected in cases:
        assert_tensor(torch.addmm(*args), expected, torch.DoubleTensor)
        res = torch.DoubleTensor(1)
        assert torch.addmm(res, *args) is res
        assert_tensor(res, expected)
    np.testing.assert_array_equal(Mt.numpy(), before)

    # method forms on M: in place; one number scales the product, two are v1, v2
    for args, expected in [((At, Bt), M0 + prod), ((3.0, At, Bt), M0 + 3 * prod),
                           ((2.0, 3.0, At, Bt), 2 * M0 + 3 * prod), ((0, 1, At, Bt), prod),
                           ((0, 0.5, At, Bt), 0.5 * prod)]:
        Ml2 = make_layout(M0, Ml.name)
        assert Ml2.tensor.addmm(*args) is Ml2.tensor
        assert_tensor(Ml2.tensor, expected)
        Ml2.check_outside()

    # res.addmm(v1, M, v2, A, B) writes v1*M + v2*A.B into res, M untouched
    res = torch.DoubleTensor(n, p)
    assert res.addmm(2.0, Mt, 0.5, At, Bt) is res
    assert_tensor(res, 2 * M0 + 0.5 * prod)
    np.testing.assert_array_equal(Mt.numpy(), before)


def test_addmm_v1_zero_ignores_nan_in_M():
    a = np.array([[1., 2], [3, 4]])
    A = T(a)
    M = T([[NAN, 1], [1, NAN]])
    assert_tensor(torch.addmm(0, M, A, A), a @ a)
    assert_tensor(torch.addmm(0, M, 2, A, A), 2 * (a @ a))
    M.addmm(0, 1, A, A)
    assert_tensor(M, a @ a)
    M2 = T([[NAN, 1], [1, NAN]]).t()                # a non-contiguous destination
    M2.addmm(0, 2, A, A)
    assert_tensor(M2, 2 * (a @ a))
    # v1 = 1 keeps the NaN (it is data)
    M3 = T([[NAN, 0], [0, 0]])
    M3.addmm(A, A)
    assert math.isnan(M3[0, 0])


def test_addmm_result_form_broadcasts_a_bias_row():
    a = np.arange(6.).reshape(2, 3)
    b = np.arange(12.).reshape(3, 4)
    bias = np.array([1., 2, 3, 4])
    assert_tensor(torch.addmm(T(bias), T(a), T(b)), bias + a @ b)
    assert_tensor(torch.addmm(T(bias).view(1, 4), T(a), T(b)), bias + a @ b)
    M = T(bias)
    with pytest.raises(ValueError, match='size mismatch'):
        M.addmm(T(a), T(b))                         # in place cannot grow M
    assert_tensor(M, bias)


def test_addmm_with_integer_M_and_fractional_scalar_keeps_the_type():
    M = torch.LongTensor([[1, 2], [3, 4]])
    I2 = torch.LongTensor([[1, 0], [0, 1]])
    r = torch.addmm(0.5, M, I2, I2)
    assert_tensor(r, [[1, 1], [1, 3]], torch.LongTensor)   # 0.5*M + I, truncated


# -- addmv / addr / addbmm / baddbmm -------------------------------------------------------------
@given(st.data(), sizes, sizes)
@FAST
def test_addmv_forms(data, n, m):
    vl = lay_of(data, (n,), writable=True)
    A, x = lay_of(data, (n, m)), lay_of(data, (m,))
    v0, prod = vl.array, A.array @ x.array
    before = snapshot(vl.tensor)
    assert_tensor(torch.addmv(vl.tensor, A.tensor, x.tensor), v0 + prod)
    assert_tensor(torch.addmv(2, vl.tensor, 3, A.tensor, x.tensor), 2 * v0 + 3 * prod)
    res = torch.DoubleTensor()
    assert torch.addmv(res, 0.5, vl.tensor, A.tensor, x.tensor) is res
    assert_tensor(res, 0.5 * v0 + prod)
    np.testing.assert_array_equal(vl.tensor.numpy(), before)
    assert vl.tensor.addmv(2, A.tensor, x.tensor) is vl.tensor
    assert_tensor(vl.tensor, v0 + 2 * prod)
    vl.check_outside()


@given(st.data(), sizes, sizes)
@FAST
def test_addr_forms(data, n, m):
    Ml = lay_of(data, (n, m), writable=True)
    x, y = lay_of(data, (n,)), lay_of(data, (m,))
    M0, outer = Ml.array, np.multiply.outer(x.array, y.array)
    before = snapshot(Ml.tensor)
    assert_tensor(torch.addr(Ml.tensor, x.tensor, y.tensor), M0 + outer)
    assert_tensor(torch.addr(2, Ml.tensor, 3, x.tensor, y.tensor), 2 * M0 + 3 * outer)
    res = torch.DoubleTensor(1)
    assert torch.addr(res, 0, Ml.tensor, 2, x.tensor, y.tensor) is res
    assert_tensor(res, 2 * outer)
    np.testing.assert_array_equal(Ml.tensor.numpy(), before)
    assert Ml.tensor.addr(2, 3, x.tensor, y.tensor) is Ml.tensor
    assert_tensor(Ml.tensor, 2 * M0 + 3 * outer)
    Ml.check_outside()


def test_addr_v1_zero_ignores_nan_in_M():
    M = T([[NAN, 1], [1, 1]])
    x, y = T([1, 2]), T([3, 4])
    assert_tensor(torch.addr(0, M, x, y), [[3, 4], [6, 8]])
    M.addr(0, 1, x, y)
    assert_tensor(M, [[3, 4], [6, 8]])


@given(st.data(), st.integers(1, 3), sizes, sizes, sizes)
@FAST
def test_addbmm_and_baddbmm_forms(data, b, n, m, p):
    A, B = lay_of(data, (b, n, m)), lay_of(data, (b, m, p))
    batch = np.matmul(A.array, B.array)
    Ml = lay_of(data, (n, p), writable=True)
    M0 = Ml.array
    assert_tensor(torch.addbmm(Ml.tensor, A.tensor, B.tensor), M0 + batch.sum(0))
    assert_tensor(torch.addbmm(0.5, Ml.tensor, 2, A.tensor, B.tensor), 0.5 * M0 + 2 * batch.sum(0))
    assert Ml.tensor.addbmm(0, 1, A.tensor, B.tensor) is Ml.tensor
    assert_tensor(Ml.tensor, batch.sum(0))
    Ml.check_outside()
    Bl = lay_of(data, (b, n, p), writable=True)
    B0 = Bl.array
    assert_tensor(torch.baddbmm(Bl.tensor, A.tensor, B.tensor), B0 + batch)
    res = torch.DoubleTensor()
    assert torch.baddbmm(res, 2, Bl.tensor, 3, A.tensor, B.tensor) is res
    assert_tensor(res, 2 * B0 + 3 * batch)
    assert Bl.tensor.baddbmm(3, A.tensor, B.tensor) is Bl.tensor
    assert_tensor(Bl.tensor, B0 + 3 * batch)
    Bl.check_outside()


def test_add_forms_reject_misplaced_numbers():
    M, A = T(np.ones((2, 2))), T(np.eye(2))
    before = snapshot(M)
    with pytest.raises(TypeError):
        M.addmm(A, A, 2)
    with pytest.raises(TypeError):
        M.addmm(1, 2, 3, A, A)
    with pytest.raises(TypeError):
        torch.addmm(1, 2, M, A, A)
    with pytest.raises(TypeError):
        torch.addmm(M, A, A, 'x')
    with pytest.raises(TypeError, match='missing'):
        torch.addmm(A, A)
    np.testing.assert_array_equal(M.numpy(), before)


# -- cross -------------------------------------------------------------------------------------------
@given(st.data(), st.integers(1, 3))
@FAST
def test_cross_forms(data, k):
    shape = (k, 3)
    x, y = lay_of(data, shape), lay_of(data, shape)
    expected = np.cross(x.array, y.array, axis=1 if k != 3 else 0)   # first dim of size 3
    assert_tensor(torch.cross(x.tensor, y.tensor), expected, torch.DoubleTensor)
    assert_tensor(x.tensor.cross(y.tensor), expected)
    e1 = np.cross(x.array, y.array, axis=1)
    assert_tensor(torch.cross(x.tensor, y.tensor, 1), e1)
    assert_tensor(x.tensor.cross(y.tensor, -1), e1)
    res = torch.DoubleTensor()
    assert torch.cross(res, x.tensor, y.tensor, 1) is res
    assert_tensor(res, e1)
    res2 = torch.DoubleTensor(2)
    assert res2.cross(x.tensor, y.tensor, 1) is res2
    assert_tensor(res2, e1)


def test_cross_bad_input():
    x = T(np.ones((2, 3)))
    with pytest.raises(ValueError, match='2 x 3 and 3 x 2'):
        torch.cross(x, T(np.ones((3, 2))))
    with pytest.raises(ValueError, match='dimension 0 has size 2'):
        torch.cross(x, x, 0)
    with pytest.raises(IndexError, match='dimension 2'):
        torch.cross(x, x, 2)
    with pytest.raises(ValueError, match='no dimension of size 3'):
        torch.cross(T(np.ones(2)), T(np.ones(2)))
    with pytest.raises(TypeError, match='one type'):
        torch.cross(x, x.float())


# -- the @ operator ------------------------------------------------------------------------------
def test_matmul_operator():
    a, b = np.arange(6.).reshape(2, 3), np.arange(12.).reshape(3, 4)
    assert (T([1, 2, 3]) @ T([4, 5, 6])) == 32.0
    assert_tensor(T(a) @ T([1, 0, 2]), a @ [1, 0, 2])
    assert_tensor(T(a) @ T(b), a @ b, torch.DoubleTensor)
    c = np.arange(24.).reshape(2, 3, 4)
    d = np.arange(16.).reshape(2, 4, 2)
    assert_tensor(T(c) @ T(d), c @ d)
    with pytest.raises(ValueError, match='3 and 2 x 3'):
        T([1, 2, 3]) @ T(a)
    with pytest.raises(ValueError, match='size mismatch'):
        T(a) @ T(a)
    with pytest.raises(TypeError):
        T(a) @ 2


# -- bad input: sizes and types, nothing written ---------------------------------------------
def test_mm_size_mismatch_message_names_the_sizes():
    res = T(np.full((4, 2), 7.0))
    with pytest.raises(ValueError) as e:
        torch.mm(res, T(np.ones((4, 3))), T(np.ones((5, 2))))
    assert str(e.value) == 'mm: size mismatch, m1: [4 x 3], m2: [5 x 2]'
    np.testing.assert_array_equal(res.numpy(), np.full((4, 2), 7.0))


@pytest.mark.parametrize('call, message', [
    (lambda M: torch.mv(T(np.ones((2, 3))), T(np.ones(2))), 'mv: size mismatch, mat: [2 x 3], vec: [2]'),
    (lambda M: torch.bmm(T(np.ones((2, 2, 3))), T(np.ones((3, 3, 2)))),
     'bmm: size mismatch, batch1: [2 x 2 x 3], batch2: [3 x 3 x 2]'),
    (lambda M: torch.bmm(T(np.ones((2, 2, 3))), T(np.ones((2, 2, 2)))), 'batch1: [2 x 2 x 3]'),
    (lambda M: M.addmm(T(np.ones((3, 3))), T(np.ones((3, 3)))), 'M: [2 x 3], product: [3 x 3]'),
    (lambda M: M.addmm(0, 1, T(np.ones((3, 3))), T(np.ones((3, 3)))), 'M: [2 x 3]'),
    (lambda M: M.addmm(T(np.ones((2, 4))), T(np.ones((3, 3)))), 'm1: [2 x 4], m2: [3 x 3]'),
    (lambda M: M.addr(T(np.ones(3)), T(np.ones(3))), 'M: [2 x 3], vec1 x vec2: [3 x 3]'),
    (lambda M: M.addmv(T(np.ones((2, 2))), T(np.ones(2))), 'M: [2 x 3], product: [2]'),
    (lambda M: M.baddbmm(T(np.ones((1, 2, 2))), T(np.ones((1, 2, 3)))), 'M: [2 x 3]'),
    (lambda M: M.dot(T(np.ones(5))), '2 x 3 and 5'),
    (lambda M: torch.mm(T(np.ones(3)), T(np.ones((3, 2)))), 'matrix, got a tensor of size 3'),
    (lambda M: torch.mv(M, T(np.ones((3, 1)))), 'vector, got a tensor of size 3 x 1'),
    (lambda M: torch.ger(M, T(np.ones(3))), 'vector'),
])
def test_size_errors_leave_tensors_unchanged(call, message):
    M = T(np.arange(6.).reshape(2, 3))
    with pytest.raises(ValueError) as e:
        call(M)
    assert message in str(e.value)
    np.testing.assert_array_equal(M.numpy(), np.arange(6.).reshape(2, 3))


@pytest.mark.parametrize('call', [
    lambda f, d: torch.mm(f(2, 2), d(2, 2)), lambda f, d: torch.mv(f(2, 2), d(2)),
    lambda f, d: torch.bmm(f(1, 2, 2), d(1, 2, 2)),
    lambda f, d: d(2, 2).addmm(f(2, 2), f(2, 2)), lambda f, d: torch.addmm(d(2, 2), f(2, 2), d(2, 2)),
    lambda f, d: f(2).dot(d(2)), lambda f, d: torch.ger(f(2), d(2)),
    lambda f, d: d(2, 2).addr(f(2), f(2)), lambda f, d: torch.addmv(d(2), f(2, 2), f(2)),
    lambda f, d: f(3) @ d(3)])
def test_mixed_types_are_refused(call):
    with pytest.raises(TypeError, match='one type'):
        call(torch.FloatTensor, torch.DoubleTensor)
