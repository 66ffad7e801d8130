"""Samplers: the order in which a DataLoader visits a dataset, epoch by epoch.

`sampler.indices(epoch)` is the order for one epoch (a LongTensor-compatible int64 numpy array
of 0-based indices); iterating a sampler yields the order of its current epoch and moves on to
the next epoch.
"""
import numpy as np

from .context import derive_seed


def _count(n):
    if hasattr(n, '__len__'):
        n = len(n)
    elif hasattr(n, 'size') and callable(n.size):
        n = n.size()
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"a sampler needs a non-negative number of samples (or a dataset), "
                         f"got {n!r}")
    return int(n)


class Sampler:
    """Base class: define `indices(epoch)` and `__len__`."""

    def __init__(self):
        self.epoch = 0

    def indices(self, epoch):
        raise NotImplementedError

    def setEpoch(self, epoch):
        self.epoch = int(epoch)

    def __iter__(self):
        order = self.indices(self.epoch)
        self.epoch += 1
        return iter(order.tolist())


class SequentialSampler(Sampler):
    """0, 1, ..., n-1 every epoch. `SequentialSampler(n)` or `SequentialSampler(dataset)`."""

    def __init__(self, n):
        super().__init__()
        self.n = _count(n)

    def indices(self, epoch=0):
        return np.arange(self.n, dtype=np.int64)

    def __len__(self):
        return self.n


class RandomSampler(Sampler):
    """A random permutation of 0..n-1, a new one each epoch, fixed by (seed, epoch): epoch e
    gives the same order in every run with the same seed. Without a seed, one is drawn from
    torchlike's global generator when the sampler is made (so torch.manualSeed fixes it)."""

    def __init__(self, n, seed=None):
        super().__init__()
        self.n = _count(n)
        if seed is None:
            from ..generator import default_generator
            seed = int(default_generator.raw32())
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"RandomSampler: the seed must be an integer, got {seed!r}")
        self.seed = int(seed)

    def indices(self, epoch=0):
        rng = np.random.default_rng(derive_seed(self.seed, epoch, 0x5a3))
        return rng.permutation(self.n).astype(np.int64, copy=False)

    def __len__(self):
        return self.n
