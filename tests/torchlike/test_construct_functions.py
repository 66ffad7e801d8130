"""Construction functions (zeros, ones, eye, range, arange, linspace, logspace, diag, tril, triu,
cat, reshape, histc, numel) and the `torch.<view>` function forms, against numpy.

Semantics under test (docs/tensor.md "Construction", DESIGN §2b): results are of the default type
unless a result tensor comes first (`torch.zeros(res, 2, 3)` resizes and fills res, keeping its
type); `range` includes its end, `arange` does not; `cat` joins along the last dimension by
default and skips empty tensors; `reshape` always copies; the view function forms share the
source's storage.
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike_testing import (FAST, LAYOUTS, arrays, assert_tensor, layouts, make_layout,
                               shapes)


def T(a, cls=torch.DoubleTensor):
    return cls(np.asarray(a, dtype=cls._dtype))


def shares(t, x):
    return t.storage() is x.storage()


# -- zeros / ones / eye ------------------------------------------------------------------------------
@pytest.mark.parametrize('name, value', [('zeros', 0), ('ones', 1)])
def test_zeros_ones_size_forms(name, value):
    f = getattr(torch, name)
    for args in [(2, 3), ((2, 3),), ([2, 3],), (torch.Size([2, 3]),), (torch.LongStorage([2, 3]),)]:
        assert_tensor(f(*args), np.full((2, 3), value), torch.DoubleTensor)
    assert_tensor(f(4), np.full(4, value))
    assert_tensor(f(1, 2, 1, 2), np.full((1, 2, 1, 2), value))
    assert f().nElement() == 0 and f().dim() == 0


@pytest.mark.parametrize('name, value', [('zeros', 0), ('ones', 1)])
def test_zeros_ones_into_result_keep_its_type(name, value):
    res = torch.IntTensor([9, 9, 9, 9, 9, 9, 9])
    assert getattr(torch, name)(res, 3, 2) is res
    assert_tensor(res, np.full((3, 2), value), torch.IntTensor)


def test_default_type_follows_setdefaulttensortype():
    torch.setdefaulttensortype('torch.FloatTensor')
    for t in (torch.zeros(2), torch.ones(2), torch.eye(2), torch.range(1, 3), torch.arange(3),
              torch.linspace(0, 1, 3), torch.logspace(0, 1, 3)):
        assert type(t) is torch.FloatTensor


def test_zeros_bad_sizes():
    with pytest.raises(ValueError, match='non-negative'):
        torch.zeros(2, -1)
    with pytest.raises(TypeError, match='integers'):
        torch.ones(2.5)


def test_eye():
    assert_tensor(torch.eye(3), np.eye(3), torch.DoubleTensor)
    assert_tensor(torch.eye(2, 4), np.eye(2, 4))
    res = torch.LongTensor(1)
    assert torch.eye(res, 3, 2) is res
    assert_tensor(res, np.eye(3, 2), torch.LongTensor)
    with pytest.raises(ValueError, match='positive'):
        torch.eye(0)


# -- range / arange / linspace / logspace -----------------------------------------------------------
@pytest.mark.parametrize('args, expected', [
    ((1, 5), [1, 2, 3, 4, 5]), ((5, 1, -1), [5, 4, 3, 2, 1]), ((0, 1, 0.25), [0, .25, .5, .75, 1]),
    ((0, 1, 0.1), np.arange(11) / 10), ((2, 2), [2]), ((1, 6, 2), [1, 3, 5]), ((-1, -3, -0.5),
                                                                             [-1, -1.5, -2, -2.5, -3])])
def test_range_includes_the_end(args, expected):
    assert_tensor(torch.range(*args), np.asarray(expected, float), torch.DoubleTensor, rtol=1e-12,
                  atol=1e-12)


def test_range_into_result_and_errors():
    res = torch.IntTensor()
    assert torch.range(res, 0, 4, 2) is res
    assert_tensor(res, [0, 2, 4], torch.IntTensor)
    with pytest.raises(ValueError, match='zero'):
        torch.range(0, 1, 0)
    with pytest.raises(ValueError, match='from 5 to 1 with step 1'):
        torch.range(5, 1)


@pytest.mark.parametrize('args', [(5,), (1, 5), (1, 6, 2), (5, 1, -1), (0, 1, 0.25)])
def test_arange_is_python_style(args):
    assert_tensor(torch.arange(*args), np.arange(*args, dtype=float), torch.DoubleTensor)


def test_arange_errors_and_result():
    res = torch.LongTensor()
    assert torch.arange(res, 3) is res
    assert_tensor(res, [0, 1, 2], torch.LongTensor)
    with pytest.raises(ValueError, match='zero'):
        torch.arange(0, 1, 0)
    with pytest.raises(ValueError, match='empty'):
        torch.arange(3, 1)


@pytest.mark.parametrize('name, npf', [('linspace', np.linspace), ('logspace', np.logspace)])
def test_linspace_logspace(name, npf):
    f = getattr(torch, name)
    assert_tensor(f(0, 2), npf(0, 2, 100), torch.DoubleTensor)       # 100 points by default
    assert_tensor(f(-1, 1, 5), npf(-1, 1, 5))
    assert_tensor(f(3, 3, 1), npf(3, 3, 1))
    res = torch.FloatTensor()
    assert f(res, 0, 1, 4) is res
    assert_tensor(res, npf(0, 1, 4), torch.FloatTensor)
    with pytest.raises(ValueError, match='at least 2'):
        f(0, 1, 1)
    with pytest.raises(ValueError, match='at least 2'):
        f(0, 1, 0)


# -- diag / tril / triu ------------------------------------------------------------------------------
@pytest.mark.parametrize('k', [0, 1, -2])
def test_diag(k):
    for lay in layouts(np.array([1., 2, 3])):
        assert_tensor(torch.diag(lay.tensor, k), np.diag(lay.array, k), torch.DoubleTensor)
    for lay in layouts(np.arange(12.).reshape(3, 4)):
        r = torch.diag(lay.tensor, k)
        assert_tensor(r, np.diag(lay.array, k))
        assert not shares(r, lay.tensor)
    res = torch.IntTensor()
    assert torch.diag(res, T([[1, 2], [3, 4]], torch.IntTensor)) is res
    assert_tensor(res, [1, 4], torch.IntTensor)


def test_diag_bad_input():
    with pytest.raises(ValueError, match='diagonal 4'):
        torch.diag(T(np.ones((3, 4))), 4)
    with pytest.raises(ValueError, match='diagonal -3'):
        torch.diag(T(np.ones((3, 4))), -3)
    with pytest.raises(ValueError, match='2 x 2 x 2'):
        torch.diag(T(np.ones((2, 2, 2))))


@pytest.mark.parametrize('name', ['tril', 'triu'])
@pytest.mark.parametrize('k', [0, 1, -1, 5])
def test_tril_triu(name, k):
    f, npf = getattr(torch, name), getattr(np, name)
    for lay in layouts(np.arange(1., 13).reshape(3, 4)):
        before = lay.array.copy()
        r = f(lay.tensor, k) if k else f(lay.tensor)
        assert_tensor(r, npf(lay.array, k), torch.DoubleTensor)
        assert_tensor(lay.tensor, before)
    res = torch.DoubleTensor(1)
    assert f(res, T(np.ones((2, 2))), k) is res
    assert_tensor(res, npf(np.ones((2, 2)), k))
    with pytest.raises(ValueError, match='matrix'):
        f(T([1, 2]))


# -- cat -----------------------------------------------------------------------------------------
@given(st.data())
@FAST
def test_cat_matches_concatenate(data):
    shape = data.draw(shapes(1, 3, 3))
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[d] = data.draw(st.integers(1, 3))
        parts.append(make_layout(data.draw(arrays(np.float64, tuple(s))),
                                 data.draw(st.sampled_from(LAYOUTS))))
    tensors = [p.tensor for p in parts]
    expected = np.concatenate([p.array for p in parts], axis=d)
    assert_tensor(torch.cat(tensors, d), expected, torch.DoubleTensor)
    assert_tensor(torch.cat(*tensors, d), expected)
    res = torch.DoubleTensor(2)
    assert torch.cat(res, tensors, d) is res
    assert_tensor(res, expected)
    if d in (-1, len(shape) - 1):
        assert_tensor(torch.cat(tensors), expected)        # default: the last dimension
        assert_tensor(torch.cat(*tensors), expected)


def test_cat_skips_empty_tensors_and_keeps_the_first_type():
    a, b = T([[1, 2]]), T([[3, 4]])
    assert_tensor(torch.cat(a, torch.DoubleTensor(), b, 0), [[1, 2], [3, 4]])
    r = torch.cat(torch.FloatTensor([1.5]), T([2.25]))
    assert_tensor(r, [1.5, 2.25], torch.FloatTensor)
    assert r.numpy().dtype == np.float32
    r = torch.cat([torch.IntTensor([1]), torch.DoubleTensor([2.7])])
    assert_tensor(r, [1, 2], torch.IntTensor)


def test_cat_bad_input():
    with pytest.raises(ValueError, match='2 x 2, 3 x 3'):
        torch.cat(T(np.ones((2, 2))), T(np.ones((3, 3))), 0)
    with pytest.raises(IndexError, match='dimension 2'):
        torch.cat(T(np.ones((2, 2))), T(np.ones((2, 2))), 2)
    with pytest.raises(TypeError):
        torch.cat([])
    with pytest.raises(TypeError):
        torch.cat([T([1]), [1, 2]])


# -- reshape / histc / numel -----------------------------------------------------------------------
def test_reshape_always_copies():
    for lay in layouts(np.arange(12.).reshape(3, 4)):
        r = torch.reshape(lay.tensor, 2, 6)
        assert_tensor(r, lay.array.reshape(2, 6), torch.DoubleTensor)
        assert not shares(r, lay.tensor)
        assert_tensor(torch.reshape(lay.tensor, torch.Size([4, 3])), lay.array.reshape(4, 3))
        res = torch.DoubleTensor()
        assert torch.reshape(res, lay.tensor, 12) is res
        assert_tensor(res, lay.array.reshape(12))
    x = T(np.arange(4.))
    r = torch.reshape(x, 2, 2)
    r.fill(0)
    assert_tensor(x, np.arange(4.))


@given(st.data())
@FAST
def test_histc_matches_numpy_histogram(data):
    shape = data.draw(shapes(1, 2, 6))
    lay = make_layout(data.draw(arrays(np.float64, shape, -5, 5)), data.draw(st.sampled_from(LAYOUTS)))
    nbins = data.draw(st.integers(1, 7))
    a = lay.array
    lo, hi = (a.min(), a.max()) if a.min() < a.max() else (a.min() - 1, a.max() + 1)
    assert_tensor(torch.histc(lay.tensor, nbins), np.histogram(a, nbins, (lo, hi))[0],
                  torch.DoubleTensor)
    # explicit range: values outside it are left out, the top edge is included
    assert_tensor(torch.histc(lay.tensor, nbins, -2, 3), np.histogram(a, nbins, (-2, 3))[0])


def test_histc_defaults_and_type():
    x = torch.IntTensor([1, 2, 2, 3, 3, 3])
    h = torch.histc(x, 3)
    assert_tensor(h, [1, 2, 3], torch.IntTensor)
    assert torch.histc(T([0.5])).nElement() == 100
    with pytest.raises(ValueError, match='nbins'):
        torch.histc(x, 0)


def test_numel():
    assert torch.numel(T(np.ones((2, 3, 4)))) == 24
    assert torch.numel(torch.DoubleTensor()) == 0
    for lay in layouts(np.ones((3, 5))):
        assert torch.numel(lay.tensor) == 15


# -- torch.<view>(x, ...) function forms -----------------------------------------------------------
VIEW_CASES = [
    ('narrow', (1, 1, 2), lambda a: a[:, 1:3]),
    ('select', (0, 2), lambda a: a[2]),
    ('sub', (1, 2, 0, 1), lambda a: a[1:3, 0:2]),
    ('transpose', (0, 1), lambda a: a.T),
    ('t', (), lambda a: a.T),
    ('permute', (1, 0), lambda a: a.transpose(1, 0)),
    ('unfold', (1, 2, 1), lambda a: np.stack([a[:, i:i + 2] for i in range(3)], 1)),
    ('unsqueeze', (1,), lambda a: a[:, None]),
    ('expand', (2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4))),
]


@pytest.mark.parametrize('name, args, ref', VIEW_CASES, ids=[c[0] for c in VIEW_CASES])
def test_view_function_forms_share_storage(name, args, ref):
    for lay in layouts(np.arange(12.).reshape(3, 4)):
        r = getattr(torch, name)(lay.tensor, *args)
        m = getattr(lay.tensor, name)(*args)
        assert_tensor(r, ref(lay.array), torch.DoubleTensor)
        assert_tensor(m, ref(lay.array))
        assert shares(r, lay.tensor)


def test_view_function_forms_on_contiguous_data():
    x = T(np.arange(12.))
    assert_tensor(torch.view(x, 3, 4), np.arange(12.).reshape(3, 4))
    assert shares(torch.view(x, 3, 4), x)
    assert_tensor(torch.viewAs(x, T(np.ones((2, 6)))), np.arange(12.).reshape(2, 6))
    y = T([[1.], [2.]])
    assert_tensor(torch.expandAs(y, T(np.ones((2, 3)))), [[1, 1, 1], [2, 2, 2]])
    z = T(np.ones((1, 3, 1)))
    assert tuple(torch.squeeze(z).size()) == (3,)
    assert tuple(torch.squeeze(z, 0).size()) == (3, 1)
    assert shares(torch.squeeze(z), z)


def test_split_chunk_clone_contiguous_function_forms():
    for lay in layouts(np.arange(15.).reshape(5, 3)):
        x, a = lay.tensor, lay.array
        parts = torch.split(x, 2)
        assert [tuple(p.size()) for p in parts] == [(2, 3), (2, 3), (1, 3)]
        for p, e in zip(parts, (a[0:2], a[2:4], a[4:5])):
            assert_tensor(p, e)
            assert shares(p, x)
        parts = torch.chunk(x, 3, 1)
        assert len(parts) == 3
        for i, p in enumerate(parts):
            assert_tensor(p, a[:, i:i + 1])
        c = torch.clone(x)
        assert_tensor(c, a)
        assert not shares(c, x) and c.isContiguous()
        k = torch.contiguous(x)
        assert_tensor(k, a)
        assert k.isContiguous()
        if x.isContiguous():
            assert k is x
        else:
            assert not shares(k, x)
