"""What the catalogue cannot express for the transfer functions, softmax and element-wise
modules: forward values against numpy formulas, in-place flags, buffer reuse, type following,
the softmax kernel (stability, layouts, parallel = serial), Lua-written files, and numeric
parity with PyTorch (skipped without it)."""
import io

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import torchlike as torch
from kernels.cpu import softmax as K
from nn.activations import (ReLU, Threshold, HardTanh, Clamp, LeakyReLU, ELU, SoftPlus,
                            LogSigmoid, Tanh, Sigmoid, SoftSign, ReLU6, AddConstant,
                            MulConstant)
from nn.elementwise import Identity, Copy, Exp, Log, Abs, Square, Sqrt, Power
from nn.softmax import (SoftMax, LogSoftMax, SoftMin, SpatialSoftMax, SpatialLogSoftMax,
                        softmax_numpy)
from torchlike.serialization.lua_types import TorchObject


@pytest.fixture(autouse=True)
def _seeded():
    torch.manualSeed(7)
    np.random.seed(7)


def _t(a, cls=torch.DoubleTensor):
    return torch.fromNumpy(np.ascontiguousarray(a, dtype=cls._dtype))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# -- forward values against formulas ---------------------------------------------------------
FORMULAS = [
    (lambda: ReLU(), lambda x: np.where(x > 0, x, 0)),
    (lambda: Threshold(0.3, -2), lambda x: np.where(x > 0.3, x, -2)),
    (lambda: HardTanh(), lambda x: np.minimum(np.maximum(x, -1), 1)),
    (lambda: Clamp(-0.2, 0.5), lambda x: np.minimum(np.maximum(x, -0.2), 0.5)),
    (lambda: ReLU6(), lambda x: np.minimum(np.maximum(x, 0), 6)),
    (lambda: LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (lambda: LeakyReLU(3.0), lambda x: np.where(x > 0, x, 3 * x)),
    (lambda: ELU(0.7), lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1))),
    (lambda: SoftPlus(), lambda x: np.where(x > 20, x, np.log(1 + np.exp(np.minimum(x, 20))))),
    (lambda: SoftPlus(2), lambda x: np.where(2 * x > 20, x,
                                             np.log(1 + np.exp(np.minimum(2 * x, 20))) / 2)),
    (lambda: LogSigmoid(), lambda x: np.log(_sigmoid(x))),
    (lambda: Tanh(), np.tanh),
    (lambda: Sigmoid(), _sigmoid),
    (lambda: SoftSign(), lambda x: x / (1 + np.abs(x))),
    (lambda: AddConstant(-1.25), lambda x: x - 1.25),
    (lambda: MulConstant(0.5), lambda x: 0.5 * x),
    (lambda: Exp(), np.exp),
    (lambda: Abs(), np.abs),
    (lambda: Square(), lambda x: x * x),
    (lambda: Power(3), lambda x: x ** 3),
]


@pytest.mark.parametrize('make,formula', FORMULAS, ids=[repr(m()) + str(i) for i, (m, _) in
                                                        enumerate(FORMULAS)])
@pytest.mark.parametrize('typename', ['torch.DoubleTensor', 'torch.FloatTensor'])
def test_forward_matches_formula(make, formula, typename):
    x = np.random.randn(3, 4, 5) * 3
    x.flat[:4] = [0.0, 25.0, -30.0, 1.0]
    m = make()
    out = m.forward(_t(x, torch.types.tensor_class(typename)))
    assert out._typename == typename
    tol = 1e-12 if typename == 'torch.DoubleTensor' else 2e-6
    np.testing.assert_allclose(out.numpy(), formula(x.astype(out.numpy().dtype)), rtol=tol,
                               atol=tol)


def test_log_sqrt_power_formulas():
    x = np.random.rand(4, 3) + 0.1
    np.testing.assert_allclose(Log().forward(_t(x)).numpy(), np.log(x), rtol=1e-14)
    np.testing.assert_allclose(Sqrt().forward(_t(x)).numpy(), np.sqrt(x), rtol=1e-14)
    np.testing.assert_allclose(Sqrt(0.5).forward(_t(x)).numpy(), np.sqrt(x + 0.5), rtol=1e-14)
    np.testing.assert_allclose(Power(-1.5).forward(_t(x)).numpy(), x ** -1.5, rtol=1e-14)
    # out of the domain: NaN / inf as Torch7, without numpy warnings
    with np.errstate(over='raise', invalid='raise', divide='raise'):
        assert np.isnan(Log().forward(_t([-1.0])).numpy()[0])
        assert np.isneginf(Log().forward(_t([0.0])).numpy()[0])
        assert np.isnan(Sqrt().forward(_t([-1.0])).numpy()[0])


def test_gradients_at_kinks_follow_thnn():
    x = _t([0.0, -1.0, 1.0, 0.5])
    g = _t([1.0, 1.0, 1.0, 1.0])
    # Abs: sign(0) = 1; Sqrt: 0 where the output is 0; HardTanh: 0 at the bounds
    assert Abs().backward(x, g).totable() == [1.0, -1.0, 1.0, 1.0]
    s = Sqrt()
    s.forward(_t([0.0, 4.0]))
    assert s.backward(_t([0.0, 4.0]), _t([1.0, 1.0])).totable() == [0.0, 0.25]
    h = HardTanh()
    h.forward(x)
    assert h.backward(x, g).totable() == [1.0, 0.0, 0.0, 1.0]
    r = ReLU()
    r.forward(x)
    assert r.backward(x, g).totable() == [0.0, 0.0, 1.0, 1.0]


def test_extreme_inputs_stay_finite():
    x = _t([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with np.errstate(over='raise', invalid='raise', divide='raise'):
        for m in (Sigmoid(), Tanh(), SoftPlus(), LogSigmoid(), ELU(), SoftSign()):
            out = m.forward(x).numpy()
            assert np.all(np.isfinite(out)), repr(m)
            grad = m.backward(x, _t(np.ones(5))).numpy()
            assert np.all(np.isfinite(grad)), repr(m)
    assert Sigmoid().forward(x).totable()[0] == 0.0
    np.testing.assert_allclose(LogSigmoid().forward(x).numpy()[[0, 4]], [-1000.0, 0.0])
    np.testing.assert_allclose(SoftPlus().forward(x).numpy()[[0, 4]], [0.0, 1000.0])


# -- in-place flags --------------------------------------------------------------------------
INPLACE = [
    (lambda ip: ReLU(ip)), (lambda ip: Threshold(0.2, 0.1, ip)), (lambda ip: HardTanh(-1, 1, ip)),
    (lambda ip: ReLU6(ip)), (lambda ip: LeakyReLU(0.1, ip)), (lambda ip: ELU(0.5, ip)),
    (lambda ip: AddConstant(2.5, ip)), (lambda ip: MulConstant(-3, ip)),
]


@pytest.mark.parametrize('make', INPLACE, ids=[repr(m(False)) + str(i) for i, m in
                                               enumerate(INPLACE)])
def test_inplace_forward_and_backward(make):
    x = np.random.randn(4, 5) * 4
    g = np.random.randn(4, 5)
    ref = make(False)
    expected_out = ref.forward(_t(x)).numpy().copy()
    expected_grad = ref.backward(_t(x), _t(g)).numpy().copy()

    m = make(True)
    assert m.inplace
    xin, gout = _t(x), _t(g)
    out = m.forward(xin)
    assert out.storage() is xin.storage()          # output shares the input's storage
    np.testing.assert_allclose(out.numpy(), expected_out, rtol=1e-14)
    grad = m.backward(xin, gout)
    assert grad.storage() is gout.storage()        # gradInput shares gradOutput's storage
    np.testing.assert_allclose(grad.numpy(), expected_grad, rtol=1e-12, atol=1e-14)
    if isinstance(m, (AddConstant, MulConstant)):  # these restore the input
        np.testing.assert_allclose(xin.numpy(), x, rtol=1e-14)


def test_inplace_on_a_non_contiguous_view():
    base = torch.DoubleTensor(4, 6).normal(0, 1)
    expected = np.maximum(base.numpy(), 0).T.copy()
    view = base.t()
    out = ReLU(True).forward(view)
    assert not view.isContiguous() and out.isSetTo(view)
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(base.numpy().T, expected)


def test_inplace_flag_checks():
    with pytest.raises(ValueError, match=r'in-place processing requires value \(2\) not exceed '
                                         r'threshold \(1\)'):
        Threshold(1, 2, True)
    t = Threshold(1, 0.5, True)
    t.val = 3
    with pytest.raises(ValueError, match='in-place'):
        t.forward(_t([1.0, 2.0]))
    assert not LeakyReLU(-0.5, True).inplace     # a negative slope cannot be undone in place
    assert LeakyReLU(True).inplace and LeakyReLU(True).negval == 0.01
    with pytest.raises(TypeError, match='in-place flag must be a bool'):
        ReLU('yes')
    with pytest.raises(ValueError, match='max_value .* must be larger than min_value'):
        HardTanh(1, -1)
    with pytest.raises(ValueError, match='non-zero constant'):
        MulConstant(0, True)
    with pytest.raises(TypeError, match='must be a number'):
        Threshold('a')
    with pytest.raises(TypeError, match=r'Power\(power\)'):
        Power(None)


# -- buffers and types -----------------------------------------------------------------------
def test_buffers_are_reused():
    for m in (ReLU(), Tanh(), ELU(), SoftPlus(), LogSoftMax(), LogSigmoid(), Sqrt()):
        x = _t(np.random.rand(5, 6) + 0.1)
        g = _t(np.random.randn(5, 6))
        out, gin = m.forward(x), m.backward(x, g)
        ptr = (out.numpy().ctypes.data, gin.numpy().ctypes.data)
        x.copy(np.random.rand(5, 6) + 0.1)
        assert m.forward(x) is out and m.backward(x, g) is gin, repr(m)
        assert (out.numpy().ctypes.data, gin.numpy().ctypes.data) == ptr, repr(m)
        assert m.clearState() is m and m.output.nElement() == 0


def test_parameter_free_modules_follow_the_input_type():
    m = Sigmoid()                                   # a DoubleTensor module
    xf = torch.FloatTensor(3, 2).normal(0, 1)
    out = m.forward(xf)
    assert out._typename == 'torch.FloatTensor'
    assert m.backward(xf, xf.clone())._typename == 'torch.FloatTensor'
    xd = torch.DoubleTensor(2).normal(0, 1)
    assert m.forward(xd)._typename == 'torch.DoubleTensor'
    with pytest.raises(TypeError, match='gradOutput is a torch.FloatTensor but the input is a '
                                        'torch.DoubleTensor'):
        m.backward(xd, torch.FloatTensor(2))
    with pytest.raises(ValueError, match=r'gradOutput has size 3, expected the input\'s size 2'):
        m.backward(xd, torch.DoubleTensor(3))
    with pytest.raises(TypeError, match='expected a tensor input'):
        m.forward([1, 2])


def test_non_contiguous_input():
    x = torch.DoubleTensor(6, 4).normal(0, 1).t()      # 4 x 6, transposed strides
    for m in (Tanh(), SoftMax(), LogSoftMax(), ELU(), SoftPlus()):
        np.testing.assert_allclose(m.forward(x).numpy(), m.forward(x.contiguous()).numpy(),
                                   rtol=1e-15)


# -- Identity and Copy -----------------------------------------------------------------------
def test_identity_passes_tensors_and_lists():
    m = Identity()
    x = torch.DoubleTensor(3).fill(2)
    assert m.forward(x) is x and m.backward(x, x) is x
    pair = [torch.DoubleTensor(2), torch.FloatTensor(3)]
    assert m.forward(pair) is pair
    m.clearState()
    assert x.nElement() == 3                             # the input itself is never emptied


def test_copy_converts_types():
    m = Copy('torch.FloatTensor', 'torch.DoubleTensor')
    x = torch.FloatTensor([1.5, 2.5])
    out = m.forward(x)
    assert out._typename == 'torch.DoubleTensor' and out.totable() == [1.5, 2.5]
    gin = m.backward(x, torch.DoubleTensor([1, 2]))
    assert gin._typename == 'torch.FloatTensor' and gin.totable() == [1.0, 2.0]
    same = Copy('torch.DoubleTensor', 'torch.DoubleTensor')
    xd = torch.DoubleTensor([1.0])
    assert same.forward(xd).storage() is xd.storage()    # pass-through, no copy
    forced = Copy('torch.DoubleTensor', 'torch.DoubleTensor', True)
    assert forced.forward(xd).storage() is not xd.storage()
    shielded = Copy('torch.FloatTensor', 'torch.DoubleTensor', False, True).float()
    assert shielded.output._typename == 'torch.DoubleTensor'
    assert Copy('torch.FloatTensor', 'torch.DoubleTensor').float().output._typename == \
        'torch.FloatTensor'


# -- softmax ---------------------------------------------------------------------------------
def _ref_softmax(x, log, axis):
    return softmax_numpy(x.astype(np.float64), log, axis)


@settings(max_examples=40, deadline=None)
@given(shape=st.one_of(st.tuples(st.integers(1, 40)),
                       st.tuples(st.integers(1, 9), st.integers(1, 70)),
                       st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 5)),
                       st.tuples(st.integers(1, 3), st.integers(1, 5), st.integers(1, 4),
                                 st.integers(1, 4))),
       scale=st.sampled_from([0.1, 3.0, 300.0]), log=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_softmax_matches_numpy(shape, scale, log, dtype):
    x = (np.random.randn(*shape) * scale).astype(dtype)
    axis = 0 if len(shape) in (1, 3) else 1
    m = (LogSoftMax if log else SoftMax)()
    cls = torch.types.class_for_dtype(np.dtype(dtype))
    out = m.forward(_t(x, cls)).numpy()
    tol = 1e-13 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(out, _ref_softmax(x, log, axis), rtol=tol,
                               atol=tol * max(1, scale))
    g = np.random.randn(*shape).astype(dtype)
    gin = m.backward(_t(x, cls), _t(g, cls)).numpy()
    y = _ref_softmax(x, log, axis)
    gs = g.astype(np.float64)
    if log:
        expected = gs - np.exp(y) * gs.sum(axis, keepdims=True)
    else:
        expected = y * (gs - (gs * y).sum(axis, keepdims=True))
    np.testing.assert_allclose(gin, expected, rtol=tol * 10, atol=tol * 10)


def test_softmax_is_stable_and_exact_on_ties():
    x = _t([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
    with np.errstate(over='raise', invalid='raise', divide='raise'):
        p = SoftMax().forward(x).numpy()
        lp = LogSoftMax().forward(x).numpy()
    np.testing.assert_array_equal(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(lp, [[0.0, -2000.0, -1000.0], [-np.log(3)] * 3], rtol=1e-15)
    xf = torch.FloatTensor([[1000.0, 999.0, -1000.0]])
    np.testing.assert_allclose(LogSoftMax().forward(xf).numpy(),
                               [[-np.log1p(np.exp(-1)), -1 - np.log1p(np.exp(-1)),
                                 -2000 - np.log1p(np.exp(-1))]],
                               rtol=1e-6)


def test_softmax_inf_and_nan():
    p = SoftMax().forward(_t([0.0, -np.inf, 0.0])).numpy()
    np.testing.assert_array_equal(p, [0.5, 0.0, 0.5])
    lp = LogSoftMax().forward(_t([[1.0, np.nan], [1.0, 2.0]])).numpy()
    assert np.isnan(lp[0]).all() and np.isfinite(lp[1]).all()


def test_softmin_is_softmax_of_minus_input():
    x = np.random.randn(3, 7)
    np.testing.assert_allclose(SoftMin().forward(_t(x)).numpy(),
                               SoftMax().forward(_t(-x)).numpy(), rtol=1e-15)


def test_spatial_softmax_normalises_channels_at_each_pixel():
    x = np.random.randn(2, 4, 3, 5)
    out = SpatialSoftMax().forward(_t(x)).numpy()
    np.testing.assert_allclose(out.sum(1), 1, rtol=1e-14)
    np.testing.assert_allclose(SpatialLogSoftMax().forward(_t(x[0])).numpy(),
                               _ref_softmax(x[0], True, 0), rtol=1e-13)


@pytest.mark.parametrize('shape', [(9, 33, 1), (6, 3, 10)])
def test_parallel_kernels_match_serial_bitwise(shape):
    # one dtype: the drivers share the per-frame code, and each compile costs seconds cold
    x = np.random.randn(*shape) * 4
    g = np.random.randn(*shape)
    for log in (False, True):
        a, b = np.empty_like(x), np.empty_like(x)
        K.softmax_forward(x, a, log)
        K.softmax_forward_parallel(x, b, log, 2)
        np.testing.assert_array_equal(a, b)
        ga, gb = np.empty_like(x), np.empty_like(x)
        K.softmax_backward(a, g, ga, log)
        K.softmax_backward_parallel(a, g, gb, log, 3)
        np.testing.assert_array_equal(ga, gb)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_inline_exp_and_log_accuracy(dtype):
    eps = np.finfo(dtype).eps
    x = np.concatenate([-np.random.rand(20000) * 2, [0.0, -0.0, -1e-30]]).astype(dtype)
    ref = np.exp(x.astype(np.float64))
    rel = np.abs(K.exp_nonpos(x) - ref) / ref
    assert rel.max() < 2 * eps
    far = -np.random.rand(20000).astype(dtype) * (80 if dtype == np.float32 else 700)
    ref = np.exp(far.astype(np.float64))
    ok = ref > np.finfo(dtype).tiny
    rel = np.abs(K.exp_nonpos(far) - ref)[ok] / ref[ok]
    assert rel.max() < 4 * eps * np.abs(far[ok]).max()      # exp's own conditioning, |x| eps
    special = K.exp_nonpos(np.array([-np.inf, np.nan, -2000.0], dtype))
    assert special[0] == 0 and np.isnan(special[1]) and special[2] == 0
    s = np.concatenate([1 + np.random.rand(20000) * 1e4, [1.0, 2.0, np.sqrt(2.0)]])
    np.testing.assert_allclose(K.log_pos(s), np.log(s), rtol=3e-16, atol=3e-16)
    assert np.isnan(K.log_pos(np.array([np.nan])))[0]


# -- Lua-written files -----------------------------------------------------------------------
def _lua(typename, **fields):
    base = dict(output=torch.DoubleTensor(), gradInput=torch.DoubleTensor(), train=True,
                _type='torch.DoubleTensor')
    base.update(fields)
    return torch.deserialize(torch.serialize(TorchObject(typename, 1, base)))


def test_lua_files_load_into_working_modules():
    x = _t([[-1.0, 0.5, 2.0]])
    relu = _lua('nn.ReLU', threshold=0, val=0, inplace=False)
    assert isinstance(relu, ReLU) and relu.forward(x).totable() == [[0.0, 0.5, 2.0]]
    old = _lua('nn.Threshold', threshold=0.7, val=-1)      # before the inplace field existed
    assert old.forward(x).totable() == [[-1.0, -1.0, 2.0]]
    assert isinstance(_lua('nn.Tanh'), Tanh)
    lsm = _lua('nn.LogSoftMax')
    np.testing.assert_allclose(lsm.forward(x).numpy(), _ref_softmax(x.numpy(), True, 1))
    lrelu = _lua('nn.LeakyReLU', negval=0.1, inplace=False)
    assert lrelu.forward(x).totable()[0][0] == pytest.approx(-0.1)
    r6 = _lua('nn.ReLU6', inplace=False)
    assert r6.forward(_t([7.0, -1.0])).totable() == [6.0, 0.0]
    ht = _lua('nn.HardTanh', min_val=-0.5, max_val=0.5)
    assert ht.forward(_t([1.0, -1.0])).totable() == [0.5, -0.5]
    sm = _lua('nn.SoftMin', mininput=torch.DoubleTensor())
    assert sm.forward(_t([0.0, 0.0])).totable() == [0.5, 0.5]


def test_lua_copy_with_passthrough_closures_loads():
    from torchlike.serialization.lua_types import LuaFunction
    fn = LuaFunction(b'\x1bLJ', None, 6)
    m = _lua('nn.Copy', updateOutput=fn, updateGradInput=fn)
    x = torch.DoubleTensor([3.0])
    assert m.forward(x).storage() is x.storage()


def test_save_load_keeps_inplace_and_settings():
    for m in (ReLU(True), LeakyReLU(0.3, True), ELU(0.2), SoftPlus(4), ReLU6(True),
              MulConstant(2.0, True)):
        f = io.BytesIO()
        torch.save(f, m)
        f.seek(0)
        back = torch.load(f)
        assert type(back) is type(m)
        for k in ('inplace', 'negval', 'alpha', 'beta', 'min_val', 'max_val', 'constant_scalar'):
            assert getattr(back, k, None) == getattr(m, k, None), (m, k)


# -- PyTorch parity --------------------------------------------------------------------------
PARITY = [
    ('log_softmax', lambda: LogSoftMax(), lambda F, x: F.log_softmax(x, dim=1)),
    ('softmax', lambda: SoftMax(), lambda F, x: F.softmax(x, dim=1)),
    ('relu', lambda: ReLU(), lambda F, x: F.relu(x)),
    ('tanh', lambda: Tanh(), lambda F, x: F.tanh(x)),
    ('sigmoid', lambda: Sigmoid(), lambda F, x: F.sigmoid(x)),
    ('elu', lambda: ELU(0.8), lambda F, x: F.elu(x, 0.8)),
    ('leaky_relu', lambda: LeakyReLU(0.05), lambda F, x: F.leaky_relu(x, 0.05)),
    ('softplus', lambda: SoftPlus(2), lambda F, x: F.softplus(x, beta=2, threshold=20)),
]


@pytest.mark.parametrize('name,make,ref', PARITY, ids=[p[0] for p in PARITY])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_pytorch_parity(name, make, ref, dtype):
    pt = pytest.importorskip('torch')
    F = pt.nn.functional
    x = (np.random.randn(16, 10) * 4).astype(dtype)
    x[0, :3] = [0.0, 12.0, -12.0]
    g = np.random.randn(16, 10).astype(dtype)
    cls = torch.types.class_for_dtype(np.dtype(dtype))
    m = make()
    out = m.forward(_t(x, cls)).numpy()
    gin = m.backward(_t(x, cls), _t(g, cls)).numpy()
    xt = pt.from_numpy(x.copy()).requires_grad_(True)
    yt = ref(F, xt)
    yt.backward(pt.from_numpy(g.copy()))
    tol = 1e-12 if dtype == np.float64 else 2e-6
    np.testing.assert_allclose(out, yt.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(gin, xt.grad.numpy(), rtol=tol * 10, atol=tol * 10)
