"""Many small jobs with random failures: no deadlock (the conftest deadline turns one into a
failure), every success delivered exactly once, every failure reported exactly once."""
import collections
import random
import re

import pytest

import threads
import pool_jobs as jobs
from threads import JobError

N_JOBS = 10_000


def _run_many(pool, n, seed):
    rnd = random.Random(seed)
    plan = [(i, rnd.random() < 0.1) for i in range(n)]
    delivered = collections.Counter()
    reported = collections.Counter()

    def note(e):
        m = re.search(r'job (\d+) failed on purpose', str(e))
        assert m, str(e)
        reported[int(m.group(1))] += 1
    for i, fail in plan:
        while True:
            try:
                pool.addjob(jobs.fail_if, lambda v: delivered.update([v]), i, fail)
                break
            except JobError as e:     # raised by back-pressure: this job was not queued
                note(e)
    while pool.hasjob():
        try:
            pool.synchronize()
        except JobError as e:
            note(e)
    return plan, delivered, reported


def _check(plan, delivered, reported):
    want_ok = {i for i, fail in plan if not fail}
    want_fail = {i for i, fail in plan if fail}
    assert set(delivered) == want_ok and set(delivered.values()) == {1}
    assert set(reported) == want_fail and set(reported.values()) == {1}


@pytest.mark.deadline(60)
def test_ten_thousand_jobs_thread_backend():
    with threads.Threads(4) as pool:
        _check(*_run_many(pool, N_JOBS, seed=1))


@pytest.mark.deadline(90)
def test_ten_thousand_jobs_process_backend(process_pool):
    _check(*_run_many(process_pool, N_JOBS, seed=2))


@pytest.mark.deadline(60)
def test_many_jobs_in_specific_mode():
    with threads.Threads(3) as pool:
        pool.specific(True)
        got = collections.Counter()
        for i in range(3000):
            pool.addjob(i % 3, jobs.whoami, lambda tid, pid, i=i: got.update([(i % 3, tid)]))
        pool.synchronize()
        assert got == {(0, 0): 1000, (1, 1): 1000, (2, 2): 1000}
