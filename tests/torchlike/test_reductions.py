"""Reductions against numpy (and hand-written references), in every memory layout.

Semantics under test (docs/tensor.md "Reductions", DESIGN §2): over the whole tensor a Python
number; over dimension d a new tensor keeping d with size 1; max/min/sort/topk/kthvalue/median/
mode over a dimension give (values, LongTensor of 0-based indices); float32 sums accumulate in
double; var/std divide by n-1 unless the flag is true; `res.f(x, ...)` and `torch.f(res, x, ...)`
write into res; the source is never modified.
"""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike_testing import (FAST, LAYOUTS, WRITABLE, arrays, assert_tensor, layouts,
                               make_layout, shapes)


def snapshot(t):
    return np.array(t.numpy(), copy=True)


def shares(t, x):
    return t.storage() is x.storage()


@st.composite
def layout_and_dim(draw, dtype=np.float64, lo=-10, hi=10, max_side=4):
    shape = draw(shapes(1, 3, max_side))
    a = draw(arrays(dtype, shape, lo, hi))
    lay = make_layout(a, draw(st.sampled_from(LAYOUTS)))
    return lay, draw(st.integers(-len(shape), len(shape) - 1))


# -- sum / prod / mean ---------------------------------------------------------------------------
REDUCERS = {
    'sum': lambda a, d: a.astype(np.float64).sum(d, keepdims=True),
    'prod': lambda a, d: a.astype(np.float64).prod(d, keepdims=True),
    'mean': lambda a, d: a.astype(np.float64).mean(d, keepdims=True),
}


@pytest.mark.parametrize('name', sorted(REDUCERS))
@given(case=layout_and_dim(lo=-3, hi=3))
@FAST
def test_sum_prod_mean_all_forms(name, case):
    lay, d = case
    x, a = lay.tensor, lay.array
    ref = REDUCERS[name]
    before = snapshot(x)
    whole = ref(a.reshape(-1), 0)[0]
    for v in (getattr(x, name)(), getattr(torch, name)(x)):
        assert type(v) is float
        assert math.isclose(v, whole, rel_tol=1e-12, abs_tol=1e-12)
    expected = ref(a, d)
    res = torch.DoubleTensor(5)
    res2 = torch.DoubleTensor()
    outs = [getattr(x, name)(d), getattr(torch, name)(x, d), getattr(res, name)(x, d),
            getattr(torch, name)(res2, x, d)]
    assert outs[2] is res and outs[3] is res2
    for r in outs:
        assert_tensor(r, expected, torch.DoubleTensor)
        assert not shares(r, x)
    np.testing.assert_array_equal(x.numpy(), before)


@pytest.mark.parametrize('cls', [torch.ByteTensor, torch.IntTensor, torch.LongTensor])
def test_integer_sums_do_not_overflow_the_element_type(cls):
    x = cls([[200, 100], [50, 7]])
    assert x.sum() == 357 and type(x.sum()) is int
    assert x.prod() == 200 * 100 * 50 * 7
    assert x.mean() == pytest.approx(357 / 4)
    assert_tensor(x.sum(0), [[250, 107]], cls)
    assert_tensor(torch.IntTensor([[1, 2], [3, 5]]).mean(1), [[1], [4]], torch.IntTensor)


def test_float32_sums_accumulate_in_double():
    x = torch.FloatTensor([1e8, 1, -1e8, 1])
    assert x.sum() == 2.0                 # float32 accumulation would give 1 or 0
    assert x.mean() == 0.5
    assert_tensor(x.view(1, 4).sum(1), [[2.0]], torch.FloatTensor)
    assert_tensor(x.view(4, 1).cumsum(0), [[1e8], [1e8 + 1], [1], [2]], torch.FloatTensor)
    assert torch.FloatTensor([[1e8, 0], [0, 1]]).trace() == 1e8 + 1


@given(layout_and_dim(np.float32, -1e4, 1e4, 6))
@FAST
def test_float32_sum_matches_float64_numpy(case):
    lay, d = case
    a64 = lay.array.astype(np.float64)
    assert math.isclose(lay.tensor.sum(), a64.sum(), rel_tol=1e-12, abs_tol=1e-9)
    assert math.isclose(lay.tensor.mean(), a64.mean(), rel_tol=1e-12, abs_tol=1e-9)
    r = lay.tensor.sum(d)
    assert type(r) is torch.FloatTensor
    np.testing.assert_array_equal(r.numpy(), a64.sum(d, keepdims=True).astype(np.float32))


# -- max / min -------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['max', 'min'])
@given(st.data())
@FAST
def test_max_min_values_and_zero_based_indices(name, data):
    shape = data.draw(shapes(1, 3, 4))
    values = np.array(data.draw(st.permutations(list(range(int(np.prod(shape))))))).reshape(shape)
    lay = make_layout(values.astype(np.float64) - 5, data.draw(st.sampled_from(LAYOUTS)))
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    x, arr = lay.tensor, lay.array
    npf = np.max if name == 'max' else np.min
    assert getattr(x, name)() == npf(arr) and getattr(torch, name)(x) == npf(arr)
    rv, ri = torch.DoubleTensor(3), torch.LongTensor(2)
    outs = [getattr(x, name)(d), getattr(torch, name)(x, d), getattr(torch, name)(rv, ri, x, d)]
    assert outs[2][0] is rv and outs[2][1] is ri
    for v, i in outs:
        assert type(v) is torch.DoubleTensor and type(i) is torch.LongTensor
        assert_tensor(v, npf(arr, d, keepdims=True))
        # the indices point at the extreme values along d
        assert_tensor(v, np.take_along_axis(arr, i.numpy(), d % arr.ndim))
        if lay.name != 'expanded':
            argf = np.argmax if name == 'max' else np.argmin
            assert_tensor(i, argf(arr, d).reshape(v.size()))


def test_max_keeps_type_and_dim():
    x = torch.IntTensor([[3, 9, 2], [7, 1, 8]])
    v, i = x.max(1)
    assert_tensor(v, [[9], [8]], torch.IntTensor)
    assert_tensor(i, [[1], [2]], torch.LongTensor)
    v, i = x.min(0)
    assert_tensor(v, [[3, 1, 2]], torch.IntTensor)
    assert_tensor(i, [[0, 1, 0]], torch.LongTensor)
    assert x.max() == 9 and type(x.max()) is int


# -- var / std / norm / dist / trace -------------------------------------------------------------
@given(layout_and_dim(), st.booleans())
@FAST
def test_var_std_all_forms(case, flag):
    lay, d = case
    x, a = lay.tensor, lay.array
    ddof = 0 if flag else 1
    n = a.shape[d]
    if a.size > 1:   # the unbiased var() needs two elements
        assert math.isclose(x.var(), a.var(ddof=1), rel_tol=1e-9, abs_tol=1e-12)
    if a.size > ddof:
        assert math.isclose(x.var(flag), a.var(ddof=ddof), rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(torch.std(x, flag), a.std(ddof=ddof), rel_tol=1e-9, abs_tol=1e-12)
    if n <= ddof:
        with pytest.raises(ValueError, match='at least 2'):
            x.var(d)
        return
    for name, f in (('var', np.var), ('std', np.std)):
        expected = f(a, d, ddof=ddof, keepdims=True)
        res, res2 = torch.DoubleTensor(1), torch.DoubleTensor()
        outs = [getattr(x, name)(d, flag), getattr(torch, name)(x, d, flag),
                getattr(res, name)(x, d, flag), getattr(torch, name)(res2, x, d, flag)]
        assert outs[2] is res and outs[3] is res2
        for r in outs:
            assert_tensor(r, expected, torch.DoubleTensor, rtol=1e-9, atol=1e-12)
    if n > 1:
        assert_tensor(x.var(d), np.var(a, d, ddof=1, keepdims=True), rtol=1e-9, atol=1e-12)


def reference_norm(a, p, axis=None):
    a = np.abs(a.astype(np.float64))
    if p == 0:
        return (a != 0).sum(axis, keepdims=axis is not None).astype(np.float64)
    if p == np.inf:
        return a.max(axis, keepdims=axis is not None)
    return (a ** p).sum(axis, keepdims=axis is not None) ** (1.0 / p)


@pytest.mark.parametrize('p', [2, 1, 3, 0.5, 0, np.inf])
@given(case=layout_and_dim())
@FAST
def test_norm_all_forms(p, case):
    lay, d = case
    x, a = lay.tensor, lay.array
    assert math.isclose(x.norm(p), reference_norm(a, p), rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(torch.norm(x, p), reference_norm(a, p), rel_tol=1e-9, abs_tol=1e-12)
    expected = reference_norm(a, p, d)
    res, res2 = torch.DoubleTensor(), torch.DoubleTensor(9)
    outs = [x.norm(p, d), torch.norm(x, p, d), res.norm(x, p, d), torch.norm(res2, x, p, d)]
    assert outs[2] is res and outs[3] is res2
    for r in outs:
        assert_tensor(r, expected, torch.DoubleTensor, rtol=1e-9, atol=1e-12)


def test_norm_default_is_euclidean():
    assert torch.DoubleTensor([3, 4]).norm() == 5.0
    assert torch.norm(torch.LongTensor([[3], [4]])) == 5.0


@given(st.data())
@FAST
def test_dist_is_the_norm_of_the_difference(data):
    shape = data.draw(shapes(1, 3, 4))
    lx = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(LAYOUTS)))
    ly = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(LAYOUTS)))
    for p in (2, 1, 3):
        expected = reference_norm(lx.array - ly.array, p)
        assert math.isclose(lx.tensor.dist(ly.tensor, p), expected, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(torch.dist(lx.tensor, ly.tensor, p), expected, rel_tol=1e-9,
                            abs_tol=1e-12)
    assert math.isclose(torch.dist(lx.tensor, ly.tensor), reference_norm(lx.array - ly.array, 2),
                        rel_tol=1e-9, abs_tol=1e-12)


def test_dist_and_trace_bad_input():
    with pytest.raises(ValueError, match='3 .* 4|elements'):
        torch.DoubleTensor(3).dist(torch.DoubleTensor(4))
    with pytest.raises(ValueError, match='2-D'):
        torch.DoubleTensor(3).trace()


def test_trace():
    for lay in layouts(np.arange(12.).reshape(3, 4)):
        assert lay.tensor.trace() == np.trace(lay.array)
        assert torch.trace(lay.tensor) == np.trace(lay.array)
    assert torch.IntTensor([[1, 2], [3, 4]]).trace() == 5


# -- renorm ----------------------------------------------------------------------------------------
def reference_renorm(a, p, d, maxnorm):
    out = a.astype(np.float64).copy()
    for i in range(a.shape[d]):
        sl = [slice(None)] * a.ndim
        sl[d] = i
        n = reference_norm(out[tuple(sl)], p)
        if n > maxnorm:
            out[tuple(sl)] *= maxnorm / (n + 1e-7)
    return out


@given(st.data())
@FAST
def test_renorm_all_forms(data):
    shape = data.draw(shapes(2, 3, 4))
    a = data.draw(arrays(np.float64, shape))
    d = data.draw(st.integers(0, len(shape) - 1))
    p = data.draw(st.sampled_from([1, 2, 3]))
    maxnorm = data.draw(st.floats(0.5, 10))
    lay = make_layout(a, data.draw(st.sampled_from(WRITABLE)))
    x = lay.tensor
    expected = reference_renorm(lay.array, p, d, maxnorm)
    before = snapshot(x)
    r = torch.renorm(x, p, d, maxnorm)
    assert_tensor(r, expected, rtol=1e-9)
    assert not shares(r, x)
    res = torch.DoubleTensor(2)
    assert res.renorm(x, p, d, maxnorm) is res
    assert_tensor(res, expected, rtol=1e-9)
    res2 = torch.DoubleTensor()
    assert torch.renorm(res2, x, p, d, maxnorm) is res2
    assert_tensor(res2, expected, rtol=1e-9)
    np.testing.assert_array_equal(x.numpy(), before)
    assert x.renorm(p, d, maxnorm) is x          # the method works in place
    assert_tensor(x, expected, rtol=1e-9)
    lay.check_outside()


def test_renorm_bad_input():
    x = torch.DoubleTensor([[3, 4], [6, 8]])
    before = snapshot(x)
    with pytest.raises(ValueError, match='positive'):
        x.renorm(0, 0, 1)
    with pytest.raises(IndexError, match='dimension'):
        x.renorm(2, 2, 1)
    np.testing.assert_array_equal(x.numpy(), before)


# -- cumsum / cumprod ----------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['cumsum', 'cumprod'])
@given(case=layout_and_dim(lo=-2, hi=2))
@FAST
def test_cumulative_all_forms(name, case):
    lay, d = case
    x, a = lay.tensor, lay.array
    npf = getattr(np, name)
    before = snapshot(x)
    assert_tensor(getattr(x, name)(), npf(a, 0), torch.DoubleTensor)     # default: dim 0
    assert_tensor(getattr(torch, name)(x), npf(a, 0))
    res, res2 = torch.DoubleTensor(1), torch.DoubleTensor()
    outs = [getattr(x, name)(d), getattr(torch, name)(x, d), getattr(res, name)(x, d),
            getattr(torch, name)(res2, x, d)]
    assert outs[2] is res and outs[3] is res2
    for r in outs:
        assert_tensor(r, npf(a, d))
        assert not shares(r, x)
    np.testing.assert_array_equal(x.numpy(), before)


# -- sort / topk / kthvalue / median / mode ------------------------------------------------------
def sorted_order(line, descending):
    """Stable ascending order; descending puts equal values last-index first (docs)."""
    idx = range(len(line))
    if descending:
        return sorted(idx, key=lambda i: (-line[i], -i))
    return sorted(idx, key=lambda i: (line[i], i))


def along(a, d, fn):
    """Apply fn(1-D line) -> 1-D array of indices along axis d."""
    moved = np.moveaxis(a, d, -1)
    out = np.array([fn(line) for line in moved.reshape(-1, moved.shape[-1])], np.int64)
    return np.moveaxis(out.reshape(moved.shape[:-1] + (-1,)), -1, d)


@given(layout_and_dim(lo=-3, hi=3), st.booleans())
@FAST
def test_sort_all_forms_with_ties(case, descending):
    lay, d = case
    x, a = lay.tensor, lay.array
    d0 = d % a.ndim
    idx = along(a, d0, lambda line: sorted_order(line.tolist(), descending))
    vals = np.take_along_axis(a, idx, d0)
    rv, ri = torch.DoubleTensor(2), torch.LongTensor()
    outs = [x.sort(d, descending), torch.sort(x, d, descending),
            torch.sort(rv, ri, x, d, descending)]
    assert outs[2][0] is rv and outs[2][1] is ri
    for v, i in outs:
        assert_tensor(v, vals, torch.DoubleTensor)
        assert_tensor(i, idx, torch.LongTensor)
    assert_tensor(x, a)


def test_sort_defaults_to_last_dim_ascending():
    x = torch.DoubleTensor([[3, 1, 2], [0, 5, 4]])
    v, i = x.sort()
    assert_tensor(v, [[1, 2, 3], [0, 4, 5]])
    assert_tensor(i, [[1, 2, 0], [0, 2, 1]], torch.LongTensor)
    v, i = x.sort(True)                   # Torch7's x:sort(true): descending, last dim
    assert_tensor(v, [[3, 2, 1], [5, 4, 0]])
    v, i = x.sort(0)
    assert_tensor(v, [[0, 1, 2], [3, 5, 4]])
    assert_tensor(i, [[1, 0, 0], [0, 1, 1]])


@given(layout_and_dim(lo=-3, hi=3), st.booleans(), st.data())
@FAST
def test_topk_all_forms(case, largest, data):
    lay, d = case
    x, a = lay.tensor, lay.array
    d0 = d % a.ndim
    k = data.draw(st.integers(0, a.shape[d0]))
    idx = along(a, d0, lambda line: sorted_order(line.tolist(), largest)[:k]) if k else None
    rv, ri = torch.DoubleTensor(), torch.LongTensor(3)
    outs = [x.topk(k, d, largest), torch.topk(x, k, d, largest), torch.topk(rv, ri, x, k, d, largest)]
    assert outs[2][0] is rv and outs[2][1] is ri
    for v, i in outs:
        if not k:
            assert v.nElement() == 0 and i.nElement() == 0
            continue
        assert_tensor(v, np.take_along_axis(a, idx, d0), torch.DoubleTensor)
        # the values are sorted; the indices point at them
        assert_tensor(v, np.take_along_axis(a, i.numpy(), d0))
    assert_tensor(x, a)


def test_topk_default_is_the_k_smallest():
    x = torch.DoubleTensor([5, 1, 4, 2, 3])
    v, i = x.topk(2)
    assert_tensor(v, [1, 2])
    assert_tensor(i, [1, 3], torch.LongTensor)
    v, i = x.topk(2, True)               # Torch7's x:topk(2, true): the largest
    assert_tensor(v, [5, 4])
    v, i = x.topk(2, 0, True)
    assert_tensor(v, [5, 4])
    assert_tensor(i, [0, 2])


@pytest.mark.parametrize('name', ['kthvalue', 'median', 'mode'])
@given(case=layout_and_dim(lo=-3, hi=3), data=st.data())
@FAST
def test_kthvalue_median_mode(name, case, data):
    lay, d = case
    x, a = lay.tensor, lay.array
    d0 = d % a.ndim
    n = a.shape[d0]
    if name == 'kthvalue':
        k = data.draw(st.integers(1, n))
        args = (k, d)
        expected = np.take(np.sort(a, d0), [k - 1], d0)
    elif name == 'median':
        args = (d,)
        expected = np.take(np.sort(a, d0), [(n - 1) // 2], d0)   # the lower median
    else:
        args = (d,)

        def mode_of(line):
            vals, counts = np.unique(line, return_counts=True)
            return [vals[np.argmax(counts)]]                       # ties: smallest value
        expected = np.moveaxis(np.apply_along_axis(mode_of, -1, np.moveaxis(a, d0, -1)), -1, d0)
    rv, ri = torch.DoubleTensor(), torch.LongTensor()
    outs = [getattr(x, name)(*args), getattr(torch, name)(x, *args),
            getattr(torch, name)(rv, ri, x, *args)]
    assert outs[2][0] is rv and outs[2][1] is ri
    for v, i in outs:
        assert_tensor(v, expected, torch.DoubleTensor)
        assert type(i) is torch.LongTensor
        assert_tensor(v, np.take_along_axis(a, i.numpy(), d0))
    assert_tensor(x, a)


def test_kthvalue_counts_from_one_and_defaults_to_last_dim():
    x = torch.DoubleTensor([[7, 3, 5], [1, 9, 2]])
    v, i = x.kthvalue(1)
    assert_tensor(v, [[3], [1]])
    assert_tensor(i, [[1], [0]], torch.LongTensor)
    v, i = x.kthvalue(3)
    assert_tensor(v, [[7], [9]])
    v, i = torch.DoubleTensor([4, 1, 3, 2]).median()
    assert_tensor(v, [2])
    assert_tensor(i, [3])
    v, i = torch.DoubleTensor([2, 5, 2, 5, 1]).mode()
    assert_tensor(v, [2])


def test_order_statistics_bad_input():
    x = torch.DoubleTensor([[7, 3, 5], [1, 9, 2]])
    with pytest.raises(ValueError, match='k = 0 .*valid: 1 to 3'):
        x.kthvalue(0)
    with pytest.raises(ValueError, match='k = 4'):
        x.kthvalue(4)
    with pytest.raises(ValueError, match='k = 4'):
        x.topk(4)
    with pytest.raises(IndexError, match='dimension 2'):
        x.sort(2)
    with pytest.raises(IndexError, match='dimension -3'):
        x.median(-3)
    with pytest.raises(ValueError, match='empty'):
        torch.DoubleTensor().max()
    with pytest.raises((ValueError, IndexError), match='empty'):
        torch.DoubleTensor().median()
    with pytest.raises(ValueError, match='at least 2'):
        torch.DoubleTensor([1]).var()
    np.testing.assert_array_equal(x.numpy(), [[7, 3, 5], [1, 9, 2]])


# -- bad dims for every dim-taking reduction -------------------------------------------------------
@pytest.mark.parametrize('call', [
    lambda x: x.sum(2), lambda x: x.prod(-3), lambda x: x.mean(5), lambda x: x.max(2),
    lambda x: x.min(-3), lambda x: x.var(2), lambda x: x.std(2), lambda x: x.norm(2, 2),
    lambda x: x.cumsum(2), lambda x: x.cumprod(-3), lambda x: torch.sum(torch.DoubleTensor(), x, 2)])
def test_dimension_out_of_range(call):
    x = torch.DoubleTensor([[1, 2], [3, 4]])
    with pytest.raises(IndexError, match=r'out of range for a 2-D tensor \(valid: -2 to 1\)'):
        call(x)
    np.testing.assert_array_equal(x.numpy(), [[1, 2], [3, 4]])


def test_result_form_without_a_dimension_is_an_error():
    with pytest.raises(TypeError, match='dimension'):
        torch.var(torch.DoubleTensor(), torch.DoubleTensor([1, 2, 3]))


# -- all / any / equal ---------------------------------------------------------------------------
def test_all_any_equal():
    for lay in layouts(np.array([[1, 0, 1], [1, 1, 1]], np.uint8)):
        x = lay.tensor
        assert x.all() is bool(lay.array.all()) and torch.all(x) is bool(lay.array.all())
        assert x.any() is True and torch.any(x) is True
    assert torch.ByteTensor([1, 1]).all() is True
    assert torch.ByteTensor([0, 0]).any() is False
    a = np.arange(6.).reshape(2, 3)
    for la in layouts(a, names=('contiguous', 'transposed', 'narrowed', 'offset')):
        for lb in layouts(a, names=('contiguous', 'transposed', 'offset')):
            assert la.tensor.equal(lb.tensor) is True
            assert torch.equal(la.tensor, lb.tensor) is True
    x = torch.DoubleTensor(a)
    assert x.equal(x.view(3, 2)) is False             # same values, other size
    y = x.clone()
    y[1, 2] = 0
    assert torch.equal(x, y) is False
