"""nngraph's per-node overhead: a 50-module chain as an nn.gModule against the same chain as an
nn.Sequential, one forward + backward on small tensors.

    python -m bench.bench_nngraph [--quick] [--rounds N] [--json PATH]

The chain alternates Linear(16 -> 16) and Tanh (25 of each), float32, batch 4, so that the
modules themselves cost little and the container's bookkeeping shows. The gModule holds the very
same 50 modules (its first Linear is the graph's input node, no extra Identity); both containers
are measured in one process, taking turns (the order rotates every round), each figure the best
of 5 timeit repeats, the table quoting the median over rounds. The issue's target is
gModule / Sequential <= 1.3; nothing is asserted, the row says met or MISS.
"""
import statistics
import sys
import timeit

SUITE = 'nngraph'
N_MODULES, WIDTH, BATCH = 50, 16, 4
TARGET = 1.3


def chains():
    """(Sequential, gModule, input, gradOutput) over the same 50 modules."""
    import nn
    import nngraph  # noqa: F401  (module(node) builds nodes, nn.gModule)
    import torchlike as torch
    torch.manualSeed(0)
    mods = []
    for i in range(N_MODULES // 2):
        mods += [nn.Linear(WIDTH, WIDTH).float(), nn.Tanh().float()]
    seq = nn.Sequential(*mods)
    first = h = mods[0]()
    for m in mods[1:]:
        h = m(h)
    g = nn.gModule([first], [h])
    x = torch.FloatTensor(BATCH, WIDTH).uniform(-1, 1)
    gy = torch.FloatTensor(BATCH, WIDTH).uniform(-1, 1)
    return seq, g, x, gy


def step_of(model, x, gy):
    def step():
        model.forward(x)
        model.backward(x, gy)
    step()
    return step


def _best(step, number, repeat):
    return min(timeit.repeat(step, number=number, repeat=repeat)) / number


def measure(rounds, number, repeat=5, verbose=False):
    """Per-round seconds per forward+backward: {'Sequential': [...], 'gModule': [...]}."""
    seq, g, x, gy = chains()
    steps = {'Sequential': step_of(seq, x, gy), 'gModule': step_of(g, x, gy)}
    names = list(steps)
    samples = {n: [] for n in names}
    for r in range(rounds):
        if verbose:
            print(f"[{SUITE}] round {r + 1}/{rounds}", file=sys.stderr, flush=True)
        for name in names[r % 2:] + names[:r % 2]:
            samples[name].append(_best(steps[name], number, repeat))
    return samples


def run(opts):
    from bench import harness
    rounds = opts.rounds or (1 if opts.quick else 7)
    number = 20 if opts.quick else 200
    samples = measure(rounds, number, 2 if opts.quick else 5, opts.verbose)
    ratios = [a / b for a, b in zip(samples['gModule'], samples['Sequential'])]

    def row(name, unit, values, targets=None, met=None):
        med = statistics.median(values)
        spread = (max(values) - min(values)) / med if med else 0.0
        return harness.Row(SUITE, name, unit, {'torchlike': med}, {}, targets or {}, met,
                           {'torchlike': spread}, {}, {'torchlike': list(values)})

    what = f'{N_MODULES}-module chain fwd+bwd, {BATCH}x{WIDTH} float32'
    ratio = statistics.median(ratios)
    return [row(f'Sequential, {what}', 'us', [s * 1e6 for s in samples['Sequential']]),
            row(f'gModule, {what}', 'us', [s * 1e6 for s in samples['gModule']]),
            row('gModule / Sequential (same round)', 'x', ratios,
                {'Sequential': ('<=', TARGET)}, ratio <= TARGET)]


def main(argv=None):
    from bench import harness
    return harness.cli(run, argv, __doc__)


if __name__ == '__main__':
    main()
