"""torch.progress(i, n, extra): a progress bar in the spirit of xlua.progress.

`i` counts completed steps, 0..n; the bar finishes when `i == n`. Both loop styles work:
`progress(k + 1, n)` after step k, or `progress(0, n)` before the loop and then after each step.
A new run starts (timer and bar reset) when `i` goes backwards, `n` or the stream changes, or
the previous run finished.

On a terminal (`stream.isatty()`) one line is redrawn in place with `\\r`:
    [==========>...................] 37/100 | 12.3s | ETA 21.0s | loss 0.123
and the final call leaves `... 100/100 | total 33.1s | loss 0.101` and a newline.
Anywhere else (CI logs, files, pipes) plain lines are written sparsely: when another tenth
of the run is done or PLAIN_EVERY_SECONDS have passed since the last line, plus the final one.
"""
import sys
import time

BAR_WIDTH = 30
REDRAW_SECONDS = 0.1         # terminal: redraw at most this often unless the bar moved
PLAIN_EVERY_SECONDS = 10.0   # plain output: a line at least this often when progress is slow
PLAIN_STEPS = 10             # plain output: a line each time another 1/PLAIN_STEPS is done

_clock = time.perf_counter   # a module attribute so tests can substitute a fake clock


def format_duration(seconds):
    """Short human-readable duration: '4.2s', '3m05s', '2h07m09s'."""
    if seconds != seconds or seconds < 0:
        return '?'
    if seconds < 60:
        return '%.1fs' % seconds
    seconds = int(round(seconds))
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return '%dm%02ds' % (minutes, sec)
    hours, minutes = divmod(minutes, 60)
    return '%dh%02dm%02ds' % (hours, minutes, sec)


class _Run:
    """The state of the bar being drawn: one run of 0..n steps on one stream."""
    __slots__ = ('stream', 'n', 'tty', 'start_time', 'start_i', 'last_i', 'last_draw',
                 'last_fill', 'last_bucket', 'last_len', 'done')

    def __init__(self, stream, n, now, i):
        isatty = getattr(stream, 'isatty', None)
        try:
            self.tty = bool(isatty()) if isatty is not None else False
        except (ValueError, OSError):     # a closed stream
            self.tty = False
        self.stream = stream
        self.n = n
        self.start_time = now
        self.start_i = i
        self.last_i = i
        self.last_draw = None
        self.last_fill = -1
        self.last_bucket = 0
        self.last_len = 0
        self.done = False


_run = None


def _extra_text(extra):
    if extra is None or extra == '':
        return ''
    if isinstance(extra, float):
        extra = '%.4g' % extra
    return ' | %s' % (extra,)


def _eta(run, i, elapsed):
    done = i - run.start_i
    if done <= 0:
        return float('nan')
    return (run.n - i) * elapsed / done


def progress(i, n, extra='', stream=None):
    """Report that `i` of `n` steps are done; `extra` (a string or a number, e.g. the loss)
    is shown at the end of the line. Writes to `stream` (default: sys.stdout at call time)."""
    global _run
    if isinstance(i, bool) or isinstance(n, bool) or not (
            hasattr(i, '__index__') and hasattr(n, '__index__')):
        raise TypeError("progress(i, n): i and n must be integers, got %s and %s"
                        % (type(i).__name__, type(n).__name__))
    i, n = int(i), int(n)
    if n <= 0:
        raise ValueError("progress(i, n): n must be positive, got n=%d" % n)
    if not 0 <= i <= n:
        raise ValueError("progress(i, n): i must be in 0..n, got i=%d, n=%d" % (i, n))
    if stream is None:
        stream = sys.stdout
    now = _clock()
    run = _run
    if run is not None and run.done and run.stream is stream and run.n == n and i == n:
        return                                         # the final call repeated: nothing new
    if run is None or run.done or run.stream is not stream or run.n != n or i < run.last_i:
        if run is not None and not run.done and run.tty:
            _write(run.stream, '\n')                   # leave the abandoned bar on its line
        run = _run = _Run(stream, n, now, i)
    run.last_i = i
    finished = i == n
    elapsed = now - run.start_time
    if run.tty:
        _draw_tty(run, i, n, extra, now, elapsed, finished)
    else:
        _draw_plain(run, i, n, extra, now, elapsed, finished)
    if finished:
        run.done = True


def _draw_tty(run, i, n, extra, now, elapsed, finished):
    fill = i * BAR_WIDTH // n
    if not finished and fill == run.last_fill and run.last_draw is not None \
            and now - run.last_draw < REDRAW_SECONDS:
        return
    bar = '=' * fill + ('>' if fill < BAR_WIDTH else '') + '.' * (BAR_WIDTH - fill - 1)
    count = '%*d/%d' % (len(str(n)), i, n)
    if finished:
        times = 'total %s' % format_duration(elapsed)
    else:
        times = '%s | ETA %s' % (format_duration(elapsed),
                                 format_duration(_eta(run, i, elapsed)))
    line = ' [%s] %s | %s%s' % (bar, count, times, _extra_text(extra))
    pad = ' ' * max(0, run.last_len - len(line))     # wipe what a longer previous line left
    _write(run.stream, '\r' + line + pad + ('\n' if finished else ''))
    run.last_len = len(line)
    run.last_fill = fill
    run.last_draw = now


def _draw_plain(run, i, n, extra, now, elapsed, finished):
    bucket = i * PLAIN_STEPS // n
    since = now - (run.last_draw if run.last_draw is not None else run.start_time)
    if not finished and bucket <= run.last_bucket and since < PLAIN_EVERY_SECONDS:
        return
    count = '%*d/%d [%3d%%]' % (len(str(n)), i, n, 100 * i // n)
    if finished:
        times = 'total %s' % format_duration(elapsed)
    else:
        times = 'elapsed %s | ETA %s' % (format_duration(elapsed),
                                         format_duration(_eta(run, i, elapsed)))
    _write(run.stream, '%s | %s%s\n' % (count, times, _extra_text(extra)))
    run.last_bucket = bucket
    run.last_draw = now


def _write(stream, text):
    stream.write(text)
    flush = getattr(stream, 'flush', None)
    if flush is not None:
        flush()
