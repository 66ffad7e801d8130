"""nn.SpatialFullConvolution: the transposed ("deconvolution") 2-D convolution.

It is the adjoint of SpatialConvolution with the same kernel, stride and padding, so it runs on
the same kernels with the roles swapped (THNN does the same):

  forward    finput = weight2d^T @ input2d         [nOut*kH*kW, N*H*W]   (input2d: [nIn, N*H*W])
             output = col2im(finput) + bias        N x nOut x oH x oW
  backward   fgradInput = im2col(gradOutput)       [nOut*kH*kW, N*H*W]  (shared by both steps)
             gradInput  = weight2d @ fgradInput    as N x nIn x H x W
             gradWeight += scale * input2d @ fgradInput^T

  oH = (H - 1) * dH - 2 * padH + kH + adjH    (adj: extra rows/columns at the end, adj < stride)

weight: nInputPlane x nOutputPlane x kH x kW, as in Torch7.
"""
import numpy as np

import torchlike as torch
from torchlike._core import fmt_size
from kernels.cpu import im2col as _k

from .checks import check_same_type, planes_input
from .convolution import ConvBase, ConvGeometry, buffer, check_nonnegative, check_positive


class SpatialFullConvolution(ConvBase):
    """Transposed convolution from nInputPlane to nOutputPlane planes (batch or single image)."""

    _pad_names = ('padW', 'padH', 'adjW', 'adjH')
    _buffers = ('finput', 'fgradInput', '_colInput', '_colGradInput', '_gradWeightBuf')

    def __init__(self, nInputPlane, nOutputPlane, kW, kH, dW=1, dH=1, padW=0, padH=0, adjW=0,
                 adjH=0):
        super().__init__()
        check_positive(self._typename, nInputPlane=nInputPlane, nOutputPlane=nOutputPlane,
                       kW=kW, kH=kH, dW=dW, dH=dH)
        check_nonnegative(self._typename, padW=padW, padH=padH, adjW=adjW, adjH=adjH)
        if adjW > dW - 1 or adjH > dH - 1:
            raise ValueError(f"{self._typename}: adjW and adjH must be smaller than dW and dH "
                             f"(got adjW = {adjW}, adjH = {adjH} for dW = {dW}, dH = {dH})")
        self.nInputPlane, self.nOutputPlane = nInputPlane, nOutputPlane
        self.kW, self.kH, self.dW, self.dH = kW, kH, dW, dH
        self.padW, self.padH, self.adjW, self.adjH = padW, padH, adjW, adjH
        self.weight = torch.Tensor(nInputPlane, nOutputPlane, kH, kW)
        self.gradWeight = torch.Tensor(nInputPlane, nOutputPlane, kH, kW)
        self.bias = torch.Tensor(nOutputPlane)
        self.gradBias = torch.Tensor(nOutputPlane)
        self.finput = torch.Tensor()
        self.fgradInput = torch.Tensor()
        self.reset()

    def _fanIn(self):
        return self.nInputPlane * self.kH * self.kW

    def _geometry(self, input):
        """Geometry in the kernels' terms: the 'image' is the output, the grid is the input."""
        shape, batch, N, H, W = planes_input(self, input, self.nInputPlane)
        oH = (H - 1) * self.dH - 2 * self.padH + self.kH + self.adjH
        oW = (W - 1) * self.dW - 2 * self.padW + self.kW + self.adjW
        M = self.nOutputPlane
        if oH < 1 or oW < 1:
            raise ValueError(f"{self._typename}: input size {fmt_size(shape)} is too small: "
                             f"output would be {M} x {oH} x {oW}")
        out_shape = (N, M, oH, oW) if batch else (M, oH, oW)
        # ConvGeometry with C = nOut planes of oH x oW, a grid of H x W positions; the unfolded
        # matrices always use the batch layout [nOut*kH*kW, N*H*W] here
        return ConvGeometry(N, M, 1, oH, oW,
                            (1, self.kH, self.kW, 1, self.dH, self.dW, 0, self.padH, self.padW,
                             1, H, W), self.nInputPlane, batch, shape, out_shape)

    def _input2d(self, x, g, name):
        """The input (or an input-shaped gradient) as an [nIn, N*H*W] matrix."""
        nIn, HW = g.M, g.P
        if g.N == 1:
            return x.reshape(nIn, HW)
        m = buffer(self, name, x.dtype, (nIn, g.N * HW))
        np.copyto(m.reshape(nIn, g.N, HW), x.reshape(g.N, nIn, HW).transpose(1, 0, 2))
        return m

    def updateOutput(self, input):
        g = self._geometry(input)
        check_same_type(self, input, self.weight)
        x2 = self._input2d(input.numpy(), g, '_colInput')
        w2 = self.weight.numpy().reshape(g.M, g.K)
        cols = buffer(self, 'finput', x2.dtype, (g.K, g.N * g.P))
        np.matmul(w2.T, x2, out=cols)
        out = buffer(self, 'output', x2.dtype, g.out_shape)
        _k.col2im(cols.reshape(-1), out.reshape(-1), g.N, g.C, g.T, g.H, g.W, *g.k,
                  g.N * g.P, g.P)
        bias = self.__dict__.get('bias')
        if bias is not None:
            o3 = out.reshape(g.N, g.C, g.H * g.W)
            o3 += bias.numpy()[:, None]
        return self.output

    def _gradCols(self, input, gradOutput):
        g = self._geometry(input)
        if not torch.isTensor(gradOutput) or tuple(gradOutput.size()) != g.out_shape:
            got = fmt_size(gradOutput.size()) if torch.isTensor(gradOutput) else \
                type(gradOutput).__name__
            raise ValueError(f"{self._typename}: gradOutput has size {got}, expected "
                             f"{fmt_size(g.out_shape)}")
        check_same_type(self, gradOutput, self.weight)
        go = gradOutput.numpy()
        if not go.flags.c_contiguous:
            go = np.ascontiguousarray(go)
        cols = buffer(self, 'fgradInput', go.dtype, (g.K, g.N * g.P))
        _k.im2col(go.reshape(-1), cols.reshape(-1), g.N, g.C, g.T, g.H, g.W, *g.k,
                  g.N * g.P, g.P)
        return g, go, cols

    def _gradInputFrom(self, g, cols):
        w2 = self.weight.numpy().reshape(g.M, g.K)
        gin = buffer(self, 'gradInput', cols.dtype, g.in_shape)
        if g.N == 1:
            np.matmul(w2, cols, out=gin.reshape(g.M, g.P))
        else:
            tmp = buffer(self, '_colGradInput', cols.dtype, (g.M, g.N * g.P))
            np.matmul(w2, cols, out=tmp)
            np.copyto(gin.reshape(g.N, g.M, g.P), tmp.reshape(g.M, g.N, g.P).transpose(1, 0, 2))
        return self.gradInput

    def _accFrom(self, input, g, go, cols, scale):
        x2 = self._input2d(input.numpy(), g, '_colInput')
        tmp = buffer(self, '_gradWeightBuf', cols.dtype, (g.M, g.K))
        np.matmul(x2, cols.T, out=tmp)
        if scale != 1:
            tmp *= scale
        gw = self.gradWeight.numpy()
        gw += tmp.reshape(gw.shape)
        gradBias = self.__dict__.get('gradBias')
        if gradBias is not None:
            s = go.reshape(g.N, g.C, g.H * g.W).sum(axis=(0, 2))
            gb = gradBias.numpy()
            gb += s if scale == 1 else scale * s

    def updateGradInput(self, input, gradOutput):
        if self.gradInput is None:
            return None
        g, _, cols = self._gradCols(input, gradOutput)
        return self._gradInputFrom(g, cols)

    def accGradParameters(self, input, gradOutput, scale=1):
        g, go, cols = self._gradCols(input, gradOutput)
        self._accFrom(input, g, go, cols, scale)

    def backward(self, input, gradOutput, scale=1):
        g, go, cols = self._gradCols(input, gradOutput)    # one im2col serves both steps
        if self.gradInput is not None:
            self._gradInputFrom(g, cols)
        self._accFrom(input, g, go, cols, scale)
        return self.gradInput

    def __repr__(self):
        s = f"{self._typename}({self.nInputPlane} -> {self.nOutputPlane}, {self.kW}x{self.kH}"
        if self.dW != 1 or self.dH != 1 or self.padW != 0 or self.padH != 0:
            s += f", {self.dW},{self.dH}"
        if self.padW != 0 or self.padH != 0:
            s += f", {self.padW},{self.padH}"
        if self.adjW != 0 or self.adjH != 0:
            s += f", {self.adjW},{self.adjH}"
        return s + (")" if self.__dict__.get('bias') is not None else ") without bias")
