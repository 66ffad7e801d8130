"""cmaes, de, FistaLS and checkgrad, including the decisions on Torch7's bugs (de's initial
best, FistaLS's default, checkgrad's gradient copy)."""
import numpy as np
import pytest

import optim
import torchlike as torch
from optim_testlib import quadratic, quartic, rosenbrock, rosenbrock_value, tensor


# -- cmaes ---------------------------------------------------------------------------------------
def test_cmaes_solves_rosenbrock_and_leaves_x_at_the_best_point():
    torch.manualSeed(0)
    x = tensor([0.0, 0.0])
    ret, fs, n = optim.cmaes(rosenbrock, x, {'sigma': 0.5, 'maxEval': 4000})
    assert ret is x
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0], atol=1e-4)
    assert fs[0] == 1.0                                  # f at the start
    assert fs[-1] == pytest.approx(rosenbrock_value(x.numpy()), abs=1e-15)
    assert fs[-1] == min(fs[1:-1])                        # the last entry is the best found
    assert n <= 4000 and n % 6 == 0                      # whole populations of 4 + 3 ln 2 = 6


def test_cmaes_is_reproducible_with_manual_seed():
    runs = []
    for _ in range(2):
        torch.manualSeed(7)
        x = tensor([0.5, -0.5, 0.2])
        optim.cmaes(quadratic([1, 10, 100], [0, 0, 0]), x, {'sigma': 0.3, 'maxEval': 300})
        runs.append(x.numpy().copy())
    np.testing.assert_array_equal(runs[0], runs[1])


def test_cmaes_stops_at_ftarget_and_accepts_plain_values():
    torch.manualSeed(1)
    x = tensor([2.0, 2.0])
    calls = []

    def sphere(x):                                       # returns f only: allowed here
        calls.append(1)
        return float(np.sum(x.numpy() ** 2))
    _, fs, n = optim.cmaes(sphere, x, {'sigma': 1.0, 'ftarget': 1e-3, 'popsize': 8})
    assert fs[-1] <= 1e-3 and n == len(calls) - 1 and n % 8 == 0


def test_cmaes_needs_sigma():
    x = tensor([0.0, 0.0])
    with pytest.raises(ValueError, match='sigma'):
        optim.cmaes(rosenbrock, x, {})
    with pytest.raises(ValueError, match='sigma'):
        optim.cmaes(rosenbrock, x, {'sigma': -1})


# -- de ------------------------------------------------------------------------------------------
DE_CFG = {'popsize': 20, 'scaleFactor': 0.5, 'crossoverRate': 0.9, 'maxFEs': 3000,
          'minRegion': -2, 'maxRegion': 2}


def test_de_solves_rosenbrock_deterministically():
    results = []
    for _ in range(2):
        x = tensor([0.0, 0.0])
        ret, fx = optim.de(rosenbrock, x, dict(DE_CFG))
        assert ret is x
        results.append((x.numpy().copy(), fx.numpy().copy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    np.testing.assert_allclose(results[0][0], [1.0, 1.0], atol=1e-3)
    fx = results[0][1]
    assert isinstance(ret, torch.DoubleTensor) and fx.shape == (3000,)
    assert rosenbrock_value(results[0][0]) == fx.min()


def test_de_initial_best_is_the_minimum():
    """Decision: Torch7 took the population's maximum as the initial best. With a budget of
    one population (no generation runs) the result must be the best individual drawn."""
    x = tensor([0.0, 0.0, 0.0])
    _, fx = optim.de(quadratic([1, 1, 1], [0, 0, 0]), x,
                     {'popsize': 15, 'scaleFactor': 0.5, 'crossoverRate': 0.5, 'maxFEs': 15})
    assert fx.nElement() == 15
    assert quadratic([1, 1, 1], [0, 0, 0])(x)[0] == pytest.approx(fx.numpy().min(), rel=1e-12)


def test_de_runs_whole_generations():
    """Decision: Torch7 overran its maxFEs-long history when the budget was not a whole number
    of generations; here the history holds every evaluation made."""
    x = tensor([0.0, 0.0])
    _, fx = optim.de(rosenbrock, x, dict(DE_CFG, popsize=10, maxFEs=25))
    assert fx.nElement() == 30


@pytest.mark.parametrize('cfg, word', [
    ({'crossoverRate': 0.5, 'maxFEs': 100}, 'scaleFactor'),
    ({'scaleFactor': 0.5, 'maxFEs': 100}, 'crossoverRate'),
    ({'scaleFactor': 0.5, 'crossoverRate': 0.5}, 'maxFEs'),
    ({'scaleFactor': 0.5, 'crossoverRate': 1.5, 'maxFEs': 100}, 'crossoverRate'),
    ({'scaleFactor': 0.5, 'crossoverRate': 0.5, 'maxFEs': 100, 'popsize': 2}, 'popsize'),
    ({'scaleFactor': 0.5, 'crossoverRate': 0.5, 'maxFEs': 100, 'minRegion': 1,
      'maxRegion': 0}, 'minRegion'),
])
def test_de_bad_config(cfg, word):
    x = tensor([0.0, 0.0])
    with pytest.raises(ValueError, match=word):
        optim.de(rosenbrock, x, cfg)


# -- FistaLS -------------------------------------------------------------------------------------
def _lasso(seed=0, lam=0.5):
    rng = np.random.default_rng(seed)
    Amat = rng.standard_normal((30, 12)) @ np.diag(np.linspace(0.2, 3, 12))  # ill-conditioned
    xt = np.zeros(12)
    xt[[1, 4, 9]] = [2.0, -3.0, 1.5]
    b = Amat @ xt + 0.01 * rng.standard_normal(30)

    def f(x, mode=None):
        r = Amat @ x.numpy() - b
        v = 0.5 * float(r @ r)
        if mode == 'dx':
            return v, tensor(Amat.T @ r)
        return v

    def g(x):
        return lam * float(np.abs(x.numpy()).sum())

    def pl(x, L):
        a = x.numpy()
        a[:] = np.sign(a) * np.maximum(np.abs(a) - lam / L, 0)

    return f, g, pl, Amat, b, lam


def _lasso_kkt_violation(Amat, b, lam, x):
    """max violation of the lasso optimality conditions at x."""
    grad = Amat.T @ (Amat @ x - b)
    on = x != 0
    v_on = np.abs(grad[on] + lam * np.sign(x[on]))
    v_off = np.maximum(np.abs(grad[~on]) - lam, 0)
    return max(v_on.max(initial=0), v_off.max(initial=0))


def test_fista_solves_a_lasso_and_copies_into_xinit():
    f, g, pl, Amat, b, lam = _lasso()
    x = tensor(np.zeros(12))
    params = {'maxiter': 2000, 'errthres': 1e-12}
    sol, hist = optim.FistaLS(f, g, pl, x, params)
    assert sol is x
    assert _lasso_kkt_violation(Amat, b, lam, x.numpy()) < 1e-4
    assert hist[-1]['F'] == pytest.approx(f(x) + g(x), rel=1e-12)
    assert params['L'] == hist[-1]['L'] and params['L'] > 0.1
    assert set(hist[0]) == {'nline', 'L', 'F', 'Fply', 'Gply', 'Q'}


def test_fista_is_the_default_and_beats_ista():
    """Decision: doFistaUpdate defaults to True (Torch7's code ran ISTA unless it was set)."""
    f, g, pl, *_ = _lasso()
    runs = {}
    for key, extra in (('default', {}), ('fista', {'doFistaUpdate': True}),
                       ('ista', {'doFistaUpdate': False})):
        x = tensor(np.zeros(12))
        _, hist = optim.FistaLS(f, g, pl, x, dict({'maxiter': 60, 'errthres': 0}, **extra))
        runs[key] = [h['F'] for h in hist]
    assert runs['default'] == runs['fista']
    assert runs['fista'] != runs['ista']
    assert runs['fista'][-1] < runs['ista'][-1]


def test_fista_starts_from_xinit():
    """Decision: the iteration starts at xinit's values (Torch7 ignored them and started at 0)."""
    f, g, pl, *_ = _lasso()
    x = tensor(np.zeros(12))
    optim.FistaLS(f, g, pl, x, {'maxiter': 2000, 'errthres': 1e-12})
    solution = x.numpy().copy()
    _, hist = optim.FistaLS(f, g, pl, x, {'maxiter': 5, 'errthres': 0})
    assert hist[0]['F'] == pytest.approx(f(tensor(solution)) + g(tensor(solution)), rel=1e-6)


def test_fista_first_iteration_written_out():
    f, g, pl, Amat, b, lam = _lasso()
    x0 = np.full(12, 0.1)
    L = 1000.0                                         # large enough: no backtracking
    grad = Amat.T @ (Amat @ x0 - b)
    step = x0 - grad / L
    x1 = np.sign(step) * np.maximum(np.abs(step) - lam / L, 0)
    _, hist = optim.FistaLS(f, g, pl, tensor(x0), {'L': L, 'maxiter': 1})
    assert hist[0]['nline'] == 1 and hist[0]['L'] == L
    assert hist[0]['F'] == pytest.approx(0.5 * np.sum((Amat @ x1 - b) ** 2)
                                         + lam * np.abs(x1).sum(), rel=1e-12)


# -- checkgrad -----------------------------------------------------------------------------------
def test_checkgrad_right_and_wrong_gradients():
    x = tensor([0.3, -0.7, 1.2])
    diff, dC, dC_est = optim.checkgrad(rosenbrock, x)
    assert diff < 1e-7
    np.testing.assert_allclose(dC_est.numpy(), dC.numpy(), rtol=1e-5)
    np.testing.assert_array_equal(x.numpy(), [0.3, -0.7, 1.2])   # restored exactly

    def wrong(x):
        f, g = rosenbrock(x)
        return f, g * 1.5
    assert optim.checkgrad(wrong, x)[0] > 0.1


def test_checkgrad_returns_a_copy_of_the_gradient():
    """feval usually fills one gradient buffer; later evaluations must not change dC."""
    feval = quartic([1.0, 2.0], [0.5, -0.5])
    x = tensor([0.4, -0.2])
    _, g = feval(x)
    expected = g.numpy().copy()
    _, dC, _ = optim.checkgrad(feval, x)
    np.testing.assert_array_equal(dC.numpy(), expected)


def test_checkgrad_float32_default_step():
    x = tensor([0.3, -0.7], np.float32)
    diff, dC, dC_est = optim.checkgrad(rosenbrock, x)
    assert isinstance(dC_est, torch.FloatTensor)
    assert diff < 1e-2


def test_checkgrad_zero_gradient_and_bad_eps():
    assert optim.checkgrad(quadratic([1, 1], [0, 0]), tensor([0.0, 0.0]))[0] == 0.0
    with pytest.raises(ValueError, match='eps'):
        optim.checkgrad(rosenbrock, tensor([0.0, 0.0]), eps=0)
