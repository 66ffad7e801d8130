"""Runs every check of harness.py over every spec of every tests/nn/specs_*.py file."""
import importlib
import pathlib
import re

import numpy as np
import pytest

import nn
import torchlike as torch

HERE = pathlib.Path(__file__).parent
_modules = [importlib.import_module(p.stem) for p in sorted(HERE.glob('specs_*.py'))]
SPECS = [s for m in _modules for s in getattr(m, 'SPECS', [])]
CRITERIA = [s for m in _modules for s in getattr(m, 'CRITERIA', [])]


def _ids(specs):
    return [s.id for s in specs]


def _inputs(spec):
    out = []
    if spec.input is not None:
        out.append(('single', spec.input))
    if spec.batch_input is not None:
        out.append(('batch', spec.batch_input))
    return out


def _values(x):
    if torch.isTensor(x):
        return x.numpy().astype(np.float64).ravel()
    return np.concatenate([_values(v) for v in x]) if x else np.zeros(0)


def _to_float(x):
    if torch.isTensor(x):
        return x.float() if x._typename == 'torch.DoubleTensor' else x.clone()
    return [_to_float(v) for v in x]


def _present_params(module, spec):
    return [(p, g) for p, g in spec.params
            if torch.isTensor(getattr(module, p, None)) and getattr(module, p).nElement()]


@pytest.fixture(autouse=True)
def _seeded():
    torch.manualSeed(1234)
    np.random.seed(1234)


@pytest.mark.parametrize('spec', SPECS, ids=_ids(SPECS))
@pytest.mark.parametrize('mode', ['train', 'eval'])
def test_gradients(spec, mode):
    if not spec.jacobian or mode not in spec.modes:
        pytest.skip('stochastic module or mode not checked by finite differences')
    for kind, make_input in _inputs(spec):
        module = spec.make()
        module.training() if mode == 'train' else module.evaluate()
        err = nn.Jacobian.testJacobian(module, make_input(), *spec.input_range)
        assert err < spec.precision, f"{kind} input: d output / d input off by {err}"
        for p, g in _present_params(module, spec):
            err = nn.Jacobian.testJacobianParameters(module, make_input(), getattr(module, p),
                                                     getattr(module, g), *spec.input_range)
            assert err < spec.precision, f"{kind} input: d output / d {p} off by {err}"


@pytest.mark.parametrize('spec', SPECS, ids=_ids(SPECS))
def test_updates(spec):
    if not spec.jacobian:
        pytest.skip('stochastic module')
    module = spec.make()
    params = _present_params(module, spec)
    if not params:
        pytest.skip('no parameters')
    make_input = spec.batch_input or spec.input
    for p, g in params:
        errors = nn.Jacobian.testAllUpdate(spec.make(), make_input(), p, g)
        for name, err in errors.items():
            assert err < spec.precision, f"{p}: {name} off by {err}"


@pytest.mark.parametrize('spec', SPECS, ids=_ids(SPECS))
def test_save_load_round_trip(spec):
    make_input = spec.batch_input or spec.input
    module = spec.make()
    if not spec.jacobian:
        module.evaluate()   # deterministic forward
    out_err, grad_err = nn.Jacobian.testIO(module, make_input(), *spec.input_range)
    assert out_err == 0 and grad_err == 0


@pytest.mark.parametrize('spec', [s for s in SPECS if s.printed], ids=_ids([s for s in SPECS
                                                                            if s.printed]))
def test_printing(spec):
    text = str(spec.make())
    if spec.printed.endswith('('):
        assert text.startswith(spec.printed)
    else:
        assert text == spec.printed


@pytest.mark.parametrize('spec', SPECS, ids=_ids(SPECS))
def test_float_matches_double(spec):
    make_input = spec.batch_input or spec.input
    module = spec.make().evaluate()
    x = make_input()
    expected = _values(module.forward(x)).copy()
    got = _values(module.float().forward(_to_float(x)))
    scale = max(1.0, np.abs(expected).max(initial=0))
    assert np.abs(got - expected).max(initial=0) <= spec.float_tolerance * scale


@pytest.mark.parametrize('spec', [s for s in SPECS if s.batch_input and s.input and
                                  s.batch_matches_single],
                         ids=_ids([s for s in SPECS if s.batch_input and s.input and
                                   s.batch_matches_single]))
def test_batch_matches_single_samples(spec):
    module = spec.make().evaluate()
    batch = spec.batch_input()
    out = module.forward(batch).clone()
    for i in range(batch.size(0)):
        single = module.forward(batch.select(0, i).clone())
        np.testing.assert_allclose(_values(single), _values(out.select(0, i)), rtol=1e-10,
                                   atol=1e-12)


_BAD = [(s, i) for s in SPECS for i in range(len(s.bad_inputs))]


@pytest.mark.parametrize('spec,i', _BAD, ids=[f'{s.id}-{i}' for s, i in _BAD])
def test_bad_input(spec, i):
    make_bad, exc, pattern = spec.bad_inputs[i]
    module = spec.make().evaluate()
    good = (spec.batch_input or spec.input)()
    before = _values(module.forward(good)).copy()
    with pytest.raises(exc, match=pattern):
        module.forward(make_bad())
    np.testing.assert_array_equal(_values(module.forward(good)), before)


# -- criterions ----------------------------------------------------------------------------
@pytest.mark.parametrize('spec', CRITERIA, ids=_ids(CRITERIA))
def test_criterion_gradient(spec):
    crit = spec.make()
    err = nn.Jacobian.testCriterionJacobian(crit, spec.input(), spec.target())
    assert err < spec.precision


@pytest.mark.parametrize('spec', [s for s in CRITERIA if s.reference],
                         ids=_ids([s for s in CRITERIA if s.reference]))
def test_criterion_matches_formula(spec):
    x, t = spec.input(), spec.target()
    assert spec.make().forward(x, t) == pytest.approx(spec.reference(x, t), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize('spec', CRITERIA, ids=_ids(CRITERIA))
def test_criterion_float_and_round_trip(spec):
    x, t = spec.input(), spec.target()
    crit = spec.make()
    loss = crit.forward(x, t)
    grad = _values(crit.backward(x, t)).copy()
    loaded = torch.deserialize(torch.serialize(crit))
    assert loaded.forward(x, t) == loss
    np.testing.assert_array_equal(_values(loaded.backward(x, t)), grad)
    f = spec.make().float()
    assert f.forward(_to_float(x), _to_float(t) if torch.isTensor(t) and
                     t._typename == 'torch.DoubleTensor' else t) == pytest.approx(
        loss, rel=spec.float_tolerance, abs=spec.float_tolerance)
    if spec.printed:
        assert str(crit).startswith(spec.printed)


_BADC = [(s, i) for s in CRITERIA for i in range(len(s.bad_inputs))]


@pytest.mark.parametrize('spec,i', _BADC, ids=[f'{s.id}-{i}' for s, i in _BADC])
def test_criterion_bad_input(spec, i):
    make_bad, make_target, exc, pattern = spec.bad_inputs[i]
    with pytest.raises(exc, match=pattern):
        spec.make().forward(make_bad(), make_target())


def test_catalogue_is_not_empty():
    assert SPECS, "no module specs were collected"
    assert all(re.match(r'^[\w.\-]+$', s.id) for s in SPECS + CRITERIA)
