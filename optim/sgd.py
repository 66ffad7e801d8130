"""optim.sgd: stochastic gradient descent with weight decay, momentum, dampening, Nesterov
momentum, learning-rate decay and per-element learning rates / weight decays (Torch7's sgd.lua).

One step, with g = df/dx at x and nevals = state['evalCounter'] (calls made so far):
    g' = g + weightDecay*x                  (or g + weightDecays*x)
    v  = g'  on the first momentum step, then  v = momentum*v + (1 - dampening)*g'
    step = g' + momentum*v  (nesterov)  |  v  (momentum)  |  g'  (no momentum)
    x  = x - lr/(1 + nevals*learningRateDecay) * (learningRates*step  or  step)
State: 'evalCounter', and 'dfdx' (the momentum buffer v) when momentum is on.
"""
import numpy as np

from kernels.cpu import optim_updates as K
from . import _config as C
from . import cuda_updates

_plain_kernel = C.KernelRunner(K.sgd_plain_serial, K.sgd_plain_parallel)
_momentum_kernel = C.KernelRunner(K.sgd_momentum_serial, K.sgd_momentum_parallel)


def sgd(feval, x, config=None, state=None):
    """`x, fs = optim.sgd(feval, x[, config[, state]])`.

    config: learningRate (1e-3), learningRateDecay (0), weightDecay (0), weightDecays (tensor),
    momentum (0), dampening (defaults to the momentum), nesterov (False; needs momentum > 0 and
    dampening = 0), learningRates (tensor). `x` is updated in place and returned; `fs` is [f(x)]
    evaluated before the update. The gradient tensor feval returns is not modified.
    """
    name = 'sgd'
    config, state = C.tables(config, state)
    lr = C.number(name, config, 'learningRate', 1e-3, lo=0)
    lrd = C.number(name, config, 'learningRateDecay', 0.0, lo=0)
    wd = C.number(name, config, 'weightDecay', 0.0, lo=0)
    mom = C.number(name, config, 'momentum', 0.0, lo=0)
    damp = C.number(name, config, 'dampening', mom)
    nesterov = bool(config.get('nesterov', False))
    if nesterov and not (mom > 0 and damp == 0):
        raise ValueError(f"optim.sgd: Nesterov momentum needs momentum > 0 and dampening = 0, got "
                         f"momentum={mom:g}, dampening={damp:g} (dampening defaults to the "
                         f"momentum: set dampening=0 explicitly)")
    if cuda_updates.is_cuda(x):
        return cuda_updates.sgd(feval, x, config, state, lr, lrd, wd, mom, damp, nesterov)
    xa = C.check_x(name, x)
    lrs = C.per_element(name, config, 'learningRates', x, xa)
    wds = C.per_element(name, config, 'weightDecays', x, xa)
    if wd != 0 and wds is not None:
        raise ValueError("optim.sgd: give weightDecay or weightDecays, not both (Torch7 silently "
                         "ignored weightDecays when weightDecay was non-zero)")
    nevals = C.counter(name, state, 'evalCounter')
    if mom != 0:
        first = state.get('dfdx') is None
        v, va, store = C.buffer(name, state, 'dfdx', x, xa)

    f, g, ga = C.evaluate(name, feval, x, xa)

    if mom != 0 and store:
        state['dfdx'] = v
    clr = lr / (1 + nevals * lrd)
    T = xa.dtype.type
    xf = C.flat(xa)
    if C.fused_enabled() and xf is not None and lrs is None and wds is None:
        gf = ga.reshape(-1)
        if mom == 0:
            _plain_kernel(xf.size, xf, gf, T(-clr), T(wd), wd != 0)
        else:
            # the first momentum step copies g' into the zeroed buffer: v = 0*v + 1*g'
            vmom, omd = (T(0), T(1)) if first else (T(mom), T(1 - damp))
            _momentum_kernel(xf.size, xf, gf, va.reshape(-1), T(-clr), T(wd), wd != 0, vmom, omd,
                             T(mom), nesterov)
    else:
        sgd_multipass(xa, ga.reshape(xa.shape), va if mom != 0 else None, clr, wd, wds, mom,
                      damp, nesterov, first if mom != 0 else False, lrs)
    state['evalCounter'] = nevals + 1
    return x, [f]


def sgd_multipass(xa, ga, va, clr, wd, wds, mom, damp, nesterov, first, lrs):
    """The same update as whole-array numpy operations, in Torch7's order (one rounding per
    operation, in x's precision). ga is never written."""
    T = xa.dtype.type
    d, s, e = C.scratch(xa.shape, xa.dtype, 3)
    if wd != 0:                                     # g' = g + wd*x
        np.multiply(xa, T(wd), out=d)
        np.add(ga, d, out=d)
        gp = d
    elif wds is not None:                           # g' = g + wds*x
        np.copyto(d, wds.reshape(xa.shape), casting='unsafe')
        d *= xa
        np.add(ga, d, out=d)
        gp = d
    else:
        gp = ga
    step = gp
    if mom != 0:
        if first:
            np.copyto(va, gp)
        else:
            va *= T(mom)
            np.multiply(gp, T(1 - damp), out=s)
            va += s
        if nesterov:                                # step = g' + mom*v
            np.multiply(va, T(mom), out=s)
            np.add(gp, s, out=s)
            step = s
        else:
            step = va
    if lrs is not None:                             # step = lrs*step
        np.copyto(e, lrs.reshape(xa.shape), casting='unsafe')
        e *= step
        step = e
    np.multiply(step, T(-clr), out=e)               # x = x + (-clr)*step
    xa += e
