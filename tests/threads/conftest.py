"""Test harness for threads: importable job functions for process workers and shared process
pools (the deadline on every test comes from tests/conftest.py)."""
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))     # `import pool_jobs` here and in spawned workers


@pytest.fixture(scope='module')
def process_pool():
    """Two process workers shared by a test module (they cost a second to start)."""
    import threads
    pool = threads.Threads(2, backend='process')
    yield pool
    if pool.isrunning():
        pool.terminate(discard=True)
