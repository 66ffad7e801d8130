"""Test harness for threads: a deadline on every test (a deadlock fails the test instead of
hanging the run), importable job functions for process workers, and shared process pools."""
import faulthandler
import pathlib
import signal
import sys

import pytest

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))     # `import pool_jobs` here and in spawned workers

DEFAULT_DEADLINE_S = 60


def pytest_configure(config):
    config.addinivalue_line("markers", "deadline(seconds): fail the test when it runs longer")


@pytest.fixture(autouse=True)
def _deadline(request):
    marker = request.node.get_closest_marker('deadline')
    limit = int(marker.args[0]) if marker else DEFAULT_DEADLINE_S

    def expired(signum, frame):
        raise TimeoutError(f"{request.node.name} ran longer than {limit} s: probable deadlock")
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(limit)
    # last resort if the alarm cannot interrupt the wait: dump every thread and exit
    faulthandler.dump_traceback_later(limit + 30, exit=True)
    try:
        yield
    finally:
        signal.alarm(0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope='module')
def process_pool():
    """Two process workers shared by a test module (they cost a second to start)."""
    import threads
    pool = threads.Threads(2, backend='process')
    yield pool
    if pool.isrunning():
        pool.terminate(discard=True)
