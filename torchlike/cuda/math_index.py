"""Index and mask operations of the CUDA tensors, with the CPU's forms and checks
(torchlike/indexing.py): index, indexCopy, indexAdd, indexFill, gather, scatter, maskedFill,
maskedSelect, maskedCopy, nonzero. Indices are 0-based (negative ones count from the end) and
come as a CudaLongTensor (a list of integers is accepted too). They are range-checked on the
host before anything changes, which costs one small device-to-host copy of the indices; the
kernels are in kernels/cuda/elementwise.py. maskedSelect/maskedCopy/nonzero find the selected
positions on the host for the same reason (their result size must be known first)."""
import numpy as np

from .._core import TensorBase, fmt_size, normdim
from .math_common import check_devices, check_tensor, ew, long_class, prod


def _long_index(name, idx, x):
    """idx as a CudaLongTensor (lists convert; CPU tensors are a device error)."""
    if isinstance(idx, (list, tuple, range, np.ndarray)):
        return long_class()(list(np.asarray(idx, dtype=np.int64).reshape(-1)))
    if not isinstance(idx, TensorBase):
        raise TypeError(f"{name}: the index must be a CudaLongTensor, got {type(idx).__name__}")
    check_devices(name, x, idx)
    if idx.__class__ is not long_class():
        raise TypeError(f"{name}: the index must be a CudaLongTensor, got {idx._typename}")
    return idx


def _check_range(name, idx, n, dim):
    """Every index in [-n, n), checked on a host copy."""
    h = idx._host()
    if h.size and (h.min() < -n or h.max() >= n):
        bad = h[(h < -n) | (h >= n)].reshape(-1)[0]
        raise IndexError(f"{name}: index {bad} is out of range for dimension {dim} of size {n} "
                         f"(valid: {-n} to {n - 1})")


def _dim(name, x, dim):
    return normdim(dim, len(x._size))


def _writable_flat(t):
    """(contiguous tensor to write, or a temporary copy of t when t is strided)."""
    return t if t.isContiguous() else t.clone()


def _finish(t, w):
    if w is not t:
        t.copy(w)
    return t


# -- index / indexCopy / indexAdd / indexFill ---------------------------------------------------------
def index(res, x, dim, idx):
    """x.index(dim, idx): the slices idx along dim (a new tensor, or written into res)."""
    check_tensor('index', x, res)
    check_devices('index', x, res)
    d = _dim('index', x, dim)
    idx = _long_index('index', idx, x)
    size = x._size
    n = size[d]
    _check_range('index', idx, n, d)
    m = idx.nElement()
    osize = size[:d] + (m,) + size[d + 1:] if m else ()
    out = x.__class__._empty(osize)
    if m:
        ew().take(x.contiguous()._dev_flat(), idx.contiguous()._dev_flat(), out._dev_flat(),
                  prod(size[:d]), n, m, prod(size[d + 1:]))
    if res is None:
        return out
    res.resize(osize)
    return res.copy(out) if m else res


def _index_put(name, x, dim, idx, src, accumulate):
    check_tensor(name, x)
    d = _dim(name, x, dim)
    idx = _long_index(name, idx, x)
    size = x._size
    n = size[d]
    _check_range(name, idx, n, d)
    m = idx.nElement()
    want = size[:d] + (m,) + size[d + 1:]
    if not isinstance(src, TensorBase):
        raise TypeError(f"{name}: the source must be a tensor, got {type(src).__name__}")
    check_devices(name, x, src)
    if tuple(src._size) != want:
        if src.nElement() != prod(want):
            raise ValueError(f"{name}: source has size {fmt_size(src._size)}, expected "
                             f"{fmt_size(want)}")
    if accumulate and x._dtype.itemsize == 1:
        raise TypeError(f"{name} is not defined for {x._typename}")
    if not m:
        return x
    if src.__class__ is not x.__class__:
        src = src.type(x._typename)
    w = _writable_flat(x)
    ew().put(w._dev_flat(), idx.contiguous()._dev_flat(), src.contiguous()._dev_flat(),
             prod(size[:d]), n, m, prod(size[d + 1:]), accumulate=accumulate)
    return _finish(x, w)


def index_fill(x, dim, idx, value):
    check_tensor('indexFill', x)
    d = _dim('indexFill', x, dim)
    idx = _long_index('indexFill', idx, x)
    size = x._size
    _check_range('indexFill', idx, size[d], d)
    m = idx.nElement()
    if not m:
        return x
    w = _writable_flat(x)
    ew().put_fill(w._dev_flat(), idx.contiguous()._dev_flat(), x._dtype.type(value),
                  prod(size[:d]), size[d], m, prod(size[d + 1:]))
    return _finish(x, w)


# -- gather / scatter ----------------------------------------------------------------------------------
def _along_checks(name, x, dim, idx):
    """(d, index tensor, x narrowed to the index's size outside d)."""
    d = _dim(name, x, dim)
    idx = _long_index(name, idx, x)
    if idx.dim() != x.dim():
        raise ValueError(f"{name}: index has {idx.dim()} dimensions but the tensor has "
                         f"{x.dim()}")
    isz = idx._size
    for k in range(x.dim()):
        if k != d and isz[k] > x._size[k]:
            raise ValueError(f"{name}: index size {fmt_size(isz)} exceeds tensor size "
                             f"{fmt_size(x._size)} at dimension {k}")
    _check_range(name, idx, x._size[d], d)
    region = x
    for k in range(x.dim()):
        if k != d and isz[k] != x._size[k]:
            region = region.narrow(k, 0, isz[k])
    return d, idx, region


def _layout(size, d):
    return prod(size[:d]), prod(size[d + 1:])


def gather(res, x, dim, idx):
    """out[i][j] = x[idx[i][j]][j] (dim 0), etc.: a new tensor of idx's size, or into res."""
    check_tensor('gather', x, res)
    check_devices('gather', x, res)
    d, idx, region = _along_checks('gather', x, dim, idx)
    isz = idx._size
    out = x.__class__._empty(isz)
    if isz:
        outer, inner = _layout(isz, d)
        m = isz[d]
        ew().take(region.contiguous()._dev_flat(), idx.contiguous()._dev_flat(),
                  out._dev_flat(), outer, region._size[d], m, inner, (m * inner, inner, 1))
    if res is None:
        return out
    res.resize(isz)
    return res.copy(out) if isz else res


def scatter(x, dim, idx, src):
    """In place: x[idx[i][j]][j] = src[i][j] (dim 0), src a tensor or a number."""
    check_tensor('scatter', x)
    d, idx, region = _along_checks('scatter', x, dim, idx)
    isz = idx._size
    if isinstance(src, TensorBase):
        check_devices('scatter', x, src)
        if src.dim() != idx.dim() or any(ns < ni for ns, ni in zip(src._size, isz)):
            raise ValueError(f"scatter: source size {fmt_size(src._size)} is smaller than "
                             f"index size {fmt_size(isz)}")
        for k in range(src.dim()):
            if src._size[k] != isz[k]:
                src = src.narrow(k, 0, isz[k])
        if src.__class__ is not x.__class__:
            src = src.type(x._typename)
    if not isz:
        return x
    outer, inner = _layout(isz, d)
    m = isz[d]
    w = _writable_flat(region)
    args = (outer, region._size[d], m, inner, (m * inner, inner, 1))
    if isinstance(src, TensorBase):
        ew().put(w._dev_flat(), idx.contiguous()._dev_flat(), src.contiguous()._dev_flat(),
                 *args)
    else:
        ew().put_fill(w._dev_flat(), idx.contiguous()._dev_flat(), x._dtype.type(src), *args)
    _finish(region, w)
    return x


# -- masks --------------------------------------------------------------------------------------------
def _mask(name, x, mask):
    """The mask as a flat contiguous CudaByteTensor of x's element count."""
    if not isinstance(mask, TensorBase):
        raise TypeError(f"{name}: the mask must be a CudaByteTensor, got {type(mask).__name__}")
    check_devices(name, x, mask)
    if mask._dtype.kind not in 'iu':
        raise TypeError(f"{name}: the mask must be a CudaByteTensor, got {mask._typename}")
    if tuple(mask._size) != tuple(x._size) and mask.nElement() != x.nElement():
        raise ValueError(f"{name}: the mask has size {fmt_size(mask._size)} but the tensor "
                         f"has size {fmt_size(x._size)}")
    if mask._dtype.itemsize != 1:
        mask = mask.ne(0)
    return mask.contiguous()


def _positions(mask):
    """The flat positions where mask is non-zero, as a CudaLongTensor (found on the host)."""
    where = np.flatnonzero(mask._host())
    return where, long_class()._from_host(where)


def masked_fill(x, mask, value):
    check_tensor('maskedFill', x)
    m = _mask('maskedFill', x, mask)
    if x._size:
        w = _writable_flat(x)
        ew().masked_fill(w._dev_flat(), m._dev_flat(), x._dtype.type(value))
        _finish(x, w)
    return x


def masked_select(res, x, mask):
    """A new 1-D tensor of the elements where mask is non-zero (or written into res)."""
    check_tensor('maskedSelect', x, res)
    check_devices('maskedSelect', x, res)
    m = _mask('maskedSelect', x, mask)
    where, pos = _positions(m) if x._size else (np.empty(0), None)
    k = len(where)
    out = x.__class__._empty((k,) if k else ())
    if k:
        ew().take(x.contiguous()._dev_flat(), pos._dev_flat(), out._dev_flat(), 1,
                  x.nElement(), k, 1)
    if res is None:
        return out
    res.resize(out._size)
    return res.copy(out) if k else res


def masked_copy(x, mask, src):
    """Copy the elements of src, in order, to the positions where mask is non-zero."""
    check_tensor('maskedCopy', x)
    m = _mask('maskedCopy', x, mask)
    if not isinstance(src, TensorBase):
        raise TypeError(f"maskedCopy: the source must be a tensor, got {type(src).__name__}")
    check_devices('maskedCopy', x, src)
    if not x._size:
        return x
    where, pos = _positions(m)
    k = len(where)
    if src.nElement() < k:
        raise ValueError(f"maskedCopy: the mask selects {k} elements but the source has "
                         f"only {src.nElement()}")
    if not k:
        return x
    if src.__class__ is not x.__class__:
        src = src.type(x._typename)
    w = _writable_flat(x)
    ew().put(w._dev_flat(), pos._dev_flat(), src.contiguous()._dev_flat(), 1, x.nElement(),
             k, 1)
    return _finish(x, w)


def nonzero(res, x):
    """K x dim() CudaLongTensor of the 0-based subscripts of the non-zero elements."""
    check_tensor('nonzero', x, res)
    check_devices('nonzero', x, res)
    r = np.argwhere(x._host().reshape(x._size)) if x._size else np.empty((0,), np.int64)
    out = long_class()._from_host(r.astype(np.int64)) if r.size else long_class()()
    if res is None:
        return out
    res.resize(out._size)
    return res.copy(out) if r.size else res


def build():
    def index_method(self, *args):
        """x.index(dim, idx) -> new tensor; res.index(x, dim, idx) writes into res."""
        if len(args) == 3:
            return index(self, *args)
        return index(None, self, *args)

    def gather_method(self, *args):
        if len(args) == 3:
            return gather(self, *args)
        return gather(None, self, *args)

    def masked_select_method(self, *args):
        if len(args) == 2:
            return masked_select(self, *args)
        return masked_select(None, self, *args)

    def nonzero_method(self, *args):
        return nonzero(self, args[0]) if args else nonzero(None, self)

    methods = {
        'index': index_method, 'indexSelect': index_method,
        'indexCopy': lambda self, dim, idx, src: _index_put('indexCopy', self, dim, idx, src,
                                                           False),
        'indexAdd': lambda self, dim, idx, src: _index_put('indexAdd', self, dim, idx, src,
                                                          True),
        'indexFill': index_fill, 'gather': gather_method, 'scatter': scatter,
        'maskedFill': masked_fill, 'maskedSelect': masked_select_method,
        'maskedCopy': masked_copy, 'nonzero': nonzero_method,
    }
    for name, fn in methods.items():
        if fn.__name__ == '<lambda>':
            fn.__name__ = name
    functions = {
        'index': lambda *a: index(*a) if len(a) == 4 else index(None, *a),
        'gather': lambda *a: gather(*a) if len(a) == 4 else gather(None, *a),
        'maskedSelect': lambda *a: masked_select(*a) if len(a) == 3 else masked_select(None, *a),
        'nonzero': lambda *a: nonzero(*a) if len(a) == 2 else nonzero(None, *a),
    }
    return methods, functions
