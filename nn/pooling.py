"""Spatial pooling: nn.SpatialMaxPooling, SpatialAveragePooling, SpatialAdaptiveMaxPooling,
SpatialAdaptiveAveragePooling (input nPlane x H x W or a batch N x nPlane x H x W).

The numba kernels (kernels/cpu/pooling.py) take, per axis, the table of window starts and ends
(clipped to the image) and the divisor counts; the tables are computed here once per shape
(`windows`, cached), so padding, ceil mode, count_include_pad and adaptive windows need no
kernel of their own. VolumetricMaxPooling/AveragePooling (nn/volumetric.py) and
TemporalMaxPooling (nn/temporal.py) use the same machinery.

`indices` (max pooling) holds, for every output element, the 0-based position of the maximum
inside its input plane, h * W + w (Torch7: the same plus 1).
"""
import functools

import numpy as np

import torchlike as torch
from torchlike._core import fmt_size, wrap
from kernels.cpu import pooling as _kp

from .convolution import buffer, check_nonnegative, check_positive, split
from .module import Module

_ZERO = np.zeros(1, np.int64)
_ONE = np.ones(1, np.int64)
AXIS_OF_SIZE_ONE = (1, _ZERO, _ONE, _ONE, _ONE)      # (o, start, end, count_in, count_ex)


def pool_out_size(size, k, d, pad, ceil_mode):
    """Output length of a pooling: floor (or ceil) of (size + 2*pad - k)/d, plus 1; a last
    window that would start in the right padding is dropped (as THNN does when padding, and
    PyTorch always: otherwise ceil mode can make a window with no input pixel)."""
    span = size + 2 * pad - k
    o = (-(-span // d) if ceil_mode else span // d) + 1
    if o > 0 and (o - 1) * d >= size + pad:
        o -= 1
    return o


@functools.lru_cache(maxsize=512)
def windows(size, k, d, pad, ceil_mode):
    """Window tables of one axis: (o, start, end, count_with_padding, count_without_padding)."""
    o = pool_out_size(size, k, d, pad, ceil_mode)
    s = np.arange(max(o, 0), dtype=np.int64) * d - pad
    e = np.minimum(s + k, size + pad)
    count_in = e - s
    s_clip, e_clip = np.maximum(s, 0), np.minimum(e, size)
    return _frozen(o, s_clip, e_clip, count_in, e_clip - s_clip)


@functools.lru_cache(maxsize=512)
def adaptive_windows(size, o):
    """Adaptive pooling: window i covers [floor(i*size/o), ceil((i+1)*size/o))."""
    i = np.arange(o, dtype=np.int64)
    s = (i * size) // o
    e = -((-(i + 1) * size) // o)
    return _frozen(o, s, e, e - s, e - s)


def _frozen(o, *arrays):
    for a in arrays:
        a.flags.writeable = False
    return (o,) + arrays


class PoolGeometry:
    """Sizes of one pooling call: P planes of T x H x W in, oT x oH x oW out, window tables."""
    __slots__ = ('P', 'T', 'H', 'W', 'axes', 'in_shape', 'out_shape')

    def __init__(self, P, T, H, W, axes, in_shape, out_shape):
        self.P, self.T, self.H, self.W = P, T, H, W
        self.axes = axes                  # ((o, start, end, cin, cex) for t, h, w)
        self.in_shape, self.out_shape = in_shape, out_shape

    def sizes(self):
        (oT, ts, te, _, _), (oH, hs, he, _, _), (oW, ws, we, _, _) = self.axes
        return (self.P, self.T, self.H, self.W, oT, oH, oW, ts, te, hs, he, ws, we)

    def counts(self, include_pad):
        j = 3 if include_pad else 4
        return tuple(a[j] for a in self.axes)

    def out_plane(self):
        return self.axes[0][0] * self.axes[1][0] * self.axes[2][0]


def float_input(module, input, ndims, what):
    """Check that input is a float tensor with one of `ndims` dimensions; its numpy view."""
    if not torch.isTensor(input):
        raise TypeError(f"{module._typename}: expected a tensor input, got "
                        f"{type(input).__name__}")
    if input.dim() not in ndims:
        dims = ' or '.join(f'{d}-D' for d in ndims)
        raise ValueError(f"{module._typename}: expected {dims} input ({what}), got size "
                         f"{fmt_size(input.size())}")
    if input._dtype.kind != 'f':
        raise TypeError(f"{module._typename}: expected a torch.FloatTensor or "
                        f"torch.DoubleTensor input, got {input._typename}")
    return input.numpy()


def contiguous(a):
    return a if a.flags.c_contiguous else np.ascontiguousarray(a)


def check_too_small(module, in_shape, oshape):
    if min(oshape) < 1:
        raise ValueError(f"{module._typename}: input size {fmt_size(in_shape)} is too small: "
                         f"output would be {' x '.join(str(o) for o in oshape)}")


def check_pad(module, pads, ks):
    """pads and ks: (H, W) or (T, H, W) values."""
    n = len(pads)
    for p, k, pn, kn in zip(pads, ks, ('padT', 'padH', 'padW')[-n:], ('kT', 'kH', 'kW')[-n:]):
        if p > k // 2:
            raise ValueError(f"{module._typename}: padding must be at most half the kernel "
                             f"size, got {pn} = {p} for {kn} = {k}")


def check_grad_output(module, gradOutput, shape, input):
    """gradOutput's numpy view (contiguous), after checking its size and type."""
    if not torch.isTensor(gradOutput) or tuple(gradOutput.size()) != tuple(shape):
        got = fmt_size(gradOutput.size()) if torch.isTensor(gradOutput) else \
            type(gradOutput).__name__
        raise ValueError(f"{module._typename}: gradOutput has size {got}, expected "
                         f"{fmt_size(shape)}")
    if gradOutput._dtype != input._dtype:
        raise TypeError(f"{module._typename}: gradOutput is a {gradOutput._typename} but the "
                        f"input is a {input._typename}")
    return contiguous(gradOutput.numpy())


class PoolBase(Module):
    """What every pooling module shares: `_geometry(input)` (subclasses), the max or average
    kernels, indices kept as a LongTensor."""

    @staticmethod
    def _overPlanes(g, fn):
        """fn(input slice, output slice, plane count) over the planes, split in halves that
        run side by side (nn.convolution.split: the kernels release the GIL)."""
        inp, outp = g.T * g.H * g.W, g.out_plane()
        split(lambda lo, hi: fn(slice(lo * inp, hi * inp), slice(lo * outp, hi * outp), hi - lo),
              g.P, g.P * inp)

    # -- max --------------------------------------------------------------------------------
    def _maxForward(self, input):
        g = self._geometry(input)
        x = contiguous(input.numpy()).reshape(-1)
        out = buffer(self, 'output', x.dtype, g.out_shape).reshape(-1)
        ind = self.__dict__.get('indices')
        if ind is None or ind._typename != 'torch.LongTensor':
            ind = self.indices = torch.LongTensor()      # type() converted it: back to long
        ind = ind.resize(*g.out_shape).numpy().reshape(-1)
        rest = g.sizes()[1:]
        self._overPlanes(g, lambda i, o, n: _kp.max_pool(x[i], out[o], ind[o], n, *rest))
        return self.output

    def _maxBackward(self, input, gradOutput):
        g = self._geometry(input)
        go = check_grad_output(self, gradOutput, g.out_shape, input).reshape(-1)
        ind = self.__dict__.get('indices')
        if ind is None or tuple(ind.size()) != g.out_shape:
            raise RuntimeError(f"{self._typename}: updateGradInput needs the indices of a "
                               f"forward pass on this input; call forward first")
        ind = ind.numpy().reshape(-1)
        gin = buffer(self, 'gradInput', go.dtype, g.in_shape).reshape(-1)
        inp, outp = g.T * g.H * g.W, g.out_plane()
        self._overPlanes(g, lambda i, o, n: _kp.max_pool_backward(go[o], ind[o], gin[i], n, inp,
                                                                  outp))
        return self.gradInput

    # -- average ------------------------------------------------------------------------------
    def _avgForward(self, input, include_pad):
        g = self._geometry(input)
        x = contiguous(input.numpy()).reshape(-1)
        out = buffer(self, 'output', x.dtype, g.out_shape).reshape(-1)
        rest = g.sizes()[1:] + g.counts(include_pad)
        self._overPlanes(g, lambda i, o, n: _kp.avg_pool(x[i], out[o], n, *rest))
        return self.output

    def _avgBackward(self, input, gradOutput, include_pad):
        g = self._geometry(input)
        go = check_grad_output(self, gradOutput, g.out_shape, input).reshape(-1)
        gin = buffer(self, 'gradInput', go.dtype, g.in_shape).reshape(-1)
        rest = g.sizes()[1:] + g.counts(include_pad)
        self._overPlanes(g, lambda i, o, n: _kp.avg_pool_backward(go[o], gin[i], n, *rest))
        return self.gradInput


def spatial_pool_geometry(module, input, h_axis, w_axis, ceil_mode=False):
    """Geometry for a spatial pooling of `input` (C x H x W or N x C x H x W); h_axis and w_axis
    are functions size -> axis tables."""
    x = float_input(module, input, (3, 4), 'nPlane x H x W or a batch of them')
    shape = x.shape
    H, W = shape[-2:]
    P = shape[-3] * (shape[0] if len(shape) == 4 else 1)
    ah, aw = h_axis(H), w_axis(W)
    check_too_small(module, shape, (shape[-3], ah[0], aw[0]))
    return PoolGeometry(P, 1, H, W, (AXIS_OF_SIZE_ONE, ah, aw), shape,
                        shape[:-2] + (ah[0], aw[0]))


class _SpatialWindowPooling(PoolBase):
    """Fields and checks shared by SpatialMaxPooling and SpatialAveragePooling."""

    def _init(self, kW, kH, dW, dH, padW, padH):
        check_positive(self._typename, kW=kW, kH=kH, dW=dW, dH=dH)
        check_nonnegative(self._typename, padW=padW, padH=padH)
        self.kW, self.kH, self.dW, self.dH = kW, kH, dW, dH
        self.padW, self.padH = padW, padH
        check_pad(self, (padH, padW), (kH, kW))
        self.ceil_mode = False

    def ceil(self):
        """Round the output size up (windows may hang over the end); returns self."""
        self.ceil_mode = True
        return self

    def floor(self):
        """Round the output size down (the default); returns self."""
        self.ceil_mode = False
        return self

    def _geometry(self, input):
        check_pad(self, (self.padH, self.padW), (self.kH, self.kW))
        c = bool(self.ceil_mode)
        return spatial_pool_geometry(
            self, input, lambda H: windows(H, self.kH, self.dH, self.padH, c),
            lambda W: windows(W, self.kW, self.dW, self.padW, c))

    def __repr__(self):
        s = f"{self._typename}({self.kW}x{self.kH}, {self.dW},{self.dH}"
        if self.padW or self.padH:
            s += f", {self.padW},{self.padH}"
        return s + ")"

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields.setdefault('padW', 0)
        fields.setdefault('padH', 0)
        fields.setdefault('ceil_mode', False)
        fields.setdefault('train', True)
        return fields


class SpatialMaxPooling(_SpatialWindowPooling):
    """Max over kW x kH windows moved by dW, dH (default: the kernel size), with optional
    padding (at most half the kernel) and ceil mode. `indices` keeps where each max was."""

    _buffers = ('indices',)

    def __init__(self, kW, kH, dW=None, dH=None, padW=0, padH=0):
        super().__init__()
        self._init(kW, kH, kW if dW is None else dW, kH if dH is None else dH, padW, padH)
        self.indices = torch.LongTensor()

    def updateOutput(self, input):
        return self._maxForward(input)

    def updateGradInput(self, input, gradOutput):
        return self._maxBackward(input, gradOutput)

    def _torchFields(self):
        fields = super()._torchFields()
        ind = fields.get('indices')
        if torch.isTensor(ind) and ind.nElement():
            fields['indices'] = wrap(ind.__class__, ind.numpy() + 1)     # Torch7: 1-based
        return fields

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields = super()._torchLoadFields(fields, version)
        ind = fields.get('indices')
        if torch.isTensor(ind) and ind.nElement():
            fields['indices'] = wrap(torch.LongTensor, ind.numpy().astype(np.int64) - 1)
        elif not torch.isTensor(ind):
            fields['indices'] = torch.LongTensor()
        return fields


class SpatialAveragePooling(_SpatialWindowPooling):
    """Mean over kW x kH windows moved by dW, dH (default 1), with optional padding and ceil
    mode. With count_include_pad (the default) padded zeros count in the divisor."""

    def __init__(self, kW, kH, dW=1, dH=1, padW=0, padH=0):
        super().__init__()
        self._init(kW, kH, dW, dH, padW, padH)
        self.count_include_pad = True
        self.divide = True

    def setCountIncludePad(self):
        """Divide by the window size including padding (the default); returns self."""
        self.count_include_pad = True
        return self

    def setCountExcludePad(self):
        """Divide by the number of input pixels in the window; returns self."""
        self.count_include_pad = False
        return self

    def updateOutput(self, input):
        self._avgForward(input, bool(self.count_include_pad))
        if not self.divide:               # files from when this module summed
            self.output.mul(self.kW * self.kH)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self._avgBackward(input, gradOutput, bool(self.count_include_pad))
        if not self.divide:
            self.gradInput.mul(self.kW * self.kH)
        return self.gradInput

    @classmethod
    def _torchLoadFields(cls, fields, version):
        if fields.get('ceil_mode') is None:     # files from before ceil/padding existed
            fields['count_include_pad'] = True
        fields.setdefault('count_include_pad', True)
        fields.setdefault('divide', False)      # before `divide`, this module summed
        return super()._torchLoadFields(fields, version)


class _SpatialAdaptivePooling(PoolBase):
    def __init__(self, W, H):
        super().__init__()
        check_positive(self._typename, W=W, H=H)
        self.W, self.H = W, H

    def _geometry(self, input):
        return spatial_pool_geometry(self, input, lambda H: adaptive_windows(H, self.H),
                                     lambda W: adaptive_windows(W, self.W))


class SpatialAdaptiveMaxPooling(_SpatialAdaptivePooling):
    """Max pooling to a fixed W x H output: window i of an axis of length n covers
    [floor(i*n/out), ceil((i+1)*n/out))."""

    _buffers = ('indices',)

    def __init__(self, W, H):
        super().__init__(W, H)
        self.indices = torch.LongTensor()

    def updateOutput(self, input):
        return self._maxForward(input)

    def updateGradInput(self, input, gradOutput):
        return self._maxBackward(input, gradOutput)

    def _torchFields(self):
        fields = super()._torchFields()
        fields['indices'] = torch.LongTensor()      # Torch7 keeps (x, y) pairs: not comparable
        return fields

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields['indices'] = torch.LongTensor()
        fields.setdefault('train', True)
        return fields


class SpatialAdaptiveAveragePooling(_SpatialAdaptivePooling):
    """Average pooling to a fixed W x H output (windows as in SpatialAdaptiveMaxPooling)."""

    def updateOutput(self, input):
        return self._avgForward(input, False)

    def updateGradInput(self, input, gradOutput):
        return self._avgBackward(input, gradOutput, False)
