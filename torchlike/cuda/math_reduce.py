"""Reductions of the CUDA tensors, with the CPU's conventions (torchlike/reductions.py):
`x.sum()` is a Python number (int for integer tensors); `x.sum(d)` a new tensor keeping
dimension d with size 1; `res.sum(x, d)` writes into res; `x.max(d)` gives (values,
CudaLongTensor of 0-based indices). Sums accumulate in float64 (kernels/cuda/reduce.py), so
float32 results match the CPU's, which accumulates in double as Torch7 did."""
import math

from .._core import TensorBase, fmt_size, normdim
from ..reductions import _std_parts
from .math_common import (check_devices, check_tensor, deliver, long_class, prod, read_scalar,
                          red, scratch, target)


def _flat(x):
    return x.contiguous()._dev_flat()


def _number(x, v):
    """A float64 result as the Python number the CPU gives: int for integer tensors."""
    if x._dtype.kind != 'f' and v == v and abs(v) != math.inf:
        return int(v)
    return float(v)


def _whole(x, op, p=0.0):
    """The reduction `op` (a name in kernels/cuda/reduce.py) of all of x, a float64 number."""
    K = red()
    out = scratch()
    K.reduce_all(getattr(K, op), _flat(x), out, p)
    return read_scalar(out)


def _nonempty(name, x):
    if not x._size:
        raise ValueError(f"{name} of an empty tensor is undefined")


def _layout(x, dim):
    """(d, outer, n, inner, size of the result keeping d) for reducing x along dim."""
    size = x._size
    d = normdim(dim, len(size))
    return (d, prod(size[:d]), size[d], prod(size[d + 1:]),
            size[:d] + (1,) + size[d + 1:])


def along(name, res, x, dim, op, p=0.0):
    """x reduced along dim by reduce_dim's `op` (SUM PROD MEAN NORM VAR STD): a tensor of x's
    type keeping dim with size 1, new or written into res."""
    check_tensor(name, x, res)
    check_devices(name, x, res)
    d, outer, n, inner, osize = _layout(x, dim)
    K = red()
    xf = _flat(x)
    out, w = target(res, x.__class__, osize, (x,))
    K.reduce_dim(getattr(K, op), xf, outer, n, inner, w._dev_flat(), None, p)
    return deliver(out, w)


def _extreme_along(name, resv, resi, x, dim):
    check_tensor(name, x, resv)
    check_devices(name, x, resv, resi)
    _nonempty(name, x)
    d, outer, n, inner, osize = _layout(x, dim)
    K = red()
    xf = _flat(x)
    vout, vw = target(resv, x.__class__, osize, (x,))
    iout, iw = target(resi, long_class(), osize, (x,))
    K.reduce_dim(K.MAX if name == 'max' else K.MIN, xf, outer, n, inner, vw._dev_flat(),
                 iw._dev_flat())
    return deliver(vout, vw), deliver(iout, iw)


# -- sum / prod / mean -------------------------------------------------------------------------------
def _sum_whole(x):
    return _number(x, _whole(x, 'SUM')) if x._size else _number(x, 0.0)


def _prod_whole(x):
    return _number(x, _whole(x, 'PROD')) if x._size else _number(x, 1.0)


def _mean_whole(x):
    _nonempty('mean', x)
    return float(_whole(x, 'SUM') / x.nElement())


def _reducer(name, whole, op):
    def method(self, *args):
        if not args:
            return whole(self)
        if len(args) == 1:
            return along(name, None, self, args[0], op)
        if len(args) == 2 and isinstance(args[0], TensorBase):
            return along(name, self, args[0], args[1], op)
        raise TypeError(f"{name} takes ([x,] [dim]) (got {len(args)} arguments)")

    def function(*args):
        if len(args) == 1:
            check_tensor(name, args[0])
            return whole(args[0])
        if len(args) == 2:
            return along(name, None, args[0], args[1], op)
        if len(args) == 3:
            return along(name, *args, op)
        raise TypeError(f"torch.{name} takes ([res,] x [, dim])")
    method.__name__ = function.__name__ = name
    return method, function


def _extreme(name):
    def method(self, *args):
        if not args:
            _nonempty(name, self)
            return _number(self, _whole(self, 'MAX' if name == 'max' else 'MIN'))
        if len(args) == 1:
            return _extreme_along(name, None, None, self, args[0])
        raise TypeError(f"{name} takes ([dim]); use torch.{name}(resval, resind, x, dim) to "
                        f"write into given tensors")

    def function(*args):
        if len(args) == 1:
            check_tensor(name, args[0])
            return method(args[0])
        if len(args) == 2:
            return _extreme_along(name, None, None, *args)
        if len(args) == 4:
            return _extreme_along(name, *args)
        raise TypeError(f"torch.{name} takes ([resval, resind,] x [, dim])")
    method.__name__ = function.__name__ = name
    return method, function


# -- var / std / norm / dist / cumsum ------------------------------------------------------------------
def _var(name, res, x, args):
    check_tensor(name, x, res)
    dim, ddof = _std_parts(name, args)
    if dim is None:
        n = x.nElement()
        if n <= ddof:
            raise ValueError(f"{name}: needs at least {ddof + 1} elements, the tensor has {n}")
        mean = _whole(x, 'SUM') / n
        v = float(_whole(x, 'SUMSQDEV', mean) / (n - ddof))
        return math.sqrt(v) if name == 'std' else v
    d = normdim(dim, len(x._size))
    if x._size[d] <= ddof:
        raise ValueError(f"{name}: dimension {d} has size {x._size[d]}; needs at least "
                         f"{ddof + 1} elements")
    return along(name, res, x, d, name.upper(), ddof)


def _norm_whole(x, p):
    if not x._size:
        return 0.0
    if p == 2:
        return math.sqrt(_whole(x, 'SUMSQ'))
    if p == 1:
        return float(_whole(x, 'SUMABS'))
    if p == 0:
        return float(_whole(x, 'NNZ'))
    if p == math.inf:
        return float(_whole(x, 'MAXABS'))
    return float(_whole(x, 'SUMPOW', p) ** (1.0 / p))


def _norm(res, x, p=2, dim=None):
    check_tensor('norm', x, res)
    if dim is None:
        if res is not None:
            raise TypeError("norm(res, x, ...): the result form needs a dimension")
        return _norm_whole(x, p)
    return along('norm', res, x, dim, 'NORM', p)


def _dist(x, other, p=2):
    check_tensor('dist', x)
    check_devices('dist', x, other)
    if not isinstance(other, TensorBase):
        raise TypeError(f"dist: expected a tensor, got {type(other).__name__}")
    if x.nElement() != other.nElement():
        raise ValueError(f"dist: sizes {fmt_size(x._size)} and {fmt_size(other._size)} have "
                         f"different numbers of elements")
    if not x._size:
        return 0.0
    a = x.contiguous().view(-1)
    b = other.contiguous().view(-1)
    if b.__class__ is not a.__class__:
        b = b.type(a._typename)
    return _norm_whole(a - b, p)


def _scan(name, res, x, dim):
    check_tensor(name, x, res)
    check_devices(name, x, res)
    d, outer, n, inner, _ = _layout(x, dim)
    K = red()
    xf = _flat(x)
    out, w = target(res, x.__class__, x._size, (x,))
    K.scan_dim(K.CUMSUM if name == 'cumsum' else K.CUMPROD, xf, outer, n, inner, w._dev_flat())
    return deliver(out, w)


def _count_nonzero(x):
    return int(_whole(x, 'NNZ')) if x._size else 0


def _result_form(name, fn):
    """`fn(res, x, *args)` as Torch7's methods: x.f(*args) -> fn(None, x, ...); res.f(x, ...)
    -> fn(res, x, ...)."""
    def method(self, *args):
        if args and isinstance(args[0], TensorBase):
            return fn(self, args[0], *args[1:])
        return fn(None, self, *args)

    def function(x, *args):
        if args and isinstance(args[0], TensorBase):
            return fn(x, args[0], *args[1:])
        return fn(None, x, *args)
    method.__name__ = function.__name__ = name
    return method, function


def build():
    methods, functions = {}, {}
    for name, whole, op in (('sum', _sum_whole, 'SUM'), ('prod', _prod_whole, 'PROD'),
                            ('mean', _mean_whole, 'MEAN')):
        methods[name], functions[name] = _reducer(name, whole, op)
    for name in ('max', 'min'):
        methods[name], functions[name] = _extreme(name)
    methods['var'], functions['var'] = _result_form('var', lambda r, x, *a: _var('var', r, x, a))
    methods['std'], functions['std'] = _result_form('std', lambda r, x, *a: _var('std', r, x, a))
    methods['norm'], functions['norm'] = _result_form('norm', _norm)
    methods['cumsum'], functions['cumsum'] = _result_form(
        'cumsum', lambda r, x, dim=0: _scan('cumsum', r, x, dim))
    methods['cumprod'], functions['cumprod'] = _result_form(
        'cumprod', lambda r, x, dim=0: _scan('cumprod', r, x, dim))
    methods['dist'] = functions['dist'] = _dist

    def all_(x):
        check_tensor('all', x)
        return _count_nonzero(x) == x.nElement()

    def any_(x):
        check_tensor('any', x)
        return _count_nonzero(x) > 0

    def equal(x, other):
        """Same size and the same values (NaN equals nothing)."""
        check_tensor('equal', x)
        check_devices('equal', x, other)
        if tuple(x._size) != tuple(other.size()):
            return False
        return not x._size or _count_nonzero(x.ne(other)) == 0
    for name, fn in (('all', all_), ('any', any_), ('equal', equal)):
        fn.__name__ = name
        methods[name] = functions[name] = fn
    return methods, functions
