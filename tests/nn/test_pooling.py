"""Pooling, padding and upsampling beyond the catalogue: a loop reference over random
geometries (padding, ceil mode, count_include_pad), indices, NaN, errors, Lua-written files,
PyTorch parity (skipped without PyTorch)."""
import io

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import torchlike as torch
from nn.padding import (SpatialReflectionPadding, SpatialReplicationPadding,
                        SpatialUpSamplingNearest, SpatialZeroPadding)
from nn.pooling import (SpatialAdaptiveAveragePooling, SpatialAdaptiveMaxPooling,
                        SpatialAveragePooling, SpatialMaxPooling, pool_out_size)
from nn.temporal import TemporalMaxPooling
from nn.volumetric import VolumetricAveragePooling, VolumetricMaxPooling
from torchlike.serialization.lua_types import TorchObject


def T(a):
    return torch.fromNumpy(np.ascontiguousarray(a))


def rand(*shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def ref_pool2d(x, kH, kW, dH, dW, pH, pW, ceil_mode, op, include_pad=True):
    """Output, and for max the 0-based flat indices, by looping over output positions."""
    N, C, H, W = x.shape
    oH = pool_out_size(H, kH, dH, pH, ceil_mode)
    oW = pool_out_size(W, kW, dW, pW, ceil_mode)
    out = np.zeros((N, C, oH, oW))
    ind = np.zeros((N, C, oH, oW), np.int64)
    for i in range(oH):
        for j in range(oW):
            h0, w0 = i * dH - pH, j * dW - pW
            h1, w1 = min(h0 + kH, H + pH), min(w0 + kW, W + pW)
            full = (h1 - h0) * (w1 - w0)
            hs, ws, he, we = max(h0, 0), max(w0, 0), min(h1, H), min(w1, W)
            win = x[:, :, hs:he, ws:we].reshape(N, C, -1)
            if op == 'max':
                a = win.argmax(axis=2)
                out[:, :, i, j] = win.max(axis=2)
                ind[:, :, i, j] = (hs + a // (we - ws)) * W + ws + a % (we - ws)
            else:
                out[:, :, i, j] = win.sum(axis=2) / (full if include_pad else win.shape[2])
    return out, ind


@settings(max_examples=60, deadline=None)
@given(k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
       d=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       pfrac=st.tuples(st.integers(0, 2), st.integers(0, 2)),
       extra=st.tuples(st.integers(0, 5), st.integers(0, 5)), ceil_mode=st.booleans(),
       include_pad=st.booleans(), batch=st.booleans())
def test_pooling_matches_loop_reference(k, d, pfrac, extra, ceil_mode, include_pad, batch):
    (kH, kW), (dH, dW) = k, d
    pH, pW = min(pfrac[0], kH // 2), min(pfrac[1], kW // 2)
    H, W = kH + extra[0], kW + extra[1]
    x = rand(2, 3, H, W)
    xin = T(x) if batch else T(x[0])
    sel = (lambda a: a) if batch else (lambda a: a[0])
    mp = SpatialMaxPooling(kW, kH, dW, dH, pW, pH)
    ap = SpatialAveragePooling(kW, kH, dW, dH, pW, pH)
    if ceil_mode:
        mp.ceil()
        ap.ceil()
    if not include_pad:
        ap.setCountExcludePad()
    out, ind = ref_pool2d(x, kH, kW, dH, dW, pH, pW, ceil_mode, 'max')
    np.testing.assert_array_equal(mp.forward(xin).numpy(), sel(out))
    np.testing.assert_array_equal(mp.indices.numpy(), sel(ind))
    # max backward: gradOutput lands on the argmax (accumulating where windows overlap)
    g = rand(*out.shape, seed=1)
    expected = np.zeros_like(x).reshape(2, 3, -1)
    for n in range(2):
        for c in range(3):
            np.add.at(expected[n, c], ind[n, c].ravel(), g[n, c].ravel())
    np.testing.assert_allclose(mp.backward(xin, T(sel(g))).numpy(),
                               sel(expected.reshape(x.shape)), rtol=1e-12)
    avg, _ = ref_pool2d(x, kH, kW, dH, dW, pH, pW, ceil_mode, 'avg', include_pad)
    got = ap.forward(xin).numpy()
    np.testing.assert_allclose(got, sel(avg), rtol=1e-12)
    # average pooling is linear: its backward is its adjoint
    gin = ap.backward(xin, T(sel(g))).numpy()
    assert (got * sel(g)).sum() == pytest.approx((sel(x) * gin).sum(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize('H,k,d,pad,ceil_mode,expected', [
    (5, 2, 2, 0, False, 2), (5, 2, 2, 0, True, 3), (5, 2, 2, 1, True, 3),
    (6, 3, 2, 1, False, 3), (6, 3, 2, 1, True, 4), (4, 1, 2, 0, True, 2),
    (7, 3, 3, 0, True, 3), (2, 2, 1, 0, True, 1)])
def test_output_sizes(H, k, d, pad, ceil_mode, expected):
    assert pool_out_size(H, k, d, pad, ceil_mode) == expected
    m = SpatialMaxPooling(k, k, d, d, pad, pad)
    if ceil_mode:
        m.ceil()
    assert m.forward(T(rand(1, H, H))).size() == (1, expected, expected)


def test_indices_are_0_based_long_and_survive_type_conversion():
    x = np.array([[[1., 5., 2., 0.], [3., 4., 8., 9.]]])           # 1 x 2 x 4
    m = SpatialMaxPooling(2, 2)
    m.forward(T(x))
    assert m.indices._typename == 'torch.LongTensor'
    np.testing.assert_array_equal(m.indices.numpy(), [[[1, 7]]])
    m.float()
    m.forward(T(x.astype(np.float32)))
    assert m.indices._typename == 'torch.LongTensor'
    np.testing.assert_array_equal(m.indices.numpy(), [[[1, 7]]])


def test_max_pooling_propagates_nan():
    x = np.array([[[1., np.nan, 2., 0.], [3., 4., 8., 9.]]])
    out = SpatialMaxPooling(2, 2).forward(T(x)).numpy()
    assert np.isnan(out[0, 0, 0]) and out[0, 0, 1] == 9


def test_first_maximum_wins_ties():
    m = SpatialMaxPooling(2, 2)
    m.forward(T(np.ones((1, 2, 2))))
    assert m.indices.numpy().item() == 0


@pytest.mark.parametrize('make,pattern', [
    (lambda: SpatialMaxPooling(2, 2, 2, 2, 2, 0), r'padding must be at most half the kernel '
                                                  r'size, got padW = 2 for kW = 2'),
    (lambda: SpatialAveragePooling(3, 3, 1, 1, 0, 2), r'padH = 2 for kH = 3'),
    (lambda: SpatialMaxPooling(0, 2), r'kW must be a positive integer'),
    (lambda: VolumetricMaxPooling(2, 2, 2, 1, 1, 1, 2, 0, 0), r'padT = 2 for kT = 2'),
    (lambda: SpatialUpSamplingNearest(1.5), r'scale must be an integer >= 1')])
def test_constructor_errors(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_backward_errors_leave_buffers_alone():
    m = SpatialMaxPooling(2, 2)
    x = T(rand(2, 4, 4))
    with pytest.raises(RuntimeError, match='call forward first'):
        m.backward(x, T(rand(2, 2, 2)))
    m.forward(x)
    gin = m.backward(x, T(np.ones((2, 2, 2)))).numpy().copy()
    with pytest.raises(ValueError, match=r'gradOutput has size 2 x 3 x 2, expected 2 x 2 x 2'):
        m.backward(x, T(rand(2, 3, 2)))
    with pytest.raises(TypeError, match='gradOutput is a torch.FloatTensor'):
        m.backward(x, T(rand(2, 2, 2, dtype=np.float32)))
    np.testing.assert_array_equal(m.gradInput.numpy(), gin)


def test_buffers_are_reused():
    m = SpatialMaxPooling(2, 2).float()
    x = T(rand(4, 3, 8, 8, dtype=np.float32))
    out = m.forward(x)
    gin = m.backward(x, T(np.ones((4, 3, 4, 4), np.float32)))
    p = (out.numpy().ctypes.data, gin.numpy().ctypes.data, m.indices.numpy().ctypes.data)
    assert m.forward(x) is out
    assert m.backward(x, T(np.ones((4, 3, 4, 4), np.float32))) is gin
    assert (out.numpy().ctypes.data, gin.numpy().ctypes.data,
            m.indices.numpy().ctypes.data) == p


def test_non_contiguous_input():
    x = rand(2, 6, 4, 3).transpose(0, 3, 1, 2)
    m = SpatialMaxPooling(2, 2)
    np.testing.assert_array_equal(m.forward(torch.fromNumpy(x)).numpy(),
                                  ref_pool2d(x, 2, 2, 2, 2, 0, 0, False, 'max')[0])


# -- files -----------------------------------------------------------------------------------
def lua_module(name, version=1, **fields):
    base = {'output': torch.DoubleTensor(), 'gradInput': torch.DoubleTensor(), 'train': True,
            '_type': 'torch.DoubleTensor'}
    base.update(fields)
    return torch.deserialize(torch.serialize(TorchObject(name, version, base)))


def test_lua_max_pooling_indices_are_converted_both_ways():
    x = rand(2, 4, 4)
    ref = SpatialMaxPooling(2, 2)
    ref.forward(T(x))
    g = rand(2, 2, 2, seed=1)
    expected = ref.backward(T(x), T(g)).numpy().copy()
    lua_indices = torch.LongTensor(2, 2, 2).copy(T(ref.indices.numpy() + 1))
    m = lua_module('nn.SpatialMaxPooling', kW=2, kH=2, dW=2, dH=2, padW=0, padH=0,
                   ceil_mode=False, indices=lua_indices)
    np.testing.assert_array_equal(m.indices.numpy(), ref.indices.numpy())
    # the loaded indices work without a forward pass
    np.testing.assert_array_equal(m.updateGradInput(T(x), T(g)).numpy(), expected)
    stream = io.BytesIO()
    torch.save(stream, m)
    stream.seek(0)
    raw = torch.load(stream)
    assert isinstance(raw, SpatialMaxPooling)
    np.testing.assert_array_equal(raw.indices.numpy(), ref.indices.numpy())
    fields = m._torchFields()
    np.testing.assert_array_equal(fields['indices'].numpy(), ref.indices.numpy() + 1)


def test_old_lua_max_pooling_without_padding_fields():
    m = lua_module('nn.SpatialMaxPooling', kW=2, kH=2, dW=2, dH=2,
                   indices=torch.DoubleTensor())
    assert (m.padW, m.padH, m.ceil_mode) == (0, 0, False)
    out = m.forward(T(rand(1, 4, 4)))
    assert out.size() == (1, 2, 2) and m.indices._typename == 'torch.LongTensor'
    assert str(m) == 'nn.SpatialMaxPooling(2x2, 2,2)'


def test_old_lua_average_pooling_sums():
    m = lua_module('nn.SpatialAveragePooling', kW=2, kH=2, dW=2, dH=2)
    x = rand(1, 4, 4)
    np.testing.assert_allclose(m.forward(T(x)).numpy(),
                               x.reshape(1, 2, 2, 2, 2).sum(axis=(2, 4)), rtol=1e-12)
    new = lua_module('nn.SpatialAveragePooling', kW=2, kH=2, dW=2, dH=2, padW=0, padH=0,
                     ceil_mode=False, count_include_pad=True, divide=True)
    np.testing.assert_allclose(new.forward(T(x)).numpy(),
                               x.reshape(1, 2, 2, 2, 2).mean(axis=(2, 4)), rtol=1e-12)


def test_temporal_max_pooling_indices_in_files_are_window_offsets():
    x = rand(7, 3)
    m = TemporalMaxPooling(3, 2)
    m.forward(T(x))
    offsets = m._torchFields()['indices'].numpy()
    assert offsets.min() >= 0 and offsets.max() <= 2
    np.testing.assert_array_equal(offsets + (np.arange(3) * 2)[:, None], m.indices.numpy())
    stream = io.BytesIO()
    torch.save(stream, m)
    stream.seek(0)
    np.testing.assert_array_equal(torch.load(stream).indices.numpy(), m.indices.numpy())


def test_lua_volumetric_max_pooling_version_1_gets_floor_mode():
    m = lua_module('nn.VolumetricMaxPooling', version=1, kT=2, kW=2, kH=2, dT=2, dW=2, dH=2,
                   indices=torch.DoubleTensor())
    assert m.ceil_mode is False and (m.padT, m.padW, m.padH) == (0, 0, 0)
    assert m.forward(T(rand(1, 4, 4, 4))).size() == (1, 2, 2, 2)


def test_float32_matches_float64():
    x = rand(3, 4, 7, 6)
    g = rand(3, 4, 4, 4, seed=2)
    for make in (lambda: SpatialMaxPooling(3, 2, 2, 2, 1, 1).ceil(),
                 lambda: SpatialAveragePooling(3, 2, 2, 2, 1, 1).ceil()):
        m64, m32 = make(), make().float()
        out = m64.forward(T(x)).numpy()
        np.testing.assert_allclose(m32.forward(T(x.astype(np.float32))).numpy(), out,
                                   rtol=1e-6, atol=1e-6)
        gin = m64.backward(T(x), T(g)).numpy()
        np.testing.assert_allclose(m32.backward(T(x.astype(np.float32)),
                                                T(g.astype(np.float32))).numpy(), gin,
                                   rtol=1e-6, atol=1e-6)


# -- PyTorch parity (skipped without PyTorch) ---------------------------------------------------
@pytest.fixture
def pt():
    return pytest.importorskip('torch')


def _check(pt, module, x, fn, indices_fn=None, tol=1e-12):
    out = module.forward(T(x)).numpy()
    xt = pt.tensor(x, requires_grad=True)
    ref = fn(xt)
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=tol, atol=tol)
    g = rand(*out.shape, seed=3)
    gin = module.backward(T(x), T(g)).numpy()
    ref.backward(pt.tensor(g))
    np.testing.assert_allclose(gin, xt.grad.numpy(), rtol=tol, atol=tol)
    if indices_fn is not None:
        np.testing.assert_array_equal(module.indices.numpy(), indices_fn(pt.tensor(x)).numpy())


POOL_CFGS = [((2, 2), (2, 2), (0, 0), False), ((3, 3), (2, 2), (1, 1), True),
             ((3, 2), (1, 2), (1, 0), True), ((2, 3), (3, 2), (0, 1), False),
             ((4, 4), (3, 3), (2, 2), True)]


@pytest.mark.parametrize('k,d,p,ceil_mode', POOL_CFGS)
@pytest.mark.parametrize('batch', [True, False])
def test_max_pooling_matches_pytorch(pt, k, d, p, ceil_mode, batch):
    F = pt.nn.functional
    m = SpatialMaxPooling(k[1], k[0], d[1], d[0], p[1], p[0])
    if ceil_mode:
        m.ceil()
    x = rand(2, 3, 9, 8) if batch else rand(3, 9, 8)
    _check(pt, m, x, lambda t: F.max_pool2d(t, k, d, p, ceil_mode=ceil_mode),
           lambda t: F.max_pool2d(t, k, d, p, ceil_mode=ceil_mode, return_indices=True)[1])


@pytest.mark.parametrize('k,d,p,ceil_mode', POOL_CFGS)
@pytest.mark.parametrize('include_pad', [True, False])
def test_average_pooling_matches_pytorch(pt, k, d, p, ceil_mode, include_pad):
    m = SpatialAveragePooling(k[1], k[0], d[1], d[0], p[1], p[0])
    if ceil_mode:
        m.ceil()
    if not include_pad:
        m.setCountExcludePad()
    _check(pt, m, rand(2, 3, 9, 8),
           lambda t: pt.nn.functional.avg_pool2d(t, k, d, p, ceil_mode=ceil_mode,
                                                 count_include_pad=include_pad))


@pytest.mark.parametrize('o', [(1, 1), (3, 2), (4, 5), (9, 8), (12, 3)])
def test_adaptive_pooling_matches_pytorch(pt, o):
    F = pt.nn.functional
    x = rand(2, 3, 9, 8)
    _check(pt, SpatialAdaptiveMaxPooling(o[1], o[0]), x, lambda t: F.adaptive_max_pool2d(t, o),
           lambda t: F.adaptive_max_pool2d(t, o, return_indices=True)[1])
    _check(pt, SpatialAdaptiveAveragePooling(o[1], o[0]), x[0],
           lambda t: F.adaptive_avg_pool2d(t, o))


@pytest.mark.parametrize('k,d,p,ceil_mode', [((2, 2, 2), (2, 2, 2), (0, 0, 0), False),
                                             ((3, 2, 3), (2, 1, 2), (1, 1, 1), True),
                                             ((2, 3, 2), (1, 2, 2), (1, 0, 1), False)])
def test_volumetric_pooling_matches_pytorch(pt, k, d, p, ceil_mode):
    F = pt.nn.functional
    kT, kH, kW = k
    dT, dH, dW = d
    pT, pH, pW = p
    m = VolumetricMaxPooling(kT, kW, kH, dT, dW, dH, pT, pW, pH)
    if ceil_mode:
        m.ceil()
    x = rand(2, 2, 5, 6, 7)
    _check(pt, m, x, lambda t: F.max_pool3d(t, k, d, p, ceil_mode=ceil_mode),
           lambda t: F.max_pool3d(t, k, d, p, ceil_mode=ceil_mode, return_indices=True)[1])
    _check(pt, VolumetricAveragePooling(kT, kW, kH, dT, dW, dH), x[0],
           lambda t: F.avg_pool3d(t, k, d))


@pytest.mark.parametrize('kW,dW', [(2, 2), (3, 1), (3, 2)])
def test_temporal_max_pooling_matches_pytorch(pt, kW, dW):
    x = rand(2, 9, 4)

    def fn(t):
        return pt.nn.functional.max_pool1d(t.transpose(1, 2), kW, dW).transpose(1, 2)
    _check(pt, TemporalMaxPooling(kW, dW), x, fn,
           lambda t: pt.nn.functional.max_pool1d(t.transpose(1, 2), kW, dW,
                                                 return_indices=True)[1].transpose(1, 2))


@pytest.mark.parametrize('pads', [(1, 2, 3, 0), (2, 2, 2, 2), (-1, 2, 0, -2), (3, -1, 1, 2)])
def test_padding_matches_pytorch(pt, pads):
    F = pt.nn.functional
    x = rand(2, 3, 5, 6)
    _check(pt, SpatialZeroPadding(*pads), x, lambda t: F.pad(t, pads))
    _check(pt, SpatialReplicationPadding(*pads), x, lambda t: F.pad(t, pads, mode='replicate'))
    _check(pt, SpatialReflectionPadding(*pads), x[0],
           lambda t: F.pad(t[None], pads, mode='reflect')[0])


def test_upsampling_matches_pytorch(pt):
    _check(pt, SpatialUpSamplingNearest(3), rand(2, 3, 4, 5),
           lambda t: pt.nn.functional.interpolate(t, scale_factor=3, mode='nearest'))
