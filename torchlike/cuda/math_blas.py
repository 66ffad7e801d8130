"""BLAS-like operations of the CUDA tensors on the tiled GEMM of kernels/cuda/gemm.py, with the
CPU's forms and checks (torchlike/blas.py): `torch.mm(A, B)` new, `torch.mm(res, A, B)` and
`res.mm(A, B)` into res; `M.addmm([v1,] [v2,] A, B)` is M = v1*M + v2*A·B in place;
`torch.addmm([res,] [v1,] M, [v2,] A, B)`. Operands of any strides go to the kernel as they
are (a transposed matrix is only other strides); v1 = 0 ignores M's old values, NaN
included. Only torch.CudaTensor (float32) has these operations."""
from .._core import TensorBase, fmt_size
from ..blas import _split_scalars
from .math_common import blas, check_devices, check_tensor, float_only, red, read_scalar, scratch

_KIND = {1: 'vector', 2: 'matrix', 3: '3-D tensor (a batch of matrices)'}


def _mat(name, t, ndim, what):
    if not isinstance(t, TensorBase):
        raise TypeError(f"{name}: {what} must be a tensor, got {type(t).__name__}")
    if t.dim() != ndim:
        raise ValueError(f"{name}: {what} must be a {_KIND[ndim]}, got a tensor of size "
                         f"{fmt_size(t._size)}")


def _same_type(name, *ts):
    first = ts[0]
    for t in ts[1:]:
        if t.__class__ is not first.__class__:
            raise TypeError(f"{name}: expected tensors of one type, got {first._typename} and "
                            f"{t._typename}")


def _size_mismatch(name, a, b, n1, n2):
    return ValueError(f"{name}: size mismatch, {n1}: [{fmt_size(a._size)}], "
                      f"{n2}: [{fmt_size(b._size)}]")


# name -> (dims of the operands, their names in errors)
_SHAPES = {'mm': ((2, 2), ('m1', 'm2')), 'addmm': ((2, 2), ('m1', 'm2')),
           'mv': ((2, 1), ('mat', 'vec')), 'addmv': ((2, 1), ('mat', 'vec')),
           'bmm': ((3, 3), ('batch1', 'batch2')), 'baddbmm': ((3, 3), ('batch1', 'batch2')),
           'addbmm': ((3, 3), ('batch1', 'batch2')), 'addr': ((1, 1), ('vec1', 'vec2')),
           'ger': ((1, 1), ('vec1', 'vec2'))}


def _product_size(name, A, B, res=None):
    """Checks A and B for `name` and gives the size of their product."""
    check_tensor(name, A, res)
    check_devices(name, A, B)
    (na, nb), (n1, n2) = _SHAPES[name]
    _mat(name, A, na, 'the first operand' if nb != 1 or na != 1 else 'vec1')
    _mat(name, B, nb, 'the second operand' if nb != 1 or na != 1 else 'vec2')
    _same_type(name, A, B)
    float_only(name, A)
    a, b = A._size, B._size
    if na == 1:
        return (a[0], b[0])                          # outer product
    if na == 3:
        if a[0] != b[0] or a[2] != b[1]:
            raise _size_mismatch(name, A, B, n1, n2)
        return (a[0], a[1], b[2])
    if a[1] != b[0]:
        raise _size_mismatch(name, A, B, n1, n2)
    return (a[0],) + tuple(b[1:])


def _writable(res, cls, size, inputs):
    """(result, tensor the kernel writes). The GEMM reads its inputs while it writes, so the
    target must not share memory with them; any strides are fine, but no repeated (stride-0)
    element."""
    if res is None:
        t = cls._empty(size)
        return t, t
    if res._size != size:
        res.resize(size)
    ok = res.__class__ is cls and all(s or n == 1 for n, s in zip(res._size, res._stride))
    if ok and not any(isinstance(t, TensorBase) and t._st is res._st for t in inputs):
        return res, res
    return res, cls._empty(size)


def _run_product(name, alpha, A, B, beta, C):
    """C = alpha * A·B + beta * C for the product kind of `name`, on device views."""
    K = blas()
    if name in ('mv', 'addmv'):
        K.gemv(alpha, A._dev(), B._dev(), beta, C._dev())
    elif name in ('bmm', 'baddbmm'):
        K.gemm_batched(alpha, A._dev(), B._dev(), beta, C._dev())
    elif name in ('addr', 'ger'):
        K.gemm(alpha, A.unsqueeze(1)._dev(), B.unsqueeze(0)._dev(), beta, C._dev())
    elif name == 'addbmm':
        for b in range(A._size[0]):
            K.gemm(alpha, A.select(0, b)._dev(), B.select(0, b)._dev(),
                   beta if b == 0 else 1.0, C._dev())
    else:
        K.gemm(alpha, A._dev(), B._dev(), beta, C._dev())


def product(name, res, A, B):
    """res = A·B (new when res is None): mm, mv, bmm, ger."""
    size = _product_size(name, A, B, res)
    check_devices(name, A, res)
    out, w = _writable(res, A.__class__, size, (A, B))
    _run_product(name, 1.0, A, B, 0.0, w)
    if out is not w:
        out.copy(w)
    return out


def accumulate(name, res, v1, M, v2, X, Y):
    """res = v1*M + v2*X·Y; res is M for the in-place forms. Everything is checked before M or
    res changes."""
    size = _product_size(name, X, Y, M)
    if name == 'addbmm':
        size = size[1:]                              # the batch is summed
    check_tensor(name, M, res)
    check_devices(name, M, res)
    _same_type(name, M, X)
    what = 'vec1 x vec2' if name == 'addr' else 'product'
    if res is M or name == 'addr':
        if tuple(M._size) != size:
            raise ValueError(f"{name}: size mismatch, M: [{fmt_size(M._size)}], {what}: "
                             f"[{fmt_size(size)}]")
    elif not _broadcasts(M._size, size):
        raise ValueError(f"{name}: size mismatch, M: [{fmt_size(M._size)}], {what}: "
                         f"[{fmt_size(size)}]")
    if res is M:
        out, w = _writable(M, M.__class__, size, (X, Y))
        if w is not M and v1 != 0:
            w.copy(M)
    else:
        out, w = _writable(res, M.__class__, size, (X, Y, M))
        if v1 != 0:
            w.copy(M)            # broadcasts M to the product's size
    _run_product(name, v2, X, Y, v1, w)
    if out is not w:
        out.copy(w)
    return out


def _broadcasts(msize, size):
    if len(msize) > len(size):
        return False
    return all(m in (1, s) for m, s in zip(msize[::-1], size[::-1]))


def _acc_forms(name):
    def method(self, *args):
        v1, m, v2, x, y = _split_scalars(args, 2, name)
        return accumulate(name, self, v1, self if m is None else m, v2, x, y)

    def function(*args):
        tensors = [a for a in args if isinstance(a, TensorBase)]
        res, rest = (args[0], args[1:]) if len(tensors) == 4 else (None, args)
        v1, m, v2, x, y = _split_scalars(rest, 2, name)
        if m is None:
            raise TypeError(f"torch.{name}: the matrix M to add to is missing")
        return accumulate(name, res, v1, m, v2, x, y)
    method.__name__ = function.__name__ = name
    return method, function


def _two_operand_forms(name):
    def method(self, A, B):
        return product(name, self, A, B)

    def function(*args):
        if len(args) == 2:
            return product(name, None, *args)
        if len(args) == 3:
            return product(name, *args)
        raise TypeError(f"torch.{name} takes ([res,] A, B)")
    method.__name__ = function.__name__ = name
    return method, function


def dot(x, y):
    """Sum of the element-wise product (same number of elements): a Python number."""
    check_tensor('dot', x)
    check_devices('dot', x, y)
    if not isinstance(y, TensorBase):
        raise TypeError(f"dot: expected a tensor, got {type(y).__name__}")
    if x.nElement() != y.nElement():
        raise ValueError(f"dot: inconsistent tensor sizes {fmt_size(x._size)} and "
                         f"{fmt_size(y._size)}")
    _same_type('dot', x, y)
    if not x._size:
        return 0.0 if x._dtype.kind == 'f' else 0
    K = red()
    out = scratch()
    K.dot(x.contiguous()._dev_flat(), y.contiguous()._dev_flat(), out)
    v = read_scalar(out)
    return float(v) if x._dtype.kind == 'f' else int(v)


def matmul(self, other):
    """1-D @ 1-D -> number (dot); 2-D @ 1-D -> mv; 2-D @ 2-D -> mm; 3-D @ 3-D -> bmm."""
    if not isinstance(other, TensorBase):
        return NotImplemented
    check_devices('@', self, other)
    nd = (self.dim(), other.dim())
    if nd == (1, 1):
        return dot(self, other)
    name = {(2, 1): 'mv', (2, 2): 'mm', (3, 3): 'bmm'}.get(nd)
    if name is None:
        raise ValueError(f"@: unsupported operand sizes {fmt_size(self._size)} and "
                         f"{fmt_size(other._size)}")
    return product(name, None, self, other)


def build():
    methods, functions = {}, {}
    for name in ('mm', 'mv', 'bmm', 'ger'):
        methods[name], functions[name] = _two_operand_forms(name)
    for name in ('addmm', 'addmv', 'addr', 'baddbmm', 'addbmm'):
        methods[name], functions[name] = _acc_forms(name)
    methods['dot'] = functions['dot'] = dot
    methods['__matmul__'] = matmul
    return methods, functions
