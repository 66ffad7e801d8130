"""bench/bench_threads.py --quick runs and reports every row (no timing is asserted)."""
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.deadline(120)
def test_bench_threads_quick_rows(monkeypatch):
    monkeypatch.syspath_prepend(REPO)
    from bench import harness
    from bench import bench_threads
    rows = bench_threads.run(harness.Options(quick=True, rounds=1, verbose=False))
    names = [r.name for r in rows]
    for nw, backend in bench_threads.CONFIGS:
        assert f"loader {nw} worker(s), {backend} backend" in names
    assert 'addjob round trip, thread backend' in names
    assert all(r.values['torchlike'] > 0 for r in rows)
    assert sys.modules['bench.bench_threads'] is bench_threads
