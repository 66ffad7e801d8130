"""Max and average pooling on the device: the CUDA twins of kernels/cpu/pooling.py (same
launchers, arguments and layouts; the window tables ts/te/hs/he/ws/we and the divisor counts
ct/ch/cw are the int64 tables of nn/pooling.py).

  x / gradInput    [P, T, H, W]     flattened, contiguous
  out / gradOutput [P, oT, oH, oW]
  ind              [P, oT, oH, oW]  int64: position of the max inside its plane, (t*H + h)*W + w

Forward passes give each output element one thread that walks its window in the CPU's order,
so max pooling's values, first-maximum-wins tie rule, NaN propagation and indices are exactly
the CPU's; average pooling sums in float32 (the CPU kernel's sums come out float64, since
numba types `xf[0] * 0` as float64), so averages agree to float32 rounding. Backward passes
zero gradInput and scatter every gradOutput element into its window with atomic adds (windows
overlap), so their float32 sums may differ from the CPU's in the last bits (the order of the
additions is not fixed).

Tables may be given as numpy arrays: read-only ones (nn/pooling.py freezes its cached tables)
are copied to the device once and kept; writeable ones are copied at every call.
"""
import numpy as np
from numba import cuda, float32

from .launch import grid_1d
from .memory import fill_flat

_ZERO = float32(0)


@cuda.jit(device=True, cache=True)
def _window_of(o, in_plane, out_plane, oH, oW):
    """(start of its input plane, ot, oh, ow) for flat output index o: the window's place."""
    p = o // out_plane
    q = o - p * out_plane
    ow = q % oW
    q = q // oW
    return p * in_plane, q // oH, q % oH, ow


# The forward and scatter kernels walk the same windows; one kernel for both would test its
# mode in the innermost loop, so they stay apart and share only _window_of.
@cuda.jit(cache=True)
def _max_pool(xf, of, indf, P, T, H, W, oT, oH, oW, ts, te, hs, he, ws, we):
    in_plane = T * H * W
    out_plane = oT * oH * oW
    total = P * out_plane
    o = cuda.grid(1)
    while o < total:
        ib, ot, oh, ow = _window_of(o, in_plane, out_plane, oH, oW)
        r0 = (ts[ot] * H + hs[oh]) * W + ws[ow]
        best = xf[ib + r0]
        bi = r0
        for it in range(ts[ot], te[ot]):
            for ih in range(hs[oh], he[oh]):
                row = (it * H + ih) * W
                for iw in range(ws[ow], we[ow]):
                    v = xf[ib + row + iw]
                    # v wins if larger, or NaN; once the best is NaN it stays (CPU `_better`)
                    if best == best and not v <= best:
                        best = v
                        bi = row + iw
        of[o] = best
        indf[o] = bi
        o += cuda.gridsize(1)


@cuda.jit(cache=True)
def _max_pool_scatter(gof, indf, gif, P, in_plane, out_plane):
    total = P * out_plane
    o = cuda.grid(1)
    while o < total:
        p = o // out_plane
        cuda.atomic.add(gif, p * in_plane + indf[o], gof[o])
        o += cuda.gridsize(1)


@cuda.jit(cache=True)
def _avg_pool(xf, of, P, T, H, W, oT, oH, oW, ts, te, hs, he, ws, we, ct, ch, cw):
    in_plane = T * H * W
    out_plane = oT * oH * oW
    total = P * out_plane
    o = cuda.grid(1)
    while o < total:
        ib, ot, oh, ow = _window_of(o, in_plane, out_plane, oH, oW)
        s = _ZERO
        for it in range(ts[ot], te[ot]):
            for ih in range(hs[oh], he[oh]):
                row = ib + (it * H + ih) * W
                for iw in range(ws[ow], we[ow]):
                    s += xf[row + iw]
        of[o] = s / float32(ct[ot] * ch[oh] * cw[ow])
        o += cuda.gridsize(1)


@cuda.jit(cache=True)
def _avg_pool_scatter(gof, gif, P, T, H, W, oT, oH, oW, ts, te, hs, he, ws, we, ct, ch, cw):
    in_plane = T * H * W
    out_plane = oT * oH * oW
    total = P * out_plane
    o = cuda.grid(1)
    while o < total:
        ib, ot, oh, ow = _window_of(o, in_plane, out_plane, oH, oW)
        g = gof[o] / float32(ct[ot] * ch[oh] * cw[ow])
        for it in range(ts[ot], te[ot]):
            for ih in range(hs[oh], he[oh]):
                row = ib + (it * H + ih) * W
                for iw in range(ws[ow], we[ow]):
                    cuda.atomic.add(gif, row + iw, g)
        o += cuda.gridsize(1)


# -- tables on the device --------------------------------------------------------------------------
_TABLES = {}          # id(frozen numpy table) -> (the table, its device copy)
_TABLES_MAX = 4096


def _table(a):
    """A device copy of an int64 window table (cached for read-only numpy tables)."""
    if not isinstance(a, np.ndarray):
        return a                                    # already on the device
    if a.flags.writeable:
        return cuda.to_device(np.ascontiguousarray(a, dtype=np.int64))
    hit = _TABLES.get(id(a))
    if hit is None or hit[0] is not a:
        if len(_TABLES) >= _TABLES_MAX:
            _TABLES.clear()
        hit = _TABLES[id(a)] = (a, cuda.to_device(np.ascontiguousarray(a, dtype=np.int64)))
    return hit[1]


def _tables(*arrays):
    return tuple(_table(a) for a in arrays)


def _check(what, xf, of, P, T, H, W, oT, oH, oW, tables):
    need_in, need_out = P * T * H * W, P * oT * oH * oW
    if xf.size < need_in or of.size < need_out:
        raise ValueError(f"{what}: planes [{P} x {T} x {H} x {W}] -> [{P} x {oT} x {oH} x {oW}] "
                         f"need {need_in} and {need_out} elements, got {xf.size} and {of.size}")
    for a, o in zip(tables, (oT, oT, oH, oH, oW, oW)):
        if a.size < o:
            raise ValueError(f"{what}: a window table has {a.size} entries for an output axis "
                             f"of {o}")


# -- launchers ---------------------------------------------------------------------------------
def max_pool(xf, of, indf, P, T, H, W, oT, oH, oW, ts, te, hs, he, ws, we):
    """out, ind = max over each window (ind: int64 position of the max in its plane)."""
    tables = _tables(ts, te, hs, he, ws, we)
    _check('max_pool', xf, of, P, T, H, W, oT, oH, oW, tables)
    if indf.size < P * oT * oH * oW:
        raise ValueError(f"max_pool: indices have {indf.size} elements, need "
                         f"{P * oT * oH * oW}")
    blocks, threads = grid_1d(P * oT * oH * oW)
    _max_pool[blocks, threads](xf, of, indf, P, T, H, W, oT, oH, oW, *tables)


def max_pool_backward(gof, indf, gif, P, in_plane, out_plane):
    """gradInput (overwritten) = scatter-add of gradOutput at the indices (which must come from
    max_pool: each lies inside its plane)."""
    if gif.size < P * in_plane or gof.size < P * out_plane or indf.size < P * out_plane:
        raise ValueError(f"max_pool_backward: {P} planes of {in_plane} in / {out_plane} out need "
                         f"{P * in_plane} and {P * out_plane} elements, got gradInput "
                         f"{gif.size}, gradOutput {gof.size}, indices {indf.size}")
    fill_flat(gif, 0, P * in_plane)
    blocks, threads = grid_1d(P * out_plane)
    _max_pool_scatter[blocks, threads](gof, indf, gif, P, in_plane, out_plane)


def avg_pool(xf, of, P, T, H, W, oT, oH, oW, ts, te, hs, he, ws, we, ct, ch, cw):
    """out = window sums / (ct[ot] * ch[oh] * cw[ow])."""
    tables = _tables(ts, te, hs, he, ws, we, ct, ch, cw)
    _check('avg_pool', xf, of, P, T, H, W, oT, oH, oW, tables[:6])
    blocks, threads = grid_1d(P * oT * oH * oW)
    _avg_pool[blocks, threads](xf, of, P, T, H, W, oT, oH, oW, *tables)


def avg_pool_backward(gof, gif, P, T, H, W, oT, oH, oW, ts, te, hs, he, ws, we, ct, ch, cw):
    """gradInput (overwritten) = each gradOutput spread evenly over its window."""
    tables = _tables(ts, te, hs, he, ws, we, ct, ch, cw)
    _check('avg_pool_backward', gif, gof, P, T, H, W, oT, oH, oW, tables[:6])
    fill_flat(gif, 0, P * T * H * W)
    blocks, threads = grid_1d(P * oT * oH * oW)
    _avg_pool_scatter[blocks, threads](gof, gif, P, T, H, W, oT, oH, oW, *tables)
