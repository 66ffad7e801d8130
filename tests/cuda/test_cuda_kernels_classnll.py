"""kernels/cuda/classnll.py against kernels/cpu/classnll.py."""
import numpy as np
import pytest
from numba import cuda

from kernels.cpu import classnll as cpu
from kernels.cuda import classnll as gpu

IGNORE = -100


def _case(N, C, S, weighted, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, S)).astype(np.float32)
    t = rng.integers(0, C, (N, S)).astype(np.int64)
    t.flat[1] = IGNORE
    w = rng.uniform(0.5, 2, C).astype(np.float32) if weighted else np.empty(0, np.float32)
    return x, t, w


@pytest.mark.parametrize('shape', [(4, 5, 1), (2, 3, 6), (40, 3, 1)])
@pytest.mark.parametrize('weighted', [False, True])
def test_forward_matches_cpu(shape, weighted):
    x, t, w = _case(*shape, weighted)
    loss, total, bad = cpu.forward(x, t, w.astype(np.float64), IGNORE)
    gl, gt, gb = gpu.forward(cuda.to_device(x), cuda.to_device(t), cuda.to_device(w), IGNORE)
    assert gb == bad == -1
    assert gl == pytest.approx(loss, rel=1e-5, abs=1e-5)
    assert gt == pytest.approx(total, rel=1e-6)
    assert isinstance(gl, float) and isinstance(gt, float) and isinstance(gb, int)


def test_no_weights_may_be_none_and_all_ignored_gives_zero():
    x, t, _ = _case(3, 4, 1, False)
    t[:] = IGNORE
    assert gpu.forward(cuda.to_device(x), cuda.to_device(t), None, IGNORE) == (0.0, 0.0, -1)


@pytest.mark.parametrize('bad_value', [-1, 5, 1000])
def test_out_of_range_targets_are_reported_not_read(bad_value):
    x, t, w = _case(3, 5, 4, True)
    t[1, 2] = bad_value
    t[2, 0] = bad_value
    want = cpu.forward(x, t, w.astype(np.float64), IGNORE)
    got = gpu.forward(cuda.to_device(x), cuda.to_device(t), cuda.to_device(w), IGNORE)
    assert got == want == (0.0, 0.0, 1 * 4 + 2)


@pytest.mark.parametrize('shape', [(4, 5, 1), (2, 3, 6)])
@pytest.mark.parametrize('weighted', [False, True])
def test_backward_matches_cpu(shape, weighted):
    x, t, w = _case(*shape, weighted, seed=1)
    t.flat[0] = shape[1] + 3                       # bad targets leave zeros in both
    norm = 1 / 3
    want = np.full(shape, np.nan, np.float32)
    cpu.backward(want, t, w.astype(np.float64), IGNORE, norm)
    dgin = cuda.to_device(np.full(shape, np.nan, np.float32))
    gpu.backward(dgin, cuda.to_device(t), cuda.to_device(w) if weighted else None, IGNORE, norm)
    np.testing.assert_allclose(dgin.copy_to_host(), want, rtol=1e-6)


def test_mismatched_sizes_are_refused():
    x, t, w = _case(2, 3, 1, True)
    with pytest.raises(ValueError, match=r'input \[2 x 3 x 1\] and targets \[3 x 1\]'):
        gpu.forward(cuda.to_device(x), cuda.to_device(np.zeros((3, 1), np.int64)), None,
                    IGNORE)
    gin = cuda.to_device(np.full((2, 3, 1), 4, np.float32))
    with pytest.raises(ValueError, match='2 class weights for 3 classes'):
        gpu.backward(gin, cuda.to_device(t), cuda.to_device(w[:2]), IGNORE, 1.0)
    assert (gin.copy_to_host() == 4).all()
