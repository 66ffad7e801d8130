"""CUDA twins of the nn modules and criterions (see nn/device.py): importing this package
registers every twin. nn/device.py imports it on the first conversion to a CUDA type; nothing
here imports numba.cuda until a module computes (kernels load on first use, nn/cuda/_common.py).
"""
from . import activations, batchnorm, convolution, criterions, dropout, linear  # noqa: F401
from . import lookup, padding, pooling, softmax, tables                       # noqa: F401
