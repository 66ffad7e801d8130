"""Helpers shared by the examples: YAML defaults, optimiser choice, plots, checkpoints.

Not an example itself. The examples import it as `import _common` (their own folder is on
sys.path when they run as scripts; each example also adds it when loaded another way).
"""
import os

import yaml

import optim
import torchlike as torch

# The optimisers an example may pick with -optimizer, and the learning rate each one is
# usually started with (used when -learningRate is 0).
OPTIMISERS = {'sgd': optim.sgd, 'nag': optim.nag, 'adam': optim.adam, 'adamax': optim.adamax,
              'rmsprop': optim.rmsprop, 'adagrad': optim.adagrad}
USUAL_LEARNING_RATE = {'sgd': 0.05, 'nag': 0.05, 'adam': 1e-3, 'adamax': 2e-3,
                       'rmsprop': 1e-3, 'adagrad': 1e-2}


def load_defaults(script):
    """The option defaults of an example: the YAML file beside `script` with the same name
    (examples/mlp.py -> examples/mlp.yaml), as a dict."""
    path = os.path.splitext(os.path.abspath(script))[0] + '.yaml'
    with open(path, encoding='utf-8') as f:
        values = yaml.safe_load(f)
    if not isinstance(values, dict):
        raise ValueError(f"{path} should be a mapping of option names to default values")
    return values


def optimiser(name, learningRate=0.0, momentum=0.0, learningRateDecay=0.0, weightDecay=0.0):
    """(optim function, config) for -optimizer NAME; a learning rate of 0 picks the usual one.
    Momentum only goes to the optimisers that take it (sgd, nag)."""
    if name not in OPTIMISERS:
        raise SystemExit(f"unknown optimiser {name!r}: choose one of {', '.join(OPTIMISERS)}")
    config = {'learningRate': learningRate or USUAL_LEARNING_RATE[name]}
    if name in ('sgd', 'nag') and momentum:
        config['momentum'] = momentum
    if name == 'sgd' and learningRateDecay:
        config['learningRateDecay'] = learningRateDecay
    if weightDecay:
        config['weightDecay'] = weightDecay
    return OPTIMISERS[name], config


def save_atomically(path, obj):
    """torch.save through a temporary file, so that an interrupted run never leaves a
    half-written checkpoint where the last good one was."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tmp = path + '.tmp'
    torch.save(tmp, obj)
    os.replace(tmp, path)


def plot(logger, names, base):
    """Plot the Logger columns `names` to `base`.png/.svg (only .svg without matplotlib).
    Returns the paths written ([] while a column holds fewer than two values)."""
    logger.plotfile = base
    logger.style({n: '+-' for n in names})
    return logger.plot(*names)
