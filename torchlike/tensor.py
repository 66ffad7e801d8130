"""The Tensor class: construction, size queries, in-place setters, type conversion and numpy
interop. Views, indexing, math, reductions, BLAS, random fills and linear algebra are mixed in
from one module per family (views.py, indexing.py, pointwise.py, ...).
"""
import numpy as np

from . import types as _types
from ._core import (FRESH, Size, TensorBase, fmt_size, is_int, ndarray, new_object, normdim,
                    parse_sizes, shape_of, storage_for, wrap)
from .storage import LongStorage, Storage
from .views import ViewMixin
from .indexing import IndexMixin
from .pointwise import PointwiseMixin
from .comparisons import ComparisonMixin
from .operators import OperatorMixin
from .reductions import ReductionMixin
from .blas import BlasMixin
from .rng import RandomMixin
from .linalg import LinalgMixin
from .functional import FunctionalMixin


def _contiguous_strides(size):
    strides, acc = [], 1
    for s in reversed(size):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def view_on(data, offset, size, stride):
    """A numpy view of the 1-D buffer `data`: the Torch geometry (offset, size, stride), checked."""
    n = len(data)
    if any(s < 0 for s in size):
        raise ValueError(f"sizes must be non-negative, got {fmt_size(size)}")
    if stride is None:
        stride = _contiguous_strides(size)
    elif len(stride) != len(size):
        raise ValueError(f"got {len(size)} sizes ({fmt_size(size)}) but {len(stride)} strides "
                         f"({fmt_size(stride)})")
    if any(s < 0 for s in stride):
        raise ValueError(f"strides must be non-negative, got {fmt_size(stride)}")
    if offset < 0 or offset > n:
        raise ValueError(f"storage offset {offset} is out of range for a storage of size {n}")
    if not size or 0 in size:
        return data[offset:offset]
    extent = offset + 1 + sum((a - 1) * b for a, b in zip(size, stride))
    if extent > n:
        raise ValueError(f"a view with offset {offset}, size {fmt_size(size)} and stride "
                         f"{fmt_size(stride)} needs {extent} elements, but the storage has {n}")
    isz = data.itemsize
    return ndarray(size, data.dtype, data, offset * isz, tuple(s * isz for s in stride))


def _geometry_args(args):
    """(offset, size, stride) from set/constructor arguments after the storage:
    (), (offset), (offset, sizes[, strides]) or Torch7's (offset, sz1, st1, sz2, st2, ...)."""
    if not args:
        return 0, None, None
    offset = args[0]
    if not is_int(offset):
        raise TypeError(f"storage offset must be an integer, got {type(offset).__name__}")
    rest = args[1:]
    if not rest:
        return int(offset), None, None
    if is_int(rest[0]):
        if len(rest) % 2:
            raise TypeError("the (storage, offset, size1, stride1, size2, stride2, ...) form "
                            "needs a stride for every size")
        size = parse_sizes(rest[0::2])
        stride = parse_sizes(rest[1::2], 'stride')
        return int(offset), size, stride
    if len(rest) > 2:
        raise TypeError("expected (storage, offset, sizes[, strides])")
    size = parse_sizes((rest[0],))
    stride = parse_sizes((rest[1],), 'stride') if len(rest) == 2 and rest[1] is not None else None
    return int(offset), size, stride


class Tensor(ViewMixin, IndexMixin, PointwiseMixin, OperatorMixin, ComparisonMixin, ReductionMixin,
             BlasMixin, RandomMixin, LinalgMixin, FunctionalMixin, TensorBase):
    """A strided view (storage, offset, size, stride) on a Storage.

    `torch.Tensor(...)` builds the default type (DoubleTensor unless changed with
    `torch.setdefaulttensortype`); `isinstance(x, torch.Tensor)` holds for every tensor type.
    Forms: `()` empty; `(n1, n2, ...)` zeros of that size; `(torch.Size)` or `(LongStorage)`
    sizes (plus optional strides); `(list or numpy array)` a copy of the data; `(tensor)` a new
    view of the same storage; `(storage[, offset[, sizes[, strides]]])` a view of a storage.
    """
    __slots__ = ()

    def __new__(cls, *args):
        if cls._dtype is None:
            cls = _types.default_tensor_class()
            if cls._is_cuda:
                # not a torch.Tensor subclass, so Python would not call its __init__
                t = object.__new__(cls)
                t.__init__(*args)
                return t
        return object.__new__(cls)

    def __init__(self, *args):
        dt = self._dtype
        self._buf = None
        if not args:
            self._set_fresh(np.empty(0, dt))
            return
        first = args[0]
        if is_int(first):
            self._set_fresh(self._zeros(parse_sizes(args)))
        elif isinstance(first, Size):
            if len(args) > 1 and args[1] is not None:
                self._init_strided(parse_sizes((first,)), parse_sizes(args[1:2], 'stride'))
            else:
                self._set_fresh(self._zeros(parse_sizes((first,))))
        elif isinstance(first, LongStorage) and dt != first._dtype:
            size = parse_sizes((first,))
            if len(args) > 1:
                self._init_strided(size, parse_sizes(args[1:2], 'stride'))
            else:
                self._set_fresh(self._zeros(size))
        elif isinstance(first, Storage):
            if first._dtype != dt:
                raise TypeError(f"a {self._typename} cannot view a {first._typename}")
            self._st = FRESH
            self.set(first, *args[1:])
        elif isinstance(first, TensorBase):
            if len(args) > 1:
                raise TypeError("Tensor(tensor) takes no further arguments")
            if first._dtype != dt:
                raise TypeError(f"a {self._typename} cannot view a {first._typename}; "
                                f"convert with .type('{self._typename}')")
            self._st = FRESH
            self.set(first)
        elif len(args) == 1 and isinstance(first, (list, tuple, np.ndarray, range)):
            self._set_fresh(_array_from_data(first, dt))
        else:
            got = ', '.join(type(a).__name__ for a in args)
            raise TypeError(f"{self._typename}: cannot build a tensor from ({got})")

    def _zeros(self, size):
        try:
            return np.zeros(size, self._dtype)
        except ValueError:   # numpy's message names no sizes
            raise ValueError(f"{self._typename}: sizes must be non-negative, got "
                             f"{fmt_size(size)}") from None

    def _set_fresh(self, a):
        self._a = a
        self._st = FRESH
        self._buf = None

    def _init_strided(self, size, stride):
        stride = tuple(st if st >= 0 else c for st, c in zip(stride, _contiguous_strides(size)))
        if len(stride) != len(size):
            raise ValueError(f"got {len(size)} sizes but {len(stride)} strides")
        n = 1 + sum((a - 1) * b for a, b in zip(size, stride)) if 0 not in size else 0
        st = _types.storage_class_by_dtype[self._dtype](n)
        self._st = FRESH
        self.set(st, 0, size, stride)

    def new(self, *args):
        """A new tensor of the same type, built from `args` as the constructor does."""
        return self.__class__(*args)

    # -- size and structure queries ------------------------------------------------------
    def dim(self):
        a = self._arr()
        return a.ndim if a.size else 0

    nDimension = dim
    ndimension = dim

    def size(self, d=None):
        a = self._arr()
        if d is None:
            return Size(a.shape if a.size else ())
        return a.shape[normdim(d, a.ndim if a.size else 0)]

    def stride(self, d=None):
        a = self._arr()
        isz = a.itemsize
        if d is None:
            return Size(s // isz for s in a.strides) if a.size else Size()
        return a.strides[normdim(d, a.ndim if a.size else 0)] // isz

    @property
    def shape(self):
        return self.size()

    def storageOffset(self):
        """0-based offset of the first element in the storage (Torch7's was 1-based)."""
        a = self._arr()
        st = self.storage()
        if a.size == 0:
            return 0
        return (a.__array_interface__['data'][0] - st._data.__array_interface__['data'][0]) \
            // a.itemsize

    def nElement(self):
        return self._arr().size

    numel = nElement

    def elementSize(self):
        return self._dtype.itemsize

    def isContiguous(self):
        return self._arr().flags.c_contiguous

    def isSize(self, sizes):
        return tuple(self.size()) == parse_sizes((sizes,))

    def isSameSizeAs(self, other):
        return shape_of(self._arr()) == shape_of(other._arr())

    def isSetTo(self, other):
        """Same storage, offset, size and stride (and not empty)."""
        return (self.nElement() > 0 and self.storage() is other.storage()
                and self.storageOffset() == other.storageOffset()
                and self.size() == other.size() and self.stride() == other.stride())

    def totable(self):
        return self._arr().tolist()

    tolist = totable

    def __len__(self):
        a = self._arr()
        return a.shape[0] if a.size else 0

    def __bool__(self):
        a = self._arr()
        if a.size != 1:
            raise ValueError(f"the truth value of a tensor with {a.size} elements is ambiguous; "
                             f"use all() or any()")
        return bool(a.reshape(-1)[0])

    def __iter__(self):
        a = self._arr()
        if a.ndim <= 1:
            return iter(a.tolist())
        return (self.select(0, i) for i in range(a.shape[0]))

    def item(self):
        a = self._arr()
        if a.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has size "
                             f"{fmt_size(shape_of(a))}")
        return a.reshape(-1)[0].item()

    # -- in-place setters -----------------------------------------------------------------
    def set(self, *args):
        """Re-point this tensor, without copying: `set(tensor)`, `set(storage[, offset[, sizes
        [, strides]]])` (offset 0-based) or `set()` (empty)."""
        if not args:
            self._a = np.empty(0, self._dtype)
            self._st = FRESH
            self._buf = None
            return self
        src = args[0]
        if isinstance(src, TensorBase):
            if len(args) > 1:
                raise TypeError("set(tensor) takes no further arguments")
            if src._dtype != self._dtype:
                raise TypeError(f"set: cannot point a {self._typename} at a {src._typename}")
            a = src._arr()
            st = src.storage()
            self._a, self._st, self._buf = a, st, st._data
            return self
        if not isinstance(src, Storage):
            raise TypeError(f"set: expected a tensor or a storage, got {type(src).__name__}")
        if src._dtype != self._dtype or getattr(src, '_is_cuda', False):
            raise TypeError(f"set: cannot point a {self._typename} at a {src._typename}")
        offset, size, stride = _geometry_args(args[1:])
        data = src._data
        if size is None:
            size = (max(len(data) - offset, 0),)  # an offset past the end is reported below
        self._a = view_on(data, offset, size, stride)
        self._st, self._buf = src, data
        return self

    def resize(self, *sizes):
        """Make the tensor contiguous with the given sizes, keeping its storage and offset and
        growing the storage when it is too small. Contents are the storage's, in flat order."""
        size = parse_sizes(sizes, 'resize')
        a = self._arr()
        if a.shape == size and a.flags.c_contiguous:
            return self
        if any(s < 0 for s in size):
            raise ValueError(f"resize: sizes must be non-negative, got {fmt_size(size)}")
        st = self.storage()
        offset = self.storageOffset()
        n = 1
        for s in size:
            n *= s
        if offset + n > len(st._data):
            st.resize(offset + n)
        data = st._data
        self._a = view_on(data, offset, size, None)
        self._buf = data
        return self

    def resizeAs(self, other):
        return self.resize(shape_of(other._arr()))

    def copy(self, src):
        """Copy the values of `src` (any tensor type, a numpy array or a list) into this tensor.
        Broadcastable shapes broadcast; other shapes with the same number of elements copy in
        row-major order, as Torch7 did."""
        dst = self._arr()
        if isinstance(src, TensorBase):
            s = src._host().reshape(src.size() or (0,)) if src._is_cuda else src._arr()
        else:
            s = np.asarray(src)
        try:
            np.copyto(dst, s, casting='unsafe')
        except ValueError:
            if s.size != dst.size:
                raise ValueError(f"copy: cannot copy a tensor of size {fmt_size(shape_of(s))} "
                                 f"({s.size} elements) into one of size "
                                 f"{fmt_size(shape_of(dst))} ({dst.size} elements)") from None
            np.copyto(dst, s.reshape(dst.shape), casting='unsafe')
        return self

    def fill(self, value):
        self._arr().fill(value)
        return self

    def zero(self):
        self._arr().fill(0)
        return self

    # -- copies and conversions -----------------------------------------------------------
    def clone(self):
        """A contiguous copy on a new storage."""
        return wrap(self.__class__, self._arr().copy())

    def contiguous(self):
        """This tensor if it is contiguous, else a contiguous copy."""
        a = self._arr()
        return self if a.flags.c_contiguous else wrap(self.__class__, a.copy())

    def type(self, name=None):
        """`type()` gives the type name; `type(name)` converts (self when already that type)."""
        if name is None:
            return self._typename
        cls = name if isinstance(name, type) else _types.tensor_class(name)
        if cls is self.__class__:
            return self
        if cls._is_cuda:
            return cls._from_host(self._arr())
        return wrap(cls, self._arr().astype(cls._dtype, order='C'))  # contiguous, as Torch7

    def typeAs(self, other):
        return self.type(other._typename)

    def byte(self):
        return self.type('torch.ByteTensor')

    def char(self):
        return self.type('torch.CharTensor')

    def short(self):
        return self.type('torch.ShortTensor')

    def int(self):
        return self.type('torch.IntTensor')

    def long(self):
        return self.type('torch.LongTensor')

    def float(self):
        return self.type('torch.FloatTensor')

    def double(self):
        return self.type('torch.DoubleTensor')

    def cuda(self):
        """A torch.CudaTensor copy on the device (cutorch's :cuda(), float32 whatever the
        type); cudaLong() / cudaByte() give CudaLongTensor / CudaByteTensor."""
        return self.type('torch.CudaTensor')

    def cudaLong(self):
        return self.type('torch.CudaLongTensor')

    def cudaByte(self):
        return self.type('torch.CudaByteTensor')

    def numpy(self):
        """A zero-copy numpy view: writes through it change the tensor."""
        return self._arr()

    def __array__(self, dtype=None, copy=None):
        a = self._arr()
        if dtype is not None and np.dtype(dtype) != a.dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def __str__(self):
        from .printing import format_tensor
        return format_tensor(self)

    __repr__ = __str__

    __hash__ = object.__hash__

    def __reduce_ex__(self, protocol):
        # pickling (threads' process backend, copy.deepcopy) keeps the type and values
        return (_rebuild, (self._typename, self._arr().copy()))

    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        """A copy that keeps storage sharing within one deepcopy: tensors viewing one storage
        come out viewing one copied storage, with the same offsets and strides (what Torch7's
        serialization-based clone did)."""
        st = self.storage()
        new_st = memo.get(id(st))
        if new_st is None:
            new_st = st.__deepcopy__(memo)
        t = new_object(self.__class__)
        t._st = new_st
        t._buf = new_st._data
        a = self._arr()
        if a.size:
            offset = self.storageOffset()
            t._a = ndarray(a.shape, a.dtype, new_st._data, offset * a.itemsize, a.strides)
        else:
            t._a = new_st._data[0:0]
        return t


def _rebuild(typename, array):
    return wrap(_types.tensor_class(typename), array)


def _array_from_data(data, dtype):
    try:
        a = np.array(data, dtype=dtype)
    except (ValueError, TypeError) as e:
        raise ValueError(f"cannot build a tensor from this data: {e}") from None
    if a.ndim == 0:
        raise ValueError("cannot build a tensor from a scalar; use torch.Tensor([v])")
    return np.ascontiguousarray(a)


def _make_tensor_class(short):
    name = f'{short}Tensor'
    cls = type(name, (Tensor,), {'__slots__': (), '_dtype': _types.DTYPES[short],
                                 '_typename': f'torch.{name}', '__module__': __name__})
    return _types.register_tensor_class(cls)


ByteTensor = _make_tensor_class('Byte')
CharTensor = _make_tensor_class('Char')
ShortTensor = _make_tensor_class('Short')
IntTensor = _make_tensor_class('Int')
LongTensor = _make_tensor_class('Long')
FloatTensor = _make_tensor_class('Float')
DoubleTensor = _make_tensor_class('Double')


def fromNumpy(a):
    """Wrap numpy array `a` as a tensor without copying (its memory becomes the storage).
    A bool array is viewed as a ByteTensor; a 0-d array as a 1-element 1-D tensor."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"fromNumpy expects a numpy array, got {type(a).__name__}")
    if a.dtype == np.bool_:
        a = a.view(np.uint8)
    if not a.dtype.isnative:
        raise TypeError(f"fromNumpy: byte-swapped arrays are not supported (dtype {a.dtype}); "
                        f"use a.astype(a.dtype.newbyteorder('='))")
    cls = _types.class_for_dtype(a.dtype)
    if a.ndim == 0:
        a = a.reshape(1)
    if any(s < 0 for s in a.strides):
        raise ValueError(f"fromNumpy: negative strides {a.strides} cannot be represented by a "
                         f"Torch tensor; pass np.ascontiguousarray(a)")
    if a.strides and any(s % a.itemsize for s in a.strides):
        raise ValueError(f"fromNumpy: strides {a.strides} are not multiples of the element size "
                         f"{a.itemsize}; pass np.ascontiguousarray(a)")
    t = wrap(cls, a)
    st = storage_for(a)
    if a.size:
        t._a = ndarray(a.shape, a.dtype, st._data, 0, a.strides)
    t._st, t._buf = st, st._data
    return t
