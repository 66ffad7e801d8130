"""Row-wise distances and similarities of a pair of tensors {a, b}: PairwiseDistance, DotProduct,
CosineDistance. Each takes two vectors (output: one value, as a 1-element tensor) or two N x D
batches (output: N values)."""
import numpy as np

from torchlike._core import fmt_size

from .module import Module
from ._helpers import _array, _check_grad, _check_tensor
from .table_ops import _TableMixin, _check_table, _list_array, _own_list


def _pair(module, input):
    """(a, b) as 2-D numpy arrays (a vector becomes one row), after checking them."""
    _check_table(module, input, 2)
    a, b = input
    _check_tensor(module, a, 'input[0]')
    _check_tensor(module, b, 'input[1]')
    if a.__class__ is not b.__class__:
        raise TypeError(f"{module._typename}: input[0] is a {a._typename} but input[1] is a "
                        f"{b._typename}")
    x, y = a._arr(), b._arr()
    if x.shape != y.shape or x.ndim not in (1, 2) or not x.size:
        raise ValueError(f"{module._typename}: expected two vectors or two N x D batches of the "
                         f"same size, got {fmt_size(x.shape)} and {fmt_size(y.shape)}")
    if x.ndim == 1:
        return x.reshape(1, -1), y.reshape(1, -1)
    return x, y


def _out_rows(x):
    return (x.shape[0],)


class _PairMixin(_TableMixin):
    """Shared plumbing: the gradInput pair, shaped like the inputs."""

    def __init__(self):
        Module.__init__(self)
        self.gradInput = []

    def _grad_buffers(self, input):
        gi = _own_list(self, 'gradInput')
        del gi[2:]
        s0, s1 = input[0]._arr().shape, input[1]._arr().shape
        g0 = _list_array(gi, 0, input[0], s0)
        g1 = _list_array(gi, 1, input[1], s1)
        return gi, g0.reshape(-1, s0[-1]), g1.reshape(-1, s1[-1])


class PairwiseDistance(_PairMixin, Module):
    """||a - b||_p for each row (p = 2 by default)."""

    def __init__(self, p=2):
        super().__init__()
        if not p > 0:
            raise ValueError(f"nn.PairwiseDistance: p must be positive, got {p}")
        self.norm = p

    _diff = None
    _work = None
    _buffers = ('_diff', '_work')

    def updateOutput(self, input):
        x, y = _pair(self, input)
        p = self.norm
        d = _array(self, '_diff', input[0], x.shape)
        np.subtract(x, y, out=d)
        out = _array(self, 'output', input[0], _out_rows(x))
        if p == 2:
            np.einsum('ij,ij->i', d, d, out=out)
            np.sqrt(out, out=out)
        else:
            w = _array(self, '_work', input[0], x.shape)
            np.abs(d, out=w)
            if p != 1:
                np.power(w, p, out=w)
            np.sum(w, axis=1, out=out)
            if p != 1:
                np.power(out, 1.0 / p, out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        x, y = _pair(self, input)
        _check_grad(self, gradOutput, _out_rows(x))
        p = self.norm
        d = self._diff._arr()
        gi, g0, g1 = self._grad_buffers(input)
        go = gradOutput._arr()[:, None]
        if p == 1:
            np.sign(d, out=g0)
        elif p == 2:
            # d / ||d||, with Torch7's 1e-6 keeping it finite at d = 0
            np.divide(d, self.output._arr()[:, None] + 1e-6, out=g0)
        else:
            # d_k |d_k|^(p-2) / ||d||^(p-1), written as sign * |d|^(p-1) to stay finite at 0
            np.abs(d, out=g0)
            np.power(g0, p - 1, out=g0)
            g0 *= np.sign(d)
            g0 /= np.power(self.output._arr() + 1e-6, p - 1)[:, None]
        g0 *= go
        np.negative(g0, out=g1)
        return gi


class DotProduct(_PairMixin, Module):
    """a . b for each row."""

    def updateOutput(self, input):
        x, y = _pair(self, input)
        out = _array(self, 'output', input[0], _out_rows(x))
        np.einsum('ij,ij->i', x, y, out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        x, y = _pair(self, input)
        _check_grad(self, gradOutput, _out_rows(x))
        go = gradOutput._arr()[:, None]
        gi, g0, g1 = self._grad_buffers(input)
        np.multiply(y, go, out=g0)
        np.multiply(x, go, out=g1)
        return gi


class CosineDistance(_PairMixin, Module):
    """The cosine similarity a . b / (|a| |b|) of each row (Torch7 adds 1e-12 to the squared
    norms so that a zero row gives 0, not NaN)."""

    EPS = 1e-12
    _norms = None
    _buffers = ('_norms',)

    def updateOutput(self, input):
        x, y = _pair(self, input)
        n = x.shape[0]
        # rows of _norms: a.b, 1/(|a|^2 + eps), 1/(|b|^2 + eps), 1/sqrt(product of those)
        w = _array(self, '_norms', input[0], (4, n))
        np.einsum('ij,ij->i', x, y, out=w[0])
        np.einsum('ij,ij->i', x, x, out=w[1])
        np.einsum('ij,ij->i', y, y, out=w[2])
        w[1:3] += self.EPS
        np.reciprocal(w[1:3], out=w[1:3])
        np.multiply(w[1], w[2], out=w[3])
        np.sqrt(w[3], out=w[3])
        out = _array(self, 'output', input[0], _out_rows(x))
        np.multiply(w[0], w[3], out=out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        x, y = _pair(self, input)
        _check_grad(self, gradOutput, _out_rows(x))
        w = self._norms._arr()
        go = gradOutput._arr()
        gi, g0, g1 = self._grad_buffers(input)
        scale = (w[3] * go)[:, None]
        # d cos / d a = (b - (a.b) a / |a|^2) / (|a||b|), and symmetrically for b
        np.multiply(x, (w[0] * w[1])[:, None], out=g0)
        np.subtract(y, g0, out=g0)
        g0 *= scale
        np.multiply(y, (w[0] * w[2])[:, None], out=g1)
        np.subtract(x, g1, out=g1)
        g1 *= scale
        return gi
