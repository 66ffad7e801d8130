"""A gModule computes exactly what the equivalent Sequential/ConcatTable computes (number for
number, parameter order included); two outputs with two criteria backpropagate together and one
at a time; criterion nodes (nn.ModuleFromCriterion)."""
import numpy as np
import pytest

import nn
import optim
import torchlike as torch
from graph_helpers import chain_gmodule, mlp_modules


def _same(a, b):
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize('identity_input', [True, False])
def test_mlp_gmodule_equals_sequential_number_for_number(identity_input):
    torch.manualSeed(5)
    seq = nn.Sequential(*mlp_modules())
    torch.manualSeed(5)
    g = chain_gmodule(mlp_modules(), identity_input)
    pf, gf = seq.getParameters()
    qf, hf = g.getParameters()
    _same(pf, qf)                                     # same order of parameters
    crit = nn.ClassNLLCriterion()
    x = torch.randn(6, 5)
    y = torch.LongTensor([0, 2, 1, 1, 0, 2])
    for model, params, grads in ((seq, pf, gf), (g, qf, hf)):
        config = {'learningRate': 0.1, 'momentum': 0.9}

        def feval(_):
            grads.zero()
            out = model.forward(x)
            loss = crit.forward(out, y)
            model.backward(x, crit.backward(out, y))
            return loss, grads
        for _ in range(3):
            optim.sgd(feval, params, config)
    _same(pf, qf)
    _same(gf, hf)
    _same(seq.forward(x), g.forward(x))
    go = torch.randn(6, 3)
    _same(seq.backward(x, go), g.backward(x, go))


def _two_headed(seed):
    """The same two-headed network as a gModule and as Sequential + ConcatTable."""
    torch.manualSeed(seed)
    trunk, head1 = nn.Linear(4, 6), nn.Linear(6, 2)
    head2 = nn.Sequential(nn.Linear(6, 3), nn.LogSoftMax())
    x = nn.Identity()()
    h = nn.Tanh()(trunk(x))
    g = nn.gModule([x], [head1(h), head2(h)])
    torch.manualSeed(seed)
    ref = nn.Sequential(nn.Linear(4, 6), nn.Tanh(),
                        nn.ConcatTable().add(nn.Linear(6, 2))
                        .add(nn.Sequential(nn.Linear(6, 3), nn.LogSoftMax())))
    return g, ref


def _grads_for(model, x, gradOutputs):
    model.zeroGradParameters()
    model.forward(x)
    gin = model.backward(x, gradOutputs).clone()
    return gin, model.getParameters()[1].clone()


def test_two_outputs_two_criteria_together_and_one_at_a_time():
    g, ref = _two_headed(9)
    x = torch.randn(5, 4)
    t1, t2 = torch.randn(5, 2), torch.LongTensor([0, 1, 2, 2, 1])
    mse, nll = nn.MSECriterion(), nn.ClassNLLCriterion()
    out = g.forward(x)
    _same(out[0], ref.forward(x)[0])
    _same(out[1], ref.output[1])
    d1 = mse.backward(out[0], t1).clone()
    d2 = nll.backward(out[1], t2).clone()
    z1, z2 = d1.clone().zero(), d2.clone().zero()
    together = _grads_for(g, x, [d1, d2])
    reference = _grads_for(ref, x, [d1, d2])
    first = _grads_for(g, x, [d1, z2])
    second = _grads_for(g, x, [z1, d2])
    for a, b in zip(together, reference):
        _same(a, b)
    for a, b, c in zip(together, first, second):
        np.testing.assert_allclose(a.numpy(), b.numpy() + c.numpy(), rtol=1e-12, atol=1e-15)
    # one criterion alone equals the graph cut down to that head
    g.zeroGradParameters()
    g.forward(x)
    g.backward(x, [d1, z2])
    np.testing.assert_allclose(g.getParameters()[1].numpy(), first[1].numpy())


def test_losses_inside_the_graph_with_criterion_nodes():
    g, _ = _two_headed(9)
    x, t1, t2 = nn.Identity()(), nn.Identity()(), nn.Identity()()
    o1, o2 = g(x).split(2)
    l1 = nn.MSECriterion()([o1, t1])
    l2 = nn.ClassNLLCriterion()([o2, t2])
    assert isinstance(l1.module, nn.ModuleFromCriterion)
    losses = nn.gModule([x, t1, t2], [l1, l2])
    v, y1, y2 = torch.randn(5, 4), torch.randn(5, 2), torch.LongTensor([0, 1, 2, 2, 1])
    out = losses.forward([v, y1, y2])
    ref1 = nn.MSECriterion().forward(g.forward(v)[0], y1)
    ref2 = nn.ClassNLLCriterion().forward(g.output[1], y2)
    assert out[0].size() == torch.Size([1]) and out[0][0] == pytest.approx(ref1, rel=1e-12)
    assert out[1][0] == pytest.approx(ref2, rel=1e-12)
    losses.zeroGradParameters()
    losses.forward([v, y1, y2])
    gin = losses.backward([v, y1, y2], [torch.ones(1), torch.ones(1) * 0.5])
    both = g.getParameters()[1].clone()
    assert gin[1].abs().sum() == 0 and gin[2].abs().sum() == 0     # no gradient to targets
    assert gin[2].type() == 'torch.LongTensor' and gin[2].size() == y2.size()
    d1 = nn.MSECriterion().backward(g.forward(v)[0], y1).clone()
    d2 = nn.ClassNLLCriterion().backward(g.output[1], y2).clone().mul(0.5)
    g.zeroGradParameters()
    g.backward(v, [d1, d2])
    np.testing.assert_allclose(both.numpy(), g.getParameters()[1].numpy(), rtol=1e-12)


def test_module_from_criterion_alone():
    crit = nn.MSECriterion()
    m = nn.ModuleFromCriterion(crit)
    p, t = torch.randn(3, 2), torch.randn(3, 2)
    out = m.forward([p, t])
    assert out[0] == pytest.approx(((p.numpy() - t.numpy()) ** 2).mean(), rel=1e-12)
    gi = m.backward([p, t], torch.Tensor([3.0]))
    np.testing.assert_allclose(gi[0].numpy(), 3 * 2 * (p.numpy() - t.numpy()) / 6, rtol=1e-12)
    np.testing.assert_array_equal(gi[1].numpy(), np.zeros((3, 2)))
    assert str(m) == 'nn.ModuleFromCriterion(nn.MSECriterion)'
    with pytest.raises(ValueError, match=r"input must be a list \[prediction, target\]"):
        m.forward(p)
    with pytest.raises(ValueError, match="gradOutput must hold one number"):
        m.backward([p, t], torch.ones(2))
    with pytest.raises(TypeError, match="expects an nn criterion"):
        nn.ModuleFromCriterion(nn.Linear(2, 2))
    m.float()
    assert crit.gradInput.type() == 'torch.FloatTensor'
    out = m.forward([p.float(), t.float()])
    assert out.type() == 'torch.FloatTensor'
    assert m.clearState() is m
    assert m.forward([p.float(), t.float()])[0] == pytest.approx(out[0])


def test_table_prediction_criterion_node():
    pc = nn.ParallelCriterion().add(nn.MSECriterion()).add(nn.MSECriterion(), 0.5)
    m = nn.ModuleFromCriterion(pc)
    p = [torch.randn(2, 2), torch.randn(2, 3)]
    t = [torch.randn(2, 2), torch.randn(2, 3)]
    m.forward([p, t])
    gi = m.backward([p, t], torch.Tensor([2.0]))
    ref = pc.backward(p, t)
    for a, b in zip(gi[0], ref):
        np.testing.assert_allclose(a.numpy(), 2 * b.numpy(), rtol=1e-12)
    assert all(z.abs().sum() == 0 for z in gi[1])


def test_criterion_call_forms():
    crit = nn.MSECriterion()
    loss, grad = crit(torch.ones(2), torch.zeros(2))          # the ordinary call still works
    assert loss == 1.0 and grad.size() == torch.Size([2])
    with pytest.raises(TypeError, match=r"takes 2 arguments, got 1"):
        crit(torch.ones(2))
    with pytest.raises(TypeError, match=r"takes 2 arguments, got 3"):
        crit(torch.ones(2), torch.ones(2), torch.ones(2))
    a = nn.Identity()()
    with pytest.raises(TypeError, match=r"a criterion node takes two inputs"):
        crit(a)
    with pytest.raises(TypeError, match=r"a criterion node takes two inputs.*got 3"):
        crit([a, a, a])
    with pytest.raises(TypeError, match=r"inputs\[1\] is None"):
        crit([a, None])
