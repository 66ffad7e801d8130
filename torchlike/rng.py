"""Random numbers (reference §1.2 J): Mersenne Twister generators, scalar draws, in-place tensor
fills, rand/randn/randperm/multinomial.

One global generator (`default_generator`) serves every random operation that is not handed a
`torch.Generator` as its first argument, so `torch.manualSeed(n)` reproduces a whole run
(DESIGN §2). The algorithms are Torch7's (lib/TH/THRandom.c, generic/THTensorRandom.c): MT19937
seeded with init_genrand, uniform = raw32 / 2^32, cached Box-Muller normals, and so on, so the
streams follow Torch7's (see docs/random_linalg_conv.md for what is bit-exact). The 32-bit
stream comes from numpy's C MT19937 (`random_raw`), so a fill never loops in Python.

Internal API for the rest of the library (nn initialisation, dropout, ...): the tensor methods
(`w.uniform(-s, s)`, `w.normal(0, s)`, `noise.bernoulli(p)`), or the array helpers of a
Generator (`default_generator.uniform_array(n, a, b)` -> float64 ndarray, `normal_array`,
`bernoulli_array`, `raw32`). Import them with `from torchlike.generator import default_generator`:
`torch.random` is the function, which hides this module as an attribute of the package.
"""
import numpy as np

from ._core import TensorBase, fmt_size, is_int, parse_sizes, shape_of, wrap
from . import types as _types
from .generator import Generator, default_generator


# -- argument parsing ------------------------------------------------------------------------
def _gen_args(args):
    """Split an optional leading Generator off the arguments."""
    if args and isinstance(args[0], Generator):
        return args[0], args[1:]
    return default_generator, args


def _number(name, what, v):
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return v
    raise TypeError(f"{name}: {what} must be a number, got {v!r} ({type(v).__name__})")


def _params(name, args, names, defaults):
    """Bind positional parameters to `names`, filling `defaults` (None = required)."""
    if len(args) > len(names):
        raise TypeError(f"{name} takes at most {len(names)} parameters ({', '.join(names)}) "
                        f"after the optional generator, got {len(args)}")
    vals = list(args) + list(defaults[len(args):])
    for nm, v in zip(names, vals):
        if v is None:
            raise TypeError(f"{name}: missing parameter {nm}")
        _number(name, nm, v)
    return [float(v) for v in vals]


def _check_std(name, std):
    if not std >= 0:
        raise ValueError(f"{name}: standard deviation must be non-negative, got {std}")


def _check_positive(name, what, v):
    if not v > 0:
        raise ValueError(f"{name}: {what} must be positive, got {v}")


def _check_prob(name, p, open_interval=False):
    ok = 0 < p < 1 if open_interval else 0 <= p <= 1
    if not ok:
        rng = '0 < p < 1' if open_interval else '0 <= p <= 1'
        raise ValueError(f"{name}: probability must satisfy {rng}, got {p}")


def _check_uniform(name, a, b):
    if not a <= b:
        raise ValueError(f"{name}: lower bound {a} must not exceed upper bound {b}")


def _int_range(name, args):
    """(low, high) inclusive for random(b) (0..b-1) and random(a, b) (a..b)."""
    for v in args:
        if not is_int(v):
            raise TypeError(f"{name}: bounds must be integers, got {v!r}")
    if len(args) == 1:
        b = int(args[0])
        if b <= 0:
            raise ValueError(f"{name}: upper bound must be strictly positive, got {b}")
        return 0, b - 1
    if len(args) == 2:
        a, b = int(args[0]), int(args[1])
        if b < a:
            raise ValueError(f"{name}: upper bound {b} must be larger than lower bound {a}")
        if a < -(1 << 63) or b >= (1 << 63):
            raise ValueError(f"{name}: bounds must fit in 64-bit integers, got [{a}, {b}]")
        return a, b
    raise TypeError(f"{name} takes at most 2 bounds after the optional generator, "
                    f"got {len(args)}")


def _draw_int_range(gen, n, low, high):
    """int64 array of n values low + raw32 % (high - low + 1), as Torch7's random(a, b)."""
    span = high - low + 1
    raw = gen.raw32(n)
    if span <= 0xffffffff:
        raw %= span
    return raw.astype(np.int64) + low if low else raw.astype(np.int64)


# Torch7's x:random() range per type: raw32 % modulus (None: the raw value fits as it is)
_RANDOM_MODULUS = {np.dtype(np.uint8): 256, np.dtype(np.int8): 128,
                   np.dtype(np.int16): 32768, np.dtype(np.int32): 1 << 31,
                   np.dtype(np.int64): None, np.dtype(np.float32): (1 << 24) + 1,
                   np.dtype(np.float64): None}


# -- scalar functions ------------------------------------------------------------------------
def _tensor_form(args):
    """`torch.f(x, ...)` with a tensor first fills x (Torch7's function form of the fill)."""
    return bool(args) and isinstance(args[0], TensorBase)


def manualSeed(*args):
    """manualSeed([gen,] n)"""
    gen, args = _gen_args(args)
    if len(args) != 1:
        raise TypeError("manualSeed([gen,] seed) takes one seed")
    gen.manualSeed(args[0])


def _generator(name, gen):
    if gen is None:
        return default_generator
    if not isinstance(gen, Generator):
        raise TypeError(f"{name}: expected a torch.Generator, got {type(gen).__name__}")
    return gen


def seed(gen=None):
    """seed([gen]) -> the new seed, drawn from /dev/urandom"""
    return _generator('seed', gen).seed()


def initialSeed(gen=None):
    """initialSeed([gen]) -> the seed last given to manualSeed (or drawn by seed)"""
    return _generator('initialSeed', gen).initialSeed()


def getRNGState(*args):
    """getRNGState([gen] [, res]) -> ByteTensor"""
    gen, args = _gen_args(args)
    return gen.getRNGState(*args)


def setRNGState(*args):
    """setRNGState([gen,] state) -> state"""
    gen, args = _gen_args(args)
    if len(args) != 1:
        raise TypeError("setRNGState([gen,] state) takes one state")
    return gen.setRNGState(args[0])


def random(*args):
    """random([gen]) -> raw 32-bit integer in [0, 2^32-1]; random([gen,] b) -> [0, b-1];
    random([gen,] a, b) -> [a, b]. With a tensor first, fills it (x.random)."""
    if _tensor_form(args):
        return args[0].random(*args[1:])
    gen, args = _gen_args(args)
    if not args:
        return gen.raw32()
    low, high = _int_range('random', args)
    return int(_draw_int_range(gen, 1, low, high)[0])


# name: (Generator array method, parameter names, Torch7's defaults (None: required), check)
_DISTRIBUTIONS = {
    'uniform': (Generator.uniform_array, ('a', 'b'), (0.0, 1.0), _check_uniform),
    'normal': (Generator.normal_array, ('mean', 'std'), (0.0, 1.0),
               lambda n, m, s: _check_std(n, s)),
    'exponential': (Generator.exponential_array, ('lambda',), (1.0,),
                    lambda n, lam: _check_positive(n, 'lambda', lam)),
    'cauchy': (Generator.cauchy_array, ('median', 'sigma'), (0.0, 1.0),
               lambda n, m, s: _check_positive(n, 'sigma', s)),
    'logNormal': (Generator.lognormal_array, ('mean', 'std'), (1.0, 2.0),
                  lambda n, m, s: _check_std(n, s)),
    'geometric': (Generator.geometric_array, ('p',), (None,),
                  lambda n, p: _check_prob(n, p, open_interval=True)),
    'bernoulli': (Generator.bernoulli_array, ('p',), (0.5,), _check_prob),
}


def _scalar(name):
    draw, names, defaults, check = _DISTRIBUTIONS[name]
    as_int = name in ('geometric', 'bernoulli')

    def function(*args):
        if _tensor_form(args):
            return getattr(args[0], name)(*args[1:])
        gen, args = _gen_args(args)
        params = _params(name, args, names, defaults)
        check(name, *params)
        v = draw(gen, 1, *params)[0]
        return int(v) if as_int else float(v)
    function.__name__ = name
    function.__doc__ = (f"{name}([gen,] {', '.join(names)}) -> one number (defaults "
                        f"{dict(zip(names, defaults))}); {name}(x, ...) fills tensor x")
    return function


uniform = _scalar('uniform')
normal = _scalar('normal')
exponential = _scalar('exponential')
cauchy = _scalar('cauchy')
logNormal = _scalar('logNormal')
geometric = _scalar('geometric')
bernoulli = _scalar('bernoulli')


# -- tensor fills ----------------------------------------------------------------------------
def _fill(t, values):
    """Write n = t.nElement() drawn values into t in row-major order of its indices (Torch7's
    TH_TENSOR_APPLY order), whatever its strides."""
    if getattr(type(t), '_is_cuda', False):      # drawn on the host, then one transfer
        host = _types.tensor_class(t._host_name)
        return t.copy(wrap(host, np.asarray(values, host._dtype).reshape(tuple(t.size()))))
    a = t._arr()
    if a.flags.c_contiguous:
        np.copyto(a.reshape(-1), values, casting='unsafe')
    else:
        np.copyto(a, values.reshape(a.shape), casting='unsafe')
    return t


def _float_only(t, name):
    if t._dtype.kind != 'f':
        raise TypeError(f"{name} is only defined for FloatTensor and DoubleTensor, not "
                        f"{t._typename} (fill a floating point tensor and convert it)")


def _real(t, params):
    """Parameters passed as Torch7's `real`: rounded to float32 for a FloatTensor."""
    if t._dtype == np.float32:
        return [float(np.float32(p)) for p in params]
    return params


def _make_fill(name, float_only=True, as_real=True):
    draw, names, defaults, check = _DISTRIBUTIONS[name]

    def method(self, *args):
        gen, args = _gen_args(args)
        params = _params(name, args, names, defaults)
        if float_only:
            _float_only(self, name)
        check(name, *params)
        if as_real:
            params = _real(self, params)
        return _fill(self, draw(gen, self._arr().size, *params))
    method.__name__ = name
    method.__doc__ = (f"x.{name}([gen,] {', '.join(names)}): fill x in place, return x "
                      f"(defaults {dict(zip(names, defaults))})")
    return method


def _check_p_tensor(name, t, p):
    pa = p._arr() if isinstance(p, TensorBase) else np.asarray(p)
    n = t._arr().size
    if pa.size == n:
        pa = pa.reshape(-1)
    else:
        try:
            pa = np.broadcast_to(pa, t._arr().shape).reshape(-1)
        except ValueError:
            raise ValueError(f"{name}: the probability tensor has size {fmt_size(shape_of(pa))}"
                             f" ({pa.size} elements) but the tensor has size "
                             f"{fmt_size(shape_of(t._arr()))} ({n} elements)") from None
    if pa.size and not (pa.min() >= 0 and pa.max() <= 1):
        raise ValueError(f"{name}: probabilities must satisfy 0 <= p <= 1, got values in "
                         f"[{pa.min()}, {pa.max()}]")
    return pa.astype(np.float64, copy=False)


class RandomMixin:
    """In-place random fills (x.uniform(a, b) etc.); each returns x and takes an optional
    Generator as its first argument."""
    __slots__ = ()

    def random(self, *args):
        """x.random([gen]) fills with Torch7's per-type range (raw32 modulo 2^8, 2^7, 2^15,
        2^31 for Byte/Char/Short/Int, 2^24+1 for Float, the raw value for Long/Double);
        x.random([gen,] b) with 0..b-1; x.random([gen,] a, b) with a..b."""
        gen, args = _gen_args(args)
        dt = self._dtype
        n = self._arr().size
        if not args:
            mod = _RANDOM_MODULUS[dt]
            raw = gen.raw32(n)
            if mod is not None:
                raw %= mod
            return _fill(self, raw)
        low, high = _int_range('random', args)
        if dt.kind in 'iu':
            info = np.iinfo(dt)
            if low < info.min or high > info.max:
                raise ValueError(f"random: the range [{low}, {high}] does not fit a "
                                 f"{self._typename} ({info.min} to {info.max})")
        return _fill(self, _draw_int_range(gen, n, low, high))

    uniform = _make_fill('uniform')
    normal = _make_fill('normal')
    exponential = _make_fill('exponential')
    cauchy = _make_fill('cauchy')
    logNormal = _make_fill('logNormal')
    geometric = _make_fill('geometric', float_only=False, as_real=False)

    def bernoulli(self, *args):
        """x.bernoulli([gen,] p=0.5) or x.bernoulli([gen,] probabilities): 1 with probability
        p, else 0; `probabilities` is a tensor (or array) with one p per element of x."""
        gen, args = _gen_args(args)
        if len(args) == 1 and isinstance(args[0], (TensorBase, np.ndarray)):
            p = _check_p_tensor('bernoulli', self, args[0])
        else:
            p, = _params('bernoulli', args, ('p',), (0.5,))
            _check_prob('bernoulli', p)
        return _fill(self, gen.bernoulli_array(self._arr().size, p))


# -- constructors ----------------------------------------------------------------------------
def _res_gen_args(args):
    """[res,] [gen,] rest -> (res or None, gen, rest)."""
    res = None
    if args and isinstance(args[0], TensorBase):
        res, args = args[0], args[1:]
    gen, args = _gen_args(args)
    return res, gen, args


def _sized_result(name, res, args):
    sizes = parse_sizes(args, name)
    if any(s < 0 for s in sizes):
        raise ValueError(f"{name}: sizes must be non-negative, got {fmt_size(sizes)}")
    if res is None:
        cls = _host_class(_types.default_tensor_class())
        return wrap(cls, np.empty(sizes or (0,), cls._dtype))
    _float_only(res, name)
    return res.resize(sizes)


def _host_class(cls):
    """Draws happen on the host (one generator for both devices); a CUDA default type gets its
    host twin here and the result is moved to the device by _on_default_device."""
    return _types.tensor_class(cls._host_name) if getattr(cls, '_is_cuda', False) else cls


def _on_default_device(t, res):
    if res is None and getattr(_types.default_tensor_class(), '_is_cuda', False):
        return t.type(_types.getdefaulttensortype())
    return t


def rand(*args):
    """rand([res,] [gen,] sizes...) -> tensor uniform on [0, 1) (default type unless res)."""
    res, gen, args = _res_gen_args(args)
    t = _sized_result('rand', res, args)
    return _on_default_device(_fill(t, gen.uniform_array(t.nElement())), res)


def randn(*args):
    """randn([res,] [gen,] sizes...) -> tensor of standard normal values."""
    res, gen, args = _res_gen_args(args)
    t = _sized_result('randn', res, args)
    return _on_default_device(_fill(t, gen.normal_array(t.nElement())), res)


def _swap_in_order(perm, targets):
    # each swap depends on the previous ones; Python lists make this loop ~10x cheaper than
    # indexing an array element by element
    for i, j in enumerate(targets):
        perm[i], perm[j] = perm[j], perm[i]


def randperm(*args):
    """randperm([res,] [gen,] n) -> a random permutation of 0..n-1 (default type unless res),
    by Torch7's Fisher-Yates: for i in 0..n-2 swap i with i + raw32 % (n - i)."""
    res, gen, args = _res_gen_args(args)
    if len(args) != 1 or not is_int(args[0]):
        raise TypeError("randperm([res,] [gen,] n) takes one integer n")
    n = int(args[0])
    if n < 0:
        raise ValueError(f"randperm: n must be non-negative, got {n}")
    perm = list(range(n))
    if n > 1:
        steps = gen.raw32(n - 1)
        steps %= np.arange(n, 1, -1, dtype=np.uint64)
        _swap_in_order(perm, (steps.astype(np.int64) + np.arange(n - 1)).tolist())
    values = np.fromiter(perm, np.int64, n)
    if res is None:
        cls = _host_class(_types.default_tensor_class())
        return _on_default_device(wrap(cls, values.astype(cls._dtype)), res)
    return _fill(res.resize(n), values)


def multinomial(*args):
    """multinomial([res,] [gen,] p, n, replacement=False) -> LongTensor of 0-based category
    indices: n draws per row of p (1-D: one distribution; 2-D: one per row). Rows are weights
    (they need not sum to 1) and must be non-negative with a positive sum."""
    res = None
    if len(args) > 1 and isinstance(args[0], TensorBase) and isinstance(args[1], (TensorBase,
                                                                                   Generator)):
        res, args = args[0], args[1:]
    gen, args = _gen_args(args)
    if not 2 <= len(args) <= 3 or not isinstance(args[0], TensorBase):
        raise TypeError("multinomial([res,] [gen,] p, n [, replacement]) takes a tensor of "
                        "probabilities, a sample count and an optional replacement flag")
    p, n = args[0], args[1]
    replacement = bool(args[2]) if len(args) == 3 else False
    if not is_int(n) or n < 0:
        raise ValueError(f"multinomial: the number of samples must be a non-negative integer, "
                         f"got {n!r}")
    pa = p._arr()
    shape = shape_of(pa)
    if len(shape) not in (1, 2):
        raise ValueError(f"multinomial: p must be a 1-D or 2-D tensor, got size "
                         f"{fmt_size(shape)}")
    w = np.atleast_2d(pa).astype(np.float64)
    rows, k = w.shape
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("multinomial: probabilities must be finite and non-negative")
    cum = np.cumsum(w, axis=1)
    total = cum[:, -1]
    if np.any(total <= 0):
        raise ValueError(f"multinomial: invalid distribution in row {int(np.argmin(total > 0))}"
                         f" (sum of probabilities <= 0)")
    if not replacement:
        if n > k:
            raise ValueError(f"multinomial: cannot draw {n} samples from {k} categories "
                             f"without replacement")
        short = np.count_nonzero(w > 0, axis=1) < n
        if np.any(short):
            raise ValueError(f"multinomial: row {int(np.argmax(short))} has fewer categories "
                             f"with non-zero probability than the {n} samples requested "
                             f"without replacement")
    cum /= total[:, None]
    u = gen.uniform_array(rows * n).reshape(rows, n)
    out = np.empty((rows, n), np.int64)
    for r in range(rows):
        c = cum[r]
        c[-1] = 1.0
        if replacement:
            out[r] = np.searchsorted(c, u[r], side='left')
            continue
        for j in range(n):   # each draw removes its category's mass (Torch7's update)
            c[-1] = 1.0
            s = int(np.searchsorted(c, u[r, j], side='left'))
            out[r, j] = s
            if j == n - 1:
                break
            diff = c[s] - (c[s - 1] if s else 0.0)
            c[s:] -= diff
            c /= 1.0 - diff
    if len(shape) == 1:
        out = out.reshape(n)
    long_cls = _types.tensor_class('torch.LongTensor')
    if res is None:
        return wrap(long_cls, out)
    if res._typename != 'torch.LongTensor':
        raise TypeError(f"multinomial: the result must be a torch.LongTensor, got "
                        f"{res._typename}")
    return _fill(res.resize(out.shape), out.reshape(-1))
