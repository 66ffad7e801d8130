"""Batch normalisation on the device: the CUDA twins of kernels/cpu/batchnorm.py plus the
per-channel folding that nn/batchnorm.py does in numpy on the CPU.

Arrays: x, g, out, gin float32 C-contiguous (N, C, S) device arrays (N x D input is (N, D, 1),
N x C x H x W is (N, C, H*W)); per-channel arrays float32 (C,). `weight`/`bias`/`grad_bias`
may be empty arrays (or None) when the module has none.

A forward in training mode on the device is
    batch_stats(x, save_mean, var)                      # var: a (C,) scratch array
    fold_forward(save_mean, var, save_std, running_mean, running_var, weight, bias,
                 scale, shift, eps, momentum, N*S, True)
    affine(x, out, scale, shift)
and in evaluate mode fold_forward(running_mean, running_var, invstd, ..., False) then affine.
A backward is
    grad_sums(x, g, mean, sum_g, dot)                   # training mode, or when accumulating
    fold_backward(mean, invstd, weight, sum_g, dot, a, b, d, grad_weight, grad_bias, N*S,
                  scale, train, want_params)
    grad_input_train(x, g, gin, a, b, d)  (training)  |  affine(g, gin, a, d)  (evaluate: d = 0)

Per-channel sums give each channel one block (blocks stride over channels) and reduce by
shared-memory trees: deterministic, no atomics. batch_stats takes two passes (the mean, then
the squared deviations from it), which keeps the float32 variance accurate when the mean is
large compared with the spread (the CPU kernel gets the same from its shifted one-pass sums in
float64). Everything is float32, so results agree with the CPU's to float32 tolerance.
"""
import math

from numba import cuda, float32

from .blocks import block_sum, block_sum2
from .launch import TPB, fmt_dims, grid_1d, grid_rows
from .memory import or_empty

_ZERO = float32(0)
_ONE = float32(1)


@cuda.jit(cache=True)
def _batch_stats(x, mean, var):
    sm = cuda.shared.array(TPB, float32)
    tid = cuda.threadIdx.x
    N = x.shape[0]
    C = x.shape[1]
    S = x.shape[2]
    cnt = N * S
    c = cuda.blockIdx.x
    while c < C:
        acc = _ZERO
        i = tid
        while i < cnt:
            n = i // S
            acc += x[n, c, i - n * S]
            i += TPB
        m = block_sum(sm, tid, acc) / float32(cnt)
        acc = _ZERO
        i = tid
        while i < cnt:
            n = i // S
            dv = x[n, c, i - n * S] - m
            acc += dv * dv
            i += TPB
        v = block_sum(sm, tid, acc)
        if tid == 0:
            mean[c] = m
            var[c] = v / float32(cnt)
        c += cuda.gridDim.x


@cuda.jit(device=True, cache=True)
def _ncs(e, C, S):
    """(n, c, s) of flat index e in an (N, C, S) array."""
    s = e % S
    q = e // S
    return q // C, q % C, s


@cuda.jit(cache=True)
def _affine(x, out, scale, shift):
    N = x.shape[0]
    C = x.shape[1]
    S = x.shape[2]
    e = cuda.grid(1)
    while e < N * C * S:
        n, c, s = _ncs(e, C, S)
        out[n, c, s] = x[n, c, s] * scale[c] + shift[c]
        e += cuda.gridsize(1)


@cuda.jit(cache=True)
def _grad_sums(x, g, mean, sum_g, dot):
    sa = cuda.shared.array(TPB, float32)
    sb = cuda.shared.array(TPB, float32)
    tid = cuda.threadIdx.x
    N = x.shape[0]
    C = x.shape[1]
    S = x.shape[2]
    cnt = N * S
    c = cuda.blockIdx.x
    while c < C:
        m = mean[c]
        a = _ZERO
        b = _ZERO
        i = tid
        while i < cnt:
            n = i // S
            s = i - n * S
            gv = g[n, c, s]
            a += gv
            b += (x[n, c, s] - m) * gv
            i += TPB
        ta, tb = block_sum2(sa, sb, tid, a, b)
        if tid == 0:
            sum_g[c] = ta
            dot[c] = tb
        c += cuda.gridDim.x


@cuda.jit(cache=True)
def _grad_input_train(x, g, gin, a, b, d):
    N = x.shape[0]
    C = x.shape[1]
    S = x.shape[2]
    e = cuda.grid(1)
    while e < N * C * S:
        n, c, s = _ncs(e, C, S)
        gin[n, c, s] = g[n, c, s] * a[c] + x[n, c, s] * b[c] + d[c]
        e += cuda.gridsize(1)


@cuda.jit(cache=True)
def _fold_forward(mean, var, invstd, running_mean, running_var, weight, bias, scale, shift,
                  eps, momentum, unbias, train):
    C = running_mean.size
    c = cuda.grid(1)
    while c < C:
        if train:
            v = var[c]
            inv = _ONE / float32(math.sqrt(v + eps))
            if not math.isfinite(inv):
                inv = _ZERO                  # eps = 0 and a constant channel (Torch7)
            mu = mean[c]
            running_mean[c] = momentum * mu + (_ONE - momentum) * running_mean[c]
            running_var[c] = momentum * (v * unbias) + (_ONE - momentum) * running_var[c]
        else:
            mu = running_mean[c]
            inv = _ONE / float32(math.sqrt(running_var[c] + eps))
        invstd[c] = inv
        sc = inv * weight[c] if weight.size > 0 else inv
        sh = -mu * sc
        if bias.size > 0:
            sh += bias[c]
        scale[c] = sc
        shift[c] = sh
        c += cuda.gridsize(1)


@cuda.jit(cache=True)
def _fold_backward(mean, invstd, weight, sum_g, dot, a, b, d, grad_weight, grad_bias, n,
                   scale, train, want_params):
    C = invstd.size
    c = cuda.grid(1)
    while c < C:
        inv = invstd[c]
        ac = weight[c] * inv if weight.size > 0 else inv
        a[c] = ac
        if train:
            bc = -ac * inv * inv * dot[c] / n
            b[c] = bc
            d[c] = -ac * sum_g[c] / n - mean[c] * bc
        else:
            b[c] = _ZERO
            d[c] = _ZERO
        if want_params:
            if grad_weight.size > 0:
                grad_weight[c] += scale * (dot[c] * inv)
            if grad_bias.size > 0:
                grad_bias[c] += scale * sum_g[c]
        c += cuda.gridsize(1)


# -- launchers ---------------------------------------------------------------------------------
def _check3(what, x, *others):
    if x.ndim != 3:
        raise ValueError(f"{what}: expected a 3-D (N, C, S) array, got [{fmt_dims(x)}]")
    for o in others:
        if o.shape != x.shape:
            raise ValueError(f"{what}: arrays of sizes [{fmt_dims(x)}] and [{fmt_dims(o)}] "
                             f"differ")


def _check_channels(what, C, *arrays, optional=()):
    for a in arrays:
        if a.size != C:
            raise ValueError(f"{what}: a per-channel array has {a.size} elements for {C} "
                             f"channels")
    for a in optional:
        if a is not None and a.size not in (0, C):
            raise ValueError(f"{what}: an optional per-channel array has {a.size} elements "
                             f"for {C} channels")


def batch_stats(x, mean, var):
    """mean[c] and biased variance var[c] of x[:, c, :]."""
    _check3('batch_stats', x)
    _check_channels('batch_stats', x.shape[1], mean, var)
    blocks, threads = grid_rows(x.shape[1])
    _batch_stats[blocks, threads](x, mean, var)


def affine(x, out, scale, shift):
    """out[n, c, s] = x[n, c, s] * scale[c] + shift[c]."""
    _check3('affine', x, out)
    _check_channels('affine', x.shape[1], scale, shift)
    blocks, threads = grid_1d(x.size)
    _affine[blocks, threads](x, out, scale, shift)


def grad_sums(x, g, mean, sum_g, dot):
    """sum_g[c] = sum of g[:, c, :]; dot[c] = sum of (x - mean[c]) * g over channel c."""
    _check3('grad_sums', x, g)
    _check_channels('grad_sums', x.shape[1], mean, sum_g, dot)
    blocks, threads = grid_rows(x.shape[1])
    _grad_sums[blocks, threads](x, g, mean, sum_g, dot)


def grad_input_train(x, g, gin, a, b, d):
    """gin = g * a[c] + x * b[c] + d[c] (the training-mode gradInput, coefficients folded)."""
    _check3('grad_input_train', x, g, gin)
    _check_channels('grad_input_train', x.shape[1], a, b, d)
    blocks, threads = grid_1d(x.size)
    _grad_input_train[blocks, threads](x, g, gin, a, b, d)


def fold_forward(mean, var, invstd, running_mean, running_var, weight, bias, scale, shift,
                 eps, momentum, n, train):
    """Per-channel coefficients of the forward pass, as nn/batchnorm.py computes them:
    train: invstd = 1/sqrt(var + eps) (0 where not finite), running estimates updated with
           the unbiased variance var * n/(n-1) (n = values per channel), mean = batch mean;
    evaluate: mean = running_mean, invstd = 1/sqrt(running_var + eps) (mean/var unused);
    then scale = weight * invstd (or invstd), shift = bias - mean * scale (or -mean * scale)."""
    C = running_mean.size
    _check_channels('fold_forward', C, invstd, running_var, scale, shift,
                    *((mean, var) if train else ()), optional=(weight, bias))
    unbias = float32(n / (n - 1)) if n > 1 else float32(1)
    blocks, threads = grid_1d(C)
    _fold_forward[blocks, threads](or_empty(mean), or_empty(var), invstd, running_mean,
                                   running_var, or_empty(weight), or_empty(bias), scale, shift,
                                   float32(eps), float32(momentum), unbias, bool(train))


def fold_backward(mean, invstd, weight, sum_g, dot, a, b, d, grad_weight, grad_bias, n, scale,
                  train, want_params):
    """Per-channel coefficients of the backward pass (nn/batchnorm.py's formulas):
    a = weight * invstd (or invstd); train: b = -a*invstd^2*dot/n, d = -a*sum_g/n - mean*b;
    evaluate: b = d = 0. want_params: grad_weight += scale * dot * invstd and
    grad_bias += scale * sum_g (either may be empty/None)."""
    C = invstd.size
    _check_channels('fold_backward', C, mean, a, b, d, sum_g, dot,
                    optional=(weight, grad_weight, grad_bias))
    blocks, threads = grid_1d(C)
    _fold_backward[blocks, threads](mean, invstd, or_empty(weight), sum_g, dot, a, b, d,
                                    or_empty(grad_weight), or_empty(grad_bias), float32(n),
                                    float32(scale), bool(train), bool(want_params))
