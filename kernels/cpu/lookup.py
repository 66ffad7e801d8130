"""LookupTable (embedding) gradient accumulation.

    target[idx[i]] += scale_i * grad[i]        for every i with idx[i] != padding

`target` is gradWeight (accGradParameters) or the weight itself (accUpdateGradParameters with
scale = -lr). Repeated indices add up. With scale_by_freq, scale_i = scale / (number of times
idx[i] occurs in idx), Torch7's scaleGradByFreq; `count` (an int32 array of nIndex entries,
kept by the caller between calls) is reset only at the indices used, so the cost stays
O(len(idx) * rows) however large the vocabulary is.

Arrays: idx int64 (n,), already range-checked by the caller; grad (n, d) and target
(nIndex, d) C-contiguous of one float dtype; `scale` of that dtype; padding = -1 for none.
"""
from numba import njit

_JIT = dict(cache=True, nogil=True, error_model='numpy')


@njit(**_JIT)
def lookup_accumulate(idx, grad, target, count, scale, padding, scale_by_freq):
    n = idx.shape[0]
    d = grad.shape[1]
    if scale_by_freq:
        for i in range(n):
            count[idx[i]] = 0
        for i in range(n):
            count[idx[i]] += 1
    for i in range(n):
        k = idx[i]
        if k == padding:
            continue
        s = scale
        if scale_by_freq:
            s = scale / target.dtype.type(count[k])
        row = target[k]
        g = grad[i]
        for j in range(d):
            row[j] += s * g[j]
