"""Shared test functions for the optim tests: small objectives with their gradients, written
with numpy, and helpers to make tensors. Each feval writes its gradient into one buffer that it
returns every time, as a real feval returns the flat gradParameters."""
import numpy as np

import torchlike as torch

TYPES = {np.float32: torch.FloatTensor, np.float64: torch.DoubleTensor}


def tensor(values, dtype=np.float64):
    return torch.fromNumpy(np.array(values, dtype=dtype))


def quartic_grad(a, b, x):
    """f(x) = sum(x^4/4 + a x^2/2 + b x): a non-quadratic objective with an easy gradient."""
    return x ** 3 + a * x + b


def quartic_value(a, b, x):
    return float(np.sum(x ** 4 / 4 + a * x ** 2 / 2 + b * x))


def quartic(a, b, counter=None):
    """feval for the quartic; `counter` (a list) records every point evaluated."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    buf = {}

    def feval(x):
        xa = x.numpy()
        if counter is not None:
            counter.append(xa.astype(np.float64).copy())
        g = buf.get('g')
        if g is None or g.nElement() != xa.size or g._dtype != xa.dtype:
            g = buf['g'] = torch.fromNumpy(np.zeros(xa.shape, xa.dtype))
        xd = xa.astype(np.float64)
        g.numpy()[...] = quartic_grad(a, b, xd)
        return quartic_value(a, b, xd), g
    return feval


def rosenbrock_value(x):
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def rosenbrock_grad(x):
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return g


def rosenbrock(x):
    xa = x.numpy().astype(np.float64)
    return rosenbrock_value(xa), torch.fromNumpy(rosenbrock_grad(xa).astype(x.numpy().dtype))


def quadratic(diag, center):
    """f(x) = 1/2 sum(diag (x - center)^2), minimum 0 at center."""
    diag, center = np.asarray(diag, np.float64), np.asarray(center, np.float64)

    def feval(x):
        xa = x.numpy().astype(np.float64)
        r = xa - center
        return 0.5 * float(np.sum(diag * r * r)), torch.fromNumpy((diag * r).astype(
            x.numpy().dtype))
    return feval


def logistic_problem(n=200, d=5, l2=1e-2, seed=0):
    """L2-regularised logistic regression: (feval, optimum w*, optimum loss) with w* found by
    Newton's method in the test's own numpy code."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w_true = rng.standard_normal(d)
    y = (X @ w_true + 0.5 * rng.standard_normal(n) > 0).astype(np.float64)

    def loss_grad(w):
        z = X @ w
        p = 1 / (1 + np.exp(-z))
        loss = float(np.mean(np.logaddexp(0, z) - y * z) + 0.5 * l2 * w @ w)
        return loss, X.T @ (p - y) / n + l2 * w, p

    w = np.zeros(d)
    for _ in range(50):
        _, g, p = loss_grad(w)
        H = (X.T * (p * (1 - p))) @ X / n + l2 * np.eye(d)
        w = w - np.linalg.solve(H, g)
    best = loss_grad(w)[0]

    def feval(x):
        f, g, _ = loss_grad(x.numpy().astype(np.float64))
        return f, torch.fromNumpy(g.astype(x.numpy().dtype))
    return feval, w, best


def snapshot(state):
    """A deep copy of a state dict (tensors as numpy copies) for unchanged-state checks."""
    out = {}
    for k, v in state.items():
        out[k] = v.numpy().copy() if isinstance(v, torch.Tensor) else v
    return out


def same_state(a, b):
    if set(a) != set(b):
        return False
    for k in a:
        if isinstance(a[k], np.ndarray):
            if not np.array_equal(a[k], b[k]):
                return False
        elif a[k] != b[k] and not callable(a[k]):
            return False
    return True
