"""Hogwild: several thread workers train one model without locks.

Every worker holds a replica made with `model.clone('weight', 'bias')`: the replica's weights and
biases are the very same tensor objects as the master model's, while its gradients, outputs and
other buffers are its own. A job runs a few SGD steps on random mini-batches and writes the
update straight into the shared weights (`w.add(-lr, gradW)`) with no lock, as in Hogwild!
(Niu et al., 2011) and Torch7's threads/benchmark/threadedtrain.lua. The main thread only
collects the losses in the end callbacks.

    python examples/hogwild.py [--workers 2] [--epochs 20] [--lr 0.05] [--seed 1]

The task is a regression on synthetic data (a fixed random "teacher" network plus noise); the
script prints the mean squared error of the shared model before and after training.
Set OMP_NUM_THREADS=1 so BLAS threads do not compete with the workers (Torch7's advice too).
"""
import argparse
import copy
import functools

import numpy as np

import nn
import threads
import torchlike as torch


def make_problem(n=2048, dim=16, seed=0):
    """Inputs (n x dim) and targets (n x 1) from a random linear teacher plus a little noise."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim))
    w = rng.standard_normal((dim, 1)) / np.sqrt(dim)
    y = x @ w + 0.01 * rng.standard_normal((n, 1))
    return torch.DoubleTensor(x), torch.DoubleTensor(y)


def make_model(dim, hidden=32):
    """dim -> hidden -> Tanh -> 1 when nn.Tanh is available, else one Linear layer."""
    model = nn.Sequential()
    tanh = getattr(nn, 'Tanh', None)
    if tanh is not None:
        model.add(nn.Linear(dim, hidden))
        model.add(tanh())
        model.add(nn.Linear(hidden, 1))
    else:
        model.add(nn.Linear(dim, 1))
    return model


def init_worker(model, criterion, threadId):
    """Init function: this worker's replica (shared weights, private gradients)."""
    threads.local.replica = model.clone('weight', 'bias')
    threads.local.criterion = copy.deepcopy(criterion)
    threads.local.params, threads.local.grads = threads.local.replica.parameters()


def train_steps(inputs, targets, lr, batchSize, steps, seed):
    """A job: `steps` SGD steps on random mini-batches, updating the shared weights in place.
    Returns the mean loss over the steps."""
    replica, criterion = threads.local.replica, threads.local.criterion
    params, grads = threads.local.params, threads.local.grads
    rng = np.random.default_rng(seed)
    n = inputs.size(0)
    total = 0.0
    for _ in range(steps):
        idx = torch.LongTensor(rng.integers(0, n, batchSize))
        x, y = inputs.index(0, idx), targets.index(0, idx)
        replica.zeroGradParameters()
        out = replica.forward(x)
        total += criterion.forward(out, y)
        replica.backward(x, criterion.backward(out, y))
        for w, g in zip(params, grads):
            w.add(-lr, g)                 # Hogwild: no lock around the shared weights
    return total / steps


def mse(model, criterion, inputs, targets):
    return criterion.forward(model.forward(inputs), targets)


def hogwild_train(model, criterion, inputs, targets, workers=2, epochs=20, lr=0.05,
                  batchSize=32, stepsPerJob=16, seed=1):
    """Train `model` in place with `workers` lock-free thread workers; returns the mean job
    loss of every epoch."""
    n = inputs.size(0)
    jobs_per_epoch = max(1, n // (batchSize * stepsPerJob))
    history = []
    init = functools.partial(init_worker, model, criterion)
    with threads.Threads(workers, init) as pool:
        for epoch in range(epochs):
            losses = []
            for j in range(jobs_per_epoch):
                pool.addjob(train_steps, losses.append, inputs, targets, lr, batchSize,
                            stepsPerJob, seed * 1_000_003 + epoch * 1009 + j)
            pool.synchronize()
            history.append(sum(losses) / len(losses))
    return history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--epochs', type=int, default=20)
    parser.add_argument('--lr', type=float, default=0.05)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args(argv)
    torch.manualSeed(args.seed)
    inputs, targets = make_problem(seed=args.seed)
    model = make_model(inputs.size(1))
    criterion = nn.MSECriterion()
    before = mse(model, criterion, inputs, targets)
    history = hogwild_train(model, criterion, inputs, targets, args.workers, args.epochs,
                            args.lr, seed=args.seed)
    after = mse(model, criterion, inputs, targets)
    print(f"model: {model}")
    print(f"{args.workers} Hogwild workers, {args.epochs} epochs")
    for e in range(0, len(history), max(1, len(history) // 5)):
        print(f"  epoch {e:3d}: mean job loss {history[e]:.5f}")
    print(f"MSE before {before:.5f}, after {after:.5f}")
    return before, after


if __name__ == '__main__':
    main()
