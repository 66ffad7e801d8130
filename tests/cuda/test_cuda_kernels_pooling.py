"""kernels/cuda/pooling.py against kernels/cpu/pooling.py, with nn/pooling.py's window tables."""
import numpy as np
import pytest
from numba import cuda

from kernels.cpu import pooling as cpu
from kernels.cuda import pooling as gpu
from nn.pooling import AXIS_OF_SIZE_ONE, adaptive_windows, windows


def _axes(kind, T, H, W):
    if kind == 'k2s2':
        return AXIS_OF_SIZE_ONE, windows(H, 2, 2, 0, False), windows(W, 2, 2, 0, False)
    if kind == 'k3s2p1':
        return AXIS_OF_SIZE_ONE, windows(H, 3, 2, 1, False), windows(W, 3, 2, 1, False)
    if kind == 'ceil':
        return AXIS_OF_SIZE_ONE, windows(H, 3, 2, 0, True), windows(W, 2, 2, 1, True)
    if kind == 'adaptive':
        return AXIS_OF_SIZE_ONE, adaptive_windows(H, 3), adaptive_windows(W, 2)
    if kind == 'volumetric':
        return windows(T, 2, 1, 0, False), windows(H, 2, 2, 1, True), windows(W, 3, 2, 1, False)
    raise AssertionError(kind)


KINDS = ['k2s2', 'k3s2p1', 'ceil', 'adaptive', 'volumetric']


def _setup(kind, P=6):
    T = 3 if kind == 'volumetric' else 1
    H, W = 5, 5
    axes = _axes(kind, T, H, W)
    (oT, ts, te, ctin, ctex), (oH, hs, he, chin, chex), (oW, ws, we, cwin, cwex) = axes
    sizes = (P, T, H, W, oT, oH, oW, ts, te, hs, he, ws, we)
    return sizes, (ctin, chin, cwin), (ctex, chex, cwex)


@pytest.mark.parametrize('kind', KINDS)
def test_max_pool_values_and_indices_match_cpu(kind):
    sizes, _, _ = _setup(kind)
    P, T, H, W, oT, oH, oW = sizes[:7]
    rng = np.random.default_rng(0)
    # few distinct values: many ties, where the first maximum must win
    x = rng.integers(0, 4, P * T * H * W).astype(np.float32)
    x[5] = np.nan
    x[40] = np.nan
    n_out = P * oT * oH * oW
    out, ind = np.empty(n_out, np.float32), np.empty(n_out, np.int64)
    cpu.max_pool(x, out, ind, *sizes)
    dout, dind = cuda.device_array(n_out, np.float32), cuda.device_array(n_out, np.int64)
    gpu.max_pool(cuda.to_device(x), dout, dind, *sizes)
    np.testing.assert_array_equal(dout.copy_to_host(), out)      # NaN == NaN here
    np.testing.assert_array_equal(dind.copy_to_host(), ind)
    assert np.isnan(out).any()


@pytest.mark.parametrize('kind', KINDS)
def test_max_pool_backward_matches_cpu(kind):
    sizes, _, _ = _setup(kind)
    P, T, H, W, oT, oH, oW = sizes[:7]
    rng = np.random.default_rng(1)
    x = rng.standard_normal(P * T * H * W).astype(np.float32)
    n_out = P * oT * oH * oW
    out, ind = np.empty(n_out, np.float32), np.empty(n_out, np.int64)
    cpu.max_pool(x, out, ind, *sizes)
    go = rng.standard_normal(n_out).astype(np.float32)
    want = np.full(x.size, np.nan, np.float32)
    cpu.max_pool_backward(go, ind, want, P, T * H * W, oT * oH * oW)
    dgin = cuda.to_device(np.full(x.size, np.nan, np.float32))
    gpu.max_pool_backward(cuda.to_device(go), cuda.to_device(ind), dgin, P, T * H * W,
                          oT * oH * oW)
    np.testing.assert_allclose(dgin.copy_to_host(), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('include_pad', [True, False])
def test_avg_pool_matches_cpu(kind, include_pad):
    sizes, cin, cex = _setup(kind)
    counts = cin if include_pad else cex
    P, T, H, W, oT, oH, oW = sizes[:7]
    x = np.random.default_rng(2).standard_normal(P * T * H * W).astype(np.float32)
    n_out = P * oT * oH * oW
    want = np.empty(n_out, np.float32)
    cpu.avg_pool(x, want, *sizes, *counts)
    dout = cuda.device_array(n_out, np.float32)
    gpu.avg_pool(cuda.to_device(x), dout, *sizes, *counts)
    np.testing.assert_allclose(dout.copy_to_host(), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('kind', ['k3s2p1', 'ceil', 'volumetric'])
def test_avg_pool_backward_matches_cpu(kind):
    sizes, cin, _ = _setup(kind)
    P, T, H, W, oT, oH, oW = sizes[:7]
    go = np.random.default_rng(3).standard_normal(P * oT * oH * oW).astype(np.float32)
    want = np.full(P * T * H * W, np.nan, np.float32)
    cpu.avg_pool_backward(go, want, *sizes, *cin)
    dgin = cuda.to_device(np.full(want.size, np.nan, np.float32))
    gpu.avg_pool_backward(cuda.to_device(go), dgin, *sizes, *cin)
    np.testing.assert_allclose(dgin.copy_to_host(), want, rtol=1e-6, atol=1e-6)


def test_tables_may_already_be_on_the_device_or_writeable():
    sizes, cin, _ = _setup('k3s2p1', P=2)
    P, T, H, W, oT, oH, oW = sizes[:7]
    x = np.arange(P * T * H * W, dtype=np.float32)
    want = np.empty(P * oT * oH * oW, np.float32)
    cpu.avg_pool(x, want, *sizes, *cin)
    tables = [cuda.to_device(a) for a in sizes[7:]] + [np.array(c) for c in cin]
    dout = cuda.device_array(want.size, np.float32)
    gpu.avg_pool(cuda.to_device(x), dout, *sizes[:7], *tables)
    np.testing.assert_allclose(dout.copy_to_host(), want, rtol=1e-6)


def test_frozen_tables_are_copied_to_the_device_once():
    _, ts, *_ = windows(7, 3, 2, 1, False)
    assert not ts.flags.writeable
    assert gpu._table(ts) is gpu._table(ts)


def test_bad_sizes_are_refused_before_any_write():
    sizes, cin, _ = _setup('k2s2', P=2)
    x = cuda.to_device(np.ones(50, np.float32))
    out = cuda.to_device(np.full(7, 5, np.float32))           # needs 2 * 2 * 2 = 8
    with pytest.raises(ValueError, match=r'\[2 x 1 x 5 x 5\] -> \[2 x 1 x 2 x 2\]'):
        gpu.avg_pool(x, out, *sizes, *cin)
    assert (out.copy_to_host() == 5).all()
    gin = cuda.to_device(np.full(49, 5, np.float32))
    with pytest.raises(ValueError, match='max_pool_backward'):
        gpu.max_pool_backward(cuda.to_device(np.ones(8, np.float32)),
                              cuda.to_device(np.zeros(8, np.int64)), gin, 2, 25, 4)
    assert (gin.copy_to_host() == 5).all()
