"""Writing Python objects in Torch7's object grammar (File:writeObject).

The walk is iterative (an explicit stack of generators, one per open table or object), so
deeply nested data -- long nngraph chains, linked lists -- cannot hit Python's recursion
limit. Each payload generator writes its own primitives and yields `(child, path_suffix)` for
every nested object; the driver writes the child (pushing a new generator when the child is a
container) and resumes the parent. The suffixes give error messages their object path:
"cannot save object of type 'function' at <root>.model.fn".
"""
import math

import numpy as np

from .. import types as _types
from .._core import TensorBase
from ..storage import Storage
from . import registry
from .lua_types import LuaFunction, LuaTable, TdsHash, TdsVec, TorchObject

T_NIL, T_NUMBER, T_STRING, T_TABLE, T_TORCH, T_BOOLEAN = 0, 1, 2, 3, 4, 5
T_LEGACY_FUNCTION = 6
_EXACT_INT_LIMIT = 1 << 53
_INLINE = frozenset((str, float, int, bool, bytes))   # written without a trip through the driver


class SaveError(Exception):
    """Raised inside the walk; the driver re-raises it as `kind` with the object's path."""

    def __init__(self, kind, msg, hint='', suffix=''):
        super().__init__(msg)
        self.kind, self.msg, self.hint, self.suffix = kind, msg, hint, suffix


def format_version(v):
    """The text after 'V ' for version `v`, as Lua's tostring prints a number."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v) if isinstance(v, int) else '%.14g' % v


class Writer:
    def __init__(self, sink, referenced=True):
        self.sink = sink
        self.referenced = referenced
        self.count = 0            # Torch7's nWriteObject: one per table/object/function
        self.memo = {}            # id(obj) -> (reference index, tag)
        self.keep = []            # memoised objects stay alive, so their ids stay unique
        self.open = set()         # ids being written (cycle check when referenced=False)

    # -- driver ------------------------------------------------------------------------------
    def write(self, root):
        stack, suffixes = [], []
        try:
            gen = self._begin(root)
            if gen is not None:
                stack.append(gen)
                suffixes.append('')
            while stack:
                try:
                    child, suffix = next(stack[-1])
                except StopIteration:
                    stack.pop()
                    suffixes.pop()
                    continue
                suffixes.append(suffix)
                gen = self._begin(child)
                if gen is None:
                    suffixes.pop()
                else:
                    stack.append(gen)
        except SaveError as e:
            for g in stack:
                g.close()
            raise e.kind(f"{e.msg} at <root>{''.join(suffixes)}{e.suffix}{e.hint}") from None

    # -- one object ----------------------------------------------------------------------------
    def _begin(self, obj):
        """Write `obj` when it is a scalar or a reference and return None; otherwise write
        its tag and index and return the generator that writes its payload."""
        s = self.sink
        t = type(obj)
        if t is str:
            return self._string(_encode_utf8(obj))
        if t is float:
            s.write_int(T_NUMBER)
            s.write_double(obj)
            return None
        if t is int:
            s.write_int(T_NUMBER)
            s.write_double(_exact_double(obj))
            return None
        if obj is None:
            s.write_int(T_NIL)
            return None
        if t is bool or t is np.bool_:
            s.write_int(T_BOOLEAN)
            s.write_int(1 if obj else 0)
            return None
        if isinstance(obj, (bytes, bytearray)):
            return self._string(bytes(obj))
        if isinstance(obj, (int, np.integer)):
            s.write_int(T_NUMBER)
            s.write_double(_exact_double(int(obj)))
            return None
        if isinstance(obj, (float, np.floating)):
            s.write_int(T_NUMBER)
            s.write_double(float(obj))
            return None
        if isinstance(obj, str):
            return self._string(_encode_utf8(str(obj)))
        if isinstance(obj, tuple):
            # immutable, so sharing is not observable: not memoised (() is a singleton,
            # and every empty tuple would otherwise load as one shared table)
            self._new_index(T_TABLE)
            return self._list_payload(obj)

        if self.referenced:
            seen = self.memo.get(id(obj))
            if seen is not None:
                s.write_int(seen[1])
                s.write_int(seen[0])
                return None
        tag, payload = self._kind(obj, t)
        if tag == T_LEGACY_FUNCTION:          # no reference index (Torch7 never writes it)
            s.write_int(tag)
            return payload(obj)
        idx = self._new_index(tag)
        if self.referenced:
            self.memo[id(obj)] = (idx, tag)
            self.keep.append(obj)
            return payload(obj)
        if id(obj) in self.open:
            raise SaveError(ValueError, "cannot save a cyclic structure with referenced=False: "
                            "this object contains itself")
        return self._tracking(payload(obj), id(obj))

    def _kind(self, obj, t):
        """(tag, payload generator function) for a container or object."""
        if t is dict or t is LuaTable:
            return T_TABLE, self._dict_payload
        if isinstance(obj, TensorBase):
            return T_TORCH, self._tensor_payload
        if isinstance(obj, Storage):
            return T_TORCH, self._storage_payload
        if t is TdsVec:
            return T_TORCH, self._tds_vec_payload
        if t is TdsHash:
            return T_TORCH, self._tds_hash_payload
        if t is TorchObject:
            return T_TORCH, self._torch_object_payload
        if t is LuaFunction:
            return obj.tag, self._function_payload
        entry = registry.registeredName(t)
        if entry is not None:
            return T_TORCH, self._registered_payload
        if isinstance(obj, list):
            return T_TABLE, self._list_payload
        if isinstance(obj, dict):
            return T_TABLE, self._dict_payload
        raise _unwritable(obj, t)

    def _new_index(self, tag):
        self.sink.write_int(tag)
        self.count += 1
        self.sink.write_int(self.count)
        return self.count

    def _string(self, b):
        s = self.sink
        s.write_int(T_STRING)
        s.write_int(len(b))
        s.write_chars(b)
        return None

    def _inline(self, v, suffix):
        """Write scalar `v` directly from a payload generator (faster than yielding it)."""
        try:
            self._begin(v)
        except SaveError as e:
            e.suffix = suffix + e.suffix
            raise

    def _tracking(self, payload, oid):
        self.open.add(oid)
        try:
            yield from payload
        finally:
            self.open.discard(oid)

    def _header(self, name, version):
        s = self.sink
        v = b'V ' + format_version(version).encode()
        s.write_int(len(v))
        s.write_chars(v)
        n = name.encode('utf-8')
        s.write_int(len(n))
        s.write_chars(n)

    # -- payloads ------------------------------------------------------------------------------
    def _list_payload(self, seq):
        s = self.sink
        items = list(seq)
        s.write_int(len(items))
        for i, v in enumerate(items):
            if v is None:
                raise SaveError(TypeError, "cannot save None", suffix=f'[{i}]',
                                hint=": a Lua table cannot hold nil, so the list would come "
                                     "back shorter or as a dict")
            s.write_int(T_NUMBER)
            s.write_double(i + 1.0)
            if type(v) in _INLINE:
                self._inline(v, f'[{i}]')
            else:
                yield v, f'[{i}]'

    def _pairs(self, mapping):
        items = [(k, v) for k, v in mapping.items() if v is not None]  # nil values do not exist
        for k, _ in items:
            _check_key(k)
        return items

    def _dict_payload(self, d):
        items = self._pairs(d)
        self.sink.write_int(len(items))
        for k, v in items:
            if type(k) is str:
                self._string(_encode_utf8(k))
            else:
                yield k, f'[key {_short_repr(k)}]'
            if type(v) in _INLINE:
                self._inline(v, _key_suffix(k))
            else:
                yield v, _key_suffix(k)

    def _tensor_payload(self, t):
        s = self.sink
        self._header(t._typename, 1)
        if t._is_cuda:
            yield from self._cuda_tensor_payload(t)
            return
        a = t._arr()
        if a.size == 0:
            # as Torch7 writes an empty tensor: no dimensions, offset 1, no storage
            s.write_int(0)
            s.write_long(1)
            s.write_int(T_NIL)
            return
        if a.ndim == 0:
            a = a.reshape(1)
        isz = a.itemsize
        representable = all(x >= 0 and x % isz == 0 for x in a.strides)
        if representable:
            st = t.storage()
            data = st._data
            offset, rem = divmod(a.__array_interface__['data'][0]
                                 - data.__array_interface__['data'][0], isz)
            strides = [x // isz for x in a.strides]
            representable = rem == 0 and offset >= 0 and \
                offset + 1 + sum((n - 1) * x for n, x in zip(a.shape, strides)) <= len(data)
        if not representable:
            # a layout Torch7 cannot describe (negative strides, reachable only through raw
            # numpy views): write the values on a storage of their own
            a = np.ascontiguousarray(a)
            st = _types.storage_class_by_dtype[a.dtype]._wrap(a.reshape(-1))
            offset, strides = 0, [x // isz for x in a.strides]
        s.write_int(a.ndim)
        s.write_longs(a.shape)
        s.write_longs(strides)
        s.write_long(offset + 1)                       # 1-based in the file
        yield st, '.storage()'

    def _cuda_tensor_payload(self, t):
        """A CUDA tensor: its own geometry (the metadata lives in Python), then its storage,
        whose data the storage payload copies to the host."""
        s = self.sink
        size = t.size()
        if not size:
            s.write_int(0)
            s.write_long(1)
            s.write_int(T_NIL)
            return
        s.write_int(len(size))
        s.write_longs(size)
        s.write_longs(t.stride())
        s.write_long(t.storageOffset() + 1)            # 1-based in the file
        yield t.storage(), '.storage()'

    def _storage_payload(self, st):
        self._header(st._typename, 1)
        data = st._host() if getattr(st, '_is_cuda', False) else st._data
        if not isinstance(data, np.ndarray):
            raise SaveError(TypeError, f"cannot save a {st._typename} whose data is not in "
                            f"host memory", hint="; copy it to the CPU first")
        self.sink.write_long(len(data))
        self.sink.write_array(data)
        return
        yield  # (a generator with no children)

    def _torch_object_payload(self, obj):
        self._header(obj._typename, obj._version)
        yield obj._fields, ''

    def _registered_payload(self, obj):
        name, version = registry.registeredName(type(obj))
        self._header(name, version)
        getter = getattr(obj, '_torchFields', None)
        if getter is not None:
            fields = getter()
            if not isinstance(fields, (dict, LuaTable)):
                raise SaveError(TypeError, f"{type(obj).__name__}._torchFields() must return a "
                                f"dict, got {type(fields).__name__}")
        else:
            try:
                fields = dict(vars(obj))
            except TypeError:
                raise SaveError(TypeError, f"cannot save object of type "
                                f"{type(obj).__name__!r}", hint=": it has no __dict__; give "
                                "its class a _torchFields() method") from None
        yield fields, ''

    def _tds_vec_payload(self, vec):
        self._header('tds.Vec', 0)
        items = list(vec)
        self.sink.write_long(len(items))
        for i, v in enumerate(items):
            yield v, f'[{i}]'

    def _tds_hash_payload(self, h):
        self._header('tds.Hash', 0)
        items = self._pairs(h)
        self.sink.write_long(len(items))
        for k, v in items:
            yield k, f'[key {_short_repr(k)}]'
            yield v, _key_suffix(k)

    def _function_payload(self, f):
        s = self.sink
        s.write_int(len(f.bytecode))
        s.write_chars(f.bytecode)
        yield f.upvalues, '<upvalues>'


# -- helpers ---------------------------------------------------------------------------------
def _key_suffix(k):
    if isinstance(k, str) and k.isidentifier():
        return '.' + k
    return f'[{_short_repr(k)}]'


def _short_repr(k):
    r = repr(k) if isinstance(k, (str, bytes, int, float)) else f'<{type(k).__name__}>'
    return r if len(r) <= 40 else r[:37] + '...'


def _unwritable(obj, t):
    base = registry.registeredBase(t)
    if base is not None:
        return SaveError(TypeError, f"cannot save object of type {t.__name__!r}",
                         hint=f": its class is not registered for serialization (its base "
                              f"{base.__name__} is, as {registry.registeredName(base)[0]!r}); "
                              f"call registerClass('<TorchName>', {t.__name__})")
    hint = ''
    if isinstance(obj, np.ndarray):
        hint = ' (convert numpy arrays with torch.fromNumpy(a) first)'
    elif isinstance(obj, (set, frozenset)):
        hint = ' (use a dict {key: True}, the Lua idiom for a set)'
    elif hasattr(obj, '__dict__') and not callable(obj) and not isinstance(obj, type):
        hint = ' (register its class with registerClass(name, cls) to save it)'
    return SaveError(TypeError, f"cannot save object of type {t.__name__!r}", hint=hint)


def _check_key(k):
    if k is None:
        raise SaveError(TypeError, "cannot save a table key that is None",
                        hint=" (Lua tables cannot have nil keys)")
    if isinstance(k, float) and math.isnan(k):
        raise SaveError(ValueError, "cannot save a table key that is NaN",
                        hint=" (Lua tables cannot have NaN keys)")


def _exact_double(i):
    """`i` as a double, refusing ints that a double cannot hold exactly (Lua numbers are
    doubles: 2**53 + 1 would silently become 2**53)."""
    if -_EXACT_INT_LIMIT <= i <= _EXACT_INT_LIMIT:
        return float(i)
    try:
        d = float(i)
    except OverflowError:
        d = None
    if d is None or int(d) != i:
        raise SaveError(ValueError, f"cannot save the int {i} exactly",
                        hint=": Lua numbers are doubles, exact only up to 2**53 in magnitude "
                             "(store float(x) to accept the rounding, or use a LongTensor)")
    return d


def _encode_utf8(s):
    try:
        return s.encode('utf-8')
    except UnicodeEncodeError as e:
        raise SaveError(ValueError, "cannot save a str that is not valid Unicode",
                        hint=f" ({e.reason} at character {e.start}); pass bytes for binary "
                             f"data") from None
