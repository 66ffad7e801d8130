"""kernels/cuda/criterions.py against the CPU criterions of nn/criterions/."""
import numpy as np
import pytest
from numba import cuda

import nn
import torchlike as torch
from kernels.cuda import criterions as gpu

REGRESSION = [('MSECriterion', gpu.mse_forward, gpu.mse_backward),
              ('AbsCriterion', gpu.abs_forward, gpu.abs_backward),
              ('SmoothL1Criterion', gpu.smoothl1_forward, gpu.smoothl1_backward)]


def _pair(shape, seed=0, probabilities=False):
    torch.manualSeed(seed)
    if probabilities:
        x = torch.FloatTensor(*shape).uniform(0, 1)
        t = torch.FloatTensor(*shape).bernoulli(0.5)
        x.numpy().flat[0] = 0.0                   # the eps clamp at both ends
        x.numpy().flat[1] = 1.0
    else:
        x = torch.FloatTensor(*shape).normal(0, 2)
        t = torch.FloatTensor(*shape).normal(0, 2)
        t.numpy().flat[0] = x.numpy().flat[0]     # x == t: Abs's gradient is +norm there
    return x, t


def _loss(fn, *args):
    out1 = cuda.device_array(1, np.float32)
    fn(*args, out1)
    return float(out1.copy_to_host()[0])


@pytest.mark.parametrize('name,fwd,bwd', REGRESSION)
@pytest.mark.parametrize('size_average', [True, False])
@pytest.mark.parametrize('shape', [(4, 5), (70,)])
def test_regression_criterions_match_nn(name, fwd, bwd, size_average, shape):
    x, t = _pair(shape)
    crit = getattr(nn, name)(size_average)
    want = crit.forward(x, t)
    want_gin = crit.backward(x, t).numpy().copy()
    dx, dt = cuda.to_device(x.numpy()), cuda.to_device(t.numpy())
    n = x.nElement()
    loss = _loss(fwd, dx, dt)
    assert (loss / n if size_average else loss) == pytest.approx(want, rel=1e-5)
    gin = cuda.device_array(shape, np.float32)
    bwd(dx, dt, gin, 1 / n if size_average else 1.0)
    np.testing.assert_array_equal(gin.copy_to_host(), want_gin)


@pytest.mark.parametrize('shape,weighted', [((4, 5), False), ((4, 5), True), ((7,), True)])
@pytest.mark.parametrize('size_average', [True, False])
def test_bce_matches_nn(shape, weighted, size_average):
    x, t = _pair(shape, seed=1, probabilities=True)
    w = torch.FloatTensor(shape[-1]).uniform(0.5, 2) if weighted else None
    crit = nn.BCECriterion(w, size_average)
    want = crit.forward(x, t)
    want_gin = crit.backward(x, t).numpy().copy()
    dx, dt = cuda.to_device(x.numpy()), cuda.to_device(t.numpy())
    dw = cuda.to_device(w.numpy()) if weighted else None
    n = x.nElement()
    loss = _loss(lambda *a: gpu.bce_forward(dx, dt, dw, *a, eps=crit.EPS))
    assert (loss / n if size_average else loss) == pytest.approx(want, rel=1e-5)
    gin = cuda.device_array(shape, np.float32)
    gpu.bce_backward(dx, dt, dw, gin, 1 / n if size_average else 1.0, eps=crit.EPS)
    np.testing.assert_allclose(gin.copy_to_host(), want_gin, rtol=1e-6)


def test_bad_sizes_are_refused_before_any_write():
    x = cuda.to_device(np.ones(6, np.float32))
    out1 = cuda.to_device(np.full(1, 5, np.float32))
    with pytest.raises(ValueError, match='6 and 5 elements'):
        gpu.mse_forward(x, cuda.to_device(np.ones(5, np.float32)), out1)
    assert out1.copy_to_host()[0] == 5
    gin = cuda.to_device(np.full(6, 5, np.float32))
    with pytest.raises(ValueError, match='4 weights do not divide an input of 6'):
        gpu.bce_backward(x, x, cuda.to_device(np.ones(4, np.float32)), gin, 1.0)
    assert (gin.copy_to_host() == 5).all()
