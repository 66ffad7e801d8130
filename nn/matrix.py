"""Matrix products of a pair of tensors: MM ({A, B} -> A B, for two matrices or two batches of
matrices) and MV ({M, v} -> M v, for a matrix and a vector or batches of them)."""
import numpy as np

from torchlike._core import fmt_size

from .module import Module
from ._helpers import _array, _check_grad, _check_tensor
from .table_ops import _TableMixin, _check_table, _list_array, _own_list


def _pair(module, input, what):
    _check_table(module, input, 2)
    a, b = input
    _check_tensor(module, a, 'input[0]')
    _check_tensor(module, b, 'input[1]')
    if a.__class__ is not b.__class__:
        raise TypeError(f"{module._typename}: input[0] is a {a._typename} but input[1] is a "
                        f"{b._typename}")
    return a._arr(), b._arr()


def _T(x):
    return x.swapaxes(-1, -2)


class MM(_TableMixin, Module):
    """{A, B} -> A B (op(A) = A^T with transA, op(B) = B^T with transB). A and B are matrices,
    or 3-D batches of matrices with the same batch size."""

    def __init__(self, transA=False, transB=False):
        super().__init__()
        self.transA = bool(transA)
        self.transB = bool(transB)
        self.gradInput = []

    def _operands(self, input):
        a, b = _pair(self, input, 'matrices')
        if a.ndim not in (2, 3) or b.ndim != a.ndim:
            raise ValueError(f"{self._typename}: expected two matrices or two 3-D batches of "
                             f"matrices, got sizes {fmt_size(a.shape)} and {fmt_size(b.shape)}")
        if a.ndim == 3 and a.shape[0] != b.shape[0]:
            raise ValueError(f"{self._typename}: the batches hold {a.shape[0]} and "
                             f"{b.shape[0]} matrices")
        opa = _T(a) if self.transA else a
        opb = _T(b) if self.transB else b
        if opa.shape[-1] != opb.shape[-2]:
            raise ValueError(f"{self._typename}: size mismatch, m1: [{fmt_size(opa.shape)}], "
                             f"m2: [{fmt_size(opb.shape)}] (transA={self.transA}, "
                             f"transB={self.transB})")
        return a, b, opa, opb

    def updateOutput(self, input):
        a, b, opa, opb = self._operands(input)
        shape = opa.shape[:-1] + opb.shape[-1:]
        np.matmul(opa, opb, out=_array(self, 'output', input[0], shape))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a, b, opa, opb = self._operands(input)
        _check_grad(self, gradOutput, opa.shape[:-1] + opb.shape[-1:])
        g = gradOutput._arr()
        gi = _own_list(self, 'gradInput')
        del gi[2:]
        ga = _list_array(gi, 0, input[0], input[0]._arr().shape)
        gb = _list_array(gi, 1, input[1], input[1]._arr().shape)
        # C = op(A) op(B): dop(A) = G op(B)^T, dop(B) = op(A)^T G; transpose back where needed
        if self.transA:
            np.matmul(opb, _T(g), out=ga)
        else:
            np.matmul(g, _T(opb), out=ga)
        if self.transB:
            np.matmul(_T(g), opa, out=gb)
        else:
            np.matmul(_T(opa), g, out=gb)
        return gi


class MV(_TableMixin, Module):
    """{M, v} -> M v (M^T v with trans): a matrix and a vector, or a 3-D batch of matrices and
    a 2-D batch of vectors."""

    def __init__(self, trans=False):
        super().__init__()
        if not isinstance(trans, bool):
            raise TypeError(f"nn.MV: trans must be True or False, got {trans!r}")
        self.trans = trans
        self.gradInput = []

    def _operands(self, input):
        m, v = _pair(self, input, 'a matrix and a vector')
        if m.ndim not in (2, 3) or v.ndim != m.ndim - 1:
            raise ValueError(f"{self._typename}: expected a matrix and a vector, or a 3-D batch "
                             f"of matrices and a 2-D batch of vectors, got sizes "
                             f"{fmt_size(m.shape)} and {fmt_size(v.shape)}")
        if m.ndim == 3 and m.shape[0] != v.shape[0]:
            raise ValueError(f"{self._typename}: the batches hold {m.shape[0]} matrices and "
                             f"{v.shape[0]} vectors")
        opm = _T(m) if self.trans else m
        if opm.shape[-1] != v.shape[-1]:
            raise ValueError(f"{self._typename}: size mismatch, [{fmt_size(opm.shape)}] x "
                             f"[{fmt_size(v.shape)}] (trans={self.trans})")
        return m, v, opm

    def updateOutput(self, input):
        m, v, opm = self._operands(input)
        out = _array(self, 'output', input[0], opm.shape[:-1])
        np.matmul(opm, v[..., None], out=out[..., None])
        return self.output

    def updateGradInput(self, input, gradOutput):
        m, v, opm = self._operands(input)
        _check_grad(self, gradOutput, opm.shape[:-1])
        g = gradOutput._arr()
        gi = _own_list(self, 'gradInput')
        del gi[2:]
        gm = _list_array(gi, 0, input[0], input[0]._arr().shape)
        gv = _list_array(gi, 1, input[1], input[1]._arr().shape)
        # y = op(M) v: dop(M) = g v^T, dv = op(M)^T g
        if self.trans:
            np.matmul(v[..., :, None], g[..., None, :], out=gm)
        else:
            np.matmul(g[..., :, None], v[..., None, :], out=gm)
        np.matmul(_T(opm), g[..., None], out=gv[..., None])
        return gi
