"""How jobs and results travel between the main process and process workers.

A tensor always travels as its storage plus (offset, size, stride), as in Torch7's
serialization, so views of one storage arrive as views of one storage. The storage travels:
  main -> worker   by name when it lives in a named shared block (no copy), else by value in
                   the message (Torch7's default `threads.serialize`). `threads.share(t)` first
                   passes a tensor without a copy (Torch7's `sharedserialize`).
  worker -> main   through shared memory: a storage already in a block goes by name; any other
                   storage of at least shared.INLINE_BYTES is copied once, in the worker, into a
                   (recycled) block that goes by name. Smaller ones are copied into the message
                   (a block costs a few system calls and at least a page).
Ownership rules are in shared.py.
"""
import io
import pickle
import threading
import weakref

import numpy as np

from torchlike import types as _types
from torchlike._core import TensorBase
from torchlike.storage import Storage

from . import shared

_lock = threading.Lock()
_storages = weakref.WeakValueDictionary()   # (name, byte offset, length, type) -> Storage


def _remember(st, name, byte_offset):
    """A storage sent by name: when the name comes back, it is this same Storage object."""
    with _lock:
        _storages[(name, byte_offset, len(st._data), st._typename)] = st


def _rebuild_storage(name, nbytes, byte_offset, length, typename, handed, recyclable):
    block, mm = shared._attach(name, nbytes)
    if handed:
        block.owned, block.handed = True, False      # the sender gave it to this process
        if recyclable:
            block.recyclable, block.keep = True, mm
        elif block.linked:
            # kept mapped, no name: no file outlives the result, whatever happens here
            block.linked = False
            block.owned = False
            shared._unlink(name)
    key = (name, byte_offset, length, typename)
    with _lock:
        st = _storages.get(key)
    if st is not None and shared.block_of(st._data)[0] is block:
        return st                # one Storage object per region, as in the sending process
    cls = _types.storage_classes[typename]
    if block.recyclable:
        root = shared._use(block, mm)
        data = root[byte_offset:byte_offset + length * cls._dtype.itemsize].view(cls._dtype)
    else:
        data = np.frombuffer(mm, cls._dtype, count=length, offset=byte_offset)
    st = cls._wrap(data)
    with _lock:
        _storages[key] = st
    return st


def _rebuild_tensor(typename, st, offset, size, stride):
    return shared.tensor_on(_types.tensor_class(typename), st, offset, size, stride)


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
    st, offset, size, stride = _geometry(t)
    return _rebuild_tensor, (t._typename, st, offset, size, stride)


class JobPickler(pickle.Pickler):
    """Main -> worker: storages in named blocks by name, other storages by value."""

    def reducer_override(self, obj):
        if getattr(type(obj), '_is_cuda', False):
            return NotImplemented      # device data travels as a host copy (its __reduce_ex__)
        if isinstance(obj, TensorBase):
            return _reduce_tensor(obj)
        if isinstance(obj, Storage):
            block, off = shared.block_of(obj._data)
            if block is None or not block.linked:
                return NotImplemented
            _remember(obj, block.name, off)
            return _rebuild_storage, (block.name, block.nbytes, off, len(obj._data),
                                      obj._typename, False, False)
        return NotImplemented


class ResultPickler(pickle.Pickler):
    """Worker -> main: storages through shared memory. Blocks this worker owns are handed to
    the main process; `made` lists the blocks taken for this message, so that a failed
    pickling can give them back."""

    def __init__(self, file):
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self.handing = {}       # name -> block handed over in this message
        self.made = []

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
        if getattr(type(obj), '_is_cuda', False):
            return NotImplemented      # device data travels as a host copy (its __reduce_ex__)
        if isinstance(obj, TensorBase):
            return _reduce_tensor(obj)
        if not isinstance(obj, Storage):
            return NotImplemented
        data = obj._data
        block, off = shared.block_of(data)
        if block is not None and block.handed and block.name not in self.handing:
            block = None         # given away in an earlier message: copy into a new block
        if block is None:
            if data.nbytes < shared.INLINE_BYTES:
                return NotImplemented
            copy = shared.result_array(data.dtype, len(data))
            copy[...] = data
            block, off = shared.block_of(copy)
            self.made.append(copy)
        else:
            _remember(obj, block.name, off)
        handed = self._send_block(block)
        return _rebuild_storage, (block.name, block.nbytes, off, len(data), obj._typename,
                                  handed, block.recyclable)

    def discard(self):
        """Pickling failed: take back what this message was handing over."""
        for block in self.handing.values():
            block.owned, block.handed = True, False
        self.made = []


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
