"""IDX files (the MNIST / Fashion-MNIST format): readIDX and writeIDX.

Layout: a 4-byte magic number (two zero bytes, a type code, the number of dimensions), one
big-endian 32-bit size per dimension, then the elements in row-major order, big-endian.
Files may be gzip-compressed; readIDX recognises gzip by its first two bytes, not the name.
"""
import gzip
import os
import struct

import numpy as np

from .. import types as _types
from .._core import wrap

# type code -> (big-endian dtype, tensor type)
IDX_TYPES = {
    0x08: ('>u1', 'torch.ByteTensor'),
    0x09: ('>i1', 'torch.CharTensor'),
    0x0B: ('>i2', 'torch.ShortTensor'),
    0x0C: ('>i4', 'torch.IntTensor'),
    0x0D: ('>f4', 'torch.FloatTensor'),
    0x0E: ('>f8', 'torch.DoubleTensor'),
}
_CODE_FOR_TYPE = {name: code for code, (_, name) in IDX_TYPES.items()}


class IDXError(ValueError):
    """The file is not a well-formed IDX file."""


def _read_bytes(path):
    with open(path, 'rb') as f:
        raw = f.read()
    if raw[:2] == b'\x1f\x8b':
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            raise IDXError(f"readIDX: {path}: corrupt gzip data ({e})") from None
    return raw


def readIDX(path):
    """The tensor stored in the IDX file `path` (gzipped or not). The element type picks the
    tensor type: ubyte -> ByteTensor, byte -> CharTensor, short -> ShortTensor,
    int -> IntTensor, float -> FloatTensor, double -> DoubleTensor."""
    path = os.fspath(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise IDXError(f"readIDX: {path}: {len(raw)} bytes is too short for an IDX header "
                       f"(at least 4 bytes)")
    z0, z1, code, ndim = raw[0], raw[1], raw[2], raw[3]
    if z0 or z1:
        raise IDXError(f"readIDX: {path}: not an IDX file: the magic number "
                       f"0x{raw[:4].hex()} must start with two zero bytes")
    if code not in IDX_TYPES:
        known = ', '.join(f"0x{c:02X}" for c in IDX_TYPES)
        raise IDXError(f"readIDX: {path}: unknown IDX element type code 0x{code:02X} "
                       f"(known: {known})")
    if ndim == 0:
        raise IDXError(f"readIDX: {path}: the header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXError(f"readIDX: {path}: the header declares {ndim} dimensions "
                       f"({header} header bytes) but the file has only {len(raw)} bytes")
    sizes = struct.unpack(f'>{ndim}I', raw[4:header])
    dtype = np.dtype(IDX_TYPES[code][0])
    count = 1
    for s in sizes:
        count *= s
    expected = count * dtype.itemsize
    found = len(raw) - header
    if found != expected:
        shape = 'x'.join(map(str, sizes))
        what = 'truncated' if found < expected else 'has trailing bytes'
        raise IDXError(f"readIDX: {path}: the file is {what}: a {shape} array of "
                       f"{dtype.itemsize}-byte elements needs {expected} data bytes, found "
                       f"{found}")
    arr = np.frombuffer(raw, dtype, count, header).astype(dtype.newbyteorder('='))
    return wrap(_types.tensor_class(IDX_TYPES[code][1]), arr.reshape(sizes))


def writeIDX(path, tensor, compress=None):
    """Write `tensor` as an IDX file (gzip-compressed when `compress` is True, or when it is
    None and the name ends in .gz). Byte, Char, Short, Int, Float and Double tensors only."""
    path = os.fspath(path)
    code = _CODE_FOR_TYPE.get(getattr(tensor, '_typename', None))
    if code is None:
        raise TypeError(f"writeIDX: IDX stores Byte, Char, Short, Int, Float and Double tensors, "
                        f"not {getattr(tensor, '_typename', type(tensor).__name__)}")
    a = tensor._arr()
    if tensor.dim() == 0:
        raise ValueError("writeIDX: cannot write an empty tensor (IDX needs dimensions)")
    if a.ndim > 255:
        raise ValueError("writeIDX: IDX allows at most 255 dimensions")
    head = bytes([0, 0, code, a.ndim]) + struct.pack(f'>{a.ndim}I', *a.shape)
    data = head + np.ascontiguousarray(a, dtype=np.dtype(IDX_TYPES[code][0])).tobytes()
    if compress is None:
        compress = path.endswith('.gz')
    if compress:
        data = gzip.compress(data, compresslevel=6)
    with open(path, 'wb') as f:
        f.write(data)
