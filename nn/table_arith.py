"""Element-wise table modules: CAddTable, CSubTable, CMulTable, CDivTable, CMaxTable, CMinTable.
They combine a list of same-sized tensors entry by entry."""
import numpy as np

import torchlike as torch
from torchlike.types import tensor_class

from .module import Module
from ._helpers import _alias, _array, _check_grad
from ._tables import _TableMixin, _check_table, _check_tensors, _list_array, _own_list




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
