"""Embedding losses with targets y = 1 (similar) or -1 (dissimilar): HingeEmbedding,
CosineEmbedding and MarginRanking."""
import numbers

import numpy as np

import torchlike as torch

from ..criterion import Criterion
from ._common import LoadDefaults, check_tensor, grad_buffer, size_of


def _signs(crit, y, n, what='input'):
    """y as a float64 array of n values, each 1 or -1: a number (used for all n) or a tensor
    with n elements."""
    if isinstance(y, numbers.Real) and not isinstance(y, bool):
        a = np.full(n, float(y))
    elif torch.isTensor(y):
        if y.nElement() != n:
            raise ValueError(f"{crit._typename}: target has size {size_of(y)} ({y.nElement()} "
                             f"elements), expected {n} (one per {what})")
        a = y.numpy().reshape(-1).astype(np.float64)
    else:
        raise TypeError(f"{crit._typename}: target must be 1, -1 or a tensor of them, got "
                        f"{type(y).__name__}")
    bad = (a != 1) & (a != -1)
    if bad.any():
        raise ValueError(f"{crit._typename}: target value {a[bad][0]:g} is not 1 or -1")
    return a


def _pair_input(crit, input):
    if not isinstance(input, (list, tuple)) or len(input) != 2:
        raise TypeError(f"{crit._typename}: input must be a list of two tensors [x1, x2], "
                        f"got {type(input).__name__}")
    x1, x2 = input
    check_tensor(crit, x1, 'input[0]')
    check_tensor(crit, x2, 'input[1]')
    if x1.size() != x2.size():
        raise ValueError(f"{crit._typename}: input[0] and input[1] must have the same size, "
                         f"got {size_of(x1)} and {size_of(x2)}")
    return x1, x2


def _pair_grads(crit, x1, x2):
    """crit.gradInput as [tensor like x1, tensor like x2] (numpy views returned)."""
    g = crit.gradInput
    if not isinstance(g, list) or len(g) != 2:
        g = crit.gradInput = [x1.new(), x2.new()]
    for i, x in enumerate((x1, x2)):
        if not torch.isTensor(g[i]) or g[i]._typename != x._typename:
            g[i] = x.new()
        g[i].resizeAs(x)
    return g[0].numpy(), g[1].numpy()


class _PairLoad(LoadDefaults):
    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields = super()._torchLoadFields(fields, version)
        g = fields.get('gradInput')
        if not isinstance(g, list) or len(g) != 2:
            fields['gradInput'] = [torch.Tensor(), torch.Tensor()]
        return fields

    _tensor_fields = ()


class HingeEmbeddingCriterion(LoadDefaults, Criterion):
    """Input x: distances; loss = sum of x where y = 1 and max(0, margin - x) where y = -1
    (/ nElement when sizeAverage). y is a tensor with one value per element, or one number
    for all."""
    _defaults = {'sizeAverage': True, 'margin': 1}

    def __init__(self, margin=1, sizeAverage=True):
        super().__init__()
        self.margin = margin
        self.sizeAverage = bool(sizeAverage)

    def _prepare(self, input, y):
        check_tensor(self, input)
        if input.nElement() == 0:
            raise ValueError(f"{self._typename}: empty input")
        x = input.numpy()
        return x, _signs(self, y, x.size, 'input element').reshape(x.shape)

    def updateOutput(self, input, y):
        x, s = self._prepare(input, y)
        loss = float(np.where(s == 1, x, np.maximum(self.margin - x, 0)).sum())
        self.output = loss / x.size if self.sizeAverage else loss
        return self.output

    def updateGradInput(self, input, y):
        x, s = self._prepare(input, y)
        norm = 1.0 / x.size if self.sizeAverage else 1.0
        gin = grad_buffer(self, input)
        gin[...] = np.where((s == -1) & (x > self.margin), 0, s * norm)
        return self.gradInput


class CosineEmbeddingCriterion(_PairLoad, Criterion):
    """Input [x1, x2] (vectors or N x D rows); with cos the cosine similarity of x1 and x2:
    loss = 1 - cos where y = 1 and max(0, cos - margin) where y = -1 (/ N when sizeAverage).
    Squared norms get 1e-12 added, as in Torch7."""
    _defaults = {'sizeAverage': True, 'margin': 0}
    EPS = 1e-12

    def __init__(self, margin=0, sizeAverage=True):
        super().__init__()
        self.margin = margin
        self.gradInput = [torch.Tensor(), torch.Tensor()]
        self.sizeAverage = bool(sizeAverage)

    def _prepare(self, input, y):
        x1, x2 = _pair_input(self, input)
        if x1.dim() not in (1, 2) or x1.nElement() == 0:
            raise ValueError(f"{self._typename}: expected vectors (D) or batches (N x D), got "
                             f"size {size_of(x1)}")
        a = x1.numpy().reshape(-1, x1.size(x1.dim() - 1))
        b = x2.numpy().reshape(a.shape)
        s = _signs(self, y, a.shape[0], 'row')
        dot = (a * b).sum(axis=1)
        inv1 = 1.0 / ((a * a).sum(axis=1) + self.EPS)
        inv2 = 1.0 / ((b * b).sum(axis=1) + self.EPS)
        w = np.sqrt(inv1 * inv2)
        cos = dot * w
        per = np.where(s == 1, 1 - cos, np.maximum(cos - self.margin, 0))
        return x1, x2, a, b, s, dot, inv1, inv2, w, per

    def updateOutput(self, input, y):
        per = self._prepare(input, y)[-1]
        loss = float(per.sum())
        self.output = loss / per.size if self.sizeAverage else loss
        return self.output

    def updateGradInput(self, input, y):
        x1, x2, a, b, s, dot, inv1, inv2, w, per = self._prepare(input, y)
        # d cos / d a = (b - dot/|a|^2 * a) / (|a||b|); symmetric for b
        coef = np.where(per > 0, -s, 0.0)             # y = 1: -dcos, y = -1: +dcos
        if self.sizeAverage:
            coef = coef / per.size
        coef = (coef * w)[:, None]
        g1, g2 = _pair_grads(self, x1, x2)
        g1.reshape(a.shape)[...] = coef * (b - (dot * inv1)[:, None] * a)
        g2.reshape(a.shape)[...] = coef * (a - (dot * inv2)[:, None] * b)
        return self.gradInput


class MarginRankingCriterion(_PairLoad, Criterion):
    """Input [x1, x2] of scores, y = 1 when x1 should rank higher, -1 otherwise:
    loss = max(0, -y * (x1 - x2) + margin), summed over a batch (/ N when sizeAverage). A
    number y goes with one-element x1 and x2."""
    _defaults = {'sizeAverage': True, 'margin': 1}

    def __init__(self, margin=1, sizeAverage=True):
        super().__init__()
        self.margin = margin
        self.gradInput = [torch.Tensor(1), torch.Tensor(1)]
        self.sizeAverage = bool(sizeAverage)

    def _prepare(self, input, y):
        x1, x2 = _pair_input(self, input)
        n = x1.nElement()
        if n == 0:
            raise ValueError(f"{self._typename}: empty input")
        batch = torch.isTensor(y)
        if not batch and n != 1:
            raise ValueError(f"{self._typename}: a number target goes with one-element "
                             f"inputs, got input of size {size_of(x1)}; pass a tensor of "
                             f"{n} targets")
        s = _signs(self, y, n, 'pair').reshape(x1.numpy().shape)
        a, b = x1.numpy(), x2.numpy()
        dist = -s * (a - b) + self.margin
        return x1, x2, s, dist, batch

    def updateOutput(self, input, y):
        _, _, s, dist, batch = self._prepare(input, y)
        loss = float(np.maximum(dist, 0).sum())
        self.output = loss / s.size if batch and self.sizeAverage else loss
        return self.output

    def updateGradInput(self, input, y):
        x1, x2, s, dist, batch = self._prepare(input, y)
        g = np.where(dist >= 0, s, 0.0)
        if batch and self.sizeAverage:
            g = g / s.size
        g1, g2 = _pair_grads(self, x1, x2)
        g1[...] = -g
        g2[...] = g
        return self.gradInput
