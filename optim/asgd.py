"""optim.asgd: averaged stochastic gradient descent (Bottou's sgd-2.0; Torch7's asgd.lua).

    x = (1 - lambda*eta_t)*x - eta_t*g
    ax = x  while mu_t == 1,  else  ax = ax + mu_t*(x - ax)
    t += 1;  eta_t = eta0/(1 + lambda*eta0*t)^alpha;  mu_t = 1/max(1, t - t0)
State: 'eta_t', 'mu_t', 't', 'ax' (the averaged x, also returned). As in Torch7, the defaults of
eta0, lambda, alpha and t0 are written into config.
"""
import numpy as np

from . import _config as C


def asgd(feval, x, config=None, state=None):
    """`x, fs, ax = optim.asgd(feval, x[, config[, state]])`.

    config: eta0 (1e-4), lambda (1e-4), alpha (0.75), t0 (1e6).
    """
    name = 'asgd'
    config, state = C.tables(config, state)
    eta0 = C.number(name, config, 'eta0', 1e-4, lo=0)
    lam = C.number(name, config, 'lambda', 1e-4, lo=0)
    alpha = C.number(name, config, 'alpha', 0.75, lo=0)
    t0 = C.number(name, config, 't0', 1e6)
    eta_t = C.number(name, state, 'eta_t', eta0, lo=0)
    mu_t = C.number(name, state, 'mu_t', 1.0, lo=0)
    t = C.counter(name, state, 't')
    xa = C.check_x(name, x)
    ax, axa, store = C.buffer(name, state, 'ax', x, xa)

    f, g, ga = C.evaluate(name, feval, x, xa)

    for key, v in (('eta0', eta0), ('lambda', lam), ('alpha', alpha), ('t0', t0)):
        if config.get(key) is None:
            config[key] = v
    if store:
        state['ax'] = ax
    T = xa.dtype.type
    s, = C.scratch(xa.shape, xa.dtype, 1)
    xa *= T(1 - lam * eta_t)
    np.multiply(ga.reshape(xa.shape), T(-eta_t), out=s)
    xa += s
    if mu_t != 1:
        np.subtract(xa, axa, out=s)
        s *= T(mu_t)
        axa += s
    else:
        np.copyto(axa, xa)
    t += 1
    state['t'] = t
    state['eta_t'] = eta0 / (1 + lam * eta0 * t) ** alpha
    state['mu_t'] = 1 / max(1, t - t0)
    return x, [f], ax
