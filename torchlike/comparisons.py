"""Comparisons (reference §1.2 I): lt, le, gt, ge, eq, ne and the operators < <= > >= == !=.

Every form computes a new ByteTensor of 0/1 (`x.gt(0)`, `torch.gt(x, 0)`, `x > 0`), except the
result forms `res.gt(x, v)` and `torch.gt(res, x, v)`, which write 0/1 into `res` (a ByteTensor
or any other type). Operands broadcast as in numpy.
"""
import numpy as np

from ._core import TensorBase, wrap
from . import types as _types
from .pointwise import _SCALARS, _asc, _operand, _size_error, emit

_COMPARE = {'lt': np.less, 'le': np.less_equal, 'gt': np.greater, 'ge': np.greater_equal,
            'eq': np.equal, 'ne': np.not_equal}


def _compare_run(name, ufunc, res, x, v):
    a = x._arr() if isinstance(x, TensorBase) else None
    if a is None:
        raise TypeError(f"{name}: expected a tensor, got {type(x).__name__}")
    b = _operand(v)
    try:
        r = ufunc(a, b)
    except ValueError:
        raise _size_error(name, a, b) from None
    r = r.view(np.uint8)
    if res is None:
        return wrap(_types.tensor_classes['torch.ByteTensor'], _asc(r))
    return emit(res, res, r)


def _make_compare(name, ufunc):
    def method(self, *args):
        if len(args) == 1:
            return _compare_run(name, ufunc, None, self, args[0])
        if len(args) == 2:
            return _compare_run(name, ufunc, self, args[0], args[1])
        raise TypeError(f"{name} takes 1 or 2 arguments (got {len(args)})")

    def function(*args):
        if len(args) == 2:
            return _compare_run(name, ufunc, None, *args)
        if len(args) == 3:
            return _compare_run(name, ufunc, *args)
        raise TypeError(f"torch.{name} takes 2 or 3 arguments (got {len(args)})")

    method.__name__ = function.__name__ = name
    return method, function


def _operator(name):
    ufunc = _COMPARE[name]

    def op(self, other):
        if not isinstance(other, (TensorBase,) + _SCALARS):
            return NotImplemented
        return _compare_run(name, ufunc, None, self, other)
    op.__name__ = f'__{name}__'
    return op


class ComparisonMixin:
    __slots__ = ()
    __lt__ = _operator('lt')
    __le__ = _operator('le')
    __gt__ = _operator('gt')
    __ge__ = _operator('ge')
    __eq__ = _operator('eq')    # element-wise, as in numpy; tensors still hash by identity
    __ne__ = _operator('ne')


FUNCTIONS = {}
for _name, _uf in _COMPARE.items():
    _method, FUNCTIONS[_name] = _make_compare(_name, _uf)
    setattr(ComparisonMixin, _name, _method)
