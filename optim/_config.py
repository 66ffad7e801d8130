"""What every optimiser shares: reading and checking hyper-parameters, calling feval and checking
what it returns, state buffers, per-thread scratch space, and the fused-kernel switch.

Every check runs before anything is modified, so a bad config or a bad feval result raises and
leaves `x` and the state as they were.
"""
import contextlib
import numbers
import threading

import numpy as np

from kernels.runner import AdaptiveRunner, available_chunks
from torchlike._core import TensorBase, fmt_size, shape_of, wrap

# The fused numba kernels are used when True; False runs the multi-pass numpy versions of the
# same updates (the benchmark's baseline, and the reference the tests compare with).
_fused = {'on': True}

# Vectors at least this long may update in parallel (prange). On 2 idle cores parallel adam
# steps were faster from 64K elements on (21 -> 16 us at 64K, 78 -> 47 us at 256K, 0.7 -> 0.35
# ms at 1.86M), but on a busy machine one parallel step can stall for 8 ms (a descheduled
# worker thread); from 256K on, such a stall in one of KernelRunner's tries costs under 10% of
# the time between tries.
PARALLEL_MIN = 1 << 18


def fused_enabled():
    return _fused['on']


@contextlib.contextmanager
def use_fused(flag):
    """`with use_fused(False): ...` runs the multi-pass numpy path inside the block."""
    old = _fused['on']
    _fused['on'] = bool(flag)
    try:
        yield
    finally:
        _fused['on'] = old


def set_fused(flag):
    """Switch the fused kernels on or off globally; returns the previous setting."""
    old = _fused['on']
    _fused['on'] = bool(flag)
    return old


def parallel_chunks(n):
    """How many chunks a fused kernel over n elements may run in parallel (0 = serial):
    vectors shorter than PARALLEL_MIN always run serially; see kernels.runner for the rest.
    torch.setnumthreads(1) (numba.set_num_threads) or NUMBA_NUM_THREADS=1 turns them off."""
    return available_chunks() if n >= PARALLEL_MIN else 0


class KernelRunner(AdaptiveRunner):
    """An optimiser's fused update, serial or parallel (kernels/runner.py explains the choice):
    `runner(n, *args)` for a vector of n elements."""

    def __call__(self, n, *args):
        super().__call__(parallel_chunks(n), n, *args)


# -- config and state ----------------------------------------------------------------------------
def tables(config, state):
    """Torch7's `config = config or {}; state = state or config`."""
    if config is None:
        config = {}
    elif not hasattr(config, 'get') or not hasattr(config, '__setitem__'):
        raise TypeError(f"config must be a dict, got {type(config).__name__}")
    if state is None:
        state = config
    elif not hasattr(state, 'get') or not hasattr(state, '__setitem__'):
        raise TypeError(f"state must be a dict, got {type(state).__name__}")
    return config, state


def is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def number(name, config, key, default, lo=None, hi=None, lo_open=False, hi_open=False):
    """config[key] (or `default`) as a float, checked against [lo, hi] (open ends on request)."""
    v = config.get(key)
    if v is None:
        return default
    if not is_number(v):
        raise TypeError(f"optim.{name}: {key} must be a number, got {v!r}")
    v = float(v)
    if v != v:
        raise ValueError(f"optim.{name}: {key} must be a number, got nan")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise ValueError(f"optim.{name}: {key} must be {'>' if lo_open else '>='} {lo:g}, "
                         f"got {v:g}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise ValueError(f"optim.{name}: {key} must be {'<' if hi_open else '<='} {hi:g}, "
                         f"got {v:g}")
    return v


def integer(name, config, key, default, lo=None):
    v = config.get(key)
    if v is None:
        return default
    if not is_number(v) or v != int(v):
        raise TypeError(f"optim.{name}: {key} must be an integer, got {v!r}")
    v = int(v)
    if lo is not None and v < lo:
        raise ValueError(f"optim.{name}: {key} must be >= {lo}, got {v}")
    return v


def counter(name, state, key):
    """An iteration counter kept in the state (0 when absent)."""
    v = state.get(key)
    if v is None:
        return 0
    if not is_number(v) or v < 0 or v != int(v):
        raise ValueError(f"optim.{name}: state[{key!r}] must be a non-negative integer, got {v!r}")
    return int(v)


def check_x(name, x):
    """The numpy view of x, which must be a FloatTensor or DoubleTensor."""
    if not isinstance(x, TensorBase):
        raise TypeError(f"optim.{name}: x must be a torch.FloatTensor or torch.DoubleTensor, "
                        f"got {type(x).__name__}")
    if getattr(type(x), '_is_cuda', False):
        raise TypeError(f"optim.{name} runs on CPU tensors only; on CUDA use optim.sgd or "
                        f"optim.adam (or move x to the host with x.float())")
    if x._dtype.kind != 'f':
        raise TypeError(f"optim.{name}: x must be a torch.FloatTensor or torch.DoubleTensor, "
                        f"got {x._typename}")
    return x._arr()


def per_element(name, config, key, x, xa):
    """An optional per-element tensor (learningRates, weightDecays) with as many elements as x;
    returned as a flat numpy array, or None."""
    t = config.get(key)
    if t is None:
        return None
    if isinstance(t, TensorBase):
        a = t._arr()
    elif isinstance(t, np.ndarray):
        a = t
    else:
        raise TypeError(f"optim.{name}: {key} must be a tensor with one value per element of x, "
                        f"got {type(t).__name__}")
    if a.size != xa.size:
        raise ValueError(f"optim.{name}: {key} has size {fmt_size(shape_of(a))} "
                         f"({a.size} elements) but x has size {fmt_size(shape_of(xa))} "
                         f"({xa.size} elements)")
    return a.reshape(-1)


def value_of(name, f):
    """The function value feval returned, as a Python float."""
    if is_number(f):
        return float(f)
    if isinstance(f, TensorBase) and f.nElement() == 1:
        if f._is_cuda:                              # a loss left on the device: one transfer
            f = f.float()
        return float(f._arr().reshape(-1)[0])
    if isinstance(f, np.ndarray) and f.size == 1:
        return float(f.reshape(-1)[0])
    raise TypeError(f"optim.{name}: feval must return the function value as a number, "
                    f"got {type(f).__name__}")


def call_feval(name, feval, x):
    """Call feval(x) and check it returned (f, df/dx) with df/dx a tensor of x's type and number
    of elements, on either device. Returns (f as float, gradient tensor)."""
    out = feval(x)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        got = (f"a {type(out).__name__} of length {len(out)}"
               if isinstance(out, (tuple, list)) else type(out).__name__)
        raise TypeError(f"optim.{name}: feval(x) must return (f, df/dx), got {got}")
    f, g = out
    f = value_of(name, f)
    if not isinstance(g, TensorBase):
        raise TypeError(f"optim.{name}: feval(x) must return (f, df/dx) with df/dx a "
                        f"{x._typename}, got {type(g).__name__}")
    if g._typename != x._typename:
        raise TypeError(f"optim.{name}: feval returned a gradient of type {g._typename} "
                        f"for x of type {x._typename}")
    if g.nElement() != x.nElement():
        raise ValueError(f"optim.{name}: feval returned a gradient of size "
                         f"{fmt_size(g.size())} ({g.nElement()} elements) but x has size "
                         f"{fmt_size(x.size())} ({x.nElement()} elements)")
    return f, g


def evaluate(name, feval, x, xa):
    """call_feval for a CPU x: (f as float, gradient tensor, gradient numpy view)."""
    f, g = call_feval(name, feval, x)
    return f, g, g._arr()


def function_value(name, feval, x):
    """For gradient-free methods: feval(x) may return f or (f, anything)."""
    out = feval(x)
    if isinstance(out, (tuple, list)):
        if not out:
            raise TypeError(f"optim.{name}: feval(x) returned an empty {type(out).__name__}")
        out = out[0]
    return value_of(name, out)


def buffer(name, state, key, x, xa, fill=0.0):
    """State tensor `key`, shaped like x and of x's type: created filled with `fill` when absent,
    checked when present (a state from another model must not be used silently).
    Returns (tensor, numpy view, created)."""
    t = state.get(key)
    if t is None:
        a = np.full(xa.shape, fill, xa.dtype) if fill else np.zeros(xa.shape, xa.dtype)
        t = wrap(x.__class__, a)
        return t, a, True
    if not isinstance(t, TensorBase):
        raise TypeError(f"optim.{name}: state[{key!r}] must be a tensor, got {type(t).__name__}")
    a = t._arr()
    if a.size != xa.size:
        raise ValueError(f"optim.{name}: state[{key!r}] has size {fmt_size(shape_of(a))} "
                         f"but x has size {fmt_size(shape_of(xa))}: is this state from "
                         f"another model?")
    if a.dtype != xa.dtype:
        raise TypeError(f"optim.{name}: state[{key!r}] is a {t._typename} but x is a "
                        f"{x._typename}; convert the state or x")
    if a.shape != xa.shape or not a.flags.c_contiguous:
        # a loaded or hand-made buffer with another layout: continue on a copy laid out like x
        a = np.ascontiguousarray(a).reshape(xa.shape).copy()
        return wrap(x.__class__, a), a, True
    return t, a, False


def flat(a):
    """A flat view of a contiguous array (None when `a` is not contiguous)."""
    return a.reshape(-1) if a.flags.c_contiguous else None


# -- scratch space for the multi-pass paths -------------------------------------------------------
_scratch = threading.local()


def scratch(shape, dtype, k, tag=''):
    """k scratch arrays of the given shape and dtype, reused across calls in this thread (the
    multi-pass updates need temporaries; allocating them every step costs page faults). Contents
    are undefined on return; `tag` gives a caller arrays no other caller uses."""
    cache = getattr(_scratch, 'cache', None)
    if cache is None:
        cache = _scratch.cache = {}
    key = (tag, shape, np.dtype(dtype))
    bufs = cache.get(key)
    if bufs is None or len(bufs) < k:
        if len(cache) > 8:  # a long-lived process optimising many sizes: keep the cache small
            cache.clear()
        bufs = [np.empty(shape, dtype) for _ in range(k)]
        cache[key] = bufs
    return bufs[:k]
