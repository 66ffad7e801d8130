"""im2col / col2im: the unfold behind convolution as one matrix product (THNN's unfold.c idea).

Every image is seen as 3-D (T x H x W; a spatial image has T = 1), so one pair of kernels serves
spatial, volumetric and (through SpatialFullConvolution) transposed convolution:

  x     [N, C, T, H, W]                 contiguous input (or gradInput) images
  cols  [C*kT*kH*kW, N*oT*oH*oW]        row r = (c, kt, ki, kj), column q = (n, ot, oh, ow)

  cols[r, q] = x[n, c, ot*dT - pT + kt, oh*dH - pH + ki, ow*dW - pW + kj]   (0 outside the image)

With the batch laid out along the columns, a convolution of the whole batch is ONE GEMM
(weight [nOut, C*kT*kH*kW] @ cols), which keeps BLAS busy on both cores even for small images.
col2im is the adjoint: it sums every column entry back onto the pixel it came from.

Each kernel has a serial body over a range of work items and a parallel driver (prange over
contiguous chunks): im2col splits the rows (each chunk writes its own rows of cols), col2im splits
the (n, c) planes (each chunk writes its own planes of x, so no two threads add to one pixel).
`ParallelRunner` picks serial or parallel per call from measured times.
"""
import threading
import time

import numba
from numba import njit, prange, uint64

_JIT = dict(cache=True, nogil=True)
_PJIT = dict(cache=True, nogil=True, parallel=True)


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
def _im2col_rows(xf, cf, N, C, T, H, W, r0, r1, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW):
    per_plane = oH * oW
    Q = N * oT * per_plane
    for r in range(r0, r1):
        kj = r % kW
        q = r // kW
        ki = q % kH
        q = q // kH
        kt = q % kT
        c = q // kT
        lo, hi = _valid_range(oW, dW, pW, kj, W)
        hlo, hhi = _valid_range(oH, dH, pH, ki, H)
        col = r * Q
        for n in range(N):
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
def _col2im_planes(cf, xf, N, C, T, H, W, p0, p1, kT, kH, kW, dT, dH, dW, pT, pH, pW,
                   oT, oH, oW):
    per_sample = oT * oH * oW
    Q = N * per_sample
    plane_size = T * H * W
    for p in range(p0, p1):
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
                        col = r * Q + n * per_sample + (ot * oH + hlo) * oW
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


# -- drivers ----------------------------------------------------------------------------------------
# Arguments: x flattened from a contiguous [N, C, T, H, W] array, cols flattened from a contiguous
# [C*kT*kH*kW, N*oT*oH*oW] array, then the sizes N, C, T, H, W, the kernel (kT, kH, kW), stride
# (dT, dH, dW), padding (pT, pH, pW) and the output grid (oT, oH, oW). The grid is given, not
# derived, so that SpatialFullConvolution can use the same kernels with its own geometry.
@njit(**_JIT)
def im2col_serial(xf, cf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW):
    _im2col_rows(xf, cf, N, C, T, H, W, 0, C * kT * kH * kW, kT, kH, kW, dT, dH, dW, pT, pH, pW,
                 oT, oH, oW)


@njit(**_PJIT)
def im2col_parallel(xf, cf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW,
                    nchunks):
    R = C * kT * kH * kW
    for ch in prange(nchunks):
        _im2col_rows(xf, cf, N, C, T, H, W, ch * R // nchunks, (ch + 1) * R // nchunks,
                     kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW)


@njit(**_JIT)
def col2im_serial(cf, xf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW):
    """x = col2im(cols): x is overwritten (each plane is zeroed, then accumulated into)."""
    _col2im_planes(cf, xf, N, C, T, H, W, 0, N * C, kT, kH, kW, dT, dH, dW, pT, pH, pW,
                   oT, oH, oW)


@njit(**_PJIT)
def col2im_parallel(cf, xf, N, C, T, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW,
                    nchunks):
    P = N * C
    for ch in prange(nchunks):
        _col2im_planes(cf, xf, N, C, T, H, W, ch * P // nchunks, (ch + 1) * P // nchunks,
                       kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW)


# -- serial or parallel ------------------------------------------------------------------------------
class ParallelRunner:
    """Calls `serial(*args)` or `parallel(*args, nchunks)`, whichever has been faster lately.

    Waking numba's thread pool costs tens of microseconds, and on a machine whose other cores are
    busy a parallel call waits for a descheduled worker (measured up to 10x slower than serial).
    So work below `min_items` always runs serially, calls from threads other than the main one
    too (there the threads are the parallelism: Hogwild), and otherwise the runner keeps a moving
    average of the time per item in each mode, re-tries the other mode every RECHECK calls and
    uses the faster one. Both modes compute the same values, so the choice never shows.
    """
    RECHECK = 16
    DECAY = 0.8
    force = None            # 'serial' or 'parallel' pins every runner (tests, benchmarks)

    def __init__(self, serial, parallel, min_items):
        self.serial = serial
        self.parallel = parallel
        self.min_items = min_items
        self.calls = 0
        # start serial: a process's first calls then load no parallel code and start no thread
        # pool (start-up time), and the parallel mode gets its first trial at call RECHECK
        self.use_parallel = False
        self.avg = [None, None]          # seconds per item: [serial, parallel]
        self.tried = [0, 0]

    def __call__(self, items, *args):
        force = ParallelRunner.force
        if force is not None:
            if force == 'parallel':
                self.parallel(*args, max(numba.get_num_threads(), 1))
            else:
                self.serial(*args)
            return
        if items < self.min_items or threading.current_thread() is not _MAIN:
            self.serial(*args)
            return
        nthreads = numba.get_num_threads()
        if nthreads < 2:
            self.serial(*args)
            return
        self.calls += 1
        par = self.use_parallel != (self.calls % self.RECHECK == 0)
        t0 = time.perf_counter()
        if par:
            self.parallel(*args, nthreads)
        else:
            self.serial(*args)
        if self.tried[par] < 2:
            self.tried[par] += 1
            return                       # a mode's first calls load code, start threads: untypical
        dt = (time.perf_counter() - t0) / items
        old = self.avg[par]
        self.avg[par] = dt if old is None else self.DECAY * old + (1 - self.DECAY) * dt
        if self.avg[0] is not None and self.avg[1] is not None:
            self.use_parallel = self.avg[1] < self.avg[0]


_MAIN = threading.main_thread()

# below ~256K copied elements a parallel call does not pay for waking the pool
im2col = ParallelRunner(im2col_serial, im2col_parallel, 1 << 18)
col2im = ParallelRunner(col2im_serial, col2im_parallel, 1 << 18)
