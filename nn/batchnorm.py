"""nn.BatchNormalization (N x D) and nn.SpatialBatchNormalization (N x C x H x W).

    y = (x - mean) / sqrt(var + eps) * weight + bias        per feature / channel

Training mode normalises with the statistics of the batch and folds them into the running
estimates: running = momentum * batch + (1 - momentum) * running (the variance unbiased, as
in Torch7). Evaluate mode normalises with the running estimates and also takes a single
sample (D, or C x H x W). Fields keep Torch7's names: running_mean, running_var, save_mean,
save_std (which, as in Torch7, holds 1/sqrt(var + eps) of the last training batch), eps,
momentum, affine, and weight/bias/gradWeight/gradBias when affine.

The numeric work happens in kernels/cpu/batchnorm.py on an (N, C, S) view of the input.
"""
import numpy as np

import torchlike as torch
from torchlike._core import fmt_size

from kernels.cpu import batchnorm as _k

from .checks import check_same_type
from .module import Module


class BatchNormalization(Module):
    """Batch normalisation over the features of an N x D input."""

    nDim = 2                 # dimension of a batch input (a single sample has nDim - 1)
    _what = 'features'
    _buffers = ('save_mean', 'save_std')

    def __init__(self, nOutput, eps=1e-5, momentum=0.1, affine=True):
        if isinstance(nOutput, bool) or not isinstance(nOutput, (int, np.integer)) \
                or nOutput <= 0:
            raise ValueError(f"{self._typename}: nOutput must be a positive integer (the "
                             f"number of {self._what}), got {nOutput!r}; to leave out weight "
                             f"and bias pass affine=False")
        if not isinstance(affine, bool):
            raise TypeError(f"{self._typename}: affine must be True or False, got {affine!r}")
        if eps < 0 or not 0 <= momentum <= 1:
            raise ValueError(f"{self._typename}: need eps >= 0 and 0 <= momentum <= 1, got "
                             f"eps={eps}, momentum={momentum}")
        super().__init__()
        self.affine = affine
        self.eps = eps
        self.momentum = momentum
        self.running_mean = torch.Tensor(nOutput)
        self.running_var = torch.Tensor(nOutput)
        self.save_mean = torch.Tensor()
        self.save_std = torch.Tensor()
        if affine:
            self.weight = torch.Tensor(nOutput)
            self.bias = torch.Tensor(nOutput)
            self.gradWeight = torch.Tensor(nOutput)
            self.gradBias = torch.Tensor(nOutput)
        self.reset()

    def reset(self, stdv=None):
        """Torch7's initialisation, kept on purpose: weight ~ U(0, 1) (not 1), bias 0, running
        mean 0, running variance 1. `stdv` is ignored, as in Torch7. For the now usual
        weight = 1 call `m.weight.fill(1)` after construction."""
        if getattr(self, 'weight', None) is not None:
            self.weight.uniform(0, 1)
        if getattr(self, 'bias', None) is not None:
            self.bias.zero()
        self.running_mean.zero()
        self.running_var.fill(1)
        return self

    # -- checks and views ------------------------------------------------------------------
    def _nFeatures(self):
        return self.running_mean.nElement()

    def _expected(self):
        return f"a batch N x {self._nFeatures()}"

    def _check(self, input):
        name, nd, C = self._typename, self.nDim, self._nFeatures()
        if not torch.isTensor(input):
            raise TypeError(f"{name}: expected a tensor input, got {type(input).__name__}")
        d = input.dim()
        if d not in (nd, nd - 1):
            raise ValueError(f"{name}: expected {nd}-D input ({self._expected()}), or "
                             f"{nd - 1}-D in evaluate mode, got size {fmt_size(input.size())}")
        got = input.size(1 if d == nd else 0)
        if got != C:
            raise ValueError(f"{name}: got {got} {self._what}, expected {C} (input size "
                             f"{fmt_size(input.size())})")
        if d == nd - 1 and self.train:
            raise ValueError(
                f"{name}: got a single sample (size {fmt_size(input.size())}) in training "
                f"mode; training needs a batch ({nd}-D, {self._expected()}) to compute "
                f"statistics. Add a batch dimension (input.view(1, ...)) or call evaluate() "
                f"to normalise with the running statistics")
        if input.nElement() == 0:
            raise ValueError(f"{name}: empty input (size {fmt_size(input.size())})")
        check_same_type(self, input, self.running_mean)

    def _view3(self, a, batch):
        """(N, C, S) C-contiguous view of a numpy array (copied only when not contiguous)."""
        C = self._nFeatures()
        n = a.shape[0] if batch else 1
        return np.ascontiguousarray(a).reshape(n, C, -1)

    def _batchStats(self, n_per_channel):
        """Whether this call normalises with batch statistics (training mode with more than
        one value per channel; a lone value has no spread, so Torch7's fallback to the
        running statistics applies)."""
        return self.train and n_per_channel > 1

    def _coefficients(self, x3):
        """(mean, invstd) as float64 arrays, from the batch or the running estimates; in
        training mode also updates save_mean/save_std and the running estimates."""
        C = self._nFeatures()
        n = x3.shape[0] * x3.shape[2]
        if self._batchStats(n):
            mean = np.empty(C)
            var = np.empty(C)
            _k.batch_stats(x3, mean, var)
            with np.errstate(divide='ignore'):
                invstd = 1.0 / np.sqrt(var + self.eps)
            invstd[~np.isfinite(invstd)] = 0.0      # eps = 0 and a constant channel (Torch7)
            self.save_mean.resize(C).numpy()[...] = mean
            self.save_std.resize(C).numpy()[...] = invstd
            m = self.momentum
            rm, rv = self.running_mean.numpy(), self.running_var.numpy()
            rm[...] = m * mean + (1 - m) * rm
            rv[...] = m * (var * (n / (n - 1))) + (1 - m) * rv
            return mean, invstd
        mean = self.running_mean.numpy().astype(np.float64)
        invstd = 1.0 / np.sqrt(self.running_var.numpy().astype(np.float64) + self.eps)
        return mean, invstd

    def _savedCoefficients(self, x3):
        """The (mean, invstd) that the last forward used, for backward."""
        n = x3.shape[0] * x3.shape[2]
        if self._batchStats(n):
            C = self._nFeatures()
            if self.save_mean.nElement() != C or self.save_std.nElement() != C:
                raise RuntimeError(f"{self._typename}: backward needs the batch statistics "
                                   f"of a forward in training mode; call forward first")
            return (self.save_mean.numpy().astype(np.float64),
                    self.save_std.numpy().astype(np.float64))
        mean = self.running_mean.numpy().astype(np.float64)
        return mean, 1.0 / np.sqrt(self.running_var.numpy().astype(np.float64) + self.eps)

    def _weight64(self):
        w = getattr(self, 'weight', None)
        return None if w is None else w.numpy().astype(np.float64)

    # -- the protocol ----------------------------------------------------------------------
    def updateOutput(self, input):
        self._check(input)
        batch = input.dim() == self.nDim
        x3 = self._view3(input.numpy(), batch)
        mean, invstd = self._coefficients(x3)
        w = self._weight64()
        scale = invstd if w is None else w * invstd
        shift = -mean * scale
        if getattr(self, 'bias', None) is not None:
            shift += self.bias.numpy()
        out = self.output.resizeAs(input).numpy().reshape(x3.shape)
        _k.affine(x3, out, scale, shift)
        return self.output

    def _checkGradOutput(self, input, gradOutput):
        self._check(input)
        if not torch.isTensor(gradOutput) or gradOutput.size() != input.size():
            got = fmt_size(gradOutput.size()) if torch.isTensor(gradOutput) else \
                type(gradOutput).__name__
            raise ValueError(f"{self._typename}: gradOutput has size {got}, expected the "
                             f"input's size {fmt_size(input.size())}")
        check_same_type(self, gradOutput, self.running_mean)

    def _backward(self, input, gradOutput, scale, want_input, want_params):
        self._checkGradOutput(input, gradOutput)
        batch = input.dim() == self.nDim
        x3 = self._view3(input.numpy(), batch)
        g3 = self._view3(gradOutput.numpy(), batch)
        mean, invstd = self._savedCoefficients(x3)
        w = self._weight64()
        a = invstd if w is None else w * invstd
        train = self._batchStats(x3.shape[0] * x3.shape[2])
        want_params = want_params and self.affine and \
            getattr(self, 'gradWeight', None) is not None
        if train or want_params:
            C = self._nFeatures()
            sum_g, dot = np.empty(C), np.empty(C)
            _k.grad_sums(x3, g3, mean, sum_g, dot)
        if want_input:
            gin = self.gradInput.resizeAs(input).numpy().reshape(x3.shape)
            if train:
                # d/dx of w * (x - mean) * invstd with mean and invstd functions of the batch:
                # gin = a * (g - sum_g/n - (x - mean) * invstd^2 * dot/n), folded per channel
                n = x3.shape[0] * x3.shape[2]
                b = -a * invstd * invstd * dot / n
                d = -a * sum_g / n - mean * b
                _k.grad_input_train(x3, g3, gin, a, b, d)
            else:
                _k.affine(g3, gin, a, np.zeros_like(a))
        if want_params:
            self.gradWeight.numpy()[...] += scale * (dot * invstd)
            if getattr(self, 'gradBias', None) is not None:
                self.gradBias.numpy()[...] += scale * sum_g
        return self.gradInput

    def updateGradInput(self, input, gradOutput):
        return self._backward(input, gradOutput, 1, True, False)

    def accGradParameters(self, input, gradOutput, scale=1):
        self._backward(input, gradOutput, scale, False, True)

    def backward(self, input, gradOutput, scale=1):
        """updateGradInput + accGradParameters sharing one pass of per-channel sums."""
        return self._backward(input, gradOutput, scale, True, True)

    # -- serialization and printing --------------------------------------------------------
    @classmethod
    def _torchLoadFields(cls, fields, version):
        like = fields.get('running_mean')
        if version < 2 and fields.get('running_std') is not None:
            # version 1 kept running_std = 1 / sqrt(var + eps)
            std = fields.pop('running_std')
            eps = fields.get('eps', 1e-5)
            var = std.clone()
            var.numpy()[...] = std.numpy() ** -2.0 - eps
            fields['running_var'] = var
            like = like if like is not None else var
        fields.setdefault('eps', 1e-5)
        fields.setdefault('momentum', 0.1)
        fields.setdefault('train', True)
        fields.setdefault('affine', fields.get('weight') is not None)
        if like is not None and fields.get('running_mean') is None:
            fields['running_mean'] = like.clone().zero()
        proto = fields.get('running_mean')
        for name in ('save_mean', 'save_std', 'output', 'gradInput'):
            if not torch.isTensor(fields.get(name)):
                fields[name] = proto.new() if proto is not None else torch.Tensor()
        fields.pop('_input', None)
        fields.pop('_gradOutput', None)
        return fields

    def __repr__(self):
        return f"{self._typename} ({self.nDim}D) ({self._nFeatures()})"


class SpatialBatchNormalization(BatchNormalization):
    """Batch normalisation per channel of an N x C x H x W input (C x H x W when evaluating)."""

    nDim = 4
    _what = 'channels'

    def _expected(self):
        return f"a batch N x {self._nFeatures()} x H x W"


# Torch7 writes these classes as version 2 (version 1 stored running_std)
torch.registerClass('nn.BatchNormalization', BatchNormalization, version=2)
torch.registerClass('nn.SpatialBatchNormalization', SpatialBatchNormalization, version=2)
