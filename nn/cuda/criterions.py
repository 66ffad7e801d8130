"""Criterions on the device: ClassNLLCriterion, SpatialClassNLLCriterion, CrossEntropyCriterion
(kernels/cuda/classnll.py), MSECriterion, AbsCriterion, SmoothL1Criterion and BCECriterion
(kernels/cuda/criterions.py).

The loss is a Python number, as on the CPU: one small device-to-host copy per forward. Class
targets are a torch.CudaLongTensor of 0-based classes (a CudaTensor or CudaByteTensor of whole
numbers is converted; a single Python number is accepted for a single sample); a CPU target is
a mixed-device error naming both types. An out-of-range target raises the CPU's error before
anything changes: the kernels never use it as an index and report where it is.
"""
import numbers

import numpy as np

from torchlike._core import fmt_size

from ..criterions import classification as _cls
from ..criterions import regression as _reg
from ..criterions._common import check_pair, check_tensor, out_of_range, size_of
from ._common import check_float, check_on_device, dev3, host_scalar, kernels, scratch


def _grad_tensor(crit, like):
    """crit.gradInput resized as `like` (re-created for another type), contiguous."""
    g = crit.__dict__.get('gradInput')
    if g is None or g.__class__ is not like.__class__:
        g = crit.gradInput = like.new()
    g.resizeAs(like)
    if not g.isContiguous():
        g = crit.gradInput = like.new().resizeAs(like)
    return g


# -- negative log-likelihood ----------------------------------------------------------------------
def _device_targets(crit, target, want, n_classes, loose):
    """Class targets as a contiguous CudaLongTensor of size `want` (loose: any layout of the
    right number of values, as the CPU accepts for ClassNLL)."""
    from torchlike.cuda import CudaLongTensor
    n = int(np.prod(want))
    if isinstance(target, numbers.Real) and not isinstance(target, bool) and \
            float(target).is_integer():
        if n != 1:
            raise ValueError(f"{crit._typename}: a single target number {target} given for "
                             f"a batch of {n}; pass a CudaLongTensor of {n} targets")
        return CudaLongTensor([int(target)]).view(want)
    if not hasattr(target, '_is_cuda'):
        raise TypeError(f"{crit._typename}: target must be a class index (0 to "
                        f"{n_classes - 1}) or a CudaLongTensor of them, got "
                        f"{type(target).__name__}")
    check_on_device(crit, target, 'target')
    shape = tuple(target.size())
    if shape != want and not (loose and target.nElement() == n and len(shape) <= 2 and
                              (len(shape) < 2 or 1 in shape)):
        raise ValueError(f"{crit._typename}: target has size {size_of(target)}, expected "
                         f"{fmt_size(want)} (one class index per "
                         f"{'sample' if loose else 'pixel'})")
    if target._dtype.kind == 'f':                 # whole numbers only (a rare path: on the host)
        h = target.float().numpy().reshape(-1)
        frac = np.floor(h) != h
        if frac.any():
            raise ValueError(f"{crit._typename}: target {h[frac][0]} is not a class index "
                             f"(valid: 0 to {n_classes - 1})")
    if target._typename != 'torch.CudaLongTensor':
        target = target.type('torch.CudaLongTensor')
    return target.contiguous().view(want)


def _weights(crit, n_classes):
    w = getattr(crit, 'weights', None)
    if w is None:
        return None
    check_on_device(crit, w, 'weights')
    if w.nElement() != n_classes:
        raise ValueError(f"{crit._typename}: weights has {w.nElement()} elements but the "
                         f"input has {n_classes} classes")
    return w.contiguous()._dev_flat()


def _nll_prepare(self, input, target):
    """(x as an (N, C, S) device array, targets (N, S) CudaLongTensor, weights or None)."""
    check_tensor(self, input)
    check_float(self, input)
    if self._cudaSpatial:
        if input.dim() not in (3, 4):
            raise ValueError(f"{self._typename}: expected 4-D (N x C x H x W) or 3-D "
                             f"(C x H x W) input, got size {size_of(input)}")
        s = tuple(input.size())
        N, C, H, W = (1,) + s if len(s) == 3 else s
        S = H * W
        t = _device_targets(self, target, (H, W) if len(s) == 3 else (N, H, W), C, False)
    else:
        if input.dim() not in (1, 2):
            hint = '; for per-pixel targets use nn.SpatialClassNLLCriterion' \
                if input.dim() == 4 else ''
            raise ValueError(f"{self._typename}: expected 1-D (C) or 2-D (N x C) input, "
                             f"got size {size_of(input)}{hint}")
        N, C = (1, input.size(0)) if input.dim() == 1 else tuple(input.size())
        S = 1
        t = _device_targets(self, target, (N,), C, True)
    w = _weights(self, C)
    return dev3(input.contiguous(), N, C, S), t.view(N, S), w, C


def _nll_forward(self, x3, t2, w, C):
    """(loss, total weight) from the kernel; the CPU's error for an out-of-range target."""
    loss, total, bad = kernels('classnll').forward(x3, t2._dev(), w, self.ignoreIndex)
    if bad >= 0:
        raise out_of_range(self, int(t2.view(-1).narrow(0, bad, 1).item()), C)
    return loss, total


def _nll_output(self, input, target):
    x3, t2, w, C = _nll_prepare(self, input, target)
    loss, total = _nll_forward(self, x3, t2, w, C)
    if self.sizeAverage and total:
        loss /= total
    self.total_weight = float(total)
    self.output = float(loss)
    return self.output


def _nll_grad_input(self, input, target):
    x3, t2, w, C = _nll_prepare(self, input, target)
    _, total = _nll_forward(self, x3, t2, w, C)   # the range check and the total weight
    norm = 1.0 / total if self.sizeAverage and total else 1.0
    gin = _grad_tensor(self, input)
    kernels('classnll').backward(dev3(gin, *x3.shape), t2._dev(), w, self.ignoreIndex, norm)
    return self.gradInput


class ClassNLLCriterion(_cls.ClassNLLCriterion, device='cuda'):
    _cudaSpatial = False
    updateOutput = _nll_output
    updateGradInput = _nll_grad_input


class SpatialClassNLLCriterion(_cls.SpatialClassNLLCriterion, device='cuda'):
    _cudaSpatial = True
    updateOutput = _nll_output
    updateGradInput = _nll_grad_input


def _check_range(crit, t, n_classes):
    """Every target is a class or crit.ignoreIndex, checked before anything changes."""
    r = kernels('lookup').index_range(t._dev_flat())
    if r is None or (r[0] >= 0 and r[1] < n_classes):
        return
    h = t.long().numpy().reshape(-1)
    bad = (h != crit.ignoreIndex) & ((h < 0) | (h >= n_classes))
    if bad.any():
        raise out_of_range(crit, int(h[bad][0]), n_classes)


class CrossEntropyCriterion(_cls.CrossEntropyCriterion, device='cuda'):

    def updateOutput(self, input, target):
        self._sync()
        _, t2, _, C = _nll_prepare(self.nll, input, target)   # sizes checked before any change
        _check_range(self.nll, t2, C)
        self.lsm.updateOutput(input)
        self.output = self.nll.updateOutput(self.lsm.output, target)
        return self.output


# -- element-wise losses ---------------------------------------------------------------------------
def _pair(self, input, target):
    """(x, t) flat contiguous device arrays of the paired elements."""
    check_tensor(self, input)
    check_tensor(self, target, 'target')
    check_float(self, input)
    check_float(self, target, 'target')
    check_pair(self, input, target, getattr(self, '_same_shape', False))
    return input.contiguous()._dev_flat(), target.contiguous()._dev_flat()


def _elementwise(kind):
    def updateOutput(self, input, target):
        x, t = _pair(self, input, target)
        out1 = scratch(1, 1)[0]
        getattr(kernels('criterions'), kind + '_forward')(x, t, out1)
        loss = host_scalar(out1)
        self.output = loss / x.size if self.sizeAverage else loss
        return self.output

    def updateGradInput(self, input, target):
        x, t = _pair(self, input, target)
        norm = 1.0 / x.size if self.sizeAverage else 1.0
        gin = _grad_tensor(self, input)
        getattr(kernels('criterions'), kind + '_backward')(x, t, gin._dev_flat(), norm)
        return self.gradInput
    return updateOutput, updateGradInput


class MSECriterion(_reg.MSECriterion, device='cuda'):
    updateOutput, updateGradInput = _elementwise('mse')


class AbsCriterion(_reg.AbsCriterion, device='cuda'):
    updateOutput, updateGradInput = _elementwise('abs')


class SmoothL1Criterion(_reg.SmoothL1Criterion, device='cuda'):
    updateOutput, updateGradInput = _elementwise('smoothl1')


class BCECriterion(_cls.BCECriterion, device='cuda'):

    def _cudaPrepare(self, input, target):
        x, t = _pair(self, input, target)
        lo, hi = input.min(), input.max()
        if lo < 0 or hi > 1 or lo != lo or hi != hi:
            bad = hi if hi != hi else lo if lo < 0 or lo != lo else hi
            raise ValueError(f"{self._typename}: input value {bad} is out of range (valid: 0 "
                             f"to 1); BCECriterion takes probabilities, e.g. after nn.Sigmoid")
        w = getattr(self, 'weights', None)
        if w is not None:
            check_on_device(self, w, 'weights')
            n = input.size(input.dim() - 1) if input.dim() > 1 else input.nElement()
            if w.nElement() != n:
                raise ValueError(f"{self._typename}: weights has {w.nElement()} elements, "
                                 f"expected {n} (one per "
                                 f"{'column' if input.dim() > 1 else 'element'} of the input "
                                 f"of size {fmt_size(input.size())})")
            w = w.contiguous()._dev_flat()
        return x, t, w

    def updateOutput(self, input, target):
        x, t, w = self._cudaPrepare(input, target)
        out1 = scratch(1, 1)[0]
        kernels('criterions').bce_forward(x, t, w, out1, self.EPS)
        loss = host_scalar(out1)
        self.output = loss / x.size if self.sizeAverage else loss
        return self.output

    def updateGradInput(self, input, target):
        x, t, w = self._cudaPrepare(input, target)
        norm = 1.0 / x.size if self.sizeAverage else 1.0
        gin = _grad_tensor(self, input)
        kernels('criterions').bce_backward(x, t, w, gin._dev_flat(), norm, self.EPS)
        return self.gradInput
