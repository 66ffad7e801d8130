"""Negative log-likelihood over class scores, with class weights and an ignored target value.

Both nn.ClassNLLCriterion (N x C input, N targets) and nn.SpatialClassNLLCriterion
(N x C x H x W input, N x H x W targets) use these kernels through an (N, C, S) view of the
input and an (N, S) view of the targets (S = 1 for the former, H*W for the latter).

Arrays: x float32 or float64, C-contiguous (N, C, S); t int64 (N, S); w float64 (C,) class
weights, or an empty array for "all weights 1"; `ignore` an int64 target value to skip.
"""
from numba import njit

_JIT = dict(cache=True, nogil=True, error_model='numpy')


@njit(**_JIT)
def forward(x, t, w, ignore):
    """(-sum of w[t] * x[n, t, s], sum of w[t], position of the first bad target or -1) over
    the targets that are not `ignore`. A target outside 0..C-1 stops the loop, so callers
    can raise before changing any state."""
    N, C, S = x.shape
    weighted = w.size > 0
    loss = 0.0
    total = 0.0
    for n in range(N):
        for s in range(S):
            c = t[n, s]
            if c == ignore:
                continue
            if c < 0 or c >= C:
                return 0.0, 0.0, n * S + s
            wc = w[c] if weighted else 1.0
            total += wc
            loss -= x[n, c, s] * wc
    return loss, total, -1


@njit(**_JIT)
def backward(gin, t, w, ignore, norm):
    """gin = d loss / d x: zero except -w[t] * norm at each counted target (targets already
    checked by `forward`)."""
    N, C, S = gin.shape
    weighted = w.size > 0
    for n in range(N):
        for c in range(C):
            for s in range(S):
                gin[n, c, s] = 0.0
    for n in range(N):
        for s in range(S):
            c = t[n, s]
            if c == ignore or c < 0 or c >= C:
                continue
            gin[n, c, s] = -(w[c] if weighted else 1.0) * norm
