"""Device memory helpers: strided views on a flat storage array, the strided copy (with dtype
cast) and the fill kernel. They take numba device arrays and import nothing from torchlike.

A view is described as Torch does it: a flat 1-D storage array, an element offset, sizes and
element strides (all >= 0; stride 0 repeats an element, as `expand` does). `strided_view`
builds the numba device array for it without copying, both on a GPU (a DeviceNDArray sharing
the storage's memory) and under the simulator (a FakeCUDAArray on a numpy view).

The copy and fill kernels turn each flat element index into an offset with the sizes and
strides, which travel as ONE small int64 device array (`_meta`: sizes, then the strides of each
operand), cached per geometry so that a training loop does not re-upload it every step.

The launchers of the kernel families share the small helpers at the end: `or_empty` (the
empty array a kernel gets for an optional argument), `thread_buffer` (per-thread result
arrays copied back after a launch) and `flat`.
"""
import threading

import numpy as np
from numba import cuda

from .launch import SIMULATOR, grid_1d

MAX_DIMS = 16
_META_CACHE_SIZE = 512
_meta_cache = {}


def _is_fake(a):
    return hasattr(a, '_ary')   # the simulator's FakeCUDAArray wraps a numpy array


def _span_bytes(shape, strides, itemsize):
    """Bytes from the first to one past the last element of a view (0 when empty)."""
    if 0 in shape:
        return 0
    return itemsize * (1 + sum((n - 1) * s for n, s in zip(shape, strides)) // itemsize)


def strided_view(base, offset, shape, strides):
    """The device array of shape `shape` and ELEMENT strides `strides` starting at element
    `offset` of the flat 1-D device array `base`. No copy; the caller checks the bounds."""
    shape = tuple(int(s) for s in shape)
    isz = base.dtype.itemsize
    bstrides = tuple(int(s) * isz for s in strides)
    if _is_fake(base):
        host = base._ary
        if 0 in shape:
            arr = host[0:0].reshape(shape) if shape else host[0:0]
        else:
            arr = np.lib.stride_tricks.as_strided(host[offset:], shape, bstrides)
        return type(base)(arr)
    from numba.cuda.cudadrv.devicearray import DeviceNDArray
    span = _span_bytes(shape, bstrides, isz)
    start = offset * isz
    if span == 0:
        return DeviceNDArray(shape, bstrides, base.dtype)
    gpu_data = base.gpu_data.view(start, start + span)
    return DeviceNDArray(shape, bstrides, base.dtype, gpu_data=gpu_data)


def flat_span(view):
    """(1-D device array covering the memory of `view` from its first element, element
    strides of `view`). Used to index strided views from a kernel with computed offsets."""
    isz = view.dtype.itemsize
    shape, bstrides = tuple(view.shape), tuple(view.strides)
    span = _span_bytes(shape, bstrides, isz)
    n = span // isz
    if _is_fake(view):
        flat = np.lib.stride_tricks.as_strided(view._ary, (n,), (isz,))
        return type(view)(flat), tuple(s // isz for s in bstrides)
    from numba.cuda.cudadrv.devicearray import DeviceNDArray
    if n == 0:
        return DeviceNDArray((0,), (isz,), view.dtype), tuple(s // isz for s in bstrides)
    return (DeviceNDArray((n,), (isz,), view.dtype, gpu_data=view.gpu_data.view(0, span)),
            tuple(s // isz for s in bstrides))


def _merge_dims(shape, *stride_sets):
    """Drop size-1 dimensions and merge neighbours that are contiguous in every operand, so
    that most copies run with one or two dimensions."""
    dims = [(n, [s[i] for s in stride_sets]) for i, n in enumerate(shape) if n != 1]
    if not dims:
        return (1,), tuple((0,) for _ in stride_sets)
    out = [dims[0]]
    for n, st in dims[1:]:
        pn, pst = out[-1]
        if all(ps == n * s for ps, s in zip(pst, st)):
            out[-1] = (pn * n, st)
        else:
            out.append((n, st))
    shape = tuple(n for n, _ in out)
    strides = tuple(tuple(st[k] for _, st in out) for k in range(len(stride_sets)))
    return shape, strides


def _meta(shape, *stride_sets):
    """The int64 device array [sizes..., strides of operand 0..., strides of operand 1...]."""
    key = (shape,) + stride_sets
    m = _meta_cache.get(key)
    if m is None:
        if len(_meta_cache) >= _META_CACHE_SIZE:
            _meta_cache.clear()
        host = np.array(shape + sum(stride_sets, ()), dtype=np.int64)
        m = cuda.to_device(host)
        _meta_cache[key] = m
    return m


@cuda.jit(cache=True)
def _copy_kernel(dst, src, meta, ndim, n):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        rem = i
        do = 0
        so = 0
        for k in range(ndim - 1, -1, -1):
            size = meta[k]
            c = rem % size
            rem = rem // size
            do += c * meta[ndim + k]
            so += c * meta[2 * ndim + k]
        dst[do] = src[so]
        i += step


@cuda.jit(cache=True)
def _copy_flat_kernel(dst, src, n):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        dst[i] = src[i]
        i += step


# _fill_kernel walks the offsets as _copy_kernel does, for one operand instead of two: a shared
# device function would make the copy divide twice per dimension (once per operand).
@cuda.jit(cache=True)
def _fill_kernel(dst, value, meta, ndim, n):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        rem = i
        do = 0
        for k in range(ndim - 1, -1, -1):
            size = meta[k]
            c = rem % size
            rem = rem // size
            do += c * meta[ndim + k]
        dst[do] = value
        i += step


@cuda.jit(cache=True)
def _fill_flat_kernel(dst, value, n):
    i = cuda.grid(1)
    step = cuda.gridsize(1)
    while i < n:
        dst[i] = value
        i += step


def fill_flat(dst, value, n):
    """dst[0:n] = value for a 1-D contiguous device array: one launch, no geometry work."""
    if n:
        _fill_flat_kernel[grid_1d(n)](dst, dst.dtype.type(value), int(n))


def _nelement(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _is_c_contiguous(shape, estrides):
    acc = 1
    for n, s in zip(reversed(shape), reversed(estrides)):
        if n != 1 and s != acc:
            return False
        acc *= n
    return True


def copy_strided(dst, src):
    """dst[...] = src[...] for two device views of the same shape (any strides, stride 0 in
    src included), casting to dst's dtype. dst must not overlap itself (no stride 0)."""
    shape = tuple(dst.shape)
    if tuple(src.shape) != shape:
        raise ValueError(f"copy_strided: shapes differ: {shape} and {tuple(src.shape)}")
    n = _nelement(shape)
    if n == 0:
        return
    dflat, dstr = flat_span(dst)
    sflat, sstr = flat_span(src)
    mshape, (dstr, sstr) = _merge_dims(shape, dstr, sstr)
    blocks, threads = grid_1d(n)
    if len(mshape) == 1 and dstr[0] == 1 and sstr[0] == 1:
        if dst.dtype == src.dtype and not SIMULATOR:
            dflat.copy_to_device(sflat)      # a plain device-to-device memcpy
        else:
            _copy_flat_kernel[blocks, threads](dflat, sflat, n)
        return
    if len(mshape) > MAX_DIMS:
        raise ValueError(f"copy_strided: at most {MAX_DIMS} dimensions, got {len(mshape)}")
    _copy_kernel[blocks, threads](dflat, sflat, _meta(mshape, dstr, sstr), len(mshape), n)


def fill(dst, value):
    """Set every element of the device view `dst` to `value` (cast to its dtype)."""
    shape = tuple(dst.shape)
    n = _nelement(shape)
    if n == 0:
        return
    v = dst.dtype.type(value)
    flat, estr = flat_span(dst)
    mshape, (estr,) = _merge_dims(shape, estr)
    blocks, threads = grid_1d(n)
    if len(mshape) == 1 and estr[0] == 1:
        _fill_flat_kernel[blocks, threads](flat, v, n)
        return
    _fill_kernel[blocks, threads](flat, v, _meta(mshape, estr), len(mshape), n)


def zeros(n, dtype):
    """A new flat device array of n zeros. Under the simulator the zeros are made on the host
    (a simulated kernel launch costs tens of milliseconds); on a GPU the fill kernel runs."""
    dtype = np.dtype(dtype)
    if SIMULATOR:
        return cuda.to_device(np.zeros(int(n), dtype))
    d = cuda.device_array(int(n), dtype)
    fill_flat(d, 0, n)
    return d


def empty(n, dtype):
    """A new flat device array of n elements, contents undefined."""
    return cuda.device_array(int(n), np.dtype(dtype))


def to_device(host):
    """A new flat device array holding a copy of the host array `host` (made contiguous)."""
    return cuda.to_device(np.ascontiguousarray(host).reshape(-1))


def to_host(dev):
    """A new contiguous host array with the contents of device array `dev` (any strides)."""
    shape = tuple(dev.shape)
    if _is_c_contiguous(shape, tuple(s // dev.dtype.itemsize for s in dev.strides)) or \
            _nelement(shape) == 0:
        if _is_fake(dev):
            return np.array(dev._ary, order='C')
        return dev.copy_to_host()
    tmp = cuda.device_array(shape, dev.dtype)
    copy_strided(tmp, dev)
    return tmp.copy_to_host()


def copy_from_host(dst, host):
    """Write the host array `host` (same number of elements) into the device view `dst`."""
    host = np.ascontiguousarray(host, dtype=dst.dtype)
    shape = tuple(dst.shape)
    estr = tuple(s // dst.dtype.itemsize for s in dst.strides)
    if _is_c_contiguous(shape, estr):
        if _nelement(shape):
            dflat, _ = flat_span(dst)
            dflat.copy_to_device(host.reshape(-1))
        return
    copy_strided(dst, cuda.to_device(host.reshape(shape)))


def synchronize():
    cuda.synchronize()


# -- small arrays the launchers hand to kernels ---------------------------------------------
_placeholders = {}
_local = threading.local()


def or_empty(a, dtype=np.float32):
    """`a`, or for None an empty device array of `dtype` (made once): kernels take arrays, not
    None, and test `.size > 0` for "given"."""
    if a is not None:
        return a
    e = _placeholders.get(dtype)
    if e is None:
        e = _placeholders[dtype] = cuda.device_array(0, np.dtype(dtype))
    return e


def thread_buffer(name, n, dtype):
    """A device array of n elements of `dtype`, one per host thread and `name`, reused across
    calls: for the few numbers a launcher copies back to the host right after its kernel."""
    bufs = getattr(_local, 'bufs', None)
    if bufs is None:
        bufs = _local.bufs = {}
    b = bufs.get(name)
    if b is None:
        b = bufs[name] = cuda.device_array(n, np.dtype(dtype))
    return b


def flat(a):
    """The 1-D view of a contiguous device array (itself when already 1-D)."""
    return a if a.ndim == 1 else a.reshape(a.size)
