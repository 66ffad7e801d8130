"""Element-wise math, comparisons, reductions, BLAS and index operations of the CUDA tensors,
and their `torch.<name>` function forms.

The families live in math_pointwise.py, math_operators.py, math_reduce.py, math_blas.py and
math_index.py; this module puts their methods on `CudaMathMixin` (a base of every CUDA tensor
class) and their function forms in `FUNCTIONS`, which torchlike/functions.py calls when the
first tensor argument of `torch.<name>(...)` is a CUDA tensor. Nothing here imports numba: the
kernel modules (kernels/cuda/elementwise.py, reduce.py, gemm.py) load on the first operation.
"""
from . import math_blas, math_index, math_pointwise, math_reduce
from .math_operators import CudaOperatorMixin


class CudaMathMixin(CudaOperatorMixin):
    __slots__ = ()


FUNCTIONS = {}   # name -> torch.<name> function form for CUDA tensors


def _install():
    pointwise, pointwise_functions, comparison_operators = math_pointwise.build()
    families = [(pointwise, pointwise_functions), math_reduce.build(), math_blas.build(),
                math_index.build()]
    for methods, functions in families:
        for name, method in methods.items():
            setattr(CudaMathMixin, name, method)
        FUNCTIONS.update(functions)
    for name, op in comparison_operators.items():
        setattr(CudaMathMixin, name, op)   # element-wise ==, as the CPU tensors


_install()
