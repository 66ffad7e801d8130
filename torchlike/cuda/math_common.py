"""What the CUDA math families share: the kernel modules (imported on first use, since they
import numba.cuda), argument checks with the CPU's messages, operands made ready for the flat
kernels, and results delivered with Torch7's conventions (a new tensor, in place, or written
into a given result tensor, resized)."""
import threading

import numpy as np

from .._core import TensorBase, fmt_size

NUMBERS = (int, float, bool, np.number)

_mods = {}


def _module(name):
    m = _mods.get(name)
    if m is None:
        import importlib
        m = _mods[name] = importlib.import_module(name)
    return m


def ew():
    """kernels.cuda.elementwise"""
    return _module('kernels.cuda.elementwise')


def red():
    """kernels.cuda.reduce"""
    return _module('kernels.cuda.reduce')


def blas():
    """kernels.cuda.gemm"""
    return _module('kernels.cuda.gemm')


def core():
    """torchlike.cuda.tensor (imported late: it imports this package's mixins)."""
    return _module('torchlike.cuda.tensor')


def long_class():
    return core().CudaLongTensor


def byte_class():
    return core().CudaByteTensor


# -- checks ------------------------------------------------------------------------------------
def check_tensor(name, x, res=None):
    """x must be a CUDA tensor (the first operand of a CUDA method or function); a CPU x
    written into a CUDA res is the device error naming both types."""
    if not isinstance(x, TensorBase):
        raise TypeError(f"{name}: expected a tensor, got {type(x).__name__}")
    if not x._is_cuda:
        if isinstance(res, TensorBase):
            core().check_device(res, x, name)
        raise TypeError(f"{name}: expected a CUDA tensor, got {x._typename}")


def check_devices(name, x, *others):
    """Every tensor among `others` must live on x's device (numbers and None pass)."""
    check = core().check_device
    for o in others:
        if isinstance(o, TensorBase):
            check(x, o, name)


def float_only(name, x):
    if x._dtype.kind != 'f':
        raise TypeError(f"{name} is only defined for torch.CudaTensor, not {x._typename} "
                        f"(CUDA integer tensors hold indices and masks; convert with .cuda())")


def prod(sizes):
    """The product of the sizes (1 for none): the element count of a (sub-)shape."""
    n = 1
    for s in sizes:
        n *= s
    return n


def numel(size):
    """The number of elements of a tensor of Torch size `size` (an empty size has none)."""
    return prod(size) if size else 0


def size_error(name, sa, sb):
    """The CPU's broadcasting error (pointwise.py), naming both sizes."""
    msg = (f"{name}: inconsistent tensor sizes {fmt_size(sa)} and {fmt_size(sb)} cannot be "
           f"broadcast")
    na, nb = numel(sa), numel(sb)
    if na == nb and tuple(sa) != tuple(sb):
        msg += f"; both have {na} elements: use view() to give them the same shape"
    return ValueError(msg)


def broadcast_size(name, sizes):
    """numpy's broadcast of the given sizes (Torch sizes: () is empty), or the CPU's error."""
    out = sizes[0]
    for s in sizes[1:]:
        if s == out:
            continue
        if not s or not out:
            if not s and not out:
                continue
            raise size_error(name, sizes[0], s)
        n = max(len(out), len(s))
        a = (1,) * (n - len(out)) + tuple(out)
        b = (1,) * (n - len(s)) + tuple(s)
        r = []
        for p, q in zip(a, b):
            if p == q or q == 1:
                r.append(p)
            elif p == 1:
                r.append(q)
            else:
                raise size_error(name, sizes[0], s)
        out = tuple(r)
    return tuple(out)


def scalar(cls, v):
    """A number as the kernels take it: in the tensor's float type (float32 math stays
    float32, and comparisons see the value the CPU's float32 array sees), or int64/float64 for
    integer tensors (a fractional value then computes in floating point and truncates)."""
    if isinstance(v, TensorBase):
        raise TypeError(f"expected a number, got a {v._typename}")
    if not isinstance(v, NUMBERS):
        raise TypeError(f"expected a number, got {type(v).__name__}")
    dt = cls._dtype
    if dt.kind == 'f':
        return dt.type(v)
    if isinstance(v, (bool, int, np.integer)):
        return np.int64(v)
    return np.float64(v)


# -- operands and results -------------------------------------------------------------------------
def flat_operand(t, size, cls):
    """The flat contiguous device array of tensor t as class `cls`, broadcast to `size`.
    Copies only when it must (another type, a strided or an expanded operand)."""
    if t.__class__ is not cls:
        t = t.type(cls._typename)
    if t._size != size:
        t = t.expand(size)
    if not t.isContiguous():
        t = t.contiguous()
    return t._dev_flat()


def shares_memory_badly(dest, tensors):
    """True when a tensor operand uses dest's storage at another place (then an element-wise
    kernel writing dest could overwrite input it has not read yet)."""
    for t in tensors:
        if isinstance(t, TensorBase) and t._st is dest._st and (
                t._off != dest._off or t._stride != dest._stride):
            return True
    return False


def target(res, cls, size, operands=()):
    """(result to return, contiguous tensor of class `cls` and size `size` for the kernel to
    write). res None: a new tensor (both the same). Otherwise res is resized to `size`, and
    used directly when it is contiguous, of class `cls` and not overlapping an operand
    elsewhere; else the kernel writes a temporary that `deliver` copies into res."""
    if res is None:
        t = cls._empty(size)
        return t, t
    if res._size != size:
        res.resize(size)
    if res.__class__ is cls and res.isContiguous() and not shares_memory_badly(res, operands):
        return res, res
    return res, cls._empty(size)


def full_like(x, v):
    """A new tensor of x's class and size filled with the number v."""
    return x.__class__._empty(x._size).fill(v)


def deliver(res, written):
    if res is not written and written._size:
        res.copy(written)
    return res


def inplace_target(name, x, size, operands=()):
    """The tensor for an in-place kernel on x: x itself when contiguous and not overlapping an
    operand elsewhere, else a temporary (copied back by `deliver`). The result must have x's
    size: in-place operations cannot grow a tensor."""
    if size != x._size:
        raise ValueError(f"{name}: the result has size {fmt_size(size)}, which does not fit the "
                         f"destination of size {fmt_size(x._size)} (in-place operations cannot "
                         f"grow a tensor)")
    if x.isContiguous() and not shares_memory_badly(x, operands):
        return x
    return x.__class__._empty(size)


_local = threading.local()


def scratch():
    """A 1-element float64 device array for whole-tensor reductions (one per thread; the host
    reads it back before the next reduction)."""
    s = getattr(_local, 'scratch', None)
    if s is None:
        from numba import cuda
        s = _local.scratch = cuda.device_array(1, dtype=np.float64)
    return s


def read_scalar(dev):
    """The value in a 1-element device array, as a numpy scalar."""
    return dev.copy_to_host()[0]
