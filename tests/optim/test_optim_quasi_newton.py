"""lbfgs, lswolfe, polyinterp and cg: written-out iterations on small problems, line-search
conditions, the interpolation formulas, and cg's stop rule (a Torch7 bug, fixed)."""
import numpy as np
import pytest

import optim
import torchlike as torch
from optim_testlib import quadratic, quartic, quartic_grad, rosenbrock, rosenbrock_grad, \
    rosenbrock_value, tensor

A = np.array([1.0, 2.0, 0.5, 3.0])
B = np.array([0.3, -0.2, 0.1, -1.0])
X0 = np.array([0.5, -1.0, 2.0, 0.25])


# -- lbfgs ---------------------------------------------------------------------------------------
def lbfgs_ref(x, iters, lr=1.0, n_correction=100):
    """L-BFGS with fixed steps, written out: returns x after each iteration."""
    g = quartic_grad(A, B, x)
    d = -g
    t = min(1.0, 1.0 / np.abs(g).sum()) * lr
    S, Y = [], []
    h_diag = 1.0
    g_old = None
    out = []
    for k in range(iters):
        if k > 0:
            y = g - g_old
            s = d * t
            if y @ s > 1e-10:
                if len(S) == n_correction:
                    S.pop(0)
                    Y.pop(0)
                S.append(s)
                Y.append(y)
                h_diag = (y @ s) / (y @ y)
            q = -g
            al = []
            for s_i, y_i in zip(reversed(S), reversed(Y)):
                a = (s_i @ q) / (y_i @ s_i)
                al.append(a)
                q = q - a * y_i
            r = q * h_diag
            for (s_i, y_i), a in zip(zip(S, Y), reversed(al)):
                be = (y_i @ r) / (y_i @ s_i)
                r = r + (a - be) * s_i
            d = r
            t = lr
        g_old = g
        x = x + t * d
        g = quartic_grad(A, B, x)
        out.append(x)
    return out


@pytest.mark.parametrize('lr, nc', [(1.0, 100), (0.5, 100), (1.0, 1)])
def test_lbfgs_fixed_steps_follow_the_formula(lr, nc):
    expected = lbfgs_ref(X0.copy(), 5, lr, nc)
    x = tensor(X0)
    calls = []
    _, fs, n = optim.lbfgs(quartic(A, B, calls), x, {'maxIter': 5, 'learningRate': lr,
                                                     'nCorrection': nc, 'tolX': 0})
    np.testing.assert_allclose(x.numpy(), expected[-1], rtol=1e-12)
    # one evaluation at the start and one after each step but the last
    assert n == 5 == len(calls) and len(fs) == 5
    for k in range(1, 5):
        np.testing.assert_allclose(calls[k], expected[k - 1], rtol=1e-12)


def test_lbfgs_state_continues_across_calls():
    """maxIter=1 per call (one minibatch each) continues one L-BFGS run."""
    expected = lbfgs_ref(X0.copy(), 6)
    x = tensor(X0)
    state = {'maxIter': 1, 'tolX': 0}
    for k in range(6):
        optim.lbfgs(quartic(A, B), x, state)
        np.testing.assert_allclose(x.numpy(), expected[k], rtol=1e-12)
    assert state['nIter'] == 6 and state['funcEval'] == 6
    assert len(state['old_dirs']) == len(state['old_stps']) == 5


def test_lbfgs_stops_at_an_optimum_without_stepping():
    x = tensor([1.0, 1.0])
    _, fs, n = optim.lbfgs(rosenbrock, x)
    assert fs == [0.0] and n == 1
    np.testing.assert_array_equal(x.numpy(), [1.0, 1.0])


def test_lbfgs_bad_config():
    x = tensor(X0)
    with pytest.raises(TypeError, match='lineSearch must be a function'):
        optim.lbfgs(quartic(A, B), x, {'lineSearch': 'wolfe'})
    with pytest.raises(ValueError, match='learningRate'):
        optim.lbfgs(quartic(A, B), x, {'learningRate': -1})
    with pytest.raises(ValueError, match='gradient of size 2'):
        optim.lbfgs(lambda x: (0.0, tensor([1.0, 2.0])), x)
    np.testing.assert_array_equal(x.numpy(), X0)


@pytest.mark.parametrize('start', [[-1.2, 1.0], [0.0, 0.0], [2.0, -1.0]])
def test_lbfgs_with_wolfe_line_search_solves_rosenbrock(start):
    x = tensor(start)
    _, fs, n = optim.lbfgs(rosenbrock, x, {'maxIter': 100, 'lineSearch': optim.lswolfe})
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0], atol=1e-4)
    assert fs[-1] < 1e-8 and n <= 150
    assert all(b <= a + 1e-12 for a, b in zip(fs, fs[1:]))   # the line search never goes up


# -- lswolfe -------------------------------------------------------------------------------------
@pytest.mark.parametrize('start, t0', [([-1.2, 1.0], 1.0), ([-1.2, 1.0], 1e-4),
                                      ([0.5, 2.0], 0.01)])
def test_lswolfe_returns_a_strong_wolfe_point(start, t0):
    x0 = np.array(start)
    f0, g0 = rosenbrock_value(x0), rosenbrock_grad(x0)
    d = -g0
    gtd = float(g0 @ d)
    x = tensor(x0)
    evals = []

    def feval(x):
        evals.append(1)
        return rosenbrock(x)
    f, g, xr, t, n = optim.lswolfe(feval, x, t0, tensor(d), f0, tensor(g0), gtd)
    assert xr is x and n == len(evals)
    np.testing.assert_allclose(x.numpy(), x0 + t * d, rtol=1e-15)
    assert f == pytest.approx(rosenbrock_value(x0 + t * d), rel=1e-12)
    np.testing.assert_allclose(g.numpy(), rosenbrock_grad(x0 + t * d), rtol=1e-12)
    assert f <= f0 + 1e-4 * t * gtd                       # sufficient decrease
    assert abs(float(g.numpy() @ d)) <= -0.9 * gtd        # curvature (strong Wolfe)


# -- polyinterp ----------------------------------------------------------------------------------
def _grid_argmin(fn, lo, hi):
    xs = np.linspace(lo, hi, 200001)
    return xs[np.argmin(fn(xs))]


def test_polyinterp_two_points_is_the_cubic_minimiser():
    f = lambda z: (z - 0.3) ** 2 + 0.1 * z ** 3             # noqa: E731
    df = lambda z: 2 * (z - 0.3) + 0.3 * z ** 2             # noqa: E731
    pts = [[1.0, f(1.0), df(1.0)], [0.0, f(0.0), df(0.0)]]   # order does not matter
    t = optim.polyinterp(torch.DoubleTensor(pts))
    assert isinstance(t, float)
    assert t == pytest.approx(_grid_argmin(f, 0, 1), abs=1e-5)
    assert optim.polyinterp(pts) == t


def test_polyinterp_two_points_without_real_minimiser_takes_the_middle():
    # d1 = g1 + g2 - 3 (f1 - f2)/(x1 - x2) = 0 and g1 g2 = 1 > d1^2: no real cubic minimiser
    assert optim.polyinterp([[0.0, 0.0, 1.0], [1.0, 2.0 / 3.0, 1.0]]) == 0.5


def test_polyinterp_two_points_clamps_to_the_interval():
    # f(z) = -z: decreasing all the way, so the minimiser is the right end
    assert optim.polyinterp([[0.0, 0.0, -1.0], [2.0, -2.0, -1.0]]) == pytest.approx(2.0)


@pytest.mark.parametrize('bounds', [(-1.0, 3.0), (0.5, 0.9), (1.5, 4.0)])
def test_polyinterp_with_bounds_fits_and_minimises_inside_them(bounds):
    p = np.poly1d([1.0, -1.5, -2.0, 0.5])                   # a cubic: the fit is exact
    dp = p.deriv()
    pts = [[0.0, p(0.0), dp(0.0)], [1.0, p(1.0), dp(1.0)]]
    t = optim.polyinterp(pts, *bounds)
    assert t == pytest.approx(_grid_argmin(p, *bounds), abs=1e-4)


def test_polyinterp_three_points_quintic():
    p = np.poly1d([0.1, -0.2, -1.0, 0.5, 0.3, 0.0])
    dp = p.deriv()
    pts = [[x, p(x), dp(x)] for x in (-1.0, 0.5, 2.0)]
    t = optim.polyinterp(pts)
    assert t == pytest.approx(_grid_argmin(p, -1.0, 2.0), abs=1e-4)


def test_polyinterp_bad_points():
    with pytest.raises(ValueError, match='N x 3'):
        optim.polyinterp([[1.0, 2.0]])


# -- cg ------------------------------------------------------------------------------------------
def test_cg_first_steps_are_exact_line_searches_on_a_quadratic():
    """On a quadratic the cubic interpolation is exact, so with a tight curvature condition
    (sig) cg's accepted points are those of conjugate gradients with exact line searches:
    written out here for three steps."""
    diag = np.array([1.0, 3.0, 10.0, 30.0])
    c = np.array([1.0, -2.0, 0.5, 3.0])
    H = np.diag(diag)
    fval = lambda x: 0.5 * (x - c) @ H @ (x - c)              # noqa: E731
    x = np.zeros(4)
    g = H @ (x - c)
    s = -g
    expected = [fval(x)]
    for _ in range(3):
        alpha = -(g @ s) / (s @ H @ s)
        x = x + alpha * s
        g_new = H @ (x - c)
        beta = (g_new @ g_new - g_new @ g) / (g @ g)          # Polak-Ribiere
        s = beta * s - g_new
        g = g_new
        expected.append(fval(x))
    xt = tensor(np.zeros(4))
    _, fx, _ = optim.cg(quadratic(diag, c), xt, {'sig': 1e-9, 'maxIter': 20, 'maxEval': 200})
    assert fx[:4] == pytest.approx(expected, rel=1e-6, abs=1e-12)
    np.testing.assert_allclose(xt.numpy(), c, atol=1e-6)    # converges in N = 4 steps


def test_cg_keeps_going_after_one_failed_line_search():
    """Decision: as minimize.m, stop after two failed line searches in a row. Torch7 stopped at
    the first failure (Lua's 0 is true): on this problem at f = 1.04 after 39 evaluations."""
    x = tensor([-1.2, 1.0])
    _, fx, n = optim.cg(rosenbrock, x, {'maxIter': 3, 'maxEval': 200})
    assert fx[-1] < 1e-10
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0], atol=1e-5)
    assert n > 39


def test_cg_stops_after_two_failures_in_a_row_and_restores_the_best_point():
    # with one evaluation per line search every search fails: start, one probe per search,
    # then x goes back to the start after the second failure
    x = tensor([3.0, -2.0, 1.0])
    calls = []
    _, fx, n = optim.cg(quartic([1, 2, 0.5], [0.3, -0.2, 5], calls), x,
                        {'maxIter': 1, 'maxEval': 200})
    assert len(fx) == 1 and n == 5 == len(calls)
    np.testing.assert_array_equal(x.numpy(), [3.0, -2.0, 1.0])


def test_cg_reuses_state_buffers():
    state = {}
    x = tensor([0.0, 0.0])
    optim.cg(rosenbrock, x, {}, state)
    s = state['s']
    optim.cg(rosenbrock, x, {}, state)
    assert state['s'] is s and set(state) == {'df0', 'df1', 'df2', 'df3', 's', 'x0'}
