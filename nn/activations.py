"""Transfer functions: Threshold, ReLU, ReLU6, HardTanh, Clamp, LeakyReLU, ELU, SoftPlus,
LogSigmoid, Tanh, Sigmoid, SoftSign, AddConstant, MulConstant.

Each is a few numpy ufunc calls writing into the module's reused buffers (`out=`), with no
per-call temporaries: comparisons go to a reused boolean mask (`_mask`), and the few formulas
that need a second array use a reused scratch buffer.

In-place modules (`inplace=True`) follow Torch7: forward overwrites the input and `output`
shares its storage (`output.set(input)`); backward overwrites gradOutput and `gradInput` shares
its storage. The gradient is still exact because every in-place formula can be evaluated from
the overwritten input (which is why Threshold refuses in-place mode when val > threshold, and
LeakyReLU drops it for a negative slope). AddConstant and MulConstant restore the input in
backward, as Torch7 did.

Modules without parameters work on FloatTensor and DoubleTensor input and follow the input's
type (their buffers are re-created when the type changes), so a float input needs no
`module.float()` first.
"""
import numpy as np

from torchlike._core import fmt_size

from ._helpers import (check_flag, check_number, float_array, grad_array, grad_input_array,
                       mask_array, output_array, scratch_array)
from .module import Module

class _Transfer(Module):
    """Base of the element-wise transfer functions: in-place flag, buffers, input checks."""
    inplace = False
    _buffers = ('_mask', '_buffer')

    def _begin_inplace(self, input):
        """Point output at input (Torch7's output:set(input))."""
        if self.output._dtype != input._dtype:
            self.output = input.new()
        self.output.set(input)

    def _end_inplace_grad(self, gradOutput):
        if self.gradInput._dtype != gradOutput._dtype:
            self.gradInput = gradOutput.new()
        self.gradInput.set(gradOutput)
        return self.gradInput


# -- thresholds ----------------------------------------------------------------------------------
class Threshold(_Transfer):
    """y = x if x > threshold else val. With inplace=True the input is overwritten (needs
    val <= threshold, so that backward can still tell which entries were replaced)."""

    def __init__(self, th=1e-6, v=0, ip=False):
        super().__init__()
        self.threshold = check_number(self, 'threshold', th)
        self.val = check_number(self, 'val', v)
        self.inplace = check_flag(self, 'in-place', ip)
        self.validateParameters()

    def validateParameters(self):
        if self.inplace and self.val > self.threshold:
            raise ValueError(f"{self._typename}: in-place processing requires value "
                             f"({self.val}) not exceed threshold ({self.threshold})")

    def updateOutput(self, input):
        self.validateParameters()
        a = float_array(self, input)
        th, v = self.threshold, self.val
        if self.inplace:
            if th == 0 and v == 0:
                np.maximum(a, 0, out=a)
            else:
                mask = np.less_equal(a, th, out=mask_array(self, a.shape))
                np.copyto(a, v, where=mask)
            self._begin_inplace(input)
            return self.output
        out = output_array(self, input, a)
        if th == 0 and v == 0:
            np.maximum(a, 0, out=out)
        else:
            mask = np.less_equal(a, th, out=mask_array(self, a.shape))
            np.copyto(out, a)
            np.copyto(out, v, where=mask)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.validateParameters()
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        keep = np.greater(a, self.threshold, out=mask_array(self, a.shape))
        if self.inplace:
            np.multiply(g, keep, out=g)
            return self._end_inplace_grad(gradOutput)
        np.multiply(g, keep, out=grad_input_array(self, input, a))
        return self.gradInput


class ReLU(Threshold):
    """max(0, x) (Threshold(0, 0)); ReLU(True) works in place."""

    def __init__(self, ip=False):
        super().__init__(0, 0, ip)


class HardTanh(_Transfer):
    """Clamps to [min_val, max_val]; the gradient is zero outside the open interval."""

    def __init__(self, min_value=-1, max_value=1, inplace=False):
        super().__init__()
        self.min_val = check_number(self, 'min_value', min_value)
        self.max_val = check_number(self, 'max_value', max_value)
        self.inplace = check_flag(self, 'in-place', inplace)
        if not self.max_val > self.min_val:
            raise ValueError(f"{self._typename}: max_value ({self.max_val}) must be larger than "
                             f"min_value ({self.min_val})")

    def updateOutput(self, input):
        a = float_array(self, input)
        if self.inplace:
            np.clip(a, self.min_val, self.max_val, out=a)
            self._begin_inplace(input)
            return self.output
        np.clip(a, self.min_val, self.max_val, out=output_array(self, input, a))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        inside, below = mask_array(self, a.shape, 2)
        np.greater(a, self.min_val, out=inside)
        np.less(a, self.max_val, out=below)
        np.logical_and(inside, below, out=inside)
        if self.inplace:
            np.multiply(g, inside, out=g)
            return self._end_inplace_grad(gradOutput)
        np.multiply(g, inside, out=grad_input_array(self, input, a))
        return self.gradInput


class Clamp(HardTanh):
    """HardTanh with given bounds: Clamp(min, max)."""

    def __init__(self, min_value, max_value):
        super().__init__(min_value, max_value)


class ReLU6(HardTanh):
    """min(max(0, x), 6); ReLU6(True) works in place."""

    def __init__(self, inplace=False):
        super().__init__(0, 6, inplace)

    @classmethod
    def _torchLoadFields(cls, fields, version):
        # Lua's ReLU6 keeps no bounds: they are fixed
        fields.setdefault('min_val', 0)
        fields.setdefault('max_val', 6)
        return fields

    def _torchFields(self):
        fields = super()._torchFields()
        fields.pop('min_val', None)
        fields.pop('max_val', None)
        return fields


class LeakyReLU(_Transfer):
    """x if x > 0 else negval * x. A negative slope turns in-place mode off (as Torch7)."""

    def __init__(self, negval=1 / 100, ip=False):
        super().__init__()
        if isinstance(negval, bool):           # LeakyReLU(True): Torch7 read it as the flag
            negval, ip = 1 / 100, negval
        self.negval = check_number(self, 'negval', negval)
        self.inplace = check_flag(self, 'in-place', ip) and self.negval >= 0

    def updateOutput(self, input):
        a = float_array(self, input)
        neg = self.negval
        if self.inplace and neg >= 0:
            mask = np.less_equal(a, 0, out=mask_array(self, a.shape))
            np.multiply(a, neg, out=a, where=mask)
            self._begin_inplace(input)
            return self.output
        out = output_array(self, input, a)
        if 0 <= neg <= 1:
            np.multiply(a, neg, out=out)
            np.maximum(out, a, out=out)       # x > 0: x;  x <= 0: neg*x >= x
        else:
            mask = np.greater(a, 0, out=mask_array(self, a.shape))
            np.multiply(a, neg, out=out)
            np.copyto(out, a, where=mask)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        mask = np.less_equal(a, 0, out=mask_array(self, a.shape))
        if self.inplace and self.negval >= 0:
            np.multiply(g, self.negval, out=g, where=mask)
            return self._end_inplace_grad(gradOutput)
        gin = grad_input_array(self, input, a)
        np.copyto(gin, g)
        np.multiply(gin, self.negval, out=gin, where=mask)
        return self.gradInput

    def __repr__(self):
        return f"{self._typename}({self.negval:g})"


class ELU(_Transfer):
    """x if x > 0 else alpha * (exp(x) - 1) (Clevert et al. 2015)."""

    def __init__(self, alpha=1, inplace=False):
        super().__init__()
        self.alpha = check_number(self, 'alpha', alpha)
        self.inplace = check_flag(self, 'in-place', inplace)

    def updateOutput(self, input):
        a = float_array(self, input)
        if self.inplace:
            mask = np.less_equal(a, 0, out=mask_array(self, a.shape))
            np.expm1(a, out=a, where=mask)
            np.multiply(a, self.alpha, out=a, where=mask)
            self._begin_inplace(input)
            return self.output
        out = output_array(self, input, a)
        np.minimum(a, 0, out=out)
        np.expm1(out, out=out)
        out *= self.alpha
        np.copyto(out, a, where=np.greater(a, 0, out=mask_array(self, a.shape)))
        return self.output

    def updateGradInput(self, input, gradOutput):
        # from the output, as THNN: dy/dx = y + alpha where y <= 0, else 1
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        y = self.output._arr()
        if y.shape != a.shape:
            raise ValueError(f"{self._typename}: run forward before backward (output has size "
                             f"{fmt_size(y.shape)}, input {fmt_size(a.shape)})")
        if self.inplace:
            mask = np.less_equal(y, 0, out=mask_array(self, a.shape))
            factor = np.add(y, self.alpha, out=scratch_array(self, y))
            np.multiply(g, factor, out=g, where=mask)
            return self._end_inplace_grad(gradOutput)
        gin = grad_input_array(self, input, a)
        np.add(y, self.alpha, out=gin)
        gin *= g
        np.copyto(gin, g, where=np.greater(y, 0, out=mask_array(self, a.shape)))
        return self.gradInput

    def __repr__(self):
        return f"{self._typename} (alpha:{self.alpha:f})"


# -- smooth functions ----------------------------------------------------------------------------
class SoftPlus(_Transfer):
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold (20)."""

    def __init__(self, beta=1):
        super().__init__()
        self.beta = check_number(self, 'beta', beta)
        if self.beta == 0:
            raise ValueError(f"{self._typename}: beta must not be 0")
        self.threshold = 20

    def _linear_mask(self, v, shape):
        """beta * v > threshold (without forming beta * v)."""
        mask = mask_array(self, shape)
        limit = self.threshold / self.beta
        return (np.greater if self.beta > 0 else np.less)(v, limit, out=mask)

    def updateOutput(self, input):
        a = float_array(self, input)
        out = output_array(self, input, a)
        beta = self.beta
        np.multiply(a, beta, out=out)
        np.minimum(out, self.threshold, out=out)    # exp() stays finite
        np.exp(out, out=out)
        np.log1p(out, out=out)
        out /= beta
        np.copyto(out, a, where=self._linear_mask(a, a.shape))
        return self.output

    def updateGradInput(self, input, gradOutput):
        # from the output, as THNN: dy/dx = 1 - exp(-beta * y)
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        y = self.output._arr()
        if y.shape != a.shape:
            raise ValueError(f"{self._typename}: run forward before backward (output has size "
                             f"{fmt_size(y.shape)}, input {fmt_size(a.shape)})")
        gin = grad_input_array(self, input, a)
        np.multiply(y, -self.beta, out=gin)
        np.expm1(gin, out=gin)
        np.negative(gin, out=gin)
        gin *= g
        np.copyto(gin, g, where=self._linear_mask(y, a.shape))
        return self.gradInput


class LogSigmoid(_Transfer):
    """log(1 / (1 + exp(-x))), computed without overflow. `buffer` keeps exp(-|x|)."""
    _buffers = ('_mask', 'buffer')

    def updateOutput(self, input):
        a = float_array(self, input)
        out = output_array(self, input, a)
        buf = scratch_array(self, a, 'buffer')
        np.abs(a, out=buf)
        np.negative(buf, out=buf)
        np.exp(buf, out=buf)                      # e = exp(-|x|) in (0, 1]
        np.log1p(buf, out=out)
        np.negative(out, out=out)                 # -log(1 + e)
        neg = np.less(a, 0, out=mask_array(self, a.shape))
        np.add(out, a, out=out, where=neg)        # x < 0: x - log(1 + e)
        return self.output

    def updateGradInput(self, input, gradOutput):
        # d/dx = sigmoid(-x) = e / (1 + e) for x >= 0, 1 / (1 + e) for x < 0
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        buf = self.__dict__.get('buffer')
        if buf is None or buf._arr().shape != a.shape:
            raise ValueError(f"{self._typename}: run forward before backward")
        e = buf._arr()
        gin = grad_input_array(self, input, a)
        np.add(e, 1, out=gin)
        np.divide(g, gin, out=gin)
        np.multiply(gin, e, out=gin, where=np.greater_equal(a, 0, out=mask_array(self, a.shape)))
        return self.gradInput


class Tanh(_Transfer):
    """tanh(x); the gradient is computed from the output: 1 - y^2."""
    _buffers = ()

    def updateOutput(self, input):
        a = float_array(self, input)
        np.tanh(a, out=output_array(self, input, a))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        y = self.output._arr()
        gin = grad_input_array(self, input, a)
        np.multiply(y, y, out=gin)
        np.subtract(1, gin, out=gin)
        gin *= g
        return self.gradInput


class Sigmoid(_Transfer):
    """1 / (1 + exp(-x)); the gradient is computed from the output: y (1 - y)."""
    _buffers = ()

    def updateOutput(self, input):
        a = float_array(self, input)
        out = output_array(self, input, a)
        np.negative(a, out=out)
        with np.errstate(over='ignore'):          # exp(-x) = inf gives exactly 0
            np.exp(out, out=out)
        out += 1
        np.reciprocal(out, out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        y = self.output._arr()
        gin = grad_input_array(self, input, a)
        np.subtract(1, y, out=gin)
        gin *= y
        gin *= g
        return self.gradInput


class SoftSign(_Transfer):
    """x / (1 + |x|)."""
    _buffers = ()

    def updateOutput(self, input):
        a = float_array(self, input)
        out = output_array(self, input, a)
        np.abs(a, out=out)
        out += 1
        np.divide(a, out, out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        gin = grad_input_array(self, input, a)
        np.abs(a, out=gin)
        gin += 1
        np.square(gin, out=gin)
        np.divide(g, gin, out=gin)
        return self.gradInput


# -- constants -----------------------------------------------------------------------------------
class AddConstant(_Transfer):
    """x + c. In place, backward restores the input (subtracts c again)."""
    _buffers = ()

    def __init__(self, constant_scalar, ip=False):
        super().__init__()
        self.constant_scalar = check_number(self, 'the constant', constant_scalar)
        self.inplace = check_flag(self, 'in-place', ip)

    def updateOutput(self, input):
        a = float_array(self, input)
        if self.inplace:
            a += self.constant_scalar
            self._begin_inplace(input)
            return self.output
        np.add(a, self.constant_scalar, out=output_array(self, input, a))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        if self.inplace:
            a -= self.constant_scalar
            return self._end_inplace_grad(gradOutput)
        np.copyto(grad_input_array(self, input, a), g)
        return self.gradInput


class MulConstant(_Transfer):
    """x * c. In place, backward scales gradOutput in place and restores the input."""
    _buffers = ()

    def __init__(self, constant_scalar, ip=False):
        super().__init__()
        self.constant_scalar = check_number(self, 'the constant', constant_scalar)
        self.inplace = check_flag(self, 'in-place', ip)
        if self.inplace and constant_scalar == 0:
            raise ValueError(f"{self._typename}: in-place mode needs a non-zero constant (backward "
                             f"divides the input by it to restore it)")

    def updateOutput(self, input):
        a = float_array(self, input)
        if self.inplace:
            a *= self.constant_scalar
            self._begin_inplace(input)
            return self.output
        np.multiply(a, self.constant_scalar, out=output_array(self, input, a))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        c = self.constant_scalar
        if self.inplace:
            g *= c
            a /= c
            return self._end_inplace_grad(gradOutput)
        np.multiply(g, c, out=grad_input_array(self, input, a))
        return self.gradInput
