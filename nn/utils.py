"""Helpers that work on tensors or (nested) lists of tensors, as nn.utils did for Lua tables."""
import warnings

import torchlike as torch

from . import flatten as _flatten


def _convert_tensor(t, typename, cache, path):
    if t._typename == typename:
        return t
    _flatten.check_not_flat(t, f"type('{typename}') of field {path}")
    key = id(t)
    if key in cache:
        return cache[key][1]
    st = t.storage()
    entry = cache.get(id(st))
    if entry is None:
        if getattr(st, '_is_cuda', False):   # device data has no numpy view: it converts itself
            new_st = st.type(typename.replace('Tensor', 'Storage'))
        else:
            new_st = _storage_class(typename)(st.numpy())
        cache[id(st)] = (st, new_st)
    else:
        new_st = entry[1]
    if t.nElement():
        new = _tensor_class(typename)(new_st, t.storageOffset(), t.size(), t.stride())
    else:
        new = _tensor_class(typename)()
    cache[key] = (t, new)   # the original is kept alive so that its id is not reused
    return new


def _tensor_class(typename):
    from torchlike import types
    return types.tensor_class(typename)


def _storage_class(typename):
    from torchlike import types
    return types.storage_classes[typename.replace('Tensor', 'Storage')]


def recursiveType(value, typename, cache=None, path='value'):
    """Convert every tensor inside `value` (a tensor, module, list, tuple or dict) to
    `typename`. Tensors sharing a storage come out sharing one converted storage."""
    cache = {} if cache is None else cache
    from .module import Module
    if torch.isTensor(value):
        return _convert_tensor(value, typename, cache, path)
    if isinstance(value, Module):
        return value.type(typename, cache)
    if isinstance(value, list):
        return [recursiveType(v, typename, cache, f'{path}[{i}]') for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return tuple(recursiveType(v, typename, cache, f'{path}[{i}]')
                     for i, v in enumerate(value))
    if isinstance(value, dict):
        return {k: recursiveType(v, typename, cache, f'{path}.{k}') for k, v in value.items()}
    return value


def clear(module, *names):
    """Empty the named fields of `module`: tensors keep their object but lose their storage
    (outside references stay valid), lists become empty."""
    for name in names:
        value = module.__dict__.get(name)
        if torch.isTensor(value):
            value.set()
        elif isinstance(value, list):
            value.clear()
    return module


def recursiveResizeAs(t1, t2):
    """Make t1 (a tensor or a nested list of tensors) match t2's structure and sizes."""
    if isinstance(t2, (list, tuple)):
        t1 = t1 if isinstance(t1, list) else []
        del t1[len(t2):]
        for i, v in enumerate(t2):
            if i < len(t1):
                t1[i] = recursiveResizeAs(t1[i], v)
            else:
                t1.append(recursiveResizeAs(None, v))
        return t1
    if not torch.isTensor(t1) or t1._typename != t2._typename:
        t1 = t2.new()
    return t1.resizeAs(t2)


def recursiveFill(t, value):
    if isinstance(t, (list, tuple)):
        for v in t:
            recursiveFill(v, value)
    else:
        t.fill(value)
    return t


def recursiveAdd(t1, value, t2=None):
    """t1 += value * t2 (or t1 += t2 when only two arguments are given), element by element."""
    if t2 is None:
        value, t2 = 1, value
    if isinstance(t1, (list, tuple)):
        for a, b in zip(t1, t2):
            recursiveAdd(a, value, b)
    else:
        t1.add(value, t2)
    return t1


def recursiveCopy(t1, t2):
    """Copy t2 into t1 (resized), through nested lists."""
    if isinstance(t2, (list, tuple)):
        t1 = t1 if isinstance(t1, list) else []
        del t1[len(t2):]
        for i, v in enumerate(t2):
            if i < len(t1):
                t1[i] = recursiveCopy(t1[i], v)
            else:
                t1.append(recursiveCopy(None, v))
        return t1
    if not torch.isTensor(t1) or t1._typename != t2._typename:
        t1 = t2.new()
    return t1.resizeAs(t2).copy(t2)


def addSingletonDimension(t, dim=0):
    """A view of t with a new size-1 dimension at `dim`."""
    return t.unsqueeze(dim)


def contiguousView(output, input, *sizes):
    """input viewed with `sizes`, copying into `output` first when input is not contiguous."""
    if input.isContiguous():
        return input.view(*sizes)
    output = output if output is not None else input.new()
    return output.resizeAs(input).copy(input).view(*sizes)


def warn_if_replacing(cls):
    """A new module class takes over the Torch name of another one (a user's `class
    Linear(nn.Module)` becomes what torch.load builds for every 'nn.Linear'): say so. Defining
    the same class again (a re-run notebook cell) stays quiet."""
    from torchlike.serialization import registeredClass
    old = registeredClass(cls._typename)
    if old is not None and old is not cls and \
            (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
        warnings.warn(f"{cls.__module__}.{cls.__qualname__} replaces "
                      f"{old.__module__}.{old.__qualname__} as the class of '{cls._typename}' "
                      f"objects in .t7 files; give it another name with "
                      f"_typename = 'nn.MyName' to keep both", stacklevel=3)
