"""nn.Linear: y = W x + b for a vector x or a batch of rows (N x inputSize)."""
import math

import numpy as np

import torchlike as torch
from torchlike._core import fmt_size

from .checks import check_input, check_same_type
from .module import Module


class Linear(Module):
    """Fully connected layer. weight: outputSize x inputSize, bias: outputSize."""
    _buffers = ('_gradWeightBuffer',)

    def __init__(self, inputSize, outputSize, bias=True):
        super().__init__()
        self.weight = torch.Tensor(outputSize, inputSize)
        self.gradWeight = torch.Tensor(outputSize, inputSize)
        if bias:
            self.bias = torch.Tensor(outputSize)
            self.gradBias = torch.Tensor(outputSize)
        self.reset()

    def noBias(self):
        """Remove the bias (and its gradient); returns self."""
        for name in ('bias', 'gradBias'):
            self.__dict__.pop(name, None)
        return self

    def reset(self, stdv=None):
        """Torch7's initialisation: uniform(-1/sqrt(inputSize), 1/sqrt(inputSize)) for weight
        and bias, or uniform(-stdv*sqrt(3), stdv*sqrt(3)) when stdv is given."""
        if stdv is not None:
            stdv = stdv * math.sqrt(3)
        else:
            stdv = 1 / math.sqrt(self.weight.size(1))
        self.weight.uniform(-stdv, stdv)
        if getattr(self, 'bias', None) is not None:
            self.bias.uniform(-stdv, stdv)
        return self

    def _check(self, input):
        check_input(self, input, (1, 2), f"a vector of {self.weight.size(1)} values or a batch "
                                         f"of them")
        if input.size(input.dim() - 1) != self.weight.size(1):
            raise ValueError(f"{self._typename}: input has {input.size(input.dim() - 1)} "
                             f"features, expected {self.weight.size(1)} (input size "
                             f"{fmt_size(input.size())}, weight {fmt_size(self.weight.size())})")
        check_same_type(self, input, self.weight)

    def updateOutput(self, input):
        self._check(input)
        w = self.weight.numpy()
        x = input.numpy()
        out_shape = x.shape[:-1] + (w.shape[0],)
        out = self.output.resize(*out_shape).numpy()
        np.matmul(x, w.T, out=out)
        if getattr(self, 'bias', None) is not None:
            out += self.bias.numpy()
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self.gradInput is None:
            return None   # Torch7's idiom for a first layer: gradInput = nil skips this GEMM
        g = gradOutput.numpy()
        gin = self.gradInput.resizeAs(input).numpy()
        np.matmul(g, self.weight.numpy(), out=gin)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        g, x = gradOutput.numpy(), input.numpy()
        gw = self.gradWeight.numpy()
        if x.ndim == 1:
            gw += scale * np.multiply.outer(g, x)
        else:
            # the product goes into a module-owned buffer (no per-step allocation of a big
            # temporary), then one in-place add; numpy's matmul has no BLAS beta = 1
            buf = self.__dict__.get('_gradWeightBuffer')
            if buf is None or buf._dtype != gw.dtype:
                buf = self._gradWeightBuffer = self.gradWeight.new()
            tmp = buf.resize(*gw.shape).numpy()
            np.matmul(g.T, x, out=tmp)
            if scale != 1:
                tmp *= scale
            gw += tmp
        if getattr(self, 'bias', None) is not None:
            gb = self.gradBias.numpy()
            gb += scale * (g if g.ndim == 1 else g.sum(0))

    def __repr__(self):
        s = f"{self._typename}({self.weight.size(1)} -> {self.weight.size(0)})"
        return s if getattr(self, 'bias', None) is not None else s + " without bias"
