"""Torch7 `.t7` serialization: `torch.save`, `torch.load`, `torch.serialize`, `torch.deserialize`.

Files are byte-compatible with Lua Torch7's `torch.save`/`torch.load` (File:writeObject /
readObject): binary mode (little-endian, 8-byte C `long`; 'b32'/'b64' on load choose a 4- or
8-byte long) and ascii mode. See docs/serialization.md for the type mapping and where torchlike
departs from Torch7.

Python -> Lua on save:
  None -> nil;  bool -> boolean;  int/float (and numpy scalars) -> number (a double: ints
  beyond 2**53 that a double cannot hold exactly raise ValueError);  str -> string (UTF-8);
  bytes -> string;  list/tuple -> table with keys 1..n (None elements raise TypeError);
  dict/LuaTable -> table (None values are left out: Lua tables hold no nil);  the 7 tensor and
  storage types -> torch.*Tensor / torch.*Storage, with their own sizes, strides and offset,
  the storage written once however many tensors view it;  TorchObject / LuaFunction / TdsVec /
  TdsHash -> what they were read from;  objects of classes registered with `registerClass`
  -> a Torch object holding a table of their fields. Anything else raises TypeError naming
  its type and its path ("cannot save object of type 'function' at <root>.model.fn") before
  any file is created.

Lua -> Python on load:
  nil -> None;  number -> int when integral (not -0.0), else float;  string -> str when valid
  UTF-8, else bytes;  table -> list (keys exactly 1..n, n >= 1), dict (other string/number
  keys; the empty table too), or LuaTable (a key that is a table or object, or keys like true
  and 1 that collide in Python);  torch.{Byte..Double}{Tensor,Storage} -> torchlike types
  (0-based storage offset; Half -> Float); torch.Cuda{,Long,Byte}{Tensor,Storage} -> the
  torchlike CUDA types when CUDA is available (and load's cpu=False), else the CPU twins
  (Float/Long/Byte); other torch.Cuda* types -> the CPU type;  tds.Vec/tds.Hash ->
  TdsVec (a list) / TdsHash (a dict);  functions -> inert LuaFunction;  registered classes ->
  instances made without calling __init__;  other Torch classes -> TorchObject.
Shared references and cycles come back as shared objects. Loading never runs code.
"""
import mmap
import os

from .lua_types import LuaFunction, LuaTable, TdsHash, TdsVec, TorchObject
from .reader import Reader
from .registry import registerClass, registeredClass, registeredName, unregisterClass
from .streams import AsciiSink, AsciiSource, BinarySink, BinarySource
from .writer import Writer

__all__ = ['save', 'load', 'serialize', 'deserialize', 'serializeToStorage',
           'deserializeFromStorage', 'registerClass', 'unregisterClass', 'registeredClass',
           'registeredName', 'LuaTable', 'TorchObject', 'LuaFunction', 'TdsVec', 'TdsHash']

_SAVE_MODES = ('binary', 'ascii')
_LOAD_MODES = {'binary': (False, 8), 'b64': (False, 8), 'b32': (False, 4), 'ascii': (True, 8)}


def _check_referenced(referenced, fn):
    if not isinstance(referenced, bool):
        raise TypeError(f"{fn}: referenced must be True or False, got {referenced!r}")


def _encode(obj, mode, referenced, fn):
    if mode not in _SAVE_MODES:
        raise ValueError(f"{fn}: mode must be 'binary' or 'ascii', got {mode!r}")
    _check_referenced(referenced, fn)
    sink = AsciiSink() if mode == 'ascii' else BinarySink()
    Writer(sink, referenced).write(obj)
    return sink.parts()


def _decode(data, mode, referenced, fn, cpu=False):
    if mode not in _LOAD_MODES:
        raise ValueError(f"{fn}: mode must be 'binary', 'ascii', 'b32' or 'b64', got {mode!r}")
    _check_referenced(referenced, fn)
    is_ascii, long_size = _LOAD_MODES[mode]
    source = (AsciiSource if is_ascii else BinarySource)(data, long_size)
    if source.end == 0:
        raise EOFError(f"{fn}: no data (empty file)")
    return Reader(source, referenced, cpu).read()


def save(path, obj, mode='binary', referenced=True):
    """Write `obj` to the file `path` (a path, or a binary file object) in Torch7's format.

    `mode` is 'binary' (default) or 'ascii'. With `referenced=True` (default) an object met
    twice is written once and referred to by index, so shared storages, shared tables and
    cycles survive; with False every occurrence is written in full (cycles then raise).
    The whole file is produced in memory first: an object that cannot be saved raises
    before the file is created or touched."""
    parts = _encode(obj, mode, referenced, 'save')
    if hasattr(path, 'write'):
        for p in parts:
            path.write(p)
        return
    with open(os.fspath(path), 'wb') as f:
        for p in parts:
            f.write(p)


def load(path, mode='binary', referenced=True, *, cpu=False):
    """Read one object from the file `path` (a path, or a binary file object) written by
    Torch7's `torch.save` or by `save`. `mode`: 'binary' (default; 8-byte C long), 'b32' /
    'b64' (binary with a 4- / 8-byte long: 'b32' for files from 32-bit systems and Windows),
    or 'ascii'. Truncated or corrupt data raises EOFError / ValueError naming the offset.
    torch.CudaTensor / CudaLongTensor / CudaByteTensor (and their storages) load on the device
    when `torch.cuda.isAvailable()`, else as FloatTensor / LongTensor / ByteTensor; `cpu=True`
    loads them on the host in every case."""
    if hasattr(path, 'read'):
        return _decode(path.read(), mode, referenced, 'load', cpu)
    with open(os.fspath(path), 'rb') as f:
        if mode == 'ascii' or os.fstat(f.fileno()).st_size == 0:
            return _decode(f.read(), mode, referenced, 'load', cpu)
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        return _decode(mm, mode, referenced, 'load', cpu)
    finally:
        try:
            mm.close()
        except BufferError:       # an array still views the map; it closes when freed
            pass


def serialize(obj, mode='binary'):
    """`obj` in Torch7's format, as bytes (Torch7's torch.serialize)."""
    return b''.join(_encode(obj, mode, True, 'serialize'))


def deserialize(data, mode='binary', *, cpu=False):
    """The object held by `data` (bytes-like, from `serialize` or Torch7's torch.serialize);
    `cpu` as in `load`."""
    if isinstance(data, str):
        raise TypeError("deserialize expects bytes (the output of serialize), got str")
    return _decode(data if isinstance(data, bytes) else bytes(data), mode, True, 'deserialize',
                   cpu)


def serializeToStorage(obj, mode='binary'):
    """`serialize(obj, mode)` as a torch.CharStorage (Torch7's serializeToStorage)."""
    import numpy as np
    from ..storage import CharStorage
    return CharStorage._wrap(np.frombuffer(serialize(obj, mode), dtype=np.int8).copy())


def deserializeFromStorage(storage, mode='binary'):
    """The object held by a CharStorage/ByteStorage from `serializeToStorage`."""
    return deserialize(storage._data.tobytes(), mode)
