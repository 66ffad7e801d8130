"""adam, adamax, adagrad, adadelta, rmsprop against their written-out updates (float64), on both
the fused and the multi-pass paths, and their configuration checks."""
import math
import warnings

import numpy as np
import pytest

import optim
import torchlike as torch
from optim._config import use_fused
from optim_testlib import quartic, quartic_grad, quartic_value, tensor

A = np.array([1.0, 2.0, 0.5, 3.0, 1.5])
B = np.array([0.3, -0.2, 0.1, -1.0, 0.0])
X0 = np.array([0.5, -1.0, 2.0, 0.25, 0.0])
STEPS = 4


def adam_ref(x, lr=1e-3, lrd=0.0, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    out = []
    for t in range(STEPS):
        g = quartic_grad(A, B, x) + wd * x
        clr = lr / (1 + t * lrd)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        step = clr * math.sqrt(1 - b2 ** (t + 1)) / (1 - b1 ** (t + 1))
        x = x - step * m / (np.sqrt(v) + eps)
        out.append(x)
    return out


def adamax_ref(x, lr=2e-3, b1=0.9, b2=0.999, eps=1e-38, wd=0.0):
    m = np.zeros_like(x)
    u = np.zeros_like(x)
    out = []
    for t in range(1, STEPS + 1):
        g = quartic_grad(A, B, x) + wd * x
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        x = x - lr / (1 - b1 ** t) * m / u
        out.append(x)
    return out


def adagrad_ref(x, lr=1e-3, lrd=0.0, wd=0.0):
    var = np.zeros_like(x)
    out = []
    for k in range(STEPS):
        g = quartic_grad(A, B, x) + wd * x
        var = var + g * g
        x = x - lr / (1 + k * lrd) * g / (np.sqrt(var) + 1e-10)
        out.append(x)
    return out


def adadelta_ref(x, rho=0.9, eps=1e-6, wd=0.0):
    var = np.zeros_like(x)
    acc = np.zeros_like(x)
    out = []
    for _ in range(STEPS):
        g = quartic_grad(A, B, x) + wd * x
        var = rho * var + (1 - rho) * g * g
        delta = np.sqrt(acc + eps) / np.sqrt(var + eps) * g
        x = x - delta
        acc = rho * acc + (1 - rho) * delta * delta
        out.append(x)
    return out


def rmsprop_ref(x, lr=1e-2, alpha=0.99, eps=1e-8, wd=0.0, m0=0.0):
    m = np.full_like(x, m0)
    out = []
    for _ in range(STEPS):
        g = quartic_grad(A, B, x) + wd * x
        m = alpha * m + (1 - alpha) * g * g
        x = x - lr * g / (np.sqrt(m) + eps)
        out.append(x)
    return out


CASES = [
    ('adam', {}, lambda x: adam_ref(x)),
    ('adam', {'learningRate': 0.05, 'learningRateDecay': 0.3, 'beta1': 0.8, 'beta2': 0.95,
              'epsilon': 1e-4, 'weightDecay': 0.1},
     lambda x: adam_ref(x, 0.05, 0.3, 0.8, 0.95, 1e-4, 0.1)),
    ('adamax', {}, lambda x: adamax_ref(x)),
    ('adamax', {'learningRate': 0.05, 'beta1': 0.5, 'beta2': 0.9, 'epsilon': 1e-3,
                'weightDecay': 0.1}, lambda x: adamax_ref(x, 0.05, 0.5, 0.9, 1e-3, 0.1)),
    ('adagrad', {}, lambda x: adagrad_ref(x)),
    ('adagrad', {'learningRate': 0.5, 'learningRateDecay': 0.2, 'weightDecay': 0.1},
     lambda x: adagrad_ref(x, 0.5, 0.2, 0.1)),
    ('adadelta', {}, lambda x: adadelta_ref(x)),
    ('adadelta', {'rho': 0.5, 'eps': 1e-3, 'weightDecay': 0.1},
     lambda x: adadelta_ref(x, 0.5, 1e-3, 0.1)),
    ('rmsprop', {}, lambda x: rmsprop_ref(x)),
    ('rmsprop', {'learningRate': 0.05, 'alpha': 0.8, 'epsilon': 1e-4, 'weightDecay': 0.1,
                 'initialMean': 2.0}, lambda x: rmsprop_ref(x, 0.05, 0.8, 1e-4, 0.1, 2.0)),
]


@pytest.mark.parametrize('fused', [True, False])
@pytest.mark.parametrize('method, cfg, ref', CASES)
def test_steps_follow_the_formula(method, cfg, ref, fused):
    expected = ref(X0.copy())
    x = tensor(X0)
    state = dict(cfg)
    feval = quartic(A, B)
    fvals = []
    with use_fused(fused):
        for k in range(STEPS):
            fvals.append(quartic_value(A, B, x.numpy()))
            ret, fs = getattr(optim, method)(feval, x, state)
            assert ret is x
            assert fs == [pytest.approx(fvals[-1], rel=1e-14)]
            np.testing.assert_allclose(x.numpy(), expected[k], rtol=1e-12, atol=1e-15)


STATE_KEYS = {
    'adam': {'t', 'm', 'v'},
    'adamax': {'t', 'm', 'u'},
    'adagrad': {'evalCounter', 'paramVariance'},
    'adadelta': {'evalCounter', 'paramVariance', 'accDelta'},
    'rmsprop': {'m'},
}


@pytest.mark.parametrize('method', sorted(STATE_KEYS))
def test_state_holds_torch7_names(method):
    x = tensor(X0, np.float32)
    state = {}
    getattr(optim, method)(quartic(A, B), x, {}, state)
    getattr(optim, method)(quartic(A, B), x, {}, state)
    assert set(state) == STATE_KEYS[method]
    for k, v in state.items():
        if isinstance(v, torch.Tensor):
            assert isinstance(v, torch.FloatTensor) and v.nElement() == 5
        else:
            assert v == 2


@pytest.mark.parametrize('method', ['adagrad', 'adadelta'])
def test_warns_when_state_would_be_lost(method):
    x = tensor(X0)
    with pytest.warns(UserWarning, match='no config/state dict'):
        getattr(optim, method)(quartic(A, B), x)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        getattr(optim, method)(quartic(A, B), x, {})


@pytest.mark.parametrize('method, cfg, words', [
    ('adam', {'learningRate': -1e-3}, ['learningRate', '>= 0']),
    ('adam', {'beta1': 1.0}, ['beta1', '< 1']),
    ('adam', {'beta2': -0.1}, ['beta2']),
    ('adam', {'epsilon': -1}, ['epsilon']),
    ('adamax', {'learningRate': -2}, ['learningRate']),
    ('adagrad', {'learningRate': -0.1}, ['learningRate']),
    ('adadelta', {'rho': 1.5}, ['rho', '<= 1']),
    ('rmsprop', {'alpha': -0.5}, ['alpha']),
    ('rmsprop', {'weightDecay': -1}, ['weightDecay']),
])
def test_bad_config(method, cfg, words):
    x = tensor(X0)
    state = dict(cfg)

    def feval(x):
        raise AssertionError('feval must not be called')
    with pytest.raises(ValueError) as err:
        getattr(optim, method)(feval, x, state)
    for w in words:
        assert w in str(err.value)
    assert state == cfg
    np.testing.assert_array_equal(x.numpy(), X0)


@pytest.mark.parametrize('method', sorted(STATE_KEYS))
@pytest.mark.parametrize('fused', [True, False])
def test_wrong_gradient_leaves_x_and_state_alone(method, fused):
    x = tensor(X0)
    state = {}
    getattr(optim, method)(quartic(A, B), x, state)
    before = {k: (v.numpy().copy() if isinstance(v, torch.Tensor) else v)
              for k, v in state.items()}
    x_before = x.numpy().copy()
    with use_fused(fused), pytest.raises(ValueError, match='size 3 .* size 5'):
        getattr(optim, method)(lambda x: (0.0, tensor([1.0, 2.0, 3.0])), x, state)
    np.testing.assert_array_equal(x.numpy(), x_before)
    for k, v in before.items():
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(state[k].numpy(), v)
        else:
            assert state[k] == v


def test_state_of_wrong_type_is_refused():
    x = tensor(X0, np.float32)
    state = {'m': torch.DoubleTensor(5), 'v': torch.DoubleTensor(5), 't': 1}
    with pytest.raises(TypeError, match="state\\['m'\\] is a torch.DoubleTensor but x is a "
                                        "torch.FloatTensor"):
        optim.adam(quartic(A, B), x, state)
