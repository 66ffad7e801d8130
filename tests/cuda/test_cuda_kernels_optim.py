"""kernels/cuda/optim_updates.py against the serial CPU kernels of kernels/cpu/optim_updates.py:
float32 with the same order of operations, so the simulator reproduces the CPU's bits."""
import numpy as np
import pytest
from numba import cuda

from kernels.cpu import optim_updates as cpu
from kernels.cuda import optim_updates as gpu

F = np.float32
N = 150


def _vectors(k, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(N).astype(F) for _ in range(k)]


def _run_both(cpu_fn, gpu_fn, n_state, scalars, steps=3, positive_state=False):
    x, *state = _vectors(1 + n_state)
    if positive_state:
        state = [np.abs(s) for s in state]
    hx, hs = x.copy(), [s.copy() for s in state]
    dx, ds = cuda.to_device(x), [cuda.to_device(s) for s in state]
    for step in range(steps):
        (g,) = _vectors(1, seed=10 + step)
        dg = cuda.to_device(g)
        cpu_fn(hx, g, *hs, *(F(v) if isinstance(v, float) else v for v in scalars))
        gpu_fn(dx, dg, *ds, *scalars)
        np.testing.assert_array_equal(dg.copy_to_host(), g)          # g is never written
    np.testing.assert_array_equal(dx.copy_to_host(), hx)
    for d, h in zip(ds, hs):
        np.testing.assert_array_equal(d.copy_to_host(), h)


@pytest.mark.parametrize('wd', [0.0, 0.01])
def test_sgd_plain(wd):
    _run_both(cpu.sgd_plain_serial, gpu.sgd_plain, 0, (-0.1, wd, wd != 0))


@pytest.mark.parametrize('nesterov', [False, True])
@pytest.mark.parametrize('wd', [0.0, 0.01])
def test_sgd_momentum(nesterov, wd):
    _run_both(cpu.sgd_momentum_serial, gpu.sgd_momentum, 1,
              (-0.1, wd, wd != 0, 0.9, 0.9 if not nesterov else 1.0, 0.9, nesterov))


@pytest.mark.parametrize('wd', [0.0, 0.01])
def test_adam(wd):
    _run_both(cpu.adam_serial, gpu.adam, 2,
              (wd, wd != 0, 0.9, 0.1, 0.999, 0.001, 1e-8, -0.003), positive_state=True)


def test_rmsprop():
    _run_both(cpu.rmsprop_serial, gpu.rmsprop, 1, (0.01, True, 0.99, 0.01, 1e-8, -0.01),
              positive_state=True)


def test_adagrad():
    _run_both(cpu.adagrad_serial, gpu.adagrad, 1, (0.0, False, 1e-10, -0.1),
              positive_state=True)


def test_python_float_scalars_are_rounded_to_float32_like_the_cpu_callers_do():
    x, g = _vectors(2)
    hx = x.copy()
    cpu.sgd_plain_serial(hx, g, F(-0.1), F(0.3), True)
    dx = cuda.to_device(x)
    gpu.sgd_plain(dx, cuda.to_device(g), -0.1, 0.3, True)        # Python floats
    np.testing.assert_array_equal(dx.copy_to_host(), hx)


def test_length_mismatch_is_refused_before_any_write():
    x, g = _vectors(2)
    dx = cuda.to_device(x)
    with pytest.raises(ValueError, match='150 and 149 elements'):
        gpu.adam(dx, cuda.to_device(g), cuda.to_device(g), cuda.to_device(g[:149]), 0.0, False,
                 0.9, 0.1, 0.999, 0.001, 1e-8, -0.001)
    np.testing.assert_array_equal(dx.copy_to_host(), x)
