"""Choosing between a kernel's serial and parallel (prange) versions at run time.

On 2 idle cores a parallel kernel is about twice as fast; when other processes hold the cores,
a prange waits for a descheduled worker and was measured 10-100x slower than the serial kernel.
So a runner times its calls (two clock reads), keeps a moving average of the time per element
of each mode and uses the faster. Now and then it tries the other mode; each try that confirms
the choice doubles the time to the next (MIN_INTERVAL to MAX_INTERVAL calls), so a mode that
stalls costs little. Both versions of a kernel must compute the same bits, so the choice never
changes results.
"""
import threading
import time

import numba


def available_chunks(limit=None):
    """How many parallel chunks the calling thread may use (0 = run serially). Only the main
    thread goes parallel: worker threads (Hogwild, data loading) are the parallelism there.
    numba.set_num_threads(1) or NUMBA_NUM_THREADS=1 turns parallel kernels off."""
    if threading.current_thread() is not threading.main_thread():
        return 0
    k = numba.get_num_threads()
    if limit is not None:
        k = min(k, limit)
    return k if k > 1 else 0


class AdaptiveRunner:
    """`runner(nchunks, nelements, *args)` calls `serial(*args)` when nchunks is 0, else
    `serial(*args)` or `parallel(*args, nchunks)`, whichever has been faster lately."""
    MIN_INTERVAL = 16
    MAX_INTERVAL = 1024
    DECAY = 0.8

    def __init__(self, serial, parallel):
        self.serial = serial
        self.parallel = parallel
        self.calls = 0
        self.use_parallel = True
        self.avg = [None, None]        # seconds per element: [serial, parallel]
        self.interval = self.MIN_INTERVAL
        self.next_try = 1 + self.MIN_INTERVAL

    def __call__(self, nchunks, nelements, *args):
        if not nchunks:
            self.serial(*args)
            return
        self.calls += 1
        trying = self.calls >= self.next_try
        par = self.use_parallel != trying
        t0 = time.perf_counter()
        if par:
            self.parallel(*args, nchunks)
        else:
            self.serial(*args)
        if self.calls == 1:
            return                     # the first call starts the thread pool: not typical
        dt = (time.perf_counter() - t0) / max(nelements, 1)
        old = self.avg[par]
        # the mode in use is averaged; a try replaces the other mode's (stale) figure
        self.avg[par] = dt if old is None or trying else self.DECAY * old + (1 - self.DECAY) * dt
        if trying:
            self.next_try = self.calls + self.interval
        if self.avg[0] is None or self.avg[1] is None:
            return
        choice = self.avg[1] < self.avg[0]
        if choice != self.use_parallel:
            self.use_parallel = choice
            self.interval = self.MIN_INTERVAL
            self.next_try = self.calls + self.interval
        elif trying:
            self.interval = min(2 * self.interval, self.MAX_INTERVAL)
            self.next_try = self.calls + self.interval
