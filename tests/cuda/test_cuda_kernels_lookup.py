"""kernels/cuda/lookup.py against kernels/cpu/lookup.py and numpy's take."""
import numpy as np
import pytest
from numba import cuda

from kernels.cpu import lookup as cpu
from kernels.cuda import lookup as gpu

N_INDEX, D = 7, 5


def _case(seed=0):
    rng = np.random.default_rng(seed)
    idx = np.array([3, 0, 3, 6, 2, 3, 0, 5], np.int64)     # repeats: atomics must add up
    grad = rng.standard_normal((idx.size, D)).astype(np.float32)
    target = rng.standard_normal((N_INDEX, D)).astype(np.float32)
    return idx, grad, target


@pytest.mark.parametrize('padding', [-1, 3])
@pytest.mark.parametrize('scale_by_freq', [False, True])
def test_accumulate_matches_cpu(padding, scale_by_freq):
    idx, grad, target = _case()
    want = target.copy()
    count = np.full(N_INDEX, 99, np.int32)
    cpu.lookup_accumulate(idx, grad, want, count, np.float32(0.5), padding, scale_by_freq)
    dt = cuda.to_device(target)
    dcount = cuda.to_device(np.full(N_INDEX, 99, np.int32))
    gpu.lookup_accumulate(cuda.to_device(idx), cuda.to_device(grad), dt, dcount, 0.5, padding,
                          scale_by_freq)
    np.testing.assert_allclose(dt.copy_to_host(), want, rtol=1e-6, atol=1e-6)
    if scale_by_freq:                     # counts reset and counted only at the used indices
        np.testing.assert_array_equal(dcount.copy_to_host(), count)


def test_accumulate_without_counts_and_a_negative_scale():
    idx, grad, target = _case(1)
    want = target.copy()
    cpu.lookup_accumulate(idx, grad, want, np.zeros(0, np.int32), np.float32(-0.1), -1, False)
    dt = cuda.to_device(target)
    gpu.lookup_accumulate(cuda.to_device(idx), cuda.to_device(grad), dt, None, -0.1, -1, False)
    np.testing.assert_allclose(dt.copy_to_host(), want, rtol=1e-6, atol=1e-6)


def test_gather_rows_matches_take_and_clamps():
    idx, _, weight = _case(2)
    out = cuda.device_array((idx.size, D), np.float32)
    gpu.gather_rows(cuda.to_device(weight), cuda.to_device(idx), out)
    np.testing.assert_array_equal(out.copy_to_host(), weight[idx])
    bad = np.array([-4, 9], np.int64)
    out = cuda.device_array((2, D), np.float32)
    gpu.gather_rows(cuda.to_device(weight), cuda.to_device(bad), out)
    np.testing.assert_array_equal(out.copy_to_host(), np.take(weight, bad, 0, mode='clip'))


def test_index_range():
    idx = np.array([4, 2, 9, -3, 7] * 9, np.int64)           # longer than one block
    assert gpu.index_range(cuda.to_device(idx)) == (-3, 9)
    assert gpu.index_range(cuda.to_device(np.array([5], np.int64))) == (5, 5)
    assert gpu.index_range(cuda.to_device(np.zeros(0, np.int64))) is None


def test_bad_sizes_are_refused_before_any_write():
    idx, grad, target = _case()
    dt = cuda.to_device(target)
    with pytest.raises(ValueError, match=r'7 indices need grad \[7 x d\].*got grad \[8 x 5\]'):
        gpu.lookup_accumulate(cuda.to_device(idx[:7]), cuda.to_device(grad), dt, None, 1.0, -1,
                              False)
    with pytest.raises(ValueError, match='count array of 7'):
        gpu.lookup_accumulate(cuda.to_device(idx), cuda.to_device(grad), dt,
                              cuda.to_device(np.zeros(3, np.int32)), 1.0, -1, True)
    np.testing.assert_array_equal(dt.copy_to_host(), target)
    with pytest.raises(ValueError, match=r'need out \[8 x 5\]'):
        gpu.gather_rows(dt, cuda.to_device(idx), cuda.device_array((8, 4), np.float32))
