"""DataLoader: order, reproducibility across worker counts and backends, epochs, prefetch,
partial batches, errors, and shared-memory batches from process workers."""
import numpy as np
import pytest

import threads
import torchlike as torch
from torchlike.data import DataLoader, TensorDataset, rng, generator
import loader_datasets as ds

CONFIGS = [(0, 'thread'), (1, 'thread'), (2, 'thread'), (1, 'process'), (2, 'process')]


def _values(batch):
    """A batch as plain nested lists, for exact comparison."""
    if isinstance(batch, (tuple, list)):
        return [_values(b) for b in batch]
    if isinstance(batch, dict):
        return {k: _values(v) for k, v in batch.items()}
    return batch.numpy().tolist()


@pytest.fixture(scope='module')
def loaders():
    """One loader per configuration over the same dataset and seed (pools kept for the module)."""
    made = {cfg: DataLoader(ds.NoisySamples(45), batchSize=8, shuffle=True, nWorkers=cfg[0],
                            backend=cfg[1], seed=11) for cfg in CONFIGS}
    yield made
    for loader in made.values():
        loader.terminate()


@pytest.mark.deadline(90)
def test_same_batches_for_every_worker_count_and_backend(loaders):
    runs = {}
    for cfg, loader in loaders.items():
        loader.setEpoch(0)
        runs[cfg] = [[_values(b) for b in loader] for _ in range(2)]
    reference = runs[(0, 'thread')]
    for cfg, run in runs.items():
        assert run == reference, cfg
    epoch0, epoch1 = reference
    assert epoch0 != epoch1                          # reshuffled and re-drawn each epoch
    ids = sorted(int(row[0]) for batch in epoch0 for row in batch[0])
    assert ids == list(range(45))                    # every sample once, partial batch kept
    assert [len(b[1]) for b in epoch0] == [8] * 5 + [5]


def test_process_batches_arrive_in_shared_memory():
    x = torch.DoubleTensor(64, 20)
    with DataLoader(TensorDataset(x, torch.LongTensor(64)), 32, nWorkers=1,
                    backend='process') as loader:
        inputs, labels = next(iter(loader))
    assert threads.isShared(inputs)                  # 32 x 20 doubles: built in a block
    assert not threads.isShared(labels)              # 256 bytes: inside the message
    assert isinstance(inputs, torch.DoubleTensor) and isinstance(labels, torch.LongTensor)


def test_a_new_loader_with_the_same_seed_repeats_the_run():
    a = [_values(b) for b in DataLoader(ds.NoisySamples(20), 4, shuffle=True, seed=5)]
    b = [_values(b) for b in DataLoader(ds.NoisySamples(20), 4, shuffle=True, seed=5)]
    c = [_values(b) for b in DataLoader(ds.NoisySamples(20), 4, shuffle=True, seed=6)]
    assert a == b and a != c


def test_seed_none_follows_torch_manual_seed():
    torch.manualSeed(42)
    a = [_values(b) for b in DataLoader(ds.NoisySamples(12), 4, shuffle=True)]
    torch.manualSeed(42)
    b = [_values(b) for b in DataLoader(ds.NoisySamples(12), 4, shuffle=True)]
    assert a == b


def test_batches_in_order_although_they_finish_out_of_order():
    data = ds.Recording(200)
    with DataLoader(data, batchSize=5, nWorkers=3, prefetch=6) as loader:
        firsts = [b.numpy()[0] for b in loader]
    assert firsts == list(range(0, 200, 5))
    assert sorted(data.started) == list(range(0, 200, 5))


def test_prefetch_bounds_the_batches_built_ahead():
    data = ds.Recording(120, delay=0.002)
    ahead = []
    with DataLoader(data, batchSize=4, nWorkers=2, prefetch=3) as loader:
        for k, _ in enumerate(loader):
            ahead.append(len(data.started) - k)
    assert max(ahead) <= 3 and max(ahead) >= 1


def test_drop_last_and_len():
    data = TensorDataset(torch.DoubleTensor(10, 2))
    assert len(DataLoader(data, 4)) == 3
    assert [b.size(0) for b in DataLoader(data, 4)] == [4, 4, 2]
    loader = DataLoader(data, 4, dropLast=True)
    assert len(loader) == 2 and [b.size(0) for b in loader] == [4, 4]
    assert list(DataLoader(data, 11, dropLast=True)) == []


def test_tensor_dataset_batches_keep_types_and_values():
    x = torch.ByteTensor(np.arange(30, dtype=np.uint8).reshape(10, 3))
    y = torch.LongTensor(list(range(10)))
    order = []
    for nw, backend in [(0, 'thread'), (2, 'thread')]:
        with DataLoader(TensorDataset(x, y), 3, shuffle=True, nWorkers=nw, backend=backend,
                        seed=2) as loader:
            got = [(a, b) for a, b in loader]
        assert all(isinstance(a, torch.ByteTensor) and isinstance(b, torch.LongTensor)
                   for a, b in got)
        labels = np.concatenate([b.numpy() for _, b in got])
        rows = np.concatenate([a.numpy() for a, _ in got])
        assert np.array_equal(rows, x.numpy()[labels])
        order.append(labels.tolist())
    assert order[0] == order[1] and sorted(order[0]) == list(range(10))


def test_breaking_out_of_an_epoch_then_starting_the_next(loaders):
    loader = loaders[(2, 'thread')]
    loader.setEpoch(0)
    pool = loader.pool()
    it = iter(loader)
    next(it)
    it.close()                                       # abandons the epoch's prefetched batches
    assert not pool.hasjob()
    full = [_values(b) for b in loader]              # epoch 1, complete
    assert len(full) == 6 and loader.pool() is pool


def test_sampler_argument_and_torch_style_dataset():
    from torchlike.data import SequentialSampler
    data = ds.TorchStyle(7)
    batches = list(DataLoader(data, 3, sampler=SequentialSampler(7), nWorkers=2))
    assert isinstance(batches[0], dict)
    assert batches[0]['id'].numpy().tolist() == [0, 1, 2]
    assert batches[2]['x'].numpy().tolist() == [3.0]
    assert isinstance(batches[0]['x'], torch.DoubleTensor)


@pytest.mark.parametrize('cfg', [(0, 'thread'), (2, 'thread'), (2, 'process')])
def test_a_failing_sample_names_the_batch(cfg):
    with DataLoader(ds.FailsAt(20, 9), 4, nWorkers=cfg[0], backend=cfg[1]) as loader:
        error = threads.JobError if cfg[0] else ValueError
        with pytest.raises(error, match='sample 9 is corrupt') as info:
            list(loader)
        text = str(info.value) + ''.join(getattr(info.value, '__notes__', []))
        assert 'batch 2 of epoch 0' in text
        if cfg[0]:
            with pytest.raises(error):                # the pool is still usable
                list(loader)


def test_process_backend_explains_an_unpicklable_dataset():
    class Local(ds.FailsAt):
        pass
    loader = DataLoader(Local(4, -1), 2, nWorkers=1, backend='process')
    with pytest.raises(TypeError) as info:
        list(loader)
    assert 'importable' in ''.join(info.value.__notes__)


def test_bad_arguments():
    data = ds.TorchStyle(4)
    for kwargs, match in [({'batchSize': 0}, 'batchSize'), ({'nWorkers': -1}, 'nWorkers'),
                          ({'backend': 'gpu'}, 'backend'), ({'prefetch': 0}, 'prefetch'),
                          ({'seed': -3}, 'seed')]:
        with pytest.raises(ValueError, match=match):
            DataLoader(data, **kwargs)
    from torchlike.data import SequentialSampler
    with pytest.raises(ValueError, match='not both'):
        DataLoader(data, shuffle=True, sampler=SequentialSampler(4))
    with pytest.raises(TypeError, match='size'):
        DataLoader(object())


def test_generators_outside_a_batch():
    g = rng()
    assert g is rng() and 0 <= g.random() < 1
    from torchlike.generator import default_generator
    assert generator() is default_generator


def test_terminate_and_repr():
    loader = DataLoader(ds.TorchStyle(4), 2, nWorkers=1)
    list(loader)
    pool = loader.pool()
    loader.terminate()
    assert not pool.isrunning()
    assert len(list(loader)) == 2                    # a new pool starts on demand
    loader.terminate()
    assert '4 samples' in repr(loader) and 'nWorkers=1' in repr(loader)


def test_process_workers_map_a_tensor_dataset_from_shared_memory():
    x = torch.DoubleTensor(np.arange(40.0).reshape(20, 2))
    y = torch.LongTensor(list(range(20)))
    with DataLoader(TensorDataset(x, y), 6, shuffle=True, nWorkers=2, backend='process',
                    seed=4) as loader:
        got = list(loader)
    assert not threads.isShared(x)                   # the user's tensors stay where they were
    labels = np.concatenate([b.numpy() for _, b in got])
    assert sorted(labels.tolist()) == list(range(20))
    assert np.array_equal(np.concatenate([a.numpy() for a, _ in got]), x.numpy()[labels])
