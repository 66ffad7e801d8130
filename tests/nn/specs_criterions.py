"""Catalogue rows for every criterion, each with its loss written from the formula."""
import numpy as np

import torchlike as torch
from harness import CriterionSpec, rand, randn

from nn.criterions import (AbsCriterion, BCECriterion, ClassNLLCriterion,
                           CosineEmbeddingCriterion, CrossEntropyCriterion,
                           DistKLDivCriterion, HingeEmbeddingCriterion, MarginCriterion,
                           MarginRankingCriterion, MSECriterion, MultiCriterion,
                           MultiMarginCriterion, ParallelCriterion, SmoothL1Criterion,
                           SoftMarginCriterion, SpatialClassNLLCriterion)


def A(t):
    return t.numpy().astype(np.float64)


def L(*values):
    return torch.LongTensor(list(values))


def signs(*sizes):
    """A tensor of random 1 / -1 values."""
    return torch.DoubleTensor(*sizes).bernoulli(0.5).mul(2).add(-1)


W5 = [0.5, 2.0, 1.0, 0.25, 3.0]


def nll_ref(x, t, w=None, average=True, ignore=-100):
    x = A(x).reshape(-1, A(x).shape[-1])
    t = np.atleast_1d(t if isinstance(t, int) else t.numpy())
    keep = t != ignore
    rows, cls = np.arange(len(t))[keep], t[keep]
    ws = np.ones(len(cls)) if w is None else np.array(w)[cls]
    loss = -(x[rows, cls] * ws).sum()
    return loss / ws.sum() if average and ws.sum() else loss


def spatial_nll_ref(x, t, w):
    x, t = A(x), t.numpy()
    loss, total = 0.0, 0.0
    for n, c, h, wd in np.ndindex(x.shape):
        if t[n, h, wd] == c:
            loss -= w[c] * x[n, c, h, wd]
            total += w[c]
    return loss / total


def ce_ref(x, t):
    x = A(x)
    lse = np.log(np.exp(x).sum(axis=1))
    return float(np.mean(lse - x[np.arange(len(x)), t.numpy()]))


def bce_ref(x, t, w=1.0, average=True):
    x, t = A(x), A(t)
    loss = -(w * (t * np.log(x + 1e-12) + (1 - t) * np.log(1 - x + 1e-12))).sum()
    return loss / x.size if average else loss


def multimargin_ref(x, t, p=1, w=None, margin=1.0):
    x = A(x).reshape(-1, A(x).shape[-1])
    t = np.atleast_1d(t if isinstance(t, int) else t.numpy())
    total = 0.0
    for i, y in enumerate(t):
        for d in range(x.shape[1]):
            if d != y:
                z = max(0.0, margin - x[i, y] + x[i, d])
                total += (1 if w is None else w[y]) * z ** p
    return total / x.shape[1] / len(t)


def cosine_ref(x, y, margin):
    a, b, y = A(x[0]), A(x[1]), A(y)
    cos = (a * b).sum(1) / np.sqrt(((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))
    return float(np.mean(np.where(y == 1, 1 - cos, np.maximum(0, cos - margin))))


_NLL_BAD = [
    (lambda: randn(3, 5), lambda: L(0, 5, 1), ValueError,
     r'target 5 is out of range for 5 classes \(valid: 0 to 4\)'),
    (lambda: randn(3, 5), lambda: L(0, -2, 1), ValueError,
     r'target -2 is out of range for 5 classes \(valid: 0 to 4\)'),
    (lambda: randn(3, 5), lambda: L(0, 1), ValueError, r'target has size 2, expected 3'),
    (lambda: randn(2, 3, 5), lambda: L(0, 1), ValueError, r'expected 1-D \(C\) or 2-D'),
]
_PAIR_BAD = [(lambda: randn(3, 4), lambda: randn(3, 5), ValueError,
              r'input 3 x 4 \(12 elements\), target 3 x 5 \(15 elements\)')]

CRITERIA = [
    CriterionSpec('ClassNLLCriterion', lambda: ClassNLLCriterion(), lambda: randn(4, 5),
                  lambda: L(0, 4, 2, 2), printed='nn.ClassNLLCriterion',
                  reference=nll_ref, bad_inputs=_NLL_BAD),
    CriterionSpec('ClassNLLCriterion-single', lambda: ClassNLLCriterion(), lambda: randn(5),
                  lambda: 3, reference=nll_ref,
                  bad_inputs=[(lambda: randn(5), lambda: 7, ValueError,
                               r'target 7 is out of range for 5 classes \(valid: 0 to 4\)')]),
    CriterionSpec('ClassNLLCriterion-weights',
                  lambda: ClassNLLCriterion(torch.DoubleTensor(W5)), lambda: randn(4, 5),
                  lambda: L(1, 4, 0, 4), reference=lambda x, t: nll_ref(x, t, W5),
                  bad_inputs=[(lambda: randn(4, 6), lambda: L(1, 4, 0, 4), ValueError,
                               r'weights has 5 elements but the input has 6 classes')]),
    CriterionSpec('ClassNLLCriterion-ignore-sum',
                  lambda: ClassNLLCriterion(torch.DoubleTensor(W5), False, 2),
                  lambda: randn(5, 5), lambda: L(1, 2, 0, 2, 3),
                  reference=lambda x, t: nll_ref(x, t, W5, False, 2)),
    CriterionSpec('SpatialClassNLLCriterion',
                  lambda: SpatialClassNLLCriterion(torch.DoubleTensor([0.5, 2.0, 1.0])),
                  lambda: randn(2, 3, 2, 2),
                  lambda: torch.LongTensor([[[0, 2], [1, 1]], [[2, 2], [0, 1]]]),
                  printed='nn.SpatialClassNLLCriterion',
                  reference=lambda x, t: spatial_nll_ref(x, t, [0.5, 2.0, 1.0]),
                  bad_inputs=[(lambda: randn(2, 3, 2, 2), lambda: L(0, 1), ValueError,
                               r'target has size 2, expected 2 x 2 x 2'),
                              (lambda: randn(1, 3, 1, 2), lambda: torch.LongTensor([[[0, 3]]]),
                               ValueError, r'target 3 is out of range for 3 classes')]),
    CriterionSpec('CrossEntropyCriterion', lambda: CrossEntropyCriterion(),
                  lambda: randn(4, 5), lambda: L(0, 4, 2, 1), reference=ce_ref,
                  printed='nn.CrossEntropyCriterion', bad_inputs=_NLL_BAD[:2]),
    CriterionSpec('BCECriterion', lambda: BCECriterion(), lambda: rand(3, 4, lo=0.05, hi=0.95),
                  lambda: rand(3, 4), reference=bce_ref,
                  bad_inputs=[(lambda: rand(3, 4, lo=1.1, hi=1.5), lambda: rand(3, 4),
                               ValueError, r'input value 1\.\d+ is out of range \(valid: 0 to 1\)'),
                              *_PAIR_BAD]),
    CriterionSpec('BCECriterion-weights-sum',
                  lambda: BCECriterion(torch.DoubleTensor([0.5, 1, 2, 3]), False),
                  lambda: rand(3, 4, lo=0.05, hi=0.95),
                  lambda: torch.DoubleTensor(3, 4).bernoulli(0.5),
                  reference=lambda x, t: bce_ref(x, t, np.array([0.5, 1, 2, 3]), False)),
    CriterionSpec('MarginCriterion', lambda: MarginCriterion(0.7), lambda: randn(3, 4),
                  lambda: signs(3, 4),
                  reference=lambda x, t: np.maximum(0, 0.7 - A(x) * A(t)).mean()),
    CriterionSpec('SoftMarginCriterion', lambda: SoftMarginCriterion(), lambda: randn(3, 4),
                  lambda: signs(3, 4),
                  reference=lambda x, t: np.log1p(np.exp(-A(x) * A(t))).mean(),
                  bad_inputs=_PAIR_BAD),
    CriterionSpec('MultiMarginCriterion', lambda: MultiMarginCriterion(), lambda: randn(3, 5),
                  lambda: L(0, 4, 2), reference=multimargin_ref,
                  bad_inputs=[(lambda: randn(3, 5), lambda: L(0, 5, 2), ValueError,
                               r'target 5 is out of range for 5 classes \(valid: 0 to 4\)')]),
    CriterionSpec('MultiMarginCriterion-p2-weights',
                  lambda: MultiMarginCriterion(2, torch.DoubleTensor(W5), 0.5),
                  lambda: randn(5), lambda: 1,
                  reference=lambda x, t: multimargin_ref(x, t, 2, W5, 0.5)),
    CriterionSpec('MSECriterion', lambda: MSECriterion(), lambda: randn(3, 4),
                  lambda: randn(3, 4), printed='nn.MSECriterion',
                  reference=lambda x, t: ((A(x) - A(t)) ** 2).mean(), bad_inputs=_PAIR_BAD),
    CriterionSpec('MSECriterion-sum-flat-target', lambda: MSECriterion(False),
                  lambda: randn(4, 1), lambda: randn(4),
                  reference=lambda x, t: ((A(x).ravel() - A(t)) ** 2).sum()),
    CriterionSpec('AbsCriterion', lambda: AbsCriterion(), lambda: randn(3, 4),
                  lambda: randn(3, 4), reference=lambda x, t: np.abs(A(x) - A(t)).mean(),
                  bad_inputs=_PAIR_BAD),
    CriterionSpec('SmoothL1Criterion', lambda: SmoothL1Criterion(), lambda: randn(3, 4),
                  lambda: randn(3, 4),
                  reference=lambda x, t: np.where(np.abs(A(x) - A(t)) < 1,
                                                  0.5 * (A(x) - A(t)) ** 2,
                                                  np.abs(A(x) - A(t)) - 0.5).mean()),
    CriterionSpec('DistKLDivCriterion', lambda: DistKLDivCriterion(), lambda: randn(3, 4),
                  lambda: rand(3, 4),
                  reference=lambda x, t: (A(t) * (np.log(A(t)) - A(x))).mean(),
                  bad_inputs=[(lambda: randn(3, 4), lambda: rand(12), ValueError,
                               r'same size, got input 3 x 4 and target 12')]),
    CriterionSpec('HingeEmbeddingCriterion', lambda: HingeEmbeddingCriterion(0.8),
                  lambda: rand(3, 4, lo=0, hi=2), lambda: signs(3, 4),
                  reference=lambda x, t: np.where(A(t) == 1, A(x),
                                                  np.maximum(0, 0.8 - A(x))).mean(),
                  bad_inputs=[(lambda: randn(3, 4), lambda: randn(3, 4).fill(0.5), ValueError,
                               r'target value 0.5 is not 1 or -1')]),
    CriterionSpec('CosineEmbeddingCriterion', lambda: CosineEmbeddingCriterion(0.2),
                  lambda: [randn(4, 3), randn(4, 3)], lambda: signs(4),
                  reference=lambda x, y: cosine_ref(x, y, 0.2),
                  bad_inputs=[(lambda: [randn(4, 3), randn(4, 2)], lambda: signs(4),
                               ValueError, r'same size, got 4 x 3 and 4 x 2'),
                              (lambda: [randn(4, 3), randn(4, 3)], lambda: signs(3),
                               ValueError, r'target has size 3 \(3 elements\), expected 4')]),
    CriterionSpec('MarginRankingCriterion', lambda: MarginRankingCriterion(0.5),
                  lambda: [randn(5), randn(5)], lambda: signs(5),
                  reference=lambda x, y: np.maximum(0, -A(y) * (A(x[0]) - A(x[1])) + 0.5)
                  .mean()),
    CriterionSpec('MarginRankingCriterion-single', lambda: MarginRankingCriterion(),
                  lambda: [randn(1), randn(1)], lambda: -1,
                  reference=lambda x, y: max(0.0, (A(x[0]) - A(x[1]))[0] + 1)),
    CriterionSpec('MultiCriterion',
                  lambda: MultiCriterion().add(MSECriterion(), 0.5).add(AbsCriterion()),
                  lambda: randn(3, 4), lambda: randn(3, 4), printed='nn.MultiCriterion',
                  reference=lambda x, t: 0.5 * ((A(x) - A(t)) ** 2).mean() +
                  np.abs(A(x) - A(t)).mean()),
    CriterionSpec('ParallelCriterion',
                  lambda: ParallelCriterion().add(MSECriterion(), 0.5)
                  .add(ClassNLLCriterion(), 2),
                  lambda: [randn(3, 4), randn(2, 3)], lambda: [randn(3, 4), L(2, 0)],
                  reference=lambda x, t: 0.5 * ((A(x[0]) - A(t[0])) ** 2).mean() +
                  2 * nll_ref(x[1], t[1]),
                  bad_inputs=[(lambda: [randn(3, 4)], lambda: [randn(3, 4), L(0)],
                               ValueError, r'one entry per criterion \(2\), got 1')]),
    CriterionSpec('ParallelCriterion-repeatTarget',
                  lambda: ParallelCriterion(True).add(MSECriterion()).add(AbsCriterion(), 3),
                  lambda: [randn(2, 3), randn(2, 3)], lambda: randn(2, 3),
                  reference=lambda x, t: ((A(x[0]) - A(t)) ** 2).mean() +
                  3 * np.abs(A(x[1]) - A(t)).mean()),
]
