"""threads.Threads: Torch7's worker pool, with a thread backend and a process backend.

    pool = threads.Threads(4, init, backend='thread')     # or backend='process'
    pool.addjob(load, train, batchIndex)     # load(batchIndex) runs in a worker,
    pool.synchronize()                       # train(*its results) in the main thread
    pool.terminate()

Semantics kept from Torch7: end callbacks run in the main thread, inside addjob (when the queue
is full it runs finished jobs' end callbacks until a slot frees: back-pressure), dojob and
synchronize; `specific(True)` sends each job to a chosen worker; init functions run in every
worker, in order, with the worker's id. Different: ids are 0-based; a failing job raises
`JobError('[thread N callback] ...')` in the main thread with the worker's traceback and the
pool stays usable (Torch7 left it half-dead, and serialisation errors killed the process).
"""
import itertools
import queue
import weakref

from .errors import InitError, JobError, PoolBroken, job_error
from .thread_backend import JOB, TO_OWN, TO_SHARED, ThreadBackend

BACKENDS = ('thread', 'process')


def _is_index(v):
    return isinstance(v, int) and not isinstance(v, bool)


class Threads:
    """A pool of `n` workers. `Threads(n, *initFns, backend='thread', queueSize=None)`:

    - `initFns` run in every worker, in order, as `f(threadId)`; the results of the last one
      are `pool.initResults` (a list indexed by thread id). A failing one raises InitError
      naming the worker, after shutting the pool down.
    - `backend='thread'` (default): Python threads sharing memory; jobs and results are passed
      by reference. `backend='process'`: spawned processes; jobs must be picklable top-level
      functions, and tensors come back through shared memory (see threads.shared).
    - `queueSize` (default n): how many jobs may wait for a free worker (beyond the n being
      run) before addjob applies back-pressure: it then runs end callbacks of finished jobs
      until a slot frees. In specific mode, how many may wait for each worker.
    """

    def __init__(self, n, *initFns, backend='thread', queueSize=None):
        if not _is_index(n) or n < 1:
            raise ValueError(f"threads.Threads: the number of workers must be a positive integer, "
                             f"got {n!r}")
        if backend not in BACKENDS:
            raise ValueError(f"threads.Threads: backend must be 'thread' or 'process', "
                             f"got {backend!r}")
        if queueSize is None:
            queueSize = n
        if not _is_index(queueSize) or queueSize < 1:
            raise ValueError(f"threads.Threads: queueSize must be a positive integer, "
                             f"got {queueSize!r}")
        for j, f in enumerate(initFns):
            if not callable(f):
                raise TypeError(f"threads.Threads: init function {j} is not callable "
                                f"(got {type(f).__name__})")
        self.N = n
        self.backend = backend
        self.queueSize = queueSize
        self._callbacks = {}            # job id -> (end callback, kind, arguments kept alive)
        self._ids = itertools.count()
        self._specific = True           # workers start on their own queues (init functions)
        self._running = False
        self._broken = None
        if backend == 'thread':
            self._backend = ThreadBackend(n, queueSize)
        else:
            from .process_backend import ProcessBackend
            self._backend = ProcessBackend(n, queueSize)
        self._running = True
        self._finalizer = weakref.finalize(self, self._backend.shutdown)
        self.initResults = [None] * n
        self._run_init(initFns)
        self.specific(False)

    # -- construction --------------------------------------------------------------------
    def _run_init(self, fns):
        results = self.initResults
        errors = []

        def keep(wid):
            def store(*values):
                results[wid] = values[0] if len(values) == 1 else (values or None)
            return store
        try:
            for j, f in enumerate(fns):
                last = j == len(fns) - 1
                for i in range(self.N):
                    self._queue(i, f, keep(i) if last else None, (i,), kind='init')
            while self._callbacks:
                try:
                    self.dojob()
                except JobError as e:
                    errors.append(e)
        except BaseException:
            self.terminate(discard=True)
            raise
        if errors:
            self.terminate(discard=True)
            first = errors[0]
            err = InitError(str(first), threadId=first.threadId, kind='init',
                            original=first.original, remoteTraceback=first.remoteTraceback,
                            typeName=first.typeName)
            if len(errors) > 1:
                others = ', '.join(str(e.threadId) for e in errors[1:])
                err.add_note(f"init functions also failed in thread(s) {others}")
            err.add_note("the pool was shut down")
            raise err from None

    # -- state ----------------------------------------------------------------------------
    def _check(self):
        if self._broken is not None:
            raise PoolBroken(self._broken)
        if not self._running:
            raise RuntimeError("threads.Threads: the pool has been terminated")

    def isrunning(self):
        return self._running

    def hasjob(self):
        """True while some job's end callback has not run yet."""
        return bool(self._callbacks)

    def acceptsjob(self, threadId=None):
        """True when addjob would not wait (the queue, or worker `threadId`'s queue in
        specific mode, has a free slot)."""
        self._check()
        return self._backend.accepts(self._target(threadId, 'acceptsjob'), len(self._callbacks))

    def _target(self, threadId, what):
        if self._specific:
            if not _is_index(threadId) or not 0 <= threadId < self.N:
                raise ValueError(f"{what}: the pool is in specific mode, so a thread id in "
                                 f"0..{self.N - 1} is required, got {threadId!r}")
            return threadId
        if threadId is not None:
            raise ValueError(f"{what}: a thread id was given but the pool is not in specific "
                             f"mode; call pool.specific(True) first")
        return None

    # -- jobs -------------------------------------------------------------------------------
    def addjob(self, *args):
        """addjob([threadId,] fn, endcallback=None, *args): run fn(*args) in a worker, then
        endcallback(*results) in the main thread. A tuple result is spread over the end
        callback's arguments (Lua's multiple returns), None gives no argument, anything else
        one. In specific mode the first argument is the 0-based thread id. When the queue is
        full, end callbacks of finished jobs run here until a slot frees."""
        self._check()
        if self._specific:
            if not args or not _is_index(args[0]):
                raise TypeError(f"addjob: the pool is in specific mode: the first argument must "
                                f"be a thread id in 0..{self.N - 1}")
            wid = self._target(args[0], 'addjob')
            args = args[1:]
        else:
            wid = None
            if args and _is_index(args[0]):
                raise TypeError("addjob: a thread id was given but the pool is not in specific "
                                "mode; call pool.specific(True) first")
        if not args or not callable(args[0]):
            got = type(args[0]).__name__ if args else 'nothing'
            raise TypeError(f"addjob: expected a job function, got {got}")
        fn = args[0]
        endcallback = args[1] if len(args) > 1 else None
        if endcallback is not None and not callable(endcallback):
            raise TypeError(f"addjob: the end callback must be a function or None, "
                            f"got {type(endcallback).__name__}")
        accepts, callbacks = self._backend.accepts, self._callbacks
        while not accepts(wid, len(callbacks)):
            try:
                self.dojob()
            except BaseException as e:
                e.add_note("(raised inside addjob, which was waiting for queue space: the new "
                           "job was not queued)")
                raise
        self._queue(wid, fn, endcallback, args[2:])

    def _queue(self, wid, fn, endcallback, args, kind='callback', msg=JOB):
        jobid = next(self._ids)
        self._callbacks[jobid] = (endcallback, kind, args)
        try:
            self._backend.submit(wid, msg, jobid, fn, args)
        except BaseException:
            del self._callbacks[jobid]
            raise
        return jobid

    def dojob(self, timeout=None):
        """Wait for one job to finish and run its end callback (or raise its JobError).
        `timeout` (seconds) raises TimeoutError instead of waiting longer."""
        self._check()
        if not self._callbacks:
            raise RuntimeError("dojob: no job is pending, so there is nothing to wait for")
        try:
            jobid, wid, ok, value = self._backend.results.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"dojob: no job finished within {timeout} s") from None
        if jobid < 0:
            self._die(wid, value)
        endcallback, kind, _ = self._callbacks.pop(jobid)
        if not ok:
            raise job_error(kind, wid, value) from None
        if endcallback is not None:
            try:
                if value is None:
                    endcallback()
                elif type(value) is tuple:
                    endcallback(*value)
                else:
                    endcallback(value)
            except BaseException as e:
                e.add_note(f"[thread {wid} endcallback] raised by the end callback of a job "
                           f"that ran on thread {wid}")
                raise

    def _die(self, wid, exitcode):
        msg = (f"[thread {wid}] the worker process died (exit code {exitcode}) with "
               f"{len(self._callbacks)} job(s) pending; the pool has been shut down")
        self._broken = msg
        self._callbacks.clear()
        self._stop(discard=True)
        raise PoolBroken(msg)

    def synchronize(self, timeout=None):
        """Run dojob until no job is pending. A failing job raises at once; the jobs still
        pending stay pending (call synchronize again to go on)."""
        if not self._running:
            return
        while self._callbacks:
            self.dojob(timeout)

    def specific(self, flag=None):
        """specific() tells the mode; specific(True/False) switches it, synchronizing first.
        In specific mode addjob and acceptsjob take the target worker's id first."""
        if flag is None:
            return self._specific
        self._check()
        if not isinstance(flag, bool):
            raise TypeError(f"specific: expected True or False, got {flag!r}")
        self.synchronize()
        if flag != self._specific:
            for i in range(self.N):
                if self._specific:    # each worker takes one switch from its own queue
                    self._queue(i, None, None, (), kind='control', msg=TO_SHARED)
                else:                 # each worker takes one from the shared queue and leaves
                    self._queue(None, None, None, (), kind='control', msg=TO_OWN)
            self._specific = flag
            self.synchronize()
            self._backend.settled()
        return self._specific

    def terminate(self, discard=False):
        """Finish every pending job (running its end callback), then stop the workers. With
        `discard=True` pending jobs are dropped instead. A job that failed meanwhile raises
        its JobError after the workers have stopped. Calling terminate again does nothing."""
        if not self._running:
            return
        errors = []
        try:
            if not discard and self._broken is None:
                while self._callbacks:
                    try:
                        self.dojob()
                    except JobError as e:
                        errors.append(e)
        finally:
            self._stop(discard or bool(self._callbacks))
        if errors:
            first = errors[0]
            if len(errors) > 1:
                first.add_note(f"{len(errors) - 1} other job(s) failed while terminating: "
                               + '; '.join(str(e).split('\n', 1)[0] for e in errors[1:]))
            raise first

    def _stop(self, discard):
        if not self._running:
            return
        self._running = False
        self._callbacks.clear()
        self._finalizer.detach()
        if self._backend.name == 'process':
            self._backend.stop(discard=discard, specific=self._specific)
        else:
            self._backend.stop(discard=discard)

    # -- conveniences -----------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # leaving on an exception: do not run more end callbacks while it propagates
        self.terminate(discard=exc_type is not None)

    def workerPids(self):
        """The worker processes' ids (process backend), for monitoring."""
        return self._backend.pids() if self.backend == 'process' else []

    def __repr__(self):
        state = 'running' if self._running else 'terminated'
        return (f"threads.Threads({self.N} workers, backend={self.backend!r}, {state}, "
                f"{len(self._callbacks)} pending job(s))")
