"""threads: Torch7's worker pools (import threads).

This file is the table of contents: every public name, grouped by family.
"""
# the pool and its errors
from .pool import Threads
from .errors import JobError, InitError, PoolBroken
from .worker import threadId, local

# synchronisation between thread workers
from .sync import Mutex, Condition, Queue, safe

# shared-memory tensors for process workers
from .shared import share, isShared, sharedTensor, sharedStorage, blockName
