"""SoftMax, LogSoftMax, SoftMin, SpatialSoftMax, SpatialLogSoftMax.

All five normalise over the feature dimension, as THNN did: the only dimension of a vector,
dim 1 of a batch of rows (N x D), and the channel dimension of C x H x W or N x C x H x W input
(at every pixel). The work is one fused numba kernel per call (kernels/cpu/softmax.py):
the row maximum is subtracted before exp(), so inputs of +-1000 give finite results.
"""
import numpy as np

import torchlike as torch
from kernels.cpu import softmax as _K
from kernels.runner import AdaptiveRunner, available_chunks
from torchlike._core import fmt_size

from ._helpers import resized_array, retyped
from .module import Module

# Calls over fewer elements than this always run serially: waking the thread pool costs more
# than the work (measured on 2 cores: a 128 x 100 float32 batch gains 30%, 32 x 100 loses).
PARALLEL_MIN = 1 << 14


def _run(runner, nframes, nelem, *args):
    """A kernel over `nframes` independent frames, parallel over frames when it may pay."""
    nch = available_chunks(nframes) if nelem >= PARALLEL_MIN and nframes >= 2 else 0
    runner(nch, nelem, *args)


_forward = AdaptiveRunner(_K.softmax_forward, _K.softmax_forward_parallel)
_backward = AdaptiveRunner(_K.softmax_backward, _K.softmax_backward_parallel)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _frames_shape(module, shape):
    """(frames, features, positions) of an input of size `shape`, as THNN's SoftMax read it."""
    nd = len(shape)
    if nd == 1:
        return 1, shape[0], 1
    if nd == 2:
        return shape[0], shape[1], 1
    if nd == 3:
        return 1, shape[0], shape[1] * shape[2]
    if nd == 4:
        return shape[0], shape[1], shape[2] * shape[3]
    raise ValueError(f"{module._typename}: expected 1-D, 2-D, 3-D or 4-D input (a vector, a "
                     f"batch of rows, C x H x W or N x C x H x W), got size {fmt_size(shape)}")


def _floating(module, t, what):
    if not torch.isTensor(t):
        raise TypeError(f"{module._typename}: expected a tensor {what}, got "
                        f"{type(t).__name__}")
    a = t._arr()
    if a.dtype not in _FLOATS:
        raise TypeError(f"{module._typename}: {what} must be a FloatTensor or DoubleTensor, "
                        f"got {t._typename}")
    return a


class _Normalise(Module):
    """Shared forward/backward of the (log-)softmax family."""
    _log = False
    _negate = False            # SoftMin: softmax of -input

    def updateOutput(self, input):
        a = _floating(self, input, 'input')
        if a.size == 0:
            raise ValueError(f"{self._typename}: the input is empty")
        shape3 = _frames_shape(self, a.shape)
        if self._negate:
            buf = self.__dict__.get('mininput')
            self.mininput = buf = input.new() if buf is None else retyped(buf, input)
            x = np.negative(a, out=resized_array(buf, a.shape))
        else:
            x = np.ascontiguousarray(a)
        self.output = out = retyped(self.output, input)
        o = resized_array(out, a.shape)
        _run(_forward, shape3[0], a.size, x.reshape(shape3), o.reshape(shape3), self._log)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = _floating(self, input, 'input')
        g = _floating(self, gradOutput, 'gradOutput')
        y = self.output._arr()
        if g.shape != a.shape or y.shape != a.shape:
            raise ValueError(f"{self._typename}: gradOutput has size {fmt_size(g.shape)} but "
                             f"input and output have size {fmt_size(a.shape)} and "
                             f"{fmt_size(y.shape)} (run forward first)")
        if g.dtype != y.dtype:
            raise TypeError(f"{self._typename}: gradOutput is a {gradOutput._typename} but the "
                            f"output is a {self.output._typename}")
        shape3 = _frames_shape(self, a.shape)
        self.gradInput = gin = retyped(self.gradInput, input)
        r = resized_array(gin, a.shape)
        g = np.ascontiguousarray(g)
        _run(_backward, shape3[0], a.size, y.reshape(shape3), g.reshape(shape3),
             r.reshape(shape3), self._log)
        if self._negate:
            np.negative(r, out=r)
        return self.gradInput


class SoftMax(_Normalise):
    """exp(x_i) / sum_j exp(x_j) over the feature dimension."""


class LogSoftMax(_Normalise):
    """x_i - log sum_j exp(x_j) over the feature dimension (for ClassNLLCriterion)."""
    _log = True


class SoftMin(_Normalise):
    """SoftMax of -input: exp(-x_i) / sum_j exp(-x_j)."""
    _negate = True
    _buffers = ('mininput',)


class SpatialSoftMax(_Normalise):
    """SoftMax over the channels at every pixel of C x H x W or N x C x H x W input."""


class SpatialLogSoftMax(_Normalise):
    """LogSoftMax over the channels at every pixel of C x H x W or N x C x H x W input."""
    _log = True


def softmax_numpy(x, log=False, axis=-1):
    """Reference (log-)softmax of a numpy array in a few vectorised numpy calls (the baseline
    the fused kernel is measured against; also used by tests)."""
    m = np.max(x, axis=axis, keepdims=True)
    z = x - m
    e = np.exp(z)
    s = np.sum(e, axis=axis, keepdims=True)
    if log:
        return z - np.log(s)
    return e / s
