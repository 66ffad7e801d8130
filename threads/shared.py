"""Shared-memory storages: how tensors travel between the main process and process workers.

A shared storage is an ordinary torchlike Storage (a `torch.FloatStorage`, ...) whose `_data` is
a numpy array over a POSIX shared-memory block (the kind `multiprocessing.shared_memory` makes:
`/dev/shm/<name>` on Linux), mapped with `mmap`. Each process maps the block once; the numpy
array's base chain ends at that mmap, and the mapping disappears when the last array over it
does.

Names and ownership. A block's name lives in /dev/shm until it is unlinked; the memory lives
until the last mapping is gone. Exactly one process owns a name and unlinks it: the creator,
when its last reference to the block dies (or when it exits). A block a worker sends to the
main process is handed over: the main process maps it and unlinks the name at once, so results
never leave files behind, however long the main process keeps them (such a block can no longer
be passed to a worker by name: it then travels by value, or `share()` it again). Blocks the
main process creates keep their name while it references them, so that workers can attach
them; the pool keeps a job's arguments alive until the job is done. Blocks that may live long
are registered with multiprocessing's resource tracker, which removes what a crashed process
left behind; blocks made for a result (a DataLoader batch) are not, to save the tracker's
messages per batch: they are named only between their creation in the worker and their arrival.

What travels how (the process backend's picklers are `JobPickler` and `ResultPickler`). A
tensor always travels as its storage plus (offset, size, stride), as in Torch7's serialization,
so views of one storage arrive as views of one storage; the storage travels:
  main -> worker   by name when it is shared (no copy), else by value in the message (Torch7's
                   default `threads.serialize`). Call `threads.share(t)` first to pass a tensor
                   without a copy (Torch7's `sharedserialize`).
  worker -> main   through shared memory: a storage already in a block goes by name; any other
                   storage of at least INLINE_BYTES is copied once into a fresh block in the
                   worker and that block goes by name. Smaller ones are copied into the message
                   (a block costs a few system calls and at least a page).
"""
import io
import itertools
import mmap
import os
import pickle
import secrets
import threading
import weakref

import numpy as np

from torchlike import types as _types
from torchlike._core import TensorBase, new_object
from torchlike.storage import Storage
from torchlike.tensor import view_on

try:
    import _posixshmem
except ImportError:          # Windows: no POSIX shared memory
    _posixshmem = None

INLINE_BYTES = 4096          # results smaller than this are copied into the message
_MAP_FLAGS = mmap.MAP_SHARED | getattr(mmap, 'MAP_POPULATE', 0)
NAME_PREFIX = 'tl_'          # /dev/shm/tl_<pid>_<n>_<random>

_lock = threading.RLock()
_counter = itertools.count()
_by_name = {}                # name -> _Block mapped in this process
_by_map = {}                 # id(mmap) -> _Block
_storages = weakref.WeakValueDictionary()   # (name, byte offset, length, type) -> Storage


class _Block:
    """This process's record of one mapped block (it does not keep the mapping alive)."""
    __slots__ = ('name', 'nbytes', 'address', 'owned', 'handed', 'linked', 'tracked', 'mapref')

    def __init__(self, name, nbytes, mm, owned, tracked):
        self.name = name
        self.nbytes = nbytes
        self.owned = owned        # this process unlinks the name when the mapping dies
        self.handed = False       # sent to the main process, which owns it now
        self.linked = True        # the name still exists (attachable by other processes)
        self.tracked = tracked    # registered with the resource tracker
        self.mapref = weakref.ref(mm)
        probe = np.frombuffer(mm, np.uint8, count=1)
        self.address = probe.__array_interface__['data'][0]


def _require_posix():
    if _posixshmem is None:
        raise NotImplementedError("shared-memory tensors need POSIX shared memory "
                                  "(Linux or macOS); use the thread backend on this platform")


def _tracker(action, name):
    from multiprocessing import resource_tracker
    try:
        getattr(resource_tracker, action)(name, 'shared_memory')
    except Exception:      # the tracker is a safety net; never fail an operation for it
        pass


_unregister_later = []      # names unlinked by finalizers, for the tracker (see _unlink)


def _flush_tracker():
    while _unregister_later:
        _tracker('unregister', _unregister_later.pop())


def _unlink(name, tracked=True, from_finalizer=False):
    try:
        _posixshmem.shm_unlink(name)
    except FileNotFoundError:
        return                   # someone else removed it (and told the tracker)
    if not tracked:
        return
    if from_finalizer:
        # a finalizer may run inside the resource tracker's own (non-reentrant) lock when the
        # garbage collector fires there: tell the tracker later, from a safe place
        _unregister_later.append(name)
    else:
        _flush_tracker()
        _tracker('unregister', name)


def _on_unmap(block, key):
    """The mapping is gone (its last array died): forget it, and remove the name if ours."""
    with _lock:
        if _by_name.get(block.name) is block:
            del _by_name[block.name]
        if _by_map.get(key) is block:
            del _by_map[key]
        owned, block.owned = block.owned and block.linked, False
    if owned:
        _unlink(block.name, block.tracked, from_finalizer=True)


def _register(name, nbytes, mm, owned, tracked):
    block = _Block(name, nbytes, mm, owned, tracked)
    key = id(mm)
    with _lock:
        _by_name[name] = block
        _by_map[key] = block
    # atexit=False: the owner's exit is handled by release_owned() (process workers leave
    # through os._exit, which skips atexit) and by the atexit hook registered below
    weakref.finalize(mm, _on_unmap, block, key).atexit = False
    return block


def _create(nbytes, owned=True, track=True):
    """A new block of `nbytes` bytes: (block, mmap). `track`: register it with the resource
    tracker (not for blocks made to be returned at once)."""
    _require_posix()
    name = f"/{NAME_PREFIX}{os.getpid()}_{next(_counter)}_{secrets.token_hex(4)}"
    fd = _posixshmem.shm_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, mode=0o600)
    try:
        os.ftruncate(fd, nbytes)
        # the creator writes the whole block: fault its pages in with one call
        mm = mmap.mmap(fd, nbytes, flags=_MAP_FLAGS)
    except BaseException:
        _posixshmem.shm_unlink(name)
        raise
    finally:
        os.close(fd)
    if track:
        _flush_tracker()
        _tracker('register', name)
    return _register(name, nbytes, mm, owned, track), mm


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
            # the pages exist already: map them all at once rather than fault them in one by
            # one on first touch (a fault costs microseconds in a VM)
            mm = mmap.mmap(fd, nbytes, flags=_MAP_FLAGS)
        finally:
            os.close(fd)
        return _register(name, nbytes, mm, owned=False, tracked=False), mm


def release_owned():
    """Unlink every block this process still owns (process exit)."""
    with _lock:
        blocks = [b for b in _by_name.values() if b.owned and b.linked]
        for b in blocks:
            b.owned = False
    for b in blocks:
        _unlink(b.name, b.tracked)
    _flush_tracker()


if _posixshmem is not None:
    import atexit
    atexit.register(release_owned)


# -- finding the block behind an array --------------------------------------------------------
def _block_of(arr):
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


def blockName(x):
    """The shared-memory block name behind a tensor or storage, or None if it is not shared."""
    st = _storage_of(x)
    block, _ = _block_of(st._data) if st is not None else (None, 0)
    return block.name if block is not None else None


def isShared(x):
    """True when the tensor's (or storage's) memory lives in a shared-memory block."""
    return blockName(x) is not None


def _storage_of(x):
    if isinstance(x, Storage):
        return x
    if isinstance(x, TensorBase):
        return x.storage()
    raise TypeError(f"expected a torchlike tensor or storage, got {type(x).__name__}")


# -- making shared storages and tensors -------------------------------------------------------
def _shared_array(dtype, n, track=True):
    nbytes = max(int(n) * dtype.itemsize, 1)      # mmap cannot map 0 bytes
    _, mm = _create(nbytes, owned=True, track=track)
    return np.frombuffer(mm, dtype, count=int(n))


def sharedStorage(storageType, n):
    """A new zero-filled storage of `n` elements in a shared block, e.g.
    `sharedStorage(torch.FloatStorage, 100)` or `sharedStorage('torch.FloatStorage', 100)`."""
    cls = _types.storage_classes[storageType] if isinstance(storageType, str) else storageType
    if not (isinstance(cls, type) and issubclass(cls, Storage) and cls._dtype is not None):
        raise TypeError(f"sharedStorage: expected a storage class such as torch.FloatStorage, "
                        f"got {storageType!r}")
    return cls._wrap(_shared_array(cls._dtype, n))


def sharedTensor(tensorType, *sizes):
    """A new zero-filled contiguous tensor in a shared block, e.g.
    `sharedTensor(torch.FloatTensor, 64, 1, 28, 28)` (a type name string works too).
    A process worker that returns it hands the block over without copying a byte."""
    from torchlike._core import parse_sizes
    cls = _types.tensor_class(tensorType) if isinstance(tensorType, str) else tensorType
    if not (isinstance(cls, type) and issubclass(cls, TensorBase) and cls._dtype is not None):
        raise TypeError(f"sharedTensor: expected a tensor class such as torch.FloatTensor, "
                        f"got {tensorType!r}")
    size = parse_sizes(sizes)
    for s in size:
        if s < 0:
            raise ValueError(f"sharedTensor: sizes must be non-negative, got {size}")
    return _new_tensor(cls, size, track=True)


def resultTensor(cls, size):
    """A tensor a process worker is about to return (a batch): in a block that is not
    registered with the resource tracker (see the module docstring). Internal helper."""
    return _new_tensor(cls, tuple(size), track=False)


def _new_tensor(cls, size, track):
    n = 1
    for s in size:
        n *= s
    data = _shared_array(cls._dtype, n, track)
    st = _types.storage_class_by_dtype[cls._dtype]._wrap(data)
    return _tensor_on(cls, st, 0, size, None)


def share(x):
    """Move a tensor's (or storage's) memory into a shared block, in place, and return `x`.
    Every tensor viewing that storage sees the shared memory from then on; passing them to
    process workers no longer copies them (Torch7's sharedserialize). Already in a named
    block: nothing moves."""
    st = _storage_of(x)
    data = st._data
    block = _block_of(data)[0]
    if block is None or not block.linked:
        new = _shared_array(data.dtype, len(data))
        new[...] = data
        st._data = new       # views re-derive their numpy view from the new buffer lazily
    return x


def _tensor_on(cls, st, offset, size, stride):
    t = new_object(cls)
    t._a = view_on(st._data, offset, tuple(size), stride)
    t._st = st
    t._buf = st._data
    return t


# -- pickling ---------------------------------------------------------------------------------
def _rebuild_storage(name, nbytes, byte_offset, length, typename, handed, tracked):
    block, mm = _attach(name, nbytes)
    if handed and block.linked:
        # the sender gave the block to this process, which keeps the mapping only: removing
        # the name now means no file outlives the result, whatever happens to this process
        block.linked = False
        block.owned = False
        _unlink(name, tracked)
    key = (name, byte_offset, length, typename)
    with _lock:
        st = _storages.get(key)
    if st is not None and _block_of(st._data)[0] is block:
        return st                # one Storage object per region, as in the sending process
    cls = _types.storage_classes[typename]
    st = cls._wrap(np.frombuffer(mm, cls._dtype, count=length, offset=byte_offset))
    with _lock:
        _storages[key] = st
    return st


def _remember(st, name, byte_offset):
    """A storage sent by name: when the name comes back, it is this same Storage object."""
    with _lock:
        _storages[(name, byte_offset, len(st._data), st._typename)] = st


def _rebuild_tensor(typename, st, offset, size, stride):
    return _tensor_on(_types.tensor_class(typename), st, offset, size, stride)


def _geometry(t):
    """(storage, offset, size, stride) of a tensor, materialising a fresh result's storage."""
    st = t.storage()
    a = t._arr()
    isz = a.itemsize
    if a.size == 0:
        return st, 0, a.shape, None
    offset = (a.__array_interface__['data'][0] - st._data.__array_interface__['data'][0]) // isz
    return st, offset, a.shape, tuple(s // isz for s in a.strides)


def _reduce_tensor(t):
    """A tensor travels as its storage plus its geometry (as in Torch7's serialization), so
    views of one storage arrive as views of one storage."""
    st, offset, size, stride = _geometry(t)
    return _rebuild_tensor, (t._typename, st, offset, size, stride)


class JobPickler(pickle.Pickler):
    """Main -> worker: shared storages by name, other storages by value."""

    def reducer_override(self, obj):
        if isinstance(obj, TensorBase):
            return _reduce_tensor(obj)
        if isinstance(obj, Storage):
            block, off = _block_of(obj._data)
            if block is None or not block.linked:
                return NotImplemented
            _remember(obj, block.name, off)
            return _rebuild_storage, (block.name, block.nbytes, off, len(obj._data),
                                      obj._typename, False, False)
        return NotImplemented


class ResultPickler(pickle.Pickler):
    """Worker -> main: storages through shared memory (see the module docstring). Blocks
    this worker created are handed to the main process; `created` lists the blocks made for
    this message, so that a failed pickling can remove them."""

    def __init__(self, file):
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self.handing = {}       # name -> block handed over in this message
        self.created = []

    def _send_block(self, block):
        """Whether the block's ownership travels with its name."""
        if block.name in self.handing:
            return True
        if block.owned:
            block.owned = False
            block.handed = True
            self.handing[block.name] = block
            return True
        return False             # the main process's block (or a block attached from it)

    def reducer_override(self, obj):
        if isinstance(obj, TensorBase):
            return _reduce_tensor(obj)
        if not isinstance(obj, Storage):
            return NotImplemented
        data = obj._data
        block, off = _block_of(data)
        if block is not None and block.handed and block.name not in self.handing:
            block = None         # given away in an earlier message: copy into a new block
        if block is None:
            if data.nbytes < INLINE_BYTES:
                return NotImplemented
            fresh, mm = _create(data.nbytes, owned=True, track=False)
            self.created.append(fresh)
            np.frombuffer(mm, data.dtype, count=len(data))[...] = data
            block, off = fresh, 0
        else:
            _remember(obj, block.name, off)
        handed = self._send_block(block)
        return _rebuild_storage, (block.name, block.nbytes, off, len(data), obj._typename,
                                  handed, block.tracked)

    def discard(self):
        """Pickling failed: give back the blocks made or handed for this message."""
        for block in self.handing.values():
            if block not in self.created:
                block.owned, block.handed = True, False
        for block in self.created:
            block.owned = False
            _unlink(block.name, block.tracked)


def dumps_job(obj):
    buf = io.BytesIO()
    JobPickler(buf, pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getbuffer()


def dumps_result(obj, header=b''):
    """`header` followed by the pickled `obj` (one buffer, no extra copy of the payload)."""
    buf = io.BytesIO()
    buf.write(header)
    p = ResultPickler(buf)
    try:
        p.dump(obj)
    except BaseException:
        p.discard()
        raise
    return buf.getbuffer()


def loads(data):
    return pickle.loads(data)
