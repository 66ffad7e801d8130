"""Views (reference §1.2 D): new Tensor objects on the same storage, never a copy.
All dimensions and indices are 0-based; negative ones count from the end."""
import numpy as np

from ._core import FRESH, fmt_size, is_int, new_object, normdim, parse_sizes, shape_of, wrap

_as_strided = np.lib.stride_tricks.as_strided


def _infer_size(size, n, src_shape):
    """Resolve one -1 in `size` against `n` elements."""
    if size.count(-1) > 1:
        raise ValueError(f"view: only one size can be -1, got {fmt_size(size)}")
    if -1 in size:
        known = 1
        for s in size:
            if s != -1:
                known *= s
        if known == 0 or n % known:
            raise ValueError(f"view: cannot infer the -1 in {fmt_size(size)} for a tensor of "
                             f"size {fmt_size(src_shape)} ({n} elements)")
        size = tuple(n // known if s == -1 else s for s in size)
    return size


# -- geometry shared with the CUDA tensors (torchlike/cuda/views.py): sizes and strides in any
# unit (numpy's bytes here, elements there); an empty tensor passes shape ().
def sub_slices(ranges, shape):
    """Torch7's sub: the (start, end) pairs, inclusive and 0-based (negative ones count from
    the end), checked against `shape` -> a tuple of slices with non-negative start and stop."""
    if len(ranges) % 2:
        raise TypeError("sub expects (start, end) pairs of inclusive indices")
    nd = len(shape)
    if len(ranges) // 2 > nd:
        raise IndexError(f"sub: {len(ranges) // 2} ranges for a {nd}-D tensor")
    slices = []
    for d in range(len(ranges) // 2):
        n = shape[d]
        s, e = ranges[2 * d], ranges[2 * d + 1]
        s2, e2 = (s + n if s < 0 else s), (e + n if e < 0 else e)
        if not (0 <= s2 <= e2 < n):
            raise IndexError(f"sub: range {s}..{e} is out of bounds for dimension {d} of "
                             f"size {n}")
        slices.append(slice(s2, e2 + 1))
    return tuple(slices)


def unfold_geometry(shape, strides, dim, size, step):
    """(sizes, strides) of unfold(dim, size, step): every slice of length `size` along `dim`,
    `step` apart, as a new last dimension."""
    nd = len(shape)
    d = normdim(dim, nd) if nd else 0
    n = shape[d] if nd else 0
    if step <= 0 or size <= 0 or size > n:
        raise ValueError(f"unfold: size {size} and step {step} do not fit dimension {dim} "
                         f"of size {n}")
    return (tuple(shape[:d]) + ((n - size) // step + 1,) + tuple(shape[d + 1:]) + (size,),
            tuple(strides[:d]) + (strides[d] * step,) + tuple(strides[d + 1:]) + (strides[d],))


def expand_geometry(shape, strides, size):
    """(sizes, strides) of expand(size): size-1 dimensions repeat with stride 0, -1 keeps a
    size, new leading dimensions (stride 0) may be added."""
    nd = len(shape)
    if len(size) < nd:
        raise ValueError(f"expand: cannot expand size {fmt_size(shape)} to fewer "
                         f"dimensions ({fmt_size(size)})")
    lead = len(size) - nd
    new_size, new_strides = [], []
    for i, s in enumerate(size):
        if i < lead:
            if s < 0:
                raise ValueError("expand: size -1 is not allowed for a new dimension")
            new_size.append(s)
            new_strides.append(0)
            continue
        n = shape[i - lead]
        if s == -1 or s == n:
            new_size.append(n)
            new_strides.append(strides[i - lead])
        elif n == 1:
            new_size.append(s)
            new_strides.append(0)
        else:
            raise ValueError(f"expand: the expanded size ({s}) must match the existing size "
                             f"({n}) at non-singleton dimension {i - lead}; tensor size "
                             f"{fmt_size(shape)}, requested {fmt_size(size)}")
    return tuple(new_size), tuple(new_strides)


class ViewMixin:
    __slots__ = ()

    def narrow(self, dim, index, size):
        """Elements index .. index+size-1 along `dim`."""
        a = self._arr()
        d = normdim(dim, a.ndim if a.size else 0)
        n = a.shape[d]
        i = index + n if index < 0 else index
        if not (0 <= i and size >= 0 and i + size <= n):
            raise IndexError(f"narrow: range [{index}, {index}+{size}) is out of bounds for "
                             f"dimension {dim} of size {n} (tensor size {fmt_size(a.shape)})")
        return self._view(a[(slice(None),) * d + (slice(i, i + size),)])

    def select(self, dim, index):
        """The slice at `index` along `dim`, with that dimension removed (needs 2-D or more)."""
        a = self._a
        if self._buf is not self._st._data:
            a = self._refresh()
        nd = a.ndim
        if nd < 2 or not a.size:
            raise IndexError(f"select needs a tensor with at least 2 dimensions, this one has "
                             f"{nd if a.size else 0}; use x[i] for an element of a 1-D tensor")
        d = dim if dim == 0 else normdim(dim, nd)
        n = a.shape[d]
        if not (type(index) is int or is_int(index)) or not -n <= index < n:
            raise IndexError(f"select: index {index} is out of range for dimension {dim} of "
                             f"size {n} (valid: {-n} to {n - 1})")
        r = a[index] if d == 0 else a[(slice(None),) * d + (index,)]
        st = self._st
        if st is FRESH:
            st = self.storage()
        t = new_object(self.__class__)
        t._a = r
        t._st = st
        t._buf = st._data
        return t

    def sub(self, *ranges):
        """Torch7's sub: pairs of inclusive 0-based (start, end) per leading dimension;
        negative values count from the end (-1 is the last index)."""
        a = self._arr()
        return self._view(a[sub_slices(ranges, shape_of(a))])

    def transpose(self, d1, d2):
        a = self._arr()
        nd = a.ndim if a.size else 0
        return self._view(a.swapaxes(normdim(d1, nd), normdim(d2, nd)))

    def t(self):
        """Transpose of a 2-D tensor."""
        a = self._arr()
        if a.ndim != 2 or not a.size:
            raise ValueError(f"t() expects a 2-D tensor, got size {fmt_size(shape_of(a))}; "
                             f"use transpose(d1, d2)")
        return self._view(a.T)

    def permute(self, *dims):
        a = self._arr()
        nd = a.ndim if a.size else 0
        dims = parse_sizes(dims, 'permute')
        perm = [normdim(d, nd) for d in dims]
        if sorted(perm) != list(range(nd)):
            raise ValueError(f"permute: {dims} is not a permutation of the {nd} dimensions")
        return self._view(a.transpose(perm))

    def unfold(self, dim, size, step):
        """All slices of length `size` along `dim`, `step` apart, as a new last dimension."""
        a = self._arr()
        return self._view(_as_strided(a, *unfold_geometry(shape_of(a), a.strides, dim, size,
                                                          step)))

    def view(self, *sizes):
        """The same elements seen with new sizes (one may be -1). Works whenever no copy is
        needed, which includes every contiguous tensor."""
        a = self._a
        if self._buf is not self._st._data:
            a = self._refresh()
        size = sizes if sizes and type(sizes[0]) is int else parse_sizes(sizes, 'view')
        try:  # numpy resolves a -1 itself; the error path explains what went wrong
            r = a.reshape(size) if a.flags.c_contiguous else a.reshape(size, copy=False)
        except (ValueError, TypeError):
            size = parse_sizes(size, 'view')
            if -1 in size:
                size = _infer_size(size, a.size, a.shape)
            raise self._view_error(a, size) from None
        st = self._st
        if st is FRESH:
            st = self.storage()
        t = new_object(self.__class__)
        t._a = r
        t._st = st
        t._buf = st._data
        return t

    def _view_error(self, a, size):
        n = 1
        for s in size:
            n *= s
        if n == a.size and a.size:
            return ValueError(f"view: size {fmt_size(size)} is not compatible with this "
                              f"tensor's size {fmt_size(a.shape)} and stride "
                              f"{fmt_size(self.stride())}; call contiguous() first")
        return ValueError(f"view: cannot view a tensor of size {fmt_size(shape_of(a))} "
                          f"({a.size} elements) as {fmt_size(size)}")

    def viewAs(self, other):
        return self.view(shape_of(other._arr()))

    def expand(self, *sizes):
        """Size-1 dimensions repeated without copying (stride 0); -1 keeps a size; new leading
        dimensions may be added."""
        a = self._arr()
        size = parse_sizes(sizes, 'expand')
        return self._view(_as_strided(a, *expand_geometry(shape_of(a), a.strides, size)))

    def expandAs(self, other):
        return self.expand(shape_of(other._arr()))

    def squeeze(self, dim=None):
        """Remove size-1 dimensions (all, or just `dim`)."""
        a = self._arr()
        if dim is None:
            if a.size == 1 and a.ndim:
                return self._view(a.reshape(1))  # Torch7 keeps one dimension
            return self._view(a.squeeze())
        d = normdim(dim, a.ndim if a.size else 0)
        if a.shape[d] != 1 or a.ndim == 1:
            return self._view(a[...])
        return self._view(a.squeeze(d))

    def unsqueeze(self, dim):
        """A new size-1 dimension at `dim` (0 .. dim())."""
        a = self._arr()
        nd = a.ndim if a.size else 0
        try:
            d = normdim(dim, nd + 1)
        except IndexError:
            raise IndexError(f"unsqueeze: dimension {dim} is out of range for a {nd}-D tensor "
                             f"(valid: {-nd - 1} to {nd})") from None
        return self._view(np.expand_dims(a, d))

    def split(self, size, dim=0):
        """Views of at most `size` elements along `dim` (the last may be smaller)."""
        n = self.size(dim)
        if size <= 0:
            raise ValueError(f"split: size must be positive, got {size}")
        return [self.narrow(dim, i, min(size, n - i)) for i in range(0, n, size)]

    def chunk(self, n, dim=0):
        """`n` (or fewer) nearly equal views along `dim`."""
        if n <= 0:
            raise ValueError(f"chunk: the number of chunks must be positive, got {n}")
        total = self.size(dim)
        return self.split(-(-total // n), dim)

    def reshape(self, *sizes):
        """A contiguous copy with new sizes (Torch7's reshape always copies)."""
        a = self._arr()
        size = parse_sizes(sizes, 'reshape')
        if -1 in size:
            size = _infer_size(size, a.size, a.shape)
        n = 1
        for s in size:
            n *= s
        if n != a.size:
            raise ValueError(f"reshape: cannot reshape a tensor of size "
                             f"{fmt_size(shape_of(a))} ({a.size} elements) as {fmt_size(size)}")
        return wrap(self.__class__, np.array(a.reshape(size), copy=True))

    def flatten(self):
        """A 1-D view when possible, else a 1-D copy."""
        a = self._arr()
        if a.flags.c_contiguous:
            return self._view(a.reshape(-1))
        return wrap(self.__class__, a.reshape(-1))

