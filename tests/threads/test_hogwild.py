"""Hogwild (examples/hogwild.py): thread workers share the model's weights, own their gradients,
update without locks, and the shared model converges."""
import functools
import importlib.util
import os

import pytest

import nn
import threads
import torchlike as torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope='module')
def hogwild():
    spec = importlib.util.spec_from_file_location(
        'hogwild_example', os.path.join(REPO, 'examples', 'hogwild.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _replica_facts(model):
    r = threads.local.replica
    pairs = list(zip(r.parameters()[0], model.parameters()[0]))
    grads = list(zip(r.parameters()[1], model.parameters()[1]))
    return (all(a is b for a, b in pairs), all(a is not b for a, b in grads),
            threads.threadId())


def test_replicas_share_weights_and_own_gradients(hogwild):
    model = hogwild.make_model(4)
    init = functools.partial(hogwild.init_worker, model, nn.MSECriterion())
    facts = []
    with threads.Threads(2, init) as pool:
        pool.specific(True)
        for i in range(2):
            pool.addjob(i, _replica_facts, lambda *f: facts.append(f), model)
    assert sorted(facts, key=lambda f: f[2]) == [(True, True, 0), (True, True, 1)]


@pytest.mark.deadline(60)
def test_hogwild_training_converges(hogwild):
    torch.manualSeed(3)
    inputs, targets = hogwild.make_problem(n=1024, dim=8, seed=3)
    model = hogwild.make_model(8)
    crit = nn.MSECriterion()
    before = hogwild.mse(model, crit, inputs, targets)
    weight = model.get(0).weight
    history = hogwild.hogwild_train(model, crit, inputs, targets, workers=2, epochs=8,
                                    lr=0.05, batchSize=32, stepsPerJob=8, seed=3)
    after = hogwild.mse(model, crit, inputs, targets)
    assert model.get(0).weight is weight          # trained in place, through the replicas
    assert after < 0.02 * before, (before, after)
    assert history[-1] < history[0]


def test_example_main_runs(hogwild, capsys):
    before, after = hogwild.main(['--workers', '2', '--epochs', '3'])
    assert after < before
    assert 'MSE before' in capsys.readouterr().out
