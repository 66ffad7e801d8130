"""Torch7's text format for tensors and storages (Tensor.lua's __tostring__), with 0-based
indices in the `(i,j,.,.)` slice headers and `Columns a to b` blocks.

Every value is converted to double and one number format is chosen from all of them:
  - all integral: `%Nd` with N = digits of max|x| + 1 (`%11.4e` when max|x| >= 1e9);
  - else if the decimal exponents of min|x| and max|x| differ by more than 4: `%11.4e`;
  - else if max|x| >= 1e5 or < 0.1: a common scale 10^(expMax-1) printed first (`0.001 *`)
    and the values divided by it as `%7.4f`;
  - else `%(expMax+6).4f` (expMax = floor(log10 max|x|) + 1, at least width 7).
Torchlike departs from Torch7 only where NaN/inf are present: the format is chosen from the
finite values and the non-finite ones are right-aligned in the same width (Torch7 fell back
to an unaligned `%f` for NaN and to `%e` for inf). See docs/printing_and_utilities.md.

Formatting is vectorised per row: one `%` operation formats a whole row, so a 1000x1000
tensor prints in a fraction of a second.
"""
import itertools
import math

import numpy as np

LINE_WIDTH = 80          # Torch7 splits matrices wider than this into column blocks
_NONFINITE_WIDTH = {'nan': 3, 'inf': 3, '-inf': 4}


def _exponent(x):
    """Torch7's decimal exponent of a non-negative number: floor(log10 x) + 1, 1 for zero."""
    return math.floor(math.log10(x)) + 1 if x != 0 else 1


def _choose_format(values):
    """(format, scale or None, field width) for a 1-D float64 array, following Tensor.lua's
    Storage__printformat; values that are NaN or +-inf do not take part in the choice."""
    finite_mask = np.isfinite(values)
    all_finite = bool(finite_mask.all())
    finite = values if all_finite else values[finite_mask]
    if finite.size:
        int_mode = bool(np.all(finite == np.floor(finite)))
        mags = np.abs(finite)
        exp_min, exp_max = _exponent(float(mags.min())), _exponent(float(mags.max()))
    else:
        int_mode, exp_min, exp_max = True, 1, 1

    scale = None
    if int_mode:
        if exp_max > 9:
            fmt, width = '%{}.4e', 11
        else:
            # '%.0f' prints integral doubles exactly like '%d' and also copes with nan/inf
            fmt, width = '%{}.0f', exp_max + 1
    elif exp_max - exp_min > 4:
        fmt, width = '%{}.4e', 11
        if abs(exp_max) > 99 or abs(exp_min) > 99:
            width = 12
    elif exp_max > 5 or exp_max < 0:
        fmt, width = '%{}.4f', 7
        scale = 10.0 ** (exp_max - 1)
    else:
        fmt, width = '%{}.4f', 7 if exp_max == 0 else exp_max + 6

    if not all_finite:
        # widen the field so that 'nan', 'inf' or '-inf' stays aligned with the numbers
        odd = values[~finite_mask]
        need = 4 if np.any(odd == -np.inf) else 3
        width = max(width, need)
    return fmt.format(width), scale, width


def _prepare(values, fmt, scale):
    """Values as a Python list ready for `%`: divided by the scale, -0 shown as 0 in the
    integer format (C's %d has no negative zero)."""
    if scale is not None:
        values = values / scale
    elif fmt.endswith('.0f'):
        values = values + 0.0
    return values


def _format_column(values, fmt, scale):
    """A 1-D array as Torch7 prints a vector or a storage: the scale line, then one value
    per line, each line ending in a newline."""
    out = []
    if scale is not None:
        out.append('%g *\n' % scale)
    if values.size:
        vals = _prepare(values, fmt, scale).tolist()
        out.append('\n'.join([fmt] * len(vals)) % tuple(vals))
        out.append('\n')
    return ''.join(out)


def _format_matrix(matrix, fmt, scale, width, indent=''):
    """A 2-D array in Tensor.lua's layout (Tensor__printMatrix): blocks of at most
    (80 - len(indent)) // (width + 1) columns headed `Columns a to b` (0-based, inclusive)
    when the matrix is wider than that, the scale line at the top of each block."""
    nrows, ncols = matrix.shape
    per_line = max(1, (LINE_WIDTH - len(indent)) // (width + 1))
    vals = _prepare(matrix, fmt, scale)
    row_sep = '\n' + indent + (' ' if scale is not None else '')
    out = [indent]
    first = 0
    while first < ncols:
        last = min(first + per_line, ncols)          # exclusive
        if per_line < ncols:
            if first != 0:
                out.append('\n')
            out.append('Columns %d to %d\n%s' % (first, last - 1, indent))
        if scale is not None:
            out.append('%g *\n %s' % (scale, indent))
        row_fmt = ' '.join([fmt] * (last - first))
        block = vals[:, first:last].tolist()
        out.append(row_sep.join([row_fmt % tuple(row) for row in block]))
        out.append('\n')
        first = last
    return ''.join(out)


def _format_slices(array, fmt, scale, width):
    """An N-D array (N > 2) as 2-D slices headed `(i,j,.,.) = `. As in Torch7, the FIRST
    leading index varies fastest: (0,0), (1,0), (0,1), (1,1), ..."""
    lead = array.shape[:-2]
    out = []
    for rev in itertools.product(*[range(s) for s in reversed(lead)]):
        index = rev[::-1]
        if out:
            out.append('\n')
        out.append('(' + ''.join('%d,' % i for i in index) + '.,.) = \n')
        out.append(_format_matrix(array[index], fmt, scale, width, ' '))
    return ''.join(out)


def format_tensor(t):
    """The text of `print(t)` in Torch7 (without Lua's final newline)."""
    arr = t._arr()
    name = t._typename
    if arr.size == 0:
        return '[%s with no dimension]' % name
    values = np.asarray(arr, dtype=np.float64)
    fmt, scale, width = _choose_format(values.reshape(-1))
    if values.ndim == 1:
        body = _format_column(values, fmt, scale)
    elif values.ndim == 2:
        body = _format_matrix(values, fmt, scale, width)
    else:
        body = _format_slices(values, fmt, scale, width)
    return '%s[%s of size %s]' % (body, name, 'x'.join(map(str, values.shape)))


def format_storage(s):
    """The text of `print(storage)` in Torch7: a column of values, then the type and size."""
    values = np.asarray(s._data, dtype=np.float64)
    body = ''
    if values.size:
        fmt, scale, _ = _choose_format(values)
        body = _format_column(values, fmt, scale)
    return '%s[%s of size %d]' % (body, s._typename, values.size)
