"""torch.cuda: CUDA tensors on numba-cuda, and which backend this process has.

`mode()` is 'gpu', 'simulator' or 'none', decided on first use (importing torchlike never
imports numba.cuda); `isAvailable()` is true for the first two. The tensor and storage classes
are importable without CUDA; making one when `mode()` is 'none' raises a RuntimeError saying
how to get CUDA. See docs/cuda.md.
"""
from .device import (mode, modeReason, isAvailable, deviceCount, getDevice, setDevice,
                     deviceName, synchronize)
from .storage import CudaStorage, CudaLongStorage, CudaByteStorage
from .tensor import CudaTensor, CudaLongTensor, CudaByteTensor, check_device
