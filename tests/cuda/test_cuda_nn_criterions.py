"""Criterions on CUDA (nn/cuda/criterions.py) against the same criterion on the CPU: the loss
(a Python number), gradInput, and the CPU's errors for bad targets."""
import numpy as np
import pytest

import nn
import torchlike as torch
from test_cuda_nn import close, host, rand


def _pair(crit, x, t, tg=None):
    """(cpu criterion, gpu criterion) after forward + backward on both; losses compared."""
    cpu = crit.float()
    gpu = cpu.clone().cuda()
    assert type(gpu) is not type(cpu) and gpu._typename == cpu._typename
    tg = t.cuda() if tg is None else tg
    loss, gloss = cpu.forward(x, t), gpu.forward(x.cuda(), tg)
    assert isinstance(gloss, float)
    assert gloss == pytest.approx(loss, rel=1e-5, abs=1e-6)
    close(cpu.backward(x, t), gpu.backward(x.cuda(), tg))
    assert gpu.gradInput._is_cuda
    return cpu, gpu


@pytest.mark.parametrize('weights', [None, [1.0, 2.0, 0.5, 3.0]])
@pytest.mark.parametrize('sizeAverage', [True, False])
def test_class_nll(weights, sizeAverage):
    w = torch.FloatTensor(weights) if weights else None
    x = rand(3, 4)
    t = torch.LongTensor([0, 3, 1])
    cpu, gpu = _pair(nn.ClassNLLCriterion(w, sizeAverage), x, t, t.cudaLong())
    assert gpu.total_weight == pytest.approx(cpu.total_weight)


def test_class_nll_single_sample_ignore_index_and_float_targets():
    x = rand(4)
    _pair(nn.ClassNLLCriterion(), x, 2, 2)
    _pair(nn.ClassNLLCriterion(ignoreIndex=1), rand(3, 4), torch.LongTensor([1, 2, 1]),
          torch.LongTensor([1, 2, 1]).cudaLong())
    _pair(nn.ClassNLLCriterion(), rand(2, 4), torch.LongTensor([3, 0]),
          torch.FloatTensor([3, 0]).cuda())


def test_class_nll_errors_match_the_cpu_and_change_nothing():
    gpu = nn.ClassNLLCriterion().float().cuda()
    x = rand(2, 3).cuda()
    gpu.output = 7.0
    with pytest.raises(ValueError, match=r'target 3 is out of range for 3 classes .*0-based'):
        gpu.forward(x, torch.LongTensor([0, 3]).cudaLong())
    with pytest.raises(ValueError, match='target 3 is out of range'):
        gpu.backward(x, torch.LongTensor([0, 3]).cudaLong())
    assert gpu.output == 7.0
    with pytest.raises(TypeError, match='torch.CudaTensor and torch.LongTensor'):
        gpu.forward(x, torch.LongTensor([0, 1]))
    with pytest.raises(ValueError, match='target has size 3, expected 2'):
        gpu.forward(x, torch.LongTensor([0, 1, 1]).cudaLong())
    with pytest.raises(ValueError, match='is not a class index'):
        gpu.forward(x, torch.FloatTensor([0, 1.5]).cuda())


def test_spatial_class_nll():
    x = rand(2, 3, 2, 2)
    t = torch.LongTensor([[[0, 1], [2, 2]], [[1, 0], [0, 2]]])
    _pair(nn.SpatialClassNLLCriterion(), x, t, t.cudaLong())


def test_cross_entropy_checks_targets_before_anything_changes():
    x = rand(3, 5)
    t = torch.LongTensor([4, 0, 2])
    cpu, gpu = _pair(nn.CrossEntropyCriterion(), x, t, t.cudaLong())
    assert type(gpu.nll) is not nn.ClassNLLCriterion and gpu.lsm.output._is_cuda
    before = host(gpu.lsm.output)
    with pytest.raises(ValueError, match='target 5 is out of range for 5 classes'):
        gpu.forward(rand(3, 5).cuda(), torch.LongTensor([5, 0, 1]).cudaLong())
    np.testing.assert_array_equal(host(gpu.lsm.output), before)
    back = gpu.float()
    assert type(back) is nn.CrossEntropyCriterion and type(back.nll) is nn.ClassNLLCriterion
    assert back.lsm.output._typename == 'torch.FloatTensor'
    assert back.forward(x, t) == pytest.approx(cpu.forward(x, t))


@pytest.mark.parametrize('cls', [nn.MSECriterion, nn.AbsCriterion, nn.SmoothL1Criterion])
@pytest.mark.parametrize('sizeAverage', [True, False])
def test_regression_losses(cls, sizeAverage):
    x, t = rand(3, 4, lo=-2, hi=2), rand(3, 4)
    _pair(cls(sizeAverage), x, t)


def test_mse_pairs_elements_of_equal_count():
    _pair(nn.MSECriterion(), rand(2, 3), rand(6))
    gpu = nn.MSECriterion().float().cuda()
    with pytest.raises(ValueError, match='sizes do not match'):
        gpu.forward(rand(2, 3).cuda(), rand(5).cuda())
    with pytest.raises(TypeError, match='different devices'):
        gpu.forward(rand(2, 3).cuda(), rand(2, 3))


@pytest.mark.parametrize('weights', [None, [0.5, 2.0, 1.0]])
def test_bce(weights):
    w = torch.FloatTensor(weights) if weights else None
    x = rand(2, 3, lo=0.05, hi=0.95)
    t = torch.FloatTensor([[1, 0, 1], [0, 0, 1]])
    _pair(nn.BCECriterion(w), x, t)


def test_bce_refuses_values_outside_0_1():
    gpu = nn.BCECriterion().float().cuda()
    with pytest.raises(ValueError, match='input value 1.5 is out of range'):
        gpu.forward(torch.FloatTensor([0.5, 1.5]).cuda(), torch.FloatTensor([1, 0]).cuda())
    with pytest.raises(ValueError, match='input value nan is out of range'):
        gpu.forward(torch.FloatTensor([0.5, float('nan')]).cuda(),
                    torch.FloatTensor([1, 0]).cuda())
