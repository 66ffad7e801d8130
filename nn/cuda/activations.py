"""Threshold, ReLU, Tanh and Sigmoid on the device: thresholds and the backward passes by the
kernels of kernels/cuda/activations.py, the Tanh/Sigmoid forwards by the CUDA tensor's own
element-wise functions. In-place modes follow the CPU modules (nn/activations.py): forward
overwrites the input and `output` views it, backward overwrites gradOutput and `gradInput`
views it."""
from .. import activations as _cpu
from ._common import buffer, check_float, check_grad_like, kernels


def _view_of(module, name, t):
    """Point the field `name` at t (Torch7's output:set(input)), re-created for another type."""
    own = module.__dict__.get(name)
    if own is None or own.__class__ is not t.__class__:
        own = module.__dict__[name] = t.new()
    return own.set(t)


def _inplace(t, fn):
    """fn(flat device array) on t's memory; a strided t goes through a contiguous copy."""
    c = t.contiguous()
    fn(c._dev_flat())
    if c is not t:
        t.copy(c)


# -- Threshold and ReLU ---------------------------------------------------------------------------
def _threshold_output(self, input):
    self.validateParameters()
    check_float(self, input)
    K = kernels('activations')
    th, v = self.threshold, self.val
    if self.inplace:
        _inplace(input, lambda a: K.threshold_forward(a, a, th, v))
        _view_of(self, 'output', input)
        return self.output
    x = input.contiguous()
    out = buffer(self, 'output', x, x.size())
    K.threshold_forward(x._dev_flat(), out._dev_flat(), th, v)
    return out


def _threshold_grad_input(self, input, gradOutput):
    self.validateParameters()
    check_float(self, input)
    g = check_grad_like(self, gradOutput, input)
    x = input.contiguous()
    K = kernels('activations')
    if self.inplace:
        _inplace(gradOutput, lambda a: K.threshold_backward(x._dev_flat(), a, a,
                                                            self.threshold))
        return _view_of(self, 'gradInput', gradOutput)
    gin = buffer(self, 'gradInput', x, x.size())
    K.threshold_backward(x._dev_flat(), g._dev_flat(), gin._dev_flat(), self.threshold)
    return gin


class Threshold(_cpu.Threshold, device='cuda'):
    updateOutput = _threshold_output
    updateGradInput = _threshold_grad_input


class ReLU(_cpu.ReLU, device='cuda'):
    updateOutput = _threshold_output
    updateGradInput = _threshold_grad_input


# -- Tanh and Sigmoid: backward from the output ---------------------------------------------------
def _smooth(fn_name, backward_name):
    def updateOutput(self, input):
        check_float(self, input)
        out = buffer(self, 'output', input, input.size())
        getattr(out, fn_name)(input)           # out = f(input), on the device
        return out

    def updateGradInput(self, input, gradOutput):
        check_float(self, input)
        g = check_grad_like(self, gradOutput, input)
        y = self.output
        if not y._is_cuda or tuple(y.size()) != tuple(input.size()):
            raise RuntimeError(f"{self._typename}: updateGradInput needs the output of a forward "
                               f"pass on this input; call forward first")
        y = y.contiguous()
        gin = buffer(self, 'gradInput', g, g.size())
        getattr(kernels('activations'), backward_name)(y._dev_flat(), g._dev_flat(),
                                                       gin._dev_flat())
        return gin
    return updateOutput, updateGradInput


class Tanh(_cpu.Tanh, device='cuda'):
    updateOutput, updateGradInput = _smooth('tanh', 'tanh_backward')


class Sigmoid(_cpu.Sigmoid, device='cuda'):
    updateOutput, updateGradInput = _smooth('sigmoid', 'sigmoid_backward')
