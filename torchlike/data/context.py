"""The batch being built by this thread: its random generators and where its tensors go.

The DataLoader opens a batch context around every `getBatch` call, in whichever thread or
process builds the batch. `rng()` and `generator()` then return generators seeded from
(loader seed, epoch, batch index) alone, so a run gives the same batches with 0, 1 or 2
workers and with either backend. In a process worker the context also says "allocate batch
tensors in shared memory", so the batch travels back to the main process without a copy.
"""
import threading

import numpy as np

from .._core import wrap

_ctx = threading.local()


def derive_seed(*keys):
    """A 32-bit seed from integer keys (numpy's SeedSequence mixing)."""
    return int(np.random.SeedSequence([int(k) & 0xffffffffffffffff for k in keys])
               .generate_state(1, np.uint32)[0])


class _Batch:
    __slots__ = ('entropy', 'np_rng', 'torch_gen', 'shared', 'previous')

    def __init__(self, entropy, shared, previous):
        self.entropy = entropy
        self.np_rng = None
        self.torch_gen = None
        self.shared = shared
        self.previous = previous


def open_batch(seed, epoch, index, shared=False):
    _ctx.batch = _Batch((int(seed), int(epoch), int(index)), shared,
                        getattr(_ctx, 'batch', None))


def close_batch():
    _ctx.batch = _ctx.batch.previous


def rng():
    """A numpy Generator for per-sample randomness. Inside a DataLoader batch it is seeded from
    (seed, epoch, batch index); elsewhere it is one generator per thread, seeded on first use
    from torchlike's global generator (so torch.manualSeed fixes it too)."""
    b = getattr(_ctx, 'batch', None)
    if b is None:
        g = getattr(_ctx, 'fallback_np', None)
        if g is None:
            from ..generator import default_generator
            g = _ctx.fallback_np = np.random.default_rng(int(default_generator.raw32()))
        return g
    if b.np_rng is None:
        b.np_rng = np.random.default_rng(np.random.SeedSequence(list(b.entropy) + [1]))
    return b.np_rng


def generator():
    """A torch.Generator for per-sample randomness (pass it first to torch.uniform, x.normal,
    torch.randperm, ...). Inside a DataLoader batch it is seeded from (seed, epoch, batch
    index); elsewhere it is torchlike's global generator."""
    from ..rng import Generator, default_generator
    b = getattr(_ctx, 'batch', None)
    if b is None:
        return default_generator
    if b.torch_gen is None:
        g = Generator()
        g.manualSeed(derive_seed(*b.entropy, 2))
        b.torch_gen = g
    return b.torch_gen


def new_tensor(cls, shape):
    """An uninitialised tensor for a batch: in a shared block inside a process worker, unless
    it is small enough to travel inside the result message anyway."""
    b = getattr(_ctx, 'batch', None)
    if b is not None and b.shared:
        from threads.shared import INLINE_BYTES, resultTensor
        n = cls._dtype.itemsize
        for s in shape:
            n *= s
        if n >= INLINE_BYTES:
            return resultTensor(cls, shape)
    return wrap(cls, np.empty(shape, cls._dtype))
