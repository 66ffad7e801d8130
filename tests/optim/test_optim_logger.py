"""optim.Logger: Torch7's file format, names, keyed rows, styles and plots."""
import os
import sys

import numpy as np
import pytest

import optim
import torchlike as torch


def test_set_names_and_rows_in_torch7_format(tmp_path):
    path = tmp_path / 'sub' / 'dir' / 'acc.log'          # the folders are created
    log = optim.Logger(str(path))
    log.setNames(['Training acc.', 'Test acc.'])
    log.add([70, 59.5])
    log.add([0.000123, -1234567.0])
    log.add([np.float32(1.5), torch.DoubleTensor([2.0])])
    log.add(['epoch 4', 3])
    text = path.read_text()                               # flushed line by line
    assert text == ('Training acc.\tTest acc.\t\n'
                    ' 7.0000e+01\t 5.9500e+01\t\n'
                    ' 1.2300e-04\t-1.2346e+06\t\n'
                    ' 1.5000e+00\t 2.0000e+00\t\n'
                    'epoch 4\t 3.0000e+00\t\n')
    assert log.symbols['Test acc.'] == [59.5, -1234567.0, 2.0, 3]
    log.close()


def test_keyed_rows_name_the_columns_on_first_add(tmp_path):
    path = tmp_path / 'loss.log'
    with optim.Logger(str(path)) as log:
        log.add({'train': 1.0, 'test': 2.0})
        log.add({'test': 4.0, 'train': 3.0})              # any order
        log.add({'train': 5.0})                           # a missing column is nan
        with pytest.raises(KeyError, match="unknown column.*'valid'.*the columns are"):
            log.add({'valid': 1.0})
    lines = path.read_text().splitlines()
    assert lines[0] == 'train\ttest\t'
    assert lines[2] == ' 3.0000e+00\t 4.0000e+00\t'
    assert lines[3] == ' 5.0000e+00\t        nan\t'


def test_positional_rows_without_names_get_index_names(tmp_path):
    path = tmp_path / 'x.log'
    log = optim.Logger(str(path))
    log.add([1, 2, 3])
    assert path.read_text().splitlines()[0] == '0\t1\t2\t'
    with pytest.raises(ValueError, match='got 2 values for 3 columns'):
        log.add([1, 2])
    with pytest.raises(TypeError, match='can only log numbers and strings'):
        log.add([1, 2, [3]])


def test_stdout_logger_and_timestamp(tmp_path, capsys):
    log = optim.Logger()
    log.setNames(['a'])
    log.add([1])
    out = capsys.readouterr().out
    assert 'no path provided' in out and 'a\t\n 1.0000e+00\t\n' in out
    assert log.plot() == []
    stamped = optim.Logger(str(tmp_path / 'run.log'), timestamp=True)
    assert os.path.basename(stamped.path).startswith('run.log-')
    assert os.path.exists(stamped.path)
    stamped.close()


def test_style_and_logscale_validation(tmp_path):
    log = optim.Logger(str(tmp_path / 'a.log'))
    log.setNames(['a', 'b'])
    assert log.style(['-', ['+', '~']]) is log
    assert log.styles == {'a': ['-'], 'b': ['+', '~']}
    log.style({'a': '|'})
    assert log.styles['a'] == ['|']
    with pytest.raises(TypeError, match='string or a list of strings'):
        log.style({'a': 3})
    log.setlogscale(True)
    assert log.logscale


def test_plot_writes_png_and_svg(tmp_path):
    pytest.importorskip('matplotlib')
    base = tmp_path / 'train.log'
    log = optim.Logger(str(base))
    log.setNames(['loss', 'acc', 'note'])
    for i in range(1, 8):
        log.add([1.0 / i, 0.1 * i, f'epoch {i}'])
    log.style(['+-', '~', '-'])
    log.setlogscale(True)
    seen = []
    log.plotRawCmd = lambda ax: seen.append(ax)
    paths = log.plot()
    assert paths == [f'{base}.png', f'{base}.svg']
    png = (tmp_path / 'train.log.png').read_bytes()
    assert png[:8] == b'\x89PNG\r\n\x1a\n'
    svg = (tmp_path / 'train.log.svg').read_text()
    assert '<svg' in svg and 'loss' in svg and 'acc' in svg
    assert len(seen) == 1
    for st in ('.', '+', '-', '|', 'r--'):
        log.style({'loss': st})
        assert log.plot('loss') == paths
    log.style({'loss': 'not a style'})
    with pytest.raises(ValueError, match='unknown plot style'):
        log.plot('loss')
    with pytest.raises(KeyError, match='unknown column'):
        log.plot('nope')


def test_plot_without_matplotlib_writes_an_svg_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, 'matplotlib', None)
    monkeypatch.setitem(sys.modules, 'matplotlib.figure', None)
    log = optim.Logger(str(tmp_path / 'a.log'))
    log.setNames(['a', 'b<c'])
    log.add([1, 5])
    log.add([2, 4])
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        paths = log.plot()
    assert paths == [str(tmp_path / 'a.log.svg')]
    svg = open(paths[0]).read()
    assert svg.startswith('<svg') and svg.count('<polyline') == 2
    assert 'b&lt;c' in svg and '&lt;Logger::' in svg        # names are escaped
    log.add([3, 3])                                   # logging goes on
    assert len(log.symbols['a']) == 3


def test_the_svg_writer_makes_well_formed_svg(tmp_path):
    import xml.etree.ElementTree as ET
    from optim.svg_plot import write_svg_plot
    path = tmp_path / 'curves.svg'
    write_svg_plot(str(path), [('train', [50, 60, 70]), ('test <x>', [40, 55, 52])],
                   title='accuracy', xlabel='epoch')
    root = ET.parse(path).getroot()
    lines = root.findall('{http://www.w3.org/2000/svg}polyline')
    assert len(lines) == 2 and len(lines[0].get('points').split()) == 3
    flat = [('same', [1.0, 1.0])]                      # a constant column still draws
    write_svg_plot(str(path), flat)
    assert ET.parse(path).getroot().find('{http://www.w3.org/2000/svg}polyline') is not None
