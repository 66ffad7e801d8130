"""BatchNormalization / SpatialBatchNormalization, Normalize and SpatialCrossMapLRN beyond the
catalogue: formulas, running statistics, modes, buffers, Lua files, PyTorch parity."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nn
import torchlike as torch
from torchlike.serialization.lua_types import TorchObject

from nn.batchnorm import BatchNormalization, SpatialBatchNormalization
from nn.normalize import Normalize, SpatialCrossMapLRN


@pytest.fixture(autouse=True)
def _seeded():
    torch.manualSeed(7)


def randn(*s):
    return torch.DoubleTensor(*s).normal(0, 1)


def channel_stats(x, axes):
    return x.mean(axis=axes), x.var(axis=axes)


def reference_train(x, w, b, eps, axes, shape):
    mean, var = channel_stats(x, axes)
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * w.reshape(shape) \
        + b.reshape(shape)


# -- formulas ------------------------------------------------------------------------------
def test_training_forward_and_running_statistics_follow_torch7():
    m = BatchNormalization(4, eps=1e-3, momentum=0.2)
    rm, rv = np.zeros(4), np.ones(4)
    for step in range(4):
        x = randn(6, 4).mul(step + 1).add(step)
        out = m.forward(x).numpy()
        a = x.numpy()
        np.testing.assert_allclose(out, reference_train(a, m.weight.numpy(), m.bias.numpy(),
                                                        1e-3, 0, (1, 4)), rtol=1e-12, atol=1e-12)
        rm = 0.2 * a.mean(0) + 0.8 * rm
        rv = 0.2 * a.var(0, ddof=1) + 0.8 * rv          # the running variance is unbiased
        np.testing.assert_allclose(m.running_mean.numpy(), rm, rtol=1e-12)
        np.testing.assert_allclose(m.running_var.numpy(), rv, rtol=1e-12)
        np.testing.assert_allclose(m.save_mean.numpy(), a.mean(0), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(m.save_std.numpy(), 1 / np.sqrt(a.var(0) + 1e-3), rtol=1e-12)


def test_evaluate_uses_running_statistics_and_takes_single_samples():
    m = BatchNormalization(3)
    for _ in range(3):
        m.forward(randn(5, 3).add(2))
    m.evaluate()
    rm, rv = m.running_mean.clone().numpy(), m.running_var.clone().numpy()
    x = randn(4, 3)
    expected = (x.numpy() - rm) / np.sqrt(rv + 1e-5) * m.weight.numpy() + m.bias.numpy()
    np.testing.assert_allclose(m.forward(x).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(m.forward(x.select(0, 2).clone()).numpy(), expected[2],
                               rtol=1e-12)
    np.testing.assert_array_equal(m.running_mean.numpy(), rm)     # not updated
    g = randn(4, 3)
    gin = m.backward(x, g).numpy()
    np.testing.assert_allclose(gin, g.numpy() * m.weight.numpy() / np.sqrt(rv + 1e-5),
                               rtol=1e-12)


def test_spatial_forward_per_channel_and_single_image_in_evaluate():
    m = SpatialBatchNormalization(3, momentum=0.5)
    x = randn(2, 3, 4, 5).mul(3).add(1)
    a = x.numpy()
    out = m.forward(x).numpy()
    np.testing.assert_allclose(out, reference_train(a, m.weight.numpy(), m.bias.numpy(), 1e-5,
                                                    (0, 2, 3), (1, 3, 1, 1)), rtol=1e-11,
                               atol=1e-12)
    np.testing.assert_allclose(m.running_var.numpy(),
                               0.5 * a.transpose(1, 0, 2, 3).reshape(3, -1).var(1, ddof=1) + 0.5)
    m.evaluate()
    single = m.forward(x.select(0, 1).clone()).numpy().copy()
    np.testing.assert_allclose(single, m.forward(x).numpy()[1], rtol=1e-12)


def test_training_gradient_with_a_large_mean_offset():
    # the batch statistics depend on the input; the one-pass statistics stay accurate when
    # the mean dwarfs the spread
    m = BatchNormalization(2)
    x = randn(5, 2)
    base = x.clone()
    err = nn.Jacobian.testJacobian(m, x, 1000, 1002)
    assert err < 1e-4
    assert base.nElement() == 10


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 4), c=st.integers(1, 3), h=st.integers(1, 3), w=st.integers(1, 3),
       affine=st.booleans())
def test_spatial_gradients_for_random_shapes(n, c, h, w, affine):
    torch.manualSeed(n * 100 + c * 10 + h + w)
    for mode in ('training', 'evaluate'):
        m = getattr(SpatialBatchNormalization(c, affine=affine), mode)()
        assert nn.Jacobian.testJacobian(m, randn(n, c, h, w)) < 1e-5
        if affine:
            assert nn.Jacobian.testJacobianParameters(m, randn(n, c, h, w), m.weight,
                                                      m.gradWeight) < 1e-5


def test_backward_is_updateGradInput_plus_accGradParameters():
    m = SpatialBatchNormalization(3)
    x, g = randn(2, 3, 2, 2), randn(2, 3, 2, 2)
    m.forward(x)
    m.zeroGradParameters()
    gin = m.backward(x, g, 0.5).clone()
    gw, gb = m.gradWeight.clone(), m.gradBias.clone()
    m.zeroGradParameters()
    np.testing.assert_allclose(m.updateGradInput(x, g).numpy(), gin.numpy(), rtol=1e-13)
    m.accGradParameters(x, g, 0.5)
    np.testing.assert_allclose(m.gradWeight.numpy(), gw.numpy(), rtol=1e-13)
    np.testing.assert_allclose(m.gradBias.numpy(), gb.numpy(), rtol=1e-13)
    np.testing.assert_allclose(gb.numpy(), 0.5 * g.numpy().sum(axis=(0, 2, 3)), rtol=1e-12)


def test_non_contiguous_input_gives_the_same_result():
    m = BatchNormalization(3)
    x = randn(3, 5).t()                 # 5 x 3, not contiguous
    assert not x.isContiguous()
    g = randn(3, 5).t()
    out = m.clone().forward(x.clone()).clone()
    np.testing.assert_allclose(m.forward(x).numpy(), out.numpy(), rtol=1e-14)
    ref = m.clone()
    ref.forward(x.clone())
    np.testing.assert_allclose(m.backward(x, g).numpy(),
                               ref.backward(x.clone(), g.clone()).numpy(), rtol=1e-13)


def test_float_module():
    m = BatchNormalization(3)
    d = m.clone()
    m.float()
    x = randn(6, 3)
    assert m.forward(x.float())._typename == 'torch.FloatTensor'
    np.testing.assert_allclose(m.output.numpy(), d.forward(x).numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(m.running_var.numpy(), d.running_var.numpy(), rtol=1e-5)
    g = m.backward(x.float(), randn(6, 3).float())
    assert g._typename == 'torch.FloatTensor'


# -- initialisation, edge cases and errors -------------------------------------------------
def test_torch7_initialisation_quirk():
    m = BatchNormalization(50)
    w = m.weight.numpy()
    assert (w >= 0).all() and (w < 1).all() and w.std() > 0.1
    assert (m.bias.numpy() == 0).all()
    assert (m.running_mean.numpy() == 0).all() and (m.running_var.numpy() == 1).all()
    m.running_var.fill(3)
    m.reset()
    assert (m.running_var.numpy() == 1).all()
    torch.manualSeed(3)
    a = BatchNormalization(5).weight.clone()
    torch.manualSeed(3)
    np.testing.assert_array_equal(BatchNormalization(5).weight.numpy(), a.numpy())


def test_no_affine_has_no_parameters():
    m = BatchNormalization(3, affine=False)
    assert m.parameters() == ([], [])
    x = randn(4, 3)
    out = m.forward(x).numpy()
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(0), x.numpy().var(0) / (x.numpy().var(0) + 1e-5))


def test_single_value_per_channel_in_training_falls_back_to_running_statistics():
    m = BatchNormalization(3)
    m.running_mean.fill(1)
    m.running_var.fill(4)
    x = randn(1, 3)
    out = m.forward(x).numpy()
    np.testing.assert_allclose(out, (x.numpy() - 1) / np.sqrt(4 + 1e-5) * m.weight.numpy())
    assert (m.running_mean.numpy() == 1).all() and (m.running_var.numpy() == 4).all()
    assert nn.Jacobian.testJacobian(m, x) < 1e-6
    # one image with several pixels has statistics: the batch ones are used and folded in
    s = SpatialBatchNormalization(2, momentum=1.0)
    x = randn(1, 2, 3, 3)
    s.forward(x)
    np.testing.assert_allclose(s.running_mean.numpy(), x.numpy().mean(axis=(0, 2, 3)))


def test_constant_channel_with_zero_eps_gives_the_bias():
    m = BatchNormalization(2, eps=0)
    x = torch.DoubleTensor([[1, 2], [1, 3], [1, 4]])
    out = m.forward(x).numpy()
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out[:, 0], m.bias.numpy()[0])


def test_single_sample_in_training_mode_is_a_clear_error():
    m = BatchNormalization(4)
    before = m.running_mean.clone()
    with pytest.raises(ValueError, match=r'single sample \(size 4\) in training mode.*'
                                         r'evaluate\(\)'):
        m.forward(randn(4))
    with pytest.raises(ValueError, match=r'single sample'):
        SpatialBatchNormalization(2).forward(randn(2, 3, 3))
    np.testing.assert_array_equal(m.running_mean.numpy(), before.numpy())


@pytest.mark.parametrize('make,bad,pattern', [
    (lambda: BatchNormalization(3), lambda: randn(4, 2), r'got 2 features, expected 3 '
                                                         r'\(input size 4 x 2\)'),
    (lambda: SpatialBatchNormalization(3), lambda: randn(3, 4), r"expected 4-D input"),
    (lambda: BatchNormalization(3), lambda: torch.DoubleTensor(0, 3), r'got size empty'),
])
def test_bad_inputs_change_nothing(make, bad, pattern):
    m = make()
    state = [t.clone() for t in (m.running_mean, m.running_var, m.weight)]
    with pytest.raises(ValueError, match=pattern):
        m.forward(bad())
    for t, s in zip((m.running_mean, m.running_var, m.weight), state):
        np.testing.assert_array_equal(t.numpy(), s.numpy())


def test_gradOutput_of_the_wrong_size():
    m = BatchNormalization(3)
    x = randn(4, 3)
    m.forward(x)
    with pytest.raises(ValueError, match=r'gradOutput has size 4 x 2, expected .* 4 x 3'):
        m.backward(x, randn(4, 2))


def test_constructor_checks():
    with pytest.raises(ValueError, match='affine=False'):
        BatchNormalization(0)
    with pytest.raises(TypeError, match='affine'):
        BatchNormalization(3, 1e-5, 0.1, 1)


def test_buffers_are_reused_and_cleared():
    m = SpatialBatchNormalization(2)
    x = randn(2, 2, 3, 3)
    out = m.forward(x)
    ptr = out.storage().data_ptr()
    assert m.forward(randn(2, 2, 3, 3)) is out and out.storage().data_ptr() == ptr
    m.backward(x, randn(2, 2, 3, 3))
    m.clearState()
    assert m.save_mean.nElement() == 0 and m.output.nElement() == 0
    assert m.running_mean.nElement() == 2


# -- files ------------------------------------------------------------------------------------
def _lua_bn(name, version, **extra):
    fields = dict(eps=1e-5, momentum=0.1, affine=True, train=False,
                  running_mean=torch.DoubleTensor([0.5, -1.0, 2.0]),
                  weight=torch.DoubleTensor([1.0, 2.0, 0.5]),
                  bias=torch.DoubleTensor([0.0, 1.0, -1.0]),
                  gradWeight=torch.DoubleTensor(3), gradBias=torch.DoubleTensor(3),
                  output=torch.DoubleTensor(), gradInput=torch.DoubleTensor(),
                  _type='torch.DoubleTensor')
    fields.update(extra)
    return torch.deserialize(torch.serialize(TorchObject(name, version, fields)))


def test_lua_written_file_loads_into_a_working_module():
    var = torch.DoubleTensor([1.0, 4.0, 0.25])
    m = _lua_bn('nn.BatchNormalization', 2, running_var=var)
    assert type(m) is BatchNormalization and str(m) == 'nn.BatchNormalization (2D) (3)'
    x = randn(2, 3)
    expected = (x.numpy() - [0.5, -1, 2]) / np.sqrt(var.numpy() + 1e-5) * [1, 2, 0.5] + \
        [0, 1, -1]
    np.testing.assert_allclose(m.forward(x).numpy(), expected, rtol=1e-12)
    m.training()
    m.forward(randn(4, 3))
    m.backward(randn(4, 3), randn(4, 3))
    s = _lua_bn('nn.SpatialBatchNormalization', 2, running_var=var)
    assert s.forward(randn(3, 2, 2)).size() == torch.Size([3, 2, 2])


def test_version_1_file_with_running_std_converts():
    var = np.array([1.0, 4.0, 0.25])
    std = torch.DoubleTensor(list(1 / np.sqrt(var + 1e-5)))
    m = _lua_bn('nn.BatchNormalization', 1, running_std=std)
    assert 'running_std' not in m.__dict__
    np.testing.assert_allclose(m.running_var.numpy(), var, rtol=1e-10)
    m.forward(randn(2, 3))


def test_saved_files_are_version_2_and_round_trip():
    m = BatchNormalization(3)
    m.forward(randn(4, 3))
    data = torch.serialize(m)
    assert b'nn.BatchNormalization' in data and b'V 2' in data
    loaded = torch.deserialize(data)
    np.testing.assert_array_equal(loaded.running_var.numpy(), m.running_var.numpy())


# -- Normalize and SpatialCrossMapLRN --------------------------------------------------------
@pytest.mark.parametrize('p', [1, 2, 3, 1.5, math.inf])
def test_normalize_formula(p):
    x = randn(3, 5)
    out = Normalize(p).forward(x).numpy()
    a = x.numpy()
    norm = np.abs(a).max(1) if p == math.inf else (np.abs(a) ** p).sum(1) ** (1 / p)
    np.testing.assert_allclose(out, a / norm[:, None], rtol=1e-9)


def test_normalize_checks_p():
    with pytest.raises(ValueError, match='p must be a number > 0'):
        Normalize(0)


def _lrn_reference(x, size, alpha, beta, k):
    C = x.shape[1]
    out = np.empty_like(x)
    for c in range(C):
        lo, hi = max(0, c - size // 2), min(C - 1, c + (size - 1) // 2)
        s = (x[:, lo:hi + 1] ** 2).sum(1)
        out[:, c] = x[:, c] / (k + alpha / size * s) ** beta
    return out


@pytest.mark.parametrize('size', [1, 3, 4, 5])
def test_lrn_formula(size):
    x = randn(2, 6, 3, 2)
    m = SpatialCrossMapLRN(size, 0.1, 0.75, 2)
    np.testing.assert_allclose(m.forward(x).numpy(), _lrn_reference(x.numpy(), size, 0.1,
                                                                    0.75, 2), rtol=1e-12)


# -- PyTorch parity ------------------------------------------------------------------------
def test_pytorch_parity_batchnorm_train_eval_and_running_stats():
    pt = pytest.importorskip('torch')
    import torchlike as tl
    for cls, ptcls, shape in ((BatchNormalization, pt.nn.BatchNorm1d, (8, 5)),
                              (SpatialBatchNormalization, pt.nn.BatchNorm2d, (4, 5, 3, 3))):
        ours = cls(5, 1e-4, 0.3)
        ref = ptcls(5, eps=1e-4, momentum=0.3).double()
        with pt.no_grad():
            ref.weight.copy_(pt.from_numpy(ours.weight.numpy()))
        for step in range(4):
            x = np.random.RandomState(step).randn(*shape) * 2 + step
            g = np.random.RandomState(10 + step).randn(*shape)
            out = ours.forward(tl.fromNumpy(x.copy()))
            gin = ours.backward(tl.fromNumpy(x.copy()), tl.fromNumpy(g.copy()))
            px = pt.tensor(x, requires_grad=True)
            py = ref(px)
            py.backward(pt.tensor(g))
            np.testing.assert_allclose(out.numpy(), py.detach().numpy(), rtol=1e-10, atol=1e-10)
            np.testing.assert_allclose(gin.numpy(), px.grad.numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(ours.running_mean.numpy(), ref.running_mean.numpy(),
                                   rtol=1e-12)
        np.testing.assert_allclose(ours.running_var.numpy(), ref.running_var.numpy(),
                                   rtol=1e-12)
        np.testing.assert_allclose(ours.gradWeight.numpy(), ref.weight.grad.numpy(), rtol=1e-9)
        np.testing.assert_allclose(ours.gradBias.numpy(), ref.bias.grad.numpy(), rtol=1e-9)
        ours.evaluate()
        ref.eval()
        x = np.random.RandomState(99).randn(*shape)
        g = np.random.RandomState(98).randn(*shape)
        px = pt.tensor(x, requires_grad=True)
        py = ref(px)
        py.backward(pt.tensor(g))
        np.testing.assert_allclose(ours.forward(tl.fromNumpy(x.copy())).numpy(),
                                   py.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.backward(tl.fromNumpy(x.copy()),
                                                 tl.fromNumpy(g.copy())).numpy(),
                                   px.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_pytorch_parity_batchnorm_float32():
    pt = pytest.importorskip('torch')
    import torchlike as tl
    x = np.random.RandomState(0).randn(16, 4, 5, 5).astype(np.float32) * 3 + 1
    ours = SpatialBatchNormalization(4).float()
    ref = pt.nn.BatchNorm2d(4)
    with pt.no_grad():
        ref.weight.copy_(pt.from_numpy(ours.weight.numpy()))
    np.testing.assert_allclose(ours.forward(tl.fromNumpy(x)).numpy(),
                               ref(pt.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('size', [3, 4])
def test_pytorch_parity_lrn(size):
    pt = pytest.importorskip('torch')
    import torchlike as tl
    x = np.random.RandomState(size).randn(2, 7, 3, 3)
    ref = pt.nn.LocalResponseNorm(size, alpha=0.3, beta=0.7, k=1.5)
    ours = SpatialCrossMapLRN(size, 0.3, 0.7, 1.5)
    np.testing.assert_allclose(ours.forward(tl.fromNumpy(x)).numpy(),
                               ref(pt.from_numpy(x)).numpy(), rtol=1e-12)


def test_lua_written_normalize_and_lrn_load():
    n = torch.deserialize(torch.serialize(TorchObject('nn.Normalize', 1, dict(
        p=2, eps=1e-10, train=True, output=torch.DoubleTensor(), gradInput=torch.DoubleTensor(),
        buffer=torch.DoubleTensor(), _output=torch.DoubleTensor()))))
    x = randn(3, 4)
    np.testing.assert_allclose(n.forward(x).numpy(),
                               x.numpy() / np.linalg.norm(x.numpy(), axis=1)[:, None])
    n.backward(x, randn(3, 4))
    assert not hasattr(n, 'buffer')
    lrn = torch.deserialize(torch.serialize(TorchObject('nn.SpatialCrossMapLRN', 1, dict(
        size=5, alpha=1e-4, beta=0.75, k=1, train=True, output=torch.DoubleTensor(),
        gradInput=torch.DoubleTensor()))))
    x = randn(6, 2, 2)
    np.testing.assert_allclose(lrn.forward(x).numpy(),
                               _lrn_reference(x.numpy()[None], 5, 1e-4, 0.75, 1)[0])
    lrn.backward(x, randn(6, 2, 2))
