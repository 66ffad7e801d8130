"""nn.SpatialConvolution and nn.SpatialConvolutionMM on the device: unfold (im2col) + one GEMM,
as on the CPU (nn/convolution.py), always in the whole-batch layout:

  finput      [K, N*P]   im2col of the batch (K = nIn*kH*kW, P = oH*oW)
  _colOutput  [M, N*P]   bias broadcast, then += weight2d @ finput; copied (transposed) into
                         the N x M x P output
  backward    g2 [M, N*P] = gradOutput transposed; fgradInput = weight2d^T @ g2;
              gradInput = col2im(fgradInput); gradWeight += scale * g2 @ finput^T;
              gradBias += scale * row sums of g2

The GEMMs are the CUDA tensor's addmm/mm on views of these module-owned buffers, which are
resized, never reallocated per call. finput/fgradInput keep their Torch7 names.
"""
import torchlike as torch

from .. import convolution as _cpu
from ..checks import check_same_type
from ..module import Module
from ._common import buffer, check_float, check_grad, kernels


def _cols_geometry(self, input):
    g = self._geometry(input)
    K, N, P = g.K, g.N, g.P
    return g, (K, N * P), (N * P, P)


def _update_output(self, input):
    check_float(self, input)
    g, cols_shape, (rs, ss) = _cols_geometry(self, input)
    check_same_type(self, input, self.weight)
    N, M, P, K = g.N, g.M, g.P, g.K
    x = input.contiguous()
    cols = buffer(self, 'finput', x, cols_shape)
    kernels('im2col').im2col(x._dev_flat(), cols._dev_flat(), N, g.C, g.T, g.H, g.W, *g.k,
                             rs, ss)
    w2 = self.weight.view(M, K)
    bias = self.__dict__.get('bias')
    out = buffer(self, 'output', x, g.out_shape)
    o3 = out.view(N, M, P)
    if N == 1:                      # the product is already the output's layout
        o2 = o3.select(0, 0)
        if bias is not None:
            o2.copy(bias.view(M, 1))
            o2.addmm(w2, cols)
        else:
            o2.mm(w2, cols)
        return out
    tmp = buffer(self, '_colOutput', x, (M, N * P))
    if bias is not None:
        tmp.copy(bias.view(M, 1))   # broadcast over the columns
        tmp.addmm(w2, cols)
    else:
        tmp.mm(w2, cols)
    o3.copy(tmp.view(M, N, P).transpose(0, 1))
    return out


def _grad_output_cols(self, input, gradOutput):
    """(geometry, gradOutput as an [M, N*P] matrix) after checking gradOutput."""
    check_float(self, input)
    g = self._geometry(input)
    go = check_grad(self, gradOutput, g.out_shape)
    N, M, P = g.N, g.M, g.P
    if N == 1:
        return g, go.view(M, P)
    g2 = buffer(self, '_colOutput', go, (M, N * P))
    g2.view(M, N, P).copy(go.view(N, M, P).transpose(0, 1))
    return g, g2


def _backward_from(self, g, g2, scale, want_input, want_params):
    N, M, K, P = g.N, g.M, g.K, g.P
    rs, ss = N * P, P
    w2 = self.weight.view(M, K)
    if want_params:
        cols = self.__dict__.get('finput')
        if cols is None or tuple(cols.size()) != (K, N * P) or not cols._is_cuda:
            raise RuntimeError(f"{self._typename}: accGradParameters needs the unfolded input "
                               f"of a forward pass on this input (finput); call forward first")
    if want_input:
        fg = buffer(self, 'fgradInput', g2, (K, N * P))
        fg.mm(w2.t(), g2)
        gin = buffer(self, 'gradInput', g2, g.in_shape)
        kernels('im2col').col2im(fg._dev_flat(), gin._dev_flat(), N, g.C, g.T, g.H, g.W,
                                 *g.k, rs, ss)
    if want_params:
        self.gradWeight.view(M, K).addmm(scale, g2, cols.t())
        gb = self.__dict__.get('gradBias')
        if gb is not None and self.__dict__.get('bias') is not None:
            gb.add(scale, g2.sum(1).view(M))


def _update_grad_input(self, input, gradOutput):
    if self.gradInput is None:
        return None
    g, g2 = _grad_output_cols(self, input, gradOutput)
    _backward_from(self, g, g2, 1, True, False)
    return self.gradInput


def _acc_grad_parameters(self, input, gradOutput, scale=1):
    g, g2 = _grad_output_cols(self, input, gradOutput)
    _backward_from(self, g, g2, scale, False, True)


def _backward(self, input, gradOutput, scale=1):
    g, g2 = _grad_output_cols(self, input, gradOutput)   # one transpose serves both
    _backward_from(self, g, g2, scale, self.gradInput is not None, True)
    return self.gradInput


def _torch_fields(self):
    # the CPU's version writes its caches through numpy; here they are written empty
    fields = _cpu.public_fields(Module._torchFields(self))
    for name in ('finput', 'fgradInput'):
        if torch.isTensor(fields.get(name)):
            fields[name] = fields[name].new()
    return fields


class SpatialConvolution(_cpu.SpatialConvolution, device='cuda'):
    updateOutput = _update_output
    updateGradInput = _update_grad_input
    accGradParameters = _acc_grad_parameters
    backward = _backward
    _torchFields = _torch_fields


class SpatialConvolutionMM(_cpu.SpatialConvolutionMM, device='cuda'):
    updateOutput = _update_output
    updateGradInput = _update_grad_input
    accGradParameters = _acc_grad_parameters
    backward = _backward
    _torchFields = _torch_fields
