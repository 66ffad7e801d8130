"""SequentialSampler and RandomSampler: per-epoch orders fixed by (seed, epoch)."""
import numpy as np
import pytest

import torchlike as torch
from torchlike.data import RandomSampler, SequentialSampler


def test_sequential():
    s = SequentialSampler(5)
    assert list(s) == [0, 1, 2, 3, 4] and list(s) == [0, 1, 2, 3, 4]
    assert len(s) == 5 and s.indices(3).dtype == np.int64
    assert len(SequentialSampler([7, 8, 9])) == 3


def test_random_is_a_permutation_reshuffled_each_epoch():
    s = RandomSampler(50, seed=4)
    e0, e1 = list(s), list(s)
    assert sorted(e0) == sorted(e1) == list(range(50))
    assert e0 != e1 and s.epoch == 2
    assert list(s.indices(0)) == e0 and list(s.indices(1)) == e1
    again = RandomSampler(50, seed=4)
    again.setEpoch(1)
    assert list(again) == e1
    assert list(RandomSampler(50, seed=5).indices(0)) != e0


def test_random_seed_from_torch_manual_seed():
    torch.manualSeed(9)
    a = RandomSampler(30).indices(0)
    torch.manualSeed(9)
    b = RandomSampler(30).indices(0)
    assert np.array_equal(a, b)


def test_sampler_errors():
    with pytest.raises(ValueError, match='non-negative'):
        SequentialSampler(-1)
    with pytest.raises(TypeError, match='integer'):
        RandomSampler(3, seed=1.5)
    assert list(RandomSampler(0, seed=1)) == []
