"""kernels/cuda/blocks.py (block-wide sum, maximum, minimum and paired sums through shared
memory) and the small helpers the launchers share (kernels/cuda/memory.py, launch.py), against
numpy. One block of TPB threads: the simulator runs each thread as a Python thread."""
import threading

import numpy as np
import pytest
from numba import cuda, float32, int64

from kernels.cuda import memory
from kernels.cuda.blocks import block_max, block_min, block_sum, block_sum2
from kernels.cuda.launch import TPB, fmt_dims

_NEG_INF = float32(-np.inf)
_POS_INF = float32(np.inf)


@cuda.jit
def _reductions(x, idx, out, iout, every):
    sf = cuda.shared.array(TPB, float32)
    sg = cuda.shared.array(TPB, float32)
    si = cuda.shared.array(TPB, int64)
    tid = cuda.threadIdx.x
    a = float32(0)
    b = float32(0)
    mx = _NEG_INF
    mn = _POS_INF
    i = tid
    while i < x.size:
        v = x[i]
        a += v
        b += v * v
        if v > mx:
            mx = v
        if v < mn:
            mn = v
        i += TPB
    lo = idx[0]
    hi = idx[0]
    i = tid
    while i < idx.size:
        if idx[i] < lo:
            lo = idx[i]
        if idx[i] > hi:
            hi = idx[i]
        i += TPB
    total = block_sum(sf, tid, a)              # the same shared array, reused call after call
    pa, pb = block_sum2(sf, sg, tid, a, b)
    top = block_max(sf, tid, mx)
    bottom = block_min(sf, tid, mn)
    ilo = block_min(si, tid, lo)
    ihi = block_max(si, tid, hi)
    every[tid] = total                         # every thread gets the block's result
    if tid == 0:
        out[0] = total
        out[1] = pa
        out[2] = pb
        out[3] = top
        out[4] = bottom
        iout[0] = ilo
        iout[1] = ihi


@pytest.mark.parametrize('n', [1, TPB - 3, 3 * TPB + 5])
def test_block_reductions_match_numpy(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n).astype(np.float32)
    idx = rng.integers(-50, 50, n + 2).astype(np.int64)
    out = cuda.device_array(5, np.float32)
    iout = cuda.device_array(2, np.int64)
    every = cuda.device_array(TPB, np.float32)
    _reductions[1, TPB](cuda.to_device(x), cuda.to_device(idx), out, iout, every)
    got = out.copy_to_host()
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(got[:3], [x64.sum(), x64.sum(), (x64 * x64).sum()],
                               rtol=1e-5, atol=1e-5)
    assert got[3] == x.max() and got[4] == x.min()
    assert got[0] == got[1]                    # one tree order: the same float32 sum
    assert iout.copy_to_host().tolist() == [idx.min(), idx.max()]
    assert (every.copy_to_host() == got[0]).all()


def test_or_empty_gives_one_cached_empty_array_per_dtype():
    a = cuda.device_array(3, np.float32)
    assert memory.or_empty(a) is a
    e = memory.or_empty(None)
    assert e.size == 0 and e.dtype == np.float32 and memory.or_empty(None) is e
    i = memory.or_empty(None, np.int64)
    assert i.size == 0 and i.dtype == np.int64 and i is not e


def test_thread_buffer_is_reused_within_a_thread_only():
    b = memory.thread_buffer('test', 3, np.float64)
    assert b.shape == (3,) and b.dtype == np.float64
    assert memory.thread_buffer('test', 3, np.float64) is b
    assert memory.thread_buffer('other', 3, np.float64) is not b
    seen = []
    t = threading.Thread(target=lambda: seen.append(memory.thread_buffer('test', 3,
                                                                         np.float64)))
    t.start()
    t.join()
    assert seen[0] is not b


def test_flat_fill_flat_and_fmt_dims():
    d = cuda.to_device(np.arange(12, dtype=np.float32).reshape(3, 4))
    f = memory.flat(d)
    assert f.shape == (12,) and memory.flat(f) is f
    memory.fill_flat(f, 7, 5)
    memory.fill_flat(f, 1, 0)                  # nothing to fill: no launch
    want = np.arange(12, dtype=np.float32)
    want[:5] = 7
    np.testing.assert_array_equal(d.copy_to_host().reshape(-1), want)
    assert fmt_dims(d) == '3 x 4' and fmt_dims(f) == '12'
