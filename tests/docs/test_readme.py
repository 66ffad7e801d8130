"""The README's Python session must run as written."""
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[2] / 'README.md'


def python_blocks(text):
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_readme_session_runs(capsys):
    blocks = python_blocks(README.read_text())
    assert blocks, "the README should show a Python session"
    for code in blocks:
        exec(compile(code, str(README), 'exec'), {})
    out = capsys.readouterr().out
    assert 'torch.Size([6])' in out and '[torch.DoubleTensor of size 2x3]' in out
