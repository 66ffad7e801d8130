"""Checking a graph and ordering its nodes, when a gModule is built.

Every construction error names the file and line where the offending node was created, so that
a mistake in a 200-line model definition points at its line:

- inputs/outputs that are not nodes (a module without its second parentheses);
- an input node that has inputs itself, or the same input given twice;
- a node with no inputs that is not one of the gModule's inputs (a missing input);
- an input that does not lead to any output;
- unused outputs of `split(n)`;
- a node made from graph nodes that does not lead to an output (a dangling node);
- a cycle;
- one module object used by two nodes (its output buffer would be overwritten).

Nothing here modifies a node: an error leaves every node as it was.
"""
from nn.module import Module

from .node import Node, short_module, show_path


class GraphError(ValueError):
    """A gModule cannot be built from these nodes."""


def as_node_list(nodes, what):
    """`nodes` (a Node, or a list/tuple of Nodes) as a list, with Torch7-style messages."""
    if isinstance(nodes, Node):
        return [nodes]
    if not isinstance(nodes, (list, tuple)):
        raise TypeError(f"nn.gModule: {what} must be a node or a list of nodes, got "
                        f"{type(nodes).__name__}")
    if not nodes:
        raise GraphError(f"nn.gModule: the list of {what} is empty; a gModule needs at least "
                         f"one input and one output node")
    for i, n in enumerate(nodes):
        if isinstance(n, Node):
            continue
        if n is None:
            raise TypeError(f"nn.gModule: {what}[{i}] is None (typo / bad index?)")
        if isinstance(n, Module):
            raise TypeError(f"nn.gModule: {what}[{i}] is an nn module ({short_module(n)}), "
                            f"not an nngraph.Node: did you forget the second parentheses, as in "
                            f"{n._typename}(...)()?")
        raise TypeError(f"nn.gModule: {what}[{i}] should be an nngraph.Node but is a "
                        f"{type(n).__name__}")
    return list(nodes)


def _cycle_error(stack, start):
    names = [n for n, _ in stack]
    cycle = names[names.index(start):] + [start]
    # the stack walks from consumers to their inputs: show the data flow direction
    lines = '\n'.join(f"  {n.kind()}, created at {n.where}" for n in reversed(cycle))
    return GraphError(f"nn.gModule: the graph has a cycle; each node below feeds the next:\n"
                      f"{lines}")


def _reachable_from_outputs(outputs):
    """Nodes that lead to an output, consumers after their inputs (DFS post-order over inputs,
    iterative: long chains do not hit the recursion limit). Raises on a cycle."""
    order, state = [], {}          # state: 1 = on the current path, 2 = done
    for root in outputs:
        if state.get(root) == 2:
            continue
        state[root] = 1
        stack = [(root, 0)]
        while stack:
            node, i = stack[-1]
            if i < len(node.inputs):
                stack[-1] = (node, i + 1)
                child = node.inputs[i]
                s = state.get(child)
                if s is None:
                    state[child] = 1
                    stack.append((child, 0))
                elif s == 1:
                    raise _cycle_error(stack, child)
            else:
                stack.pop()
                state[node] = 2
                order.append(node)
    return order


def forward_order(inputs, outputs):
    """Check the graph (see the module docstring) and return its nodes in forward topological
    order, the inputs first in the order given."""
    seen = {}
    for i, n in enumerate(inputs):
        if n in seen:
            raise GraphError(f"nn.gModule: inputs[{i}] is the same node as inputs[{seen[n]}] "
                             f"({n.describe()})")
        seen[n] = i
        if n.inputs:
            raise GraphError(f"nn.gModule: inputs[{i}] ({n.describe()}) takes input from "
                             f"other nodes; an input of a gModule must be a node made with no "
                             f"inputs, like nn.Identity()()")
    order = _reachable_from_outputs(outputs)
    members = set(order)
    for i, n in enumerate(inputs):
        if n not in members:
            raise GraphError(f"nn.gModule: inputs[{i}] ({n.describe()}) does not lead to any "
                             f"of the outputs")
    for n in order:
        if not n.inputs and n not in seen:
            raise GraphError(f"nn.gModule: {n.describe()} has no inputs but is not one of the "
                             f"gModule's inputs: add it to the inputs list (got "
                             f"{len(inputs)} input(s))")
    _check_splits(order, members)
    _check_dangling(order, members)
    _check_modules_used_once(order)
    rest = [n for n in order if n not in seen]
    return list(inputs) + rest


def _check_splits(order, members):
    for n in order:
        for hub in n._consumers:
            if hub.nSplitOutputs is None:
                continue
            unused = [c.splitIndex for c in hub._consumers if c not in members]
            if unused:
                file, line, _ = hub.site
                raise GraphError(
                    f"nn.gModule: {len(unused)} of split({hub.nSplitOutputs}) outputs of "
                    f"{n.describe()} are unused (outputs {', '.join(map(str, unused))}, "
                    f"0-based); split at {show_path(file)}:{line}")


def _check_dangling(order, members):
    for n in order:
        for c in n._consumers:
            if c not in members:
                raise GraphError(f"nn.gModule: {c.describe()} takes input from the graph but "
                                 f"does not lead to any of the outputs (its input: "
                                 f"{n.describe()})")


def _check_modules_used_once(order):
    owner = {}
    for n in order:
        m = n.module
        if m is None:
            continue
        first = owner.get(id(m))
        if first is not None:
            raise GraphError(
                f"nn.gModule: the module {short_module(m)} is used by two nodes (created at "
                f"{first.where} and {n.where}); one module object keeps one output and "
                f"gradInput buffer, so the second call would overwrite the first. Use a clone "
                f"sharing the parameters: m.clone('weight', 'bias', 'gradWeight', 'gradBias')")
        owner[id(m)] = n
