"""Fused optimiser updates on the device: the CUDA twins of kernels/cpu/optim_updates.py.

The formulas of that module's docstring (sgd with or without momentum and nesterov, adam,
rmsprop, adagrad, each with optional weight decay g' = g + wd*x), in the same order of
operations, one thread per element (grid-stride). The launchers take the CPU drivers'
arguments without `nchunks` (`sgd_plain` stands for sgd_plain_serial/_parallel, and so on)
and cast every scalar to float32, so all arithmetic is float32 with one rounding per
operation, as the CPU kernels do on float32 vectors: the simulator reproduces the CPU's bits.
A real GPU may fuse a multiply and an add into one FMA (nvcc's default contraction), which can
move results by an ulp.
Arrays: flat contiguous float32 device arrays of one length; `g` is never written.
"""
import math

from numba import cuda, float32

from .launch import check_sizes, grid_1d


@cuda.jit(device=True, cache=True)
def _decayed(g, x, i, wd, has_wd):
    """g'[i]: the gradient with weight decay added (has_wd is uniform across the grid, so the
    branch costs no divergence)."""
    if has_wd:
        return g[i] + wd * x[i]
    return g[i]


@cuda.jit(cache=True)
def _sgd_plain(x, g, neg_clr, wd, has_wd):
    i = cuda.grid(1)
    while i < x.size:
        x[i] = x[i] + neg_clr * _decayed(g, x, i, wd, has_wd)
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _sgd_momentum(x, g, v, neg_clr, wd, has_wd, vmom, omd, nmom, nesterov):
    i = cuda.grid(1)
    while i < x.size:
        gi = _decayed(g, x, i, wd, has_wd)
        vi = v[i] * vmom + omd * gi
        v[i] = vi
        if nesterov:
            x[i] = x[i] + neg_clr * (gi + nmom * vi)
        else:
            x[i] = x[i] + neg_clr * vi
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _adam(x, g, m, v, wd, has_wd, b1, omb1, b2, omb2, eps, neg_step):
    i = cuda.grid(1)
    while i < x.size:
        gi = _decayed(g, x, i, wd, has_wd)
        mi = m[i] * b1 + omb1 * gi
        vi = v[i] * b2 + (omb2 * gi) * gi
        m[i] = mi
        v[i] = vi
        x[i] = x[i] + (neg_step * mi) / (float32(math.sqrt(vi)) + eps)
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _rmsprop(x, g, m, wd, has_wd, alpha, oma, eps, neg_lr):
    i = cuda.grid(1)
    while i < x.size:
        gi = _decayed(g, x, i, wd, has_wd)
        mi = m[i] * alpha + (oma * gi) * gi
        m[i] = mi
        x[i] = x[i] + (neg_lr * gi) / (float32(math.sqrt(mi)) + eps)
        i += cuda.gridsize(1)


@cuda.jit(cache=True)
def _adagrad(x, g, var, wd, has_wd, eps, neg_clr):
    i = cuda.grid(1)
    while i < x.size:
        gi = _decayed(g, x, i, wd, has_wd)
        vi = var[i] + gi * gi
        var[i] = vi
        x[i] = x[i] + (neg_clr * gi) / (float32(math.sqrt(vi)) + eps)
        i += cuda.gridsize(1)


_ONE_LENGTH = ' (the parameters, the gradient and the state must have one length)'


def _check(what, x, *others):
    check_sizes(what, x, others, 'vectors', _ONE_LENGTH)
    return grid_1d(x.size)


def sgd_plain(x, g, neg_clr, wd, has_wd):
    blocks, threads = _check('sgd', x, g)
    _sgd_plain[blocks, threads](x, g, float32(neg_clr), float32(wd), bool(has_wd))


def sgd_momentum(x, g, v, neg_clr, wd, has_wd, vmom, omd, nmom, nesterov):
    blocks, threads = _check('sgd', x, g, v)
    _sgd_momentum[blocks, threads](x, g, v, float32(neg_clr), float32(wd), bool(has_wd),
                                   float32(vmom), float32(omd), float32(nmom), bool(nesterov))


def adam(x, g, m, v, wd, has_wd, b1, omb1, b2, omb2, eps, neg_step):
    blocks, threads = _check('adam', x, g, m, v)
    _adam[blocks, threads](x, g, m, v, float32(wd), bool(has_wd), float32(b1), float32(omb1),
                           float32(b2), float32(omb2), float32(eps), float32(neg_step))


def rmsprop(x, g, m, wd, has_wd, alpha, oma, eps, neg_lr):
    blocks, threads = _check('rmsprop', x, g, m)
    _rmsprop[blocks, threads](x, g, m, float32(wd), bool(has_wd), float32(alpha),
                              float32(oma), float32(eps), float32(neg_lr))


def adagrad(x, g, var, wd, has_wd, eps, neg_clr):
    blocks, threads = _check('adagrad', x, g, var)
    _adagrad[blocks, threads](x, g, var, float32(wd), bool(has_wd), float32(eps),
                              float32(neg_clr))
