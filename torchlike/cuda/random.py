"""Random fills of CUDA tensors. Every value is drawn on the host from torchlike's one
generator exactly as the CPU twin (FloatTensor, LongTensor, ByteTensor) of the same size would
draw it, then copied to the device: a seed reproduces a run on either device, and the CPU and
CUDA runs of one network start from identical weights (docs/cuda.md)."""
from .._core import TensorBase
from .. import types as _types


def _host_args(args):
    # a probability tensor for bernoulli may live on the device
    return tuple(a.cpu() if isinstance(a, TensorBase) and a._is_cuda else a for a in args)


def _draw_then_copy(name):
    def method(self, *args):
        twin = _types.tensor_class(self._host_name)(*(self._size or (0,)))
        getattr(twin, name)(*_host_args(args))   # checks the arguments before self changes
        if self._size:
            self.copy(twin)
        return self
    method.__name__ = name
    method.__doc__ = (f"x.{name}(...): drawn on the host as the CPU tensor's {name} would be, "
                      f"then copied to the device; returns x")
    return method


class CudaRandomMixin:
    __slots__ = ()
    random = _draw_then_copy('random')
    uniform = _draw_then_copy('uniform')
    normal = _draw_then_copy('normal')
    exponential = _draw_then_copy('exponential')
    cauchy = _draw_then_copy('cauchy')
    logNormal = _draw_then_copy('logNormal')
    geometric = _draw_then_copy('geometric')
    bernoulli = _draw_then_copy('bernoulli')
