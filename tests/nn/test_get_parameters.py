"""getParameters(): Torch7's cases (sharing, compact views, non-compact views, stride-0 weights)
and torchlike's improvements (idempotent, planned before changing anything, detach guard)."""
import numpy as np
import pytest

import nn
import torchlike as torch


class Free(nn.Module):
    """A module whose parameters are whatever tensors a test gives it."""

    def __init__(self, weights, grads):
        super().__init__()
        self.ws, self.gs = weights, grads

    def parameters(self):
        return list(self.ws), list(self.gs)


def _values(ts):
    return [t.clone().numpy() for t in ts]


@pytest.fixture(autouse=True)
def _seed():
    torch.manualSeed(7)


def test_parameters_become_views_of_one_flat_vector_with_their_values():
    net = nn.Sequential().add(nn.Linear(4, 3)).add(nn.Linear(3, 2))
    before = _values(net.parameters()[0])
    flat, gflat = net.getParameters()
    assert flat.nElement() == gflat.nElement() == 4 * 3 + 3 + 3 * 2 + 2
    ws, gs = net.parameters()
    for w, g, old in zip(ws, gs, before):
        assert w.storage() is flat.storage() and g.storage() is gflat.storage()
        assert w.storageOffset() == g.storageOffset()
        np.testing.assert_array_equal(w.numpy(), old)
    flat.fill(0.5)
    assert all((w.numpy() == 0.5).all() for w in ws)   # the modules see the flat vector
    ws[0].fill(2)
    assert flat.narrow(0, 0, 12).sum() == 24             # and the flat vector sees the modules


def test_second_call_returns_the_same_tensors():
    net = nn.Sequential().add(nn.Linear(4, 3))
    p, g = net.getParameters()
    p2, g2 = net.getParameters()
    assert p2 is p and g2 is g


def test_second_call_after_adding_a_module_reflattens_everything():
    net = nn.Sequential().add(nn.Linear(4, 3))
    p, _ = net.getParameters()
    net.add(nn.Linear(3, 2))
    p2, _ = net.getParameters()
    assert p2 is not p and p2.nElement() == 15 + 8
    assert all(w.storage() is p2.storage() for w in net.parameters()[0])


def test_shared_weights_are_counted_once():
    a = nn.Linear(3, 2)
    b = a.clone('weight', 'bias', 'gradWeight', 'gradBias')
    net = nn.ConcatTable().add(a).add(b)
    p, g = net.getParameters()
    assert p.nElement() == 8
    assert a.weight.storage() is b.weight.storage() is p.storage()
    assert a.weight.storageOffset() == b.weight.storageOffset()


def test_sharing_weights_without_gradients_is_refused_before_anything_changes():
    a = nn.Linear(3, 2)
    b = a.clone('weight', 'bias')
    net = nn.ConcatTable().add(a).add(b)
    before = [t.storage() for t in net.parameters()[0]]
    with pytest.raises(ValueError, match='share their gradients too'):
        net.getParameters()
    assert [t.storage() for t in net.parameters()[0]] == before


def test_compact_non_contiguous_views_keep_their_strides():
    base = torch.Tensor(4, 6).uniform()
    w = base.t()                                     # non-contiguous, covers the whole storage
    g = torch.Tensor(4, 6).zero().t()
    before = w.clone().numpy()
    p, _ = Free([w], [g]).getParameters()
    assert w.stride() == (1, 6) and p.nElement() == 24
    np.testing.assert_array_equal(w.numpy(), before)


def test_narrowed_weights_are_gathered_compactly():
    big = torch.Tensor(10).uniform()
    w = big.narrow(0, 2, 5)                          # uncovered elements around it
    g = torch.Tensor(10).zero().narrow(0, 2, 5)
    before = w.clone().numpy()
    p, gp = Free([w], [g]).getParameters()
    assert p.nElement() == 5 and gp.nElement() == 5
    np.testing.assert_array_equal(p.numpy(), before)


def test_non_compact_weights_are_refused_before_anything_changes():
    big = torch.Tensor(4, 6).uniform()
    w = big.narrow(1, 1, 2)                          # holes between its rows
    g = torch.Tensor(4, 6).narrow(1, 1, 2)
    st = w.storage()
    with pytest.raises(ValueError, match='not compact'):
        Free([w], [g]).getParameters()
    assert w.storage() is st


def test_expanded_stride_zero_weights_survive():
    w = torch.Tensor(1, 3).uniform().expand(4, 3)
    g = torch.Tensor(1, 3).zero().expand(4, 3)
    before = w.clone().numpy()
    p, _ = Free([w], [g]).getParameters()
    assert p.nElement() == 3 and w.stride() == (0, 1)
    np.testing.assert_array_equal(w.numpy(), before)


def test_mixed_types_are_refused():
    w1, w2 = torch.DoubleTensor(3), torch.FloatTensor(3)
    with pytest.raises(TypeError, match='convert the model to one type'):
        Free([w1, w2], [torch.DoubleTensor(3), torch.FloatTensor(3)]).getParameters()


def test_no_parameters_gives_empty_vectors():
    p, g = nn.Sequential().getParameters()
    assert p.nElement() == 0 and g.nElement() == 0


def test_type_conversion_after_getParameters_is_an_error_until_released():
    net = nn.Sequential().add(nn.Linear(3, 2))
    net.getParameters()
    with pytest.raises(RuntimeError, match='detach'):
        net.float()
    assert net.get(0).weight._typename == 'torch.DoubleTensor'
    net.releaseFlatParameters()
    net.float()
    p, _ = net.getParameters()
    assert p._typename == 'torch.FloatTensor'


def test_resharing_after_getParameters_is_an_error():
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    nn.Sequential().add(a).getParameters()
    with pytest.raises(RuntimeError, match='flat parameter vector'):
        a.share(b, 'weight')


def test_type_conversion_before_getParameters_keeps_sharing():
    a = nn.Linear(3, 2)
    b = a.clone('weight', 'bias', 'gradWeight', 'gradBias')
    net = nn.ConcatTable().add(a).add(b).float()
    assert a.weight is b.weight and a.weight._typename == 'torch.FloatTensor'
    p, _ = net.getParameters()
    assert p.nElement() == 8


def test_optimising_the_flat_vector_trains_the_model():
    torch.manualSeed(3)
    net = nn.Sequential().add(nn.Linear(2, 1))
    p, g = net.getParameters()
    x = torch.randn(16, 2)
    y = torch.mm(x, torch.Tensor([[1.5], [-2.0]]))
    for _ in range(200):
        g.zero()
        out = net.forward(x)
        grad = (out - y).mul(2 / 16)
        net.backward(x, grad)
        p.add(-0.1, g)
    np.testing.assert_allclose(net.get(0).weight.numpy(), [[1.5, -2.0]], atol=1e-3)


def test_flattening_a_parent_after_a_child_is_refused_until_the_child_releases():
    child = nn.Linear(3, 2)
    model = nn.Sequential(child, nn.Linear(2, 2))
    flat_child, _ = child.getParameters()
    before = [p.clone() for p in model.parameters()[0]]
    with pytest.raises(RuntimeError, match=r"parameter 0 \(size 2 x 3\) already lives in the "
                                           r"flat vector of another getParameters"):
        model.getParameters()
    for p, b in zip(model.parameters()[0], before):       # nothing was re-pointed
        assert torch.equal(p, b)
    flat_child.fill(5)
    assert child.weight.numpy().min() == 5                 # the child's vector still drives it
    child.releaseFlatParameters()
    flat, _ = model.getParameters()
    assert flat.nElement() == 3 * 2 + 2 + 2 * 2 + 2
