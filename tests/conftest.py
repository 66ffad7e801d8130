"""Suite-wide test harness: a deadline on every test, so that a deadlock or an endless loop
fails that test instead of hanging the run. `@pytest.mark.deadline(seconds)` changes it."""
import faulthandler
import signal

import pytest

DEFAULT_DEADLINE_S = 120   # generous: a cold numba cache compiles kernels inside some tests


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
