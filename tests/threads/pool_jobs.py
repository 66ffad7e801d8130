"""Job functions for the threads tests. They live in a module of their own so that process
workers can import them (functions are sent by reference)."""
import os
import time

import numpy as np

import threads
import torchlike as torch


def square(x):
    return x * x


def pair(x):
    return x, -x


def nothing():
    return None


def fail_if(x, fail):
    if fail:
        raise ValueError(f"job {x} failed on purpose")
    return x


def whoami():
    return threads.threadId(), os.getpid()


def slow(x, seconds):
    time.sleep(seconds)
    return x


def sleep_then_fail(seconds):
    time.sleep(seconds)
    raise KeyError('late failure')


def call_sys_exit():
    raise SystemExit(3)


def exit_hard():
    os._exit(7)


def raise_nested():
    try:
        {}['missing']
    except KeyError as e:
        raise RuntimeError("outer problem") from e


def init_store(threadId):
    threads.local.value = threadId * 10
    return threadId * 10


def init_second(threadId):
    return threads.local.value + 1


def read_local():
    return threads.local.value


def init_fail_on_1(threadId):
    if threadId == 1:
        raise ValueError(f"cannot initialise worker {threadId}")
    return threadId


def unpicklable_result():
    return lambda: None


def float_tensor(n, value):
    """A plain (non-shared) FloatTensor of n elements."""
    return torch.FloatTensor(n).fill(value)


def shared_tensor_with_name(n, value):
    """A tensor allocated in shared memory by the worker, and the name of its block."""
    t = threads.sharedTensor(torch.DoubleTensor, n).fill(value)
    return t, threads.blockName(t)


def tensor_views(n):
    """Two views of one storage: they must come back sharing one storage."""
    t = torch.DoubleTensor(n, 4).fill(1)
    return t, t.select(1, 2)


def small_and_big():
    return torch.DoubleTensor(3).fill(2), torch.DoubleTensor(2000).fill(3)


def add_into(t, value):
    """Write into a tensor passed from the main process (shared: the main process sees it)."""
    t.add(value)


def echo(x):
    return x


def block_name_of(t):
    return threads.blockName(t)


def worker_pid():
    return os.getpid()


def numpy_sum(n):
    a = np.arange(n, dtype=np.float64)
    return float(a.sum())
