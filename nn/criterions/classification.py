"""Classification losses: ClassNLL, CrossEntropy, SpatialClassNLL, BCE, Margin, SoftMargin,
MultiMargin. Class targets are 0-based (Torch7's were 1-based)."""
import numpy as np

from torchlike._core import fmt_size

from kernels.cpu import classnll as _nll

from ..criterion import Criterion
from ..softmax import LogSoftMax
from ._common import (LoadDefaults, check_pair, check_tensor, check_weights, class_targets,
                      grad_buffer, out_of_range, size_of, values)

_NO_WEIGHTS = np.empty(0)


def _weights64(crit, n_classes, what='weights'):
    w = getattr(crit, 'weights', None)
    if w is None:
        return _NO_WEIGHTS
    if w.nElement() != n_classes:
        raise ValueError(f"{crit._typename}: {what} has {w.nElement()} elements but the "
                         f"input has {n_classes} classes")
    return w.numpy().astype(np.float64).reshape(-1)


def _index_field_to_lua(v):
    # class indices are written 1-based; negative values are "ignore" sentinels, kept
    return v + 1 if v >= 0 else v


def _index_field_from_lua(v):
    return v - 1 if v > 0 else v


class _NLLBase(LoadDefaults):
    """Shared by ClassNLLCriterion and SpatialClassNLLCriterion: the loss over an (N, C, S)
    view of the input and (N, S) targets, computed by kernels/cpu/classnll.py. A mixin (not
    a Criterion itself, so that it is not registered as a Torch class)."""
    _defaults = {'sizeAverage': True, 'ignoreIndex': -100}

    def __init__(self, weights=None, sizeAverage=True, ignoreIndex=-100):
        super().__init__()
        weights = check_weights(self, weights)
        if weights is not None:
            self.weights = weights
        self.sizeAverage = bool(sizeAverage)
        self.ignoreIndex = int(ignoreIndex)
        self.total_weight = 0.0

    def _prepare(self, input, target):
        """(x as (N, C, S), targets as (N, S), float64 weights), every size checked."""
        raise NotImplementedError

    def _checkRange(self, t, C):
        bad = (t != self.ignoreIndex) & ((t < 0) | (t >= C))
        if bad.any():
            raise out_of_range(self, int(t[bad].flat[0]), C)

    def updateOutput(self, input, target):
        x3, t2, w = self._prepare(input, target)
        loss, total, bad = _nll.forward(x3, t2, w, self.ignoreIndex)
        if bad >= 0:
            raise out_of_range(self, int(t2.flat[bad]), x3.shape[1])
        if self.sizeAverage and total:
            loss /= total
        self.total_weight = float(total)
        self.output = float(loss)
        return self.output

    def updateGradInput(self, input, target):
        x3, t2, w = self._prepare(input, target)
        self._checkRange(t2, x3.shape[1])
        total = w[t2[t2 != self.ignoreIndex]].sum() if w.size else \
            float(np.count_nonzero(t2 != self.ignoreIndex))
        norm = 1.0 / total if self.sizeAverage and total else 1.0
        gin = grad_buffer(self, input).reshape(x3.shape)
        _nll.backward(gin, t2, w, self.ignoreIndex, norm)
        return self.gradInput

    def _torchFields(self):
        fields = dict(self.__dict__)
        fields['ignoreIndex'] = _index_field_to_lua(self.ignoreIndex)
        return fields

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields = super()._torchLoadFields(fields, version)
        fields['ignoreIndex'] = _index_field_from_lua(int(fields['ignoreIndex']))
        for buf in ('target', 'output_tensor', 'total_weight_tensor'):   # Lua-side buffers
            fields.pop(buf, None)
        fields.setdefault('total_weight', 0.0)
        return fields


class ClassNLLCriterion(_NLLBase, Criterion):
    """loss = -sum_i w[t_i] * input[i, t_i] / (sum_i w[t_i] when sizeAverage), over the
    samples whose target is not ignoreIndex; input: C log-probabilities or N x C."""

    def _prepare(self, input, target):
        check_tensor(self, input)
        if input.dim() not in (1, 2):
            hint = '; for per-pixel targets use nn.SpatialClassNLLCriterion' \
                if input.dim() == 4 else ''
            raise ValueError(f"{self._typename}: expected 1-D (C) or 2-D (N x C) input, "
                             f"got size {size_of(input)}{hint}")
        x = input.numpy()
        N, C = (1, x.shape[0]) if x.ndim == 1 else x.shape
        t = class_targets(self, target, N, C)
        w = _weights64(self, C)
        return np.ascontiguousarray(x).reshape(N, C, 1), t.reshape(N, 1), w

    def __len__(self):
        w = getattr(self, 'weights', None)
        return 0 if w is None else w.nElement()


class SpatialClassNLLCriterion(_NLLBase, Criterion):
    """ClassNLL at every pixel: input N x C x H x W log-probabilities, target N x H x W class
    indices (or C x H x W with H x W targets)."""

    def _prepare(self, input, target):
        check_tensor(self, input)
        if input.dim() not in (3, 4):
            raise ValueError(f"{self._typename}: expected 4-D (N x C x H x W) or 3-D "
                             f"(C x H x W) input, got size {size_of(input)}")
        x = input.numpy()
        x4 = x[None] if x.ndim == 3 else x
        N, C, H, W = x4.shape
        tshape = (H, W) if x.ndim == 3 else (N, H, W)
        t = class_targets(self, target, N * H * W, C, shape=tshape)
        w = _weights64(self, C)
        return np.ascontiguousarray(x4).reshape(N, C, H * W), t.reshape(N, H * W), w


class CrossEntropyCriterion(LoadDefaults, Criterion):
    """LogSoftMax followed by ClassNLLCriterion, on raw scores (C or N x C)."""
    _defaults = {'sizeAverage': True}

    def __init__(self, weights=None, sizeAverage=True, ignoreIndex=-100):
        super().__init__()
        self.lsm = LogSoftMax()
        self.nll = ClassNLLCriterion(weights, sizeAverage, ignoreIndex)
        self.sizeAverage = self.nll.sizeAverage
        self.oldSizeAverage = self.sizeAverage

    def _sync(self):
        # a change of self.sizeAverage reaches the inner criterion; setting
        # self.nll.sizeAverage directly keeps working too (Torch7's behaviour)
        if self.sizeAverage != self.oldSizeAverage:
            self.nll.sizeAverage = self.sizeAverage
        self.oldSizeAverage = self.sizeAverage

    def updateOutput(self, input, target):
        self._sync()
        x3, t2, _ = self.nll._prepare(input, target)   # sizes checked before any change
        self.nll._checkRange(t2, x3.shape[1])
        self.lsm.updateOutput(input)
        self.output = self.nll.updateOutput(self.lsm.output, target)
        return self.output

    def updateGradInput(self, input, target):
        self._sync()
        self.nll.updateGradInput(self.lsm.output, target)
        self.lsm.updateGradInput(input, self.nll.gradInput)
        self.gradInput = self.lsm.gradInput
        return self.gradInput

    def type(self, typename=None, tensorCache=None):
        if typename is not None:
            self.nll.type(typename, tensorCache)
        return super().type(typename, tensorCache)


class BCECriterion(LoadDefaults, Criterion):
    """Binary cross-entropy of probabilities: -sum w * (t log(x + eps) + (1-t) log(1-x + eps))
    (/ nElement when sizeAverage), eps = 1e-12 as in Torch7. `weights` has one value per
    element of a single input, or per column of a batch."""
    EPS = 1e-12

    def __init__(self, weights=None, sizeAverage=True):
        super().__init__()
        weights = check_weights(self, weights)
        if weights is not None:
            self.weights = weights
        self.sizeAverage = bool(sizeAverage)

    def _prepare(self, input, target):
        check_pair(self, input, target)
        x, t = values(input, target)
        lo, hi = x.min(), x.max()
        if lo < 0 or hi > 1 or np.isnan(lo):
            bad = lo if lo < 0 or np.isnan(lo) else hi
            raise ValueError(f"{self._typename}: input value {bad} is out of range (valid: 0 "
                             f"to 1); BCECriterion takes probabilities, e.g. after nn.Sigmoid")
        w = getattr(self, 'weights', None)
        if w is not None:
            n = x.shape[-1] if x.ndim > 1 else x.size
            if w.nElement() != n:
                raise ValueError(f"{self._typename}: weights has {w.nElement()} elements, "
                                 f"expected {n} (one per {'column' if x.ndim > 1 else 'element'}"
                                 f" of the input of size {fmt_size(input.size())})")
            w = w.numpy()
        return x, t, w

    def updateOutput(self, input, target):
        x, t, w = self._prepare(input, target)
        e = self.EPS
        terms = t * np.log(x + e) + (1 - t) * np.log(1 - x + e)
        if w is not None:
            terms = terms * w
        loss = -float(terms.sum())
        self.output = loss / x.size if self.sizeAverage else loss
        return self.output

    def updateGradInput(self, input, target):
        x, t, w = self._prepare(input, target)
        e = self.EPS
        norm = 1.0 / x.size if self.sizeAverage else 1.0
        gin = grad_buffer(self, input)
        gin[...] = -norm * (t - x) / ((1 - x + e) * (x + e))
        if w is not None:
            gin *= w
        return self.gradInput


class MarginCriterion(LoadDefaults, Criterion):
    """Two-class hinge loss, targets 1 or -1: sum max(0, margin - x * t) (/ nElement)."""
    _defaults = {'sizeAverage': True, 'margin': 1}

    def __init__(self, margin=1, sizeAverage=True):
        super().__init__()
        self.margin = margin
        self.sizeAverage = bool(sizeAverage)

    def updateOutput(self, input, target):
        check_pair(self, input, target)
        x, t = values(input, target)
        loss = float(np.maximum(self.margin - x * t, 0).sum())
        self.output = loss / x.size if self.sizeAverage else loss
        return self.output

    def updateGradInput(self, input, target):
        check_pair(self, input, target)
        x, t = values(input, target)
        norm = 1.0 / x.size if self.sizeAverage else 1.0
        gin = grad_buffer(self, input)
        gin[...] = np.where(x * t < self.margin, -norm * t, 0)
        return self.gradInput


class SoftMarginCriterion(LoadDefaults, Criterion):
    """Two-class logistic loss, targets 1 or -1: sum log(1 + exp(-x * t)) (/ nElement)."""

    def __init__(self, sizeAverage=True):
        super().__init__()
        self.sizeAverage = bool(sizeAverage)

    def updateOutput(self, input, target):
        check_pair(self, input, target)
        x, t = values(input, target)
        loss = float(np.logaddexp(0, -x * t).sum())
        self.output = loss / x.size if self.sizeAverage else loss
        return self.output

    def updateGradInput(self, input, target):
        check_pair(self, input, target)
        x, t = values(input, target)
        norm = 1.0 / x.size if self.sizeAverage else 1.0
        gin = grad_buffer(self, input)
        # -t * sigmoid(-x t), written with tanh so that no exp overflows
        gin[...] = -norm * t * 0.5 * (1 - np.tanh(0.5 * x * t))
        return self.gradInput


class MultiMarginCriterion(LoadDefaults, Criterion):
    """Multi-class hinge loss: for each sample with class y, sum over d != y of
    w[y] * max(0, margin - x[y] + x[d])^p, divided by the number of classes (and by the batch
    size when sizeAverage). p is 1 or 2."""
    _defaults = {'sizeAverage': True, 'p': 1, 'margin': 1}

    def __init__(self, p=1, weights=None, margin=1):
        if p not in (1, 2):
            raise ValueError(f"{self._typename}: only p=1 and p=2 are supported, got p={p!r}")
        super().__init__()
        self.p = p
        self.margin = margin
        weights = check_weights(self, weights)
        if weights is not None:
            self.weights = weights
        self.sizeAverage = True

    def _margins(self, input, target):
        check_tensor(self, input)
        if input.dim() not in (1, 2):
            raise ValueError(f"{self._typename}: expected 1-D (C) or 2-D (N x C) input, got "
                             f"size {size_of(input)}")
        x = input.numpy()
        x2 = x.reshape(1, -1) if x.ndim == 1 else x
        N, C = x2.shape
        t = class_targets(self, target, N, C)
        bad = (t < 0) | (t >= C)
        if bad.any():
            raise out_of_range(self, int(t[bad][0]), C)
        w = _weights64(self, C)
        rows = np.arange(N)
        z = self.margin - x2[rows, t][:, None] + x2
        z[rows, t] = 0          # the target class itself does not count
        z = np.maximum(z, 0)
        wy = w[t][:, None] if w.size else 1.0
        return x2, t, z, wy, rows

    def updateOutput(self, input, target):
        x2, t, z, wy, _ = self._margins(input, target)
        h = z if self.p == 1 else z * z
        loss = float((h * wy).sum()) / x2.shape[1]
        self.output = loss / x2.shape[0] if self.sizeAverage else loss
        return self.output

    def updateGradInput(self, input, target):
        x2, t, z, wy, rows = self._margins(input, target)
        N, C = x2.shape
        g = 1.0 / (N * C) if self.sizeAverage else 1.0 / C
        dz = (z > 0) * g if self.p == 1 else 2 * g * z
        dz = dz * wy
        gin = grad_buffer(self, input).reshape(x2.shape)
        gin[...] = dz
        gin[rows, t] = -dz.sum(axis=1)
        return self.gradInput
