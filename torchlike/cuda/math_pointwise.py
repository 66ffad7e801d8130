"""Element-wise math, comparisons and the Python operators of the CUDA tensors, with the CPU's
conventions (torchlike/pointwise.py, comparisons.py, operators.py):

  x.f(args)             in place on x, returns x
  res.f(x, args)        f(x, args) written into res (resized), returns res
  torch.f(x, args)      a new tensor of x's type
  torch.f(res, x, args)

Operands broadcast as in numpy; a result takes the type of the tensor it is computed from
(comparisons: CudaByteTensor). Operands are made contiguous (and broadcast, and converted to
x's type) before the flat kernels of kernels/cuda/elementwise.py run. CUDA integer tensors
(CudaLongTensor, CudaByteTensor) hold indices and masks: they get the integer-safe ops
(add/sub/mul by numbers or tensors, neg, abs, sign, clamp, cmax, cmin, comparisons); the
floating-point ones raise a TypeError there.
"""
import numpy as np

from .._core import TensorBase
from ..pointwise import _parse_add
from .math_common import (NUMBERS, broadcast_size, byte_class, check_devices, check_tensor,
                          deliver, ew, flat_operand, float_only, full_like, inplace_target,
                          scalar, target)


def _run(name, res, x, tensors, launch, int_ok):
    """Apply `launch(out_flat, x_flat, *tensor_flats)` with Torch7's result conventions:
    res None -> new tensor, res is x -> in place, else written into res."""
    check_tensor(name, x, res)
    check_devices(name, x, res, *tensors)
    if not int_ok and x._dtype.kind != 'f':
        float_only(name, x)
    cls = x.__class__
    if tensors:
        size = broadcast_size(name, [x._size] + [t._size for t in tensors])
    else:
        size = x._size
    if res is x:
        out, w = x, inplace_target(name, x, size, tensors)
    flats = [flat_operand(t, size, cls) for t in (x,) + tuple(tensors)] if size else ()
    if res is not x:
        # after the operands are read: res may be one of them, and resizing it may move it
        out, w = target(res, cls, size, (x,) + tuple(tensors))
    if size:
        launch(w._dev_flat(), *flats)
    return deliver(out, w)


def unary(name, res, x, code, a=0, b=0):
    """f(x) for the map1 op called `code` (a name in kernels/cuda/elementwise.py: the kernel
    module is imported on first use), with numbers a and b."""
    K = ew()
    op = getattr(K, code)
    check_tensor(name, x, res)
    cls = x.__class__
    sa, sb = scalar(cls, a), scalar(cls, b)
    if cls._dtype.kind == 'f':
        def launch(out, xf):
            K.map1(op, xf, out, sa, sb)
    else:
        def launch(out, xf):
            K.map1_int(op, xf, out, sa, sb)
    return _run(name, res, x, (), launch, op in K.INT_MAP1)


def binary(name, res, x, v, code, scalar_code=None, a=1):
    """g(x, v): the map2 op `code` when v is a tensor (a: the multiplier of add/sub, the
    weight of lerp); the map1 op `scalar_code` when v is a number (with no scalar op, the
    number fills a tensor first)."""
    check_tensor(name, x, res)
    if isinstance(v, TensorBase):
        K = ew()
        op = getattr(K, code)
        sa = scalar(x.__class__, a)
        if x._dtype.kind == 'f':
            def launch(out, xf, vf):
                K.map2(op, xf, vf, out, sa)
        else:
            def launch(out, xf, vf):
                K.map2_int(op, xf, vf, out, sa)
        return _run(name, res, x, (v,), launch, op in K.INT_MAP2)
    if not isinstance(v, NUMBERS):
        raise TypeError(f"{name}: expected a tensor or a number, got {type(v).__name__}")
    if scalar_code is None:
        return binary(name, res, x, full_like(x, v), code, None, a)
    return unary(name, res, x, scalar_code, v)


# -- method and function factories -----------------------------------------------------------------
def _unary_forms(name, code):
    def method(self, *args):
        if not args:
            return unary(name, self, self, code)
        if len(args) == 1:
            return unary(name, self, args[0], code)
        raise TypeError(f"{name} takes 0 or 1 arguments (got {len(args)})")

    def function(*args):
        if len(args) == 1:
            return unary(name, None, args[0], code)
        if len(args) == 2:
            return unary(name, args[0], args[1], code)
        raise TypeError(f"torch.{name} takes 1 or 2 arguments (got {len(args)})")
    method.__name__ = function.__name__ = name
    return method, function


def _binary_forms(name, code, scalar_code):
    def method(self, *args):
        if len(args) == 1:
            return binary(name, self, self, args[0], code, scalar_code)
        if len(args) == 2:
            return binary(name, self, args[0], args[1], code, scalar_code)
        raise TypeError(f"{name} takes 1 or 2 arguments (got {len(args)})")

    def function(*args):
        if len(args) == 2:
            return binary(name, None, args[0], args[1], code, scalar_code)
        if len(args) == 3:
            return binary(name, args[0], args[1], args[2], code, scalar_code)
        raise TypeError(f"torch.{name} takes 2 or 3 arguments (got {len(args)})")
    method.__name__ = function.__name__ = name
    return method, function


def _clamp(res, x, lo, hi):
    check_tensor('clamp', x, res)
    for v in (lo, hi):
        if v is not None and not isinstance(v, NUMBERS):
            raise TypeError(f"clamp: min and max must be numbers or None, got "
                            f"{type(v).__name__}")
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"clamp: min ({lo}) is larger than max ({hi})")
    if x._dtype.kind == 'f':
        lo = -np.inf if lo is None else lo
        hi = np.inf if hi is None else hi
    else:
        info = np.iinfo(np.int64)
        lo = info.min if lo is None else lo
        hi = info.max if hi is None else hi
    return unary('clamp', res, x, 'CLAMP', lo, hi)


def _lerp(res, x, y, w):
    check_tensor('lerp', x, res)
    if not isinstance(w, NUMBERS):
        raise TypeError(f"lerp: the weight must be a number, got {type(w).__name__}")
    if not isinstance(y, TensorBase):
        y = full_like(x, y)
    return binary('lerp', res, x, y, 'LERP', None, w)


def _two_param_forms(name, fn):
    def method(self, *args):
        if len(args) == 2:
            return fn(self, self, *args)
        if len(args) == 3:
            return fn(self, *args)
        raise TypeError(f"{name} takes 2 or 3 arguments (got {len(args)})")

    def function(*args):
        if len(args) == 3:
            return fn(None, *args)
        if len(args) == 4:
            return fn(*args)
        raise TypeError(f"torch.{name} takes 3 or 4 arguments (got {len(args)})")
    method.__name__ = function.__name__ = name
    return method, function


# -- pow: x^n, n^x, x^y ------------------------------------------------------------------------------
def _pow(res, base, exponent):
    if isinstance(base, TensorBase):
        return binary('pow', res, base, exponent, 'POW', 'POW_S')
    return unary('pow', res, exponent, 'RPOW_S', base)   # Torch7's tpow: number ^ tensor


def _pow_method(self, *args):
    """x.pow(n) in place; res.pow(x, n) = x^n; res.pow(n, x) = n^x."""
    if len(args) == 1:
        return _pow(self, self, args[0])
    if len(args) == 2:
        return _pow(self, args[0], args[1])
    raise TypeError(f"pow takes 1 or 2 arguments (got {len(args)})")


def _pow_function(*args):
    """torch.pow(x, n), torch.pow(n, x), torch.pow(res, x, n), torch.pow(res, n, x)."""
    if len(args) == 2:
        return _pow(None, *args)
    if len(args) == 3:
        return _pow(*args)
    raise TypeError(f"torch.pow takes 2 or 3 arguments (got {len(args)})")


# -- add / csub: x + v, x + y, x + v*y ---------------------------------------------------------------
def _add(name, res, x, value, y, sign):
    if y is None:
        if isinstance(value, TensorBase):
            return binary(name, res, x, value, 'ADD', None, sign)
        if not isinstance(value, NUMBERS):
            raise TypeError(f"{name}: expected a tensor or a number, got "
                            f"{type(value).__name__}")
        return unary(name, res, x, 'ADD_S', value if sign > 0 else -value)
    if not isinstance(value, NUMBERS):
        raise TypeError(f"{name}(value, tensor): value must be a number, got "
                        f"{type(value).__name__}")
    if not isinstance(y, TensorBase):
        raise TypeError(f"{name}(value, tensor): expected a tensor, got {type(y).__name__}")
    return binary(name, res, x, y, 'ADD', None, value * sign)


def _add_forms(name, sign):
    def method(self, *args):
        return _add(name, *_parse_add(name, self, args), sign)

    def function(*args):
        n = len(args)
        if n == 2:
            return _add(name, None, args[0], args[1], None, sign)
        if n == 3:
            if isinstance(args[1], TensorBase):
                return _add(name, args[0], args[1], args[2], None, sign)
            return _add(name, None, args[0], args[1], args[2], sign)
        if n == 4:
            return _add(name, *args, sign)
        raise TypeError(f"torch.{name} takes 2 to 4 arguments (got {n})")
    method.__name__ = function.__name__ = name
    return method, function


# -- addcmul / addcdiv: x + v * t1 (*|/) t2 ----------------------------------------------------------
def _addc_forms(name, code):
    def run(res, x, value, t1, t2):
        for t in (t1, t2):
            if not isinstance(t, TensorBase):
                raise TypeError(f"{name}: expected tensors, got {type(t).__name__}")
        check_tensor(name, x, res)
        K = ew()
        op = getattr(K, code)
        sv = scalar(x.__class__, value)

        def launch(out, xf, f1, f2):
            K.map3(op, xf, f1, f2, out, sv)
        return _run(name, res, x, (t1, t2), launch, False)

    def split(args):
        if len(args) == 2:
            return (1,) + tuple(args)
        if len(args) == 3 and not isinstance(args[0], TensorBase):
            return tuple(args)
        raise TypeError(f"{name} expects ([res,] x, [value,] tensor1, tensor2)")

    def method(self, *args):
        if len(args) == 4 or (len(args) == 3 and isinstance(args[0], TensorBase)):
            return run(self, args[0], *split(args[1:]))
        return run(self, self, *split(args))

    def function(*args):
        if len(args) == 5 or (len(args) == 4 and isinstance(args[1], TensorBase)):
            return run(args[0], args[1], *split(args[2:]))
        if len(args) < 3:
            raise TypeError(f"torch.{name} expects ([res,] x, [value,] tensor1, tensor2)")
        return run(None, args[0], *split(args[1:]))
    method.__name__ = function.__name__ = name
    return method, function


# -- comparisons -------------------------------------------------------------------------------------
def compare(name, code, res, x, v):
    """x <op> v as 0/1: a new CudaByteTensor, or written into res."""
    check_tensor(name, x, res)
    check_devices(name, x, res, v)
    K = ew()
    op = getattr(K, code)
    cls = x.__class__
    if isinstance(v, TensorBase) and v._dtype.kind == 'f' and cls._dtype.kind != 'f':
        cls = v.__class__      # an integer tensor against a float one compares as floats
    if isinstance(v, TensorBase):
        size = broadcast_size(name, [x._size, v._size])
        flats = [flat_operand(t, size, cls) for t in (x, v)] if size else None
        out, w = target(res, byte_class(), size, (x, v))
        if size:
            K.compare2(op, flats[0], flats[1], w._dev_flat())
        return deliver(out, w)
    sv = scalar(cls, v)
    size = x._size
    xf = flat_operand(x, size, cls) if size else None
    out, w = target(res, byte_class(), size, (x,))
    if size:
        K.compare1(op, xf, sv, w._dev_flat())
    return deliver(out, w)


def _compare_forms(name, code):
    def method(self, *args):
        if len(args) == 1:
            return compare(name, code, None, self, args[0])
        if len(args) == 2:
            return compare(name, code, self, args[0], args[1])
        raise TypeError(f"{name} takes 1 or 2 arguments (got {len(args)})")

    def function(*args):
        if len(args) == 2:
            return compare(name, code, None, *args)
        if len(args) == 3:
            return compare(name, code, *args)
        raise TypeError(f"torch.{name} takes 2 or 3 arguments (got {len(args)})")

    def operator(self, other):
        if not isinstance(other, (TensorBase,) + NUMBERS):
            return NotImplemented
        return compare(name, code, None, self, other)
    method.__name__ = function.__name__ = name
    operator.__name__ = f'__{name}__'
    return method, function, operator


# -- the table ---------------------------------------------------------------------------------------
_UNARY = ('exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sigmoid', 'tanh', 'sin', 'cos',
          'floor', 'ceil', 'round', 'trunc', 'frac', 'cinv', 'neg', 'abs', 'sign')
# name -> (op with a tensor operand, op with a number)
_BINARY = {
    'mul': ('MUL', 'MUL_S'), 'cmul': ('MUL', 'MUL_S'), 'div': ('DIV', 'DIV_S'),
    'cdiv': ('DIV', 'DIV_S'), 'cpow': ('POW', 'POW_S'), 'cmax': ('CMAX', 'CMAX_S'),
    'cmin': ('CMIN', 'CMIN_S'), 'atan2': ('ATAN2', None), 'fmod': ('FMOD', 'FMOD_S'),
    'cfmod': ('FMOD', 'FMOD_S'), 'mod': ('FMOD', 'FMOD_S'), 'cmod': ('FMOD', 'FMOD_S'),
    'remainder': ('REMAINDER', 'REMAINDER_S'), 'cremainder': ('REMAINDER', 'REMAINDER_S'),
}
_COMPARE = ('lt', 'le', 'gt', 'ge', 'eq', 'ne')


def build():
    """(methods, functions, comparison operators): dicts of name -> callable."""
    methods, functions = {}, {}
    for name in _UNARY:
        methods[name], functions[name] = _unary_forms(name, name.upper())
    for name, (code, scode) in _BINARY.items():
        methods[name], functions[name] = _binary_forms(name, code, scode)
    methods['clamp'], functions['clamp'] = _two_param_forms('clamp', _clamp)
    methods['lerp'], functions['lerp'] = _two_param_forms('lerp', _lerp)
    methods['pow'], functions['pow'] = _pow_method, _pow_function
    methods['add'], functions['add'] = _add_forms('add', 1)
    methods['csub'], functions['csub'] = _add_forms('csub', -1)
    methods['addcmul'], functions['addcmul'] = _addc_forms('addcmul', 'ADDCMUL')
    methods['addcdiv'], functions['addcdiv'] = _addc_forms('addcdiv', 'ADDCDIV')
    operators = {}
    for name in _COMPARE:
        methods[name], functions[name], operators[f'__{name}__'] = \
            _compare_forms(name, name.upper())
    return methods, functions, operators
