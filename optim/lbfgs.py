"""optim.lbfgs: limited-memory BFGS after minFunc (Torch7's lbfgs.lua).

Without a line search it takes fixed steps of learningRate along the L-BFGS direction (useful on
noisy minibatch objectives); with `lineSearch=optim.lswolfe` it searches each direction. The
curvature memory lives in the state, so repeated calls (one per minibatch) continue one L-BFGS.
State: 'funcEval', 'nIter', 'd', 't', 'old_dirs' (the steps s), 'old_stps' (the gradient
changes y; Torch7's names), 'Hdiag', 'g_old', 'f_old'.
"""
import numpy as np

from torchlike._core import TensorBase, wrap
from . import _config as C


def lbfgs(feval, x, config=None, state=None):
    """`x, fs, nEval = optim.lbfgs(feval, x[, config[, state]])`.

    config: maxIter (20), maxEval (1.25*maxIter), tolFun (1e-5, on sum|g|), tolX (1e-9, on the
    step and on changes of f), nCorrection (100 pairs kept), lineSearch (None or a function
    like optim.lswolfe), lineSearchOptions, learningRate (1), verbose (False).
    fs[0] is f at the starting point and fs[-1] the last value computed; nEval counts the
    function evaluations of this call.
    """
    name = 'lbfgs'
    config, state = C.tables(config, state)
    max_iter = C.integer(name, config, 'maxIter', 20, lo=1)
    max_eval = C.number(name, config, 'maxEval', max_iter * 1.25, lo=1)
    tol_fun = C.number(name, config, 'tolFun', 1e-5, lo=0)
    tol_x = C.number(name, config, 'tolX', 1e-9, lo=0)
    n_correction = C.integer(name, config, 'nCorrection', 100, lo=1)
    line_search = config.get('lineSearch')
    if line_search is not None and not callable(line_search):
        raise TypeError(f"optim.lbfgs: lineSearch must be a function such as optim.lswolfe, "
                        f"got {type(line_search).__name__}")
    ls_options = config.get('lineSearchOptions')
    lr = C.number(name, config, 'learningRate', 1.0, lo=0, lo_open=True)
    verbose = bool(config.get('verbose', False))
    say = (lambda msg: print('<optim.lbfgs> ' + msg)) if verbose else (lambda msg: None)
    xa = C.check_x(name, x)
    func_eval = C.counter(name, state, 'funcEval')
    n_iter_total = C.counter(name, state, 'nIter')

    f, g, ga = C.evaluate(name, feval, x, xa)
    f_hist = [f]
    n_eval = 1
    state['funcEval'] = func_eval + 1
    state['nIter'] = n_iter_total
    if np.abs(ga).sum() <= tol_fun:
        say('optimality condition below tolFun')
        return x, f_hist, n_eval

    cls, dtype, shape = x.__class__, xa.dtype, xa.shape
    new = lambda a: wrap(cls, np.array(a, dtype=dtype).reshape(shape))  # noqa: E731
    arr = lambda t: t._arr().reshape(-1)                                 # noqa: E731
    d = state.get('d')
    t = state.get('t')
    old_dirs = _tensor_list(state.get('old_dirs'))
    old_stps = _tensor_list(state.get('old_stps'))
    h_diag = state.get('Hdiag')
    g_old = state.get('g_old')
    f_old = state.get('f_old')
    gv = ga.reshape(-1)

    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        state['nIter'] += 1
        # -- direction ---------------------------------------------------------------------------
        if state['nIter'] == 1:
            d = new(-gv)
            old_dirs, old_stps = [], []
            h_diag = 1.0
        else:
            y = gv - arr(g_old)                      # change of gradient
            s = arr(d) * dtype.type(t)               # step taken
            ys = float(np.dot(y, s))
            if ys > 1e-10:
                if len(old_dirs) == n_correction:    # forget the oldest pair, reuse its memory
                    s_t, y_t = old_dirs.pop(0), old_stps.pop(0)
                    arr(s_t)[:] = s
                    arr(y_t)[:] = y
                else:
                    s_t, y_t = new(s), new(y)
                old_dirs.append(s_t)
                old_stps.append(y_t)
                h_diag = ys / float(np.dot(y, y))
            # two-loop recursion: d = -H*g
            k = len(old_dirs)
            ss = [arr(v) for v in old_dirs]
            yy = [arr(v) for v in old_stps]
            ro = [1.0 / float(np.dot(yy[i], ss[i])) for i in range(k)]
            al = [0.0] * k
            q = -gv
            for i in range(k - 1, -1, -1):
                al[i] = float(np.dot(ss[i], q)) * ro[i]
                q -= dtype.type(al[i]) * yy[i]
            r = arr(d)
            np.multiply(q, dtype.type(h_diag), out=r)
            for i in range(k):
                be = float(np.dot(yy[i], r)) * ro[i]
                r += dtype.type(al[i] - be) * ss[i]
        if g_old is None or not isinstance(g_old, TensorBase) or g_old.nElement() != gv.size:
            g_old = new(gv)
        else:
            arr(g_old)[:] = gv
        f_old = f

        # -- step length -------------------------------------------------------------------------
        gtd = float(np.dot(gv, arr(d)))
        if gtd > -tol_x:
            say('directional derivative below tolX')
            break
        t = min(1.0, 1.0 / float(np.abs(gv).sum())) * lr if state['nIter'] == 1 else lr

        if line_search is not None:
            f, g, x, t, ls_evals = line_search(feval, x, t, d, f, g, gtd, ls_options)
            xa = x._arr()
            f = C.value_of(name, f)
            gv = np.asarray(g._arr() if isinstance(g, TensorBase) else g).reshape(-1)
            f_hist.append(f)
        else:
            xf = C.flat(xa)
            if xf is not None:
                xf += dtype.type(t) * arr(d)
            else:
                xa += (dtype.type(t) * arr(d)).reshape(shape)
            ls_evals = 0
            if n_iter != max_iter:
                # in a stochastic setting the last evaluation would be wasted
                f, g, ga = C.evaluate(name, feval, x, xa)
                gv = ga.reshape(-1)
                ls_evals = 1
                f_hist.append(f)
        n_eval += ls_evals
        state['funcEval'] += ls_evals

        # -- stopping rules ----------------------------------------------------------------------
        if n_iter == max_iter:
            say('reached max number of iterations')
            break
        if n_eval >= max_eval:
            say('max nb of function evals')
            break
        if np.abs(gv).sum() <= tol_fun:
            say('optimality condition below tolFun')
            break
        if float(np.abs(arr(d)).sum()) * abs(t) <= tol_x:
            say('step size below tolX')
            break
        if abs(f - f_old) < tol_x:
            say('function value changing less than tolX')
            break

    state['old_dirs'] = old_dirs
    state['old_stps'] = old_stps
    state['Hdiag'] = h_diag
    state['g_old'] = g_old
    state['f_old'] = f_old
    state['t'] = t
    state['d'] = d
    return x, f_hist, n_eval


def _tensor_list(v):
    """The pair history as a list (a state loaded from a .t7 file holds an empty history as an
    empty table, which loads as a dict)."""
    if v is None:
        return None
    if isinstance(v, dict):
        return [v[k] for k in sorted(v)]
    return list(v)
