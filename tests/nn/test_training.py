"""nn.StochasticGradient: it learns, calls its hooks, follows Torch7's learning-rate schedule
and shuffling, prints like Torch7, and names the failing example."""
import numpy as np
import pytest

import nn
import torchlike as torch
from nn.criterion import Criterion
from nn.training import StochasticGradient


@pytest.fixture(autouse=True)
def _seeded():
    torch.manualSeed(3)


class SquaredError(Criterion):
    """A hand-written MSE (sum over elements / count), independent of nn's criterions."""

    def updateOutput(self, input, target):
        d = input.numpy() - target.numpy()
        self.output = float((d * d).mean())
        return self.output

    def updateGradInput(self, input, target):
        d = input.numpy() - target.numpy()
        self.gradInput = torch.fromNumpy(2 * d / d.size)
        return self.gradInput


class Dataset:
    """Torch7's dataset protocol: size() and 0-based dataset[i] = (input, target)."""

    def __init__(self, pairs):
        self.pairs = pairs
        self.reads = []

    def size(self):
        return len(self.pairs)

    def __getitem__(self, i):
        self.reads.append(i)
        return self.pairs[i]


def regression_data(n=40):
    rng = np.random.default_rng(0)
    w, b = rng.standard_normal((2, 3)), rng.standard_normal(2)
    xs = rng.standard_normal((n, 3))
    return [(torch.fromNumpy(x.copy()), torch.fromNumpy(w @ x + b)) for x in xs]


def mean_error(model, crit, data):
    return sum(crit.forward(model.forward(x), y) for x, y in data) / len(data)


def test_trains_a_regression_and_calls_the_hooks(capsys):
    data = regression_data()
    model, crit = nn.Linear(3, 2), SquaredError()
    before = mean_error(model, crit, data)
    trainer = StochasticGradient(model, crit)
    trainer.learningRate = 0.05
    trainer.maxIteration = 10
    examples, epochs = [], []
    trainer.hookExample = lambda t, ex: examples.append(ex)
    trainer.hookIteration = lambda t, epoch, err: epochs.append((t, epoch, err))
    last = trainer.train(Dataset(data))
    after = mean_error(model, crit, data)
    assert after < 0.05 * before
    assert len(examples) == 10 * len(data)
    assert all(any(ex is p for p in data) for ex in examples[:5])
    assert [e[1] for e in epochs] == list(range(10))
    assert all(e[0] is trainer for e in epochs)
    errors = [e[2] for e in epochs]
    assert errors[-1] < errors[0] and last == errors[-1]
    text = capsys.readouterr().out.splitlines()
    assert text[0] == '# StochasticGradient: training'
    assert text[1] == f'# current error = {errors[0]:.14g}'
    assert text[-2] == '# StochasticGradient: you have reached the maximum number of iterations'
    assert text[-1] == f'# training error = {errors[-1]:.14g}'


def test_classification_with_a_sequential_of_nn_modules(capsys):
    rng = np.random.default_rng(1)
    centres = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]])
    data = []
    for i in range(30):
        c = i % 3
        x = centres[c] + 0.5 * rng.standard_normal(2)
        target = np.zeros(3)
        target[c] = 1
        data.append((torch.fromNumpy(x), torch.fromNumpy(target)))
    model = nn.Sequential(nn.Linear(2, 8), nn.Linear(8, 3))
    crit = SquaredError()
    before = mean_error(model, crit, data)
    trainer = StochasticGradient(model, crit)
    trainer.verbose = False
    trainer.maxIteration = 15
    trainer.learningRate = 0.05
    trainer.train(data)                          # a plain list works too (len())
    assert mean_error(model, crit, data) < 0.5 * before
    correct = sum(int(np.argmax(model.forward(x).numpy()) == np.argmax(y.numpy()))
                  for x, y in data)
    assert correct >= 27
    assert capsys.readouterr().out == ''         # verbose = False prints nothing


class RecordingLinear(nn.Linear):
    """Linear that records the learning rate of every accUpdateGradParameters call."""
    _typename = 'test.RecordingLinear'

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self.rates.append(lr)
        super().accUpdateGradParameters(input, gradOutput, lr)


def test_learning_rate_schedule_is_torch7s():
    model = RecordingLinear(3, 2)
    model.rates = []
    trainer = StochasticGradient(model, SquaredError())
    trainer.learningRate, trainer.learningRateDecay, trainer.maxIteration = 0.1, 0.5, 4
    trainer.verbose = False
    data = regression_data(3)
    trainer.train(data)
    per_epoch = [model.rates[i * 3:(i + 1) * 3] for i in range(4)]
    expected = [0.1, 0.1 / (1 + 2 * 0.5), 0.1 / (1 + 3 * 0.5), 0.1 / (1 + 4 * 0.5)]
    for rates, lr in zip(per_epoch, expected):
        assert rates == pytest.approx([lr] * 3)


def test_accUpdate_moves_parameters_by_the_example_gradient():
    model, crit = nn.Linear(3, 2), SquaredError()
    x, y = regression_data(1)[0]
    ref = model.clone()
    ref.zeroGradParameters()
    ref.forward(x)
    ref.backward(x, crit.backward(ref.output, y))
    ref.updateParameters(0.2)
    trainer = StochasticGradient(model, crit)
    trainer.learningRate, trainer.maxIteration, trainer.verbose = 0.2, 1, False
    trainer.train([(x, y)])
    np.testing.assert_allclose(model.weight.numpy(), ref.weight.numpy(), rtol=1e-12)
    np.testing.assert_allclose(model.bias.numpy(), ref.bias.numpy(), rtol=1e-12)


def test_shuffling_draws_one_permutation_from_torch_randperm():
    data = Dataset(regression_data(7))
    trainer = StochasticGradient(nn.Linear(3, 2), SquaredError())
    trainer.maxIteration, trainer.verbose = 3, False
    torch.manualSeed(42)
    expected = [int(i) for i in torch.randperm(7).numpy()]
    torch.manualSeed(42)
    trainer.train(data)
    assert data.reads == expected * 3            # the same order in every epoch, as Torch7
    assert sorted(expected) == list(range(7)) and expected != list(range(7))
    data.reads.clear()
    trainer.shuffleIndices = False
    trainer.train(data)
    assert data.reads == list(range(7)) * 3


def test_a_failing_example_is_named():
    data = regression_data(4)
    data[2] = (torch.DoubleTensor(5), data[2][1])
    trainer = StochasticGradient(nn.Linear(3, 2), SquaredError())
    trainer.verbose, trainer.shuffleIndices = False, False
    with pytest.raises(ValueError, match=r'StochasticGradient: example 2 \(epoch 0\): '
                                         r'nn.Linear: input has 5 features'):
        trainer.train(data)
    with pytest.raises(ValueError, match='at least one example'):
        trainer.train([])
