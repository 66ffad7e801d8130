"""The Python blocks of docs/optim.md run as written."""
import pathlib
import re
import warnings

import numpy as np

DOC = pathlib.Path(__file__).resolve().parents[2] / 'docs' / 'optim.md'


def test_doc_blocks_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) == 3
    scope = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for code in blocks:
            exec(compile(code, str(DOC), 'exec'), scope)
    np.testing.assert_allclose(scope['x'].numpy(), [1.0, 1.0], atol=1e-2)
    out = capsys.readouterr().out
    assert '3000' in out and ' 1.0000e+00\t 1.3000e+00\t' in out
    assert 'ConfusionMatrix:' in out and '[class: bird]' in out
