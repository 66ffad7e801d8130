"""The Python arithmetic operators of tensors (DESIGN §2: Python conventions for Python
syntax): `x + y` and friends return new tensors of the left operand's type, with numpy
broadcasting; `x += y` and friends work in place. `@` is in blas.py, `< == ...` in
comparisons.py. The binary operators are the hot path for small tensors: they read the numpy
views directly and wrap the result without any further call.
"""
import operator

import numpy as np

from ._core import FRESH, TensorBase, new_object
from .pointwise import (_SCALARS, _asc, _fresh, _in_range, _integer_division, _pow_fn, _power,
                        _size_error)


def _binary_operator(name, ufunc, reflected=False, keeps_type=False):
    """`x op y` returning a new tensor of the left tensor's type (fast path for small tensors).
    `keeps_type`: the op cannot change the type of two same-type operands (+ - *), so that
    common case skips the isinstance and result-type checks."""

    def op(self, other):
        a = self._a
        if self._buf is not self._st._data:
            a = self._refresh()
        cls = self.__class__
        if keeps_type and other.__class__ is cls:
            b = other._a
            if other._buf is not other._st._data:
                b = other._refresh()
            try:
                r = ufunc(b, a) if reflected else ufunc(a, b)
            except ValueError:
                raise _size_error(name, a, b) from None
        else:
            if isinstance(other, TensorBase):
                b = other._a
                if other._buf is not other._st._data:
                    b = other._refresh()
            elif isinstance(other, _SCALARS):
                b = other
            else:
                return NotImplemented
            try:
                r = ufunc(b, a) if reflected else ufunc(a, b)
            except ValueError:
                raise _size_error(name, a, b) from None
            except OverflowError:
                b = _in_range(b, a.dtype)
                r = ufunc(b, a) if reflected else ufunc(a, b)
            if r.dtype is not cls._dtype:
                r = r.astype(cls._dtype)
        if r.ndim > 1:
            r = _asc(r)  # a 1-D result is always contiguous; N-D ones follow numpy's layout
        t = new_object(cls)
        t._a = r
        t._st = FRESH
        t._buf = None
        return t

    op.__name__ = f'__{name}__'
    return op


def _operator_division(name, ufunc):
    """`/` and `%` for the operators: all-integer operands get the checked, truncating variant."""
    int_fn = _integer_division(name, ufunc)

    def fn(p, q):
        arrays = [v for v in (p, q) if isinstance(v, np.ndarray)]
        if all(v.dtype.kind in 'iu' for v in arrays):
            return int_fn(p, q)
        return ufunc(p, q)
    return fn


class OperatorMixin:
    """`+ - * / % ** & | ^` give new tensors of the left operand's type; unary `- + abs()`;
    `+= -= *= /= %= **=` work in place (Torch7's method forms)."""
    __slots__ = ()

    __add__ = _binary_operator('add', operator.add, keeps_type=True)
    __radd__ = _binary_operator('add', operator.add, reflected=True, keeps_type=True)
    __sub__ = _binary_operator('sub', operator.sub, keeps_type=True)
    __rsub__ = _binary_operator('sub', operator.sub, reflected=True, keeps_type=True)
    __mul__ = _binary_operator('mul', operator.mul, keeps_type=True)
    __rmul__ = _binary_operator('mul', operator.mul, reflected=True, keeps_type=True)
    __truediv__ = _binary_operator('div', _operator_division('div', np.true_divide))
    __rtruediv__ = _binary_operator('div', _operator_division('div', np.true_divide), True)
    __mod__ = _binary_operator('mod', _operator_division('mod', np.remainder))
    __rmod__ = _binary_operator('mod', _operator_division('mod', np.remainder), True)
    __pow__ = _binary_operator('pow', _pow_fn)
    __rpow__ = _binary_operator('pow', _power, reflected=True)
    __and__ = _binary_operator('and', np.bitwise_and)
    __or__ = _binary_operator('or', np.bitwise_or)
    __xor__ = _binary_operator('xor', np.bitwise_xor)

    def __neg__(self):
        return _fresh(self.__class__, np.negative(self._arr()))

    def __pos__(self):
        return self.clone()

    def __abs__(self):
        return _fresh(self.__class__, np.abs(self._arr()))

    def __iadd__(self, other):
        return self.add(other)

    def __isub__(self, other):
        return self.csub(other)

    def __imul__(self, other):
        return self.mul(other)

    def __itruediv__(self, other):
        return self.div(other)

    def __imod__(self, other):
        return self.remainder(other)

    def __ipow__(self, other):
        return self.pow(other)
