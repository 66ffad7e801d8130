"""kernels/cuda/softmax.py against kernels/cpu/softmax.py (rows and planes, log or not)."""
import numpy as np
import pytest
from numba import cuda

from kernels.cpu import softmax as cpu
from kernels.cuda import softmax as gpu

SHAPES = [(3, 7, 1), (2, 70, 1), (1, 1, 1), (2, 3, 6), (1, 5, 4)]   # rows, wide rows, planes


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=2e-6, atol=2e-7)


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('log', [False, True])
def test_forward_and_backward_match_cpu(shape, log):
    rng = np.random.default_rng(sum(shape))
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    y = np.empty_like(x)
    cpu.softmax_forward(x, y, log)
    dy = cuda.device_array(shape, np.float32)
    gpu.softmax_forward(cuda.to_device(x), dy, log)
    _close(dy.copy_to_host(), y)
    want = np.empty_like(x)
    cpu.softmax_backward(y, g, want, log)
    dgin = cuda.device_array(shape, np.float32)
    gpu.softmax_backward(cuda.to_device(y), cuda.to_device(g), dgin, log)
    _close(dgin.copy_to_host(), want)


@pytest.mark.parametrize('shape', [(2, 40, 1), (2, 3, 4)])
def test_large_inputs_stay_finite_and_equal_rows_give_one_over_d(shape):
    x = np.full(shape, 1000, np.float32)
    x[0] = -1000
    x[0, 0] = -999
    for log in (False, True):
        want = np.empty_like(x)
        cpu.softmax_forward(x, want, log)
        dy = cuda.device_array(shape, np.float32)
        gpu.softmax_forward(cuda.to_device(x), dy, log)
        got = dy.copy_to_host()
        assert np.isfinite(got).all()
        _close(got, want)
        # frame 1 is constant: exactly 1/D (log: -log D) at every position
        exact = -np.float32(np.log(shape[1])) if log else np.float32(1 / shape[1])
        np.testing.assert_array_equal(got[1], np.full(got[1].shape, exact))


@pytest.mark.filterwarnings('ignore::RuntimeWarning')     # the simulator's numpy: inf - inf
@pytest.mark.parametrize('shape', [(2, 5, 1), (2, 5, 3)])
def test_nan_and_inf_rows_follow_the_cpu(shape):
    x = np.zeros(shape, np.float32)
    x[0, 2] = np.nan
    x[1, :] = -np.inf
    for log in (False, True):
        want = np.empty_like(x)
        cpu.softmax_forward(x, want, log)
        dy = cuda.device_array(shape, np.float32)
        gpu.softmax_forward(cuda.to_device(x), dy, log)
        np.testing.assert_array_equal(np.isnan(dy.copy_to_host()), np.isnan(want))


def test_size_mismatch_is_refused():
    x = cuda.to_device(np.zeros((2, 3, 1), np.float32))
    out = cuda.to_device(np.full((2, 4, 1), 9, np.float32))
    with pytest.raises(ValueError, match=r'\[2 x 3 x 1\] and \[2 x 4 x 1\]'):
        gpu.softmax_forward(x, out, False)
    assert (out.copy_to_host() == 9).all()
    with pytest.raises(ValueError, match='3-D'):
        gpu.softmax_backward(cuda.to_device(np.zeros((2, 3), np.float32)), x, x, True)
