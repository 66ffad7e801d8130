"""Private helpers shared by the module families: output and scratch buffers that follow the
input's type and are resized (not reallocated) across calls, input checks with clear messages,
dimension resolution with `nInputDims`, and the 1-based `.t7` field conversion."""
import math

import numpy as np

import torchlike as torch
from torchlike._core import fmt_size, is_int
from torchlike.types import class_for_dtype


def _buffer(module, name, like):
    """The tensor field `name` of `module`, replaced by an empty tensor of `like`'s type when it
    is missing or of another type (parameter-free modules follow their input's type)."""
    t = module.__dict__.get(name)
    if t is None or t.__class__ is not like.__class__:
        t = like.new()
        module.__dict__[name] = t
    return t


def _array(module, name, like, shape):
    """The numpy array of buffer field `name` (a tensor of like's type), resized to `shape`
    only when it differs: the Python path stays short when sizes repeat across calls."""
    t = module.__dict__.get(name)
    if t is None or t.__class__ is not like.__class__:
        t = like.new()
        module.__dict__[name] = t
    a = t._arr()
    if a.shape != shape or not a.flags.c_contiguous:
        a = t.resize(tuple(shape))._arr()
    return a


def _alias(t):
    """A new tensor object viewing t's memory (so clearing it never empties the caller's)."""
    return t._view(t._arr())


def _check_tensor(module, x, what='input'):
    if not torch.isTensor(x):
        raise TypeError(f"{module._typename}: expected a tensor {what}, got {type(x).__name__}")


def _check_grad(module, gradOutput, shape):
    """gradOutput must be a tensor of exactly `shape` (numpy would broadcast silently)."""
    _check_tensor(module, gradOutput, 'gradOutput')
    got = gradOutput._arr().shape
    if got != tuple(shape):
        raise ValueError(f"{module._typename}: gradOutput has size {fmt_size(got)}, expected "
                         f"{fmt_size(shape)} (the size of the output)")


def _resolve_dim(module, dim, shape, nInputDims=None, what='dimension'):
    """0-based dimension of an input of size `shape`: negative counts from the end; a
    non-negative one shifts by one when the input has more than nInputDims dimensions."""
    nd = len(shape)
    if dim < 0:
        d = dim + nd
    elif nInputDims is not None and nd > nInputDims:
        d = dim + 1
    else:
        d = dim
    if not 0 <= d < nd:
        extra = f", nInputDims {nInputDims}" if nInputDims is not None else ""
        raise IndexError(f"{module._typename}: {what} {dim} is out of range for input of size "
                         f"{fmt_size(shape)} ({nd}-D{extra})")
    return d


def _luaIndex(v):
    """0-based dimension/index -> the 1-based value Torch7 stores (negatives are unchanged)."""
    return v + 1 if is_int(v) and v >= 0 else v


def _pyIndex(v):
    """The reverse of _luaIndex, for fields read from a .t7 file."""
    return v - 1 if is_int(v) and v > 0 else v


def _as_list(v):
    """A Lua table field as a Python list (an empty Lua table loads as a dict)."""
    if isinstance(v, list):
        return v
    if v is None or (isinstance(v, dict) and not v):
        return []
    if isinstance(v, dict):
        return [v[k] for k in sorted(v)]
    return list(v)


def _view_or_copy(module, t, sizes, bufname):
    """t viewed with `sizes`; when t's strides allow no view, a contiguous copy (in the buffer
    field `bufname`) is viewed instead."""
    try:
        return t.view(*sizes)
    except ValueError:
        pass
    n = math.prod(sizes)
    if n != t.nElement():
        raise ValueError(f"{module._typename}: cannot view a tensor of size "
                         f"{fmt_size(t.size())} ({t.nElement()} elements) as {fmt_size(sizes)} "
                         f"({n} elements)")
    buf = _buffer(module, bufname, t)
    return buf.resizeAs(t).copy(t).view(*sizes)


class _Fields:
    """Mixed into the modules of these families to write Torch7's .t7 layout: the fields named
    in `_indexFields` hold 0-based dimensions/indices and are written 1-based (and read back);
    `_transient` fields (caches) are not written; `_loadDefaults` fills fields that older Lua
    files lack; an empty Lua table read for output/gradInput becomes a list."""

    _indexFields = ()
    _loadDefaults = {}

    def _torchFields(self):
        fields = super()._torchFields()
        for name in self._indexFields:
            if name in fields:
                v = fields[name]
                fields[name] = ([[_luaIndex(a) for a in p] for p in v]
                                if isinstance(v, list) else _luaIndex(v))
        return fields

    @classmethod
    def _torchLoadFields(cls, fields, version):
        for name, value in cls._loadDefaults.items():
            fields.setdefault(name, value)
        for name in cls._indexFields:
            if name in fields:
                v = fields[name]
                fields[name] = ([[_pyIndex(a) for a in _as_list(p)] for p in _as_list(v)]
                                if isinstance(v, (list, dict)) else _pyIndex(v))
        for name in ('output', 'gradInput'):
            if isinstance(fields.get(name), dict):
                fields[name] = _as_list(fields[name])
        for name in cls._transient:
            fields.pop(name, None)
        return cls._afterLoad(fields)

    @classmethod
    def _afterLoad(cls, fields):
        return fields


# -- View and Reshape -------------------------------------------------------------------------


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def float_array(module, t, what='input'):
    """The numpy view of tensor `t`, which must be a FloatTensor or DoubleTensor."""
    if not torch.isTensor(t):
        raise TypeError(f"{module._typename}: expected a tensor {what}, got {type(t).__name__}")
    a = t._arr()
    if a.dtype not in _FLOATS:
        raise TypeError(f"{module._typename}: {what} must be a FloatTensor or DoubleTensor, "
                        f"got {t._typename}")
    return a


def grad_array(module, a, gradOutput):
    """gradOutput's numpy view with the shape of the input view `a` (Torch7 only required the
    same number of elements) and its dtype."""
    g = float_array(module, gradOutput, 'gradOutput')
    if g.shape != a.shape:
        if g.size != a.size:
            raise ValueError(f"{module._typename}: gradOutput has size {fmt_size(g.shape)}, "
                             f"expected the input's size {fmt_size(a.shape)}")
        g = g.reshape(a.shape)
    if g.dtype != a.dtype:
        raise TypeError(f"{module._typename}: gradOutput is a {gradOutput._typename} but the "
                        f"input is a {class_for_dtype(a.dtype)._typename}")
    return g


def retyped(buf, like):
    """`buf` when it has the type of tensor `like`, else a new empty tensor of that type."""
    return buf if buf is not None and buf._dtype == like._dtype else like.new()


def resized_array(t, shape):
    """t resized to `shape` (contiguous) -> its numpy view; skips resize's argument parsing in
    the common case of a buffer that already has the shape."""
    arr = t._arr()
    if arr.shape == shape and arr.flags.c_contiguous:
        return arr
    return t.resize(*shape)._arr()


def output_array(module, input, a):
    """module.output resized like input view `a` (re-created for a new type) -> numpy view."""
    return _array(module, 'output', input, a.shape)


def grad_input_array(module, input, a):
    return _array(module, 'gradInput', input, a.shape)


def mask_array(module, shape, n=1):
    """A reused boolean scratch array of `shape` (n of them stacked when n > 1), kept in the
    ByteTensor field `_mask` (emptied by clearState)."""
    t = module.__dict__.get('_mask')
    if t is None or t._typename != 'torch.ByteTensor':
        t = module._mask = torch.ByteTensor()
    full = shape if n == 1 else (n,) + tuple(shape)
    return resized_array(t, full).view(np.bool_)


def scratch_array(module, like, name='_buffer'):
    """A reused float scratch array shaped and typed like the numpy array `like`."""
    t = module.__dict__.get(name)
    if t is None or t._dtype != like.dtype:
        t = class_for_dtype(like.dtype)()
        setattr(module, name, t)
    return resized_array(t, like.shape)


def check_flag(module, name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{module._typename}: the {name} flag must be a bool, got {value!r}")
    return bool(value)


def check_number(module, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{module._typename}: {name} must be a number, got {value!r}")
    return value
