"""Convolutions beyond the catalogue: an independent numpy reference over random geometries,
PyTorch parity (skipped without PyTorch), initialisation, buffer reuse, gradInput = None,
accumulation and scale, errors, Lua-written files, and the im2col kernels themselves."""
import io
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nn
import torchlike as torch
from kernels.cpu import im2col as K
from nn.convolution import SpatialConvolution, SpatialConvolutionMM
from nn.full_convolution import SpatialFullConvolution
from nn.temporal import TemporalConvolution
from nn.volumetric import VolumetricConvolution
from torchlike.serialization.lua_types import TorchObject


@pytest.fixture(autouse=True)
def _seeded():
    torch.manualSeed(7)


def T(a):
    return torch.fromNumpy(np.ascontiguousarray(a))


def rand(*shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def ref_conv2d(x, w, b, dH, dW, pH, pW):
    """Direct convolution (cross-correlation, as Torch7), N x C x H x W."""
    N, C, H, W = x.shape
    M, _, kH, kW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pH, pH), (pW, pW)))
    oH, oW = (H + 2 * pH - kH) // dH + 1, (W + 2 * pW - kW) // dW + 1
    out = np.zeros((N, M, oH, oW))
    for i in range(kH):
        for j in range(kW):
            patch = xp[:, :, i:i + dH * (oH - 1) + 1:dH, j:j + dW * (oW - 1) + 1:dW]
            out += np.einsum('nchw,mc->nmhw', patch, w[:, :, i, j])
    if b is not None:
        out += b[:, None, None]
    return out


# -- forward against the numpy reference, over random geometries -----------------------------
@settings(max_examples=40, deadline=None)
@given(N=st.integers(1, 3), C=st.integers(1, 3), M=st.integers(1, 3), kH=st.integers(1, 3),
       kW=st.integers(1, 3), dH=st.integers(1, 3), dW=st.integers(1, 3), pH=st.integers(0, 2),
       pW=st.integers(0, 2), extraH=st.integers(0, 4), extraW=st.integers(0, 4),
       batch=st.booleans(), bias=st.booleans())
def test_spatial_convolution_matches_direct_convolution(N, C, M, kH, kW, dH, dW, pH, pW, extraH,
                                                        extraW, batch, bias):
    H, W = max(kH - 2 * pH, 1) + extraH, max(kW - 2 * pW, 1) + extraW
    m = SpatialConvolution(C, M, kW, kH, dW, dH, pW, pH)
    if not bias:
        m.noBias()
    x = rand(N, C, H, W)
    expected = ref_conv2d(x, m.weight.numpy(), m.bias.numpy() if bias else None, dH, dW, pH, pW)
    if batch:
        got = m.forward(T(x)).numpy()
    else:
        expected = expected[0]
        got = m.forward(T(x[0])).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    # the adjoint: <conv(x), g> = <x, conv^T(g)> gives gradInput without another reference
    g = rand(*got.shape, seed=1)
    gin = m.updateGradInput(T(x) if batch else T(x[0]), T(g)).numpy()
    linear_part = got - (m.bias.numpy()[:, None, None] if bias else 0)
    lhs = (linear_part * g).sum()
    rhs = ((x if batch else x[0]) * gin).sum()
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-9)


def test_spatial_convolution_mm_equals_spatial_convolution():
    torch.manualSeed(3)
    a = SpatialConvolution(3, 4, 3, 2, 2, 1, 1, 0)
    torch.manualSeed(3)
    b = SpatialConvolutionMM(3, 4, 3, 2, 2, 1, 1, 0)
    assert b.weight.size() == (4, 3 * 2 * 3)
    np.testing.assert_array_equal(a.weight.numpy().reshape(4, -1), b.weight.numpy())
    x, g = T(rand(2, 3, 5, 6)), T(rand(2, 4, 4, 3, seed=2))
    np.testing.assert_array_equal(a.forward(x).numpy(), b.forward(x).numpy())
    np.testing.assert_array_equal(a.backward(x, g).numpy(), b.backward(x, g).numpy())
    np.testing.assert_array_equal(a.gradWeight.numpy().reshape(4, -1), b.gradWeight.numpy())


# -- initialisation --------------------------------------------------------------------------
@pytest.mark.parametrize('make,fan_in', [
    (lambda: SpatialConvolution(3, 8, 5, 4), 3 * 5 * 4),
    (lambda: SpatialFullConvolution(6, 2, 3, 3), 6 * 3 * 3),
    (lambda: TemporalConvolution(7, 5, 3), 7 * 3),
    (lambda: VolumetricConvolution(2, 4, 2, 3, 3), 2 * 2 * 3 * 3)])
def test_reset_draws_uniform_within_one_over_sqrt_fan_in(make, fan_in):
    m = make()
    bound = 1 / math.sqrt(fan_in)
    assert np.abs(m.bias.numpy()).max() <= bound
    w = m.weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.5 * bound
    m.reset(0.1)
    assert np.abs(m.weight.numpy()).max() <= 0.1 * math.sqrt(3)
    assert np.abs(m.weight.numpy()).max() > 0.1


def test_seed_reproduces_the_weights():
    torch.manualSeed(11)
    a = SpatialConvolution(2, 3, 3, 3)
    torch.manualSeed(11)
    b = SpatialConvolution(2, 3, 3, 3)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    np.testing.assert_array_equal(a.bias.numpy(), b.bias.numpy())


# -- buffers, accumulation, gradInput = None ----------------------------------------------------
@pytest.mark.parametrize('C,k,stacked', [(2, 3, True), (6, 3, False)])
def test_buffers_are_reused_not_reallocated(C, k, stacked):
    m = SpatialConvolution(C, 3, k, k).float()
    x, g = T(rand(4, C, 8, 8, dtype=np.float32)), T(rand(4, 3, 6, 6, dtype=np.float32))
    out = m.forward(x)
    m.backward(x, g)
    assert m._geometry(x).stacked == stacked
    names = ['output', 'gradInput', 'finput', 'fgradInput', '_gradWeightBuf']
    if not stacked:
        names.append('_colOutput')
    ptrs = {k: m.__dict__[k].numpy().ctypes.data for k in names}
    for _ in range(2):
        assert m.forward(x) is out
        m.backward(x, g)
    assert {k: m.__dict__[k].numpy().ctypes.data for k in names} == ptrs
    # a smaller batch fits in the same memory
    m.forward(T(rand(2, C, 8, 8, dtype=np.float32)))
    assert m.finput.numpy().ctypes.data == ptrs['finput']


@pytest.mark.parametrize('C,H,k', [(1, 12, 5), (3, 12, 5), (8, 7, 3), (20, 12, 5)])
def test_both_unfold_layouts_give_the_same_results(C, H, k):
    """Batches use one GEMM per sample when P >= K, else one GEMM for the batch; a batch of one
    sample uses neither: all three must agree."""
    m = SpatialConvolution(C, 4, k, k, 1, 1, 1)
    x, g = rand(3, C, H, H), rand(3, 4, H - k + 3, H - k + 3, seed=1)
    m.zeroGradParameters()
    out = m.forward(T(x)).numpy().copy()
    gin = m.backward(T(x), T(g)).numpy().copy()
    gw, gb = m.gradWeight.numpy().copy(), m.gradBias.numpy().copy()
    m.zeroGradParameters()
    for n in range(3):
        np.testing.assert_allclose(m.forward(T(x[n:n + 1])).numpy()[0], out[n], rtol=1e-10,
                                   atol=1e-12)
        np.testing.assert_allclose(m.backward(T(x[n:n + 1]), T(g[n:n + 1])).numpy()[0], gin[n],
                                   rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.gradWeight.numpy(), gw, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.gradBias.numpy(), gb, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize('C,H', [(1, 12), (20, 12)])           # stacked, batch layout
def test_work_split_in_halves_gives_identical_results(C, H):
    from nn.convolution import split
    from nn.pooling import SpatialMaxPooling
    results = []
    x = T(rand(6, C, H, H, dtype=np.float32))
    try:
        for mode in ('whole', 'halves'):
            split.force = mode
            torch.manualSeed(5)
            net = nn.Sequential().add(SpatialConvolution(C, 8, 5, 5)).add(SpatialMaxPooling(2, 2))
            net.float()
            out = net.forward(x)
            net.zeroGradParameters()
            gin = net.backward(x, T(rand(*out.size(), dtype=np.float32, seed=1)))
            results.append([out.numpy().copy(), gin.numpy().copy(),
                            net.get(0).gradWeight.numpy().copy()])
    finally:
        split.force = None
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_split_propagates_errors_and_covers_every_index():
    from nn.convolution import SampleSplitter
    sp = SampleSplitter()
    sp.enabled, sp.force = True, 'halves'
    seen = np.zeros(10, int)

    def mark(lo, hi):
        seen[lo:hi] += 1
    sp(mark, 10, 1 << 20)
    assert (seen == 1).all()

    def fail(lo, hi):
        if lo > 0:
            raise ValueError('second half failed')
    with pytest.raises(ValueError, match='second half failed'):
        sp(fail, 10, 1 << 20)
    sp.force = None
    for _ in range(40):                  # the adaptive choice: both modes, same coverage
        seen[:] = 0
        sp(mark, 10, 1 << 20)
        assert (seen == 1).all()


def test_gradients_accumulate_with_scale():
    m = SpatialConvolution(2, 3, 2, 2, 1, 1, 1)
    x, g = T(rand(2, 2, 4, 4)), T(rand(2, 3, 5, 5, seed=1))
    m.zeroGradParameters()
    m.forward(x)
    m.backward(x, g)
    gw, gb = m.gradWeight.numpy().copy(), m.gradBias.numpy().copy()
    m.accGradParameters(x, g, 0.5)
    np.testing.assert_allclose(m.gradWeight.numpy(), 1.5 * gw, rtol=1e-12)
    np.testing.assert_allclose(m.gradBias.numpy(), 1.5 * gb, rtol=1e-12)
    # backward = updateGradInput + accGradParameters, computed separately
    m2 = m.clone()
    m2.zeroGradParameters()
    m2.forward(x)
    gin = m2.updateGradInput(x, g).numpy().copy()
    m2.accGradParameters(x, g, 1)
    m.zeroGradParameters()
    np.testing.assert_allclose(m.backward(x, g).numpy(), gin, rtol=1e-12)
    np.testing.assert_allclose(m.gradWeight.numpy(), m2.gradWeight.numpy(), rtol=1e-12)


def test_gradInput_none_skips_the_input_gradient():
    seq = nn.Sequential().add(SpatialConvolution(1, 2, 3, 3)).add(SpatialConvolution(2, 2, 2, 2))
    seq.get(0).gradInput = None
    x = T(rand(2, 1, 6, 6))
    out = seq.forward(x)
    ref = seq.get(0).clone()
    ref.gradInput = torch.Tensor()
    seq.zeroGradParameters()
    assert seq.backward(x, T(np.ones(tuple(out.size())))) is None
    assert seq.get(0).gradWeight.numpy().any()
    g1 = seq.get(1).gradInput
    ref.zeroGradParameters()
    ref.forward(x)
    ref.backward(x, g1)
    np.testing.assert_allclose(seq.get(0).gradWeight.numpy(), ref.gradWeight.numpy())


def test_gradInput_none_survives_save_and_load():
    m = SpatialConvolution(1, 2, 2, 2)
    m.gradInput = None
    loaded = torch.deserialize(torch.serialize(m))
    x = T(rand(1, 3, 3))
    loaded.forward(x)
    assert loaded.backward(x, T(rand(2, 2, 2))) is None


def test_non_contiguous_input():
    m = SpatialConvolution(2, 2, 2, 2)
    x = rand(2, 5, 4, 2).transpose(0, 3, 1, 2)           # N x C x H x W, not contiguous
    tx = torch.fromNumpy(x)
    assert not tx.isContiguous()
    np.testing.assert_allclose(m.forward(tx).numpy(),
                               ref_conv2d(x, m.weight.numpy(), m.bias.numpy(), 1, 1, 0, 0),
                               rtol=1e-12)


def test_float_conversion_and_buffers():
    m = SpatialConvolution(2, 3, 3, 3)
    x = rand(2, 2, 5, 5)
    m.forward(T(x))
    expected = m.output.numpy().copy()
    m.float()
    assert m.weight._typename == 'torch.FloatTensor' and m.finput.nElement() == 0
    out = m.forward(T(x.astype(np.float32)))
    assert out._typename == 'torch.FloatTensor'
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-5)


# -- errors ----------------------------------------------------------------------------------
def test_bad_gradOutput_is_reported_before_anything_changes():
    m = SpatialConvolution(2, 3, 3, 3)
    x = T(rand(2, 2, 5, 5))
    m.forward(x)
    m.zeroGradParameters()
    with pytest.raises(ValueError, match=r'gradOutput has size 2 x 3 x 4 x 3, expected '
                                         r'2 x 3 x 3 x 3'):
        m.backward(x, T(rand(2, 3, 4, 3)))
    assert not m.gradWeight.numpy().any() and not m.gradBias.numpy().any()


def test_accGradParameters_needs_a_forward():
    m = SpatialConvolution(2, 3, 3, 3)
    x = T(rand(2, 2, 5, 5))
    with pytest.raises(RuntimeError, match='call forward first'):
        m.accGradParameters(x, T(rand(2, 3, 3, 3)))


@pytest.mark.parametrize('make,pattern', [
    (lambda: SpatialConvolution(0, 3, 3, 3), r'nInputPlane must be a positive integer'),
    (lambda: SpatialConvolution(2, 3, 3, 3, 0), r'dW must be a positive integer, got 0'),
    (lambda: SpatialConvolution(2, 3, 3, 3, 1, 1, -1), r'padW must be a non-negative'),
    (lambda: SpatialFullConvolution(2, 3, 3, 3, 2, 2, 0, 0, 2, 0),
     r'adjW and adjH must be smaller than dW and dH'),
    (lambda: TemporalConvolution(2, 3, 0), r'kW must be a positive integer'),
    (lambda: VolumetricConvolution(2, 3, 2, 2, 2, 1, 1, 1, -1), r'padT must be a non-neg')])
def test_constructor_errors(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_type_mismatch_of_gradOutput():
    m = SpatialConvolution(1, 1, 2, 2)
    x = T(rand(1, 3, 3))
    m.forward(x)
    with pytest.raises(TypeError, match='FloatTensor'):
        m.backward(x, T(rand(1, 2, 2, dtype=np.float32)))


# -- files -----------------------------------------------------------------------------------
def lua_module(name, **fields):
    base = {'output': torch.DoubleTensor(), 'gradInput': torch.DoubleTensor(), 'train': True,
            '_type': 'torch.DoubleTensor'}
    base.update(fields)
    return torch.deserialize(torch.serialize(TorchObject(name, 1, base)))


def test_lua_written_spatial_convolution_mm_loads_and_runs():
    w = rand(4, 2 * 3 * 3)
    b = rand(4, seed=1)
    m = lua_module('nn.SpatialConvolutionMM', nInputPlane=2, nOutputPlane=4, kW=3, kH=3,
                   dW=1, dH=1, padW=1, padH=1, weight=T(w), bias=T(b),
                   gradWeight=T(np.zeros_like(w)), gradBias=T(np.zeros(4)),
                   finput=torch.DoubleTensor(), fgradInput=torch.DoubleTensor())
    assert isinstance(m, SpatialConvolutionMM)
    x = rand(2, 2, 5, 5, seed=2)
    np.testing.assert_allclose(m.forward(T(x)).numpy(),
                               ref_conv2d(x, w.reshape(4, 2, 3, 3), b, 1, 1, 1, 1), rtol=1e-12)
    m.backward(T(x), T(np.ones((2, 4, 5, 5))))
    assert str(m) == 'nn.SpatialConvolutionMM(2 -> 4, 3x3, 1,1, 1,1)'


def test_old_lua_spatial_convolution_with_padding_field_and_2d_weight():
    w = rand(3, 2 * 2 * 2)
    m = lua_module('nn.SpatialConvolution', nInputPlane=2, nOutputPlane=3, kW=2, kH=2, dW=1,
                   dH=1, padding=1, weight=T(w), bias=T(np.zeros(3)),
                   gradWeight=T(np.zeros_like(w)), gradBias=T(np.zeros(3)))
    assert (m.padW, m.padH) == (1, 1) and 'padding' not in m.__dict__
    assert m.weight.size() == (3, 2, 2, 2)
    x = rand(2, 3, 3)
    np.testing.assert_allclose(m.forward(T(x)).numpy(),
                               ref_conv2d(x[None], w.reshape(3, 2, 2, 2), None, 1, 1, 1, 1)[0],
                               rtol=1e-12)


def test_saved_file_has_torch7_fields():
    m = SpatialConvolution(2, 3, 3, 3, 1, 1, 1)
    x = T(rand(2, 2, 4, 4))
    m.forward(x)
    m.backward(x, T(rand(2, 3, 4, 4)))
    stream = io.BytesIO()
    torch.save(stream, m)
    stream.seek(0)
    obj = torch.load(stream)
    fields = obj.__dict__
    for name in ('nInputPlane', 'nOutputPlane', 'kW', 'kH', 'dW', 'dH', 'padW', 'padH',
                 'weight', 'bias', 'gradWeight', 'gradBias', 'finput', 'fgradInput'):
        assert name in fields
    assert not any(k.startswith('_') and k != '_type' for k in fields)
    assert obj.finput.nElement() == 0       # caches are written empty
    np.testing.assert_array_equal(obj.forward(x).numpy(), m.forward(x).numpy())


# -- the kernels -------------------------------------------------------------------------------
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_im2col_matches_strided_slices_and_col2im_is_its_adjoint(dtype):
    N, C, T_, H, W = 2, 3, 3, 5, 6
    (kT, kH, kW), (dT, dH, dW), (pT, pH, pW) = (2, 3, 2), (1, 2, 2), (1, 1, 0)
    oT, oH, oW = ((s + 2 * p - k) // d + 1 for s, k, d, p in
                  zip((T_, H, W), (kT, kH, kW), (dT, dH, dW), (pT, pH, pW)))
    x = rand(N, C, T_, H, W, dtype=dtype)
    xp = np.pad(x, ((0, 0), (0, 0), (pT, pT), (pH, pH), (pW, pW)))
    expected = np.empty((C, kT, kH, kW, N, oT, oH, oW), dtype)
    for a in range(kT):
        for b in range(kH):
            for c in range(kW):
                expected[:, a, b, c] = xp[:, :, a:a + dT * (oT - 1) + 1:dT,
                                          b:b + dH * (oH - 1) + 1:dH,
                                          c:c + dW * (oW - 1) + 1:dW].transpose(1, 0, 2, 3, 4)
    R, P = C * kT * kH * kW, oT * oH * oW
    args = (N, C, T_, H, W, kT, kH, kW, dT, dH, dW, pT, pH, pW, oT, oH, oW)
    y = rand(expected.size, dtype=dtype, seed=3)
    for strides, layout in (((N * P, P), expected.reshape(R, N * P)),
                            ((P, R * P), expected.reshape(R, N, P).transpose(1, 0, 2))):
        cols = np.full(expected.size, 7, dtype)
        K.im2col(x.reshape(-1), cols, *args, *strides)
        np.testing.assert_array_equal(cols, layout.reshape(-1))
        g = np.full(x.size, 5, dtype)                        # col2im overwrites
        K.col2im(y, g, *args, *strides)
        assert float((cols.astype(np.float64) * y).sum()) == pytest.approx(
            float((x.reshape(-1).astype(np.float64) * g).sum()), rel=1e-4)


# -- PyTorch parity (skipped without PyTorch) -------------------------------------------------
@pytest.fixture
def pt():
    return pytest.importorskip('torch')


def _parity(pt, module, x, torch_fn, weight_to_torch=lambda w: w, grad_from_torch=None,
            dtype=np.float64, tol=1e-10):
    """Forward, gradInput, gradWeight, gradBias of `module` against torch_fn(x, w, b)."""
    if dtype == np.float32:
        module.float()
    x = x.astype(dtype)
    w = weight_to_torch(module.weight.numpy())
    has_bias = module.__dict__.get('bias') is not None
    xt = pt.tensor(x, requires_grad=True)
    wt = pt.tensor(np.ascontiguousarray(w), requires_grad=True)
    bt = pt.tensor(module.bias.numpy(), requires_grad=True) if has_bias else None
    ref = torch_fn(xt, wt, bt)
    out = module.forward(T(x)).numpy()
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=tol, atol=tol)
    go = rand(*out.shape, dtype=dtype, seed=5)
    module.zeroGradParameters()
    gin = module.backward(T(x), T(go)).numpy()
    ref.backward(pt.tensor(go))
    np.testing.assert_allclose(gin, xt.grad.numpy(), rtol=tol, atol=tol)
    gw = wt.grad.numpy()
    if grad_from_torch is not None:
        gw = grad_from_torch(gw)
    np.testing.assert_allclose(module.gradWeight.numpy().reshape(gw.shape), gw, rtol=tol,
                               atol=tol)
    if has_bias:
        np.testing.assert_allclose(module.gradBias.numpy(), bt.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize('dtype,tol', [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize('cfg', [
    dict(C=3, M=4, k=(3, 3), d=(1, 1), p=(0, 0), batch=True, bias=True),
    dict(C=2, M=5, k=(3, 2), d=(2, 1), p=(1, 0), batch=True, bias=True),
    dict(C=3, M=2, k=(2, 3), d=(1, 2), p=(1, 1), batch=False, bias=True),
    dict(C=1, M=3, k=(5, 5), d=(1, 1), p=(2, 2), batch=True, bias=False),
    dict(C=4, M=2, k=(1, 1), d=(3, 2), p=(0, 0), batch=False, bias=False)])
def test_spatial_convolution_matches_pytorch(pt, cfg, dtype, tol):
    (kH, kW), (dH, dW), (pH, pW) = cfg['k'], cfg['d'], cfg['p']
    m = SpatialConvolution(cfg['C'], cfg['M'], kW, kH, dW, dH, pW, pH)
    if not cfg['bias']:
        m.noBias()
    x = rand(3, cfg['C'], 9, 8) if cfg['batch'] else rand(cfg['C'], 9, 8)

    def fn(xt, wt, bt):
        y = pt.nn.functional.conv2d(xt if cfg['batch'] else xt[None], wt, bt, (dH, dW),
                                    (pH, pW))
        return y if cfg['batch'] else y[0]
    _parity(pt, m, x, fn, dtype=dtype, tol=tol)


def test_spatial_convolution_mm_matches_pytorch(pt):
    m = SpatialConvolutionMM(3, 4, 3, 2, 1, 2, 1, 0)
    _parity(pt, m, rand(2, 3, 6, 7),
            lambda xt, wt, bt: pt.nn.functional.conv2d(xt, wt, bt, (2, 1), (0, 1)),
            weight_to_torch=lambda w: w.reshape(4, 3, 2, 3))


@pytest.mark.parametrize('cfg', [
    dict(k=(3, 3), d=(2, 2), p=(1, 1), a=(1, 1), batch=True, bias=True),
    dict(k=(2, 3), d=(1, 2), p=(0, 1), a=(0, 1), batch=False, bias=True),
    dict(k=(4, 4), d=(3, 3), p=(2, 0), a=(2, 0), batch=True, bias=False)])
def test_spatial_full_convolution_matches_pytorch(pt, cfg):
    (kH, kW), (dH, dW), (pH, pW), (aH, aW) = cfg['k'], cfg['d'], cfg['p'], cfg['a']
    m = SpatialFullConvolution(3, 2, kW, kH, dW, dH, pW, pH, aW, aH)
    if not cfg['bias']:
        m.noBias()
    x = rand(2, 3, 4, 5) if cfg['batch'] else rand(3, 4, 5)

    def fn(xt, wt, bt):
        y = pt.nn.functional.conv_transpose2d(xt if cfg['batch'] else xt[None], wt, bt,
                                              (dH, dW), (pH, pW), (aH, aW))
        return y if cfg['batch'] else y[0]
    _parity(pt, m, x, fn)


@pytest.mark.parametrize('batch', [True, False])
@pytest.mark.parametrize('kW,dW', [(3, 1), (2, 2), (3, 2)])
def test_temporal_convolution_matches_pytorch(pt, batch, kW, dW):
    F, O = 4, 3
    m = TemporalConvolution(F, O, kW, dW)
    x = rand(2, 9, F) if batch else rand(9, F)

    def fn(xt, wt, bt):
        seq = (xt if batch else xt[None]).transpose(1, 2)
        y = pt.nn.functional.conv1d(seq, wt, bt, dW).transpose(1, 2)
        return y if batch else y[0]
    # torchlike's weight is O x (kW*F), frame-major; PyTorch's O x F x kW
    _parity(pt, m, x, fn, weight_to_torch=lambda w: w.reshape(O, kW, F).transpose(0, 2, 1),
            grad_from_torch=lambda g: g.transpose(0, 2, 1).reshape(O, kW * F))


@pytest.mark.parametrize('cfg', [
    dict(k=(2, 3, 2), d=(1, 2, 1), p=(1, 0, 1), batch=True),
    dict(k=(3, 2, 2), d=(2, 1, 2), p=(0, 1, 1), batch=False)])
def test_volumetric_convolution_matches_pytorch(pt, cfg):
    (kT, kH, kW), (dT, dH, dW), (pT, pH, pW) = cfg['k'], cfg['d'], cfg['p']
    m = VolumetricConvolution(2, 3, kT, kW, kH, dT, dW, dH, pT, pW, pH)
    x = rand(2, 2, 5, 6, 4) if cfg['batch'] else rand(2, 5, 6, 4)

    def fn(xt, wt, bt):
        y = pt.nn.functional.conv3d(xt if cfg['batch'] else xt[None], wt, bt, (dT, dH, dW),
                                    (pT, pH, pW))
        return y if cfg['batch'] else y[0]
    _parity(pt, m, x, fn)


# -- the family's documentation -------------------------------------------------------------------
def test_doc_blocks_run(capsys):
    """The Python blocks of docs/nn_convolution.md run as written (until nn/__init__.py exports
    these names, a stand-in `nn` adds them)."""
    import pathlib
    import re
    import types
    from nn import convolution, full_convolution, padding, pooling, temporal, volumetric
    doc = pathlib.Path(__file__).resolve().parents[2] / 'docs' / 'nn_convolution.md'
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(), re.S)
    assert len(blocks) == 2
    names = dict(vars(nn))
    for mod in (convolution, full_convolution, pooling, padding, temporal, volumetric):
        names.update({k: v for k, v in vars(mod).items() if not k.startswith('_')})
    for code in blocks:
        scope = {'nn': types.SimpleNamespace(**names)}
        exec(compile(code.replace('import nn\n', ''), str(doc), 'exec'), scope)
    out = capsys.readouterr().out.split('\n')
    assert out[:3] == ['torch.Size([64, 50, 12, 12])',
                       'nn.SpatialConvolution(1 -> 20, 5x5) nn.SpatialMaxPooling(2x2, 2,2) '
                       'nn.SpatialConvolution(20 -> 50, 5x5, 1,1, 2,2)', '0']
    assert out[3:8] == ['torch.Size([1, 2, 2])', 'torch.Size([1, 3, 3])',
                        'torch.Size([1, 3, 3])', 'torch.Size([1, 3, 2])', '']


def test_get_parameters_sees_the_convolution_gradients():
    seq = nn.Sequential().add(SpatialConvolutionMM(1, 2, 3, 3)).add(SpatialConvolution(2, 2, 2,
                                                                                        2))
    params, grads = seq.getParameters()
    x = T(rand(2, 1, 6, 6))
    out = seq.forward(x)
    seq.zeroGradParameters()
    seq.backward(x, T(np.ones(tuple(out.size()))))
    pieces = [m.__dict__[n].numpy().ravel() for m in seq.modules
              for n in ('gradWeight', 'gradBias')]
    np.testing.assert_array_equal(grads.numpy(), np.concatenate(pieces))
    w0 = seq.get(1).weight.numpy().copy()
    params.add(-0.1, grads)
    np.testing.assert_allclose(seq.get(1).weight.numpy(),
                               w0 - 0.1 * seq.get(1).gradWeight.numpy(), rtol=1e-12)
