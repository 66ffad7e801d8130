"""BLAS-like operations (reference §1.2 G), on numpy's matmul (which calls the machine's BLAS).

Forms: `torch.mm(A, B)` new; `torch.mm(res, A, B)` and `res.mm(A, B)` write A·B into res;
`M.addmm([v1,] [v2,] A, B)` is M = v1*M + v2*A·B in place; `torch.addmm([res,] [v1,] M, [v2,]
A, B)`. A number written just before M scales M, one written just before A scales the product,
as in Torch7. Both operands must have the same type (no hidden conversion copies of matrices).
"""
import numpy as np

from ._core import TensorBase, fmt_size, normdim, shape_of
from .pointwise import emit

_matmul = np.matmul


def _mat(name, t, ndim, what):
    if not isinstance(t, TensorBase):
        raise TypeError(f"{name}: {what} must be a tensor, got {type(t).__name__}")
    a = t._arr()
    if a.ndim != ndim or not a.size:
        kind = {1: 'vector', 2: 'matrix', 3: '3-D tensor (a batch of matrices)'}[ndim]
        raise ValueError(f"{name}: {what} must be a {kind}, got a tensor of size "
                         f"{fmt_size(shape_of(a))}")
    return a


def _same_type(name, *ts):
    dt = ts[0]._dtype
    for t in ts[1:]:
        if t._dtype != dt:
            raise TypeError(f"{name}: expected tensors of one type, got {ts[0]._typename} and "
                            f"{t._typename}")


def _size_mismatch(name, a, b, n1='m1', n2='m2'):
    return ValueError(f"{name}: size mismatch, {n1}: [{fmt_size(a.shape)}], "
                      f"{n2}: [{fmt_size(b.shape)}]")


def _product(name, A, B):
    """A·B for (matrix, matrix), (matrix, vector) and (batch, batch), with Torch7's checks."""
    _same_type(name, A, B)
    nd = {'mm': (2, 2), 'mv': (2, 1), 'bmm': (3, 3), 'addmm': (2, 2), 'addmv': (2, 1),
          'addbmm': (3, 3), 'baddbmm': (3, 3)}[name]
    a = _mat(name, A, nd[0], 'the first operand')
    b = _mat(name, B, nd[1], 'the second operand')
    if nd == (3, 3):
        if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
            raise _size_mismatch(name, a, b, 'batch1', 'batch2')
    elif a.shape[1] != b.shape[0]:
        raise _size_mismatch(name, a, b, 'm1' if nd[1] == 2 else 'mat', 'm2' if nd[1] == 2 else 'vec')
    return a, b


def _deliver(res, like, r):
    """A new tensor of like's type (cast: a float scale on an integer M computes in floating
    point) or `r` written into `res`."""
    return emit(res, like if res is None else res, r)


def _into(res, A, B, name):
    """res = A·B (new when res is None); writes straight into res when it has the right shape."""
    a, b = _product(name, A, B)
    if res is not None:
        ra = res._arr()
        shape = a.shape[:-1] + b.shape[1:] if name != 'bmm' else (a.shape[0], a.shape[1],
                                                                   b.shape[2])
        if ra.shape == shape and res._dtype == A._dtype:
            _matmul(a, b, out=ra)
            return res
    return _deliver(res, A, _matmul(a, b))


def _split_scalars(args, ntensors, name):
    """Torch7 accumulate forms: ([v1,] M, [v2,] X, Y) -> (v1, M, v2, X, Y). M may be absent
    (method form on M itself): then a single number scales the product and two numbers are
    v1, v2. A number anywhere else is an error (it would otherwise be silently misread)."""
    tensors = [a for a in args if isinstance(a, TensorBase)]
    if len(tensors) not in (ntensors, ntensors + 1):
        raise TypeError(f"{name}: expected ([v1,] M, [v2,] {'x, y' if ntensors == 2 else 'A'})"
                        f", got {len(tensors)} tensors")
    has_m = len(tensors) == ntensors + 1
    slots = ([], [])  # numbers before M (v1), numbers before the first product operand (v2)
    seen = 0
    for a in args:
        if isinstance(a, TensorBase):
            seen += 1
        elif isinstance(a, (int, float, np.number)):
            if seen > int(has_m):
                raise TypeError(f"{name}: a number after the operands of the product; the forms "
                                f"are ([v1,] M, [v2,] x, y)")
            slots[seen].append(a)
        else:
            raise TypeError(f"{name}: unexpected argument of type {type(a).__name__}")
    if not has_m:
        nums = slots[0]
        if len(nums) > 2:
            raise TypeError(f"{name}: at most two numbers (v1, v2), got {len(nums)}")
        v1, v2 = (nums[0], nums[1]) if len(nums) == 2 else (1, nums[0] if nums else 1)
        return v1, None, v2, tensors[-2], tensors[-1]
    if len(slots[0]) > 1 or len(slots[1]) > 1:
        raise TypeError(f"{name}: one number at most before M and one before the product")
    v1 = slots[0][0] if slots[0] else 1
    v2 = slots[1][0] if slots[1] else 1
    return v1, tensors[0], v2, tensors[-2], tensors[-1]


def _accumulate(name, res, v1, M, v2, X, Y, product):
    """res = v1*M + v2*product(X, Y). In place (res is M) with v1 == 0 the product is written
    straight into M. Sizes are checked before M is touched."""
    x, y = _product(name, X, Y)
    _same_type(name, M, X)
    m = M._arr()
    if res is M and v1 == 0 and product is _matmul:
        try:
            _matmul(x, y, out=m)
        except ValueError:
            pass  # M has the wrong size: reported below
        else:
            if v2 != 1:
                np.multiply(m, v2, out=m, casting='unsafe')
            return M
    p = product(x, y)
    try:
        shape = np.broadcast_shapes(m.shape, p.shape)
    except ValueError:
        shape = None
    if shape is None or (res is M and shape != m.shape):
        raise ValueError(f"{name}: size mismatch, M: [{fmt_size(shape_of(m))}], product: "
                         f"[{fmt_size(p.shape)}]")
    if v2 != 1:
        p = p * v2
    if res is M:
        if v1 == 0:
            m.fill(0)  # BLAS semantics: with v1 = 0, M's old values (even NaN) are ignored
        elif v1 != 1:
            np.multiply(m, v1, out=m, casting='unsafe')
        np.add(m, p, out=m, casting='unsafe')
        return M
    return _deliver(res, M, p if v1 == 0 else v1 * m + p)


def _addbmm_product(x, y):
    return _matmul(x, y).sum(0)


def _acc_method(name, ntensors, product):
    def method(self, *args):
        v1, m, v2, x, y = _split_scalars(args, ntensors, name)
        return _accumulate(name, self, v1, self if m is None else m, v2, x, y, product)

    def function(*args):
        tensors = [a for a in args if isinstance(a, TensorBase)]
        if len(tensors) == ntensors + 2:
            res, rest = args[0], args[1:]
        else:
            res, rest = None, args
        v1, m, v2, x, y = _split_scalars(rest, ntensors, name)
        if m is None:
            raise TypeError(f"torch.{name}: the matrix M to add to is missing")
        return _accumulate(name, res, v1, m, v2, x, y, product)

    method.__name__ = function.__name__ = name
    return method, function


def _outer(x, y):
    return np.multiply.outer(x, y)


def _check_vectors(name, X, Y):
    for t, what in ((X, 'vec1'), (Y, 'vec2')):
        _mat(name, t, 1, what)


class BlasMixin:
    __slots__ = ()

    def mm(self, A, B):
        """self = A·B (resized)."""
        return _into(self, A, B, 'mm')

    def mv(self, A, v):
        return _into(self, A, v, 'mv')

    def bmm(self, A, B):
        return _into(self, A, B, 'bmm')

    def ger(self, x, y):
        """self = outer product of vectors x and y."""
        _check_vectors('ger', x, y)
        _same_type('ger', x, y)
        return emit(self, self, _outer(x._arr(), y._arr()))

    def dot(self, other):
        """Sum of the element-wise product (same number of elements), a number."""
        a, b = self._arr(), other._arr()
        if a.size != b.size:
            raise ValueError(f"dot: inconsistent tensor sizes {fmt_size(shape_of(a))} and "
                             f"{fmt_size(shape_of(b))}")
        _same_type('dot', self, other)
        if a.dtype.kind in 'iu':  # accumulate in 64 bits (Torch7's accreal), not in uint8
            return int(np.dot(a.reshape(-1).astype(np.int64), b.reshape(-1).astype(np.int64)))
        return np.dot(a.reshape(-1), b.reshape(-1)).item()

    def cross(self, *args):
        """x.cross(y [, dim]) -> new; res.cross(x, y [, dim]). `dim` defaults to the first
        dimension of size 3."""
        if len(args) >= 2 and isinstance(args[1], TensorBase):
            return cross(self, *args)
        return cross(None, self, *args)

    def __matmul__(self, other):
        """1-D @ 1-D -> number (dot); 2-D @ 1-D -> mv; 2-D @ 2-D -> mm; 3-D @ 3-D -> bmm."""
        if not isinstance(other, TensorBase):
            return NotImplemented
        nd = (self.dim(), other.dim())
        if nd == (1, 1):
            return self.dot(other)
        name = {(2, 1): 'mv', (2, 2): 'mm', (3, 3): 'bmm'}.get(nd)
        if name is None:
            raise ValueError(f"@: unsupported operand sizes {fmt_size(self.size())} and "
                             f"{fmt_size(other.size())}")
        return _into(None, self, other, name)


BlasMixin.addmm, _addmm = _acc_method('addmm', 2, _matmul)
BlasMixin.addmv, _addmv = _acc_method('addmv', 2, _matmul)
BlasMixin.addbmm, _addbmm = _acc_method('addbmm', 2, _addbmm_product)
BlasMixin.baddbmm, _baddbmm = _acc_method('baddbmm', 2, _matmul)


def _addr_method(self, *args):
    v1, m, v2, x, y = _split_scalars(args, 2, 'addr')
    _check_vectors('addr', x, y)
    return _accumulate_outer(self, v1, self if m is None else m, v2, x, y)


def _accumulate_outer(res, v1, M, v2, X, Y):
    _same_type('addr', M, X, Y)
    p = _outer(X._arr(), Y._arr())
    m = M._arr()
    if m.shape != p.shape:
        raise ValueError(f"addr: size mismatch, M: [{fmt_size(m.shape)}], vec1 x vec2: "
                         f"[{fmt_size(p.shape)}]")
    r = v2 * p if v1 == 0 else v1 * m + v2 * p  # v1 = 0 ignores M (even NaN), as BLAS
    if res is M:
        np.copyto(m, r, casting='unsafe')
        return M
    return _deliver(res, M, r)


def _addr_function(*args):
    tensors = [a for a in args if isinstance(a, TensorBase)]
    res, rest = (args[0], args[1:]) if len(tensors) == 4 else (None, args)
    v1, m, v2, x, y = _split_scalars(rest, 2, 'addr')
    if m is None:
        raise TypeError("torch.addr: the matrix M to add to is missing")
    _check_vectors('addr', x, y)
    return _accumulate_outer(res, v1, m, v2, x, y)


BlasMixin.addr = _addr_method


def cross(res, x, y, dim=None):
    _same_type('cross', x, y)
    a, b = x._arr(), y._arr()
    if a.shape != b.shape:
        raise ValueError(f"cross: inconsistent tensor sizes {fmt_size(shape_of(a))} and "
                         f"{fmt_size(shape_of(b))}")
    if dim is None:
        dims = [d for d, n in enumerate(a.shape) if n == 3]
        if not dims:
            raise ValueError(f"cross: no dimension of size 3 in {fmt_size(shape_of(a))}")
        dim = dims[0]
    else:
        dim = normdim(dim, len(shape_of(a)))
    if a.shape[dim] != 3:
        raise ValueError(f"cross: dimension {dim} has size {a.shape[dim]}, expected 3")
    return _deliver(res, x, np.cross(a, b, axis=dim))


def _two_operand(name, shape_name):
    def function(*args):
        if len(args) == 2:
            return _into(None, args[0], args[1], name)
        if len(args) == 3:
            return _into(args[0], args[1], args[2], name)
        raise TypeError(f"torch.{name} takes ([res,] {shape_name})")
    function.__name__ = name
    return function


def _ger(*args):
    res, x, y = args if len(args) == 3 else (None,) + tuple(args)
    _check_vectors('ger', x, y)
    _same_type('ger', x, y)
    return _deliver(res, x, _outer(x._arr(), y._arr()))


def _dot(x, y):
    return x.dot(y)


def _cross_function(*args):
    if len(args) >= 3 and isinstance(args[2], TensorBase):
        return cross(*args)
    return cross(None, *args)


FUNCTIONS = {
    'mm': _two_operand('mm', 'A, B'), 'mv': _two_operand('mv', 'A, v'),
    'bmm': _two_operand('bmm', 'batch1, batch2'), 'ger': _ger, 'dot': _dot,
    'addmm': _addmm, 'addmv': _addmv, 'addbmm': _addbmm, 'baddbmm': _baddbmm,
    'addr': _addr_function, 'cross': _cross_function,
}
