"""Shared blocks do not outlive their last reference, result blocks are recycled while a
process pool runs, and nothing is left in /dev/shm once the pools have stopped. No pool may be
left running between the tests of this module (recycling keeps idle blocks while one runs)."""
import gc
import os

import numpy as np
import pytest

import threads
import torchlike as torch
import pool_jobs as jobs
from threads import shared, transport
from torchlike.data import DataLoader, TensorDataset

SHM = '/dev/shm'
pytestmark = pytest.mark.skipif(not os.path.isdir(SHM), reason='needs POSIX shared memory')


def _our_blocks(pids):
    return sorted(f for f in os.listdir(SHM)
                  if any(f.startswith(f"{shared.NAME_PREFIX}{pid}_") for pid in pids))


def test_a_block_is_removed_when_its_last_tensor_dies():
    t = threads.sharedTensor(torch.FloatTensor, 100)
    view = t.narrow(0, 10, 5)
    name = threads.blockName(t).lstrip('/')
    assert name in os.listdir(SHM)
    del t
    gc.collect()
    assert name in os.listdir(SHM)         # the view still holds the block
    del view
    gc.collect()
    assert name not in os.listdir(SHM)


@pytest.mark.deadline(60)
def test_no_shared_memory_files_are_left_behind():
    pool = threads.Threads(2, backend='process')
    pids = pool.workerPids() + [os.getpid()]
    kept = []
    for i in range(10):
        pool.addjob(jobs.float_tensor, kept.append, 3000, i)
        pool.addjob(jobs.shared_tensor_with_name, lambda t, name: kept.append(t), 2000, i)
    arg = threads.share(torch.DoubleTensor(2000).fill(1))
    pool.addjob(jobs.add_into, None, arg, 1)
    pool.addjob(jobs.unpicklable_result, None)
    try:
        pool.synchronize()
    except threads.JobError:
        pool.synchronize()
    assert _our_blocks(pids)               # alive: the main process holds them
    kept = kept[:3]                        # some results die while the pool runs: recycled
    gc.collect()
    for i in range(6):                     # ... and reused by later jobs
        pool.addjob(jobs.float_tensor, kept.append, 3000, i)
    pool.synchronize()
    pool.terminate()
    # the received tensors stay valid after their workers have gone
    assert np.all(kept[0].numpy() >= 0) and np.all(arg.numpy() == 2)
    kept.clear()
    del arg
    gc.collect()
    assert _our_blocks(pids) == []
    assert shared._idle == []


@pytest.mark.deadline(60)
def test_loader_batches_reuse_a_few_blocks():
    x = torch.FloatTensor(np.arange(256 * 300, dtype=np.float32).reshape(256, 300))
    names = set()
    with DataLoader(TensorDataset(x), 8, nWorkers=2, backend='process') as loader:
        pids = loader.pool().workerPids() + [os.getpid()]
        for epoch in range(2):
            for k, batch in enumerate(loader):
                names.add(threads.blockName(batch))
                assert np.array_equal(batch.numpy(), x.numpy()[8 * k:8 * k + 8])
    del batch
    gc.collect()
    assert len(names) <= 12                # 64 batches, a handful of blocks going round
    assert _our_blocks(pids) == []


def test_a_failed_result_pickling_releases_its_blocks():
    before = set(os.listdir(SHM))
    big = torch.DoubleTensor(5000)
    with pytest.raises(Exception):
        transport.dumps_result((big, lambda: None))
    gc.collect()
    assert set(os.listdir(SHM)) - before == set()


@pytest.mark.deadline(60)
def test_recycling_never_overwrites_a_result_still_in_use():
    """Results of several sizes; some are kept, some dropped at once (their blocks go round
    again). A kept result must keep its own values whatever the later jobs write."""
    import random
    rnd = random.Random(5)
    kept = {}
    with threads.Threads(2, backend='process') as pool:
        pids = pool.workerPids() + [os.getpid()]

        def arrived(i):
            def check(t):
                assert np.all(t.numpy() == i)
                if i % 3 == 0:
                    kept[i] = t
            return check
        for i in range(300):
            pool.addjob(jobs.float_tensor, arrived(i), rnd.choice([1500, 3000, 3000, 9000]), i)
        pool.synchronize()
        assert all(np.all(t.numpy() == i) for i, t in kept.items())
        assert len(shared._idle) <= shared.MAX_IDLE_BLOCKS
    kept.clear()
    gc.collect()
    assert _our_blocks(pids) == [] and shared._idle == []
