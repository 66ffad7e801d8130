"""An nngraph gModule moves to CUDA like any container and computes what the CPU computes."""
import numpy as np

import nn
import nngraph  # noqa: F401  (installs module(node) and nn.gModule)
import torchlike as torch


def _lstm_like_graph():
    x = nn.Identity()()
    h = nn.Linear(4, 6)(x)
    gate = nn.Sigmoid()(h)
    cand = nn.Tanh()(h)
    out = nn.CMulTable()([gate, cand])
    return nn.gModule([x], [nn.Linear(6, 3)(out)])


def test_a_graph_on_cuda_matches_the_cpu():
    torch.manualSeed(0)
    cpu = _lstm_like_graph().float()
    gpu = cpu.clone().cuda()
    x, g = torch.randn(5, 4).float(), torch.randn(5, 3).float()
    np.testing.assert_allclose(gpu.forward(x.cuda()).float().numpy(), cpu.forward(x).numpy(),
                               rtol=1e-5, atol=1e-6)
    gpu.zeroGradParameters()
    cpu.zeroGradParameters()
    np.testing.assert_allclose(gpu.backward(x.cuda(), g.cuda()).float().numpy(),
                               cpu.backward(x, g).numpy(), rtol=1e-5, atol=1e-6)
    pc, gc = cpu.getParameters()
    pg, gg = gpu.getParameters()
    assert pg.type() == 'torch.CudaTensor'
    np.testing.assert_allclose(gg.float().numpy(), gc.numpy(), rtol=1e-5, atol=1e-6)
