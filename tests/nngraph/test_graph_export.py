"""Pictures: the DOT text (labels, sizes, annotations, escaping), files written by nngraph.dot,
SVG through graphviz when it is installed, and debug mode's red failing node."""
import os
import re
import shutil
import stat

import pytest

import nn
import nngraph
import torchlike as torch
from graph_helpers import here
from nngraph import graph_export

HAS_DOT = shutil.which('dot') is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="graphviz's dot is not installed")


def _labelled():
    x = nn.Identity()()
    h = nn.Linear(10, 20)(x).annotate(name='L1', description='first "layer"',
                                       graphAttributes={'color': 'blue', 'style': 'filled',
                                                        'fillcolor': 'yellow'})
    s = nn.CAddTable()([h, nn.Tanh()(h)])
    return nn.gModule([x], [s]), x


def _node_line(text, i):
    return next(ln for ln in text.splitlines() if ln.strip().startswith(f'n{i}['))


def test_dot_text_labels_modules_sizes_and_annotations():
    g, x = _labelled()
    text = nngraph.dot(g, 'my "net"')
    assert text.startswith('digraph G {') and text.rstrip().endswith('}')
    assert 'label="my \\"net\\"";' in text and 'labelloc="t";' in text
    n1 = _node_line(text, 1)
    assert n1.startswith('  n1[label="L1 (1)\\ndesc = first \\"layer\\"\\nmodule = '
                         'nn.Linear(10 -> 20)"')
    assert 'color="blue"' in n1 and 'fillcolor="yellow"' in n1 and 'style="filled"' in n1
    assert re.search(r'tooltip=".*test_graph_export.py:\d+ \(_labelled\)"', n1)
    assert 'mapindex = {Node1,Node2}' in _node_line(text, 3)
    assert 'input =' not in text                           # nothing ran yet
    for edge in ('in0 -> n0;', 'n0 -> n1;', 'n1 -> n2;', 'n1 -> n3;', 'n2 -> n3;',
                 'n3 -> out0;'):
        assert f'  {edge}' in text
    g.forward(torch.randn(4, 10))
    g.backward(torch.randn(4, 10), torch.randn(4, 20))
    text = nngraph.dot(g)
    assert 'label="nn.gModule";' in text
    assert 'input = {Tensor[4x10]}' in _node_line(text, 1)
    assert 'input = {Tensor[4x20],Tensor[4x20]}' in _node_line(text, 3)
    assert 'gradOutput = Tensor[4x20]' in _node_line(text, 1)


def test_labels_flag_nan_and_name_non_default_types():
    x = nn.Identity()()
    g = nn.gModule([x], [nn.Tanh()(x)])
    v = torch.zeros(2, 3)
    v[0][1] = float('nan')
    g.forward(v)
    assert 'input = {Tensor[2x3]NaN}' in nngraph.dot(g)
    g.float()
    g.forward(torch.FloatTensor(2).fill(float('inf')))
    assert 'input = {torch.FloatTensor[2]inf}' in nngraph.dot(g)
    assert graph_export.value_text(torch.Tensor(3).fill(-float('inf'))) == 'Tensor[3]-inf'


def test_split_and_multi_output_pictures():
    a, b = nn.Identity()(), nn.Identity()()
    p, q = nn.SplitTable(0)(a).split(2)
    g = nn.gModule([a, b], [nn.CAddTable()([p, b]), q])
    text = nngraph.dot(g)
    assert 'nSplitOutputs = 2' in text and 'selectindex = 1' in text
    for edge in ('in0 -> n0;', 'in1 -> n1;', 'out0[label="output 0", shape=plaintext];',
                 'out1[label="output 1", shape=plaintext];'):
        assert edge in text


def test_dot_writes_files(tmp_path):
    g, _ = _labelled()
    base = tmp_path / 'net'
    text = nngraph.dot(g, 'net', str(base))
    assert (tmp_path / 'net.dot').read_text() == text
    assert (tmp_path / 'net.svg').exists() == HAS_DOT
    with pytest.raises(TypeError, match="expected an nn.gModule"):
        nngraph.dot(nn.Linear(2, 2), 'x', str(tmp_path / 'nope'))


@needs_dot
def test_svg_is_graphviz_output(tmp_path):
    g, _ = _labelled()
    nngraph.dot(g, 'net', str(tmp_path / 'net'))
    svg = (tmp_path / 'net.svg').read_text()
    assert svg.lstrip().startswith('<?xml') and '<svg' in svg and '<title>n1</title>' in svg
    assert 'nn.Linear(10 &#45;&gt; 20)' in svg


def test_a_failing_dot_is_a_warning(tmp_path, monkeypatch):
    fake = tmp_path / 'dot'
    fake.write_text('#!/bin/sh\necho "syntax error in line 1" >&2\nexit 3\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(graph_export.shutil, 'which', lambda name: str(fake))
    g, _ = _labelled()
    with pytest.warns(UserWarning, match=r"graphviz failed .*exit status 3.*syntax error"):
        nngraph.dot(g, 'net', str(tmp_path / 'net'))
    assert (tmp_path / 'net.dot').exists() and not (tmp_path / 'net.svg').exists()
    monkeypatch.setattr(graph_export.shutil, 'which', lambda name: None)
    nngraph.dot(g, 'net', str(tmp_path / 'other'))          # no graphviz: DOT only, silently
    assert (tmp_path / 'other.dot').exists() and not (tmp_path / 'other.svg').exists()


# -- debug mode -----------------------------------------------------------------------------------
def _failing_graph():
    x = nn.Identity()()
    h = nn.Linear(3, 4)(x)
    bad = nn.Linear(5, 2)(h); line = here()                       # noqa: E702
    return nn.gModule([x], [bad]), line


def _svg_node_group(svg, i):
    start = svg.index(f'<title>n{i}</title>')
    return svg[start:svg.index('</g>', start)]


def test_debug_mode_draws_the_failing_node_red(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    g, line = _failing_graph()
    nngraph.setDebug(True)
    with pytest.raises(ValueError) as err:
        g.forward(torch.randn(2, 3))
    msg = str(err.value)
    expected = tmp_path / ('nngraph_1in_1out.svg' if HAS_DOT else 'nngraph_1in_1out.dot')
    assert msg.startswith("In node 2 (nn.Linear(5 -> 2), created at ")
    assert f"test_graph_export.py:{line}):" in msg
    assert msg.endswith(f"[graph with the failing node in red: {expected}]")
    dot_text = (tmp_path / 'nngraph_1in_1out.dot').read_text()
    n2 = _node_line(dot_text, 2)
    assert 'style="filled", fillcolor="red"' in n2 and 'input = {Tensor[2x4]}' in n2
    assert 'fillcolor="red"' not in _node_line(dot_text, 1)
    if HAS_DOT:
        svg = expected.read_text()
        assert 'fill="red"' in _svg_node_group(svg, 2)
        assert 'fill="red"' not in _svg_node_group(svg, 1)


def test_debug_mode_uses_the_graph_name_and_backward_failures(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    class NoGrad(nn.Module):
        _typename = 'nngraph_tests.NoGrad'
        def updateOutput(self, input):
            self.output = input
            return input

        def updateGradInput(self, input, gradOutput):
            raise RuntimeError('broken backward')
    x = nn.Identity()()
    g = nn.gModule([x], [nn.Tanh()(NoGrad()(x).annotate(name='culprit'))])
    g.name = 'my net/v2'
    nngraph.setDebug(True)
    g.forward(torch.ones(3))
    with pytest.raises(RuntimeError, match=r"In node 1 'culprit' .*broken backward \[graph with "
                                           r"the failing node in red: .*my_net_v2\.(svg|dot)\]"):
        g.backward(torch.ones(3), torch.ones(3))
    text = (tmp_path / 'my_net_v2.dot').read_text()
    assert 'fillcolor="red"' in _node_line(text, 1) and 'gradOutput = Tensor[3]' in text


def test_nested_failures_write_one_picture_per_level(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inner, _ = _failing_graph()
    x = nn.Identity()()
    outer = nn.gModule([x], [inner(x)])
    nngraph.setDebug(True)
    with pytest.raises(ValueError) as err:
        outer.forward(torch.randn(2, 3))
    msg = str(err.value)
    ext = 'svg' if HAS_DOT else 'dot'
    assert f"nngraph_1in_1out.{ext}]" in msg and f"nngraph_1in_1out_2.{ext}]" in msg
    assert 'fillcolor="red"' in _node_line((tmp_path / 'nngraph_1in_1out.dot').read_text(), 2)
    assert 'fillcolor="red"' in _node_line((tmp_path / 'nngraph_1in_1out_2.dot').read_text(), 1)


def test_debug_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    g, _ = _failing_graph()
    nngraph.setDebug(True)
    nngraph.setDebug(False)
    with pytest.raises(ValueError) as err:
        g.forward(torch.randn(2, 3))
    assert 'graph with the failing node' not in str(err.value)
    assert os.listdir(tmp_path) == []


def test_an_unwritable_picture_does_not_hide_the_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    g, _ = _failing_graph()
    g.name = 'missing_dir/x'                 # sanitised to a plain file name: still writable
    nngraph.setDebug(True)
    with pytest.raises(ValueError, match="missing_dir_x"):
        g.forward(torch.randn(2, 3))

    def refuse(*args, **kwargs):
        raise PermissionError('read-only folder')
    monkeypatch.setattr(graph_export, '_write', refuse)
    with pytest.raises(ValueError, match=r"input has 4 features.*could not write .*read-only"):
        g.forward(torch.randn(2, 3))
