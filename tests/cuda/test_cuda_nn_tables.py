"""Table modules, containers and the device-agnostic modules (Identity, View, Reshape, ...) on
CUDA, against the same module on the CPU."""
import numpy as np
import pytest

import nn
import torchlike as torch
from test_cuda_nn import check_pass, close, host, rand


def _cuda_list(xs):
    return [x.cuda() for x in xs]


def _table_pass(module, xs, gsize=None):
    """forward + backward with a list input (and a list or tensor output) on both devices."""
    cpu = module.float()
    gpu = cpu.clone().cuda()
    out, gout = cpu.forward([x.clone() for x in xs]), gpu.forward(_cuda_list(xs))
    outs = out if isinstance(out, list) else [out]
    gouts = gout if isinstance(gout, list) else [gout]
    for a, b in zip(outs, gouts):
        assert b._is_cuda
        close(a, b)
    gs = [rand(*o.size()) for o in outs]
    g, gg = (gs, _cuda_list(gs)) if isinstance(out, list) else (gs[0], gs[0].cuda())
    gin = cpu.backward([x.clone() for x in xs], g)
    ggin = gpu.backward(_cuda_list(xs), gg)
    gins = gin if isinstance(gin, list) else [gin]
    ggins = ggin if isinstance(ggin, list) else [ggin]
    assert len(gins) == len(ggins)
    for a, b in zip(gins, ggins):
        close(a, b)
    return cpu, gpu


@pytest.mark.parametrize('cls', [nn.CAddTable, nn.CSubTable, nn.CMulTable, nn.CDivTable])
def test_elementwise_tables(cls):
    torch.manualSeed(1)
    n = 2 if cls in (nn.CSubTable, nn.CDivTable) else 3
    _table_pass(cls(), [rand(2, 3, lo=0.5, hi=2) for _ in range(n)])


def test_cadd_table_in_place_writes_the_first_input():
    xs = [rand(2, 2), rand(2, 2)]
    gpu = nn.CAddTable(True).float().cuda()
    cx = _cuda_list(xs)
    out = gpu.forward(cx)
    np.testing.assert_allclose(host(cx[0]), xs[0].numpy() + xs[1].numpy(), rtol=1e-6)
    assert out.storage() is cx[0].storage()


def test_join_and_split_tables():
    torch.manualSeed(2)
    _table_pass(nn.JoinTable(1), [rand(2, 3), rand(2, 1)])
    _table_pass(nn.JoinTable(0, 1), [rand(2, 3), rand(2, 3)])
    cpu, gpu = nn.SplitTable(1).float(), nn.SplitTable(1).float().cuda()
    x = rand(2, 3)
    outs, gouts = cpu.forward(x), gpu.forward(x.cuda())
    assert len(gouts) == 3 and gouts[0].storage() is not None
    for a, b in zip(outs, gouts):
        close(a, b)
    gs = [rand(2) for _ in range(3)]
    close(cpu.backward(x, gs), gpu.backward(x.cuda(), _cuda_list(gs)))


def test_join_table_errors():
    gpu = nn.JoinTable(1).float().cuda()
    with pytest.raises(ValueError, match='does not match input'):
        gpu.forward([rand(2, 3).cuda(), rand(3, 3).cuda()])
    with pytest.raises(TypeError, match='different devices'):
        gpu.forward([rand(2, 3).cuda(), rand(2, 3)])


@pytest.mark.parametrize('make', [lambda: nn.SelectTable(1), lambda: nn.NarrowTable(0, 2),
                                  lambda: nn.FlattenTable()])
def test_device_agnostic_table_modules(make):
    cpu, gpu = _table_pass(make(), [rand(2), rand(3), rand(2)])
    assert type(gpu) is type(cpu)


def test_containers_with_twins_inside():
    torch.manualSeed(3)
    seq = nn.Sequential().add(nn.Linear(4, 3)).add(nn.Tanh()).add(nn.Identity())
    cpu, gpu = check_pass(seq, rand(2, 4))
    assert type(gpu) is nn.Sequential and type(gpu.get(0)) is not nn.Linear
    check_pass(nn.Concat(1).add(nn.Linear(3, 2)).add(nn.Linear(3, 1)), rand(2, 3))
    check_pass(nn.DepthConcat(1).add(nn.SpatialConvolution(1, 2, 1, 1))
               .add(nn.SpatialConvolution(1, 1, 2, 2)), rand(1, 1, 3, 3))
    check_pass(nn.Parallel(0, 0).add(nn.Linear(3, 2)).add(nn.Linear(3, 2)), rand(2, 3))
    check_pass(nn.Bottle(nn.Linear(3, 2)), rand(2, 2, 3))


def test_table_containers():
    torch.manualSeed(4)
    check_pass(nn.Sequential().add(nn.ConcatTable().add(nn.Linear(3, 2)).add(nn.Linear(3, 2)))
               .add(nn.CAddTable()), rand(2, 3))
    _table_pass(nn.ParallelTable().add(nn.Linear(3, 2)).add(nn.ReLU()), [rand(2, 3), rand(2)])
    _table_pass(nn.MapTable(nn.Linear(2, 2)), [rand(1, 2), rand(3, 2)])


@pytest.mark.parametrize('make, shape', [(lambda: nn.View(6), (2, 2, 3)),
                                         (lambda: nn.Reshape(3, 2), (2, 6)),
                                         (lambda: nn.Identity(), (2, 3))])
def test_shape_modules(make, shape):
    cpu, gpu = check_pass(make(), rand(*shape))
    assert type(gpu) is type(cpu)


def test_view_of_a_strided_cuda_input_copies():
    gpu = nn.View(6).float().cuda()
    x = rand(3, 2)
    out = gpu.forward(x.cuda().t())
    np.testing.assert_allclose(host(out), x.numpy().T.reshape(6))
