"""Construction (reference §1.2 A), size/structure queries (B), copies, conversions to and from
numpy. Storage offsets and dimensions are 0-based."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike_testing import (CLASSES, FAST, LAYOUTS, arrays, assert_tensor, layouts,
                               make_layout, shapes)

D, F, L = torch.DoubleTensor, torch.FloatTensor, torch.LongTensor


# -- constructors ------------------------------------------------------------------------------
@pytest.mark.parametrize('cls', CLASSES)
def test_sizes_give_zeros(cls):
    for args, shape in (((2, 3), (2, 3)), ((4,), (4,)), ((1, 2, 3, 4, 5), (1, 2, 3, 4, 5)),
                        ((torch.Size([3, 2]),), (3, 2))):
        x = cls(*args)
        assert type(x) is cls and x.type() == cls._typename
        assert_tensor(x, np.zeros(shape), cls)
        assert x.isContiguous() and x.storageOffset() == 0
        assert len(x.storage()) == int(np.prod(shape))


def test_long_storage_of_sizes():
    x = D(torch.LongStorage([2, 3]))
    assert x.size() == (2, 3) and x.totable() == [[0] * 3] * 2
    # Torch7's quirk: a LongTensor built from a LongStorage views it
    st = torch.LongStorage([2, 3])
    y = L(st)
    assert y.storage() is st and y.totable() == [2, 3]


def test_sizes_with_strides():
    x = D(torch.LongStorage([2, 3]), torch.LongStorage([0, 1]))
    assert x.size() == (2, 3) and x.stride() == (0, 1) and len(x.storage()) == 3
    x.storage()[1] = 5
    assert x.totable() == [[0, 5, 0], [0, 5, 0]]
    y = D(torch.LongStorage([2, 3]), torch.LongStorage([-1, -1]))    # negative: contiguous
    assert y.stride() == (3, 1)
    z = D(torch.Size([2, 3]), torch.Size([1, 2]))
    assert z.size() == (2, 3) and z.stride() == (1, 2) and len(z.storage()) == 6


def test_from_data_copies():
    a = np.array([[1.5, 2.5], [3.5, 4.5]])
    for data in (a, a.tolist(), ((1.5, 2.5), (3.5, 4.5))):
        x = D(data)
        assert_tensor(x, a, D)
        assert x.isContiguous()
    x = D(a)
    a[0, 0] = 100
    assert x.totable()[0][0] == 1.5
    assert_tensor(L([1.9, -1.9]), [1, -1], L)
    assert_tensor(D(range(3)), [0, 1, 2], D)
    assert_tensor(D(a.T), a.T, D)                       # non-contiguous numpy input
    assert_tensor(F(np.arange(3, dtype=np.int64)), [0, 1, 2], F)


def test_empty():
    for x in (D(), D([]), D(0), D(2, 0)):
        assert x.dim() == 0 and x.nElement() == 0
        assert x.size() == torch.Size([]) and x.stride() == torch.Size([])
        assert len(x) == 0 and x.totable() in ([], [[], []])


def test_tensor_of_a_tensor_is_a_view():
    for lay in layouts(np.arange(6.0).reshape(2, 3)):
        x = lay.tensor
        y = D(x)
        assert y is not x and y.storage() is x.storage()
        assert y.isSetTo(x) and y.stride() == x.stride()


def test_tensor_on_a_storage():
    st = torch.DoubleStorage([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert D(st).totable() == list(range(10))
    assert D(st, 7).totable() == [7, 8, 9]
    x = D(st, 1, torch.Size([2, 3]))
    assert x.totable() == [[1, 2, 3], [4, 5, 6]] and x.storageOffset() == 1
    x = D(st, 1, torch.Size([2, 3]), torch.Size([1, 2]))
    assert x.totable() == [[1, 3, 5], [2, 4, 6]]
    x = D(st, 2, 2, 3, 2, 1)                            # (offset, size1, stride1, size2, stride2)
    assert x.totable() == [[2, 3], [5, 6]]
    x = D(st, 0, torch.LongStorage([5]), torch.LongStorage([2]))
    assert x.totable() == [0, 2, 4, 6, 8]
    assert x.storage() is st
    x.fill(-1)
    assert st[2] == -1


@pytest.mark.parametrize('call,exc,match', [
    (lambda: D(torch.FloatStorage(3)), TypeError, r'a torch.DoubleTensor cannot view a '
                                                  r'torch.FloatStorage'),
    (lambda: D(torch.DoubleStorage(4), 1, torch.Size([2, 2])), ValueError,
     r'offset 1, size 2 x 2 and stride 2 x 1 needs 5 elements, but the storage has 4'),
    (lambda: D(F(2)), TypeError, r"a torch.DoubleTensor cannot view a torch.FloatTensor; "
                                 r"convert with .type\('torch.DoubleTensor'\)"),
    (lambda: D(D(2), 1), TypeError, r'Tensor\(tensor\) takes no further arguments'),
    (lambda: D([[1, 2], [3]]), ValueError, r'cannot build a tensor from this data'),
    (lambda: D(np.float64(3.0)), TypeError, r'cannot build a tensor from \(float64\)'),
    (lambda: D(np.array(3.0)), ValueError, r'cannot build a tensor from a scalar; use '
                                           r'torch.Tensor\(\[v\]\)'),
    (lambda: D(2.5), TypeError, r'torch.DoubleTensor: cannot build a tensor from \(float\)'),
    (lambda: D('abc'), TypeError, r'cannot build a tensor from \(str\)'),
    (lambda: D(2, 'a'), TypeError, r'sizes must be integers'),
    (lambda: D(-1), ValueError, r'torch.DoubleTensor: sizes must be non-negative, got -1'),
    (lambda: D(2, -3), ValueError, r'sizes must be non-negative, got 2 x -3'),
    (lambda: D(torch.Size([-2])), ValueError, r'sizes must be non-negative, got -2'),
    (lambda: D(['a', 'b']), ValueError, r'cannot build a tensor from this data'),
])
def test_bad_construction(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_new_builds_the_same_type():
    for cls in CLASSES:
        x = cls(2)
        y = x.new(3, 4)
        assert type(y) is cls and y.size() == (3, 4)
        assert type(x.new()) is cls and x.new().dim() == 0
        assert x.new([1, 2]).totable() == [1, 2]


# -- clone, contiguous --------------------------------------------------------------------------
@FAST
@given(a=arrays(np.float64, shapes()), layout=st.sampled_from(LAYOUTS))
def test_clone_and_contiguous(a, layout):
    lay = make_layout(a, layout)
    x = lay.tensor
    c = x.clone()
    assert type(c) is D and c.isContiguous() and c.storageOffset() == 0
    assert c.storage() is not x.storage()
    assert_tensor(c, lay.array, D)
    c.fill(0)
    assert_tensor(x, lay.array, D)                     # a deep copy
    k = x.contiguous()
    assert_tensor(k, lay.array, D)
    assert k.isContiguous()
    if x.isContiguous():
        assert k is x
    else:
        assert k.storage() is not x.storage()


# -- queries ------------------------------------------------------------------------------------
@FAST
@given(a=arrays(np.float64, shapes(max_dims=4)), layout=st.sampled_from(LAYOUTS))
def test_size_queries_match_numpy(a, layout):
    lay = make_layout(a, layout)
    x = lay.tensor
    nd = a.ndim
    assert x.dim() == x.nDimension() == nd
    assert x.size() == a.shape and isinstance(x.size(), torch.Size)
    assert x.shape == a.shape
    for d in range(-nd, nd):
        assert x.size(d) == a.shape[d]
        assert x.stride(d) == x.stride()[d]
    assert x.stride() == tuple(s // 8 for s in x.numpy().strides)
    assert x.nElement() == x.numel() == a.size
    assert x.elementSize() == 8
    assert x.isSize(a.shape) and x.isSize(torch.LongStorage(list(a.shape)))
    assert not x.isSize(a.shape + (1,))
    assert x.isSameSizeAs(D(*a.shape)) and not x.isSameSizeAs(D(a.size + 1))
    assert x.isContiguous() == lay.array.flags.c_contiguous or layout != 'contiguous'
    assert x.totable() == lay.array.tolist()
    assert len(x) == a.shape[0]
    expected_offset = {'contiguous': 0, 'transposed': 0, 'narrowed': 1, 'expanded': 0,
                       'offset': 5}[layout]
    assert x.storageOffset() == expected_offset


def test_contiguity_by_layout():
    got = {lay.name: lay.tensor.isContiguous() for lay in layouts(np.zeros((2, 3)))}
    assert got == {'contiguous': True, 'transposed': False, 'narrowed': False,
                   'expanded': False, 'offset': True}


def test_size_query_errors():
    x = D(2, 3)
    with pytest.raises(IndexError, match=r'dimension 2 is out of range for a 2-D tensor '
                                         r'\(valid: -2 to 1\)'):
        x.size(2)
    with pytest.raises(IndexError, match=r'dimension -3 is out of range'):
        x.stride(-3)
    with pytest.raises(IndexError, match=r'the tensor is empty'):
        D().size(0)


def test_is_set_to():
    x = D(2, 3)
    assert x.isSetTo(x) and x.isSetTo(D(x))
    assert not x.isSetTo(x.t()) and not x.isSetTo(x.narrow(0, 0, 1))
    assert not x.isSetTo(D(2, 3))
    assert not D().isSetTo(D())


def test_item_iteration_and_totable():
    assert D([2.5]).item() == 2.5 and isinstance(L([3]).item(), int)
    with pytest.raises(ValueError, match=r'item\(\) needs a tensor with one element, this one '
                                         r'has size 2'):
        D(2).item()
    assert list(D([1, 2])) == [1.0, 2.0]
    rows = list(D([[1, 2], [3, 4]]))
    assert [r.totable() for r in rows] == [[1, 2], [3, 4]]
    assert all(isinstance(r, D) for r in rows)


def test_size_object():
    s = D(2, 3).size()
    assert s == (2, 3) and s.size() == 2 and s.totable() == [2, 3]
    assert repr(s) == 'torch.Size([2, 3])'


# -- numpy interop -------------------------------------------------------------------------------
def test_numpy_is_a_zero_copy_view():
    for lay in layouts(np.arange(6.0).reshape(2, 3), names=('contiguous', 'transposed',
                                                            'narrowed', 'offset')):
        x = lay.tensor
        a = x.numpy()
        a[1, 2] = -5
        assert x.totable()[1][2] == -5
        x.fill(3)
        assert (a == 3).all()
        lay.check_outside()


def test_from_numpy_shares_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = torch.fromNumpy(a)
    assert type(x) is F and x.size() == (2, 3)
    a[0, 0] = 9
    assert x.totable()[0][0] == 9
    x.fill(1)
    assert (a == 1).all()
    t = torch.fromNumpy(a.T)
    assert t.stride() == (1, 3) and not t.isContiguous()
    assert t.storage() is not None and t.storageOffset() == 0
    v = torch.fromNumpy(np.arange(10)[2::3])
    assert type(v) is L and v.totable() == [2, 5, 8] and v.stride() == (3,)


def test_from_numpy_types_and_errors():
    for dtype, cls in ((np.uint8, torch.ByteTensor), (np.int8, torch.CharTensor),
                       (np.int16, torch.ShortTensor), (np.int32, torch.IntTensor),
                       (np.int64, L), (np.float32, F), (np.float64, D)):
        assert type(torch.fromNumpy(np.zeros(2, dtype))) is cls
    b = torch.fromNumpy(np.array([True, False]))
    assert type(b) is torch.ByteTensor and b.totable() == [1, 0]
    z = torch.fromNumpy(np.array(4.0))
    assert z.size() == (1,) and z.totable() == [4.0]
    with pytest.raises(TypeError, match=r'numpy dtype complex128 has no torchlike tensor type'):
        torch.fromNumpy(np.zeros(2, np.complex128))
    with pytest.raises(TypeError, match=r'fromNumpy expects a numpy array, got list'):
        torch.fromNumpy([1, 2])
    with pytest.raises(ValueError, match=r'negative strides'):
        torch.fromNumpy(np.arange(3.0)[::-1])
    with pytest.raises(TypeError, match=r'byte-swapped'):
        torch.fromNumpy(np.zeros(2, '>f8'))


def test_array_protocol():
    x = make_layout(np.arange(6.0).reshape(2, 3), 'transposed').tensor
    assert np.array_equal(np.asarray(x), np.arange(6.0).reshape(2, 3))
    assert np.asarray(x, dtype=np.int64).dtype == np.int64
    c = np.array(x)
    c[0, 0] = 100
    assert x.totable()[0][0] == 0


def test_copy_module_and_pickle_round_trip():
    import copy
    import pickle
    x = make_layout(np.arange(6.0).reshape(2, 3), 'narrowed', F).tensor
    for y in (copy.copy(x), copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
        assert type(y) is F and y.totable() == x.totable()
        assert y.storage() is not x.storage()
