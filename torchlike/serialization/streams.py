"""The primitive layer of the .t7 format: ints, longs, doubles, raw bytes and element arrays,
in binary (Torch7's DiskFile:binary(), little-endian) or ascii (DiskFile:ascii()) encoding.

Binary: int = int32, long = int64 (int32 for 'b32' files), double = float64, element arrays
raw. Ascii: every write call is one line: ints/longs '%d', doubles '%.17g', floats '%.9g',
several elements separated by one space; Byte/Char data (strings, class names, Byte and Char
storages) raw, followed by a newline only when not empty.
"""
import re
import struct

import numpy as np

_INT = struct.Struct('<i')
_LONG8 = struct.Struct('<q')
_LONG4 = struct.Struct('<i')
_DOUBLE = struct.Struct('<d')
_BIG_CHUNK = 1 << 16    # arrays at least this large are kept as their own chunk (no copy)
_RAW_KINDS = ('u', 'i')  # 1-byte integer storages are written raw in ascii mode too


def _le(dtype):
    return np.dtype(dtype).newbyteorder('<')


# -- writing -------------------------------------------------------------------------------
class BinarySink:
    """Collects the bytes of a binary file: small writes in a bytearray, big element arrays
    as their own chunks (written to the file without an intermediate copy)."""
    ascii = False

    def __init__(self, long_size=8):
        self.chunks = []
        self.buf = bytearray()
        self._long = _LONG8 if long_size == 8 else _LONG4

    def write_int(self, v):
        self.buf += _INT.pack(v)

    def write_long(self, v):
        self.buf += self._long.pack(v)

    def write_longs(self, values):
        if values:
            self.buf += struct.pack(f'<{len(values)}{self._long.format[-1]}', *values)

    def write_double(self, v):
        self.buf += _DOUBLE.pack(v)

    def write_chars(self, b):
        """A Lua string's bytes (after its length)."""
        self.buf += b

    def write_array(self, arr):
        """The elements of a storage, in one buffer write."""
        arr = np.ascontiguousarray(arr, dtype=_le(arr.dtype))
        if arr.nbytes >= _BIG_CHUNK:
            if self.buf:
                self.chunks.append(bytes(self.buf))
                self.buf = bytearray()
            self.chunks.append(memoryview(arr).cast('B'))
        else:
            self.buf += memoryview(arr).cast('B')

    def parts(self):
        """The output as a list of bytes-like chunks."""
        if self.buf:
            self.chunks.append(bytes(self.buf))
            self.buf = bytearray()
        return self.chunks


class AsciiSink(BinarySink):
    """The same calls, written as Torch7's ascii mode writes them."""
    ascii = True

    def __init__(self, long_size=8):
        super().__init__(long_size)

    def write_int(self, v):
        self.buf += b'%d\n' % v

    write_long = write_int

    def write_longs(self, values):
        if values:
            self.buf += ' '.join(str(int(v)) for v in values).encode() + b'\n'

    def write_double(self, v):
        self.buf += ('%.17g\n' % v).encode()

    def write_chars(self, b):
        if b:
            self.buf += b
            self.buf += b'\n'

    def write_array(self, arr):
        if not len(arr):
            return
        dt = arr.dtype
        if dt.itemsize == 1 and dt.kind in _RAW_KINDS:
            self.buf += np.ascontiguousarray(arr).tobytes()
        elif dt.kind == 'f':
            fmt = '%.9g' if dt.itemsize == 4 else '%.17g'
            self.buf += ' '.join([fmt % v for v in arr.tolist()]).encode()
        else:
            self.buf += ' '.join(map(str, arr.tolist())).encode()
        self.buf += b'\n'


# -- reading -------------------------------------------------------------------------------
class BinarySource:
    """Reads primitives from a bytes-like object (bytes, mmap) and tracks the offset, so that
    every error names where in the data it happened."""
    ascii = False

    def __init__(self, data, long_size=8):
        self.data = data
        self.pos = 0
        self.end = len(data)
        self._long = _LONG8 if long_size == 8 else _LONG4

    def _need(self, n, what):
        if self.pos + n > self.end:
            raise EOFError(f"unexpected end of data at offset {self.pos} while reading {what}: "
                           f"{n} bytes needed, {self.end - self.pos} left (truncated file?)")

    def read_int(self, what='an int'):
        p = self.pos
        if p + 4 > self.end:
            self._need(4, what)
        self.pos = p + 4
        return _INT.unpack_from(self.data, p)[0]

    def read_long(self, what='a long'):
        s = self._long
        p = self.pos
        if p + s.size > self.end:
            self._need(s.size, what)
        self.pos = p + s.size
        return s.unpack_from(self.data, p)[0]

    def read_longs(self, n, what='longs'):
        size = self._long.size * n
        self._need(size, what)
        vals = struct.unpack_from(f'<{n}{self._long.format[-1]}', self.data, self.pos)
        self.pos += size
        return vals

    def read_double(self, what='a number'):
        p = self.pos
        if p + 8 > self.end:
            self._need(8, what)
        self.pos = p + 8
        return _DOUBLE.unpack_from(self.data, p)[0]

    def read_chars(self, n, what='a string'):
        self._need(n, what)
        p = self.pos
        self.pos = p + n
        return bytes(self.data[p:p + n])

    def read_array(self, n, dtype, what='storage data'):
        dtype = np.dtype(dtype)
        self._need(n * dtype.itemsize, what)
        arr = np.frombuffer(self.data, _le(dtype), n, self.pos).astype(dtype)
        self.pos += n * dtype.itemsize
        return arr


_TOKEN = re.compile(rb'[ \t\r\n\f\v]*([^ \t\r\n\f\v]+)')


class AsciiSource(BinarySource):
    """Reads Torch7's ascii encoding: whitespace-separated numbers, raw Byte/Char data."""
    ascii = True

    def _eat_newline(self):
        # DiskFile's autoSpacing: after a read call, one '\n' is consumed if it is there
        if self.pos < self.end and self.data[self.pos:self.pos + 1] == b'\n':
            self.pos += 1

    def _token(self, what):
        m = _TOKEN.match(self.data, self.pos)
        if m is None:
            raise EOFError(f"unexpected end of data at offset {self.pos} while reading {what} "
                           f"(truncated file?)")
        self.pos = m.end()
        return m.group(1), m.start(1)

    def _number(self, what, conv):
        tok, at = self._token(what)
        try:
            return conv(tok)
        except ValueError:
            raise ValueError(f"expected {what} at offset {at} of the ascii data, found "
                             f"{tok[:24]!r} (is this a binary file? try mode='binary')") from None

    def read_int(self, what='an int'):
        v = self._number(what, int)
        self._eat_newline()
        return v

    read_long = read_int

    def read_longs(self, n, what='longs'):
        vals = tuple(self._number(what, int) for _ in range(n))
        if n:
            self._eat_newline()
        return vals

    def read_double(self, what='a number'):
        v = self._number(what, float)
        self._eat_newline()
        return v

    def read_chars(self, n, what='a string'):
        b = super().read_chars(n, what)
        if n:
            self._eat_newline()
        return b

    def read_array(self, n, dtype, what='storage data'):
        dtype = np.dtype(dtype)
        if dtype.itemsize == 1 and dtype.kind in _RAW_KINDS:
            self._need(n, what)
            arr = np.frombuffer(self.data, dtype, n, self.pos).copy()
            self.pos += n
        else:
            conv = float if dtype.kind == 'f' else int
            vals = [self._number(what, conv) for _ in range(n)]
            try:
                arr = np.array(vals, dtype=dtype)
            except OverflowError:
                raise ValueError(f"{what}: a value does not fit in {dtype} "
                                 f"(before offset {self.pos})") from None
        if n:
            self._eat_newline()
        return arr
