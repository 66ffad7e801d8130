"""CUDA storages: flat typed buffers in device memory (a 1-D numba device array in `_data`).

They subclass `torch.Storage` so `torch.isStorage` holds, but override everything that would
touch `_data` as a numpy array. As on the CPU, `resize` replaces `_data` and the tensors viewing
the storage notice it (their cached device view is keyed on the buffer object).
The classes are importable without CUDA; making one needs `torch.cuda.isAvailable()`.
"""
import numpy as np

from .. import types as _types
from .._core import is_int
from ..storage import Storage, _check_index
from .device import memory


class CudaStorageBase(Storage):
    __slots__ = ()
    _is_cuda = True
    _host_name = None      # 'torch.FloatStorage': the CPU twin

    def __init__(self, *args):
        mem = memory()
        dt = self._dtype
        if not args:
            self._data = mem.zeros(0, dt)
            return
        first = args[0]
        if isinstance(first, Storage):
            if len(args) != 3:
                raise TypeError("Storage(storage, offset, size) needs exactly an offset and a size")
            self._init_view(first, args[1], args[2])
        elif is_int(first) and len(args) == 1:
            if first < 0:
                raise ValueError(f"storage size must be non-negative, got {first}")
            self._data = mem.zeros(int(first), dt)
        elif isinstance(first, (list, tuple, range, np.ndarray)) and len(args) == 1:
            host = np.array(first, dtype=dt)
            if host.ndim != 1:
                raise ValueError(f"a storage holds a 1-D sequence, got shape {host.shape}")
            self._data = mem.to_device(host)
        else:
            got = ', '.join(type(a).__name__ for a in args)
            raise TypeError(f"{self._typename}: expected (), (size), (list), (numpy array) or "
                            f"(storage, offset, size), got ({got})")

    def _init_view(self, other, offset, size):
        n = len(other)
        if offset < 0 or size < 0 or offset + size > n:
            raise ValueError(f"storage view [{offset}, {offset + size}) does not fit in a "
                             f"storage of size {n}")
        if other.__class__ is not self.__class__:
            raise TypeError(f"a {self._typename} cannot view a {other._typename}")
        self._data = other._data[offset:offset + size]

    # -- queries ---------------------------------------------------------------------------
    def size(self):
        return self._data.shape[0]

    def __len__(self):
        return self._data.shape[0]

    def type(self, name=None):
        if name is None:
            return self._typename
        if name == self._typename:
            return self
        cls = _types.storage_classes[name]
        if getattr(cls, '_is_cuda', False):
            return cls._wrap(_device_cast(self._data, cls._dtype))
        return cls._wrap(self._host().astype(cls._dtype))

    def numpy(self):
        raise TypeError(f"a {self._typename} lives on the GPU and has no numpy view; use "
                        f".float().numpy() (a host copy)")

    def string(self, s=None):
        raise TypeError(f"string() is not defined for {self._typename}")

    def getDevice(self):
        return 0

    def data_ptr(self):
        """The device address of the first element (host address under the simulator)."""
        data = self._data
        if hasattr(data, '_ary'):
            return data._ary.__array_interface__['data'][0]
        return data.device_ctypes_pointer.value or 0

    def _host(self):
        """A host copy of the data (a new numpy array)."""
        return memory().to_host(self._data)

    # -- element access (one small transfer each) ---------------------------------------------
    def __getitem__(self, i):
        j = _check_index(i, len(self))
        return memory().to_host(self._data[j:j + 1])[0].item()

    def __setitem__(self, i, v):
        j = _check_index(i, len(self))
        memory().copy_from_host(self._data[j:j + 1], np.array([v], dtype=self._dtype))

    def __iter__(self):
        return iter(self.totable())

    def totable(self):
        return self._host().tolist()

    tolist = totable

    # -- in-place setters ------------------------------------------------------------------
    def fill(self, v):
        memory().fill(self._data, v)
        return self

    def zero(self):
        return self.fill(0)

    def copy(self, src):
        """Copy `src` (a storage of any type on either device, a list or an array)."""
        mem = memory()
        n = len(self)
        if isinstance(src, Storage):
            m = len(src)
        else:
            src = np.asarray(src).reshape(-1)
            m = src.size
        if m != n:
            raise ValueError(f"copy: sizes do not match: destination has {n} elements, source "
                             f"has {m}")
        if getattr(src, '_is_cuda', False):
            mem.copy_strided(self._data, src._data)
        elif isinstance(src, Storage):
            mem.copy_from_host(self._data, src._data.astype(self._dtype, copy=False))
        else:
            mem.copy_from_host(self._data, src.astype(self._dtype, copy=False))
        return self

    def resize(self, n):
        """Grow or shrink, keeping the first min(old, new) elements (Torch7 realloc); the new
        tail is zero. Tensors viewing the storage see the new buffer."""
        n = int(n)
        if n < 0:
            raise ValueError(f"storage size must be non-negative, got {n}")
        old = self._data
        if n != old.shape[0]:
            mem = memory()
            new = mem.zeros(n, self._dtype)
            k = min(n, old.shape[0])
            if k:
                mem.copy_strided(new[0:k], old[0:k])
            self._data = new
        return self

    # -- moves -------------------------------------------------------------------------------
    def cuda(self):
        return self

    def float(self):
        return self.type('torch.FloatStorage')

    def double(self):
        return self.type('torch.DoubleStorage')

    def long(self):
        return self.type('torch.LongStorage')

    def byte(self):
        return self.type('torch.ByteStorage')

    def __deepcopy__(self, memo):
        new = self._wrap(memory().empty(len(self), self._dtype))
        memory().copy_strided(new._data, self._data)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild_cuda_storage, (self._typename, self._host()))

    def __str__(self):
        from ..printing import format_storage
        host = _types.storage_classes[self._host_name]._wrap(self._host())
        text = format_storage(host)
        return text[:text.rindex('[')] + f'[{self._typename} of size {len(self)}]'

    __repr__ = __str__


def _device_cast(data, dtype):
    mem = memory()
    out = mem.empty(data.shape[0], dtype)
    mem.copy_strided(out, data)
    return out


def _rebuild_cuda_storage(typename, host):
    """Unpickle: on the device when CUDA is available here, else as the CPU twin."""
    from .device import isAvailable
    cls = _types.storage_classes[typename]
    if isAvailable():
        return cls._wrap(memory().to_device(host))
    return _types.storage_classes[cls._host_name]._wrap(host)


def _make(name, short):
    cls = type(name, (CudaStorageBase,), {
        '__slots__': (), '_dtype': _types.DTYPES[short], '_typename': f'torch.{name}',
        '_host_name': f'torch.{short}Storage', '__module__': __name__})
    return _types.register_cuda_storage_class(cls)


CudaStorage = _make('CudaStorage', 'Float')
CudaLongStorage = _make('CudaLongStorage', 'Long')
CudaByteStorage = _make('CudaByteStorage', 'Byte')
