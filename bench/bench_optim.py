"""Optimiser benchmarks: the time of one update step over 1.86M float32 parameters (the size of
the nn issue's MLP), with a precomputed gradient so that only the update is timed.

Columns: torchlike = `optim.sgd` / `optim.adam` ... with the fused numba kernels (one pass over
the vector); numpy = the same `optim` call on its multi-pass numpy path (`optim.set_fused(False)`,
whole-array operations with preallocated temporaries, in Torch7's order); PyTorch =
`torch.optim.SGD/Adam(..., fused=True)` (rows marked [foreach] use foreach=True instead). Each
framework runs in its own worker process, alternating, and the table quotes medians over rounds
(bench/harness.py). The fused kernels run in parallel on long vectors when that measures faster
(optim/_config.py KernelRunner); PyTorch uses torch.get_num_threads() threads.

    python -m bench.bench_optim            # about a minute on 2 cores
    python -m bench.bench_optim --quick    # a few seconds (smoke test, 100K parameters)
"""
import numpy as np

from bench import harness
from bench.harness import Call, Case

SUITE = 'optim'
N = 1_860_000
N_QUICK = 100_000

# name -> (optim function, optim config, torch.optim class, torch kwargs)
STEPS = {
    'sgd momentum=0.9': ('sgd', {'learningRate': 1e-3, 'momentum': 0.9},
                         'SGD', {'lr': 1e-3, 'momentum': 0.9, 'dampening': 0.9}),
    'adam': ('adam', {'learningRate': 1e-3}, 'Adam', {'lr': 1e-3}),
    'sgd nesterov + weightDecay': ('sgd', {'learningRate': 1e-3, 'momentum': 0.9,
                                           'dampening': 0, 'nesterov': True,
                                           'weightDecay': 5e-4},
                                   'SGD', {'lr': 1e-3, 'momentum': 0.9, 'nesterov': True,
                                           'weight_decay': 5e-4}),
    'rmsprop': ('rmsprop', {'learningRate': 1e-3}, 'RMSprop',
                {'lr': 1e-3, 'alpha': 0.99, 'eps': 1e-8}),
    'adagrad': ('adagrad', {'learningRate': 1e-3}, 'Adagrad', {'lr': 1e-3, 'eps': 1e-10}),
}
# the bar: fused at least 3x faster than multi-pass numpy, no slower than PyTorch fused
TARGETS = {'numpy': ('<=', 1 / 3), 'torch': ('<=', 1.0)}


def _data(n):
    rng = np.random.default_rng(0)
    return (rng.standard_normal(n).astype(np.float32),
            (rng.standard_normal(n) * 1e-2).astype(np.float32))


def optim_step(method, config, n, fused=True):
    """torchlike / numpy columns: one optim.<method> call on a flat FloatTensor."""
    import optim
    import torchlike
    optim.set_fused(fused)
    x0, g0 = _data(n)
    x = torchlike.fromNumpy(x0)
    g = torchlike.fromNumpy(g0)
    state = dict(config)
    fn = getattr(optim, method)

    def feval(_):
        return 0.0, g

    fn(feval, x, state)       # creates the state buffers outside the timed calls
    return lambda: fn(feval, x, state)


def torch_step(cls, kwargs, n, mode='fused'):
    """PyTorch column: opt.step() on one flat parameter with a fixed gradient."""
    import torch
    x0, g0 = _data(n)
    p = torch.nn.Parameter(torch.from_numpy(x0))
    p.grad = torch.from_numpy(g0)
    opt = getattr(torch.optim, cls)([p], **kwargs, **{mode: True})
    opt.step()
    return opt.step


def cases(quick=False):
    n = N_QUICK if quick else N
    size = f'{n / 1e6:.2f}M float32' if n >= 1e6 else f'{n // 1000}K float32'
    out = []
    for name, (method, config, cls, tkw) in STEPS.items():
        modes = ['fused', 'foreach'] if name in ('sgd momentum=0.9', 'adam') else ['foreach']
        if name == 'adagrad':
            modes = ['fused']
        for mode in modes:
            impls = {'torchlike': Call('bench.bench_optim:optim_step',
                                       {'method': method, 'config': config, 'n': n}),
                     'numpy': Call('bench.bench_optim:optim_step',
                                   {'method': method, 'config': config, 'n': n,
                                    'fused': False}),
                     'torch': Call('bench.bench_optim:torch_step',
                                   {'cls': cls, 'kwargs': tkw, 'n': n, 'mode': mode})}
            targets = TARGETS if mode == 'fused' and name in ('sgd momentum=0.9', 'adam') else {}
            label = f'{name}, {size}' + ('' if mode == 'fused' else '  [PyTorch foreach]')
            out.append(Case(label, impls, unit='us', group='steps', min_time=0.2, repeat=5,
                            targets=targets))
    return out


def run(opts):
    """Measure this suite with harness options `opts`; returns the rows (run_all calls this)."""
    return harness.run_suite(SUITE, cases(opts.quick), opts)


def main(argv=None):
    return harness.cli(run, argv, __doc__)


if __name__ == '__main__':
    main()
