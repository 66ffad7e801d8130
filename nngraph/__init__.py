"""nngraph: graphs of nn modules (import nngraph), Torch7's nngraph in Python.

Importing it makes `module(node)`, `module()` and `module([n1, n2])` build graph nodes (a module
called on tensors still runs forward), `criterion([prediction, target])` a loss node, and adds
`nn.gModule` and `nn.ModuleFromCriterion`, as `require 'nngraph'` did.

This file is the table of contents.
"""
import nn
from nn import module as _nn_module

from .node import Node, GraphHook
from .graph import GraphError
from .gmodule import gModule
from .criterion_module import ModuleFromCriterion
from .graph_export import dot, setDebug

_nn_module._graph_hook['call'] = GraphHook()
nn.gModule = gModule
nn.ModuleFromCriterion = ModuleFromCriterion

__all__ = ['Node', 'gModule', 'ModuleFromCriterion', 'GraphError', 'dot', 'setDebug']
