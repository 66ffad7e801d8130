"""Random numbers: MT19937 reference values, Torch7's algorithms re-implemented element by
element in pure Python as the reference for the vectorised fills, state save/restore,
generator independence, statistics, argument errors."""
import math
import pickle

import numpy as np
import pytest

import torchlike as torch
from torchlike.generator import STATE_SIZE
from torchlike.rng import (Generator, bernoulli, cauchy, default_generator,
                              exponential, geometric, getRNGState, initialSeed, logNormal,
                              manualSeed, multinomial, normal, rand, randn, randperm, seed,
                              setRNGState, uniform)
from torchlike.rng import random as trandom


# -- an independent pure-Python MT19937 and Torch7's THRandom formulas --------------------------
class RefMT:
    """MT19937 as in the 2002 reference C code (init_genrand + genrand_int32), plus
    THRandom.c's distributions, one number at a time."""

    def __init__(self, s):
        self.mt = [s & 0xffffffff]
        for i in range(1, 624):
            prev = self.mt[-1]
            self.mt.append((1812433253 * (prev ^ (prev >> 30)) + i) & 0xffffffff)
        self.i = 624
        self.cache = None

    def int32(self):
        if self.i >= 624:
            mt = self.mt
            for k in range(624):
                y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (0x9908b0df if y & 1 else 0)
            self.i = 0
        y = self.mt[self.i]
        self.i += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c5680
        y ^= (y << 15) & 0xefc60000
        y ^= y >> 18
        return y

    def unit(self):
        return self.int32() * (1.0 / 4294967296.0)

    def uniform(self, a=0.0, b=1.0):
        return self.unit() * (b - a) + a

    def normal(self, mean=0.0, std=1.0):
        if self.cache is None:
            x, y = self.unit(), self.unit()
            rho = math.sqrt(-2.0 * math.log(1.0 - y))
            self.cache = (x, rho)
            return rho * math.cos(2.0 * math.pi * x) * std + mean
        x, rho = self.cache
        self.cache = None
        return rho * math.sin(2.0 * math.pi * x) * std + mean

    def exponential(self, lam):
        return -1.0 / lam * math.log(1 - self.unit())

    def cauchy(self, median, sigma):
        return median + sigma * math.tan(math.pi * (self.unit() - 0.5))

    def geometric(self, p):
        return int(math.log(1 - self.unit()) / math.log(p)) + 1

    def bernoulli(self, p):
        return int(self.unit() <= p)

    def randperm(self, n):
        r = list(range(n))
        for i in range(n - 1):
            z = self.int32() % (n - i)
            r[i], r[z + i] = r[z + i], r[i]
        return r

    def multinomial(self, p, n, replacement):
        cum, s = [], 0.0
        for v in p:
            s += v
            cum.append(s)
        cum = [c / s for c in cum]
        out = []
        for _ in range(n):
            u = self.uniform()
            cum[-1] = 1.0
            lo, hi = 0, len(cum)
            while hi - lo > 0:
                mid = lo + (hi - lo) // 2
                if cum[mid] < u:
                    lo = mid + 1
                else:
                    hi = mid
            out.append(lo)
            if not replacement:
                prev = cum[lo - 1] if lo else 0.0
                diff = cum[lo] - prev
                total = 1.0 - diff
                if total > 0:
                    cum = [((c - diff) if k >= lo else c) / total for k, c in enumerate(cum)]
        return out


# -- MT19937 and Torch7 reference values ---------------------------------------------------------
def test_mt19937_published_outputs():
    manualSeed(5489)
    assert [trandom() for _ in range(5)] == [3499211612, 581869302, 3890346734, 3586334585,
                                              545404204]
    manualSeed(5489)
    t = torch.LongTensor(10000).random()
    assert t.numpy()[-1] == 4123659995      # the 10000th output (C++ std::mt19937 check value)


def test_torch7_documented_values():
    manualSeed(0)
    assert trandom() == 2357136044 and trandom() == 2546248239
    gen = Generator()
    manualSeed(gen, 0)
    assert trandom(gen) == 2357136044
    manualSeed(123)
    assert [round(uniform(), 14) for _ in range(3)] == [0.69646918727085, 0.71295532141812,
                                                         0.28613933874294]
    assert initialSeed() == 123


def test_pure_python_mt_agrees_on_long_streams():
    manualSeed(2 ** 40 + 17)                 # only the low 32 bits seed the state
    ref = RefMT(2 ** 40 + 17)
    got = torch.LongTensor(2000).random().numpy().tolist()
    assert got == [ref.int32() for _ in range(2000)]
    assert initialSeed() == 2 ** 40 + 17


# -- the vectorised fills follow Torch7's element-by-element algorithms -------------------------
def test_uniform_stream_exact():
    manualSeed(7)
    ref = RefMT(7)
    x = torch.DoubleTensor(1001).uniform(-2, 3)
    assert x.numpy().tolist() == [ref.uniform(-2.0, 3.0) for _ in range(1001)]
    assert uniform(1, 5) == ref.uniform(1.0, 5.0)


def test_float_tensor_parameters_rounded_like_torch7():
    manualSeed(3)
    ref = RefMT(3)
    x = torch.FloatTensor(50).uniform(-0.1, 0.1)
    a, b = float(np.float32(-0.1)), float(np.float32(0.1))
    expect = np.array([ref.uniform(a, b) for _ in range(50)]).astype(np.float32)
    assert np.array_equal(x.numpy(), expect)


def test_normal_stream_with_box_muller_cache():
    manualSeed(11)
    ref = RefMT(11)
    got = []
    # odd sizes exercise the cached sine across calls; scalar draws share the cache
    got += torch.DoubleTensor(3).normal(1, 2).numpy().tolist()
    got.append(normal(1, 2))
    got += torch.DoubleTensor(5).normal(1, 2).numpy().tolist()
    got += randn(2).numpy().tolist()
    expect = [ref.normal(1.0, 2.0) for _ in range(9)] + [ref.normal() for _ in range(2)]
    np.testing.assert_allclose(got, expect, rtol=1e-13, atol=1e-13)
    assert trandom() == ref.int32()         # same number of raw draws consumed


@pytest.mark.parametrize('name,params', [('exponential', (2.5,)), ('cauchy', (1.0, 0.5)),
                                         ('geometric', (0.3,)), ('bernoulli', (0.25,))])
def test_other_streams(name, params):
    manualSeed(99)
    ref = RefMT(99)
    x = getattr(torch.DoubleTensor(400), name)(*params).numpy()
    expect = [getattr(ref, name)(*params) for _ in range(400)]
    np.testing.assert_allclose(x, expect, rtol=1e-12)
    scalar = {'exponential': exponential, 'cauchy': cauchy, 'geometric': geometric,
              'bernoulli': bernoulli}[name](*params)
    assert scalar == pytest.approx(getattr(ref, name)(*params), rel=1e-12)


def test_lognormal_is_exp_of_normal():
    manualSeed(5)
    ref = RefMT(5)
    x = torch.DoubleTensor(7).logNormal(0.5, 0.25).numpy()
    np.testing.assert_allclose(x, [math.exp(ref.normal(0.5, 0.25)) for _ in range(7)],
                               rtol=1e-13)
    assert logNormal() == pytest.approx(math.exp(ref.normal(1.0, 2.0)), rel=1e-13)


def test_random_ranges_and_types():
    manualSeed(1)
    ref = RefMT(1)
    assert trandom(10) == ref.int32() % 10          # 0-based: 0..9
    assert trandom(-3, 4) == ref.int32() % 8 - 3
    x = torch.IntTensor(200).random(-5, 5).numpy()
    assert x.tolist() == [ref.int32() % 11 - 5 for _ in range(200)]
    for cls, hi in [(torch.ByteTensor, 255), (torch.CharTensor, 127), (torch.ShortTensor, 32767),
                    (torch.IntTensor, 2 ** 31 - 1), (torch.FloatTensor, 2 ** 24)]:
        v = cls(3000).random().numpy()
        assert v.min() >= 0 and v.max() <= hi
    v = torch.DoubleTensor(1000).random(6).numpy()
    assert set(v.tolist()) == set(range(6))


def test_non_contiguous_fill_follows_index_order():
    manualSeed(4)
    ref = RefMT(4)
    x = torch.DoubleTensor(4, 3).t()             # 3 x 4 view with strides (1, 3)
    x.uniform()
    expect = np.array([ref.uniform() for _ in range(12)]).reshape(3, 4)
    assert np.array_equal(x.numpy(), expect)


def test_randperm_matches_torch7_shuffle_and_is_permutation():
    manualSeed(8)
    ref = RefMT(8)
    p = randperm(50)
    assert p.type() == torch.getdefaulttensortype()
    assert p.numpy().astype(int).tolist() == ref.randperm(50)
    big = randperm(10000).numpy()
    assert np.array_equal(np.sort(big), np.arange(10000))
    assert randperm(0).nElement() == 0 and randperm(1).numpy().tolist() == [0]
    res = torch.LongTensor()
    assert randperm(res, 5) is res and sorted(res.numpy().tolist()) == [0, 1, 2, 3, 4]


def test_multinomial_matches_torch7_algorithm():
    p = [0.1, 0.0, 2.0, 0.5, 1.4]
    for replacement in (True, False):
        manualSeed(21)
        ref = RefMT(21)
        got = multinomial(torch.DoubleTensor(p), 4, replacement)
        assert got.type() == 'torch.LongTensor' and got.size() == torch.Size([4])
        assert got.numpy().tolist() == ref.multinomial(p, 4, replacement)
    manualSeed(22)
    ref = RefMT(22)
    rows = [[1, 2, 3], [0, 5, 5]]
    got = multinomial(torch.FloatTensor(rows), 2).numpy().tolist()
    assert got == [ref.multinomial(r, 2, False) for r in rows]


def test_multinomial_properties():
    manualSeed(0)
    p = torch.DoubleTensor([[0.2, 0.3, 0.5, 0.0], [3, 1, 1, 0]])
    s = multinomial(p, 3)
    for row in s.numpy():
        assert len(set(row.tolist())) == 3 and 3 not in row.tolist()
    with_r = multinomial(torch.DoubleTensor([1, 1, 2]), 40000, True).numpy()
    np.testing.assert_allclose(np.bincount(with_r) / 40000, [0.25, 0.25, 0.5], atol=0.015)
    with pytest.raises(ValueError, match='without replacement'):
        multinomial(torch.DoubleTensor([1, 1]), 3)
    with pytest.raises(ValueError, match='non-zero probability'):
        multinomial(torch.DoubleTensor([1, 0, 0]), 2)
    with pytest.raises(ValueError, match='non-negative'):
        multinomial(torch.DoubleTensor([1, -1, 2]), 1)
    with pytest.raises(ValueError, match='sum of probabilities'):
        multinomial(torch.DoubleTensor([[1, 1], [0, 0]]), 1, True)
    with pytest.raises(ValueError, match='1-D or 2-D'):
        multinomial(torch.DoubleTensor(2, 2, 2).fill(1), 1)
    res = torch.LongTensor()
    assert multinomial(res, torch.DoubleTensor([1, 2]), 2) is res and res.size() == (2,)


# -- state and generators -----------------------------------------------------------------------
def test_get_set_state_continues_bit_for_bit():
    manualSeed(42)
    torch.DoubleTensor(1001).uniform()
    normal()                                   # leaves a cached Box-Muller value
    s = getRNGState()
    assert s.type() == 'torch.ByteTensor' and s.nElement() == STATE_SIZE == 5048
    a = randn(7).numpy().copy()
    b = torch.LongTensor(700).random().numpy().copy()
    setRNGState(s)
    assert np.array_equal(randn(7).numpy(), a)
    assert np.array_equal(torch.LongTensor(700).random().numpy(), b)
    with pytest.raises(ValueError, match='wrong size'):
        setRNGState(torch.ByteTensor(10))
    bad = s.clone()
    bad.numpy()[12:16] = 0                     # 'seeded' flag off
    with pytest.raises(ValueError, match='invalid'):
        setRNGState(bad)


def test_state_layout_is_torch7s_struct():
    manualSeed(5489)
    rec = np.frombuffer(getRNGState().numpy().tobytes(), np.uint8)
    seed_, left, seeded, nxt = (int.from_bytes(rec[0:8], 'little'),
                                int.from_bytes(rec[8:12], 'little'),
                                int.from_bytes(rec[12:16], 'little'),
                                int.from_bytes(rec[16:24], 'little'))
    assert (seed_, left, seeded, nxt) == (5489, 1, 1, 0)
    words = np.frombuffer(rec[24:24 + 624 * 8].tobytes(), '<u8')
    assert words[0] == 5489 and words[1] == RefMT(5489).mt[1]
    trandom()
    rec = getRNGState().numpy()
    assert int.from_bytes(rec[8:12].tobytes(), 'little') == 624
    assert int.from_bytes(rec[16:24].tobytes(), 'little') == 1


def test_generators_are_independent():
    g1, g2 = Generator(), Generator()
    manualSeed(g1, 77)
    manualSeed(g2, 77)
    manualSeed(1)
    a = torch.DoubleTensor(5).uniform(g1).numpy().copy()
    uniform()                                   # the global stream does not disturb g2
    b = torch.DoubleTensor(5).uniform(g2).numpy().copy()
    assert np.array_equal(a, b)
    assert rand(g1, 3).numpy().tolist() == rand(g2, 3).numpy().tolist()
    st = getRNGState(g1)
    n1 = normal(g1)
    setRNGState(g1, st)
    assert normal(g1) == n1
    assert initialSeed(g1) == 77
    g3 = pickle.loads(pickle.dumps(g1))
    assert uniform(g3) == uniform(g1)


def test_seed_reproduces_everything():
    def run():
        manualSeed(1234)
        return np.concatenate([rand(3, 2).numpy().ravel(), randn(5).numpy(),
                               randperm(6).numpy(), [uniform(), normal(), trandom(9)],
                               torch.FloatTensor(4).bernoulli(0.3).numpy()])
    assert np.array_equal(run(), run())
    s = seed()
    assert initialSeed() == s and 0 <= s < 2 ** 64
    assert Generator().initialSeed() != Generator().initialSeed()


# -- statistics -----------------------------------------------------------------------------------
def test_distribution_moments():
    manualSeed(2024)
    n = 100000
    u = torch.DoubleTensor(n).uniform(2, 5).numpy()
    assert u.min() >= 2 and u.max() < 5 and abs(u.mean() - 3.5) < 0.02
    z = torch.DoubleTensor(n).normal(3, 2).numpy()
    assert abs(z.mean() - 3) < 0.03 and abs(z.std() - 2) < 0.03
    e = torch.DoubleTensor(n).exponential(4).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.005
    c = torch.DoubleTensor(n).cauchy(1, 2).numpy()
    assert abs(np.median(c) - 1) < 0.05
    ln = torch.DoubleTensor(n).logNormal(0, 0.5).numpy()
    assert abs(np.log(ln).mean()) < 0.01 and abs(np.log(ln).std() - 0.5) < 0.01
    g = torch.LongTensor(n).geometric(0.75).numpy()   # P(i) = (1-p) p^(i-1): mean 1/(1-p)
    assert g.min() >= 1 and abs(g.mean() - 4) < 0.1
    b = torch.ByteTensor(n).bernoulli(0.3).numpy()
    assert set(np.unique(b).tolist()) <= {0, 1} and abs(b.mean() - 0.3) < 0.01
    f = rand(torch.FloatTensor(), 300, 300).numpy()
    assert f.dtype == np.float32 and abs(f.mean() - 0.5) < 0.01


def test_bernoulli_with_probability_tensor():
    manualSeed(9)
    p = torch.DoubleTensor([0, 1, 0, 1, 0.5])
    x = torch.FloatTensor(5).bernoulli(p).numpy()
    assert x[:4].tolist() == [0, 1, 0, 1]
    many = torch.DoubleTensor(20000, 2).bernoulli(torch.DoubleTensor([0.1, 0.9])).numpy()
    np.testing.assert_allclose(many.mean(0), [0.1, 0.9], atol=0.01)
    x = torch.DoubleTensor(3).fill(7)
    with pytest.raises(ValueError, match='0 <= p <= 1'):
        x.bernoulli(torch.DoubleTensor([0.5, 1.5, 0]))
    with pytest.raises(ValueError, match='elements'):
        x.bernoulli(torch.DoubleTensor([0.5, 0.5]))
    assert x.numpy().tolist() == [7, 7, 7]


# -- constructors and errors ----------------------------------------------------------------------
def test_rand_randn_forms():
    assert rand(2, 3).size() == (2, 3) and rand(2, 3).type() == torch.getdefaulttensortype()
    assert randn(torch.Size([4])).size() == (4,)
    res = torch.FloatTensor()
    assert rand(res, 2, 2) is res and res.size() == (2, 2)
    g = Generator()
    assert randn(res, g, 5) is res and res.size() == (5,)
    assert rand().nElement() == 0
    with pytest.raises(TypeError, match='FloatTensor and DoubleTensor'):
        rand(torch.IntTensor(), 3)
    with pytest.raises(ValueError, match='non-negative'):
        rand(-1)


def test_function_form_fills_a_tensor():
    x = torch.DoubleTensor(4)
    assert uniform(x, 5, 6) is x and np.all((x.numpy() >= 5) & (x.numpy() < 6))
    assert trandom(x, 1, 3) is x and set(x.numpy().tolist()) <= {1, 2, 3}


@pytest.mark.parametrize('call,err,msg', [
    (lambda x: x.normal(0, -1), ValueError, 'standard deviation'),
    (lambda x: x.uniform(2, 1), ValueError, 'must not exceed'),
    (lambda x: x.geometric(1.0), ValueError, '0 < p < 1'),
    (lambda x: x.bernoulli(1.5), ValueError, '0 <= p <= 1'),
    (lambda x: x.exponential(0), ValueError, 'lambda must be positive'),
    (lambda x: x.cauchy(0, 0), ValueError, 'sigma must be positive'),
    (lambda x: x.logNormal(0, -2), ValueError, 'standard deviation'),
    (lambda x: x.random(3, 2), ValueError, 'larger than lower'),
    (lambda x: x.random(0), ValueError, 'strictly positive'),
    (lambda x: x.uniform('a'), TypeError, 'must be a number'),
    (lambda x: x.uniform(0, 1, 2), TypeError, 'at most 2'),
    (lambda x: x.geometric(), TypeError, 'missing parameter p'),
])
def test_bad_parameters_leave_tensor_unchanged(call, err, msg):
    x = torch.DoubleTensor(5).fill(3)
    with pytest.raises(err, match=msg):
        call(x)
    assert x.numpy().tolist() == [3] * 5


def test_integer_tensors():
    x = torch.IntTensor(4).fill(1)
    with pytest.raises(TypeError, match='only defined for FloatTensor'):
        x.normal()
    with pytest.raises(TypeError, match='only defined for FloatTensor'):
        x.uniform()
    assert x.numpy().tolist() == [1] * 4
    with pytest.raises(ValueError, match='does not fit'):
        torch.ByteTensor(3).random(0, 300)
    assert set(torch.ByteTensor(500).random(250, 255).numpy().tolist()) <= set(range(250, 256))


def test_scalar_errors_and_seeds():
    with pytest.raises(ValueError):
        normal(0, -1)
    with pytest.raises(ValueError):
        geometric(0)
    with pytest.raises(TypeError, match='integer'):
        manualSeed(1.5)
    with pytest.raises(TypeError):
        seed(5)
    manualSeed(-1)                               # Lua's long: stored as given
    assert initialSeed() == -1
    manualSeed(2.0)
    assert initialSeed() == 2


def test_large_fill_is_vectorised_and_global_generator_identity():
    x = torch.FloatTensor(1000000)
    x.uniform()
    assert 0.49 < float(x.numpy().mean()) < 0.51
    g = default_generator
    manualSeed(3)
    assert default_generator is g               # reseeding keeps the object others hold


@pytest.mark.parametrize('name,params', [('uniform', (-1, 2)), ('normal', (0, 3)),
                                         ('bernoulli', (0.4,)), ('random', (0, 9)),
                                         ('geometric', (0.5,)), ('exponential', (1.5,))])
def test_fills_in_every_writable_layout(name, params):
    from torchlike_testing import WRITABLE, layouts
    manualSeed(31)
    expect = getattr(torch.DoubleTensor(3, 4), name)(*params).numpy().copy()
    for lay in layouts(np.zeros((3, 4)), names=WRITABLE):
        manualSeed(31)
        assert getattr(lay.tensor, name)(*params) is lay.tensor
        np.testing.assert_array_equal(lay.tensor.numpy(), expect, err_msg=lay.name)
        lay.check_outside()
