"""torch.Generator: Torch7's Mersenne Twister (MT19937 seeded with init_genrand, uniform =
raw32 / 2^32, cached Box-Muller normals), its state in Torch7's byte layout, and the one global
`default_generator` that every random operation uses unless handed another (DESIGN §2).

The 32-bit stream comes from numpy's C MT19937 (`random_raw`), so drawing never loops in Python.
"""
import math
import os
import threading

import numpy as np

from ._core import TensorBase, fmt_size, is_int, shape_of, wrap
from . import types as _types

_N = 624                      # MT19937 state words
_INV_2_32 = 1.0 / 4294967296.0
_TWO_PI = 2.0 * math.pi
_MASK64 = (1 << 64) - 1

# THGenerator as Torch7 wrote it with getRNGState on 64-bit Linux (a memcpy of the C struct),
# so a state saved by Lua Torch restores here and the other way round.
_STATE_DTYPE = np.dtype([
    ('the_initial_seed', '<u8'), ('left', '<i4'), ('seeded', '<i4'), ('next', '<u8'),
    ('state', '<u8', (_N,)), ('normal_x', '<f8'), ('normal_y', '<f8'), ('normal_rho', '<f8'),
    ('normal_is_valid', '<i4'), ('_pad', '<i4')])
STATE_SIZE = _STATE_DTYPE.itemsize   # 5048 bytes


def _init_genrand(seed):
    """MT19937's init_genrand key for the low 32 bits of `seed`."""
    s = seed & 0xffffffff
    key = [s]
    for j in range(1, _N):
        s = (1812433253 * (s ^ (s >> 30)) + j) & 0xffffffff
        key.append(s)
    return np.array(key, dtype=np.uint32)


def _as_seed(n):
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    if not is_int(n):
        raise TypeError(f"manualSeed: the seed must be an integer, got {n!r}")
    n = int(n)
    if not -(1 << 63) <= n <= _MASK64:
        raise ValueError(f"manualSeed: the seed {n} does not fit in 64 bits")
    return n


class Generator:
    """An independent Mersenne Twister stream (`torch.Generator()`), seeded from /dev/urandom.
    Pass it as the first argument of any random function to draw from it instead of the global
    generator."""
    __slots__ = ('_bg', '_initial_seed', '_fresh', '_normal', '_lock', '__weakref__')

    def __init__(self):
        self._lock = threading.RLock()
        self._bg = np.random.MT19937(0)   # its state is replaced by seed() below
        self.seed()

    # -- seeding and state ---------------------------------------------------------------
    def manualSeed(self, n):
        """Reset the stream to MT19937's init_genrand(n & 0xffffffff) and clear the normal
        cache; `initialSeed()` then returns n."""
        n = _as_seed(n)
        key = _init_genrand(n)
        with self._lock:
            self._bg.state = {'bit_generator': 'MT19937', 'state': {'key': key, 'pos': _N}}
            self._initial_seed = n
            self._fresh = True
            self._normal = [0.0, 0.0, 0.0, False]   # x, y, rho, valid (Torch7's cache)
        return self

    def seed(self):
        """Seed from /dev/urandom; returns the 64-bit seed used."""
        s = int.from_bytes(os.urandom(8), 'little')
        self.manualSeed(s)
        return s

    def initialSeed(self):
        return self._initial_seed

    def _state_record(self):
        with self._lock:
            st = self._bg.state['state']
            pos = int(st['pos'])
            rec = np.zeros((), _STATE_DTYPE)
            rec['the_initial_seed'] = self._initial_seed & _MASK64
            rec['left'] = _N + 1 - pos
            rec['seeded'] = 1
            rec['next'] = 0 if self._fresh else pos
            rec['state'] = st['key']
            x, y, rho, valid = self._normal
            rec['normal_x'], rec['normal_y'], rec['normal_rho'] = x, y, rho
            rec['normal_is_valid'] = int(valid)
        return rec

    def getRNGState(self, res=None):
        """The whole state (MT words, position, Box-Muller cache) as a ByteTensor of
        STATE_SIZE bytes, laid out as Torch7's THGenerator."""
        data = np.frombuffer(self._state_record().tobytes(), np.uint8)
        if res is None:
            return wrap(_types.tensor_class('torch.ByteTensor'), data.copy())
        if not isinstance(res, TensorBase) or res._typename != 'torch.ByteTensor':
            raise TypeError("getRNGState: the result must be a torch.ByteTensor")
        res.resize(STATE_SIZE)
        res._arr()[...] = data
        return res

    def setRNGState(self, state):
        """Restore a state from getRNGState; the stream continues bit for bit."""
        if isinstance(state, TensorBase):
            raw = np.ascontiguousarray(state._arr())
        else:
            raw = np.asarray(state)
        if raw.dtype != np.uint8 or raw.size != STATE_SIZE:
            raise ValueError(f"setRNGState: RNG state is wrong size or type: expected a "
                             f"ByteTensor of {STATE_SIZE} elements, got {raw.dtype} of size "
                             f"{fmt_size(shape_of(raw))}")
        rec = np.frombuffer(raw.reshape(-1).tobytes(), _STATE_DTYPE)[0]
        left, nxt = int(rec['left']), int(rec['next'])
        key = rec['state']
        fresh = nxt == 0 and left == 1
        if (int(rec['seeded']) != 1 or not 0 < left <= _N or (nxt != _N + 1 - left and not fresh)
                or np.any(key > 0xffffffff)):
            raise ValueError("setRNGState: invalid RNG state")
        with self._lock:
            self._bg.state = {'bit_generator': 'MT19937',
                              'state': {'key': key.astype(np.uint32), 'pos': _N + 1 - left}}
            self._initial_seed = int(rec['the_initial_seed'])
            self._fresh = fresh
            self._normal = [float(rec['normal_x']), float(rec['normal_y']),
                            float(rec['normal_rho']), bool(rec['normal_is_valid'])]
        return state

    def __reduce__(self):
        return (_generator_from_state, (self._state_record().tobytes(),))

    def __repr__(self):
        return f"torch.Generator(initialSeed={self._initial_seed})"

    # -- array draws (the internal API) ---------------------------------------------------
    def raw32(self, n=None):
        """MT19937's next 32-bit outputs: a Python int, or a uint64 array of n values."""
        self._fresh = False
        return self._bg.random_raw(n)

    def uniform_array(self, n, a=0.0, b=1.0):
        """n doubles uniform on [a, b): raw32 / 2^32 * (b - a) + a, as THRandom_uniform."""
        u = self.raw32(n) * _INV_2_32
        if a == 0.0 and b == 1.0:
            return u
        u *= b - a
        u += a
        return u

    def _unit(self, n):
        return self.raw32(n) * _INV_2_32

    def normal_array(self, n, mean=0.0, std=1.0):
        """n normal doubles by Torch7's Box-Muller: each pair of uniforms (x, y) gives
        rho*cos(2 pi x) then rho*sin(2 pi x) with rho = sqrt(-2 log(1-y)); an odd count leaves
        the sine cached for the next call."""
        out = np.empty(n)
        with self._lock:
            cache = self._normal
            i = 0
            if n and cache[3]:
                out[0] = cache[2] * math.sin(_TWO_PI * cache[0]) * std + mean
                cache[3] = False
                i = 1
            m = n - i
            if m > 0:
                pairs = (m + 1) // 2
                u = self._unit(2 * pairs)
                x, y = u[0::2], u[1::2]
                rho = np.sqrt(-2.0 * np.log(1.0 - y))
                theta = _TWO_PI * x
                out[i::2] = rho * np.cos(theta) * std + mean
                half = m // 2
                if half:
                    out[i + 1::2] = rho[:half] * np.sin(theta[:half]) * std + mean
                if m % 2:
                    self._normal = [float(x[-1]), float(y[-1]), float(rho[-1]), True]
        return out

    def exponential_array(self, n, lam):
        return (-1.0 / lam) * np.log(1.0 - self._unit(n))

    def cauchy_array(self, n, median, sigma):
        return median + sigma * np.tan(math.pi * (self._unit(n) - 0.5))

    def lognormal_array(self, n, mean, std):
        return np.exp(self.normal_array(n, mean, std))

    def geometric_array(self, n, p):
        """Torch7's geometric: P(i) = (1-p) p^(i-1), i >= 1."""
        return (np.log(1.0 - self._unit(n)) / math.log(p)).astype(np.int64) + 1

    def bernoulli_array(self, n, p):
        """uint8 0/1 values, 1 where uniform <= p (p a number or an array of n values)."""
        return (self._unit(n) <= p).view(np.uint8)


def _generator_from_state(data):
    g = Generator.__new__(Generator)
    g._lock = threading.RLock()
    g._bg = np.random.MT19937(0)
    g.setRNGState(np.frombuffer(data, np.uint8))
    return g


default_generator = Generator()
