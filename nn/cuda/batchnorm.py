"""BatchNormalization and SpatialBatchNormalization on the device, with the launchers of
kernels/cuda/batchnorm.py in the order its docstring gives, on an (N, C, S) view of the input.
The CPU module (nn/batchnorm.py) folds the per-channel coefficients in float64 numpy; here they
are folded on the device in float32 (fold_forward / fold_backward), so results agree with the
CPU to float32 tolerance. Fields, checks and the train / evaluate rules are the CPU module's."""
from .. import batchnorm as _cpu
from ._common import check_float, dev3, dev_or_none, kernels, scratch


def _layout(self, input):
    """(N, C, S) of the input (a single sample counts as N = 1)."""
    C = self._nFeatures()
    N = input.size(0) if input.dim() == self.nDim else 1
    return N, C, input.nElement() // (N * C)


def _params(self):
    return dev_or_none(self.__dict__.get('weight')), dev_or_none(self.__dict__.get('bias'))


def _running_coefficients(self, K, C, invstd, scale, shift):
    """Evaluate-mode folding: invstd (and scale/shift) from the running estimates."""
    w, b = _params(self)
    K.fold_forward(None, None, invstd, self.running_mean._dev_flat(),
                   self.running_var._dev_flat(), w, b, scale, shift, self.eps, self.momentum,
                   1, False)


def _update_output(self, input):
    check_float(self, input)
    self._check(input)
    N, C, S = _layout(self, input)
    n = N * S
    K = kernels('batchnorm')
    x3 = dev3(input.contiguous(), N, C, S)
    out = self.output.resizeAs(input)
    var, scale, shift, invstd = scratch(4, C)
    if self._batchStats(n):
        mean = self.save_mean.resize(C)._dev_flat()
        invstd = self.save_std.resize(C)._dev_flat()
        w, b = _params(self)
        K.batch_stats(x3, mean, var)
        K.fold_forward(mean, var, invstd, self.running_mean._dev_flat(),
                       self.running_var._dev_flat(), w, b, scale, shift, self.eps,
                       self.momentum, n, True)
    else:
        _running_coefficients(self, K, C, invstd, scale, shift)
    K.affine(x3, dev3(out, N, C, S), scale, shift)
    return out


def _backward(self, input, gradOutput, scale, want_input, want_params):
    check_float(self, input)
    check_float(self, gradOutput, 'gradOutput')
    self._checkGradOutput(input, gradOutput)
    N, C, S = _layout(self, input)
    n = N * S
    K = kernels('batchnorm')
    x3 = dev3(input.contiguous(), N, C, S)
    g3 = dev3(gradOutput.contiguous(), N, C, S)
    sum_g, dot, a, b, d, invstd, sc, sh = scratch(8, C)
    train = self._batchStats(n)
    if train:
        if self.save_mean.nElement() != C or self.save_std.nElement() != C:
            raise RuntimeError(f"{self._typename}: backward needs the batch statistics of a "
                               f"forward in training mode; call forward first")
        mean, invstd = self.save_mean._dev_flat(), self.save_std._dev_flat()
    else:
        mean = self.running_mean._dev_flat()
        _running_coefficients(self, K, C, invstd, sc, sh)
    gw = self.__dict__.get('gradWeight')
    want_params = want_params and self.affine and gw is not None
    if train or want_params:
        K.grad_sums(x3, g3, mean, sum_g, dot)
    gb = self.__dict__.get('gradBias')
    K.fold_backward(mean, invstd, _params(self)[0], sum_g, dot, a, b, d,
                    dev_or_none(gw) if want_params else None,
                    dev_or_none(gb) if want_params else None, n, scale, train, want_params)
    if want_input:
        gin = self.gradInput.resizeAs(input)
        if train:
            K.grad_input_train(x3, g3, dev3(gin, N, C, S), a, b, d)
        else:
            K.affine(g3, dev3(gin, N, C, S), a, d)
    return self.gradInput


def _update_grad_input(self, input, gradOutput):
    return _backward(self, input, gradOutput, 1, True, False)


def _acc_grad_parameters(self, input, gradOutput, scale=1):
    _backward(self, input, gradOutput, scale, False, True)


def _backward_both(self, input, gradOutput, scale=1):
    return _backward(self, input, gradOutput, scale, True, True)


class BatchNormalization(_cpu.BatchNormalization, device='cuda'):
    updateOutput = _update_output
    updateGradInput = _update_grad_input
    accGradParameters = _acc_grad_parameters
    backward = _backward_both


class SpatialBatchNormalization(_cpu.SpatialBatchNormalization, device='cuda'):
    updateOutput = _update_output
    updateGradInput = _update_grad_input
    accGradParameters = _acc_grad_parameters
    backward = _backward_both
