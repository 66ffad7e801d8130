"""What a job can ask about the worker it runs on, and how a worker describes a failure.

`threads.threadId()` is the 0-based id of the worker running the calling code (None in the
main thread); Torch7 stored it in the global `__threadid`. `threads.local` is a per-worker
namespace: Torch7's workers each had their own Lua state, so init functions set globals that
later jobs read; Python threads share globals, so put per-worker state on `threads.local`
instead (it is thread-local, and each process worker has its own anyway).
"""
import threading
import traceback

local = threading.local()
_ids = threading.local()


def threadId():
    """The 0-based id of the worker running this code, or None outside a worker."""
    return getattr(_ids, 'threadId', None)


def set_thread_id(wid):
    _ids.threadId = wid


def failure(exc, keep_object=True):
    """(type name, message, traceback text, exception or None) for an exception raised by a job.
    The first traceback entry (the worker loop calling the job) is left out."""
    tb = exc.__traceback__
    if tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if exc.__cause__ is None and exc.__context__ is None:
        # frames only: the JobError's first line already says 'Type: message'
        text = ''.join(traceback.format_tb(tb))
    else:   # chained exceptions: keep the whole story
        text = ''.join(traceback.format_exception(type(exc), exc, tb))
    name = type(exc).__qualname__
    if type(exc).__module__ not in ('builtins', '__main__', None):
        name = f"{type(exc).__module__}.{name}"
    message = str(exc) + ''.join(f"\n{note}" for note in getattr(exc, '__notes__', ()))
    return (name, message, text, exc if keep_object else None)
