"""Reductions along one dimension: Sum, Mean, Max, Min.

Unlike `x.sum(d)` (which keeps dimension d with size 1), these modules DROP the reduced
dimension, as Torch7's nn did: Sum(1) maps N x D to N. A 1-D input gives a 1-element 1-D
output. `dimension` is 0-based (negative counts from the end); with `nInputDims`, an input with
more dimensions is a batch and a non-negative dimension shifts by one. Max and Min route the
gradient to the position of the maximum / minimum (the first one on ties).
"""
import functools
import math

import numpy as np

import torchlike as torch

from .module import Module
from ._helpers import _Fields, _array, _check_grad, _check_tensor, _resolve_dim


def _reduced_shapes(shape, d, squeeze):
    """(shape with dim d kept as 1, output shape): the output drops d unless the input is 1-D
    or squeeze is off."""
    keep = shape[:d] + (1,) + shape[d + 1:]
    if squeeze and len(shape) > 1:
        return keep, shape[:d] + shape[d + 1:]
    return keep, keep


@functools.lru_cache(maxsize=64)
def _grid(outer, inner):
    """Index grids (outer x 1, 1 x inner) that scatter one value per (outer, inner) pair."""
    return np.arange(outer)[:, None], np.arange(inner)[None, :]


class Sum(_Fields, Module):
    """Sum over `dimension` (divided by its size with sizeAverage); squeeze=False keeps the
    reduced dimension with size 1."""

    nInputDims = None
    sizeAverage = False
    squeeze = True
    _indexFields = ('dimension',)
    _loadDefaults = {'dimension': 1}

    def __init__(self, dimension=0, nInputDims=None, sizeAverage=False, squeeze=True):
        super().__init__()
        if not isinstance(squeeze, bool):
            raise TypeError(f"{self._typename}: squeeze must be True or False, got {squeeze!r}")
        self.dimension = dimension
        self.nInputDims = nInputDims
        self.sizeAverage = bool(sizeAverage)
        self.squeeze = squeeze

    def updateOutput(self, input):
        _check_tensor(self, input)
        a = input._arr()
        d = _resolve_dim(self, self.dimension, a.shape, self.nInputDims)
        keep, oshape = _reduced_shapes(a.shape, d, self.squeeze)
        out = _array(self, 'output', input, oshape)
        np.add.reduce(a, axis=d, out=out.reshape(keep), keepdims=True)
        if self.sizeAverage:
            out *= 1.0 / a.shape[d]
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = input._arr()
        d = _resolve_dim(self, self.dimension, a.shape, self.nInputDims)
        keep, oshape = _reduced_shapes(a.shape, d, self.squeeze)
        _check_grad(self, gradOutput, oshape)
        g = gradOutput._arr().reshape(keep)
        gi = _array(self, 'gradInput', input, a.shape)
        if self.sizeAverage:
            np.multiply(g, 1.0 / a.shape[d], out=gi)
        else:
            np.copyto(gi, g)
        return self.gradInput


class Mean(Sum):
    """The mean over `dimension` (Sum with sizeAverage)."""

    def __init__(self, dimension=0, nInputDims=None, squeeze=True):
        super().__init__(dimension, nInputDims, True, squeeze)


class _ArgReduce:
    """Max and Min: the extreme value along one dimension; the gradient goes to its position.
    `_indices` (a LongTensor, 0-based, reduced dimension kept with size 1) holds the positions
    found by the last forward."""

    nInputDims = None
    _indices = None
    _buffers = ('_indices',)
    _indexFields = ('dimension',)
    _loadDefaults = {'dimension': 1}
    _transient = ('_indices', '_output')   # Lua's are 1-based; forward makes new ones

    def __init__(self, dimension=0, nInputDims=None):
        Module.__init__(self)
        self.dimension = dimension
        self.nInputDims = nInputDims

    def updateOutput(self, input):
        _check_tensor(self, input)
        a = input._arr()
        if not a.size:
            raise ValueError(f"{self._typename}: the input is empty")
        d = _resolve_dim(self, self.dimension, a.shape, self.nInputDims)
        keep, oshape = _reduced_shapes(a.shape, d, True)
        idx = self._indices
        if idx is None or idx.__class__ is not torch.LongTensor:
            idx = self._indices = torch.LongTensor()
        getattr(a, self._arg)(axis=d, out=idx.resize(keep).numpy(), keepdims=True)
        out = _array(self, 'output', input, oshape)
        self._val(a, axis=d, out=out.reshape(keep), keepdims=True)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = input._arr()
        d = _resolve_dim(self, self.dimension, a.shape, self.nInputDims)
        keep, oshape = _reduced_shapes(a.shape, d, True)
        _check_grad(self, gradOutput, oshape)
        idx = self._indices
        if idx is None or tuple(idx.size()) != keep:
            raise RuntimeError(f"{self._typename}: updateGradInput needs a forward of the same "
                               f"input first")
        gi = _array(self, 'gradInput', input, a.shape)
        gi.fill(0)
        outer, n = math.prod(a.shape[:d]), a.shape[d]
        inner = a.size // (outer * n)
        rows, cols = _grid(outer, inner)
        gi.reshape(outer, n, inner)[rows, idx.numpy().reshape(outer, inner), cols] = \
            gradOutput._arr().reshape(outer, inner)
        return self.gradInput

    def type(self, typename=None, tensorCache=None):
        if typename is not None:
            self._indices = None      # indices stay a LongTensor (made again by forward)
        return super().type(typename, tensorCache)


class Max(_ArgReduce, _Fields, Module):
    """The maximum over `dimension`; the gradient goes to the position of the maximum."""
    _arg = 'argmax'
    _val = np.maximum.reduce


class Min(_ArgReduce, _Fields, Module):
    """The minimum over `dimension`; the gradient goes to the position of the minimum."""
    _arg = 'argmin'
    _val = np.minimum.reduce
