"""Datasets and batching: Dataset, TensorDataset, collate.

Torch7 had no dataset class: a dataset was any table with `size()` and `dataset[i]`
(nn.StochasticGradient's contract). `Dataset` keeps that contract, 0-based: `size()` (or
`len()`), `dataset[i]` for i in 0..size()-1, plus `getBatch(indices)`, which the DataLoader
calls and which a dataset may override with something faster than one sample at a time.

Per-sample randomness (augmentation) should come from `torchlike.data.rng()` (a numpy
Generator) or `torchlike.data.generator()` (a torch.Generator): inside a DataLoader batch they
are seeded from the loader's seed, the epoch and the batch index, so the batches are the same
whatever the number of workers and the backend.
"""
import numbers

import numpy as np

from .. import types as _types
from .._core import TensorBase, wrap
from . import context


class Dataset:
    """Base class: override `size()` (or `__len__`) and `__getitem__(i)`; optionally
    `getBatch(indices)`."""

    def size(self):
        raise NotImplementedError(f"{type(self).__name__} must define size() (or __len__)")

    def __len__(self):
        return self.size()

    def __getitem__(self, i):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(i)")

    def getBatch(self, indices):
        """The samples at `indices`, collated (see `collate`)."""
        return collate([self[int(i)] for i in indices])


def dataset_size(dataset):
    """len(dataset) for Python-style datasets, dataset.size() for Torch7-style ones."""
    if hasattr(dataset, '__len__'):
        return len(dataset)
    if hasattr(dataset, 'size'):
        return int(dataset.size())
    raise TypeError(f"a dataset needs size() or __len__, {type(dataset).__name__} has neither")


def get_batch(dataset, indices):
    getter = getattr(dataset, 'getBatch', None)
    if getter is not None:
        return getter(indices)
    return collate([dataset[int(i)] for i in indices])


class TensorDataset(Dataset):
    """Samples are slices along dimension 0 of one or more tensors of the same length:
    `TensorDataset(images, labels)[i]` is `(images[i], labels[i])`; with one tensor, just the
    slice. A slice of a 1-D tensor is a number (Torch7's `x[i]`). Batches keep the tensors'
    types: `getBatch([3, 1])` of (ByteTensor 60000x28x28, ByteTensor 60000) is
    (ByteTensor 2x28x28, ByteTensor 2)."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for k, t in enumerate(tensors):
            if not isinstance(t, TensorBase):
                raise TypeError(f"TensorDataset: argument {k} is a {type(t).__name__}, "
                                f"not a tensor")
            if t.dim() == 0:
                raise ValueError(f"TensorDataset: tensor {k} is empty (no dimensions)")
        n = tensors[0].size(0)
        for k, t in enumerate(tensors[1:], 1):
            if t.size(0) != n:
                sizes = ', '.join(str(x.size(0)) for x in tensors)
                raise ValueError(f"TensorDataset: every tensor needs the same size along "
                                 f"dimension 0, got {sizes}")
        self.tensors = tensors
        self._n = n

    def size(self):
        return self._n

    def __len__(self):
        return self._n

    def __getitem__(self, i):
        n = self._n
        if not isinstance(i, (int, np.integer)) or isinstance(i, bool):
            raise TypeError(f"TensorDataset index must be an integer, got {type(i).__name__}")
        if not -n <= i < n:
            raise IndexError(f"index {i} is out of range for a dataset of {n} samples")
        out = tuple(t._arr()[i].item() if t.dim() == 1 else t.select(0, int(i))
                    for t in self.tensors)
        return out[0] if len(out) == 1 else out

    def getBatch(self, indices):
        idx = np.asarray(indices, dtype=np.int64)
        n = self._n
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"batch indices out of range for a dataset of {n} samples")
        out = []
        for t in self.tensors:
            a = t._arr()
            dst = context.new_tensor(type(t), (len(idx),) + a.shape[1:])
            np.take(a, idx, axis=0, out=dst._arr())
            out.append(dst)
        return out[0] if len(out) == 1 else tuple(out)


def _stack(samples, what):
    first = samples[0]
    if isinstance(first, TensorBase):
        cls, shape = type(first), first._arr().shape
        arrays = []
        for k, s in enumerate(samples):
            if type(s) is not cls:
                name = getattr(s, '_typename', type(s).__name__)
                raise TypeError(f"collate: {what}sample {k} is a {name}, "
                                f"sample 0 a {first._typename}")
            a = s._arr()
            if a.shape != shape:
                raise ValueError(f"collate: {what}sample {k} has size "
                                 f"{'x'.join(map(str, a.shape))}, sample 0 has size "
                                 f"{'x'.join(map(str, shape))}")
            arrays.append(a)
    else:
        cls = _types.class_for_dtype(first.dtype)
        shape = first.shape
        arrays = []
        for k, s in enumerate(samples):
            a = np.asarray(s)
            if a.shape != shape:
                raise ValueError(f"collate: {what}sample {k} has shape {a.shape}, sample 0 has "
                                 f"shape {shape}")
            arrays.append(a)
    out = context.new_tensor(cls, (len(arrays),) + tuple(shape))
    dst = out._arr()
    for k, a in enumerate(arrays):
        dst[k] = a
    return out


def collate(samples, _what=''):
    """Turn a list of samples into a batch:
    tensors of one type and size -> one tensor with a new first dimension (B x ...);
    numpy arrays -> the tensor type of their dtype, stacked the same way;
    integers -> a LongTensor of size B; other real numbers -> a DoubleTensor;
    tuples / lists -> a tuple / list of batches, position by position (input, target);
    dicts -> a dict of batches, key by key; anything else -> the list as is."""
    if not samples:
        raise ValueError("collate: no samples")
    first = samples[0]
    if isinstance(first, (TensorBase, np.ndarray)):
        return _stack(samples, _what)
    if isinstance(first, (bool, np.bool_)):
        return wrap(_types.tensor_class('torch.ByteTensor'), np.array(samples, np.uint8))
    if isinstance(first, numbers.Integral):
        return _numbers(samples, 'torch.LongTensor', np.int64)
    if isinstance(first, numbers.Real):
        return _numbers(samples, 'torch.DoubleTensor', np.float64)
    if isinstance(first, (tuple, list)):
        n = len(first)
        for k, s in enumerate(samples):
            if not isinstance(s, (tuple, list)) or len(s) != n:
                raise ValueError(f"collate: {_what}sample {k} does not have the {n} fields of "
                                 f"sample 0")
        parts = [collate([s[j] for s in samples], f"{_what}field {j} of ") for j in range(n)]
        return tuple(parts) if isinstance(first, tuple) else parts
    if isinstance(first, dict):
        return {key: collate([s[key] for s in samples], f"{_what}key {key!r} of ")
                for key in first}
    return list(samples)


def _numbers(samples, typename, dtype):
    out = context.new_tensor(_types.tensor_class(typename), (len(samples),))
    out._arr()[...] = np.asarray(samples, dtype)
    return out
