"""Linear algebra (reference §1.2 K) on numpy.linalg: gesv, trtrs, potrf, potrs, potri, pstrf,
gels, symeig, eig, svd, inverse, qr, geqrf, orgqr, ormqr.

Calling convention (Torch7's): `torch.f([res1, res2, ...,] inputs..., options...)`: the result
tensors are all given or all left out; given ones are resized and filled. Functions with several
results return a tuple. Results have the input's type (FloatTensor or DoubleTensor, computed in
that precision) and are ordinary contiguous tensors, where Torch7 returned column-major
("transposed") ones. Character options ('U'/'L', 'N'/'V', ...) come last, as in Torch7.
Torch7 had these as `torch.*` functions only, not tensor methods; so does torchlike.
Differences from Torch7 are listed in docs/random_linalg_conv.md.
"""
import numpy as np

from ._core import TensorBase, fmt_size, shape_of, wrap
from . import types as _types
from .conv import ConvMixin

_LinAlgError = np.linalg.LinAlgError


class LinalgMixin(ConvMixin):
    """Tensor methods of the linear algebra family: none in Torch7 (the LAPACK wrappers are
    torch.* functions); conv2/xcorr2 and conv3/xcorr3 come in through ConvMixin."""
    __slots__ = ()


# -- argument handling -----------------------------------------------------------------------
def _split(name, args, n_results, n_inputs, options=()):
    """(results, inputs, option values) from [results...,] inputs... [, options...]."""
    k = 0
    while k < len(args) and isinstance(args[k], TensorBase):
        k += 1
    tensors, opts = args[:k], args[k:]
    if len(tensors) == n_inputs:
        results = (None,) * n_results
    elif len(tensors) == n_inputs + n_results:
        results, tensors = tensors[:n_results], tensors[n_results:]
    else:
        raise TypeError(f"{name}: expected {n_inputs} input tensor(s), optionally preceded by "
                        f"{n_results} result tensor(s), got {len(tensors)} tensor(s)")
    if len(opts) > len(options):
        raise TypeError(f"{name}: too many arguments: got {len(opts)} option(s) after the "
                        f"tensors, expected at most {len(options)}")
    values = []
    for i, (choices, default) in enumerate(options):
        v = opts[i] if i < len(opts) else default
        if isinstance(choices, tuple) and v not in choices:
            raise ValueError(f"{name}: option {i + 1} must be one of "
                             f"{', '.join(repr(c) for c in choices)}, got {v!r}")
        values.append(v)
    cls = tensors[0].__class__
    if cls._dtype.kind != 'f':
        raise TypeError(f"{name} is only defined for FloatTensor and DoubleTensor, not "
                        f"{cls._typename}")
    for t in tensors[1:] + tuple(r for r in results if r is not None):
        if t.__class__ is not cls:
            raise TypeError(f"{name}: all tensors must have the same type, got "
                            f"{cls._typename} and {t._typename}")
    return results, tensors, values


def _matrix(name, t, what='A'):
    a = t._arr()
    shape = shape_of(a)
    if len(shape) != 2:
        got = ('an empty tensor' if not shape
               else f"a {len(shape)}-D tensor of size {fmt_size(shape)}")
        raise ValueError(f"{name}: {what} should be a 2-D matrix, got {got}")
    return a


def _square(name, t, what='A'):
    a = _matrix(name, t, what)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"{name}: {what} should be square, but is {fmt_size(a.shape)}")
    return a


def _rhs(name, t, rows, what='B'):
    """A right-hand side as a 2-D array (a 1-D b becomes an n x 1 matrix, as in Torch7)."""
    b = t._arr()
    shape = shape_of(b)
    if len(shape) not in (1, 2):
        raise ValueError(f"{name}: {what} should have 1 or 2 dimensions, got size "
                         f"{fmt_size(shape)}")
    if shape[0] != rows:
        raise ValueError(f"{name}: size mismatch: A has {rows} rows, {what} has {shape[0]} "
                         f"(size {fmt_size(shape)})")
    return b.reshape(rows, 1) if b.ndim == 1 else b


def _out(res, cls, arr):
    """Deliver `arr` as a new tensor of class cls, or into `res` (resized)."""
    arr = np.asarray(arr, dtype=cls._dtype)
    if res is None:
        return wrap(cls, np.ascontiguousarray(arr) if arr.size else np.empty(0, cls._dtype))
    res.resize(arr.shape if arr.size else (0,))
    if arr.size:
        res._arr()[...] = arr
    return res


def _triangle(a, uplo):
    return np.triu(a) if uplo == 'U' else np.tril(a)


def _symmetric(a, uplo):
    """The symmetric matrix that the `uplo` triangle of a describes."""
    t = _triangle(a, uplo)
    return t + np.tril(t, -1).T if uplo == 'L' else t + np.triu(t, 1).T


def _zero_diagonal(a):
    z = np.flatnonzero(np.diagonal(a) == 0)
    return int(z[0]) if z.size else -1


# -- LU (getrf) ------------------------------------------------------------------------------
def _lu_packed(a, block=64):
    """getrf's packed LU of square `a` with partial pivoting (first largest |pivot|), blocked so
    that the Python loop only touches one column panel at a time: returns (LU, first zero pivot
    index or -1). U is on and above the diagonal, L's multipliers below it."""
    lu = np.array(a)
    n = lu.shape[0]
    zero = -1
    for k0 in range(0, n, block):
        k1 = min(k0 + block, n)
        for k in range(k0, k1):
            p = k + int(np.argmax(np.abs(lu[k:, k])))
            if p != k:
                lu[[k, p]] = lu[[p, k]]
            pivot = lu[k, k]
            if pivot == 0:
                if zero < 0:
                    zero = k
                continue
            lu[k + 1:, k] /= pivot
            lu[k + 1:, k + 1:k1] -= np.outer(lu[k + 1:, k], lu[k, k + 1:k1])
        if k1 < n:
            unit_lower = np.tril(lu[k0:k1, k0:k1], -1) + np.eye(k1 - k0, dtype=lu.dtype)
            lu[k0:k1, k1:] = np.linalg.solve(unit_lower, lu[k0:k1, k1:])
            lu[k1:, k1:] -= lu[k1:, k0:k1] @ lu[k0:k1, k1:]
    return lu, zero


# -- solvers ---------------------------------------------------------------------------------
def gesv(*args):
    """gesv([resb, resa,] B, A) -> X, LU: solves A X = B for square A. LU holds getrf's packed
    factors of P A (U on and above the diagonal, L's unit-diagonal multipliers below); the row
    permutation P is not returned, as in Torch7. A 1-D B gives an n x 1 X."""
    (resb, resa), (b, a), _ = _split('gesv', args, 2, 2)
    A = _square('gesv', a)
    B = _rhs('gesv', b, A.shape[0])
    lu, zero = _lu_packed(A)
    try:
        x = np.linalg.solve(A, B) if zero < 0 else None
    except _LinAlgError:
        x = None
    if x is None:
        where = f" (U[{zero},{zero}] is zero)" if zero >= 0 else ""
        raise ValueError(f"gesv: the matrix is singular{where}; A is {fmt_size(A.shape)}")
    cls = a.__class__
    return _out(resb, cls, x), _out(resa, cls, lu)


def trtrs(*args):
    """trtrs([resb, resa,] B, A [, 'U'|'L'] [, 'N'|'T'] [, 'N'|'U']) -> X, A: solves
    A X = B (or A^T X = B with 'T') using only the upper or lower triangle of A ('U' diag:
    unit diagonal assumed). The second result is a copy of A."""
    (resb, resa), (b, a), (uplo, trans, diag) = _split(
        'trtrs', args, 2, 2, ((('U', 'L'), 'U'), (('N', 'T'), 'N'), (('N', 'U'), 'N')))
    A = _square('trtrs', a)
    B = _rhs('trtrs', b, A.shape[0])
    tri = _triangle(A, uplo)
    if diag == 'U':
        np.fill_diagonal(tri, 1)
    else:
        z = _zero_diagonal(tri)
        if z >= 0:
            raise ValueError(f"trtrs: A[{z},{z}] is zero, the triangular matrix is singular")
    x = np.linalg.solve(tri.T if trans == 'T' else tri, B)
    cls = a.__class__
    return _out(resb, cls, x), _out(resa, cls, A)


def potrf(*args):
    """potrf([res,] A [, 'U'|'L']) -> the Cholesky factor: U with A = U^T U ('U', default) or L
    with A = L L^T ('L'), read from that triangle of A only; the other triangle is zero."""
    (res,), (a,), (uplo,) = _split('potrf', args, 1, 1, ((('U', 'L'), 'U'),))
    A = _square('potrf', a)
    try:
        low = np.linalg.cholesky(_symmetric(A, uplo))
    except _LinAlgError:
        raise ValueError(f"potrf: the matrix ({fmt_size(A.shape)}) is not positive "
                         f"definite") from None
    return _out(res, a.__class__, low.T if uplo == 'U' else low)


def _chol_factor(name, c, uplo):
    C = _triangle(_square(name, c, 'the Cholesky factor'), uplo)
    z = _zero_diagonal(C)
    if z >= 0:
        raise ValueError(f"{name}: the Cholesky factor has a zero at [{z},{z}], it is singular")
    return C


def potrs(*args):
    """potrs([res,] B, chol [, 'U'|'L']) -> X solving A X = B where chol = potrf(A, uplo)."""
    (res,), (b, c), (uplo,) = _split('potrs', args, 1, 2, ((('U', 'L'), 'U'),))
    C = _chol_factor('potrs', c, uplo)
    B = _rhs('potrs', b, C.shape[0])
    upper = C if uplo == 'U' else C.T          # A = upper^T upper
    x = np.linalg.solve(upper, np.linalg.solve(upper.T, B))
    return _out(res, c.__class__, x)


def potri(*args):
    """potri([res,] chol [, 'U'|'L']) -> the inverse of A = chol^T chol ('U') or chol chol^T
    ('L'), as a full symmetric matrix."""
    (res,), (c,), (uplo,) = _split('potri', args, 1, 1, ((('U', 'L'), 'U'),))
    C = _chol_factor('potri', c, uplo)
    inv = np.linalg.inv(C)
    full = inv @ inv.T if uplo == 'U' else inv.T @ inv
    return _out(res, c.__class__, (full + full.T) / 2)


def pstrf(*args):
    """pstrf([res, piv,] A [, 'U'|'L'] [, tol]) -> factor, piv: Cholesky with complete pivoting
    of a positive semidefinite A: P^T A P = U^T U ('U') or L L^T ('L'), where P[piv[k], k] = 1
    and piv is a 0-based IntTensor. tol < 0 (default) means n * eps * max(diag(A)); as in
    Torch7, a rank-deficient A (pivot <= tol) is an error."""
    res = piv_res = None
    if len(args) >= 3 and all(isinstance(v, TensorBase) for v in args[:3]):
        res, piv_res, args = args[0], args[1], args[2:]
    _, (a,), (uplo, tol) = _split('pstrf', args, 1, 1, ((('U', 'L'), 'U'), (None, -1.0)))
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)):
        raise TypeError(f"pstrf: tol must be a number, got {tol!r}")
    if res is not None and res.__class__ is not a.__class__:
        raise TypeError(f"pstrf: the result must be a {a._typename}, got {res._typename}")
    if piv_res is not None and piv_res._typename != 'torch.IntTensor':
        raise TypeError(f"pstrf: piv must be a torch.IntTensor, got {piv_res._typename}")
    A = _square('pstrf', a)
    s = _symmetric(A, uplo).astype(A.dtype)
    n = s.shape[0]
    perm = np.arange(n)
    if n and tol < 0:
        tol = n * (np.finfo(s.dtype).eps / 2) * float(np.max(np.diagonal(s)))
    for k in range(n):
        j = k + int(np.argmax(np.diagonal(s)[k:]))
        pivot = s[j, j]
        if not pivot > tol:
            raise ValueError(f"pstrf: the matrix is rank deficient or not positive "
                             f"semidefinite (pivot {k} is {pivot}, tolerance {tol})")
        if j != k:
            s[[k, j]] = s[[j, k]]
            s[:, [k, j]] = s[:, [j, k]]
            perm[[k, j]] = perm[[j, k]]
        s[k, k] = np.sqrt(pivot)
        s[k + 1:, k] /= s[k, k]
        s[k + 1:, k + 1:] -= np.outer(s[k + 1:, k], s[k + 1:, k])
    low = np.tril(s)
    out = _out(res, a.__class__, low.T if uplo == 'U' else low)
    return out, _out(piv_res, _types.tensor_class('torch.IntTensor'), perm)


def gels(*args):
    """gels([resb, resa,] B, A) -> X, factors: least squares min ||A X - B|| for a full-rank
    m x n A with m >= n, the minimum-norm solution of A X = B when m < n. X is n x k. The
    second result holds LAPACK's packed QR (m >= n, as geqrf) or LQ (m < n) factors of A."""
    (resb, resa), (b, a), _ = _split('gels', args, 2, 2)
    A = _matrix('gels', a)
    B = _rhs('gels', b, A.shape[0])
    m, n = A.shape
    h, _ = np.linalg.qr(A if m >= n else A.T, mode='raw')
    packed = h.T if m >= n else h                # h is the transposed geqrf output
    z = _zero_diagonal(packed)
    if z >= 0:
        raise ValueError(f"gels: A ({fmt_size(A.shape)}) does not have full rank: diagonal "
                         f"element {z} of its triangular factor is zero")
    x = np.linalg.lstsq(A, B, rcond=None)[0]
    cls = a.__class__
    return _out(resb, cls, x), _out(resa, cls, packed)


# -- eigen and singular values ---------------------------------------------------------------
def symeig(*args):
    """symeig([rese, resv,] A [, 'N'|'V'] [, 'U'|'L']) -> e, V: eigenvalues (ascending) of the
    symmetric matrix in A's upper ('U') or lower triangle, and with 'V' the eigenvectors as
    columns of V (A = V diag(e) V^T). With 'N' (default) V is empty (resv left as it is)."""
    (rese, resv), (a,), (jobz, uplo) = _split(
        'symeig', args, 2, 1, ((('N', 'V'), 'N'), (('U', 'L'), 'U')))
    A = _square('symeig', a)
    cls = a.__class__
    if jobz == 'N':
        e = np.linalg.eigvalsh(A, UPLO=uplo)
        return _out(rese, cls, e), resv if resv is not None else _out(None, cls, np.empty(0))
    e, v = np.linalg.eigh(A, UPLO=uplo)
    return _out(rese, cls, e), _out(resv, cls, v)


def eig(*args):
    """eig([rese, resv,] A [, 'N'|'V']) -> e, V for a general square A: e is n x 2 (real and
    imaginary parts), V holds LAPACK's right eigenvectors: for a complex pair (j, j+1) column j
    is the real part and column j+1 the imaginary part of the eigenvector of e[j]. With 'N'
    (default) V is empty (resv left as it is)."""
    (rese, resv), (a,), (jobvr,) = _split('eig', args, 2, 1, ((('N', 'V'), 'N'),))
    A = _square('eig', a)
    cls = a.__class__
    if not np.all(np.isfinite(A)):
        raise ValueError("eig: the matrix contains NaN or infinite values")
    if jobvr == 'N':
        w, v = np.linalg.eigvals(A), None
    else:
        w, v = np.linalg.eig(A)
    e = np.stack([np.real(w), np.imag(w)], axis=1) if w.size else np.empty((0, 2))
    if v is None:
        return _out(rese, cls, e), resv if resv is not None else _out(None, cls, np.empty(0))
    vecs = np.array(np.real(v))
    if np.iscomplexobj(v):
        first = np.flatnonzero(np.imag(w) > 0)
        vecs[:, first + 1] = np.imag(v[:, first])
    return _out(rese, cls, e), _out(resv, cls, vecs)


def svd(*args):
    """svd([resu, ress, resv,] A [, 'S'|'A']) -> U, S, V with A = U diag(S) V^T (V, not V^T).
    'S' (default): U is m x k, V is n x k (k = min(m, n)); 'A': U is m x m, V is n x n."""
    (resu, ress, resv), (a,), (jobu,) = _split('svd', args, 3, 1, ((('S', 'A'), 'S'),))
    A = _matrix('svd', a)
    try:
        u, s, vt = np.linalg.svd(A, full_matrices=jobu == 'A')
    except _LinAlgError:
        raise ValueError(f"svd: the decomposition of the {fmt_size(A.shape)} matrix did not "
                         f"converge") from None
    cls = a.__class__
    return _out(resu, cls, u), _out(ress, cls, s), _out(resv, cls, vt.T)


def inverse(*args):
    """inverse([res,] A) -> A^-1 for a square non-singular A."""
    (res,), (a,), _ = _split('inverse', args, 1, 1)
    A = _square('inverse', a)
    try:
        inv = np.linalg.inv(A)
    except _LinAlgError:
        raise ValueError(f"inverse: the matrix ({fmt_size(A.shape)}) is singular") from None
    return _out(res, a.__class__, inv)


# -- QR --------------------------------------------------------------------------------------
def qr(*args):
    """qr([resq, resr,] A) -> Q, R with A = Q R; Q is m x k with orthonormal columns, R is
    k x n upper triangular (k = min(m, n))."""
    (resq, resr), (a,), _ = _split('qr', args, 2, 1)
    q, r = np.linalg.qr(_matrix('qr', a))
    cls = a.__class__
    return _out(resq, cls, q), _out(resr, cls, r)


def geqrf(*args):
    """geqrf([resa, restau,] A) -> a, tau: LAPACK's packed QR (R on and above the diagonal,
    the Householder vectors below it) and the reflector scales, for orgqr/ormqr."""
    (resa, restau), (a,), _ = _split('geqrf', args, 2, 1)
    h, tau = np.linalg.qr(_matrix('geqrf', a), mode='raw')
    cls = a.__class__
    return _out(resa, cls, h.T), _out(restau, cls, tau)


def _reflectors(name, a, tau, order):
    """Householder vectors (as rows of an array) and scales from geqrf output, for a Q of
    size order x order."""
    A = _matrix(name, a)
    t = tau._arr().reshape(-1)
    k = t.size
    if A.shape[0] != order or A.shape[1] < k or k > order:
        raise ValueError(f"{name}: reflectors of size {fmt_size(A.shape)} and {k} scales do "
                         f"not describe a Q of order {order}")
    v = np.tril(A[:, :k], -1).T.copy()
    v[np.arange(k), np.arange(k)] = 1
    return v, t


def orgqr(*args):
    """orgqr([res,] a, tau) -> Q (m x k, k = tau's size) from geqrf's output."""
    (res,), (a, tau), _ = _split('orgqr', args, 1, 2)
    m = _matrix('orgqr', a).shape[0]
    v, t = _reflectors('orgqr', a, tau, m)
    q = np.eye(m, t.size, dtype=v.dtype)
    for i in reversed(range(t.size)):       # Q = H0 H1 ... applied to the first k columns
        vi = v[i, i:]
        q[i:] -= t[i] * np.outer(vi, vi @ q[i:])
    return _out(res, a.__class__, q)


def ormqr(*args):
    """ormqr([res,] a, tau, C [, 'L'|'R'] [, 'N'|'T']) -> Q C, Q^T C, C Q or C Q^T, where Q is
    the orthogonal matrix that geqrf's output (a, tau) describes."""
    (res,), (a, tau, c), (side, trans) = _split(
        'ormqr', args, 1, 3, ((('L', 'R'), 'L'), (('N', 'T'), 'N')))
    C = np.array(_matrix('ormqr', c, 'C'))
    order = C.shape[0] if side == 'L' else C.shape[1]
    v, t = _reflectors('ormqr', a, tau, order)
    steps = range(t.size)
    if (side == 'L') == (trans == 'N'):
        steps = reversed(steps)
    for i in steps:
        vi = v[i, i:]
        if side == 'L':
            C[i:] -= t[i] * np.outer(vi, vi @ C[i:])
        else:
            C[:, i:] -= t[i] * np.outer(C[:, i:] @ vi, vi)
    return _out(res, c.__class__, C)
