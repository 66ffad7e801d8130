"""nn.SpatialConvolution and nn.SpatialConvolutionMM: 2-D convolution as unfold + GEMM.

How a batch goes through (THNN's SpatialConvolutionMM; K = nIn*kH*kW, P = oH*oW):

  forward    finput = im2col(input)
             output = weight2d @ finput + bias
  backward   fgradInput = weight2d^T @ gradOutput; gradInput = col2im(fgradInput)
             gradWeight += scale * gradOutput @ finput^T   (finput from forward: no 2nd im2col)
             gradBias   += scale * sums of gradOutput

with finput in one of two layouts (ConvGeometry): [K, N*P], the whole batch in ONE GEMM (the
output and gradOutput then go through one transposing copy each), or [N, K, P], one GEMM per
sample straight into the output when each sample's product is already wide (P >= K, first
layers): whichever measured faster on 2 cores for LeNet's and the Torch7 tutorial's layers.
The work around the GEMMs (unfold, col2im, transposes, per-sample GEMMs) can run on two halves
of the batch side by side (`split`, below). All big temporaries are module-owned buffers,
resized, never reallocated per call. The machinery is shared with VolumetricConvolution
(nn/volumetric.py): every image is a T x H x W volume, a spatial one has T = 1.

Setting `module.gradInput = None` skips the input gradient, as in Torch7 (useful for the first
layer of a network, whose input gradient nobody reads).
"""
import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import torchlike as torch
from torchlike._core import fmt_size, wrap
from torchlike.types import class_for_dtype
from kernels.cpu import im2col as _k

from .checks import check_same_type, planes_input
from .module import Module


# -- helpers shared by the convolution modules ---------------------------------------------------
class SampleSplitter:
    """`split(fn, n, work)` runs fn(lo, hi) over [0, n), either at once or in two halves with
    the second on a helper thread, whichever has been faster lately at that call site.

    The numba kernels release the GIL and so do numpy's copies and small matrix products, so
    halves can run side by side: the unfold, col2im, pooling and transposes between the big
    GEMMs (which BLAS spreads over the cores itself), and the per-sample GEMMs of the stacked
    layout, too small for BLAS to thread (2.0 -> 1.0 ms for the tutorial net's first layer
    forward, measured alone). A blocked helper thread costs nothing (numba's prange workers
    spin, and were measured 2-3x slower next to BLAS). Whether halves pay inside a network
    depends on OpenBLAS: its workers spin for a while after each GEMM (OPENBLAS_THREAD_TIMEOUT,
    read when numpy loads OpenBLAS) and hold the other core meanwhile. Measured on 2 cores, the
    tutorial net's conv+pool forward+backward: 34-35 ms with or without halves under the default
    timeout, 29 ms with halves and OPENBLAS_THREAD_TIMEOUT=4. Hence the choice per call site
    from measured time per unit of work (a moving average per mode, the other mode retried
    every RECHECK calls; both give identical results). When the helper has not started by the
    time the first half is done (its core is busy), the caller cancels it and does the second
    half itself. Only the main thread splits, only work >= min_work, only with 2+ cores;
    `enabled = False` turns splitting off, `force = 'halves'` or `'whole'` pins the choice."""
    min_work = 1 << 15
    RECHECK = 16
    DECAY = 0.8
    force = None

    def __init__(self):
        try:
            self.enabled = len(os.sched_getaffinity(0)) > 1
        except AttributeError:                       # platforms without sched_getaffinity
            self.enabled = (os.cpu_count() or 1) > 1
        self._pool = None
        self._pid = None
        self._main = threading.main_thread()
        self._sites = {}      # code object -> [calls, use halves, avg whole, avg halves, tries]

    def __call__(self, fn, n, work):
        if n < 2 or work < self.min_work or not self.enabled or \
                threading.current_thread() is not self._main or self.force == 'whole':
            fn(0, n)
            return
        if self.force == 'halves':
            self._halves(fn, n)
            return
        site = self._sites.get(fn.__code__)
        if site is None:
            site = self._sites[fn.__code__] = [0, True, None, None, 0]
        site[0] += 1
        halves = site[1] != (site[0] % self.RECHECK == 0)
        t0 = time.perf_counter()
        if halves:
            self._halves(fn, n)
        else:
            fn(0, n)
        dt = (time.perf_counter() - t0) / work
        if halves and site[4] < 1:                   # the first call starts the thread
            site[4] += 1
            return
        i = 3 if halves else 2
        site[i] = dt if site[i] is None else self.DECAY * site[i] + (1 - self.DECAY) * dt
        if site[2] is not None and site[3] is not None:
            site[1] = site[3] < site[2]

    def _halves(self, fn, n):
        if self._pool is None or self._pid != os.getpid():     # none yet, or a forked child
            self._pool = ThreadPoolExecutor(1, thread_name_prefix='nn-split')
            self._pid = os.getpid()
        mid = n // 2
        job = self._pool.submit(fn, mid, n)
        try:
            fn(0, mid)
        finally:
            if job.cancel():                         # the helper has not started (busy
                fn(mid, n)                           # cores): do the second half here
            else:
                job.result()                         # waits, and re-raises its error


split = SampleSplitter()


def out_size(size, k, d, pad):
    """Output length of a convolution: floor((size + 2*pad - k) / d) + 1."""
    return (size + 2 * pad - k) // d + 1


def buffer(module, name, dtype, shape):
    """The numpy view of the module-owned buffer `name`, resized to `shape` (a tensor field, so
    that clearState/type/clone treat it like Torch7's finput). It is replaced only when its type
    no longer matches the input's."""
    t = module.__dict__.get(name)
    if t is None or t._dtype != dtype:
        t = wrap(class_for_dtype(dtype), np.empty(0, dtype))
        module.__dict__[name] = t
    return t.resize(*shape).numpy()


def empty_like_type(t):
    """A new empty tensor of t's type (Torch7 writes emptied buffers)."""
    return wrap(t.__class__, np.empty(0, t._dtype))


def public_fields(fields):
    """The fields of a .t7 file: private buffers ('_colOutput', ...) stay out, `_type` stays."""
    return {k: v for k, v in fields.items() if not k.startswith('_') or k == '_type'}


def check_positive(typename, **values):
    for name, v in values.items():
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v <= 0:
            raise ValueError(f"{typename}: {name} must be a positive integer, got {v!r}")


def check_nonnegative(typename, **values):
    for name, v in values.items():
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 0:
            raise ValueError(f"{typename}: {name} must be a non-negative integer, got {v!r}")


class ConvGeometry:
    """Sizes of one convolution call: input N x C x T x H x W, kernel, stride, padding, output,
    and the layout of the unfolded input (kernels/cpu/im2col.py):
      batch    [K, N*P]   one GEMM for the whole batch (then a transpose to N x nOut x P);
      stacked  [N, K, P]  one GEMM per sample into the output, used when each sample's product
                          is already wide (P >= K): measured faster on 2 cores for the first
                          layers of LeNet (K = 25, P = 576) and of the tutorial net (K = 75,
                          P = 784), slower for their second layers (K = 500, P = 64; K = 400,
                          P = 100), where the batch GEMM wins (docs/nn_convolution.md)."""
    __slots__ = ('N', 'C', 'T', 'H', 'W', 'k', 'M', 'batch', 'in_shape', 'out_shape', 'P', 'K',
                 'stacked', 'cols_shape', 'strides')

    def __init__(self, N, C, T, H, W, k, M, batch, in_shape, out_shape):
        self.N, self.C, self.T, self.H, self.W = N, C, T, H, W
        self.k = k                      # (kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW)
        self.M = M
        self.batch = batch
        self.in_shape = in_shape
        self.out_shape = out_shape
        P = self.P = k[9] * k[10] * k[11]
        K = self.K = C * k[0] * k[1] * k[2]
        self.stacked = N > 1 and P >= K
        if self.stacked:
            self.cols_shape, self.strides = (N, K, P), (P, K * P)
        else:
            self.cols_shape, self.strides = (K, N * P), (N * P, P)


class ConvBase(Module):
    """The unfold + GEMM machinery; subclasses give the geometry (`_geometry(input)`) and the
    printed form. Fields follow Torch7: weight, bias, gradWeight, gradBias, finput, fgradInput."""

    _buffers = ('finput', 'fgradInput', '_colOutput', '_gradWeightBuf')

    def noBias(self):
        """Remove the bias (and its gradient); returns self."""
        for name in ('bias', 'gradBias'):
            self.__dict__.pop(name, None)
        return self

    def _fanIn(self):
        return self.weight.nElement() // self.nOutputPlane

    def reset(self, stdv=None):
        """Torch7's initialisation: uniform(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weight and bias
        (fanIn = nInputPlane * kernel size), or uniform(-stdv*sqrt(3), stdv*sqrt(3))."""
        if stdv is not None:
            stdv = stdv * math.sqrt(3)
        else:
            stdv = 1 / math.sqrt(self._fanIn())
        self.weight.uniform(-stdv, stdv)
        if getattr(self, 'bias', None) is not None:
            self.bias.uniform(-stdv, stdv)
        return self

    # -- the protocol ---------------------------------------------------------------------
    def updateOutput(self, input):
        g = self._geometry(input)
        check_same_type(self, input, self.weight)
        x = input.numpy()
        if not x.flags.c_contiguous:
            x = np.ascontiguousarray(x)
        N, M, P, K = g.N, g.M, g.P, g.K
        C, T, H, W = g.C, g.T, g.H, g.W
        cols = buffer(self, 'finput', x.dtype, g.cols_shape)
        cf = cols.reshape(-1)
        rs, ss = g.strides
        w2 = self.weight.numpy().reshape(M, K)
        out = buffer(self, 'output', x.dtype, g.out_shape)
        o3 = out.reshape(N, M, P)
        bias = self.__dict__.get('bias')
        b = bias.numpy()[:, None] if bias is not None else None
        if g.stacked:                       # one GEMM per sample, straight into the output
            def part(lo, hi):
                _k.im2col(x[lo:hi].reshape(-1), cf[lo * ss:], hi - lo, C, T, H, W, *g.k, rs, ss)
                np.matmul(w2, cols[lo:hi], out=o3[lo:hi])
                if b is not None:
                    o3[lo:hi] += b
            split(part, N, cols.size)
            return self.output

        def unfold(lo, hi):
            _k.im2col(x[lo:hi].reshape(-1), cf[lo * ss:], hi - lo, C, T, H, W, *g.k, rs, ss)
        split(unfold, N, cols.size)
        if N == 1:
            np.matmul(w2, cols, out=o3[0])
            if b is not None:
                o3 += b
            return self.output
        tmp = buffer(self, '_colOutput', x.dtype, (M, N * P))
        np.matmul(w2, cols, out=tmp)        # one GEMM for the batch, then transpose + bias
        src = tmp.reshape(M, N, P).transpose(1, 0, 2)

        def transpose(lo, hi):
            if b is not None:
                np.add(src[lo:hi], b, out=o3[lo:hi])
            else:
                np.copyto(o3[lo:hi], src[lo:hi])
        split(transpose, N, out.size)
        return self.output

    def _gradOutputCols(self, input, gradOutput):
        """(geometry, gradOutput in the unfolded layout: N x nOut x P when stacked, else an
        [nOut, N*P] matrix), after checking gradOutput."""
        g = self._geometry(input)
        if not torch.isTensor(gradOutput) or tuple(gradOutput.size()) != g.out_shape:
            got = fmt_size(gradOutput.size()) if torch.isTensor(gradOutput) else \
                type(gradOutput).__name__
            raise ValueError(f"{self._typename}: gradOutput has size {got}, expected "
                             f"{fmt_size(g.out_shape)} (the output size for input "
                             f"{fmt_size(input.size())})")
        check_same_type(self, gradOutput, self.weight)
        go = gradOutput.numpy()
        N, M, P = g.N, g.M, g.P
        if g.stacked:
            g2 = go.reshape(N, M, P)         # a view when contiguous, else a copy
        elif N == 1:
            g2 = go.reshape(M, P)
        else:
            g2 = buffer(self, '_colOutput', go.dtype, (M, N * P))
            dst, src = g2.reshape(M, N, P), go.reshape(N, M, P).transpose(1, 0, 2)
            split(lambda lo, hi: np.copyto(dst[:, lo:hi], src[:, lo:hi]), N, go.size)
        return g, g2

    def _backwardFrom(self, g, g2, scale, want_input, want_params):
        """gradInput (when want_input) and the parameter gradients (when want_params) from
        gradOutput in the unfolded layout g2; the per-sample parts run on sample halves."""
        N, M, K, P = g.N, g.M, g.K, g.P
        C, T, H, W = g.C, g.T, g.H, g.W
        rs, ss = g.strides
        w2 = self.weight.numpy().reshape(M, K)
        if want_params:
            cols = self.__dict__.get('finput')
            if cols is None or tuple(cols.size()) != g.cols_shape:
                raise RuntimeError(f"{self._typename}: accGradParameters needs the unfolded "
                                   f"input of a forward pass on this input (finput); call "
                                   f"forward first")
            cols = cols.numpy()
        if want_input:
            fg = buffer(self, 'fgradInput', g2.dtype, g.cols_shape)
            ff = fg.reshape(-1)
            gin = buffer(self, 'gradInput', g2.dtype, g.in_shape)
            if not g.stacked:
                np.matmul(w2.T, g2, out=fg)          # one GEMM for the batch

        if g.stacked:
            if want_params:
                per_sample = buffer(self, '_gradWeightBuf', g2.dtype, (N, M, K))

            def part(lo, hi):
                if want_input:
                    np.matmul(w2.T, g2[lo:hi], out=fg[lo:hi])
                    _k.col2im(ff[lo * ss:], gin[lo:hi].reshape(-1), hi - lo, C, T, H, W, *g.k,
                              rs, ss)
                if want_params:
                    np.matmul(g2[lo:hi], cols[lo:hi].transpose(0, 2, 1), out=per_sample[lo:hi])
            split(part, N, N * K * P)
            if want_params:
                tmp = per_sample.sum(axis=0)
        else:
            if want_input:
                def fold(lo, hi):
                    _k.col2im(ff[lo * ss:], gin[lo:hi].reshape(-1), hi - lo, C, T, H, W, *g.k,
                              rs, ss)
                split(fold, N, fg.size)
            if want_params:
                tmp = buffer(self, '_gradWeightBuf', g2.dtype, (M, K))
                np.matmul(g2, cols.T, out=tmp)
        if want_params:
            if scale != 1:
                tmp *= scale
            gw = self.gradWeight.numpy()
            gw += tmp.reshape(gw.shape)
            gradBias = self.__dict__.get('gradBias')
            if gradBias is not None:
                gb = gradBias.numpy()
                s = g2.sum(axis=(0, 2)) if g.stacked else g2.sum(axis=1)
                gb += s if scale == 1 else scale * s

    def updateGradInput(self, input, gradOutput):
        if self.gradInput is None:
            return None
        g, g2 = self._gradOutputCols(input, gradOutput)
        self._backwardFrom(g, g2, 1, True, False)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        g, g2 = self._gradOutputCols(input, gradOutput)
        self._backwardFrom(g, g2, scale, False, True)

    def backward(self, input, gradOutput, scale=1):
        # one (transposed) copy of gradOutput serves both the input and the weight gradient
        g, g2 = self._gradOutputCols(input, gradOutput)
        self._backwardFrom(g, g2, scale, self.gradInput is not None, True)
        return self.gradInput

    # -- types, state, files --------------------------------------------------------------
    def type(self, typename=None, tensorCache=None):
        if typename is not None:
            # caches are rebuilt by the next forward; converting them would waste time
            for name in self._buffers:
                t = self.__dict__.get(name)
                if torch.isTensor(t):
                    t.set()
        return super().type(typename, tensorCache)

    def _torchFields(self):
        fields = public_fields(super()._torchFields())
        # our unfolded layout is [K, N*P], Torch7's is per sample: write the caches empty
        for name in ('finput', 'fgradInput'):
            if torch.isTensor(fields.get(name)):
                fields[name] = empty_like_type(fields[name])
        return fields

    @classmethod
    def _torchLoadFields(cls, fields, version):
        if fields.get('padding') is not None:          # files from before padW/padH existed
            fields['padW'] = fields['padH'] = fields.pop('padding')
        for name in cls._pad_names:
            fields.setdefault(name, 0)
        w = fields.get('weight')
        for name in ('finput', 'fgradInput'):
            if not torch.isTensor(fields.get(name)) and torch.isTensor(w):
                fields[name] = empty_like_type(w)
        fields.setdefault('train', True)
        fields.setdefault('gradInput', None)         # saved with gradInput = None (skipped)
        return fields


def spatial_geometry(module, input, C_expected, kH, kW, dH, dW, pH, pW, M):
    """Checked geometry of a spatial convolution-like call (input C x H x W or N x C x H x W)."""
    shape, batch, N, H, W = planes_input(module, input, C_expected)
    oH, oW = out_size(H, kH, dH, pH), out_size(W, kW, dW, pW)
    if oH < 1 or oW < 1:
        raise ValueError(f"{module._typename}: input size {fmt_size(shape)} is too small: "
                         f"output would be {M} x {oH} x {oW} (kernel {kW}x{kH}, stride "
                         f"{dW},{dH}, padding {pW},{pH})")
    out_shape = (N, M, oH, oW) if batch else (M, oH, oW)
    return ConvGeometry(N, C_expected, 1, H, W, (1, kH, kW, 1, dH, dW, 0, pH, pW, 1, oH, oW), M, batch,
                        shape, out_shape)


class SpatialConvolution(ConvBase):
    """2-D convolution over nInputPlane x H x W images (or a batch of them).
    weight: nOutputPlane x nInputPlane x kH x kW; output size floor((H + 2*padH - kH)/dH) + 1."""

    _pad_names = ('padW', 'padH')

    def __init__(self, nInputPlane, nOutputPlane, kW, kH, dW=1, dH=1, padW=0, padH=None):
        super().__init__()
        padH = padW if padH is None else padH
        check_positive(self._typename, nInputPlane=nInputPlane, nOutputPlane=nOutputPlane,
                       kW=kW, kH=kH, dW=dW, dH=dH)
        check_nonnegative(self._typename, padW=padW, padH=padH)
        self.nInputPlane, self.nOutputPlane = nInputPlane, nOutputPlane
        self.kW, self.kH, self.dW, self.dH = kW, kH, dW, dH
        self.padW, self.padH = padW, padH
        shape = self._weightShape()
        self.weight = torch.Tensor(*shape)
        self.bias = torch.Tensor(nOutputPlane)
        self.gradWeight = torch.Tensor(*shape)
        self.gradBias = torch.Tensor(nOutputPlane)
        self.finput = torch.Tensor()
        self.fgradInput = torch.Tensor()
        self.reset()

    def _weightShape(self):
        return (self.nOutputPlane, self.nInputPlane, self.kH, self.kW)

    def _geometry(self, input):
        return spatial_geometry(self, input, self.nInputPlane, self.kH, self.kW, self.dH,
                                self.dW, self.padH, self.padW, self.nOutputPlane)

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields = super()._torchLoadFields(fields, version)
        shape = (fields['nOutputPlane'], fields['nInputPlane'], fields['kH'], fields['kW'])
        for name in ('weight', 'gradWeight'):         # Torch7 once stored it 2-D here too
            t = fields.get(name)
            if torch.isTensor(t) and t.dim() == 2:
                fields[name] = t.view(*shape)
        return fields

    def __repr__(self):
        s = f"{self._typename}({self.nInputPlane} -> {self.nOutputPlane}, {self.kW}x{self.kH}"
        if self.dW != 1 or self.dH != 1 or self.padW != 0 or self.padH != 0:
            s += f", {self.dW},{self.dH}"
        if self.padW != 0 or self.padH != 0:
            s += f", {self.padW},{self.padH}"
        return s + (")" if self.__dict__.get('bias') is not None else ") without bias")


class SpatialConvolutionMM(SpatialConvolution):
    """SpatialConvolution with the weight stored as nOutputPlane x (nInputPlane*kH*kW), the
    layout of Torch7's SpatialConvolutionMM (and of the GEMM)."""

    def _weightShape(self):
        return (self.nOutputPlane, self.nInputPlane * self.kH * self.kW)

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields = ConvBase._torchLoadFields.__func__(cls, fields, version)
        shape = (fields['nOutputPlane'], fields['nInputPlane'] * fields['kH'] * fields['kW'])
        for name in ('weight', 'gradWeight'):         # cunn-converted files may hold 4-D
            t = fields.get(name)
            if torch.isTensor(t) and t.dim() == 4:
                fields[name] = t.view(*shape)
        return fields
