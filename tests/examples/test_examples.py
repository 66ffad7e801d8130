"""Every example runs end to end on a tiny synthetic Fashion-MNIST written as IDX files (the
real data set is a Debian package the test machine need not have)."""
import importlib.util
import pathlib

import numpy as np
import pytest

import torchlike as torch
from torchlike.data import writeIDX

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / 'examples'


@pytest.fixture(scope='module')
def tiny_fashion_mnist(tmp_path_factory):
    """256 training and 128 test images whose class is visible in their brightness, so that a
    model can learn something in one epoch."""
    folder = tmp_path_factory.mktemp('fashion')
    rng = np.random.default_rng(0)
    for prefix, n in (('train', 256), ('t10k', 128)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = (rng.integers(0, 40, (n, 28, 28)) + labels[:, None, None] * 20).astype(np.uint8)
        writeIDX(str(folder / f'{prefix}-images-idx3-ubyte.gz'), torch.fromNumpy(images))
        writeIDX(str(folder / f'{prefix}-labels-idx1-ubyte.gz'), torch.fromNumpy(labels))
    return str(folder)


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tensor_only_mlp_runs(tiny_fashion_mnist, capsys):
    acc = _load('fashion_mnist_tensors').main(['-data', tiny_fashion_mnist, '-epochs', '2',
                                               '-batchSize', '32'])
    assert 0.0 <= acc <= 1.0
    assert 'epoch 2' in capsys.readouterr().out


def test_convnet_runs_with_workers_and_saves(tiny_fashion_mnist, tmp_path, capsys):
    path = str(tmp_path / 'model.t7')
    acc = _load('fashion_mnist_convnet').main(['-data', tiny_fashion_mnist, '-epochs', '1',
                                               '-batchSize', '32', '-workers', '2',
                                               '-save', path])
    assert 0.0 <= acc <= 1.0
    out = capsys.readouterr().out
    assert 'epoch 1' in out and 'global correct' in out
    model = torch.load(path)
    assert torch.typename(model) == 'nn.Sequential'


def test_missing_data_gives_a_clear_message(tmp_path):
    with pytest.raises(SystemExit, match='apt-get install dataset-fashion-mnist'):
        _load('fashion_mnist_convnet').main(['-data', str(tmp_path / 'nowhere')])
