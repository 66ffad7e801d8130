"""The CUDA tensor core: construction, metadata, copies in every direction and casts, fills,
resize, storages, random fills, moves and cross-device errors. Compared with the FloatTensor
(or numpy) doing the same thing. Runs on the simulator (tiny shapes) or a GPU."""
import copy
import pickle

import numpy as np
import pytest

import torchlike as torch
from torchlike.cuda.tensor import check_device

RNG = np.random.default_rng(7)


def host(t):
    return t.float().numpy() if t._dtype == np.float32 else t.cpu().numpy()


def same(cuda_t, cpu_t):
    """Values and metadata of a CUDA tensor equal those of a CPU tensor."""
    assert cuda_t.size() == cpu_t.size()
    assert cuda_t.stride() == cpu_t.stride()
    assert cuda_t.storageOffset() == cpu_t.storageOffset()
    assert cuda_t.dim() == cpu_t.dim() and cuda_t.nElement() == cpu_t.nElement()
    assert cuda_t.isContiguous() == cpu_t.isContiguous()
    np.testing.assert_array_equal(cuda_t.cpu().numpy(), cpu_t.numpy())


# -- construction ---------------------------------------------------------------------------
def test_constructor_forms():
    x = torch.CudaTensor(2, 3)
    assert x.size() == (2, 3) and x.stride() == (3, 1) and x.type() == 'torch.CudaTensor'
    np.testing.assert_array_equal(host(x), np.zeros((2, 3)))
    assert torch.CudaTensor().dim() == 0 and torch.CudaTensor().nElement() == 0
    assert torch.CudaTensor(torch.Size([4])).size() == (4,)
    assert torch.CudaTensor(torch.LongStorage([2, 2])).size() == (2, 2)
    s = torch.CudaTensor(torch.Size([2, 3]), torch.Size([1, 2]))
    assert s.stride() == (1, 2) and s.storage().size() == 6
    data = [[1.5, 2], [3, 4]]
    np.testing.assert_array_equal(host(torch.CudaTensor(data)), np.array(data, np.float32))
    np.testing.assert_array_equal(host(torch.CudaTensor(np.arange(3.0))), [0, 1, 2])
    st = torch.CudaStorage([0, 1, 2, 3, 4, 5])
    v = torch.CudaTensor(st, 1, torch.Size([2, 2]), torch.Size([1, 2]))
    np.testing.assert_array_equal(host(v), [[1, 3], [2, 4]])
    assert v.storage() is st and v.storageOffset() == 1
    w = torch.CudaTensor(v)
    assert w.storage() is st and w.stride() == v.stride()
    lt = torch.CudaLongTensor([3, -1])
    assert lt.tolist() == [3, -1] and lt._dtype == np.int64
    assert torch.CudaByteTensor([1, 0, 255]).tolist() == [1, 0, 255]
    assert torch.isTensor(x) and torch.typename(x) == 'torch.CudaTensor'
    assert torch.isStorage(st) and st.type() == 'torch.CudaStorage'
    assert x.new(4).type() == 'torch.CudaTensor' and x.new(4).size() == (4,)


def test_bad_construction():
    with pytest.raises(ValueError, match="-2"):
        torch.CudaTensor(2, -2)
    with pytest.raises(TypeError, match="cannot view a torch.FloatTensor"):
        torch.CudaTensor(torch.FloatTensor(2))
    with pytest.raises(TypeError, match="cannot view a torch.CudaLongStorage"):
        torch.CudaTensor(torch.CudaLongStorage(3))
    with pytest.raises(ValueError, match="needs 8 elements, but the storage has 4"):
        torch.CudaTensor(torch.CudaStorage(4), 0, torch.Size([2, 3]), torch.Size([3, 2]))
    with pytest.raises(TypeError, match="cannot build"):
        torch.CudaTensor({'a': 1})


def test_metadata_queries():
    x = torch.CudaTensor(3, 4)
    y = torch.FloatTensor(3, 4)
    same(x, y)
    assert x.size(1) == 4 and x.size(-1) == 4 and x.stride(0) == 4
    assert x.isSameSizeAs(y) and x.isSameSizeAs(torch.CudaTensor(3, 4))
    assert x.isSize(torch.Size([3, 4])) and len(x) == 3 and x.numel() == 12
    assert x.shape == (3, 4) and x.elementSize() == 4 and x.getDevice() == 0
    with pytest.raises(IndexError, match="dimension 2 is out of range for a 2-D tensor"):
        x.size(2)
    assert not x.t().isContiguous() and x.t().contiguous().isContiguous()
    assert x.contiguous() is x
    assert x.narrow(0, 0, 2).isSetTo(x.narrow(0, 0, 2)) and not x.isSetTo(x.clone())


# -- copies ---------------------------------------------------------------------------------
def test_copy_in_every_direction():
    a = RNG.standard_normal((3, 4)).astype(np.float32)
    cpu = torch.fromNumpy(a.copy())
    x = torch.CudaTensor(3, 4).copy(cpu)                # host -> device
    np.testing.assert_array_equal(host(x), a)
    y = torch.CudaTensor(3, 4).copy(x)                  # device -> device
    np.testing.assert_array_equal(host(y), a)
    back = torch.FloatTensor(3, 4).copy(y)              # device -> host (cutorch allows it)
    np.testing.assert_array_equal(back.numpy(), a)
    d = torch.DoubleTensor(3, 4).copy(y)                # with a cast
    np.testing.assert_array_equal(d.numpy(), a.astype(np.float64))
    np.testing.assert_array_equal(host(torch.CudaTensor(2, 2).copy([[1, 2], [3, 4]])),
                                  [[1, 2], [3, 4]])
    np.testing.assert_array_equal(host(torch.CudaTensor(2).copy(np.array([5, 6]))), [5, 6])


def test_strided_and_broadcast_copies():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = torch.CudaTensor(a)
    t = torch.CudaTensor(4, 3).copy(x.t())              # strided source
    np.testing.assert_array_equal(host(t), a.T)
    dst = torch.CudaTensor(4, 6)
    dst.narrow(1, 1, 3).copy(x.t())                     # strided destination
    ref = np.zeros((4, 6), np.float32)
    ref[:, 1:4] = a.T
    np.testing.assert_array_equal(host(dst), ref)
    row = torch.CudaTensor([1, 2, 3, 4])
    b = torch.CudaTensor(3, 4).copy(row)                # broadcast (stride 0 source)
    np.testing.assert_array_equal(host(b), np.tile([1, 2, 3, 4], (3, 1)))
    e = torch.CudaTensor(2, 3).copy(torch.CudaTensor([[7], [8]]).expand(2, 3))
    np.testing.assert_array_equal(host(e), [[7, 7, 7], [8, 8, 8]])
    f = torch.CudaTensor(2, 6).copy(x)                  # same count, other shape: row-major
    np.testing.assert_array_equal(host(f), a.reshape(2, 6))
    g = torch.CudaTensor(6, 2).copy(x.t())              # ... from a non-contiguous source
    np.testing.assert_array_equal(host(g), a.T.reshape(6, 2))
    h = torch.CudaTensor(2, 3).copy(torch.FloatTensor([1, 2, 3]))   # host broadcast
    np.testing.assert_array_equal(host(h), [[1, 2, 3], [1, 2, 3]])


def test_copy_casts_between_cuda_types():
    x = torch.CudaTensor([[1.7, -2.2], [3.0, 250.5]])
    l = torch.CudaLongTensor(2, 2).copy(x)
    assert l.tolist() == [[1, -2], [3, 250]]
    b = torch.CudaByteTensor(2, 2).copy(torch.CudaLongTensor([[0, 1], [2, 255]]))
    assert b.tolist() == [[0, 1], [2, 255]]
    f = torch.CudaTensor(2, 2).copy(b.t())
    np.testing.assert_array_equal(host(f), [[0, 2], [1, 255]])
    assert x.type('torch.CudaLongTensor').tolist() == [[1, -2], [3, 250]]
    assert x.cudaLong().type() == 'torch.CudaLongTensor'
    assert b.cuda().type() == 'torch.CudaTensor'


def test_copy_size_mismatch_names_sizes_and_changes_nothing():
    x = torch.CudaTensor([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match=r"size 4 \(4 elements\) into one of size 2 x 3"):
        x.copy(torch.CudaTensor(4))
    with pytest.raises(ValueError, match=r"size 5 \(5 elements\) into one of size 2 x 3"):
        x.copy(torch.FloatTensor(5))
    np.testing.assert_array_equal(host(x), [[1, 2, 3], [4, 5, 6]])


def test_fill_zero_clone():
    x = torch.CudaTensor(3, 4)
    x.narrow(1, 1, 2).fill(2.5)
    ref = np.zeros((3, 4), np.float32)
    ref[:, 1:3] = 2.5
    np.testing.assert_array_equal(host(x), ref)
    c = x.t().clone()
    assert c.isContiguous() and c.storage() is not x.storage()
    np.testing.assert_array_equal(host(c), ref.T)
    x.zero()
    np.testing.assert_array_equal(host(x), np.zeros((3, 4)))
    np.testing.assert_array_equal(host(c), ref.T)
    assert torch.CudaLongTensor(3).fill(-4).tolist() == [-4, -4, -4]


# -- resize, set, storages ------------------------------------------------------------------
def test_resize_keeps_storage_and_contents():
    x = torch.CudaTensor([1, 2, 3, 4, 5, 6])
    st = x.storage()
    x.resize(2, 3)
    assert x.storage() is st and x.size() == (2, 3)
    np.testing.assert_array_equal(host(x), [[1, 2, 3], [4, 5, 6]])
    x.resize(3, 3)                                      # grows the storage
    assert len(st) == 9
    np.testing.assert_array_equal(host(x), [[1, 2, 3], [4, 5, 6], [0, 0, 0]])
    x.resizeAs(torch.FloatTensor(2, 2))
    assert x.size() == (2, 2)
    with pytest.raises(ValueError, match="non-negative, got 2 x -1"):
        x.resize(2, -1)
    assert x.size() == (2, 2)


def test_storage_resize_is_seen_by_views():
    x = torch.CudaTensor([1, 2, 3, 4])
    v = x.narrow(0, 1, 2)
    np.testing.assert_array_equal(host(v), [2, 3])     # caches the device view
    st = x.storage()
    st.resize(8)
    st[2] = 30
    np.testing.assert_array_equal(host(v), [2, 30])    # re-derived on the new buffer
    np.testing.assert_array_equal(host(x), [1, 2, 30, 4])
    st.resize(2)
    with pytest.raises(RuntimeError, match="no longer fits its storage"):
        host(v)


def test_set_forms():
    st = torch.CudaStorage([0, 1, 2, 3, 4, 5])
    x = torch.CudaTensor()
    x.set(st, 2, torch.Size([2, 2]))
    np.testing.assert_array_equal(host(x), [[2, 3], [4, 5]])
    x.set(st, 1, 2, 1, 2, 2)             # Torch7's (offset, size1, stride1, size2, stride2)
    np.testing.assert_array_equal(host(x), [[1, 3], [2, 4]])
    y = torch.CudaTensor().set(x)
    assert y.storage() is st and y.stride() == (1, 2)
    x.set()
    assert x.dim() == 0
    with pytest.raises(ValueError, match="needs 9 elements, but the storage has 6"):
        y.set(st, 3, torch.Size([3, 2]))
    assert y.stride() == (1, 2)                         # unchanged
    with pytest.raises(TypeError, match="cannot point a torch.CudaTensor at a torch.FloatStorage"):
        y.set(torch.FloatStorage(3))
    with pytest.raises(TypeError, match="cannot point a torch.FloatTensor at a torch.CudaStorage"):
        torch.FloatTensor().set(st)


def test_storage_methods():
    s = torch.CudaStorage(4)
    assert len(s) == 4 and s.size() == 4 and s.tolist() == [0, 0, 0, 0]
    s[1] = 2.5
    s[-1] = 7
    assert s[1] == 2.5 and s[3] == 7.0 and s.tolist() == [0, 2.5, 0, 7]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        s[4]
    s.fill(1)
    assert list(s) == [1, 1, 1, 1]
    s.copy(torch.DoubleStorage([1, 2, 3, 4]))
    f = s.float()
    assert f.type() == 'torch.FloatStorage' and f.tolist() == [1, 2, 3, 4]
    s2 = torch.CudaStorage(4).copy(s)
    assert s2.tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="destination has 3 elements, source has 4"):
        torch.CudaStorage(3).copy(s)
    s.resize(6)
    assert s.tolist() == [1, 2, 3, 4, 0, 0]
    s.resize(2)
    assert s.tolist() == [1, 2]
    assert torch.CudaLongStorage([5, 6]).long().tolist() == [5, 6]
    view = torch.CudaStorage(s2, 1, 2)
    view[0] = 9
    assert s2.tolist() == [1, 9, 3, 4]
    assert str(torch.CudaStorage([1, 2])).endswith('[torch.CudaStorage of size 2]')
    with pytest.raises(TypeError, match="lives on the GPU"):
        s.numpy()


# -- moves and conversions -----------------------------------------------------------------
def test_moves_between_devices():
    a = RNG.standard_normal((2, 3))
    d = torch.fromNumpy(a)
    x = d.cuda()
    assert x.type() == 'torch.CudaTensor' and x.cuda() is x
    np.testing.assert_allclose(host(x), a.astype(np.float32))
    assert x.float().type() == 'torch.FloatTensor'
    assert x.double().type() == 'torch.DoubleTensor'
    np.testing.assert_array_equal(x.double().numpy(), a.astype(np.float32).astype(np.float64))
    assert d.type('torch.CudaTensor').type() == 'torch.CudaTensor'
    assert x.type('torch.DoubleTensor').type() == 'torch.DoubleTensor'
    assert x.typeAs(torch.LongTensor()).type() == 'torch.LongTensor'
    il = torch.LongTensor([1, 2]).cudaLong()
    assert il.type() == 'torch.CudaLongTensor' and il.long().tolist() == [1, 2]
    assert torch.ByteTensor([1, 0]).cudaByte().byte().tolist() == [1, 0]
    assert torch.LongTensor([3]).cuda().type() == 'torch.CudaTensor'   # cutorch: float
    # the host copies are independent of the device tensor
    h = x.float()
    x.fill(0)
    assert h.numpy().any()
    assert x.t().float().isContiguous()


def test_numpy_and_cpu_ops_fail_clearly():
    x = torch.CudaTensor(2)
    with pytest.raises(TypeError, match=r"\.float\(\)\.numpy\(\)"):
        x.numpy()
    with pytest.raises(TypeError, match="cannot become a numpy array"):
        np.asarray(x)
    msg = "a torch.CudaTensor lives on the GPU and cannot be used in a CPU operation"
    with pytest.raises(TypeError, match=msg):
        torch.FloatTensor(2) + x
    with pytest.raises(TypeError, match=msg):
        torch.FloatTensor(2).add(x)
    with pytest.raises(TypeError, match=msg):
        torch.mm(torch.FloatTensor(2, 2), torch.CudaTensor(2, 2))


def test_check_device_names_both_types():
    with pytest.raises(TypeError, match="add: tensors on different devices: torch.CudaTensor "
                                        "and torch.FloatTensor; move one with"):
        check_device(torch.CudaTensor(1), torch.FloatTensor(1), 'add')
    with pytest.raises(TypeError, match="torch.LongTensor and torch.CudaTensor"):
        check_device(torch.LongTensor(1), torch.CudaTensor(1), 'index')
    check_device(torch.CudaTensor(1), torch.CudaLongTensor(1), 'x')   # same device: fine
    check_device(torch.CudaTensor(1), 2.0, 'x')


def test_item_bool_iter_tolist():
    x = torch.CudaTensor([[1, 2], [3, 4]])
    assert x.tolist() == [[1, 2], [3, 4]] and x.totable() == [[1, 2], [3, 4]]
    assert torch.CudaTensor([2.5]).item() == 2.5 and bool(torch.CudaTensor([1]))
    with pytest.raises(ValueError, match="one element, this one has size 2 x 2"):
        x.item()
    rows = list(x)
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    assert list(torch.CudaTensor([5, 6])) == [5, 6]


# -- random fills ---------------------------------------------------------------------------
@pytest.mark.parametrize('name,args', [('uniform', (-1, 2)), ('normal', (1, 3)),
                                       ('bernoulli', (0.3,)), ('random', (0, 9)),
                                       ('geometric', (0.5,)), ('exponential', (2,)),
                                       ('cauchy', ()), ('logNormal', ())])
def test_random_fills_draw_as_the_float_tensor(name, args):
    torch.manualSeed(11)
    ref = getattr(torch.FloatTensor(2, 3), name)(*args)
    torch.manualSeed(11)
    x = torch.CudaTensor(2, 3)
    assert getattr(x, name)(*args) is x
    np.testing.assert_array_equal(host(x), ref.numpy())
    torch.manualSeed(11)
    t = torch.CudaTensor(3, 2).t()            # a non-contiguous target draws in index order
    getattr(t, name)(*args)
    np.testing.assert_array_equal(host(t), ref.numpy())


def test_random_long_and_bad_arguments():
    torch.manualSeed(3)
    ref = torch.LongTensor(5).random(1, 6)
    torch.manualSeed(3)
    assert torch.CudaLongTensor(5).random(1, 6).tolist() == ref.tolist()
    p = torch.CudaTensor([0, 1, 1])
    assert torch.CudaTensor(3).bernoulli(p).tolist() == [0, 1, 1]
    x = torch.CudaTensor([1, 2])
    with pytest.raises(ValueError):
        x.normal(0, -1)
    assert x.tolist() == [1, 2]


# -- default type, printing, pickling -------------------------------------------------------
def test_cuda_default_tensor_type():
    old = torch.getdefaulttensortype()
    torch.setdefaulttensortype('torch.CudaTensor')
    try:
        x = torch.Tensor(2, 3)
        assert type(x) is torch.CudaTensor and x.size() == (2, 3)
        assert torch.Tensor([1, 2]).tolist() == [1, 2]
        assert type(torch.zeros(2)) is torch.CudaTensor
        assert torch.ones(2, 2).tolist() == [[1, 1], [1, 1]]
        assert torch.range(1, 3).tolist() == [1, 2, 3]
        assert torch.eye(2).tolist() == [[1, 0], [0, 1]]
        assert type(torch.Storage(2)) is torch.CudaStorage
    finally:
        torch.setdefaulttensortype(old)
    assert type(torch.Tensor(1)).__name__ == old.split('.')[1]


def test_zeros_ones_into_a_cuda_result():
    r = torch.CudaTensor()
    assert torch.ones(r, 2, 2) is r and r.tolist() == [[1, 1], [1, 1]]
    torch.zeros(r, 3)
    assert r.tolist() == [0, 0, 0]
    torch.range(r, 0, 2)
    assert r.tolist() == [0, 1, 2]


def test_cat_on_the_device():
    a = torch.CudaTensor([[1, 2], [3, 4]])
    b = torch.CudaTensor([[5, 6]])
    c = torch.cat(a, b, 0)
    assert type(c) is torch.CudaTensor and c.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert torch.cat([a, a.t()], 1).tolist() == [[1, 2, 1, 3], [3, 4, 2, 4]]
    assert torch.cat(torch.CudaTensor([1]), torch.CudaTensor([2, 3])).tolist() == [1, 2, 3]
    with pytest.raises(ValueError, match="must match except in dimension 1; got 2 x 2, 1 x 2"):
        torch.cat(a, b, 1)
    with pytest.raises(TypeError, match="torch.CudaTensor and torch.FloatTensor"):
        torch.cat(a, torch.FloatTensor(1, 2), 0)


def test_printing_is_the_cpu_text_with_cutorch_footer():
    for a in (np.array([[1.5, -2, 3], [4, 5, 1e-3]]), np.arange(24.0).reshape(2, 3, 4),
              np.array([1e6, 2.5]), np.arange(40.0).reshape(2, 20) / 7):
        f = torch.fromNumpy(a.astype(np.float32))
        x = f.cuda()
        cpu_text = str(f)
        shape = 'x'.join(map(str, a.shape))
        assert cpu_text.endswith(f'[torch.FloatTensor of size {shape}]')
        expected = cpu_text[:cpu_text.rindex('[')] + f'[torch.CudaTensor of size {shape} (GPU 0)]'
        assert str(x) == expected and repr(x) == expected
    assert str(torch.CudaTensor()) == '[torch.CudaTensor with no dimension]'
    assert str(torch.CudaLongTensor([1, 2])).endswith('[torch.CudaLongTensor of size 2 (GPU 0)]')
    t = torch.CudaTensor([[1, 2], [3, 4]]).t()
    assert str(t).startswith(str(torch.FloatTensor([[1, 2], [3, 4]]).t())[:-len(
        '[torch.FloatTensor of size 2x2]')])


def test_pickle_and_deepcopy():
    x = torch.CudaTensor([[1, 2], [3, 4]])
    y = pickle.loads(pickle.dumps(x.t()))
    assert type(y) is torch.CudaTensor and y.tolist() == [[1, 3], [2, 4]]
    s = pickle.loads(pickle.dumps(torch.CudaLongStorage([4, 5])))
    assert type(s) is torch.CudaLongStorage and s.tolist() == [4, 5]
    v1, v2 = x.select(0, 0), x.select(0, 1)
    c1, c2 = copy.deepcopy([v1, v2])
    assert c1.storage() is c2.storage() and c1.storage() is not x.storage()
    assert c2.storageOffset() == 2 and c2.tolist() == [3, 4]
    c1.fill(9)
    assert x.tolist() == [[1, 2], [3, 4]]
    assert copy.copy(x).tolist() == x.tolist()
