"""Process workers: spawned (not forked) Python processes, for Python-heavy jobs that hold the GIL.

Pipes, per worker: its own job pipe (specific mode, init functions, control messages) and its
result pipe; plus one job pipe shared by all workers, read under a lock (non-specific mode).
Jobs are pickled (functions by reference: they must be importable top-level functions);
results are pickled by `transport.ResultPickler`, so tensors come back through shared memory.

A receiver thread in the main process reads every result pipe as soon as data arrives (so a
worker never blocks on a full pipe while the main thread is busy), unpickles the results and
queues them for the pool, which runs the end callbacks in the main thread. It also watches the
worker processes: one that dies is reported instead of leaving the main thread waiting forever.
"""
import multiprocessing as mp
import multiprocessing.connection as mpc
import pickle
import queue
import signal
import struct
import threading

from . import shared, transport, worker
from .thread_backend import JOB, STOP, TO_SHARED

_HEADER = struct.Struct('<Bqi')     # main -> worker: kind, job id, length of the gifts part
_RESULT = struct.Struct('<q?')      # worker -> main: job id, ok
DIED = -1                           # job id of the record announcing a dead worker

_PICKLE_HINT = (
    "With backend='process' the job function, its arguments and the init functions are pickled "
    "and sent to another Python process: functions must be defined at the top level of an "
    "importable module (not lambdas, not functions defined inside other functions, not methods "
    "of local classes), and a script that starts a process pool must guard its main code with "
    "`if __name__ == '__main__':`. functools.partial of a top-level function works. "
    "backend='thread' has none of these limits.")


# -- the worker process ----------------------------------------------------------------------
class _Stop(BaseException):
    pass


def _on_sigterm(signum, frame):
    raise _Stop()


def worker_main(wid, own, shared_jobs, shared_lock, results):
    """Entry point of a spawned worker process."""
    from . import numba_layer
    numba_layer.configure()
    worker.set_thread_id(wid)
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the main process's business
    listen_shared = False
    try:
        while True:
            try:
                if listen_shared:
                    with shared_lock:
                        data = shared_jobs.recv_bytes()
                else:
                    data = own.recv_bytes()
            except EOFError:          # the main process is gone
                return
            kind, jobid, _ = _HEADER.unpack_from(data)
            if kind == JOB:
                _run(wid, jobid, data, results)
            elif kind == STOP:
                return
            else:
                listen_shared = kind == TO_SHARED
                results.send_bytes(transport.dumps_result(None, _RESULT.pack(jobid, True)))
    except (_Stop, BrokenPipeError):
        return
    finally:
        shared.release_owned()


def _run(wid, jobid, data, results):
    _, _, ngift = _HEADER.unpack_from(data)
    if ngift:       # recycled blocks for this worker, in a part of their own that always loads
        shared.adopt(pickle.loads(memoryview(data)[_HEADER.size:_HEADER.size + ngift]))
    try:
        fn, args = transport.loads(memoryview(data)[_HEADER.size + ngift:])
    except _Stop:
        raise
    except BaseException as e:
        _send_failure(results, jobid, e, prefix=(
            "the job could not be loaded in the worker process. " + _PICKLE_HINT + " Cause: "))
        return
    try:
        value = fn(*args)
    except _Stop:
        raise
    except BaseException as e:
        _send_failure(results, jobid, e)
        return
    try:
        msg = transport.dumps_result(value, _RESULT.pack(jobid, True))
    except _Stop:
        raise
    except BaseException as e:
        _send_failure(results, jobid, e, prefix="the job's result could not be sent back "
                      "(it must be picklable): ")
        return
    results.send_bytes(msg)


def _send_failure(results, jobid, exc, prefix=''):
    name, message, tb_text, original = worker.failure(exc)
    header = _RESULT.pack(jobid, False)
    try:
        pickle.dumps(original)
        msg = transport.dumps_result((name, prefix + message, tb_text, original), header)
    except Exception:          # the exception object itself does not travel: its text does
        msg = transport.dumps_result((name, prefix + message, tb_text, None), header)
    results.send_bytes(msg)


# -- the main process side -------------------------------------------------------------------
class ProcessBackend:
    name = 'process'

    def __init__(self, n, capacity):
        shared._require_posix()
        ctx = mp.get_context('spawn')
        self.n = n
        self.capacity = capacity
        self.results = queue.SimpleQueue()
        self._sent = [0] * n           # jobs sent to each worker's own pipe
        self._done = [0] * n           # results received from each worker (own-pipe jobs too)
        self._stopping = False
        self._gifts = {}               # job id -> recycled blocks sent with it, not yet taken
        shared_r, self._shared_w = ctx.Pipe(duplex=False)
        self._shared_lock = ctx.Lock()
        self._own_w, self._res_r, self._procs = [], [], []
        for i in range(n):
            own_r, own_w = ctx.Pipe(duplex=False)
            res_r, res_w = ctx.Pipe(duplex=False)
            p = ctx.Process(target=worker_main, name=f'threads-worker-{i}', daemon=True,
                            args=(i, own_r, shared_r, self._shared_lock, res_w))
            p.start()
            own_r.close()
            res_w.close()
            self._own_w.append(own_w)
            self._res_r.append(res_r)
            self._procs.append(p)
        shared_r.close()
        self._receiver = threading.Thread(target=self._receive, name='threads-receiver',
                                          daemon=True)
        self._receiver.start()
        shared.start_recycling()

    # -- sending ---------------------------------------------------------------------------
    def accepts(self, wid, pending):
        """As ThreadBackend.accepts; a specific worker may hold one running job and
        `capacity` waiting ones."""
        if wid is None:
            return pending - self.results.qsize() < self.n + self.capacity
        return self._sent[wid] - self._done[wid] < 1 + self.capacity

    def settled(self):
        """Every job has been delivered (the pool synchronized): restart the per-worker
        counts, which in non-specific mode cannot tell which worker ran what."""
        self._sent = list(self._done)

    def submit(self, wid, kind, jobid, fn, args):
        if kind == JOB:
            try:
                body = transport.dumps_job((fn, args))
            except (pickle.PicklingError, AttributeError, TypeError) as e:
                what = getattr(fn, '__qualname__', repr(fn))
                raise TypeError(f"threads (process backend): cannot send job {what} to a worker "
                                f"process: {e}. {_PICKLE_HINT}") from e
            # idle result blocks ride back to the workers with the jobs (see shared.py)
            gifts = shared.give(1)
            extra = pickle.dumps(gifts) if gifts else b''
            if gifts:
                self._gifts[jobid] = gifts     # before sending: the result may come back first
            data = _HEADER.pack(kind, jobid, len(extra)) + extra + body
        else:
            data = _HEADER.pack(kind, jobid, 0)
        if wid is None:
            self._shared_w.send_bytes(data)
        else:
            self._own_w[wid].send_bytes(data)
            self._sent[wid] += 1

    # -- receiving -------------------------------------------------------------------------
    def _deliver(self, wid, data):
        jobid, ok = _RESULT.unpack_from(data)
        try:
            value = transport.loads(memoryview(data)[_RESULT.size:])
        except BaseException as e:
            ok, value = False, worker.failure(e)
            value = (value[0], "the job's result could not be loaded in the main process: "
                     + value[1], value[2], value[3])
        self._done[wid] += 1
        self._gifts.pop(jobid, None)          # the worker has them now
        self.results.put((jobid, wid, ok, value))

    def _receive(self):
        conns = {c: i for i, c in enumerate(self._res_r)}
        sentinels = {p.sentinel: i for i, p in enumerate(self._procs)}
        while conns or sentinels:
            for r in mpc.wait(list(conns) + list(sentinels)):
                if r in conns:
                    wid = conns[r]
                    try:
                        data = r.recv_bytes()
                    except (EOFError, OSError):
                        del conns[r]
                        continue
                    self._deliver(wid, data)
                elif r in sentinels:
                    wid = sentinels.pop(r)
                    conn = self._res_r[wid]
                    while conn in conns:     # what it wrote before dying still counts
                        try:
                            if not conn.poll(0.1):
                                break
                            self._deliver(wid, conn.recv_bytes())
                        except (EOFError, OSError):
                            del conns[conn]
                    conns.pop(conn, None)
                    if not self._stopping:
                        self.results.put((DIED, wid, False, self._procs[wid].exitcode))

    def pids(self):
        return [p.pid for p in self._procs]

    # -- stopping ---------------------------------------------------------------------------
    def stop(self, discard=False, timeout=10.0, specific=False):
        """Stop the workers: politely (a STOP message, after the pool synchronized), or at once
        with `discard` (SIGTERM: running jobs are abandoned; the workers still remove their
        shared blocks on the way out)."""
        self._stopping = True
        if discard:
            for p in self._procs:
                if p.is_alive():
                    p.terminate()
        else:
            stop = _HEADER.pack(STOP, -1, 0)
            try:
                if specific:
                    for w in self._own_w:
                        w.send_bytes(stop)
                else:
                    for _ in range(self.n):
                        self._shared_w.send_bytes(stop)
            except OSError:
                pass
        for p in self._procs:
            p.join(timeout)
            if p.is_alive():
                p.kill()
                p.join(1.0)
        self._receiver.join(timeout)
        for c in [self._shared_w] + self._own_w + self._res_r:
            c.close()
        # blocks sent with jobs that never ran (the workers were stopped before reading them)
        shared.unlink_names(name for gifts in self._gifts.values() for name, _ in gifts)
        self._gifts.clear()
        shared.stop_recycling()
        return True

    def shutdown(self):
        if not self._stopping:
            self.stop(discard=True, timeout=2.0)
