"""The class registry: Python classes that are saved and loaded under Torch class names.

Protocol (what a registered class may define; everything is optional):

  registerClass('nn.Linear', Linear[, version=1])
      `Linear` objects are written as a Torch object: tag 4, "V <version>", 'nn.Linear', then
      ONE table holding their fields, exactly as Torch7 writes table-based classes (all of nn).
      A file holding an 'nn.Linear' loads as a `Linear`. `registerClass` also works as a class
      decorator: `@registerClass('nn.Linear')`.
  registerClass('nn.SpatialConvolutionMM', SpatialConvolution, loadOnly=True)
      an extra name that loads as the class; saving keeps the class's main name.
  registerClass('nn.Linear', CudaLinear, saveOnly=True)
      objects of the class are saved under the name, which keeps loading as the class
      registered for it (nn's device twins: a CUDA Linear is saved as an nn.Linear).

  def _torchFields(self) -> dict                      (instance method, used when saving)
      The fields to write, as {name: value}. Default: a copy of `vars(self)`. Filter caches
      or convert Python conventions back to Lua ones here (0-based -> 1-based indices).
      Fields whose value is None are not written: a Lua table cannot hold nil.
  @classmethod
  def _torchLoadFields(cls, fields, version) -> dict  (used when loading)
      Converts the fields read from the file (a dict; `version` is the number from "V n")
      before they are set: 1-based Lua indices -> 0-based, renamed fields, defaults for fields
      that old versions lack. Default: the fields unchanged.
  def _torchAfterLoad(self)  (optional, called once the fields are set)
      Lets the object adjust to what was loaded (nn modules take the class of the device
      their tensors landed on).

Loading creates the object with `cls.__new__(cls)` -- `__init__` is NOT called -- records it
(so references back to it, cycles included, resolve to it), reads its fields table, passes it
through `_torchLoadFields`, and sets each field as an attribute (through `__dict__` when the
object has one). Fields absent from the file stay absent: give such attributes class-level
defaults, or set them in `_torchLoadFields`. While the hook runs, the objects inside the
fields are complete, except objects that are still being read because they (indirectly)
contain this one.

Saving looks the class up exactly: an object whose class is not registered, even when a base
class is, raises TypeError (it would load back as the base class); register subclasses too.
Only registered classes are ever instantiated by `load`; a file naming any other class gives a
generic `TorchObject`.
"""
from threading import RLock

# Torch class names with a built-in binary payload; they cannot be registered.
RESERVED_PREFIXES = ('torch.',)
RESERVED_NAMES = ('tds.Vec', 'tds.Hash', 'tds_hash')

_lock = RLock()
_class_by_name = {}     # 'nn.Linear' -> class (main names and loadOnly aliases)
_entry_by_class = {}    # class -> (main name, version)


def registerClass(name, cls=None, *, version=1, loadOnly=False, saveOnly=False):
    """Save and load objects of `cls` under the Torch class name `name` (see the module
    docstring for the protocol). Returns `cls`; without `cls`, returns a class decorator."""
    if cls is None:
        return lambda c: registerClass(name, c, version=version, loadOnly=loadOnly,
                                       saveOnly=saveOnly)
    if not isinstance(name, str) or not name:
        raise TypeError(f"registerClass: the Torch class name must be a non-empty str, "
                        f"got {name!r}")
    if not isinstance(cls, type):
        raise TypeError(f"registerClass: expected a class for {name!r}, got "
                        f"{type(cls).__name__}")
    if name.startswith(RESERVED_PREFIXES) or name in RESERVED_NAMES:
        raise ValueError(f"registerClass: {name!r} is a built-in Torch class (tensors, "
                         f"storages and tds containers are handled by torchlike itself)")
    if isinstance(version, bool) or not isinstance(version, (int, float)):
        raise TypeError(f"registerClass: version must be a number, got {version!r}")
    if loadOnly and saveOnly:
        raise ValueError(f"registerClass({name!r}): loadOnly and saveOnly exclude each other")
    with _lock:
        if not saveOnly:
            _class_by_name[name] = cls
        if not loadOnly:
            _entry_by_class[cls] = (name, version)
            # torch.typename(obj) reads `_typename`; give the class its Torch name
            if cls.__dict__.get('_typename') is None:
                cls._typename = name
    return cls


def unregisterClass(name):
    """Forget the Torch class name `name` (mainly for tests); unknown names are ignored."""
    with _lock:
        cls = _class_by_name.pop(name, None)
        if cls is not None and _entry_by_class.get(cls, (None,))[0] == name:
            del _entry_by_class[cls]


def registeredClass(name):
    """The class registered under `name`, or None."""
    return _class_by_name.get(name)


def registeredName(cls):
    """(Torch class name, version) under which objects of exactly `cls` are saved, or None."""
    return _entry_by_class.get(cls)


def registeredBase(cls):
    """The nearest registered base class of `cls` (for error messages), or None."""
    for base in cls.__mro__[1:]:
        if base in _entry_by_class:
            return base
    return None
