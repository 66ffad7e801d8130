"""DataLoader: batches of a dataset, built by a pool of workers (threads.Threads), in order.

    loader = DataLoader(dataset, batchSize=64, shuffle=True, nWorkers=2, backend='process',
                        seed=1)
    for epoch in range(10):
        for inputs, targets in loader:      # each pass is one epoch, reshuffled
            ...
    loader.terminate()                      # or use `with DataLoader(...) as loader:`

Reproducibility: the shuffle of epoch e comes from (seed, e); batch b of epoch e is built inside
a batch context seeded from (seed, e, b) (`torchlike.data.rng()` / `generator()`), so the same
seed gives the same batches with 0, 1 or 2 workers and with either backend. Process workers
also seed their global generators (torch, numpy, random) from (seed, worker id), as Torch7's
donkeys did with torch.manualSeed(seed + id); code drawing from those is reproducible only for
a fixed number of workers.
"""
import functools
import itertools
import os
import random

import numpy as np

from . import context
from .dataset import TensorDataset, dataset_size, get_batch
from .sampler import RandomSampler, Sampler, SequentialSampler

_WORKER_DATASETS = {}     # in a process worker: loader key -> its dataset copy
_keys = itertools.count()


def _install_dataset(key, dataset, seed, threadId):
    """Init function of a process worker: keep the dataset, seed the global generators."""
    from ..rng import manualSeed
    _WORKER_DATASETS[key] = dataset
    s = context.derive_seed(seed, 0x77, threadId)
    manualSeed(s)
    np.random.seed(s)
    random.seed(s)


def _load_batch(dataset, key, indices, seed, epoch, index, shared):
    """The job: batch `index` of `epoch`, returned as (index, batch)."""
    if dataset is None:
        dataset = _WORKER_DATASETS[key]
    context.open_batch(seed, epoch, index, shared)
    try:
        return index, get_batch(dataset, indices)
    except Exception as e:
        e.add_note(f"(DataLoader: while building batch {index} of epoch {epoch})")
        raise
    finally:
        context.close_batch()


def _for_processes(dataset):
    """What process workers receive: a TensorDataset's tensors are copied once into shared
    memory, which every worker then maps (instead of one pickled copy per worker). The user's
    tensors are left where they are."""
    if type(dataset) is TensorDataset:
        from threads import sharedTensor
        copies = []
        for t in dataset.tensors:
            c = sharedTensor(type(t), *t.size())
            c._arr()[...] = t._arr()
            copies.append(c)
        return TensorDataset(*copies)
    return dataset


def _check_int(name, v, low):
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < low:
        raise ValueError(f"DataLoader: {name} must be an integer >= {low}, got {v!r}")
    return int(v)


class DataLoader:
    """DataLoader(dataset, batchSize=1, shuffle=False, nWorkers=0, backend='thread', seed=None,
    prefetch=None, dropLast=False, sampler=None, initFn=None)

    - dataset: anything with size()/len() and [i] (see Dataset); `getBatch(indices)` is used
      when it has one. With backend='process' it is pickled once into every worker (a
      TensorDataset's tensors are copied once into shared memory that all workers map).
    - shuffle: a RandomSampler reshuffled every epoch from the seed; or give a `sampler`.
    - nWorkers: 0 builds batches in the calling thread when they are asked for; n > 0 keeps up
      to `prefetch` batches (default 2 * nWorkers) in flight on a threads.Threads pool, which
      lives until terminate() (reused across epochs).
    - backend: 'thread' (numpy / I/O-bound loading) or 'process' (Python-heavy loading; batch
      tensors come back through shared memory).
    - seed: fixes the shuffles and the per-batch generators; drawn from torchlike's global
      generator when None.
    - dropLast: leave out the last batch when it has fewer than batchSize samples (by default
      it is kept, so an epoch visits every sample, as Torch7 loops did).
    - initFn: called as initFn(threadId) in every worker before any batch.
    """

    def __init__(self, dataset, batchSize=1, shuffle=False, nWorkers=0, backend='thread',
                 seed=None, prefetch=None, dropLast=False, sampler=None, initFn=None):
        self.dataset = dataset
        self.nSamples = dataset_size(dataset)
        self.batchSize = _check_int('batchSize', batchSize, 1)
        self.nWorkers = _check_int('nWorkers', nWorkers, 0)
        if backend not in ('thread', 'process'):
            raise ValueError(f"DataLoader: backend must be 'thread' or 'process', got {backend!r}")
        self.backend = backend
        if prefetch is None:
            prefetch = max(2 * self.nWorkers, 1)
        self.prefetch = _check_int('prefetch', prefetch, 1)
        if seed is None:
            from ..generator import default_generator
            seed = int(default_generator.raw32())
        self.seed = _check_int('seed', seed, 0)
        self.dropLast = bool(dropLast)
        if sampler is not None:
            if shuffle:
                raise ValueError("DataLoader: give either shuffle=True or a sampler, not both")
            if not isinstance(sampler, Sampler) and not hasattr(sampler, 'indices'):
                raise TypeError("DataLoader: the sampler needs an indices(epoch) method")
        elif shuffle:
            sampler = RandomSampler(self.nSamples, seed=context.derive_seed(self.seed, 0x5f))
        else:
            sampler = SequentialSampler(self.nSamples)
        self.sampler = sampler
        if initFn is not None and not callable(initFn):
            raise TypeError("DataLoader: initFn must be a function")
        self.initFn = initFn
        self.epoch = 0
        self._pool = None
        self._key = f"{os.getpid()}-{next(_keys)}"

    # -- batches ------------------------------------------------------------------------------
    def _batches(self, epoch):
        order = np.asarray(self.sampler.indices(epoch), dtype=np.int64)
        bs = self.batchSize
        end = len(order) - len(order) % bs if self.dropLast else len(order)
        return [order[i:i + bs] for i in range(0, end, bs)]

    def __len__(self):
        """The number of batches in an epoch."""
        n = self.nSamples
        return n // self.batchSize if self.dropLast else -(-n // self.batchSize)

    def setEpoch(self, epoch):
        """Make the next iteration epoch `epoch` (to resume a run)."""
        self.epoch = _check_int('epoch', epoch, 0)

    def __iter__(self):
        epoch = self.epoch
        self.epoch += 1
        batches = self._batches(epoch)
        if self.nWorkers == 0:
            return self._serial(batches, epoch)
        return self._parallel(batches, epoch)

    def _serial(self, batches, epoch):
        for b, idx in enumerate(batches):
            yield _load_batch(self.dataset, None, idx, self.seed, epoch, b, False)[1]

    def _parallel(self, batches, epoch):
        pool = self.pool()
        self._drain(pool)
        ready = {}

        def store(index, batch):
            ready[index] = batch
        if self.backend == 'thread':
            source, shared = self.dataset, False
        else:
            source, shared = None, True
        nb, depth, nxt = len(batches), self.prefetch, 0
        try:
            for b in range(nb):
                while nxt < nb and nxt < b + depth:
                    pool.addjob(_load_batch, store, source, self._key, batches[nxt], self.seed,
                                epoch, nxt, shared)
                    nxt += 1
                while b not in ready:
                    pool.dojob()
                yield ready.pop(b)
        finally:
            self._drain(pool)

    @staticmethod
    def _drain(pool):
        """Wait for the batches of an abandoned epoch, dropping them and their errors."""
        from threads import JobError
        while pool.isrunning() and pool.hasjob():
            try:
                pool.dojob()
            except JobError:
                pass

    # -- workers ------------------------------------------------------------------------------
    def pool(self):
        """The worker pool (started on first use; None with nWorkers=0)."""
        if self.nWorkers == 0:
            return None
        if self._pool is None:
            import threads
            inits = []
            if self.backend == 'process':
                inits.append(functools.partial(_install_dataset, self._key,
                                               _for_processes(self.dataset), self.seed))
            if self.initFn is not None:
                inits.append(self.initFn)
            try:
                self._pool = threads.Threads(self.nWorkers, *inits, backend=self.backend,
                                             queueSize=self.prefetch)
            except TypeError as e:
                if self.backend == 'process':
                    e.add_note("DataLoader(backend='process') pickles the dataset (and initFn) "
                               "into every worker: its class must be importable by the workers")
                raise
        return self._pool

    def terminate(self):
        """Stop the workers (a later iteration starts new ones)."""
        if self._pool is not None:
            self._pool.terminate(discard=True)
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.terminate()

    def __repr__(self):
        return (f"torchlike.data.DataLoader({self.nSamples} samples, batchSize={self.batchSize}, "
                f"{len(self)} batches, nWorkers={self.nWorkers}, backend={self.backend!r})")
