"""Python stand-ins for Lua values that have no natural Python type.

  LuaTable     a Lua table whose keys cannot all live in a dict: a key that is itself a table
               (or another object compared by identity), or keys that collide in Python but not
               in Lua (`true` and `1`). Keys are matched by identity, scalars by value.
  TorchObject  an object of a Torch class that torchlike does not know: keeps the class name
               (`_typename`, what `torch.typename` reports), the version and the fields,
               readable as attributes (`obj.weight`) and as items (`obj['weight']`).
  LuaFunction  a Lua function read from a file: its bytecode and upvalues, kept so that the
               file can be written back unchanged. It never runs.
  TdsVec       a `tds.Vec` (a list that is written back as a tds.Vec).
  TdsHash      a `tds.Hash` (a dict that is written back as a tds.Hash).
"""
from collections.abc import MutableMapping

SCALAR_KEY_TYPES = (str, bytes, int, float)   # bool is an int subclass: handled apart


class _ByIdentity:
    """Key wrapper: hashes and compares the wrapped object by identity."""
    __slots__ = ('obj',)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return isinstance(other, _ByIdentity) and other.obj is self.obj


def _token(key):
    """The internal dict key of a Lua key: scalars by value (true is not 1, as in Lua),
    anything else (tables, tensors, objects) by identity."""
    t = type(key)
    if t is bool:
        return (_token, key)
    if t in SCALAR_KEY_TYPES:
        return key
    return _ByIdentity(key)


class LuaTable(MutableMapping):
    """A Lua table with keys of any kind (tables included), matched like Lua matches them:
    numbers and strings by value, everything else by identity. Iteration and `items()` follow
    insertion order (the order of the file). The table itself hashes by identity, so it can
    be a key too."""
    __slots__ = ('_entries', '__weakref__')

    def __init__(self, items=()):
        self._entries = {}
        pairs = items.items() if hasattr(items, 'items') else items
        for k, v in pairs:
            self[k] = v

    def __getitem__(self, key):
        try:
            return self._entries[_token(key)][1]
        except KeyError:
            raise KeyError(key) from None

    def __setitem__(self, key, value):
        if key is None:
            raise KeyError("a Lua table key cannot be nil (None)")
        self._entries[_token(key)] = (key, value)

    def __delitem__(self, key):
        try:
            del self._entries[_token(key)]
        except KeyError:
            raise KeyError(key) from None

    def __contains__(self, key):
        return _token(key) in self._entries

    def __iter__(self):
        return (k for k, _ in list(self._entries.values()))

    def __len__(self):
        return len(self._entries)

    def items(self):
        return [(k, v) for k, v in self._entries.values()]

    def keys(self):
        return [k for k, _ in self._entries.values()]

    def values(self):
        return [v for _, v in self._entries.values()]

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __repr__(self):
        inner = ', '.join(f'{_short(k)}: {_short(v)}' for k, v in self._entries.values())
        return f'LuaTable({{{inner}}})'


def _short(v):
    """repr that does not recurse into tables (they may contain themselves)."""
    if isinstance(v, (LuaTable, dict, list, tuple, TorchObject)):
        return f'<{type(v).__name__} at {id(v):#x}>'
    return repr(v)


class TorchObject:
    """An object of a Torch class that is not registered with `registerClass`.

    `obj._typename` is the Torch class name ('Blah', 'nn.SomeLayer'), `obj._version` the
    version from the file, `obj._fields` the fields table (a dict, or a LuaTable when some key
    is not a string or number). Fields read as attributes and as items. Saving the object
    writes it back under the same class name, version and fields."""
    __slots__ = ('_typename', '_version', '_fields', '__weakref__')

    def __init__(self, typename, version=1, fields=None):
        object.__setattr__(self, '_typename', str(typename))
        object.__setattr__(self, '_version', version)
        object.__setattr__(self, '_fields', {} if fields is None else fields)

    def __getattr__(self, name):
        # only called when normal lookup fails: the fields
        if name.startswith('__'):
            raise AttributeError(name)
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"{self._typename} object has no field {name!r}") from None

    def __setattr__(self, name, value):
        if name in TorchObject.__slots__:
            object.__setattr__(self, name, value)
        else:
            self._fields[name] = value

    def __delattr__(self, name):
        try:
            del self._fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key):
        return self._fields[key]

    def __setitem__(self, key, value):
        self._fields[key] = value

    def __delitem__(self, key):
        del self._fields[key]

    def __contains__(self, key):
        return key in self._fields

    def __iter__(self):
        return iter(self._fields)

    def __len__(self):
        return len(self._fields)

    def keys(self):
        return self._fields.keys()

    def values(self):
        return self._fields.values()

    def items(self):
        return self._fields.items()

    def get(self, key, default=None):
        return self._fields.get(key, default)

    def __dir__(self):
        return sorted(set(object.__dir__(self))
                      | {k for k in self._fields.keys() if isinstance(k, str)})

    def __repr__(self):
        names = ', '.join(str(k) for k in self._fields.keys())
        return f'<TorchObject {self._typename} (version {self._version}) fields: {names}>'

    # identity semantics (fields may be tensors, whose == is element-wise)
    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other


class LuaFunction:
    """A Lua function from a .t7 file: `bytecode` (LuaJIT/Lua `string.dump` output, bytes) and
    `upvalues` (as read: a list of values for the legacy tags 6/7, a list of {'name', 'value'}
    records for tag 8). It is inert: calling it raises, and nothing in it is ever executed.
    Saving it writes the same tag, bytecode and upvalues back."""
    __slots__ = ('bytecode', 'upvalues', 'tag', '__weakref__')

    def __init__(self, bytecode, upvalues=None, tag=8):
        if tag not in (6, 7, 8):
            raise ValueError(f"a Lua function has type tag 6, 7 or 8, not {tag}")
        self.bytecode = bytes(bytecode)
        self.upvalues = [] if upvalues is None else upvalues
        self.tag = tag

    def __call__(self, *args, **kwargs):
        raise RuntimeError("this is a Lua function loaded from a .t7 file; torchlike never runs "
                           "code from files, so it cannot be called (port it to Python)")

    def __repr__(self):
        return f'<LuaFunction: {len(self.bytecode)} bytes of bytecode (inert)>'


class TdsVec(list):
    """A `tds.Vec` from a file: a plain list that saves back as a tds.Vec."""
    __slots__ = ()


class TdsHash(dict):
    """A `tds.Hash` from a file: a plain dict that saves back as a tds.Hash."""
    __slots__ = ()
