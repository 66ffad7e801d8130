"""Reading Torch7's object grammar (File:readObject) into Python objects.

Like the writer, the walk is iterative: one generator per open table or object, each yielding
when it needs the next nested object (the driver reads it and sends it back in). Every table,
object and function is recorded under its reference index *before* its contents are read, so
references back to it -- cycles -- resolve to the same Python object.

Tables become lists (keys exactly 1..n, n >= 1), dicts, or LuaTables (some key is a table or
another object, or keys collide in Python but not in Lua, like true and 1). Their final form
is known only at their end, so a table is recorded as a dict while it is read; when something
inside refers back to it and it then turns out to be a list or a LuaTable, the references made
meanwhile are re-pointed to the final object.
"""
import math
from types import GeneratorType

import numpy as np

from .. import types as _types
from . import registry
from .lua_types import LuaFunction, LuaTable, TdsHash, TdsVec, TorchObject

_AS_FIELDS = object()     # request: read the next object, a table of fields (never a list)
_NOT_SCALAR = object()    # _scalar(): the next object is a table/object/function
_SCALAR_TAGS = frozenset((0, 1, 2, 5))   # nil, number, string, boolean
_SCALAR_KEYS = (str, bytes, int, float)
_MAX_DIMS = 64            # numpy's limit

# Torch tensor/storage type names -> (torchlike short name, dtype of the data in the file)
_SHORT_NAMES = ('Byte', 'Char', 'Short', 'Int', 'Long', 'Float', 'Double')
_TENSOR_TYPES = {}
_STORAGE_TYPES = {}
for _s in _SHORT_NAMES + ('Half',):
    _cpu = 'Float' if _s == 'Half' else _s
    _file_dtype = np.dtype(np.float16) if _s == 'Half' else _types.DTYPES[_s]
    for _prefix in ('torch.', 'torch.Cuda'):
        _TENSOR_TYPES[f'{_prefix}{_s}Tensor'] = (_cpu, _file_dtype)
        _STORAGE_TYPES[f'{_prefix}{_s}Storage'] = (_cpu, _file_dtype)
_TENSOR_TYPES['torch.CudaTensor'] = ('Float', _types.DTYPES['Float'])
_STORAGE_TYPES['torch.CudaStorage'] = ('Float', _types.DTYPES['Float'])
# cutorch names that have a torchlike CUDA class: loaded on the device when CUDA is available
# (and the caller did not ask for the CPU), else as the CPU twin above
_ON_DEVICE = {'torch.CudaTensor', 'torch.CudaLongTensor', 'torch.CudaByteTensor',
              'torch.CudaStorage', 'torch.CudaLongStorage', 'torch.CudaByteStorage'}


_INT_RANGE = float(2 ** 63)


def lua_number(d):
    """A Lua number as Python: an integral double in the int64 range becomes int (except -0.0);
    every other double (1.5, 1e300, inf, nan) stays float."""
    if d.is_integer() and -_INT_RANGE <= d < _INT_RANGE and (d or math.copysign(1.0, d) > 0):
        return int(d)
    return d


def lua_string(b):
    """A Lua string as Python: str when it is valid UTF-8, else bytes."""
    try:
        return b.decode('utf-8')
    except UnicodeDecodeError:
        return b


class Reader:
    def __init__(self, source, referenced=True, cpu=False):
        self.src = source
        self.referenced = referenced
        self.cpu = cpu        # True: CUDA tensors load as their CPU twins whatever the mode
        self._device = None   # decided when the first CUDA type is met (imports numba.cuda)
        self.objects = {}     # reference index -> object
        self.open_tables = {}  # index -> True once something referred back to it while open

    # -- driver ------------------------------------------------------------------------------
    def read(self):
        stack, path = [], []
        try:
            item = self._begin(None)
            while True:
                if type(item) is GeneratorType:
                    stack.append(item)
                    path.append(self._label)
                    value = None
                elif not stack:
                    return item
                else:
                    value = item
                # resume the innermost open object with `value` until it asks for a child
                while True:
                    try:
                        request = stack[-1].send(value)
                        break
                    except StopIteration as stop:
                        stack.pop()
                        path.pop()
                        if not stack:
                            return stop.value
                        value = stop.value
                item = self._begin(request)
        except (ValueError, EOFError) as e:
            for g in stack:
                g.close()
            if path and type(e) in (ValueError, EOFError):
                raise type(e)(f"{e} [while reading {' > '.join(path)}]") from None
            raise

    # -- one object ----------------------------------------------------------------------------
    def _begin(self, request):
        """Read the next object. Scalars and back-references are returned as they are; a new
        table/object/function returns the generator that reads its contents."""
        src = self.src
        at = src.pos
        tag = src.read_int('a type tag')
        if tag in _SCALAR_TAGS:
            return self._scalar_payload(tag, at)
        if tag in (3, 4, 7, 8):
            idx = src.read_int('a reference index')
            if self.referenced and idx in self.objects:
                if idx in self.open_tables:
                    self.open_tables[idx] = True
                return self.objects[idx]
            if tag == 3:
                self._label = f'table #{idx} (offset {at})'
                return self._table(idx, request is _AS_FIELDS)
            if tag == 4:
                return self._torch_object(idx, at)
            self._label = f'function #{idx} (offset {at})'
            return self._function(tag, idx)
        if tag == 6:
            self._label = f'function (offset {at})'
            return self._function(6, None)
        raise ValueError(f"unknown type tag {tag} at offset {at} (valid tags are 0-8); the "
                         f"data is corrupt, not a .t7 file, or read in the wrong mode")

    def _scalar(self):
        """The next object when it is a nil/number/string/boolean (read in place, without a
        trip through the driver); else _NOT_SCALAR, with the position unchanged."""
        src = self.src
        at = src.pos
        tag = src.read_int('a type tag')
        if tag in _SCALAR_TAGS:
            return self._scalar_payload(tag, at)
        src.pos = at
        return _NOT_SCALAR

    def _scalar_payload(self, tag, at):
        src = self.src
        if tag == 1:
            return lua_number(src.read_double())
        if tag == 2:
            n = src.read_int('a string length')
            if n < 0:
                raise ValueError(f"negative string length {n} at offset {at + 4}")
            return lua_string(src.read_chars(n))
        if tag == 5:
            return src.read_int('a boolean') == 1
        return None                                   # tag 0: nil

    def _record(self, idx, obj):
        if self.referenced and idx is not None:
            self.objects[idx] = obj

    def _count(self, what, read):
        at = self.src.pos
        n = read(what)
        if n < 0:
            raise ValueError(f"negative {what} {n} at offset {at}")
        return n

    # -- tables ------------------------------------------------------------------------------
    def _table(self, idx, as_fields, placeholder_type=dict, count_long=False):
        n = self._count('table size', self.src.read_long if count_long else self.src.read_int)
        holder = placeholder_type()
        self._record(idx, holder)
        self.open_tables[idx] = False
        keys, values = [], []
        scalar = self._scalar
        for _ in range(n):
            k = scalar()
            if k is _NOT_SCALAR:
                k = yield
            v = scalar()
            if v is _NOT_SCALAR:
                v = yield
            if k is None:
                raise ValueError(f"a table key is nil (before offset {self.src.pos})")
            if v is not None:                 # t[k] = nil stores nothing
                keys.append(k)
                values.append(v)
        cyclic = self.open_tables.pop(idx, False)
        result = _build_table(keys, values, holder, as_fields)
        if result is not holder:
            self._record(idx, result)
            if cyclic:
                self._repoint(idx, holder, result)
        return result

    def _repoint(self, idx, old, new):
        """Replace references to `old` (the placeholder of table #idx) by `new` in every
        object read since #idx started, and in `new` itself."""
        for j, obj in list(self.objects.items()):
            if j >= idx:
                _replace_refs(obj, old, new)

    # -- torch objects -------------------------------------------------------------------------
    def _torch_object(self, idx, at):
        src = self.src
        first = src.read_chars(self._count('class name length', src.read_int))
        version, name = 0, first      # a file from before versioning: no version string
        if first.startswith(b'V '):
            try:
                version = lua_number(float(first[2:]))
            except ValueError:
                pass
            else:
                name = src.read_chars(self._count('class name length', src.read_int))
        name = name.decode('utf-8', 'replace')
        self._label = f'{name} #{idx} (offset {at})'
        if name in _TENSOR_TYPES:
            return self._tensor(idx, name)
        if name in _STORAGE_TYPES:
            return self._storage(idx, name)
        if name == 'tds.Vec':
            return self._tds_vec(idx)
        if name in ('tds.Hash', 'tds_hash'):
            return self._table(idx, False, TdsHash, count_long=True)
        cls = registry.registeredClass(name)
        if cls is not None:
            return self._registered(idx, cls, name, version)
        return self._generic(idx, name, version)

    def _on_device(self, name):
        """Whether a tensor/storage saved as `name` loads as a CUDA one."""
        if name not in _ON_DEVICE or self.cpu:
            return False
        if self._device is None:
            from ..cuda import isAvailable
            self._device = isAvailable()
        return self._device

    def _tensor(self, idx, name):
        src = self.src
        short, _ = _TENSOR_TYPES[name]
        if self._on_device(name):
            cls = _types.tensor_classes[name]
            storage_name = name.replace('Tensor', 'Storage')
        else:
            cls = _types.tensor_classes[f'torch.{short}Tensor']
            storage_name = f'torch.{short}Storage'
        t = cls()
        self._record(idx, t)
        at = src.pos
        ndim = src.read_int('the number of dimensions')
        if not 0 <= ndim <= _MAX_DIMS:
            raise ValueError(f"{name}: invalid number of dimensions {ndim} at offset {at}")
        sizes = src.read_longs(ndim, 'tensor sizes')
        strides = src.read_longs(ndim, 'tensor strides')
        offset = src.read_long('the storage offset') - 1
        storage = yield
        if storage is None:
            if ndim and all(sizes):
                raise ValueError(f"{name} of size {'x'.join(map(str, sizes))} at offset {at} "
                                 f"has no storage")
            return t
        if type(storage) is not _types.storage_classes.get(storage_name):
            raise ValueError(f"{name} at offset {at} refers to a "
                             f"{getattr(storage, '_typename', type(storage).__name__)}, not a "
                             f"{storage_name}")
        if ndim == 0:
            offset = offset if 0 <= offset <= len(storage) else 0
        try:
            t.set(storage, offset, tuple(sizes), tuple(strides))
        except (ValueError, TypeError) as e:
            raise ValueError(f"{name} at offset {at} does not fit its storage: {e}") from None
        return t

    def _storage(self, idx, name):
        short, file_dtype = _STORAGE_TYPES[name]
        n = self._count('storage size', self.src.read_long)
        data = self.src.read_array(n, file_dtype, f'the {n} elements of a {name}')
        cls = _types.storage_classes[f'torch.{short}Storage']
        if data.dtype != cls._dtype:
            data = data.astype(cls._dtype)    # HalfStorage -> FloatStorage
        if self._on_device(name):
            from ..cuda.device import memory
            st = _types.storage_classes[name]._wrap(memory().to_device(data))
        else:
            st = cls._wrap(data)
        self._record(idx, st)
        return st
        yield  # (a generator with no children)

    def _tds_vec(self, idx):
        n = self._count('tds.Vec size', self.src.read_long)
        vec = TdsVec()
        self._record(idx, vec)
        for _ in range(n):
            v = yield
            vec.append(v)
        return vec

    def _generic(self, idx, name, version):
        obj = TorchObject(name, version)
        self._record(idx, obj)
        fields = yield _AS_FIELDS
        obj._fields = _as_fields(fields, name)
        return obj

    def _registered(self, idx, cls, name, version):
        obj = cls.__new__(cls)
        self._record(idx, obj)
        fields = _as_fields((yield _AS_FIELDS), name)
        hook = getattr(cls, '_torchLoadFields', None)
        if hook is not None:
            fields = hook(fields, version)
        d = getattr(obj, '__dict__', None)
        for k in fields.keys():
            if not isinstance(k, str):
                raise ValueError(f"{name}: field name {k!r} is not a string; convert it in "
                                 f"{cls.__name__}._torchLoadFields")
            if k.startswith('__') and k.endswith('__'):
                raise ValueError(f"{name}: refusing to set the special attribute {k!r} "
                                 f"from a file")
        if d is not None:
            d.update(fields)
        else:
            for k, v in fields.items():
                setattr(obj, k, v)
        after = getattr(cls, '_torchAfterLoad', None)   # e.g. nn: the class of the device
        if after is not None:
            after(obj)
        return obj

    # -- functions -----------------------------------------------------------------------------
    def _function(self, tag, idx):
        n = self._count('bytecode length', self.src.read_int)
        f = LuaFunction(self.src.read_chars(n, 'function bytecode'), None, tag)
        self._record(idx, f)
        f.upvalues = yield
        return f


# -- helpers ---------------------------------------------------------------------------------
def _build_table(keys, values, holder, as_fields):
    """The Python form of a table (see the module docstring). A dict result is `holder`
    itself, filled, so references made to it while it was read stay valid."""
    n = len(keys)
    if n and not as_fields and type(holder) is dict:
        if all(type(k) is int for k in keys):
            if keys == list(range(1, n + 1)):
                return values
            if min(keys) == 1 and max(keys) == n and len(set(keys)) == n:
                out = [None] * n
                for k, v in zip(keys, values):
                    out[k - 1] = v
                return out
    if all(type(k) in _SCALAR_KEYS or type(k) is bool for k in keys):
        holder.update(zip(keys, values))
        if len(holder) == n:
            return holder
        holder.clear()                    # keys collide in Python (true and 1): not a dict
    return LuaTable(zip(keys, values))


def _as_fields(fields, name):
    if fields is None:
        return {}
    if isinstance(fields, list):          # a table read earlier, as a list
        return {i + 1: v for i, v in enumerate(fields)}
    if not isinstance(fields, (dict, LuaTable)):
        raise ValueError(f"the fields of a {name} object must be a table, got "
                         f"{type(fields).__name__} (a class with its own binary format "
                         f"cannot be read unless torchlike knows it)")
    return fields


def _replace_refs(obj, old, new):
    if isinstance(obj, list):
        for i, x in enumerate(obj):
            if x is old:
                obj[i] = new
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if v is old:
                obj[k] = new
    elif isinstance(obj, LuaTable):
        for k, v in obj.items():
            if k is old or v is old:
                del obj[k]
                obj[new if k is old else k] = new if v is old else v
    elif isinstance(obj, LuaFunction):
        if obj.upvalues is old:
            obj.upvalues = new
    elif isinstance(obj, TorchObject):
        if obj._fields is old:
            obj._fields = new
    else:
        d = getattr(obj, '__dict__', None)
        if d:
            for k, v in list(d.items()):
                if v is old:
                    d[k] = new
