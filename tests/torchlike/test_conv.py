"""conv2/xcorr2/conv3/xcorr3 against direct loops written from the definitions (and scipy when
it is installed), in the three shape cases, valid and full, with the unfold and the
offset-loop code paths."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import torchlike as torch
import torchlike.conv as conv_module
from torchlike.conv import conv2, conv3, xcorr2, xcorr3


def direct(x, k, mode, flip):
    """Valid/full correlation or convolution of one nd-D array by one nd-D kernel, by loops."""
    if flip:
        k = k[(slice(None, None, -1),) * k.ndim]
    if mode == 'F':
        x = np.pad(x, [(w - 1, w - 1) for w in k.shape])
    osz = tuple(a - b + 1 for a, b in zip(x.shape, k.shape))
    out = np.zeros(osz)
    for o in itertools.product(*map(range, osz)):
        for w in itertools.product(*map(range, k.shape)):
            out[o] += x[tuple(a + b for a, b in zip(o, w))] * k[w]
    return out


def T(cls, a):
    return cls(np.asarray(a, dtype=cls._dtype))


FUNCS = {('conv', 2): conv2, ('xcorr', 2): xcorr2, ('conv', 3): conv3, ('xcorr', 3): xcorr3}


@settings(max_examples=25, deadline=None)
@given(kind=st.sampled_from(['conv', 'xcorr']), mode=st.sampled_from(['V', 'F']),
       ih=st.integers(1, 6), iw=st.integers(1, 6), kh=st.integers(1, 4), kw=st.integers(1, 4),
       seed=st.integers(0, 1000))
def test_2d_by_2d(kind, mode, ih, iw, kh, kw, seed):
    if mode == 'V' and (kh > ih or kw > iw):
        return
    rng = np.random.default_rng(seed)
    x, k = rng.standard_normal((ih, iw)), rng.standard_normal((kh, kw))
    out = FUNCS[kind, 2](T(torch.DoubleTensor, x), T(torch.DoubleTensor, k), mode)
    np.testing.assert_allclose(out.numpy(), direct(x, k, mode, kind == 'conv'), atol=1e-12)


@pytest.mark.parametrize('kind', ['conv', 'xcorr'])
@pytest.mark.parametrize('mode', ['V', 'F'])
def test_planewise_and_matrix_vector_cases(kind, mode):
    rng = np.random.default_rng(1)
    f = FUNCS[kind, 2]
    x = rng.standard_normal((3, 6, 7))
    k3 = rng.standard_normal((3, 2, 3))
    out = f(T(torch.DoubleTensor, x), T(torch.DoubleTensor, k3), mode).numpy()
    ref = np.stack([direct(x[p], k3[p], mode, kind == 'conv') for p in range(3)])
    np.testing.assert_allclose(out, ref, atol=1e-12)
    k4 = rng.standard_normal((4, 3, 2, 3))
    out = f(T(torch.DoubleTensor, x), T(torch.DoubleTensor, k4), mode).numpy()
    ref = np.stack([sum(direct(x[p], k4[q, p], mode, kind == 'conv') for p in range(3))
                    for q in range(4)])
    assert out.shape == ((4, 5, 5) if mode == 'V' else (4, 7, 9))
    np.testing.assert_allclose(out, ref, atol=1e-12)


@pytest.mark.parametrize('kind', ['conv', 'xcorr'])
@pytest.mark.parametrize('mode', ['V', 'F'])
def test_3d_variants(kind, mode):
    rng = np.random.default_rng(2)
    f = FUNCS[kind, 3]
    x, k = rng.standard_normal((4, 5, 3)), rng.standard_normal((2, 3, 2))
    out = f(T(torch.DoubleTensor, x), T(torch.DoubleTensor, k), mode).numpy()
    np.testing.assert_allclose(out, direct(x, k, mode, kind == 'conv'), atol=1e-12)
    xs, ks = rng.standard_normal((2, 4, 4, 3)), rng.standard_normal((3, 2, 2, 2, 2))
    out = f(T(torch.DoubleTensor, xs), T(torch.DoubleTensor, ks), mode).numpy()
    ref = np.stack([sum(direct(xs[p], ks[q, p], mode, kind == 'conv') for p in range(2))
                    for q in range(3)])
    np.testing.assert_allclose(out, ref, atol=1e-12)
    kp = rng.standard_normal((2, 2, 2, 2))
    out = f(T(torch.DoubleTensor, xs), T(torch.DoubleTensor, kp), mode).numpy()
    ref = np.stack([direct(xs[p], kp[p], mode, kind == 'conv') for p in range(2)])
    np.testing.assert_allclose(out, ref, atol=1e-12)


@pytest.mark.parametrize('case', ['mul', 'cmul', 'mv'])
def test_offset_loop_path_agrees_with_unfold_path(case, monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 9, 8)) if case != 'mul' else rng.standard_normal((9, 8))
    k = {'mul': (3, 2), 'cmul': (2, 3, 2), 'mv': (4, 2, 3, 2)}[case]
    k = rng.standard_normal(k)
    X, K = T(torch.DoubleTensor, x), T(torch.DoubleTensor, k)
    for mode in 'VF':
        for f in (conv2, xcorr2):
            unfolded = f(X, K, mode).numpy().copy()
            monkeypatch.setattr(conv_module, '_UNFOLD_LIMIT', 0)
            looped = f(X, K, mode).numpy()
            monkeypatch.undo()
            np.testing.assert_allclose(looped, unfolded, atol=1e-12)


def test_types_result_tensor_and_method_form():
    rng = np.random.default_rng(4)
    x, k = rng.standard_normal((5, 5)), rng.standard_normal((2, 2))
    out = conv2(T(torch.FloatTensor, x), T(torch.FloatTensor, k))
    assert out.type() == 'torch.FloatTensor' and out.size() == (4, 4)
    np.testing.assert_allclose(out.numpy(), direct(x, k, 'V', True), atol=1e-5)
    xi = T(torch.IntTensor, np.arange(16).reshape(4, 4))
    ki = T(torch.IntTensor, [[1, 0], [0, -1]])
    assert xcorr2(xi, ki).numpy().tolist() == [[-5] * 3] * 3
    res = torch.DoubleTensor(7).fill(1)
    X, K = T(torch.DoubleTensor, x), T(torch.DoubleTensor, k)
    assert conv2(res, X, K, 'F') is res and res.size() == (6, 6)
    np.testing.assert_allclose(res.numpy(), direct(x, k, 'F', True), atol=1e-12)
    res2 = torch.DoubleTensor()
    assert res2.xcorr2(X, K) is res2                  # Torch7's method: self is the result
    np.testing.assert_allclose(res2.numpy(), direct(x, k, 'V', False), atol=1e-12)
    np.testing.assert_allclose(X.conv2(K).numpy(), direct(x, k, 'V', True), atol=1e-12)
    # non-contiguous input
    Xt = T(torch.DoubleTensor, x.T.copy()).t()
    np.testing.assert_allclose(conv2(Xt, K).numpy(), direct(x, k, 'V', True), atol=1e-12)


def test_against_scipy_if_available():
    signal = pytest.importorskip('scipy.signal')
    rng = np.random.default_rng(5)
    x, k = rng.standard_normal((20, 17)), rng.standard_normal((5, 4))
    X, K = T(torch.DoubleTensor, x), T(torch.DoubleTensor, k)
    for mode, sm in (('V', 'valid'), ('F', 'full')):
        np.testing.assert_allclose(conv2(X, K, mode).numpy(), signal.convolve2d(x, k, sm),
                                   atol=1e-12)
        np.testing.assert_allclose(xcorr2(X, K, mode).numpy(), signal.correlate2d(x, k, sm),
                                   atol=1e-12)


def test_errors():
    d = torch.DoubleTensor
    with pytest.raises(ValueError, match='smaller than the kernel'):
        conv2(d(3, 3), d(4, 4))
    assert conv2(d(3, 3), d(4, 4), 'F').size() == (6, 6)
    with pytest.raises(ValueError, match="'V' \\(valid\\) or 'F'"):
        conv2(d(3, 3), d(2, 2), 'X')
    with pytest.raises(ValueError, match='3 planes but the kernel has 2'):
        xcorr2(d(3, 4, 4), d(2, 2, 2))
    with pytest.raises(ValueError, match='kernel expects 2'):
        xcorr2(d(3, 4, 4), d(5, 2, 2, 2))
    with pytest.raises(ValueError, match='got input 4 x 4 and kernel 2 x 2 x 2'):
        conv2(d(4, 4), d(2, 2, 2))
    with pytest.raises(TypeError, match='same type'):
        conv2(d(4, 4), torch.FloatTensor(2, 2))
    res = d(2).fill(3)
    with pytest.raises(ValueError):
        conv2(res, d(3, 3), d(4, 4))
    assert res.numpy().tolist() == [3, 3]
    with pytest.raises(TypeError, match='expects an input and a kernel'):
        conv2(d(3, 3))


def test_inputs_in_every_layout():
    from torchlike_testing import layouts
    rng = np.random.default_rng(6)
    x, k = rng.standard_normal((3, 6, 5)), rng.standard_normal((2, 3, 2, 2))
    for lx, lk in zip(layouts(x), layouts(k)):
        out = conv2(lx.tensor, lk.tensor, 'F').numpy()
        ref = np.stack([sum(direct(lx.array[p], lk.array[q, p], 'F', True) for p in range(3))
                        for q in range(2)])
        np.testing.assert_allclose(out, ref, atol=1e-12, err_msg=lx.name)
        lx.check_outside()
        lk.check_outside()
