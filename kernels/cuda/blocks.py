"""Block-wide reductions through shared memory: the device functions behind every per-row and
per-channel sum, maximum and minimum of the kernels (batch norm, softmax, criterions, ClassNLL,
lookup, reduce).

Each takes a shared array of TPB entries (declared by the calling kernel, one declaration per
line for the simulator), the thread's index in the block and the thread's partial value; it
returns the block's total to EVERY thread, and leaves the shared array free for reuse (a final
syncthreads after everyone has read entry 0). Every thread of the block must call it, the same
number of times: it calls cuda.syncthreads(), which must never sit in a divergent branch.
The tree halves TPB (a power of two), so the order of the additions -- and the float32 result
-- is the same on a GPU and under the simulator. No warp intrinsics: the simulator has none.

Note for editors: numba's on-disk cache (cache=True) of a kernel in another file is not
invalidated when only this file changes (numba checks the kernel's own source file): after
editing these functions on a GPU machine, clear kernels/cuda/__pycache__.
"""
from numba import cuda

from .launch import TPB

_SUM, _MAX, _MIN = 0, 1, 2


@cuda.jit(device=True, cache=True)
def _tree(sm, tid, v, op):
    """sm[0] = the reduction `op` of the threads' v; returned to every thread. `op` is a
    constant at each call site below, so the test inside the loop folds away when the function
    is inlined (and costs one comparison per halving step when it is not)."""
    sm[tid] = v
    cuda.syncthreads()
    h = TPB // 2
    while h > 0:
        if tid < h:
            w = sm[tid + h]
            if op == _SUM:
                sm[tid] += w
            elif op == _MAX:
                if w > sm[tid]:
                    sm[tid] = w
            elif w < sm[tid]:
                sm[tid] = w
        cuda.syncthreads()
        h //= 2
    total = sm[0]
    cuda.syncthreads()
    return total


@cuda.jit(device=True, cache=True)
def block_sum(sm, tid, v):
    """The sum of v over the block's threads."""
    return _tree(sm, tid, v, _SUM)


@cuda.jit(device=True, cache=True)
def block_max(sm, tid, v):
    """The maximum of v over the block, by `>` comparisons: a NaN partial would stick where it
    lands, so callers that skip NaN keep it out of their partials (softmax starts at -inf and
    takes only larger values)."""
    return _tree(sm, tid, v, _MAX)


@cuda.jit(device=True, cache=True)
def block_min(sm, tid, v):
    """The minimum of v over the block, by `<` comparisons (see block_max about NaN)."""
    return _tree(sm, tid, v, _MIN)


@cuda.jit(device=True, cache=True)
def block_sum2(sa, sb, tid, a, b):
    """(sum of a, sum of b) over the block, in one tree (half the barriers of two calls)."""
    sa[tid] = a
    sb[tid] = b
    cuda.syncthreads()
    h = TPB // 2
    while h > 0:
        if tid < h:
            sa[tid] += sa[tid + h]
            sb[tid] += sb[tid + h]
        cuda.syncthreads()
        h //= 2
    ta = sa[0]
    tb = sb[0]
    cuda.syncthreads()
    return ta, tb
