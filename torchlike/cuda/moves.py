"""Moves and conversions of CUDA tensors (to other CUDA types on the device, to CPU types through
a host copy), printing (the CPU text of the same values with cutorch's footer) and pickling
(host values + type; unpickled on the device when CUDA is available there, else as the CPU
twin)."""
from .. import types as _types
from .._core import wrap
from ..tensor import Tensor as _CpuTensor
from .device import memory


class CudaMovesMixin:
    __slots__ = ()

    def type(self, name=None):
        """`type()` gives the type name; `type(name)` converts (self when already that type):
        to another CUDA type on the device, to a CPU type through a host copy."""
        if name is None:
            return self._typename
        cls = name if isinstance(name, type) else _types.tensor_class(name)
        if cls is self.__class__:
            return self
        if getattr(cls, '_is_cuda', False):
            t = cls._empty(self._size)
            if self._size:
                memory().copy_strided(t._dev(), self._dev())
            return t
        host = self._host()
        return wrap(cls, host.reshape(self._size or (0,)).astype(cls._dtype, copy=False))

    def cpu(self):
        """The CPU twin (FloatTensor, LongTensor or ByteTensor): a host copy."""
        return self.type(self._host_name)

    # -- printing, pickling --------------------------------------------------------------------
    def __str__(self):
        from ..printing import format_tensor
        if not self._size:
            return f'[{self._typename} with no dimension]'
        text = format_tensor(self.cpu())
        return (f"{text[:text.rindex('[')]}[{self._typename} of size "
                f"{'x'.join(map(str, self._size))} (GPU {self.getDevice()})]")

    __repr__ = __str__

    __hash__ = object.__hash__

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._typename, self._host().reshape(self._size or (0,))))

    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        """Keeps storage sharing within one deepcopy, as the CPU tensors do."""
        st = self._st
        new_st = memo.get(id(st))
        if new_st is None:
            new_st = st.__deepcopy__(memo)
        from .tensor import make
        return make(self.__class__, new_st, self._off, self._size, self._stride)


# the conversions by name (x.float(), x.cuda(), x.typeAs(y), ...) are the CPU tensors' own:
# they only call type()
for _name in ('typeAs', 'cuda', 'cudaLong', 'cudaByte', 'byte', 'char', 'short', 'int', 'long',
              'float', 'double'):
    setattr(CudaMovesMixin, _name, getattr(_CpuTensor, _name))


def _rebuild(typename, host):
    """Unpickle: on the device when CUDA is available here, else as the CPU twin."""
    from .device import isAvailable
    cls = _types.tensor_class(typename)
    if isAvailable():
        return cls._from_host(host)
    return wrap(_types.tensor_class(cls._host_name), host)
