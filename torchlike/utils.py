"""Torch7's object utilities: typename, isTensor, isStorage, type, isTypeOf, thread settings."""
import fnmatch
import os

from ._core import TensorBase
from .storage import Storage

_num_threads = {'n': None}


def typename(obj):
    """The Torch class name of `obj` ('torch.FloatTensor', 'nn.Linear'), or None for an object
    that is not a Torch object (Torch7 returned nil)."""
    name = getattr(obj, '_typename', None)
    return name if isinstance(name, str) else None


def isTensor(obj):
    return isinstance(obj, TensorBase)


def isStorage(obj):
    return isinstance(obj, Storage)


def type(obj):
    """The Torch class name for Torch objects, else the Python type name (Lua's type())."""
    return typename(obj) or obj.__class__.__name__


def isTypeOf(obj, name):
    """True when `obj`'s Torch class is `name` or inherits from a class of that name
    ('nn.Module'). `name` may contain `*` wildcards ('torch.*Tensor'; Torch7 took a Lua
    pattern) or be a Python class."""
    if isinstance(name, str):
        names = [getattr(cls, '_typename', None) for cls in obj.__class__.__mro__]
        names.append(typename(obj))
        return any(isinstance(n, str) and fnmatch.fnmatchcase(n, name) for n in names)
    return isinstance(obj, name)


def setnumthreads(n):
    """Threads used by numba's parallel kernels (BLAS threads follow OPENBLAS_NUM_THREADS /
    OMP_NUM_THREADS, which must be set before numpy is imported)."""
    n = int(n)
    if n < 1:
        raise ValueError(f"setnumthreads: need at least 1 thread, got {n}")
    import numba
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    _num_threads['n'] = n


def getnumthreads():
    if _num_threads['n'] is not None:
        return _num_threads['n']
    return os.cpu_count() or 1
