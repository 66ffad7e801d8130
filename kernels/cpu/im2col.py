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
from numba import njit, prange

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


@njit(**_JIT)
def _im2col_rows(x, cols, r0, r1, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW):
    N, C, T, H, W = x.shape
    for r in range(r0, r1):
        kj = r % kW
        q = r // kW
        ki = q % kH
        q = q // kH
        kt = q % kT
        c = q // kT
        lo, hi = _valid_range(oW, dW, pW, kj, W)
        row = cols[r]
        col = 0
        for n in range(N):
            for ot in range(oT):
                it = ot * dT - pT + kt
                for oh in range(oH):
                    ih = oh * dH - pH + ki
                    if it < 0 or it >= T or ih < 0 or ih >= H:
                        for ow in range(oW):
                            row[col + ow] = 0
                    else:
                        src = x[n, c, it, ih]
                        for ow in range(lo):
                            row[col + ow] = 0
                        if dW == 1:
                            shift = kj - pW
                            for ow in range(lo, hi):
                                row[col + ow] = src[ow + shift]
                        else:
                            for ow in range(lo, hi):
                                row[col + ow] = src[ow * dW - pW + kj]
                        for ow in range(hi, oW):
                            row[col + ow] = 0
                    col += oW


@njit(**_JIT)
def _col2im_planes(cols, x, p0, p1, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW):
    N, C, T, H, W = x.shape
    per_sample = oT * oH * oW
    for p in range(p0, p1):
        n = p // C
        c = p % C
        plane = x[n, c]
        for it in range(T):
            for ih in range(H):
                line = plane[it, ih]
                for iw in range(W):
                    line[iw] = 0
        for kt in range(kT):
            for ki in range(kH):
                for kj in range(kW):
                    r = ((c * kT + kt) * kH + ki) * kW + kj
                    lo, hi = _valid_range(oW, dW, pW, kj, W)
                    row = cols[r]
                    col = n * per_sample
                    for ot in range(oT):
                        it = ot * dT - pT + kt
                        for oh in range(oH):
                            ih = oh * dH - pH + ki
                            if 0 <= it < T and 0 <= ih < H:
                                dst = plane[it, ih]
                                if dW == 1:
                                    shift = kj - pW
                                    for ow in range(lo, hi):
                                        dst[ow + shift] += row[col + ow]
                                else:
                                    for ow in range(lo, hi):
                                        dst[ow * dW - pW + kj] += row[col + ow]
                            col += oW


# -- drivers ----------------------------------------------------------------------------------------
@njit(**_JIT)
def im2col_serial(x, cols, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW):
    _im2col_rows(x, cols, 0, cols.shape[0], kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW)


@njit(**_PJIT)
def im2col_parallel(x, cols, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW, nchunks):
    R = cols.shape[0]
    for ch in prange(nchunks):
        _im2col_rows(x, cols, ch * R // nchunks, (ch + 1) * R // nchunks,
                     kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW)


@njit(**_JIT)
def col2im_serial(cols, x, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW):
    """x = col2im(cols): x is overwritten (every plane is zeroed, then accumulated into)."""
    _col2im_planes(cols, x, 0, x.shape[0] * x.shape[1], kT, kH, kW, dT, dH, dW, pT, pH, pW,
                   oT, oH, oW)


@njit(**_PJIT)
def col2im_parallel(cols, x, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW, nchunks):
    P = x.shape[0] * x.shape[1]
    for ch in prange(nchunks):
        _col2im_planes(cols, x, ch * P // nchunks, (ch + 1) * P // nchunks,
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

    def __init__(self, serial, parallel, min_items):
        self.serial = serial
        self.parallel = parallel
        self.min_items = min_items
        self.calls = 0
        self.use_parallel = True
        self.avg = [None, None]          # seconds per item: [serial, parallel]

    def __call__(self, items, *args):
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
        if self.calls <= 2:
            return                       # first calls load code and start threads: not typical
        dt = (time.perf_counter() - t0) / items
        old = self.avg[par]
        self.avg[par] = dt if old is None else self.DECAY * old + (1 - self.DECAY) * dt
        if self.avg[0] is not None and self.avg[1] is not None:
            self.use_parallel = self.avg[1] < self.avg[0]


_MAIN = threading.main_thread()

# below ~256K copied elements a parallel call does not pay for waking the pool
im2col = ParallelRunner(im2col_serial, im2col_parallel, 1 << 18)
col2im = ParallelRunner(col2im_serial, col2im_parallel, 1 << 18)
