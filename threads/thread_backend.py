"""Thread workers: jobs, arguments and results are passed by reference (nothing is copied, as
with Torch7's sharedserialize). Right when the work releases the GIL: numpy, BLAS, numba
`nogil` kernels, file and network I/O.

Each worker takes jobs from one queue: its own (specific mode, and the init functions) or the
shared one. Results go to one unbounded result queue that the pool reads in the main thread,
so a worker never waits for the main thread.
"""
import queue
import threading

from . import numba_layer, worker

JOB, TO_SHARED, TO_OWN, STOP = 0, 1, 2, 3

numba_layer.configure()   # before any parallel numba kernel can run in a worker


def _loop(wid, own, shared, results):
    worker.set_thread_id(wid)
    q = own
    put = results.put
    while True:
        kind, jobid, fn, args = q.get()
        if kind == JOB:
            try:
                value = fn(*args)
            except BaseException as e:
                put((jobid, wid, False, worker.failure(e)))
            else:
                put((jobid, wid, True, value))
            value = fn = args = None    # drop references to the last job's data
        elif kind == TO_SHARED:
            q = shared
            put((jobid, wid, True, None))
        elif kind == TO_OWN:
            q = own
            put((jobid, wid, True, None))
        else:
            return


class ThreadBackend:
    name = 'thread'

    def __init__(self, n, capacity):
        self.n = n
        self.capacity = capacity
        self.results = queue.SimpleQueue()
        self._shared = queue.SimpleQueue()
        self._own = [queue.SimpleQueue() for _ in range(n)]
        self._threads = []
        for i in range(n):
            t = threading.Thread(target=_loop, args=(i, self._own[i], self._shared, self.results),
                                 name=f'threads-worker-{i}', daemon=True)
            t.start()
            self._threads.append(t)

    def accepts(self, wid, pending):
        """Room for one more job? Non-specific: fewer than n + capacity jobs not finished yet
        (`pending` jobs minus the finished ones waiting in the result queue). Specific: fewer
        than `capacity` jobs waiting in the worker's own queue."""
        if wid is None:
            return pending - self.results.qsize() < self.n + self.capacity
        return self._own[wid].qsize() < self.capacity

    def settled(self):
        pass

    def submit(self, wid, kind, jobid, fn, args):
        (self._shared if wid is None else self._own[wid]).put((kind, jobid, fn, args))

    def stop(self, discard=False, timeout=10.0):
        """Stop every worker. The pool has synchronized first unless `discard`: then the queued
        jobs are dropped and the running ones finish unobserved."""
        if discard:
            for q in [self._shared] + self._own:
                try:
                    while True:
                        q.get_nowait()
                except queue.Empty:
                    pass
        # a worker reads either its own queue or the shared one: a STOP in both reaches it
        for q in self._own:
            q.put((STOP, -1, None, ()))
        for _ in range(self.n):
            self._shared.put((STOP, -1, None, ()))
        current = threading.current_thread()
        for t in self._threads:
            if t is not current:
                t.join(timeout)
        return all(not t.is_alive() for t in self._threads)

    def shutdown(self):
        """Finaliser (garbage collection, interpreter exit): stop without waiting long."""
        self.stop(discard=True, timeout=0.5)
