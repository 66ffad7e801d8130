"""Datasets for the torchlike.data tests, in a module process workers can import."""
import threading
import time

import numpy as np

import torchlike as torch
from torchlike import data


class NoisySamples(data.Dataset):
    """Sample i: (DoubleTensor [i + noise x 3], label i % 3), noise from the batch generators."""

    def __init__(self, n):
        self.n = n

    def size(self):
        return self.n

    def __getitem__(self, i):
        noise = data.rng().random(2)
        extra = torch.DoubleTensor(1).uniform(data.generator())._arr()
        values = np.concatenate([[i], i + noise, extra])
        return torch.DoubleTensor(values), i % 3


class TorchStyle:
    """A Torch7-style dataset: size() and [i] only, samples are plain numbers."""

    def __init__(self, n):
        self.n = n

    def size(self):
        return self.n

    def __getitem__(self, i):
        return {'x': float(i) / 2, 'id': i}


class FailsAt(data.Dataset):
    def __init__(self, n, bad):
        self.n, self.bad = n, bad

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.bad:
            raise ValueError(f"sample {i} is corrupt")
        return i


class Recording(data.Dataset):
    """Records when each batch starts building; batches take a random time (thread backend)."""

    def __init__(self, n, delay=0.01):
        self.n, self.delay = n, delay
        self.started = []
        self.lock = threading.Lock()

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i

    def getBatch(self, indices):
        with self.lock:
            self.started.append(int(indices[0]))
        time.sleep(self.delay * data.rng().random())
        return data.collate([int(i) for i in indices])
