"""optim.FistaLS: FISTA (Beck & Teboulle 2009) with backtracking on L, for min f(x) + g(x) with f
smooth and g non-smooth with a cheap proximal step (Torch7's fista.lua).

Each iteration: with y the current search point, try ply = pl(y - grad f(y)/L, L); accept when
f(ply) <= f(y) + <ply - y, grad f(y)> + L/2 ||ply - y||^2, else L *= Lstep (at most maxline
times; then the previous iterate is kept). FISTA then extrapolates
y = x_k + (t_k - 1)/t_{k+1} (x_k - x_{k-1}) with t_{k+1} = (1 + sqrt(1 + 4 t_k^2))/2; ISTA takes
y = x_k. It stops when |F_k - F_{k-1}| <= errthres (F = f + g at y) or after maxiter iterations.

Decisions (Torch7 bugs): doFistaUpdate defaults to True, as Torch7's documentation says (its
code treated the missing value as false and ran ISTA); and the iteration starts from xinit's
values (Torch7 ignored them and started from zeros, although it documented xinit as the
initial point; pass zeros for Torch7's behaviour).
"""
import math

import numpy as np

from torchlike._core import TensorBase, wrap
from . import _config as C


def FistaLS(f, g, pl, xinit, params=None):
    """`x, history = optim.FistaLS(f, g, pl, xinit[, params])`.

    f(x, 'dx') returns (value, gradient tensor) and f(x) the value of the smooth part; g(x) the
    value of the non-smooth part; pl(x, L) replaces x in place by the proximal step
    argmin_u g(u) + L/2 ||u - x||^2. params: L (0.1), Lstep (1.5), maxiter (50), maxline (20),
    errthres (1e-4), doFistaUpdate (True), verbose (False). params['L'] is updated with the last
    L, and params['xkm'], ['y'], ['ply'] hold reusable buffers. The solution is also copied into
    xinit. history is a list with one dict per iteration: nline, L, F, Fply, Gply, Q (and xk, y
    when verbose).
    """
    name = 'FistaLS'
    params = {} if params is None else params
    L = C.number(name, params, 'L', 0.1, lo=0, lo_open=True)
    l_step = C.number(name, params, 'Lstep', 1.5, lo=1)
    maxiter = C.integer(name, params, 'maxiter', 50, lo=1)
    maxline = C.integer(name, params, 'maxline', 20, lo=0)
    errthres = C.number(name, params, 'errthres', 1e-4, lo=0)
    do_fista = bool(params.get('doFistaUpdate', True))
    verbose = bool(params.get('verbose', False))
    xa = C.check_x(name, xinit)

    def buf(key):
        t = params.get(key)
        if not (isinstance(t, TensorBase) and t._dtype == xa.dtype and t.isContiguous()):
            t = wrap(xinit.__class__, np.zeros(xa.shape, xa.dtype))
            params[key] = t
        elif tuple(t.size()) != xa.shape:
            t.resize(*xa.shape)
        return t

    xkm, y, ply = buf('xkm'), buf('y'), buf('ply')
    xk = wrap(xinit.__class__, xa.copy())            # current iterate
    xkm_a, y_a, ply_a, xk_a = xkm._arr(), y._arr(), ply._arr(), xk._arr()
    np.copyto(xkm_a, xa)
    np.copyto(y_a, xa)
    ply_a.fill(0)
    T = xa.dtype.type

    def smooth_with_grad(point):
        out = f(point, 'dx')
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("optim.FistaLS: f(x, 'dx') must return (value, gradient)")
        val, grad = out
        ga = grad._arr() if isinstance(grad, TensorBase) else np.asarray(grad)
        if ga.size != xa.size:
            raise ValueError(f"optim.FistaLS: f(x, 'dx') returned a gradient with {ga.size} "
                             f"elements for x with {xa.size}")
        return C.value_of(name, val), ga.reshape(xa.shape).copy()

    history = []
    tk = 1.0
    fval = math.inf
    niter = 0
    while niter < maxiter:
        fy, gfy = smooth_with_grad(y)
        nline = 0
        while True:
            np.copyto(ply_a, y_a)                    # gradient step, then the proximal step
            ply_a -= T(1 / L) * gfy
            pl(ply, L)
            np.copyto(xk_a, ply_a)
            fply = C.value_of(name, f(ply))
            ply_a -= y_a                             # ply - y
            q2 = float(np.dot(gfy.reshape(-1), ply_a.reshape(-1)))
            q3 = L / 2 * float(np.dot(ply_a.reshape(-1), ply_a.reshape(-1)))
            Q = fy + q2 + q3
            if verbose:
                print(f"nline={nline} L={L:g} fply={fply:g} Q={Q:g} fy={fy:g} Q2={q2:g} Q3={q3:g}")
            if fply <= Q:
                break
            if nline >= maxline:
                np.copyto(xk_a, xkm_a)               # no better point: keep the previous one
                break
            L *= l_step
            nline += 1
        nline += 1
        if do_fista:
            tkp = (1 + math.sqrt(1 + 4 * tk * tk)) / 2
            xkm_a -= xk_a                            # x_{k-1} - x_k
            np.copyto(y_a, xk_a)
            y_a += T((1 - tk) / tkp) * xkm_a
            np.copyto(xkm_a, xk_a)
            tk = tkp
        else:
            np.copyto(y_a, xk_a)
        fply = C.value_of(name, f(y))
        gply = C.value_of(name, g(y))
        if verbose:
            print(f"iter={niter} eold={fval:g} enew={fply + gply:g}")
        niter += 1
        fval = fply + gply
        rec = {'nline': nline, 'L': L, 'F': fval, 'Fply': fply, 'Gply': gply, 'Q': Q}
        if verbose:
            rec['xk'] = xk.clone()
            rec['y'] = y.clone()
        history.append(rec)
        params['L'] = L
        if niter > 1 and abs(history[-1]['F'] - history[-2]['F']) <= errthres:
            break
    np.copyto(xa, y_a)
    return xinit, history
