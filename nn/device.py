"""Which class runs a module on the device its tensors live on: the one place where nn chooses
between CPU and CUDA code.

A module whose computation needs device-specific code has a CUDA twin: a subclass declared with
`class Linear(nn.Linear, device='cuda')` in `nn/cuda/`. It keeps the Torch class name and the
fields of its base and overrides only the computation. Converting a module (`m.cuda()`,
`m.float()`, `m.type(name)`) switches the object's class between the base and its twin, so
`isinstance(m, nn.Linear)`, printing and `.t7` files are the same on both devices, and no nn code
tests for CUDA. Modules written only with tensor methods (containers, Identity, View, ...) run
on any device as they are and say so with `_device_agnostic = True`.
The twins are imported on first use, so `import nn` never imports numba.cuda.
"""
from torchlike import isTensor

_twins = {}          # base class -> CUDA twin class
_loaded = {'cuda': False}


def is_cuda_type(typename):
    return isinstance(typename, str) and typename.startswith('torch.Cuda')


def register_twin(twin, device):
    if device != 'cuda':
        raise ValueError(f"unknown device {device!r} for {twin.__name__} (known: 'cuda')")
    base = twin.__mro__[1]
    twin._cpu_class = base
    _twins[base] = twin
    # saved under the base's Torch name (and version), still loaded as the base: the loaded
    # module then takes the class of its tensors' device (Module._torchAfterLoad)
    from torchlike import serialization
    entry = serialization.registeredName(base)
    if entry is not None:
        serialization.registerClass(entry[0], twin, version=entry[1], saveOnly=True)


def _load_twins():
    if not _loaded['cuda']:
        from . import cuda  # noqa: F401  (registers every twin)
        _loaded['cuda'] = True


def cpu_class(cls):
    return cls.__dict__.get('_cpu_class', cls)


def cuda_class(cls):
    """The class that runs `cls`'s modules on CUDA, or None when there is none."""
    base = cpu_class(cls)
    _load_twins()
    twin = _twins.get(base)
    if twin is not None:
        return twin
    # declared per class: a subclass may override the computation with CPU-only code
    return base if base.__dict__.get('_device_agnostic', False) else None


def check_convertible(obj, typename):
    """Before anything changes: every module (and criterion) inside obj can run on `typename`'s
    device, or a TypeError naming the ones that cannot."""
    if not is_cuda_type(typename):
        return
    missing = sorted({o._typename for o in _walk(obj) if cuda_class(type(o)) is None})
    if missing:
        raise TypeError(f"type('{typename}'): {', '.join(missing)} "
                        f"{'has' if len(missing) == 1 else 'have'} no CUDA implementation "
                        f"(see docs/cuda.md for the modules that run on CUDA); nothing was "
                        f"converted")


def adopt(obj, typename):
    """Switch obj's class to the one that computes on `typename`'s device."""
    cls = type(obj)
    target = cuda_class(cls) if is_cuda_type(typename) else cpu_class(cls)
    if target is not None and target is not cls:
        obj.__class__ = target


def _on_cuda(obj):
    """True when a tensor among obj's own fields (lists and dicts included) is on the device,
    False when there are tensors and none is, None without tensors."""
    found = None
    stack = list(obj.__dict__.values())
    while stack:
        v = stack.pop()
        if isTensor(v):
            if v._is_cuda:
                return True
            found = False
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return found


def adopt_loaded(obj):
    """After torch.load: give obj the class that computes on the device its tensors were loaded
    on (a file written from CUDA loads on the device when CUDA is available, else on the host,
    where `_type` then says torch.FloatTensor)."""
    cuda = _on_cuda(obj)
    if cuda is None:
        return
    if cuda:
        twin = cuda_class(type(obj))
        if twin is not None:
            obj.__class__ = twin
        return
    obj.__class__ = cpu_class(type(obj))
    t = obj.__dict__.get('_type')
    if is_cuda_type(t):
        obj._type = _HOST_TYPES.get(t, 'torch.FloatTensor')


_HOST_TYPES = {'torch.CudaTensor': 'torch.FloatTensor', 'torch.CudaLongTensor': 'torch.LongTensor',
               'torch.CudaByteTensor': 'torch.ByteTensor'}


def _walk(obj, seen=None):
    """obj and every module or criterion held in its fields (lists and dicts included)."""
    from .module import Module
    from .criterion import Criterion
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield obj
    stack = list(obj.__dict__.values())
    while stack:
        v = stack.pop()
        if isinstance(v, (Module, Criterion)):
            yield from _walk(v, seen)
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
