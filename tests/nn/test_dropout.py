"""Dropout and SpatialDropout: statistics, seeds, modes, v1, in place, gradients, files."""
import numpy as np
import pytest

import torchlike as torch
from torchlike.serialization.lua_types import TorchObject

from nn.dropout import Dropout, SpatialDropout


@pytest.fixture(autouse=True)
def _seeded():
    torch.manualSeed(11)


def ones(*s):
    return torch.DoubleTensor(*s).fill(1)


def randn(*s):
    return torch.DoubleTensor(*s).normal(0, 1)


def _within(frac, p, n, sigmas=5):
    return abs(frac - p) < sigmas * np.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize('p', [0.1, 0.5, 0.8])
def test_fraction_dropped_and_v2_scaling(p):
    n = 20000
    out = Dropout(p).forward(ones(100, 200)).numpy()
    dropped = out == 0
    assert _within(dropped.mean(), p, n)
    np.testing.assert_allclose(out[~dropped], 1 / (1 - p))


def test_same_seed_same_mask_and_backward_uses_it():
    m = Dropout(0.4)
    x, g = randn(30, 7), randn(30, 7)
    torch.manualSeed(5)
    a = m.forward(x).clone()
    ga = m.backward(x, g).clone()
    torch.manualSeed(5)
    np.testing.assert_array_equal(m.forward(x).numpy(), a.numpy())
    np.testing.assert_array_equal(m.noise.numpy() * x.numpy(), a.numpy())
    np.testing.assert_array_equal(ga.numpy(), g.numpy() * m.noise.numpy())
    torch.manualSeed(6)
    assert not np.array_equal(m.forward(x).numpy(), a.numpy())


def test_gradient_with_a_fixed_mask_matches_finite_differences():
    m = Dropout(0.3)
    x, g = randn(4, 5), randn(4, 5)

    def loss(inp):
        torch.manualSeed(21)                     # the same mask on every forward
        return float((m.forward(inp).numpy() * g.numpy()).sum())

    loss(x)
    gin = m.backward(x, g).numpy().copy()
    a = x.numpy()
    fd = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        orig = a[idx]
        a[idx] = orig + 1e-6
        plus = loss(x)
        a[idx] = orig - 1e-6
        minus = loss(x)
        a[idx] = orig
        fd[idx] = (plus - minus) / 2e-6
    np.testing.assert_allclose(gin, fd, atol=1e-7)


def test_evaluate_is_the_identity_for_v2():
    m = Dropout(0.7).evaluate()
    x, g = randn(3, 4), randn(3, 4)
    np.testing.assert_array_equal(m.forward(x).numpy(), x.numpy())
    np.testing.assert_array_equal(m.backward(x, g).numpy(), g.numpy())


def test_v1_scales_at_evaluation_not_in_training():
    m = Dropout(0.25, v1=True)
    x = randn(50, 40)
    out = m.forward(x).numpy()
    kept = out != 0
    np.testing.assert_array_equal(out[kept], x.numpy()[kept])
    assert _within(1 - kept.mean(), 0.25, 2000)
    g = randn(50, 40)
    np.testing.assert_array_equal(m.backward(x, g).numpy(), g.numpy() * kept)
    m.evaluate()
    np.testing.assert_allclose(m.forward(x).numpy(), 0.75 * x.numpy())
    np.testing.assert_allclose(m.backward(x, g).numpy(), 0.75 * g.numpy())


def test_inplace_writes_into_the_input_and_gradOutput():
    m = Dropout(0.5, inplace=True)
    x = randn(10, 10)
    orig = x.clone()
    out = m.forward(x)
    assert out.storage() is x.storage()
    np.testing.assert_array_equal(x.numpy(), orig.numpy() * m.noise.numpy())
    g = randn(10, 10)
    gorig = g.clone()
    gin = m.backward(x, g)
    assert gin.storage() is g.storage()
    np.testing.assert_array_equal(g.numpy(), gorig.numpy() * m.noise.numpy())


def test_p_zero_is_the_identity_and_bad_p_is_refused():
    x = randn(3, 3)
    np.testing.assert_array_equal(Dropout(0).forward(x).numpy(), x.numpy())
    for p in (1, -0.1, 1.5):
        with pytest.raises(ValueError, match=r'illegal probability p=.*0 <= p < 1'):
            Dropout(p)
    m = Dropout(0.2)
    with pytest.raises(ValueError):
        m.setp(1)
    assert m.p == 0.2
    assert str(m.setp(0.1)) == 'nn.Dropout(0.100000)'


def test_stochastic_inference_keeps_dropping_and_backward_masks():
    m = Dropout(0.5, stochasticInference=True).evaluate()
    x, g = ones(40, 50), randn(40, 50)
    out = m.forward(x).numpy()
    assert _within((out == 0).mean(), 0.5, 2000)
    np.testing.assert_array_equal(m.backward(x, g).numpy(), g.numpy() * m.noise.numpy())


def test_noise_follows_the_input_type():
    m = Dropout(0.5)
    out = m.forward(randn(4, 4).float())
    assert out._typename == 'torch.FloatTensor' and m.noise._typename == 'torch.FloatTensor'
    m.double()
    assert m.forward(randn(4, 4))._typename == 'torch.DoubleTensor'


def test_gradOutput_of_the_wrong_size():
    m = Dropout()
    x = randn(3, 4)
    m.forward(x)
    with pytest.raises(ValueError, match=r'gradOutput has size 4 x 3, expected .*3 x 4'):
        m.backward(x, randn(4, 3))


def test_clear_state_empties_the_noise():
    m = Dropout()
    m.forward(randn(5, 5))
    assert m.clearState() is m and m.noise.nElement() == 0


# -- SpatialDropout ----------------------------------------------------------------------------
def test_spatial_dropout_drops_whole_maps_without_training_scale():
    m = SpatialDropout(0.3)
    out = m.forward(ones(40, 50, 2, 3)).numpy()
    per_map = out.reshape(40, 50, 6)
    assert (per_map.min(2) == per_map.max(2)).all()          # a map is kept or dropped whole
    assert set(np.unique(out)) <= {0.0, 1.0}
    assert _within((per_map[:, :, 0] == 0).mean(), 0.3, 2000)
    g = randn(40, 50, 2, 3)
    np.testing.assert_array_equal(m.backward(ones(40, 50, 2, 3), g).numpy(), g.numpy() * out)


def test_spatial_dropout_single_image_and_evaluate():
    m = SpatialDropout(0.5)
    out = m.forward(ones(30, 2, 2)).numpy()
    assert (out.reshape(30, 4).min(1) == out.reshape(30, 4).max(1)).all()
    m.evaluate()
    x, g = randn(3, 2, 2), randn(3, 2, 2)
    np.testing.assert_allclose(m.forward(x).numpy(), 0.5 * x.numpy())
    np.testing.assert_allclose(m.backward(x, g).numpy(), 0.5 * g.numpy())


def test_spatial_dropout_seed():
    m = SpatialDropout(0.5)
    x = randn(4, 6, 2, 2)
    torch.manualSeed(3)
    a = m.forward(x).clone()
    torch.manualSeed(3)
    np.testing.assert_array_equal(m.forward(x).numpy(), a.numpy())


# -- Lua files -------------------------------------------------------------------------------
def test_lua_written_dropout_loads():
    fields = dict(p=0.25, train=True, v2=True, inplace=False, stochastic_inference=False,
                  noise=torch.DoubleTensor(), output=torch.DoubleTensor(),
                  gradInput=torch.DoubleTensor(), _type='torch.DoubleTensor')
    m = torch.deserialize(torch.serialize(TorchObject('nn.Dropout', 1, fields)))
    assert type(m) is Dropout and str(m) == 'nn.Dropout(0.250000)'
    out = m.forward(ones(100, 100)).numpy()
    assert set(np.unique(out.round(6))) <= {0.0, round(1 / 0.75, 6)}
    m.evaluate()
    x = randn(3)
    np.testing.assert_array_equal(m.forward(x).numpy(), x.numpy())


def test_lua_written_old_dropout_without_flags_loads():
    # very old files lack v2/inplace/stochastic_inference; inplace may be absent (nil)
    fields = dict(p=0.5, train=False, v2=False, noise=torch.DoubleTensor(),
                  output=torch.DoubleTensor(), gradInput=torch.DoubleTensor())
    m = torch.deserialize(torch.serialize(TorchObject('nn.Dropout', 1, fields)))
    x = randn(4)
    np.testing.assert_allclose(m.forward(x).numpy(), 0.5 * x.numpy())
    s = torch.deserialize(torch.serialize(TorchObject('nn.SpatialDropout', 1, dict(
        p=0.5, train=False, noise=torch.DoubleTensor(), output=torch.DoubleTensor(),
        gradInput=torch.DoubleTensor()))))
    np.testing.assert_allclose(s.forward(randn(2, 2, 2).fill(2)).numpy(), 1.0)
