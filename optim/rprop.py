"""optim.rprop: resilient backpropagation (Riedmiller; Torch7's rprop.lua).

Only the signs of the gradient are used. Per inner iteration, with g = df/dx and delta the
gradient kept from the previous iteration:
    s = sign(g*delta)
    stepsize *= etaplus where s > 0, etaminus where s < 0;  clamp to [stepsizemin, stepsizemax]
    g[s < 0] = 0;  x = x - sign(g)*stepsize;  delta = g
State: 'delta', 'stepsize' (a tensor once started; config['stepsize'] is the initial step, and
when config doubles as the state the tensor replaces it, as in Torch7).
"""
import warnings

import numpy as np

from torchlike._core import TensorBase
from . import _config as C


def rprop(feval, x, config=None, state=None):
    """`x, fs = optim.rprop(feval, x[, config[, state]])`; fs holds one f per inner iteration.

    config: stepsize (0.1), etaplus (1.2), etaminus (0.5), stepsizemax (50), stepsizemin (1e-6),
    niter (1).
    """
    name = 'rprop'
    if config is None and state is None:
        warnings.warn("optim.rprop: no config/state dict given, so the step sizes are thrown "
                      "away after this call; pass a dict and reuse it", stacklevel=2)
    config, state = C.tables(config, state)
    init = config.get('stepsize')
    if isinstance(init, TensorBase):      # config is the state: the per-element steps live here
        init = 0.1
    else:
        init = C.number(name, {'stepsize': init}, 'stepsize', 0.1, lo=0, lo_open=True)
    etaplus = C.number(name, config, 'etaplus', 1.2, lo=1)
    etaminus = C.number(name, config, 'etaminus', 0.5, lo=0, hi=1)
    smax = C.number(name, config, 'stepsizemax', 50.0, lo=0, lo_open=True)
    smin = C.number(name, config, 'stepsizemin', 1e-6, lo=0)
    if smin > smax:
        raise ValueError(f"optim.rprop: stepsizemin ({smin:g}) must not exceed stepsizemax "
                         f"({smax:g})")
    niter = C.integer(name, config, 'niter', 1, lo=1)
    xa = C.check_x(name, x)
    started = state.get('delta') is not None
    if started:
        delta, da, store_d = C.buffer(name, state, 'delta', x, xa)
        steps, sa, store_s = C.buffer(name, state, 'stepsize', x, xa)
    T = xa.dtype.type
    fs = []
    for _ in range(niter):
        f, g, ga = C.evaluate(name, feval, x, xa)
        if not started:
            delta, da, store_d = C.buffer(name, {}, 'delta', x, xa)
            steps, sa, store_s = C.buffer(name, {}, 'stepsize', x, xa, fill=init)
            started = True
        if store_d:
            state['delta'] = delta
            store_d = False
        if store_s:
            state['stepsize'] = steps
            store_s = False
        sign, gz = C.scratch(xa.shape, xa.dtype, 2)
        np.multiply(ga.reshape(xa.shape), da, out=sign)
        np.sign(sign, out=sign)
        sa *= np.where(sign > 0, T(etaplus), np.where(sign < 0, T(etaminus), T(1)))
        np.minimum(sa, T(smax), out=sa)
        np.maximum(sa, T(smin), out=sa)
        np.copyto(gz, ga.reshape(xa.shape))
        gz[sign < 0] = 0
        np.sign(gz, out=sign)
        sign *= T(-1)
        sign *= sa                                   # x = x + (-1*sign(g))*stepsize
        xa += sign
        np.copyto(da, gz)
        fs.append(f)
    return x, fs
