"""torch.Timer (Torch7's Timer.c) and torch.tic / torch.toc.

A Timer starts running when it is made. `time()` gives the real (wall-clock), user and system
CPU seconds accumulated while it was running; `stop()` pauses it, `resume()` continues, and
`reset()` zeroes the totals (a stopped timer stays stopped, as in Torch7).
"""
import os
import time

try:
    import resource as _resource
except ImportError:          # Windows: no getrusage; os.times() has the same two numbers
    _resource = None


def _cpu_times():
    """(user, system) CPU seconds used by this process so far."""
    if _resource is not None:
        ru = _resource.getrusage(_resource.RUSAGE_SELF)
        return ru.ru_utime, ru.ru_stime
    t = os.times()
    return t.user, t.system


def _now():
    """(real, user, sys) readings; real comes from a monotonic clock."""
    user, system = _cpu_times()
    return time.perf_counter(), user, system


class Timer:
    """`torch.Timer()`: a stopwatch for real, user and sys time, running from creation."""

    __slots__ = ('_running', '_total', '_start')

    def __init__(self):
        self._running = True
        self._total = (0.0, 0.0, 0.0)
        self._start = _now()

    def reset(self):
        """Zero the totals and restart counting from now; returns self."""
        self._total = (0.0, 0.0, 0.0)
        self._start = _now()
        return self

    def stop(self):
        """Pause: the time until now is added to the totals; returns self."""
        if self._running:
            self._total = self._elapsed()
            self._running = False
        return self

    def resume(self):
        """Continue counting after `stop()`; returns self."""
        if not self._running:
            self._running = True
            self._start = _now()
        return self

    def isRunning(self):
        return self._running

    def _elapsed(self):
        if not self._running:
            return self._total
        now = _now()
        return tuple(tot + n - s for tot, n, s in zip(self._total, now, self._start))

    def time(self):
        """{'real': s, 'user': s, 'sys': s}: seconds counted while running."""
        real, user, system = self._elapsed()
        return {'real': real, 'user': user, 'sys': system}

    def __repr__(self):
        return 'torch.Timer [status: %s]' % ('running' if self._running else 'stopped')

    __str__ = __repr__


_last_tic = None


def tic():
    """Start a wall-clock measurement: returns a start mark for `toc(mark)` and also
    remembers it, so a bare `toc()` measures from the latest `tic()`."""
    global _last_tic
    _last_tic = time.perf_counter()
    return _last_tic


def toc(t=None):
    """Seconds of wall-clock time since the mark `t` returned by `tic()` (default: the latest
    `tic()`)."""
    if t is None:
        if _last_tic is None:
            raise RuntimeError("toc() called before tic()")
        t = _last_tic
    return time.perf_counter() - t
