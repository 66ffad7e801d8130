"""Containers whose output is a list (a Lua table): ConcatTable, ParallelTable, MapTable."""
from torchlike._core import fmt_size

from .container import Container
from . import utils as _utils


def _accumulate(target, grad, first):
    """target = grad (first child) or target += grad, through nested lists; returns target."""
    if first:
        return _utils.recursiveCopy(target, grad)
    if isinstance(grad, (list, tuple)):
        for i, g in enumerate(grad):
            target[i] = _accumulate(target[i], g, False)
        return target
    if target.size() != grad.size():
        raise ValueError(f"ConcatTable: gradients of size {fmt_size(target.size())} and "
                         f"{fmt_size(grad.size())} cannot be summed")
    return target.add(grad)


class ConcatTable(Container):
    """Every child gets the same input; the output is the list of their outputs."""
    _device_agnostic = True   # tensor methods only: runs on any device

    def updateOutput(self, input):
        self.output = [self._call(i, m.updateOutput, input) for i, m in enumerate(self.modules)]
        return self.output

    def _backward(self, input, gradOutput, method, *extra):
        self._check_gradOutput(gradOutput)
        for i, (m, g) in enumerate(zip(self.modules, gradOutput)):
            gi = self._call(i, getattr(m, method), input, g, *extra)
            self.gradInput = _accumulate(self.gradInput, gi, i == 0)
        return self.gradInput

    def _check_gradOutput(self, gradOutput):
        if not isinstance(gradOutput, (list, tuple)) or len(gradOutput) != len(self.modules):
            got = len(gradOutput) if isinstance(gradOutput, (list, tuple)) else \
                type(gradOutput).__name__
            raise ValueError(f"{self._typename}: gradOutput must be a list of "
                             f"{len(self.modules)} gradients, got {got}")

    def updateGradInput(self, input, gradOutput):
        return self._backward(input, gradOutput, 'updateGradInput')

    def backward(self, input, gradOutput, scale=1):
        return self._backward(input, gradOutput, 'backward', scale)

    def accGradParameters(self, input, gradOutput, scale=1):
        self._check_gradOutput(gradOutput)
        for i, (m, g) in enumerate(zip(self.modules, gradOutput)):
            self._call(i, m.accGradParameters, input, g, scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self._check_gradOutput(gradOutput)
        for i, (m, g) in enumerate(zip(self.modules, gradOutput)):
            self._call(i, m.accUpdateGradParameters, input, g, lr)


class ParallelTable(Container):
    """Child i gets input[i]; the output is the list of their outputs."""
    _device_agnostic = True   # tensor methods only: runs on any device

    def _check(self, x, what):
        if not isinstance(x, (list, tuple)) or len(x) != len(self.modules):
            got = len(x) if isinstance(x, (list, tuple)) else type(x).__name__
            raise ValueError(f"{self._typename}: {what} must be a list of {len(self.modules)} "
                             f"entries, got {got}")

    def updateOutput(self, input):
        self._check(input, 'input')
        self.output = [self._call(i, m.updateOutput, x)
                       for i, (m, x) in enumerate(zip(self.modules, input))]
        return self.output

    def _each(self, input, gradOutput, method, *extra):
        self._check(input, 'input')
        self._check(gradOutput, 'gradOutput')
        return [self._call(i, getattr(m, method), x, g, *extra)
                for i, (m, x, g) in enumerate(zip(self.modules, input, gradOutput))]

    def updateGradInput(self, input, gradOutput):
        self.gradInput = self._each(input, gradOutput, 'updateGradInput')
        return self.gradInput

    def backward(self, input, gradOutput, scale=1):
        self.gradInput = self._each(input, gradOutput, 'backward', scale)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        self._each(input, gradOutput, 'accGradParameters', scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self._each(input, gradOutput, 'accUpdateGradParameters', lr)


class MapTable(ParallelTable):
    """One module applied to every entry of a list input. Clones are made as needed; with
    `shared` (the default) they share the prototype's weight, bias and gradients, and the
    parameters are reported once (so updateParameters applies the shared gradient once)."""
    _device_agnostic = True   # tensor methods only: runs on any device

    SHARED = ('weight', 'bias', 'gradWeight', 'gradBias')

    def __init__(self, module, shared=True):
        super().__init__()
        self.module = module
        self.shared = shared
        self.modules = [module]

    def _extend(self, n):
        while len(self.modules) < n:
            names = self.SHARED if self.shared else ()
            self.modules.append(self.module.clone(*names))

    def _check(self, x, what):
        if not isinstance(x, (list, tuple)):
            raise ValueError(f"{self._typename}: {what} must be a list, got "
                             f"{type(x).__name__}")
        self._extend(len(x))
        if len(x) > len(self.modules):
            raise ValueError(f"{self._typename}: {what} has {len(x)} entries")

    def _each(self, input, gradOutput, method, *extra):
        self._check(input, 'input')
        self._check(gradOutput, 'gradOutput')
        return [self._call(i, getattr(m, method), x, g, *extra)
                for i, (m, x, g) in enumerate(zip(self.modules, input, gradOutput))]

    def updateOutput(self, input):
        self._check(input, 'input')
        self.output = [self._call(i, m.updateOutput, x)
                       for i, (m, x) in enumerate(zip(self.modules, input))]
        return self.output

    def parameters(self):
        if self.shared:
            return self.module.parameters()
        return super().parameters()

    def zeroGradParameters(self):
        if self.shared:
            self.module.zeroGradParameters()
        else:
            super().zeroGradParameters()

    def updateParameters(self, learningRate):
        if self.shared:
            self.module.updateParameters(learningRate)
        else:
            super().updateParameters(learningRate)

    def clearState(self):
        self.modules = [self.module]
        return super().clearState()

    def __repr__(self):
        return f"{self._typename} {{\n  " + str(self.module).replace('\n', '\n  ') + "\n}"
