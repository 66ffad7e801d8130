"""Containers wrapping a single module: Decorator and Bottle."""
from torchlike._core import fmt_size

from .container import Container


class Decorator(Container):
    """Forwards everything to one wrapped module (a base for modules that wrap another)."""
    _device_agnostic = True   # tensor methods only: runs on any device

    def __init__(self, module):
        super().__init__(module)

    def updateOutput(self, input):
        self.output = self._call(0, self.modules[0].updateOutput, input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = self._call(0, self.modules[0].updateGradInput, input, gradOutput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        self._call(0, self.modules[0].accGradParameters, input, gradOutput, scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self._call(0, self.modules[0].accUpdateGradParameters, input, gradOutput, lr)

    def __repr__(self):
        return f"{self._typename} @ " + str(self.modules[0])


class Bottle(Decorator):
    """Applies a module made for `nInputDim`-D input (batch dimension included) to input with
    more leading dimensions, by folding the extra leading dimensions into the batch:
    e.g. Bottle(nn.Linear(10, 3)) maps a 4x5x10 input to 4x5x3."""
    _device_agnostic = True   # tensor methods only: runs on any device

    def __init__(self, module, nInputDim=2, nOutputDim=None):
        super().__init__(module)
        self.nInputDim = nInputDim
        self.nOutputDim = nInputDim if nOutputDim is None else nOutputDim

    def _fold(self, input):
        extra = input.dim() - self.nInputDim
        if extra < 0:
            raise ValueError(f"Bottle: expected at least {self.nInputDim} dimensions, got "
                             f"input of size {fmt_size(input.size())}")
        lead = tuple(input.size())[:extra + 1]
        folded = input.contiguous().view(-1, *tuple(input.size())[extra + 1:])
        return lead, folded

    def _unfold(self, lead, t):
        return t.view(*lead, *tuple(t.size())[1:])

    def updateOutput(self, input):
        lead, folded = self._fold(input)
        out = self._call(0, self.modules[0].updateOutput, folded)
        self.output = self._unfold(lead, out)
        return self.output

    def _grad(self, gradOutput):
        lead = tuple(gradOutput.size())[:gradOutput.dim() - self.nOutputDim + 1]
        return gradOutput.contiguous().view(-1, *tuple(gradOutput.size())[len(lead):])

    def updateGradInput(self, input, gradOutput):
        lead, folded = self._fold(input)
        gi = self._call(0, self.modules[0].updateGradInput, folded, self._grad(gradOutput))
        self.gradInput = gi.view(input.size())
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _, folded = self._fold(input)
        self._call(0, self.modules[0].accGradParameters, folded, self._grad(gradOutput), scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        _, folded = self._fold(input)
        self._call(0, self.modules[0].accUpdateGradParameters, folded, self._grad(gradOutput), lr)
