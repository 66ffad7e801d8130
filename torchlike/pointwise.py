"""Element-wise math (reference §1.2 F), comparisons (I) and the Python operators.

Calling convention (Torch7's, DESIGN §2):
  x.f(args)          in place on x, returns x
  res.f(x, args)     writes f(x, args) into res (resized), returns res
  torch.f(x, args)   a new tensor of x's type
  torch.f(res, x, args)
Comparisons compute a new ByteTensor in method form too (`x.gt(0)`), and `res.gt(x, v)` writes 0/1
into res. Operands broadcast as in numpy. A result takes the type of the tensor it is computed
from (the left operand); integer tensors compute in floating point where needed and truncate.
"""
import numpy as np

from ._core import FRESH, TensorBase, fmt_size, new_object, shape_of
from . import types as _types

_asc = np.ascontiguousarray
_SCALARS = (int, float, bool, np.number, np.ndarray)
_np_add = np.add
_np_mul = np.multiply


def _size_error(name, a, b):
    sa, sb = shape_of(a), shape_of(np.asarray(b))
    msg = f"{name}: inconsistent tensor sizes {fmt_size(sa)} and {fmt_size(sb)} cannot be broadcast"
    na, nb = int(np.prod(sa)) if sa else 0, int(np.prod(sb)) if sb else 0
    if na == nb and sa != sb:
        msg += f"; both have {na} elements: use view() to give them the same shape"
    return ValueError(msg)


class _ArgumentError(ValueError):
    """A bad argument found inside an array function (not a size problem)."""


def _culprit(a, ops):
    """The operand to name in a size error: the first array that does not broadcast with `a`
    (addcmul's first operand is a number, its tensors come after)."""
    arrays = [o for o in ops if isinstance(o, np.ndarray)]
    for o in arrays:
        try:
            np.broadcast_shapes(a.shape, o.shape)
        except ValueError:
            return o
    return arrays[0] if arrays else (ops[0] if ops else a)


def _operand(v):
    if isinstance(v, TensorBase):
        return v._arr()
    if isinstance(v, (int, float, bool, np.number, np.ndarray)):
        return v
    raise TypeError(f"expected a tensor or a number, got {type(v).__name__}")


def _fresh(cls, r):
    """Wrap a freshly computed array as a contiguous tensor of class `cls`."""
    dt = cls._dtype
    if r.dtype is not dt and r.dtype != dt:
        r = r.astype(dt)
    t = new_object(cls)
    t._a = _asc(r)
    t._st = FRESH
    t._buf = None
    return t


def emit(res, x, r):
    """Deliver the computed array `r`: a new tensor of x's type, or written into `res`."""
    if res is None:
        return _fresh(x.__class__, r)
    if not isinstance(res, TensorBase):
        raise TypeError(f"result argument must be a tensor, got {type(res).__name__}")
    if r.ndim == 0:
        r = r.reshape(1)
    elif r.size == 0:
        r = r.reshape(0)  # every empty tensor is (0,) in Torch's view: no dimensions
    ra = res._arr()
    if ra.shape != r.shape:
        res.resize(r.shape if r.size else (0,))
        ra = res._arr()
    np.copyto(ra, r, casting='unsafe')
    return res


def _in_range(v, dtype):
    """A Python integer that the integer type cannot hold is converted as C converts it
    (ByteTensor.add(-1) subtracts 1 modulo 256, as in Torch7); numpy would raise instead."""
    if type(v) is int:
        info = np.iinfo(dtype)
        if not info.min <= v <= info.max:
            return np.array(v).astype(dtype)
    return v


def _run(name, fn, res, x, ops, float_only, int_fn=None):
    """Apply array function `fn(x_array, *ops)`; res is None (new), x (in place) or a tensor.
    `int_fn` replaces `fn` for integer tensors."""
    if not isinstance(x, TensorBase):
        raise TypeError(f"{name}: expected a tensor, got {type(x).__name__}")
    if float_only and x._dtype.kind != 'f':
        raise TypeError(f"{name} is only defined for FloatTensor and DoubleTensor, "
                        f"not {x._typename}")
    a = x._arr()
    ops = [_operand(v) for v in ops]
    if a.dtype.kind in 'iu':
        ops = [_in_range(v, a.dtype) for v in ops]
        if int_fn is not None:
            fn = int_fn
    if res is x and isinstance(fn, np.ufunc):
        try:
            fn(a, *ops, out=a)
            return x
        except TypeError:
            pass  # an integer destination: compute in the promoted type, then truncate
        except ValueError:
            raise _size_error(name, a, _culprit(a, ops)) from None
    try:
        r = fn(a, *ops)
    except _ArgumentError:
        raise
    except ValueError:
        raise _size_error(name, a, _culprit(a, ops)) from None
    if res is x:
        if r.shape != a.shape:
            raise ValueError(f"{name}: the result has size {fmt_size(r.shape)}, which does not "
                             f"fit the destination of size {fmt_size(a.shape)} (in-place "
                             f"operations cannot grow a tensor)")
        np.copyto(a, r, casting='unsafe')
        return x
    return emit(res, x, r)


def _make(name, fn, nparams, float_only=False, int_fn=None, doc=None):
    """Method and function for `f(x, p1..pk)` with the Torch7 in-place/result conventions."""

    def method(self, *args):
        if len(args) == nparams:
            return _run(name, fn, self, self, args, float_only, int_fn)
        if len(args) == nparams + 1:
            return _run(name, fn, self, args[0], args[1:], float_only, int_fn)
        raise TypeError(f"{name} takes {nparams} or {nparams + 1} arguments "
                        f"(got {len(args)})")

    def function(*args):
        if len(args) == nparams + 1:
            return _run(name, fn, None, args[0], args[1:], float_only, int_fn)
        if len(args) == nparams + 2:
            return _run(name, fn, args[0], args[1], args[2:], float_only, int_fn)
        raise TypeError(f"torch.{name} takes {nparams + 1} or {nparams + 2} arguments "
                        f"(got {len(args)})")

    method.__name__ = function.__name__ = name
    method.__doc__ = function.__doc__ = doc
    return method, function


# -- array-level helpers for operations numpy has no single ufunc for ------------------------
def _round(a):
    """Round half away from zero (C's round), not numpy's round-half-to-even."""
    f = np.trunc(a)
    return f + np.sign(a) * (np.abs(a - f) >= 0.5)


def _frac(a):
    return a - np.trunc(a)


def _rsqrt(a):
    return 1.0 / np.sqrt(a)


def _cinv(a):
    return 1.0 / a


def _sigmoid(a):
    # 0.5 * (1 + tanh(x / 2)) never overflows, unlike 1 / (1 + exp(-x))
    return np.tanh(a * 0.5) * 0.5 + 0.5


def _clamp(a, lo, hi):
    if lo is not None and hi is not None and lo > hi:
        raise _ArgumentError(f"clamp: min ({lo}) is larger than max ({hi})")
    return np.clip(a, lo, hi)


def _lerp(a, b, w):
    return a + w * (b - a)


def _power(base, exponent):
    """base ** exponent; integers raised to negative integer powers compute in floating point
    (numpy refuses them), the result being truncated into the integer destination."""
    if _integral(base) and _integral(exponent) and np.any(np.less(exponent, 0)):
        return np.power(np.asarray(base, np.float64), exponent)
    return np.power(base, exponent)


def _integral(v):
    if isinstance(v, np.ndarray):
        return v.dtype.kind in 'iu'
    return isinstance(v, (int, np.integer))


def _integer_only(name):
    """Bitwise operations on Float/Double tensors: Torch7 refuses them."""
    def fn(a, b):
        typename = _types.class_for_dtype(a.dtype)._typename
        raise TypeError(f"{name} is only defined for integer tensor types, not {typename}")
    return fn


def _int_div_check(name, b):
    if isinstance(b, np.ndarray):
        if not b.all():
            raise ZeroDivisionError(f"{name}: integer division by zero")
    elif b == 0:
        raise ZeroDivisionError(f"{name}: integer division by zero")


def _integer_division(name, ufunc):
    """Integer tensors: refuse division by zero (Torch7 crashed with SIGFPE) and truncate
    toward zero as C does."""
    def fn(a, b):
        _int_div_check(name, b)
        r = ufunc(a, b)
        return np.trunc(r) if ufunc is np.true_divide else r
    return fn


# name -> (array function, number of parameters, float only)
_UNARY_FLOAT = {
    'exp': np.exp, 'log': np.log, 'log1p': np.log1p, 'sqrt': np.sqrt, 'rsqrt': _rsqrt,
    'sigmoid': _sigmoid, 'tanh': np.tanh, 'sin': np.sin, 'cos': np.cos, 'tan': np.tan,
    'asin': np.arcsin, 'acos': np.arccos, 'atan': np.arctan, 'sinh': np.sinh, 'cosh': np.cosh,
    'ceil': np.ceil, 'floor': np.floor, 'round': _round, 'trunc': np.trunc, 'frac': _frac,
    'cinv': _cinv, 'expm1': np.expm1,
}
def _neg(a):
    # not np.negative(a, out=a): numpy 2.4's SIMD negative writes wrong values into a strided
    # output (e.g. 16-byte strides for float32), so negate into a fresh array and copy back
    return np.negative(a)


_UNARY_ANY = {'abs': np.abs, 'sign': np.sign, 'neg': _neg}
_BINARY = {
    'mul': np.multiply, 'cmul': np.multiply, 'cpow': np.power, 'cmax': np.maximum,
    'cmin': np.minimum, 'atan2': np.arctan2,
    'div': np.true_divide, 'cdiv': np.true_divide, 'fmod': np.fmod, 'cfmod': np.fmod,
    'mod': np.fmod, 'cmod': np.fmod, 'remainder': np.remainder, 'cremainder': np.remainder,
    'bitand': np.bitwise_and, 'cbitand': np.bitwise_and, 'bitor': np.bitwise_or,
    'cbitor': np.bitwise_or, 'bitxor': np.bitwise_xor, 'cbitxor': np.bitwise_xor,
    'lshift': np.left_shift, 'clshift': np.left_shift, 'rshift': np.right_shift,
    'crshift': np.right_shift,
}
_BITWISE = (np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.left_shift, np.right_shift)
_INTEGER_VARIANT = {name: _integer_division(name, fn) for name, fn in _BINARY.items()
                    if fn in (np.true_divide, np.fmod, np.remainder)}
_INTEGER_VARIANT.update((name, fn) for name, fn in _BINARY.items() if fn in _BITWISE)
_INTEGER_VARIANT['cpow'] = _power

FUNCTIONS = {}   # torch.<name> function forms, collected for torchlike/__init__.py
_methods = {}

for _name, _fn in _UNARY_FLOAT.items():
    _methods[_name], FUNCTIONS[_name] = _make(_name, _fn, 0, float_only=True)
for _name, _fn in _UNARY_ANY.items():
    _methods[_name], FUNCTIONS[_name] = _make(_name, _fn, 0)
for _name, _fn in _BINARY.items():
    if _fn in _BITWISE:
        _fn = _integer_only(_name)  # the ufunc itself is the integer variant
    _methods[_name], FUNCTIONS[_name] = _make(_name, _fn, 1, float_only=_name == 'atan2',
                                              int_fn=_INTEGER_VARIANT.get(_name))
_methods['clamp'], FUNCTIONS['clamp'] = _make('clamp', _clamp, 2)
_methods['lerp'], FUNCTIONS['lerp'] = _make('lerp', _lerp, 2, float_only=True)


_pow_fn = _power
_pow_method, _pow_function = _make('pow', _pow_fn, 1)


def _scalar_base_pow(res, base, x):
    return _run('pow', lambda a: _power(base, a), res, x, (), False)


def _pow_method_forms(self, *args):
    """x.pow(n) in place; res.pow(x, n) = x^n; res.pow(n, x) = n^x (Torch7's tpow)."""
    if len(args) == 2 and not isinstance(args[0], TensorBase) and isinstance(args[1], TensorBase):
        return _scalar_base_pow(self, args[0], args[1])
    return _pow_method(self, *args)


_methods['pow'] = _pow_method_forms


def pow(*args):
    """torch.pow(x, n) = x^n; torch.pow(n, x) = n^x for a number n; torch.pow(res, x, n);
    torch.pow(res, n, x)."""
    if len(args) == 2 and not isinstance(args[0], TensorBase):
        return _scalar_base_pow(None, args[0], args[1])
    if len(args) == 3 and not isinstance(args[1], TensorBase):
        if isinstance(args[2], TensorBase):
            return _scalar_base_pow(args[0], args[1], args[2])
    return _pow_function(*args)


FUNCTIONS['pow'] = pow


_AXPY_MIN = 1 << 14   # below this, numpy's two passes cost less than the kernel call
_kernel = {'axpy': None}


def _axpy(self, value, y):
    """self += value * y in one pass without a temporary, for large contiguous float tensors
    of one type and shape; False when the general path must handle the call."""
    if type(value) not in (int, float) or not isinstance(y, TensorBase):
        return False
    a, b = self._arr(), y._arr()
    if (a.size < _AXPY_MIN or a.dtype is not b.dtype or a.dtype.kind != 'f'
            or a.shape != b.shape or not a.flags.c_contiguous or not b.flags.c_contiguous
            or (a is not b and np.may_share_memory(a, b))):
        return False
    if _kernel['axpy'] is None:   # imported on first use: numba loads lazily
        from kernels.cpu.blas1 import axpy
        _kernel['axpy'] = axpy
    _kernel['axpy'](a.reshape(-1), a.dtype.type(value), b.reshape(-1))
    return True


def _parse_add(name, self, args):
    """(res, x, value, y) for add/csub: (v) (y) (v, y) (x, y) (x, v, y) after self."""
    n = len(args)
    if n == 1:
        return self, self, args[0], None
    if n == 2:
        if isinstance(args[0], TensorBase):
            return self, args[0], args[1], None
        return self, self, args[0], args[1]
    if n == 3:
        return self, args[0], args[1], args[2]
    raise TypeError(f"{name} takes 1 to 3 arguments (got {n})")


def _add_value(value, y):
    """x + value (a number or tensor), or x + value * y."""
    if y is None:
        return _operand(value)
    if not isinstance(value, (int, float, np.number)):
        raise TypeError(f"add(value, tensor): value must be a number, got {type(value).__name__}")
    b = _operand(y)
    return b if value == 1 else b * value


def _add_general(name, res, x, value, y, sign):
    b = _add_value(value, y)
    return _run(name, _np_add if sign > 0 else np.subtract, res, x, (b,), False)


def _add_function(*args):
    """torch.add(x, v|y), torch.add(x, v, y), torch.add(res, x, y), torch.add(res, x, v, y)."""
    n = len(args)
    if n == 2:
        return _add_general('add', None, args[0], args[1], None, 1)
    if n == 3:
        if isinstance(args[1], TensorBase):
            return _add_general('add', args[0], args[1], args[2], None, 1)
        return _add_general('add', None, args[0], args[1], args[2], 1)
    if n == 4:
        return _add_general('add', *args, 1)
    raise TypeError(f"torch.add takes 2 to 4 arguments (got {n})")


def _csub_function(*args):
    n = len(args)
    if n == 2:
        return _add_general('csub', None, args[0], args[1], None, -1)
    if n == 3:
        if isinstance(args[1], TensorBase):
            return _add_general('csub', args[0], args[1], args[2], None, -1)
        return _add_general('csub', None, args[0], args[1], args[2], -1)
    if n == 4:
        return _add_general('csub', *args, -1)
    raise TypeError(f"torch.csub takes 2 to 4 arguments (got {n})")


FUNCTIONS['add'] = _add_function
FUNCTIONS['csub'] = _csub_function


def _addc(name, combine):
    """addcmul / addcdiv: x + value * combine(t1, t2), value defaulting to 1."""

    def fn(a, value, t1, t2):
        if combine is np.true_divide and a.dtype.kind in 'iu':
            _int_div_check(name, t2)
        return a + value * combine(t1, t2)

    def value_and_tensors(args):
        if len(args) == 2:
            return (1,) + tuple(args)
        if len(args) == 3 and not isinstance(args[0], TensorBase):
            return tuple(args)
        raise TypeError(f"{name} expects ([res,] x, [value,] tensor1, tensor2)")

    def method(self, *args):
        # x.f([v,] t1, t2) in place; res.f(x, [v,] t1, t2)
        if len(args) == 4 or (len(args) == 3 and isinstance(args[0], TensorBase)):
            return _run(name, fn, self, args[0], value_and_tensors(args[1:]), False)
        return _run(name, fn, self, self, value_and_tensors(args), False)

    def function(*args):
        # torch.f(x, [v,] t1, t2) or torch.f(res, x, [v,] t1, t2)
        if len(args) == 5 or (len(args) == 4 and isinstance(args[1], TensorBase)):
            return _run(name, fn, args[0], args[1], value_and_tensors(args[2:]), False)
        if len(args) < 3:
            raise TypeError(f"torch.{name} expects ([res,] x, [value,] tensor1, tensor2)")
        return _run(name, fn, None, args[0], value_and_tensors(args[1:]), False)

    method.__name__ = function.__name__ = name
    return method, function


_methods['addcmul'], FUNCTIONS['addcmul'] = _addc('addcmul', np.multiply)
_methods['addcdiv'], FUNCTIONS['addcdiv'] = _addc('addcdiv', np.true_divide)


class PointwiseMixin:
    __slots__ = ()

    def add(self, *args):
        """x.add(v|y), x.add(v, y) (x += v*y), res.add(x, y), res.add(x, v, y)."""
        if len(args) == 1:
            a = self._a
            if self._buf is not self._st._data:
                a = self._refresh()
            v = args[0]
            b = v._arr() if isinstance(v, TensorBase) else v
            try:
                _np_add(a, b, out=a)
                return self
            except (TypeError, ValueError, OverflowError):
                pass  # an integer destination or a size problem: the general path explains
        if len(args) == 2 and _axpy(self, *args):
            return self
        return _add_general('add', *_parse_add('add', self, args), 1)

    def csub(self, *args):
        """Subtract in place: x.csub(v|y), x.csub(v, y), res.csub(x, y), res.csub(x, v, y)."""
        return _add_general('csub', *_parse_add('csub', self, args), -1)

    def mul(self, *args):
        """x.mul(v) in place; res.mul(x, v)."""
        if len(args) == 1:
            a = self._a
            if self._buf is not self._st._data:
                a = self._refresh()
            v = args[0]
            if not isinstance(v, TensorBase):
                try:
                    _np_mul(a, v, out=a)
                    return self
                except (TypeError, ValueError, OverflowError):
                    pass
        return _methods['mul'](self, *args)


for _name, _method in _methods.items():
    if _name not in PointwiseMixin.__dict__:
        setattr(PointwiseMixin, _name, _method)
