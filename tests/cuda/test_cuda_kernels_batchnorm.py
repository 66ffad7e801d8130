"""kernels/cuda/batchnorm.py against kernels/cpu/batchnorm.py, and a whole forward/backward of
nn.(Spatial)BatchNormalization rebuilt from the device launchers against the CPU module."""
import numpy as np
import pytest
from numba import cuda

import nn
import torchlike as torch
from kernels.cpu import batchnorm as cpu
from kernels.cuda import batchnorm as gpu

SHAPES = [(5, 4, 1), (2, 3, 6), (40, 2, 1)]


def _x(shape, seed=0, offset=0.0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) + offset).astype(np.float32)


def _dev(a):
    return cuda.to_device(np.ascontiguousarray(a, np.float32))


@pytest.mark.parametrize('shape', SHAPES)
def test_batch_stats_matches_cpu(shape):
    x = _x(shape, offset=100.0)                 # a large mean: the variance must stay accurate
    C = shape[1]
    mean, var = np.empty(C), np.empty(C)
    cpu.batch_stats(x, mean, var)
    dm, dv = cuda.device_array(C, np.float32), cuda.device_array(C, np.float32)
    gpu.batch_stats(_dev(x), dm, dv)
    np.testing.assert_allclose(dm.copy_to_host(), mean, rtol=1e-6)
    np.testing.assert_allclose(dv.copy_to_host(), var, rtol=1e-4)


@pytest.mark.parametrize('shape', SHAPES)
def test_affine_grad_sums_and_grad_input_match_cpu(shape):
    C = shape[1]
    x, g = _x(shape, 1), _x(shape, 2)
    rng = np.random.default_rng(3)
    a, b, d, mean = (rng.standard_normal(C).astype(np.float32) for _ in range(4))
    out = np.empty_like(x)
    cpu.affine(x, out, a.astype(np.float64), b.astype(np.float64))
    dout = cuda.device_array(shape, np.float32)
    gpu.affine(_dev(x), dout, _dev(a), _dev(b))
    np.testing.assert_allclose(dout.copy_to_host(), out, rtol=1e-6, atol=1e-6)

    sum_g, dot = np.empty(C), np.empty(C)
    cpu.grad_sums(x, g, mean.astype(np.float64), sum_g, dot)
    ds, dd = cuda.device_array(C, np.float32), cuda.device_array(C, np.float32)
    gpu.grad_sums(_dev(x), _dev(g), _dev(mean), ds, dd)
    np.testing.assert_allclose(ds.copy_to_host(), sum_g, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dd.copy_to_host(), dot, rtol=1e-5, atol=1e-5)

    gin = np.empty_like(x)
    cpu.grad_input_train(x, g, gin, a.astype(np.float64), b.astype(np.float64),
                         d.astype(np.float64))
    dgin = cuda.device_array(shape, np.float32)
    gpu.grad_input_train(_dev(x), _dev(g), dgin, _dev(a), _dev(b), _dev(d))
    np.testing.assert_allclose(dgin.copy_to_host(), gin, rtol=1e-5, atol=1e-6)


def _device_module_pass(m, x, g, train):
    """What a CUDA BatchNormalization would do with the launchers (see kernels/cuda/batchnorm.py)
    for forward + backward(scale=1); returns host copies of everything it produced."""
    C = x.shape[1]
    N, S = x.shape[0], x.shape[2]
    n = N * S
    f32 = lambda t: _dev(t.numpy())       # noqa: E731
    w = f32(m.weight) if m.affine else None
    b = f32(m.bias) if m.affine else None
    rm, rv = f32(m.running_mean), f32(m.running_var)
    dx, dg = _dev(x), _dev(g)
    mean, var, invstd, scale, shift = (cuda.device_array(C, np.float32) for _ in range(5))
    out = cuda.device_array(x.shape, np.float32)
    if train:
        gpu.batch_stats(dx, mean, var)
        gpu.fold_forward(mean, var, invstd, rm, rv, w, b, scale, shift, m.eps, m.momentum, n,
                         True)
    else:
        gpu.fold_forward(None, None, invstd, rm, rv, w, b, scale, shift, m.eps, m.momentum,
                         n, False)
        mean = rm
    gpu.affine(dx, out, scale, shift)
    sum_g, dot, a, bb, d = (cuda.device_array(C, np.float32) for _ in range(5))
    gw = f32(m.gradWeight) if m.affine else None
    gb = f32(m.gradBias) if m.affine else None
    gpu.grad_sums(dx, dg, mean, sum_g, dot)
    gpu.fold_backward(mean, invstd, w, sum_g, dot, a, bb, d, gw, gb, n, 1.0, train, True)
    gin = cuda.device_array(x.shape, np.float32)
    if train:
        gpu.grad_input_train(dx, dg, gin, a, bb, d)
    else:
        gpu.affine(dg, gin, a, d)
    host = {'output': out, 'gradInput': gin, 'running_mean': rm, 'running_var': rv}
    if train:
        host.update(save_mean=mean, save_std=invstd)
    if m.affine:
        host.update(gradWeight=gw, gradBias=gb)
    return {k: v.copy_to_host() for k, v in host.items()}


@pytest.mark.parametrize('spatial', [False, True])
@pytest.mark.parametrize('train', [True, False])
@pytest.mark.parametrize('affine', [True, False])
def test_whole_module_pass_matches_the_cpu_module(spatial, train, affine):
    torch.manualSeed(5)
    if spatial:
        m = nn.SpatialBatchNormalization(3, affine=affine).float()
        shape4 = (2, 3, 2, 3)
    else:
        m = nn.BatchNormalization(4, affine=affine).float()
        shape4 = (6, 4)
    m.running_mean.uniform(-1, 1)
    m.running_var.uniform(0.5, 2)
    if affine:
        m.gradWeight.uniform(-1, 1)
        m.gradBias.uniform(-1, 1)
    if not train:
        m.evaluate()
    x = torch.FloatTensor(*shape4).normal(3, 2)
    g = torch.FloatTensor(*shape4).normal(0, 1)
    shape3 = (shape4[0], shape4[1], int(np.prod(shape4[2:])))
    got = _device_module_pass(m, x.numpy().reshape(shape3), g.numpy().reshape(shape3), train)
    m.forward(x)
    m.backward(x, g)
    for name, value in got.items():
        want = getattr(m, name).numpy().reshape(value.shape)
        np.testing.assert_allclose(value, want, rtol=2e-5, atol=2e-5, err_msg=name)


@pytest.mark.filterwarnings('ignore::RuntimeWarning')     # the simulator's numpy: 1 / 0
def test_constant_channel_with_eps_zero_gives_zero_invstd():
    x = np.ones((3, 2, 1), np.float32)
    C = 2
    mean, var, invstd, scale, shift = (cuda.device_array(C, np.float32) for _ in range(5))
    rm, rv = _dev(np.zeros(C)), _dev(np.ones(C))
    gpu.batch_stats(_dev(x), mean, var)
    gpu.fold_forward(mean, var, invstd, rm, rv, None, None, scale, shift, 0.0, 0.1, 3, True)
    assert (invstd.copy_to_host() == 0).all()
    np.testing.assert_allclose(rv.copy_to_host(), 0.9)


def test_bad_sizes_are_refused_before_any_write():
    x = _dev(np.ones((2, 3, 4)))
    out = _dev(np.full((2, 3, 4), 8))
    with pytest.raises(ValueError, match='2 elements for 3 channels'):
        gpu.affine(x, out, _dev(np.ones(2)), _dev(np.ones(3)))
    assert (out.copy_to_host() == 8).all()
    with pytest.raises(ValueError, match=r'\[2 x 3 x 4\] and \[2 x 4 x 3\]'):
        gpu.grad_input_train(x, _dev(np.ones((2, 4, 3))), out, *(_dev(np.ones(3)),) * 3)
    with pytest.raises(ValueError, match='3-D'):
        gpu.batch_stats(_dev(np.ones((2, 3))), _dev(np.ones(3)), _dev(np.ones(3)))
