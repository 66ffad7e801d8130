"""CUDA tensors: torch.CudaTensor (float32), torch.CudaLongTensor (int64) and
torch.CudaByteTensor (uint8) over CUDA storages.

The Torch7 metadata lives in Python -- storage `_st`, offset `_off`, sizes `_size`, strides
`_stride` (elements; an empty tensor has no dimensions) -- and kernels get a numba device
array view built from it by `_dev()` (cached until the metadata or the storage buffer
changes). Views are metadata only (views.py); math comes from CudaMathMixin (math.py).

The classes subclass TensorBase so that `torch.isTensor` holds, but none of the numpy mixins
of the CPU `torch.Tensor`: `_arr()` (the numpy view CPU code asks for) raises a clear
cross-device error, and `_buf` never equals the storage buffer, so the CPU fast paths that
read `_a` directly also end in `_refresh()`, which raises the same error.
"""
import numpy as np

from .. import types as _types
from .._core import Size, TensorBase, fmt_size, is_int, new_object, normdim, parse_sizes
from ..storage import LongStorage, Storage
from ..tensor import _contiguous_strides, _geometry_args
from .device import memory
from .math import CudaMathMixin
from .math_common import numel, prod
from .moves import CudaMovesMixin
from .random import CudaRandomMixin
from .views import CudaViewMixin


class _OnDevice:
    """The `_buf` of every CUDA tensor: never a storage's buffer (see the module docstring)."""
    __slots__ = ()
    _data = None


ON_DEVICE = _OnDevice()

CPU_OP_ERROR = ("a {} lives on the GPU and cannot be used in a CPU operation (tensors on "
                "different devices); move it with .float() or move the other operand with "
                ".cuda()")


def check_device(t, other, what):
    """Raise TypeError naming both types when `t` and `other` are tensors on different
    devices (numbers and other objects pass)."""
    if isinstance(other, TensorBase) and other._is_cuda is not t._is_cuda:
        raise TypeError(f"{what}: tensors on different devices: {t._typename} and "
                        f"{other._typename}; move one with .cuda() or .float()")


def _check_geometry(n, offset, size, stride):
    """Torch7's bounds rules for (offset, size, stride) on a storage of n elements, with the
    CPU tensor's messages. (torchlike/tensor.py's view_on makes the same checks inline: a
    shared function would add a call to every CPU resize and set, measurably.)"""
    if any(s < 0 for s in size):
        raise ValueError(f"sizes must be non-negative, got {fmt_size(size)}")
    if len(stride) != len(size):
        raise ValueError(f"got {len(size)} sizes ({fmt_size(size)}) but {len(stride)} strides "
                         f"({fmt_size(stride)})")
    if any(s < 0 for s in stride):
        raise ValueError(f"strides must be non-negative, got {fmt_size(stride)}")
    if offset < 0 or offset > n:
        raise ValueError(f"storage offset {offset} is out of range for a storage of size {n}")
    if size and 0 not in size:
        extent = offset + 1 + sum((a - 1) * b for a, b in zip(size, stride))
        if extent > n:
            raise ValueError(f"a view with offset {offset}, size {fmt_size(size)} and stride "
                             f"{fmt_size(stride)} needs {extent} elements, but the storage "
                             f"has {n}")


def make(cls, st, offset, size, stride):
    """A new tensor of class `cls` on storage `st` (no checks). Empty -> no dimensions."""
    t = new_object(cls)
    t._a = None
    t._buf = ON_DEVICE
    t._st = st
    if size and 0 not in size:
        t._off, t._size, t._stride = offset, size, stride
    else:
        t._off, t._size, t._stride = 0, (), ()
    t._dvbuf = None
    return t


class CudaTensorBase(CudaViewMixin, CudaMovesMixin, CudaRandomMixin, CudaMathMixin, TensorBase):
    """A strided view (storage, offset, size, stride) on a CUDA storage. Forms as the CPU
    tensors: `()`, `(n1, n2, ...)` zeros, `(torch.Size[, strides])`, `(list or numpy array)`
    a copy, `(cudaTensor)` a view, `(cudaStorage[, offset[, sizes[, strides]]])`."""
    __slots__ = ('_off', '_size', '_stride', '_dv', '_df', '_dvbuf')
    _is_cuda = True
    _host_name = None          # the CPU twin: 'torch.FloatTensor' for torch.CudaTensor
    _storage_name = None

    def __init__(self, *args):
        self._a = None
        self._buf = ON_DEVICE
        self._dvbuf = None
        scls = _types.storage_classes[self._storage_name]
        if not args:
            self._place(scls(0), 0, (), ())
            return
        first = args[0]
        if is_int(first):
            self._init_zeros(scls, parse_sizes(args))
        elif isinstance(first, Size) or (isinstance(first, LongStorage)):
            size = parse_sizes((first,))
            if len(args) > 1 and args[1] is not None:
                stride = parse_sizes(args[1:2], 'stride')
                stride = tuple(s if s >= 0 else c
                               for s, c in zip(stride, _contiguous_strides(size)))
                if len(stride) != len(size):
                    raise ValueError(f"got {len(size)} sizes but {len(stride)} strides")
                n = 1 + sum((a - 1) * b for a, b in zip(size, stride)) if 0 not in size else 0
                self._place(scls(n), 0, size, stride)
            else:
                self._init_zeros(scls, size)
        elif isinstance(first, Storage):
            if first.__class__ is not scls:
                raise TypeError(f"a {self._typename} cannot view a {first._typename}")
            self._place(first, 0, (), ())
            self.set(first, *args[1:])
        elif isinstance(first, TensorBase):
            if len(args) > 1:
                raise TypeError("Tensor(tensor) takes no further arguments")
            if first.__class__ is not self.__class__:
                raise TypeError(f"a {self._typename} cannot view a {first._typename}; "
                                f"convert with .type('{self._typename}')")
            self._place(first._st, first._off, first._size, first._stride)
        elif len(args) == 1 and isinstance(first, (list, tuple, np.ndarray, range)):
            from ..tensor import _array_from_data
            host = _array_from_data(first, self._dtype)
            self._place(scls._wrap(memory().to_device(host)), 0, host.shape,
                        _contiguous_strides(host.shape))
        else:
            got = ', '.join(type(a).__name__ for a in args)
            raise TypeError(f"{self._typename}: cannot build a tensor from ({got})")

    def _init_zeros(self, scls, size):
        if any(s < 0 for s in size):
            raise ValueError(f"{self._typename}: sizes must be non-negative, got "
                             f"{fmt_size(size)}")
        self._place(scls(prod(size)), 0, size, _contiguous_strides(size))

    def _place(self, st, offset, size, stride):
        """Re-point this tensor (metadata only; drops the cached device views)."""
        self._st = st
        if size and 0 not in size:
            self._off, self._size, self._stride = offset, tuple(size), tuple(stride)
        else:
            self._off, self._size, self._stride = 0, (), ()
        self._dvbuf = None

    # -- what CPU code must not get ----------------------------------------------------------
    def _arr(self):
        raise TypeError(CPU_OP_ERROR.format(self._typename))

    def _refresh(self):
        raise TypeError(CPU_OP_ERROR.format(self._typename))

    def _view(self, arr):
        raise TypeError(CPU_OP_ERROR.format(self._typename))

    def numpy(self):
        raise TypeError(f"a {self._typename} lives on the GPU and has no numpy view; use "
                        f"x.float().numpy() (or x.long(), x.byte()) for a host copy")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"a {self._typename} lives on the GPU and cannot become a numpy array "
                        f"implicitly; use x.float().numpy() for a host copy")

    # -- device arrays for kernels -------------------------------------------------------------
    def _dev(self):
        """The numba device array viewing exactly this tensor (shape = size(), strides =
        stride() in bytes, at the storage offset); shape (0,) when empty. No copy."""
        data = self._st._data
        if self._dvbuf is data:
            v = self._dv
            if v is not None:
                return v
        else:
            self._revalidate(data)
        size = self._size
        if size:
            v = memory().strided_view(data, self._off, size, self._stride)
        else:
            v = data[0:0]
        self._dv = v
        return v

    def deviceArray(self):
        """The numba device array viewing this tensor's memory (no copy), for your own
        `@cuda.jit` kernels: the CUDA counterpart of `numpy()` (see docs/tutorial_new_module.md)."""
        return self._dev()

    def _dev_flat(self):
        """The 1-D contiguous device array of this tensor's nElement elements (no copy); a
        ValueError for a non-contiguous tensor (call contiguous() first)."""
        data = self._st._data
        if self._dvbuf is data:
            v = self._df
            if v is not None:
                return v
        else:
            self._revalidate(data)
        if not self.isContiguous():
            raise ValueError(f"_dev_flat needs a contiguous tensor; this {self._typename} has "
                             f"size {fmt_size(self._size)} and stride {fmt_size(self._stride)}")
        off = self._off
        v = data[off:off + prod(self._size)] if self._size else data[0:0]
        self._df = v
        return v

    def _revalidate(self, data):
        """The storage buffer changed (first use, or the storage was resized): check that the
        tensor still fits, and start new caches."""
        size = self._size
        if size:
            extent = self._off + 1 + sum((a - 1) * b for a, b in zip(size, self._stride))
            if extent > data.shape[0]:
                raise RuntimeError(
                    f"this tensor (size {fmt_size(size)}, storage offset {self._off}) no longer "
                    f"fits its storage, which was resized to {data.shape[0]} elements")
        self._dv = self._df = None
        self._dvbuf = data

    def _host(self):
        """A new contiguous host numpy array with this tensor's values (shape (0,) when
        empty)."""
        if not self._size:
            return np.empty(0, self._dtype)
        return memory().to_host(self._dev())

    @classmethod
    def _from_host(cls, a):
        """A new tensor of class `cls` holding a copy of numpy array `a` (cast)."""
        a = np.ascontiguousarray(a, dtype=cls._dtype)
        st = _types.storage_classes[cls._storage_name]._wrap(memory().to_device(a))
        return make(cls, st, 0, a.shape, _contiguous_strides(a.shape))

    @classmethod
    def _empty(cls, *sizes):
        """A new contiguous tensor of class `cls` whose contents are undefined (for results
        that a kernel overwrites completely: saves the zero fill)."""
        size = parse_sizes(sizes)
        st = _types.storage_classes[cls._storage_name]._wrap(
            memory().empty(prod(size), cls._dtype))
        return make(cls, st, 0, size, _contiguous_strides(size))

    # -- size and structure queries ------------------------------------------------------------
    def dim(self):
        return len(self._size)

    nDimension = dim
    ndimension = dim

    def size(self, d=None):
        if d is None:
            return Size(self._size)
        return self._size[normdim(d, len(self._size))]

    def stride(self, d=None):
        if d is None:
            return Size(self._stride)
        return self._stride[normdim(d, len(self._size))]

    @property
    def shape(self):
        return Size(self._size)

    def storage(self):
        return self._st

    def storageOffset(self):
        """0-based offset of the first element in the storage."""
        return self._off

    def nElement(self):
        return prod(self._size) if self._size else 0

    numel = nElement

    def elementSize(self):
        return self._dtype.itemsize

    def isContiguous(self):
        acc = 1
        for n, s in zip(reversed(self._size), reversed(self._stride)):
            if n != 1 and s != acc:
                return False
            acc *= n
        return True

    def isSize(self, sizes):
        return self._size == parse_sizes((sizes,))

    def isSameSizeAs(self, other):
        return tuple(self._size) == tuple(other.size())

    def isSetTo(self, other):
        return (self.nElement() > 0 and isinstance(other, CudaTensorBase)
                and self._st is other._st and self._off == other._off
                and self._size == other._size and self._stride == other._stride)

    def getDevice(self):
        return 0

    def __len__(self):
        return self._size[0] if self._size else 0

    def __bool__(self):
        n = self.nElement()
        if n != 1:
            raise ValueError(f"the truth value of a tensor with {n} elements is ambiguous; "
                             f"use all() or any()")
        return bool(self._host().reshape(-1)[0])

    def item(self):
        n = self.nElement()
        if n != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has size "
                             f"{fmt_size(self._size)}")
        return self._host().reshape(-1)[0].item()

    def __iter__(self):
        if len(self._size) <= 1:
            return iter(self.totable())
        return (self.select(0, i) for i in range(self._size[0]))

    def totable(self):
        return self._host().tolist()

    tolist = totable

    # -- in-place setters ----------------------------------------------------------------------
    def set(self, *args):
        """Re-point this tensor without copying: `set(cudaTensor)`, `set(cudaStorage[, offset
        [, sizes[, strides]]])` (0-based offset) or `set()` (empty, on a new storage)."""
        if not args:
            self._place(_types.storage_classes[self._storage_name](0), 0, (), ())
            return self
        src = args[0]
        if isinstance(src, TensorBase):
            if len(args) > 1:
                raise TypeError("set(tensor) takes no further arguments")
            if src.__class__ is not self.__class__:
                check_device(self, src, 'set')
                raise TypeError(f"set: cannot point a {self._typename} at a {src._typename}")
            self._place(src._st, src._off, src._size, src._stride)
            return self
        if not isinstance(src, Storage):
            raise TypeError(f"set: expected a tensor or a storage, got {type(src).__name__}")
        if src.__class__ is not _types.storage_classes[self._storage_name]:
            raise TypeError(f"set: cannot point a {self._typename} at a {src._typename}")
        offset, size, stride = _geometry_args(args[1:])
        n = len(src)
        if size is None:
            size = (max(n - offset, 0),)
        if stride is None:
            stride = _contiguous_strides(size)
        _check_geometry(n, offset, size, stride)
        self._place(src, offset, size, stride)
        return self

    def resize(self, *sizes):
        """Make the tensor contiguous with the given sizes, keeping its storage and offset and
        growing the storage when it is too small (Torch7)."""
        size = parse_sizes(sizes, 'resize')
        if size == self._size and self.isContiguous():
            return self
        if any(s < 0 for s in size):
            raise ValueError(f"resize: sizes must be non-negative, got {fmt_size(size)}")
        st = self._st
        offset = self._off
        n = prod(size)
        if size and n and offset + n > len(st):
            st.resize(offset + n)
        self._place(st, offset, size, _contiguous_strides(size))
        return self

    def resizeAs(self, other):
        return self.resize(tuple(other.size()))

    def fill(self, value):
        if self._size:
            memory().fill(self._dev(), value)
        return self

    def zero(self):
        return self.fill(0)

    def copy(self, src):
        """Copy the values of `src` -- a tensor on either device and of any type, a numpy array
        or a list -- into this tensor. Broadcastable shapes broadcast; other shapes with the
        same number of elements copy in row-major order (Torch7)."""
        dsize = self._size
        if isinstance(src, CudaTensorBase):
            ssize = src._size
            if ssize == dsize:
                if dsize:
                    memory().copy_strided(self._dev(), src._dev())
                return self
            from .views import broadcast_strides
            stride = broadcast_strides(ssize, src._stride, dsize) if ssize else None
            if stride is not None:
                view = make(src.__class__, src._st, src._off, dsize, stride)
            else:
                if prod(ssize) != prod(dsize) or not ssize or not dsize:
                    raise _copy_error(ssize, dsize)
                view = src.contiguous().view(dsize)
            memory().copy_strided(self._dev(), view._dev())
            return self
        if isinstance(src, TensorBase):
            s = src._arr()
        else:
            s = np.asarray(src)
        shape = dsize or (0,)
        try:
            host = np.broadcast_to(s, shape)
        except ValueError:
            sshape = s.shape if s.size else ()
            if s.size != prod(shape) or not dsize:
                raise _copy_error(sshape, dsize) from None
            host = s.reshape(shape)
        if dsize:
            memory().copy_from_host(self._dev(), host.astype(self._dtype, copy=False))
        return self

    # -- copies and conversions ----------------------------------------------------------------
    def new(self, *args):
        """A new tensor of the same type, built from `args` as the constructor does."""
        return self.__class__(*args)

    def clone(self):
        """A contiguous copy on a new storage."""
        t = self.__class__._empty(self._size)
        if self._size:
            memory().copy_strided(t._dev(), self._dev())
        return t

    def contiguous(self):
        return self if self.isContiguous() else self.clone()

    __hash__ = object.__hash__


def _copy_error(ssize, dsize):
    return ValueError(f"copy: cannot copy a tensor of size {fmt_size(ssize)} "
                      f"({numel(ssize)} elements) into one of size "
                      f"{fmt_size(dsize)} ({numel(dsize)} elements)")


def _make_class(name, short):
    cls = type(name, (CudaTensorBase,), {
        '__slots__': (), '_dtype': _types.DTYPES[short], '_typename': f'torch.{name}',
        '_host_name': f'torch.{short}Tensor',
        '_storage_name': f"torch.{name.replace('Tensor', 'Storage')}",
        '__module__': __name__})
    return _types.register_cuda_tensor_class(cls)


CudaTensor = _make_class('CudaTensor', 'Float')
CudaLongTensor = _make_class('CudaLongTensor', 'Long')
CudaByteTensor = _make_class('CudaByteTensor', 'Byte')
