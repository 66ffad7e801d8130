"""optim.checkgrad: compare feval's gradient with central finite differences (Torch7's
checkgrad.lua)."""
import numpy as np

from torchlike._core import wrap
from . import _config as C


def checkgrad(feval, x, eps=None):
    """`diff, dC, dC_est = optim.checkgrad(feval, x[, eps])`.

    dC is feval's gradient at x (a copy: later evaluations cannot overwrite it), dC_est the
    estimate (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every coordinate i, and
    diff = ||dC - dC_est|| / ||dC + dC_est|| (near 0 when the gradient is right; 0 when both
    are zero). eps defaults to 1e-7 for DoubleTensor x (Torch7's value) and 1e-3 for FloatTensor
    x, where 1e-7 is below float32 resolution. x is restored exactly afterwards.
    """
    name = 'checkgrad'
    xa = C.check_x(name, x)
    if eps is None:
        eps = 1e-3 if xa.dtype == np.float32 else 1e-7
    elif not C.is_number(eps) or eps <= 0:
        raise ValueError(f"optim.checkgrad: eps must be a positive number, got {eps!r}")
    f0, g, ga = C.evaluate(name, feval, x, xa)
    dC = wrap(x.__class__, np.array(ga, copy=True).reshape(xa.shape))
    est = np.zeros(xa.size, np.float64)
    for i in range(xa.size):
        idx = np.unravel_index(i, xa.shape)
        old = xa[idx]
        xa[idx] = old + eps
        c1 = C.function_value(name, feval, x)
        xa[idx] = old - eps
        c2 = C.function_value(name, feval, x)
        xa[idx] = old
        est[i] = (c1 - c2) / (2 * eps)
    dC_est = wrap(x.__class__, est.astype(xa.dtype).reshape(xa.shape))
    a = dC._arr().astype(np.float64).reshape(-1)
    num = np.linalg.norm(a - est)
    den = np.linalg.norm(a + est)
    diff = float(num / den) if den > 0 else (0.0 if num == 0 else float('inf'))
    return diff, dC, dC_est
