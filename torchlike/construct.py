"""Tensor-building functions (reference §1.2 A): zeros, ones, eye, range, linspace, diag, cat, ...

Each produces the default tensor type unless a result tensor is given first (`torch.zeros(res,
2, 3)` resizes and fills res), as in Torch7.
"""
import numpy as np

from ._core import TensorBase, fmt_size, parse_sizes, shape_of, wrap
from . import types as _types
from .pointwise import emit


def _res_and_rest(args):
    if args and isinstance(args[0], TensorBase):
        return args[0], args[1:]
    return None, args


def _filled(name, value, args):
    res, rest = _res_and_rest(args)
    size = parse_sizes(rest, name) or (0,)  # no sizes: an empty tensor (no 0-d tensors)
    if any(s < 0 for s in size):
        raise ValueError(f"{name}: sizes must be non-negative, got {fmt_size(size)}")
    if res is not None:
        return res.resize(size).fill(value)
    cls = _types.default_tensor_class()
    if cls._is_cuda:
        t = cls(*size)
        return t.fill(value) if value else t
    return wrap(cls, np.full(size, value, cls._dtype))


def zeros(*args):
    """torch.zeros([res,] sizes...): a tensor of zeros."""
    return _filled('zeros', 0, args)


def ones(*args):
    """torch.ones([res,] sizes...): a tensor of ones."""
    return _filled('ones', 1, args)


def _deliver(res, r):
    """A new tensor of the default type on array `r`, or `r` written into `res`."""
    if res is None:
        cls = _types.default_tensor_class()
        if cls._is_cuda:
            return cls._from_host(r)
        return wrap(cls, np.ascontiguousarray(r, dtype=cls._dtype))
    if res._is_cuda:
        return res.resize(r.shape).copy(r)
    return emit(res, res, r)


def eye(*args):
    """torch.eye([res,] n [, m]): the identity matrix (n x m)."""
    res, rest = _res_and_rest(args)
    if not 1 <= len(rest) <= 2:
        raise TypeError("torch.eye takes ([res,] n [, m])")
    n = rest[0]
    m = rest[1] if len(rest) == 2 else n
    if n <= 0 or m <= 0:
        raise ValueError(f"eye: sizes must be positive, got {n} x {m}")
    return _deliver(res, np.eye(n, m))


def range(*args):
    """torch.range([res,] a, b [, step]): a, a+step, ..., up to and including b (Torch7)."""
    res, rest = _res_and_rest(args)
    if len(rest) not in (2, 3):
        raise TypeError("torch.range takes ([res,] start, end [, step])")
    a, b = rest[0], rest[1]
    step = rest[2] if len(rest) == 3 else 1
    if step == 0:
        raise ValueError("range: step must not be zero")
    if (b - a) * step < 0:
        raise ValueError(f"range: cannot go from {a} to {b} with step {step}")
    n = int(np.floor((b - a) / step + 1e-9)) + 1
    return _deliver(res, a + step * np.arange(n, dtype=np.float64))


def arange(*args):
    """torch.arange([res,] [start,] stop [, step]): Python-style, `stop` excluded."""
    res, rest = _res_and_rest(args)
    if not 1 <= len(rest) <= 3:
        raise TypeError("torch.arange takes ([res,] [start,] stop [, step])")
    if len(rest) > 2 and rest[2] == 0:
        raise ValueError("arange: step must not be zero")
    r = np.arange(*rest, dtype=np.float64)
    if not r.size:
        raise ValueError(f"arange{tuple(rest)} is empty")
    return _deliver(res, r)


def linspace(*args):
    """torch.linspace([res,] a, b [, n=100]): n equally spaced points from a to b."""
    res, rest = _res_and_rest(args)
    if len(rest) not in (2, 3):
        raise TypeError("torch.linspace takes ([res,] start, end [, n])")
    n = rest[2] if len(rest) == 3 else 100
    if n < 2 and rest[0] != rest[1] or n < 1:
        raise ValueError(f"linspace: the number of points must be at least 2, got {n}")
    return _deliver(res, np.linspace(rest[0], rest[1], n))


def logspace(*args):
    """torch.logspace([res,] a, b [, n=100]): n points from 10^a to 10^b."""
    res, rest = _res_and_rest(args)
    if len(rest) not in (2, 3):
        raise TypeError("torch.logspace takes ([res,] start, end [, n])")
    n = rest[2] if len(rest) == 3 else 100
    if n < 2 and rest[0] != rest[1] or n < 1:
        raise ValueError(f"logspace: the number of points must be at least 2, got {n}")
    return _deliver(res, np.logspace(rest[0], rest[1], n))


def _same_class(res, x, r):
    """A new tensor of x's type on `r` (cast when numpy promoted, e.g. cat of mixed types),
    or `r` written into `res`."""
    return emit(res, x if res is None else res, r)


def diag(*args):
    """torch.diag([res,] x [, k]): a vector -> a matrix with it on diagonal k; a matrix -> its
    diagonal k as a vector."""
    if len(args) >= 2 and isinstance(args[1], TensorBase):
        res, x, rest = args[0], args[1], args[2:]
    else:
        res, x, rest = None, args[0], args[1:]
    k = rest[0] if rest else 0
    a = x._arr()
    if a.ndim not in (1, 2) or not a.size:
        raise ValueError(f"diag expects a vector or a matrix, got size {fmt_size(shape_of(a))}")
    if a.ndim == 2 and not -a.shape[0] < k < a.shape[1]:
        raise ValueError(f"diag: diagonal {k} does not exist in a {fmt_size(a.shape)} matrix")
    return _same_class(res, x, np.diag(a, k))


def _triangle(name, fn):
    def function(*args):
        if len(args) >= 2 and isinstance(args[1], TensorBase):
            res, x, rest = args[0], args[1], args[2:]
        else:
            res, x, rest = None, args[0], args[1:]
        a = x._arr()
        if a.ndim != 2 or not a.size:
            raise ValueError(f"{name} expects a matrix, got size {fmt_size(shape_of(a))}")
        return _same_class(res, x, fn(a, rest[0] if rest else 0))
    function.__name__ = name
    return function


tril = _triangle('tril', np.tril)
triu = _triangle('triu', np.triu)


def cat(*args):
    """torch.cat(x1, x2, ... [, dim]) or torch.cat([res,] [x1, x2, ...] [, dim]):
    concatenation along `dim` (default: the last dimension, as Torch7); empty tensors are
    skipped."""
    args = list(args)
    dim = None
    if args and not isinstance(args[-1], (TensorBase, list, tuple)):
        dim = args.pop()
    res = None
    if len(args) >= 2 and isinstance(args[0], TensorBase) and isinstance(args[1], (list, tuple)):
        res = args.pop(0)
    tensors = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    if not tensors or not all(isinstance(t, TensorBase) for t in tensors):
        raise TypeError("torch.cat expects tensors (or one list of tensors) and an optional dim")
    if tensors[0]._is_cuda or (res is not None and res._is_cuda):
        return _cat_on_device(res, tensors, dim)
    arrays = [t._arr() for t in tensors if t._arr().size]
    if not arrays:
        return tensors[0].new() if res is None else res.resize(0)
    nd = max(a.ndim for a in arrays)
    d = nd - 1 if dim is None else (dim + nd if dim < 0 else dim)
    if not 0 <= d < nd:
        raise IndexError(f"cat: dimension {dim} is out of range for {nd}-D tensors")
    for a in arrays:
        if a.ndim != nd or a.shape[:d] + a.shape[d + 1:] != arrays[0].shape[:d] + \
                arrays[0].shape[d + 1:]:
            sizes = ', '.join(fmt_size(b.shape) for b in arrays)
            raise ValueError(f"cat: the sizes must match except in dimension {d}; got {sizes}")
    r = np.concatenate(arrays, axis=d)
    return _same_class(res, tensors[0], r)


def _cat_on_device(res, tensors, dim):
    """torch.cat of CUDA tensors: the result is resized once and each piece copied into its
    narrow() of it on the device."""
    from .cuda.tensor import check_device
    for t in tensors[1:] + ([res] if res is not None else []):
        check_device(tensors[0], t, 'cat')
    sizes = [tuple(t.size()) for t in tensors if t.nElement()]
    if not sizes:
        return tensors[0].new() if res is None else res.resize(0)
    nd = max(len(s) for s in sizes)
    d = nd - 1 if dim is None else (dim + nd if dim < 0 else dim)
    if not 0 <= d < nd:
        raise IndexError(f"cat: dimension {dim} is out of range for {nd}-D tensors")
    rest = sizes[0][:d] + sizes[0][d + 1:]
    if any(len(s) != nd or s[:d] + s[d + 1:] != rest for s in sizes):
        raise ValueError(f"cat: the sizes must match except in dimension {d}; got "
                         f"{', '.join(fmt_size(s) for s in sizes)}")
    out_size = sizes[0][:d] + (sum(s[d] for s in sizes),) + sizes[0][d + 1:]
    out = type(tensors[0])._empty(*out_size) if res is None else res.resize(out_size)
    at = 0
    for t in tensors:
        if t.nElement():
            out.narrow(d, at, t.size(d)).copy(t)
            at += t.size(d)
    return out


def reshape(*args):
    """torch.reshape([res,] x, sizes...): a contiguous copy with new sizes."""
    if len(args) >= 2 and isinstance(args[1], TensorBase):
        res, x, sizes = args[0], args[1], args[2:]
        return emit(res, res, x.reshape(*sizes)._arr())
    return args[0].reshape(*args[1:])


def histc(x, nbins=100, lo=0, hi=0):
    """Histogram of x's values in `nbins` equal bins between lo and hi (the data's min and max
    when lo == hi), as a tensor of x's type."""
    a = x._arr().astype(np.float64)
    if nbins <= 0:
        raise ValueError(f"histc: nbins must be positive, got {nbins}")
    if lo == hi and a.size:
        lo, hi = a.min(), a.max()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts, _ = np.histogram(a, bins=nbins, range=(lo, hi))
    return wrap(x.__class__, counts.astype(x._dtype))


def numel(x):
    return x.nElement()


def _view_function(name):
    def function(x, *args):
        return getattr(x, name)(*args)
    function.__name__ = name
    function.__doc__ = f"torch.{name}(x, ...) is x.{name}(...)."
    return function


VIEW_FUNCTIONS = {name: _view_function(name) for name in (
    'narrow', 'select', 'sub', 'transpose', 't', 'permute', 'unfold', 'view', 'viewAs', 'expand',
    'expandAs', 'squeeze', 'unsqueeze', 'split', 'chunk', 'clone', 'contiguous')}
