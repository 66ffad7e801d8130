"""kernels/cuda/gemm.py (tiled GEMM, batched GEMM, GEMV) and the BLAS methods of the CUDA
tensors, against numpy and the same operation on a FloatTensor."""
import numpy as np
import pytest
from numba import cuda

import torchlike as torch
from kernels.cuda import gemm as K
from kernels.cuda.launch import TILE
from torchlike.cuda import CudaLongTensor, CudaTensor

from cuda_helpers import F32, close, host, pair, rand


def _close(got, want, rtol=1e-5, atol=1e-5):   # BLAS sums: looser than element-wise
    close(got, want, rtol, atol)


def _operand(a, transposed):
    """A device array holding `a`, stored transposed when asked (then only its strides say
    which way round it is)."""
    if transposed:
        return cuda.to_device(np.ascontiguousarray(a.T)).T
    return cuda.to_device(np.ascontiguousarray(a))


# -- kernels -----------------------------------------------------------------------------------------
@pytest.mark.parametrize('ta', [False, True])
@pytest.mark.parametrize('tb', [False, True])
@pytest.mark.parametrize('m, k, n', [(1, 1, 1), (TILE + 1, 2 * TILE + 3, TILE - 1), (5, 3, 9),
                                     (3 * TILE, TILE, 2 * TILE)])
def test_gemm_all_transpose_combinations_and_odd_sizes(ta, tb, m, k, n):
    a, b, c = rand(m, k, seed=m), rand(k, n, seed=k), rand(m, n, seed=n)
    dc = cuda.to_device(c)
    K.gemm(0.5, _operand(a, ta), _operand(b, tb), -2.0, dc)
    _close(dc.copy_to_host(), 0.5 * (a.astype(np.float64) @ b) - 2 * c)


def test_gemm_beta_zero_ignores_nan_in_c_and_strided_c():
    a, b = rand(6, 4, seed=1), rand(4, 7, seed=2)
    c = np.full((7, 6), np.nan, F32)
    dc = cuda.to_device(c).T                                    # a transposed destination
    K.gemm(1.0, cuda.to_device(a), cuda.to_device(b), 0.0, dc)
    _close(dc.copy_to_host(), a.astype(np.float64) @ b)
    dc2 = cuda.to_device(np.full((6, 7), np.nan, F32))
    K.gemm(2.0, cuda.to_device(a), cuda.to_device(b), 0.0, dc2)
    _close(dc2.copy_to_host(), 2 * (a.astype(np.float64) @ b))


def test_gemm_batched_and_gemv():
    a, b, c = rand(3, 5, 2, seed=3), rand(3, 2, 6, seed=4), rand(3, 5, 6, seed=5)
    dc = cuda.to_device(c)
    wide = np.zeros((3, 2, 12), F32)
    wide[:, :, ::2] = b
    K.gemm_batched(1.5, cuda.to_device(a), cuda.to_device(wide)[:, :, ::2], 0.5, dc)
    _close(dc.copy_to_host(), 1.5 * np.matmul(a.astype(np.float64), b) + 0.5 * c)
    m, x, y = rand(9, 5, seed=6), rand(10, seed=7), rand(9, seed=8)
    dy = cuda.to_device(y)
    K.gemv(2.0, _operand(m, True), cuda.to_device(x)[::2], -1.0, dy)   # strided x
    _close(dy.copy_to_host(), 2 * (m.astype(np.float64) @ x[::2]) - y)
    dy = cuda.to_device(np.full(9, np.nan, F32))
    K.gemv(1.0, cuda.to_device(m), cuda.to_device(x[:5].copy()), 0.0, dy)
    _close(dy.copy_to_host(), m.astype(np.float64) @ x[:5])


# -- tensor methods --------------------------------------------------------------------------------------
def test_mm_forms_with_transposed_operands():
    a, b = rand(5, 3, seed=9), rand(4, 3, seed=10)
    da, db = pair(a)[1], pair(b)[1]
    want = a @ b.T
    got = torch.mm(da, db.t())
    assert got.__class__ is CudaTensor
    _close(host(got), want)
    res = CudaTensor(2, 2)
    assert torch.mm(res, da, db.t()) is res
    _close(host(res), want)
    res = CudaTensor()
    assert res.mm(db, da.t()) is res
    _close(host(res), want.T)
    _close(host(da @ db.t()), want)
    _close(host(da.t().t() @ db.t()), want)
    out = CudaTensor(4, 5).t()                       # a transposed result tensor
    out.mm(da, db.t())
    _close(host(out), want)


def test_addmm_forms_match_float_tensor():
    a, b, m = rand(4, 6, seed=11), rand(6, 3, seed=12), rand(4, 3, seed=13)
    (ha, da), (hb, db), (hm, dm) = pair(a), pair(b), pair(m)
    for args in ((), (0.5,), (0.5, 2.0), (0.0, 3.0)):
        want = host(hm.clone().addmm(*args, ha, hb))
        _close(host(dm.clone().addmm(*args, da, db)), want)
    _close(host(torch.addmm(dm, da, db)), host(torch.addmm(hm, ha, hb)))
    _close(host(torch.addmm(0.5, dm, 2, da, db)), host(torch.addmm(0.5, hm, 2, ha, hb)))
    res = CudaTensor()
    torch.addmm(res, 2, dm, da, db)
    _close(host(res), 2 * m + a @ b)
    bias = pair(rand(3, seed=14))
    _close(host(torch.addmm(bias[1], da, db)), host(torch.addmm(bias[0], ha, hb)))  # broadcast M
    _close(host(dm), m)                                     # M untouched by the new forms


def test_addmm_v1_zero_ignores_nan_in_m_and_aliasing():
    a, b = rand(3, 3, seed=15), rand(3, 3, seed=16)
    da, db = pair(a)[1], pair(b)[1]
    m = CudaTensor(3, 3).fill(float('nan'))
    m.addmm(0, 1, da, db)
    _close(host(m), a @ b)
    d = da.clone()
    d.addmm(d, db)                                          # M is an operand of the product
    _close(host(d), a + a @ b)
    d = da.clone()
    torch.mm(d, d, db)                                      # the result is an operand
    _close(host(d), a @ b)


def test_mv_addmv_addr_ger_dot():
    m, x, y = rand(4, 5, seed=17), rand(5, seed=18), rand(4, seed=19)
    (hm, dm), (hx, dx), (hy, dy) = pair(m), pair(x), pair(y)
    _close(host(torch.mv(dm, dx)), m @ x)
    _close(host(dm @ dx), m @ x)
    _close(host(dm.t() @ dy), m.T @ y)
    _close(host(dy.clone().addmv(0.5, 2, dm, dx)), host(hy.clone().addmv(0.5, 2, hm, hx)))
    _close(host(torch.addmv(dy, dm, dx)), y + m @ x)
    _close(host(dm.clone().addr(dy, dx)), host(hm.clone().addr(hy, hx)))
    _close(host(torch.addr(2, dm, 3, dy, dx)), host(torch.addr(2, hm, 3, hy, hx)))
    _close(host(torch.ger(dy, dx)), np.outer(y, x))
    _close(host(CudaTensor().ger(dy, dx)), np.outer(y, x))
    assert isinstance(dx.dot(dx), float)
    _close(dx.dot(dx), float(x.astype(np.float64) @ x))
    _close(dx @ dx, float(x.astype(np.float64) @ x))
    _close(torch.dot(dm, dm), float((m.astype(np.float64) ** 2).sum()))


def test_bmm_baddbmm_addbmm():
    a, b, c = rand(3, 2, 4, seed=20), rand(3, 4, 5, seed=21), rand(3, 2, 5, seed=22)
    (ha, da), (hb, db), (hc, dc) = pair(a), pair(b), pair(c)
    _close(host(torch.bmm(da, db)), np.matmul(a, b))
    _close(host(da @ db), np.matmul(a, b))
    _close(host(torch.bmm(da, db.transpose(1, 2).contiguous().transpose(1, 2))),
           np.matmul(a, b))
    _close(host(dc.clone().baddbmm(0.5, 2, da, db)), host(hc.clone().baddbmm(0.5, 2, ha, hb)))
    m = rand(2, 5, seed=23)
    hm, dm = pair(m)
    _close(host(dm.clone().addbmm(da, db)), host(hm.clone().addbmm(ha, hb)))
    _close(host(torch.addbmm(0.5, dm, da, db)), host(torch.addbmm(0.5, hm, ha, hb)))


def test_errors_name_sizes_and_change_nothing():
    (ha, da), (hb, db) = pair(rand(4, 3, seed=24)), pair(rand(5, 2, seed=25))
    m = pair(rand(4, 2, seed=26))[1]
    before = host(m)
    with pytest.raises(ValueError, match=r'size mismatch, m1: \[4 x 3\], m2: \[5 x 2\]'):
        torch.mm(da, db)
    with pytest.raises(ValueError, match=r'size mismatch, m1: \[4 x 3\], m2: \[5 x 2\]'):
        m.addmm(da, db)
    with pytest.raises(ValueError, match=r'addmm: size mismatch, M: \[4 x 2\], product: '
                                         r'\[4 x 4\]'):
        m.addmm(da, da.t())
    with pytest.raises(ValueError, match=r'mv: size mismatch, mat: \[4 x 3\], vec: \[2\]'):
        torch.mv(da, CudaTensor(2))
    with pytest.raises(ValueError, match='must be a matrix, got a tensor of size 3'):
        torch.mm(CudaTensor(3), da)
    with pytest.raises(ValueError, match=r'batch1: \[2 x 2 x 3\], batch2: \[3 x 3 x 2\]'):
        torch.bmm(CudaTensor(2, 2, 3), CudaTensor(3, 3, 2))
    with pytest.raises(TypeError, match='torch.CudaTensor and torch.FloatTensor'):
        torch.mm(da, hb)
    with pytest.raises(TypeError, match='torch.CudaTensor and torch.FloatTensor'):
        m.addmm(da, ha.t())
    with pytest.raises(TypeError, match='different devices'):
        da @ ha.t()
    with pytest.raises(TypeError, match='only defined for torch.CudaTensor, not '
                                        'torch.CudaLongTensor'):
        torch.mm(CudaLongTensor(2, 2), CudaLongTensor(2, 2))
    with pytest.raises(TypeError, match='expected tensors of one type'):
        torch.mm(da, CudaLongTensor(3, 2))
    with pytest.raises(ValueError, match='unsupported operand sizes'):
        da @ CudaTensor(2, 2, 2)
    _close(host(m), before)
