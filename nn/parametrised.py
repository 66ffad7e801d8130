"""Layers with learnable element-wise parameters: Add, CAdd, Mul, CMul, PReLU, and LookupTable
(the embedding layer).

Parameters and input must have the same tensor type (convert with module.float()/.double()).
LookupTable indices are 0-based: row i of the weight is the embedding of index i.
"""
import math

import numpy as np

import torchlike as torch
from kernels.cpu import lookup as _lookup
from torchlike._core import fmt_size

from ._helpers import float_array, grad_array, output_array, grad_input_array, mask_array, \
    scratch_array
from .checks import check_same_type
from .module import Module


def _sizes(module, args):
    """CAdd(2, 3) / CAdd((2, 3)) / CAdd(torch.LongStorage) -> (2, 3)."""
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        args = tuple(args[0])
    if not args or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1
                       for s in args):
        raise ValueError(f"{module._typename}: expected positive integer sizes, got "
                         f"{args!r}")
    return tuple(int(s) for s in args)


def _uniform_reset(tensor, stdv):
    """Torch7's reset: uniform(-1/sqrt(n), 1/sqrt(n)) for n parameters, or stdv * sqrt(3)."""
    bound = stdv * math.sqrt(3) if stdv is not None else 1 / math.sqrt(tensor.nElement())
    tensor.uniform(-bound, bound)


class _Elementwise(Module):
    """How CAdd/CMul lay their parameter p over an input x (Torch7's rules):
      - x has as many elements as p: element by element (x's shape wins);
      - x has as many dimensions as p: p broadcasts over its size-1 dimensions;
      - otherwise x is a batch: each x[i] has as many elements as p."""
    _param = 'weight'
    _buffers = ('_repeat', '_mask')

    def _layout(self, a):
        """(view of x, view of p, axes to sum a gradient over for p) for input view `a`."""
        p = getattr(self, self._param)._arr()
        if a.size == p.size:
            return a, p.reshape(a.shape), None
        if a.ndim == p.ndim and all(ps in (1, xs) for ps, xs in zip(p.shape, a.shape)):
            axes = tuple(d for d, (ps, xs) in enumerate(zip(p.shape, a.shape)) if ps != xs)
            return a, p, axes
        if a.ndim >= 1 and a.size == a.shape[0] * p.size:
            return a.reshape(a.shape[0], p.size), p.reshape(1, p.size), (0,)
        raise ValueError(f"{self._typename}: input of size {fmt_size(a.shape)} does not match "
                         f"the {self._param} of size {fmt_size(p.shape)} (same number of "
                         f"elements, the same dimensions with {self._param} sizes of 1, or a "
                         f"batch whose samples have {p.size} elements)")

    def _check(self, input):
        a = float_array(self, input)
        check_same_type(self, input, getattr(self, self._param))
        return a

    def _accumulate(self, grad_param, contribution, axes, scale):
        """grad_param += scale * contribution summed over `axes`."""
        gp = grad_param._arr()
        if axes is None:
            gp += scale * contribution.reshape(gp.shape)
        else:
            gp += scale * contribution.sum(axis=axes, keepdims=True).reshape(gp.shape)


class Add(Module):
    """y = x + b with a learnable bias b of inputSize values (or one shared value with
    scalar=True), for one sample or a batch of them."""

    def __init__(self, inputSize, scalar=False):
        super().__init__()
        self.scalar = bool(scalar)
        size = 1 if scalar else inputSize
        self.bias = torch.Tensor(size)
        self.gradBias = torch.Tensor(size)
        self.reset()

    def reset(self, stdv=None):
        _uniform_reset(self.bias, stdv)
        return self

    def _views(self, a, arr):
        """(input-like view of arr as rows, bias view) for the non-scalar cases."""
        b = self.bias._arr()
        if a.shape == b.shape:
            return arr, b
        n = a.shape[0] if a.ndim else 0
        if a.ndim < 2 or a.size != n * b.size:
            raise ValueError(f"{self._typename}: input of size {fmt_size(a.shape)} does not "
                             f"match the bias of {b.size} values (expected that size, or a "
                             f"batch of samples with {b.size} elements each)")
        return arr.reshape(n, b.size), b

    def updateOutput(self, input):
        a = float_array(self, input)
        check_same_type(self, input, self.bias)
        if self.scalar:
            np.add(a, self.bias._arr()[0], out=output_array(self, input, a))
            return self.output
        x, b = self._views(a, a)
        out = output_array(self, input, a)
        np.add(x, b, out=out.reshape(x.shape))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        np.copyto(grad_input_array(self, input, a), g)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        gb = self.gradBias._arr()
        if self.scalar:
            gb[0] += scale * g.sum()
            return
        rows, _ = self._views(a, g)
        gb += scale * (rows if rows.shape == gb.shape else rows.sum(0))


class CAdd(_Elementwise):
    """y = x + b with a learnable bias of the given size, broadcast as _Elementwise says:
    CAdd(5) on a batch of rows of 5, CAdd(1, 5) on N x 5 input, CAdd(3, 1, 1) per channel."""
    _param = 'bias'

    def __init__(self, *size):
        super().__init__()
        size = _sizes(self, size)
        self.bias = torch.Tensor(*size)
        self.gradBias = torch.Tensor(*size)
        self.reset()

    def reset(self, stdv=None):
        _uniform_reset(self.bias, stdv)
        return self

    def updateOutput(self, input):
        a = self._check(input)
        x, b, _ = self._layout(a)
        out = output_array(self, input, a)
        np.add(x, b, out=out.reshape(x.shape))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        np.copyto(grad_input_array(self, input, a), g)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        x, _, axes = self._layout(a)
        self._accumulate(self.gradBias, g.reshape(x.shape), axes, scale)


class Mul(Module):
    """y = w x with one learnable scalar gain w."""

    def __init__(self):
        super().__init__()
        self.weight = torch.Tensor(1)
        self.gradWeight = torch.Tensor(1)
        self.reset()

    def reset(self, stdv=None):
        _uniform_reset(self.weight, stdv)
        return self

    def updateOutput(self, input):
        a = float_array(self, input)
        check_same_type(self, input, self.weight)
        np.multiply(a, self.weight._arr()[0], out=output_array(self, input, a))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        np.multiply(g, self.weight._arr()[0], out=grad_input_array(self, input, a))
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        self.gradWeight._arr()[0] += scale * np.vdot(a, g)


class CMul(_Elementwise):
    """y = w * x element-wise with a learnable weight of the given size, broadcast as
    _Elementwise says (CMul(5) on a batch of rows of 5, CMul(1, 5), CMul(3, 1, 1), ...)."""
    _param = 'weight'

    def __init__(self, *size):
        super().__init__()
        size = _sizes(self, size)
        self.weight = torch.Tensor(*size)
        self.gradWeight = torch.Tensor(*size)
        self.reset()

    def reset(self, stdv=None):
        _uniform_reset(self.weight, stdv)
        return self

    def updateOutput(self, input):
        a = self._check(input)
        x, w, _ = self._layout(a)
        out = output_array(self, input, a)
        np.multiply(x, w, out=out.reshape(x.shape))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        x, w, _ = self._layout(a)
        gin = grad_input_array(self, input, a)
        np.multiply(g.reshape(x.shape), w, out=gin.reshape(x.shape))
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        x, _, axes = self._layout(a)
        prod = scratch_array(self, x, '_repeat')
        np.multiply(x, g.reshape(x.shape), out=prod)
        self._accumulate(self.gradWeight, prod, axes, scale)


class PReLU(Module):
    """Parametric ReLU: x if x > 0 else w x, with one learnable slope shared by every input
    (nOutputPlane=0) or one per channel (channel dim 0 of a 1-D input, dim 1 otherwise).
    Slopes start at 0.25 (He et al. 2015)."""
    _buffers = ('_mask', '_repeat')

    def __init__(self, nOutputPlane=0):
        super().__init__()
        self.nOutputPlane = int(nOutputPlane)
        n = self.nOutputPlane or 1
        self.weight = torch.Tensor(n).fill(0.25)
        self.gradWeight = torch.Tensor(n)

    def _slopes(self, a):
        """The weight as an array that broadcasts over input view `a`."""
        w = self.weight._arr()
        n = self.nOutputPlane
        if n == 0:
            return w[0], None
        cdim = 1 if a.ndim > 1 else 0
        if a.ndim == 0 or a.shape[cdim] != n:
            got = a.shape[cdim] if a.ndim else 0
            raise ValueError(f"{self._typename}: wrong number of input planes: expected {n} "
                             f"in dim {cdim} but got {got} (input size {fmt_size(a.shape)})")
        shape = [1] * a.ndim
        shape[cdim] = n
        axes = tuple(d for d in range(a.ndim) if d != cdim)
        return w.reshape(shape), axes

    def updateOutput(self, input):
        a = float_array(self, input)
        check_same_type(self, input, self.weight)
        w, _ = self._slopes(a)
        out = output_array(self, input, a)
        np.multiply(a, w, out=out)
        np.copyto(out, a, where=np.greater(a, 0, out=mask_array(self, a.shape)))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        w, _ = self._slopes(a)
        gin = grad_input_array(self, input, a)
        np.multiply(g, w, out=gin)
        np.copyto(gin, g, where=np.greater(a, 0, out=mask_array(self, a.shape)))
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        a = float_array(self, input)
        g = grad_array(self, a, gradOutput)
        _, axes = self._slopes(a)
        prod = scratch_array(self, a, '_repeat')
        np.minimum(a, 0, out=prod)                 # x where x <= 0, else 0
        prod *= g
        gw = self.gradWeight._arr()
        if axes is None:
            gw[0] += scale * prod.sum()
        else:
            gw += scale * prod.sum(axis=axes)


class LookupTable(Module):
    """Embedding: row i of weight (nIndex x size) for every index i of the input. A vector of
    n indices gives n x size; a batch (b x n) gives b x n x size. Indices are 0-based
    (LongTensor, or any tensor of whole numbers: other types are truncated, as Torch7 did).

    paddingValue: an index whose row gets no gradient (None: none). maxNorm: rows looked up
    are first rescaled in place to a normType-norm of at most maxNorm. scaleGradByFreq():
    divide each row's gradient by how often its index occurs in the batch."""
    shouldScaleGradByFreq = False
    paddingValue = None
    maxNorm = None
    normType = 2
    _buffers = ('_count',)

    def __init__(self, nIndex, size, paddingValue=None, maxNorm=None, normType=2):
        super().__init__()
        self.weight = torch.Tensor(nIndex, size)
        self.gradWeight = torch.Tensor(nIndex, size).zero()
        self.paddingValue = paddingValue
        self.maxNorm = maxNorm
        self.normType = normType
        self.shouldScaleGradByFreq = False
        self._count = torch.IntTensor()
        self.reset()

    def reset(self, stdv=None):
        """Torch7's initialisation: normal(0, stdv) with stdv = 1 by default."""
        self.weight.normal(0, 1 if stdv is None else stdv)
        return self

    # -- settings (each returns self, as in Torch7) -----------------------------------------
    def setPadding(self, paddingValue):
        self.paddingValue = paddingValue
        return self

    def setMaxNorm(self, maxNorm):
        self.maxNorm = maxNorm
        return self

    def setNormType(self, normType):
        self.normType = normType
        return self

    def scaleGradByFreq(self):
        self.shouldScaleGradByFreq = True
        return self

    def accUpdateOnly(self):
        """Drop gradWeight: only accUpdateGradParameters will be used (saves memory)."""
        self.gradWeight = None
        return self

    # -- input ---------------------------------------------------------------------------------
    def _indices(self, input):
        """The input as a contiguous int64 array, checked against nIndex."""
        if not torch.isTensor(input):
            raise TypeError(f"{self._typename}: expected a tensor of indices, got "
                            f"{type(input).__name__}")
        a = input._arr()
        if input.dim() not in (1, 2):
            raise ValueError(f"{self._typename}: input must be a vector or a matrix of indices, "
                             f"got size {fmt_size(input.size())}")
        idx = np.ascontiguousarray(a, dtype=np.int64)
        n_index = self.weight._arr().shape[0]
        if idx.size:
            lo, hi = idx.min(), idx.max()
            if lo < 0 or hi >= n_index:
                bad = lo if lo < 0 else hi
                raise IndexError(f"{self._typename}: index {bad} is out of range for nIndex "
                                 f"{n_index} (valid: 0 to {n_index - 1})")
        return idx

    def _renorm(self, idx):
        """Rescale the rows used by idx to a norm of at most maxNorm (Torch7's renorm)."""
        p = self.normType
        if p <= 0:
            raise ValueError(f"{self._typename}: normType must be positive, got {p}")
        w = self.weight._arr()
        rows = np.unique(idx)
        sub = w[rows]
        if p == 2:
            norms = np.sqrt(np.einsum('ij,ij->i', sub, sub))
        elif p == 1:
            norms = np.abs(sub).sum(1)
        else:
            norms = (np.abs(sub) ** p).sum(1) ** (1.0 / p)
        over = norms > self.maxNorm
        if over.any():
            factor = self.maxNorm / (norms[over] + 1e-7)
            w[rows[over]] = sub[over] * factor[:, None].astype(w.dtype)

    def updateOutput(self, input):
        idx = self._indices(input)
        if self.maxNorm is not None:
            self._renorm(idx)
        w = self.weight._arr()
        out = self.output
        if out._dtype != w.dtype:
            out = self.output = self.weight.new()
        o = out.resize(*(idx.shape + (w.shape[1],))).numpy()
        np.take(w, idx.reshape(-1), axis=0, out=o.reshape(idx.size, w.shape[1]), mode='clip')
        return self.output

    def updateGradInput(self, input, gradOutput):
        # indices have no gradient: zeros of the input's type and size (Torch7)
        if self.gradInput._dtype != input._dtype:
            self.gradInput = input.new()
        if not self.gradInput.isSameSizeAs(input):
            self.gradInput.resizeAs(input).zero()
        return self.gradInput

    def _accumulate(self, input, gradOutput, target, scale):
        idx = self._indices(input).reshape(-1)
        t = target._arr()
        g = gradOutput._arr() if torch.isTensor(gradOutput) else None
        if g is None or g.size != idx.size * t.shape[1]:
            got = fmt_size(g.shape) if g is not None else type(gradOutput).__name__
            raise ValueError(f"{self._typename}: gradOutput has size {got}, expected "
                             f"{fmt_size(tuple(input.size()) + (t.shape[1],))}")
        if g.dtype != t.dtype:
            raise TypeError(f"{self._typename}: gradOutput is a {gradOutput._typename} but the "
                            f"weight is a {target._typename}")
        g = np.ascontiguousarray(g).reshape(idx.size, t.shape[1])
        count = self._counts()
        pad = -1 if self.paddingValue is None else int(self.paddingValue)
        if t.flags.c_contiguous:
            _lookup.lookup_accumulate(idx, g, t, count, t.dtype.type(scale), pad,
                                      bool(self.shouldScaleGradByFreq))
        else:                                      # a strided parameter view: numpy fallback
            s = np.full(idx.size, scale, t.dtype)
            if self.shouldScaleGradByFreq:
                s /= np.bincount(idx, minlength=t.shape[0])[idx]
            s[idx == pad] = 0
            np.add.at(t, idx, g * s[:, None])

    def _counts(self):
        n_index = self.weight._arr().shape[0]
        c = self.__dict__.get('_count')
        if c is None or c._typename != 'torch.IntTensor':
            c = self._count = torch.IntTensor()
        if c.nElement() != n_index:
            c.resize(n_index)
        return c.numpy()

    def accGradParameters(self, input, gradOutput, scale=1):
        if self.gradWeight is None:
            raise RuntimeError(f"{self._typename}: accUpdateOnly() removed gradWeight; use "
                               f"accUpdateGradParameters")
        self._accumulate(input, gradOutput, self.gradWeight, scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        """weight -= lr * dE/dweight directly, with the same kernel (also for shared tables:
        the update never touches gradWeight)."""
        self._accumulate(input, gradOutput, self.weight, -lr)

    def type(self, typename=None, tensorCache=None):
        if typename is None:
            return super().type()
        super().type(typename, tensorCache)
        self._count = torch.IntTensor()            # index buffers keep their integer type
        return self

    def _torchFields(self):
        fields = super()._torchFields()
        # Lua: 1-based paddingValue with 0 meaning none
        fields['paddingValue'] = 0 if self.paddingValue is None else self.paddingValue + 1
        fields['shouldScaleGradByFreq'] = bool(self.shouldScaleGradByFreq)
        return fields

    @classmethod
    def _torchLoadFields(cls, fields, version):
        pad = fields.get('paddingValue', 0)
        fields['paddingValue'] = None if not pad else int(pad) - 1
        fields.setdefault('shouldScaleGradByFreq', False)
        fields.pop('_input', None)
        fields.pop('copiedInput', None)
        if not torch.isTensor(fields.get('_count')):
            fields['_count'] = torch.IntTensor()
        return fields
