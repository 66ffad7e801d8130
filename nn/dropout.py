"""nn.Dropout and nn.SpatialDropout.

Dropout zeroes each input element with probability p while training. The default (Torch7's
"v2") scales the kept elements by 1/(1-p) during training, so evaluation is the identity;
`v1=True` keeps the old scheme (no scaling in training, multiply by 1-p when evaluating). The
mask lives in the `noise` buffer and is drawn from torchlike's generator, so
`torch.manualSeed(s)` reproduces it; backward multiplies by the same mask.

SpatialDropout drops whole feature maps (one draw per sample and channel), with Torch7's
scheme: no scaling while training, multiply by 1-p when evaluating.
"""
import numpy as np

import torchlike as torch

from .checks import check_input
from ._helpers import _buffer, _check_grad
from .module import Module


def _check_p(module, p):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) \
            or not 0 <= p < 1:
        raise ValueError(f"{module._typename}: illegal probability p={p!r}, must be "
                         f"0 <= p < 1")


class Dropout(Module):
    _buffers = ('noise',)
    _transient = ('_masked',)

    def __init__(self, p=0.5, v1=False, inplace=False, stochasticInference=False):
        _check_p(self, p)
        super().__init__()
        self.p = p
        self.v2 = not v1
        self.inplace = bool(inplace)
        self.stochastic_inference = bool(stochasticInference)
        self.noise = torch.Tensor()

    def setp(self, p):
        _check_p(self, p)
        self.p = p
        return self

    def _masking(self):
        """Whether forward draws a mask now."""
        return self.p > 0 and (self.train or self.stochastic_inference)

    def updateOutput(self, input):
        if not torch.isTensor(input):
            raise TypeError(f"{self._typename}: expected a tensor input, got "
                            f"{type(input).__name__}")
        if self.inplace:
            _buffer(self, 'output', input).set(input)
        else:
            _buffer(self, 'output', input).resizeAs(input).copy(input)
        if self._masking():
            _buffer(self, 'noise', input).resizeAs(input).bernoulli(1 - self.p)
            if self.v2:
                self.noise.div(1 - self.p)
            self.output.cmul(self.noise)
            self._masked = True
        else:
            if self.p > 0 and not self.v2:
                self.output.mul(1 - self.p)
            self._masked = False
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_grad(self, gradOutput, input.size())
        if self.inplace:
            _buffer(self, 'gradInput', gradOutput).set(gradOutput)
        else:
            _buffer(self, 'gradInput', gradOutput).resizeAs(gradOutput).copy(gradOutput)
        if getattr(self, '_masked', self.train and self.p > 0):
            # the mask of the last forward (also with stochasticInference when evaluating)
            self.gradInput.cmul(self.noise)
        elif self.p > 0 and not self.v2:
            self.gradInput.mul(1 - self.p)
        return self.gradInput

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields.setdefault('p', 0.5)
        fields.setdefault('v2', True)
        fields['inplace'] = bool(fields.get('inplace'))
        fields['stochastic_inference'] = bool(fields.get('stochastic_inference'))
        fields.setdefault('train', True)
        if not torch.isTensor(fields.get('noise')):
            fields['noise'] = torch.Tensor()
        return fields

    def __repr__(self):
        return f"{self._typename}({self.p:f})"


class SpatialDropout(Module):
    """Zeroes whole feature maps of a C x H x W (or N x C x H x W) input with probability p."""
    _buffers = ('noise',)
    _transient = ('_masked',)

    def __init__(self, p=0.5, stochasticInference=False):
        _check_p(self, p)
        super().__init__()
        self.p = p
        self.stochastic_inference = bool(stochasticInference)
        self.noise = torch.Tensor()

    def setp(self, p):
        _check_p(self, p)
        self.p = p
        return self

    def _noiseShape(self, input):
        check_input(self, input, (3, 4), "C x H x W feature maps or a batch N x C x H x W")
        s = input.size()
        return (s[0], 1, 1) if input.dim() == 3 else (s[0], s[1], 1, 1)

    def updateOutput(self, input):
        shape = self._noiseShape(input)
        _buffer(self, 'output', input).resizeAs(input).copy(input)
        if self.train or self.stochastic_inference:
            _buffer(self, 'noise', input).resize(*shape).bernoulli(1 - self.p)
            self.output.numpy()[...] *= self.noise.numpy()
            self._masked = True
        else:
            self.output.mul(1 - self.p)
            self._masked = False
        return self.output

    def updateGradInput(self, input, gradOutput):
        self._noiseShape(input)
        _check_grad(self, gradOutput, input.size())
        _buffer(self, 'gradInput', gradOutput).resizeAs(gradOutput).copy(gradOutput)
        if getattr(self, '_masked', self.train):
            self.gradInput.numpy()[...] *= self.noise.numpy()
        else:
            self.gradInput.mul(1 - self.p)
        return self.gradInput

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields.setdefault('p', 0.5)
        fields['stochastic_inference'] = bool(fields.get('stochastic_inference'))
        fields.setdefault('train', True)
        if not torch.isTensor(fields.get('noise')):
            fields['noise'] = torch.Tensor()
        return fields

    def __repr__(self):
        return f"{self._typename}({self.p:f})"
