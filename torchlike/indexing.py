"""The `[]` operator and the index/mask operations (reference §1.2 D and E).

`x[i]` selects along dim 0 (a Python number for a 1-D tensor); slices are Python slices (exclusive
end, no negative steps: Torch tensors have non-negative strides); `...` and `None` work as in
numpy; `x[LongTensor]` is `x.index(0, idx)` (a copy); `x[ByteTensor mask]` is `maskedSelect` (a
copy). Assignment works through all of them. Index values are 0-based.
"""
import numpy as np

from ._core import TensorBase, fmt_size, is_int, normdim, parse_sizes, shape_of, wrap
from . import types as _types
from .pointwise import emit

_LONG = _types.DTYPES['Long']


def _index_array(idx, what='index'):
    """A 1-D or N-D int64 numpy array from a LongTensor (any integer tensor), list or array."""
    if isinstance(idx, TensorBase):
        a = idx._arr()
    else:
        a = np.asarray(idx)
    if a.dtype.kind not in 'iu':
        if a.size == 0:
            return a.astype(np.int64)
        raise TypeError(f"{what} must be a LongTensor (or integers), got "
                        f"{getattr(idx, '_typename', type(idx).__name__)}")
    return a


def _check_range(name, idx, n, dim):
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].reshape(-1)[0]
        raise IndexError(f"{name}: index {bad} is out of range for dimension {dim} of size {n} "
                         f"(valid: {-n} to {n - 1})")


def _mask_array(mask, a, name):
    """A boolean numpy array with a's shape from a ByteTensor mask of the same number of
    elements (Torch7 accepted any shape with the same nElement)."""
    m = mask._arr() if isinstance(mask, TensorBase) else np.asarray(mask)
    if m.dtype != np.bool_:
        if m.dtype.kind not in 'iu':
            raise TypeError(f"{name}: the mask must be a ByteTensor, got "
                            f"{getattr(mask, '_typename', m.dtype)}")
        m = m != 0
    if m.shape != a.shape:
        if m.size != a.size:
            raise ValueError(f"{name}: the mask has size {fmt_size(shape_of(m))} but the tensor "
                             f"has size {fmt_size(shape_of(a))}")
        m = m.reshape(a.shape)
    return m


def _is_mask(key):
    return isinstance(key, TensorBase) and key._dtype == np.uint8


def _numpy_key(key, a):
    """Translate a Torch-style key into a numpy key; returns (key, is_basic)."""
    if isinstance(key, tuple):
        parts = [_numpy_key_part(k) for k in key]
        basic = all(p[1] for p in parts)
        return tuple(p[0] for p in parts), basic
    k, basic = _numpy_key_part(key)
    return k, basic


def _numpy_key_part(k):
    if isinstance(k, slice):
        if k.step is not None and k.step <= 0:
            raise IndexError(f"slice step must be positive, got {k.step} (Torch tensors cannot "
                             f"have negative strides; index with a reversed LongTensor instead)")
        return k, True
    if k is None or k is Ellipsis or is_int(k):
        return k, True
    if isinstance(k, TensorBase):
        arr = k._arr()
        return (arr != 0 if arr.dtype == np.uint8 else _index_array(k)), False
    if isinstance(k, (list, np.ndarray)):
        arr = np.asarray(k)
        if arr.dtype == np.bool_:
            return arr, False
        return _index_array(arr), False
    raise TypeError(f"invalid index of type {type(k).__name__}: use integers, slices, ..., None, "
                    f"a LongTensor or a ByteTensor mask")


def _deliver(res, cls, r):
    """A new tensor of class `cls` on `r`, or `r` written into `res` (resized)."""
    if res is None:
        return wrap(cls, np.ascontiguousarray(r))
    if not r.size:
        r = r.reshape(0)  # an empty result (0 x k from nonzero) is an empty tensor
    return emit(res, res, r)


def _key_text(key):
    """A one-line description of an index (a tensor's repr spans many lines)."""
    if isinstance(key, tuple):
        return '(' + ', '.join(_key_text(k) for k in key) + ')'
    if isinstance(key, TensorBase):
        return f"{key._typename} of size {fmt_size(shape_of(key._arr()))}"
    return repr(key)


def _int_range_error(key, a):
    if not a.size:
        return IndexError(f"index {key} is out of range: the tensor is empty")
    n = a.shape[0]
    return IndexError(f"index {key} is out of range for dimension 0 of size {n} "
                      f"(valid: {-n} to {n - 1})")


def _index_error(e, a, key):
    return IndexError(f"index {_key_text(key)} is out of range for a tensor of size "
                      f"{fmt_size(shape_of(a))}: {e}")


class IndexMixin:
    __slots__ = ()

    def __getitem__(self, key):
        a = self._a
        if self._buf is not self._st._data:
            a = self._refresh()
        if type(key) is int or is_int(key):
            if a.ndim == 1:
                try:
                    return a[key].item()
                except IndexError:
                    raise _int_range_error(key, a) from None
            if not a.size:
                raise IndexError("cannot index an empty tensor")
            n = a.shape[0]
            if not -n <= key < n:
                raise _int_range_error(key, a)
            return self._view(a[key])
        if _is_mask(key):
            return self.maskedSelect(key)
        nkey, basic = _numpy_key(key, a)
        try:
            r = a[nkey]
        except IndexError as e:
            raise _index_error(e, a, key) from None
        if basic:
            if r.ndim == 0:
                return r.item()
            return self._view(r)
        return wrap(self.__class__, np.ascontiguousarray(r))

    def __setitem__(self, key, value):
        a = self._arr()
        v = value._arr() if isinstance(value, TensorBase) else value
        if _is_mask(key):
            if isinstance(value, TensorBase):
                self.maskedCopy(key, value)
            else:
                self.maskedFill(key, value)
            return
        nkey, _ = _numpy_key(key, a)
        try:
            a[nkey] = v
        except IndexError as e:
            if is_int(key):
                raise _int_range_error(key, a) from None
            raise _index_error(e, a, key) from None
        except ValueError:
            target = a[nkey]
            vv = np.asarray(v)
            if vv.size == np.size(target):
                a[nkey] = vv.reshape(np.shape(target))  # same count, other shape: Torch7 copy
            else:
                region = (f"size {fmt_size(np.shape(target))}" if np.ndim(target)
                          else "a single element")
                raise ValueError(f"cannot assign a value of size {fmt_size(shape_of(vv))} to "
                                 f"an indexed region of {region}") from None

    # -- index ops ---------------------------------------------------------------------------
    def index(self, *args):
        """x.index(dim, idx) -> new tensor of the slices idx along dim; res.index(x, dim, idx)."""
        if len(args) == 3:
            return _index(self, *args)
        return _index(None, self, *args)

    def indexCopy(self, dim, idx, src):
        """Copy the slices of `src` into positions `idx` along `dim`, in place."""
        a = self._arr()
        d, i = self._dim_and_index('indexCopy', dim, idx)
        s = src._arr() if isinstance(src, TensorBase) else np.asarray(src)
        want = a.shape[:d] + (len(i),) + a.shape[d + 1:]
        if s.shape != want:
            if s.size != int(np.prod(want)):
                raise ValueError(f"indexCopy: source has size {fmt_size(shape_of(s))}, expected "
                                 f"{fmt_size(want)}")
            s = s.reshape(want)
        a[(slice(None),) * d + (i,)] = s
        return self

    def indexAdd(self, dim, idx, src):
        """Add the slices of `src` into positions `idx` along `dim`; repeated indices add up."""
        a = self._arr()
        d, i = self._dim_and_index('indexAdd', dim, idx)
        s = src._arr() if isinstance(src, TensorBase) else np.asarray(src)
        want = a.shape[:d] + (len(i),) + a.shape[d + 1:]
        if s.shape != want:
            if s.size != int(np.prod(want)):
                raise ValueError(f"indexAdd: source has size {fmt_size(shape_of(s))}, expected "
                                 f"{fmt_size(want)}")
            s = s.reshape(want)
        np.add.at(a, (slice(None),) * d + (i,), s)
        return self

    def indexFill(self, dim, idx, value):
        a = self._arr()
        d, i = self._dim_and_index('indexFill', dim, idx)
        a[(slice(None),) * d + (i,)] = value
        return self

    def _dim_and_index(self, name, dim, idx):
        a = self._arr()
        d = normdim(dim, a.ndim if a.size else 0)
        i = _index_array(idx).reshape(-1)
        _check_range(name, i, a.shape[d], d)
        return d, i

    def gather(self, *args):
        """x.gather(dim, idx) -> new tensor with out[i][j] = x[idx[i][j]][j] (dim 0), etc.
        res.gather(x, dim, idx) writes into res."""
        if len(args) == 3:
            return _gather(self, *args)
        return _gather(None, self, *args)

    def scatter(self, dim, idx, src):
        """In place: self[idx[i][j]][j] = src[i][j] (dim 0), src a tensor or a number."""
        a = self._arr()
        d = normdim(dim, a.ndim if a.size else 0)
        i = _index_array(idx)
        if i.ndim != a.ndim:
            raise ValueError(f"scatter: index has {i.ndim} dimensions but the tensor has "
                             f"{a.ndim}")
        for k in range(a.ndim):
            if k != d and i.shape[k] > a.shape[k]:
                raise ValueError(f"scatter: index size {fmt_size(i.shape)} exceeds tensor size "
                                 f"{fmt_size(a.shape)} at dimension {k}")
        _check_range('scatter', i, a.shape[d], d)
        if isinstance(src, TensorBase):
            s = src._arr()
            if s.ndim != i.ndim or any(ns < ni for ns, ni in zip(s.shape, i.shape)):
                raise ValueError(f"scatter: source size {fmt_size(s.shape)} is smaller than "
                                 f"index size {fmt_size(i.shape)}")
            s = s[tuple(slice(0, n) for n in i.shape)]
        else:
            s = src
        target = a[tuple(slice(0, n) if k != d else slice(None) for k, n in enumerate(i.shape))]
        np.put_along_axis(target, i, s, axis=d)
        return self

    def maskedSelect(self, *args):
        """x.maskedSelect(mask) -> new 1-D tensor of the elements where mask is 1."""
        if len(args) == 2:
            res, (src, mask) = self, args
        else:
            res, src, mask = None, self, args[0]
        a = src._arr()
        return _deliver(res, src.__class__, a[_mask_array(mask, a, 'maskedSelect')])

    def maskedFill(self, mask, value):
        a = self._arr()
        a[_mask_array(mask, a, 'maskedFill')] = value
        return self

    def maskedCopy(self, mask, src):
        """Copy the elements of `src`, in order, to the positions where mask is 1."""
        a = self._arr()
        m = _mask_array(mask, a, 'maskedCopy')
        s = (src._arr() if isinstance(src, TensorBase) else np.asarray(src)).reshape(-1)
        k = int(m.sum())
        if s.size < k:
            raise ValueError(f"maskedCopy: the mask selects {k} elements but the source has "
                             f"only {s.size}")
        a[m] = s[:k]
        return self

    def nonzero(self, *args):
        """K x dim() LongTensor of the 0-based subscripts of the non-zero elements."""
        if args:
            res, src = self, args[0]
        else:
            res, src = None, self
        a = src._arr()
        r = np.argwhere(a).astype(np.int64) if a.size else np.empty((0,), np.int64)
        return _deliver(res, _types.tensor_classes['torch.LongTensor'], r)

    def repeatTensor(self, *sizes):
        """A copy tiled `sizes` times (more sizes than dimensions add leading dimensions)."""
        reps = parse_sizes(sizes, 'repeatTensor')
        a = self._arr()
        if len(reps) < (a.ndim if a.size else 0):
            raise ValueError(f"repeatTensor: {len(reps)} repetition counts for a "
                             f"{a.ndim}-D tensor; give at least one per dimension")
        return wrap(self.__class__, np.tile(a, reps))


def _index(res, x, dim, idx):
    a = x._arr()
    d = normdim(dim, a.ndim if a.size else 0)
    i = _index_array(idx).reshape(-1)
    _check_range('index', i, a.shape[d], d)
    return _deliver(res, x.__class__, np.take(a, i, axis=d))


def _gather(res, x, dim, idx):
    a = x._arr()
    d = normdim(dim, a.ndim if a.size else 0)
    i = _index_array(idx)
    if i.ndim != a.ndim:
        raise ValueError(f"gather: index has {i.ndim} dimensions but the tensor has {a.ndim}")
    for k in range(a.ndim):
        if k != d and i.shape[k] > a.shape[k]:
            raise ValueError(f"gather: index size {fmt_size(i.shape)} exceeds tensor size "
                             f"{fmt_size(a.shape)} at dimension {k}")
    _check_range('gather', i, a.shape[d], d)
    src = a[tuple(slice(0, n) if k != d else slice(None) for k, n in enumerate(i.shape))]
    return _deliver(res, x.__class__, np.take_along_axis(src, i, axis=d))


def index(*args):
    """torch.index(x, dim, idx) or torch.index(res, x, dim, idx)."""
    return _index(*args) if len(args) == 4 else _index(None, *args)


def gather(*args):
    """torch.gather(x, dim, idx) or torch.gather(res, x, dim, idx)."""
    return _gather(*args) if len(args) == 4 else _gather(None, *args)


def maskedSelect(*args):
    """torch.maskedSelect(x, mask) or torch.maskedSelect(res, x, mask)."""
    if len(args) == 3:
        return args[0].maskedSelect(args[1], args[2])
    return args[0].maskedSelect(args[1])


def nonzero(*args):
    """torch.nonzero(x) or torch.nonzero(res, x)."""
    if len(args) == 2:
        return args[0].nonzero(args[1])
    return args[0].nonzero()


def repeatTensor(*args):
    """torch.repeatTensor(x, sizes...) or torch.repeatTensor(res, x, sizes...)."""
    if len(args) >= 2 and isinstance(args[1], TensorBase):
        res, x = args[0], args[1]
        return _deliver(res, x.__class__, x.repeatTensor(*args[2:])._arr())
    return args[0].repeatTensor(*args[1:])
