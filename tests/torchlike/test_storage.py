"""Storages (reference §1.2 N, DESIGN §3): flat typed buffers, 0-based. Tensors viewing a storage
keep seeing its current buffer after it is resized."""
import numpy as np
import pytest

import torchlike as torch

STORAGES = (torch.ByteStorage, torch.CharStorage, torch.ShortStorage, torch.IntStorage,
            torch.LongStorage, torch.FloatStorage, torch.DoubleStorage)
DTYPES = (np.uint8, np.int8, np.int16, np.int32, np.int64, np.float32, np.float64)


@pytest.mark.parametrize('cls,dtype', zip(STORAGES, DTYPES))
def test_construction_forms(cls, dtype):
    s = cls()
    assert len(s) == 0 and s.size() == 0
    s = cls(4)
    assert len(s) == 4 and s.totable() == [0, 0, 0, 0]
    assert s.numpy().dtype == dtype and s.elementSize() == np.dtype(dtype).itemsize
    assert s.type() == cls._typename == f'torch.{cls.__name__}'
    assert isinstance(s, torch.Storage)
    assert cls([1, 2, 3]).totable() == [1, 2, 3]
    assert cls((4, 5)).totable() == [4, 5]
    assert cls(range(3)).totable() == [0, 1, 2]
    a = np.array([1, 2, 3], dtype=np.float64)
    s = cls(a)
    a[0] = 9
    assert s.totable() == [1, 2, 3]          # a copy, as Tensor(array) makes


def test_default_storage_type():
    assert type(torch.Storage(3)) is torch.DoubleStorage
    torch.setdefaulttensortype('torch.FloatTensor')
    assert type(torch.Storage(3)) is torch.FloatStorage


def test_indexing_is_zero_based():
    s = torch.DoubleStorage([10, 20, 30])
    assert (s[0], s[1], s[2], s[-1], s[-3]) == (10, 20, 30, 30, 10)
    assert isinstance(s[0], float) and isinstance(torch.LongStorage([1])[0], int)
    s[0] = 5
    s[-1] = 7
    assert s.totable() == [5, 20, 7]
    assert list(s) == [5, 20, 7] and s.tolist() == [5, 20, 7]


@pytest.mark.parametrize('i', [3, -4, 100])
def test_index_out_of_range(i):
    s = torch.DoubleStorage([1, 2, 3])
    with pytest.raises(IndexError, match=fr'index {i} is out of range for storage of size 3 '
                                         r'\(valid: -3 to 2\)'):
        s[i]
    with pytest.raises(IndexError, match=fr'index {i} is out of range for storage of size 3'):
        s[i] = 1
    assert s.totable() == [1, 2, 3]


def test_index_must_be_an_integer():
    s = torch.DoubleStorage(3)
    for bad in (1.0, 'a', True):
        with pytest.raises(TypeError, match='storage index must be an integer'):
            s[bad]


def test_fill_zero_copy():
    s = torch.IntStorage(3)
    assert s.fill(4) is s and s.totable() == [4, 4, 4]
    assert s.zero() is s and s.totable() == [0, 0, 0]
    assert s.copy(torch.DoubleStorage([1.7, -1.7, 3])) is s
    assert s.totable() == [1, -1, 3]                    # converted like a C cast
    s.copy([7, 8, 9])
    assert s.totable() == [7, 8, 9]
    s.copy(np.array([1, 2, 3]))
    assert s.totable() == [1, 2, 3]


def test_copy_size_mismatch_leaves_the_storage_alone():
    s = torch.DoubleStorage([1, 2, 3])
    with pytest.raises(ValueError, match=r'copy: sizes do not match: destination has 3 '
                                         r'elements, source has 2'):
        s.copy(torch.DoubleStorage(2))
    assert s.totable() == [1, 2, 3]


def test_resize_keeps_the_prefix():
    s = torch.DoubleStorage([1, 2, 3])
    assert s.resize(5) is s
    assert s.totable()[:3] == [1, 2, 3] and len(s) == 5
    s.resize(2)
    assert s.totable() == [1, 2]
    s.resize(2)
    assert s.totable() == [1, 2]
    with pytest.raises(ValueError, match='storage size must be non-negative, got -1'):
        s.resize(-1)
    assert s.totable() == [1, 2]


def test_tensors_follow_a_resized_storage():
    st = torch.DoubleStorage([0, 1, 2, 3, 4, 5])
    x = torch.DoubleTensor(st, 2, torch.Size([2, 2]))
    y = torch.DoubleTensor(st).narrow(0, 0, 3)
    old = st.numpy()
    st.resize(100)
    assert st.numpy() is not old
    assert x.totable() == [[2, 3], [4, 5]] and y.totable() == [0, 1, 2]
    x.fill(-1)
    assert st.numpy()[2:6].tolist() == [-1, -1, -1, -1]
    st[0] = 42
    assert y.totable() == [42, 1, -1]                  # index 2 is shared with x
    assert x.storage() is st and y.storage() is st
    assert x.storageOffset() == 2


def test_numpy_is_zero_copy():
    s = torch.FloatStorage(3)
    s.numpy()[1] = 2.5
    assert s[1] == 2.5


def test_storage_views():
    base = torch.DoubleStorage([0, 1, 2, 3, 4])
    v = torch.DoubleStorage(base, 1, 3)
    assert v.totable() == [1, 2, 3]
    v[0] = 10
    assert base[1] == 10                                # shares memory
    with pytest.raises(ValueError, match=r'storage view \[3, 6\) does not fit in a storage of '
                                         r'size 5'):
        torch.DoubleStorage(base, 3, 3)
    with pytest.raises(ValueError, match=r'does not fit'):
        torch.DoubleStorage(base, -1, 2)
    with pytest.raises(TypeError, match=r'a torch.FloatStorage cannot view a '
                                        r'torch.DoubleStorage'):
        torch.FloatStorage(base, 0, 2)
    with pytest.raises(TypeError, match=r'needs exactly an offset and a size'):
        torch.DoubleStorage(base, 1)


def test_strings():
    s = torch.CharStorage('hello')
    assert len(s) == 5 and s.string() == b'hello'
    assert s.string('abc') is s and s.totable() == [97, 98, 99]
    b = torch.ByteStorage(b'\x00\xff')
    assert b.totable() == [0, 255]
    with pytest.raises(TypeError, match='string\\(\\) is only defined for CharStorage and '
                                        'ByteStorage, not torch.DoubleStorage'):
        torch.DoubleStorage(2).string()


@pytest.mark.parametrize('call,exc,match', [
    (lambda: torch.DoubleStorage(-1), ValueError, 'storage size must be non-negative, got -1'),
    (lambda: torch.DoubleStorage(np.zeros((2, 2))), ValueError,
     r'a storage wraps a 1-D array, got shape \(2, 2\)'),
    (lambda: torch.DoubleStorage('abc'), TypeError, r'torch.DoubleStorage: expected \(\), '
                                                     r'\(size\), \(list\)'),
    (lambda: torch.DoubleStorage(1.5), TypeError, r'got \(float\)'),
    (lambda: torch.DoubleStorage(2, 3), TypeError, r'got \(int, int\)'),
])
def test_bad_construction(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_tensor_storage_is_shared_by_views():
    x = torch.DoubleTensor(3, 4)
    st = x.storage()
    assert x.storage() is st
    assert x.t().storage() is st and x.select(0, 1).storage() is st
    assert len(st) == 12
    st[5] = 3
    assert x.totable()[1][1] == 3
