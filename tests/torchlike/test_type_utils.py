"""Torch7's object utilities: typename, isTensor, isStorage, type, isTypeOf, setnumthreads,
getnumthreads (reference §1.4)."""
import os

import numpy as np
import pytest

import torchlike as torch
from torchlike import utils
from torchlike_testing import CLASSES

STORAGES = (torch.ByteStorage, torch.CharStorage, torch.ShortStorage, torch.IntStorage,
            torch.LongStorage, torch.FloatStorage, torch.DoubleStorage)
NAMES = ('Byte', 'Char', 'Short', 'Int', 'Long', 'Float', 'Double')


@pytest.mark.parametrize('cls, name', zip(CLASSES, NAMES))
def test_typename_and_type_of_tensors(cls, name):
    x = cls(2, 3)
    assert torch.typename(x) == f'torch.{name}Tensor'
    assert torch.type(x) == f'torch.{name}Tensor'
    assert torch.typename(x.t()) == f'torch.{name}Tensor'          # views keep the type
    assert torch.typename(x.sum(0)) == f'torch.{name}Tensor'       # and results
    assert torch.isTensor(x) and not torch.isStorage(x)


@pytest.mark.parametrize('cls, name', zip(STORAGES, NAMES))
def test_typename_and_type_of_storages(cls, name):
    s = cls(4)
    assert torch.typename(s) == f'torch.{name}Storage'
    assert torch.type(s) == f'torch.{name}Storage'
    assert torch.isStorage(s) and not torch.isTensor(s)
    assert torch.isStorage(torch.DoubleTensor(3).storage())


@pytest.mark.parametrize('obj, pytype', [(3, 'int'), (2.5, 'float'), ('s', 'str'), (None, 'NoneType'),
                                         ([1], 'list'), (np.zeros(2), 'ndarray')])
def test_non_torch_objects(obj, pytype):
    assert torch.typename(obj) is None                  # Torch7 returned nil
    assert torch.type(obj) == pytype                    # Lua's type() for plain values
    assert not torch.isTensor(obj) and not torch.isStorage(obj)


def test_default_tensor_follows_the_default_type():
    assert torch.typename(torch.Tensor(2)) == 'torch.DoubleTensor'
    torch.setdefaulttensortype('torch.FloatTensor')
    assert torch.typename(torch.Tensor(2)) == 'torch.FloatTensor'


def test_isTypeOf():
    x = torch.FloatTensor(2)
    assert torch.isTypeOf(x, 'torch.FloatTensor')
    assert not torch.isTypeOf(x, 'torch.DoubleTensor')
    assert torch.isTypeOf(x, torch.FloatTensor)
    assert not torch.isTypeOf(x, torch.DoubleTensor)
    assert torch.isTypeOf(x, torch.Tensor)              # every tensor is a torch.Tensor
    assert torch.isTypeOf(x, 'torch.Tensor')
    assert torch.isTypeOf(torch.LongStorage(1), 'torch.LongStorage')
    assert not torch.isTypeOf(3, 'torch.FloatTensor')


def test_isTypeOf_follows_inheritance_by_torch_name():
    class Module:
        _typename = 'nn.Module'

    class Linear(Module):
        _typename = 'nn.Linear'

    class Other:
        _typename = 'nn.Other'

    m = Linear()
    assert torch.typename(m) == 'nn.Linear' and torch.type(m) == 'nn.Linear'
    assert torch.isTypeOf(m, 'nn.Linear') and torch.isTypeOf(m, 'nn.Module')
    assert torch.isTypeOf(m, Module) and not torch.isTypeOf(m, Other)
    assert not torch.isTypeOf(m, 'nn.Other') and not torch.isTypeOf(Module(), 'nn.Linear')


@pytest.fixture
def restore_threads(monkeypatch):
    import numba
    before = numba.get_num_threads()
    blas = utils.openblas_threads()
    blas_before = blas[1]() if blas else None
    monkeypatch.setitem(utils._num_threads, 'n', utils._num_threads['n'])
    yield numba
    numba.set_num_threads(before)
    if blas:
        blas[0](blas_before)


def test_numthreads_round_trip(restore_threads):
    numba = restore_threads
    utils._num_threads['n'] = None
    assert torch.getnumthreads() == (os.cpu_count() or 1)
    torch.setnumthreads(1)
    assert torch.getnumthreads() == 1
    assert numba.get_num_threads() == 1
    torch.setnumthreads(1000)                           # more than numba has: capped there
    assert torch.getnumthreads() == 1000
    assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS


def test_setnumthreads_rejects_less_than_one(restore_threads):
    torch.setnumthreads(1)
    with pytest.raises(ValueError, match='at least 1'):
        torch.setnumthreads(0)
    assert torch.getnumthreads() == 1


def test_setnumthreads_also_sets_numpys_openblas(restore_threads):
    blas = utils.openblas_threads()
    if blas is None:
        pytest.skip("numpy does not use a findable OpenBLAS here")
    pool = blas[1]()                  # OpenBLAS starts with its whole pool (one per core)
    torch.setnumthreads(1)
    assert blas[1]() == 1
    torch.setnumthreads(2)
    assert blas[1]() == min(2, pool)  # it never grows past the pool it started with
