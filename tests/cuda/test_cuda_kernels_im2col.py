"""kernels/cuda/im2col.py against its CPU twin kernels/cpu/im2col.py (bit for bit)."""
import numpy as np
import pytest
from numba import cuda

from kernels.cpu import im2col as cpu
from kernels.cuda import im2col as gpu


def _geometry(N, C, T, H, W, k, d, p):
    (kT, kH, kW), (dT, dH, dW), (pT, pH, pW) = k, d, p
    o = tuple((s + 2 * pp - kk) // dd + 1 for s, kk, dd, pp in zip((T, H, W), k, d, p))
    return (N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW) + o


CASES = [
    # N, C, T, H, W, kernel, stride, padding
    (2, 3, 1, 5, 5, (1, 3, 3), (1, 2, 2), (0, 1, 1)),     # spatial, padded, stride 2
    (1, 2, 1, 4, 6, (1, 2, 3), (1, 1, 1), (0, 0, 0)),     # dW == 1 rows, no padding
    (2, 1, 1, 5, 4, (1, 2, 1), (1, 3, 3), (0, 1, 0)),     # stride larger than the kernel
    (1, 2, 3, 3, 3, (2, 2, 2), (1, 2, 1), (1, 1, 0)),     # volumetric
]


def _layouts(g):
    N, C = g[0], g[1]
    kT, kH, kW = g[5:8]
    P = g[14] * g[15] * g[16]
    K = C * kT * kH * kW
    return {'batch': (K * N * P, N * P, P), 'stacked': (N * K * P, P, K * P)}


@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('layout', ['batch', 'stacked'])
def test_im2col_matches_cpu(case, layout):
    g = _geometry(*case[:5], *case[5:])
    size, rs, ss = _layouts(g)[layout]
    rng = np.random.default_rng(1)
    x = rng.standard_normal(int(np.prod(case[:5]))).astype(np.float32)
    want = np.full(size, np.nan, np.float32)
    cpu.im2col(x, want, *g, rs, ss)
    dcols = cuda.to_device(np.full(size, np.nan, np.float32))
    gpu.im2col(cuda.to_device(x), dcols, *g, rs, ss)
    np.testing.assert_array_equal(dcols.copy_to_host(), want)


@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('layout', ['batch', 'stacked'])
def test_col2im_matches_cpu_bit_for_bit(case, layout):
    g = _geometry(*case[:5], *case[5:])
    size, rs, ss = _layouts(g)[layout]
    rng = np.random.default_rng(2)
    cols = rng.standard_normal(size).astype(np.float32)
    n_x = int(np.prod(case[:5]))
    want = np.full(n_x, np.nan, np.float32)
    cpu.col2im(cols, want, *g, rs, ss)
    dx = cuda.to_device(np.full(n_x, np.nan, np.float32))
    gpu.col2im(cuda.to_device(cols), dx, *g, rs, ss)
    np.testing.assert_array_equal(dx.copy_to_host(), want)


def test_col2im_is_the_adjoint_of_im2col():
    g = _geometry(1, 2, 1, 4, 4, (1, 3, 3), (1, 1, 1), (0, 1, 1))
    size, rs, ss = _layouts(g)['batch']
    rng = np.random.default_rng(3)
    x = rng.standard_normal(32).astype(np.float32)
    c = rng.standard_normal(size).astype(np.float32)
    dcols, dx = cuda.device_array(size, np.float32), cuda.device_array(32, np.float32)
    gpu.im2col(cuda.to_device(x), dcols, *g, rs, ss)
    gpu.col2im(cuda.to_device(c), dx, *g, rs, ss)
    lhs = np.dot(dcols.copy_to_host().astype(np.float64), c)
    rhs = np.dot(x.astype(np.float64), dx.copy_to_host())
    assert lhs == pytest.approx(rhs, rel=1e-5)


def test_too_small_arrays_are_refused_before_any_write():
    g = _geometry(2, 3, 1, 5, 5, (1, 3, 3), (1, 2, 2), (0, 1, 1))
    size, rs, ss = _layouts(g)['batch']
    cols = cuda.to_device(np.full(size - 1, 7, np.float32))
    x = cuda.to_device(np.ones(150, np.float32))
    with pytest.raises(ValueError, match=r'\[2 x 3 x 1 x 5 x 5\]'):
        gpu.im2col(x, cols, *g, rs, ss)
    assert (cols.copy_to_host() == 7).all()
    with pytest.raises(ValueError, match='need'):
        gpu.col2im(cuda.to_device(np.ones(size, np.float32)), cuda.to_device(np.ones(149)),
                   *g, rs, ss)
