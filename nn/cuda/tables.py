"""Table modules on the device: JoinTable, SplitTable, CAddTable, CSubTable, CMulTable and
CDivTable, written with CUDA tensor methods (narrow/select + copy, add, cmul, cdiv). The CPU
modules (nn/table_ops.py, nn/table_arith.py) are tuned numpy, hence twins rather than one
device-agnostic version. SelectTable, NarrowTable and FlattenTable only pass tensors along and
run on either device as they are."""
from torchlike._core import fmt_size

from .. import table_arith as _arith
from .. import table_ops as _ops
from .._helpers import _resolve_dim
from .._tables import _check_table, _own_list
from ._common import buffer, check_float, check_grad, check_on_device


def _check_tensors(module, x, same_shape=True, what='input'):
    """Every entry is a CUDA tensor of entry 0's type (and size, with same_shape)."""
    first = x[0]
    check_on_device(module, first, f'{what}[0]')
    for i in range(1, len(x)):
        t = x[i]
        check_on_device(module, t, f'{what}[{i}]')
        if t.__class__ is not first.__class__:
            raise TypeError(f"{module._typename}: {what}[{i}] is a {t._typename} but {what}[0] "
                            f"is a {first._typename}")
        if same_shape and t.size() != first.size():
            raise ValueError(f"{module._typename}: {what}[{i}] has size {fmt_size(t.size())} "
                             f"but {what}[0] has size {fmt_size(first.size())}; the sizes must "
                             f"be equal (use nn.View or nn.Replicate to match them)")


def _entry(lst, i, like, size):
    """Entry i of the list buffer `lst` (grown as needed), a tensor of like's class resized to
    `size`."""
    while len(lst) <= i:
        lst.append(None)
    t = lst[i]
    if t is None or t.__class__ is not like.__class__:
        t = lst[i] = like.new()
    if tuple(t.size()) != tuple(size) or not t.isContiguous():
        t.resize(tuple(size))
    return t


def _grad_list(module, n):
    gi = _own_list(module, 'gradInput')
    del gi[n:]
    return gi


def _alias(t):
    """A new tensor object viewing t (clearing it never empties the caller's tensor)."""
    return t.new().set(t)


# -- joining and splitting ------------------------------------------------------------------------
class JoinTable(_ops.JoinTable, device='cuda'):

    def _cudaDim(self, input):
        return _resolve_dim(self, self.dimension, tuple(input[0].size()), self.nInputDims)

    def updateOutput(self, input):
        _check_table(self, input)
        _check_tensors(self, input, same_shape=False)
        d = self._cudaDim(input)
        shape = list(input[0].size())
        for i, t in enumerate(input[1:], 1):
            s = tuple(t.size())
            if len(s) != len(shape) or any(s[k] != shape[k] for k in range(len(shape))
                                           if k != d):
                raise ValueError(f"{self._typename}: input[{i}] has size {fmt_size(s)}, which "
                                 f"does not match input[0] ({fmt_size(shape)}) outside "
                                 f"dimension {d}")
        shape[d] = sum(t.size(d) for t in input)
        out = buffer(self, 'output', input[0], shape)
        offset = 0
        for t in input:
            out.narrow(d, offset, t.size(d)).copy(t)
            offset += t.size(d)
        return out

    def updateGradInput(self, input, gradOutput):
        _check_table(self, input)
        d = self._cudaDim(input)
        g = check_grad(self, gradOutput, self.output.size())
        gi = _grad_list(self, len(input))
        offset = 0
        for i, t in enumerate(input):
            n = t.size(d)
            _entry(gi, i, t, t.size()).copy(g.narrow(d, offset, n))
            offset += n
        return gi


class SplitTable(_ops.SplitTable, device='cuda'):

    def updateOutput(self, input):
        check_on_device(self, input)
        if input.dim() < 2:
            raise ValueError(f"{self._typename}: input must have at least 2 dimensions to be "
                             f"split into tensors, got size {fmt_size(input.size())}")
        d = _resolve_dim(self, self.dimension, tuple(input.size()), self.nInputDims)
        self.output = [input.select(d, i) for i in range(input.size(d))]
        return self.output

    def updateGradInput(self, input, gradOutput):
        shape = tuple(input.size())
        d = _resolve_dim(self, self.dimension, shape, self.nInputDims)
        _check_table(self, gradOutput, shape[d], 'gradOutput')
        piece = shape[:d] + shape[d + 1:]
        for i, g in enumerate(gradOutput):
            check_on_device(self, g, f'gradOutput[{i}]')
            if tuple(g.size()) != piece:
                raise ValueError(f"{self._typename}: gradOutput[{i}] has size "
                                 f"{fmt_size(g.size())}, expected {fmt_size(piece)}")
        gin = buffer(self, 'gradInput', input, shape)
        for i, g in enumerate(gradOutput):
            gin.select(d, i).copy(g)
        return gin


# -- element-wise arithmetic ------------------------------------------------------------------
def _arith_input(module, input, n=None):
    _check_table(module, input, n)
    _check_tensors(module, input)
    for i, t in enumerate(input):
        check_float(module, t, f'input[{i}]')


def _arith_grad(module, input, gradOutput, n=None):
    _check_table(module, input, n)
    return check_grad(module, gradOutput, input[0].size())


class CAddTable(_arith.CAddTable, device='cuda'):

    def updateOutput(self, input):
        _arith_input(self, input)
        first = input[0]
        if self.inplace:
            out = first
            self.output = _alias(first)
        else:
            out = buffer(self, 'output', first, first.size()).copy(first)
        for t in input[1:]:
            out.add(t)
        return self.output

    def updateGradInput(self, input, gradOutput):
        g = _arith_grad(self, input, gradOutput)
        gi = _grad_list(self, len(input))
        if self.inplace:
            gi[:] = [_alias(gradOutput) for _ in input]
        else:
            for i, t in enumerate(input):
                _entry(gi, i, t, t.size()).copy(g)
        return gi


class CSubTable(_arith.CSubTable, device='cuda'):

    def updateOutput(self, input):
        _arith_input(self, input, 2)
        out = buffer(self, 'output', input[0], input[0].size())
        return out.copy(input[0]).add(-1, input[1])

    def updateGradInput(self, input, gradOutput):
        g = _arith_grad(self, input, gradOutput, 2)
        gi = _grad_list(self, 2)
        _entry(gi, 0, input[0], input[0].size()).copy(g)
        _entry(gi, 1, input[1], input[1].size()).neg(g)
        return gi


class CMulTable(_arith.CMulTable, device='cuda'):

    def updateOutput(self, input):
        _arith_input(self, input)
        out = buffer(self, 'output', input[0], input[0].size()).copy(input[0])
        for t in input[1:]:
            out.cmul(t)
        return out

    def updateGradInput(self, input, gradOutput):
        g = _arith_grad(self, input, gradOutput)
        gi = _grad_list(self, len(input))
        # the product of the other entries, never a division (zeros are common)
        for i, t in enumerate(input):
            buf = _entry(gi, i, t, t.size()).copy(g)
            for j, other in enumerate(input):
                if j != i:
                    buf.cmul(other)
        return gi


class CDivTable(_arith.CDivTable, device='cuda'):

    def updateOutput(self, input):
        _arith_input(self, input, 2)
        out = buffer(self, 'output', input[0], input[0].size())
        return out.cdiv(input[0], input[1])

    def updateGradInput(self, input, gradOutput):
        g = _arith_grad(self, input, gradOutput, 2)
        gi = _grad_list(self, 2)
        a, b = input
        g0 = _entry(gi, 0, a, a.size()).cdiv(g, b)          # d/da = g / b
        _entry(gi, 1, b, b.size()).cmul(g0, a).cdiv(b).neg()  # d/db = -g a / b^2
        return gi
