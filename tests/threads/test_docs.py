"""The Python examples of docs/threads_and_data.md run as written."""
import pathlib
import re

DOC = pathlib.Path(__file__).resolve().parents[2] / 'docs' / 'threads_and_data.md'


def test_doc_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 2
    for code in blocks:
        exec(compile(code, str(DOC), 'exec'), {})
