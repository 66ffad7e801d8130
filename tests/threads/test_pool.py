"""threads.Threads: the Torch7 API and its error handling, on both backends."""
import os
import threading

import pytest

import threads
import pool_jobs as jobs
from threads import InitError, JobError, PoolBroken


@pytest.fixture(params=['thread', 'process'])
def pool(request, process_pool):
    """A fresh 2-worker thread pool, or the module's shared process pool (left clean)."""
    if request.param == 'thread':
        p = threads.Threads(2)
        yield p
        p.terminate(discard=True)
    else:
        yield process_pool
        if process_pool.isrunning():
            while process_pool.hasjob():
                try:
                    process_pool.synchronize()
                except Exception:
                    pass
            process_pool.specific(False)


# -- results and end callbacks ------------------------------------------------------------------
def test_results_reach_end_callbacks_in_the_main_thread(pool):
    got, where = [], set()

    def done(v):
        got.append(v)
        where.add(threading.current_thread() is threading.main_thread())
    for i in range(20):
        pool.addjob(jobs.square, done, i)
    pool.synchronize()
    assert sorted(got) == [i * i for i in range(20)]
    assert where == {True}
    assert not pool.hasjob()


def test_tuple_results_spread_over_the_callback_arguments(pool):
    got = []
    pool.addjob(jobs.pair, lambda a, b: got.append((a, b)), 3)
    pool.addjob(jobs.nothing, lambda *a: got.append(a))
    pool.addjob(jobs.square, lambda *a: got.append(a), 4)
    pool.addjob(jobs.square, None, 5)          # no end callback at all
    pool.synchronize()
    assert sorted(got, key=str) == sorted([(3, -3), (), (16,)], key=str)


def test_dojob_runs_one_callback_and_hasjob_tracks_pending(pool):
    got = []
    pool.addjob(jobs.square, got.append, 2)
    pool.addjob(jobs.square, got.append, 3)
    assert pool.hasjob()
    pool.dojob()
    assert len(got) == 1 and pool.hasjob()
    pool.dojob()
    assert sorted(got) == [4, 9] and not pool.hasjob()
    with pytest.raises(RuntimeError, match='no job is pending'):
        pool.dojob()


def test_dojob_timeout(pool):
    pool.addjob(jobs.slow, None, 1, 0.5)
    with pytest.raises(TimeoutError):
        pool.dojob(timeout=0.01)
    pool.synchronize()


def test_specific_mode_targets_each_worker(pool):
    assert pool.specific() is False
    pool.specific(True)
    got = {}
    for i in range(2):
        for _ in range(3):
            pool.addjob(i, jobs.whoami, lambda tid, pid, i=i: got.setdefault(i, set()).add(tid))
    pool.synchronize()
    assert got == {0: {0}, 1: {1}}
    assert pool.acceptsjob(1) is True
    with pytest.raises(TypeError, match='specific mode'):
        pool.addjob(jobs.square, None, 1)
    with pytest.raises(ValueError, match='0..1'):
        pool.addjob(2, jobs.square, None, 1)
    with pytest.raises(ValueError, match='specific mode'):
        pool.acceptsjob()
    pool.specific(False)
    with pytest.raises(TypeError, match='not in specific mode'):
        pool.addjob(0, jobs.square, None, 1)
    with pytest.raises(ValueError, match='not in specific mode'):
        pool.acceptsjob(0)


def test_thread_ids_are_zero_based_and_none_outside(pool):
    ids = set()
    pool.specific(True)
    for i in range(2):
        pool.addjob(i, jobs.whoami, lambda tid, pid: ids.add(tid))
    pool.synchronize()
    pool.specific(False)
    assert ids == {0, 1}
    assert threads.threadId() is None


def test_bad_addjob_arguments(pool):
    with pytest.raises(TypeError, match='job function'):
        pool.addjob()
    with pytest.raises(TypeError, match='job function'):
        pool.addjob('not a function')
    with pytest.raises(TypeError, match='end callback'):
        pool.addjob(jobs.square, 5, 1)
    assert not pool.hasjob()


# -- failures -------------------------------------------------------------------------------------
def test_failing_job_raises_in_main_thread_and_pool_stays_usable(pool):
    pool.addjob(jobs.fail_if, None, 3, True)
    with pytest.raises(JobError) as info:
        pool.synchronize()
    e = info.value
    msg = str(e)
    assert msg.startswith(f"[thread {e.threadId} callback] ValueError: job 3 failed on purpose")
    assert e.threadId in (0, 1) and e.kind == 'callback' and e.typeName == 'ValueError'
    assert 'fail_if' in msg and 'pool_jobs.py' in msg          # the worker's traceback
    assert 'fail_if' in e.remoteTraceback
    assert isinstance(e.original, ValueError)
    got = []
    pool.addjob(jobs.square, got.append, 7)
    pool.synchronize()
    assert got == [49]


def test_system_exit_in_a_job_does_not_stop_the_worker(pool):
    pool.addjob(jobs.call_sys_exit, None)
    with pytest.raises(JobError, match='SystemExit'):
        pool.synchronize()
    got = []
    for i in range(4):
        pool.addjob(jobs.square, got.append, i)
    pool.synchronize()
    assert sorted(got) == [0, 1, 4, 9]


def test_chained_exception_keeps_the_cause_in_the_traceback(pool):
    pool.addjob(jobs.raise_nested, None)
    with pytest.raises(JobError, match='RuntimeError: outer problem') as info:
        pool.synchronize()
    assert "KeyError" in info.value.remoteTraceback


@pytest.mark.parametrize('backend', ['thread', 'process'])
def test_synchronize_stops_at_a_failure_and_resumes(backend, process_pool):
    pool = threads.Threads(2, queueSize=8) if backend == 'thread' else process_pool
    got = []
    pool.addjob(jobs.sleep_then_fail, None, 0.05)
    for i in range(3):                     # 4 jobs in all: no back-pressure on either pool
        pool.addjob(jobs.slow, got.append, i, 0.1)
    with pytest.raises(JobError, match='late failure'):
        pool.synchronize()
    pool.synchronize()
    assert sorted(got) == list(range(3))
    if backend == 'thread':
        pool.terminate()


def test_end_callback_error_propagates_with_its_own_type(pool):
    def bad(v):
        raise ArithmeticError(f"callback saw {v}")
    pool.addjob(jobs.square, bad, 3)
    with pytest.raises(ArithmeticError, match='callback saw 9') as info:
        pool.synchronize()
    assert any('endcallback' in n for n in info.value.__notes__)
    got = []
    pool.addjob(jobs.square, got.append, 2)
    pool.synchronize()
    assert got == [4]


# -- back-pressure, async use, re-entrance ----------------------------------------------------------
@pytest.mark.parametrize('backend', ['thread', 'process'])
def test_full_queue_applies_back_pressure(backend, process_pool):
    own = backend == 'thread'
    pool = threads.Threads(1, queueSize=1) if own else process_pool
    try:
        ran_inside_addjob = []
        in_addjob = [False]

        def done(v):
            ran_inside_addjob.append(in_addjob[0])
        for i in range(8):
            in_addjob[0] = True
            pool.addjob(jobs.slow, done, i, 0.01)
            in_addjob[0] = False
        assert pool.hasjob()
        pool.synchronize()
        assert len(ran_inside_addjob) == 8
        assert any(ran_inside_addjob)     # end callbacks ran inside addjob while it waited
    finally:
        if own:
            pool.terminate()


def test_acceptsjob_false_when_full():
    with threads.Threads(1, queueSize=2) as pool:
        pool.addjob(jobs.slow, None, 0, 0.3)
        pool.addjob(jobs.slow, None, 1, 0.01)
        pool.addjob(jobs.slow, None, 2, 0.01)
        assert pool.acceptsjob() is False
        pool.synchronize()
        assert pool.acceptsjob() is True


def test_async_mode_with_acceptsjob_and_hasjob(pool):
    """Torch7's asynchronous pattern: fill while the queue accepts, then drain."""
    todo, got = list(range(30)), []
    while todo or pool.hasjob():
        while todo and pool.acceptsjob():
            pool.addjob(jobs.square, got.append, todo.pop())
        if pool.hasjob():
            pool.dojob()
    assert sorted(got) == sorted(i * i for i in range(30))


def test_addjob_from_an_end_callback(pool):
    got = []

    def chain(v):
        got.append(v)
        if v < 5:
            pool.addjob(jobs.echo, chain, v + 1)
    pool.addjob(jobs.echo, chain, 0)
    pool.synchronize()
    assert got == [0, 1, 2, 3, 4, 5]


def test_back_pressure_error_says_the_new_job_was_not_queued():
    with threads.Threads(1, queueSize=1) as pool:
        pool.addjob(jobs.fail_if, None, 0, True)
        with pytest.raises(JobError) as info:
            for i in range(1, 6):
                pool.addjob(jobs.square, None, i)
        assert any('not queued' in n for n in info.value.__notes__)
        pool.synchronize()


# -- init functions -------------------------------------------------------------------------------
@pytest.mark.parametrize('backend', ['thread', 'process'])
def test_init_functions_run_in_order_in_every_worker(backend):
    with threads.Threads(2, jobs.init_store, jobs.init_second, backend=backend) as pool:
        assert pool.initResults == [1, 11]
        pool.specific(True)
        got = {}
        for i in range(2):
            pool.addjob(i, jobs.read_local, lambda v, i=i: got.__setitem__(i, v))
        pool.synchronize()
        assert got == {0: 0, 1: 10}     # threads.local is per worker


@pytest.mark.parametrize('backend', ['thread', 'process'])
def test_failing_init_function_names_the_worker(backend):
    with pytest.raises(InitError) as info:
        threads.Threads(2, jobs.init_fail_on_1, backend=backend)
    e = info.value
    assert str(e).startswith('[thread 1 init] ValueError: cannot initialise worker 1')
    assert e.threadId == 1 and 'init_fail_on_1' in str(e)
    assert any('shut down' in n for n in e.__notes__)


def test_constructor_checks_its_arguments():
    with pytest.raises(ValueError, match='positive integer'):
        threads.Threads(0)
    with pytest.raises(ValueError, match="'thread' or 'process'"):
        threads.Threads(1, backend='fiber')
    with pytest.raises(TypeError, match='not callable'):
        threads.Threads(1, 42)
    with pytest.raises(ValueError, match='queueSize'):
        threads.Threads(1, queueSize=0)


# -- terminate ------------------------------------------------------------------------------------
@pytest.mark.parametrize('backend', ['thread', 'process'])
def test_terminate_with_jobs_pending_finishes_them(backend):
    pool = threads.Threads(2, backend=backend)
    workers = list(pool._backend._threads if backend == 'thread' else pool._backend._procs)
    got = []
    for i in range(6):
        pool.addjob(jobs.slow, got.append, i, 0.02)
    assert pool.hasjob()
    pool.terminate()
    assert sorted(got) == list(range(6))
    assert not pool.isrunning()
    assert all(not w.is_alive() for w in workers)
    pool.terminate()                          # a second terminate does nothing
    with pytest.raises(RuntimeError, match='terminated'):
        pool.addjob(jobs.square, None, 1)


def test_terminate_discard_drops_pending_jobs():
    pool = threads.Threads(1)
    got = []
    for i in range(20):
        pool.addjob(jobs.slow, got.append, i, 0.01)
    pool.terminate(discard=True)              # the conftest deadline catches a hang
    assert len(got) < 20
    assert not pool.isrunning()


def test_terminate_reports_a_failure_after_stopping():
    pool = threads.Threads(2)
    got = []
    pool.addjob(jobs.fail_if, None, 1, True)
    pool.addjob(jobs.fail_if, None, 2, True)
    pool.addjob(jobs.square, got.append, 3)
    with pytest.raises(JobError) as info:
        pool.terminate()
    assert not pool.isrunning() and got == [9]
    assert any('other job(s) failed' in n for n in info.value.__notes__)


def test_context_manager_terminates():
    with threads.Threads(2) as pool:
        pool.addjob(jobs.square, None, 2)
    assert not pool.isrunning()
    with pytest.raises(KeyError):
        with threads.Threads(2) as pool:
            pool.addjob(jobs.slow, None, 1, 0.01)
            raise KeyError('user error')
    assert not pool.isrunning()


def test_repr():
    with threads.Threads(2) as pool:
        assert "2 workers" in repr(pool) and "'thread'" in repr(pool)


# -- process backend only ---------------------------------------------------------------------------
def test_process_backend_explains_unpicklable_functions(process_pool):
    def local_fn():
        return 1
    for fn in (lambda: 1, local_fn):
        with pytest.raises(TypeError, match='top level of an importable module'):
            process_pool.addjob(fn, None)
    assert not process_pool.hasjob()
    got = []
    process_pool.addjob(jobs.square, got.append, 5)
    process_pool.synchronize()
    assert got == [25]


def test_process_backend_unpicklable_result_is_a_job_error(process_pool):
    process_pool.addjob(jobs.unpicklable_result, None)
    with pytest.raises(JobError, match='could not be sent back'):
        process_pool.synchronize()
    process_pool.addjob(jobs.square, None, 2)
    process_pool.synchronize()


def test_process_workers_are_separate_processes(process_pool):
    pids = set()
    process_pool.specific(True)
    for i in range(2):
        process_pool.addjob(i, jobs.whoami, lambda tid, pid: pids.add(pid))
    process_pool.synchronize()
    process_pool.specific(False)
    assert len(pids) == 2 and os.getpid() not in pids
    assert pids == set(process_pool.workerPids())


def test_a_dead_worker_process_breaks_the_pool_without_hanging():
    pool = threads.Threads(2, backend='process')
    pool.addjob(jobs.exit_hard, None)
    with pytest.raises(PoolBroken, match='died'):
        pool.synchronize()
    assert not pool.isrunning()
    with pytest.raises(PoolBroken):
        pool.addjob(jobs.square, None, 1)
    pool.terminate()


@pytest.mark.parametrize('backend', ['thread', 'process'])
def test_a_forgotten_pool_stops_its_workers(backend):
    import gc
    pool = threads.Threads(2, backend=backend)
    workers = list(pool._backend._threads if backend == 'thread' else pool._backend._procs)
    pool.addjob(jobs.square, None, 3)
    pool.synchronize()
    del pool
    gc.collect()
    for w in workers:
        w.join(10)
    assert all(not w.is_alive() for w in workers)
