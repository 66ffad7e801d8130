"""Tensor benchmarks: per-call cost of small-tensor ops, and matrix-product throughput.

Small ops run on 10-element float64 tensors (a 2x5 matrix for select) and are reported in ns per
call next to numpy's and PyTorch's own call for the same thing. torchlike's `x.sum()` returns a
Python number, so the PyTorch side of that row includes `.item()`; a second row shows PyTorch
without it. `mm` is reported in GFLOP/s (2 n^3 / time) for n x n float32 and float64 matrices;
every call returns a new result matrix in all three frameworks.

    python -m bench.bench_tensor            # about 2-3 minutes on 2 cores
    python -m bench.bench_tensor --quick    # a few seconds (smoke test)
"""
from bench import harness
from bench.harness import Case, Timeit

SUITE = 'tensor'

_SETUP = {
    'torchlike': ("import torchlike as tl\n"
                  "x = tl.DoubleTensor([float(i) for i in range(10)])\n"
                  "y = tl.DoubleTensor([1.0] * 10)\n"
                  "z = tl.DoubleTensor(10)\n"           # zeros: z.mul(2) never overflows
                  "m = tl.DoubleTensor([[5.0 * i + j for j in range(5)] for i in range(2)])\n"),
    'numpy': ("import numpy as np\n"
              "a = np.arange(10.0)\n"
              "b = np.ones(10)\n"
              "z = np.zeros(10)\n"
              "m = np.arange(10.0).reshape(2, 5)\n"),
    'torch': ("import torch\n"
              "ta = torch.arange(10, dtype=torch.float64)\n"
              "tb = torch.ones(10, dtype=torch.float64)\n"
              "tz = torch.zeros(10, dtype=torch.float64)\n"
              "tm = torch.arange(10, dtype=torch.float64).view(2, 5)\n"),
}

# row name -> statement per framework (the same operation, each library's own call)
SMALL_OPS = [
    ('x + y', {'torchlike': 'x + y', 'numpy': 'a + b', 'torch': 'ta + tb'}),
    ('x.add(y)  [in place]', {'torchlike': 'x.add(y)', 'numpy': 'np.add(a, b, out=a)',
                              'torch': 'ta.add_(tb)'}),
    ('x.mul(2)  [in place]', {'torchlike': 'z.mul(2)', 'numpy': 'np.multiply(z, 2, out=z)',
                              'torch': 'tz.mul_(2)'}),
    ('x.view(2, 5)', {'torchlike': 'x.view(2, 5)', 'numpy': 'a.reshape(2, 5)',
                      'torch': 'ta.view(2, 5)'}),
    ('m.select(0, 1)  [2x5]', {'torchlike': 'm.select(0, 1)', 'numpy': 'm[1]',
                               'torch': 'tm.select(0, 1)'}),
    ('x.sum()  [PyTorch: .item()]', {'torchlike': 'x.sum()', 'numpy': 'a.sum()',
                                     'torch': 'ta.sum().item()'}),
    ('x.sum()  [PyTorch: tensor]', {'torchlike': 'x.sum()', 'numpy': 'a.sum()',
                                    'torch': 'ta.sum()'}),
]
SMALL_TARGETS = {'numpy': ('<=', 2.0), 'torch': ('<', 1.0)}

MM_SIZES = (256, 512, 1024, 2048)
MM_SIZES_QUICK = (256,)
MM_TARGET_N = 1024
MM_TARGETS = {'numpy': ('>=', 0.95)}


def _mm_setup(n, dtype):
    make = (f"import numpy as np\n"
            f"rng = np.random.default_rng(0)\n"
            f"A0 = rng.standard_normal(({n}, {n})).astype(np.{dtype})\n"
            f"B0 = rng.standard_normal(({n}, {n})).astype(np.{dtype})\n")
    return {
        'torchlike': (make + "import torchlike as tl\n"
                      "A = tl.fromNumpy(A0)\nB = tl.fromNumpy(B0)\n", 'tl.mm(A, B)'),
        'numpy': (make, 'A0 @ B0'),
        'torch': (make + "import torch\n"
                  "A = torch.from_numpy(A0)\nB = torch.from_numpy(B0)\n", 'torch.mm(A, B)'),
    }


def cases(quick=False):
    out = []
    for name, stmts in SMALL_OPS:
        out.append(Case(name, {fw: Timeit(_SETUP[fw], s) for fw, s in stmts.items()},
                        unit='ns', group='small', min_time=0.05, repeat=3,
                        targets=SMALL_TARGETS))
    for n in (MM_SIZES_QUICK if quick else MM_SIZES):
        for dtype in ('float32', 'float64'):
            impls = {fw: Timeit(setup, stmt) for fw, (setup, stmt) in _mm_setup(n, dtype).items()}
            big = n >= 2048
            out.append(Case(f'mm n={n} {dtype}', impls, unit='GFLOP/s', work=2.0 * n ** 3,
                            group='mm', min_time=0.1, repeat=2 if big else 3,
                            number=1 if big else None, settle=0.2,
                            targets=MM_TARGETS if n == MM_TARGET_N else {}))
    return out


def run(opts):
    """Measure this suite with harness options `opts`; returns the rows (run_all calls this)."""
    return harness.run_suite(SUITE, cases(opts.quick), opts)


def main(argv=None):
    return harness.cli(run, argv, __doc__)


if __name__ == '__main__':
    main()
