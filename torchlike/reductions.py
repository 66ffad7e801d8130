"""Reductions (reference §1.2 H).

Over the whole tensor they return a Python number; over a dimension they return a tensor that
keeps that dimension with size 1 (Torch7). `max/min/median/mode/kthvalue/sort/topk` over a
dimension return (values, LongTensor of 0-based indices). Float tensors accumulate sums in double
precision, as Torch7's accreal did.
"""
import numpy as np

from ._core import TensorBase, fmt_size, normdim, shape_of, wrap
from . import types as _types
from .pointwise import emit

_F32 = np.dtype(np.float32)
_sum = np.add.reduce


def _long_class():
    return _types.tensor_classes['torch.LongTensor']


def _acc_dtype(a):
    """Accumulation type: double for float32 (Torch7's accreal), numpy's default otherwise."""
    return np.float64 if a.dtype is _F32 or a.dtype == _F32 else None


def _dim_of(x, dim):
    a = x._arr()
    return a, normdim(dim, a.ndim if a.size else 0)


def _nonempty(name, a):
    if not a.size:
        raise ValueError(f"{name} of an empty tensor is undefined")


def _reducer(name, whole, along):
    """sum/prod/mean-style: x.f() -> number; x.f(d) -> new tensor; res.f(x, d) into res.
    `whole(a)` reduces everything, `along(a, d)` reduces dim d keeping it."""

    def compute(res, x, dim):
        a, d = _dim_of(x, dim)
        return emit(res, x, along(a, d))

    def method(self, *args):
        if not args:
            return whole(self._arr())
        if len(args) == 1:
            return compute(None, self, args[0])
        if len(args) == 2 and isinstance(args[0], TensorBase):
            return compute(self, args[0], args[1])
        raise TypeError(f"{name} takes ([x,] [dim]) (got {len(args)} arguments)")

    def function(*args):
        if len(args) == 1:
            return whole(args[0]._arr())
        if len(args) == 2:
            return compute(None, args[0], args[1])
        if len(args) == 3:
            return compute(*args)
        raise TypeError(f"torch.{name} takes ([res,] x [, dim])")

    method.__name__ = function.__name__ = name
    return method, function


def _sum_whole(a):
    return _sum(a, None, _acc_dtype(a)).item()


def _sum_along(a, d):
    return _sum(a, d, _acc_dtype(a), keepdims=True)


def _prod_whole(a):
    return np.multiply.reduce(a, None, _acc_dtype(a)).item()


def _prod_along(a, d):
    return np.multiply.reduce(a, d, _acc_dtype(a), keepdims=True)


def _mean_whole(a):
    _nonempty('mean', a)
    return (_sum(a, None, np.float64) / a.size).item()


def _mean_along(a, d):
    return a.mean(d, dtype=np.float64, keepdims=True)


def _std_parts(name, args):
    """([dim], [flag]) -> (dim or None, ddof). flag True divides by n (biased)."""
    dim, flag = None, False
    if len(args) >= 1:
        if isinstance(args[0], bool):
            flag = args[0]
        else:
            dim = args[0]
    if len(args) >= 2:
        flag = bool(args[1])
    if len(args) > 2:
        raise TypeError(f"{name} takes ([dim], [flag])")
    return dim, 0 if flag else 1


def _var(name, x, args, res=None):
    dim, ddof = _std_parts(name, args)
    a = x._arr()
    if dim is None:
        if a.size <= ddof:
            raise ValueError(f"{name}: needs at least {ddof + 1} elements, the tensor has {a.size}")
        return a.var(dtype=np.float64, ddof=ddof).item()
    d = normdim(dim, a.ndim if a.size else 0)
    if a.shape[d] <= ddof:
        raise ValueError(f"{name}: dimension {d} has size {a.shape[d]}; needs at least "
                         f"{ddof + 1} elements")
    return emit(res, x, a.var(d, dtype=np.float64, ddof=ddof, keepdims=True))


def _norm_array(a, p, d=None):
    keep = d is not None
    if p == 2:
        return np.sqrt(_sum(np.square(a, dtype=np.float64), d, keepdims=keep))
    if p == 1:
        return _sum(np.abs(a), d, np.float64, keepdims=keep)
    if p == 0:
        return _sum(a != 0, d, np.float64, keepdims=keep)
    if p == np.inf:
        return np.abs(a).max(d, keepdims=keep).astype(np.float64)
    return _sum(np.abs(a.astype(np.float64)) ** p, d, keepdims=keep) ** (1.0 / p)


def _values_indices(res_v, res_i, x, vals, idx):
    """Deliver a (values, indices) pair, new or into the given result tensors."""
    if not vals.size:
        vals, idx = vals.reshape(0), idx.reshape(0)  # empty results are empty tensors
    v = emit(res_v, x, vals)
    if res_i is None:
        i = wrap(_long_class(), np.ascontiguousarray(idx.astype(np.int64)))
    else:
        i = emit(res_i, res_i, idx)
    return v, i


def _extreme(name, arg, red):
    """max/min: x.max() -> number; x.max(d) -> (values, indices)."""

    def compute(res_v, res_i, x, dim):
        a, d = _dim_of(x, dim)
        _nonempty(name, a)
        idx = arg(a, axis=d, keepdims=True)
        return _values_indices(res_v, res_i, x, np.take_along_axis(a, idx, d), idx)

    def method(self, *args):
        if not args:
            a = self._arr()
            _nonempty(name, a)
            return red(a).item()
        if len(args) == 1:
            return compute(None, None, self, args[0])
        raise TypeError(f"{name} takes ([dim]); use torch.{name}(resval, resind, x, dim) to "
                        f"write into given tensors")

    def function(*args):
        if len(args) == 1:
            return method(args[0])
        if len(args) == 2:
            return compute(None, None, *args)
        if len(args) == 4:
            return compute(*args)
        raise TypeError(f"torch.{name} takes ([resval, resind,] x [, dim])")

    method.__name__ = function.__name__ = name
    return method, function


def _default_last(x, dim):
    a = x._arr()
    nd = a.ndim if a.size else 0
    return a, normdim(nd - 1 if dim is None else dim, nd)


def _kth(a, d, k, name):
    n = a.shape[d]
    if not 1 <= k <= n:
        raise ValueError(f"{name}: k = {k} is out of range for dimension {d} of size {n} "
                         f"(valid: 1 to {n})")
    order = np.argsort(a, axis=d, kind='stable')
    idx = np.take(order, [k - 1], axis=d)
    return np.take_along_axis(a, idx, d), idx


def _mode_along(a, d):
    moved = np.moveaxis(a, d, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    vals = np.empty(flat.shape[0], a.dtype)
    idx = np.empty(flat.shape[0], np.int64)
    for r, row in enumerate(flat):
        uniq, counts = np.unique(row, return_counts=True)
        v = uniq[np.argmax(counts)]  # ties: the smallest value
        vals[r] = v
        idx[r] = np.flatnonzero(row == v)[-1]
    shape = moved.shape[:-1] + (1,)
    return (np.moveaxis(vals.reshape(shape), -1, d), np.moveaxis(idx.reshape(shape), -1, d))


class ReductionMixin:
    __slots__ = ()

    def sum(self, *args):
        """x.sum() -> number; x.sum(d) -> tensor keeping dim d; res.sum(x, d) writes into res."""
        if not args:
            a = self._a
            if self._buf is not self._st._data:
                a = self._refresh()
            if a.dtype is _F32:
                return _sum(a, None, np.float64).item()
            return _sum(a, None).item()
        return _sum_method(self, *args)

    def var(self, *args):
        """x.var() -> number; x.var(d [, flag]) -> tensor; flag True divides by n, else n-1."""
        return _var('var', self, args)

    def std(self, *args):
        r = _var('std', self, args)
        if isinstance(r, TensorBase):
            np.sqrt(r._arr(), out=r._arr())
            return r
        return r ** 0.5

    def norm(self, p=2, dim=None):
        """p-norm of all elements (a number), or along `dim` (a tensor keeping dim)."""
        a = self._arr()
        if dim is None:
            return _norm_array(a, p).item()
        d = normdim(dim, a.ndim if a.size else 0)
        return emit(None, self, _norm_array(a, p, d))

    def renorm(self, *args):
        """x.renorm(p, dim, maxnorm): scale each slice along `dim` whose p-norm exceeds maxnorm
        down to maxnorm, in place (a weight constraint). res.renorm(x, p, dim, maxnorm)."""
        if len(args) == 4:
            res, x, (p, dim, maxnorm) = self, args[0], args[1:]
        else:
            res, x, (p, dim, maxnorm) = self, self, args
        a = x._arr()
        d = normdim(dim, a.ndim if a.size else 0)
        if p <= 0:
            raise ValueError(f"renorm: p must be positive, got {p}")
        norms = _norm_array(np.moveaxis(a, d, 0).reshape(a.shape[d], -1), p, 1)
        factor = np.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
        shape = [1] * a.ndim
        shape[d] = a.shape[d]
        r = a * factor.reshape(shape)
        if res is x:
            np.copyto(a, r, casting='unsafe')
            return res
        return emit(res, x, r)

    def dist(self, other, p=2):
        """p-norm of self - other, a number."""
        a, b = self._arr(), other._arr()
        if a.size != b.size:
            raise ValueError(f"dist: sizes {fmt_size(shape_of(a))} and {fmt_size(shape_of(b))} "
                             f"have different numbers of elements")
        return _norm_array(a.astype(np.float64).reshape(-1) - b.reshape(-1), p).item()

    def trace(self):
        a = self._arr()
        if a.ndim != 2 or not a.size:
            raise ValueError(f"trace expects a 2-D tensor, got size {fmt_size(shape_of(a))}")
        return np.trace(a, dtype=_acc_dtype(a)).item()

    def cumsum(self, dim=0):
        a, d = _dim_of(self, dim)
        return emit(None, self, np.cumsum(a, d, dtype=_acc_dtype(a)))

    def cumprod(self, dim=0):
        a, d = _dim_of(self, dim)
        return emit(None, self, np.cumprod(a, d, dtype=_acc_dtype(a)))

    def kthvalue(self, k, dim=None):
        """The k-th smallest (k = 1 is the minimum) along `dim` (default last): values, indices."""
        a, d = _default_last(self, dim)
        _nonempty('kthvalue', a)
        vals, idx = _kth(a, d, k, 'kthvalue')
        return _values_indices(None, None, self, vals, idx)

    def median(self, dim=None):
        """The lower median along `dim` (default last): values, indices."""
        a, d = _default_last(self, dim)
        _nonempty('median', a)
        vals, idx = _kth(a, d, (a.shape[d] + 1) // 2, 'median')
        return _values_indices(None, None, self, vals, idx)

    def mode(self, dim=None):
        """The most frequent value along `dim` (default last; ties -> smallest): values, indices."""
        a, d = _default_last(self, dim)
        _nonempty('mode', a)
        vals, idx = _mode_along(a, d)
        return _values_indices(None, None, self, vals, idx)

    def sort(self, dim=None, descending=False):
        """Sorted values and their 0-based indices along `dim` (default last); stable.
        `x.sort(True)` sorts the last dimension in descending order (Torch7 allowed it)."""
        if isinstance(dim, bool):
            dim, descending = None, dim
        a, d = _default_last(self, dim)
        if not a.size:
            return self.clone(), wrap(_long_class(), np.empty(0, np.int64))
        idx = np.argsort(a, axis=d, kind='stable')
        if descending:
            idx = np.flip(idx, d)  # equal values then come last-index first
        return _values_indices(None, None, self, np.take_along_axis(a, idx, d), idx)

    def topk(self, k, dim=None, dir=False, sorted=True):
        """The k smallest (Torch7's default; dir=True for the largest) along `dim`: values,
        indices, in sorted order (ascending for smallest, descending for largest).
        `x.topk(k, True)` is the k largest along the last dimension (Torch7 allowed it)."""
        if isinstance(dim, bool):
            dim, dir = None, dim
        a, d = _default_last(self, dim)
        n = a.shape[d] if a.size else 0
        if not 0 <= k <= n:
            raise ValueError(f"topk: k = {k} is out of range for dimension {d} of size {n}")
        vals, idx = self.sort(d, descending=bool(dir))
        return vals.narrow(d, 0, k).clone(), idx.narrow(d, 0, k).clone()

    def all(self):
        return bool(self._arr().all())

    def any(self):
        return bool(self._arr().any())

    def equal(self, other):
        """Same size and the same values."""
        a, b = self._arr(), other._arr()
        return shape_of(a) == shape_of(b) and bool(np.array_equal(a, b))


_sum_method, _sum_function = _reducer('sum', _sum_whole, _sum_along)
_prod_method, _prod_function = _reducer('prod', _prod_whole, _prod_along)
_mean_method, _mean_function = _reducer('mean', _mean_whole, _mean_along)
ReductionMixin.prod = _prod_method
ReductionMixin.mean = _mean_method
ReductionMixin.max, _max_function = _extreme('max', np.argmax, np.max)
ReductionMixin.min, _min_function = _extreme('min', np.argmin, np.min)


def _result_form(name, fn):
    """Give method `fn(x, *args)` Torch7's result form: res.f(x, *args) writes into res."""
    def method(self, *args):
        if args and isinstance(args[0], TensorBase):
            r = fn(args[0], *args[1:])
            if not isinstance(r, TensorBase):
                raise TypeError(f"{name}(res, x, ...): the result form needs a dimension")
            return emit(self, self, r._arr())
        return fn(self, *args)
    method.__name__ = name
    method.__doc__ = fn.__doc__
    return method


for _name in ('var', 'std', 'norm', 'cumsum', 'cumprod'):
    setattr(ReductionMixin, _name, _result_form(_name, getattr(ReductionMixin, _name)))


def _with_optional_dim(name, method_name):
    """torch.f(x, ...) is x.f(...); torch.f(res, x, ...) is res.f(x, ...) where f has that
    result form."""
    def function(x, *args):
        return getattr(x, method_name)(*args)
    function.__name__ = name
    return function


def _pair_function(name):
    """torch.f(x, ...) -> (values, indices); torch.f(resval, resind, x, ...) writes into the
    two given tensors and returns them."""
    def function(*args):
        if len(args) >= 3 and all(isinstance(a, TensorBase) for a in args[:3]):
            resval, resind, x = args[:3]
            vals, idx = getattr(x, name)(*args[3:])
            _values_indices(resval, resind, x, vals._arr(), idx._arr())
            return resval, resind
        return getattr(args[0], name)(*args[1:])
    function.__name__ = name
    return function


FUNCTIONS = {
    'sum': _sum_function, 'prod': _prod_function, 'mean': _mean_function,
    'max': _max_function, 'min': _min_function,
}


def renorm(*args):
    """torch.renorm(x, p, dim, maxnorm) -> new tensor; torch.renorm(res, x, p, dim, maxnorm)."""
    if len(args) == 5:
        return args[0].renorm(*args[1:])
    return args[0].clone().renorm(*args[1:])


FUNCTIONS['renorm'] = renorm
for _name in ('var', 'std', 'norm', 'dist', 'trace', 'cumsum', 'cumprod', 'all', 'any',
              'equal'):
    FUNCTIONS[_name] = _with_optional_dim(_name, _name)
for _name in ('kthvalue', 'median', 'mode', 'sort', 'topk'):
    FUNCTIONS[_name] = _pair_function(_name)
