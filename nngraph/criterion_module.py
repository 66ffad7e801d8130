"""nn.ModuleFromCriterion: a criterion as a graph module, so a loss can be a gModule output.

    loss = nn.MSECriterion()([prediction_node, target_node])   # with nngraph imported

Input [prediction, target]; output a 1-element tensor holding the loss; gradInput
[dloss/dprediction * gradOutput[0], zeros shaped like the target] (no gradient flows into the
target, as in Torch7).
"""
import torchlike as torch
from nn.criterion import Criterion
from nn.module import Module
from torchlike._core import fmt_size


def _scaled_copy(buf, g, scale):
    if isinstance(g, (list, tuple)):
        buf = buf if isinstance(buf, list) else []
        del buf[len(g):]
        for i, x in enumerate(g):
            if i < len(buf):
                buf[i] = _scaled_copy(buf[i], x, scale)
            else:
                buf.append(_scaled_copy(None, x, scale))
        return buf
    if not torch.isTensor(buf) or buf.__class__ is not g.__class__:
        buf = g.new()
    buf.resizeAs(g).copy(g)
    if scale != 1:
        buf.mul(scale)
    return buf


def _zeros_like(buf, x):
    if isinstance(x, (list, tuple)):
        buf = buf if isinstance(buf, list) else []
        del buf[len(x):]
        buf.extend([None] * (len(x) - len(buf)))
        for i, v in enumerate(x):
            buf[i] = _zeros_like(buf[i], v)
        return buf
    if not torch.isTensor(buf) or buf.__class__ is not x.__class__:
        buf = x.new()
    return buf.resizeAs(x).zero()


class ModuleFromCriterion(Module):
    _typename = 'nn.ModuleFromCriterion'
    _device_agnostic = True   # tensor methods only: runs on any device

    def __init__(self, criterion):
        if not isinstance(criterion, Criterion):
            raise TypeError(f"nn.ModuleFromCriterion expects an nn criterion, got "
                            f"{type(criterion).__name__}")
        super().__init__()
        self.criterion = criterion
        self.output = torch.Tensor(1)
        self.gradInput = [torch.Tensor(), torch.Tensor()]

    def _split(self, input):
        if not isinstance(input, (list, tuple)) or len(input) != 2:
            got = len(input) if isinstance(input, (list, tuple)) else type(input).__name__
            raise ValueError(f"{self._typename}: input must be a list [prediction, target], "
                             f"got {got}")
        return input

    def updateOutput(self, input):
        prediction, target = self._split(input)
        loss = self.criterion.updateOutput(prediction, target)
        self.output.resize(1).fill(loss)
        return self.output

    def updateGradInput(self, input, gradOutput):
        prediction, target = self._split(input)
        if not torch.isTensor(gradOutput) or gradOutput.nElement() != 1:
            got = fmt_size(gradOutput.size()) if torch.isTensor(gradOutput) else \
                type(gradOutput).__name__
            raise ValueError(f"{self._typename}: gradOutput must hold one number (the "
                             f"gradient of the loss), got {got}")
        scale = gradOutput.sum()     # its one number, on any device
        grad = self.criterion.updateGradInput(prediction, target)
        gi = self.gradInput
        gi[0] = _scaled_copy(gi[0], grad, scale)
        gi[1] = _zeros_like(gi[1], target)
        return gi

    def type(self, typename=None, tensorCache=None):
        if typename is not None:
            self.criterion.type(typename, tensorCache)
        return super().type(typename, tensorCache)

    def clearState(self):
        self.output = self.output.new()
        self.gradInput = [torch.Tensor(), torch.Tensor()]
        return self

    def __repr__(self):
        return f"{self._typename}({self.criterion})"
