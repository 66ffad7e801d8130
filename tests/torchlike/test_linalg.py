"""Linear algebra: factors reconstruct their matrix, solutions satisfy their systems, values
match numpy and the examples of Torch7's documentation, float and double, errors."""
import numpy as np
import pytest

import torchlike as torch
from torchlike.linalg import (eig, gels, geqrf, gesv, inverse, orgqr, ormqr, potrf, potri,
                              potrs, pstrf, qr, svd, symeig, trtrs)

TYPES = [(torch.DoubleTensor, 1e-10), (torch.FloatTensor, 2e-4)]


def T(cls, a):
    return cls(np.asarray(a, dtype=cls._dtype))


def rnd(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def spd(n, seed=0):
    a = rnd((n, n), seed)
    return a @ a.T + n * np.eye(n)


# Torch7 doc/maths.md examples
DOC_A = np.array([[6.80, -2.11, 5.66, 5.97, 8.23], [-6.05, -3.30, 5.36, -4.44, 1.08],
                  [-0.45, 2.58, -2.70, 0.27, 9.04], [8.32, 2.71, 4.35, -7.17, 2.14],
                  [-9.67, -5.14, -7.26, 6.08, -6.87]]).T
DOC_B = np.array([[4.02, 6.19, -8.22, -7.57, -3.03], [-1.56, 4.00, -8.67, 1.75, 2.86],
                  [9.81, -4.09, -4.57, -8.61, 8.99]]).T


def test_gesv_torch7_example():
    x, lu = gesv(T(torch.DoubleTensor, DOC_B), T(torch.DoubleTensor, DOC_A))
    expect = [[-0.8007, -0.3896, 0.9555], [-0.6952, -0.5544, 0.2207], [0.5939, 0.8422, 1.9006],
              [1.3217, -0.1038, 5.3577], [0.5658, 0.1057, 4.0406]]
    np.testing.assert_allclose(x.numpy(), expect, atol=6e-5)


@pytest.mark.parametrize('cls,tol', TYPES)
def test_gesv_solution_and_lu(cls, tol):
    a, b = rnd((6, 6), 1), rnd((6, 2), 2)
    x, lu = gesv(T(cls, b), T(cls, a))
    assert x.type() == lu.type() == cls._typename
    A = a.astype(cls._dtype).astype(float)
    np.testing.assert_allclose(A @ x.numpy(), b, atol=tol * 100)
    # LU holds P A = L U with unit-lower L: recover P by matching rows
    f = lu.numpy().astype(float)
    prod = (np.tril(f, -1) + np.eye(6)) @ np.triu(f)
    rows = [int(np.argmin(np.abs(A - r).sum(1))) for r in prod]
    assert sorted(rows) == list(range(6))
    np.testing.assert_allclose(prod, A[rows], atol=tol * 100)
    # partial pivoting: every multiplier is at most 1 in magnitude
    assert np.abs(np.tril(f, -1)).max() <= 1 + 1e-6


def test_gesv_blocked_lu_large_and_vector_rhs_and_results():
    a = rnd((150, 150), 3)
    b = rnd(150, 4)
    resb, resa = torch.DoubleTensor(), torch.DoubleTensor()
    x, lu = gesv(resb, resa, T(torch.DoubleTensor, b), T(torch.DoubleTensor, a))
    assert x is resb and lu is resa and x.size() == (150, 1)      # a 1-D B gives n x 1
    np.testing.assert_allclose(a @ x.numpy()[:, 0], b, atol=1e-9)
    f = lu.numpy()
    assert np.abs(np.tril(f, -1)).max() <= 1 + 1e-12
    np.testing.assert_allclose(np.abs(np.diag(f)).prod(), abs(np.linalg.det(a)), rtol=1e-8)
    try:
        import scipy.linalg
    except ImportError:
        return
    np.testing.assert_allclose(f, scipy.linalg.lu_factor(a)[0], atol=1e-9)


def test_gesv_errors():
    a = T(torch.DoubleTensor, [[1, 2], [2, 4]])
    b = T(torch.DoubleTensor, [[1], [1]])
    with pytest.raises(ValueError, match='gesv: the matrix is singular'):
        gesv(b, a)
    with pytest.raises(ValueError, match='square, but is 2 x 3'):
        gesv(b, torch.DoubleTensor(2, 3))
    with pytest.raises(ValueError, match='A has 2 rows, B has 3'):
        gesv(torch.DoubleTensor(3, 1), torch.DoubleTensor(2, 2))
    with pytest.raises(ValueError, match='2-D matrix'):
        gesv(b, torch.DoubleTensor(2))
    with pytest.raises(TypeError, match='only defined for FloatTensor'):
        gesv(torch.IntTensor(2, 1), torch.IntTensor(2, 2))
    with pytest.raises(TypeError, match='same type'):
        gesv(torch.FloatTensor(2, 1), torch.DoubleTensor(2, 2))
    res = torch.DoubleTensor(2, 1).fill(5)
    with pytest.raises(ValueError):
        gesv(res, torch.DoubleTensor(2, 2), b, a)
    assert res.numpy().tolist() == [[5], [5]]


@pytest.mark.parametrize('cls,tol', TYPES)
def test_trtrs_options(cls, tol):
    a, b = rnd((5, 5), 4) + 4 * np.eye(5), rnd((5, 3), 5)
    A = a.astype(cls._dtype).astype(float)
    for uplo in 'UL':
        for trans in 'NT':
            for diag in 'NU':
                x, acopy = trtrs(T(cls, b), T(cls, a), uplo, trans, diag)
                tri = np.triu(A) if uplo == 'U' else np.tril(A)
                if diag == 'U':
                    np.fill_diagonal(tri, 1)
                op = tri.T if trans == 'T' else tri
                np.testing.assert_allclose(op @ x.numpy(), b, atol=tol * 100)
                assert np.array_equal(acopy.numpy(), a.astype(cls._dtype))
    with pytest.raises(ValueError, match='singular'):
        trtrs(T(cls, b), T(cls, np.triu(np.ones((5, 5))) - np.diag([0, 0, 1, 0, 0])))
    with pytest.raises(ValueError, match="one of 'U', 'L'"):
        trtrs(T(cls, b), T(cls, a), 'X')


@pytest.mark.parametrize('cls,tol', TYPES)
def test_cholesky_family(cls, tol):
    s = spd(5, 6)
    S = T(cls, s)
    b = rnd((5, 2), 7)
    u = potrf(S).numpy().astype(float)
    assert np.array_equal(u, np.triu(u))
    np.testing.assert_allclose(u.T @ u, s, rtol=tol, atol=tol * 10)
    low = potrf(S, 'L').numpy().astype(float)
    assert np.array_equal(low, np.tril(low))
    np.testing.assert_allclose(low @ low.T, s, rtol=tol, atol=tol * 10)
    np.testing.assert_allclose(low, u.T, atol=tol * 10)
    for uplo, f in (('U', u), ('L', low)):
        x = potrs(T(cls, b), T(cls, f), uplo).numpy()
        np.testing.assert_allclose(s @ x, b, atol=tol * 100)
        inv = potri(T(cls, f), uplo).numpy()
        np.testing.assert_allclose(inv @ s, np.eye(5), atol=tol * 100)
        np.testing.assert_allclose(inv, inv.T, atol=tol)
    # only the chosen triangle is read
    junk = s.copy()
    junk[np.tril_indices(5, -1)] = 99
    np.testing.assert_allclose(potrf(T(cls, junk)).numpy(), potrf(S).numpy(), atol=tol)
    res = cls()
    assert potrf(res, S) is res


def test_potrf_and_potri_errors():
    with pytest.raises(ValueError, match='not positive definite'):
        potrf(T(torch.DoubleTensor, [[1, 2], [2, 1]]))
    with pytest.raises(ValueError, match='square'):
        potrf(torch.DoubleTensor(2, 3))
    with pytest.raises(ValueError, match='singular'):
        potri(T(torch.DoubleTensor, [[1, 1], [0, 0]]))


@pytest.mark.parametrize('uplo', 'UL')
def test_pstrf(uplo):
    s = spd(6, 8)
    f, piv = pstrf(T(torch.DoubleTensor, s), uplo)
    assert piv.type() == 'torch.IntTensor' and sorted(piv.numpy().tolist()) == list(range(6))
    p = piv.numpy()
    f = f.numpy()
    prod = f.T @ f if uplo == 'U' else f @ f.T
    np.testing.assert_allclose(prod, s[np.ix_(p, p)], atol=1e-10)
    # complete pivoting: the first pivot is the largest diagonal entry
    assert p[0] == int(np.argmax(np.diag(s)))
    v = rnd((4, 2), 9)
    with pytest.raises(ValueError, match='rank deficient'):
        pstrf(T(torch.DoubleTensor, v @ v.T))


def test_gels_least_squares_and_min_norm():
    a, b = rnd((8, 3), 10), rnd((8, 2), 11)
    x, factors = gels(T(torch.DoubleTensor, b), T(torch.DoubleTensor, a))
    assert x.size() == (3, 2) and factors.size() == (8, 3)
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(a.T @ a, a.T @ b), atol=1e-10)
    np.testing.assert_allclose(np.abs(np.diag(factors.numpy())),
                               np.abs(np.diag(np.linalg.qr(a)[1])))
    w, c = rnd((2, 5), 12), rnd((2, 1), 13)
    x, _ = gels(T(torch.DoubleTensor, c), T(torch.DoubleTensor, w))
    np.testing.assert_allclose(x.numpy(), w.T @ np.linalg.solve(w @ w.T, c), atol=1e-10)
    with pytest.raises(ValueError, match='full rank'):
        gels(T(torch.DoubleTensor, b), T(torch.DoubleTensor, np.zeros((8, 3))))
    xf, _ = gels(T(torch.FloatTensor, b), T(torch.FloatTensor, a))
    assert xf.type() == 'torch.FloatTensor'
    np.testing.assert_allclose(xf.numpy(), np.linalg.lstsq(a, b, rcond=None)[0], atol=1e-4)


@pytest.mark.parametrize('cls,tol', TYPES)
def test_symeig(cls, tol):
    a = np.array([[1.96, 0, 0, 0, 0], [-6.49, 3.80, 0, 0, 0], [-0.47, -6.39, 4.17, 0, 0],
                  [-7.20, 1.50, -1.51, 5.70, 0], [-0.65, -6.34, 2.67, 1.80, -7.10]]).T
    e, v = symeig(T(cls, a))
    np.testing.assert_allclose(e.numpy(), [-11.0656, -6.2287, 0.8640, 8.8655, 16.0948],
                               atol=1e-4)
    assert v.nElement() == 0
    e, v = symeig(T(cls, a), 'V')
    full = np.triu(a) + np.triu(a, 1).T
    V = v.numpy().astype(float)
    np.testing.assert_allclose(V @ np.diag(e.numpy()) @ V.T, full, atol=tol * 100)
    eL, _ = symeig(T(cls, a.T), 'N', 'L')       # the same matrix read from the lower triangle
    np.testing.assert_allclose(eL.numpy(), e.numpy(), atol=tol * 10)


def test_eig_real_and_complex():
    a = rnd((6, 6), 14)
    e, v = eig(T(torch.DoubleTensor, a), 'V')
    assert e.size() == (6, 2) and v.size() == (6, 6)
    w = e.numpy()[:, 0] + 1j * e.numpy()[:, 1]
    np.testing.assert_allclose(np.sort_complex(w), np.sort_complex(np.linalg.eigvals(a)))
    V = v.numpy()
    vecs = V.astype(complex)
    j = 0
    while j < 6:                                # LAPACK layout: (re, im) column pairs
        if e.numpy()[j, 1] != 0:
            assert e.numpy()[j, 1] > 0
            vecs[:, j] = V[:, j] + 1j * V[:, j + 1]
            vecs[:, j + 1] = V[:, j] - 1j * V[:, j + 1]
            j += 2
        else:
            j += 1
    assert np.any(e.numpy()[:, 1] != 0)         # this seed has a complex pair
    np.testing.assert_allclose(a @ vecs, vecs * w, atol=1e-10)
    e2, v2 = eig(T(torch.DoubleTensor, np.diag([3.0, 1.0, 2.0])))
    assert sorted(e2.numpy()[:, 0].tolist()) == [1, 2, 3] and v2.nElement() == 0
    assert eig(T(torch.FloatTensor, a))[0].type() == 'torch.FloatTensor'


@pytest.mark.parametrize('cls,tol', TYPES)
def test_svd(cls, tol):
    a = np.array([[8.79, 6.11, -9.15, 9.57, -3.49, 9.84], [9.93, 6.91, -7.93, 1.64, 4.02, 0.15],
                  [9.83, 5.04, 4.86, 8.83, 9.80, -8.99], [5.45, -0.27, 4.85, 0.74, 10.00, -6.02],
                  [3.16, 7.98, 3.01, 5.80, 4.27, -5.31]]).T
    u, s, v = svd(T(cls, a))
    assert u.size() == (6, 5) and s.size() == (5,) and v.size() == (5, 5)
    np.testing.assert_allclose(s.numpy(), [27.4687, 22.6432, 8.5584, 5.9857, 2.0149], atol=1e-4)
    rec = u.numpy().astype(float) @ np.diag(s.numpy()) @ v.numpy().T
    np.testing.assert_allclose(rec, a, atol=tol * 1000)
    u, s, v = svd(T(cls, a), 'A')
    assert u.size() == (6, 6) and v.size() == (5, 5)
    np.testing.assert_allclose(u.numpy().T @ u.numpy(), np.eye(6), atol=tol * 10)
    ru, rs, rv = cls(), cls(), cls()
    assert svd(ru, rs, rv, T(cls, a.T))[0] is ru and rv.size() == (6, 5)


@pytest.mark.parametrize('cls,tol', TYPES)
def test_inverse(cls, tol):
    a = rnd((5, 5), 15) + 3 * np.eye(5)
    inv = inverse(T(cls, a))
    assert inv.type() == cls._typename
    np.testing.assert_allclose(inv.numpy() @ a, np.eye(5), atol=tol * 100)
    with pytest.raises(ValueError, match='singular'):
        inverse(T(cls, np.ones((3, 3))))
    with pytest.raises(ValueError, match='square'):
        inverse(cls(2, 3))


@pytest.mark.parametrize('shape', [(7, 4), (4, 4), (3, 6)])
def test_qr_family(shape):
    a = rnd(shape, 16)
    m, n = shape
    k = min(m, n)
    q, r = qr(T(torch.DoubleTensor, a))
    assert q.size() == (m, k) and r.size() == (k, n)
    np.testing.assert_allclose(q.numpy() @ r.numpy(), a, atol=1e-12)
    np.testing.assert_allclose(q.numpy().T @ q.numpy(), np.eye(k), atol=1e-12)
    assert np.allclose(r.numpy(), np.triu(r.numpy()))
    packed, tau = geqrf(T(torch.DoubleTensor, a))
    assert packed.size() == (m, n) and tau.size() == (k,)
    np.testing.assert_allclose(np.triu(packed.numpy())[:k], r.numpy(), atol=1e-12)
    np.testing.assert_allclose(orgqr(packed, tau).numpy(), q.numpy(), atol=1e-12)
    qfull = np.linalg.qr(a, mode='complete')[0]
    # Householder Q agrees with numpy's on the first k columns; complete it by hand via ormqr
    c = rnd((m, 3), 17)
    left = ormqr(packed, tau, T(torch.DoubleTensor, c)).numpy()
    qt_c = ormqr(packed, tau, T(torch.DoubleTensor, c), 'L', 'T').numpy()
    np.testing.assert_allclose(ormqr(packed, tau, T(torch.DoubleTensor, left), 'L', 'T').numpy(),
                               c, atol=1e-12)
    qm = ormqr(packed, tau, T(torch.DoubleTensor, np.eye(m))).numpy()    # the full m x m Q
    np.testing.assert_allclose(qm[:, :k], q.numpy(), atol=1e-12)
    np.testing.assert_allclose(qm.T @ qm, np.eye(m), atol=1e-12)
    np.testing.assert_allclose(left, qm @ c, atol=1e-12)
    np.testing.assert_allclose(qt_c[:k], q.numpy().T @ c, atol=1e-12)
    d = rnd((2, m), 18)
    right = ormqr(packed, tau, T(torch.DoubleTensor, d), 'R').numpy()
    np.testing.assert_allclose(ormqr(packed, tau, T(torch.DoubleTensor, right), 'R', 'T').numpy(),
                               d, atol=1e-12)
    if m <= n:
        np.testing.assert_allclose(np.abs(qfull), np.abs(q.numpy()), atol=1e-12)
        np.testing.assert_allclose(right, d @ q.numpy(), atol=1e-12)


def test_option_and_argument_errors():
    a = T(torch.DoubleTensor, spd(3))
    with pytest.raises(ValueError, match="one of 'N', 'V'"):
        symeig(a, 'X')
    with pytest.raises(TypeError, match='too many'):
        potrf(a, 'U', 'L')
    with pytest.raises(TypeError, match='input tensor'):
        inverse()
    with pytest.raises(ValueError, match='2-D matrix, got an empty tensor'):
        qr(torch.DoubleTensor())


def test_inputs_in_every_layout():
    from torchlike_testing import layouts
    a, b = spd(4, 20), rnd((4, 4), 21)
    ref_x = np.linalg.solve(a, b)
    for la, lb in zip(layouts(a), layouts(b)):
        if la.name == 'expanded':
            continue                      # an expanded matrix is singular
        x, _ = gesv(lb.tensor, la.tensor)
        np.testing.assert_allclose(x.numpy(), np.linalg.solve(la.array, lb.array), atol=1e-10)
        assert la.name != 'contiguous' or np.allclose(x.numpy(), ref_x)
        u = potrf(la.tensor).numpy()
        np.testing.assert_allclose(u.T @ u, a, atol=1e-10)
        np.testing.assert_allclose(inverse(la.tensor).numpy(), np.linalg.inv(a), atol=1e-10)
        q, r = qr(lb.tensor)
        np.testing.assert_allclose(q.numpy() @ r.numpy(), lb.array, atol=1e-12)
        la.check_outside()
        lb.check_outside()
