"""The example tests' data: a tiny synthetic Fashion-MNIST written as IDX files (the real data
set is a Debian package the test machine need not have)."""
import numpy as np
import pytest

import torchlike as torch
from torchlike.data import writeIDX


@pytest.fixture(scope='session')
def tiny_fashion_mnist(tmp_path_factory):
    """256 training and 128 test images of noise with a bright band whose height gives the
    class (rows 2c+2 .. 2c+5 for class c), so that a model learns something in a few steps."""
    folder = tmp_path_factory.mktemp('fashion')
    rng = np.random.default_rng(0)
    rows = np.arange(28)
    for prefix, n in (('train', 256), ('t10k', 128)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        top = 2 * labels[:, None] + 2
        band = (rows[None, :] >= top) & (rows[None, :] < top + 4)
        images = (rng.integers(0, 60, (n, 28, 28)) + 180 * band[:, :, None]).astype(np.uint8)
        writeIDX(str(folder / f'{prefix}-images-idx3-ubyte.gz'), torch.fromNumpy(images))
        writeIDX(str(folder / f'{prefix}-labels-idx1-ubyte.gz'), torch.fromNumpy(labels))
    return str(folder)

