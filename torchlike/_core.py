"""Low-level pieces every tensor method family shares: the tensor base layout, wrapping numpy
arrays as tensors, lazily materialised storages, and dimension/size argument parsing.

A tensor is three slots:
  _a    the numpy view that CPU math runs on (built from storage, offset, size, stride);
  _st   its Storage, or FRESH for a result whose storage has not been asked for yet;
  _buf  the storage buffer `_a` was built on. When the storage reallocates (`resize`),
        `_st._data is not _buf` and the view is re-derived (see `TensorBase._refresh`).
Creating a Storage object for every temporary result would cost more than the arithmetic on a
10-element tensor, so results get one only when someone asks (`storage()`, a view, `set`).
"""
import numpy as np

from .storage import Storage, default_type_new
from . import types as _types

new_object = object.__new__
ndarray = np.ndarray


class _Unmaterialised:
    __slots__ = ('_data',)


FRESH = _Unmaterialised()
FRESH._data = None


class Size(tuple):
    """Sizes and strides. Torch7 returned a LongStorage; a tuple is what Python code expects,
    and every constructor/resize/view also takes a LongStorage."""
    __slots__ = ()

    def size(self):
        return len(self)

    def totable(self):
        return list(self)

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"


def fmt_size(shape):
    """'4 x 3' style text for error messages (Torch7's)."""
    return ' x '.join(str(s) for s in shape) if len(shape) else 'empty'


def fmt_shape(shape):
    """'4x3' style, as in printed tensors."""
    return 'x'.join(str(s) for s in shape) if len(shape) else 'empty'


def shape_of(a):
    """The Torch view of a numpy shape: no dimensions at all for an empty tensor."""
    return a.shape if a.size else ()


def storage_for(a):
    """A Storage over the memory that array `a` spans, with `a` at offset 0."""
    cls = _types.storage_class_by_dtype[a.dtype]
    if a.flags.c_contiguous:
        return cls._wrap(a.reshape(-1))
    extent = 1 + sum((n - 1) * s for n, s in zip(a.shape, a.strides)) // a.itemsize if a.size else 0
    data = np.lib.stride_tricks.as_strided(a, (extent,), (a.itemsize,))
    return cls._wrap(data)


def wrap(cls, a):
    """A new tensor of class `cls` on the fresh array `a` (no copy, no checks)."""
    t = new_object(cls)
    t._a = a
    t._st = FRESH
    t._buf = None
    return t


def normdim(d, ndim, what='dimension'):
    """0-based dimension `d` (negative counts from the end) checked against `ndim`."""
    try:
        j = d + ndim if d < 0 else d
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {type(d).__name__}") from None
    if not 0 <= j < ndim:
        if ndim == 0:
            raise IndexError(f"{what} {d} is out of range: the tensor is empty (no dimensions)")
        raise IndexError(f"{what} {d} is out of range for a {ndim}-D tensor "
                         f"(valid: {-ndim} to {ndim - 1})")
    return int(j)


def is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def parse_sizes(args, what='size'):
    """Sizes given as ints, or as one tuple/list/Size/LongStorage/LongTensor -> tuple of ints."""
    if len(args) == 1 and not is_int(args[0]):
        s = args[0]
        if isinstance(s, Storage):
            s = s._data.tolist()
        elif isinstance(s, TensorBase):
            s = s._arr().reshape(-1).tolist()
        try:
            args = tuple(s)
        except TypeError:
            raise TypeError(f"{what}: expected integers or a sequence of sizes, "
                            f"got {type(s).__name__}") from None
    out = []
    for v in args:
        if not is_int(v):
            raise TypeError(f"{what}: sizes must be integers, got {v!r} ({type(v).__name__})")
        out.append(int(v))
    return tuple(out)


class TensorBase:
    """The slot layout shared by every tensor class (see the module docstring)."""
    __slots__ = ('_a', '_st', '_buf', '__weakref__')
    _dtype = None
    _typename = 'torch.Tensor'
    _is_cuda = False       # True on the CUDA tensor classes (torchlike/cuda/tensor.py)
    __new__ = default_type_new

    @staticmethod
    def _default_class():
        return _types.default_tensor_class()

    def _arr(self):
        """The numpy view, re-derived first if the storage has been reallocated."""
        if self._buf is not self._st._data:
            return self._refresh()
        return self._a

    def _refresh(self):
        st = self._st
        a, old = self._a, self._buf
        isz = a.itemsize
        offset = (a.__array_interface__['data'][0] - old.__array_interface__['data'][0]) // isz
        data = st._data
        if a.size == 0:
            self._a = data[0:0]
        else:
            extent = offset + 1 + sum((n - 1) * s for n, s in zip(a.shape, a.strides)) // isz
            if extent > len(data):
                raise RuntimeError(
                    f"this tensor (size {fmt_size(a.shape)}, storage offset {offset}) no longer "
                    f"fits its storage, which was resized to {len(data)} elements")
            self._a = ndarray(a.shape, a.dtype, data, offset * isz, a.strides)
        self._buf = data
        return self._a

    def storage(self):
        """The Storage this tensor views (created on first request for fresh results)."""
        st = self._st
        if st is FRESH:
            if any(s < 0 for s in self._a.strides):
                self._a = self._a.copy()  # Torch storages cannot hold negative strides
            st = storage_for(self._a)
            self._st = st
            self._buf = st._data
        return st

    def _view(self, arr):
        """A new tensor of the same class viewing `arr`, a numpy view of this tensor's memory."""
        st = self._st
        if st is FRESH:
            st = self.storage()
        t = new_object(self.__class__)
        t._a = arr
        t._st = st
        t._buf = st._data
        return t
