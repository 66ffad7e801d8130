"""Storages: flat, typed, 1-D buffers that tensors view.

A Storage owns one contiguous 1-D numpy array (`_data`). `resize` may replace that array; the
tensors viewing the storage notice (they compare the buffer they were built on with `_data`) and
re-derive their view, so every view keeps seeing the storage's current contents (DESIGN §3).
Indices are 0-based.
"""
import numpy as np

from . import types as _types


def default_type_new(cls, *args, **kwargs):
    """`__new__` for the abstract bases: `torch.Storage(...)` and `torch.Tensor(...)` build the
    current default type. (A metaclass would do the same but slows every isinstance check.)"""
    if cls._dtype is None:
        cls = cls._default_class()
    return object.__new__(cls)


def _check_index(i, n, what='storage'):
    if not isinstance(i, (int, np.integer)) or isinstance(i, bool):
        raise TypeError(f"{what} index must be an integer, got {type(i).__name__}")
    j = i + n if i < 0 else i
    if not 0 <= j < n:
        raise IndexError(f"index {i} is out of range for {what} of size {n} "
                         f"(valid: {-n} to {n - 1})")
    return j


class Storage:
    """Abstract base of the typed storages; `torch.Storage(...)` makes the default type."""
    __slots__ = ('_data', '__weakref__')
    _dtype = None
    _typename = 'torch.Storage'

    __new__ = default_type_new

    @staticmethod
    def _default_class():
        return _types.default_storage_class()

    def __init__(self, *args):
        dt = self._dtype
        if not args:
            self._data = np.empty(0, dt)
            return
        first = args[0]
        if isinstance(first, Storage):
            if len(args) != 3:
                raise TypeError("Storage(storage, offset, size) needs exactly an offset and a size")
            self._init_view(first, args[1], args[2])
        elif isinstance(first, (int, np.integer)) and not isinstance(first, bool) and len(args) == 1:
            if first < 0:
                raise ValueError(f"storage size must be non-negative, got {first}")
            self._data = np.zeros(int(first), dt)
        elif isinstance(first, np.ndarray) and len(args) == 1:
            if first.ndim != 1:
                raise ValueError(f"a storage wraps a 1-D array, got shape {first.shape}")
            self._data = np.array(first, dtype=dt)  # a copy, as Tensor(array) makes
        elif isinstance(first, (list, tuple, range)) and len(args) == 1:
            self._data = np.array(first, dtype=dt).reshape(-1)
        elif isinstance(first, (str, bytes)) and len(args) == 1 and dt.itemsize == 1:
            self._data = np.frombuffer(_as_bytes(first), dtype=dt).copy()
        else:
            got = ', '.join(type(a).__name__ for a in args)
            raise TypeError(f"{self._typename}: expected (), (size), (list), (numpy array) or "
                            f"(storage, offset, size), got ({got})")

    def _init_view(self, other, offset, size):
        n = len(other._data)
        if offset < 0 or size < 0 or offset + size > n:
            raise ValueError(f"storage view [{offset}, {offset + size}) does not fit in a "
                             f"storage of size {n}")
        if other._dtype != self._dtype:
            raise TypeError(f"a {self._typename} cannot view a {other._typename}")
        self._data = other._data[offset:offset + size]

    @classmethod
    def _wrap(cls, data):
        """A storage owning the 1-D contiguous array `data` (no copy, no checks)."""
        s = object.__new__(cls)
        s._data = data
        return s

    # -- queries ---------------------------------------------------------------------------
    def size(self):
        return len(self._data)

    def __len__(self):
        return len(self._data)

    def elementSize(self):
        return self._dtype.itemsize

    def type(self):
        return self._typename

    def numpy(self):
        """Zero-copy 1-D numpy view of the current buffer."""
        return self._data

    def data_ptr(self):
        return self._data.__array_interface__['data'][0]

    # -- element access --------------------------------------------------------------------
    def __getitem__(self, i):
        return self._data[_check_index(i, len(self._data))].item()

    def __setitem__(self, i, v):
        self._data[_check_index(i, len(self._data))] = v

    def __iter__(self):
        return iter(self._data.tolist())

    def totable(self):
        return self._data.tolist()

    tolist = totable

    # -- in-place setters ------------------------------------------------------------------
    def fill(self, v):
        self._data.fill(v)
        return self

    def zero(self):
        return self.fill(0)

    def copy(self, src):
        """Copy `src` (a storage of any type, a list or an array) element by element."""
        if getattr(type(src), '_is_cuda', False):
            data = src._host()          # a device storage: one transfer to the host
        else:
            data = src._data if isinstance(src, Storage) else np.asarray(src).reshape(-1)
        if len(data) != len(self._data):
            raise ValueError(f"copy: sizes do not match: destination has {len(self._data)} "
                             f"elements, source has {len(data)}")
        np.copyto(self._data, data, casting='unsafe')
        return self

    def resize(self, n):
        """Grow or shrink in place, keeping the first min(old, new) elements (Torch7 realloc)."""
        n = int(n)
        if n < 0:
            raise ValueError(f"storage size must be non-negative, got {n}")
        old = self._data
        if n != len(old):
            new = np.zeros(n, self._dtype)
            k = min(n, len(old))
            new[:k] = old[:k]
            self._data = new
        return self

    def string(self, s=None):
        """CharStorage/ByteStorage <-> bytes: `s.string()` reads, `s.string(text)` sets."""
        if self._dtype.itemsize != 1:
            raise TypeError(f"string() is only defined for CharStorage and ByteStorage, "
                            f"not {self._typename}")
        if s is None:
            return self._data.tobytes()
        self._data = np.frombuffer(_as_bytes(s), dtype=self._dtype).copy()
        return self

    def __deepcopy__(self, memo):
        new = self._wrap(self._data.copy())
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild_storage, (self._typename, self._data.copy()))

    def __str__(self):
        from .printing import format_storage
        return format_storage(self)

    __repr__ = __str__


def _rebuild_storage(typename, data):
    return _types.storage_classes[typename]._wrap(data)


def _as_bytes(s):
    return s.encode('utf-8') if isinstance(s, str) else bytes(s)


def _make_storage_class(short, dtype):
    name = f'{short}Storage'
    cls = type(name, (Storage,), {'__slots__': (), '_dtype': dtype,
                                  '_typename': f'torch.{name}', '__module__': __name__})
    return _types.register_storage_class(cls)


ByteStorage = _make_storage_class('Byte', _types.DTYPES['Byte'])
CharStorage = _make_storage_class('Char', _types.DTYPES['Char'])
ShortStorage = _make_storage_class('Short', _types.DTYPES['Short'])
IntStorage = _make_storage_class('Int', _types.DTYPES['Int'])
LongStorage = _make_storage_class('Long', _types.DTYPES['Long'])
FloatStorage = _make_storage_class('Float', _types.DTYPES['Float'])
DoubleStorage = _make_storage_class('Double', _types.DTYPES['Double'])
