"""kernels/cuda/reduce.py and the reductions of the CUDA tensors, against numpy and the same
reduction of a FloatTensor (which accumulates in double, as the kernels do)."""
import math

import numpy as np
import pytest
from numba import cuda

import torchlike as torch
from kernels.cuda import reduce as K
from kernels.cuda.launch import TPB
from torchlike.cuda import CudaByteTensor, CudaLongTensor, CudaTensor

from cuda_helpers import F32, close as _close, host, pair, rand

pytestmark = pytest.mark.filterwarnings('ignore::RuntimeWarning')


# -- kernels -----------------------------------------------------------------------------------------
def _reduce_all(op, a, p=0.0, b=None):
    out = cuda.device_array(1, np.float64)
    K.reduce_all(getattr(K, op), cuda.to_device(a), out, p,
                 None if b is None else cuda.to_device(b))
    return out.copy_to_host()[0]


ALL_REF = {
    'SUM': np.sum, 'PROD': np.prod, 'MAX': np.max, 'MIN': np.min,
    'SUMSQ': lambda a: np.sum(a * a), 'SUMABS': lambda a: np.sum(np.abs(a)),
    'NNZ': np.count_nonzero, 'MAXABS': lambda a: np.max(np.abs(a)),
    'SUMPOW': lambda a: np.sum(np.abs(a) ** 3), 'SUMSQDEV': lambda a: np.sum((a - 0.5) ** 2),
}


@pytest.mark.parametrize('n', [1, 7, TPB, 5 * TPB + 3])   # one block, then several
@pytest.mark.parametrize('op', sorted(ALL_REF))
def test_reduce_all_matches_numpy(op, n):
    a = rand(n, seed=n).astype(np.float64)
    if op == 'PROD':
        a = 1 + a / 10
    a = a.astype(F32)
    p = {'SUMPOW': 3.0, 'SUMSQDEV': 0.5}.get(op, 0.0)
    _close(_reduce_all(op, a, p), ALL_REF[op](a.astype(np.float64)), rtol=1e-6)


def test_reduce_all_dot_and_integer_inputs():
    a, b = rand(150, seed=1), rand(150, seed=2)
    _close(_reduce_all('DOT', a, b=b), np.dot(a.astype(np.float64), b), rtol=1e-6)
    ints = np.arange(-40, 60, dtype=np.int64)
    assert _reduce_all('SUM', ints) == ints.sum()
    assert _reduce_all('MAX', ints) == 59 and _reduce_all('MIN', ints) == -40
    mask = (np.arange(100) % 3 == 0).astype(np.uint8)
    assert _reduce_all('SUM', mask) == mask.sum()


@pytest.mark.parametrize('op', ['MAX', 'MIN', 'SUM', 'MAXABS'])
def test_reduce_all_propagates_nan(op):
    a = rand(80, seed=3)
    a[57] = np.nan
    assert math.isnan(_reduce_all(op, a))


def _reduce_dim(op, a, per_block, p=0.0, indices=False):
    outer, n, inner = a.shape
    vals = cuda.device_array(outer * inner, a.dtype)
    idx = cuda.device_array(outer * inner, np.int64) if indices else None
    K.reduce_dim(getattr(K, op), cuda.to_device(a.reshape(-1)), outer, n, inner, vals, idx, p,
                 per_block)
    v = vals.copy_to_host().reshape(outer, inner)
    return (v, idx.copy_to_host().reshape(outer, inner)) if indices else v


DIM_REF = {
    'SUM': lambda a, p: a.sum(1), 'PROD': lambda a, p: a.prod(1), 'MEAN': lambda a, p: a.mean(1),
    'NORM': lambda a, p: np.linalg.norm(a, p, axis=1) if p else (a != 0).sum(1),
    'VAR': lambda a, p: a.var(1, ddof=p), 'STD': lambda a, p: a.std(1, ddof=p),
}


@pytest.mark.parametrize('per_block', [False, True])
@pytest.mark.parametrize('shape', [(2, 5, 3), (1, 70, 1), (3, 1, 2), (1, 3 * TPB + 5, 2)])
@pytest.mark.parametrize('op, p', [('SUM', 0), ('PROD', 0), ('MEAN', 0), ('NORM', 2),
                                   ('NORM', 1), ('NORM', 3), ('NORM', np.inf), ('NORM', 0),
                                   ('VAR', 1), ('VAR', 0), ('STD', 1)])
def test_reduce_dim_matches_numpy(op, p, shape, per_block):
    if op in ('VAR', 'STD') and shape[1] <= p:
        pytest.skip("needs more elements than ddof")
    a = rand(*shape, seed=sum(shape))
    if op == 'PROD':
        a = (1 + a / 10).astype(F32)
    want = DIM_REF[op](a.astype(np.float64), p)
    _close(_reduce_dim(op, a, per_block, p), want, rtol=2e-6)


@pytest.mark.parametrize('per_block', [False, True])
def test_argmax_argmin_first_occurrence_and_nan(per_block):
    a = np.array([[[1.0], [3.0], [3.0], [0.0], [0.0]],
                  [[2.0], [np.nan], [5.0], [np.nan], [-1.0]],
                  [[-4.0], [-4.0], [-4.0], [-4.0], [-4.0]]], F32)
    v, i = _reduce_dim('MAX', a, per_block, indices=True)
    _close(v[:, 0], [3.0, np.nan, -4.0])
    np.testing.assert_array_equal(i[:, 0], [1, 1, 0])          # first max, first NaN, first tie
    v, i = _reduce_dim('MIN', a, per_block, indices=True)
    _close(v[:, 0], [0.0, np.nan, -4.0])
    np.testing.assert_array_equal(i[:, 0], [3, 1, 0])
    wide = np.zeros((1, 3 * TPB + 1, 1), F32)                    # ties across threads
    wide[0, [5, TPB + 5, 2 * TPB]] = 7
    v, i = _reduce_dim('MAX', wide, per_block, indices=True)
    assert v[0, 0] == 7 and i[0, 0] == 5


def test_scan_dim_cumsum_cumprod():
    a = rand(2, 6, 3, seed=4)
    for op, ref in (('CUMSUM', np.cumsum), ('CUMPROD', np.cumprod)):
        out = cuda.device_array(a.size, F32)
        K.scan_dim(getattr(K, op), cuda.to_device(a.reshape(-1)), 2, 6, 3, out)
        _close(out.copy_to_host().reshape(a.shape), ref(a.astype(np.float64), axis=1))


# -- tensor methods --------------------------------------------------------------------------------------
def test_whole_tensor_reductions_give_numbers():
    a = rand(5, 7, seed=5)
    h, d = pair(a)
    for name in ('sum', 'prod', 'mean', 'max', 'min', 'var', 'std', 'norm'):
        got = getattr(d, name)()
        assert isinstance(got, float), name
        _close(got, getattr(h, name)(), rtol=1e-5)
        _close(getattr(torch, name)(d), getattr(h, name)(), rtol=1e-5)
    _close(d.var(True), h.var(True))                               # biased
    for p in (1, 3, 0, math.inf):
        _close(d.norm(p), h.norm(p), rtol=1e-5)
    b = rand(5, 7, seed=6)
    _close(d.dist(pair(b)[1]), h.dist(pair(b)[0]))
    _close(d.dist(pair(b)[1], 1), h.dist(pair(b)[0], 1))
    _close(d.t().sum(), h.sum())                                   # strided input


@pytest.mark.parametrize('dim', [0, 1, 2, -1])
def test_reductions_along_a_dimension_keep_it(dim):
    a = rand(3, 4, 5, seed=7)
    h, d = pair(a)
    for name in ('sum', 'prod', 'mean', 'var', 'std', 'norm', 'cumsum', 'cumprod'):
        got = d.norm(2, dim) if name == 'norm' else getattr(d, name)(dim)
        want = h.norm(2, dim) if name == 'norm' else getattr(h, name)(dim)
        assert got.__class__ is CudaTensor and tuple(got.size()) == tuple(want.size()), name
        _close(host(got), host(want), rtol=1e-5)
    for name in ('max', 'min'):
        v, i = getattr(d, name)(dim)
        hv, hi = getattr(h, name)(dim)
        assert v.__class__ is CudaTensor and i.__class__ is CudaLongTensor
        _close(host(v), host(hv))
        np.testing.assert_array_equal(host(i), host(hi))


def test_result_forms_and_function_forms():
    a = rand(4, 3, seed=8)
    h, d = pair(a)
    res = CudaTensor()
    assert torch.sum(res, d, 0) is res
    _close(host(res), a.sum(0, keepdims=True), rtol=1e-5)
    res2 = CudaTensor(9)
    assert res2.mean(d, 1) is res2
    _close(host(res2), a.mean(1, keepdims=True), rtol=1e-5)
    vals, idx = CudaTensor(), CudaLongTensor()
    assert torch.max(vals, idx, d, 1) == (vals, idx)
    np.testing.assert_array_equal(host(idx), a.argmax(1)[:, None])
    _close(torch.max(d), a.max())
    v, i = torch.min(d, 0)
    np.testing.assert_array_equal(host(i), a.argmin(0)[None])
    r = CudaTensor()
    r.std(d, 0)
    _close(host(r), host(h.std(0)), rtol=1e-5)
    _close(host(torch.cumsum(d, 1)), np.cumsum(a, 1), rtol=1e-5)
    _close(torch.var(d), h.var(), rtol=1e-5)
    _close(host(torch.norm(d, 1, 0)), np.abs(a).sum(0, keepdims=True), rtol=1e-5)
    _close(torch.dot(d, d), float((a.astype(np.float64) ** 2).sum()), rtol=1e-6)


def test_ties_and_nan_in_max_min_match_cpu():
    a = np.array([[1, 5, 5, 2], [np.nan, 0, np.nan, 3], [2, 2, 2, 2]], F32)
    h, d = pair(a)
    for name in ('max', 'min'):
        for dim in (0, 1):
            v, i = getattr(d, name)(dim)
            hv, hi = getattr(h, name)(dim)
            _close(host(v), host(hv))
            np.testing.assert_array_equal(host(i), host(hi))
        assert math.isnan(getattr(d, name)())


def test_integer_tensor_reductions():
    idx = CudaLongTensor([4, -2, 9, 9, 0])
    want = np.array([4, -2, 9, 9, 0])
    assert idx.sum() == 20 and isinstance(idx.sum(), int)
    assert idx.max() == 9 and idx.min() == -2 and isinstance(idx.max(), int)
    v, i = idx.max(0)
    assert v.__class__ is CudaLongTensor and host(v)[0] == 9 and host(i)[0] == 2
    mask = CudaByteTensor([1, 0, 1, 1])
    assert mask.sum() == 3
    correct = CudaTensor([1, 2, 3]).eq(CudaTensor([1, 0, 3]))
    assert correct.sum() == 2                      # counting right predictions
    np.testing.assert_array_equal(host(idx.view(5, 1).sum(1)), want[:, None])
    assert idx.dot(idx) == int((want * want).sum())


def test_all_any_equal():
    d = CudaTensor([1, 0, 2])
    assert not d.all() and d.any()
    assert CudaByteTensor([1, 1]).all() and not CudaByteTensor([0, 0]).any()
    assert CudaTensor().all() and not CudaTensor().any()
    assert d.equal(CudaTensor([1, 0, 2])) and not d.equal(CudaTensor([1, 0, 3]))
    assert not d.equal(CudaTensor([1, 0]))
    assert not CudaTensor([math.nan]).equal(CudaTensor([math.nan]))


def test_empty_tensors():
    e = CudaTensor()
    assert e.sum() == 0 and e.prod() == 1 and e.norm() == 0
    for name in ('max', 'min', 'mean'):
        with pytest.raises(ValueError, match=f'{name} of an empty tensor is undefined'):
            getattr(e, name)()


def test_errors():
    d = pair(rand(3, 2, seed=9))[1]
    with pytest.raises(IndexError, match='dimension 2 is out of range for a 2-D tensor'):
        d.sum(2)
    with pytest.raises(ValueError, match='var: needs at least 2 elements, the tensor has 1'):
        CudaTensor([1]).var()
    with pytest.raises(ValueError, match='std: dimension 0 has size 1'):
        CudaTensor(1, 3).std(0)
    with pytest.raises(ValueError, match='dist: sizes 3 x 2 and 5 have different numbers'):
        d.dist(CudaTensor(5))
    with pytest.raises(ValueError, match='dot: inconsistent tensor sizes 3 x 2 and 7'):
        d.dot(CudaTensor(7))
    with pytest.raises(TypeError, match='torch.CudaTensor and torch.FloatTensor'):
        d.dot(torch.FloatTensor(3, 2))
    with pytest.raises(TypeError, match='torch.CudaTensor and torch.FloatTensor'):
        torch.sum(d, 0).sum(torch.FloatTensor(2), 0)
    with pytest.raises(TypeError, match='different devices'):
        torch.sum(torch.FloatTensor(), d, 0)          # the CPU form, given a CUDA tensor
    with pytest.raises(TypeError, match='torch.kthvalue is not available for torch.CudaTensor'):
        torch.kthvalue(d, 1)
