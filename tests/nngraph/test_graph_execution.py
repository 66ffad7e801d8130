"""Running graphs: forward/backward against numpy formulas and finite differences (nn.Jacobian),
several inputs and outputs, gradients summed over consumers, nesting, split, the separate
updateGradInput/accGradParameters passes and runtime checks."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nn
import torchlike as torch
from graph_helpers import lstm_cell, lstm_reference


def _lin(m, v):
    return v @ m.weight.numpy().T + m.bias.numpy()


def test_chain_matches_numpy():
    x = nn.Identity()()
    l1, l2 = nn.Linear(3, 5), nn.Linear(5, 2)
    g = nn.gModule([x], [l2(nn.Tanh()(l1(x)))])
    v = torch.randn(4, 3)
    h = np.tanh(_lin(l1, v.numpy()))
    np.testing.assert_allclose(g.forward(v).numpy(), _lin(l2, h), rtol=1e-12)
    go = torch.randn(4, 2)
    gi = g.backward(v, go)
    dh = go.numpy() @ l2.weight.numpy() * (1 - h ** 2)
    np.testing.assert_allclose(gi.numpy(), dh @ l1.weight.numpy(), rtol=1e-12)
    np.testing.assert_allclose(l2.gradWeight.numpy(), go.numpy().T @ h, rtol=1e-12)
    assert g.output is l2.output                     # no copies: the last module's buffer


def test_lstm_cell_forward_matches_numpy():
    cell, linears = lstm_cell(3, 4)
    x, c, h = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
    c2, h2 = cell.forward([x, c, h])
    rc, rh = lstm_reference(x.numpy(), c.numpy(), h.numpy(), linears)
    np.testing.assert_allclose(c2.numpy(), rc, rtol=1e-12)
    np.testing.assert_allclose(h2.numpy(), rh, rtol=1e-12)


def test_lstm_cell_passes_jacobian_for_inputs_and_parameters():
    cell, linears = lstm_cell(3, 4)
    inputs = [torch.Tensor(2, 3), torch.Tensor(2, 4), torch.Tensor(2, 4)]
    assert nn.Jacobian.testJacobian(cell, inputs) < 1e-6
    lx, lh = linears['f']
    assert nn.Jacobian.testJacobianParameters(cell, inputs, lh.weight, lh.gradWeight) < 1e-6
    assert nn.Jacobian.testJacobianParameters(cell, inputs, lx.bias, lx.gradBias) < 1e-6
    flat, gflat = cell.getParameters()
    assert nn.Jacobian.testJacobianParameters(cell, inputs, flat, gflat) < 1e-6


def test_several_inputs_and_outputs_in_order():
    a, b = nn.Identity()(), nn.Identity()()
    la, lb = nn.Linear(2, 3), nn.Linear(4, 3)
    s = nn.CAddTable()([la(a), lb(b)])
    prod = nn.CMulTable()([s, lb.clone()(b)])
    g = nn.gModule([a, b], [prod, s])
    va, vb = torch.randn(5, 2), torch.randn(5, 4)
    out = g.forward([va, vb])
    assert isinstance(out, list) and len(out) == 2 and g.output is out
    ref_s = _lin(la, va.numpy()) + _lin(lb, vb.numpy())
    np.testing.assert_allclose(out[1].numpy(), ref_s, rtol=1e-12)
    gin = g.backward((va, vb), [torch.ones(5, 3), torch.zeros(5, 3)])
    assert isinstance(gin, list) and len(gin) == 2
    assert gin[0].size() == torch.Size([5, 2]) and gin[1].size() == torch.Size([5, 4])
    assert nn.Jacobian.testJacobian(g, [torch.Tensor(3, 2), torch.Tensor(3, 4)]) < 1e-6


def test_gradients_of_several_consumers_are_summed_into_a_reused_buffer():
    x = nn.Identity()()
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    g = nn.gModule([x], [nn.CAddTable()([a(x), nn.Tanh()(b(x))])])
    v = torch.randn(4, 3)
    out = g.forward(v)
    go = torch.randn(4, 2)
    gi = g.backward(v, go)
    t = np.tanh(_lin(b, v.numpy()))
    expected = go.numpy() @ a.weight.numpy() + (go.numpy() * (1 - t ** 2)) @ b.weight.numpy()
    np.testing.assert_allclose(gi.numpy(), expected, rtol=1e-12)
    assert gi is not a.gradInput and gi is not b.gradInput   # a sum, not one consumer's buffer
    gi2 = g.backward(v, go * 2)
    assert gi2 is gi                                          # the same buffer, reused
    np.testing.assert_allclose(gi2.numpy(), 2 * expected, rtol=1e-12)
    assert out is g.output


def test_output_node_also_consumed_inside_the_graph():
    x = nn.Identity()()
    lin = nn.Linear(3, 3)
    h = lin(x)
    g = nn.gModule([x], [h, nn.Tanh()(h), h])      # h: an output twice and Tanh's input
    v = torch.randn(2, 3)
    g.forward(v)
    g0, g1, g2 = torch.randn(2, 3), torch.randn(2, 3), torch.randn(2, 3)
    gi = g.backward(v, [g0, g1, g2])
    t = np.tanh(lin.output.numpy())
    dh = g0.numpy() + g1.numpy() * (1 - t ** 2) + g2.numpy()
    np.testing.assert_allclose(gi.numpy(), dh @ lin.weight.numpy(), rtol=1e-12)
    assert nn.Jacobian.testJacobian(g, torch.Tensor(2, 3)) < 1e-6


def test_same_node_twice_in_one_call():
    x = nn.Identity()()
    g = nn.gModule([x], [nn.CMulTable()([x, x])])
    v = torch.randn(3, 2)
    np.testing.assert_allclose(g.forward(v).numpy(), v.numpy() ** 2)
    np.testing.assert_allclose(g.backward(v, torch.ones(3, 2)).numpy(), 2 * v.numpy())


def test_input_node_as_output_and_identity_graph():
    x = nn.Identity()()
    g = nn.gModule([x], [x])
    v = torch.randn(2, 2)
    assert g.forward(v) is v
    go = torch.randn(2, 2)
    assert g.backward(v, go) is go


def test_nested_gmodule_equals_flat_graph():
    torch.manualSeed(3)
    xi = nn.Identity()()
    inner = nn.gModule([xi], [nn.Tanh()(nn.Linear(3, 4)(xi))])
    x = nn.Identity()()
    outer = nn.gModule([x], [nn.Linear(4, 2)(inner(x))])
    torch.manualSeed(3)
    flat = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    v, go = torch.randn(5, 3), torch.randn(5, 2)
    np.testing.assert_array_equal(outer.forward(v).numpy(), flat.forward(v).numpy())
    np.testing.assert_array_equal(outer.backward(v, go).numpy(), flat.backward(v, go).numpy())
    np.testing.assert_array_equal(outer.getParameters()[1].numpy(),
                                  flat.getParameters()[1].numpy())
    assert nn.Jacobian.testJacobian(outer, torch.Tensor(2, 3)) < 1e-6


def test_split_outputs_used_in_any_order_and_table_consumed_whole():
    x = nn.Identity()()
    r = nn.Reshape(3, 2, True)
    table = nn.SplitTable(1)(r(nn.Linear(3, 6)(x)))
    a, b, c = table.split(3)
    whole = nn.JoinTable(1)(table)                 # the list output also consumed as a whole
    y = nn.CAddTable()([nn.CMulTable()([c, a]), b])
    g = nn.gModule([x], [y, whole])
    v = torch.randn(4, 3)
    out = g.forward(v)
    parts = r.output.numpy()
    np.testing.assert_allclose(out[0].numpy(), parts[:, 2] * parts[:, 0] + parts[:, 1])
    np.testing.assert_allclose(out[1].numpy(), parts.reshape(4, 6))
    assert nn.Jacobian.testJacobian(g, torch.Tensor(2, 3)) < 1e-6


def test_split_of_a_concat_table():
    x = nn.Identity()()
    a, b = nn.ConcatTable().add(nn.Linear(2, 2)).add(nn.Tanh())(x).split(2)
    g = nn.gModule([x], [nn.CSubTable()([b, a])])
    assert nn.Jacobian.testJacobian(g, torch.Tensor(3, 2)) < 1e-6


def test_separate_passes_equal_backward_and_scale():
    cell, _ = lstm_cell(3, 4)
    twin = cell.clone()
    inputs = [torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)]
    gos = [torch.randn(2, 4), torch.randn(2, 4)]
    for m in (cell, twin):
        m.zeroGradParameters()
        m.forward(inputs)
    gin = [t.clone() for t in cell.backward(inputs, gos, 0.5)]
    gin2 = twin.updateGradInput(inputs, gos)
    twin.accGradParameters(inputs, gos, 0.5)
    for a, b in zip(gin, gin2):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    np.testing.assert_allclose(cell.getParameters()[1].numpy(), twin.getParameters()[1].numpy(),
                               rtol=1e-12)


def test_acc_update_grad_parameters_moves_the_parameters():
    cell, _ = lstm_cell(2, 3)
    twin = cell.clone()
    inputs = [torch.randn(2, 2), torch.randn(2, 3), torch.randn(2, 3)]
    gos = [torch.randn(2, 3), torch.randn(2, 3)]
    cell.zeroGradParameters()
    cell.forward(inputs)
    cell.backward(inputs, gos)
    cell.updateParameters(0.1)
    twin.forward(inputs)
    twin.updateGradInput(inputs, gos)
    twin.accUpdateGradParameters(inputs, gos, 0.1)
    np.testing.assert_allclose(twin.getParameters()[0].numpy(), cell.getParameters()[0].numpy(),
                               rtol=1e-12)


def test_backward_needs_a_forward_first():
    x = nn.Identity()()
    g = nn.gModule([x], [nn.Linear(2, 2)(x)])
    for call in (lambda: g.backward(torch.ones(1, 2), torch.ones(1, 2)),
                 lambda: g.updateGradInput(torch.ones(1, 2), torch.ones(1, 2)),
                 lambda: g.accGradParameters(torch.ones(1, 2), torch.ones(1, 2))):
        with pytest.raises(RuntimeError, match="forward"):
            call()
    g.forward(torch.ones(1, 2))
    g.clearState()
    with pytest.raises(RuntimeError, match="call forward before backward"):
        g.backward(torch.ones(1, 2), torch.ones(1, 2))


def test_wrong_numbers_of_inputs_and_gradOutputs_at_run_time():
    a, b = nn.Identity()(), nn.Identity()()
    g = nn.gModule([a, b], [nn.CAddTable()([a, b]), a])
    with pytest.raises(TypeError, match=r"nn.gModule: expecting a list of 2 inputs, got "
                                        r"torch.DoubleTensor"):
        g.forward(torch.ones(2))
    with pytest.raises(ValueError, match="got 3 inputs instead of 2"):
        g.forward([torch.ones(2)] * 3)
    g.name = 'pair'
    with pytest.raises(ValueError, match="pair: got 1 inputs instead of 2"):
        g.forward([torch.ones(2)])
    g.forward([torch.ones(2), torch.ones(2)])
    with pytest.raises(ValueError, match="got 1 gradOutputs instead of 2"):
        g.backward([torch.ones(2), torch.ones(2)], [torch.ones(2)])


def test_split_of_the_wrong_length_names_the_node():
    x = nn.Identity()()
    a, b, c = nn.SplitTable(0)(x).split(3)
    g = nn.gModule([x], [nn.CAddTable()([a, b, c])])
    assert g.forward(torch.ones(3, 2)).size() == torch.Size([2])
    with pytest.raises(ValueError, match=r"In node 2 \(split\(3\), created at .*: split\(3\) "
                                         r"cannot split 2 outputs"):
        g.forward(torch.ones(2, 2))
    y = nn.Identity()()
    p, q = y.split(2)
    g = nn.gModule([y], [nn.CAddTable()([p, q])])
    with pytest.raises(TypeError, match="needs a list output to split"):
        g.forward(torch.ones(2))


def test_training_and_evaluate_reach_every_module():
    x = nn.Identity()()
    xi = nn.Identity()()
    inner = nn.gModule([xi], [nn.Dropout(0.5)(xi)])
    g = nn.gModule([x], [inner(nn.Dropout(0.5)(x))])
    v = torch.ones(20, 20)
    g.evaluate()
    assert all(not m.train for m in g.listModules())
    np.testing.assert_array_equal(g.forward(v).numpy(), v.numpy())
    g.training()
    assert all(m.train for m in g.listModules())
    assert (g.forward(v).numpy() == 0).any()


# -- random graphs against a plain numpy evaluation and finite differences ----------------------
_OPS = ('linear', 'tanh', 'add', 'mul')


@st.composite
def _random_dags(draw):
    """(ops, inputs per node): node i reads 1 or 2 of the nodes before it (node 0 is the input);
    the outputs are every node nobody reads, so that the graph has no dangling node."""
    n = draw(st.integers(2, 7))
    ops, wires = ['input'], [[]]
    for i in range(1, n):
        op = draw(st.sampled_from(_OPS))
        k = 2 if op in ('add', 'mul') else 1
        wires.append([draw(st.integers(0, i - 1)) for _ in range(k)])
        ops.append(op)
    return ops, wires


def _build(ops, wires, width):
    nodes, linears = [], {}
    for i, (op, w) in enumerate(zip(ops, wires)):
        if op == 'input':
            nodes.append(nn.Identity()())
        elif op == 'linear':
            linears[i] = nn.Linear(width, width)
            nodes.append(linears[i](nodes[w[0]]))
        elif op == 'tanh':
            nodes.append(nn.Tanh()(nodes[w[0]]))
        else:
            table = (nn.CAddTable if op == 'add' else nn.CMulTable)()
            nodes.append(table([nodes[j] for j in w]))
    used = {j for w in wires for j in w}
    sinks = [i for i in range(len(ops)) if i not in used]
    return nn.gModule([nodes[0]], [nodes[i] for i in sinks]), linears, sinks


def _numpy_eval(ops, wires, linears, x):
    vals = []
    for i, (op, w) in enumerate(zip(ops, wires)):
        if op == 'input':
            vals.append(x)
        elif op == 'linear':
            vals.append(_lin(linears[i], vals[w[0]]))
        elif op == 'tanh':
            vals.append(np.tanh(vals[w[0]]))
        elif op == 'add':
            vals.append(vals[w[0]] + vals[w[1]])
        else:
            vals.append(vals[w[0]] * vals[w[1]])
    return vals


@settings(max_examples=25, deadline=None)
@given(_random_dags(), st.integers(1, 3))
def test_random_graphs_match_numpy_and_finite_differences(dag, batch):
    ops, wires = dag
    g, linears, sinks = _build(ops, wires, 3)
    x = torch.randn(batch, 3)
    out = g.forward(x)
    outs = out if isinstance(out, list) else [out]
    ref = _numpy_eval(ops, wires, linears, x.numpy())
    assert len(outs) == len(sinks)
    for o, i in zip(outs, sinks):
        np.testing.assert_allclose(o.numpy(), ref[i], rtol=1e-10, atol=1e-12)
    assert nn.Jacobian.testJacobian(g, torch.Tensor(batch, 3), -1, 1) < 1e-6
    flat, gflat = g.getParameters()
    if flat.nElement():
        assert nn.Jacobian.testJacobianParameters(g, torch.Tensor(batch, 3), flat, gflat,
                                                  -1, 1) < 1e-6
