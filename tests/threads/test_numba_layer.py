"""Parallel numba kernels called from several thread workers at once must not abort the process
(numba's workqueue layer does: "Concurrent access"). Run in a child process, so that an abort
fails this test instead of killing the test run."""
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip('numba')

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = textwrap.dedent('''
    import sys
    {first}
    import numpy as np
    import numba
    from numba import njit, prange

    @njit(parallel=True, nogil=True)
    def scaled_sum(a, k):
        s = 0.0
        for i in prange(a.shape[0]):
            s += a[i] * k
        return s

    def job(k):
        a = np.ones(200_000)
        return [scaled_sum(a, k) for _ in range(20)]

    results = []
    with threads.Threads(4) as pool:
        for k in range(16):
            pool.addjob(job, results.append, float(k))
    assert len(results) == 16
    assert all(r == [200_000.0 * k] * 20 for r, k in zip(sorted(results), range(16)))
    print('layer', numba.threading_layer())
''')


def _run(first, extra_env=None):
    env = {k: v for k, v in os.environ.items() if k != 'NUMBA_THREADING_LAYER'}
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    env.update(extra_env or {})
    return subprocess.run([sys.executable, '-c', SCRIPT.format(first=first)], env=env,
                          capture_output=True, text=True, timeout=240, cwd=REPO)


@pytest.mark.deadline(250)
def test_parallel_kernels_from_thread_workers_do_not_abort():
    from threads import numba_layer
    if not numba_layer.threadsafe_layer_available():
        pytest.skip('neither OpenMP nor TBB is available for numba')
    p = _run('import threads')
    assert p.returncode == 0, p.stderr[-3000:]
    layer = p.stdout.split('layer', 1)[1].strip()
    assert layer in ('omp', 'tbb'), p.stdout


@pytest.mark.deadline(250)
def test_layer_is_set_when_numba_was_imported_first():
    from threads import numba_layer
    if not numba_layer.threadsafe_layer_available():
        pytest.skip('neither OpenMP nor TBB is available for numba')
    p = _run('import numba; import threads')
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.split('layer', 1)[1].strip() in ('omp', 'tbb')


def test_an_explicit_user_choice_is_respected(monkeypatch):
    from threads import numba_layer
    monkeypatch.setenv('NUMBA_THREADING_LAYER', 'tbb')
    monkeypatch.setattr(numba_layer, '_done', False)
    numba_layer.configure()
    assert os.environ['NUMBA_THREADING_LAYER'] == 'tbb'
