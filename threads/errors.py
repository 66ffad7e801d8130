"""The exception a failed job raises in the main thread."""


class JobError(RuntimeError):
    """A job failed in a worker. The message reads `[thread N callback] Type: message` (or
    `[thread N init]` for an init function), followed by the worker's traceback.

    Attributes: `threadId` (0-based worker id), `kind` ('callback' or 'init'), `original` (the
    exception raised in the worker: the object itself with the thread backend, a copy when the
    process backend could pickle it, else None), `remoteTraceback` (the worker's traceback as
    text), `typeName` (the worker exception's class name)."""

    def __init__(self, message, threadId=None, kind='callback', original=None,
                 remoteTraceback='', typeName=''):
        super().__init__(message)
        self.threadId = threadId
        self.kind = kind
        self.original = original
        self.remoteTraceback = remoteTraceback
        self.typeName = typeName


class InitError(JobError):
    """An init function of `threads.Threads` failed; the pool was shut down."""


class PoolBroken(RuntimeError):
    """A worker process died (killed, crashed, os._exit) and the pool was shut down."""


def job_error(kind, wid, failure, cls=JobError, prefix=''):
    """The JobError for a Failure record reported by worker `wid`."""
    typename, message, tb_text, original = failure
    head = f"[thread {wid} {kind}] {prefix}{typename}: {message}" if message else \
        f"[thread {wid} {kind}] {prefix}{typename}"
    text = head + ("\n\nWorker traceback (most recent call last):\n" + tb_text.rstrip()
                   if tb_text else '')
    return cls(text, threadId=wid, kind=kind, original=original, remoteTraceback=tb_text,
               typeName=typename)
