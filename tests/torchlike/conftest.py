"""Shared helpers for the torchlike tests: tensor layouts, hypothesis strategies, assertions.

Import them in any test module under tests/torchlike with

    from torchlike_testing import layouts, tensor_layouts, assert_tensor, FAST, ...

(this conftest registers itself under the name `torchlike_testing`: pytest imports it before
any test module of this folder, and the plain name `conftest` is ambiguous once other test
folders have a conftest of their own).

Layouts
-------
Every tensor function must give numpy's answer whatever the memory layout of its inputs.
`layouts(a)` turns a numpy array into torchlike tensors in five layouts, each built directly
from (storage, offset, size, stride) so that building them depends on no view method:

  'contiguous'  a fresh contiguous tensor (offset 0)
  'transposed'  the dimensions stored in reverse order (column-major); a 1-D array is stored
                with stride 2 instead, so that it is still non-contiguous
  'narrowed'    a narrow of a larger tensor along the last dimension, starting at index 1
                (non-contiguous for 2-D and more, non-zero storage offset always)
  'expanded'    stride 0 along the first dimension of size > 1: the values of that dimension
                are all equal to its index 0, so `Layout.array` is `a` with that slice repeated
  'offset'      contiguous, but at storage offset 5 inside a larger storage

Each entry is a `Layout` with `.name`, `.tensor`, `.array` (a numpy copy of the values the
tensor holds: compare results against functions of this array) and `.check_outside()`, which
asserts that the storage elements the tensor does not cover (filled with SENTINEL) were not
written. `WRITABLE` lists the layouts an in-place operation may write into (not 'expanded':
writing into a stride-0 tensor writes one memory location several times).

    for lay in layouts(np.arange(6.).reshape(2, 3)):
        r = torch.exp(lay.tensor)
        assert_tensor(r, np.exp(lay.array), torch.DoubleTensor)

Strategies (hypothesis)
-----------------------
  shapes(min_dims, max_dims, max_side)    non-empty shapes
  arrays(dtype, shape, lo, hi)            numpy arrays with bounded values (no NaN/inf)
  nonzero_arrays(dtype, shape, lo, hi)    values with lo <= |v| <= hi and either sign
  tensor_layouts(dtype, ...)              a Layout: draws shape, values and layout name
  layout_names(writable=False)            one of LAYOUTS (or WRITABLE)
FAST is the settings decorator to use with @given (few examples, no deadline).

Assertions
----------
  assert_tensor(t, expected, cls=None, rtol=None)  type, size and values (NaN == NaN)
  class_for(dtype) / CLASSES / FLOAT_CLASSES / INT_CLASSES
"""
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.extra import numpy as hnp

import torchlike as torch
from torchlike import types as _types

sys.modules.setdefault('torchlike_testing', sys.modules[__name__])

FAST = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

LAYOUTS = ('contiguous', 'transposed', 'narrowed', 'expanded', 'offset')
WRITABLE = ('contiguous', 'transposed', 'narrowed', 'offset')
SENTINEL = 77   # fits every type, including ByteTensor and CharTensor
OFFSET = 5

CLASSES = (torch.ByteTensor, torch.CharTensor, torch.ShortTensor, torch.IntTensor,
           torch.LongTensor, torch.FloatTensor, torch.DoubleTensor)
FLOAT_CLASSES = (torch.FloatTensor, torch.DoubleTensor)
INT_CLASSES = tuple(c for c in CLASSES if c not in FLOAT_CLASSES)


def class_for(dtype):
    """The torchlike tensor class of a numpy dtype."""
    return _types.class_for_dtype(dtype)


def _contiguous_strides(shape):
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= n
    return tuple(reversed(strides))


def _geometry(name, shape):
    """(storage size, offset, strides) of layout `name` for a non-empty `shape`."""
    n = int(np.prod(shape))
    if name == 'contiguous':
        return n, 0, _contiguous_strides(shape)
    if name == 'transposed':
        if len(shape) == 1:
            return 2 * n, 0, (2,)
        rev = _contiguous_strides(shape[::-1])[::-1]
        return n, 0, rev
    if name == 'narrowed':
        wide = shape[:-1] + (shape[-1] + 3,)
        return int(np.prod(wide)), 1, _contiguous_strides(wide)
    if name == 'expanded':
        d = next((i for i, s in enumerate(shape) if s > 1), 0)
        reduced = shape[:d] + (1,) + shape[d + 1:]
        strides = list(_contiguous_strides(reduced))
        strides[d] = 0
        return int(np.prod(reduced)), 0, tuple(strides)
    if name == 'offset':
        return n + OFFSET + 2, OFFSET, _contiguous_strides(shape)
    raise ValueError(f"unknown layout {name!r}; known: {LAYOUTS}")


def _strided(data, offset, shape, strides):
    isz = data.itemsize
    return np.lib.stride_tricks.as_strided(data[offset:], shape, tuple(s * isz for s in strides))


class Layout:
    """A tensor in a given memory layout, with the numpy values it holds (see module doc)."""

    def __init__(self, name, tensor, array, covered):
        self.name = name
        self.tensor = tensor
        self.array = array
        self._covered = covered
        st = tensor.storage()
        self._storage = st
        self._outside = st.numpy()[~covered].copy()

    def check_outside(self):
        """Assert that the storage outside the tensor still holds the sentinel."""
        data = self._storage.numpy()
        assert len(data) == len(self._covered), "the storage was resized"
        np.testing.assert_array_equal(data[~self._covered], self._outside,
                                      err_msg=f"layout {self.name}: wrote outside the view")

    def __repr__(self):
        return f"Layout({self.name}, size {tuple(self.array.shape)}, " \
               f"stride {tuple(self.tensor.stride())})"


def make_layout(a, name, cls=None):
    """`a` (a non-empty numpy array) as a tensor of class `cls` (default: a's type) in
    layout `name`; returns a Layout."""
    a = np.asarray(a)
    cls = cls or class_for(a.dtype)
    a = a.astype(cls._dtype)
    shape = tuple(a.shape)
    if not shape or 0 in shape:
        raise ValueError("make_layout needs a non-empty array with at least one dimension")
    size, offset, strides = _geometry(name, shape)
    storage = _types.storage_class_by_dtype[cls._dtype](size)
    data = storage.numpy()
    data.fill(SENTINEL)
    covered = np.zeros(size, bool)
    if name == 'expanded':
        d = list(strides).index(0) if 0 in strides else 0
        expected = np.broadcast_to(a.take([0], axis=d), shape).copy()
    else:
        expected = a.copy()
    idx = _strided(np.arange(size), offset, shape, strides)
    covered[idx.reshape(-1)] = True
    data[idx.reshape(-1)] = expected.reshape(-1)  # stride-0 positions get equal values
    t = cls(storage, offset, torch.Size(shape), torch.Size(strides))
    return Layout(name, t, expected, covered)


def layouts(a, cls=None, names=LAYOUTS):
    """The Layouts of numpy array `a` (see the module docstring), as a list."""
    return [make_layout(a, n, cls) for n in names]


# -- hypothesis strategies --------------------------------------------------------------------
def shapes(min_dims=1, max_dims=3, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def _elements(dtype, lo, hi):
    dtype = np.dtype(dtype)
    if dtype.kind == 'f':
        return st.floats(lo, hi, allow_nan=False, allow_infinity=False,
                         allow_subnormal=False, width=8 * dtype.itemsize)
    info = np.iinfo(dtype)
    return st.integers(max(int(lo), info.min), min(int(hi), info.max))


def arrays(dtype, shape, lo=-10, hi=10):
    """A numpy array of `shape` (a tuple or a strategy) with values in [lo, hi]."""
    return hnp.arrays(np.dtype(dtype), shape, elements=_elements(dtype, lo, hi))


def nonzero_arrays(dtype, shape, lo=0.5, hi=10):
    """Values with lo <= |v| <= hi, either sign (divisors)."""
    dtype = np.dtype(dtype)
    mag = _elements(dtype, lo, hi)
    signed = st.tuples(mag, st.booleans()).map(lambda p: -p[0] if p[1] else p[0])
    return hnp.arrays(dtype, shape, elements=signed)


def layout_names(writable=False):
    return st.sampled_from(WRITABLE if writable else LAYOUTS)


@st.composite
def tensor_layouts(draw, dtype=np.float64, shape=None, lo=-10, hi=10, writable=False, cls=None):
    """A Layout of random shape (or the given one), values and layout name."""
    shape = draw(shapes()) if shape is None else shape
    a = draw(arrays(dtype, shape, lo, hi))
    return make_layout(a, draw(layout_names(writable)), cls)


# -- assertions -------------------------------------------------------------------------------
def assert_tensor(t, expected, cls=None, rtol=None, atol=0):
    """`t` is a tensor (of class `cls` when given) with the size and values of `expected`."""
    assert isinstance(t, torch.Tensor), f"expected a tensor, got {type(t).__name__}"
    if cls is not None:
        assert type(t) is cls, f"expected a {cls._typename}, got {t.type()}"
    expected = np.asarray(expected)
    assert tuple(t.size()) == expected.shape, \
        f"size {tuple(t.size())} != expected {expected.shape}"
    got = np.array(t.numpy())
    if got.dtype.kind == 'f' or expected.dtype.kind == 'f':
        if rtol is None:
            rtol = 1e-5 if got.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.fixture(autouse=True)
def _restore_default_tensor_type():
    """A test that switches the default type cannot leak it into the next one."""
    before = torch.getdefaulttensortype()
    yield
    if torch.getdefaulttensortype() != before:
        torch.setdefaulttensortype(before)
