"""Per-element adaptive step sizes: adam, adamax, adagrad, adadelta, rmsprop (Torch7's adam.lua,
adamax.lua, adagrad.lua, adadelta.lua, rmsprop.lua).

g' = g + weightDecay*x everywhere. Each update follows Torch7's sequence of tensor operations,
one rounding per operation in x's precision; adam, rmsprop and adagrad run as one fused pass
(kernels/cpu/optim_updates.py) when x is contiguous, with `*_multipass` numpy versions of the
same updates beside them. The state keeps only what the next step needs, under Torch7's names;
Torch7's scratch tensors (denom, tmp, paramStd, delta, max) live in per-thread scratch space.
"""
import math
import warnings

import numpy as np

from kernels.cpu import optim_updates as K
from . import _config as C
from . import cuda_updates


def _no_tables_warning(name, config, state):
    if config is None and state is None:
        warnings.warn(f"optim.{name}: no config/state dict given, so the accumulated state is "
                      f"thrown away after this step; pass a dict and reuse it", stacklevel=3)


_adam_kernel = C.KernelRunner(K.adam_serial, K.adam_parallel)
_adagrad_kernel = C.KernelRunner(K.adagrad_serial, K.adagrad_parallel)
_rmsprop_kernel = C.KernelRunner(K.rmsprop_serial, K.rmsprop_parallel)


def _decayed(ga, xa, wd, buf):
    """g' = g + wd*x into buf (or g itself when wd is 0)."""
    if wd == 0:
        return ga
    np.multiply(xa, xa.dtype.type(wd), out=buf)
    np.add(ga, buf, out=buf)
    return buf


# -- adam ----------------------------------------------------------------------------------------
def adam(feval, x, config=None, state=None):
    """`x, fs = optim.adam(feval, x[, config[, state]])` (Kingma & Ba).

    config: learningRate (1e-3), learningRateDecay (0), beta1 (0.9), beta2 (0.999),
    epsilon (1e-8), weightDecay (0). State: 't' (steps taken), 'm', 'v'.
        clr = lr/(1 + t*lrd);  t += 1
        m = beta1*m + (1-beta1)*g';  v = beta2*v + (1-beta2)*g'^2
        x = x - clr*sqrt(1-beta2^t)/(1-beta1^t) * m/(sqrt(v) + epsilon)
    """
    name = 'adam'
    config, state = C.tables(config, state)
    lr = C.number(name, config, 'learningRate', 1e-3, lo=0)
    lrd = C.number(name, config, 'learningRateDecay', 0.0, lo=0)
    beta1 = C.number(name, config, 'beta1', 0.9, lo=0, hi=1, hi_open=True)
    beta2 = C.number(name, config, 'beta2', 0.999, lo=0, hi=1, hi_open=True)
    eps = C.number(name, config, 'epsilon', 1e-8, lo=0)
    wd = C.number(name, config, 'weightDecay', 0.0, lo=0)
    if cuda_updates.is_cuda(x):
        return cuda_updates.adam(feval, x, config, state, lr, lrd, beta1, beta2, eps, wd)
    xa = C.check_x(name, x)
    t = C.counter(name, state, 't')
    m, ma, store_m = C.buffer(name, state, 'm', x, xa)
    v, va, store_v = C.buffer(name, state, 'v', x, xa)

    f, g, ga = C.evaluate(name, feval, x, xa)

    if store_m:
        state['m'] = m
    if store_v:
        state['v'] = v
    clr = lr / (1 + t * lrd)
    t += 1
    step = clr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    T = xa.dtype.type
    xf = C.flat(xa)
    if C.fused_enabled() and xf is not None:
        _adam_kernel(xf.size, xf, ga.reshape(-1), ma.reshape(-1), va.reshape(-1), T(wd), wd != 0,
                     T(beta1), T(1 - beta1), T(beta2), T(1 - beta2), T(eps), T(-step))
    else:
        adam_multipass(xa, ga.reshape(xa.shape), ma, va, wd, beta1, beta2, eps, step)
    state['t'] = t
    return x, [f]


def adam_multipass(xa, ga, ma, va, wd, beta1, beta2, eps, step):
    T = xa.dtype.type
    d, s, e = C.scratch(xa.shape, xa.dtype, 3)
    gp = _decayed(ga, xa, wd, d)
    ma *= T(beta1)                                  # m = m*b1 + (1-b1)*g'
    np.multiply(gp, T(1 - beta1), out=s)
    ma += s
    va *= T(beta2)                                  # v = v*b2 + ((1-b2)*g')*g'
    np.multiply(gp, T(1 - beta2), out=s)
    s *= gp
    va += s
    np.sqrt(va, out=s)                              # denom = sqrt(v) + eps
    s += T(eps)
    np.multiply(ma, T(-step), out=e)                # x = x + (-step*m)/denom
    e /= s
    xa += e


# -- adamax --------------------------------------------------------------------------------------
def adamax(feval, x, config=None, state=None):
    """`x, fs = optim.adamax(feval, x[, config[, state]])` (Adam with the infinity norm).

    config: learningRate (2e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-38), weightDecay (0).
    State: 't', 'm', 'u'.
        t += 1;  m = beta1*m + (1-beta1)*g';  u = max(beta2*u, |g'| + epsilon)
        x = x - lr/(1-beta1^t) * m/u
    """
    name = 'adamax'
    config, state = C.tables(config, state)
    lr = C.number(name, config, 'learningRate', 2e-3, lo=0)
    beta1 = C.number(name, config, 'beta1', 0.9, lo=0, hi=1, hi_open=True)
    beta2 = C.number(name, config, 'beta2', 0.999, lo=0, hi=1)
    eps = C.number(name, config, 'epsilon', 1e-38, lo=0)
    wd = C.number(name, config, 'weightDecay', 0.0, lo=0)
    xa = C.check_x(name, x)
    t = C.counter(name, state, 't')
    m, ma, store_m = C.buffer(name, state, 'm', x, xa)
    u, ua, store_u = C.buffer(name, state, 'u', x, xa)

    f, g, ga = C.evaluate(name, feval, x, xa)

    if store_m:
        state['m'] = m
    if store_u:
        state['u'] = u
    t += 1
    T = xa.dtype.type
    d, s, e = C.scratch(xa.shape, xa.dtype, 3)
    gp = _decayed(ga.reshape(xa.shape), xa, wd, d)
    ma *= T(beta1)
    np.multiply(gp, T(1 - beta1), out=s)
    ma += s
    ua *= T(beta2)
    np.abs(gp, out=s)
    s += T(eps)
    np.maximum(ua, s, out=ua)
    np.multiply(ma, T(-(lr / (1 - beta1 ** t))), out=e)
    e /= ua
    xa += e
    state['t'] = t
    return x, [f]


# -- adagrad -------------------------------------------------------------------------------------
ADAGRAD_EPS = 1e-10


def adagrad(feval, x, config=None, state=None):
    """`x, fs = optim.adagrad(feval, x[, config[, state]])` (Duchi et al.).

    config: learningRate (1e-3), learningRateDecay (0), weightDecay (0).
    State: 'evalCounter', 'paramVariance'.
        clr = lr/(1 + evalCounter*lrd);  var += g'^2;  x = x - clr*g'/(sqrt(var) + 1e-10)
    """
    name = 'adagrad'
    _no_tables_warning(name, config, state)
    config, state = C.tables(config, state)
    lr = C.number(name, config, 'learningRate', 1e-3, lo=0)
    lrd = C.number(name, config, 'learningRateDecay', 0.0, lo=0)
    wd = C.number(name, config, 'weightDecay', 0.0, lo=0)
    xa = C.check_x(name, x)
    nevals = C.counter(name, state, 'evalCounter')
    var, vara, store = C.buffer(name, state, 'paramVariance', x, xa)

    f, g, ga = C.evaluate(name, feval, x, xa)

    if store:
        state['paramVariance'] = var
    clr = lr / (1 + nevals * lrd)
    T = xa.dtype.type
    xf = C.flat(xa)
    if C.fused_enabled() and xf is not None:
        _adagrad_kernel(xf.size, xf, ga.reshape(-1), vara.reshape(-1), T(wd), wd != 0,
                        T(ADAGRAD_EPS), T(-clr))
    else:
        adagrad_multipass(xa, ga.reshape(xa.shape), vara, wd, clr)
    state['evalCounter'] = nevals + 1
    return x, [f]


def adagrad_multipass(xa, ga, vara, wd, clr):
    T = xa.dtype.type
    d, s, e = C.scratch(xa.shape, xa.dtype, 3)
    gp = _decayed(ga, xa, wd, d)
    np.multiply(gp, gp, out=s)                      # var = var + g'*g'
    vara += s
    np.sqrt(vara, out=s)                            # std = sqrt(var) + 1e-10
    s += T(ADAGRAD_EPS)
    np.multiply(gp, T(-clr), out=e)                 # x = x + (-clr*g')/std
    e /= s
    xa += e


# -- adadelta ------------------------------------------------------------------------------------
def adadelta(feval, x, config=None, state=None):
    """`x, fs = optim.adadelta(feval, x[, config[, state]])` (Zeiler); no learning rate.

    config: rho (0.9), eps (1e-6), weightDecay (0). State: 'evalCounter', 'paramVariance',
    'accDelta'.
        var = rho*var + (1-rho)*g'^2
        delta = sqrt(accDelta + eps)/sqrt(var + eps) * g';  x = x - delta
        accDelta = rho*accDelta + (1-rho)*delta^2
    """
    name = 'adadelta'
    _no_tables_warning(name, config, state)
    config, state = C.tables(config, state)
    rho = C.number(name, config, 'rho', 0.9, lo=0, hi=1)
    eps = C.number(name, config, 'eps', 1e-6, lo=0)
    wd = C.number(name, config, 'weightDecay', 0.0, lo=0)
    xa = C.check_x(name, x)
    nevals = C.counter(name, state, 'evalCounter')
    var, vara, store_var = C.buffer(name, state, 'paramVariance', x, xa)
    acc, acca, store_acc = C.buffer(name, state, 'accDelta', x, xa)

    f, g, ga = C.evaluate(name, feval, x, xa)

    if store_var:
        state['paramVariance'] = var
    if store_acc:
        state['accDelta'] = acc
    T = xa.dtype.type
    d, s, e = C.scratch(xa.shape, xa.dtype, 3)
    gp = _decayed(ga.reshape(xa.shape), xa, wd, d)
    vara *= T(rho)
    np.multiply(gp, T(1 - rho), out=s)
    s *= gp
    vara += s
    np.add(vara, T(eps), out=s)                     # std = sqrt(var + eps)
    np.sqrt(s, out=s)
    np.add(acca, T(eps), out=e)                     # delta = sqrt(accDelta + eps)/std*g'
    np.sqrt(e, out=e)
    e /= s
    e *= gp
    xa -= e
    acca *= T(rho)
    np.multiply(e, T(1 - rho), out=s)
    s *= e
    acca += s
    state['evalCounter'] = nevals + 1
    return x, [f]


# -- rmsprop -------------------------------------------------------------------------------------
def rmsprop(feval, x, config=None, state=None):
    """`x, fs = optim.rmsprop(feval, x[, config[, state]])` (Tieleman & Hinton).

    config: learningRate (1e-2), alpha (0.99), epsilon (1e-8), weightDecay (0), initialMean (0,
    the starting value of m). State: 'm'.
        m = alpha*m + (1-alpha)*g'^2;  x = x - lr*g'/(sqrt(m) + epsilon)
    """
    name = 'rmsprop'
    config, state = C.tables(config, state)
    lr = C.number(name, config, 'learningRate', 1e-2, lo=0)
    alpha = C.number(name, config, 'alpha', 0.99, lo=0, hi=1)
    eps = C.number(name, config, 'epsilon', 1e-8, lo=0)
    wd = C.number(name, config, 'weightDecay', 0.0, lo=0)
    mfill = C.number(name, config, 'initialMean', 0.0, lo=0)
    xa = C.check_x(name, x)
    m, ma, store = C.buffer(name, state, 'm', x, xa, fill=mfill)

    f, g, ga = C.evaluate(name, feval, x, xa)

    if store:
        state['m'] = m
    T = xa.dtype.type
    xf = C.flat(xa)
    if C.fused_enabled() and xf is not None:
        _rmsprop_kernel(xf.size, xf, ga.reshape(-1), ma.reshape(-1), T(wd), wd != 0, T(alpha),
                        T(1 - alpha), T(eps), T(-lr))
    else:
        rmsprop_multipass(xa, ga.reshape(xa.shape), ma, wd, alpha, eps, lr)
    return x, [f]


def rmsprop_multipass(xa, ga, ma, wd, alpha, eps, lr):
    T = xa.dtype.type
    d, s, e = C.scratch(xa.shape, xa.dtype, 3)
    gp = _decayed(ga, xa, wd, d)
    ma *= T(alpha)                                  # m = m*alpha + ((1-alpha)*g')*g'
    np.multiply(gp, T(1 - alpha), out=s)
    s *= gp
    ma += s
    np.sqrt(ma, out=s)                              # tmp = sqrt(m) + eps
    s += T(eps)
    np.multiply(gp, T(-lr), out=e)                  # x = x + (-lr*g')/tmp
    e /= s
    xa += e
