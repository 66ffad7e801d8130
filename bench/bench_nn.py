"""One training step (forward, backward, SGD update) of three networks, torchlike vs PyTorch CPU.

    python -m bench.bench_nn [--quick]

(a) MLP 784-1024-1024-10, ReLU, LogSoftMax + ClassNLL, batch 128;
(b) LeNet-5 on 1x28x28, batch 64 (conv 1->20 5x5, ReLU, maxpool 2, conv 20->50 5x5, ReLU,
    maxpool 2, Linear 800->500, ReLU, Linear 500->10, LogSoftMax);
(c) the Torch7 tutorial net on 3x32x32, batch 64 (conv 3->16 5x5, Tanh, maxpool 2, conv 16->256
    5x5, Tanh, maxpool 2, View, Linear 6400->128, Tanh, Linear 128->10, LogSoftMax).
For the MLP, a hand-written numpy step (the same GEMMs, no framework) is the numpy column.
All float32. torchlike updates the flat vector from getParameters (`p.add(-lr, g)`), the Torch7
way, and sets the first layer's gradInput to None (Torch7's idiom: no input gradient is
computed, as in PyTorch for an input without requires_grad); PyTorch uses torch.optim.SGD. Each framework runs in its own process (bench/harness.py).
"""
from bench import harness
from bench.harness import Call, Case

SUITE = 'nn'
NETS = {'mlp': 128, 'lenet': 64, 'tutorial': 64}
LR = 0.01


def _torchlike_net(name):
    import nn
    if name == 'mlp':
        return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                             nn.Linear(1024, 10), nn.LogSoftMax()), (784,)
    if name == 'lenet':
        return nn.Sequential(
            nn.SpatialConvolution(1, 20, 5, 5), nn.ReLU(), nn.SpatialMaxPooling(2, 2),
            nn.SpatialConvolution(20, 50, 5, 5), nn.ReLU(), nn.SpatialMaxPooling(2, 2),
            nn.View(800), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10),
            nn.LogSoftMax()), (1, 28, 28)
    return nn.Sequential(
        nn.SpatialConvolution(3, 16, 5, 5), nn.Tanh(), nn.SpatialMaxPooling(2, 2),
        nn.SpatialConvolution(16, 256, 5, 5), nn.Tanh(), nn.SpatialMaxPooling(2, 2),
        nn.View(6400), nn.Linear(6400, 128), nn.Tanh(), nn.Linear(128, 10),
        nn.LogSoftMax()), (3, 32, 32)


def torchlike_step(net):
    """A closure running one torchlike training step of `net` on a fixed random batch."""
    import nn
    import torchlike as tl
    tl.manualSeed(0)
    model, shape = _torchlike_net(net)
    model.float()
    crit = nn.ClassNLLCriterion().float()
    batch = NETS[net]
    x = tl.FloatTensor(batch, *shape).uniform(-1, 1)
    y = tl.LongTensor(batch).random(0, 9)
    params, grads = model.getParameters()
    model.get(0).gradInput = None   # Torch7's idiom: the first layer needs no input gradient

    def step():
        grads.zero()
        out = model.forward(x)
        crit.forward(out, y)
        model.backward(x, crit.backward(out, y))
        params.add(-LR, grads)
    step()
    return step


def numpy_mlp_step():
    """The MLP step written by hand in numpy (the reference the issue quotes): the same GEMMs,
    no framework, no input gradient for the first layer."""
    import numpy as np
    rng = np.random.default_rng(0)
    sizes = [784, 1024, 1024, 10]
    ws = [rng.uniform(-1, 1, (o, i)).astype(np.float32) / np.sqrt(i)
          for i, o in zip(sizes, sizes[1:])]
    bs = [np.zeros(o, np.float32) for o in sizes[1:]]
    x = rng.uniform(-1, 1, (128, 784)).astype(np.float32)
    y = rng.integers(0, 10, 128)
    rows = np.arange(128)

    def step():
        acts = [x]
        for k, (w, b) in enumerate(zip(ws, bs)):
            h = acts[-1] @ w.T + b
            acts.append(np.maximum(h, 0, out=h) if k < 2 else h)
        z = acts[-1]
        z = z - z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        g = np.exp(logp)
        g[rows, y] -= 1
        g /= 128
        for k in (2, 1, 0):
            gw, gb = g.T @ acts[k], g.sum(0)
            if k:
                g = (g @ ws[k]) * (acts[k] > 0)
            ws[k] -= LR * gw
            bs[k] -= LR * gb
    step()
    return step


def torch_step(net):
    """The same step in PyTorch CPU."""
    import torch
    from torch import nn
    torch.manual_seed(0)
    if net == 'mlp':
        model, shape = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024),
                                     nn.ReLU(), nn.Linear(1024, 10), nn.LogSoftmax(1)), (784,)
    elif net == 'lenet':
        model, shape = nn.Sequential(
            nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.ReLU(),
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10),
            nn.LogSoftmax(1)), (1, 28, 28)
    else:
        model, shape = nn.Sequential(
            nn.Conv2d(3, 16, 5), nn.Tanh(), nn.MaxPool2d(2), nn.Conv2d(16, 256, 5), nn.Tanh(),
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6400, 128), nn.Tanh(), nn.Linear(128, 10),
            nn.LogSoftmax(1)), (3, 32, 32)
    batch = NETS[net]
    x = torch.rand(batch, *shape) * 2 - 1
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.NLLLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    step()
    return step


def cases(quick=False):
    rows = []
    for net in (('mlp',) if quick else NETS):
        rows.append(Case(f'{net} training step, batch {NETS[net]}, float32',
                         dict({'torchlike': Call('bench.bench_nn:torchlike_step', {'net': net}),
                               'torch': Call('bench.bench_nn:torch_step', {'net': net})},
                              **({'numpy': Call('bench.bench_nn:numpy_mlp_step')}
                                 if net == 'mlp' else {})),
                         unit='ms', group=net, min_time=0.3, repeat=3, settle=0.2,
                         targets={'torch': ('<=', 0.9 if net == 'mlp' else 1.25)}))
    return rows


def run(opts):
    return harness.run_suite(SUITE, cases(opts.quick), opts)


def main(argv=None):
    return harness.cli(run, argv, __doc__)


if __name__ == '__main__':
    main()
