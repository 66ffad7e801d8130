"""Modules whose input or output is a table (a Python list): JoinTable, SplitTable, SelectTable,
NarrowTable, FlattenTable, and the element-wise CAddTable, CSubTable, CMulTable, CDivTable,
CMaxTable, CMinTable.

Dimensions and positions are 0-based; negative ones count from the end. gradInput has the
structure of the input (a list, nested for SelectTable, NarrowTable and FlattenTable). As in
Torch7, SplitTable's outputs are views of the input and SelectTable, NarrowTable and
FlattenTable pass the very tensors of their input (and of gradOutput) through without copying.
"""
import numpy as np

import torchlike as torch
from torchlike._core import fmt_size, is_int
from torchlike.types import tensor_class

from .module import Module
from ._helpers import (_Fields, _alias, _array, _as_list, _check_grad, _check_tensor,
                    _resolve_dim)
from . import utils as _utils


def _check_table(module, x, n=None, what='input', minimum=1):
    """x must be a list (or tuple) of n entries (or at least `minimum`)."""
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"{module._typename}: expected a list as {what}, got "
                        f"{type(x).__name__}")
    if n is not None and len(x) != n:
        raise ValueError(f"{module._typename}: {what} must be a list of {n} entries, got "
                         f"{len(x)}")
    if len(x) < minimum:
        raise ValueError(f"{module._typename}: {what} must be a list of at least {minimum} "
                         f"entries, got {len(x)}")


def _check_tensors(module, x, same_shape=True, what='input'):
    """Every entry is a tensor of the type of entry 0 (and of its size with same_shape)."""
    first = x[0]
    _check_tensor(module, first, f'{what}[0]')
    shape = first._arr().shape
    for i in range(1, len(x)):
        t = x[i]
        _check_tensor(module, t, f'{what}[{i}]')
        if t.__class__ is not first.__class__:
            raise TypeError(f"{module._typename}: {what}[{i}] is a {t._typename} but {what}[0] "
                            f"is a {first._typename}")
        if same_shape and t._arr().shape != shape:
            raise ValueError(f"{module._typename}: {what}[{i}] has size "
                             f"{fmt_size(t._arr().shape)} but {what}[0] has size "
                             f"{fmt_size(shape)}; the sizes must be equal (use nn.View or "
                             f"nn.Replicate to match them)")


def _list_array(lst, i, like, shape):
    """The numpy array of tensor i of list `lst` (grown as needed; a tensor of like's type),
    resized to `shape` when it differs."""
    while len(lst) <= i:
        lst.append(None)
    t = lst[i]
    if t is None or t.__class__ is not like.__class__:
        t = lst[i] = like.new()
    a = t._arr()
    if a.shape != shape or not a.flags.c_contiguous:
        a = t.resize(tuple(shape))._arr()
    return a


def _own_list(module, name):
    """The list field `name` (a Lua table loaded empty is a dict; make it a list)."""
    v = module.__dict__.get(name)
    if not isinstance(v, list):
        v = module.__dict__[name] = _as_list(v) if isinstance(v, (dict, tuple)) else []
    return v


def _zeros_like(buf, x):
    """A zero-filled copy of the structure of x (a tensor or nested lists), reusing buf."""
    if isinstance(x, (list, tuple)):
        buf = buf if isinstance(buf, list) else []
        del buf[len(x):]
        for i, v in enumerate(x):
            if i < len(buf):
                buf[i] = _zeros_like(buf[i], v)
            else:
                buf.append(_zeros_like(None, v))
        return buf
    if not torch.isTensor(x):
        return None
    if buf is None or buf.__class__ is not x.__class__:
        buf = x.new()
    return buf.resizeAs(x).zero()


class _TableMixin(_Fields):
    """Mixed into the modules below: output and/or gradInput are lists that may hold the
    caller's tensors, so clearState and type() start them afresh instead of emptying those
    tensors."""

    def clearState(self):
        for name in ('output', 'gradInput'):
            v = self.__dict__.get(name)
            if isinstance(v, (list, tuple, dict)):
                self.__dict__[name] = []
            elif torch.isTensor(v):
                self.__dict__[name] = v.new()
        return _utils.clear(self, *getattr(self, '_buffers', ()))

    def type(self, typename=None, tensorCache=None):
        if typename is not None:
            self.clearState()
        return super().type(typename, tensorCache)


# -- joining and splitting ---------------------------------------------------------------------
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
class CAddTable(_TableMixin, Module):
    """The element-wise sum of the entries. With ip=True the sum is written into input[0]
    (output views it) and every gradInput entry views gradOutput."""

    inplace = False

    def __init__(self, ip=False):
        super().__init__()
        self.inplace = bool(ip)
        self.output = torch.Tensor()
        self.gradInput = []

    def updateOutput(self, input):
        _check_table(self, input)
        _check_tensors(self, input)
        first = input[0]
        if self.inplace:
            out = first._arr()
            self.output = _alias(first)
        else:
            out = _array(self, 'output', first, first._arr().shape)
            if len(input) == 1:
                np.copyto(out, first._arr())
            else:
                np.add(first._arr(), input[1]._arr(), out=out)
                input = input[1:]
        for t in input[1:]:
            np.add(out, t._arr(), out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_table(self, input)
        _check_grad(self, gradOutput, input[0]._arr().shape)
        gi = _own_list(self, 'gradInput')
        del gi[len(input):]
        g = gradOutput._arr()
        for i, t in enumerate(input):
            if self.inplace:
                if i < len(gi):
                    gi[i] = _alias(gradOutput)
                else:
                    gi.append(_alias(gradOutput))
            else:
                np.copyto(_list_array(gi, i, t, t._arr().shape), g)
        return gi


class CSubTable(_TableMixin, Module):
    """input[0] - input[1]."""

    def __init__(self):
        super().__init__()
        self.gradInput = []

    def updateOutput(self, input):
        _check_table(self, input, 2)
        _check_tensors(self, input)
        out = _array(self, 'output', input[0], input[0]._arr().shape)
        np.subtract(input[0]._arr(), input[1]._arr(), out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_table(self, input, 2)
        _check_grad(self, gradOutput, input[0]._arr().shape)
        gi = _own_list(self, 'gradInput')
        del gi[2:]
        g = gradOutput._arr()
        np.copyto(_list_array(gi, 0, input[0], input[0]._arr().shape), g)
        np.negative(g, out=_list_array(gi, 1, input[1], input[1]._arr().shape))
        return gi


class CMulTable(_TableMixin, Module):
    """The element-wise product of the entries."""

    def __init__(self):
        super().__init__()
        self.gradInput = []

    def updateOutput(self, input):
        _check_table(self, input)
        _check_tensors(self, input)
        out = _array(self, 'output', input[0], input[0]._arr().shape)
        np.copyto(out, input[0]._arr())
        for t in input[1:]:
            np.multiply(out, t._arr(), out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_table(self, input)
        _check_grad(self, gradOutput, input[0]._arr().shape)
        gi = _own_list(self, 'gradInput')
        del gi[len(input):]
        g = gradOutput._arr()
        arrays = [t._arr() for t in input]
        # the product of the other entries, never a division (zeros are common)
        for i, t in enumerate(input):
            buf = _list_array(gi, i, t, t._arr().shape)
            np.copyto(buf, g)
            for j, a in enumerate(arrays):
                if j != i:
                    np.multiply(buf, a, out=buf)
        return gi


class CDivTable(_TableMixin, Module):
    """input[0] / input[1], element-wise."""

    def __init__(self):
        super().__init__()
        self.gradInput = []

    def updateOutput(self, input):
        _check_table(self, input, 2)
        _check_tensors(self, input)
        out = _array(self, 'output', input[0], input[0]._arr().shape)
        np.divide(input[0]._arr(), input[1]._arr(), out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_table(self, input, 2)
        _check_grad(self, gradOutput, input[0]._arr().shape)
        gi = _own_list(self, 'gradInput')
        del gi[2:]
        a, b = input[0]._arr(), input[1]._arr()
        g0 = _list_array(gi, 0, input[0], input[0]._arr().shape)
        g1 = _list_array(gi, 1, input[1], input[1]._arr().shape)
        np.divide(gradOutput._arr(), b, out=g0)          # d/da = g / b
        np.multiply(g0, a, out=g1)                       # d/db = -g a / b^2
        np.divide(g1, b, out=g1)
        np.negative(g1, out=g1)
        return gi


class _CompareTable:
    """CMaxTable / CMinTable: the element-wise extreme of the entries; the gradient goes to the
    entry that held it (the first one on ties). The winning entry of each element is kept
    0-based in the LongTensor field named by `_idxName`."""

    maskByteTensor = None

    def __init__(self):
        Module.__init__(self)
        self.gradInput = []

    def _winners(self, shape):
        idx = self.__dict__.get(self._idxName)
        if idx is None or idx.__class__ is not torch.LongTensor:
            idx = torch.LongTensor()
            self.__dict__[self._idxName] = idx
        return idx.resize(shape).numpy()

    def _mask(self, shape):
        m = self.maskByteTensor
        if m is None or m.__class__ is not torch.ByteTensor:
            m = self.maskByteTensor = torch.ByteTensor()
        return m.resize(shape).numpy().view(np.bool_)

    def updateOutput(self, input):
        _check_table(self, input)
        _check_tensors(self, input)
        first = input[0]
        shape = first._arr().shape
        out = _array(self, 'output', first, first._arr().shape)
        np.copyto(out, first._arr())
        idx = self._winners(shape)
        idx.fill(0)
        mask = self._mask(shape)
        for i in range(1, len(input)):
            a = input[i]._arr()
            self._better(a, out, out=mask)
            np.copyto(out, a, where=mask)
            np.copyto(idx, i, where=mask)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_table(self, input)
        shape = input[0]._arr().shape
        _check_grad(self, gradOutput, shape)
        idx = self.__dict__.get(self._idxName)
        if idx is None or idx.__class__ is not torch.LongTensor or idx._arr().shape != shape:
            raise RuntimeError(f"{self._typename}: updateGradInput needs a forward of the same "
                               f"input first")
        idx = idx._arr()
        mask = self._mask(shape)
        gi = _own_list(self, 'gradInput')
        del gi[len(input):]
        g = gradOutput._arr()
        for i, t in enumerate(input):
            buf = _list_array(gi, i, t, t._arr().shape)
            buf.fill(0)
            np.equal(idx, i, out=mask)
            np.copyto(buf, g, where=mask)
        return gi

    def type(self, typename=None, tensorCache=None):
        if typename is not None:
            self.__dict__.pop(self._idxName, None)   # stays a LongTensor, made by forward
        return super().type(typename, tensorCache)

    def _torchFields(self):
        fields = super()._torchFields()              # drops the working buffers
        idx = self.__dict__.get(self._idxName)
        own = tensor_class(self.type())
        # Torch7 keeps 1-based winners in a tensor of the module's type, and these buffers
        fields[self._idxName] = (own(idx.size()).copy(idx).add(1)
                                 if torch.isTensor(idx) and idx.nElement() else own())
        for name in ('mask', self._valName, 'gradMaxVals'):
            fields[name] = own()
        return fields


class CMaxTable(_CompareTable, _TableMixin, Module):
    """The element-wise maximum of the entries."""
    _idxName, _valName = 'maxIdx', 'maxVals'
    _transient = ('maxIdx', 'mask', 'maxVals', 'gradMaxVals', 'maskByteTensor')
    _better = staticmethod(np.greater)


class CMinTable(_CompareTable, _TableMixin, Module):
    """The element-wise minimum of the entries."""
    _idxName, _valName = 'minIdx', 'minVals'
    _transient = ('minIdx', 'mask', 'minVals', 'gradMaxVals', 'maskByteTensor')
    _better = staticmethod(np.less)
