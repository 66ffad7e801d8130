"""Shared-memory blocks and the storages and tensors that live in them.

A shared storage is an ordinary torchlike Storage (a `torch.FloatStorage`, ...) whose `_data` is
a numpy array over a POSIX shared-memory block (the kind `multiprocessing.shared_memory` makes:
`/dev/shm/<name>` on Linux), mapped with `mmap`. Each process maps a block once; the numpy
array's base chain ends at that mmap. How tensors travel between processes is in transport.py.

Names and ownership. A block's name lives in /dev/shm until it is unlinked; its memory lives
until the last mapping is gone. Exactly one process owns a name and unlinks it.
  - Blocks the main process creates (`share`, `sharedTensor`) are its own: named while it
    references them, so that workers can attach them (the pool keeps a job's arguments alive
    until the job is done), unlinked when its last reference dies or it exits.
  - A block a worker creates with `sharedTensor` and returns is handed to the main process,
    which maps it and unlinks the name at once.
  - Blocks made for results (DataLoader batches, tensors copied into shared memory to be
    returned) are recycled: the main process owns a received one while any tensor views it,
    then keeps it mapped and sends its name back to a worker with a later job; the worker
    fills it again instead of creating (and the kernel zero-filling) a new block, and the main
    process finds it already mapped. A recycled block goes away when a pool stops, when too
    many are idle, or when its size is not needed.
Blocks are registered with multiprocessing's resource tracker once, when created, so that the
names a crashed process leaves behind are removed.
"""
import collections
import itertools
import mmap
import os
import secrets
import threading
import weakref

import numpy as np

from torchlike import types as _types
from torchlike._core import TensorBase, new_object, parse_sizes
from torchlike.storage import Storage
from torchlike.tensor import view_on

try:
    import _posixshmem
except ImportError:          # Windows: no POSIX shared memory
    _posixshmem = None

INLINE_BYTES = 4096          # results smaller than this are copied into the message
NAME_PREFIX = 'tl_'          # /dev/shm/tl_<pid>_<n>_<random>
MAX_IDLE_BLOCKS = 16         # recycled blocks a process keeps waiting for reuse
_MAP_FLAGS = mmap.MAP_SHARED | getattr(mmap, 'MAP_POPULATE', 0)

_lock = threading.RLock()
_counter = itertools.count()
_by_name = {}                # name -> _Block mapped in this process
_by_map = {}                 # id(mmap) -> _Block
_idle = []                   # main process: recycled blocks it owns, mapped, waiting for a job
_given = collections.deque() # main process: blocks given to workers, still mapped here
_adopted = {}                # worker: nbytes -> names given back for reuse, owned here
_recycling = [0]             # process pools running in this process (0: do not keep blocks)
_unregister_later = []       # names unlinked by finalizers, for the tracker (see _unlink)


class _Block:
    """This process's record of one mapped block."""
    __slots__ = ('name', 'nbytes', 'address', 'owned', 'handed', 'linked', 'recyclable',
                 'mapref', 'keep', 'use')

    def __init__(self, name, nbytes, mm, owned):
        self.name = name
        self.nbytes = nbytes
        self.owned = owned        # this process unlinks the name
        self.handed = False       # sent to the main process, which owns it now
        self.linked = True        # the name still exists (other processes can attach it)
        self.recyclable = False
        self.mapref = weakref.ref(mm)
        self.keep = None          # the mmap itself, for recyclable blocks (kept mapped)
        self.use = None           # recyclable blocks: weakref to the root array of this use
        probe = np.frombuffer(mm, np.uint8, count=1)
        self.address = probe.__array_interface__['data'][0]


def _require_posix():
    if _posixshmem is None:
        raise NotImplementedError("shared-memory tensors need POSIX shared memory "
                                  "(Linux or macOS); use the thread backend on this platform")


# -- the resource tracker ----------------------------------------------------------------------
def _tracker(action, name):
    from multiprocessing import resource_tracker
    try:
        getattr(resource_tracker, action)(name, 'shared_memory')
    except Exception:      # the tracker is a safety net; never fail an operation for it
        pass


def _flush_tracker():
    while _unregister_later:
        _tracker('unregister', _unregister_later.pop())


def _unlink(name, from_finalizer=False):
    try:
        _posixshmem.shm_unlink(name)
    except FileNotFoundError:
        return                   # someone else removed it (and told the tracker)
    if from_finalizer:
        # a finalizer may run inside the resource tracker's own (non-reentrant) lock when the
        # garbage collector fires there: tell the tracker later, from a safe place
        _unregister_later.append(name)
    else:
        _flush_tracker()
        _tracker('unregister', name)


# -- mapping blocks ----------------------------------------------------------------------------
def _on_unmap(block, key):
    """The mapping is gone (its last array died): forget it, and remove the name if ours."""
    with _lock:
        if _by_name.get(block.name) is block:
            del _by_name[block.name]
        if _by_map.get(key) is block:
            del _by_map[key]
        owned, block.owned = block.owned and block.linked, False
    if owned:
        _unlink(block.name, from_finalizer=True)


def _register(name, nbytes, mm, owned):
    block = _Block(name, nbytes, mm, owned)
    key = id(mm)
    with _lock:
        _by_name[name] = block
        _by_map[key] = block
    # atexit=False: exits are handled by release_owned() (process workers leave through
    # os._exit, which skips atexit; the main process runs it from atexit)
    weakref.finalize(mm, _on_unmap, block, key).atexit = False
    return block


def _create(nbytes):
    """A new block of `nbytes` bytes, owned by this process: (block, mmap)."""
    _require_posix()
    name = f"/{NAME_PREFIX}{os.getpid()}_{next(_counter)}_{secrets.token_hex(4)}"
    fd = _posixshmem.shm_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, mode=0o600)
    try:
        os.ftruncate(fd, nbytes)
        # the creator writes the whole block: fault its pages in with one call (a page fault
        # costs microseconds in a VM)
        mm = mmap.mmap(fd, nbytes, flags=_MAP_FLAGS)
    except BaseException:
        _posixshmem.shm_unlink(name)
        raise
    finally:
        os.close(fd)
    _flush_tracker()
    _tracker('register', name)
    return _register(name, nbytes, mm, owned=True), mm


def _attach(name, nbytes):
    """Map the block `name` (once per process, even from several threads): (block, mmap)."""
    _flush_tracker()             # not under _lock: the tracker has a lock of its own
    with _lock:
        block = _by_name.get(name)
        mm = block.mapref() if block is not None else None
        if mm is not None:
            return block, mm
        _require_posix()
        try:
            fd = _posixshmem.shm_open(name, os.O_RDWR, mode=0o600)
        except FileNotFoundError:
            raise RuntimeError(f"shared block {name} no longer exists: the process that owned "
                               "it dropped every tensor on it before this one arrived") from None
        try:
            mm = mmap.mmap(fd, nbytes, flags=_MAP_FLAGS)   # existing pages, mapped at once
        finally:
            os.close(fd)
        return _register(name, nbytes, mm, owned=False), mm


# -- recycling ---------------------------------------------------------------------------------
def _use(block, mm):
    """The root array of the current use of a recyclable block; when every array derived
    from it has died, the block can be used again (_on_release)."""
    root = block.use() if block.use is not None else None
    if root is None:
        root = np.frombuffer(mm, np.uint8)
        block.use = weakref.ref(root)
        weakref.finalize(root, _on_release, block).atexit = False
    return root


def _on_release(block):
    """No array views this use of a recyclable block any more."""
    with _lock:
        block.use = None
        if (block.owned and block.linked and _recycling[0] and not block.handed
                and len(_idle) < MAX_IDLE_BLOCKS):
            _idle.append(block)              # main process: give it to a worker later
            return
        owned, block.owned = block.owned and block.linked, False
        block.keep = None                    # the mapping goes with the last array
    if owned:
        _unlink(block.name, from_finalizer=True)


def _in_use(block):
    return block.use is not None and block.use() is not None


def start_recycling():
    with _lock:
        _recycling[0] += 1


def stop_recycling():
    """A process pool stopped: when none is left, drop the idle blocks and the mappings of
    blocks given to workers."""
    with _lock:
        _recycling[0] = max(_recycling[0] - 1, 0)
        if _recycling[0]:
            return
        idle, _idle[:] = list(_idle), []
        _given.clear()
        for block in list(_by_name.values()):
            if block.recyclable and not _in_use(block):
                block.keep = None
    for block in idle:
        block.owned = False
        _unlink(block.name)


def give(limit=1):
    """Main process: up to `limit` idle blocks to send with a job, as (name, nbytes) pairs;
    the worker that takes the job owns them from then on."""
    if not _idle:
        return ()
    out = []
    with _lock:
        while _idle and len(out) < limit:
            block = _idle.pop()
            block.owned = False              # still mapped here: its return costs nothing
            out.append((block.name, block.nbytes))
            _given.append(block)
        while len(_given) > MAX_IDLE_BLOCKS:  # ... but only for the most recent few
            old = _given.popleft()
            if not old.owned and not _in_use(old):
                old.keep = None
    return tuple(out)


def adopt(gifts):
    """Worker: the main process gave these blocks back for reuse."""
    extra = []
    with _lock:
        for name, nbytes in gifts:
            names = _adopted.setdefault(nbytes, [])
            if sum(len(v) for v in _adopted.values()) >= MAX_IDLE_BLOCKS:
                extra.append(name)
            else:
                names.append(name)
    for name in extra:
        _unlink(name)


def unlink_names(names):
    """Remove blocks by name (gifts that no worker will take)."""
    for name in names:
        _unlink(name)


def _take(nbytes):
    """A block for a result: a recycled one of this size when there is one, else a new one."""
    while True:
        with _lock:
            names = _adopted.get(nbytes)
            name = names.pop() if names else None
        if name is None:
            block, mm = _create(nbytes)
            break
        try:
            block, mm = _attach(name, nbytes)
        except RuntimeError:
            continue                         # removed meanwhile: try the next one
        if _in_use(block):                   # this worker still views its previous use
            _unlink(name)
            continue
        block.owned, block.handed = True, False
        break
    block.recyclable = True
    block.keep = mm
    return block, mm


def result_array(dtype, n):
    """A 1-D array of `n` elements in a recyclable block (a result about to be returned)."""
    nbytes = max(int(n) * dtype.itemsize, 1)
    block, mm = _take(nbytes)
    return _use(block, mm)[:n * dtype.itemsize].view(dtype)


def release_owned():
    """Unlink every block this process still owns (process exit)."""
    with _lock:
        blocks = [b for b in _by_name.values() if b.owned and b.linked]
        for b in blocks:
            b.owned = False
        names = [name for v in _adopted.values() for name in v]
        _adopted.clear()
        _idle[:] = []
        _given.clear()
    for b in blocks:
        _unlink(b.name)
    for name in names:
        _unlink(name)
    _flush_tracker()


if _posixshmem is not None:
    import atexit
    atexit.register(release_owned)


# -- finding the block behind an array ---------------------------------------------------------
def block_of(arr):
    """(block, byte offset of arr's first element) when `arr` lives in a block mapped here."""
    base = arr
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    if not isinstance(base, mmap.mmap):
        return None, 0
    block = _by_map.get(id(base))
    if block is None or block.mapref() is not base:
        return None, 0
    return block, arr.__array_interface__['data'][0] - block.address


def _storage_of(x):
    if isinstance(x, Storage):
        return x
    if isinstance(x, TensorBase):
        return x.storage()
    raise TypeError(f"expected a torchlike tensor or storage, got {type(x).__name__}")


def blockName(x):
    """The shared-memory block name behind a tensor or storage, or None if it is not shared."""
    block, _ = block_of(_storage_of(x)._data)
    return block.name if block is not None else None


def isShared(x):
    """True when the tensor's (or storage's) memory lives in a shared-memory block."""
    return blockName(x) is not None


# -- making shared storages and tensors --------------------------------------------------------
def _shared_array(dtype, n):
    nbytes = max(int(n) * dtype.itemsize, 1)      # mmap cannot map 0 bytes
    _, mm = _create(nbytes)
    return np.frombuffer(mm, dtype, count=int(n))


def sharedStorage(storageType, n):
    """A new zero-filled storage of `n` elements in a shared block, e.g.
    `sharedStorage(torch.FloatStorage, 100)` or `sharedStorage('torch.FloatStorage', 100)`."""
    cls = _types.storage_classes[storageType] if isinstance(storageType, str) else storageType
    if not (isinstance(cls, type) and issubclass(cls, Storage) and cls._dtype is not None):
        raise TypeError(f"sharedStorage: expected a storage class such as torch.FloatStorage, "
                        f"got {storageType!r}")
    return cls._wrap(_shared_array(cls._dtype, n))


def _tensor_class(tensorType, what):
    cls = _types.tensor_class(tensorType) if isinstance(tensorType, str) else tensorType
    if not (isinstance(cls, type) and issubclass(cls, TensorBase) and cls._dtype is not None):
        raise TypeError(f"{what}: expected a tensor class such as torch.FloatTensor, "
                        f"got {tensorType!r}")
    return cls


def sharedTensor(tensorType, *sizes):
    """A new zero-filled contiguous tensor in a shared block, e.g.
    `sharedTensor(torch.FloatTensor, 64, 1, 28, 28)` (a type name string works too).
    A process worker that returns it hands the block over without copying a byte."""
    cls = _tensor_class(tensorType, 'sharedTensor')
    size = parse_sizes(sizes)
    if any(s < 0 for s in size):
        raise ValueError(f"sharedTensor: sizes must be non-negative, got {size}")
    n = int(np.prod(size, dtype=np.int64)) if size else 0
    st = _types.storage_class_by_dtype[cls._dtype]._wrap(_shared_array(cls._dtype, n))
    return tensor_on(cls, st, 0, size, None)


def resultTensor(cls, size):
    """An uninitialised contiguous tensor in a recyclable block, for a result a process worker
    is about to return (the DataLoader builds batches in these)."""
    size = tuple(size)
    n = int(np.prod(size, dtype=np.int64)) if size else 0
    st = _types.storage_class_by_dtype[cls._dtype]._wrap(result_array(cls._dtype, n))
    return tensor_on(cls, st, 0, size, None)


def share(x):
    """Move a tensor's (or storage's) memory into a shared block, in place, and return `x`.
    Every tensor viewing that storage sees the shared memory from then on; passing them to
    process workers no longer copies them (Torch7's sharedserialize). Already in a named
    block: nothing moves."""
    st = _storage_of(x)
    data = st._data
    block = block_of(data)[0]
    if block is None or not block.linked:
        new = _shared_array(data.dtype, len(data))
        new[...] = data
        st._data = new       # views re-derive their numpy view from the new buffer lazily
    return x


def tensor_on(cls, st, offset, size, stride):
    t = new_object(cls)
    t._a = view_on(st._data, offset, tuple(size), stride)
    t._st = st
    t._buf = st._data
    return t
