"""Smoke test of the benchmark harness: `bench_tensor --quick` runs and prints every row.
No timing is asserted; only that the table and its JSON have the expected shape."""
import importlib.util
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:          # bench/ is not an installed package: import it from the tree
    sys.path.insert(0, REPO)


def _run_quick(tmp_path, *extra):
    out = tmp_path / 'rows.json'
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    p = subprocess.run([sys.executable, '-m', 'bench.bench_tensor', '--quick', '-q',
                        '--json', str(out), *extra],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout, json.loads(out.read_text())


def test_bench_tensor_quick_has_expected_rows(tmp_path):
    from bench import bench_tensor
    stdout, data = _run_quick(tmp_path)
    expected = [c.name for c in bench_tensor.cases(quick=True)]
    names = [r['name'] for r in data['rows']]
    assert names == expected
    for name in ['x + y', 'x.add(y)', 'x.mul(2)', 'x.view(2, 5)', 'm.select(0, 1)', 'x.sum()',
                 'mm n=256 float32', 'mm n=256 float64']:
        assert any(n.startswith(name) for n in names), name
        assert f'tensor: {name}' in stdout
    for row in data['rows']:
        assert row['suite'] == 'tensor'
        # numpy is always there and always measurable: a number, not n/a
        assert isinstance(row['values']['numpy'], float) and row['values']['numpy'] > 0
        assert 'numpy' in row['ratios']
    has_torch = importlib.util.find_spec('torch') is not None
    assert ('PyTorch' in stdout.splitlines()[0]) == has_torch
    assert 'OPENBLAS_CORETYPE' in data['environment']


def test_missing_framework_column_and_select(tmp_path):
    stdout, data = _run_quick(tmp_path, '--frameworks', 'torchlike,numpy', '-k', 'view')
    assert [r['name'] for r in data['rows']] == ['x.view(2, 5)']
    row = data['rows'][0]
    assert set(row['values']) == {'torchlike', 'numpy'}
    assert 'PyTorch' not in stdout.splitlines()[0]


def test_failing_statement_shows_na(tmp_path):
    """An op a framework lacks is n/a with its reason, not a crash."""
    from bench import harness
    case = harness.Case('missing op', {
        'torchlike': harness.Timeit('import torchlike as tl', 'tl.no_such_op_xyz()'),
        'numpy': harness.Timeit('import numpy as np', 'np.zeros(1)')},
        min_time=0.01, repeat=1)
    rows = harness.run_suite('t', [case], harness.Options(quick=True,
                                                          frameworks=('torchlike', 'numpy'),
                                                          verbose=False))
    (row,) = rows
    assert row.values['torchlike'] is None and row.values['numpy'] > 0
    assert row.ratios['numpy'] is None
    assert 'no_such_op_xyz' in row.errors['torchlike']
    table = harness.format_table(rows)
    assert 'n/a' in table and 'no_such_op_xyz' in table


def test_run_all_discovers_bench_modules():
    from bench import run_all
    assert 'bench.bench_tensor' in run_all.bench_modules()
