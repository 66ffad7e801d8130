"""Temporal (1-D) layers over sequences nFrames x frameSize (or a batch N x nFrames x
frameSize): nn.TemporalConvolution and nn.TemporalMaxPooling.

A window of kW consecutive frames is kW*frameSize contiguous numbers, so the unfold is a strided
view of the input (copied once into a buffer for BLAS) and the convolution one GEMM:
output[n, t] = weight @ input[n, t*dW : t*dW + kW].flatten() + bias.
"""
import math

import numpy as np

import torchlike as torch
from torchlike._core import fmt_size, wrap

from .checks import check_same_type
from .convolution import buffer, check_positive, public_fields
from .module import Module
from .pooling import check_grad_output, contiguous, float_input


def _frames(module, input, frameSize, kW, dW):
    """(batch, N, T, F, oT) of a temporal input, checked."""
    x = input.numpy() if torch.isTensor(input) else None
    if x is None:
        raise TypeError(f"{module._typename}: expected a tensor input, got "
                        f"{type(input).__name__}")
    if x.ndim not in (2, 3):
        raise ValueError(f"{module._typename}: expected 2-D (nFrames x frameSize) or 3-D "
                         f"(batch x nFrames x frameSize) input, got size "
                         f"{fmt_size(input.size())}")
    T, F = x.shape[-2:]
    if frameSize is not None and F != frameSize:
        raise ValueError(f"{module._typename}: input frames have {F} values, expected "
                         f"{frameSize} (input size {fmt_size(x.shape)})")
    if T < kW:
        raise ValueError(f"{module._typename}: input has {T} frames, fewer than the kernel "
                         f"width {kW} (input size {fmt_size(x.shape)})")
    batch = x.ndim == 3
    return batch, (x.shape[0] if batch else 1), T, F, (T - kW) // dW + 1


class TemporalConvolution(Module):
    """1-D convolution over time: inputFrameSize -> outputFrameSize values per frame, kernel kW
    frames, step dW. weight: outputFrameSize x (kW*inputFrameSize)."""

    _buffers = ('_cols', '_gradCols', '_gradWeightBuf')

    def __init__(self, inputFrameSize, outputFrameSize, kW, dW=1):
        super().__init__()
        check_positive(self._typename, inputFrameSize=inputFrameSize,
                       outputFrameSize=outputFrameSize, kW=kW, dW=dW)
        self.inputFrameSize, self.outputFrameSize = inputFrameSize, outputFrameSize
        self.kW, self.dW = kW, dW
        self.weight = torch.Tensor(outputFrameSize, inputFrameSize * kW)
        self.bias = torch.Tensor(outputFrameSize)
        self.gradWeight = torch.Tensor(outputFrameSize, inputFrameSize * kW)
        self.gradBias = torch.Tensor(outputFrameSize)
        self.reset()

    def reset(self, stdv=None):
        """uniform(-1/sqrt(kW*inputFrameSize), ...) for weight and bias (or stdv*sqrt(3))."""
        stdv = stdv * math.sqrt(3) if stdv is not None else \
            1 / math.sqrt(self.kW * self.inputFrameSize)
        self.weight.uniform(-stdv, stdv)
        self.bias.uniform(-stdv, stdv)
        return self

    def _windows(self, x, N, T, F, oT):
        """The input's windows as an (N*oT) x (kW*F) matrix view (no copy; rows overlap)."""
        x = contiguous(x)
        s = x.itemsize
        return np.lib.stride_tricks.as_strided(
            x, (N, oT, self.kW * F), (T * F * s, self.dW * F * s, s), writeable=False)

    def updateOutput(self, input):
        batch, N, T, F, oT = _frames(self, input, self.inputFrameSize, self.kW, self.dW)
        check_same_type(self, input, self.weight)
        x = input.numpy()
        cols = buffer(self, '_cols', x.dtype, (N * oT, self.kW * F))
        np.copyto(cols.reshape(N, oT, self.kW * F), self._windows(x, N, T, F, oT))
        out = buffer(self, 'output', x.dtype,
                     (N, oT, self.outputFrameSize) if batch else (oT, self.outputFrameSize))
        o2 = out.reshape(N * oT, self.outputFrameSize)
        np.matmul(cols, self.weight.numpy().T, out=o2)
        o2 += self.bias.numpy()
        return self.output

    def _gradOutput2d(self, input, gradOutput):
        batch, N, T, F, oT = _frames(self, input, self.inputFrameSize, self.kW, self.dW)
        shape = (N, oT, self.outputFrameSize) if batch else (oT, self.outputFrameSize)
        go = check_grad_output(self, gradOutput, shape, input)
        return (N, T, F, oT), go.reshape(N * oT, self.outputFrameSize)

    def updateGradInput(self, input, gradOutput):
        if self.gradInput is None:
            return None
        (N, T, F, oT), g2 = self._gradOutput2d(input, gradOutput)
        kW, dW = self.kW, self.dW
        gcols = buffer(self, '_gradCols', g2.dtype, (N * oT, kW * F))
        np.matmul(g2, self.weight.numpy(), out=gcols)
        g3 = gcols.reshape(N, oT, kW * F)
        gin = buffer(self, 'gradInput', g2.dtype, tuple(input.size()))
        gin3 = gin.reshape(N, T, F)
        gin3.fill(0)
        last = (oT - 1) * dW + 1
        for k in range(kW):       # frame t*dW + k gets the k-th block of window t
            gin3[:, k:k + last:dW, :] += g3[:, :, k * F:(k + 1) * F]
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        (N, T, F, oT), g2 = self._gradOutput2d(input, gradOutput)
        cols = self.__dict__.get('_cols')
        if cols is None or tuple(cols.size()) != (N * oT, self.kW * F):
            raise RuntimeError(f"{self._typename}: accGradParameters needs the unfolded input "
                               f"of a forward pass on this input; call forward first")
        tmp = buffer(self, '_gradWeightBuf', g2.dtype, tuple(self.gradWeight.size()))
        np.matmul(g2.T, cols.numpy(), out=tmp)
        if scale != 1:
            tmp *= scale
        gw = self.gradWeight.numpy()
        gw += tmp
        s = g2.sum(axis=0)
        gb = self.gradBias.numpy()
        gb += s if scale == 1 else scale * s

    def _torchFields(self):
        return public_fields(super()._torchFields())

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields.setdefault('train', True)
        fields.setdefault('gradInput', None)         # saved with gradInput = None (skipped)
        return fields


class TemporalMaxPooling(Module):
    """Max over windows of kW frames moved by dW (default kW), per frame value.
    `indices`: for each output value, the 0-based input frame that held the max (Torch7 kept
    the offset inside the window; converted when reading and writing .t7 files)."""

    _buffers = ('indices',)

    def __init__(self, kW, dW=None):
        super().__init__()
        dW = kW if dW is None else dW
        check_positive(self._typename, kW=kW, dW=dW)
        self.kW, self.dW = kW, dW
        self.indices = torch.LongTensor()

    def updateOutput(self, input):
        float_input(self, input, (2, 3), 'nFrames x frameSize or a batch of them')
        batch, N, T, F, oT = _frames(self, input, None, self.kW, self.dW)
        x = input.numpy().reshape(N, T, F)
        win = np.lib.stride_tricks.sliding_window_view(x, self.kW, axis=1)[:, ::self.dW]
        offset = win.argmax(axis=3)                  # first max; NaN counts as the max
        shape = (N, oT, F) if batch else (oT, F)
        out = buffer(self, 'output', x.dtype, shape).reshape(N, oT, F)
        out[...] = np.take_along_axis(win, offset[..., None], axis=3)[..., 0]
        ind = self.__dict__.get('indices')
        if ind is None or ind._typename != 'torch.LongTensor':
            ind = self.indices = torch.LongTensor()
        ind = ind.resize(*shape).numpy().reshape(N, oT, F)
        np.add(offset, (np.arange(oT) * self.dW)[:, None], out=ind)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self.gradInput is None:
            return None
        batch, N, T, F, oT = _frames(self, input, None, self.kW, self.dW)
        shape = (N, oT, F) if batch else (oT, F)
        go = check_grad_output(self, gradOutput, shape, input).reshape(N, oT, F)
        ind = self.__dict__.get('indices')
        if ind is None or tuple(ind.size()) != shape:
            raise RuntimeError(f"{self._typename}: updateGradInput needs the indices of a "
                               f"forward pass on this input; call forward first")
        gin = buffer(self, 'gradInput', go.dtype, tuple(input.size()))
        gin3 = gin.reshape(N, T, F)
        gin3.fill(0)
        rows = ind.numpy().reshape(N, oT, F)
        n = np.arange(N)[:, None, None]
        f = np.arange(F)[None, None, :]
        np.add.at(gin3, (n, rows, f), go)           # windows may overlap (dW < kW)
        return self.gradInput

    def _torchFields(self):
        fields = super()._torchFields()
        ind = fields.get('indices')
        if torch.isTensor(ind) and ind.nElement() and ind.dim() >= 2:
            a = ind.numpy()
            starts = (np.arange(a.shape[-2]) * self.dW)[:, None]
            fields['indices'] = wrap(ind.__class__, a - starts)   # Torch7: offset in window
        return fields

    @classmethod
    def _torchLoadFields(cls, fields, version):
        ind = fields.get('indices')
        if torch.isTensor(ind) and ind.nElement() and ind.dim() >= 2:
            a = ind.numpy().astype(np.int64)
            starts = (np.arange(a.shape[-2]) * fields['dW'])[:, None]
            fields['indices'] = wrap(torch.LongTensor, a + starts)
        else:
            fields['indices'] = torch.LongTensor()
        fields.setdefault('train', True)
        return fields
