"""optim.Logger: log values during training to a tab-separated file and plot them (Torch7's
Logger.lua, with matplotlib in place of gnuplot).

    logger = optim.Logger('results/train.log')
    logger.setNames(['train error', 'test error'])
    logger.add([0.51, 0.62])        # or logger.add({'train error': .51, 'test error': .62})
    logger.style(['-', '+-'])
    logger.plot()                            # writes results/train.log.png and .svg

The file format is Torch7's: one header line of names, then one line per add, numbers as
'%11.4e', strings verbatim, every field followed by a tab; each line is flushed at once.
"""
import math
import numbers
import os
import sys
import time

import numpy as np

from torchlike._core import TensorBase

from .svg_plot import write_svg_plot

PLOT_STYLES = ('.', '+', '-', '+-', '~', '|')


class Logger:
    """`optim.Logger(filename=None, timestamp=False)`.

    The file's directory is created when missing. timestamp=True appends the date and time to
    the file name (Torch7's '-%Y_%m_%d_%X'); plots keep the name without it. Without a file name
    the log goes to standard output.
    """

    def __init__(self, filename=None, timestamp=False):
        if filename:
            filename = os.fspath(filename)
            self.name = filename
            folder = os.path.dirname(filename)
            if folder:
                os.makedirs(folder, exist_ok=True)
            path = filename + '-' + time.strftime('%Y_%m_%d_%X') if timestamp else filename
            self.path = path
            self.file = open(path, 'w')
            self.plotfile = filename          # plot() writes plotfile + '.png' / '.svg'
        else:
            self.name = 'stdout'
            self.path = None
            self.file = sys.stdout
            self.plotfile = None
            print('<Logger> warning: no path provided, logging to std out')
        self.empty = True
        self.names = []            # column names, in file order
        self.symbols = {}          # name -> list of logged values
        self.styles = {}           # name -> list of styles
        self.showPlot = True
        self.plotRawCmd = None     # optional callable(axes), run before the plot is saved
        self.defaultStyle = '+'
        self.logscale = False

    # -- writing ----------------------------------------------------------------------------------
    def _header(self, names):
        self.names = [str(n) for n in names]
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"Logger: column names must be unique, got {self.names}")
        self.empty = False
        for n in self.names:
            self.symbols[n] = []
            self.styles.setdefault(n, [self.defaultStyle])
        self.file.write(''.join(n + '\t' for n in self.names) + '\n')
        self.file.flush()

    def setNames(self, names):
        """Name the columns and write the header line; returns self."""
        if isinstance(names, str) or not hasattr(names, '__iter__'):
            raise TypeError(f"Logger.setNames expects a list of names, got {type(names).__name__}")
        self._header(list(names))
        return self

    @staticmethod
    def _value(v):
        if isinstance(v, str):
            return v
        if isinstance(v, TensorBase) and v.nElement() == 1:
            return v._arr().reshape(-1)[0].item()
        if isinstance(v, np.ndarray) and v.size == 1:
            return v.reshape(-1)[0].item()
        if isinstance(v, numbers.Real):
            return v.item() if isinstance(v, np.generic) else v
        raise TypeError(f"Logger: can only log numbers and strings, got {type(v).__name__}")

    def add(self, values):
        """Log one row: a list (one value per column, in order) or a dict {name: value}. The first
        add without setNames names the columns (dict keys, or 0, 1, ... for a list); a dict may
        leave columns out (written as nan)."""
        if isinstance(values, dict):
            if self.empty:
                self._header(list(values))
            row = {str(k): v for k, v in values.items()}
            unknown = [k for k in row if k not in self.symbols]
            if unknown:
                raise KeyError(f"Logger.add: unknown column(s) {unknown}; the columns are "
                               f"{self.names}")
            ordered = [row.get(n, math.nan) for n in self.names]
        elif isinstance(values, (list, tuple)):
            if self.empty:
                self._header([str(i) for i in range(len(values))])
            if len(values) != len(self.names):
                raise ValueError(f"Logger.add: got {len(values)} values for {len(self.names)} "
                                 f"columns {self.names}")
            ordered = list(values)
        else:
            raise TypeError(f"Logger.add expects a list or a dict, got {type(values).__name__}")
        ordered = [self._value(v) for v in ordered]
        self.file.write(''.join((v if isinstance(v, str) else '%11.4e' % v) + '\t'
                                for v in ordered) + '\n')
        self.file.flush()
        for n, v in zip(self.names, ordered):
            self.symbols[n].append(v)

    def close(self):
        if self.file is not sys.stdout and not self.file.closed:
            self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- plotting ---------------------------------------------------------------------------------
    def style(self, styles):
        """Plot styles, as a list (one per column) or a dict {name: style}; a style is one of
        '.', '+', '-', '+-', '~' (smoothed line), '|' (bars), a matplotlib format string such as
        'r--', or a list of these. Returns self."""
        if isinstance(styles, dict):
            items = [(str(k), v) for k, v in styles.items()]
        elif isinstance(styles, (list, tuple)):
            if len(styles) > len(self.names):
                raise ValueError(f"Logger.style: {len(styles)} styles for {len(self.names)} "
                                 f"columns {self.names}")
            items = list(zip(self.names, styles))
        else:
            raise TypeError(f"Logger.style expects a list or a dict, got {type(styles).__name__}")
        for name, st in items:
            if isinstance(st, str):
                st = [st]
            elif not (isinstance(st, (list, tuple)) and all(isinstance(s, str) for s in st)):
                raise TypeError("Logger.style: a style should be a string or a list of strings")
            self.styles[name] = list(st)
        return self

    def setlogscale(self, state=True):
        """Use a logarithmic y axis in plots."""
        self.logscale = bool(state)

    def display(self, state=True):
        """Kept for Torch7 code; plots are only written to files (no window is opened)."""
        self.showPlot = bool(state)

    def plot(self, *names):
        """Plot the given columns (all by default) that hold at least two numbers, and write
        `<filename>.png` and `<filename>.svg` with matplotlib, or `<filename>.svg` alone with a
        built-in SVG writer when matplotlib is not installed. Returns the paths written (an
        empty list when there is nothing to plot or no file name)."""
        for n in names:
            if n not in self.symbols:
                raise KeyError(f"Logger.plot: unknown column {n!r}; the columns are {self.names}")
        series = []
        for n in (names or self.names):
            vals = self.symbols[n]
            if len(vals) > 1 and all(not isinstance(v, str) for v in vals):
                series.append((n, np.asarray(vals, np.float64)))
        if not series or self.plotfile is None:
            return []
        try:
            from matplotlib.figure import Figure
        except ImportError:
            # no matplotlib: still a picture, drawn by a small SVG writer (lines only)
            path = f'{self.plotfile}.svg'
            write_svg_plot(path, [(n, y.tolist()) for n, y in series],
                           title=f'<Logger::{self.name}>')
            return [path]
        fig = Figure(figsize=(8, 5))
        ax = fig.add_subplot(1, 1, 1)
        for n, y in series:
            for st in self.styles.get(n, [self.defaultStyle]):
                _draw(ax, n, y, st)
        if self.logscale:
            ax.set_yscale('log')
        ax.grid(True)
        ax.set_title(f'<Logger::{self.name}>')
        ax.legend(loc='best')
        if self.plotRawCmd is not None:
            self.plotRawCmd(ax)
        paths = []
        for ext in ('png', 'svg'):
            path = f'{self.plotfile}.{ext}'
            fig.savefig(path, format=ext)
            paths.append(path)
        return paths


def _draw(ax, label, y, style):
    xs = np.arange(1, len(y) + 1)
    if style == '.':
        ax.plot(xs, y, linestyle='none', marker='.', label=label)
    elif style == '+':
        ax.plot(xs, y, linestyle='none', marker='+', label=label)
    elif style == '-':
        ax.plot(xs, y, linestyle='-', label=label)
    elif style in ('+-', '-+'):
        ax.plot(xs, y, linestyle='-', marker='+', label=label)
    elif style == '~':
        sx, sy = _smooth(xs, y)
        ax.plot(sx, sy, linestyle='-', label=label)
    elif style == '|':
        ax.bar(xs, y, label=label)
    else:
        try:
            ax.plot(xs, y, style, label=label)
        except ValueError as e:
            raise ValueError(f"Logger: unknown plot style {style!r} (use one of "
                             f"{', '.join(PLOT_STYLES)} or a matplotlib format string): {e}") \
                from None


def _smooth(xs, y, per_segment=8):
    """A Catmull-Rom cubic through the points (gnuplot's 'smooth csplines' in spirit)."""
    if len(y) < 3:
        return xs, y
    p = np.concatenate([[2 * y[0] - y[1]], y, [2 * y[-1] - y[-2]]])
    u = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    p0, p1, p2, p3 = p[:-3], p[1:-2], p[2:-1], p[3:]
    seg = 0.5 * (2 * p1 + (p2 - p0) * u + (2 * p0 - 5 * p1 + 4 * p2 - p3) * u ** 2
                 + (3 * p1 - p0 - 3 * p2 + p3) * u ** 3)
    sx = (xs[:-1] + u).T.reshape(-1)
    return np.append(sx, xs[-1]), np.append(seg.T.reshape(-1), y[-1])
