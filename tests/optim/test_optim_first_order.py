"""nag, rprop and asgd against their written-out updates, plus their checks."""
import numpy as np
import pytest

import optim
import torchlike as torch
from optim_testlib import quartic, quartic_grad, quartic_value, tensor

A = np.array([1.0, 2.0, 0.5, 3.0])
B = np.array([0.3, -0.2, 0.1, -1.0])
X0 = np.array([0.5, -1.0, 2.0, 0.25])


# -- nag -----------------------------------------------------------------------------------------
def nag_ref(x, steps, lr=1e-3, lrd=0.0, wd=0.0, mom=0.9, lrs=None):
    v = None
    xs, fs = [], []
    for k in range(steps):
        if v is not None:
            x = x + mom * v                      # look-ahead applied to x itself
        fs.append(quartic_value(A, B, x))
        g = quartic_grad(A, B, x) + wd * x
        clr = lr / (1 + k * lrd)
        v = np.zeros_like(x) if v is None else mom * v
        step = lrs * g if lrs is not None else g
        x = x - clr * step
        v = v - clr * step
        xs.append(x)
    return xs, fs


@pytest.mark.parametrize('cfg, kw', [
    ({}, {}),
    ({'learningRate': 0.1, 'momentum': 0.5}, {'lr': 0.1, 'mom': 0.5}),
    ({'learningRate': 0.1, 'learningRateDecay': 0.5, 'weightDecay': 0.1,
      'learningRates': tensor([1.0, 0.5, 2.0, 0.0])},
     {'lr': 0.1, 'lrd': 0.5, 'wd': 0.1, 'lrs': np.array([1.0, 0.5, 2.0, 0.0])}),
])
def test_nag_steps_follow_the_formula(cfg, kw):
    xs, fs = nag_ref(X0.copy(), 4, **kw)
    x = tensor(X0)
    state = dict(cfg)
    for k in range(4):
        _, f = optim.nag(quartic(A, B), x, state)
        assert f == [pytest.approx(fs[k], rel=1e-14)]
        np.testing.assert_allclose(x.numpy(), xs[k], rtol=1e-13, atol=1e-16)
    assert state['evalCounter'] == 4


def test_nag_needs_positive_momentum():
    x = tensor(X0)
    with pytest.raises(ValueError, match='momentum must be positive'):
        optim.nag(quartic(A, B), x, {'momentum': 0})
    np.testing.assert_array_equal(x.numpy(), X0)


def test_nag_restores_x_when_feval_fails_after_the_look_ahead():
    x = tensor(X0)
    state = {'learningRate': 0.1}
    optim.nag(quartic(A, B), x, state)
    optim.nag(quartic(A, B), x, state)          # now a velocity exists
    before = x.numpy().copy()
    v_before = state['dfdx'].numpy().copy()
    with pytest.raises(ValueError, match='size 2'):
        optim.nag(lambda x: (0.0, tensor([1.0, 2.0])), x, state)
    np.testing.assert_array_equal(x.numpy(), before)
    np.testing.assert_array_equal(state['dfdx'].numpy(), v_before)

    def broken(x):
        raise RuntimeError('data loader failed')
    with pytest.raises(RuntimeError, match='data loader'):
        optim.nag(broken, x, state)
    np.testing.assert_array_equal(x.numpy(), before)
    assert state['evalCounter'] == 2


# -- rprop ---------------------------------------------------------------------------------------
def rprop_ref(x, iters, step0=0.1, etaplus=1.2, etaminus=0.5, smax=50.0, smin=1e-6):
    delta = np.zeros_like(x)
    step = np.full_like(x, step0)
    xs, fs = [], []
    for _ in range(iters):
        fs.append(quartic_value(A, B, x))
        g = quartic_grad(A, B, x)
        s = np.sign(g * delta)
        step = step * np.where(s > 0, etaplus, np.where(s < 0, etaminus, 1.0))
        step = np.clip(step, smin, smax)
        g = np.where(s < 0, 0.0, g)
        x = x - np.sign(g) * step
        delta = g
        xs.append(x)
    return xs, fs


@pytest.mark.parametrize('cfg, kw', [
    ({}, {}),
    ({'stepsize': 0.7, 'etaplus': 1.5, 'etaminus': 0.3}, {'step0': 0.7, 'etaplus': 1.5,
                                                          'etaminus': 0.3}),
    ({'stepsize': 0.5, 'stepsizemax': 0.6, 'stepsizemin': 0.2},
     {'step0': 0.5, 'smax': 0.6, 'smin': 0.2}),
])
def test_rprop_iterations_follow_the_formula(cfg, kw):
    xs, fs = rprop_ref(X0.copy(), 6, **kw)
    x = tensor(X0)
    state = dict(cfg)
    _, f1 = optim.rprop(quartic(A, B), x, state)          # one iteration per call...
    np.testing.assert_allclose(x.numpy(), xs[0], rtol=1e-14)
    state['niter'] = 5                                     # ...or several
    _, f5 = optim.rprop(quartic(A, B), x, state)
    assert f1 + f5 == pytest.approx(fs, rel=1e-14)
    np.testing.assert_allclose(x.numpy(), xs[-1], rtol=1e-13)
    assert isinstance(state['stepsize'], torch.DoubleTensor)   # the state replaces the scalar
    assert set(state) >= {'delta', 'stepsize'}


def test_rprop_separate_state_keeps_config_scalar():
    cfg = {'stepsize': 0.3}
    state = {}
    x = tensor(X0)
    optim.rprop(quartic(A, B), x, cfg, state)
    assert cfg == {'stepsize': 0.3}
    assert isinstance(state['stepsize'], torch.DoubleTensor)


@pytest.mark.parametrize('cfg, word', [({'etaplus': 0.9}, 'etaplus'),
                                       ({'etaminus': 1.5}, 'etaminus'),
                                       ({'stepsize': 0}, 'stepsize'),
                                       ({'stepsizemin': 2.0, 'stepsizemax': 1.0}, 'stepsizemin'),
                                       ({'niter': 0}, 'niter')])
def test_rprop_bad_config(cfg, word):
    x = tensor(X0)
    with pytest.raises(ValueError, match=word):
        optim.rprop(quartic(A, B), x, dict(cfg))
    np.testing.assert_array_equal(x.numpy(), X0)


# -- asgd ----------------------------------------------------------------------------------------
def asgd_ref(x, steps, eta0=1e-4, lam=1e-4, alpha=0.75, t0=1e6):
    eta, mu, t = eta0, 1.0, 0
    ax = np.zeros_like(x)
    xs, axs = [], []
    for _ in range(steps):
        g = quartic_grad(A, B, x)
        x = x * (1 - lam * eta) - eta * g
        ax = x.copy() if mu == 1 else ax + mu * (x - ax)
        t += 1
        eta = eta0 / (1 + lam * eta0 * t) ** alpha
        mu = 1 / max(1, t - t0)
        xs.append(x)
        axs.append(ax)
    return xs, axs


@pytest.mark.parametrize('cfg, kw', [
    ({}, {}),
    ({'eta0': 0.1, 'lambda': 0.5, 'alpha': 0.6, 't0': 1},
     {'eta0': 0.1, 'lam': 0.5, 'alpha': 0.6, 't0': 1}),
])
def test_asgd_steps_and_average_follow_the_formula(cfg, kw):
    xs, axs = asgd_ref(X0.copy(), 5, **kw)
    x = tensor(X0)
    state = dict(cfg)
    for k in range(5):
        ret, fs, ax = optim.asgd(quartic(A, B), x, state)
        assert ret is x and len(fs) == 1
        np.testing.assert_allclose(x.numpy(), xs[k], rtol=1e-13)
        np.testing.assert_allclose(ax.numpy(), axs[k], rtol=1e-13)
    assert state['t'] == 5
    # Torch7 writes the defaults into config
    assert {'eta0', 'lambda', 'alpha', 't0'} <= set(state)


def test_asgd_bad_config():
    x = tensor(X0)
    cfg = {'eta0': -1}
    with pytest.raises(ValueError, match='eta0'):
        optim.asgd(quartic(A, B), x, cfg)
    assert cfg == {'eta0': -1}
