"""Max and average pooling over 3-D windows, forward and backward.

One set of kernels serves every pooling module: spatial images are T = 1 volumes, temporal
sequences are 1 x 1 x T volumes, and the window of each output position is given by per-axis
tables (start and end index for each output index, already clipped to the image), so padding,
ceil mode and adaptive pooling are all just different tables computed once per shape by the
caller. The average's divisor is the product of per-axis counts (count_include_pad or not).

Layouts (all contiguous, flattened):
  x / gradInput    [P, T, H, W]     P = batch * planes
  out / gradOutput [P, oT, oH, oW]
  ind              [P, oT, oH, oW]  int64: position of the max inside its plane, (t*H + h)*W + w

Max pooling keeps the first maximum of a window (strict >), as THNN and PyTorch do, and
propagates NaN (a NaN in the window wins).

Serial on purpose, like the im2col kernels (see kernels/cpu/im2col.py: parallel versions were
measured slower on 2 cores next to multi-threaded BLAS).
"""
from numba import njit, uint64

_JIT = dict(cache=True, nogil=True)


@njit(**_JIT)
def _better(v, best):
    """v replaces the running max: it is larger, or NaN (and once best is NaN it stays)."""
    return best == best and not v <= best


@njit(**_JIT)
def max_pool(xf, of, indf, P, T, H, W, oT, oH, oW, ts, te, hs, he, ws, we):
    """out, ind = max over each window (ind: position of the max in its plane)."""
    in_plane = T * H * W
    out_plane = oT * oH * oW
    for p in range(P):
        ib = p * in_plane
        o = p * out_plane
        for ot in range(oT):
            t0 = ts[ot]
            t1 = te[ot]
            for oh in range(oH):
                h0 = hs[oh]
                h1 = he[oh]
                for ow in range(oW):
                    w0 = ws[ow]
                    w1 = we[ow]
                    r0 = (t0 * H + h0) * W + w0
                    best = xf[uint64(ib + r0)]
                    bi = r0
                    if t1 - t0 == 1 and h1 - h0 == 2 and w1 - w0 == 2:
                        # the common 2x2 window, unrolled (measured 2x faster than the loops)
                        r1 = r0 + W
                        v = xf[uint64(ib + r0 + 1)]
                        if _better(v, best):
                            best = v
                            bi = r0 + 1
                        v = xf[uint64(ib + r1)]
                        if _better(v, best):
                            best = v
                            bi = r1
                        v = xf[uint64(ib + r1 + 1)]
                        if _better(v, best):
                            best = v
                            bi = r1 + 1
                    else:
                        for it in range(t0, t1):
                            for ih in range(h0, h1):
                                row = (it * H + ih) * W
                                for iw in range(w0, w1):
                                    v = xf[uint64(ib + row + iw)]
                                    if _better(v, best):
                                        best = v
                                        bi = row + iw
                    of[uint64(o)] = best
                    indf[uint64(o)] = bi
                    o += 1


@njit(**_JIT)
def max_pool_backward(gof, indf, gif, P, in_plane, out_plane):
    """gradInput (overwritten) = scatter-add of gradOutput at the indices."""
    for p in range(P):
        ib = p * in_plane
        for i in range(in_plane):
            gif[uint64(ib + i)] = 0
        ob = p * out_plane
        for o in range(out_plane):
            gif[uint64(ib + indf[uint64(ob + o)])] += gof[uint64(ob + o)]


@njit(**_JIT)
def avg_pool(xf, of, P, T, H, W, oT, oH, oW, ts, te, hs, he, ws, we, ct, ch, cw):
    """out = window sums / (ct[ot] * ch[oh] * cw[ow])."""
    in_plane = T * H * W
    out_plane = oT * oH * oW
    if P == 0:
        return
    zero = xf[0] * 0   # float64 for both types (numba promotes float32 * int): THNN summed in float32
    for p in range(P):
        ib = p * in_plane
        o = p * out_plane
        for ot in range(oT):
            for oh in range(oH):
                for ow in range(oW):
                    s = zero
                    for it in range(ts[ot], te[ot]):
                        for ih in range(hs[oh], he[oh]):
                            row = ib + (it * H + ih) * W
                            for iw in range(ws[ow], we[ow]):
                                s += xf[uint64(row + iw)]
                    of[uint64(o)] = s / (ct[ot] * ch[oh] * cw[ow])
                    o += 1


@njit(**_JIT)
def avg_pool_backward(gof, gif, P, T, H, W, oT, oH, oW, ts, te, hs, he, ws, we, ct, ch, cw):
    """gradInput (overwritten) = each gradOutput spread evenly over its window."""
    in_plane = T * H * W
    out_plane = oT * oH * oW
    for p in range(P):
        ib = p * in_plane
        for i in range(in_plane):
            gif[uint64(ib + i)] = 0
        o = p * out_plane
        for ot in range(oT):
            for oh in range(oH):
                for ow in range(oW):
                    g = gof[uint64(o)] / (ct[ot] * ch[oh] * cw[ow])
                    for it in range(ts[ot], te[ot]):
                        for ih in range(hs[oh], he[oh]):
                            row = ib + (it * H + ih) * W
                            for iw in range(ws[ow], we[ow]):
                                gif[uint64(row + iw)] += g
                    o += 1
