"""Dataset, TensorDataset and collate."""
import numpy as np
import pytest

import torchlike as torch
from torchlike.data import Dataset, TensorDataset, collate


def test_tensor_dataset_items_and_batches():
    x = torch.FloatTensor(np.arange(24, dtype=np.float32).reshape(6, 2, 2))
    y = torch.LongTensor([5, 4, 3, 2, 1, 0])
    d = TensorDataset(x, y)
    assert len(d) == 6 and d.size() == 6
    xi, yi = d[2]
    assert isinstance(xi, torch.FloatTensor) and xi.numpy().tolist() == [[8, 9], [10, 11]]
    assert yi == 3 and isinstance(yi, int)
    assert d[-1][1] == 0
    bx, by = d.getBatch([4, 0, 4])
    assert isinstance(bx, torch.FloatTensor) and bx.size() == torch.Size([3, 2, 2])
    assert np.array_equal(bx.numpy(), x.numpy()[[4, 0, 4]])
    assert by.numpy().tolist() == [1, 5, 1]
    single = TensorDataset(y)
    assert single[1] == 4 and single.getBatch([0, 1]).numpy().tolist() == [5, 4]


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match='same size along dimension 0, got 3, 4'):
        TensorDataset(torch.DoubleTensor(3, 2), torch.DoubleTensor(4))
    with pytest.raises(TypeError, match='not a tensor'):
        TensorDataset(np.zeros(3))
    with pytest.raises(ValueError, match='at least one'):
        TensorDataset()
    d = TensorDataset(torch.DoubleTensor(3))
    with pytest.raises(IndexError, match='out of range'):
        d[3]
    with pytest.raises(IndexError, match='out of range'):
        d.getBatch([0, 5])
    with pytest.raises(TypeError, match='integer'):
        d[1.5]


def test_collate_tensors_numbers_tuples_dicts():
    a = torch.FloatTensor([1, 2])
    b = torch.FloatTensor([3, 4])
    t = collate([a, b])
    assert isinstance(t, torch.FloatTensor) and t.numpy().tolist() == [[1, 2], [3, 4]]
    assert t.storage() is not a.storage()
    ints = collate([1, 2, 3])
    assert isinstance(ints, torch.LongTensor) and ints.numpy().tolist() == [1, 2, 3]
    floats = collate([0.5, 1])
    assert isinstance(floats, torch.DoubleTensor) and floats.numpy().tolist() == [0.5, 1.0]
    assert isinstance(collate([True, False]), torch.ByteTensor)
    pairs = collate([(a, 0), (b, 1)])
    assert isinstance(pairs, tuple) and pairs[1].numpy().tolist() == [0, 1]
    as_list = collate([[a, 0.5], [b, 1.5]])
    assert isinstance(as_list, list)
    d = collate([{'x': a, 'y': 1}, {'x': b, 'y': 2}])
    assert d['x'].size() == torch.Size([2, 2]) and d['y'].numpy().tolist() == [1, 2]
    arr = collate([np.zeros((2, 3), np.int16), np.ones((2, 3), np.int16)])
    assert isinstance(arr, torch.ShortTensor) and arr.size() == torch.Size([2, 2, 3])
    assert collate(['a', 'b']) == ['a', 'b']


def test_collate_errors_name_the_sample():
    with pytest.raises(ValueError, match='sample 1 has size 3, sample 0 has size 2'):
        collate([torch.FloatTensor(2), torch.FloatTensor(3)])
    with pytest.raises(TypeError, match='sample 1 is a torch.DoubleTensor'):
        collate([torch.FloatTensor(2), torch.DoubleTensor(2)])
    with pytest.raises(ValueError, match='field 0 of sample 1 has size'):
        collate([(torch.FloatTensor(2), 0), (torch.FloatTensor(4), 1)])
    with pytest.raises(ValueError, match='sample 1 does not have the 2 fields'):
        collate([(1, 2), (1,)])
    with pytest.raises(ValueError, match='no samples'):
        collate([])


def test_dataset_base_class():
    class Squares(Dataset):
        def size(self):
            return 4

        def __getitem__(self, i):
            return i * i
    s = Squares()
    assert len(s) == 4 and s.getBatch([1, 3]).numpy().tolist() == [1, 9]
    with pytest.raises(NotImplementedError, match='size'):
        len(Dataset())
    with pytest.raises(NotImplementedError, match='__getitem__'):
        Dataset()[0]
