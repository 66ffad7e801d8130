"""Shape adaptors: View, Reshape, Contiguous, Squeeze, Unsqueeze, Transpose, Select, Narrow,
Replicate, Padding.

Dimension arguments and indices are 0-based; negative ones count from the end. `nInputDims` /
`numInputDims` say how many dimensions one sample has: an input with more dimensions is a batch
and non-negative dimension arguments shift by one. In `.t7` files the dimension and index fields
are 1-based, as Torch7 writes them.

View, Squeeze, Unsqueeze and Replicate return views of the input (no copy); Reshape and View copy
only when the input's strides make a view impossible; Transpose, Select, Narrow and Padding copy
into their own output buffer, as in Torch7.
"""
import math

import numpy as np

import torchlike as torch
from torchlike._core import fmt_size, is_int, parse_sizes

from .module import Module

_as_strided = np.lib.stride_tricks.as_strided


from ._helpers import (_buffer, _array, _alias, _check_tensor, _check_grad, _resolve_dim, _view_or_copy, _Fields)


class View(_Fields, Module):
    """A view of the input with new sizes (one may be -1). A batch dimension is kept in front
    when the input holds several samples: `nn.View(320)` maps N x 20 x 4 x 4 to N x 320.

    Batch detection, as Torch7: with `setNumInputDims(n)` the last n input dimensions are one
    sample and any further leading dimensions are the batch (so a batch of one stays a batch).
    Without it, the input is a batch when it holds a multiple k > 1 of the view's elements (and
    no size is -1). Torch7 then read a batch of ONE as a single sample and dropped its batch
    dimension; here a View that has seen a batch of rank r treats later rank-r inputs with
    exactly one sample as a batch of one too (a single sample has one dimension fewer), so the
    last, short mini-batch of an epoch keeps its shape."""
    _device_agnostic = True   # tensor methods only: runs on any device

    numInputDims = None
    _batchRank = None     # rank of the batches seen so far (None: none seen)
    _sizes = None         # self.size as a tuple
    _transient = ('_sizes',)
    _buffers = ('_input', '_gradOutput')

    def __init__(self, *sizes):
        super().__init__()
        self.resetSize(*sizes)

    def resetSize(self, *sizes):
        if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)) and not sizes[0]:
            sizes = ()
        sz = parse_sizes(sizes, 'nn.View') if sizes else ()
        if not sz:
            raise ValueError("nn.View needs at least one size")
        if any(s < -1 for s in sz) or sz.count(-1) > 1:
            raise ValueError(f"nn.View: sizes must be non-negative or a single -1, got "
                             f"{', '.join(map(str, sz))}")
        self.size = torch.LongStorage(list(sz))
        self.numElements = math.prod(s for s in sz if s >= 0)
        self._sizes = sz
        self._batchRank = None
        return self

    def setNumInputDims(self, numInputDims):
        self.numInputDims = numInputDims
        return self

    def _batchSize(self, shape):
        """The batch size to put in front of the view, or None for a single sample."""
        ind = len(shape)
        nid = self.numInputDims
        if nid is not None and nid > ind:
            raise ValueError(f"nn.View: input of size {fmt_size(shape)} has fewer than "
                             f"numInputDims = {nid} dimensions")
        maxdim = ind if nid is None else nid
        sample = math.prod(shape[ind - maxdim:])
        ne = self.numElements
        if (ne == 0 and sample != 0) or (ne and sample % ne):
            raise ValueError(f"nn.View: input of size {fmt_size(shape)} ({sample} elements per "
                             f"sample) does not match the view {fmt_size(self._sizes)} "
                             f"({ne} elements)")
        infer = -1 in self._sizes
        bsz = 1 if infer or ne == 0 else sample // ne
        for s in shape[:ind - maxdim]:
            bsz *= s
        if bsz == 1 and (nid is None or ind <= nid):
            if nid is None and not infer and ind == self._batchRank:
                return 1          # a batch of one, like the earlier batches of this rank
            return None
        if nid is None and not infer:
            self._batchRank = ind
        return bsz

    def updateOutput(self, input):
        _check_tensor(self, input)
        bsz = self._batchSize(input.size())
        sizes = self._sizes if bsz is None else (bsz,) + self._sizes
        self.output = _view_or_copy(self, input, sizes, '_input')
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_tensor(self, gradOutput, 'gradOutput')
        self.gradInput = _view_or_copy(self, gradOutput, input.size(), '_gradOutput')
        return self.gradInput

    @classmethod
    def _afterLoad(cls, fields):
        fields['_sizes'] = parse_sizes((fields['size'],), cls._typename)
        return fields

    def __repr__(self):
        return f"{self._typename}({', '.join(str(s) for s in self._sizes)})"


class Reshape(_Fields, Module):
    """The input with new sizes, viewed when possible and copied otherwise (Torch7 copied every
    non-contiguous input). `nn.Reshape(2, 5)`; a last boolean argument (or `batchMode=`) forces
    batch mode on (True) or off (False). Unforced, as Torch7: the input is a single sample when
    it has exactly the view's number of elements and its first size is not 1, else a batch
    whose first dimension is kept."""
    _device_agnostic = True   # tensor methods only: runs on any device

    batchMode = None
    _sizes = None
    _transient = ('_sizes',)
    _buffers = ('_input', '_gradOutput')

    def __init__(self, *sizes, batchMode=None):
        super().__init__()
        if sizes and isinstance(sizes[-1], bool):
            batchMode, sizes = sizes[-1], sizes[:-1]
        sz = parse_sizes(sizes, 'nn.Reshape') if sizes else ()
        if not sz or any(s < 0 for s in sz):
            raise ValueError(f"nn.Reshape needs non-negative sizes, got {sz}")
        self.batchMode = batchMode
        self.size = torch.LongStorage(list(sz))
        self.batchsize = torch.LongStorage([1] + list(sz))
        self.nelement = math.prod(sz)
        self._sizes = sz

    def updateOutput(self, input):
        _check_tensor(self, input)
        n = input.nElement()
        if n == 0:
            raise ValueError(f"{self._typename}: the input is empty")
        bm = self.batchMode
        if bm is False or (bm is None and n == self.nelement and input.size(0) != 1):
            sizes = self._sizes
        else:
            sizes = (input.size(0),) + self._sizes
        if math.prod(sizes) != n:
            raise ValueError(f"{self._typename}: cannot reshape input of size "
                             f"{fmt_size(input.size())} ({n} elements) to {fmt_size(sizes)}")
        self.output = _view_or_copy(self, input, sizes, '_input')
        return self.output

    updateGradInput = View.updateGradInput
    _afterLoad = View.__dict__['_afterLoad']

    def __repr__(self):
        return f"{self._typename}({'x'.join(str(s) for s in self._sizes)})"


class Contiguous(_Fields, Module):
    """The input itself (a view of it) when contiguous, else a contiguous copy."""

    _copy = None
    _gradCopy = None
    _buffers = ('_copy', '_gradCopy')

    def _contiguous(self, x, bufname):
        if x.isContiguous():
            return _alias(x)
        return _buffer(self, bufname, x).resizeAs(x).copy(x)

    def updateOutput(self, input):
        _check_tensor(self, input)
        self.output = self._contiguous(input, '_copy')
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_tensor(self, gradOutput, 'gradOutput')
        self.gradInput = self._contiguous(gradOutput, '_gradCopy')
        return self.gradInput


# -- singleton dimensions ---------------------------------------------------------------------
class Squeeze(_Fields, Module):
    """Removes size-1 dimensions: all of them, or only `dim`. With numInputDims, a batch of one
    keeps its batch dimension."""

    dim = None
    numInputDims = None
    _indexFields = ('dim',)
    _buffers = ('_gradOutput',)

    def __init__(self, dim=None, numInputDims=None):
        super().__init__()
        self.dim = dim
        self.numInputDims = numInputDims

    def setNumInputDims(self, numInputDims):
        self.numInputDims = numInputDims
        return self

    def updateOutput(self, input):
        _check_tensor(self, input)
        shape = input.size()
        nid = self.numInputDims
        if self.dim is not None:
            out = input.squeeze(_resolve_dim(self, self.dim, shape, nid))
        else:
            out = input.squeeze()
            if nid is not None and len(shape) > nid and shape[0] == 1:
                out = out.unsqueeze(0)     # a batch of one keeps its batch dimension
        self.output = out
        return out

    updateGradInput = View.updateGradInput


class Unsqueeze(_Fields, Module):
    """Inserts a size-1 dimension at position `pos` (0 .. input.dim(); negative counts from
    the end, -1 appends). With numInputDims, the position is within one sample and shifts past
    the batch dimensions."""

    numInputDims = None
    _indexFields = ('pos',)
    _buffers = ('_gradOutput',)

    def __init__(self, pos, numInputDims=None):
        super().__init__()
        if not is_int(pos):
            raise TypeError(f"nn.Unsqueeze: the position must be an integer, got {pos!r}")
        self.pos = pos
        self.numInputDims = numInputDims

    setNumInputDims = Squeeze.setNumInputDims

    def _position(self, shape):
        nd = len(shape)
        nid = nd if self.numInputDims is None else self.numInputDims
        if nd < nid:
            raise ValueError(f"{self._typename}: input of size {fmt_size(shape)} has fewer "
                             f"than numInputDims = {nid} dimensions")
        p = self.pos + nd + 1 if self.pos < 0 else self.pos + nd - nid
        if not 0 <= p <= nd:
            raise IndexError(f"{self._typename}: position {self.pos} is out of range for "
                             f"input of size {fmt_size(shape)} (numInputDims {nid}; valid: "
                             f"{-nid - 1} to {nid})")
        return p

    def updateOutput(self, input):
        _check_tensor(self, input)
        self.output = input.unsqueeze(self._position(input.size()))
        return self.output

    updateGradInput = View.updateGradInput

    def __repr__(self):
        return f"{self._typename}(dim {self.pos})"


# -- copies of parts or permutations of the input ---------------------------------------------
class Transpose(_Fields, Module):
    """Transposes pairs of dimensions in turn: `nn.Transpose((0, 3), (0, 2))` swaps dims 0 and 3,
    then 0 and 2 of the result. The output is a contiguous copy (as Torch7)."""

    numInputDims = None
    _indexFields = ('permutations',)

    def __init__(self, *permutations):
        super().__init__()
        perms = []
        for p in permutations:
            if len(p) != 2 or not all(is_int(d) for d in p):
                raise TypeError(f"nn.Transpose expects pairs of dimensions, got {p!r}")
            perms.append([int(p[0]), int(p[1])])
        self.permutations = perms

    setNumInputDims = Squeeze.setNumInputDims

    def _perm(self, shape):
        nd = len(shape)
        offset = nd - self.numInputDims if self.numInputDims is not None else 0
        perm = list(range(nd))
        for a, b in self.permutations:
            i = a + nd if a < 0 else a + offset
            j = b + nd if b < 0 else b + offset
            if not (0 <= i < nd and 0 <= j < nd):
                raise IndexError(f"{self._typename}: cannot transpose dimensions {a} and {b} of "
                                 f"input of size {fmt_size(shape)}")
            perm[i], perm[j] = perm[j], perm[i]
        return perm

    def updateOutput(self, input):
        _check_tensor(self, input)
        a = input._arr()
        src = a.transpose(self._perm(a.shape))
        np.copyto(_array(self, 'output', input, src.shape), src)
        return self.output

    def updateGradInput(self, input, gradOutput):
        shape = input._arr().shape
        perm = self._perm(shape)
        _check_grad(self, gradOutput, tuple(shape[p] for p in perm))
        np.copyto(_array(self, 'gradInput', input, shape),
                  gradOutput._arr().transpose(np.argsort(perm)))
        return self.gradInput


class _SliceCopy:
    """Select and Narrow: a copy of input[where]; the gradient is gradOutput there, 0 elsewhere.
    Subclasses define _where(shape) -> numpy index."""

    _indexFields = ('dimension', 'index')

    def updateOutput(self, input):
        _check_tensor(self, input)
        a = input._arr()
        src = a[self._where(a.shape)]
        np.copyto(_array(self, 'output', input, src.shape), src)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = input._arr()
        where = self._where(a.shape)
        _check_grad(self, gradOutput, a[where].shape)
        gi = _array(self, 'gradInput', input, a.shape)
        gi.fill(0)
        gi[where] = gradOutput._arr()
        return self.gradInput


class Select(_SliceCopy, _Fields, Module):
    """A copy of the slice at `index` along `dimension` (both 0-based; negative values count
    from the end), that dimension removed."""

    def __init__(self, dimension, index):
        super().__init__()
        self.dimension = dimension
        self.index = index

    def _where(self, shape):
        if len(shape) < 2:
            raise ValueError(f"{self._typename}: input must have at least 2 dimensions, got "
                             f"size {fmt_size(shape)}")
        d = _resolve_dim(self, self.dimension, shape)
        n = shape[d]
        i = self.index + n if self.index < 0 else self.index
        if not 0 <= i < n:
            raise IndexError(f"{self._typename}: index {self.index} is out of range for "
                             f"dimension {d} of size {n} (input size {fmt_size(shape)}; valid: "
                             f"{-n} to {n - 1})")
        return (slice(None),) * d + (i,)


class Narrow(_SliceCopy, _Fields, Module):
    """A copy of `length` elements from `offset` along `dimension` (0-based). A negative length
    counts from the end, as Torch7: -1 runs to the last element, -2 stops one before it. A
    negative offset counts from the end too (-1 is the last element)."""

    _loadDefaults = {'length': 1}

    def __init__(self, dimension, offset, length=1):
        super().__init__()
        if not (is_int(dimension) and is_int(offset) and is_int(length)):
            raise TypeError("nn.Narrow(dimension, offset[, length]) takes integers")
        self.dimension = dimension
        self.index = offset        # Torch7's field name
        self.length = length

    def _where(self, shape):
        d = _resolve_dim(self, self.dimension, shape)
        n = shape[d]
        off = self.index + n if self.index < 0 else self.index
        length = n - off + self.length + 1 if self.length < 0 else self.length
        if not (0 <= off and 1 <= length and off + length <= n):
            raise IndexError(f"{self._typename}: offset {self.index} with length {self.length} "
                             f"is out of range for dimension {d} of size {n} (input size "
                             f"{fmt_size(shape)})")
        return (slice(None),) * d + (slice(off, off + length),)


class Replicate(_Fields, Module):
    """Repeats the input `nFeature` times along a new dimension `dim` (0-based) without copying
    (a stride-0 view). With `ndim` (dimensions of one sample), a batch input replicates along
    the same sample dimension."""

    ndim = None
    _indexFields = ('dim',)
    _loadDefaults = {'dim': 1}

    def __init__(self, nFeature, dim=0, ndim=None):
        super().__init__()
        if not is_int(dim) or dim < 0:
            raise ValueError(f"nn.Replicate: dim must be a non-negative integer, got {dim!r}")
        self.nfeatures = nFeature
        self.dim = dim
        self.ndim = ndim

    def _rdim(self, nd):
        rdim = self.dim + (1 if self.ndim is not None and nd > self.ndim else 0)
        if rdim > nd:
            raise ValueError(f"{self._typename}: not enough input dimensions ({nd}) to "
                             f"replicate along dimension {self.dim}")
        return rdim

    def updateOutput(self, input):
        _check_tensor(self, input)
        a = input._arr()
        rdim = self._rdim(a.ndim if a.size else 0)
        e = np.expand_dims(a, rdim)
        shape = e.shape[:rdim] + (self.nfeatures,) + e.shape[rdim + 1:]
        strides = e.strides[:rdim] + (0,) + e.strides[rdim + 1:]
        self.output = input._view(_as_strided(e, shape, strides))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = input._arr()
        rdim = self._rdim(a.ndim)
        _check_grad(self, gradOutput, a.shape[:rdim] + (self.nfeatures,) + a.shape[rdim:])
        np.add.reduce(gradOutput._arr(), axis=rdim, out=_array(self, 'gradInput', input,
                                                               a.shape))
        return self.gradInput


class Padding(_Fields, Module):
    """Inserts |pad| entries of `value` along `dim` (0-based). pad < 0 pads before position
    `index` counted from the start (index 0: before the first element); pad > 0 pads after
    `index` elements counted from the end (index 0: after the last element). With nInputDim
    (dimensions of one sample), a batch input pads the same sample dimension."""

    nInputDim = None
    _indexFields = ('dim', 'index')
    _loadDefaults = {'value': 0, 'index': 1}
    _transient = ('outputSize',)

    def __init__(self, dim, pad, nInputDim=None, value=0, index=0):
        super().__init__()
        self.dim = dim
        self.pad = pad
        self.nInputDim = nInputDim
        self.value = value
        self.index = index

    def _layout(self, shape):
        """(dimension, split point in the input, |pad|, output shape)."""
        d = _resolve_dim(self, self.dim, shape, self.nInputDim)
        n = shape[d]
        if not 0 <= self.index <= n:
            raise IndexError(f"{self._typename}: index {self.index} is out of range for "
                             f"dimension {d} of size {n} (valid: 0 to {n})")
        split = n - self.index if self.pad > 0 else self.index
        pad = abs(self.pad)
        return d, split, pad, shape[:d] + (n + pad,) + shape[d + 1:]

    def updateOutput(self, input):
        _check_tensor(self, input)
        a = input._arr()
        d, split, pad, shape = self._layout(a.shape)
        out = _array(self, 'output', input, shape)
        lead = (slice(None),) * d
        out[lead + (slice(split, split + pad),)] = self.value
        out[lead + (slice(0, split),)] = a[lead + (slice(0, split),)]
        out[lead + (slice(split + pad, None),)] = a[lead + (slice(split, None),)]
        return self.output

    def updateGradInput(self, input, gradOutput):
        a = input._arr()
        d, split, pad, shape = self._layout(a.shape)
        _check_grad(self, gradOutput, shape)
        g = gradOutput._arr()
        gi = _array(self, 'gradInput', input, a.shape)
        lead = (slice(None),) * d
        gi[lead + (slice(0, split),)] = g[lead + (slice(0, split),)]
        gi[lead + (slice(split, None),)] = g[lead + (slice(split + pad, None),)]
        return self.gradInput

    def _torchFields(self):
        fields = super()._torchFields()
        fields['outputSize'] = torch.LongStorage()   # Torch7's resize buffer
        return fields
