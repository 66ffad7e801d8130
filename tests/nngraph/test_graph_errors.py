"""Construction errors name the file and line where the offending node was made; runtime errors
keep their type and name the failing node (nested graphs name every level)."""
import re

import pytest

import nn
import torchlike as torch
from graph_helpers import here
from nngraph import GraphError

FILE = 'test_graph_errors.py'


def _at(line):
    return re.escape(f"{FILE}:{line}")


# -- construction ---------------------------------------------------------------------------------
def test_unused_split_output_names_the_split_line():
    x = nn.Identity()()
    parts = nn.SplitTable(1)(nn.Linear(2, 6)(x)).split(3); line = here()   # noqa: E702
    with pytest.raises(GraphError, match=r"1 of split\(3\) outputs of the nn.SplitTable node "
                                         r"created at .*" + _at(line) + r" are unused "
                                         r"\(outputs 1, 0-based\); split at .*" + _at(line)):
        nn.gModule([x], [nn.CAddTable()([parts[0], parts[2]])])


def test_split_never_used_at_all():
    x = nn.Identity()()
    t = nn.SplitTable(1)(x)
    t.split(2); line = here()                                   # noqa: E702
    with pytest.raises(GraphError, match=r"2 of split\(2\) outputs .* are unused \(outputs 0, 1, "
                                         r"0-based\); split at .*" + _at(line)):
        nn.gModule([x], [nn.JoinTable(1)(t)])


def test_dangling_node_names_its_line():
    x = nn.Identity()()
    h = nn.Linear(3, 4)(x); hline = here()                      # noqa: E702
    nn.Tanh()(h); line = here()                                 # noqa: E702
    with pytest.raises(GraphError, match=r"the nn.Tanh node created at .*" + _at(line)
                                         + r" takes input from the graph but does not lead to any"
                                         r" of the outputs \(its input: the nn.Linear\(3 -> 4\) "
                                         r"node created at .*" + _at(hline)):
        nn.gModule([x], [h])


def test_cycle_names_the_nodes_on_it():
    x = nn.Identity()()
    a = nn.Tanh()(x); aline = here()                            # noqa: E702
    b = nn.Sigmoid()(a); bline = here()                         # noqa: E702
    a.add(b)
    with pytest.raises(GraphError, match=r"the graph has a cycle") as err:
        nn.gModule([x], [b])
    msg = str(err.value)
    assert re.search(r"nn.Tanh, created at .*" + _at(aline), msg)
    assert re.search(r"nn.Sigmoid, created at .*" + _at(bline), msg)


def test_node_without_inputs_that_is_not_an_input():
    x = nn.Identity()()
    y = nn.Identity()(); line = here()                          # noqa: E702
    with pytest.raises(GraphError, match=r"the nn.Identity node created at .*" + _at(line)
                                         + r" has no inputs but is not one of the gModule's "
                                           r"inputs: add it to the inputs list \(got 1 input"):
        nn.gModule([x], [nn.CAddTable()([x, y])])


def test_input_that_reaches_no_output():
    x = nn.Identity()()
    y = nn.Identity()(); line = here()                          # noqa: E702
    with pytest.raises(GraphError, match=r"inputs\[1\] \(the nn.Identity node created at .*"
                                         + _at(line) + r"\) does not lead to any of the outputs"):
        nn.gModule([x, y], [nn.Tanh()(x)])


def test_input_that_has_inputs_itself():
    x = nn.Identity()()
    h = nn.Linear(2, 2)(x); line = here()                       # noqa: E702
    with pytest.raises(GraphError, match=r"inputs\[1\] \(the nn.Linear\(2 -> 2\) node created "
                                         r"at .*" + _at(line) + r"\) takes input from other "
                                         r"nodes"):
        nn.gModule([x, h], [nn.Tanh()(h)])


def test_same_input_twice():
    x = nn.Identity()(); line = here()                          # noqa: E702
    with pytest.raises(GraphError, match=r"inputs\[1\] is the same node as inputs\[0\] \(the "
                                         r"nn.Identity node created at .*" + _at(line)):
        nn.gModule([x, x], [nn.Tanh()(x)])


def test_one_module_in_two_nodes():
    x = nn.Identity()()
    lin = nn.Linear(2, 2)
    a = lin(x); aline = here()                                  # noqa: E702
    b = lin(a); bline = here()                                  # noqa: E702
    with pytest.raises(GraphError, match=r"the module nn.Linear\(2 -> 2\) is used by two nodes "
                                         r"\(created at .*" + _at(aline) + r" and .*"
                                         + _at(bline) + r"\).*clone"):
        nn.gModule([x], [b])


def test_not_nodes_and_empty_lists():
    x = nn.Identity()()
    with pytest.raises(TypeError, match=r"outputs\[0\] is an nn module \(nn.Linear\(2 -> 3\)\), "
                                        r"not an nngraph.Node: did you forget the second "
                                        r"parentheses"):
        nn.gModule([x], [nn.Linear(2, 3)])
    with pytest.raises(TypeError, match=r"inputs\[0\] is None"):
        nn.gModule([None], [x])
    with pytest.raises(TypeError, match=r"outputs\[1\] should be an nngraph.Node but is a "
                                        r"DoubleTensor"):
        nn.gModule([x], [x, torch.ones(1)])
    with pytest.raises(TypeError, match="must be a node or a list of nodes"):
        nn.gModule(3, [x])
    with pytest.raises(GraphError, match="the list of inputs is empty"):
        nn.gModule([], [x])


def test_a_failed_construction_changes_no_node():
    x = nn.Identity()()
    h = nn.Linear(3, 4)(x)
    extra = nn.Identity()()
    with pytest.raises(GraphError):
        nn.gModule([x], [nn.CAddTable()([h, extra])])
    # the abandoned CAddTable node still hangs from h: the same outputs are refused again...
    with pytest.raises(GraphError, match="does not lead to any of the outputs"):
        nn.gModule([x], [h])
    # ...but the nodes themselves are unchanged, and a graph that uses them all works
    assert h.inputs == [x] and x.inputs == []
    g = nn.gModule([x, extra], [h.inputs[0]._consumers[0]._consumers[0]])
    assert g.forward([torch.ones(2, 3), torch.ones(2, 4)]).size() == torch.Size([2, 4])


# -- run time -------------------------------------------------------------------------------------
def test_runtime_error_keeps_its_type_and_names_the_node():
    x = nn.Identity()()
    h = nn.Linear(3, 4)(x).annotate(name='L1')
    bad = nn.Linear(5, 2)(h); line = here()                     # noqa: E702
    g = nn.gModule([x], [bad])
    with pytest.raises(ValueError, match=r"^In node 2 \(nn.Linear\(5 -> 2\), created at .*"
                                         + _at(line) + r"\): nn.Linear: input has 4 features"):
        g.forward(torch.randn(2, 3))
    x = nn.Identity()()
    bad = nn.Linear(5, 2)(x).annotate(name='head'); line = here()   # noqa: E702
    g = nn.gModule([x], [bad])
    with pytest.raises(ValueError, match=r"^In node 1 'head' \(nn.Linear\(5 -> 2\), created at "
                                         r".*" + _at(line) + r"\)"):
        g.forward(torch.randn(2, 3))


class _FailsBackward(nn.Module):
    _typename = 'nngraph_tests.FailsBackward'      # a name no other test registers
    def updateOutput(self, input):
        self.output = input
        return input

    def updateGradInput(self, input, gradOutput):
        raise KeyError('no gradient here')


def test_backward_error_names_the_node():
    x = nn.Identity()()
    f = _FailsBackward()(x); line = here()                      # noqa: E702
    g = nn.gModule([x], [nn.Tanh()(f)])
    g.forward(torch.ones(2))
    for call in (g.backward, g.updateGradInput):
        with pytest.raises(KeyError, match=r"In node 1 \(nngraph_tests.FailsBackward, created at .*"
                                           + _at(line) + r"\): no gradient here"):
            call(torch.ones(2), torch.ones(2))


def test_nested_graphs_name_every_level():
    xi = nn.Identity()()
    inner_bad = nn.Linear(7, 2)(xi); iline = here()             # noqa: E702
    inner = nn.gModule([xi], [inner_bad])
    x = nn.Identity()()
    node = inner(nn.Tanh()(x)); oline = here()                  # noqa: E702
    g = nn.gModule([x], [node])
    with pytest.raises(ValueError) as err:
        g.forward(torch.ones(1, 3))
    assert re.match(r"In node 2 \(nn.gModule, created at .*" + _at(oline) + r"\): In node 1 "
                    r"\(nn.Linear\(7 -> 2\), created at .*" + _at(iline) + r"\): ",
                    str(err.value))


def test_mismatched_gradients_from_two_consumers():
    class Wrong(nn.Module):                                     # returns a gradInput too big
        _typename = 'nngraph_tests.Wrong'
        def updateOutput(self, input):
            self.output = input
            return input

        def updateGradInput(self, input, gradOutput):
            self.gradInput = torch.ones(5)
            return self.gradInput
    x = nn.Identity()()
    g = nn.gModule([x], [nn.CAddTable()([Wrong()(x), nn.Tanh()(x)])])
    g.forward(torch.ones(3))
    with pytest.raises(ValueError, match=r"In node 1 \(nngraph_tests.Wrong, created at .*\): the "
                                         r"gradients .* cannot be summed: sizes 3 and 5"):
        g.backward(torch.ones(3), torch.ones(3))
