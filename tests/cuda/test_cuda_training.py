"""The issue's done criterion: the same small network trained for several steps on the CPU
(FloatTensor) and on CUDA, from identical initial weights, with getParameters() and
optim.sgd (momentum) / optim.adam, agrees to float32 tolerance after those steps.

Dropout masks are drawn on the host from torchlike's generator in both runs, so reseeding
before each run gives both the same masks. The networks are tiny: under the simulator every
GPU thread is a Python thread."""
import numpy as np
import pytest

import nn
import optim
import torchlike as torch

STEPS = 5


def _mlp():
    return (nn.Sequential().add(nn.Linear(5, 6)).add(nn.ReLU()).add(nn.Dropout(0.3))
            .add(nn.Linear(6, 3)).add(nn.LogSoftMax()))


def _convnet():
    # no convolution bias before batch norm: its gradient is 0 up to rounding, which adam would
    # normalise into steps of rounding noise
    return (nn.Sequential().add(nn.SpatialConvolution(1, 2, 2, 2).noBias())
            .add(nn.SpatialBatchNormalization(2)).add(nn.ReLU())
            .add(nn.SpatialMaxPooling(2, 2, 1, 1)).add(nn.View(8))
            .add(nn.Dropout(0.25)).add(nn.Linear(8, 3)).add(nn.LogSoftMax()))


def _train(model, crit, x, y, method, config):
    """STEPS optimiser steps on one batch -> (losses, final flat parameters on the host)."""
    w, dw = model.getParameters()
    assert w._is_cuda is x._is_cuda

    def feval(_):
        dw.zero()
        out = model.forward(x)
        loss = crit.forward(out, y)
        model.backward(x, crit.backward(out, y))
        return loss, dw

    state, losses = {}, []
    torch.manualSeed(7)                  # the same dropout masks in both runs
    for _ in range(STEPS):
        _, f = method(feval, w, dict(config), state)
        losses.append(f[0])
    if x._is_cuda:
        assert state[next(k for k in ('dfdx', 'm') if k in state)]._is_cuda
    return losses, w.float().numpy().copy()


@pytest.mark.parametrize('build, shape, method, config', [
    (_mlp, (4, 5), optim.sgd, {'learningRate': 0.1, 'momentum': 0.9, 'weightDecay': 1e-3}),
    (_convnet, (4, 1, 4, 4), optim.adam, {'learningRate': 0.05}),
], ids=['mlp-sgd-momentum', 'convnet-adam'])
def test_cpu_and_cuda_training_agree(build, shape, method, config):
    torch.manualSeed(3)
    cpu = build().float()
    gpu = cpu.clone().cuda()                       # identical initial weights
    x = torch.FloatTensor(*shape).uniform(-1, 1)
    y = torch.LongTensor([0, 2, 1, 2])
    cpu_losses, cpu_w = _train(cpu, nn.ClassNLLCriterion().float(), x, y, method, config)
    gpu_losses, gpu_w = _train(gpu, nn.ClassNLLCriterion().cuda(), x.cuda(), y.cudaLong(),
                               method, config)
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gpu_w, cpu_w, rtol=1e-4, atol=1e-5)
    assert cpu_losses[-1] < cpu_losses[0]           # it did learn something
    gpu.evaluate()
    cpu.evaluate()
    np.testing.assert_allclose(gpu.forward(x.cuda()).float().numpy(), cpu.forward(x).numpy(),
                               rtol=1e-4, atol=1e-5)
