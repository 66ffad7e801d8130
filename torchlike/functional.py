"""Element-by-element Python callbacks (reference §1.2 M): apply, map, map2.

Elements are visited in row-major order of the tensor's sizes. A callback returning None leaves
the element as it was; any other value replaces it. These call Python once per element: use them
for clarity on small tensors, and vectorised math for speed.
"""
import numpy as np

from ._core import TensorBase, fmt_size, shape_of


def _values(t, name):
    if not isinstance(t, TensorBase):
        raise TypeError(f"{name}: expected a tensor, got {type(t).__name__}")
    return t._arr().ravel().tolist()


def _store(t, old, new):
    """Write back only when a callback returned something."""
    if any(v is not None for v in new):
        merged = [o if v is None else v for o, v in zip(old, new)]
        a = t._arr()
        a[...] = np.asarray(merged, dtype=np.float64 if a.dtype.kind == 'f' else None) \
            .reshape(a.shape).astype(a.dtype, copy=False)


class FunctionalMixin:
    __slots__ = ()

    def apply(self, f):
        """Call f(value) for every element; a non-None result replaces the element."""
        old = _values(self, 'apply')
        _store(self, old, [f(v) for v in old])
        return self

    def map(self, other, f):
        """Call f(self_value, other_value) pairwise (same number of elements)."""
        old, b = _values(self, 'map'), _values(other, 'map')
        if len(old) != len(b):
            raise ValueError(f"map: sizes {fmt_size(shape_of(self._arr()))} and "
                             f"{fmt_size(shape_of(other._arr()))} have different numbers of "
                             f"elements")
        _store(self, old, [f(x, y) for x, y in zip(old, b)])
        return self

    def map2(self, t1, t2, f):
        """Call f(self_value, t1_value, t2_value) element-wise (same number of elements)."""
        old, b, c = _values(self, 'map2'), _values(t1, 'map2'), _values(t2, 'map2')
        if not len(old) == len(b) == len(c):
            raise ValueError(f"map2: sizes {fmt_size(shape_of(self._arr()))}, "
                             f"{fmt_size(shape_of(t1._arr()))} and "
                             f"{fmt_size(shape_of(t2._arr()))} have different numbers of "
                             f"elements")
        _store(self, old, [f(x, y, z) for x, y, z in zip(old, b, c)])
        return self
