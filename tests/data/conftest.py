"""Test harness for torchlike.data: a deadline on every test (a deadlock fails the test instead
of hanging the run) and an importable module of datasets for process workers."""
import faulthandler
import pathlib
import signal
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))    # `import loader_datasets`

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
    faulthandler.dump_traceback_later(limit + 30, exit=True)
    try:
        yield
    finally:
        signal.alarm(0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, old)
