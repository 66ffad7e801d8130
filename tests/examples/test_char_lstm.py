"""The nngraph char-LSTM example runs on a tiny slice of its text: the loss falls and it samples
text at the end."""
import importlib.util
import math
import pathlib
import re

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / 'examples' / 'char_lstm.py'


def _load():
    spec = importlib.util.spec_from_file_location('char_lstm', EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_char_lstm_learns_and_samples(capsys):
    loss = _load().main(['-chars', '1500', '-hidden', '16', '-seqLength', '5', '-batchSize',
                         '16', '-iterations', '40', '-printEvery', '1', '-sample', '30',
                         '-learningRate', '0.02'])
    out = capsys.readouterr().out
    losses = [float(v) for v in re.findall(r'iteration \d+/\d+  loss (\d+\.\d+)', out)]
    assert len(losses) == 40
    assert math.isfinite(loss) and abs(loss - losses[-1]) < 1e-4
    assert sum(losses[-5:]) / 5 < losses[0] - 0.5           # visibly falling
    sample = out.split('sample:\n', 1)[1]
    assert len(sample.rstrip('\n')) >= 31                   # the first character + 30 sampled
    assert 'vocabulary' in out and 'clones of the step' in out


def test_char_lstm_reads_a_given_text(tmp_path, capsys):
    text = tmp_path / 'abc.txt'
    text.write_text('abcabcabcabc' * 20)
    _load().main(['-text', str(text), '-hidden', '8', '-seqLength', '4', '-batchSize', '4',
                  '-iterations', '3', '-printEvery', '1', '-sample', '5'])
    out = capsys.readouterr().out
    assert 'vocabulary 3' in out and f'of {text}' in out
