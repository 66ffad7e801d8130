"""Batch normalisation over (N, C, S) arrays: statistics, the affine pass, and backward sums.

nn.BatchNormalization views an N x D input as (N, D, 1) and nn.SpatialBatchNormalization an
N x C x H x W input as (N, C, H*W), so one set of kernels serves both. Every kernel walks the
array in memory order (n, then c, then s) and keeps per-channel float64 accumulators, so a
forward in training mode reads the input twice (statistics, then output) and a backward reads
input and gradOutput twice (sums, then gradInput) -- THNN's per-channel loops read them three
and four times.

Arrays must be C-contiguous and 3-D; `x`-like arrays are float32 or float64 (the output has
the input's dtype), per-channel arrays are float64. Nothing here knows about tensors.
"""
import numpy as np
from numba import njit

_JIT = dict(cache=True, nogil=True, error_model='numpy')
# the per-channel sums may be re-associated, which lets LLVM vectorise them (several partial
# sums instead of one serial chain: measured 4x faster on 1M-element batches)
_SUM_JIT = dict(_JIT, fastmath={'reassoc'})


@njit(**_JIT)
def batch_stats(x, mean, var):
    """mean[c] and biased variance var[c] of x[:, c, :], in one pass. The sums are taken
    around the channel's first value, which keeps sum-of-squares accurate for data whose
    mean is large compared with its spread."""
    N, C, S = x.shape
    shift = np.empty(C)
    s1 = np.zeros(C)
    s2 = np.zeros(C)
    for c in range(C):
        shift[c] = x[0, c, 0]
    if S == 1:      # N x D input: the inner loop runs along the contiguous features
        for n in range(N):
            for c in range(C):
                d = x[n, c, 0] - shift[c]
                s1[c] += d
                s2[c] += d * d
    else:
        _channel_sums(x, shift, s1, s2)
    cnt = N * S
    for c in range(C):
        m = s1[c] / cnt
        mean[c] = shift[c] + m
        v = s2[c] / cnt - m * m
        var[c] = v if v > 0.0 else 0.0


@njit(**_SUM_JIT)
def _channel_sums(x, shift, s1, s2):
    N, C, S = x.shape
    for n in range(N):
        for c in range(C):
            k = shift[c]
            a = 0.0
            b = 0.0
            for s in range(S):
                d = x[n, c, s] - k
                a += d
                b += d * d
            s1[c] += a
            s2[c] += b


@njit(**_JIT)
def affine(x, out, scale, shift):
    """out[n, c, s] = x[n, c, s] * scale[c] + shift[c]."""
    N, C, S = x.shape
    if S == 1:
        for n in range(N):
            for c in range(C):
                out[n, c, 0] = x[n, c, 0] * scale[c] + shift[c]
        return
    for n in range(N):
        for c in range(C):
            a = scale[c]
            b = shift[c]
            for s in range(S):
                out[n, c, s] = x[n, c, s] * a + b


@njit(**_SUM_JIT)
def grad_sums(x, g, mean, sum_g, dot):
    """sum_g[c] = sum of g[:, c, :]; dot[c] = sum of (x - mean[c]) * g over channel c."""
    N, C, S = x.shape
    for c in range(C):
        sum_g[c] = 0.0
        dot[c] = 0.0
    if S == 1:
        for n in range(N):
            for c in range(C):
                gv = g[n, c, 0]
                sum_g[c] += gv
                dot[c] += (x[n, c, 0] - mean[c]) * gv
        return
    for n in range(N):
        for c in range(C):
            m = mean[c]
            a = 0.0
            b = 0.0
            for s in range(S):
                gv = g[n, c, s]
                a += gv
                b += (x[n, c, s] - m) * gv
            sum_g[c] += a
            dot[c] += b


@njit(**_JIT)
def grad_input_train(x, g, gin, a, b, d):
    """gin = g * a[c] + x * b[c] + d[c]: the training-mode gradInput once the per-channel
    coefficients are folded (see nn/batchnorm.py)."""
    N, C, S = x.shape
    if S == 1:
        for n in range(N):
            for c in range(C):
                gin[n, c, 0] = g[n, c, 0] * a[c] + x[n, c, 0] * b[c] + d[c]
        return
    for n in range(N):
        for c in range(C):
            ac = a[c]
            bc = b[c]
            dc = d[c]
            for s in range(S):
                gin[n, c, s] = g[n, c, s] * ac + x[n, c, s] * bc + dc
