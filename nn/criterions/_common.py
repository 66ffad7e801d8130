"""Checks and buffers shared by the criterions."""
import numbers

import numpy as np

import torchlike as torch
from torchlike._core import fmt_size


class LoadDefaults:
    """Mixin: fields a Lua-written file may lack get the values of `_defaults`, and an empty
    Lua table read where a tensor belongs becomes an empty tensor."""
    _defaults = {'sizeAverage': True}
    _tensor_fields = ('gradInput',)

    @classmethod
    def _torchLoadFields(cls, fields, version):
        for k, v in cls._defaults.items():
            fields.setdefault(k, v)
        for k in cls._tensor_fields:
            if not torch.isTensor(fields.get(k)):
                fields[k] = torch.Tensor()
        fields.setdefault('output', 0)
        return fields


def check_tensor(crit, x, what='input'):
    if not torch.isTensor(x):
        raise TypeError(f"{crit._typename}: expected a tensor {what}, got {type(x).__name__}")


def size_of(x):
    return fmt_size(x.size()) if torch.isTensor(x) else type(x).__name__


def check_pair(crit, input, target, same_shape=False):
    """input and target must be tensors with the same number of elements (Torch7 pairs them
    element by element in memory order), or the same size when `same_shape`."""
    check_tensor(crit, input)
    check_tensor(crit, target, 'target')
    if same_shape:
        if input.size() != target.size():
            raise ValueError(f"{crit._typename}: input and target must have the same size, "
                             f"got input {size_of(input)} and target {size_of(target)}")
    elif input.nElement() != target.nElement():
        raise ValueError(f"{crit._typename}: input and target sizes do not match: input "
                         f"{size_of(input)} ({input.nElement()} elements), target "
                         f"{size_of(target)} ({target.nElement()} elements)")
    if input.nElement() == 0:
        raise ValueError(f"{crit._typename}: empty input")


def values(input, target):
    """(input array, target array shaped like the input)."""
    x = input.numpy()
    t = target.numpy()
    return x, (t if t.shape == x.shape else t.reshape(x.shape))


def grad_buffer(crit, like, name='gradInput'):
    """crit.<name> resized as `like` (replaced by a tensor of like's type if the types
    differ), as a numpy array."""
    g = getattr(crit, name)
    if not torch.isTensor(g) or g._typename != like._typename:
        g = like.new()
        setattr(crit, name, g)
    return g.resizeAs(like).numpy()


def check_weights(crit, weights, what='weights'):
    """A 1-D tensor of class weights, or None."""
    if weights is None:
        return None
    if not torch.isTensor(weights) or weights.dim() != 1:
        raise ValueError(f"{crit._typename}: {what} must be a 1-D tensor, got "
                         f"{size_of(weights)}")
    return weights


def class_targets(crit, target, n, n_classes, shape=None):
    """Class targets as an int64 numpy array of n values (or of `shape`): a Python integer
    (when n == 1) or an integral tensor (a float tensor must hold whole numbers)."""
    if isinstance(target, numbers.Integral) and not isinstance(target, bool):
        if n != 1 or shape is not None:
            raise ValueError(f"{crit._typename}: a single target number {target} given for "
                             f"a batch of {n}; pass a LongTensor of {n} targets")
        return np.array([target], dtype=np.int64)
    if isinstance(target, numbers.Real) and not isinstance(target, bool) and \
            float(target).is_integer():
        return class_targets(crit, int(target), n, n_classes, shape)
    if not torch.isTensor(target):
        raise TypeError(f"{crit._typename}: target must be a class index (0 to "
                        f"{n_classes - 1}) or a LongTensor of them, got "
                        f"{type(target).__name__}")
    t = target.numpy()
    want = (n,) if shape is None else tuple(shape)
    if t.shape != want and not (shape is None and t.size == n and t.ndim <= 2 and
                                (t.ndim < 2 or 1 in t.shape)):
        raise ValueError(f"{crit._typename}: target has size {size_of(target)}, expected "
                         f"{fmt_size(want)} (one class index per "
                         f"{'sample' if shape is None else 'pixel'})")
    if t.dtype.kind == 'f':
        if not np.all(np.floor(t) == t):
            bad = t[np.floor(t) != t].flat[0]
            raise ValueError(f"{crit._typename}: target {bad} is not a class index (valid: "
                             f"0 to {n_classes - 1})")
    elif t.dtype.kind not in 'iu':
        raise TypeError(f"{crit._typename}: target must hold class indices, got a "
                        f"{target._typename}")
    return np.ascontiguousarray(t.reshape(want), dtype=np.int64)


def out_of_range(crit, value, n_classes):
    hint = '; class targets are 0-based' if value == n_classes else ''
    return ValueError(f"{crit._typename}: target {value} is out of range for {n_classes} "
                      f"classes (valid: 0 to {n_classes - 1}){hint}")
