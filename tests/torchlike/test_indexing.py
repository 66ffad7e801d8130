"""The `[]` operator and the index/mask operations, against numpy, in every memory layout.

Semantics under test (docs/tensor.md "Views and indexing", DESIGN §2b): indices are 0-based;
`x[i]` on a 1-D tensor is a Python number; integers/slices/None/... give views; LongTensors,
lists and ByteTensor masks give copies; index/gather/maskedSelect/nonzero return new tensors
while indexCopy/indexFill/indexAdd/scatter/maskedFill/maskedCopy write in place; bad input
raises a clear error before anything is written.
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike_testing import (FAST, LAYOUTS, WRITABLE, arrays, assert_tensor, layouts,
                               make_layout, shapes)


def long(values):
    return torch.LongTensor(np.asarray(values, np.int64))


def byte(mask):
    return torch.ByteTensor(np.asarray(mask, np.uint8))


def check(t, expected, cls=None):
    """assert_tensor, where an empty expected result is an empty tensor (no dimensions)."""
    expected = np.asarray(expected)
    if expected.size == 0:
        assert isinstance(t, torch.Tensor) and t.nElement() == 0 and t.dim() == 0
        assert cls is None or type(t) is cls
    else:
        assert_tensor(t, expected, cls)


def snapshot(t):
    return np.array(t.numpy(), copy=True)


def assert_unchanged(t, before):
    np.testing.assert_array_equal(t.numpy(), before)


def shares(t, x):
    return t.storage() is x.storage()


# -- random keys ------------------------------------------------------------------------------
@st.composite
def basic_keys(draw, shape):
    """A tuple of ints, slices (positive steps), None and at most one Ellipsis for `shape`."""
    n_used = draw(st.integers(0, len(shape)))
    trailing = draw(st.booleans())  # keys for the last dims after an Ellipsis, or the first dims
    dims = shape[len(shape) - n_used:] if trailing else shape[:n_used]
    parts = []
    for n in dims:
        kind = draw(st.sampled_from(['int', 'slice', 'all']))
        if kind == 'int':
            parts.append(draw(st.integers(-n, n - 1)))
        elif kind == 'slice':
            bound = st.none() | st.integers(-n - 2, n + 2)
            parts.append(slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, 3]))))
        else:
            parts.append(slice(None))
    if trailing:
        parts.insert(0, Ellipsis)
    elif draw(st.booleans()):
        parts.append(Ellipsis)
    for _ in range(draw(st.integers(0, 2))):
        parts.insert(draw(st.integers(0, len(parts))), None)
    if len(parts) == 1 and draw(st.booleans()):
        return parts[0]
    return tuple(parts)


# -- x[...] reads -------------------------------------------------------------------------------
@pytest.mark.parametrize('cls, pytype', [(torch.DoubleTensor, float), (torch.FloatTensor, float),
                                         (torch.LongTensor, int), (torch.ByteTensor, int)])
def test_integer_on_1d_is_a_python_number(cls, pytype):
    for lay in layouts(np.array([3, 1, 4, 1, 5]), cls):
        x = lay.tensor
        for i in range(-5, 5):
            v = x[i]
            assert type(v) is pytype
            assert v == lay.array[i]


def test_integer_on_nd_selects_a_view_along_dim0():
    for lay in layouts(np.arange(24.).reshape(2, 3, 4)):
        x = lay.tensor
        for i in (0, 1, -1, -2):
            r = x[i]
            assert_tensor(r, lay.array[i], torch.DoubleTensor)
            assert shares(r, x)
        assert x[1, 2, 3] == lay.array[1, 2, 3]
        assert type(x[-1, -1, -1]) is float


def test_element_write_through_view():
    x = torch.DoubleTensor(np.arange(6.).reshape(2, 3))
    x[1][2] = 50
    x[0, 1] = 10
    np.testing.assert_array_equal(x.numpy(), [[0, 10, 2], [3, 4, 50]])


@given(st.data())
@FAST
def test_basic_keys_match_numpy_and_share_storage(data):
    shape = data.draw(shapes(1, 3, 4))
    a = data.draw(arrays(np.float64, shape))
    lay = make_layout(a, data.draw(st.sampled_from(LAYOUTS)))
    key = data.draw(basic_keys(shape))
    expected = lay.array[key]
    r = lay.tensor[key]
    if np.ndim(expected) == 0:
        assert type(r) is float and r == expected
    elif expected.size == 0:
        assert type(r) is torch.DoubleTensor and r.nElement() == 0 and r.dim() == 0
    else:
        assert_tensor(r, expected, torch.DoubleTensor)
        assert shares(r, lay.tensor)


def test_slices_ellipsis_none():
    for lay in layouts(np.arange(60.).reshape(3, 4, 5)):
        x, a = lay.tensor, lay.array
        for key in [slice(1, None), (slice(None), slice(1, 3)), (Ellipsis, 2), (None, 0),
                    (0, None, slice(None, None, 2)), (Ellipsis, None), (slice(-2, None), Ellipsis, 1),
                    (1, slice(0, 3, 2), -1), slice(5, 10)]:
            r = x[key]
            check(r, a[key])


def test_long_tensor_index_is_index_along_dim0_and_a_copy():
    for lay in layouts(np.arange(12.).reshape(4, 3)):
        x, a = lay.tensor, lay.array
        idx = long([3, 0, 3, 1])
        r = x[idx]
        assert_tensor(r, a[[3, 0, 3, 1]], torch.DoubleTensor)
        assert_tensor(r, x.index(0, idx).numpy())
        r.fill(-1)
        assert_tensor(x, a)


def test_byte_mask_is_masked_select():
    a = np.arange(12.).reshape(3, 4)
    m = (a % 3 == 1)
    for lay in layouts(a):
        x = lay.tensor
        r = x[byte(m)]
        assert_tensor(r, lay.array[m], torch.DoubleTensor)
        # the same number of elements in another shape is accepted (Torch7's rule)
        assert_tensor(x[byte(m.reshape(-1))], lay.array[m])
        r.fill(-1)
        assert_tensor(x, lay.array)


def test_lists_and_mixed_tuples_use_advanced_indexing():
    a = np.arange(60.).reshape(3, 4, 5)
    for lay in layouts(a):
        x, e = lay.tensor, lay.array
        cases = [([2, 0], [2, 0]), ((1, [0, 3]), (1, [0, 3])),
                 ((slice(None), long([3, 1])), (slice(None), [3, 1])),
                 ((long([0, 2]), slice(1, 3), 4), ([0, 2], slice(1, 3), 4)),
                 ((byte([1, 0, 1]), 0), (np.array([True, False, True]), 0)),
                 ((Ellipsis, [4, 4, 0]), (Ellipsis, [4, 4, 0])),
                 (([0, 1], [1, 2], [2, 3]), ([0, 1], [1, 2], [2, 3]))]
        for key, nkey in cases:
            r = x[key]
            assert_tensor(r, e[nkey], torch.DoubleTensor)
            r.fill(-7)
            assert_tensor(x, e)  # a copy


def test_empty_list_index():
    x = torch.DoubleTensor(np.arange(6.).reshape(2, 3))
    assert x[[]].nElement() == 0


# -- x[...] reads: bad input --------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(3,), (3, 2)])
def test_integer_out_of_range_names_index_and_range(shape):
    x = torch.DoubleTensor(*shape)
    for i in (3, -4, 100):
        with pytest.raises(IndexError) as e:
            x[i]
        assert str(i) in str(e.value) and '-3 to 2' in str(e.value)


def test_bad_keys_raise_clear_errors():
    x = torch.DoubleTensor(np.arange(12.).reshape(3, 4))
    before = snapshot(x)
    with pytest.raises(IndexError, match='step'):
        x[::-1]
    with pytest.raises(IndexError, match='step'):
        x[:, 3:0:-2]
    with pytest.raises(IndexError, match='step'):
        x[::0]
    with pytest.raises(TypeError, match='LongTensor'):
        x[torch.DoubleTensor([0, 1])]
    with pytest.raises(TypeError, match='LongTensor'):
        x[[0.5, 1.0]]
    with pytest.raises(TypeError):
        x['a']
    with pytest.raises(IndexError, match='out of range'):
        x[long([0, 3])]
    with pytest.raises(IndexError) as e:
        x[long([1, 7])]
    assert '7' in str(e.value) and '\n' not in str(e.value)
    with pytest.raises(IndexError):
        x[1, 2, 0]
    with pytest.raises(IndexError):
        x[0, 4]
    with pytest.raises(ValueError, match='mask'):
        x[byte([1, 0, 1])]
    with pytest.raises(TypeError, match='ByteTensor'):
        x.maskedSelect(torch.DoubleTensor(12))
    assert_unchanged(x, before)


# -- x[...] = value -----------------------------------------------------------------------------
def _assign_cases(a):
    """(torch key, numpy key) pairs covering every kind of key, for a 3 x 4 array."""
    m = (a > 5)
    return [(1, 1), (-1, -1), ((2, 3), (2, 3)), ((-1, -4), (-1, -4)),
            (slice(1, 3), slice(1, 3)), ((slice(None), slice(0, 4, 2)), (slice(None), slice(0, 4, 2))),
            (Ellipsis, Ellipsis), ((Ellipsis, 1), (Ellipsis, 1)), ((None, 1), (None, 1)),
            (long([2, 0]), [2, 0]), ((slice(None), long([3, 1])), (slice(None), [3, 1])),
            ([0, 2], [0, 2]), ((1, [0, 3]), (1, [0, 3])),
            (byte(m), m), ((byte([1, 0, 1]), slice(1, 3)), (np.array([True, False, True]), slice(1, 3)))]


def test_assign_numbers_through_every_key():
    a = np.arange(12.).reshape(3, 4)
    for key, nkey in _assign_cases(a):
        for lay in layouts(a, names=WRITABLE):
            e = lay.array.copy()
            e[nkey] = -3.5
            lay.tensor[key] = -3.5
            assert_tensor(lay.tensor, e)
            lay.check_outside()


def test_assign_tensors_broadcast_and_same_count():
    a = np.arange(12.).reshape(3, 4)
    for lay in layouts(a, names=WRITABLE):
        x = lay.tensor
        e = lay.array.copy()
        row = torch.DoubleTensor([10, 20, 30, 40])
        x[1:3] = row                                 # broadcast a row over two rows
        e[1:3] = [10, 20, 30, 40]
        assert_tensor(x, e)
        x[:, 1:3] = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])   # 6 values, other shape: copy
        e[:, 1:3] = np.array([[1, 2, 3], [4, 5, 6]]).reshape(3, 2)
        assert_tensor(x, e)
        x[0] = torch.DoubleTensor([[7], [8], [9], [6]])         # 4 x 1 into a 4-vector
        e[0] = [7, 8, 9, 6]
        assert_tensor(x, e)
        x[long([2, 0])] = torch.LongTensor([[1, 1, 1, 1], [2, 2, 2, 2]])  # other type: converted
        e[[2, 0]] = [[1, 1, 1, 1], [2, 2, 2, 2]]
        assert_tensor(x, e)
        lay.check_outside()


@pytest.mark.parametrize('name', LAYOUTS)
def test_assign_from_any_layout(name):
    src = make_layout(np.arange(8.).reshape(2, 4) * 3, name)
    x = torch.DoubleTensor(3, 2, 4)
    x[1] = src.tensor
    e = np.zeros((3, 2, 4))
    e[1] = src.array
    assert_tensor(x, e)


def test_assign_with_mask_fills_or_copies():
    a = np.arange(6.).reshape(2, 3)
    m = np.array([[1, 0, 1], [0, 1, 0]], bool)
    for lay in layouts(a, names=WRITABLE):
        x = lay.tensor
        x[byte(m)] = 9
        e = lay.array.copy()
        e[m] = 9
        assert_tensor(x, e)
        x[byte(m)] = torch.DoubleTensor([-1, -2, -3, -4])   # extra source elements unused
        e[m] = [-1, -2, -3]
        assert_tensor(x, e)
        lay.check_outside()


def test_assign_a_one_element_tensor_to_an_element():
    x = torch.DoubleTensor([1, 2, 3])
    x[0] = torch.DoubleTensor([5])
    y = torch.DoubleTensor([[1, 2], [3, 4]])
    y[0, 1] = torch.DoubleTensor([[7]])
    assert_tensor(x, [5, 2, 3])
    assert_tensor(y, [[1, 7], [3, 4]])
    with pytest.raises(ValueError, match='size 2 to an indexed region of a single element'):
        y[1, 1] = torch.DoubleTensor([8, 9])
    assert_tensor(y, [[1, 7], [3, 4]])


def test_assign_overlapping_self():
    x = torch.DoubleTensor([0, 1, 2, 3, 4])
    x[1:] = x[:-1]
    np.testing.assert_array_equal(x.numpy(), [0, 0, 1, 2, 3])


def test_bad_assignments_leave_the_tensor_unchanged():
    x = torch.DoubleTensor(np.arange(12.).reshape(3, 4))
    before = snapshot(x)
    with pytest.raises(IndexError, match='-3 to 2'):
        x[3] = 1
    with pytest.raises(IndexError):
        x[0, 4] = 1
    with pytest.raises(IndexError, match='step'):
        x[::-1] = 1
    with pytest.raises(TypeError):
        x[torch.FloatTensor([1])] = 1
    with pytest.raises(IndexError):
        x[long([0, 5])] = 1
    with pytest.raises(ValueError, match='size'):
        x[0] = torch.DoubleTensor([1, 2, 3])
    with pytest.raises(ValueError, match='size'):
        x[1:3] = torch.DoubleTensor(5)
    with pytest.raises(ValueError, match='mask'):
        x[byte([1, 1])] = 0
    with pytest.raises(ValueError, match='mask'):
        x[byte([1] * 13)] = torch.DoubleTensor(13)
    with pytest.raises(ValueError, match='only 1'):
        x[byte([1] * 12)] = torch.DoubleTensor([5])
    assert_unchanged(x, before)


# -- index / indexCopy / indexFill / indexAdd --------------------------------------------------
def _index_forms(x, d, idx):
    """Every form of index; each must give the same new tensor and leave x alone."""
    res = torch.DoubleTensor(7)
    out = [x.index(d, idx), torch.index(x, d, idx)]
    r = res.index(x, d, idx)
    assert r is res
    out.append(res)
    res2 = torch.DoubleTensor(1, 1)
    assert torch.index(res2, x, d, idx) is res2
    out.append(res2)
    return out


@given(st.data())
@FAST
def test_index_matches_numpy_take(data):
    shape = data.draw(shapes(1, 3, 4))
    lay = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(LAYOUTS)))
    d = data.draw(st.integers(0, len(shape) - 1))
    idx = data.draw(st.lists(st.integers(0, shape[d] - 1), min_size=1, max_size=5))
    before = snapshot(lay.tensor)
    for r in _index_forms(lay.tensor, d, long(idx)):
        assert_tensor(r, np.take(lay.array, idx, axis=d))
        assert not shares(r, lay.tensor)
    assert_unchanged(lay.tensor, before)
    # a negative dimension counts from the end; a list works as the index
    assert_tensor(lay.tensor.index(d - len(shape), idx), np.take(lay.array, idx, axis=d))


def test_index_result_keeps_type():
    x = torch.IntTensor([[1, 2], [3, 4]])
    r = x.index(1, long([1, 1, 0]))
    assert_tensor(r, [[2, 2, 1], [4, 4, 3]], torch.IntTensor)


@pytest.mark.parametrize('dim', [0, 1, -1])
def test_index_copy_fill_add_in_place(dim):
    a = np.arange(12.).reshape(3, 4)
    d = dim % 2
    idx = [2, 0] if d == 0 else [3, 1]
    src_shape = (2, 4) if d == 0 else (3, 2)
    src = np.arange(6. if d else 8.).reshape(src_shape) + 100
    for lay in layouts(a, names=WRITABLE):
        x = lay.tensor
        assert x.indexCopy(dim, long(idx), torch.DoubleTensor(src)) is x
        e = lay.array.copy()
        sl = [slice(None)] * 2
        sl[d] = idx
        e[tuple(sl)] = src
        assert_tensor(x, e)
        assert x.indexFill(dim, long(idx[:1]), -1) is x
        sl[d] = idx[:1]
        e[tuple(sl)] = -1
        assert_tensor(x, e)
        lay.check_outside()


def test_index_add_accumulates_duplicates():
    for lay in layouts(np.ones((4, 3)), names=WRITABLE):
        x = lay.tensor
        src = torch.DoubleTensor([[1, 2, 3], [10, 20, 30], [100, 200, 300]])
        assert x.indexAdd(0, long([2, 0, 2]), src) is x
        e = np.ones((4, 3))
        e[2] += [101, 202, 303]
        e[0] += [10, 20, 30]
        assert_tensor(x, e)
        x.indexAdd(1, long([1, 1]), torch.DoubleTensor(np.ones((4, 2))))
        e[:, 1] += 2
        assert_tensor(x, e)
        lay.check_outside()


def test_index_copy_source_with_same_count_other_shape():
    x = torch.DoubleTensor(3, 2)
    x.indexCopy(0, long([1, 2]), torch.DoubleTensor([1, 2, 3, 4]))
    np.testing.assert_array_equal(x.numpy(), [[0, 0], [1, 2], [3, 4]])


def test_index_ops_bad_input_leaves_tensor_unchanged():
    x = torch.DoubleTensor(np.arange(12.).reshape(3, 4))
    before = snapshot(x)
    for call in (lambda: x.index(0, long([0, 3])), lambda: x.indexCopy(0, long([3]), torch.DoubleTensor(1, 4)),
                 lambda: x.indexFill(1, long([0, 4]), 1), lambda: x.indexAdd(0, long([-4]), torch.DoubleTensor(1, 4))):
        with pytest.raises(IndexError) as e:
            call()
        assert 'valid' in str(e.value) and ('3' in str(e.value) or '4' in str(e.value))
    with pytest.raises(IndexError, match='index 4 is out of range for dimension 1 of size 4'):
        x.indexFill(1, long([4]), 0)
    with pytest.raises(IndexError, match='dimension 2'):
        x.index(2, long([0]))
    with pytest.raises(IndexError, match='dimension'):
        x.indexFill(-3, long([0]), 0)
    with pytest.raises(TypeError, match='LongTensor'):
        x.index(0, torch.DoubleTensor([0]))
    with pytest.raises(TypeError, match='LongTensor'):
        x.indexFill(0, torch.FloatTensor([1]), 0)
    with pytest.raises(ValueError, match='2 x 4'):
        x.indexCopy(0, long([0, 1]), torch.DoubleTensor(3, 4))
    with pytest.raises(ValueError, match='2 x 4'):
        x.indexAdd(0, long([0, 1]), torch.DoubleTensor(5))
    assert_unchanged(x, before)


# -- gather / scatter ----------------------------------------------------------------------------
def gather_reference(a, d, idx):
    out = np.empty(idx.shape, a.dtype)
    for pos in np.ndindex(*idx.shape):
        src = list(pos)
        src[d] = idx[pos]
        out[pos] = a[tuple(src)]
    return out


def scatter_reference(a, d, idx, src):
    out = a.copy()
    for pos in np.ndindex(*idx.shape):
        dst = list(pos)
        dst[d] = idx[pos]
        out[tuple(dst)] = src[pos] if isinstance(src, np.ndarray) else src
    return out


@st.composite
def gather_case(draw):
    shape = draw(shapes(1, 3, 4))
    d = draw(st.integers(0, len(shape) - 1))
    ishape = tuple(draw(st.integers(1, 4)) if k == d else draw(st.integers(1, n))
                   for k, n in enumerate(shape))
    idx = draw(arrays(np.int64, ishape, 0, shape[d] - 1))
    return shape, d, idx


@given(gather_case(), st.data())
@FAST
def test_gather_matches_reference(case, data):
    shape, d, idx = case
    lay = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(LAYOUTS)))
    x = lay.tensor
    expected = gather_reference(lay.array, d, idx)
    before = snapshot(x)
    res = torch.DoubleTensor(2)
    res2 = torch.DoubleTensor()
    results = [x.gather(d, long(idx)), torch.gather(x, d, long(idx)), res.gather(x, d, long(idx)),
               torch.gather(res2, x, d, long(idx))]
    assert results[2] is res and results[3] is res2
    for r in results:
        assert_tensor(r, expected)
        assert not shares(r, x)
    assert_unchanged(x, before)


@given(gather_case(), st.data())
@FAST
def test_scatter_matches_reference(case, data):
    shape, d, idx = case
    # distinct targets per line, so that the result does not depend on the write order
    idx = np.argsort(data.draw(arrays(np.float64, shape)), axis=d, kind='stable')
    cut = data.draw(st.integers(1, shape[d]))
    idx = np.take(idx, range(cut), axis=d)
    lay = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(WRITABLE)))
    src = data.draw(arrays(np.float64, idx.shape)) + 100
    x = lay.tensor
    e = scatter_reference(lay.array, d, idx, src)
    assert x.scatter(d, long(idx), torch.DoubleTensor(src)) is x
    assert_tensor(x, e)
    assert x.scatter(d, long(idx), -5.0) is x
    assert_tensor(x, scatter_reference(e, d, idx, -5.0))
    lay.check_outside()


def test_scatter_with_a_larger_source_uses_its_leading_part():
    x = torch.DoubleTensor(2, 3)
    src = torch.DoubleTensor(np.arange(12.).reshape(3, 4))
    x.scatter(0, long([[1, 0, 1]]), src)
    np.testing.assert_array_equal(x.numpy(), [[0, 1, 0], [0, 0, 2]])


def test_gather_scatter_bad_input():
    x = torch.DoubleTensor(np.arange(6.).reshape(2, 3))
    before = snapshot(x)
    with pytest.raises(IndexError, match='index 2 is out of range for dimension 0 of size 2'):
        x.gather(0, long([[0, 2, 1]]))
    with pytest.raises(IndexError, match='index 2 is out of range'):
        x.scatter(0, long([[0, 2, 1]]), 7)
    with pytest.raises(ValueError, match='dimensions'):
        x.gather(1, long([0, 1]))
    with pytest.raises(ValueError, match='dimensions'):
        x.scatter(1, long([0, 1]), 1)
    with pytest.raises(ValueError, match='exceeds'):
        x.gather(1, long([[0], [1], [0]]))
    with pytest.raises(ValueError, match='exceeds'):
        x.scatter(1, long([[0], [1], [0]]), 1)
    with pytest.raises(ValueError, match='smaller'):
        x.scatter(1, long([[0, 1], [1, 0]]), torch.DoubleTensor(2, 1))
    with pytest.raises(TypeError, match='LongTensor'):
        x.gather(1, torch.DoubleTensor([[0.0]]))
    with pytest.raises(IndexError, match='dimension'):
        x.scatter(2, long([[0]]), 1)
    assert_unchanged(x, before)


# -- maskedSelect / maskedFill / maskedCopy -----------------------------------------------------
@given(st.data())
@FAST
def test_masked_ops_match_numpy(data):
    shape = data.draw(shapes(1, 3, 4))
    a = data.draw(arrays(np.float64, shape))
    m = data.draw(arrays(np.uint8, shape, 0, 1)).astype(bool)
    name = data.draw(st.sampled_from(WRITABLE))
    lay = make_layout(a, name)
    x = lay.tensor
    mask = byte(m)
    # maskedSelect: all forms, new tensors, x untouched; the mask may be flat
    res = torch.DoubleTensor(3)
    res2 = torch.DoubleTensor()
    for r in (x.maskedSelect(mask), torch.maskedSelect(x, mask), res.maskedSelect(x, mask),
              torch.maskedSelect(res2, x, mask), x.maskedSelect(byte(m.reshape(-1)))):
        check(r, lay.array[m])
    check(res, lay.array[m])
    check(res2, lay.array[m])
    assert_tensor(x, lay.array)
    # maskedFill in place
    e = lay.array.copy()
    e[m] = -9
    assert x.maskedFill(mask, -9) is x
    assert_tensor(x, e)
    # maskedCopy takes source elements in order
    k = int(m.sum())
    src = np.arange(k + 2.) + 50
    e[m] = src[:k]
    assert x.maskedCopy(mask, torch.DoubleTensor(src)) is x
    assert_tensor(x, e)
    lay.check_outside()


def test_mask_given_as_another_integer_type():
    x = torch.DoubleTensor([1, 2, 3])
    assert_tensor(x.maskedSelect(torch.LongTensor([0, 1, 1])), [2, 3])


def test_masked_ops_bad_input_leave_tensor_unchanged():
    x = torch.DoubleTensor(np.arange(6.).reshape(2, 3))
    before = snapshot(x)
    with pytest.raises(ValueError, match='2 x 3'):
        x.maskedFill(byte([1, 0]), 1)
    with pytest.raises(ValueError, match='mask'):
        x.maskedCopy(byte([1, 0, 1, 1]), torch.DoubleTensor(6))
    with pytest.raises(ValueError, match='selects 4'):
        x.maskedCopy(byte([1, 1, 0, 1, 1, 0]), torch.DoubleTensor(3))
    with pytest.raises(ValueError, match='mask'):
        x.maskedSelect(byte([1] * 7))
    with pytest.raises(TypeError, match='ByteTensor'):
        x.maskedFill(torch.DoubleTensor(6), 0)
    assert_unchanged(x, before)


# -- nonzero / repeatTensor -----------------------------------------------------------------------
@given(st.data())
@FAST
def test_nonzero_matches_argwhere(data):
    shape = data.draw(shapes(1, 3, 4))
    a = data.draw(arrays(np.float64, shape, -1, 1)).round()
    lay = make_layout(a, data.draw(st.sampled_from(LAYOUTS)))
    x = lay.tensor
    expected = np.argwhere(lay.array)
    res = torch.LongTensor(4)
    res2 = torch.LongTensor()
    outs = [x.nonzero(), torch.nonzero(x), res.nonzero(x), torch.nonzero(res2, x)]
    assert outs[2] is res and outs[3] is res2
    for r in outs:
        assert type(r) is torch.LongTensor
        if expected.size:
            assert_tensor(r, expected)
        else:
            assert r.nElement() == 0
    assert_tensor(x, lay.array)


def test_nonzero_is_zero_based_and_long_for_any_type():
    x = torch.ByteTensor([[0, 3], [5, 0]])
    assert_tensor(x.nonzero(), [[0, 1], [1, 0]], torch.LongTensor)


@pytest.mark.parametrize('reps', [(2,), (1, 3), (2, 2), (2, 1, 3)])
def test_repeat_tensor_matches_tile(reps):
    for lay in layouts(np.arange(6.).reshape(2, 3)):
        if len(reps) < 2:
            with pytest.raises(ValueError, match='repetition'):
                lay.tensor.repeatTensor(*reps)
            continue
        expected = np.tile(lay.array, reps)
        res = torch.DoubleTensor(1)
        for r in (lay.tensor.repeatTensor(*reps), lay.tensor.repeatTensor(torch.LongStorage(list(reps))),
                  torch.repeatTensor(lay.tensor, *reps), torch.repeatTensor(res, lay.tensor, *reps)):
            assert_tensor(r, expected, torch.DoubleTensor)
            assert not shares(r, lay.tensor)
        assert_tensor(res, expected)
    one_d = torch.IntTensor([1, 2])
    assert_tensor(one_d.repeatTensor(3, 2), np.tile([1, 2], (3, 2)), torch.IntTensor)
