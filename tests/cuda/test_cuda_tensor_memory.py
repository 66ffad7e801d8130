"""kernels/cuda/memory.py against numpy: strided views of a flat device array (stride 0 and
empty views included), the strided copy with dtype casts, and the strided fill."""
import numpy as np
from hypothesis import given, settings, strategies as st
from numba import cuda

from kernels.cuda import memory

as_strided = np.lib.stride_tricks.as_strided


def host_view(flat, offset, shape, strides):
    """The numpy twin of memory.strided_view on a host flat array."""
    isz = flat.itemsize
    if 0 in shape:
        return np.zeros(shape, flat.dtype)
    return as_strided(flat[offset:], shape, tuple(s * isz for s in strides))


@st.composite
def geometries(draw, max_dims=4):
    """(offset, shape, element strides, storage length) of a valid view, strides >= 0."""
    nd = draw(st.integers(1, max_dims))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=nd, max_size=nd)))
    strides = tuple(draw(st.lists(st.integers(0, 7), min_size=nd, max_size=nd)))
    offset = draw(st.integers(0, 5))
    extent = offset + 1 + sum((n - 1) * s for n, s in zip(shape, strides)) if 0 not in shape \
        else offset
    return offset, shape, strides, extent + draw(st.integers(0, 3))


@settings(max_examples=30, deadline=None)
@given(geometries())
def test_strided_view_reads_what_numpy_reads(g):
    offset, shape, strides, n = g
    flat = np.arange(n, dtype=np.float32) * 1.5
    view = memory.strided_view(cuda.to_device(flat), offset, shape, strides)
    assert tuple(view.shape) == shape
    np.testing.assert_array_equal(memory.to_host(view), host_view(flat, offset, shape, strides))


@settings(max_examples=30, deadline=None)
@given(src=geometries(), data=st.data(),
       types=st.sampled_from([(np.float32, np.float32), (np.float32, np.int64),
                              (np.int64, np.float32), (np.uint8, np.int64),
                              (np.int64, np.uint8), (np.uint8, np.float32)]))
def test_copy_strided_matches_numpy(src, data, types):
    soff, shape, sstr, sn = src
    sdt, ddt = types
    # a destination of the same shape that never overlaps itself: a permuted contiguous layout
    perm = data.draw(st.permutations(range(len(shape))))
    dense = np.zeros([shape[p] for p in perm], ddt)
    dshape_strides = [0] * len(shape)
    for k, p in enumerate(perm):
        dshape_strides[p] = dense.strides[k] // dense.itemsize
    doff = data.draw(st.integers(0, 3))
    dn = doff + max(dense.size, 1) + 2
    sflat = (np.arange(sn) % 100).astype(sdt)
    dflat = np.full(dn, 7, ddt)
    dsrc, ddst = cuda.to_device(sflat), cuda.to_device(dflat)
    memory.copy_strided(memory.strided_view(ddst, doff, shape, tuple(dshape_strides)),
                        memory.strided_view(dsrc, soff, shape, sstr))
    expect = dflat.copy()
    if 0 not in shape:
        host_view(expect, doff, shape, dshape_strides)[...] = \
            host_view(sflat, soff, shape, sstr).astype(ddt)
    np.testing.assert_array_equal(ddst.copy_to_host(), expect)


@settings(max_examples=20, deadline=None)
@given(geometries(), st.sampled_from([np.float32, np.int64, np.uint8]))
def test_fill_matches_numpy(g, dt):
    offset, shape, strides, n = g
    flat = np.zeros(n, dt)
    d = cuda.to_device(flat)
    memory.fill(memory.strided_view(d, offset, shape, strides), 3)
    if 0 not in shape:
        host_view(flat, offset, shape, strides)[...] = 3
    np.testing.assert_array_equal(d.copy_to_host(), flat)


def test_zeros_empty_to_device_round_trip():
    z = memory.zeros(5, np.int64)
    assert z.copy_to_host().tolist() == [0] * 5 and z.dtype == np.int64
    assert memory.empty(3, np.uint8).shape == (3,)
    d = memory.to_device(np.arange(6.0).reshape(2, 3).T)
    assert d.copy_to_host().tolist() == [0, 3, 1, 4, 2, 5]
    v = memory.strided_view(d, 1, (2, 2), (2, 1))
    memory.copy_from_host(v, np.array([[10, 11], [12, 13]]))
    assert d.copy_to_host().tolist() == [0, 10, 11, 12, 13, 5]
    t = memory.strided_view(d, 0, (3, 2), (1, 3))      # transposed target
    memory.copy_from_host(t, np.arange(6).reshape(3, 2))
    assert d.copy_to_host().tolist() == [0, 2, 4, 1, 3, 5]
