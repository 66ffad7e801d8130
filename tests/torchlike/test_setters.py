"""In-place setters (reference §1.2 C): set, copy, fill, zero, resize, resizeAs. They change the
tensor object they are called on and return it; `resize` that grows the storage keeps every
other view of that storage consistent (DESIGN §3)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike_testing import (CLASSES, FAST, LAYOUTS, WRITABLE, arrays, assert_tensor,
                               make_layout, shapes)

D, L = torch.DoubleTensor, torch.LongTensor


def _geometry(t):
    return (tuple(t.size()), tuple(t.stride()), t.storageOffset(), t.storage())


# -- set ------------------------------------------------------------------------------------------
def test_set_tensor_shares_everything():
    for name in LAYOUTS:
        src = make_layout(np.arange(6.0).reshape(2, 3), name).tensor
        x = D(5)
        assert x.set(src) is x
        assert x.storage() is src.storage()
        assert x.isSetTo(src) and src.isSetTo(x)
        assert (x.size(), x.stride(), x.storageOffset()) == \
            (src.size(), src.stride(), src.storageOffset())
        if name in WRITABLE:
            x.fill(9)
            assert src.totable() == [[9.0] * 3] * 2


def test_set_storage_forms():
    st = torch.DoubleStorage(list(range(10)))
    x = D()
    assert x.set(st) is x
    assert x.totable() == list(range(10)) and x.storage() is st
    assert x.set(st, 4).totable() == [4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    assert x.storageOffset() == 4
    x.set(st, 1, torch.Size([2, 3]))
    assert x.totable() == [[1, 2, 3], [4, 5, 6]] and x.stride() == (3, 1)
    x.set(st, 1, torch.Size([3, 2]), torch.Size([1, 3]))
    assert x.totable() == [[1, 4], [2, 5], [3, 6]] and x.storageOffset() == 1
    x.set(st, 2, 2, 0, 3, 2)                    # Torch7's (offset, size1, stride1, ...) form
    assert x.totable() == [[2, 4, 6], [2, 4, 6]] and x.stride() == (0, 2)
    x.set(st, 0, torch.LongStorage([2, 2]), torch.LongStorage([2, 1]))
    assert x.totable() == [[0, 1], [2, 3]]
    x.set(st, 3, [2])
    assert x.totable() == [3.0, 4.0]
    st[3] = 30
    assert x.totable() == [30.0, 4.0]           # a view, not a copy
    assert x.set() is x
    assert x.dim() == 0 and x.nElement() == 0


@pytest.mark.parametrize('call,exc,match', [
    (lambda x, st: x.set(torch.FloatStorage(3)), TypeError,
     r'set: cannot point a torch.DoubleTensor at a torch.FloatStorage'),
    (lambda x, st: x.set(L(3)), TypeError,
     r'cannot point a torch.DoubleTensor at a torch.LongTensor'),
    (lambda x, st: x.set([1, 2]), TypeError, r'expected a tensor or a storage, got list'),
    (lambda x, st: x.set(st, 2, torch.Size([3, 3])), ValueError,
     r'a view with offset 2, size 3 x 3 and stride 3 x 1 needs 11 elements, but the storage '
     r'has 10'),
    (lambda x, st: x.set(st, 11), ValueError, r'storage offset 11 is out of range for a storage '
                                              r'of size 10'),
    (lambda x, st: x.set(st, -1, torch.Size([2])), ValueError, r'storage offset -1'),
    (lambda x, st: x.set(st, 0, torch.Size([2, 2]), torch.Size([1])), ValueError,
     r'got 2 sizes \(2 x 2\) but 1 strides \(1\)'),
    (lambda x, st: x.set(st, 0, torch.Size([2]), torch.Size([-1])), ValueError,
     r'strides must be non-negative'),
    (lambda x, st: x.set(st, 0, torch.Size([-2])), ValueError, r'sizes must be non-negative'),
    (lambda x, st: x.set(st, 0, 2, 1, 3), TypeError, r'needs a stride for every size'),
    (lambda x, st: x.set(st, 1.5), TypeError, r'storage offset must be an integer, got float'),
    (lambda x, st: x.set(x, x), TypeError, r'set\(tensor\) takes no further arguments'),
])
def test_bad_set_leaves_the_tensor_alone(call, exc, match):
    st = torch.DoubleStorage(10)
    lay = make_layout(np.arange(6.0).reshape(2, 3), 'narrowed')
    x = lay.tensor
    before = _geometry(x)
    with pytest.raises(exc, match=match):
        call(x, st)
    assert _geometry(x) == before
    assert_tensor(x, lay.array, D)


# -- copy, fill, zero -----------------------------------------------------------------------------
@FAST
@given(data=st.data())
def test_copy_between_layouts_and_types(data):
    shape = data.draw(shapes())
    a = data.draw(arrays(np.float64, shape, -50, 50))
    src = make_layout(a, data.draw(st.sampled_from(LAYOUTS)))
    dst_cls = data.draw(st.sampled_from([D, torch.FloatTensor, L, torch.IntTensor]))
    dst = make_layout(np.zeros(shape), data.draw(st.sampled_from(WRITABLE)), dst_cls)
    before = _geometry(dst.tensor)
    assert dst.tensor.copy(src.tensor) is dst.tensor
    assert _geometry(dst.tensor) == before
    assert_tensor(dst.tensor, src.array.astype(dst_cls._dtype), dst_cls, rtol=1e-6)
    dst.check_outside()
    assert_tensor(src.tensor, src.array, D)


def test_copy_same_element_count_other_shape_is_row_major():
    x = D(2, 3)
    x.copy(D([[1, 2], [3, 4], [5, 6]]))
    assert x.totable() == [[1, 2, 3], [4, 5, 6]]
    x.t().copy(D([1, 2, 3, 4, 5, 6]))
    assert x.totable() == [[1, 3, 5], [2, 4, 6]]


def test_copy_from_numpy_list_and_broadcast():
    x = D(2, 2)
    x.copy(np.array([[1, 2], [3, 4]]))
    assert x.totable() == [[1, 2], [3, 4]]
    x.copy([[5, 6], [7, 8]])
    assert x.totable() == [[5, 6], [7, 8]]
    x.copy(D([1, 2]))                      # broadcastable
    assert x.totable() == [[1, 2], [1, 2]]


def test_copy_float_to_integer_truncates():
    x = L(4)
    x.copy(D([1.7, -1.7, 2.5, -0.5]))
    assert x.totable() == [1, -1, 2, 0]


def test_copy_size_mismatch():
    lay = make_layout(np.arange(6.0).reshape(2, 3), 'narrowed')
    x = lay.tensor
    with pytest.raises(ValueError, match=r'copy: cannot copy a tensor of size 4 \(4 elements\) '
                                         r'into one of size 2 x 3 \(6 elements\)'):
        x.copy(D(4))
    assert_tensor(x, lay.array, D)
    lay.check_outside()


@pytest.mark.parametrize('cls', CLASSES)
@pytest.mark.parametrize('layout', WRITABLE)
def test_fill_and_zero(cls, layout):
    lay = make_layout(np.arange(1, 7).reshape(3, 2), layout, cls)
    x = lay.tensor
    before = _geometry(x)
    assert x.fill(5) is x
    assert_tensor(x, np.full((3, 2), 5), cls)
    lay.check_outside()
    assert x.zero() is x
    assert_tensor(x, np.zeros((3, 2)), cls)
    assert _geometry(x) == before
    lay.check_outside()


def test_fill_through_a_view():
    x = D(3, 3)
    x.narrow(1, 1, 1).fill(2)
    x.select(0, 2).zero()
    assert x.totable() == [[0, 2, 0], [0, 2, 0], [0, 0, 0]]


# -- resize -------------------------------------------------------------------------------------
def test_resize_shrinks_without_touching_the_storage():
    x = D([[1, 2, 3], [4, 5, 6]])
    st = x.storage()
    data = st.numpy()
    assert x.resize(2, 2) is x
    assert x.totable() == [[1, 2], [3, 4]]           # the storage's flat order
    assert x.storage() is st and len(st) == 6 and st.numpy() is data
    x.resize(6)
    assert x.totable() == [1, 2, 3, 4, 5, 6]


def test_resize_keeps_the_storage_offset():
    lay = make_layout(np.arange(4.0), 'offset')
    x = lay.tensor
    st = x.storage()
    x.resize(2, 2)
    assert x.storageOffset() == 5 and x.storage() is st
    assert x.totable() == [[0, 1], [2, 3]]


def test_resize_of_a_non_contiguous_tensor_makes_it_contiguous():
    x = D([[1, 2, 3], [4, 5, 6]]).t()
    assert not x.isContiguous()
    assert x.resize(3, 2) is x
    assert x.isContiguous() and x.stride() == (2, 1)
    assert x.totable() == [[1, 2], [3, 4], [5, 6]]


def test_resize_same_size_contiguous_is_a_no_op():
    x = D([[1, 2], [3, 4]])
    before = _geometry(x)
    x.resize(torch.Size([2, 2]))
    x.resizeAs(D(2, 2))
    x.resize(torch.LongStorage([2, 2]))
    assert _geometry(x) == before and x.totable() == [[1, 2], [3, 4]]


def test_resize_grows_the_storage_and_keeps_other_views_consistent():
    x = D([[1, 2, 3], [4, 5, 6]])
    st = x.storage()
    row = x.select(0, 1)                      # views made before the resize
    col = x.narrow(1, 2, 1)
    flat = D(st)
    assert x.resize(4, 5) is x
    assert x.storage() is st and len(st) == 20
    assert x.totable()[0] == [1, 2, 3, 4, 5]   # old contents first, in flat order
    # every old view now sees the new buffer: writes either way are visible
    x.fill(0)
    assert row.totable() == [0, 0, 0] and col.totable() == [[0], [0]]
    row.fill(8)
    assert x.totable()[0] == [0, 0, 0, 8, 8]
    assert flat.nElement() == 6                # a view keeps its own size
    flat.fill(1)
    assert x.totable()[0] == [1, 1, 1, 1, 1] and x.totable()[1][0] == 1
    for v in (row, col, flat):
        assert v.storage() is x.storage()
    assert st.numpy()[3] == 1


def test_resize_of_a_view_grows_the_shared_storage():
    base = D([1, 2, 3, 4])
    tail = base.narrow(0, 2, 2)
    tail.resize(5)                             # needs 2 + 5 elements: the storage grows
    assert len(base.storage()) == 7 and tail.storage() is base.storage()
    assert tail.storageOffset() == 2
    tail.fill(9)
    assert base.totable() == [1, 2, 9, 9]


def test_view_that_no_longer_fits_a_shrunk_storage():
    x = D([1, 2, 3, 4, 5, 6])
    v = x.narrow(0, 3, 3)
    x.storage().resize(4)
    with pytest.raises(RuntimeError, match=r'size 3, storage offset 3\) no longer fits its '
                                           r'storage, which was resized to 4 elements'):
        v.totable()


def test_resize_as():
    x = D(3)
    assert x.resizeAs(L(2, 4)) is x
    assert x.size() == (2, 4)


@pytest.mark.parametrize('call,exc,match', [
    (lambda x: x.resize(-1, 2), ValueError, r'resize: sizes must be non-negative, got -1 x 2'),
    (lambda x: x.resize('a'), TypeError, r'resize: sizes must be integers'),
    (lambda x: x.resize(2.5), TypeError, r'resize: expected integers or a sequence'),
    (lambda x: x.resizeAs(3), AttributeError, r''),
])
def test_bad_resize_leaves_the_tensor_alone(call, exc, match):
    lay = make_layout(np.arange(6.0).reshape(2, 3), 'transposed')
    x = lay.tensor
    before = _geometry(x)
    with pytest.raises(exc, match=match):
        call(x)
    assert _geometry(x) == before
    assert_tensor(x, lay.array, D)


def test_resize_to_empty_and_back():
    x = D([1, 2, 3])
    x.resize(0)
    assert x.nElement() == 0 and x.dim() == 0
    x.resize(3)
    assert x.totable() == [1, 2, 3]      # the storage kept its contents


def test_copy_from_an_overlapping_view():
    a = np.arange(9.0).reshape(3, 3)
    x = D(a)
    x.copy(x.t())
    assert_tensor(x, a.T, D)
    y = D(np.arange(5.0))
    y.narrow(0, 1, 4).copy(y.narrow(0, 0, 4))
    assert y.totable() == [0, 0, 1, 2, 3]
