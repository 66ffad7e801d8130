"""The flagship example, examples/fashion_mnist_convnet.py, end to end on the tiny synthetic
Fashion-MNIST of conftest.py: outputs written, options YAML, Logger file and plot, checkpoints,
exact resume, progress lines, and the Fashion-MNIST MLP written with bare tensors."""
import contextlib
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import yaml

import nn  # noqa: F401  (registers the nn classes for torch.load)
import torchlike as torch

from examples_support import EXAMPLES, load_example


def run_flagship(data, save, *extra):
    argv = ['-data', data, '-batchSize', '32', '-save', str(save)] + [str(a) for a in extra]
    return load_example('fashion_mnist_convnet').main(argv)


def flat_parameters(checkpoint_path):
    params, _ = torch.load(checkpoint_path)['model'].getParameters()
    return params.numpy().copy()


@pytest.fixture(scope='module')
def two_epochs(tiny_fashion_mnist, tmp_path_factory):
    """One uninterrupted 2-epoch run (shared by several tests): (save folder, accuracy, output)."""
    save = tmp_path_factory.mktemp('flagship')
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        acc = run_flagship(tiny_fashion_mnist, save, '-epochs', 2, '-workers', 2)
    return save, acc, out.getvalue()


def test_flagship_trains_and_reports(two_epochs):
    save, acc, out = two_epochs
    assert 0.0 <= acc <= 1.0          # (the Logger test checks that the loss went down)
    assert 'epoch 1: train loss' in out and 'epoch 2: train loss' in out
    assert 'global correct' in out    # the ConfusionMatrix of the test set
    # not a terminal: the progress bar writes sparse plain lines ending with the total
    progress = [line for line in out.splitlines() if '/256 [' in line]
    assert 2 <= len(progress) <= 2 * 11
    assert any('256/256 [100%] | total' in line and 'loss' in line for line in progress)
    assert any('ETA' in line for line in progress)


def test_flagship_writes_logger_file_plot_and_options(two_epochs):
    save, acc, _ = two_epochs
    lines = (save / 'accuracy.log').read_text().splitlines()
    assert lines[0].split('\t')[:3] == ['train loss', 'train accuracy', 'test accuracy']
    rows = [[float(v) for v in line.split()] for line in lines[1:]]
    assert len(rows) == 2
    assert rows[1][0] < rows[0][0]                            # the training loss went down
    assert rows[1][2] == pytest.approx(100 * acc, abs=1e-3)   # the last test accuracy
    plots = [p for p in ('accuracy.png', 'accuracy.svg') if (save / p).exists()]
    assert 'accuracy.svg' in plots
    ET.parse(save / 'accuracy.svg')                           # well-formed SVG
    options = yaml.safe_load((save / 'log.yaml').read_text())
    assert options['epochs'] == 2 and options['batchSize'] == 32 and options['workers'] == 2
    log = (save / 'log.txt').read_text()
    assert 'epoch 2: train loss' in log and '[command line arguments]' in log


def test_flagship_checkpoint_contents(two_epochs):
    save, _, _ = two_epochs
    checkpoint = torch.load(str(save / 'checkpoint.t7'))
    assert checkpoint['epoch'] == 2
    assert torch.typename(checkpoint['model']) == 'nn.Sequential'
    assert checkpoint['optimizer'] == 'sgd' and 'dfdx' in checkpoint['optimState']
    assert len(checkpoint['log']) == 2
    assert not (save / 'checkpoint.t7.tmp').exists()


def test_flagship_resume_gives_the_same_parameters(two_epochs, tiny_fashion_mnist, tmp_path,
                                                   capsys):
    save, acc, _ = two_epochs
    run_flagship(tiny_fashion_mnist, tmp_path, '-epochs', 1, '-workers', 2)
    after_one = flat_parameters(tmp_path / 'checkpoint.t7')
    resumed_acc = run_flagship(tiny_fashion_mnist, tmp_path, '-epochs', 2, '-workers', 2,
                               '-resume', tmp_path)       # a folder: its checkpoint.t7
    assert 'resumed from' in capsys.readouterr().out
    resumed = flat_parameters(tmp_path / 'checkpoint.t7')
    assert not np.array_equal(after_one, resumed)         # epoch 2 did train
    np.testing.assert_array_equal(resumed, flat_parameters(save / 'checkpoint.t7'))
    assert resumed_acc == acc
    # the Logger file of the resumed run holds both epochs, the same numbers
    assert (tmp_path / 'accuracy.log').read_text() == (save / 'accuracy.log').read_text()


def test_flagship_is_reproducible_whatever_the_number_of_donkeys(tiny_fashion_mnist, tmp_path):
    results = []
    for workers in (0, 1, 3):                  # 0: batches loaded in the main thread
        run_flagship(tiny_fashion_mnist, tmp_path / str(workers), '-epochs', 1,
                     '-workers', workers)
        results.append(flat_parameters(tmp_path / str(workers) / 'checkpoint.t7'))
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])


def test_flagship_config_file_and_other_optimiser(tiny_fashion_mnist, tmp_path, capsys):
    config = tmp_path / 'mine.yaml'
    config.write_text('epochs: 1\noptimizer: adam\nlearningRate: 0\n')
    acc = run_flagship(tiny_fashion_mnist, tmp_path / 'run', '-config', config)
    assert 0.0 <= acc <= 1.0
    assert "adam {'learningRate': 0.001}" in capsys.readouterr().out
    assert len((tmp_path / 'run' / 'accuracy.log').read_text().splitlines()) == 2
    options = yaml.safe_load((tmp_path / 'run' / 'log.yaml').read_text())
    assert options['optimizer'] == 'adam' and options['epochs'] == 1


def test_flagship_defaults_come_from_its_yaml_file(capsys):
    defaults = yaml.safe_load((EXAMPLES / 'fashion_mnist_convnet.yaml').read_text())
    with pytest.raises(SystemExit) as exit:
        load_example('fashion_mnist_convnet').main(['-h'])
    assert exit.value.code == 0
    usage = capsys.readouterr().out
    for name in ('epochs', 'batchSize', 'workers', 'optimizer', 'seed', 'save'):
        assert f'-{name}' in usage
    assert f"[{defaults['epochs']}]" in usage and f"[{defaults['save']}]" in usage


def test_missing_data_gives_a_clear_message(tmp_path):
    with pytest.raises(SystemExit, match='apt-get install dataset-fashion-mnist'):
        load_example('fashion_mnist_convnet').main(['-data', str(tmp_path / 'nowhere'),
                                                    '-save', str(tmp_path / 'out')])
    assert not (tmp_path / 'out').exists()       # nothing written before the data check


@pytest.mark.parametrize('argv, message', [
    (['-resume', 'nothing.t7'], 'no checkpoint'),
    (['-optimizer', 'sgdd'], 'unknown optimiser'),
])
def test_bad_options_are_clear_errors_and_write_nothing(tiny_fashion_mnist, tmp_path, argv,
                                                        message):
    argv = [str(tmp_path / a) if a.endswith('.t7') else a for a in argv]
    with pytest.raises(SystemExit, match=message):
        run_flagship(tiny_fashion_mnist, tmp_path / 'out', *argv)
    assert not (tmp_path / 'out').exists()


def test_tensor_only_mlp_runs(tiny_fashion_mnist, capsys):
    acc = load_example('fashion_mnist_tensors').main(['-data', tiny_fashion_mnist,
                                                      '-epochs', '2', '-batchSize', '32'])
    assert 0.0 <= acc <= 1.0
    assert 'epoch 2' in capsys.readouterr().out


def test_in_order_callback_trains_on_batches_in_job_order():
    module = load_example('fashion_mnist_convnet')
    consumed = []
    callback = module.InOrder(lambda x, y: consumed.append((x, y)))
    for k in (2, 0, 3, 1, 4):                  # the order donkeys might finish in
        callback(k, f'x{k}', f'y{k}')
    assert consumed == [(f'x{k}', f'y{k}') for k in range(5)]
    assert callback.waiting == {}


def test_epoch_batches_depend_only_on_seed_and_epoch():
    module = load_example('fashion_mnist_convnet')
    a = module.batches(10, 4, seed=1, epoch=3)
    assert [len(b) for b in a] == [4, 4, 2]
    assert sorted(np.concatenate(a).tolist()) == list(range(10))
    assert all(np.array_equal(x, y) for x, y in zip(a, module.batches(10, 4, 1, 3)))
    assert not np.array_equal(np.concatenate(a), np.concatenate(module.batches(10, 4, 1, 4)))
