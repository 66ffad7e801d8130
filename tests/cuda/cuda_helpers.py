"""Helpers shared by the CUDA tests (imported by plain name: pytest puts this folder on the
path of its test modules): numpy copies of tensors on either device, matched CPU/CUDA tensor
pairs, seeded random arrays and a NaN-aware comparison in float64."""
import numpy as np

import torchlike as torch

F32 = np.float32


def close(got, want, rtol=2e-6, atol=1e-6):
    """got equals want to the tolerance, compared in float64 (NaN equals NaN)."""
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                               rtol=rtol, atol=atol, equal_nan=True)


def host(t):
    """A numpy copy of a CUDA tensor, or the numpy view of a CPU one."""
    return t.cpu().numpy() if t._is_cuda else t.numpy()


def pair(a):
    """(FloatTensor, CudaTensor) holding the float32 array a."""
    h = torch.fromNumpy(np.array(a, F32))
    return h, h.cuda()


def rand(*shape, seed=0, positive=False):
    """Seeded standard normal float32 values (|values| + 0.1 with positive)."""
    a = np.random.default_rng(seed).standard_normal(shape).astype(F32)
    return np.abs(a) + F32(0.1) if positive else a
