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
    """Threads used by numba's parallel kernels and by the OpenBLAS that numpy loaded (Torch7's
    setnumthreads set the OpenMP threads, which drove both). Another BLAS (MKL, Accelerate)
    keeps following its environment variables, which must be set before numpy is imported."""
    n = int(n)
    if n < 1:
        raise ValueError(f"setnumthreads: need at least 1 thread, got {n}")
    import numba
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    blas = openblas_threads()
    if blas is not None:
        blas[0](n)
    _num_threads['n'] = n


# symbol names of OpenBLAS's thread setter and getter: numpy's wheels rename them (scipy_...)
_OPENBLAS_SYMBOLS = (('scipy_openblas_set_num_threads64_', 'scipy_openblas_get_num_threads64_'),
                     ('openblas_set_num_threads64_', 'openblas_get_num_threads64_'),
                     ('openblas_set_num_threads', 'openblas_get_num_threads'))
_openblas = {}


def openblas_threads():
    """(set_num_threads, get_num_threads) of the OpenBLAS library loaded into this process, as
    ctypes functions, or None when there is none to be found (another BLAS, or not Linux)."""
    if 'fns' not in _openblas:
        _openblas['fns'] = _find_openblas()
    return _openblas['fns']


def _find_openblas():
    import ctypes
    import re
    try:
        with open('/proc/self/maps') as f:
            paths = sorted(set(re.findall(r'(/\S*openblas\S*\.so\S*)', f.read())))
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for setter, getter in _OPENBLAS_SYMBOLS:
            if hasattr(lib, setter) and hasattr(lib, getter):
                set_fn, get_fn = getattr(lib, setter), getattr(lib, getter)
                set_fn.argtypes, set_fn.restype = [ctypes.c_int], None
                get_fn.argtypes, get_fn.restype = [], ctypes.c_int
                return set_fn, get_fn
    return None


def getnumthreads():
    if _num_threads['n'] is not None:
        return _num_threads['n']
    return os.cpu_count() or 1
