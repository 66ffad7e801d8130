"""Building graphs: nodes from module calls, the hook's checks, split, annotate, the `-` sugar,
gModule as an nn.Container (module order, parameters, nesting) and printing."""
import numpy as np
import pytest

import nn
import nngraph
import torchlike as torch
from graph_helpers import here, lstm_cell, mlp_modules
from nngraph import Node, gModule


# -- nodes from module calls ----------------------------------------------------------------------
def test_module_calls_make_nodes_with_ordered_inputs():
    a, b = nn.Identity()(), nn.Identity()()
    assert isinstance(a, Node) and a.inputs == [] and isinstance(a.module, nn.Identity)
    h = nn.Linear(3, 4)(a)
    assert h.inputs == [a]
    s = nn.CAddTable()([b, a])
    assert s.inputs == [b, a]                      # the order given (0-based mapindex)
    t = nn.CAddTable()((a, b))                     # a tuple works as a list
    assert t.inputs == [a, b]


def test_module_called_on_tensors_still_runs_forward():
    m = nn.Linear(3, 2)
    x = torch.randn(4, 3)
    y = m(x)
    assert torch.isTensor(y)
    expected = x.numpy() @ m.weight.numpy().T + m.bias.numpy()
    np.testing.assert_allclose(y.numpy(), expected)
    out, gin = m(x, torch.ones(4, 2))              # forward and backward
    np.testing.assert_allclose(gin.numpy(), np.ones((4, 2)) @ m.weight.numpy())
    assert nn.JoinTable(1)([torch.ones(2, 1), torch.zeros(2, 1)]).size() == torch.Size([2, 2])
    assert nn.Identity()([]) == []                 # an empty list is an ordinary input


def test_hook_errors_name_the_bad_argument_and_change_nothing():
    x = nn.Identity()()
    with pytest.raises(TypeError, match=r"inputs\[1\] should be an nngraph.Node but is a "
                                        r"DoubleTensor"):
        nn.CAddTable()([x, torch.ones(2)])
    with pytest.raises(TypeError, match=r"inputs\[1\] is None \(typo"):
        nn.CAddTable()([x, None])
    with pytest.raises(TypeError, match=r"use \[n1, n2\] to pass several inputs"):
        nn.CAddTable()(x, x)
    with pytest.raises(TypeError, match="forget the second parentheses"):
        nn.Tanh()(nn.Linear(2, 3))
    with pytest.raises(TypeError, match=r"inputs\[0\] is an nn module \(nn.Linear\(2 -> 3\)\)"):
        nn.CAddTable()([nn.Linear(2, 3), x])
    assert x._consumers == []                       # no node was half-made


def test_node_minus_module_is_module_of_node():
    x = nn.Identity()()
    lin, tanh = nn.Linear(3, 4), nn.Tanh()
    y = x - lin - tanh
    assert y.module is tanh and y.inputs[0].module is lin and y.inputs[0].inputs == [x]
    g = nn.gModule([x], [y])
    v = torch.randn(2, 3)
    np.testing.assert_allclose(g.forward(v).numpy(),
                               np.tanh(v.numpy() @ lin.weight.numpy().T + lin.bias.numpy()))
    with pytest.raises(TypeError, match=r"criterion node needs two inputs"):
        x - nn.MSECriterion()
    with pytest.raises(TypeError):
        x - 3


def test_node_add_appends_an_input():
    a, b = nn.Identity()(), nn.Identity()()
    s = nn.CAddTable()(a).add(b)
    assert s.inputs == [a, b] and s in b._consumers
    with pytest.raises(TypeError):
        s.add(nn.Tanh())


def test_creation_site_is_the_callers_line():
    x = nn.Identity()(); line = here()              # noqa: E702
    assert x.site[0] == __file__ and x.site[1] == line
    assert x.where.endswith(f"test_graph_building.py:{line}")
    a, b = nn.SplitTable(1)(x).split(2); line = here()  # noqa: E702
    assert a.site[1] == line and a.inputs[0].site[1] == line   # the split's own line


# -- split and annotate -------------------------------------------------------------------------
def test_split_makes_selectors_over_a_hub():
    x = nn.Identity()()
    parts = nn.SplitTable(1)(x).split(3)
    assert len(parts) == 3
    assert [p.splitIndex for p in parts] == [0, 1, 2]
    hub = parts[0].inputs[0]
    assert all(p.inputs == [hub] for p in parts) and hub.nSplitOutputs == 3
    assert hub.module is None and parts[0].module is None
    (one,) = nn.SplitTable(1)(x).split(1)
    assert one.splitIndex == 0
    for bad in (0, -1, 2.0, True, '2'):
        with pytest.raises(ValueError, match="split"):
            x.split(bad)


def test_annotate_returns_the_node_and_merges():
    x = nn.Identity()()
    assert x.annotate(name='in', description='the input') is x
    x.annotate({'graphAttributes': {'color': 'red'}})
    assert x.annotations == {'name': 'in', 'description': 'the input',
                             'graphAttributes': {'color': 'red'}}
    with pytest.raises(TypeError, match="graphAttributes must be a dict"):
        x.annotate(graphAttributes='red')
    assert x.annotations['graphAttributes'] == {'color': 'red'}


# -- gModule as a container ---------------------------------------------------------------------
def test_gmodule_is_a_container_and_registered():
    x = nn.Identity()()
    g = nn.gModule([x], [nn.Tanh()(x)])
    assert nn.gModule is gModule is nngraph.gModule
    assert isinstance(g, nn.Container) and isinstance(g, nn.Module)
    assert nn.ModuleFromCriterion is nngraph.ModuleFromCriterion
    assert torch.typename(g) == 'nn.gModule'
    assert len(g) == 2 and isinstance(g.get(1), nn.Tanh)
    with pytest.raises(TypeError, match="build a new gModule"):
        g.add(nn.Tanh())
    g2 = nn.gModule(x, g.outputNodes[0])        # single nodes instead of lists
    assert g2.nInputs == 1 and g2.nOutputs == 1


def test_modules_in_forward_topological_order_inputs_first():
    a, b = nn.Identity()(), nn.Identity()()
    lb = nn.Linear(2, 2)(b)                         # made first, but reads the second input
    la = nn.Linear(2, 2)(a)
    s = nn.CAddTable()([lb, la])
    g = nn.gModule([a, b], [s])
    assert g.forwardnodes[:2] == [a, b]
    pos = {n: i for i, n in enumerate(g.forwardnodes)}
    for n in g.forwardnodes:
        assert all(pos[x] < pos[n] for x in n.inputs)
    assert g.modules == [n.module for n in g.forwardnodes]
    assert g.backwardnodes == g.forwardnodes[::-1]


def test_parameters_and_getParameters_follow_module_order():
    cell, linears = lstm_cell(3, 4)
    ws, gs = cell.parameters()
    expected = []
    for m in cell.modules:
        expected += m.parameters()[0]
    assert [id(w) for w in ws] == [id(w) for w in expected]
    before = np.concatenate([w.numpy().ravel() for w in ws])
    flat, gflat = cell.getParameters()
    np.testing.assert_array_equal(flat.numpy(), before)
    assert flat.nElement() == gflat.nElement() == 4 * (3 * 4 + 4 + 4 * 4 + 4)
    assert cell.getParameters()[0] is flat          # idempotent, as for every module


def test_nested_gmodules():
    xi = nn.Identity()()
    inner = nn.gModule([xi], [nn.Tanh()(nn.Linear(3, 3)(xi))])
    x = nn.Identity()()
    h = inner(x)
    assert h.module is inner
    out = nn.gModule([x], [nn.Linear(3, 2)(h)])
    assert inner in out.modules
    kinds = [type(m).__name__ for m in out.listModules()]
    assert kinds == ['gModule', 'Identity', 'gModule', 'Identity', 'Linear', 'Tanh', 'Linear']
    assert len(out.parameters()[0]) == 4


def test_printing_lists_nodes_inputs_and_outputs():
    x = nn.Identity()()
    h = nn.Linear(3, 4)(x).annotate(name='L1')
    s = nn.CAddTable()([h, nn.Tanh()(h)])
    g = nn.gModule([x], [s, h])
    text = str(g)
    assert text.splitlines() == [
        'nn.gModule {',
        '  inputs: node 0',
        '  node 0: nn.Identity',
        "  node 1 'L1' <- node 0: nn.Linear(3 -> 4)",
        '  node 2 <- node 1: nn.Tanh',
        '  node 3 <- node 1, node 2: nn.CAddTable',
        '  outputs: node 3, node 1',
        '}']
    g.name = 'net'
    assert str(g).startswith("nn.gModule 'net' {") and repr(g) == str(g)
    seq = nn.Sequential(g)
    assert "(0): nn.gModule 'net' {" in str(seq)
    assert repr(x).startswith('nngraph.Node(nn.Identity, created at ')


def test_printing_nested_and_split_nodes():
    x = nn.Identity()()
    a, b = nn.SplitTable(1)(x).split(2)
    inner = nn.gModule([x], [nn.CAddTable()([a, b])])
    y = nn.Identity()()
    outer = nn.gModule([y], [inner(y)])
    lines = str(outer).splitlines()
    assert lines[3] == '  node 1 <- node 0: nn.gModule {'
    assert '      node 2 <- node 1: split(2)' in lines
    assert '      node 3 <- node 2: element 0 of a split' in lines


def test_mlp_helper_builds_what_it_says():
    mods = mlp_modules()
    assert [type(m).__name__ for m in mods] == ['Linear', 'Tanh', 'Linear', 'Tanh', 'Linear',
                                                'LogSoftMax']
