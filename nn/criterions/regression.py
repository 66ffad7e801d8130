"""Regression losses: MSE, Abs (L1), SmoothL1 (Huber, threshold 1) and DistKLDiv.

Input and target are paired element by element (in memory order when their shapes differ
but their element counts agree, as in Torch7); sizeAverage divides by the number of
elements."""
import numpy as np

from ..criterion import Criterion
from ._common import LoadDefaults, check_pair, grad_buffer, values


class _Elementwise(LoadDefaults):
    """Mixin for a loss that is a sum over elements of f(input, target)."""
    _same_shape = False

    def __init__(self, sizeAverage=True):
        super().__init__()
        self.sizeAverage = bool(sizeAverage)

    def _pair(self, input, target):
        check_pair(self, input, target, self._same_shape)
        return values(input, target)

    def updateOutput(self, input, target):
        x, t = self._pair(input, target)
        loss = float(self._loss(x, t))
        self.output = loss / x.size if self.sizeAverage else loss
        return self.output

    def updateGradInput(self, input, target):
        x, t = self._pair(input, target)
        norm = 1.0 / x.size if self.sizeAverage else 1.0
        self._grad(x, t, norm, grad_buffer(self, input))
        return self.gradInput


class MSECriterion(_Elementwise, Criterion):
    """sum (x - t)^2 (/ nElement)."""

    def _loss(self, x, t):
        d = (x - t).reshape(-1)
        return np.dot(d, d)

    def _grad(self, x, t, norm, out):
        np.subtract(x, t, out=out)
        out *= 2 * norm


class AbsCriterion(_Elementwise, Criterion):
    """sum |x - t| (/ nElement); the gradient at x == t is +1, as in Torch7."""

    def _loss(self, x, t):
        return np.abs(x - t).sum()

    def _grad(self, x, t, norm, out):
        out[...] = np.where(x - t >= 0, norm, -norm)


class SmoothL1Criterion(_Elementwise, Criterion):
    """sum of 0.5 (x - t)^2 where |x - t| < 1, else |x - t| - 0.5 (/ nElement)."""

    def _loss(self, x, t):
        z = np.abs(x - t)
        return np.where(z < 1, 0.5 * z * z, z - 0.5).sum()

    def _grad(self, x, t, norm, out):
        np.subtract(x, t, out=out)
        np.clip(out, -1, 1, out=out)
        out *= norm


class DistKLDivCriterion(_Elementwise, Criterion):
    """KL divergence for log-probability input x and probability target t:
    sum over t > 0 of t * (log t - x) (/ nElement). Input and target must have one size."""
    _same_shape = True

    def _loss(self, x, t):
        pos = t > 0
        return (t[pos] * (np.log(t[pos]) - x[pos])).sum()

    def _grad(self, x, t, norm, out):
        out[...] = np.where(t > 0, -norm * t, 0)
