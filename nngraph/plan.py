"""The execution plan of a gModule: its graph compiled into flat lists of steps.

Every node's output lives in one slot of a list `vals` (slots 0..nInputs-1 hold the gModule's
inputs); the gradient with respect to it in the same slot of `grads`. Forward is then a tight
loop `vals[dst] = fn(vals[src])` over (fn, src, dst) steps, with no per-node dictionary lookups
or type tests: a node with several inputs gets a preceding gather step that fills a persistent
list (its input, as a Lua table was) and a split gets a length check and one `itemgetter` per
element.

Backward visits the nodes in reverse order. The gradient a consumer sends to a node is
delivered straight into the node's slot when that node has a single consumer (the usual case);
a node with several consumers gets a reused buffer: the first gradient to arrive (the order is
fixed, so this is decided here, once) is copied into it and the others are added to it.
"""
from operator import itemgetter

import torchlike as torch
from nn import utils as _nn_utils
from torchlike._core import fmt_size

SET, FIRST, ADD, ITEM = 0, 1, 2, 3   # how a gradient reaches its target slot


class Plan:
    """The compiled graph of one gModule (transient: rebuilt after loading, cloning, type
    conversion and clearState)."""
    __slots__ = ('vals', 'blank', 'grads', 'bufs', 'fsteps', 'bsteps', 'usteps', 'asteps',
                 'node_of', 'out_slot', 'out_slots', 'out_list', 'out_edges', 'gin_list', 'ran')


def _pass(input, gradOutput, scale=1):
    """Backward of a module-less node (split hub, split element): gradient passes through."""
    return gradOutput


def _gather(vals, slots, lst):
    """A forward step building a multi-input node's input list in place."""
    pairs = tuple(enumerate(slots))

    def gather(_):
        for k, s in pairs:
            lst[k] = vals[s]
        return lst
    return gather


def _split_check(n):
    def check(x):
        if not isinstance(x, (list, tuple)):
            raise TypeError(f"split({n}) needs a list output to split, got "
                            f"{_describe_value(x)}")
        if len(x) != n:
            raise ValueError(f"split({n}) cannot split {len(x)} outputs")
        return x
    return check


def _describe_value(x):
    if torch.isTensor(x):
        return f"a {x._typename} of size {fmt_size(x.size())}"
    return f"a {type(x).__name__}"


def compile_plan(g):
    order, inputs, outputs = g.forwardnodes, g.inputNodes, g.outputNodes
    n_in = len(inputs)
    index = {node: i for i, node in enumerate(order)}
    input_pos = {node: k for k, node in enumerate(inputs)}

    def slot(node):
        return n_in + index[node]

    p = Plan()
    vals = p.vals = [None] * (n_in + len(order))
    p.node_of = {}
    p.fsteps = []
    in_slot = {}
    for i, node in enumerate(order):
        dst = n_in + i
        p.node_of[dst] = i
        if node in input_pos:
            src = input_pos[node]
        elif len(node.inputs) == 1:
            src = slot(node.inputs[0])
        else:
            src = len(vals)
            vals.append(None)
            p.node_of[src] = i
            p.fsteps.append((_gather(vals, [slot(x) for x in node.inputs],
                                     [None] * len(node.inputs)), 0, src))
        in_slot[node] = src
        if node.module is not None:
            fn = node.module.updateOutput
        elif node.nSplitOutputs is not None:
            fn = _split_check(node.nSplitOutputs)
        else:
            fn = itemgetter(node.splitIndex)
        p.fsteps.append((fn, src, dst))

    grads = p.grads = [None] * len(vals)
    p.blank = [None] * len(vals)
    p.bufs = {}
    for node in order:
        if node.nSplitOutputs is not None:     # filled element by element by its selectors
            grads[slot(node)] = [None] * node.nSplitOutputs

    # every delivery in the order backward makes them: outputs first, then each node's inputs
    deliveries = [[(slot(o), k if len(outputs) > 1 else None, None)
                   for k, o in enumerate(outputs)]]
    for node in reversed(order):
        if node in input_pos:
            deliveries.append([(input_pos[node], None, None)])
        elif node.splitIndex is not None:
            deliveries.append([(slot(node.inputs[0]), None, node.splitIndex)])
        else:
            multi = len(node.inputs) > 1
            deliveries.append([(slot(x), k if multi else None, None)
                               for k, x in enumerate(node.inputs)])
    total = {}
    for group in deliveries:
        for t, _, item in group:
            if item is None:
                total[t] = total.get(t, 0) + 1
    seen = {}
    edges = []
    for group in deliveries:
        out = []
        for t, k, item in group:
            if item is not None:
                out.append((ITEM, t, k, item))
                continue
            seen[t] = seen.get(t, 0) + 1
            mode = SET if total[t] == 1 else FIRST if seen[t] == 1 else ADD
            out.append((mode, t, k, None))
        edges.append(out)

    out_edges = edges[0]
    p.out_edges = out_edges
    p.out_slot = out_edges[0][1] if len(outputs) == 1 and out_edges[0][0] == SET else None
    p.out_slots = [slot(o) for o in outputs]
    p.out_list = [None] * len(outputs) if len(outputs) > 1 else None
    p.gin_list = [None] * n_in if n_in > 1 else None

    p.bsteps, p.usteps, p.asteps = [], [], []
    for node, e in zip(reversed(order), edges[1:]):
        src, me = in_slot[node], slot(node)
        if len(e) == 1 and e[0][0] == SET and e[0][2] is None:
            dst, e = e[0][1], None
        else:
            dst = -1
        m = node.module
        if m is None:
            p.bsteps.append((_pass, src, me, dst, e))
            p.usteps.append((_pass, src, me, dst, e))
        else:
            p.bsteps.append((m.backward, src, me, dst, e))
            p.usteps.append((m.updateGradInput, src, me, dst, e))
            p.asteps.append((m, src, me))
    p.ran = False
    return p


# -- delivering gradients -----------------------------------------------------------------------
def deliver(gi, edges, grads, bufs):
    """Send a node's gradInput (or the gModule's gradOutput) along its edges."""
    for mode, t, k, item in edges:
        if k is None:
            g = gi
        elif isinstance(gi, (list, tuple)):
            g = gi[k]
        else:
            raise TypeError(f"expected a list of gradients (one per input) but got "
                            f"{_describe_value(gi)}")
        if mode == SET:
            grads[t] = g
        elif mode == ITEM:
            grads[t][item] = g
        elif mode == FIRST:
            b = bufs[t] = _nn_utils.recursiveCopy(bufs.get(t), g)
            grads[t] = b
        else:
            _add_into(grads[t], g)


def _add_into(buf, g):
    if torch.isTensor(g):
        if buf.size() != g.size():
            raise ValueError(f"the gradients this node's output receives from its consumers "
                             f"cannot be summed: sizes {fmt_size(buf.size())} and "
                             f"{fmt_size(g.size())}")
        buf.add(g)
        return
    if not isinstance(buf, list) or len(buf) != len(g):
        raise ValueError("the gradients this node's output receives from its consumers "
                         "have different structures and cannot be summed")
    for b, x in zip(buf, g):
        _add_into(b, x)
