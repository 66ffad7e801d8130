"""Modules whose input or output is a table (a Python list): JoinTable, SplitTable, SelectTable,
NarrowTable, FlattenTable (the element-wise ones are in table_arith.py).

Dimensions and positions are 0-based; negative ones count from the end. gradInput has the
structure of the input (a list, nested for SelectTable, NarrowTable and FlattenTable). As in
Torch7, SplitTable's outputs are views of the input and SelectTable, NarrowTable and
FlattenTable pass the very tensors of their input (and of gradOutput) through without copying.
"""
import numpy as np

import torchlike as torch
from torchlike._core import fmt_size, is_int

from .module import Module
from ._helpers import _array, _check_grad, _check_tensor, _resolve_dim
from ._tables import _TableMixin, _check_table, _check_tensors, _list_array, _own_list, _zeros_like
from . import utils as _utils




class JoinTable(_TableMixin, Module):
    """Concatenates a list of tensors along `dimension` (0-based; negative from the end).
    With nInputDims, inputs with more dimensions are batches and the dimension shifts by one."""

    nInputDims = None
    _indexFields = ('dimension',)
    _transient = ('size',)

    def __init__(self, dimension, nInputDims=None):
        super().__init__()
        self.dimension = dimension
        self.nInputDims = nInputDims
        self.gradInput = []

    def _dim(self, input):
        return _resolve_dim(self, self.dimension, input[0]._arr().shape, self.nInputDims)

    def updateOutput(self, input):
        _check_table(self, input)
        _check_tensors(self, input, same_shape=False)
        d = self._dim(input)
        arrays = [t._arr() for t in input]
        shape = list(arrays[0].shape)
        for i, a in enumerate(arrays[1:], 1):
            if a.ndim != len(shape) or any(a.shape[k] != shape[k] for k in range(len(shape))
                                           if k != d):
                raise ValueError(f"{self._typename}: input[{i}] has size {fmt_size(a.shape)}, "
                                 f"which does not match input[0] ({fmt_size(shape)}) outside "
                                 f"dimension {d}")
        shape[d] = sum(a.shape[d] for a in arrays)
        out = _array(self, 'output', input[0], shape)
        np.concatenate(arrays, axis=d, out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_table(self, input)
        d = self._dim(input)
        _check_grad(self, gradOutput, self.output._arr().shape)
        g = gradOutput._arr()
        gi = _own_list(self, 'gradInput')
        del gi[len(input):]
        lead = (slice(None),) * d
        offset = 0
        for i, t in enumerate(input):
            n = t._arr().shape[d]
            np.copyto(_list_array(gi, i, t, t._arr().shape),
                      g[lead + (slice(offset, offset + n),)])
            offset += n
        return gi

    def _torchFields(self):
        fields = super()._torchFields()
        fields['size'] = torch.LongStorage()       # Torch7's size buffer
        return fields


class SplitTable(_TableMixin, Module):
    """A tensor -> the list of its slices along `dimension` (views, not copies)."""

    nInputDims = None
    _indexFields = ('dimension',)

    def __init__(self, dimension, nInputDims=None):
        super().__init__()
        self.dimension = dimension
        self.nInputDims = nInputDims

    def updateOutput(self, input):
        _check_tensor(self, input)
        shape = input._arr().shape
        if input.dim() < 2:
            raise ValueError(f"{self._typename}: input must have at least 2 dimensions to be "
                             f"split into tensors, got size {fmt_size(input.size())}")
        d = _resolve_dim(self, self.dimension, shape, self.nInputDims)
        self.output = [input.select(d, i) for i in range(shape[d])]
        return self.output

    def updateGradInput(self, input, gradOutput):
        shape = input._arr().shape
        d = _resolve_dim(self, self.dimension, shape, self.nInputDims)
        _check_table(self, gradOutput, shape[d], 'gradOutput')
        piece = shape[:d] + shape[d + 1:]
        for i, g in enumerate(gradOutput):
            _check_tensor(self, g, f'gradOutput[{i}]')
            if g._arr().shape != piece:
                raise ValueError(f"{self._typename}: gradOutput[{i}] has size "
                                 f"{fmt_size(g._arr().shape)}, expected {fmt_size(piece)}")
        gi = _array(self, 'gradInput', input, shape)
        np.stack([g._arr() for g in gradOutput], axis=d, out=gi)
        return self.gradInput


# -- selecting entries -------------------------------------------------------------------------
class SelectTable(_TableMixin, Module):
    """input[index] (0-based; negative counts from the end), passed through without copying.
    gradInput mirrors the input's structure: zeros everywhere but at `index`."""
    _device_agnostic = True   # tensor methods only: runs on any device

    _indexFields = ('index',)

    def __init__(self, index):
        super().__init__()
        if not is_int(index):
            raise TypeError(f"nn.SelectTable: index must be an integer, got {index!r}")
        self.index = index
        self.gradInput = []

    def _position(self, input):
        _check_table(self, input)
        n = len(input)
        i = self.index + n if self.index < 0 else self.index
        if not 0 <= i < n:
            raise IndexError(f"{self._typename}: index {self.index} is out of range for a table "
                             f"of {n} entries (valid: {-n} to {n - 1})")
        return i

    def updateOutput(self, input):
        self.output = input[self._position(input)]
        return self.output

    def updateGradInput(self, input, gradOutput):
        j = self._position(input)
        gi = _own_list(self, 'gradInput')
        del gi[len(input):]
        gi.extend([None] * (len(input) - len(gi)))
        for i, x in enumerate(input):
            if i != j:
                gi[i] = _zeros_like(gi[i], x)
        gi[j] = _utils.recursiveCopy(gi[j], gradOutput)
        return gi

    def __repr__(self):
        return f"{self._typename}({self.index})"


class NarrowTable(_TableMixin, Module):
    """The sub-list of `length` entries from `offset` (0-based; a negative offset counts from
    the end). gradInput is gradOutput's entries at those positions and zeros elsewhere."""
    _device_agnostic = True   # tensor methods only: runs on any device

    _zeros = None
    _buffers = ('_zeros',)
    _indexFields = ('offset',)
    _loadDefaults = {'length': 1}
    _transient = ('_zeros',)

    def __init__(self, offset, length=1):
        super().__init__()
        if not (is_int(offset) and is_int(length)) or length < 1:
            raise ValueError(f"nn.NarrowTable(offset, length): integers with length >= 1, got "
                             f"({offset!r}, {length!r})")
        self.offset = offset
        self.length = length
        self.output = []
        self.gradInput = []

    def _start(self, input):
        _check_table(self, input)
        n = len(input)
        off = self.offset + n if self.offset < 0 else self.offset
        if not (0 <= off and off + self.length <= n):
            raise IndexError(f"{self._typename}: entries {self.offset} to "
                             f"{self.offset + self.length - 1} are out of range for a table of "
                             f"{n} entries")
        return off

    def updateOutput(self, input):
        off = self._start(input)
        self.output = list(input[off:off + self.length])
        return self.output

    def updateGradInput(self, input, gradOutput):
        off = self._start(input)
        _check_table(self, gradOutput, self.length, 'gradOutput')
        zeros = self._zeros if isinstance(self._zeros, list) else []
        self._zeros = zeros
        gi = _own_list(self, 'gradInput')
        del gi[len(input):]
        gi.extend([None] * (len(input) - len(gi)))
        zeros.extend([None] * (len(input) - len(zeros)))
        for i, x in enumerate(input):
            if off <= i < off + self.length:
                gi[i] = gradOutput[i - off]
            else:
                gi[i] = zeros[i] = _zeros_like(zeros[i], x)
        return gi


def _flatten(x, out):
    for v in x:
        if isinstance(v, (list, tuple)):
            _flatten(v, out)
        else:
            out.append(v)
    return out


def _unflatten(structure, flat, pos):
    """Nested lists shaped like `structure` holding flat[pos...] in order; (result, new pos)."""
    res = []
    for v in structure:
        if isinstance(v, (list, tuple)):
            sub, pos = _unflatten(v, flat, pos)
            res.append(sub)
        else:
            res.append(flat[pos])
            pos += 1
    return res, pos


class FlattenTable(_TableMixin, Module):
    """Nested lists -> one flat list of their tensors, depth first. gradInput takes the nested
    structure of the input again."""
    _device_agnostic = True   # tensor methods only: runs on any device

    _transient = ('input_map',)

    def __init__(self):
        super().__init__()
        self.output = []
        self.gradInput = []

    def updateOutput(self, input):
        _check_table(self, input, minimum=0)
        self.output = _flatten(input, [])
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_table(self, input, minimum=0)
        n = len(_flatten(input, []))
        _check_table(self, gradOutput, n, 'gradOutput', minimum=0)
        self.gradInput = _unflatten(input, gradOutput, 0)[0]
        return self.gradInput


# -- element-wise arithmetic on the entries ---------------------------------------------------
