"""Torch7 text format of tensors and storages. The expected strings were worked out by hand
from Tensor.lua's rules (see torchlike/printing.py's docstring), not pasted from the output."""
import math
import re

import numpy as np
from hypothesis import given, settings, strategies as st

import torchlike as torch
from torchlike.printing import format_storage, format_tensor

nan, inf = float('nan'), float('inf')


def D(data):
    return torch.DoubleTensor(data)


# -- number formats ------------------------------------------------------------------------
def test_integral_vector_width_is_digits_plus_one():
    assert str(D([1, 2, 3])) == ' 1\n 2\n 3\n[torch.DoubleTensor of size 3]'


def test_negative_integers_fit_in_the_extra_column():
    assert str(D([-10, 5, 0])) == '-10\n  5\n  0\n[torch.DoubleTensor of size 3]'


def test_plain_fixed_point_width_is_expmax_plus_six():
    # max 10.125 -> expMax 2 -> %8.4f
    assert str(D([1.5, -2.25, 10.125])) == \
        '  1.5000\n -2.2500\n 10.1250\n[torch.DoubleTensor of size 3]'


def test_expmax_zero_uses_width_seven():
    assert str(D([0.5, 0.25])) == ' 0.5000\n 0.2500\n[torch.DoubleTensor of size 2]'


def test_small_values_get_a_scale_line():
    # max 0.002 -> expMax -2 -> scale 10^-3
    assert str(D([0.001, 0.002, -0.0005])) == \
        '0.001 *\n 1.0000\n 2.0000\n-0.5000\n[torch.DoubleTensor of size 3]'


def test_large_values_get_a_scale_line():
    # max 200000.5 -> expMax 6 -> scale 10^5, printed with %g
    assert str(D([123456.0, 200000.5])) == \
        '100000 *\n 1.2346\n 2.0000\n[torch.DoubleTensor of size 2]'


def test_wide_exponent_spread_uses_scientific():
    # expMin -4, expMax 3: spread 7 > 4
    assert str(D([1e-5, 1.0, 100.5])) == \
        ' 1.0000e-05\n 1.0000e+00\n 1.0050e+02\n[torch.DoubleTensor of size 3]'


def test_three_digit_exponents_widen_scientific_format():
    assert str(D([1e-120, 1.5])) == \
        ' 1.0000e-120\n  1.5000e+00\n[torch.DoubleTensor of size 2]'


def test_huge_integers_use_scientific():
    # integral but max >= 1e9
    assert str(D([1e9, 1])) == ' 1.0000e+09\n 1.0000e+00\n[torch.DoubleTensor of size 2]'


def test_all_zero():
    assert str(torch.DoubleTensor(2, 2)) == ' 0  0\n 0  0\n[torch.DoubleTensor of size 2x2]'


def test_negative_zero_prints_as_zero_in_integer_format():
    assert str(D([-0.0, 1])) == ' 0\n 1\n[torch.DoubleTensor of size 2]'


def test_float_tensor_is_printed_through_double():
    assert str(torch.FloatTensor([0.1, 0.2])) == ' 0.1000\n 0.2000\n[torch.FloatTensor of size 2]'


# -- integer types -------------------------------------------------------------------------
def test_int_tensor_matrix():
    assert str(torch.IntTensor([[-3, 100]])) == '  -3  100\n[torch.IntTensor of size 1x2]'


def test_byte_tensor():
    assert str(torch.ByteTensor([0, 255, 7])) == '   0\n 255\n   7\n[torch.ByteTensor of size 3]'


def test_long_and_char_tensors():
    assert str(torch.LongTensor([7, -8])) == ' 7\n-8\n[torch.LongTensor of size 2]'
    assert str(torch.CharTensor([[1, -2]])) == ' 1 -2\n[torch.CharTensor of size 1x2]'


# -- NaN and inf ---------------------------------------------------------------------------
def test_nan_and_inf_are_aligned_with_the_finite_format():
    assert str(torch.FloatTensor([1.5, nan, -inf])) == \
        ' 1.5000\n    nan\n   -inf\n[torch.FloatTensor of size 3]'


def test_inf_among_integers_widens_the_field():
    assert str(D([1, 2, inf])) == '  1\n  2\ninf\n[torch.DoubleTensor of size 3]'


def test_matrix_with_nan():
    assert str(D([[1, nan], [-inf, 2.5]])) == \
        ' 1.0000     nan\n   -inf  2.5000\n[torch.DoubleTensor of size 2x2]'


def test_all_nan():
    assert str(D([nan, nan])) == 'nan\nnan\n[torch.DoubleTensor of size 2]'


# -- matrices ------------------------------------------------------------------------------
def test_matrix():
    assert str(D([[1, 2, 3], [4, 5, 6]])) == ' 1  2  3\n 4  5  6\n[torch.DoubleTensor of size 2x3]'


def test_matrix_with_scale_indents_rows_by_one():
    assert str(D([[0.01, 0.02], [0.03, 0.04]])) == \
        '0.01 *\n  1.0000  2.0000\n  3.0000  4.0000\n[torch.DoubleTensor of size 2x2]'


def test_wide_matrix_is_split_into_0_based_column_blocks():
    # %3d -> 80 // 4 = 20 columns per block
    t = torch.DoubleTensor(np.arange(25.0).reshape(1, 25))
    expected = ('Columns 0 to 19\n'
                '  0   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18  19\n'
                '\n'
                'Columns 20 to 24\n'
                ' 20  21  22  23  24\n'
                '[torch.DoubleTensor of size 1x25]')
    assert str(t) == expected


def test_column_blocks_repeat_the_scale_line():
    # 0.05 -> expMax -1 -> scale 0.01, %7.4f -> 80 // 8 = 10 columns per block
    t = torch.DoubleTensor(np.full((1, 11), 0.05))
    row = '  5.0000' * 10
    expected = ('Columns 0 to 9\n0.01 *\n' + row + '\n\n'
                'Columns 10 to 10\n0.01 *\n  5.0000\n'
                '[torch.DoubleTensor of size 1x11]')
    assert str(t) == expected


def test_non_contiguous_transpose_and_narrow():
    x = D([[1, 2], [3, 4]])
    assert str(x.t()) == ' 1  3\n 2  4\n[torch.DoubleTensor of size 2x2]'
    col = D([[1, 2, 3], [4, 5, 6]]).narrow(1, 1, 1)
    assert not col.isContiguous()
    assert str(col) == ' 2\n 5\n[torch.DoubleTensor of size 2x1]'
    assert str(D([[1, 2, 3], [4, 5, 6]]).select(1, 2)) == ' 3\n 6\n[torch.DoubleTensor of size 2]'


def test_expanded_stride_zero_tensor():
    t = D([[5], [7]]).expand(2, 3)
    assert t.stride(1) == 0
    assert str(t) == ' 5  5  5\n 7  7  7\n[torch.DoubleTensor of size 2x3]'


# -- N-D -----------------------------------------------------------------------------------
def test_3d_slices_have_0_based_headers_and_one_space_indent():
    t = D(np.arange(8.0).reshape(2, 2, 2))
    assert str(t) == ('(0,.,.) = \n  0  1\n  2  3\n\n'
                      '(1,.,.) = \n  4  5\n  6  7\n'
                      '[torch.DoubleTensor of size 2x2x2]')


def test_4d_slices_vary_the_first_index_fastest_like_torch7():
    t = D(np.arange(4.0).reshape(2, 2, 1, 1))
    assert str(t) == ('(0,0,.,.) = \n  0\n\n'
                      '(1,0,.,.) = \n  2\n\n'
                      '(0,1,.,.) = \n  1\n\n'
                      '(1,1,.,.) = \n  3\n'
                      '[torch.DoubleTensor of size 2x2x1x1]')


def test_nd_format_is_chosen_from_all_slices():
    # the 100 in the second slice widens the first slice's format too
    t = D([[[1, 2]], [[3, 100]]])
    assert str(t) == ('(0,.,.) = \n    1    2\n\n'
                      '(1,.,.) = \n    3  100\n'
                      '[torch.DoubleTensor of size 2x1x2]')


def test_nd_with_scale():
    t = D([[[0.01, 0.02]], [[0.03, 0.04]]])
    assert str(t) == ('(0,.,.) = \n 0.01 *\n   1.0000  2.0000\n\n'
                      '(1,.,.) = \n 0.01 *\n   3.0000  4.0000\n'
                      '[torch.DoubleTensor of size 2x1x2]')


def test_nd_wide_slice_columns_follow_torch7_layout():
    # indent ' ' -> (80 - 1) // 4 = 19 columns per block; only the first header is indented
    t = D(np.arange(21.0).reshape(1, 1, 21))
    expected = ('(0,.,.) = \n'
                ' Columns 0 to 18\n'
                '   0   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18\n'
                '\n'
                'Columns 19 to 20\n'
                '  19  20\n'
                '[torch.DoubleTensor of size 1x1x21]')
    assert str(t) == expected


# -- empty and storages ----------------------------------------------------------------------
def test_empty_tensor():
    assert str(torch.DoubleTensor()) == '[torch.DoubleTensor with no dimension]'
    assert str(torch.IntTensor()) == '[torch.IntTensor with no dimension]'
    assert repr(torch.FloatTensor()) == '[torch.FloatTensor with no dimension]'


def test_storage():
    assert str(torch.DoubleStorage([1.5, 2])) == ' 1.5000\n 2.0000\n[torch.DoubleStorage of size 2]'
    assert str(torch.DoubleStorage(3)) == ' 0\n 0\n 0\n[torch.DoubleStorage of size 3]'
    assert str(torch.DoubleStorage(0)) == '[torch.DoubleStorage of size 0]'
    assert str(torch.ByteStorage([3, 20])) == '  3\n 20\n[torch.ByteStorage of size 2]'
    assert format_storage(torch.FloatStorage([0.001, 0.002])) == \
        '0.001 *\n 1.0000\n 2.0000\n[torch.FloatStorage of size 2]'


def test_storage_prints_all_its_values_not_a_view():
    x = D([[1, 2], [30, 4]])
    v = x.select(0, 0)
    assert str(v) == ' 1\n 2\n[torch.DoubleTensor of size 2]'   # format from the view only
    assert str(v.storage()) == '  1\n  2\n 30\n  4\n[torch.DoubleStorage of size 4]'


def test_printing_does_not_change_the_tensor():
    x = D([[-0.0, 1.5], [nan, 3]])
    before = x.numpy().copy()
    format_tensor(x)
    np.testing.assert_array_equal(x.numpy(), before)
    assert math.copysign(1, x.numpy()[0, 0]) == -1


# -- large tensors and a property test -------------------------------------------------------
def test_large_matrix_prints():
    rng = np.random.default_rng(0)
    a = 1.0 + rng.random((1000, 1000))             # in [1, 2): %7.4f, 10 columns per block
    text = str(torch.DoubleTensor(a))
    lines = text.split('\n')
    assert lines[-1] == '[torch.DoubleTensor of size 1000x1000]'
    assert lines[0] == 'Columns 0 to 9'
    assert lines[1] == ' '.join('%7.4f' % v for v in a[0, :10])
    assert lines.count('Columns 990 to 999') == 1
    assert len(lines) == 100 * 1000 + 100 + 99 + 1


def _parse_matrix(text, shape):
    """Rebuild a matrix from its printed form (blocks, scale lines) independently; also
    returns the scale and whether scientific notation was used."""
    body = text.split('\n')[:-1]
    out = np.empty(shape)
    col0, scale, r, scientific = 0, 1.0, 0, False
    for line in body:
        if line.startswith('Columns'):
            col0 = int(re.match(r'Columns (\d+) to \d+', line).group(1))
            r = 0
        elif line.endswith(' *'):
            scale = float(line[:-2])
        elif line:
            tokens = line.split()
            scientific = scientific or 'e' in line
            out[r, col0:col0 + len(tokens)] = np.array([float(v) for v in tokens]) * scale
            r += 1
    return out, scale, scientific


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 30),
       st.sampled_from([1e-7, 1e-3, 0.5, 1.0, 37.0, 1e4, 1e6, 1e12]), st.booleans(),
       st.integers(0, 2**31 - 1))
def test_printed_matrix_reads_back(rows, cols, magnitude, integral, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((rows, cols)) * magnitude
    if integral:
        a = np.round(a)
    text = str(torch.DoubleTensor(a))
    assert text.endswith('[torch.DoubleTensor of size %dx%d]' % (rows, cols))
    assert all(len(line) <= 80 for line in text.split('\n'))
    back, scale, scientific = _parse_matrix(text, a.shape)
    if scientific:          # 5 significant digits
        tol = 0.5e-4 * np.abs(a) * (1 + 1e-9)
    elif integral:
        tol = 0.0
    else:                   # 4 decimals of the scaled value
        tol = 0.5e-4 * scale * (1 + 1e-9) + 1e-12 * np.abs(a)
    assert np.all(np.abs(back - a) <= tol)
