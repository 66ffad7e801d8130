"""Identity, Copy, and element-wise math: Exp, Log, Abs, Square, Sqrt, Power.

The math modules follow their input's type (FloatTensor or DoubleTensor) and write into their
reused output/gradInput buffers. Out-of-domain input gives NaN or inf as in Torch7 (log of a
negative number, sqrt of a negative number), without numpy warnings.
"""
import numpy as np

import torchlike as torch
from torchlike import types as _types

from ._helpers import float_array, grad_array, output_array, grad_input_array, mask_array
from .module import Module


class Identity(Module):
    """Passes its input (a tensor or a list of tensors) through: output is input, gradInput is
    gradOutput (the very same objects, no copy)."""
    _device_agnostic = True   # tensor methods only: runs on any device

    def updateOutput(self, input):
        self.output = input
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = gradOutput
        return self.gradInput

    def clearState(self):
        # output/gradInput are other modules' tensors: drop the references, never empty them
        for name in ('output', 'gradInput'):
            value = self.__dict__.get(name)
            if torch.isTensor(value):
                setattr(self, name, value.new())
            elif isinstance(value, list):
                setattr(self, name, [])
        return self


class Copy(Module):
    """Copies its input into a tensor of type `outType` (and gradients back into `inType`).

    Copy('torch.FloatTensor', 'torch.DoubleTensor') converts float input to double. When the
    two types are equal and forceCopy is false, the module passes tensors through without
    copying (output shares the input's storage). With dontCast=True, `module.type(...)` leaves
    it alone, so it keeps converting between the types it was built with."""

    def __init__(self, inType=None, outType=None, forceCopy=False, dontCast=False):
        super().__init__()
        inType = inType or torch.getdefaulttensortype()
        outType = outType or torch.getdefaulttensortype()
        self.gradInput = _types.tensor_class(inType)()
        self.output = _types.tensor_class(outType)()
        self.dontCast = bool(dontCast)
        self._passThrough = (not forceCopy) and inType == outType

    def updateOutput(self, input):
        if not torch.isTensor(input):
            raise TypeError(f"{self._typename}: expected a tensor input, got "
                            f"{type(input).__name__}")
        if self._passThrough and input._dtype == self.output._dtype:
            self.output.set(input)
            return self.output
        self.output.resize(*input.size()).copy(input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self._passThrough and gradOutput._dtype == self.gradInput._dtype:
            self.gradInput.set(gradOutput)
            return self.gradInput
        self.gradInput.resize(*gradOutput.size()).copy(gradOutput)
        return self.gradInput

    def type(self, typename=None, tensorCache=None):
        if typename is not None and getattr(self, 'dontCast', False):
            return self
        return super().type(typename, tensorCache)

    @classmethod
    def _torchLoadFields(cls, fields, version):
        # Lua's Copy replaced updateOutput/updateGradInput by pass-through closures when the
        # types were equal; those closures arrive here as inert function placeholders
        passthrough = 'updateOutput' in fields
        fields.pop('updateOutput', None)
        fields.pop('updateGradInput', None)
        fields.setdefault('_passThrough', passthrough)
        fields.setdefault('dontCast', False)
        return fields


class _Math(Module):
    """Base of the element-wise math modules."""
    _buffers = ('_mask',)


class Exp(_Math):
    """exp(x); gradient from the output."""

    def updateOutput(self, input):
        a = float_array(self, input)
        with np.errstate(over='ignore'):
            np.exp(a, out=output_array(self, input, a))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        np.multiply(self.output._arr(), g, out=grad_input_array(self, input, a))
        return self.gradInput


class Log(_Math):
    """log(x); the gradient is gradOutput / x."""

    def updateOutput(self, input):
        a = float_array(self, input)
        with np.errstate(divide='ignore', invalid='ignore'):
            np.log(a, out=output_array(self, input, a))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        with np.errstate(divide='ignore', invalid='ignore'):
            np.divide(g, a, out=grad_input_array(self, input, a))
        return self.gradInput


class Abs(_Math):
    """|x|; the gradient uses sign(x) with sign(0) = 1, as THNN."""

    def updateOutput(self, input):
        a = float_array(self, input)
        np.abs(a, out=output_array(self, input, a))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        gin = grad_input_array(self, input, a)
        np.copyto(gin, g)
        np.negative(gin, out=gin, where=np.less(a, 0, out=mask_array(self, a.shape)))
        return self.gradInput


class Square(_Math):
    """x^2; the gradient is 2 x gradOutput."""

    def updateOutput(self, input):
        a = float_array(self, input)
        np.square(a, out=output_array(self, input, a))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        gin = grad_input_array(self, input, a)
        np.multiply(a, 2, out=gin)
        gin *= g
        return self.gradInput


class Sqrt(_Math):
    """sqrt(x + eps); the gradient is gradOutput / (2 y), and 0 where y = 0 (as THNN)."""

    def __init__(self, eps=0):
        super().__init__()
        self.eps = eps

    def updateOutput(self, input):
        a = float_array(self, input)
        out = output_array(self, input, a)
        with np.errstate(invalid='ignore'):
            if self.eps:
                np.add(a, self.eps, out=out)
                np.sqrt(out, out=out)
            else:
                np.sqrt(a, out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        y = self.output._arr()
        gin = grad_input_array(self, input, a)
        with np.errstate(divide='ignore', invalid='ignore'):
            np.divide(g, y, out=gin)
        gin *= 0.5
        np.copyto(gin, 0, where=np.equal(y, 0, out=mask_array(self, a.shape)))
        return self.gradInput


class Power(_Math):
    """x^p; the gradient is p x^(p-1) gradOutput."""

    def __init__(self, p):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
            raise TypeError(f"{self._typename}(power): the power must be a number, got {p!r}")
        self.pow = p

    def updateOutput(self, input):
        a = float_array(self, input)
        with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
            np.power(a, self.pow, out=output_array(self, input, a))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        gin = grad_input_array(self, input, a)
        with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
            np.power(a, self.pow - 1, out=gin)
        gin *= g
        gin *= self.pow
        return self.gradInput
