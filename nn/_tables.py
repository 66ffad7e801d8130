"""Private helpers of the table modules (table_ops.py, table_arith.py): checks that name the
entry at fault, list buffers that follow the input's type, and the shared .t7 field handling."""
import torchlike as torch
from torchlike._core import fmt_size

from ._helpers import _Fields, _as_list, _check_tensor
from . import utils as _utils


def _check_table(module, x, n=None, what='input', minimum=1):
    """x must be a list (or tuple) of n entries (or at least `minimum`)."""
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"{module._typename}: expected a list as {what}, got "
                        f"{type(x).__name__}")
    if n is not None and len(x) != n:
        raise ValueError(f"{module._typename}: {what} must be a list of {n} entries, got "
                         f"{len(x)}")
    if len(x) < minimum:
        raise ValueError(f"{module._typename}: {what} must be a list of at least {minimum} "
                         f"entries, got {len(x)}")


def _check_tensors(module, x, same_shape=True, what='input'):
    """Every entry is a tensor of the type of entry 0 (and of its size with same_shape)."""
    first = x[0]
    _check_tensor(module, first, f'{what}[0]')
    shape = first._arr().shape
    for i in range(1, len(x)):
        t = x[i]
        _check_tensor(module, t, f'{what}[{i}]')
        if t.__class__ is not first.__class__:
            raise TypeError(f"{module._typename}: {what}[{i}] is a {t._typename} but {what}[0] "
                            f"is a {first._typename}")
        if same_shape and t._arr().shape != shape:
            raise ValueError(f"{module._typename}: {what}[{i}] has size "
                             f"{fmt_size(t._arr().shape)} but {what}[0] has size "
                             f"{fmt_size(shape)}; the sizes must be equal (use nn.View or "
                             f"nn.Replicate to match them)")


def _list_array(lst, i, like, shape):
    """The numpy array of tensor i of list `lst` (grown as needed; a tensor of like's type),
    resized to `shape` when it differs."""
    while len(lst) <= i:
        lst.append(None)
    t = lst[i]
    if t is None or t.__class__ is not like.__class__:
        t = lst[i] = like.new()
    a = t._arr()
    if a.shape != shape or not a.flags.c_contiguous:
        a = t.resize(tuple(shape))._arr()
    return a


def _own_list(module, name):
    """The list field `name` (a Lua table loaded empty is a dict; make it a list)."""
    v = module.__dict__.get(name)
    if not isinstance(v, list):
        v = module.__dict__[name] = _as_list(v) if isinstance(v, (dict, tuple)) else []
    return v


def _zeros_like(buf, x):
    """A zero-filled copy of the structure of x (a tensor or nested lists), reusing buf."""
    if isinstance(x, (list, tuple)):
        buf = buf if isinstance(buf, list) else []
        del buf[len(x):]
        for i, v in enumerate(x):
            if i < len(buf):
                buf[i] = _zeros_like(buf[i], v)
            else:
                buf.append(_zeros_like(None, v))
        return buf
    if not torch.isTensor(x):
        return None
    if buf is None or buf.__class__ is not x.__class__:
        buf = x.new()
    return buf.resizeAs(x).zero()


class _TableMixin(_Fields):
    """Mixed into the modules below: output and/or gradInput are lists that may hold the
    caller's tensors, so clearState and type() start them afresh instead of emptying those
    tensors."""

    def clearState(self):
        for name in ('output', 'gradInput'):
            v = self.__dict__.get(name)
            if isinstance(v, (list, tuple, dict)):
                self.__dict__[name] = []
            elif torch.isTensor(v):
                self.__dict__[name] = v.new()
        return _utils.clear(self, *getattr(self, '_buffers', ()))

    def type(self, typename=None, tensorCache=None):
        if typename is not None:
            self.clearState()
        return super().type(typename, tensorCache)


# -- joining and splitting ---------------------------------------------------------------------
