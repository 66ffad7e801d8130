"""nngraph.Node: one vertex of a graph of modules, and the hook that makes `module(node)` build one.

With nngraph imported, calling a module on nodes makes a node instead of running forward:

    x = nn.Identity()()                  # a node with no inputs (a graph input)
    h = nn.Linear(10, 20)(x)             # a node whose input is x
    s = nn.CAddTable()([h, x])           # several inputs: a list, in order (0-based)
    y = h - nn.Tanh()                    # Torch7's sugar: node - module == module(node)

Every node remembers where it was created (file and line of the first caller outside the nn and
nngraph packages: one frame walk, no stack capture) so that construction and runtime errors can
point at the user's line.
"""
import os
import sys

import nn as _nn_pkg
import torchlike as torch
from nn.criterion import Criterion
from nn.module import Module

# frames in these folders are library code: the creation site is the first frame outside them
_LIBRARY_DIRS = tuple(os.path.dirname(os.path.abspath(f)) + os.sep
                      for f in (_nn_pkg.__file__, torch.__file__, __file__))
_is_library_file = {}   # co_filename -> bool (cached: the walk costs a few dict lookups)


def creation_site(depth=1):
    """(filename, line, function) of the first caller frame outside nn/nngraph/torchlike."""
    f = sys._getframe(depth + 1)
    while f is not None:
        name = f.f_code.co_filename
        lib = _is_library_file.get(name)
        if lib is None:
            lib = _is_library_file[name] = os.path.abspath(name).startswith(_LIBRARY_DIRS)
        if not lib:
            return name, f.f_lineno, f.f_code.co_name
        f = f.f_back
    return '?', 0, '?'


def show_path(filename):
    """A file name as error messages show it: relative to the working directory when inside it."""
    try:
        cwd = os.getcwd()
    except OSError:
        return filename
    if filename.startswith(cwd + os.sep):
        return filename[len(cwd) + 1:]
    return filename


def short_module(module):
    """One line naming a module: 'nn.Linear(10 -> 20)', 'nn.Sequential', a gModule's name."""
    text = str(module).split('\n', 1)[0]
    return text[:-2] if text.endswith(' {') else text


class Node:
    """A graph vertex. `module` is None for the helper nodes that `split` makes (a hub that
    passes its source's list output through, and one selector per element).

    Fields: module, inputs (list of Nodes, in the order given: 0-based, Torch7's mapindex),
    annotations (dict: name, description, graphAttributes, ...), site ((file, line, function)
    where the node was made), splitIndex (selectors: which element), nSplitOutputs (hubs)."""

    splitIndex = None
    nSplitOutputs = None
    module = None

    def __init__(self, module=None, inputs=(), site=None):
        self.module = module
        self.inputs = list(inputs)
        self.annotations = {}
        self.site = site if site is not None else creation_site(1)
        self._consumers = []          # nodes made with this one as an input (dangling check)
        for n in self.inputs:
            n._consumers.append(self)

    # -- building -------------------------------------------------------------------------------
    def split(self, n):
        """n nodes, node i selecting element i (0-based) of this node's list output. Every one
        of them must be used by the graph (an unused one is a construction error)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"split(n) needs a whole number n >= 1, got {n!r}")
        site = creation_site(1)
        hub = Node(None, [self], site)
        hub.nSplitOutputs = n
        outs = []
        for i in range(n):
            sel = Node(None, [hub], site)
            sel.splitIndex = i
            outs.append(sel)
        return outs

    def annotate(self, annotations=None, **kwargs):
        """Attach display information and return the node: name (shown instead of 'Node<i>'
        in pictures and errors), description (an extra label line), graphAttributes (a dict of
        graphviz node attributes, e.g. {'color': 'red', 'style': 'filled'})."""
        new = dict(annotations or {}, **kwargs)
        attrs = new.get('graphAttributes')
        if attrs is not None and not isinstance(attrs, dict):
            raise TypeError(f"annotate: graphAttributes must be a dict of graphviz attributes, "
                            f"got {type(attrs).__name__}")
        self.annotations.update(new)
        return self

    def add(self, node):
        """Append `node` as one more input of this node (Torch7's node:add(child, true)), for
        wiring after creation; returns self. (It is also the one way to make a cycle, which
        nn.gModule rejects.)"""
        if not isinstance(node, Node):
            raise TypeError(_bad_input_message(node, len(self.inputs)))
        self.inputs.append(node)
        node._consumers.append(self)
        return self

    def __sub__(self, module):
        """node - module == module(node) (Torch7's chaining sugar)."""
        if isinstance(module, Criterion):
            raise TypeError(f"a criterion node needs two inputs: write "
                            f"{module._typename}()([prediction, target])")
        if isinstance(module, Module):
            return module(self)
        return NotImplemented

    # -- describing -----------------------------------------------------------------------------
    @property
    def where(self):
        """'file:line' where the node was created (relative to the working directory)."""
        return f"{show_path(self.site[0])}:{self.site[1]}"

    def kind(self):
        """What the node does, in one line."""
        if self.module is not None:
            return short_module(self.module)
        if self.nSplitOutputs is not None:
            return f"split({self.nSplitOutputs})"
        return f"element {self.splitIndex} of a split"

    def describe(self, number=None):
        """"node 3 'L1' (nn.Linear(10 -> 20), created at model.py:12)" with a number, else
        "the nn.Linear(10 -> 20) node 'L1' created at model.py:12", for messages."""
        name = self.annotations.get('name')
        name = '' if name is None else f" {name!r}"
        if number is None:
            return f"the {self.kind()} node{name} created at {self.where}"
        return f"node {number}{name} ({self.kind()}, created at {self.where})"

    def __repr__(self):
        return f"nngraph.Node({self.kind()}, created at {self.where})"

    # -- copying and saving ---------------------------------------------------------------------
    def __getstate__(self):
        # who consumed this node only matters while graphs are being built: a clone or a file
        # does not carry it (and would otherwise recurse down whole chains)
        state = dict(self.__dict__)
        state.pop('_consumers', None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._consumers = []

    def _torchFields(self):
        fields = self.__getstate__()
        fields['site'] = list(self.site)
        return fields

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields = dict(fields)
        fields['inputs'] = list(fields.get('inputs') or [])    # an empty table loads as {}
        fields['annotations'] = dict(fields.get('annotations') or {})
        site = fields.get('site') or ['?', 0, '?']
        fields['site'] = tuple(site)
        fields['_consumers'] = []
        return fields


torch.registerClass('nngraph.Node', Node)


# -- the hook nn.Module.__call__ consults -------------------------------------------------------
def _bad_input_message(value, index):
    where = f"inputs[{index}]"
    if value is None:
        return f"{where} is None (typo / bad index?)"
    if isinstance(value, Module):
        return (f"{where} is an nn module ({short_module(value)}), not an nngraph.Node: did "
                f"you forget the second parentheses that turn a module into a node, as in "
                f"{value._typename}(...)()?")
    return f"{where} should be an nngraph.Node but is a {type(value).__name__}"


class GraphHook:
    """Installed in nn.module._graph_hook['call'] by `import nngraph`."""

    @staticmethod
    def accepts(args):
        """True when module(*args) should build a node: a single Node, or a non-empty list or
        tuple of Nodes. Mixed lists and several node arguments are errors."""
        if len(args) == 1:
            a = args[0]
            if isinstance(a, Node):
                return True
            if type(a) is list or type(a) is tuple:
                if not a or not any(isinstance(x, (Node, Module)) for x in a):
                    return False
                for i, x in enumerate(a):
                    if not isinstance(x, Node):
                        raise TypeError(_bad_input_message(x, i))
                return True
            if isinstance(a, Module):
                raise TypeError(_bad_input_message(a, 0))
            return False
        if any(isinstance(a, Node) for a in args):
            raise TypeError(f"a module takes one argument when it builds a node: use "
                            f"[n1, n2] to pass several inputs (got {len(args)} arguments)")
        return False

    @staticmethod
    def make_node(module, *args):
        if not args:
            inputs = []
        elif isinstance(args[0], Node):
            inputs = [args[0]]
        else:
            inputs = list(args[0])
        return Node(module, inputs, creation_site(1))

    @staticmethod
    def make_criterion_node(criterion, *args):
        from .criterion_module import ModuleFromCriterion
        inputs = [args[0]] if args and isinstance(args[0], Node) else list(args[0] if args
                                                                            else [])
        if len(inputs) != 2:
            raise TypeError(f"a criterion node takes two inputs: "
                            f"{criterion._typename}()([prediction, target]), got "
                            f"{len(inputs)}")
        return Node(ModuleFromCriterion(criterion), inputs, creation_site(1))
