"""nn.gModule: a module made of a directed acyclic graph of modules (Torch7's nngraph).

    x = nn.Identity()()
    h = nn.Tanh()(nn.Linear(10, 20)(x))
    g = nn.gModule([x], [h])                   # inputs, outputs: nodes or lists of nodes

A gModule is an nn.Container: its `modules` are the nodes' modules in forward topological order
(the order of parameters() and getParameters()), and share/clone/type/training/evaluate/
clearState/zeroGradParameters work as for any container. With one input (output) it takes
(returns) a tensor; with several, a list in the order the nodes were given.

Forward runs the nodes in topological order; backward in reverse, summing the gradients of a
node used by several consumers. `backward` makes one pass (each module's own backward: its
updateGradInput and accGradParameters); updateGradInput and accGradParameters called separately
give the same result. An error inside a node is re-raised with its type kept and the node named:
`In node 3 (nn.Linear(10 -> 20), created at model.py:12): ...`; with nngraph.setDebug(True) the
graph is also drawn with the failing node in red (see graph_export.py).
"""
import torchlike as torch
from nn.container import Container

from . import graph as _graph
from . import graph_export as _export
from .plan import compile_plan, deliver


class gModule(Container):
    _typename = 'nn.gModule'
    _device_agnostic = True   # module calls and tensor methods only: runs on any device
    _transient = ('_plan',)
    _plan = None
    name = None          # display name; also the base name of the debug-mode picture

    def __init__(self, inputs, outputs):
        super().__init__()
        ins = _graph.as_node_list(inputs, 'inputs')
        outs = _graph.as_node_list(outputs, 'outputs')
        order = _graph.forward_order(ins, outs)
        # forwardnodes before the input/output lists: a deep copy (clone) then walks the nodes
        # in order instead of recursing down a long chain from its last node
        self.forwardnodes = order
        self.inputNodes = ins
        self.outputNodes = outs
        self.nInputs = len(ins)
        self.nOutputs = len(outs)
        self.modules = [n.module for n in order if n.module is not None]
        self.output = torch.Tensor() if len(outs) == 1 else []
        self.gradInput = torch.Tensor() if len(ins) == 1 else []
        self._plan = compile_plan(self)

    @property
    def backwardnodes(self):
        """The nodes in the order backward visits them."""
        return self.forwardnodes[::-1]

    def add(self, module):
        raise TypeError("nn.gModule: the modules of a gModule come from its graph; build a new "
                        "gModule to change it")

    def _title(self):
        return self.name or self._typename

    # -- forward ------------------------------------------------------------------------------
    def updateOutput(self, input):
        p = self._plan or self._compile()
        vals = p.vals
        vals[:] = p.blank            # forget the last pass: a failed one leaves no stale values
        p.ran = False
        if p.gin_list is None:
            vals[0] = input
        else:
            self._check_list(input, self.nInputs, 'inputs')
            vals[:self.nInputs] = input
        dst = -1
        try:
            for fn, src, dst in p.fsteps:
                vals[dst] = fn(vals[src])
        except Exception as e:
            raise self._node_failed(e, p, dst)
        p.ran = True
        if p.out_list is None:
            self.output = vals[p.out_slots[0]]
        else:
            out = p.out_list
            for k, s in enumerate(p.out_slots):
                out[k] = vals[s]
            self.output = out
        return self.output

    def _check_list(self, value, n, what):
        if not isinstance(value, (list, tuple)):
            got = value._typename if torch.isTensor(value) else type(value).__name__
            raise TypeError(f"{self._title()}: expecting a list of {n} {what}, got {got}")
        if len(value) != n:
            raise ValueError(f"{self._title()}: got {len(value)} {what} instead of {n}")

    # -- backward -----------------------------------------------------------------------------
    def _start_backward(self, gradOutput):
        p = self._plan
        if p is None or not p.ran:
            raise RuntimeError(f"{self._title()}: call forward before backward (a gModule "
                               f"keeps the inputs its nodes saw in forward)")
        if p.out_slot is not None:
            p.grads[p.out_slot] = gradOutput
        else:
            if p.out_list is not None:
                self._check_list(gradOutput, self.nOutputs, 'gradOutputs')
            deliver(gradOutput, p.out_edges, p.grads, p.bufs)
        return p

    def _finish_backward(self, p):
        grads = p.grads
        if p.gin_list is None:
            self.gradInput = grads[0]
        else:
            gin = p.gin_list
            for k in range(len(gin)):
                gin[k] = grads[k]
            self.gradInput = gin
        return self.gradInput

    def backward(self, input, gradOutput, scale=1):
        p = self._start_backward(gradOutput)
        vals, grads, bufs = p.vals, p.grads, p.bufs
        me = -1
        try:
            for fn, src, me, dst, edges in p.bsteps:
                gi = fn(vals[src], grads[me], scale)
                if edges is None:
                    grads[dst] = gi
                else:
                    deliver(gi, edges, grads, bufs)
        except Exception as e:
            raise self._node_failed(e, p, me)
        return self._finish_backward(p)

    def updateGradInput(self, input, gradOutput):
        p = self._start_backward(gradOutput)
        vals, grads, bufs = p.vals, p.grads, p.bufs
        me = -1
        try:
            for fn, src, me, dst, edges in p.usteps:
                gi = fn(vals[src], grads[me])
                if edges is None:
                    grads[dst] = gi
                else:
                    deliver(gi, edges, grads, bufs)
        except Exception as e:
            raise self._node_failed(e, p, me)
        return self._finish_backward(p)

    def accGradParameters(self, input, gradOutput, scale=1):
        """Uses the inputs of the last forward and the gradients of the last updateGradInput."""
        self._parameter_pass('accGradParameters', scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self._parameter_pass('accUpdateGradParameters', lr)

    def _parameter_pass(self, method, arg):
        """Call `method`(input, gradOutput, arg) of every module with what the last forward and
        updateGradInput left in the plan's slots."""
        p = self._plan
        if p is None or not p.ran:
            raise RuntimeError(f"{self._title()}: call forward and updateGradInput before "
                               f"{method}")
        vals, grads = p.vals, p.grads
        me = -1
        try:
            for m, src, me in p.asteps:
                getattr(m, method)(vals[src], grads[me], arg)
        except Exception as e:
            raise self._node_failed(e, p, me)

    # -- errors -------------------------------------------------------------------------------
    def _node_failed(self, err, p, slot):
        """Prefix `err` (in place, type kept) with the node that raised it; in debug mode also
        draw the graph with that node in red and give the picture's path."""
        number = p.node_of.get(slot)
        if number is None:
            return err
        prefix = f"In {self.forwardnodes[number].describe(number)}: "
        suffix = ''
        if _export.DEBUG['on']:
            path = _export.write_debug_graph(self, number, err)
            suffix = f" [graph with the failing node in red: {path}]"
        if err.args and isinstance(err.args[0], str):
            err.args = (prefix + err.args[0] + suffix,) + err.args[1:]
        else:
            err.args = (prefix + str(err) + suffix,)
        return err

    # -- the plan and what invalidates it -------------------------------------------------------
    def _compile(self):
        self._plan = compile_plan(self)
        return self._plan

    def type(self, typename=None, tensorCache=None):
        if typename is None:
            return super().type()
        self._plan = None                 # its buffers and saved values have the old type
        super().type(typename, tensorCache)
        self._plan = None
        return self

    def clearState(self):
        """Empty the buffers of every module and forget the values and gradients the nodes
        saw (the plan is rebuilt on the next forward)."""
        super().clearState()
        self._plan = None
        return self

    def replace(self, fn):
        """Replace every module (recursively) by fn(module), in the nodes too; returns fn(self)."""
        out = fn(self)
        for node in self.forwardnodes:
            m = node.module
            if m is not None:
                new = m.replace(fn)
                if new is not m:
                    self.modules[self.modules.index(m)] = new
                    node.module = new
        self._plan = None
        return out

    def map(self, other, fn):
        """fn(module, other_module) for every pair of modules of two gModules of the same shape
        (say, a model and its clone)."""
        if len(other.forwardnodes) != len(self.forwardnodes):
            raise ValueError(f"map: the graphs differ ({len(self.forwardnodes)} and "
                             f"{len(other.forwardnodes)} nodes)")
        for i, (a, b) in enumerate(zip(self.forwardnodes, other.forwardnodes)):
            if (a.module is None) != (b.module is None):
                raise ValueError(f"map: node {i} has a module in one graph only")
            if a.module is not None:
                fn(a.module, b.module)
        return self

    # -- copying and saving -------------------------------------------------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop('_plan', None)
        return state

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields = Container._torchLoadFields.__func__(cls, fields, version)
        for key in ('output', 'gradInput'):
            if isinstance(fields.get(key), dict):     # an empty list saves as an empty table
                fields[key] = []
        return fields

    # -- printing -----------------------------------------------------------------------------
    def __repr__(self):
        index = {n: i for i, n in enumerate(self.forwardnodes)}
        head = self._typename if self.name is None else f"{self._typename} {self.name!r}"
        lines = [head + ' {', '  inputs: ' + ', '.join(f'node {index[n]}'
                                                      for n in self.inputNodes)]
        for i, n in enumerate(self.forwardnodes):
            name = n.annotations.get('name')
            what = (str(n.module) if n.module is not None else n.kind()).replace('\n', '\n    ')
            text = f"  node {i}{'' if name is None else ' ' + repr(name)}"
            if n.inputs:
                text += ' <- ' + ', '.join(f'node {index[x]}' for x in n.inputs)
            lines.append(f"{text}: {what}")
        lines.append('  outputs: ' + ', '.join(f'node {index[n]}' for n in self.outputNodes))
        lines.append('}')
        return '\n'.join(lines)

    def __str__(self):
        return self.__repr__()

