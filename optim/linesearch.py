"""optim.lswolfe (a line search satisfying the strong Wolfe conditions) and optim.polyinterp
(the minimiser of the polynomial interpolating function values and derivatives), after
Torch7's lswolfe.lua and polyinterp.lua, themselves after Mark Schmidt's minFunc.
"""
import math

import numpy as np

from torchlike._core import TensorBase, wrap
from . import _config as C


# -- polyinterp ----------------------------------------------------------------------------------
def polyinterp(points, xminBound=None, xmaxBound=None):
    """Position of the minimum of the polynomial through `points` (an N x 3 tensor, array or list
    of (x, f(x), f'(x)) rows) inside [xminBound, xmaxBound] (default: the points' x range).

    Two points without bounds use the closed-form cubic minimiser, clamped to the points' range
    (the middle of the range when the cubic has no real minimiser); otherwise the degree 2N-1
    polynomial is fitted by least squares and the best of its real critical points, the bounds
    and the points is returned. Returns a float (Torch7 also returned the polynomial's value
    in the general case; Lua callers only ever used the position).
    """
    p = points._arr() if isinstance(points, TensorBase) else np.asarray(points)
    p = np.asarray(p, np.float64)
    if p.ndim != 2 or p.shape[1] != 3 or p.shape[0] < 1:
        raise ValueError(f"optim.polyinterp: points must be an N x 3 table of (x, f, df) rows, "
                         f"got shape {p.shape}")
    return _polyinterp(p, xminBound, xmaxBound)


def _polyinterp(p, xminBound=None, xmaxBound=None):
    n = p.shape[0]
    order = 2 * n - 1
    if n == 2 and xminBound is None and xmaxBound is None:
        lo = int(np.argmin(p[:, 0]))
        hi = 1 - lo
        x1, f1, g1 = p[lo]
        x2, f2, g2 = p[hi]
        d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        disc = d1 * d1 - g1 * g2
        if disc >= 0:
            d2 = math.sqrt(disc)
            with np.errstate(divide='ignore', invalid='ignore'):   # inf/nan as in Lua
                t = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
            if t == t:
                return float(min(max(t, x1), x2))
        return float(np.mean(p[:, 0]))

    xs = p[:, 0]
    lo_b = float(xs.min()) if xminBound is None else float(xminBound)
    hi_b = float(xs.max()) if xmaxBound is None else float(xmaxBound)
    # constraints: the polynomial's values and derivatives at the points (highest power first)
    powers = np.arange(order, -1, -1)
    A = np.zeros((2 * n, order + 1))
    b = np.zeros(2 * n)
    for i in range(n):
        A[i] = xs[i] ** powers
        b[i] = p[i, 1]
        A[n + i, :order] = powers[:order] * xs[i] ** (powers[:order] - 1)
        b[n + i] = p[i, 2]
    params = np.linalg.lstsq(A, b, rcond=None)[0]
    params[np.abs(params) <= 1e-12] = 0
    dparams = params[:-1] * powers[:-1]
    candidates = [lo_b, hi_b] + [float(v) for v in xs]
    if np.all(np.isfinite(dparams)):
        c = dparams.copy()
        c[np.abs(c) < 1e-12] = 0
        if np.any(c != 0):
            for r in np.roots(c):
                if np.imag(r) == 0:
                    candidates.append(float(np.real(r)))
    best, fmin = (lo_b + hi_b) / 2, math.inf
    for xc in candidates:
        if lo_b <= xc <= hi_b:
            fc = float(np.polyval(params, xc))
            if fc < fmin:
                best, fmin = xc, fc
    return best


# -- lswolfe -------------------------------------------------------------------------------------
def lswolfe(feval, x, t, d, f, g, gtd, options=None):
    """`f, g, x, t, nEval = optim.lswolfe(feval, x, t, d, f, g, gtd[, options])`.

    Searches along direction d from x (gradient g, value f, directional derivative gtd = g.d)
    starting with step t, for a step meeting the strong Wolfe conditions
    f(x+t*d) <= f + c1*t*gtd and |g(x+t*d).d| <= -c2*gtd. x is left at x + t*d.
    options: c1 (1e-4), c2 (0.9), tolX (1e-9), maxIter (20), verbose (False).
    """
    name = 'lswolfe'
    options = {} if options is None else options
    c1 = C.number(name, options, 'c1', 1e-4, lo=0)
    c2 = C.number(name, options, 'c2', 0.9, lo=0)
    tolX = C.number(name, options, 'tolX', 1e-9, lo=0)
    max_iter = C.integer(name, options, 'maxIter', 20, lo=1)
    verbose = bool(options.get('verbose', False))
    xa = C.check_x(name, x)
    dv = np.asarray(d._arr() if isinstance(d, TensorBase) else d).reshape(-1)
    g0 = np.array(g._arr() if isinstance(g, TensorBase) else g, dtype=xa.dtype).reshape(-1)
    x_init = xa.copy()

    def move_to(step):                               # x = x_init + step*d
        np.add(x_init, (xa.dtype.type(step) * dv).reshape(xa.shape), out=xa)

    def probe(step):
        move_to(step)
        fv, _, gv = C.evaluate(name, feval, x, xa)
        gv = np.array(gv, copy=True).reshape(-1)
        return fv, gv, float(np.dot(gv, dv))

    t = float(t)
    f_new, g_new, gtd_new = probe(t)
    n_eval = 1
    it, t_prev, done = 0, 0.0, False
    f_prev, g_prev, gtd_prev = f, g0, gtd
    bracket = bf = bg = None
    while it < max_iter:
        if f_new > f + c1 * t * gtd or (it > 1 and f_new >= f_prev):
            bracket, bf, bg = [t_prev, t], [f_prev, f_new], [g_prev, g_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bf, bg = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bf, bg = [t_prev, t], [f_prev, f_new], [g_prev, g_new]
            break
        # extrapolate with a cubic through the last two points
        tmp = t_prev
        t_prev = t
        min_step = t + 0.01 * (t - tmp)
        max_step = t * 10
        t = _polyinterp(np.array([[tmp, f_prev, gtd_prev], [t, f_new, gtd_new]]),
                        min_step, max_step)
        f_prev, g_prev, gtd_prev = f_new, g_new, gtd_new
        f_new, g_new, gtd_new = probe(t)
        n_eval += 1
        it += 1

    if it == max_iter:
        bracket, bf, bg = [0.0, t], [f, f_new], [g0, g_new]

    # zoom: refine the bracket until a point meets the conditions
    insuf_progress = False
    while not done and it < max_iter:
        lo = 0 if bf[0] <= bf[1] else 1
        hi = 1 - lo
        f_lo = bf[lo]
        t = _polyinterp(np.array([[bracket[0], bf[0], float(np.dot(bg[0], dv))],
                                  [bracket[1], bf[1], float(np.dot(bg[1], dv))]]))
        bmax, bmin = max(bracket), min(bracket)
        width = bmax - bmin
        if width > 0 and min(bmax - t, t - bmin) / width < 0.1:
            if insuf_progress or t >= bmax or t <= bmin:
                if abs(t - bmax) < abs(t - bmin):
                    t = bmax - 0.1 * width
                else:
                    t = bmin + 0.1 * width
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new, gtd_new = probe(t)
        n_eval += 1
        it += 1
        if f_new > f + c1 * t * gtd or f_new >= f_lo:
            bracket[hi], bf[hi], bg[hi] = t, f_new, g_new
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[hi] - bracket[lo]) >= 0:
                bracket[hi], bf[hi], bg[hi] = bracket[lo], bf[lo], bg[lo]
            bracket[lo], bf[lo], bg[lo] = t, f_new, g_new
        if not done and abs((bracket[0] - bracket[1]) * gtd_new) < tolX:
            break

    if verbose and it == max_iter:
        print('<optim.lswolfe> reached max number of iterations')
    lo = int(np.argmin(bf))
    t = bracket[lo]
    move_to(t)
    g_out = wrap(x.__class__, bg[lo].reshape(xa.shape).copy())
    return bf[lo], g_out, x, t, n_eval
