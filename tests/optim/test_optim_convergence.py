"""Every optimiser reaches the minimum of Rosenbrock's function, an ill-conditioned quadratic and
an L2-regularised logistic regression (optimum found by Newton's method in the test)."""
import numpy as np
import pytest

import optim
import torchlike as torch
from optim_testlib import logistic_problem, quadratic, rosenbrock, tensor

# method, config, calls, tolerance on x
ROSENBROCK = [
    ('sgd', {'learningRate': 1e-3, 'momentum': 0.9, 'dampening': 0}, 6000, 2e-2),
    ('sgd', {'learningRate': 1e-3, 'momentum': 0.9, 'dampening': 0, 'nesterov': True},
     6000, 2e-2),
    ('nag', {'learningRate': 1e-3, 'momentum': 0.9}, 4000, 1e-3),
    ('adam', {'learningRate': 2e-2}, 4000, 1e-3),
    ('adagrad', {'learningRate': 0.5}, 6000, 2e-2),
    ('rmsprop', {'learningRate': 1e-3}, 6000, 2e-2),
    ('rprop', {'niter': 3000}, 1, 1e-2),
    ('lbfgs', {'maxIter': 200}, 1, 1e-5),
    ('lbfgs', {'maxIter': 100, 'lineSearch': optim.lswolfe}, 1, 1e-4),
    ('cg', {'maxEval': 200}, 1, 1e-6),
]


@pytest.mark.parametrize('method, cfg, calls, tol', ROSENBROCK)
def test_rosenbrock(method, cfg, calls, tol):
    x = tensor([-1.2, 1.0])
    state = dict(cfg)
    for _ in range(calls):
        getattr(optim, method)(rosenbrock, x, state)
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0], atol=tol)


QUADRATIC = [
    ('sgd', {'learningRate': 0.05, 'momentum': 0.9}, 400),
    ('adam', {'learningRate': 0.05}, 1500),
    ('adamax', {'learningRate': 0.05}, 1500),
    ('adagrad', {'learningRate': 1.0}, 800),
    ('adadelta', {'rho': 0.95, 'eps': 1e-4}, 2000),
    ('rmsprop', {'learningRate': 1e-2}, 1500),
    ('nag', {'learningRate': 0.05, 'momentum': 0.9}, 400),
    ('asgd', {'eta0': 0.05, 't0': 50, 'lambda': 0}, 800),
    ('rprop', {}, 300),
    ('lbfgs', {'maxIter': 50}, 1),
    ('cg', {'maxEval': 100}, 1),
]


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('method, cfg, calls', QUADRATIC)
def test_ill_conditioned_quadratic(method, cfg, calls, dtype):
    diag = np.array([0.5, 1.0, 4.0, 10.0, 20.0])
    center = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    feval = quadratic(diag, center)
    x = tensor(np.zeros(5), dtype)
    state = dict(cfg)
    for _ in range(calls):
        getattr(optim, method)(feval, x, state)
    tol = 1e-2 if method in ('adadelta', 'adamax', 'rmsprop', 'asgd', 'rprop') else 1e-3
    if dtype == np.float32:
        tol = max(tol, 1e-3)
    np.testing.assert_allclose(x.numpy(), center, atol=tol)


LOGISTIC = [
    ('sgd', {'learningRate': 0.5, 'momentum': 0.9}, 500),
    ('adam', {'learningRate': 0.05}, 800),
    ('adagrad', {'learningRate': 0.5}, 800),
    ('rmsprop', {'learningRate': 0.01}, 800),
    ('nag', {'learningRate': 0.5, 'momentum': 0.9}, 500),
    ('lbfgs', {'maxIter': 100, 'lineSearch': optim.lswolfe}, 1),
    ('cg', {'maxEval': 300}, 1),
]


@pytest.mark.parametrize('method, cfg, calls', LOGISTIC)
def test_logistic_regression(method, cfg, calls):
    feval, w_best, f_best = logistic_problem()
    x = tensor(np.zeros(5))
    state = dict(cfg)
    for _ in range(calls):
        getattr(optim, method)(feval, x, state)
    f = feval(x)[0]
    assert f - f_best < 1e-4
    np.testing.assert_allclose(x.numpy(), w_best, atol=5e-2)


def test_logistic_regression_float32_adam():
    feval, w_best, f_best = logistic_problem()
    x = torch.FloatTensor(5)
    state = {'learningRate': 0.05}
    for _ in range(800):
        optim.adam(feval, x, state)
    assert feval(x)[0] - f_best < 1e-4
