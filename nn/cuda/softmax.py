"""SoftMax, LogSoftMax, SoftMin, SpatialSoftMax and SpatialLogSoftMax on the device
(kernels/cuda/softmax.py), over the CPU modules' (frames, features, positions) layout
(nn/softmax.py)."""
from torchlike._core import fmt_size

from .. import softmax as _cpu
from ._common import buffer, check_float, dev3, kernels


def _update_output(self, input):
    check_float(self, input)
    if input.nElement() == 0:
        raise ValueError(f"{self._typename}: the input is empty")
    N, D, S = _cpu._frames_shape(self, tuple(input.size()))
    x = input.contiguous()
    if self._negate:
        x = buffer(self, 'mininput', x, x.size()).copy(x).neg()
    out = buffer(self, 'output', x, x.size())
    kernels('softmax').softmax_forward(dev3(x, N, D, S), dev3(out, N, D, S), self._log)
    return out


def _update_grad_input(self, input, gradOutput):
    check_float(self, input)
    check_float(self, gradOutput, 'gradOutput')
    y = self.output
    size = tuple(input.size())
    if tuple(gradOutput.size()) != size or not y._is_cuda or tuple(y.size()) != size:
        raise ValueError(f"{self._typename}: gradOutput has size {fmt_size(gradOutput.size())} "
                         f"but input and output have size {fmt_size(size)} and "
                         f"{fmt_size(y.size())} (run forward first)")
    N, D, S = _cpu._frames_shape(self, size)
    g = gradOutput.contiguous()
    gin = buffer(self, 'gradInput', g, size)
    kernels('softmax').softmax_backward(dev3(y.contiguous(), N, D, S), dev3(g, N, D, S),
                                        dev3(gin, N, D, S), self._log)
    if self._negate:
        gin.neg()
    return gin


class SoftMax(_cpu.SoftMax, device='cuda'):
    updateOutput = _update_output
    updateGradInput = _update_grad_input


class LogSoftMax(_cpu.LogSoftMax, device='cuda'):
    updateOutput = _update_output
    updateGradInput = _update_grad_input


class SoftMin(_cpu.SoftMin, device='cuda'):
    updateOutput = _update_output
    updateGradInput = _update_grad_input


class SpatialSoftMax(_cpu.SpatialSoftMax, device='cuda'):
    updateOutput = _update_output
    updateGradInput = _update_grad_input


class SpatialLogSoftMax(_cpu.SpatialLogSoftMax, device='cuda'):
    updateOutput = _update_output
    updateGradInput = _update_grad_input
