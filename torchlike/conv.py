"""2-D and 3-D convolution and cross-correlation of tensors (reference §1.2 L):
`torch.conv2([res,] x, k [, 'V'|'F'])`, `torch.xcorr2(...)`, `torch.conv3`, `torch.xcorr3`.

conv* is the true convolution (kernel flipped), xcorr* the cross-correlation. 'V' (default)
keeps the valid part (out = in - k + 1), 'F' the full one (out = in + k - 1). Shapes, with
d = 2 or 3 spatial dimensions:
  d-D input, d-D kernel                       -> d-D output;
  p x (d-D) input, p x (d-D) kernels          -> p x (d-D): plane i with kernel i;
  p x (d-D) input, q x p x (d-D) kernels      -> q x (d-D): output j sums over the p planes
                                                 (a matrix-vector product of planes).
Everything reduces to a valid cross-correlation: a full operation pads the input with k - 1
zeros on each side, a convolution flips the kernel. Small problems unfold the input
(sliding windows) into one tensordot (a BLAS call); large ones loop over the kernel offsets so
that no unfolded copy bigger than _UNFOLD_LIMIT elements is made.
"""
import itertools

import numpy as np

from ._core import TensorBase, fmt_size, shape_of, wrap

_sliding = np.lib.stride_tricks.sliding_window_view
_UNFOLD_LIMIT = 1 << 22      # elements of the unfolded input above which we loop instead


def _xcorr_valid(x, k, case, nd):
    """Valid cross-correlation over the last nd axes. case: 'mul' (x, k both nd-D), 'cmul'
    (plane-wise) or 'mv' (k is q x p x ..., summed over p)."""
    ksz = k.shape[-nd:]
    osz = tuple(s - w + 1 for s, w in zip(x.shape[-nd:], ksz))
    spatial = tuple(range(x.ndim - nd, x.ndim))
    unfolded = int(np.prod(x.shape[:-nd], dtype=np.int64)) * int(np.prod(osz)) * int(np.prod(ksz))
    if unfolded <= _UNFOLD_LIMIT:
        win = _sliding(x, ksz, axis=spatial)            # [p,] out..., k...
        kaxes = tuple(range(win.ndim - nd, win.ndim))
        if case == 'mul':
            return np.tensordot(win, k, axes=(kaxes, tuple(range(nd))))
        if case == 'mv':
            return np.tensordot(k, win, axes=((1,) + tuple(range(2, 2 + nd)), (0,) + kaxes))
        letters = 'abcdefgh'[:nd]
        outs = 'ijklmn'[:nd]
        return np.einsum(f'p{outs}{letters},p{letters}->p{outs}', win, k)
    # large: accumulate one kernel offset at a time
    if case == 'mv':
        out = np.zeros((k.shape[0],) + osz, dtype=np.result_type(x, k))
    else:
        out = np.zeros(x.shape[:-nd] + osz, dtype=np.result_type(x, k))
    for off in itertools.product(*[range(w) for w in ksz]):
        sl = (Ellipsis,) + tuple(slice(o, o + s) for o, s in zip(off, osz))
        patch = x[sl]
        w = k[(Ellipsis,) + off]
        if case == 'mul':
            out += w * patch
        elif case == 'cmul':
            out += w.reshape(w.shape + (1,) * nd) * patch
        else:
            out += np.tensordot(w, patch, axes=(1, 0))
    return out


def _convolve(name, nd, flip, args):
    res = None
    if len(args) >= 3 and isinstance(args[2], TensorBase):
        res, args = args[0], args[1:]
    if len(args) not in (2, 3) or not all(isinstance(t, TensorBase) for t in args[:2]):
        raise TypeError(f"{name}([res,] input, kernel [, 'V'|'F']) expects an input and a "
                        f"kernel tensor")
    t, kt = args[0], args[1]
    mode = args[2] if len(args) == 3 else 'V'
    if mode not in ('V', 'F'):
        raise ValueError(f"{name}: the type of convolution can be 'V' (valid) or 'F' (full), "
                         f"got {mode!r}")
    cls = t.__class__
    for other in (kt, res):
        if other is not None and other.__class__ is not cls:
            raise TypeError(f"{name}: input, kernel and result must have the same type, got "
                            f"{cls._typename} and {other._typename}")
    x, k = t._arr(), kt._arr()
    xs, ks = shape_of(x), shape_of(k)
    cases = {(nd, nd): 'mul', (nd + 1, nd + 1): 'cmul', (nd + 1, nd + 2): 'mv'}
    case = cases.get((len(xs), len(ks)))
    if case is None:
        raise ValueError(f"{name}: expected a {nd}-D input with a {nd}-D kernel, or a "
                         f"{nd + 1}-D input with a {nd + 1}-D or {nd + 2}-D kernel; got input "
                         f"{fmt_size(xs)} and kernel {fmt_size(ks)}")
    if case == 'cmul' and xs[0] != ks[0]:
        raise ValueError(f"{name}: the input has {xs[0]} planes but the kernel has {ks[0]} "
                         f"(input {fmt_size(xs)}, kernel {fmt_size(ks)})")
    if case == 'mv' and xs[0] != ks[1]:
        raise ValueError(f"{name}: the input has {xs[0]} planes but the kernel expects "
                         f"{ks[1]} (input {fmt_size(xs)}, kernel {fmt_size(ks)})")
    if mode == 'V' and any(a < b for a, b in zip(xs[-nd:], ks[-nd:])):
        raise ValueError(f"{name}: the input ({fmt_size(xs[-nd:])}) is smaller than the kernel "
                         f"({fmt_size(ks[-nd:])}) for a valid ('V') operation; use 'F' for a "
                         f"full one")
    if flip:
        k = k[(Ellipsis,) + (slice(None, None, -1),) * nd]
    if mode == 'F':
        pad = [(0, 0)] * (x.ndim - nd) + [(w - 1, w - 1) for w in ks[-nd:]]
        x = np.pad(x, pad)
    out = _xcorr_valid(x, k, case, nd)
    if out.dtype != cls._dtype:
        out = out.astype(cls._dtype)
    if res is None:
        return wrap(cls, np.ascontiguousarray(out))
    res.resize(out.shape)
    res._arr()[...] = out
    return res


def conv2(*args):
    """conv2([res,] x, k [, 'V'|'F']) -> 2-D convolution (kernel flipped) of x by k."""
    return _convolve('conv2', 2, True, args)


def xcorr2(*args):
    """xcorr2([res,] x, k [, 'V'|'F']) -> 2-D cross-correlation of x with k."""
    return _convolve('xcorr2', 2, False, args)


def conv3(*args):
    """conv3([res,] x, k [, 'V'|'F']) -> 3-D convolution (kernel flipped) of x by k."""
    return _convolve('conv3', 3, True, args)


def xcorr3(*args):
    """xcorr3([res,] x, k [, 'V'|'F']) -> 3-D cross-correlation of x with k."""
    return _convolve('xcorr3', 3, False, args)


class ConvMixin:
    """Method forms as in Torch7, where the tensor is the result: `res.conv2(x, k, 'F')`."""
    __slots__ = ()

    def conv2(self, *args):
        return _convolve('conv2', 2, True, (self,) + args)

    def xcorr2(self, *args):
        return _convolve('xcorr2', 2, False, (self,) + args)

    def conv3(self, *args):
        return _convolve('conv3', 3, True, (self,) + args)

    def xcorr3(self, *args):
        return _convolve('xcorr3', 3, False, (self,) + args)
