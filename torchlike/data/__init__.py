"""torchlike.data: datasets, samplers, the DataLoader and IDX files (import torchlike.data).

This file is the table of contents: every public name, grouped by family.
"""
# datasets and batching
from .dataset import Dataset, TensorDataset, collate
from .sampler import Sampler, SequentialSampler, RandomSampler
from .loader import DataLoader

# per-batch random generators (reproducible whatever the number of workers)
from .context import rng, generator

# the MNIST / Fashion-MNIST file format
from .idx import readIDX, writeIDX, IDXError
