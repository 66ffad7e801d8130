"""optim.nag: Nesterov's accelerated gradient in Sutskever et al.'s form (Torch7's nag.lua).

The look-ahead is applied to x itself: when a velocity v exists, x += momentum*v *before* feval is
called, so the returned x and f are at the look-ahead point. Then, with g' = g + weightDecay*x:
    v = momentum*v  (zeros on the first call);  x = x - clr*g';  v = v - clr*g'
(learningRates*g' instead of g' when given), clr = lr/(1 + evalCounter*learningRateDecay).
State: 'evalCounter', 'dfdx' (the velocity).
"""
import numpy as np

from . import _config as C


def nag(feval, x, config=None, state=None):
    """`x, fs = optim.nag(feval, x[, config[, state]])`.

    config: learningRate (1e-3), learningRateDecay (0), weightDecay (0), momentum (0.9, must be
    > 0), learningRates (tensor). If feval fails or returns a bad gradient, x is restored.
    """
    name = 'nag'
    config, state = C.tables(config, state)
    lr = C.number(name, config, 'learningRate', 1e-3, lo=0)
    lrd = C.number(name, config, 'learningRateDecay', 0.0, lo=0)
    wd = C.number(name, config, 'weightDecay', 0.0, lo=0)
    mom = C.number(name, config, 'momentum', 0.9)
    if mom <= 0:
        raise ValueError(f"optim.nag: momentum must be positive for Nesterov accelerated "
                         f"gradient, got {mom:g}")
    xa = C.check_x(name, x)
    lrs = C.per_element(name, config, 'learningRates', x, xa)
    nevals = C.counter(name, state, 'evalCounter')
    first = state.get('dfdx') is None
    v, va, store = C.buffer(name, state, 'dfdx', x, xa)
    T = xa.dtype.type

    if not first:
        backup, = C.scratch(xa.shape, xa.dtype, 1, tag='nag-backup')
        np.copyto(backup, xa)
        s, = C.scratch(xa.shape, xa.dtype, 1)
        np.multiply(va, T(mom), out=s)              # look-ahead: x = x + mom*v
        xa += s
        try:
            f, g, ga = C.evaluate(name, feval, x, xa)
        except BaseException:
            np.copyto(xa, backup)
            raise
    else:
        f, g, ga = C.evaluate(name, feval, x, xa)

    if store:
        state['dfdx'] = v
    clr = lr / (1 + nevals * lrd)
    d, s = C.scratch(xa.shape, xa.dtype, 2)
    gp = ga.reshape(xa.shape)
    if wd != 0:
        np.multiply(xa, T(wd), out=d)
        np.add(gp, d, out=d)
        gp = d
    if first:
        va.fill(0)
    else:
        va *= T(mom)
    if lrs is not None:
        np.copyto(s, lrs.reshape(xa.shape), casting='unsafe')
        s *= gp
        gp = s
    np.multiply(gp, T(-clr), out=s)
    xa += s
    va += s
    state['evalCounter'] = nevals + 1
    return x, [f]
