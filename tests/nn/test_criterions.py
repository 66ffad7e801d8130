"""Criterions beyond the catalogue: PyTorch parity, targets, buffers, types, Lua files."""
import numpy as np
import pytest

import nn
import torchlike as tl
from torchlike.serialization.lua_types import TorchObject

from nn.criterions import (AbsCriterion, BCECriterion, ClassNLLCriterion,
                           CosineEmbeddingCriterion, CrossEntropyCriterion,
                           DistKLDivCriterion, HingeEmbeddingCriterion, MarginCriterion,
                           MarginRankingCriterion, MSECriterion, MultiCriterion,
                           MultiMarginCriterion, ParallelCriterion, SmoothL1Criterion,
                           SoftMarginCriterion, SpatialClassNLLCriterion)


@pytest.fixture(autouse=True)
def _seeded():
    tl.manualSeed(3)


def randn(*s):
    return tl.DoubleTensor(*s).normal(0, 1)


def A(t):
    return t.numpy()


# -- PyTorch parity ----------------------------------------------------------------------------
R = np.random.RandomState(0)
X = R.randn(6, 5)
X2 = R.randn(6, 5)
P = R.uniform(0.05, 0.95, (6, 5))
Y01 = (R.rand(6, 5) > 0.5).astype(np.float64)
SIGNS = np.where(R.rand(6, 5) > 0.5, 1.0, -1.0)
ROWSIGNS = np.array([1.0, -1, -1, 1, 1, -1])
CLS = np.array([0, 4, 2, 2, 1, 3])
W = np.array([0.5, 2.0, 1.0, 0.25, 3.0])
PROBS = R.uniform(0.01, 1, (6, 5))


def _case(name, ours, ref, inputs, target):
    return pytest.param(ours, ref, inputs, target, id=name)


def _cases():
    out = []
    for avg in (True, False):
        red = 'mean' if avg else 'sum'
        s = '-mean' if avg else '-sum'
        out += [
            _case('NLL' + s, lambda a=avg: ClassNLLCriterion(tl.fromNumpy(W.copy()), a, 2),
                  lambda pt, r=red: pt.nn.NLLLoss(pt.tensor(W), ignore_index=2, reduction=r),
                  [X], CLS),
            _case('NLL-noweights' + s, lambda a=avg: ClassNLLCriterion(None, a),
                  lambda pt, r=red: pt.nn.NLLLoss(reduction=r), [X], CLS),
            _case('CrossEntropy' + s,
                  lambda a=avg: CrossEntropyCriterion(tl.fromNumpy(W.copy()), a),
                  lambda pt, r=red: pt.nn.CrossEntropyLoss(pt.tensor(W), reduction=r), [X], CLS),
            _case('SpatialNLL' + s,
                  lambda a=avg: SpatialClassNLLCriterion(tl.fromNumpy(W[:3].copy()), a),
                  lambda pt, r=red: pt.nn.NLLLoss(pt.tensor(W[:3]), reduction=r),
                  [X.reshape(2, 3, 5)[:, :, :4].reshape(2, 3, 2, 2).copy()],
                  np.array([[[0, 2], [1, 1]], [[2, 2], [0, 1]]])),
            _case('MSE' + s, lambda a=avg: MSECriterion(a),
                  lambda pt, r=red: pt.nn.MSELoss(reduction=r), [X], X2),
            _case('BCE' + s, lambda a=avg: BCECriterion(tl.fromNumpy(W.copy()), a),
                  lambda pt, r=red: pt.nn.BCELoss(pt.tensor(W), reduction=r), [P], Y01),
            _case('L1' + s, lambda a=avg: AbsCriterion(a),
                  lambda pt, r=red: pt.nn.L1Loss(reduction=r), [X], X2),
            _case('SmoothL1' + s, lambda a=avg: SmoothL1Criterion(a),
                  lambda pt, r=red: pt.nn.SmoothL1Loss(reduction=r), [X], X2),
            _case('KLDiv' + s, lambda a=avg: DistKLDivCriterion(a),
                  lambda pt, r=red: pt.nn.KLDivLoss(reduction=r), [X], PROBS),
            _case('HingeEmbedding' + s, lambda a=avg: HingeEmbeddingCriterion(0.7, a),
                  lambda pt, r=red: pt.nn.HingeEmbeddingLoss(0.7, reduction=r),
                  [np.abs(X)], SIGNS),
            _case('CosineEmbedding' + s, lambda a=avg: CosineEmbeddingCriterion(0.1, a),
                  lambda pt, r=red: pt.nn.CosineEmbeddingLoss(0.1, reduction=r),
                  [X, X2], ROWSIGNS),
            _case('MarginRanking' + s, lambda a=avg: MarginRankingCriterion(0.3, a),
                  lambda pt, r=red: pt.nn.MarginRankingLoss(0.3, reduction=r),
                  [X[:, 0].copy(), X2[:, 0].copy()], ROWSIGNS),
            _case('SoftMargin' + s, lambda a=avg: SoftMarginCriterion(a),
                  lambda pt, r=red: pt.nn.SoftMarginLoss(reduction=r), [X], SIGNS),
        ]

    def multimargin(p, avg):
        c = MultiMarginCriterion(p, tl.fromNumpy(W.copy()), 0.6)
        c.sizeAverage = avg
        return c
    for p in (1, 2):
        for avg in (True, False):
            red = 'mean' if avg else 'sum'
            out.append(_case(f'MultiMargin-p{p}-{red}', lambda p=p, a=avg: multimargin(p, a),
                             lambda pt, p=p, r=red: pt.nn.MultiMarginLoss(p, 0.6, pt.tensor(W),
                                                                          reduction=r),
                             [X], CLS))
    return out


@pytest.mark.filterwarnings('ignore:reduction:UserWarning')   # KLDivLoss 'mean' notice
@pytest.mark.parametrize('ours,ref,inputs,target', _cases())
def test_pytorch_parity(ours, ref, inputs, target):
    pt = pytest.importorskip('torch')
    crit = ours()
    xs = [tl.fromNumpy(x.copy()) for x in inputs]
    t = tl.fromNumpy(target.copy())
    inp = xs if len(xs) > 1 else xs[0]
    loss = crit.forward(inp, t)
    grads = crit.backward(inp, t)
    grads = grads if isinstance(grads, list) else [grads]
    px = [pt.tensor(x, requires_grad=True) for x in inputs]
    pt_loss = ref(pt)(*px, pt.tensor(target))
    pt_loss.backward()
    assert loss == pytest.approx(pt_loss.item(), rel=1e-10, abs=1e-12) and loss != 0
    for g, p in zip(grads, px):
        np.testing.assert_allclose(A(g), p.grad.numpy(), rtol=1e-9, atol=1e-12)


# -- ClassNLL targets and edge cases --------------------------------------------------------
def test_all_targets_ignored_gives_zero_loss_and_gradient():
    c = ClassNLLCriterion(ignoreIndex=1)
    x = randn(3, 4)
    assert c.forward(x, tl.LongTensor([1, 1, 1])) == 0
    assert (A(c.backward(x, tl.LongTensor([1, 1, 1]))) == 0).all()


def test_target_forms():
    c = ClassNLLCriterion()
    x = randn(3, 4)
    ref = c.forward(x, tl.LongTensor([3, 0, 2]))
    assert c.forward(x, tl.DoubleTensor([3, 0, 2])) == ref       # whole numbers are accepted
    assert c.forward(x, tl.IntTensor([3, 0, 2])) == ref
    assert c.forward(x, tl.LongTensor([[3], [0], [2]])) == ref   # N x 1
    with pytest.raises(ValueError, match=r'target 0.5 is not a class index'):
        c.forward(x, tl.DoubleTensor([3, 0.5, 2]))
    with pytest.raises(ValueError, match=r'single target number 1 given for a batch of 3'):
        c.forward(x, 1)
    with pytest.raises(TypeError, match=r'target must be a class index'):
        c.forward(x, 'a')
    single = randn(1, 4)
    assert c.forward(single, 2) == -A(single)[0, 2]
    assert c.forward(single.select(0, 0), 2) == -A(single)[0, 2]


def test_out_of_range_target_names_the_value_and_keeps_state():
    c = ClassNLLCriterion()
    x = randn(2, 10)
    c.forward(x, tl.LongTensor([1, 2]))
    g = c.backward(x, tl.LongTensor([1, 2])).clone()
    out = c.output
    with pytest.raises(ValueError, match=r'ClassNLLCriterion: target 10 is out of range for '
                                         r'10 classes \(valid: 0 to 9\); class targets are '
                                         r'0-based'):
        c.forward(x, tl.LongTensor([1, 10]))
    with pytest.raises(ValueError, match=r'target 10 is out of range'):
        c.backward(x, tl.LongTensor([1, 10]))
    assert c.output == out
    np.testing.assert_array_equal(A(c.gradInput), A(g))


def test_cross_entropy_checks_targets_before_changing_anything():
    c = CrossEntropyCriterion()
    x = randn(2, 3)
    c.forward(x, tl.LongTensor([0, 2]))
    before = A(c.lsm.output).copy()
    with pytest.raises(ValueError, match=r'target 3 is out of range for 3 classes'):
        c.forward(randn(2, 3), tl.LongTensor([0, 3]))
    np.testing.assert_array_equal(A(c.lsm.output), before)


def test_cross_entropy_size_average_follows_the_field():
    c = CrossEntropyCriterion()
    x, t = randn(4, 3), tl.LongTensor([0, 1, 2, 1])
    mean = c.forward(x, t)
    c.sizeAverage = False
    assert c.forward(x, t) == pytest.approx(4 * mean)
    np.testing.assert_allclose(A(c.backward(x, t)).sum(axis=1), 0, atol=1e-12)


def test_spatial_nll_single_image():
    c = SpatialClassNLLCriterion()
    x = randn(3, 2, 2)
    t = tl.LongTensor([[0, 2], [1, 1]])
    expected = -np.mean([A(x)[0, 0, 0], A(x)[2, 0, 1], A(x)[1, 1, 0], A(x)[1, 1, 1]])
    assert c.forward(x, t) == pytest.approx(expected)
    assert nn.Jacobian.testCriterionJacobian(c, x, t) < 1e-6


# -- buffers and types ----------------------------------------------------------------------------
@pytest.mark.parametrize('make,x,t', [
    (MSECriterion, lambda: randn(3, 4), lambda: randn(3, 4)),
    (ClassNLLCriterion, lambda: randn(3, 4), lambda: tl.LongTensor([0, 1, 3])),
    (lambda: HingeEmbeddingCriterion(), lambda: randn(5), lambda: 1),
])
def test_gradInput_buffer_is_reused_and_follows_the_input_type(make, x, t):
    c = make()
    g = c.backward(x(), t())
    assert c.backward(x(), t()) is g
    gf = c.backward(x().float(), t())
    assert gf._typename == 'torch.FloatTensor'
    assert isinstance(c.forward(x().float(), t()), float)


def test_non_contiguous_inputs():
    x = randn(4, 3).t()
    t = randn(4, 3).t()
    c = MSECriterion()
    assert c.forward(x, t) == pytest.approx(c.forward(x.clone(), t.clone()), rel=1e-14)
    np.testing.assert_array_equal(A(c.backward(x, t)).copy(),
                                  A(c.backward(x.clone(), t.clone())))
    nll = ClassNLLCriterion()
    tt = tl.LongTensor([0, 3, 1])
    assert nll.forward(x, tt) == nll.forward(x.clone(), tt)


def test_combined_criterions_convert_their_children():
    m = MultiCriterion().add(MSECriterion(), 0.5).add(ClassNLLCriterion(randn(3).abs()))
    m.float()
    assert m.criterions[1].weights._typename == 'torch.FloatTensor'
    with pytest.raises(TypeError, match=r'add: expected a criterion'):
        m.add(nn.Linear(2, 2))
    p = ParallelCriterion().add(MSECriterion()).float()
    assert p.forward([randn(2).float()], [randn(2).float()]) >= 0


def test_bad_pair_sizes_name_them():
    with pytest.raises(ValueError, match=r'input 2 x 3 \(6 elements\), target 5 \(5 elements'):
        AbsCriterion().forward(randn(2, 3), randn(5))
    with pytest.raises(ValueError, match=r'target value 0 is not 1 or -1'):
        MarginRankingCriterion().forward([randn(2), randn(2)], tl.DoubleTensor([1, 0]))
    with pytest.raises(ValueError, match=r'number target goes with one-element inputs'):
        MarginRankingCriterion().forward([randn(2), randn(2)], 1)
    with pytest.raises(TypeError, match=r'list of two tensors'):
        CosineEmbeddingCriterion().forward(randn(3), 1)
    with pytest.raises(ValueError, match=r'only p=1 and p=2'):
        MultiMarginCriterion(3)
    with pytest.raises(ValueError, match=r'weights must be a 1-D tensor'):
        ClassNLLCriterion(randn(2, 2))
    with pytest.raises(ValueError, match=r'weights has 3 elements, expected 4'):
        BCECriterion(randn(3)).forward(tl.DoubleTensor(2, 4).fill(0.5), randn(2, 4))
    with pytest.raises(ValueError, match=r'use repeatTarget=True'):
        ParallelCriterion().add(MSECriterion()).forward([randn(2)], randn(2))


def test_margin_criterion_formula_and_cosine_single_vectors():
    x, y = randn(5), tl.DoubleTensor([1, -1, 1, 1, -1])
    c = MarginCriterion()
    assert c.forward(x, y) == pytest.approx(np.maximum(0, 1 - A(x) * A(y)).mean())
    a, b = randn(4), randn(4)
    cos = A(a) @ A(b) / np.sqrt((A(a) @ A(a) + 1e-12) * (A(b) @ A(b) + 1e-12))
    assert CosineEmbeddingCriterion().forward([a, b], 1) == pytest.approx(1 - cos)
    g = CosineEmbeddingCriterion().backward([a, b], 1)
    assert g[0].size() == a.size()


# -- Lua files -----------------------------------------------------------------------------------
def _load(name, fields, version=1):
    return tl.deserialize(tl.serialize(TorchObject(name, version, fields)))


def test_lua_written_class_nll_loads_with_0_based_ignore_index():
    base = dict(sizeAverage=True, output=0, gradInput=tl.DoubleTensor(),
                output_tensor=tl.DoubleTensor(1), total_weight_tensor=tl.DoubleTensor(1),
                target=tl.LongTensor(1))
    c = _load('nn.ClassNLLCriterion', dict(base, ignoreIndex=-100))
    assert type(c) is ClassNLLCriterion and c.ignoreIndex == -100   # a sentinel stays
    x = randn(3, 4)
    assert c.forward(x, tl.LongTensor([0, 3, -100])) == pytest.approx(
        -(A(x)[0, 0] + A(x)[1, 3]) / 2)
    c = _load('nn.ClassNLLCriterion', dict(base, ignoreIndex=3,
                                           weights=tl.DoubleTensor([1, 2, 3, 4])))
    assert c.ignoreIndex == 2                                        # Lua class 3 = our 2
    assert c.forward(x, tl.LongTensor([1, 2, 2])) == pytest.approx(-A(x)[0, 1])
    c.backward(x, tl.LongTensor([1, 2, 2]))
    assert c._torchFields()['ignoreIndex'] == 3
    assert tl.deserialize(tl.serialize(c)).ignoreIndex == 2


def test_lua_written_simple_and_combined_criterions_load():
    mse = _load('nn.MSECriterion', dict(sizeAverage=False, output=0, gradInput={}))
    x, t = randn(3), randn(3)
    assert mse.forward(x, t) == pytest.approx(((A(x) - A(t)) ** 2).sum())
    mse.backward(x, t)
    weights = tl.DoubleStorage(2)
    weights[0], weights[1] = 0.5, 2.0
    multi = _load('nn.MultiCriterion', dict(criterions=[mse, _load('nn.AbsCriterion', dict(
        sizeAverage=True, output=0, gradInput=tl.DoubleTensor()))], weights=weights,
        output=0, gradInput=tl.DoubleTensor()))
    assert multi.forward(x, t) == pytest.approx(0.5 * ((A(x) - A(t)) ** 2).sum() +
                                                2 * np.abs(A(x) - A(t)).mean())
    multi.backward(x, t)
    par = _load('nn.ParallelCriterion', dict(criterions={}, weights={}, gradInput={},
                                             output=0))
    assert par.criterions == [] and par.repeatTarget is False
    par.add(MSECriterion())
    assert par.forward([x], [t]) == pytest.approx(((A(x) - A(t)) ** 2).mean())
    par.backward([x], [t])
    cos = _load('nn.CosineEmbeddingCriterion', dict(margin=0, sizeAverage=True, output=0,
                                                    gradInput=[tl.DoubleTensor(),
                                                               tl.DoubleTensor()]))
    cos.backward([randn(2, 3), randn(2, 3)], tl.DoubleTensor([1, -1]))
