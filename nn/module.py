"""nn.Module: the three-method protocol every layer implements (reference §2.1).

A module keeps its state in plain attributes, as Torch7 did in fields: `output` and `gradInput`
are buffers reused across calls, `weight`/`bias` and `gradWeight`/`gradBias` hold parameters and
their accumulated gradients, `train` says whether it is in training mode.

    forward(input)                  = updateOutput(input)
    backward(input, gradOutput, s)  = updateGradInput(input, gradOutput)
                                      + accGradParameters(input, gradOutput, s)

Gradients accumulate: call zeroGradParameters() between steps.
"""
import copy

import torchlike as torch

from . import device as _device
from . import flatten as _flatten
from . import utils as _utils

_graph_hook = {'call': None}   # set by nngraph: module(node) builds graph nodes


def _is_graph_input(args):
    hook = _graph_hook['call']
    return hook is not None and hook.accepts(args)


class Module:
    """Base class of every layer. Subclasses override updateOutput, updateGradInput and, when
    they have parameters, accGradParameters (and parameters() for parameters not called
    weight/bias)."""

    _typename = 'nn.Module'
    gradInput = None   # what a module saved with gradInput = None (Lua nil) loads back as

    def __init_subclass__(cls, device=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if device is not None:   # a device twin (see nn/device.py): same Torch class as its base
            cls._typename = cls.__mro__[1]._typename
            _device.register_twin(cls, device)
            return
        if '_typename' not in cls.__dict__:
            cls._typename = 'nn.' + cls.__name__
        _utils.warn_if_replacing(cls)
        torch.registerClass(cls._typename, cls)

    def __init__(self):
        self.gradInput = torch.Tensor()
        self.output = torch.Tensor()
        self.train = True
        default = torch.getdefaulttensortype()
        if _device.is_cuda_type(default):   # built under setdefaulttensortype('torch.Cuda...')
            _device.check_convertible(self, default)
            _device.adopt(self, default)

    # -- the protocol ---------------------------------------------------------------------
    def updateOutput(self, input):
        return self.output

    def updateGradInput(self, input, gradOutput):
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        pass

    def forward(self, input):
        return self.updateOutput(input)

    def backward(self, input, gradOutput, scale=1):
        self.updateGradInput(input, gradOutput)
        self.accGradParameters(input, gradOutput, scale)
        return self.gradInput

    def __call__(self, *args):
        """module(input) runs forward; module(input, gradOutput) runs forward and backward and
        returns (output, gradInput). With nngraph loaded, module(node) builds a graph node."""
        if not args or _is_graph_input(args):
            hook = _graph_hook['call']
            if hook is None:
                raise TypeError(f"{self._typename}() needs an input; import nngraph to build "
                                f"graph nodes with module() or module(node)")
            return hook.make_node(self, *args)
        if len(args) == 1:
            return self.forward(args[0])
        if len(args) == 2:
            out = self.forward(args[0])
            return out, self.backward(args[0], args[1])
        raise TypeError(f"{self._typename}(input [, gradOutput]) takes at most 2 arguments")

    def accUpdateGradParameters(self, input, gradOutput, lr):
        """Update the parameters directly by -lr * dE/dW without keeping the gradients. The
        default temporarily points gradWeight/gradBias at weight/bias (valid for modules whose
        gradient is linear in the parameters, as in Torch7)."""
        if getattr(self, 'shared', False):
            self._sharedAccUpdate(input, gradOutput, lr)
            return
        saved = {}
        for p, g in (('weight', 'gradWeight'), ('bias', 'gradBias')):
            if getattr(self, p, None) is not None and getattr(self, g, None) is not None:
                saved[g] = getattr(self, g)
                setattr(self, g, getattr(self, p))
        try:
            self.accGradParameters(input, gradOutput, -lr)
        finally:
            for g, t in saved.items():
                setattr(self, g, t)

    def _sharedAccUpdate(self, input, gradOutput, lr):
        self.zeroGradParameters()
        self.accGradParameters(input, gradOutput, 1)
        self.updateParameters(lr)

    def backwardUpdate(self, input, gradOutput, lr):
        self.updateGradInput(input, gradOutput)
        self.accUpdateGradParameters(input, gradOutput, lr)
        return self.gradInput

    # -- parameters -----------------------------------------------------------------------
    def parameters(self):
        """(weights, gradWeights): lists of the parameter tensors and their gradients."""
        ws, gs = [], []
        for p, g in (('weight', 'gradWeight'), ('bias', 'gradBias')):
            w = getattr(self, p, None)
            if w is not None:
                ws.append(w)
                gs.append(getattr(self, g, None))
        return ws, gs

    def zeroGradParameters(self):
        for g in self.parameters()[1]:
            if g is not None:
                g.zero()

    def updateParameters(self, learningRate):
        ws, gs = self.parameters()
        for w, g in zip(ws, gs):
            w.add(-learningRate, g)

    def getParameters(self):
        """(flatParameters, flatGradParameters): every parameter (and gradient) re-pointed into
        one contiguous storage, so that an optimiser sees the model as one vector. Calling it
        again returns the same two tensors while nothing changed."""
        return _flatten.getParameters(self)

    def releaseFlatParameters(self):
        """Forget the flat vectors of getParameters(), allowing type conversion and re-sharing
        (the flat tensors returned earlier then no longer follow the parameters)."""
        _flatten.release(self)
        return self

    def training(self):
        self.train = True
        return self

    def evaluate(self):
        self.train = False
        return self

    def reset(self, stdv=None):
        return self

    # -- sharing, cloning, types ------------------------------------------------------------
    def share(self, other, *names):
        """Share the named fields ('weight', 'bias', 'gradWeight', ...) with `other`: both
        modules then hold the very same tensor objects."""
        for name in names:
            theirs = getattr(other, name, None)
            mine = getattr(self, name, None)
            if theirs is None or mine is None or mine is theirs:
                continue
            if not torch.isTensor(theirs):
                raise TypeError(f"share: field {name!r} of {other._typename} is not a tensor")
            _flatten.check_not_flat(mine, f"share({name!r})")
            setattr(self, name, theirs)
            self.shared = other.shared = True
        return self

    def clone(self, *names):
        """A deep copy. With names ('weight', 'bias', 'gradWeight', 'gradBias'), those fields
        of every sub-module are shared with the original instead of copied (nothing is copied
        first, so cloning a big model for weight sharing costs no extra memory)."""
        memo = {}
        if names:
            for m in self.listModules():
                for name in names:
                    t = m.__dict__.get(name)
                    if torch.isTensor(t):
                        memo[id(t)] = t
                        memo[id(t.storage())] = t.storage()
        c = copy.deepcopy(self, memo)
        if names:
            for m in c.listModules():
                m.shared = True
        return c

    def type(self, typename=None, tensorCache=None):
        """`type()` gives the tensor type name; `type(name)` converts every tensor field
        (shared storages stay shared, also across modules given the same tensorCache)."""
        if typename is None:
            return getattr(self, '_type', torch.getdefaulttensortype())
        if tensorCache is None:   # the outermost call: refuse before anything is converted
            _device.check_convertible(self, typename)
        cache = {} if tensorCache is None else tensorCache
        for key, value in list(self.__dict__.items()):
            self.__dict__[key] = _utils.recursiveType(value, typename, cache, f'{key}')
        self._type = typename
        _device.adopt(self, typename)
        return self

    def cuda(self, *args):
        """Move every tensor to the GPU (torch.CudaTensor) and compute there from now on."""
        return self.type('torch.CudaTensor', *args)

    def float(self, *args):
        return self.type('torch.FloatTensor', *args)

    def double(self, *args):
        return self.type('torch.DoubleTensor', *args)

    # -- traversal --------------------------------------------------------------------------
    def apply(self, fn):
        """Call fn(module) on self and every sub-module, pre-order."""
        fn(self)
        for m in getattr(self, 'modules', None) or []:
            m.apply(fn)
        return self

    def replace(self, fn):
        """Replace self and, recursively, each sub-module by fn(module)."""
        out = fn(self)
        mods = getattr(out, 'modules', None)
        if mods:
            for i, m in enumerate(mods):
                mods[i] = m.replace(fn)
        return out

    def listModules(self):
        """Self and every sub-module, pre-order."""
        out = [self]
        for m in getattr(self, 'modules', None) or []:
            out.extend(m.listModules())
        return out

    def findModules(self, typename, container=None):
        """(modules, containers): every sub-module whose typename is `typename` ('nn.Linear'
        or a class), with the container holding each (self for a top-level match)."""
        nodes, containers = [], []
        if _matches(self, typename):
            nodes.append(self)
            containers.append(container if container is not None else self)
        for m in getattr(self, 'modules', None) or []:
            n, c = m.findModules(typename, self)
            nodes.extend(n)
            containers.extend(c)
        return nodes, containers

    def clearState(self):
        """Empty output, gradInput and cached buffers (before saving); returns self."""
        return _utils.clear(self, 'output', 'gradInput', *getattr(self, '_buffers', ()))

    # -- serialization (torch.save / torch.load) --------------------------------------------
    _transient = ()   # fields a subclass keeps between calls but never writes to a file

    def _torchFields(self):
        """The fields written to a .t7 file: everything but the getParameters bookkeeping and
        the class's `_transient` fields."""
        fields = dict(self.__dict__)
        fields.pop('_flatParameters', None)
        for name in self._transient:
            fields.pop(name, None)
        return fields

    def _torchAfterLoad(self):
        """Called by torch.load once the fields are set: the class follows the device the
        tensors were loaded on (the CUDA twin, or the CPU class when a file written from CUDA
        loads where CUDA is not available)."""
        _device.adopt_loaded(self)

    # -- printing ---------------------------------------------------------------------------
    def __repr__(self):
        return self._typename

    def __str__(self):
        return self.__repr__()


def _matches(module, typename):
    if isinstance(typename, str):
        return module._typename == typename
    return isinstance(module, typename)
