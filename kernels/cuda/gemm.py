"""Matrix products on the device: a shared-memory tiled GEMM (2-D and batched 3-D) and a GEMV.

C = alpha * A @ B + beta * C for device arrays of any strides: a transposed operand is only a
different set of strides, and the kernels index A[i, k] and B[k, j] directly, so no operand is
ever copied. Each block computes a TILE x TILE tile of C, walking the shared dimension one
TILE x TILE tile of A and of B at a time through shared memory; edges are bounds-checked, so any
size works. Blocks stride over the output tiles (and batch entries), so the simulator can run a
tiny grid. With beta == 0, C's old contents are never read (BLAS semantics: a NaN there does
not leak into the result). Products accumulate in float32, the CUDA compute type.
"""
from numba import cuda, float32

from .launch import MAX_BLOCKS, TILE, grid_1d


@cuda.jit(device=True, cache=True)
def _tiles_2d(alpha, A, B, beta, C, sa, sb):
    """C = alpha * A @ B + beta * C for 2-D arrays, the block's tiles of it: the body of both
    GEMM kernels (the batched one calls it on the views A[b], B[b], C[b]: no copies).
    Every thread of the block runs the same loops, so the syncthreads are not divergent."""
    tx = cuda.threadIdx.x   # the column: neighbouring threads read neighbouring memory
    ty = cuda.threadIdx.y
    M = C.shape[0]
    N = C.shape[1]
    K = A.shape[1]
    tiles_m = (M + TILE - 1) // TILE
    tiles_n = (N + TILE - 1) // TILE
    bm = cuda.blockIdx.x
    while bm < tiles_m:
        bn = cuda.blockIdx.y
        while bn < tiles_n:
            i = bm * TILE + ty
            j = bn * TILE + tx
            acc = float32(0.0)
            for k0 in range(0, K, TILE):
                ka = k0 + tx
                kb = k0 + ty
                sa[ty, tx] = A[i, ka] if i < M and ka < K else 0.0
                sb[ty, tx] = B[kb, j] if kb < K and j < N else 0.0
                cuda.syncthreads()
                for kk in range(TILE):
                    acc += sa[ty, kk] * sb[kk, tx]
                cuda.syncthreads()
            if i < M and j < N:
                if beta == 0:
                    C[i, j] = alpha * acc
                else:
                    C[i, j] = alpha * acc + beta * C[i, j]
            bn += cuda.gridDim.y
        bm += cuda.gridDim.x


@cuda.jit(cache=True)
def _gemm_kernel(alpha, A, B, beta, C):
    sa = cuda.shared.array((TILE, TILE), float32)
    sb = cuda.shared.array((TILE, TILE), float32)
    _tiles_2d(alpha, A, B, beta, C, sa, sb)


@cuda.jit(cache=True)
def _gemm_batched_kernel(alpha, A, B, beta, C):
    sa = cuda.shared.array((TILE, TILE), float32)
    sb = cuda.shared.array((TILE, TILE), float32)
    b = cuda.blockIdx.z
    while b < C.shape[0]:
        _tiles_2d(alpha, A[b], B[b], beta, C[b], sa, sb)
        b += cuda.gridDim.z


@cuda.jit(cache=True)
def _gemv_kernel(alpha, A, x, beta, y):
    """One thread per row of A (grid-stride); y[i] = alpha * A[i, :] . x + beta * y[i]."""
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    M = A.shape[0]
    K = A.shape[1]
    while i < M:
        acc = float32(0.0)
        for k in range(K):
            acc += A[i, k] * x[k]
        if beta == 0:
            y[i] = alpha * acc
        else:
            y[i] = alpha * acc + beta * y[i]
        i += step


def _tiles(n):
    return min(max((n + TILE - 1) // TILE, 1), MAX_BLOCKS)


def gemm(alpha, A, B, beta, C):
    """C = alpha * A @ B + beta * C; A (M, K), B (K, N), C (M, N) float32 device arrays of any
    strides (C must not overlap A or B). The caller checks the sizes."""
    M, N = C.shape
    if M == 0 or N == 0:
        return
    grid = (_tiles(M), _tiles(N))
    _gemm_kernel[grid, (TILE, TILE)](float32(alpha), A, B, float32(beta), C)


def gemm_batched(alpha, A, B, beta, C):
    """C[b] = alpha * A[b] @ B[b] + beta * C[b] for 3-D device arrays (batch first)."""
    nb, M, N = C.shape
    if nb == 0 or M == 0 or N == 0:
        return
    grid = (_tiles(M), _tiles(N), min(nb, MAX_BLOCKS))
    _gemm_batched_kernel[grid, (TILE, TILE)](float32(alpha), A, B, float32(beta), C)


def gemv(alpha, A, x, beta, y):
    """y = alpha * A @ x + beta * y; A (M, K), x (K,), y (M,) float32 device arrays of any
    strides (y must not overlap A or x)."""
    M = A.shape[0]
    if M == 0:
        return
    blocks, threads = grid_1d(M)
    _gemv_kernel[blocks, threads](float32(alpha), A, x, float32(beta), y)

