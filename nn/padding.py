"""Spatial padding and nearest upsampling (input nPlane x H x W or a batch N x nPlane x H x W):
nn.SpatialZeroPadding, SpatialReflectionPadding, SpatialReplicationPadding (pads left, right,
top, bottom; a negative pad crops), SpatialUpSamplingNearest.

Every output column ow comes from input column wmap[ow] (and rows likewise), so a padding is a
gather along each axis (np.take into module buffers) and its gradient the matching fold: the
in-image block added in one slice, each padded row/column added onto its source.
"""
import functools

import numpy as np

from torchlike._core import fmt_size

from .convolution import buffer, public_fields
from .module import Module
from .pooling import check_grad_output, float_input


class _SpatialPadding(Module):
    """pad_l, pad_r, pad_t, pad_b as in Torch7 (r, t, b default to l)."""

    _mode = None
    _buffers = ('_rows',)

    def __init__(self, pad_l, pad_r=None, pad_t=None, pad_b=None):
        super().__init__()
        pads = (pad_l, pad_l if pad_r is None else pad_r, pad_l if pad_t is None else pad_t,
                pad_l if pad_b is None else pad_b)
        for name, p in zip(('pad_l', 'pad_r', 'pad_t', 'pad_b'), pads):
            if not isinstance(p, (int, np.integer)) or isinstance(p, bool):
                raise TypeError(f"{self._typename}: {name} must be an integer, got {p!r}")
        self.pad_l, self.pad_r, self.pad_t, self.pad_b = (int(p) for p in pads)

    def _shapes(self, input):
        x = float_input(self, input, (3, 4), 'nPlane x H x W or a batch of them')
        H, W = x.shape[-2:]
        oH, oW = H + self.pad_t + self.pad_b, W + self.pad_l + self.pad_r
        if oH < 1 or oW < 1:
            raise ValueError(f"{self._typename}: input size {fmt_size(x.shape)} is too small "
                             f"for the padding: output would be {oH} x {oW}")
        self._checkPads(x.shape)
        return x, x.shape[:-2] + (oH, oW)

    def _checkPads(self, shape):
        pass

    def updateOutput(self, input):
        x, out_shape = self._shapes(input)
        H, W = x.shape[-2:]
        out = buffer(self, 'output', x.dtype, out_shape)
        hmap = _index_map(self._mode, H, out_shape[-2], self.pad_t)
        wmap = _index_map(self._mode, W, out_shape[-1], self.pad_l)
        rows = buffer(self, '_rows', x.dtype, x.shape[:-2] + (out_shape[-2], W))
        np.take(x, hmap, axis=-2, out=rows)
        np.take(rows, wmap, axis=-1, out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        x, out_shape = self._shapes(input)
        H, W = x.shape[-2:]
        go = check_grad_output(self, gradOutput, out_shape, input)
        rows = buffer(self, '_rows', go.dtype, go.shape[:-1] + (W,))
        _fold(go, rows, _index_map(self._mode, W, out_shape[-1], self.pad_l), self.pad_l)
        gin = buffer(self, 'gradInput', go.dtype, x.shape)
        _fold(rows.swapaxes(-1, -2), gin.swapaxes(-1, -2),
              _index_map(self._mode, H, out_shape[-2], self.pad_t), self.pad_t)
        return self.gradInput

    def _torchFields(self):
        return public_fields(super()._torchFields())

    def __repr__(self):
        return (f"{self._typename}(l={self.pad_l}, r={self.pad_r}, t={self.pad_t}, "
                f"b={self.pad_b})")


@functools.lru_cache(maxsize=256)
def _index_map(mode, size, out, pad):
    """Input index of every output index along one axis (-1: a zero of zero padding)."""
    i = np.arange(out, dtype=np.int64) - pad
    if mode == 'reflect':
        i = np.abs(i)
        i = np.where(i >= size, 2 * (size - 1) - i, i)
    elif mode == 'replicate':
        i = np.clip(i, 0, size - 1)
    i.flags.writeable = False
    return i


def _fold(g, out, imap, pad):
    """out[..., j] = sum of g[..., o] over the o with imap[o] == j (last axis)."""
    out_len, n = out.shape[-1], g.shape[-1]
    lo, hi = max(pad, 0), min(pad + out_len, n)       # outputs copied straight from the input
    out[...] = 0
    if lo < hi:
        out[..., lo - pad:hi - pad] = g[..., lo:hi]
    for o in list(range(0, lo)) + list(range(hi, n)):
        j = imap[o]
        if j >= 0:
            out[..., j] += g[..., o]


class SpatialZeroPadding(_SpatialPadding):
    """Pads with zeros; negative pads crop."""

    def updateOutput(self, input):
        x, out_shape = self._shapes(input)
        out = buffer(self, 'output', x.dtype, out_shape)
        out.fill(0)
        dst, src = self._blocks(x.shape[-2:], out_shape[-2:])
        out[dst] = x[src]
        return self.output

    def updateGradInput(self, input, gradOutput):
        x, out_shape = self._shapes(input)
        go = check_grad_output(self, gradOutput, out_shape, input)
        gin = buffer(self, 'gradInput', go.dtype, x.shape)
        gin.fill(0)
        dst, src = self._blocks(x.shape[-2:], out_shape[-2:])
        gin[src] = go[dst]
        return self.gradInput

    def _blocks(self, in_hw, out_hw):
        """(output slice, input slice) of the part of the input that is kept."""
        (H, W), (oH, oW) = in_hw, out_hw
        t, l = self.pad_t, self.pad_l
        hs, ws = slice(max(-t, 0), min(H, oH - t)), slice(max(-l, 0), min(W, oW - l))
        ho = slice(hs.start + t, hs.stop + t)
        wo = slice(ws.start + l, ws.stop + l)
        return (Ellipsis, ho, wo), (Ellipsis, hs, ws)


class SpatialReflectionPadding(_SpatialPadding):
    """Pads with the mirror image of the border (the edge pixel itself is not repeated); each
    pad must be smaller than the input along its axis."""
    _mode = 'reflect'

    def _checkPads(self, shape):
        H, W = shape[-2:]
        for name, p, n, axis in (('pad_l', self.pad_l, W, 'width'),
                                 ('pad_r', self.pad_r, W, 'width'),
                                 ('pad_t', self.pad_t, H, 'height'),
                                 ('pad_b', self.pad_b, H, 'height')):
            if p >= n:
                raise ValueError(f"{self._typename}: {name} = {p} must be smaller than the "
                                 f"input {axis} {n} (input size {fmt_size(shape)})")


class SpatialReplicationPadding(_SpatialPadding):
    """Pads by repeating the border pixels."""
    _mode = 'replicate'


class SpatialUpSamplingNearest(Module):
    """Repeats every pixel scale x scale times: output H*scale x W*scale."""

    def __init__(self, scale):
        super().__init__()
        if not isinstance(scale, (int, np.integer, float)) or isinstance(scale, bool) or \
                scale != int(scale) or scale < 1:
            raise ValueError(f"{self._typename}: scale must be an integer >= 1, got {scale!r}")
        self.scale_factor = int(scale)

    def updateOutput(self, input):
        x = float_input(self, input, (3, 4), 'nPlane x H x W or a batch of them')
        s = self.scale_factor
        H, W = x.shape[-2:]
        out = buffer(self, 'output', x.dtype, x.shape[:-2] + (H * s, W * s))
        out.reshape(x.shape[:-2] + (H, s, W, s))[...] = x[..., :, None, :, None]
        return self.output

    def updateGradInput(self, input, gradOutput):
        x = float_input(self, input, (3, 4), 'nPlane x H x W or a batch of them')
        s = self.scale_factor
        H, W = x.shape[-2:]
        go = check_grad_output(self, gradOutput, x.shape[:-2] + (H * s, W * s), input)
        gin = buffer(self, 'gradInput', go.dtype, x.shape)
        np.sum(go.reshape(x.shape[:-2] + (H, s, W, s)), axis=(-3, -1), out=gin)
        return self.gradInput

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields['scale_factor'] = int(fields['scale_factor'])
        fields.setdefault('train', True)
        return fields
