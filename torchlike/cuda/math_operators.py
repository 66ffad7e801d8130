"""The Python arithmetic operators of the CUDA tensors, as the CPU's (torchlike/operators.py):
`x + y` and friends return new tensors of the left operand's type, with numpy broadcasting;
`x += y` and friends work in place; a CPU tensor on the other side is an error naming both
types. Comparisons (`< <= > >= == !=`) are in math_pointwise.py, `@` in math_blas.py."""
from .._core import TensorBase
from ..operators import OperatorMixin as _CpuOperators
from .math_common import NUMBERS, full_like
from .math_pointwise import binary, unary


def _operand_ok(other):
    return isinstance(other, (TensorBase,) + NUMBERS)


def _operator(name, code, scalar_code):
    def op(self, other):
        if not _operand_ok(other):
            return NotImplemented
        return binary(name, None, self, other, code, scalar_code)
    op.__name__ = f'__{name}__'
    return op


def _reflected(name, scalar_code):
    """number <op> tensor (a tensor on the left is handled by its own operator)."""
    def op(self, other):
        if not isinstance(other, NUMBERS):
            return NotImplemented
        return unary(name, None, self, scalar_code, other)
    op.__name__ = f'__r{name}__'
    return op


def _sub(self, other):
    if isinstance(other, TensorBase):
        return binary('sub', None, self, other, 'SUB', None)
    if not isinstance(other, NUMBERS):
        return NotImplemented
    return unary('sub', None, self, 'ADD_S', -other)


def _rmod(self, other):
    if not isinstance(other, NUMBERS):
        return NotImplemented
    return binary('mod', None, full_like(self, other), self, 'REMAINDER')


class CudaOperatorMixin:
    __slots__ = ()

    __add__ = _operator('add', 'ADD', 'ADD_S')
    __radd__ = _reflected('add', 'ADD_S')
    __sub__ = _sub
    __rsub__ = _reflected('sub', 'RSUB_S')
    __mul__ = _operator('mul', 'MUL', 'MUL_S')
    __rmul__ = _reflected('mul', 'MUL_S')
    __truediv__ = _operator('div', 'DIV', 'DIV_S')
    __rtruediv__ = _reflected('div', 'RDIV_S')
    __mod__ = _operator('mod', 'REMAINDER', 'REMAINDER_S')
    __rmod__ = _rmod
    __pow__ = _operator('pow', 'POW', 'POW_S')
    __rpow__ = _reflected('pow', 'RPOW_S')

    def __neg__(self):
        return unary('neg', None, self, 'NEG')

    def __abs__(self):
        return unary('abs', None, self, 'ABS')


# unary + and the in-place forms (x += y is x.add(y), ...) are the CPU tensors' own: they only
# call tensor methods
for _name in ('__pos__', '__iadd__', '__isub__', '__imul__', '__itruediv__', '__imod__',
              '__ipow__'):
    setattr(CudaOperatorMixin, _name, getattr(_CpuOperators, _name))
