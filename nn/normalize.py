"""nn.Normalize (rows scaled to unit Lp norm) and nn.SpatialCrossMapLRN (AlexNet's local
response normalisation across channels)."""
import math

import numpy as np

import torchlike as torch

from .checks import check_input
from ._helpers import _buffer, _check_grad
from .module import Module


class Normalize(Module):
    """y = x / ||x||_p for a vector x or each row of a batch; ||x||_p is computed as
    (sum |x_i|^p + eps)^(1/p), or max |x_i| + eps for p = math.inf."""
    _buffers = ('norm', 'normp')

    def __init__(self, p, eps=1e-10):
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not p > 0:
            raise ValueError(f"{self._typename}: p must be a number > 0 (or math.inf), "
                             f"got {p!r}")
        super().__init__()
        self.p = p
        self.eps = eps
        self.norm = torch.Tensor()
        self.normp = torch.Tensor()

    def _rows(self, input):
        check_input(self, input, (1, 2), "a vector or a batch of row vectors")
        x = input.numpy()
        return x.reshape(1, -1) if x.ndim == 1 else x

    def updateOutput(self, input):
        x = self._rows(input)
        n = x.shape[0]
        norm = _buffer(self, 'norm', input).resize(n).numpy()
        if self.p == math.inf:
            norm[...] = np.abs(x).max(axis=1) + self.eps
        else:
            normp = _buffer(self, 'normp', input).resize(n).numpy()
            p = self.p
            powered = x * x if p == 2 else np.abs(x) ** p
            normp[...] = powered.sum(axis=1) + self.eps
            norm[...] = normp ** (1.0 / p)
        out = _buffer(self, 'output', input).resizeAs(input).numpy().reshape(x.shape)
        np.divide(x, norm[:, None], out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        x = self._rows(input)
        _check_grad(self, gradOutput, input.size())
        g = gradOutput.numpy().reshape(x.shape)
        norm = self.norm.numpy().reshape(-1, 1)
        if norm.shape[0] != x.shape[0]:
            raise RuntimeError(f"{self._typename}: call forward before backward")
        cross = (x * g).sum(axis=1, keepdims=True)
        gin = _buffer(self, 'gradInput', input).resizeAs(input).numpy().reshape(x.shape)
        if self.p == math.inf:
            # d max|x| / dx = sign(x_k) at the arg max k
            rows = np.arange(x.shape[0])
            k = np.abs(x).argmax(axis=1)
            np.divide(g, norm, out=gin)
            gin[rows, k] -= np.sign(x[rows, k]) * cross[:, 0] / (norm[:, 0] ** 2)
        else:
            # d ||x|| / dx_j = sign(x_j) |x_j|^(p-1) / ||x||^(p-1)
            p = self.p
            if p == 2:
                buf = x
            else:
                with np.errstate(divide='ignore', invalid='ignore'):
                    buf = np.where(x == 0, 0, np.sign(x) * np.abs(x) ** (p - 1))
            normp = self.normp.numpy().reshape(-1, 1)
            np.divide(g, norm, out=gin)
            gin -= buf * (cross / (norm * normp))
        return self.gradInput

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields.setdefault('eps', 1e-10)
        for name in ('norm', 'normp'):
            if not torch.isTensor(fields.get(name)):
                fields[name] = torch.Tensor()
        for name in ('_output', '_indices', '_gradInput', 'buffer', 'buffer2', 'cross'):
            fields.pop(name, None)       # Lua-side scratch buffers
        return fields

    def __repr__(self):
        if self.p == math.inf:
            return f"{self._typename}(inf)"
        p = f"{int(self.p)}" if float(self.p).is_integer() else f"{self.p:f}"
        return f"{self._typename}({p})"


def _window_sums(a, before, after):
    """Sums over channel windows [c - before, c + after] of a (N, C, H, W) array, zero outside
    (float64 cumulative sums along C, one subtraction per output)."""
    N, C, H, W = a.shape
    cs = np.zeros((N, C + before + after + 1, H, W))
    np.cumsum(a, axis=1, out=cs[:, before + 1:before + 1 + C])
    cs[:, before + 1 + C:] = cs[:, before + C:before + C + 1]
    size = before + after + 1
    return cs[:, size:size + C] - cs[:, 0:C]


class SpatialCrossMapLRN(Module):
    """y_c = x_c / (k + alpha/size * sum of x_j^2 over channels j near c)^beta, for a
    C x H x W input or a batch N x C x H x W. The window of channel c is
    [c - size//2, c + (size-1)//2] (centred for odd sizes, as in Torch7)."""
    _buffers = ('scale',)

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"{self._typename}: size must be a positive integer, got "
                             f"{size!r}")
        super().__init__()
        self.size = int(size)
        self.alpha = alpha
        self.beta = beta
        self.k = k
        self.scale = torch.Tensor()

    def _maps(self, input):
        check_input(self, input, (3, 4), "C x H x W feature maps or a batch N x C x H x W")
        x = input.numpy()
        return x[None] if x.ndim == 3 else x

    def updateOutput(self, input):
        x = self._maps(input)
        scale = _buffer(self, 'scale', input).resizeAs(input).numpy().reshape(x.shape)
        sums = _window_sums(x.astype(np.float64) ** 2, self.size // 2, (self.size - 1) // 2)
        scale[...] = self.k + (self.alpha / self.size) * sums
        out = _buffer(self, 'output', input).resizeAs(input).numpy().reshape(x.shape)
        np.multiply(x, scale ** -self.beta, out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        x = self._maps(input)
        _check_grad(self, gradOutput, input.size())
        if self.scale.size() != input.size():
            raise RuntimeError(f"{self._typename}: call forward before backward")
        g = gradOutput.numpy().reshape(x.shape)
        scale = self.scale.numpy().reshape(x.shape).astype(np.float64)
        pw = scale ** -self.beta
        # channel c's window holds j exactly when j's reversed window holds c
        ratio = g * x * pw / scale
        back = _window_sums(ratio, (self.size - 1) // 2, self.size // 2)
        gin = _buffer(self, 'gradInput', input).resizeAs(input).numpy().reshape(x.shape)
        gin[...] = g * pw - (2 * self.alpha * self.beta / self.size) * x * back
        return self.gradInput

    @classmethod
    def _torchLoadFields(cls, fields, version):
        for name, value in (('alpha', 1e-4), ('beta', 0.75), ('k', 1)):
            fields.setdefault(name, value)
        if not torch.isTensor(fields.get('scale')):
            fields['scale'] = torch.Tensor()
        fields.pop('paddedRatio', None)
        fields.pop('accumRatio', None)
        return fields
