"""getParameters(): one flat storage for all parameters and one for all gradients
(reference §2.2), made safe:

- It is idempotent: a second call returns the same two flat tensors while every parameter
  still lives in them.
- Everything is planned and checked (types, compactness, parameter/gradient alignment) before a
  single tensor is re-pointed, so an error leaves the model as it was.
- The flat storages are remembered (weakly); converting the type of, or re-sharing, a tensor
  that lives in one raises a clear error instead of silently detaching the flat vector that an
  optimiser holds (Torch7's most reported getParameters pitfall).
"""
import weakref

import numpy as np

import torchlike as torch
from torchlike._core import fmt_size

_flat_storages = weakref.WeakSet()


def check_not_flat(t, what):
    """Refuse an operation that would move tensor `t` out of a live flat parameter vector."""
    if torch.isTensor(t) and t.nElement() and t.storage() in _flat_storages:
        raise RuntimeError(
            f"{what}: this tensor is part of the flat parameter vector returned by "
            f"getParameters(); changing it now would silently detach that vector from the "
            f"model. Do type conversions and sharing before getParameters(), or call "
            f"model.releaseFlatParameters() first if the flat vector is no longer used.")


def release(module):
    flat = module.__dict__.pop('_flatParameters', None)
    if flat is not None:
        for t in flat:
            _flat_storages.discard(t.storage())


def _footprint(t):
    """Storage indices of every element of `t` (with repeats for stride-0 dimensions)."""
    idx = np.full((), t.storageOffset(), np.int64)
    for n, s in zip(t.size(), t.stride()):
        idx = idx[..., None] + np.arange(n, dtype=np.int64) * s
    return idx.reshape(-1)


def _plan(tensors, what):
    """Where every tensor goes in a new flat storage: (class, total, storages with their covered
    masks and base positions, new offset of each tensor)."""
    cls = tensors[0].__class__
    for i, t in enumerate(tensors):
        if t.__class__ is not cls:
            raise TypeError(f"getParameters: {what} {i} is a {t._typename} but {what} 0 is a "
                            f"{tensors[0]._typename}; convert the model to one type first")
    storages, slot = [], {}
    for t in tensors:
        if t.nElement():
            st = t.storage()
            if id(st) not in slot:
                slot[id(st)] = len(storages)
                storages.append((st, np.zeros(len(st), bool)))
    prints = []
    for t in tensors:
        if t.nElement():
            fp = _footprint(t)
            storages[slot[id(t.storage())]][1][fp] = True
            prints.append(fp)
        else:
            prints.append(None)
    bases, total = [], 0
    new_positions = []
    for st, mask in storages:
        bases.append(total)
        new_positions.append(np.cumsum(mask) - 1 + total)
        total += int(mask.sum())
    offsets = []
    for i, (t, fp) in enumerate(zip(tensors, prints)):
        if fp is None:
            offsets.append(None)
            continue
        newpos = new_positions[slot[id(t.storage())]]
        off = int(newpos[t.storageOffset()])
        if not np.array_equal(newpos[fp] - off, fp - t.storageOffset()):
            raise ValueError(
                f"getParameters: {what} {i} (size {fmt_size(t.size())}, stride "
                f"{fmt_size(t.stride())}) is not compact: its storage has elements between its "
                f"own that no parameter covers, so it cannot keep its strides in a flat vector")
        offsets.append(off)
    return cls, total, storages, offsets


def _apply(tensors, plan):
    cls, total, storages, offsets = plan
    flat = cls(total)
    on_device = getattr(cls, '_is_cuda', False)
    # a CUDA flat vector is gathered on the host and copied over once (getParameters runs
    # once per model, and the masks live on the host)
    data = np.empty(total, cls._dtype) if on_device else flat.numpy()
    pos = 0
    for st, mask in storages:
        k = int(mask.sum())
        data[pos:pos + k] = (st._host() if on_device else st.numpy())[mask]
        pos += k
    if on_device and total:
        flat.copy(data)
    for t, off in zip(tensors, offsets):
        if off is not None:
            t.set(flat.storage(), off, t.size(), t.stride())
    return flat


def _lives_in(tensors, flat):
    st = flat.storage()
    return all(t.nElement() == 0 or t.storage() is st for t in tensors)


def _check_not_flattened_elsewhere(ws, gs, own):
    """A parameter already in the flat vector of another getParameters() call (a sub-module's,
    typically) would be moved out of it, silently detaching that vector from the model."""
    mine = {id(t.storage()) for t in own} if own is not None else set()
    for what, ts in (('parameter', ws), ('gradient', gs)):
        for i, t in enumerate(ts):
            if t.nElement() and t.storage() in _flat_storages and id(t.storage()) not in mine:
                raise RuntimeError(
                    f"getParameters: {what} {i} (size {fmt_size(t.size())}) already lives in "
                    f"the flat vector of another getParameters() call (on a sub-module?); "
                    f"flattening it again would silently detach that vector. Call "
                    f"getParameters() on each part you optimise separately, or call "
                    f"releaseFlatParameters() on the module that flattened it first.")


def getParameters(module):
    ws, gs = module.parameters()
    for i, (w, g) in enumerate(zip(ws, gs)):
        if g is None:
            raise ValueError(f"getParameters: parameter {i} (size {fmt_size(w.size())}) has no "
                             f"gradient tensor")
    cached = module.__dict__.get('_flatParameters')
    if cached is not None and _lives_in(ws, cached[0]) and _lives_in(gs, cached[1]):
        return cached
    if not ws:
        empty = torch.Tensor()
        return empty, torch.Tensor()
    wplan = _plan(ws, 'parameter')
    gplan = _plan(gs, 'gradient')
    if wplan[1] != gplan[1]:
        raise ValueError(
            f"getParameters: the parameters hold {wplan[1]} values but the gradients "
            f"{gplan[1]}; when modules share weights they must share their gradients too "
            f"(clone('weight', 'bias', 'gradWeight', 'gradBias') or share the same names)")
    for i, (a, b) in enumerate(zip(wplan[3], gplan[3])):
        if a != b:
            raise ValueError(f"getParameters: misaligned parameter at {i}: weights and "
                             f"gradients are shared differently (offset {a} vs {b})")
    _check_not_flattened_elsewhere(ws, gs, cached)
    release(module)
    flat = _apply(ws, wplan), _apply(gs, gplan)
    for t in flat:
        _flat_storages.add(t.storage())
    module.__dict__['_flatParameters'] = flat
    return flat
