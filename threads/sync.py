"""Synchronisation between thread workers: Mutex, Condition, Queue and safe (Torch7's low level).

These work between the threads of one process (the main thread and thread-backend workers).
Process workers have their own memory; use `multiprocessing.get_context('spawn').Lock()` or
shared tensors there. A Mutex or Condition refuses to be pickled, so passing one to a process
worker fails with a clear error instead of silently making an unrelated copy.
"""
import functools
import itertools
import threading
import weakref
from collections import deque

_ids = itertools.count(1)
_registry_lock = threading.Lock()
_mutexes = weakref.WeakValueDictionary()      # id -> _MutexCore
_conditions = weakref.WeakValueDictionary()   # id -> _ConditionCore


class _MutexCore:
    __slots__ = ('lock', '__weakref__')

    def __init__(self):
        self.lock = threading.Lock()


class _ConditionCore:
    __slots__ = ('guard', 'waiters', '__weakref__')

    def __init__(self):
        self.guard = threading.Lock()
        self.waiters = deque()


def _lookup(registry, what, ident, new):
    with _registry_lock:
        if ident is None:
            ident = next(_ids)
            core = new()
            registry[ident] = core
            return ident, core
        core = registry.get(ident)
    if core is None:
        raise ValueError(f"threads.{what}({ident!r}): no live {what.lower()} has this id")
    return ident, core


def _no_pickle(self, protocol=None):
    raise TypeError(f"a threads.{type(self).__name__} synchronises the threads of one process "
                    "and cannot be sent to a process worker; use "
                    "multiprocessing.get_context('spawn').Lock() between processes")


class Mutex:
    """A mutual-exclusion lock. `Mutex()` makes a new one; `Mutex(id)` is another handle on the
    live mutex with that id (Torch7 passed ids to other threads; Python threads can also just
    share the object). `lock()`, `unlock()`, `id()`, `free()`, and `with mutex:`."""
    __slots__ = ('_id', '_core', '_lock')

    def __init__(self, id=None):
        self._id, self._core = _lookup(_mutexes, 'Mutex', id, _MutexCore)
        self._lock = self._core.lock

    def lock(self):
        self._lock.acquire()

    def unlock(self):
        try:
            self._lock.release()
        except RuntimeError:
            raise RuntimeError("Mutex.unlock: the mutex is not locked") from None

    def trylock(self):
        """Lock without waiting; True when the lock was taken."""
        return self._lock.acquire(False)

    def id(self):
        return self._id

    def free(self):
        """Drop this handle (the mutex itself lives while any handle does)."""
        self._core = None

    def __enter__(self):
        self._lock.acquire()
        return self

    def __exit__(self, *exc):
        self._lock.release()

    __reduce_ex__ = _no_pickle

    def __repr__(self):
        return f"threads.Mutex(id={self._id}, {'locked' if self._lock.locked() else 'unlocked'})"


class Condition:
    """A condition variable used with any Mutex, as Torch7's: `wait(mutex)` releases the mutex,
    sleeps until `signal()` (wakes one waiter) or `broadcast()` (wakes all), and locks the mutex
    again before returning. `wait(mutex, timeout)` returns False when the time ran out.
    `Condition(id)` is another handle on a live condition."""
    __slots__ = ('_id', '_core')

    def __init__(self, id=None):
        self._id, self._core = _lookup(_conditions, 'Condition', id, _ConditionCore)

    def wait(self, mutex, timeout=None):
        if not isinstance(mutex, Mutex):
            raise TypeError(f"Condition.wait: expected a threads.Mutex, got {type(mutex).__name__}")
        if not mutex._lock.locked():
            raise RuntimeError("Condition.wait: the mutex must be locked by the caller")
        core = self._core
        waiter = threading.Lock()
        waiter.acquire()
        with core.guard:
            core.waiters.append(waiter)
        mutex._lock.release()
        try:
            got = waiter.acquire(True, -1 if timeout is None else max(timeout, 0))
        finally:
            mutex._lock.acquire()
        if not got:
            with core.guard:
                try:
                    core.waiters.remove(waiter)
                except ValueError:   # signalled just after the timeout: consume it
                    got = True
        return got

    def signal(self):
        core = self._core
        with core.guard:
            if core.waiters:
                core.waiters.popleft().release()

    def broadcast(self):
        core = self._core
        with core.guard:
            while core.waiters:
                core.waiters.popleft().release()

    def id(self):
        return self._id

    def free(self):
        self._core = None

    __reduce_ex__ = _no_pickle

    def __repr__(self):
        return f"threads.Condition(id={self._id})"


class Queue:
    """A bounded, thread-safe job queue (Torch7's `threads.queue`): `addjob(fn, *args)` waits
    while the queue holds `size` jobs; `dojob()` waits for a job, runs it in the calling thread
    and returns what it returned. `isempty` / `isfull` tell the state; `len(q)` the number of
    queued jobs. Nothing is serialised: functions and arguments are passed by reference."""

    def __init__(self, size):
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ValueError(f"threads.Queue: the size must be a positive integer, got {size!r}")
        self.size = size
        self._jobs = deque()
        self._cond = threading.Condition(threading.Lock())

    def addjob(self, fn, *args):
        if not callable(fn):
            raise TypeError(f"Queue.addjob: expected a function, got {type(fn).__name__}")
        with self._cond:
            while len(self._jobs) >= self.size:
                self._cond.wait()
            self._jobs.append((fn, args))
            self._cond.notify_all()

    def dojob(self, timeout=None):
        with self._cond:
            if not self._cond.wait_for(lambda: self._jobs, timeout):
                raise TimeoutError(f"Queue.dojob: no job arrived within {timeout} s")
            fn, args = self._jobs.popleft()
            self._cond.notify_all()
        return fn(*args)

    @property
    def isempty(self):
        return not self._jobs

    @property
    def isfull(self):
        return len(self._jobs) >= self.size

    def __len__(self):
        return len(self._jobs)

    def __repr__(self):
        return f"threads.Queue({len(self._jobs)}/{self.size} jobs)"


def safe(fn, mutex=None):
    """`fn` wrapped so that one call at a time runs it, under `mutex` (a new Mutex by default).
    Torch7's `threads.safe`."""
    if not callable(fn):
        raise TypeError(f"threads.safe: expected a function, got {type(fn).__name__}")
    if mutex is None:
        mutex = Mutex()
    elif not isinstance(mutex, Mutex):
        raise TypeError(f"threads.safe: the second argument must be a threads.Mutex, "
                        f"got {type(mutex).__name__}")
    lock = mutex._lock

    @functools.wraps(fn)
    def guarded(*args, **kwargs):
        with lock:
            return fn(*args, **kwargs)
    guarded.mutex = mutex
    return guarded
