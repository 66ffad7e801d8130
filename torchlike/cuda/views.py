"""Views of CUDA tensors and the `[]` operator: metadata arithmetic only, no device work.
Results match the CPU views of the same FloatTensor (sizes, strides, offsets), including
numpy's strides for inserted size-1 dimensions. 0-based dims and indices; negative ones count
from the end."""
from .._core import fmt_size, is_int, normdim, parse_sizes, TensorBase
from ..tensor import _contiguous_strides
from ..views import (ViewMixin as _CpuViews, _infer_size, expand_geometry, sub_slices,
                     unfold_geometry)
from .math_common import prod


def broadcast_strides(ssize, sstride, dsize):
    """Strides that show a (ssize, sstride) tensor with the sizes `dsize` under numpy's
    broadcasting (stride 0 along repeated dims), or None when it does not broadcast."""
    lead = len(dsize) - len(ssize)
    if lead < 0:
        return None
    out = [0] * lead
    for n, s, d in zip(ssize, sstride, dsize[lead:]):
        if n == d:
            out.append(s)
        elif n == 1:
            out.append(0)
        else:
            return None
    return tuple(out)


def _view_strides(size, stride, newsize):
    """Strides for seeing a non-contiguous (size, stride) tensor with sizes `newsize` without a
    copy, or None. The same walk numpy's reshape does (so views match the CPU tensors', size-1
    dimensions included): size-1 dimensions are dropped, then runs of old dimensions that are
    contiguous with each other are matched with runs of new dimensions of the same product."""
    old = [(n, s) for n, s in zip(size, stride) if n != 1]
    newstride = [0] * len(newsize)
    oi = ni = 0
    oj = nj = 1
    while ni < len(newsize) and oi < len(old):
        np_, op = newsize[ni], old[oi][0]
        while np_ != op:
            if np_ < op:
                np_ *= newsize[nj]
                nj += 1
            else:
                op *= old[oj][0]
                oj += 1
        for k in range(oi, oj - 1):
            if old[k][1] != old[k + 1][0] * old[k + 1][1]:
                return None
        newstride[nj - 1] = old[oj - 1][1]
        for k in range(nj - 1, ni, -1):
            newstride[k - 1] = newstride[k] * newsize[k]
        ni, oi = nj, oj
        nj, oj = nj + 1, oj + 1
    last = newstride[ni - 1] if ni >= 1 else 1
    for k in range(ni, len(newsize)):
        newstride[k] = last
    return tuple(newstride)


class CudaViewMixin:
    __slots__ = ()

    def _derive(self, offset, size, stride):
        from .tensor import make
        return make(self.__class__, self._st, offset, tuple(size), tuple(stride))

    def narrow(self, dim, index, size):
        """Elements index .. index+size-1 along `dim`."""
        shape = self._size
        d = normdim(dim, len(shape))
        n = shape[d]
        i = index + n if index < 0 else index
        if not (0 <= i and size >= 0 and i + size <= n):
            raise IndexError(f"narrow: range [{index}, {index}+{size}) is out of bounds for "
                             f"dimension {dim} of size {n} (tensor size {fmt_size(shape)})")
        st = self._stride
        return self._derive(self._off + i * st[d], shape[:d] + (size,) + shape[d + 1:], st)

    def select(self, dim, index):
        """The slice at `index` along `dim`, with that dimension removed (needs 2-D or more)."""
        shape = self._size
        nd = len(shape)
        if nd < 2:
            raise IndexError(f"select needs a tensor with at least 2 dimensions, this one has "
                             f"{nd}; use x[i] for an element of a 1-D tensor")
        d = normdim(dim, nd)
        n = shape[d]
        if not is_int(index) or not -n <= index < n:
            raise IndexError(f"select: index {index} is out of range for dimension {dim} of "
                             f"size {n} (valid: {-n} to {n - 1})")
        i = index + n if index < 0 else index
        st = self._stride
        return self._derive(self._off + i * st[d], shape[:d] + shape[d + 1:],
                            st[:d] + st[d + 1:])

    def sub(self, *ranges):
        """Pairs of inclusive 0-based (start, end) per leading dimension (Torch7's sub)."""
        shape, st = list(self._size), self._stride
        off = self._off
        for d, sl in enumerate(sub_slices(ranges, self._size)):
            off += sl.start * st[d]
            shape[d] = sl.stop - sl.start
        return self._derive(off, shape, st)

    def transpose(self, d1, d2):
        nd = len(self._size)
        a, b = normdim(d1, nd), normdim(d2, nd)
        size, st = list(self._size), list(self._stride)
        size[a], size[b] = size[b], size[a]
        st[a], st[b] = st[b], st[a]
        return self._derive(self._off, size, st)

    def t(self):
        if len(self._size) != 2:
            raise ValueError(f"t() expects a 2-D tensor, got size {fmt_size(self._size)}; "
                             f"use transpose(d1, d2)")
        return self.transpose(0, 1)

    def permute(self, *dims):
        nd = len(self._size)
        dims = parse_sizes(dims, 'permute')
        perm = [normdim(d, nd) for d in dims]
        if sorted(perm) != list(range(nd)):
            raise ValueError(f"permute: {dims} is not a permutation of the {nd} dimensions")
        return self._derive(self._off, [self._size[p] for p in perm],
                            [self._stride[p] for p in perm])

    def unfold(self, dim, size, step):
        """All slices of length `size` along `dim`, `step` apart, as a new last dimension."""
        return self._derive(self._off,
                            *unfold_geometry(self._size, self._stride, dim, size, step))

    def view(self, *sizes):
        """The same elements seen with new sizes (one may be -1), without a copy: works for
        every contiguous tensor, and for the strided ones whose memory allows it."""
        size = parse_sizes(sizes, 'view')
        n = self.nElement()
        if -1 in size:
            size = _infer_size(size, n, self._size)
        if prod(size) != n or (not n and size and 0 not in size):
            raise ValueError(f"view: cannot view a tensor of size {fmt_size(self._size)} "
                             f"({n} elements) as {fmt_size(size)}")
        if n <= 1 or self.isContiguous():
            return self._derive(self._off, size, _contiguous_strides(size))
        stride = _view_strides(self._size, self._stride, size)
        if stride is None:
            raise ValueError(f"view: size {fmt_size(size)} is not compatible with this "
                             f"tensor's size {fmt_size(self._size)} and stride "
                             f"{fmt_size(self._stride)}; call contiguous() first")
        return self._derive(self._off, size, stride)

    def viewAs(self, other):
        return self.view(tuple(other.size()))

    def expand(self, *sizes):
        """Size-1 dimensions repeated without copying (stride 0); -1 keeps a size; new leading
        dimensions may be added."""
        size = parse_sizes(sizes, 'expand')
        return self._derive(self._off, *expand_geometry(self._size, self._stride, size))

    def expandAs(self, other):
        return self.expand(tuple(other.size()))

    def squeeze(self, dim=None):
        """Remove size-1 dimensions (all, or just `dim`); a 1-element tensor keeps one."""
        shape, st = self._size, self._stride
        if dim is None:
            keep = [i for i, n in enumerate(shape) if n != 1]
            if not keep and shape:
                return self._derive(self._off, (1,), (1,))
            return self._derive(self._off, [shape[i] for i in keep], [st[i] for i in keep])
        d = normdim(dim, len(shape))
        if shape[d] != 1 or len(shape) == 1:
            return self._derive(self._off, shape, st)
        return self._derive(self._off, shape[:d] + shape[d + 1:], st[:d] + st[d + 1:])

    def unsqueeze(self, dim):
        """A new size-1 dimension at `dim` (0 .. dim())."""
        shape, st = self._size, self._stride
        nd = len(shape)
        try:
            d = normdim(dim, nd + 1)
        except IndexError:
            raise IndexError(f"unsqueeze: dimension {dim} is out of range for a {nd}-D tensor "
                             f"(valid: {-nd - 1} to {nd})") from None
        if not nd:
            return self._derive(self._off, shape, st)
        return self.view(shape[:d] + (1,) + shape[d:])    # numpy's strides, as the CPU

    # the CPU tensors' own: they only call size() and narrow()
    split = _CpuViews.split
    chunk = _CpuViews.chunk

    def reshape(self, *sizes):
        """A contiguous copy with new sizes (Torch7's reshape always copies)."""
        size = parse_sizes(sizes, 'reshape')
        n = self.nElement()
        if -1 in size:
            size = _infer_size(size, n, self._size)
        if prod(size) != n:
            raise ValueError(f"reshape: cannot reshape a tensor of size {fmt_size(self._size)} "
                             f"({n} elements) as {fmt_size(size)}")
        return self.clone().view(size)

    def flatten(self):
        """A 1-D view when possible, else a 1-D copy."""
        n = self.nElement()
        return self.contiguous().view(n) if n else self._derive(0, (), ())

    # -- [] ----------------------------------------------------------------------------------
    def _basic_index(self, key):
        """(offset, sizes, strides, is-one-element) of the view a basic key (ints, slices
        with a positive step, ..., None) selects; is-one-element when integers took every
        dimension (the CPU then gives a Python number)."""
        parts = key if isinstance(key, tuple) else (key,)
        shape, st = self._size, self._stride
        nd = len(shape)
        consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
        if sum(1 for p in parts if p is Ellipsis) > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        if consumed > nd:
            raise IndexError(f"too many indices for a tensor of size {fmt_size(shape)}: "
                             f"{consumed} given")
        off, size, stride, d = self._off, [], [], 0
        for p in parts:
            if p is None:
                size.append(1)
                stride.append(0)
            elif p is Ellipsis:
                for _ in range(nd - consumed):
                    size.append(shape[d])
                    stride.append(st[d])
                    d += 1
            elif is_int(p):
                n = shape[d]
                if not -n <= p < n:
                    raise IndexError(f"index {p} is out of range for dimension {d} of size "
                                     f"{n} (valid: {-n} to {n - 1})")
                off += (p + n if p < 0 else p) * st[d]
                d += 1
            elif isinstance(p, slice):
                if p.step is not None and p.step <= 0:
                    raise IndexError(f"slice step must be positive, got {p.step} (Torch tensors "
                                     f"cannot have negative strides)")
                start, stop, step = p.indices(shape[d])
                m = len(range(start, stop, step))
                if m:
                    off += start * st[d]
                size.append(m)
                stride.append(st[d] * step)
                d += 1
            else:
                raise TypeError(f"invalid index of type {type(p).__name__}: use integers, "
                                f"slices, ..., None, a CudaLongTensor or a CudaByteTensor mask")
        size.extend(shape[d:])
        stride.extend(st[d:])
        return off, size, stride, not size and nd > 0

    def _tensor_key(self, key):
        """'mask', 'index' or None for a tensor (or list) key."""
        if isinstance(key, (list,)):
            return 'index'
        if isinstance(key, TensorBase):
            from .tensor import check_device
            check_device(self, key, 'index')
            return 'mask' if key._dtype.itemsize == 1 and key._dtype.kind == 'u' else 'index'
        return None

    def __getitem__(self, key):
        if is_int(key) and len(self._size) > 1:
            return self.select(0, key)
        kind = self._tensor_key(key)
        if kind == 'mask':
            return self.maskedSelect(key)
        if kind == 'index':
            return self.index(0, _long_index(key))
        if not self._size and not isinstance(key, tuple) and is_int(key):
            raise IndexError(f"index {key} is out of range: the tensor is empty")
        off, size, stride, scalar = self._basic_index(key)
        view = self._derive(off, size, stride)
        if scalar:
            from .tensor import make
            return make(self.__class__, self._st, off, (1,), (1,))._host()[0].item()
        return view

    def __setitem__(self, key, value):
        kind = self._tensor_key(key)
        if kind == 'mask':
            if isinstance(value, TensorBase):
                self.maskedCopy(key, value)
            else:
                self.maskedFill(key, value)
            return
        if kind == 'index':
            idx = _long_index(key)
            if isinstance(value, TensorBase):
                self.indexCopy(0, idx, value)
            else:
                self.indexFill(0, idx, value)
            return
        off, size, stride, scalar = self._basic_index(key)
        if scalar:
            size, stride = (1,), (1,)
        view = self._derive(off, size, stride)
        if isinstance(value, (TensorBase, list)) or hasattr(value, 'shape'):
            try:
                view.copy(value)
            except ValueError:
                vsize = tuple(value.size()) if isinstance(value, TensorBase) else ()
                region = f"size {fmt_size(view._size)}" if not scalar else "a single element"
                raise ValueError(f"cannot assign a value of size {fmt_size(vsize)} to an "
                                 f"indexed region of {region}") from None
        else:
            view.fill(value)


def _long_index(key):
    from .tensor import CudaLongTensor
    if isinstance(key, list):
        return CudaLongTensor(key)
    if key.__class__ is not CudaLongTensor:
        return key.type('torch.CudaLongTensor')
    return key
