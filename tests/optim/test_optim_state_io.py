"""A state saved with torch.save and loaded again continues the run bit for bit."""
import numpy as np
import pytest

import optim
from optim_testlib import quartic, tensor

serialization = pytest.importorskip('torchlike.serialization')
if not hasattr(serialization, 'save'):
    pytest.skip('torchlike.serialization.save is not there yet', allow_module_level=True)

A = np.array([1.0, 2.0, 0.5, 3.0, 1.5])
B = np.array([0.3, -0.2, 0.1, -1.0, 0.0])
X0 = np.array([0.5, -1.0, 2.0, 0.25, 0.0])

RUNS = [
    ('sgd', {'learningRate': 0.05, 'momentum': 0.9, 'dampening': 0, 'nesterov': True,
             'weightDecay': 1e-3, 'learningRateDecay': 0.01}),
    ('sgd', {'learningRate': 0.05, 'momentum': 0.5,
             'learningRates': tensor([1.0, 0.5, 2.0, 1.0, 1.0])}),
    ('adam', {'learningRate': 0.05}),
    ('adamax', {}),
    ('adagrad', {'learningRate': 0.3}),
    ('adadelta', {}),
    ('rmsprop', {'learningRate': 0.01}),
    ('nag', {'learningRate': 0.05}),
    ('rprop', {'niter': 2}),
    ('asgd', {'eta0': 0.05, 't0': 2}),
    ('lbfgs', {'maxIter': 2, 'tolX': 0}),
]


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('method, cfg', RUNS)
def test_saved_state_resumes_bit_for_bit(method, cfg, dtype, tmp_path):
    fn = getattr(optim, method)
    feval = quartic(A, B)
    # one uninterrupted run
    x = tensor(X0, dtype)
    state = dict(cfg)
    for _ in range(6):
        fn(feval, x, state)
    expected = x.numpy().copy()
    # the same run saved after 3 steps, loaded, continued
    x = tensor(X0, dtype)
    state = dict(cfg)
    for _ in range(3):
        fn(feval, x, state)
    path = str(tmp_path / 'run.t7')
    serialization.save(path, {'x': x, 'state': state})
    loaded = serialization.load(path)
    x2, state2 = loaded['x'], loaded['state']
    assert type(x2) is type(x)
    for _ in range(3):
        fn(feval, x2, state2)
    np.testing.assert_array_equal(x2.numpy(), expected)
