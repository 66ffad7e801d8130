"""optim.sgd against the written-out update, fused vs multi-pass equality, and its checks."""
import numpy as np
import pytest

import optim
import torchlike as torch
from optim._config import use_fused
from optim_testlib import quartic, quartic_grad, quartic_value, snapshot, same_state, tensor

A = np.array([1.0, 2.0, 0.5, 3.0])
B = np.array([0.3, -0.2, 0.1, -1.0])
X0 = np.array([0.5, -1.0, 2.0, 0.25])


def sgd_reference(x, steps, lr=1e-3, lrd=0.0, wd=0.0, mom=0.0, damp=None, nesterov=False,
                  lrs=None, wds=None):
    """Torch7's sgd written out in float64: returns the x after each step and the f values."""
    damp = mom if damp is None else damp
    x = x.astype(np.float64).copy()
    v = None
    xs, fs = [], []
    for k in range(steps):
        fs.append(quartic_value(A, B, x))
        g = quartic_grad(A, B, x)
        if wd != 0:
            g = g + wd * x
        elif wds is not None:
            g = g + wds * x
        if mom != 0:
            v = g.copy() if v is None else mom * v + (1 - damp) * g
            g = g + mom * v if nesterov else v
        clr = lr / (1 + k * lrd)
        x = x - clr * (lrs * g if lrs is not None else g)
        xs.append(x.copy())
    return xs, fs


CONFIGS = [
    {},
    {'learningRate': 0.1},
    {'learningRate': 0.1, 'learningRateDecay': 0.5},
    {'learningRate': 0.1, 'weightDecay': 0.05},
    {'learningRate': 0.1, 'momentum': 0.9},
    {'learningRate': 0.1, 'momentum': 0.9, 'dampening': 0.2},
    {'learningRate': 0.05, 'momentum': 0.8, 'dampening': 0, 'nesterov': True,
     'weightDecay': 0.01, 'learningRateDecay': 0.1},
]


def _ref_kwargs(cfg):
    names = {'learningRate': 'lr', 'learningRateDecay': 'lrd', 'weightDecay': 'wd',
             'momentum': 'mom', 'dampening': 'damp', 'nesterov': 'nesterov'}
    return {names[k]: v for k, v in cfg.items()}


@pytest.mark.parametrize('fused', [True, False])
@pytest.mark.parametrize('cfg', CONFIGS)
def test_steps_follow_the_formula(cfg, fused):
    x = tensor(X0)
    state = dict(cfg)
    xs, fs = sgd_reference(X0, 4, **_ref_kwargs(cfg))
    feval = quartic(A, B)
    with use_fused(fused):
        for k in range(4):
            ret, f = optim.sgd(feval, x, state)
            assert ret is x
            assert f == [pytest.approx(fs[k], rel=1e-14)]
            np.testing.assert_allclose(x.numpy(), xs[k], rtol=1e-13, atol=1e-15)
    assert state['evalCounter'] == 4
    assert ('dfdx' in state) == bool(cfg.get('momentum'))


def test_per_element_learning_rates_and_weight_decays():
    lrs = np.array([1.0, 0.5, 0.0, 2.0])
    wds = np.array([0.1, 0.0, 0.2, 0.3])
    cfg = {'learningRate': 0.1, 'momentum': 0.5, 'learningRates': tensor(lrs),
           'weightDecays': tensor(wds)}
    x = tensor(X0)
    xs, _ = sgd_reference(X0, 3, lr=0.1, mom=0.5, lrs=lrs, wds=wds)
    feval = quartic(A, B)
    for k in range(3):
        optim.sgd(feval, x, cfg)
        np.testing.assert_allclose(x.numpy(), xs[k], rtol=1e-13)
    assert x.numpy()[2] == X0[2]   # learning rate 0 freezes that element


def test_separate_state_table():
    cfg = {'learningRate': 0.1, 'momentum': 0.9}
    state = {}
    x = tensor(X0)
    optim.sgd(quartic(A, B), x, cfg, state)
    assert set(cfg) == {'learningRate', 'momentum'}
    assert set(state) == {'evalCounter', 'dfdx'}
    assert isinstance(state['dfdx'], torch.DoubleTensor)


def test_gradient_tensor_is_not_modified():
    g = tensor([1.0, 2.0, 3.0, 4.0])
    x = tensor(X0)
    for fused in (True, False):
        with use_fused(fused):
            optim.sgd(lambda x: (0.0, g), x, {'learningRate': 0.1, 'momentum': 0.9,
                                               'dampening': 0, 'nesterov': True,
                                               'weightDecay': 0.1})
        assert g.numpy().tolist() == [1.0, 2.0, 3.0, 4.0]


def test_non_contiguous_x():
    base = tensor(np.arange(8.0))
    x = base.view(4, 2).select(1, 0)           # every other element
    assert not x.isContiguous()
    cfg = {'learningRate': 0.1, 'momentum': 0.9}
    ref = tensor(x.numpy().copy())
    cfg_ref = dict(cfg)
    feval = quartic(A, B)
    for _ in range(3):
        optim.sgd(feval, x, cfg)
        optim.sgd(feval, ref, cfg_ref)
    np.testing.assert_array_equal(x.numpy(), ref.numpy())
    np.testing.assert_array_equal(base.numpy()[1::2], np.arange(1.0, 8.0, 2))


def test_two_dimensional_x_and_flat_gradient():
    x = tensor(X0.reshape(2, 2))
    xs, _ = sgd_reference(X0, 2, lr=0.1, mom=0.9)

    def feval(x):
        xa = x.numpy().reshape(-1)
        return quartic_value(A, B, xa), tensor(quartic_grad(A, B, xa))
    cfg = {'learningRate': 0.1, 'momentum': 0.9}
    optim.sgd(feval, x, cfg)
    optim.sgd(feval, x, cfg)
    np.testing.assert_allclose(x.numpy().reshape(-1), xs[1], rtol=1e-13)


def test_float32_follows_float64_closely():
    x = tensor(X0, np.float32)
    cfg = {'learningRate': 0.1, 'momentum': 0.9}
    xs, _ = sgd_reference(X0, 3, lr=0.1, mom=0.9)
    for k in range(3):
        optim.sgd(quartic(A, B), x, cfg)
    assert x.numpy().dtype == np.float32
    assert isinstance(cfg['dfdx'], torch.FloatTensor)
    np.testing.assert_allclose(x.numpy(), xs[2], rtol=1e-5)


# -- bad configurations: clear errors, nothing modified ---------------------------------------
def _never_called(x):
    raise AssertionError('feval must not be called for a bad config')


@pytest.mark.parametrize('cfg, words', [
    ({'learningRate': -0.1}, ['learningRate', '>= 0', '-0.1']),
    ({'learningRateDecay': -1}, ['learningRateDecay']),
    ({'weightDecay': -1e-4}, ['weightDecay']),
    ({'momentum': -0.5}, ['momentum']),
    ({'learningRate': 'fast'}, ['learningRate', 'number']),
    ({'nesterov': True}, ['Nesterov', 'momentum > 0']),
    ({'nesterov': True, 'momentum': 0.9}, ['Nesterov', 'dampening = 0', 'set dampening=0']),
    ({'nesterov': True, 'momentum': 0.9, 'dampening': 0.1}, ['dampening=0.1']),
    ({'weightDecay': 0.1, 'weightDecays': tensor([0.1] * 4)}, ['weightDecays', 'not both']),
    ({'learningRates': tensor([1.0, 2.0])}, ['learningRates', 'size 2', 'size 4']),
])
def test_bad_config_raises_before_anything_changes(cfg, words):
    x = tensor(X0)
    before = snapshot(cfg)
    with pytest.raises((ValueError, TypeError)) as err:
        optim.sgd(_never_called, x, cfg)
    for w in words:
        assert w in str(err.value)
    np.testing.assert_array_equal(x.numpy(), X0)
    assert same_state(snapshot(cfg), before)


def test_nesterov_with_explicit_zero_dampening_works():
    x = tensor(X0)
    optim.sgd(quartic(A, B), x, {'nesterov': True, 'momentum': 0.9, 'dampening': 0})


@pytest.mark.parametrize('fused', [True, False])
def test_wrong_gradient_size_leaves_x_and_state_alone(fused):
    x = tensor(X0)
    state = {'learningRate': 0.1, 'momentum': 0.9}
    optim.sgd(quartic(A, B), x, state)
    x_before, state_before = x.numpy().copy(), snapshot(state)
    with use_fused(fused), pytest.raises(ValueError) as err:
        optim.sgd(lambda x: (1.0, tensor([1.0, 2.0, 3.0])), x, state)
    msg = str(err.value)
    assert 'gradient' in msg and 'size 3' in msg and 'size 4' in msg
    np.testing.assert_array_equal(x.numpy(), x_before)
    assert same_state(snapshot(state), state_before)


@pytest.mark.parametrize('result, words', [
    (1.0, ['must return (f, df/dx)', 'float']),
    ((1.0,), ['must return (f, df/dx)', 'length 1']),
    ((1.0, np.ones(4)), ['df/dx', 'ndarray']),
    ((1.0, torch.FloatTensor(4)), ['torch.FloatTensor', 'torch.DoubleTensor']),
    (('high', torch.DoubleTensor(4)), ['function value', 'str']),
])
def test_feval_must_return_f_and_gradient(result, words):
    x = tensor(X0)
    state = {}
    with pytest.raises(TypeError) as err:
        optim.sgd(lambda x: result, x, state)
    for w in words:
        assert w in str(err.value)
    np.testing.assert_array_equal(x.numpy(), X0)
    assert state == {}


def test_x_must_be_a_float_tensor():
    with pytest.raises(TypeError, match='FloatTensor or torch.DoubleTensor'):
        optim.sgd(quartic(A, B), torch.LongTensor(4))
    with pytest.raises(TypeError, match='ndarray'):
        optim.sgd(quartic(A, B), np.zeros(4))


def test_momentum_buffer_of_another_model_is_refused():
    x = tensor(X0)
    state = {'momentum': 0.9, 'dfdx': tensor([1.0, 2.0])}
    with pytest.raises(ValueError, match="state\\['dfdx'\\] has size 2 but x has size 4"):
        optim.sgd(quartic(A, B), x, state)
    np.testing.assert_array_equal(x.numpy(), X0)


def test_feval_returning_tensor_value_and_numpy_scalars():
    g = tensor([0.0] * 4)
    x = tensor(X0)
    _, fs = optim.sgd(lambda x: (torch.DoubleTensor([2.5]), g), x)
    assert fs == [2.5] and isinstance(fs[0], float)
    _, fs = optim.sgd(lambda x: (np.float32(1.5), g), x)
    assert fs == [1.5]
