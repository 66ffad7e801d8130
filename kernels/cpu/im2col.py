"""im2col / col2im: the unfold behind convolution as one matrix product (THNN's unfold.c idea).

Every image is seen as 3-D (T x H x W; a spatial image has T = 1), so one pair of kernels serves
spatial, volumetric and (through SpatialFullConvolution) transposed convolution:

  x     [N, C, T, H, W]   contiguous input (or gradInput) images
  cols  entry (r, n, p) for row r = (c, kt, ki, kj), sample n, output position p = (ot, oh, ow):

  cols[r*rs + n*ss + p] = x[n, c, ot*dT - pT + kt, oh*dH - pH + ki, ow*dW - pW + kj]
                                                                     (0 outside the image)
Two layouts through the strides (rs, ss), with P = oT*oH*oW and K = C*kT*kH*kW:
  batch    [K, N*P]  rs = N*P, ss = P    the whole batch is ONE GEMM (weight [nOut, K] @ cols),
                                         which keeps BLAS busy on both cores for small images;
  stacked  [N, K, P] rs = P, ss = K*P    one GEMM per sample (numpy's stacked matmul), writing
                                         straight into an N x nOut x P output: faster when each
                                         sample's product is already wide (P >= K).
col2im is the adjoint: it sums every column entry back onto the pixel it came from.

Arguments: x and cols flattened (1-D views), the sizes N, C, T, H, W, the kernel (kT, kH, kW),
stride (dT, dH, dW), padding (pT, pH, pW), the output grid (oT, oH, oW: given, not derived, so
that SpatialFullConvolution can use the kernels with its own geometry) and the strides rs, ss.

The kernels are serial on purpose. Parallel (prange) versions were measured on 2 cores inside
LeNet's and the tutorial net's conv layers and made a step 2-3 times SLOWER (LeNet 11.5 ms ->
35-50 ms): numba's OpenMP workers and OpenBLAS's threads both spin-wait after their calls and
take the cores from each other. The GEMMs, which are most of the time, keep both cores busy
through BLAS; the kernels run between them on the calling thread (and release the GIL, so
`threads` workers can run them side by side).
"""
from numba import njit, uint64

_JIT = dict(cache=True, nogil=True)


@njit(**_JIT)
def _valid_range(o_count, stride, pad, k_off, size):
    """[lo, hi): the output positions o whose input position o*stride - pad + k_off lies inside
    [0, size)."""
    first = k_off - pad
    lo = 0
    if first < 0:
        lo = (-first + stride - 1) // stride
    hi = 0
    if size - 1 - first >= 0:
        hi = (size - 1 - first) // stride + 1
    if hi > o_count:
        hi = o_count
    if lo > hi:
        lo = hi
    return lo, hi


# Indexing with uint64 values tells numba an index is never negative, which drops its
# wrap-around test from the inner loops and lets LLVM vectorise the row copies (measured 1.9 ms
# -> 1.0 ms for LeNet's second layer, 500 x 4096 floats; numpy's strided copy takes 1.4 ms).
@njit(**_JIT)
def im2col(xf, cf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW, rs, ss):
    """cols = im2col(x) (see the module docstring); every entry of cols is written."""
    per_plane = oH * oW
    for r in range(C * kT * kH * kW):
        kj = r % kW
        q = r // kW
        ki = q % kH
        q = q // kH
        kt = q % kT
        c = q // kT
        lo, hi = _valid_range(oW, dW, pW, kj, W)
        hlo, hhi = _valid_range(oH, dH, pH, ki, H)
        for n in range(N):
            col = r * rs + n * ss
            for ot in range(oT):
                it = ot * dT - pT + kt
                if it < 0 or it >= T:
                    for i in range(per_plane):
                        cf[uint64(col + i)] = 0
                    col += per_plane
                    continue
                for i in range(hlo * oW):
                    cf[uint64(col + i)] = 0
                col += hlo * oW
                src = (((n * C + c) * T + it) * H + hlo * dH - pH + ki) * W + kj - pW
                for oh in range(hlo, hhi):
                    for ow in range(lo):
                        cf[uint64(col + ow)] = 0
                    if dW == 1:
                        for ow in range(hi - lo):
                            cf[uint64(col + lo + ow)] = xf[uint64(src + lo + ow)]
                    else:
                        for ow in range(lo, hi):
                            cf[uint64(col + ow)] = xf[uint64(src + ow * dW)]
                    for ow in range(hi, oW):
                        cf[uint64(col + ow)] = 0
                    col += oW
                    src += dH * W
                for i in range((oH - hhi) * oW):
                    cf[uint64(col + i)] = 0
                col += (oH - hhi) * oW


@njit(**_JIT)
def col2im(cf, xf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW, rs, ss):
    """x = col2im(cols): x is overwritten (each plane is zeroed, then accumulated into)."""
    plane_size = T * H * W
    for p in range(N * C):
        n = p // C
        c = p % C
        plane = p * plane_size
        for i in range(plane_size):
            xf[uint64(plane + i)] = 0
        for kt in range(kT):
            for ki in range(kH):
                hlo, hhi = _valid_range(oH, dH, pH, ki, H)
                for kj in range(kW):
                    lo, hi = _valid_range(oW, dW, pW, kj, W)
                    r = ((c * kT + kt) * kH + ki) * kW + kj
                    for ot in range(oT):
                        it = ot * dT - pT + kt
                        if it < 0 or it >= T:
                            continue
                        col = r * rs + n * ss + (ot * oH + hlo) * oW
                        dst = plane + (it * H + hlo * dH - pH + ki) * W + kj - pW
                        for oh in range(hlo, hhi):
                            if dW == 1:
                                for ow in range(hi - lo):
                                    xf[uint64(dst + lo + ow)] += cf[uint64(col + lo + ow)]
                            else:
                                for ow in range(lo, hi):
                                    xf[uint64(dst + ow * dW)] += cf[uint64(col + ow)]
                            col += oW
                            dst += dH * W
