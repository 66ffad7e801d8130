"""kernels/cuda/activations.py against the CPU nn modules (nn/activations.py, nn/dropout.py)."""
import numpy as np
import pytest
from numba import cuda

import nn
import torchlike as torch
from kernels.cuda import activations as gpu

SHAPE = (3, 4, 5)


def _input(seed=0):
    torch.manualSeed(seed)
    x = torch.FloatTensor(*SHAPE).normal(0, 1)
    a = x.numpy()
    a.flat[0] = 0.0
    a.flat[1] = 1e-6          # Threshold's default threshold, rounded to float32
    a.flat[2] = np.nan
    return x, torch.FloatTensor(*SHAPE).normal(0, 1)


def _host(d):
    return d.copy_to_host()


@pytest.mark.parametrize('th,v', [(0, 0), (1e-6, 0), (0.3, -2.5)])
def test_threshold_matches_nn(th, v):
    x, g = _input()
    m = nn.Threshold(th, v).float()
    want_out = m.forward(x).numpy().copy()
    want_gin = m.backward(x, g).numpy().copy()
    dx, dg = cuda.to_device(x.numpy()), cuda.to_device(g.numpy())
    out, gin = cuda.device_array(SHAPE, np.float32), cuda.device_array(SHAPE, np.float32)
    gpu.threshold_forward(dx, out, th, v)
    gpu.threshold_backward(dx, dg, gin, th)
    np.testing.assert_array_equal(_host(out), want_out)
    np.testing.assert_array_equal(_host(gin), want_gin)


def test_relu_in_place_on_a_flat_array():
    x, _ = _input(1)
    want = nn.ReLU().float().forward(x).numpy().reshape(-1).copy()
    d = cuda.to_device(x.numpy().reshape(-1))
    gpu.threshold_forward(d, d, 0, 0)
    np.testing.assert_array_equal(_host(d), want)


@pytest.mark.parametrize('name,kernel', [('Sigmoid', gpu.sigmoid_backward),
                                         ('Tanh', gpu.tanh_backward)])
def test_sigmoid_and_tanh_backward_match_nn(name, kernel):
    x, g = _input(2)
    x.numpy().flat[2] = 0.5
    m = getattr(nn, name)().float()
    y = m.forward(x).numpy().copy()
    want = m.backward(x, g).numpy().copy()
    gin = cuda.device_array(SHAPE, np.float32)
    kernel(cuda.to_device(y), cuda.to_device(g.numpy()), gin)
    np.testing.assert_array_equal(_host(gin), want)


def test_dropout_mask_matches_nn():
    x, g = _input(3)
    m = nn.Dropout(0.4).float()
    want_out = m.forward(x).numpy().copy()
    want_gin = m.backward(x, g).numpy().copy()
    mask = cuda.to_device(m.noise.numpy())
    out, gin = cuda.device_array(SHAPE, np.float32), cuda.device_array(SHAPE, np.float32)
    gpu.mul_mask(cuda.to_device(x.numpy()), mask, out)
    gpu.mul_mask(cuda.to_device(g.numpy()), mask, gin)
    np.testing.assert_array_equal(_host(out), want_out)
    np.testing.assert_array_equal(_host(gin), want_gin)


def test_spatial_dropout_mask_covers_whole_planes():
    torch.manualSeed(4)
    x = torch.FloatTensor(2, 3, 2, 4).normal(0, 1)
    m = nn.SpatialDropout(0.5).float()
    want = m.forward(x).numpy().copy()
    out = cuda.device_array((2, 3, 2, 4), np.float32)
    gpu.mul_mask(cuda.to_device(x.numpy()), cuda.to_device(m.noise.numpy()), out, inner=8)
    np.testing.assert_array_equal(_host(out), want)


def test_bad_sizes_are_refused_before_any_write():
    x = cuda.to_device(np.ones(12, np.float32))
    out = cuda.to_device(np.full(11, 3, np.float32))
    with pytest.raises(ValueError, match='12 and 11 elements'):
        gpu.threshold_forward(x, out, 0, 0)
    assert (_host(out) == 3).all()
    with pytest.raises(ValueError, match='mask of 5 entries, each covering 2'):
        gpu.mul_mask(x, cuda.to_device(np.ones(5, np.float32)), x, inner=2)
