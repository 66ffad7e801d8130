"""What the catalogue cannot express for Add, CAdd, Mul, CMul, PReLU and LookupTable: forward
values against numpy, initial values, LookupTable's gradient accumulation (repeated indices,
padding, frequency scaling, max-norm, direct updates, shared tables, errors), Lua-written files,
the initialisers, and parity with PyTorch (skipped without it)."""
import io
import math

import numpy as np
import pytest

import nn
import nn.initialisers as init
import torchlike as torch
from kernels.cpu import lookup as K
from nn.activations import ReLU
from nn.parametrised import Add, CAdd, Mul, CMul, PReLU, LookupTable
from torchlike.serialization.lua_types import TorchObject


@pytest.fixture(autouse=True)
def _seeded():
    torch.manualSeed(11)
    np.random.seed(11)


def _t(a, cls=torch.DoubleTensor):
    return torch.fromNumpy(np.ascontiguousarray(a, dtype=cls._dtype))


# -- forward values ----------------------------------------------------------------------------
def test_elementwise_parameters_forward():
    x = np.random.randn(3, 4)
    m = Add(4)
    np.testing.assert_allclose(m.forward(_t(x)).numpy(), x + m.bias.numpy())
    m = Add(4, True)
    assert m.bias.nElement() == 1
    np.testing.assert_allclose(m.forward(_t(x)).numpy(), x + m.bias.numpy()[0])
    m = CMul(1, 4)
    np.testing.assert_allclose(m.forward(_t(x)).numpy(), x * m.weight.numpy())
    m = CAdd(3, 1)
    np.testing.assert_allclose(m.forward(_t(x)).numpy(), x + m.bias.numpy())
    m = CMul(12)                                   # same number of elements: element-wise
    np.testing.assert_allclose(m.forward(_t(x)).numpy(), x * m.weight.numpy().reshape(3, 4))
    m = Mul()
    np.testing.assert_allclose(m.forward(_t(x)).numpy(), x * m.weight.numpy()[0])


def test_prelu_forward_and_gradients():
    x = np.random.randn(2, 3, 4)
    m = PReLU(3)
    m.weight.copy(_t([0.1, 0.2, 0.3]))
    w = np.array([0.1, 0.2, 0.3])[None, :, None]
    np.testing.assert_allclose(m.forward(_t(x)).numpy(), np.where(x > 0, x, w * x))
    g = np.random.randn(2, 3, 4)
    m.zeroGradParameters()
    gin = m.backward(_t(x), _t(g), 0.5).numpy()
    np.testing.assert_allclose(gin, np.where(x > 0, g, w * g))
    np.testing.assert_allclose(m.gradWeight.numpy(),
                               0.5 * np.where(x > 0, 0, x * g).sum(axis=(0, 2)))
    shared = PReLU()
    assert shared.weight.totable() == [0.25]
    np.testing.assert_allclose(shared.forward(_t(x)).numpy(), np.where(x > 0, x, 0.25 * x))


def test_resets_follow_torch7():
    assert np.abs(CMul(100).weight.numpy()).max() <= 0.1
    assert np.abs(CAdd(4, 25).bias.numpy()).max() <= 0.1
    assert np.abs(Add(25).bias.numpy()).max() <= 0.2
    b = Add(400).reset(0.01).bias.numpy()
    assert np.abs(b).max() <= 0.01 * math.sqrt(3) and b.std() == pytest.approx(0.01, rel=0.15)
    w = LookupTable(200, 50).weight.numpy()
    assert w.mean() == pytest.approx(0, abs=0.02) and w.std() == pytest.approx(1, rel=0.03)
    torch.manualSeed(3)
    a = CMul(5).weight.clone()
    torch.manualSeed(3)
    assert CMul(5).weight.totable() == a.totable()     # drawn from torchlike's generator


def test_parameter_type_must_match_input():
    m = CMul(3).float()
    assert m.forward(torch.FloatTensor(2, 3).fill(1))._typename == 'torch.FloatTensor'
    with pytest.raises(TypeError, match='input is a torch.DoubleTensor but the module is '
                                        'torch.FloatTensor'):
        m.forward(torch.DoubleTensor(2, 3))


def test_bad_sizes():
    with pytest.raises(ValueError, match='positive integer sizes'):
        CMul(0)
    with pytest.raises(ValueError, match='does not match the weight of size 2 x 2'):
        CMul(2, 2).forward(torch.DoubleTensor(3, 3))


# -- LookupTable -------------------------------------------------------------------------------
def _reference_grad(n_index, idx, g, scale=1.0, padding=None, by_freq=False):
    """The embedding gradient written as a plain Python loop."""
    out = np.zeros((n_index, g.shape[-1]))
    flat_idx = idx.reshape(-1)
    flat_g = g.reshape(len(flat_idx), -1)
    counts = {k: list(flat_idx).count(k) for k in set(flat_idx.tolist())}
    for i, k in enumerate(flat_idx):
        if k == padding:
            continue
        s = scale / counts[k] if by_freq else scale
        out[k] += s * flat_g[i]
    return out


def test_lookup_forward_is_zero_based():
    m = LookupTable(6, 3)
    w = m.weight.numpy()
    out = m.forward(torch.LongTensor([0, 5, 5, 2]))
    np.testing.assert_array_equal(out.numpy(), w[[0, 5, 5, 2]])
    batch = m.forward(torch.LongTensor([[1, 2], [3, 0], [5, 5]]))
    assert tuple(batch.size()) == (3, 2, 3)
    np.testing.assert_array_equal(batch.numpy(), w[np.array([[1, 2], [3, 0], [5, 5]])])
    strided = torch.LongTensor([[0, 1], [2, 3]]).t()          # non-contiguous indices
    np.testing.assert_array_equal(m.forward(strided).numpy(), w[np.array([[0, 2], [1, 3]])])
    np.testing.assert_array_equal(m.forward(torch.DoubleTensor([1.7, 4.2])).numpy(), w[[1, 4]])


@pytest.mark.parametrize('typename', ['torch.DoubleTensor', 'torch.FloatTensor'])
@pytest.mark.parametrize('padding,by_freq', [(None, False), (2, False), (None, True), (4, True)])
def test_lookup_gradient_accumulation(typename, padding, by_freq):
    m = LookupTable(7, 5, padding).type(typename)
    if by_freq:
        assert m.scaleGradByFreq() is m
    idx = np.array([[2, 4, 2, 6], [2, 0, 4, 4]])
    g = np.random.randn(2, 4, 5)
    m.zeroGradParameters()
    m.forward(_t(idx, torch.LongTensor))
    gin = m.backward(_t(idx, torch.LongTensor), _t(g, m.weight.__class__), 0.5)
    assert gin.totable() == [[0] * 4] * 2                      # indices get zero gradient
    tol = 1e-12 if typename == 'torch.DoubleTensor' else 1e-5
    expected = _reference_grad(7, idx, g, 0.5, padding, by_freq)
    np.testing.assert_allclose(m.gradWeight.numpy(), expected, rtol=tol, atol=tol)
    if padding is not None:
        assert not m.gradWeight.numpy()[padding].any()
    # gradients accumulate across calls
    m.backward(_t(idx, torch.LongTensor), _t(g, m.weight.__class__), 0.5)
    np.testing.assert_allclose(m.gradWeight.numpy(), 2 * expected, rtol=tol, atol=tol)


def test_lookup_gradient_matches_finite_differences():
    m = LookupTable(5, 3)
    idx = torch.LongTensor([[1, 3, 1], [0, 1, 4]])
    err = nn.Jacobian.testJacobianParameters(m, idx.double(), m.weight, m.gradWeight, 0, 4.9)
    assert err < 1e-6
    err = nn.Jacobian.testJacobianUpdateParameters(m, idx.double(), m.weight, 0, 4.9)
    assert err < 1e-6


def test_lookup_acc_update_and_shared_tables():
    m = LookupTable(6, 4)
    idx = _t([1, 3, 1, 5], torch.LongTensor)
    g = np.random.randn(4, 4)
    before = m.weight.numpy().copy()
    m.forward(idx)
    m.backward(idx, _t(g))
    step = m.gradWeight.numpy().copy()
    m.accUpdateGradParameters(idx, _t(g), 0.1)
    np.testing.assert_allclose(m.weight.numpy(), before - 0.1 * step)
    np.testing.assert_allclose(m.gradWeight.numpy(), step)       # gradWeight untouched
    # a clone sharing weight and gradWeight: direct updates from both add up
    a = LookupTable(6, 4)
    start = a.weight.numpy().copy()
    b = a.clone('weight', 'gradWeight')
    for mod in (a, b):
        mod.forward(idx)
        mod.accUpdateGradParameters(idx, _t(g), 0.1)
    np.testing.assert_allclose(a.weight.numpy(), start - 0.2 * _reference_grad(6, idx.numpy(), g))
    errors = nn.Jacobian.testAllUpdate(LookupTable(6, 4), idx)
    assert max(errors.values()) < 1e-12
    only = LookupTable(6, 4).accUpdateOnly()
    assert only.gradWeight is None
    only.forward(idx)
    only.accUpdateGradParameters(idx, _t(g), 1.0)
    with pytest.raises(RuntimeError, match='accUpdateOnly'):
        only.accGradParameters(idx, _t(g))


def test_lookup_max_norm():
    m = LookupTable(6, 3, None, 1.0)
    m.weight.numpy()[:] = np.arange(18).reshape(6, 3)
    untouched = m.weight.numpy()[[0, 2, 4, 5]].copy()
    m.forward(torch.LongTensor([1, 3, 3]))
    norms = np.linalg.norm(m.weight.numpy(), axis=1)
    assert norms[1] == pytest.approx(1.0, abs=1e-6) and norms[3] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_array_equal(m.weight.numpy()[[0, 2, 4, 5]], untouched)
    l1 = LookupTable(3, 2).setMaxNorm(0.5).setNormType(1)
    l1.weight.numpy()[:] = [[3.0, -1.0], [0.1, 0.1], [1.0, 1.0]]
    l1.forward(torch.LongTensor([0, 1]))
    assert np.abs(l1.weight.numpy()[0]).sum() == pytest.approx(0.5, abs=1e-6)
    assert l1.weight.numpy()[1].tolist() == [0.1, 0.1] and l1.weight.numpy()[2].tolist() == [1, 1]


def test_lookup_errors_leave_the_module_unchanged():
    m = LookupTable(4, 2, None, 0.1)
    w = m.weight.numpy().copy()
    with pytest.raises(IndexError, match=r'index 9 is out of range for nIndex 4 '
                                         r'\(valid: 0 to 3\)'):
        m.forward(torch.LongTensor([0, 9]))
    np.testing.assert_array_equal(m.weight.numpy(), w)           # no renorm happened
    with pytest.raises(ValueError, match='vector or a matrix'):
        m.forward(torch.LongTensor(2, 2, 2))
    m.forward(torch.LongTensor([0, 1]))
    with pytest.raises(ValueError, match=r'gradOutput has size 3 x 2, expected 2 x 2'):
        m.backward(torch.LongTensor([0, 1]), torch.DoubleTensor(3, 2))
    with pytest.raises(IndexError, match='index 4 is out of range'):
        m.accGradParameters(torch.LongTensor([4]), torch.DoubleTensor(1, 2))
    assert not m.gradWeight.numpy().any()


def test_lookup_type_conversion_keeps_index_buffers():
    m = LookupTable(5, 3).scaleGradByFreq().float()
    assert m.weight._typename == 'torch.FloatTensor'
    assert m._count._typename == 'torch.IntTensor'
    idx = torch.LongTensor([1, 1, 2])
    m.forward(idx)
    m.backward(idx, torch.FloatTensor(3, 3).fill(1))
    np.testing.assert_allclose(m.gradWeight.numpy()[1], [1, 1, 1])
    assert m.type() == 'torch.FloatTensor'


def test_lookup_kernel_against_add_at():
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 50, 1000)
    g = rng.standard_normal((1000, 16))
    target = np.zeros((50, 16))
    count = np.zeros(50, np.int32)
    K.lookup_accumulate(idx, g, target, count, 0.25, -1, False)
    expected = np.zeros((50, 16))
    np.add.at(expected, idx, 0.25 * g)
    np.testing.assert_allclose(target, expected, rtol=1e-12, atol=1e-12)


def test_lookup_save_load_and_lua_files():
    m = LookupTable(5, 2, 3).scaleGradByFreq()
    f = io.BytesIO()
    torch.save(f, m)
    f.seek(0)
    back = torch.load(f)
    assert back.paddingValue == 3 and back.shouldScaleGradByFreq
    np.testing.assert_array_equal(back.weight.numpy(), m.weight.numpy())
    # a file written by Lua Torch7: 1-based paddingValue (0 = none), _count/_input buffers
    w = torch.DoubleTensor(5, 2).normal(0, 1)
    for lua_pad, expected in ((0, None), (2, 1)):
        obj = TorchObject('nn.LookupTable', 4, dict(
            weight=w, gradWeight=torch.DoubleTensor(5, 2).zero(), paddingValue=lua_pad,
            shouldScaleGradByFreq=False, _count=torch.IntTensor(), _input=torch.LongTensor(),
            output=torch.DoubleTensor(), gradInput=torch.DoubleTensor(), train=True,
            _type='torch.DoubleTensor'))
        lt = torch.deserialize(torch.serialize(obj))
        assert isinstance(lt, LookupTable) and lt.paddingValue == expected
        np.testing.assert_array_equal(lt.forward(torch.LongTensor([4, 0])).numpy(),
                                      w.numpy()[[4, 0]])
        lt.backward(torch.LongTensor([1, 1]), torch.DoubleTensor(2, 2).fill(1))
        assert lt.gradWeight.numpy()[1].tolist() == ([0, 0] if expected == 1 else [2, 2])


def test_lua_prelu_and_cmul_files():
    w = torch.DoubleTensor([0.5, 0.1])
    obj = TorchObject('nn.PReLU', 1, dict(weight=w, gradWeight=torch.DoubleTensor(2),
                                          nOutputPlane=2, output=torch.DoubleTensor(),
                                          gradInput=torch.DoubleTensor(), train=True))
    m = torch.deserialize(torch.serialize(obj))
    assert m.forward(_t([[-1.0, -1.0]])).totable() == [[-0.5, -0.1]]
    obj = TorchObject('nn.CMul', 1, dict(weight=torch.DoubleTensor([2.0, 3.0]),
                                         gradWeight=torch.DoubleTensor(2),
                                         size=torch.LongStorage([2]),
                                         output=torch.DoubleTensor(),
                                         gradInput=torch.DoubleTensor(), train=True))
    m = torch.deserialize(torch.serialize(obj))
    assert m.forward(_t([[1.0, 1.0]])).totable() == [[2.0, 3.0]]


# -- initialisers ------------------------------------------------------------------------------
def test_fans_and_gains():
    assert init.calculateFan(torch.DoubleTensor(20, 30)) == (30, 20)
    assert init.calculateFan(torch.DoubleTensor(16, 3, 5, 5)) == (75, 400)
    assert init.calculateFan(nn.Linear(7, 3)) == (7, 3)

    class FlatConv:                                  # SpatialConvolutionMM-style 2-D weight
        weight = torch.DoubleTensor(8, 3 * 3 * 3)
        kW = kH = 3
    assert init.calculateFan(FlatConv()) == (27, 72)
    assert init.calculateGain('relu') == pytest.approx(math.sqrt(2))
    assert init.calculateGain('tanh') == pytest.approx(5 / 3)
    assert init.calculateGain('leaky_relu', 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculateGain('sigmoid') == 1
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculateGain('swish')
    with pytest.raises(ValueError, match='at least 2 dimensions'):
        init.xavier_uniform(torch.DoubleTensor(5))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_normal(torch.DoubleTensor(5, 5), mode='fan')
    with pytest.raises(TypeError, match='a module with a weight'):
        init.xavier_normal(ReLU())


def test_initialiser_statistics():
    w = init.xavier_uniform(torch.DoubleTensor(200, 300), gain=2).numpy()
    bound = 2 * math.sqrt(6 / 500)
    assert np.abs(w).max() <= bound and w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    w = init.xavier_normal(torch.DoubleTensor(200, 300)).numpy()
    assert w.std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    w = init.kaiming_uniform(torch.DoubleTensor(100, 400), nonlinearity='relu').numpy()
    assert np.abs(w).max() <= math.sqrt(6 / 400)
    assert w.std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    w = init.kaiming_normal(torch.FloatTensor(64, 8, 3, 3), mode='fan_out').numpy()
    assert w.std() == pytest.approx(math.sqrt(2 / (1 + 0)) / math.sqrt(64 * 9), rel=0.03)


def test_initialise_a_whole_model_reproducibly():
    def build():
        return nn.Sequential().add(nn.Linear(10, 20)).add(ReLU()).add(nn.Linear(20, 4))

    torch.manualSeed(5)
    model = init.initialise(build(), init.kaiming_normal, nonlinearity='relu', bias=0)
    first, second = model.get(0), model.get(2)
    assert not first.bias.numpy().any() and not second.bias.numpy().any()
    assert first.weight.numpy().std() == pytest.approx(math.sqrt(2 / 10), rel=0.25)
    torch.manualSeed(5)
    again = init.initialise(build(), init.kaiming_normal, nonlinearity='relu', bias=0)
    np.testing.assert_array_equal(again.get(2).weight.numpy(), second.weight.numpy())
    only = build()
    keep = only.get(0).weight.clone()
    init.initialise(only, init.xavier_uniform, types='nn.Nothing')
    np.testing.assert_array_equal(only.get(0).weight.numpy(), keep.numpy())
    lin = nn.Linear(3, 2)
    assert init.xavier_uniform(lin) is lin


# -- PyTorch parity ----------------------------------------------------------------------------
@pytest.mark.parametrize('padding,by_freq,max_norm', [(None, False, None), (1, False, None),
                                                      (None, True, None), (None, False, 0.8)])
def test_lookup_matches_pytorch_embedding(padding, by_freq, max_norm):
    pt = pytest.importorskip('torch')
    m = LookupTable(8, 4, padding, max_norm)
    if by_freq:
        m.scaleGradByFreq()
    emb = pt.nn.Embedding(8, 4, padding_idx=padding, max_norm=max_norm,
                          scale_grad_by_freq=by_freq).double()
    with pt.no_grad():
        emb.weight.copy_(pt.from_numpy(m.weight.numpy().copy()))
    idx = np.array([[1, 3, 1, 7], [0, 1, 3, 3]])
    g = np.random.randn(2, 4, 4)
    out = m.forward(_t(idx, torch.LongTensor)).numpy()
    m.zeroGradParameters()
    m.backward(_t(idx, torch.LongTensor), _t(g))
    ref = emb(pt.from_numpy(idx))
    ref.backward(pt.from_numpy(g))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-6 if max_norm else 1e-15)
    np.testing.assert_allclose(m.weight.numpy(), emb.weight.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(m.gradWeight.numpy(), emb.weight.grad.numpy(), rtol=1e-12,
                               atol=1e-12)
