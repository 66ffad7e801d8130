"""apply / map / map2 (reference §1.2 M), in every writable memory layout.

Semantics under test (docs/tensor.md "Functional helpers"): Python is called once per element in
row-major order of the sizes; a callback returning None leaves the element unchanged; results
are written back (in place, returning the tensor) only after all callbacks ran; map/map2 need the
same number of elements, not the same shape.
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike_testing import (FAST, LAYOUTS, WRITABLE, arrays, assert_tensor, layouts,
                               make_layout, shapes)


@given(st.data())
@FAST
def test_apply_visits_row_major_and_writes_results(data):
    shape = data.draw(shapes(1, 3, 4))
    lay = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(WRITABLE)))
    x = lay.tensor
    seen = []

    def f(v):
        seen.append(v)
        return v * 2 + 1

    assert x.apply(f) is x
    assert seen == lay.array.reshape(-1).tolist()
    assert all(type(v) is float for v in seen)
    assert_tensor(x, lay.array * 2 + 1)
    lay.check_outside()


def test_apply_none_leaves_elements_unchanged():
    for lay in layouts(np.arange(6.).reshape(2, 3), names=WRITABLE):
        x = lay.tensor
        x.apply(lambda v: -v if v > 2 else None)
        e = lay.array.copy()
        e[e > 2] *= -1
        assert_tensor(x, e)
        before = x.numpy().copy()
        x.apply(lambda v: None)
        assert_tensor(x, before)
        lay.check_outside()


def test_apply_on_integer_tensor_truncates_and_passes_ints():
    x = torch.IntTensor([[1, 2], [3, -4]])
    seen = []
    x.apply(lambda v: seen.append(v) or v / 2)
    assert seen == [1, 2, 3, -4] and all(type(v) is int for v in seen)
    assert_tensor(x, [[0, 1], [1, -2]], torch.IntTensor)


def test_apply_counting_fill():
    x = torch.DoubleTensor(2, 3).t()
    counter = iter(range(100))
    x.apply(lambda _: next(counter))
    assert_tensor(x, np.arange(6.).reshape(3, 2))       # row-major over the sizes


def test_a_failing_callback_leaves_the_tensor_unchanged():
    x = torch.DoubleTensor([1, 2, 3, 4])

    def f(v):
        if v == 3:
            raise RuntimeError('boom')
        return 0

    with pytest.raises(RuntimeError, match='boom'):
        x.apply(f)
    assert_tensor(x, [1, 2, 3, 4])
    with pytest.raises(RuntimeError, match='boom'):
        x.map(torch.DoubleTensor([1, 1, 1, 1]), lambda a, b: f(a))
    with pytest.raises(RuntimeError, match='boom'):
        x.map2(x, x, lambda a, b, c: f(a))
    assert_tensor(x, [1, 2, 3, 4])


@given(st.data())
@FAST
def test_map_pairs_elements_in_row_major_order(data):
    shape = data.draw(shapes(1, 3, 4))
    lx = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(WRITABLE)))
    ly = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(LAYOUTS)))
    pairs = []

    def f(a, b):
        pairs.append((a, b))
        return a - 3 * b

    assert lx.tensor.map(ly.tensor, f) is lx.tensor
    assert pairs == list(zip(lx.array.reshape(-1).tolist(), ly.array.reshape(-1).tolist()))
    assert_tensor(lx.tensor, lx.array - 3 * ly.array)
    assert_tensor(ly.tensor, ly.array)
    lx.check_outside()


@given(st.data())
@FAST
def test_map2_three_way(data):
    shape = data.draw(shapes(1, 3, 4))
    lx = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(WRITABLE)))
    l1 = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(LAYOUTS)))
    l2 = make_layout(data.draw(arrays(np.float64, shape)), data.draw(st.sampled_from(LAYOUTS)))
    assert lx.tensor.map2(l1.tensor, l2.tensor, lambda a, b, c: a + b * c) is lx.tensor
    assert_tensor(lx.tensor, lx.array + l1.array * l2.array)
    lx.check_outside()


def test_map_and_map2_need_the_same_count_not_the_same_shape():
    x = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    y = torch.DoubleTensor([10, 20, 30, 40, 50, 60])
    x.map(y, lambda a, b: a + b)
    assert_tensor(x, [[11, 22, 33], [44, 55, 66]])
    x.map2(y.view(3, 2), torch.LongTensor([1, 0, 1, 0, 1, 0]), lambda a, b, c: b if c else None)
    assert_tensor(x, [[10, 22, 30], [44, 50, 66]])
    with pytest.raises(ValueError, match='2 x 3 and 5'):
        x.map(torch.DoubleTensor(5), lambda a, b: 0)
    with pytest.raises(ValueError, match='2 x 3, 6 and 7'):
        x.map2(y, torch.DoubleTensor(7), lambda a, b, c: 0)
    with pytest.raises(TypeError, match='tensor'):
        x.map([1, 2, 3, 4, 5, 6], lambda a, b: 0)
    assert_tensor(x, [[10, 22, 30], [44, 50, 66]])
