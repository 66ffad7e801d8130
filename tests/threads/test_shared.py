"""Shared-memory tensors: results of process workers come back through shared memory without a
copy, shared arguments are seen by both sides, and no block outlives its last reference."""
import gc
import mmap
import os
import pickle

import numpy as np
import pytest

import threads
import torchlike as torch
import pool_jobs as jobs
from threads import shared

SHM = '/dev/shm'
pytestmark = pytest.mark.skipif(not os.path.isdir(SHM), reason='needs POSIX shared memory')


def _call(pool, fn, *args):
    out = []
    pool.addjob(fn, lambda *v: out.append(v), *args)
    pool.synchronize()
    return out[0] if len(out[0]) != 1 else out[0][0]


def _base_mmap(arr):
    base = arr
    while isinstance(base, np.ndarray):
        base = base.base
    return base.obj if isinstance(base, memoryview) else base


def _mapping_file(address):
    """The file behind the memory mapping that holds `address` in this process."""
    with open('/proc/self/maps') as f:
        for line in f:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split('-'))
            if lo <= address < hi:
                return parts[5] if len(parts) > 5 else ''
    return None


def _our_blocks(pids):
    return sorted(f for f in os.listdir(SHM)
                  if any(f.startswith(f"{shared.NAME_PREFIX}{pid}_") for pid in pids))


# -- results ---------------------------------------------------------------------------------------
def test_a_worker_allocated_tensor_comes_back_in_the_same_block(process_pool):
    t, worker_name = _call(process_pool, jobs.shared_tensor_with_name, 5000, 2.5)
    assert isinstance(t, torch.DoubleTensor) and t.size() == torch.Size([5000])
    assert np.all(t.numpy() == 2.5)
    # the very block the worker wrote into: nothing was copied on the way
    assert threads.blockName(t) == worker_name
    assert isinstance(_base_mmap(t.storage()._data), mmap.mmap)
    address = t.storage().data_ptr()
    assert _mapping_file(address).startswith(f"{SHM}/{worker_name.lstrip('/')}")
    assert str(os.getpid()) not in worker_name.split('_')[1]


def test_a_received_block_leaves_no_file_and_can_be_shared_again(process_pool):
    t, worker_name = _call(process_pool, jobs.shared_tensor_with_name, 3000, 1.0)
    assert not os.path.exists(SHM + worker_name)      # unlinked on arrival, memory still here
    assert threads.isShared(t) and np.all(t.numpy() == 1)
    _call(process_pool, jobs.add_into, t, 1)          # no name left: travels by value
    assert np.all(t.numpy() == 1)
    threads.share(t)                                  # named again: the worker writes in place
    assert threads.blockName(t) != worker_name
    _call(process_pool, jobs.add_into, t, 1)
    assert np.all(t.numpy() == 2)


def test_plain_tensors_come_back_through_shared_memory(process_pool):
    big = _call(process_pool, jobs.float_tensor, 5000, 1.5)
    assert isinstance(big, torch.FloatTensor) and np.all(big.numpy() == 1.5)
    assert threads.isShared(big)
    assert _mapping_file(big.storage().data_ptr()).startswith(f"{SHM}/{shared.NAME_PREFIX}")
    small, large = _call(process_pool, jobs.small_and_big)
    assert not threads.isShared(small)            # under INLINE_BYTES: copied in the message
    assert threads.isShared(large)
    assert small.numpy().tolist() == [2.0] * 3 and np.all(large.numpy() == 3)


def test_views_of_one_storage_come_back_sharing_one_storage(process_pool):
    t, col = _call(process_pool, jobs.tensor_views, 300)
    assert t.storage() is col.storage()
    assert col.size() == torch.Size([300]) and col.stride() == (4,)
    assert col.storageOffset() == 2
    col.fill(7)
    assert np.all(t.numpy()[:, 2] == 7) and np.all(t.numpy()[:, 1] == 1)


# -- arguments -------------------------------------------------------------------------------------
def test_a_shared_argument_is_written_in_place_by_the_worker(process_pool):
    t = torch.DoubleTensor(1000).fill(1)
    threads.share(t)
    assert threads.isShared(t)
    assert _call(process_pool, jobs.block_name_of, t) == threads.blockName(t)
    _call(process_pool, jobs.add_into, t, 4)
    assert np.all(t.numpy() == 5)


def test_a_plain_argument_is_copied(process_pool):
    t = torch.DoubleTensor(1000).fill(1)
    _call(process_pool, jobs.add_into, t, 4)
    assert np.all(t.numpy() == 1)
    assert not threads.isShared(t)


def test_a_shared_tensor_sent_and_returned_keeps_its_storage(process_pool):
    t = threads.sharedTensor(torch.FloatTensor, 10, 20)
    back = _call(process_pool, jobs.echo, t.narrow(1, 3, 5))
    assert back.storage() is t.storage()
    assert back.size() == torch.Size([10, 5]) and back.storageOffset() == 3


def test_thread_backend_passes_tensors_by_reference():
    t = torch.DoubleTensor(10).fill(1)
    with threads.Threads(2) as pool:
        back = _call(pool, jobs.echo, t)
        _call(pool, jobs.add_into, t, 1)
    assert back is t and np.all(t.numpy() == 2)


# -- making shared tensors -------------------------------------------------------------------------
def test_shared_tensor_and_storage_constructors():
    t = threads.sharedTensor(torch.FloatTensor, 3, 4)
    assert isinstance(t, torch.FloatTensor) and t.size() == torch.Size([3, 4])
    assert np.all(t.numpy() == 0) and threads.isShared(t)
    u = threads.sharedTensor('torch.LongTensor', torch.Size([2]))
    assert isinstance(u, torch.LongTensor)
    s = threads.sharedStorage(torch.ByteStorage, 7)
    assert isinstance(s, torch.ByteStorage) and len(s) == 7 and threads.isShared(s)
    e = threads.sharedTensor(torch.DoubleTensor, 0)
    assert e.nElement() == 0
    with pytest.raises(TypeError, match='tensor class'):
        threads.sharedTensor(np.float32, 3)
    with pytest.raises(ValueError, match='non-negative'):
        threads.sharedTensor(torch.FloatTensor, -1)
    with pytest.raises(TypeError, match='storage class'):
        threads.sharedStorage(torch.FloatTensor, 3)
    with pytest.raises(TypeError, match='tensor or storage'):
        threads.isShared([1, 2])


def test_share_moves_a_storage_in_place_and_keeps_views():
    x = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    col = x.select(1, 1)
    st = x.storage()
    assert threads.share(x) is x
    assert x.storage() is st and threads.isShared(col)
    assert col.numpy().tolist() == [2, 5]
    col.fill(0)
    assert x.numpy().tolist() == [[1, 0, 3], [4, 0, 6]]
    name = threads.blockName(x)
    threads.share(col)                     # already shared: nothing moves
    assert threads.blockName(x) == name


def test_ordinary_pickling_still_copies():
    t = threads.sharedTensor(torch.DoubleTensor, 4).fill(3)
    u = pickle.loads(pickle.dumps(t))
    assert not threads.isShared(u) and u.numpy().tolist() == [3.0] * 4


# -- lifetime --------------------------------------------------------------------------------------
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
