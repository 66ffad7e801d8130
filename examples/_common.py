"""Helpers shared by the examples: YAML defaults, optimiser choice, plots, checkpoints.

Not an example itself. The examples import it as `import _common` (their own folder is on
sys.path when they run as scripts; each example also adds it when loaded another way).
"""
import html
import importlib.util
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
    """Plot the Logger columns `names` to `base`.png/.svg with matplotlib when it is installed,
    else to `base`.svg with the small writer below. Returns the paths written ([] while a
    column holds fewer than two values)."""
    columns = [(n, [float(v) for v in logger.symbols[n]]) for n in names]
    if any(len(values) < 2 for _, values in columns):
        return []
    if importlib.util.find_spec('matplotlib') is not None:
        logger.plotfile = base
        logger.style({n: '+-' for n in names})
        return logger.plot(*names)
    path = base + '.svg'
    write_svg_plot(path, columns, title=os.path.basename(base), xlabel='epoch')
    return [path]


def write_svg_plot(path, columns, title='', xlabel=''):
    """A line chart of `columns` [(name, [y0, y1, ...]), ...] against 1, 2, ... as SVG,
    so that an example shows its curves even where matplotlib is missing."""
    width, height, left, right, top, bottom = 640, 400, 60, 150, 30, 40
    ys = [y for _, values in columns for y in values]
    lo, hi = min(ys), max(ys)
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    n = max(len(values) for _, values in columns)
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(i):
        return left + plot_w * (i / max(1, n - 1))

    def sy(y):
        return top + plot_h * (1 - (y - lo) / (hi - lo))

    colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd']
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="18" text-anchor="middle">{html.escape(title)}</text>',
           f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
           f'stroke="black"/>']
    for k in range(5):                                  # y ticks and grid lines
        y = lo + (hi - lo) * k / 4
        out.append(f'<line x1="{left}" y1="{sy(y):.1f}" x2="{left + plot_w}" y2="{sy(y):.1f}" '
                   f'stroke="#ddd"/><text x="{left - 5}" y="{sy(y) + 4:.1f}" '
                   f'text-anchor="end">{y:.4g}</text>')
    for i in range(n):                                  # x ticks: 1-based epoch numbers
        out.append(f'<text x="{sx(i):.1f}" y="{top + plot_h + 15}" '
                   f'text-anchor="middle">{i + 1}</text>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 5}" '
               f'text-anchor="middle">{html.escape(xlabel)}</text>')
    for j, (name, values) in enumerate(columns):
        colour = colours[j % len(colours)]
        points = ' '.join(f'{sx(i):.1f},{sy(y):.1f}' for i, y in enumerate(values))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                   f'stroke-width="2"/>')
        ly = top + 15 + 18 * j
        out.append(f'<line x1="{left + plot_w + 10}" y1="{ly}" x2="{left + plot_w + 30}" '
                   f'y2="{ly}" stroke="{colour}" stroke-width="2"/><text '
                   f'x="{left + plot_w + 35}" y="{ly + 4}">{html.escape(name)}</text>')
    out.append('</svg>')
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')
