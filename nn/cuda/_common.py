"""What the CUDA twins share: the kernel modules (imported on first use, so that `nn.cuda` and
with it `m.cuda()`'s convertibility check import without numba.cuda: a machine without CUDA
then gets torchlike's clear "CUDA is not available" error from the tensor conversion), input
checks that name both types when devices are mixed, module-owned buffers that are resized,
not reallocated, and per-call scratch on the device.
"""
import importlib
import threading

import numpy as np

import torchlike as torch
from torchlike._core import fmt_size

_kernels = {}


def kernels(family):
    """kernels.cuda.<family> (imported once)."""
    m = _kernels.get(family)
    if m is None:
        m = _kernels[family] = importlib.import_module('kernels.cuda.' + family)
    return m


# -- checks ------------------------------------------------------------------------------------
def device_error(module, t):
    return TypeError(f"{module._typename}: tensors on different devices: torch.CudaTensor and "
                     f"{t._typename}; move one with .cuda() or .float() (the module is on "
                     f"CUDA)")


def check_on_device(module, x, what='input'):
    """x must be a CUDA tensor: a CPU tensor is a mixed-device error naming both types."""
    if not torch.isTensor(x):
        raise TypeError(f"{module._typename}: expected a tensor {what}, got "
                        f"{type(x).__name__}")
    if not x._is_cuda:
        raise device_error(module, x)


def check_float(module, x, what='input'):
    """x must be a torch.CudaTensor (float32): the CUDA compute type."""
    check_on_device(module, x, what)
    if x._dtype.kind != 'f':
        raise TypeError(f"{module._typename}: {what} must be a torch.CudaTensor, got "
                        f"{x._typename}")


def check_grad(module, gradOutput, size):
    """gradOutput on the device with exactly `size` -> gradOutput (made contiguous)."""
    check_float(module, gradOutput, 'gradOutput')
    if tuple(gradOutput.size()) != tuple(size):
        raise ValueError(f"{module._typename}: gradOutput has size "
                         f"{fmt_size(gradOutput.size())}, expected {fmt_size(size)}")
    return gradOutput.contiguous()


def check_grad_like(module, gradOutput, input):
    """The element-wise modules' rule (as on the CPU): gradOutput needs the input's number of
    elements; it is read with the input's shape -> a contiguous tensor of that shape."""
    check_float(module, gradOutput, 'gradOutput')
    if tuple(gradOutput.size()) != tuple(input.size()):
        if gradOutput.nElement() != input.nElement():
            raise ValueError(f"{module._typename}: gradOutput has size "
                             f"{fmt_size(gradOutput.size())}, expected the input's size "
                             f"{fmt_size(input.size())}")
        return gradOutput.contiguous().view(input.size())
    return gradOutput.contiguous()


# -- buffers -----------------------------------------------------------------------------------
def buffer(module, name, like, size):
    """The tensor field `name` of `module`, of like's class (re-created when it is missing or
    of another type) and resized to `size` (contiguous)."""
    t = module.__dict__.get(name)
    if t is None or not torch.isTensor(t) or t.__class__ is not like.__class__:
        t = like.new()
        module.__dict__[name] = t
    size = tuple(size)
    if t._size != size or not t.isContiguous():
        t.resize(size)
    return t


def dev3(t, a, b, c):
    """The (a, b, c) device view of contiguous tensor t."""
    return t.view(a, b, c)._dev()


def dev_or_none(t):
    """The flat device array of an optional 1-D parameter (None stays None)."""
    return None if t is None else t._dev_flat()


_local = threading.local()


def scratch(k, n):
    """k flat float32 device arrays of n elements for one call's intermediate values (one
    growing device buffer per thread: no allocation per call). The arrays are only valid
    until the next call of scratch()."""
    buf = getattr(_local, 'buf', None)
    if buf is None or buf.nElement() < k * n:
        buf = _local.buf = torch.CudaTensor(max(k * n, 64))
    flat = buf._dev_flat()
    return [flat[i * n:(i + 1) * n] for i in range(k)]


def host_scalar(dev):
    """The first element of a device array as a Python float (one small transfer)."""
    return float(dev[0:1].copy_to_host()[0])


def as_long_indices(module, t, what):
    """A CUDA index tensor as a contiguous torch.CudaLongTensor (a CudaTensor of whole numbers is
    converted, truncating as Torch7 did)."""
    check_on_device(module, t, what)
    if t._typename != 'torch.CudaLongTensor':
        t = t.type('torch.CudaLongTensor')
    return t.contiguous()


def empty_int32(n):
    from torchlike.cuda.device import memory
    return memory().empty(n, np.int32)
