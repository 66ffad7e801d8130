"""optim.de: differential evolution, DE/best/1/bin (Torch7's de.lua). Gradient-free.

The population is drawn uniformly in [minRegion, maxRegion]^D (x only gives the dimension and
type, as in Torch7). Each generation, child i takes best + scaleFactor*(pop[r1] - pop[r2]) in the
coordinates chosen by binomial crossover (at least one, jrand) and pop[i] elsewhere; a child
replaces its parent when it is no worse. Randomness comes from a private generator seeded with
config['seed'] (default 1), so a run is deterministic, as in Torch7.

Decisions (Torch7 bugs):
- the initial best is the population's minimum (Torch7 took the maximum, so the first
  generation searched around the worst point);
- evaluations run in whole generations while fewer than maxFEs have been made, and the returned
  history holds every evaluation made (Torch7 indexed past its maxFEs-long history tensor and
  raised when maxFEs was not a multiple of popsize);
- the best point is also copied into x (the optim contract updates x in place).
"""
import numpy as np

from torchlike._core import wrap
from . import _config as C


def de(feval, x, config=None, state=None):
    """`x, fx = optim.de(feval, x[, config[, state]])`; fx is a tensor of every f computed.

    config: scaleFactor (required, usually 0.4..1), crossoverRate (required, 0..1), maxFEs
    (required: the evaluation budget), popsize (10*D, at least 3), minRegion (-30),
    maxRegion (30), seed (1).
    """
    name = 'de'
    config, _ = C.tables(config, state)
    xa = C.check_x(name, x)
    dim = xa.size
    for key in ('scaleFactor', 'crossoverRate', 'maxFEs'):
        if config.get(key) is None:
            raise ValueError(f"optim.de: config['{key}'] is required (Torch7 had no default)")
    scale = C.number(name, config, 'scaleFactor', None)
    cr = C.number(name, config, 'crossoverRate', None, lo=0, hi=1)
    max_fes = C.integer(name, config, 'maxFEs', None, lo=1)
    popsize = C.integer(name, config, 'popsize', 10 * dim, lo=3)
    lo = C.number(name, config, 'minRegion', -30.0)
    hi = C.number(name, config, 'maxRegion', 30.0)
    if lo > hi:
        raise ValueError(f"optim.de: minRegion ({lo:g}) must not exceed maxRegion ({hi:g})")
    seed = C.integer(name, config, 'seed', 1, lo=0)
    rng = np.random.Generator(np.random.MT19937(seed))
    dt = xa.dtype

    pop = rng.uniform(lo, hi, (popsize, dim)).astype(dt)
    cand = wrap(x.__class__, np.zeros(xa.shape, dt))
    cflat = cand._arr().reshape(-1)

    def value(row):
        cflat[:] = row
        return C.function_value(name, feval, cand)

    fitness = np.array([value(pop[i]) for i in range(popsize)])
    history = list(fitness)
    ib = int(np.argmin(fitness))
    best, best_f = pop[ib].copy(), float(fitness[ib])
    children = np.empty_like(pop)
    child_fit = np.empty(popsize)
    others = np.arange(popsize)
    while len(history) < max_fes:
        for i in range(popsize):
            r1 = int(rng.choice(others[others != i]))
            r2 = int(rng.choice(others[(others != i) & (others != r1)]))
            jrand = int(rng.integers(dim))
            mask = rng.random(dim) < cr
            mask[jrand] = True
            mutant = best + dt.type(scale) * (pop[r1] - pop[r2])
            children[i] = np.where(mask, mutant, pop[i])
            child_fit[i] = value(children[i])
            history.append(child_fit[i])
        for i in range(popsize):
            if child_fit[i] <= fitness[i]:
                pop[i] = children[i]
                fitness[i] = child_fit[i]
                if fitness[i] < best_f:
                    best_f = float(fitness[i])
                    best = children[i].copy()
    xa[...] = best.reshape(xa.shape)
    fx = wrap(x.__class__, np.asarray(history, dt))
    return x, fx
