"""im2col / col2im on the device: the CUDA twins of kernels/cpu/im2col.py (same launchers,
same arguments, same layouts; read that module's docstring for the geometry).

  x     [N, C, T, H, W]   contiguous images, flattened (1-D device array)
  cols  entry (r, n, p) at r*rs + n*ss + p, r = (c, kt, ki, kj), p = (ot, oh, ow)

im2col gives every column entry one thread (consecutive threads walk consecutive output
positions p, so reads and writes stay close together). col2im gives every input pixel one
thread that gathers its contributions in (kt, ki, kj) order, the order in which the CPU kernel
adds them: no atomics, and the sums are bit-identical to the CPU's.
"""
from numba import cuda, float32

from .launch import grid_1d

_ZERO = float32(0)

# The two kernels only look alike: im2col splits its column index into (c, kt, ki, kj, n, ot,
# oh, ow) and gathers one pixel, col2im splits a pixel index and sums its column entries, so
# the index arithmetic is all they share.


@cuda.jit(cache=True)
def _im2col(xf, cf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW, rs, ss):
    P = oT * oH * oW
    NP = N * P
    total = C * kT * kH * kW * NP
    e = cuda.grid(1)
    while e < total:
        r = e // NP
        q = e - r * NP
        n = q // P
        p = q - n * P
        ow = p % oW
        q = p // oW
        oh = q % oH
        ot = q // oH
        kj = r % kW
        q = r // kW
        ki = q % kH
        q = q // kH
        kt = q % kT
        c = q // kT
        it = ot * dT - pT + kt
        ih = oh * dH - pH + ki
        iw = ow * dW - pW + kj
        v = _ZERO
        if 0 <= it < T and 0 <= ih < H and 0 <= iw < W:
            v = xf[(((n * C + c) * T + it) * H + ih) * W + iw]
        cf[r * rs + n * ss + p] = v
        e += cuda.gridsize(1)


@cuda.jit(cache=True)
def _col2im(cf, xf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW, rs, ss):
    total = N * C * T * H * W
    e = cuda.grid(1)
    while e < total:
        iw = e % W
        q = e // W
        ih = q % H
        q = q // H
        it = q % T
        q = q // T
        c = q % C
        n = q // C
        acc = _ZERO
        for kt in range(kT):
            a = it + pT - kt                 # = ot * dT for the output that reads this pixel
            if a < 0 or a % dT != 0 or a // dT >= oT:
                continue
            ot = a // dT
            for ki in range(kH):
                b = ih + pH - ki
                if b < 0 or b % dH != 0 or b // dH >= oH:
                    continue
                oh = b // dH
                for kj in range(kW):
                    d = iw + pW - kj
                    if d < 0 or d % dW != 0 or d // dW >= oW:
                        continue
                    ow = d // dW
                    r = ((c * kT + kt) * kH + ki) * kW + kj
                    acc += cf[r * rs + n * ss + (ot * oH + oh) * oW + ow]
        xf[e] = acc
        e += cuda.gridsize(1)


def _check(xf, cf, N, C, T, H, W, kT, kH, kW, oT, oH, oW, rs, ss):
    """The device has no bounds checks: refuse arrays too small for the geometry."""
    P = oT * oH * oW
    K = C * kT * kH * kW
    need_x = N * C * T * H * W
    need_c = (K - 1) * rs + (N - 1) * ss + P if K and N and P else 0
    if xf.size < need_x or cf.size < need_c:
        raise ValueError(f"im2col: images [{N} x {C} x {T} x {H} x {W}] need {need_x} elements "
                         f"and columns ({K} rows, strides {rs}, {ss}) need {need_c}, got "
                         f"{xf.size} and {cf.size}")


def im2col(xf, cf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW, rs, ss):
    """cols = im2col(x); every entry of cols (of the K x N x P described) is written."""
    _check(xf, cf, N, C, T, H, W, kT, kH, kW, oT, oH, oW, rs, ss)
    blocks, threads = grid_1d(C * kT * kH * kW * N * oT * oH * oW)
    _im2col[blocks, threads](xf, cf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW,
                             oT, oH, oW, rs, ss)


def col2im(cf, xf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW, rs, ss):
    """x = col2im(cols): x is overwritten with the sum of the column entries of each pixel."""
    _check(xf, cf, N, C, T, H, W, kT, kH, kW, oT, oH, oW, rs, ss)
    blocks, threads = grid_1d(N * C * T * H * W)
    _col2im[blocks, threads](cf, xf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW,
                             oT, oH, oW, rs, ss)
