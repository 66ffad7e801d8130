"""Convolution and pooling layers: forward + backward of the conv/pool part of the nn issue's
two networks, float32, batch 64, against PyTorch CPU's same layers.

  LeNet-5       1x28x28:  conv 1->20 5x5, maxpool 2, conv 20->50 5x5, maxpool 2
  Torch7 tutor. 3x32x32:  conv 3->16 5x5, maxpool 2, conv 16->256 5x5, maxpool 2

Rows:
  ... fwd+bwd                 the first layer computes no input gradient: torchlike sets
                              `gradInput = None` on it (Torch7's idiom), PyTorch's input does not
                              require grad -- what a training step does;
  ... fwd+bwd, input grad     every layer computes its input gradient (torchlike's default,
                              PyTorch with input.requires_grad_());
  ... forward                 forward only;
  ... cold start              a fresh process: import, build the layers, first forward+backward
                              (torchlike with its numba cache warm, which every run after the
                              first has), timed from the interpreter's start to the end.

Each framework runs in its own worker process, alternating, medians over rounds (bench/harness.py).
OpenBLAS's worker threads spin on the other core for a while after each GEMM; with
OPENBLAS_THREAD_TIMEOUT=4 in the environment they sleep at once, and torchlike's work between
the GEMMs can use that core (nn/convolution.py, SampleSplitter). Try both:

    python -m bench.bench_conv_layers            # about four minutes on 2 cores
    OPENBLAS_THREAD_TIMEOUT=4 python -m bench.bench_conv_layers
    python -m bench.bench_conv_layers --quick    # smoke test
"""
import dataclasses
import os
import subprocess
import sys

from bench import harness
from bench.harness import Call, Case

SUITE = 'conv_layers'
BATCH = 64
NETS = {   # name -> (input planes, size, [(kind, args)])
    'LeNet': (1, 28, [('conv', (1, 20, 5)), ('pool', 2), ('conv', (20, 50, 5)), ('pool', 2)]),
    'tutorial': (3, 32, [('conv', (3, 16, 5)), ('pool', 2), ('conv', (16, 256, 5)),
                         ('pool', 2)]),
}


def _data(net, batch):
    import numpy as np
    planes, size, _ = NETS[net]
    rng = np.random.default_rng(0)
    return rng.standard_normal((batch, planes, size, size)).astype(np.float32)


def torchlike_layers(net, batch=BATCH, mode='train', input_grad=False):
    """torchlike column: nn.Sequential of SpatialConvolution / SpatialMaxPooling, float32."""
    import numpy as np
    import torchlike
    from nn.container import Sequential
    from nn.convolution import SpatialConvolution
    from nn.pooling import SpatialMaxPooling
    torchlike.manualSeed(0)
    seq = Sequential()
    for kind, args in NETS[net][2]:
        if kind == 'conv':
            seq.add(SpatialConvolution(args[0], args[1], args[2], args[2]))
        else:
            seq.add(SpatialMaxPooling(args, args))
    seq.float()
    if not input_grad:
        seq.get(0).gradInput = None
    x = torchlike.fromNumpy(_data(net, batch))
    out = seq.forward(x)
    go = torchlike.fromNumpy(np.ones(tuple(out.size()), np.float32))
    if mode == 'forward':
        return lambda: seq.forward(x)

    def step():
        seq.forward(x)
        seq.backward(x, go)
    step()
    return step


def torch_layers(net, batch=BATCH, mode='train', input_grad=False):
    """PyTorch column: the same layers with torch.nn, float32."""
    import torch
    torch.manual_seed(0)
    mods = []
    for kind, args in NETS[net][2]:
        if kind == 'conv':
            mods.append(torch.nn.Conv2d(args[0], args[1], args[2]))
        else:
            mods.append(torch.nn.MaxPool2d(args))
    seq = torch.nn.Sequential(*mods)
    x = torch.from_numpy(_data(net, batch))
    if input_grad:
        x.requires_grad_()
    if mode == 'forward':
        def fwd():
            with torch.no_grad():
                seq(x)
        return fwd
    go = torch.ones_like(seq(x))

    def step():
        seq(x).backward(go)
    step()
    return step


COLD_TORCHLIKE = """
import time; t0 = time.perf_counter()
import numpy as np, torchlike, nn
from nn.convolution import SpatialConvolution
from nn.pooling import SpatialMaxPooling
seq = nn.Sequential()
seq.add(SpatialConvolution(1, 20, 5, 5)).add(SpatialMaxPooling(2, 2))
seq.add(SpatialConvolution(20, 50, 5, 5)).add(SpatialMaxPooling(2, 2))
seq.float()
x = torchlike.FloatTensor(64, 1, 28, 28).normal(0, 1)
out = seq.forward(x)
seq.backward(x, torchlike.FloatTensor(*out.size()).fill(1))
print(time.perf_counter() - t0)
"""

COLD_TORCH = """
import time; t0 = time.perf_counter()
import torch
seq = torch.nn.Sequential(torch.nn.Conv2d(1, 20, 5), torch.nn.MaxPool2d(2),
                          torch.nn.Conv2d(20, 50, 5), torch.nn.MaxPool2d(2))
x = torch.randn(64, 1, 28, 28)
out = seq(x)
out.backward(torch.ones_like(out))
print(time.perf_counter() - t0)
"""


def cold_start(framework):
    """A fresh interpreter: imports, build, first forward+backward (the numba cache is warmed
    once here, outside the timed calls)."""
    code = COLD_TORCHLIKE if framework == 'torchlike' else COLD_TORCH
    env = dict(os.environ)
    env['PYTHONPATH'] = harness.REPO_ROOT + os.pathsep + env.get('PYTHONPATH', '')
    cmd = [sys.executable, '-c', code]
    subprocess.run(cmd, check=True, env=env, capture_output=True, cwd=harness.REPO_ROOT)
    return lambda: subprocess.run(cmd, check=True, env=env, capture_output=True,
                                  cwd=harness.REPO_ROOT)


def cases(quick=False):
    batch = 8 if quick else BATCH
    out = []
    for net in NETS:
        for label, kw, targets in (
                ('fwd+bwd', {}, {'torch': ('<=', 1.25)}),
                ('fwd+bwd, input grad', {'input_grad': True}, {}),
                ('forward', {'mode': 'forward'}, {})):
            impls = {'torchlike': Call('bench.bench_conv_layers:torchlike_layers',
                                       {'net': net, 'batch': batch, **kw}),
                     'torch': Call('bench.bench_conv_layers:torch_layers',
                                   {'net': net, 'batch': batch, **kw})}
            out.append(Case(f'{net} conv+pool {label}, batch {batch}', impls, unit='ms',
                            group=f'{net} {label}', min_time=0.3, repeat=5, targets=targets))
    out.append(Case('LeNet conv+pool cold start (import + first fwd+bwd)',
                    {'torchlike': Call('bench.bench_conv_layers:cold_start',
                                       {'framework': 'torchlike'}),
                     'torch': Call('bench.bench_conv_layers:cold_start',
                                   {'framework': 'torch'})},
                    unit='ms', group='cold', number=1, repeat=3))
    return out


def run(opts):
    """Measure this suite with harness options `opts`; returns the rows (run_all calls this)."""
    if opts.frameworks is None:           # numpy has no convolution layers to compare
        opts = dataclasses.replace(opts, frameworks=('torchlike', 'torch'))
    return harness.run_suite(SUITE, cases(opts.quick), opts)


def main(argv=None):
    return harness.cli(run, argv, __doc__)


if __name__ == '__main__':
    main()
