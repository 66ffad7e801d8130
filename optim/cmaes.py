"""optim.cmaes: the Covariance Matrix Adaptation Evolution Strategy (Hansen's purecma /
barecmaes2, as ported in Torch7's cmaes.lua). Gradient-free: only f of feval is used.

Each iteration samples popsize candidates m + sigma*B*D*z (z standard normal), evaluates them,
moves the mean to the weighted mean of the best mu = popsize//2, updates the evolution paths,
the covariance matrix (rank-one and rank-mu updates) and the step size sigma, and refreshes
the eigen decomposition of C lazily. Stops on maxEval, ftarget, condition number > 1e14 of C
(max(D) > 1e7*min(D)), a fitness range below 1e-12, or sigma*max(D) < 1e-11.

Deviations from Torch7: the best solution is also copied into x (the optim contract updates x
in place); verb_disp defaults to 0 (Torch7 crashed in its display code when it was unset);
mu is popsize//2 in the weights too (Torch7 used a fractional popsize/2 there).
"""
import math

import numpy as np

import torchlike
from torchlike._core import wrap
from . import _config as C


def _standard_normal(shape):
    """Draws from torchlike's global generator when it offers randn (so torch.manualSeed
    reproduces a run), else from numpy's global generator."""
    randn = getattr(torchlike, 'randn', None)
    if randn is not None:
        return np.asarray(randn(*shape)._arr(), np.float64).reshape(shape)
    return np.random.standard_normal(shape)


def cmaes(feval, x, config=None, state=None):
    """`x, fs, nEval = optim.cmaes(feval, x[, config[, state]])`.

    config: sigma (required: the initial standard deviation of every coordinate), maxEval
    (1e3*N^2), ftarget (stop once f <= ftarget), popsize (4 + floor(3 ln N)), verb_disp (0; print
    progress every verb_disp iterations), min_iterations (1). fs[0] is f(x) at the start,
    then the best f of each iteration, and last the best f found; x is left at the best point.
    """
    name = 'cmaes'
    config, state = C.tables(config, state)
    xa = C.check_x(name, x)
    n = xa.size
    if n < 1:
        raise ValueError("optim.cmaes: x is empty")
    if state.get('sigma') is None and config.get('sigma') is None:
        raise ValueError("optim.cmaes: config['sigma'] (the initial step size) is required")
    src = state if state.get('sigma') is not None else config
    sigma = C.number(name, src, 'sigma', None, lo=0, lo_open=True)
    max_eval = C.number(name, config, 'maxEval', 1e3 * n * n, lo=1)
    ftarget = config.get('ftarget')
    if ftarget is not None:
        ftarget = C.number(name, config, 'ftarget', None)
    verb_disp = C.integer(name, config, 'verb_disp', 0, lo=0)
    min_iterations = C.integer(name, config, 'min_iterations', 1, lo=0)
    lam = C.integer(name, config, 'popsize', 4 + int(math.floor(3 * math.log(n))), lo=2)

    mu = lam // 2
    weights = math.log(mu + 0.5) - np.log(np.arange(1, mu + 1))
    weights /= weights.sum()
    mueff = weights.sum() ** 2 / (weights ** 2).sum()
    cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n)
    cs = (mueff + 2) / (n + mueff + 5)
    c1 = 2 / ((n + 1.3) ** 2 + mueff)
    cmu = min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) ** 2 + mueff))
    damps = 2 * mueff / lam + 0.3 + cs

    xmean = xa.reshape(-1).astype(np.float64)
    pc = np.zeros(n)
    ps = np.zeros(n)
    B = np.eye(n)
    D = np.ones(n)
    Cov = np.eye(n)
    invsqrtC = np.eye(n)
    eigeneval = 0
    counteval = 0
    f_hist = [C.function_value(name, feval, x)]
    best_x, best_f = None, math.inf
    fitvals = np.zeros(0)
    cand = wrap(x.__class__, np.zeros(xa.shape, xa.dtype))
    cand_flat = cand._arr().reshape(-1)

    def stop():
        res = {}
        if counteval > 0:
            if counteval >= max_eval:
                res['evals'] = max_eval
            if ftarget is not None and fitvals.size and fitvals[0] <= ftarget:
                res['ftarget'] = ftarget
            if D.max() > 1e7 * D.min():
                res['condition'] = 1e7
            if fitvals.size > 1 and fitvals[-1] - fitvals[0] < 1e-12:
                res['tolfun'] = 1e-12
            if sigma * D.max() < 1e-11:
                res['tolx'] = 1e-11
        return res

    iteration = 0
    while not stop() or iteration < min_iterations:
        iteration += 1
        # ask: lazily refresh B, D from C (O(N^3)), then sample
        if counteval - eigeneval > lam / (c1 + cmu) / n / 10:
            eigeneval = counteval
            Cov = np.triu(Cov) + np.triu(Cov, 1).T
            evals, B = np.linalg.eigh(Cov)
            D = np.sqrt(np.maximum(evals, 0))
            with np.errstate(divide='ignore'):
                invsqrtC = (B / D) @ B.T
        z = _standard_normal((lam, n)) * D
        arx = xmean + sigma * (z @ B.T)
        fit = np.empty(lam)
        for k in range(lam):
            cand_flat[:] = arx[k]
            fit[k] = C.function_value(name, feval, cand)
        # tell
        counteval += lam
        xold = xmean.copy()
        order = np.argsort(fit, kind='stable')
        fitvals = fit[order]
        arx = arx[order[:mu]]
        f_hist.append(float(fitvals[0]))
        if fitvals[0] < best_f:
            best_x, best_f = arx[0].copy(), float(fitvals[0])
        xmean = weights @ arx
        y = xmean - xold
        zz = invsqrtC @ y
        ps = (1 - cs) * ps + math.sqrt(cs * (2 - cs) * mueff) / sigma * zz
        hsig = float((ps @ ps) / (1 - (1 - cs) ** (2 * counteval / lam)) / n < 2 + 4 / (n + 1))
        pc = (1 - cc) * pc + math.sqrt(cc * (2 - cc) * mueff) / sigma * hsig * y
        c1a = c1 - (1 - hsig ** 2) * c1 * cc * (2 - cc)
        dev = (arx - xold) / sigma
        Cmu = (dev.T * weights) @ dev
        Cov = Cov + (-c1a - cmu) * Cov + c1 * np.outer(pc, pc) + cmu * Cmu
        sigma *= math.exp(min(0.6, (cs / damps) * ((ps @ ps) / n - 1) / 2))
        if verb_disp > 0:
            if iteration == 1 or iteration % (10 * verb_disp) == 0:
                print('evals:\t ax-ratio max(std)   f-value')
            if iteration <= 2 or iteration % verb_disp == 0:
                print(f"{counteval}:  {D.max() / D.min():6.1f} "
                      f"{sigma * math.sqrt(Cov.diagonal().max()):8.1e}  {fitvals[0]}")

    if verb_disp > 0:
        for k, v in stop().items():
            print('termination by', k, '=', v)
        print('best f-value =', best_f)
    f_hist.append(best_f)
    if best_x is not None:
        xa[...] = best_x.reshape(xa.shape)
    return x, f_hist, counteval
