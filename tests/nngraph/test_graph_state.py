"""A gModule's life as an object: torch.save/load round trips, clone (with and without shared
parameters), type conversion, clearState, share, replace and map."""
import io

import numpy as np
import pytest

import nn
import torchlike as torch
from graph_helpers import here, lstm_cell


def _roundtrip(obj):
    buf = io.BytesIO()
    torch.save(buf, obj)
    buf.seek(0)
    return torch.load(buf)


def _split_graph():
    x = nn.Identity()()
    a, b = nn.SplitTable(1)(nn.Reshape(2, 3, True)(nn.Linear(4, 6)(x))).split(2)
    y = nn.CMulTable()([nn.Sigmoid()(a), nn.Tanh()(b).annotate(name='T', description='d')])
    return nn.gModule([x], [y, a])


def test_save_and_load_round_trip(tmp_path):
    g = _split_graph()
    g.name = 'splitter'
    v = torch.randn(3, 4)
    gos = [torch.randn(3, 3), torch.randn(3, 3)]
    out = [t.clone() for t in g.forward(v)]
    gin = g.backward(v, gos).clone()
    path = str(tmp_path / 'g.t7')
    torch.save(path, g)
    h = torch.load(path)
    assert type(h) is nn.gModule and h.name == 'splitter'
    assert [n.where for n in h.forwardnodes] == [n.where for n in g.forwardnodes]
    tanh_node = next(n for n in h.forwardnodes if isinstance(n.module, nn.Tanh))
    assert tanh_node.annotations == {'name': 'T', 'description': 'd'}
    assert h.modules == [n.module for n in h.forwardnodes if n.module is not None]
    for a, b in zip(h.forward(v), out):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(h.backward(v, gos).numpy(), gin.numpy())
    assert str(h) == str(g)
    again = _roundtrip(h)                                  # a loaded graph saves again
    np.testing.assert_array_equal(again.forward(v)[0].numpy(), out[0].numpy())


def test_round_trip_of_multi_input_nested_and_criterion_graphs():
    cell, _ = lstm_cell(3, 4)
    x, c, h, t = nn.Identity()(), nn.Identity()(), nn.Identity()(), nn.Identity()()
    c2, h2 = cell([x, c, h]).split(2)
    loss = nn.MSECriterion()([h2, t])
    g = nn.gModule([x, c, h, t], [loss, c2])
    inputs = [torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4), torch.randn(2, 4)]
    g.clearState()                                        # empty lists and tensors save too
    loaded = _roundtrip(g)
    assert loaded.gradInput == [] and loaded.output == []
    a, b = g.forward(inputs), loaded.forward(inputs)
    np.testing.assert_array_equal(a[0].numpy(), b[0].numpy())
    np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())
    errs = nn.Jacobian.testIO(cell, [torch.Tensor(2, 3), torch.Tensor(2, 4), torch.Tensor(2, 4)])
    assert errs == (0.0, 0.0)


def test_a_loaded_graph_keeps_building_checks():
    x = nn.Identity()(); line = here()                    # noqa: E702
    g = _roundtrip(nn.gModule([x], [nn.Tanh()(x)]))
    node = g.inputNodes[0]
    assert node.site[1] == line and node._consumers == []
    y = nn.Sigmoid()(g.outputNodes[0])                    # loaded nodes build new graphs
    g2 = nn.gModule([node], [y])
    assert g2.forward(torch.zeros(1))[0] == pytest.approx(0.5)


def test_clone_is_independent_and_shared_clone_shares():
    g = _split_graph()
    c = g.clone()
    assert c.forwardnodes[0] is not g.forwardnodes[0]
    assert c.modules[1] is not g.modules[1]
    assert c.forwardnodes[1].module is c.modules[1]          # nodes follow the copied modules
    v = torch.randn(2, 4)
    np.testing.assert_array_equal(c.forward(v)[0].numpy(), g.forward(v)[0].numpy())
    c.modules[1].weight.fill(0)
    assert g.modules[1].weight.abs().sum() > 0
    s = g.clone('weight', 'bias', 'gradWeight', 'gradBias')
    assert s.modules[1].weight is g.modules[1].weight
    g.modules[1].weight.fill(0.5)
    np.testing.assert_array_equal(s.forward(v)[0].numpy(), g.forward(v)[0].numpy())


def test_clones_over_time_share_the_flat_parameters():
    """The char-rnn pattern: getParameters on the prototype, then clones per time step."""
    proto, _ = lstm_cell(2, 3)
    params, grads = proto.getParameters()
    clones = [proto.clone('weight', 'bias', 'gradWeight', 'gradBias') for _ in range(3)]
    for cl in clones:
        ws, gs = cl.parameters()
        assert all(w.storage() is params.storage() for w in ws)
        assert all(gr.storage() is grads.storage() for gr in gs)
    grads.zero()
    c, h = torch.zeros(1, 3), torch.zeros(1, 3)
    xs = [torch.randn(1, 2) for _ in clones]
    states = []
    for cl, x in zip(clones, xs):
        states.append((c, h))
        c, h = cl.forward([x, c, h])
    dc, dh = torch.zeros(1, 3), torch.ones(1, 3)
    for cl, x, st in reversed(list(zip(clones, xs, states))):
        _, dc, dh = cl.backward([x, *st], [dc, dh])
    assert grads.abs().sum() > 0                  # every clone accumulated into the flat vector


def test_long_chain_clones_and_saves_without_recursion_errors():
    x = nn.Identity()()
    h = x
    for _ in range(600):
        h = nn.Tanh()(h)
    g = nn.gModule([x], [h])
    c = g.clone()
    assert len(c.forwardnodes) == 601
    loaded = _roundtrip(g)
    v = torch.randn(3)
    np.testing.assert_array_equal(loaded.forward(v).numpy(), g.forward(v).numpy())


def test_type_conversion():
    g = _split_graph()
    v = torch.randn(2, 4)
    ref = [t.clone() for t in g.forward(v)]
    g.backward(v, [torch.ones(2, 3), torch.ones(2, 3)])
    assert g.float() is g and g.type() == 'torch.FloatTensor'
    assert all(w.type() == 'torch.FloatTensor' for w in g.parameters()[0])
    out = g.forward(v.float())
    assert out[0].type() == 'torch.FloatTensor'
    np.testing.assert_allclose(out[0].numpy(), ref[0].numpy(), rtol=1e-5, atol=1e-6)
    gin = g.backward(v.float(), [torch.FloatTensor(2, 3).fill(1), torch.FloatTensor(2, 3).fill(1)])
    assert gin.type() == 'torch.FloatTensor'
    g.double()
    assert g.forward(v)[0].type() == 'torch.DoubleTensor'


def test_clear_state_empties_buffers_and_keeps_working():
    g = _split_graph()
    v = torch.randn(2, 4)
    first = g.forward(v)[0].clone()
    g.backward(v, [torch.ones(2, 3), torch.ones(2, 3)])
    lin = g.modules[1]
    assert g.clearState() is g
    assert lin.output.nElement() == 0 and g.output == [] and g._plan is None
    np.testing.assert_array_equal(g.forward(v)[0].numpy(), first.numpy())


def test_share_replace_and_map():
    g, h = _split_graph(), _split_graph()
    h.share(g, 'weight', 'bias')
    assert h.modules[1].weight is g.modules[1].weight
    pairs = []
    g.map(h, lambda a, b: pairs.append((type(a), type(b))))
    assert pairs == [(type(m), type(m)) for m in g.modules]
    x = nn.Identity()()
    with pytest.raises(ValueError, match="the graphs differ"):
        g.map(nn.gModule([x], [x]), lambda a, b: None)

    v = torch.randn(2, 4)
    g.forward(v)
    out = g.replace(lambda m: nn.ReLU() if isinstance(m, nn.Tanh) else m)
    assert out is g
    relu = next(n.module for n in g.forwardnodes if isinstance(n.module, nn.ReLU))
    assert relu in g.modules and not any(isinstance(m, nn.Tanh) for m in g.modules)
    res = g.forward(v)[0]
    parts = g.modules[2].output.numpy()
    expected = 1 / (1 + np.exp(-parts[:, 0])) * np.maximum(parts[:, 1], 0)
    np.testing.assert_allclose(res.numpy(), expected, rtol=1e-12)
