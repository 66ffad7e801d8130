"""Pictures of a gModule: DOT text, SVG through graphviz, and debug mode.

    nngraph.dot(g, 'my net', 'mynet')     # writes mynet.dot, and mynet.svg when graphviz is there

Each node is drawn with a label in nngraph's style: `Node3` (or `name (3)` for an annotated
node), the description, `module = nn.Linear(10 -> 20)`, the sizes of the inputs it last saw
(`input = {Tensor[4x10]}`; NaN/inf flagged), `mapindex = {Node1,Node2}` for several inputs and
the gradient it last received. annotate(graphAttributes={...}) attributes go to DOT unchanged;
the tooltip is the file:line where the node was made.

Debug mode (`nngraph.setDebug(True)`): when a node fails, the gModule writes
`<g.name or nngraph_<nIn>in_<nOut>out>.dot` (and `.svg`) in the working directory with that node
filled red, and the re-raised error gives the path.
"""
import os
import re
import shutil
import subprocess
import warnings

import numpy as np

import torchlike as torch

DEBUG = {'on': False}
DOT_TIMEOUT_S = 60


def setDebug(enable=True):
    """Turn debug mode on (True) or off (False)."""
    DEBUG['on'] = bool(enable)


# -- labels -------------------------------------------------------------------------------------
def _flag(t):
    a = t._arr()
    if a.size == 0 or a.dtype.kind != 'f':
        return ''
    if np.isnan(a).any():
        return 'NaN'
    if np.isposinf(a).any():
        return 'inf'
    if np.isneginf(a).any():
        return '-inf'
    return ''


def value_text(x):
    """`Tensor[4x10]`, `torch.FloatTensor[3]`, `{Tensor[2],Tensor[2]}`, ..."""
    if torch.isTensor(x):
        name = 'Tensor' if x._typename == torch.getdefaulttensortype() else x._typename
        return f"{name}[{'x'.join(str(n) for n in x.size())}]{_flag(x)}"
    if isinstance(x, (list, tuple)):
        return '{' + ','.join(value_text(v) for v in x) + '}'
    if x is None:
        return 'nil'
    return str(x)


def node_label_lines(g, i):
    """The lines of node i's label (plain text, not yet escaped for DOT)."""
    node = g.forwardnodes[i]
    ann = node.annotations
    lines = [f"{ann['name']} ({i})" if ann.get('name') is not None else f"Node{i}"]
    if ann.get('description') is not None:
        lines.append(f"desc = {ann['description']}")
    if node.module is not None:
        lines.append(f"module = {node.module}")
    elif node.nSplitOutputs is not None:
        lines.append(f"nSplitOutputs = {node.nSplitOutputs}")
    else:
        lines.append(f"selectindex = {node.splitIndex}")
    index = {n: k for k, n in enumerate(g.forwardnodes)}
    if len(node.inputs) > 1:
        lines.append('mapindex = {' + ','.join(f'Node{index[x]}' for x in node.inputs) + '}')
    p = g._plan
    if p is not None:
        # what the node last saw; after a failed forward, only the nodes that ran have inputs
        n_in = g.nInputs
        if node.inputs:
            seen = [p.vals[n_in + index[x]] for x in node.inputs]
        else:
            seen = [p.vals[g.inputNodes.index(node)]]
        if all(v is not None for v in seen):
            lines.append(f"input = {value_text(seen)}")
        go = p.grads[n_in + i]
        if go is not None and (torch.isTensor(go) or all(v is not None for v in go)):
            lines.append(f"gradOutput = {value_text(go)}")
    return lines


def _escape(text):
    """Text inside a DOT double-quoted string; inner newlines become left-justified breaks."""
    return text.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\l')


def _attributes(attrs):
    return ', '.join(f'{k}="{_escape(str(v))}"' for k, v in attrs.items())


def to_dot(g, title=None, failed=None):
    """The DOT text of gModule g's forward graph; node number `failed` is filled red."""
    title = (g.name or g._typename) if title is None else title
    index = {n: k for k, n in enumerate(g.forwardnodes)}
    out = ['digraph G {', '  labelloc="t";', f'  label="{_escape(str(title))}";',
           '  node [shape = oval];']
    for i, node in enumerate(g.forwardnodes):
        attrs = {'label': '\\n'.join(_escape(s) for s in node_label_lines(g, i))}
        file, line, func = node.site
        attrs['tooltip'] = f"{file}:{line} ({func})"
        attrs.update(node.annotations.get('graphAttributes') or {})
        if i == failed:
            attrs.update(style='filled', fillcolor='red')
        # the label is escaped already; every other value is escaped by _attributes
        label = attrs.pop('label')
        rest = _attributes(attrs)
        out.append(f'  n{i}[label="{label}"' + (f', {rest}' if rest else '') + '];')
    for k, node in enumerate(g.inputNodes):
        out.append(f'  in{k}[label="input {k}", shape=plaintext];')
        out.append(f'  in{k} -> n{index[node]};')
    for i, node in enumerate(g.forwardnodes):
        for x in node.inputs:
            out.append(f'  n{index[x]} -> n{i};')
    for k, node in enumerate(g.outputNodes):
        out.append(f'  out{k}[label="output {k}", shape=plaintext];')
        out.append(f'  n{index[node]} -> out{k};')
    out.append('}')
    return '\n'.join(out) + '\n'


# -- files --------------------------------------------------------------------------------------
def render_svg(dot_path, svg_path):
    """Run graphviz's `dot -Tsvg`; returns svg_path, or None (with a warning when dot is
    installed but fails) when no SVG was written."""
    exe = shutil.which('dot')
    if exe is None:
        return None
    try:
        r = subprocess.run([exe, '-Tsvg', '-o', svg_path, dot_path], capture_output=True,
                           text=True, timeout=DOT_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as e:
        warnings.warn(f"nngraph: graphviz could not render {dot_path}: {e}")
        return None
    if r.returncode != 0:
        warnings.warn(f"nngraph: graphviz failed on {dot_path} (exit status {r.returncode}): "
                      f"{r.stderr.strip()}")
        return None
    return svg_path


def dot(g, title=None, path=None, failed=None):
    """The DOT text of gModule g; with `path` (a base name) also writes path.dot and, when
    graphviz's `dot` is installed, path.svg. Returns the DOT text."""
    from .gmodule import gModule
    if not isinstance(g, gModule):
        raise TypeError(f"nngraph.dot: expected an nn.gModule, got {type(g).__name__}")
    text = to_dot(g, title, failed)
    if path is not None:
        _write(text, os.fspath(path))
    return text


def _write(text, path):
    """path.dot, then path.svg; returns the SVG's path or None."""
    with open(path + '.dot', 'w', encoding='utf-8') as f:
        f.write(text)
    return render_svg(path + '.dot', path + '.svg')


def debug_base_name(g):
    if g.name:
        return re.sub(r'[^A-Za-z0-9._-]', '_', str(g.name))
    return f"nngraph_{g.nInputs}in_{g.nOutputs}out"


def write_debug_graph(g, failed, err):
    """Write g's picture with node `failed` in red into the working directory; returns the path
    of the SVG (or of the DOT file without graphviz), or a note when it could not be written.
    Pictures written while one exception travels up nested gModules get distinct names."""
    written = getattr(err, '_nngraph_pictures', None)
    if written is None:
        written = set()
        try:
            err._nngraph_pictures = written
        except AttributeError:
            pass
    base = debug_base_name(g)
    path, k = os.path.abspath(base), 1
    while path in written:
        k += 1
        path = os.path.abspath(f"{base}_{k}")
    written.add(path)
    try:
        svg = _write(to_dot(g, base, failed), path)
    except Exception as e:      # a picture must never hide the original error
        return f"(could not write {path}.dot: {e})"
    return svg or path + '.dot'
