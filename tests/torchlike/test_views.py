"""Views (reference §1.2 D, DESIGN §3): new tensor objects on the same Storage, never a copy.
Each view is compared with its numpy counterpart on every layout; writes through a view show in
the source; impossible views raise errors naming the sizes and leave the source as it was.
All dimensions and indices are 0-based."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike_testing import (FAST, LAYOUTS, WRITABLE, arrays, assert_tensor, layouts,
                               make_layout, shapes)

D = torch.DoubleTensor


def _geometry(t):
    return (tuple(t.size()), tuple(t.stride()), t.storageOffset(), t.storage())


def check_view(lay, make_view, numpy_view, write=True):
    """`make_view(tensor)` equals `numpy_view(array)`, shares the storage, and (for writable
    layouts) writes through it land where numpy says."""
    x = lay.tensor
    before = _geometry(x)
    v = make_view(x)
    assert_tensor(v, numpy_view(lay.array), type(x))
    assert v is not x
    assert v.storage() is x.storage()
    assert _geometry(x) == before and np.array_equal(x.numpy(), lay.array)
    if write and lay.name in WRITABLE:
        expected = lay.array.copy()
        target = numpy_view(expected)
        marks = -np.arange(1, target.size + 1, dtype=np.float64).reshape(target.shape)
        if np.shares_memory(target, expected) and _distinct(target):
            target[...] = marks
            fresh = make_layout(lay.array, lay.name, type(x))   # keep `lay` intact
            make_view(fresh.tensor).copy(marks)
            assert_tensor(fresh.tensor, expected, type(x))
            fresh.check_outside()
    return v


def _distinct(a):
    """Whether every element of numpy view `a` is a different memory location."""
    if a.size <= 1:
        return True
    return all(s != 0 for s, n in zip(a.strides, a.shape) if n > 1)


def drawn_layout(data, min_dims=1, max_dims=3, max_side=4):
    shape = data.draw(shapes(min_dims, max_dims, max_side))
    a = data.draw(arrays(np.float64, shape))
    return make_layout(a, data.draw(st.sampled_from(LAYOUTS)))


def test_layout_helper_geometry():
    a = np.arange(24.0).reshape(2, 3, 4)
    got = {lay.name: lay for lay in layouts(a)}
    assert got['contiguous'].tensor.isContiguous()
    assert got['contiguous'].tensor.storageOffset() == 0
    assert got['transposed'].tensor.stride() == (1, 2, 6)
    assert got['narrowed'].tensor.stride() == (21, 7, 1)
    assert got['narrowed'].tensor.storageOffset() == 1
    assert got['expanded'].tensor.stride() == (0, 4, 1)
    assert got['offset'].tensor.storageOffset() == 5 and got['offset'].tensor.isContiguous()
    for lay in got.values():
        assert lay.tensor.size() == (2, 3, 4)
        assert_tensor(lay.tensor, lay.array, D)
    assert np.array_equal(got['expanded'].array, np.broadcast_to(a[:1], a.shape))


@FAST
@given(data=st.data())
def test_narrow(data):
    lay = drawn_layout(data)
    nd = lay.array.ndim
    d = data.draw(st.integers(-nd, nd - 1))
    n = lay.array.shape[d]
    i = data.draw(st.integers(0, n - 1))
    size = data.draw(st.integers(0 if n > 1 else 1, n - i))
    size = max(size, 1)
    sl = [slice(None)] * nd
    sl[d] = slice(i, i + size)
    check_view(lay, lambda t: t.narrow(d, i, size), lambda a: a[tuple(sl)])


@FAST
@given(data=st.data())
def test_select(data):
    lay = drawn_layout(data, min_dims=2)
    nd = lay.array.ndim
    d = data.draw(st.integers(-nd, nd - 1))
    n = lay.array.shape[d]
    i = data.draw(st.integers(-n, n - 1))
    index = (slice(None),) * (d % nd) + (i,)
    check_view(lay, lambda t: t.select(d, i), lambda a: a[index])


@FAST
@given(data=st.data())
def test_sub_inclusive_ranges(data):
    lay = drawn_layout(data)
    shape = lay.array.shape
    k = data.draw(st.integers(1, len(shape)))
    args, sl = [], []
    for n in shape[:k]:
        s = data.draw(st.integers(0, n - 1))
        e = data.draw(st.integers(s, n - 1))
        neg = data.draw(st.booleans())
        args += [s - n, e - n] if neg else [s, e]
        sl.append(slice(s, e + 1))
    check_view(lay, lambda t: t.sub(*args), lambda a: a[tuple(sl)])


@FAST
@given(data=st.data())
def test_transpose_t_permute(data):
    lay = drawn_layout(data)
    nd = lay.array.ndim
    d1 = data.draw(st.integers(-nd, nd - 1))
    d2 = data.draw(st.integers(-nd, nd - 1))
    check_view(lay, lambda t: t.transpose(d1, d2), lambda a: np.swapaxes(a, d1, d2))
    perm = data.draw(st.permutations(range(nd)))
    check_view(lay, lambda t: t.permute(*perm), lambda a: a.transpose(perm))
    check_view(lay, lambda t: t.permute(perm), lambda a: a.transpose(perm))
    if nd == 2:
        check_view(lay, lambda t: t.t(), lambda a: a.T)


@FAST
@given(data=st.data())
def test_unfold(data):
    lay = drawn_layout(data, max_side=6)
    nd = lay.array.ndim
    d = data.draw(st.integers(0, nd - 1))
    n = lay.array.shape[d]
    size = data.draw(st.integers(1, n))
    step = data.draw(st.integers(1, 3))

    def ref(a):
        w = np.lib.stride_tricks.sliding_window_view(a, size, axis=d)
        sl = [slice(None)] * w.ndim
        sl[d] = slice(None, None, step)
        return w[tuple(sl)]
    v = check_view(lay, lambda t: t.unfold(d, size, step), ref, write=False)
    assert v.size(d) == (n - size) // step + 1 and v.size(-1) == size


@FAST
@given(data=st.data())
def test_view_of_contiguous(data):
    shape = data.draw(shapes(max_dims=3))
    a = data.draw(arrays(np.float64, shape))
    lay = make_layout(a, data.draw(st.sampled_from(['contiguous', 'offset'])))
    n = a.size
    new_shapes = [(n,), (1, n), (n, 1), (-1,), (1, -1), tuple(reversed(shape))]
    for s in new_shapes:
        v = check_view(lay, lambda t: t.view(*s), lambda arr: arr.reshape(s))
        assert v.isContiguous()
        assert v.storageOffset() == lay.tensor.storageOffset()
    check_view(lay, lambda t: t.view(torch.Size([n])), lambda arr: arr.reshape(n))
    other = D(n, 1)
    check_view(lay, lambda t: t.viewAs(other), lambda arr: arr.reshape(n, 1))


def test_view_of_non_contiguous_when_no_copy_is_needed():
    x = make_layout(np.arange(24.0).reshape(2, 3, 4), 'narrowed').tensor
    v = x.view(6, 4)          # merges the first two dimensions: possible without a copy
    assert v.storage() is x.storage()
    assert_tensor(v, np.arange(24.0).reshape(6, 4), D)


@FAST
@given(data=st.data())
def test_expand(data):
    shape = data.draw(shapes(max_dims=3))
    a = data.draw(arrays(np.float64, shape))
    lay = make_layout(a, data.draw(st.sampled_from(LAYOUTS)))
    target = tuple(n if data.draw(st.booleans()) or n != 1 else data.draw(st.integers(1, 4))
                   for n in shape)
    lead = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    full = lead + target
    v = check_view(lay, lambda t: t.expand(*full),
                   lambda arr: np.broadcast_to(arr, full), write=False)
    for i, (n, m) in enumerate(zip(full[len(lead):], shape)):
        if n != m:
            assert v.stride(len(lead) + i) == 0
    check_view(lay, lambda t: t.expand(torch.Size(full)),
               lambda arr: np.broadcast_to(arr, full), write=False)
    check_view(lay, lambda t: t.expandAs(D(*full)),
               lambda arr: np.broadcast_to(arr, full), write=False)
    keep = lead + (-1,) * len(shape)
    check_view(lay, lambda t: t.expand(*keep), lambda arr: np.broadcast_to(arr, lead + shape),
               write=False)


def test_expanded_view_writes_hit_one_location():
    x = D([[1.0], [2.0]])
    e = x.expand(2, 3)
    assert e.stride() == (1, 0)
    x.fill(7)
    assert e.totable() == [[7.0] * 3] * 2


@FAST
@given(data=st.data())
def test_squeeze_unsqueeze(data):
    shape = data.draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=1, max_size=4))
    a = data.draw(arrays(np.float64, tuple(shape)))
    lay = make_layout(a, data.draw(st.sampled_from(LAYOUTS)))
    nd = len(shape)

    def squeeze_all(arr):
        r = arr.squeeze()
        return r.reshape(1) if r.ndim == 0 else r   # Torch7 keeps one dimension
    check_view(lay, lambda t: t.squeeze(), squeeze_all)
    d = data.draw(st.integers(-nd, nd - 1))

    def squeeze_one(arr):
        return arr.squeeze(d) if arr.shape[d] == 1 and arr.ndim > 1 else arr
    check_view(lay, lambda t: t.squeeze(d), squeeze_one)
    u = data.draw(st.integers(0, nd))
    check_view(lay, lambda t: t.unsqueeze(u), lambda arr: np.expand_dims(arr, u))


@FAST
@given(data=st.data())
def test_split_and_chunk(data):
    lay = drawn_layout(data, max_side=7)
    nd = lay.array.ndim
    d = data.draw(st.integers(0, nd - 1))
    n = lay.array.shape[d]
    size = data.draw(st.integers(1, n + 1))
    parts = lay.tensor.split(size, d)
    starts = list(range(0, n, size))
    assert len(parts) == len(starts)
    for p, s in zip(parts, starts):
        assert p.storage() is lay.tensor.storage()
        assert_tensor(p, np.take(lay.array, range(s, min(s + size, n)), axis=d), D)
    k = data.draw(st.integers(1, n + 1))
    chunks = lay.tensor.chunk(k, d)
    per = -(-n // k)
    assert len(chunks) == len(range(0, n, per)) <= k
    assert sum(c.size(d) for c in chunks) == n
    joined = np.concatenate([c.numpy() for c in chunks], axis=d)
    assert np.array_equal(joined, lay.array)
    assert all(c.storage() is lay.tensor.storage() for c in chunks)


def test_writes_through_views_are_visible():
    x = D(3, 4)
    st = x.storage()
    x.select(0, 1).fill(1)
    x.narrow(1, 3, 1).fill(2)
    x.t().select(0, 0).fill(3)
    x.sub(2, 2, 1, 2).fill(4)
    x.view(12).narrow(0, 5, 1).fill(5)
    expected = np.zeros((3, 4))
    expected[1] = 1
    expected[:, 3] = 2
    expected[:, 0] = 3
    expected[2, 1:3] = 4
    expected.reshape(12)[5] = 5
    assert_tensor(x, expected, D)
    assert x.storage() is st
    # and a view of a view of a view still shares the one storage
    v = x.t().narrow(0, 1, 2).select(1, 2).unsqueeze(0).expand(3, 2)
    assert v.storage() is st


def test_views_of_fresh_results_share_storage():
    r = torch.exp(D([[0.0, 1.0], [2.0, 3.0]]))
    v = r.t()
    assert v.storage() is r.storage()
    v.fill(1)
    assert r.totable() == [[1.0, 1.0], [1.0, 1.0]]


def test_reshape_and_flatten():
    x = make_layout(np.arange(6.0).reshape(2, 3), 'transposed').tensor
    r = x.reshape(3, 2)
    assert r.storage() is not x.storage()       # Torch7's reshape always copies
    assert_tensor(r, np.arange(6.0).reshape(3, 2), D)
    f = x.flatten()
    assert_tensor(f, np.arange(6.0), D)
    c = make_layout(np.arange(6.0).reshape(2, 3), 'offset').tensor
    assert c.flatten().storage() is c.storage()
    with pytest.raises(ValueError, match=r'reshape a tensor of size 2 x 3 \(6 elements\) as 4'):
        x.reshape(4)


# -- bad input: clear errors, source unchanged ---------------------------------------------------
BAD_VIEWS = [
    (lambda x: x.narrow(2, 0, 1), IndexError, r'dimension 2 is out of range for a 2-D tensor'),
    (lambda x: x.narrow(0, 1, 2), IndexError,
     r'narrow: range \[1, 1\+2\) is out of bounds for dimension 0 of size 2 \(tensor size 2 x 3\)'),
    (lambda x: x.narrow(1, 0, -1), IndexError, r'out of bounds for dimension 1 of size 3'),
    (lambda x: x.select(0, 2), IndexError, r'index 2 is out of range for dimension 0 of size 2'),
    (lambda x: x.select(1, -4), IndexError, r'index -4 is out of range for dimension 1 of size 3'),
    (lambda x: x.select(-3, 0), IndexError, r'dimension -3 is out of range for a 2-D tensor'),
    (lambda x: x.select(0, 0).select(0, 0), IndexError,
     r'select needs a tensor with at least 2 dimensions'),
    (lambda x: x.sub(0, 2), IndexError,
     r'sub: range 0..2 is out of bounds for dimension 0 of size 2'),
    (lambda x: x.sub(1, 0), IndexError, r'sub: range 1..0 is out of bounds'),
    (lambda x: x.sub(0, 0, 0, 0, 0, 0), IndexError, r'sub: 3 ranges for a 2-D tensor'),
    (lambda x: x.sub(0), TypeError, r'pairs'),
    (lambda x: x.transpose(0, 2), IndexError, r'dimension 2 is out of range for a 2-D tensor'),
    (lambda x: x.view(3, 3, 1).t(), ValueError, r'cannot view a tensor of size 2 x 3 \(6 '),
    (lambda x: x.unsqueeze(0).t(), ValueError, r't\(\) expects a 2-D tensor, got size 1 x 2 x 3'),
    (lambda x: x.permute(0, 0), ValueError, r'not a permutation of the 2 dimensions'),
    (lambda x: x.permute(0), ValueError, r'not a permutation'),
    (lambda x: x.permute(0, 5), IndexError, r'dimension 5 is out of range'),
    (lambda x: x.unfold(1, 4, 1), ValueError, r'unfold: size 4 and step 1 do not fit dimension '
                                              r'1 of size 3'),
    (lambda x: x.unfold(1, 2, 0), ValueError, r'step 0'),
    (lambda x: x.view(4, 2), ValueError,
     r'view: cannot view a tensor of size 2 x 3 \(6 elements\) as 4 x 2'),
    (lambda x: x.view(-1, -1), ValueError, r'only one size can be -1'),
    (lambda x: x.view(-1, 4), ValueError, r'cannot infer the -1 in -1 x 4 for a tensor of size '
                                          r'2 x 3 \(6 elements\)'),
    (lambda x: x.expand(2, 2, 3).view(12), ValueError,
     r'size 12 is not compatible with this tensor\'s size 2 x 2 x 3 and stride 0 x \d+ x \d+; '
     r'call contiguous\(\) first'),
    (lambda x: x.view('a'), TypeError, r'view: sizes must be integers'),
    (lambda x: x.view(None), TypeError, r'view: expected integers or a sequence of sizes'),
    (lambda x: x.view(2.0, 3), TypeError, r'sizes must be integers'),
    (lambda x: x.expand(2, 4), ValueError,
     r'expanded size \(4\) must match the existing size \(3\) at non-singleton dimension 1; '
     r'tensor size 2 x 3, requested 2 x 4'),
    (lambda x: x.expand(3), ValueError, r'cannot expand size 2 x 3 to fewer dimensions'),
    (lambda x: x.expand(-1, 2, 3), ValueError, r'-1 is not allowed for a new dimension'),
    (lambda x: x.squeeze(2), IndexError, r'dimension 2 is out of range'),
    (lambda x: x.unsqueeze(3), IndexError, r'unsqueeze: dimension 3 is out of range for a '
                                         r'2-D tensor \(valid: -3 to 2\)'),
    (lambda x: x.split(0), ValueError, r'split: size must be positive, got 0'),
    (lambda x: x.chunk(0), ValueError, r'the number of chunks must be positive, got 0'),
    (lambda x: x.narrow('a', 0, 1), TypeError, r'dimension must be an integer, got str'),
]


@pytest.mark.parametrize('layout', ['contiguous', 'transposed', 'narrowed'])
@pytest.mark.parametrize('call,exc,match', BAD_VIEWS)
def test_bad_views_raise_and_leave_the_tensor_alone(call, exc, match, layout):
    lay = make_layout(np.arange(6.0).reshape(2, 3), layout)
    x = lay.tensor
    before = _geometry(x)
    with pytest.raises(exc, match=match):
        call(x)
    assert _geometry(x) == before
    assert_tensor(x, lay.array, D)
    lay.check_outside()


def test_views_of_empty_tensors():
    e = D()
    with pytest.raises(IndexError, match='the tensor is empty'):
        e.transpose(0, 1)
    with pytest.raises(IndexError, match='the tensor is empty'):
        e.narrow(0, 0, 0)
    assert e.dim() == 0


def test_view_of_a_transposed_matrix_needs_contiguous():
    x = D(2, 3)
    with pytest.raises(ValueError, match=r"view: size 6 is not compatible with this tensor's "
                                         r"size 3 x 2 and stride 1 x 3; call contiguous\(\) "
                                         r"first"):
        x.t().view(6)
    assert x.t().contiguous().view(6).size() == (6,)
