"""Shape adaptors and reductions beyond the catalogue: views stay views, batch detection (and
the batch-of-one fix), Torch7's negative Narrow lengths, values against numpy, argmax routing,
buffer reuse, Lua-written .t7 files."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nn
import torchlike as torch
from torchlike.serialization import TorchObject
from nn.reduce import Max, Mean, Min, Sum
from nn.shape import (Contiguous, Narrow, Padding, Replicate, Reshape, Select, Squeeze,
                      Transpose, Unsqueeze, View)


@pytest.fixture(autouse=True)
def _seeded():
    torch.manualSeed(7)


def randn(*sizes):
    return torch.DoubleTensor(*sizes).normal(0, 1)


def A(t):
    return t.numpy()


def lua_module(name, **fields):
    """A module as Lua Torch7 writes it (1-based fields), loaded back through a .t7 stream."""
    base = {'output': torch.DoubleTensor(), 'gradInput': torch.DoubleTensor(), 'train': True,
            '_type': 'torch.DoubleTensor'}
    base.update(fields)
    return torch.deserialize(torch.serialize(TorchObject(name, 1, base)))


# -- View ---------------------------------------------------------------------------------------
def test_view_of_contiguous_input_is_a_view():
    x = randn(2, 3, 4)
    out = View(12).forward(x)
    assert out.size() == (2, 12)
    assert out.storage() is x.storage() and out.storageOffset() == x.storageOffset()
    out.fill(5)
    assert (A(x) == 5).all()


def test_view_of_viewable_noncontiguous_input_stays_a_view():
    x = randn(4, 6).narrow(1, 0, 3)            # rows are strided, but each row is contiguous
    out = View(-1, 3).forward(x.view(4, 3))
    assert out.storage() is x.storage()


def test_view_copies_only_when_the_strides_forbid_a_view():
    x = randn(3, 4).t()
    m = View(12)
    out = m.forward(x)
    assert out.storage() is not x.storage()
    np.testing.assert_array_equal(A(out), A(x).reshape(12))
    g = randn(12)
    np.testing.assert_array_equal(A(m.backward(x, g)), A(g).reshape(4, 3))


def test_view_gradInput_views_gradOutput():
    x, g = randn(2, 6), randn(2, 2, 3)
    gi = View(2, 3).backward(x, g)
    assert gi.size() == (2, 6) and gi.storage() is g.storage()


def test_view_batch_detection_like_torch7():
    m = View(4)
    assert m.forward(randn(4)).size() == (4,)
    assert m.forward(randn(3, 4)).size() == (3, 4)
    assert m.forward(randn(3, 2, 2)).size() == (3, 4)
    # -1 without numInputDims: never a batch (the whole input is one view)
    assert View(-1, 2).forward(randn(3, 4)).size() == (6, 2)


def test_view_numInputDims_keeps_a_batch_of_one():
    m = View(-1).setNumInputDims(2)
    assert m.forward(randn(3, 4)).size() == (12,)
    assert m.forward(randn(5, 3, 4)).size() == (5, 12)
    assert m.forward(randn(1, 3, 4)).size() == (1, 12)
    m = View(12).setNumInputDims(2)
    assert m.forward(randn(1, 3, 4)).size() == (1, 12)
    assert m.forward(randn(2, 5, 3, 4)).size() == (10, 12)   # leading dims fold into the batch


def test_view_batch_of_one_after_batches_keeps_its_batch_dimension():
    m = View(12)
    # before any batch, a lone 1 x 3 x 4 input is ambiguous: read as one sample, as Torch7
    assert m.forward(randn(1, 3, 4)).size() == (12,)
    assert m.forward(randn(8, 3, 4)).size() == (8, 12)
    # Torch7 gave 12 here (the batch dimension lost); the View now knows batches are 3-D
    assert m.forward(randn(1, 3, 4)).size() == (1, 12)
    assert m.forward(randn(3, 4)).size() == (12,)                 # a single sample
    x = randn(1, 3, 4)
    assert m.backward(x, randn(1, 12)).size() == (1, 3, 4)


def test_view_errors_name_the_sizes():
    with pytest.raises(ValueError, match=r'input of size 5 \(5 elements per sample\) does not '
                                         r'match the view 2 x 2 \(4 elements\)'):
        View(2, 2).forward(randn(5))
    with pytest.raises(ValueError, match='only|single -1'):
        View(-1, -1)
    with pytest.raises(ValueError, match='at least one size'):
        View()


def test_view_accepts_a_size_sequence_and_prints():
    m = View(torch.LongStorage([2, -1]))
    assert str(m) == 'nn.View(2, -1)'
    assert str(View((3, 4))) == 'nn.View(3, 4)'
    assert m.forward(randn(4, 2)).size() == (2, 4)


# -- Reshape --------------------------------------------------------------------------------------
def test_reshape_views_contiguous_input_and_copies_otherwise():
    x = randn(2, 3, 4)
    m = Reshape(3, 4)
    out = m.forward(x)
    assert out.size() == (2, 3, 4) and out.storage() is x.storage()
    y = randn(4, 3).t()
    out = m.forward(y)                           # same sizes: no copy needed, even strided
    assert out.size() == (3, 4) and out.storage() is y.storage()
    out = Reshape(12).forward(y)
    assert out.size() == (12,) and out.storage() is not y.storage()
    np.testing.assert_array_equal(A(out), A(y).reshape(12))


def test_reshape_batch_rule_and_batchMode():
    assert Reshape(4).forward(randn(2, 2)).size() == (4,)
    assert Reshape(4).forward(randn(1, 4)).size() == (1, 4)       # first size 1: a batch
    assert Reshape(4).forward(randn(3, 4)).size() == (3, 4)
    assert Reshape(2, True).forward(randn(3, 2)).size() == (3, 2)
    assert Reshape(2, 2, batchMode=True).forward(randn(1, 4)).size() == (1, 2, 2)
    assert Reshape(2, 2, False).forward(randn(1, 4)).size() == (2, 2)
    with pytest.raises(ValueError, match=r'cannot reshape input of size 3 x 3'):
        Reshape(4).forward(randn(3, 3))


# -- Contiguous, Squeeze, Unsqueeze, Transpose ----------------------------------------------------
def test_contiguous_passes_contiguous_input_without_copy():
    m = Contiguous()
    x = randn(3, 4)
    out = m.forward(x)
    assert out.storage() is x.storage() and out is not x
    m.clearState()
    assert x.nElement() == 12                    # clearing the module never empties the input
    y = x.t()
    out = m.forward(y)
    assert out.isContiguous() and out.storage() is not x.storage()
    np.testing.assert_array_equal(A(out), A(y))


def test_squeeze_keeps_a_batch_of_one_with_numInputDims():
    assert Squeeze().forward(randn(1, 3, 1)).size() == (3,)
    assert Squeeze(None, 2).forward(randn(1, 3, 1)).size() == (1, 3)
    assert Squeeze(None, 2).forward(randn(3, 1)).size() == (3,)
    assert Squeeze(0, 2).forward(randn(4, 1, 3)).size() == (4, 3)  # dim 0 of the sample


def test_unsqueeze_positions():
    x = randn(2, 3)
    assert Unsqueeze(0).forward(x).size() == (1, 2, 3)
    assert Unsqueeze(2).forward(x).size() == (2, 3, 1)
    assert Unsqueeze(-1).forward(x).size() == (2, 3, 1)
    assert Unsqueeze(0, 1).forward(x).size() == (2, 1, 3)
    assert Unsqueeze(0).forward(x).storage() is x.storage()
    with pytest.raises(IndexError, match='position 3 is out of range'):
        Unsqueeze(3).forward(x)


def test_transpose_matches_numpy_and_copies():
    x = randn(2, 3, 4)
    m = Transpose((0, 2), (1, 2))
    out = m.forward(x)
    expected = A(x).swapaxes(0, 2).swapaxes(1, 2)
    np.testing.assert_array_equal(A(out), expected)
    assert out.isContiguous() and out.storage() is not x.storage()
    g = randn(*expected.shape)
    np.testing.assert_array_equal(A(m.backward(x, g)),
                                  A(g).swapaxes(1, 2).swapaxes(0, 2))
    first = m.output
    m.forward(randn(2, 3, 4))
    assert m.output is first                     # the buffer is reused


# -- Select, Narrow, Replicate, Padding -----------------------------------------------------------
def test_select_and_narrow_match_numpy():
    x = randn(3, 4, 5)
    np.testing.assert_array_equal(A(Select(1, 2).forward(x)), A(x)[:, 2])
    np.testing.assert_array_equal(A(Select(-1, -1).forward(x)), A(x)[..., -1])
    np.testing.assert_array_equal(A(Narrow(2, 1, 3).forward(x)), A(x)[:, :, 1:4])
    m = Select(0, 1)
    g = randn(4, 5)
    gi = A(m.backward(x, g))
    assert (gi[[0, 2]] == 0).all() and (gi[1] == A(g)).all()


def test_narrow_negative_length_as_torch7_and_negative_offset():
    # Torch7's documented examples (1-based): Narrow(1, 2, -1) on 4 rows -> rows 2..4,
    # Narrow(1, 2, -2) -> rows 2..3
    x = randn(4, 5)
    np.testing.assert_array_equal(A(Narrow(0, 1, -1).forward(x)), A(x)[1:])
    np.testing.assert_array_equal(A(Narrow(0, 1, -2).forward(x)), A(x)[1:3])
    np.testing.assert_array_equal(A(Narrow(1, 1, -2).forward(x)), A(x)[:, 1:4])
    np.testing.assert_array_equal(A(Narrow(1, -2, 2).forward(x)), A(x)[:, 3:])
    np.testing.assert_array_equal(A(Narrow(1, -1).forward(x)), A(x)[:, 4:])
    m = Narrow(0, 1, -2)
    gi = A(m.backward(x, randn(2, 5)))
    assert (gi[[0, 3]] == 0).all()


def test_replicate_is_a_stride0_view_and_sums_gradients():
    x = randn(2, 3)
    m = Replicate(4, 1)
    out = m.forward(x)
    assert out.size() == (2, 4, 3) and out.stride(1) == 0 and out.storage() is x.storage()
    np.testing.assert_array_equal(A(out), np.repeat(A(x)[:, None], 4, axis=1))
    g = randn(2, 4, 3)
    np.testing.assert_allclose(A(m.backward(x, g)), A(g).sum(1))
    assert Replicate(4, 0, 1).forward(randn(2, 3)).size() == (2, 4, 3)   # batch shift


@pytest.mark.parametrize('pad,index,split', [(-2, 0, 0), (-2, 1, 1), (2, 0, 3), (2, 1, 2),
                                             (-1, 3, 3)])
def test_padding_positions(pad, index, split):
    x = randn(2, 3)
    m = Padding(1, pad, 2, 9.0, index)
    expected = np.insert(A(x), [split] * abs(pad), 9.0, axis=1)
    np.testing.assert_array_equal(A(m.forward(x)), expected)
    g = randn(*expected.shape)
    keep = [i for i in range(expected.shape[1]) if not split <= i < split + abs(pad)]
    np.testing.assert_array_equal(A(m.backward(x, g)), A(g)[:, keep])
    # with nInputDim, a batch pads the same sample dimension
    assert m.forward(randn(5, 2, 3)).size() == (5, 2, 3 + abs(pad))


# -- reductions -----------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), data=st.data())
def test_reductions_match_numpy_and_drop_the_dimension(shape, data):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = np.random.default_rng(len(shape)).standard_normal(shape)
    x = torch.fromNumpy(a.copy())
    squeeze = (lambda r: r) if len(shape) > 1 else (lambda r: r.reshape(1))
    np.testing.assert_allclose(A(Sum(d).forward(x)), squeeze(a.sum(d)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(A(Mean(d).forward(x)), squeeze(a.mean(d)), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_array_equal(A(Max(d).forward(x)), squeeze(a.max(d)))
    np.testing.assert_array_equal(A(Min(d).forward(x)), squeeze(a.min(d)))


def test_sum_keeps_the_dimension_only_when_asked():
    x = randn(2, 3)
    assert Sum(1).forward(x).size() == (2,)
    assert Sum(1, None, False, False).forward(x).size() == (2, 1)
    assert Sum(0).forward(randn(5)).size() == (1,)
    assert Sum(0, 1).forward(x).size() == (2,)            # batch: dim 0 of the sample
    with pytest.raises(TypeError, match='squeeze must be True or False'):
        Sum(0, None, False, 1)


def test_max_routes_the_gradient_to_the_first_maximum():
    x = torch.DoubleTensor([[1, 5, 5], [7, 2, 7]])
    m = Max(1)
    np.testing.assert_array_equal(A(m.forward(x)), [5, 7])
    np.testing.assert_array_equal(A(m._indices), [[1], [0]])
    gi = m.backward(x, torch.DoubleTensor([10, 20]))
    np.testing.assert_array_equal(A(gi), [[0, 10, 0], [20, 0, 0]])
    m = Min(0)
    m.forward(x)
    np.testing.assert_array_equal(A(m.backward(x, torch.DoubleTensor([1, 2, 3]))),
                                  [[1, 0, 3], [0, 2, 0]])


def test_max_indices_stay_long_after_float():
    m = Max(0).float()
    x = randn(3, 2).float()
    m.forward(x)
    assert m._indices._typename == 'torch.LongTensor'
    assert m.output._typename == 'torch.FloatTensor'
    m.double()
    m.forward(randn(3, 2))
    assert m._indices._typename == 'torch.LongTensor'


def test_parameter_free_modules_follow_the_input_type():
    x = randn(2, 3).float()
    assert Sum(1).forward(x)._typename == 'torch.FloatTensor'
    assert Transpose((0, 1)).forward(x)._typename == 'torch.FloatTensor'


# -- .t7 files ------------------------------------------------------------------------------------
def test_dimension_fields_are_written_1_based():
    assert Sum(1)._torchFields()['dimension'] == 2
    assert Sum(-1)._torchFields()['dimension'] == -1
    f = Narrow(0, 2, 3)._torchFields()
    assert (f['dimension'], f['index'], f['length']) == (1, 3, 3)
    assert Transpose((0, 2))._torchFields()['permutations'] == [[1, 3]]
    assert Unsqueeze(0)._torchFields()['pos'] == 1
    m = torch.deserialize(torch.serialize(Narrow(1, 2, -1)))
    assert (m.dimension, m.index, m.length) == (1, 2, -1)


def test_lua_written_files_load_into_working_modules():
    x = randn(2, 3, 4)
    m = lua_module('nn.View', size=torch.LongStorage([-1, 12]), numElements=12)
    assert m.forward(x).size() == (2, 12) and str(m) == 'nn.View(-1, 12)'
    m = lua_module('nn.View', size=torch.LongStorage([-1]), numElements=1, numInputDims=2)
    assert m.forward(x).size() == (2, 12)
    m = lua_module('nn.Reshape', size=torch.LongStorage([12]),
                   batchsize=torch.LongStorage([1, 12]), nelement=12)
    assert m.forward(x).size() == (2, 12)
    m = lua_module('nn.Select', dimension=2, index=3)
    np.testing.assert_array_equal(A(m.forward(x)), A(x)[:, 2])
    m = lua_module('nn.Narrow', dimension=3, index=2, length=-1)
    np.testing.assert_array_equal(A(m.forward(x)), A(x)[:, :, 1:])
    m = lua_module('nn.Transpose', permutations=[[1, 3]])
    assert m.forward(x).size() == (4, 3, 2)
    m = lua_module('nn.Unsqueeze', pos=1, numInputDims=2)
    assert m.forward(x).size() == (2, 1, 3, 4)
    m = lua_module('nn.Squeeze', dim=2)
    assert m.forward(randn(3, 1, 2)).size() == (3, 2)
    m = lua_module('nn.Replicate', nfeatures=5, dim=1)
    assert m.forward(randn(3)).size() == (5, 3)
    m = lua_module('nn.Padding', dim=1, pad=-1, value=0, index=1,
                   outputSize=torch.LongStorage())
    np.testing.assert_array_equal(A(m.forward(torch.DoubleTensor([1, 2]))), [0, 1, 2])
    m = lua_module('nn.Sum', dimension=2, sizeAverage=False)        # old file: no squeeze
    np.testing.assert_allclose(A(m.forward(x)), A(x).sum(1))
    m = lua_module('nn.Mean', dimension=1, nInputDims=2, sizeAverage=True, squeeze=True)
    np.testing.assert_allclose(A(m.forward(x)), A(x).mean(1))
    m = lua_module('nn.Max', dimension=3, _indices=torch.LongTensor([[1]]))
    np.testing.assert_array_equal(A(m.forward(x)), A(x).max(2))
    gi = m.backward(x, randn(2, 3))
    assert gi.size() == (2, 3, 4)
    m = lua_module('nn.Min', dimension=-1)
    np.testing.assert_array_equal(A(m.forward(x)), A(x).min(2))
    m = lua_module('nn.Contiguous')
    assert m.forward(x.transpose(0, 2)).isContiguous()


def test_modules_work_inside_a_sequential_with_linear():
    model = nn.Sequential(View(-1).setNumInputDims(2), nn.Linear(6, 2), Unsqueeze(0, 1),
                          Sum(0, 2))
    x = randn(4, 2, 3)
    out = model.forward(x)
    assert out.size() == (4, 2)
    assert model.backward(x, randn(4, 2)).size() == (4, 2, 3)
    err = nn.Jacobian.testJacobian(model, randn(4, 2, 3))
    assert err < 1e-6
