"""optim.cg: nonlinear conjugate gradients with Polak-Ribiere directions and a cubic
interpolation/extrapolation line search under the Wolfe-Powell conditions; Torch7's cg.lua, a
port of Carl Rasmussen's minimize.m.

Decision (Torch7 bug): minimize.m gives up after two line searches in a row fail. Torch7 tested
`if ls_failed or i > maxEval`, and Lua treats the number 0 as true, so it stopped at the FIRST
failed line search. Here, as in minimize.m, the first failure resets the direction to steepest
descent and tries again; a second failure in a row stops.
State: buffers 'df0', 'df1', 'df2', 'df3', 's', 'x0' (reused across calls, as in Torch7).
"""
import math

import numpy as np

from torchlike._core import TensorBase, wrap
from . import _config as C


def _buf(state, key, x, xa):
    t = state.get(key)
    if isinstance(t, TensorBase) and t._dtype == xa.dtype and t.nElement() == xa.size \
            and t.isContiguous():
        return t._arr().reshape(-1)
    t = wrap(x.__class__, np.zeros(xa.shape, xa.dtype))
    state[key] = t
    return t._arr().reshape(-1)


def cg(feval, x, config=None, state=None):
    """`x, fs, nEval = optim.cg(feval, x[, config[, state]])`.

    config: rho (0.01), sig (0.5), int (0.1), ext (3.0), maxIter (20, line-search evaluations per
    direction), ratio (100, the largest growth of the initial step), maxEval (1.25*maxIter).
    fs holds f at the start and after every successful line search.
    """
    name = 'cg'
    config, state = C.tables(config, state)
    rho = C.number(name, config, 'rho', 0.01, lo=0)
    sig = C.number(name, config, 'sig', 0.5, lo=0)
    interp = C.number(name, config, 'int', 0.1, lo=0)
    ext = C.number(name, config, 'ext', 3.0, lo=1)
    max_iter = C.integer(name, config, 'maxIter', 20, lo=1)
    ratio = C.number(name, config, 'ratio', 100.0, lo=0)
    max_eval = C.number(name, config, 'maxEval', max_iter * 1.25)
    xa = C.check_x(name, x)
    if not xa.flags.c_contiguous:
        raise ValueError("optim.cg: x must be contiguous (call x.contiguous() and optimise that)")
    xv = xa.reshape(-1)
    T = xa.dtype.type
    red = 1.0

    f1, _, ga = C.evaluate(name, feval, x, xa)
    df0, df1, df2, df3 = (_buf(state, k, x, xa) for k in ('df0', 'df1', 'df2', 'df3'))
    s = _buf(state, 's', x, xa)
    x0 = _buf(state, 'x0', x, xa)
    fx = [f1]
    np.copyto(df1, ga.reshape(-1))
    i = 1

    def evaluate():
        fv, _, gv = C.evaluate(name, feval, x, xa)
        np.copyto(df2, gv.reshape(-1))
        return fv, float(np.dot(df2, s))

    np.negative(df1, out=s)                          # initial direction: steepest descent
    d1 = -float(np.dot(s, s))                        # slope
    z1 = red / (1 - d1)                              # initial step
    ls_failed = False
    while i < abs(max_eval):
        np.copyto(x0, xv)
        f0 = f1
        np.copyto(df0, df1)
        xv += T(z1) * s
        f2, d2 = evaluate()
        i += 1
        f3, d3, z3 = f1, d1, -z1                     # point 3 starts equal to point 1
        m = min(max_iter, max_eval - i)
        success = False
        limit = -1.0
        while True:
            while (f2 > f1 + z1 * rho * d1 or d2 > -sig * d1) and m > 0:
                limit = z1                           # tighten the bracket
                if f2 > f1:
                    z2 = z3 - (0.5 * d3 * z3 * z3) / (d3 * z3 + f2 - f3)   # quadratic fit
                else:
                    A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)                 # cubic fit
                    B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
                    z2 = _sqrt_or_nan(B * B - A * d2 * z3 * z3) - B
                    z2 = z2 / A if A != 0 else math.nan
                if not math.isfinite(z2):
                    z2 = z3 / 2                      # bisect when the fit is useless
                z2 = max(min(z2, interp * z3), (1 - interp) * z3)
                z1 += z2
                xv += T(z2) * s
                f2, d2 = evaluate()
                i += 1
                m -= 1
                z3 -= z2
            if f2 > f1 + z1 * rho * d1 or d2 > -sig * d1:
                break                                # failure
            if d2 > sig * d1:
                success = True
                break
            if m == 0:
                break                                # out of evaluations
            A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)   # cubic extrapolation
            B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
            denom = B + _sqrt_or_nan(B * B - A * d2 * z3 * z3)
            z2 = -d2 * z3 * z3 / denom if denom != 0 else math.nan
            if not math.isfinite(z2) or z2 < 0:
                z2 = z1 * (ext - 1) if limit < -0.5 else (limit - z1) / 2
            elif limit > -0.5 and z2 + z1 > limit:
                z2 = (limit - z1) / 2
            elif limit < -0.5 and z2 + z1 > z1 * ext:
                z2 = z1 * (ext - 1)
            elif z2 < -z3 * interp:
                z2 = -z3 * interp
            elif limit > -0.5 and z2 < (limit - z1) * (1 - interp):
                z2 = (limit - z1) * (1 - interp)
            f3, d3, z3 = f2, d2, -z2
            z1 += z2
            xv += T(z2) * s
            f2, d2 = evaluate()
            i += 1
            m -= 1
        if success:
            f1 = f2
            fx.append(f1)
            # Polak-Ribiere
            ss = (float(np.dot(df2, df2)) - float(np.dot(df2, df1))) / float(np.dot(df1, df1))
            s *= T(ss)
            s -= df2
            df1[:], df2[:] = df2, df1.copy()         # swap derivatives
            d2 = float(np.dot(df1, s))
            if d2 > 0:                               # not a descent direction: restart
                np.negative(df1, out=s)
                d2 = -float(np.dot(s, s))
            z1 = z1 * min(ratio, d1 / (d2 - 1e-320))
            d1 = d2
            ls_failed = False
        else:
            np.copyto(xv, x0)                        # back to the best point so far
            f1 = f0
            np.copyto(df1, df0)
            if ls_failed or i > max_eval:            # two failures in a row, or out of budget
                break
            df1[:], df2[:] = df2, df1.copy()
            np.negative(df1, out=s)                  # restart along steepest descent
            d1 = -float(np.dot(s, s))
            z1 = 1 / (1 - d1)
            ls_failed = True
    return x, fx, i


def _sqrt_or_nan(v):
    return math.sqrt(v) if v >= 0 else math.nan
