"""optim.ConfusionMatrix: count (target, prediction) pairs and report per-class, average,
intersection-over-union and global accuracy (Torch7's ConfusionMatrix.lua).

Class labels are 0-based (Torch7's were 1-based): valid classes are 0 .. nclasses-1, and a
negative target means "missing" and is skipped (Torch7 skipped targets <= 0). A target or a
prediction past the last class raises an error naming the value and the valid range.
`mat` is a LongTensor with rows = targets and columns = predictions.
"""
import math
import numbers

import numpy as np

import torchlike
from torchlike._core import TensorBase


def _as_array(v, what):
    if isinstance(v, TensorBase):
        return v._arr()
    if isinstance(v, (np.ndarray, list, tuple)):
        return np.asarray(v)
    raise TypeError(f"ConfusionMatrix: {what} must be a tensor, a numpy array or a list, "
                    f"got {type(v).__name__}")


def _labels(a, what):
    """Integer class labels from an array of numbers (floats must hold whole numbers)."""
    a = np.asarray(a)
    if a.dtype.kind == 'f':
        if not np.all(np.isfinite(a)) or np.any(a != np.floor(a)):
            bad = a[~np.isfinite(a) | (a != np.floor(a))][0]
            raise ValueError(f"ConfusionMatrix: {what} must be class indices (whole numbers), "
                             f"got {bad}")
    elif a.dtype.kind not in 'iub':
        raise TypeError(f"ConfusionMatrix: {what} must be numbers, got dtype {a.dtype}")
    return a.astype(np.int64)


class ConfusionMatrix:
    """`optim.ConfusionMatrix(nclasses[, classes])` or `optim.ConfusionMatrix(classes)` with
    `classes` a list of class names."""

    def __init__(self, nclasses, classes=None):
        if isinstance(nclasses, (list, tuple)):
            classes = list(nclasses)
            nclasses = len(classes)
        if not isinstance(nclasses, numbers.Integral) or isinstance(nclasses, bool) \
                or nclasses < 1:
            raise ValueError(f"ConfusionMatrix: nclasses must be a positive integer, "
                             f"got {nclasses!r}")
        nclasses = int(nclasses)
        if classes is not None and len(classes) != nclasses:
            raise ValueError(f"ConfusionMatrix: {len(classes)} class names for {nclasses} "
                             f"classes")
        self.nclasses = nclasses
        self.classes = list(classes) if classes is not None else []
        self.mat = torchlike.LongTensor(nclasses, nclasses)
        self.valids = torchlike.FloatTensor(nclasses)
        self.unionvalids = torchlike.FloatTensor(nclasses)
        self.totalValid = 0.0
        self.averageValid = 0.0
        self.averageUnionValid = 0.0

    # -- counting -------------------------------------------------------------------------------
    def _check(self, value, what):
        if not 0 <= value < self.nclasses:
            raise ValueError(f"ConfusionMatrix: {what} {value} is out of range: valid classes "
                             f"are 0 to {self.nclasses - 1}"
                             + (" (negative targets are skipped as missing)"
                                if what == 'target' else ""))

    def _index(self, v, what):
        """A class index from a number, or the argmax of a score / one-hot vector."""
        if isinstance(v, numbers.Real) and not isinstance(v, bool):
            if v != math.floor(v):
                raise ValueError(f"ConfusionMatrix: {what} must be a class index (a whole "
                                 f"number) or a vector of scores, got {v}")
            return int(v)
        a = _as_array(v, what)
        if a.size == 1 and a.ndim <= 1 and self.nclasses > 1:
            return int(_labels(a.reshape(-1), what)[0])
        if a.ndim != 1:
            raise ValueError(f"ConfusionMatrix: a {what} vector must be 1-D, got shape "
                             f"{a.shape}")
        if a.shape[0] != self.nclasses:
            raise ValueError(f"ConfusionMatrix: a {what} vector of scores needs one value per "
                             f"class ({self.nclasses}), got {a.shape[0]}")
        return int(np.argmax(a))

    def add(self, prediction, target):
        """Count one sample. prediction: a class index or a vector of class scores (its argmax
        is taken); target: a class index or a one-hot / score vector. Negative targets are
        skipped."""
        p = self._index(prediction, 'prediction')
        t = self._index(target, 'target')
        if t < 0:
            return
        self._check(t, 'target')
        self._check(p, 'prediction')
        self.mat._arr()[t, p] += 1

    def _batch_labels(self, v, what):
        a = _as_array(v, what)
        if a.ndim == 1:
            return _labels(a, what)
        if a.ndim == 2:
            if a.shape[1] == 1:
                return _labels(a[:, 0], what)
            if a.shape[1] != self.nclasses:
                raise ValueError(f"ConfusionMatrix.batchAdd: {what} of size {a.shape[0]} x "
                                 f"{a.shape[1]} should have one column per class "
                                 f"({self.nclasses})")
            return np.argmax(a, axis=1).astype(np.int64)
        raise ValueError(f"ConfusionMatrix.batchAdd: {what} must be 1-D (class indices) or 2-D "
                         f"(one row of scores per sample), got {a.ndim}-D")

    def batchAdd(self, predictions, targets):
        """Count a batch: predictions as N class indices or an N x nclasses score matrix;
        targets as N class indices or an N x nclasses one-hot matrix."""
        p = self._batch_labels(predictions, 'predictions')
        t = self._batch_labels(targets, 'targets')
        if p.shape[0] != t.shape[0]:
            raise ValueError(f"ConfusionMatrix.batchAdd: {p.shape[0]} predictions for "
                             f"{t.shape[0]} targets")
        keep = t >= 0
        p, t = p[keep], t[keep]
        if t.size:
            if t.max() >= self.nclasses:
                self._check(int(t.max()), 'target')
            if p.min() < 0 or p.max() >= self.nclasses:
                self._check(int(p.min() if p.min() < 0 else p.max()), 'prediction')
            n = self.nclasses
            counts = np.bincount(t * n + p, minlength=n * n)
            self.mat._arr().reshape(-1)[:] += counts

    def zero(self):
        self.mat.zero()
        self.valids.zero()
        self.unionvalids.zero()
        self.totalValid = 0.0
        self.averageValid = 0.0
        self.averageUnionValid = 0.0

    # -- statistics -----------------------------------------------------------------------------
    def updateValids(self):
        """valids[c] = mat[c,c]/row sum (per-class accuracy), unionvalids[c] = mat[c,c]/(row +
        column - mat[c,c]) (IoU), totalValid = trace/total (global accuracy), averageValid and
        averageUnionValid = means over the classes whose value is defined (not nan)."""
        m = self.mat._arr().astype(np.float64)
        diag = np.diagonal(m)
        rows, cols = m.sum(1), m.sum(0)
        with np.errstate(invalid='ignore', divide='ignore'):
            valids = (diag / rows).astype(np.float32)
            union = (diag / (rows + cols - diag)).astype(np.float32)
            total = m.sum()
            self.totalValid = float(diag.sum() / total) if total else math.nan
        self.valids._arr()[:] = valids
        self.unionvalids._arr()[:] = union
        ok = ~np.isnan(valids)
        self.averageValid = float(valids[ok].astype(np.float64).sum() / ok.sum()) \
            if ok.any() else math.nan
        ok_u = ok & ~np.isnan(union)
        self.averageUnionValid = float(union[ok_u].astype(np.float64).sum() / ok_u.sum()) \
            if ok_u.any() else math.nan

    def farFrr(self):
        """False rejection and false acceptance rates per class (Torch7's farFrr): returns
        (classFrrs, classFars, frrs, fars); per-class values are -1 for classes without samples,
        and frrs/fars list only the classes that have samples."""
        m = self.mat._arr().astype(np.float64)
        n = self.nclasses
        count = m.sum(1)
        class_frr = np.full(n, -1.0)
        class_far = np.full(n, -1.0)
        frrs, fars = [], []
        for i in range(n):
            if count[i] == 0:
                continue
            class_frr[i] = 1 - m[i, i] / count[i]
            others = [j for j in range(n) if j != i and count[j] != 0]
            far = (sum(m[j, i] / count[j] for j in others) / len(others)) if others else math.nan
            class_far[i] = far
            frrs.append(class_frr[i])
            fars.append(far)
        D = torchlike.DoubleTensor
        return (D(class_frr.tolist()), D(class_far.tolist()),
                D(frrs) if frrs else D(), D(fars) if fars else D())

    def render(self, sortmode='score', display=False, block=25, legendwidth=200):
        """The row-normalised matrix as an image (a DoubleTensor of nclasses*block squared
        pixels, values in [0, 1], grid lines at 0.1), classes sorted by per-class accuracy
        ('score') or by frequency ('occurrence'). Torch7 also drew a text legend with Qt; here
        `display` and `legendwidth` are accepted for compatibility and ignored."""
        if sortmode not in ('score', 'occurrence'):
            raise ValueError("ConfusionMatrix.render: sort mode must be one of: score | occurrence")
        m = self.mat._arr().astype(np.float64)
        freqs = m.sum(1)
        norm = m / np.maximum(freqs, 1)[:, None]
        key = np.diagonal(norm) if sortmode == 'score' else freqs
        order = np.argsort(-key, kind='stable')
        norm = norm[np.ix_(order, order)]
        img = np.kron(norm, np.ones((block, block)))
        img[block - 1::block, :] = 0.1
        img[:, block - 1::block] = 0.1
        return torchlike.DoubleTensor(img)

    # -- printing -------------------------------------------------------------------------------
    def __str__(self):
        self.updateValids()
        m = self.mat._arr()
        n = self.nclasses
        max_cnt = int(m.max()) if m.size else 0
        width = max(8, 1 + math.ceil(math.log10(max_cnt))) if max_cnt > 0 else 8
        out = ['ConfusionMatrix:\n[']
        for t in range(n):
            pclass = '%2.3f' % (float(self.valids._arr()[t]) * 100)
            out.append('[' if t == 0 else ' [')
            out.append(''.join('%*d' % (width, v) for v in m[t].tolist()))
            close = ']]  ' if t == n - 1 else ']   '
            if self.classes:
                out.append(f'{close}{pclass}% \t[class: {self.classes[t]}]\n')
            else:
                out.append(f'{close}{pclass}% \n')
        out.append(f' + average row correct: {_lua_number(self.averageValid * 100)}% \n')
        out.append(f' + average rowUcol correct (VOC measure): '
                   f'{_lua_number(self.averageUnionValid * 100)}% \n')
        out.append(f' + global correct: {_lua_number(self.totalValid * 100)}%')
        return ''.join(out)

    __repr__ = __str__


def _lua_number(v):
    """A number as Lua's tostring wrote it ('%.14g')."""
    return '%.14g' % v
