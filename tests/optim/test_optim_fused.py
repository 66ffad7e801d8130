"""The fused numba kernels against the multi-pass numpy versions of the same updates: equal bit
for bit, in float32 and float64, serial and parallel, through optim and called directly."""
import numpy as np
import pytest

import kernels.runner

import optim
import torchlike as torch
from kernels.cpu import optim_updates as K
from optim import _config
from optim.adaptive import adagrad_multipass, adam_multipass, rmsprop_multipass
from optim.sgd import sgd_multipass

DTYPES = [np.float32, np.float64]

CASES = [
    ('sgd', {'learningRate': 0.1}),
    ('sgd', {'learningRate': 0.1, 'weightDecay': 0.01}),
    ('sgd', {'learningRate': 0.1, 'momentum': 0.9}),
    ('sgd', {'learningRate': 0.1, 'momentum': 0.9, 'dampening': 0.3, 'weightDecay': 0.02,
             'learningRateDecay': 0.1}),
    ('sgd', {'learningRate': 0.1, 'momentum': 0.9, 'dampening': 0, 'nesterov': True,
             'weightDecay': 0.02}),
    ('adam', {}),
    ('adam', {'learningRate': 0.01, 'learningRateDecay': 0.1, 'beta1': 0.8, 'beta2': 0.99,
              'epsilon': 1e-6, 'weightDecay': 0.01}),
    ('rmsprop', {}),
    ('rmsprop', {'learningRate': 0.001, 'alpha': 0.9, 'epsilon': 1e-6, 'weightDecay': 0.01,
                 'initialMean': 0.5}),
    ('adagrad', {}),
    ('adagrad', {'learningRate': 0.1, 'learningRateDecay': 0.2, 'weightDecay': 0.01}),
]


def _gradients(n, dtype, steps, seed=1):
    rng = np.random.default_rng(seed)
    return [torch.fromNumpy(rng.standard_normal(n).astype(dtype)) for _ in range(steps)]


def _run(method, cfg, x0, grads, fused):
    x = torch.fromNumpy(x0.copy())
    state = dict(cfg)
    it = iter(grads)
    with _config.use_fused(fused):
        for _ in grads:
            g = next(it)
            getattr(optim, method)(lambda x: (0.0, g), x, state)
    return x.numpy(), state


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('method, cfg', CASES)
def test_fused_equals_multipass_bit_for_bit(method, cfg, dtype):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(1001).astype(dtype)
    grads = _gradients(1001, dtype, 5)
    xf, sf = _run(method, cfg, x0, grads, True)
    xm, sm = _run(method, cfg, x0, grads, False)
    assert xf.dtype == dtype
    np.testing.assert_array_equal(xf, xm)
    assert set(sf) == set(sm)
    for k, v in sf.items():
        if isinstance(v, torch.Tensor):
            np.testing.assert_array_equal(v.numpy(), sm[k].numpy())
        else:
            assert v == sm[k]


@pytest.mark.parametrize('dtype', DTYPES)
def test_parallel_drivers_equal_serial_and_multipass(dtype):
    """Every kernel's prange driver, on chunk counts that do not divide n."""
    n = 1003
    rng = np.random.default_rng(2)
    T = np.dtype(dtype).type
    x0 = rng.standard_normal(n).astype(dtype)
    g = rng.standard_normal(n).astype(dtype)
    b0 = np.abs(rng.standard_normal(n)).astype(dtype)

    def trio(serial, parallel, reference, nbuf, args, ref_args):
        outs = []
        for mode in ('serial', 'parallel', 'reference'):
            x = x0.copy()
            bufs = [b0.copy() for _ in range(nbuf)]
            if mode == 'serial':
                serial(x, g, *bufs, *args)
            elif mode == 'parallel':
                parallel(x, g, *bufs, *args, 3)
            else:
                reference(x, g, *bufs, *ref_args)
            outs.append((x, bufs))
        for x, bufs in outs[1:]:
            np.testing.assert_array_equal(x, outs[0][0])
            for b, b_ref in zip(bufs, outs[0][1]):
                np.testing.assert_array_equal(b, b_ref)

    trio(K.adam_serial, K.adam_parallel,
         lambda x, g, m, v, *a: adam_multipass(x, g, m, v, *a), 2,
         (T(0.01), True, T(0.9), T(1 - 0.9), T(0.999), T(1 - 0.999), T(1e-8), T(-0.003)),
         (0.01, 0.9, 0.999, 1e-8, 0.003))
    trio(K.rmsprop_serial, K.rmsprop_parallel,
         lambda x, g, m, *a: rmsprop_multipass(x, g, m, *a), 1,
         (T(0.01), True, T(0.99), T(1 - 0.99), T(1e-8), T(-0.01)),
         (0.01, 0.99, 1e-8, 0.01))
    trio(K.adagrad_serial, K.adagrad_parallel,
         lambda x, g, v, *a: adagrad_multipass(x, g, v, *a), 1,
         (T(0.0), False, T(1e-10), T(-0.1)), (0.0, 0.1))
    trio(K.sgd_momentum_serial, K.sgd_momentum_parallel,
         lambda x, g, v, *a: sgd_multipass(x, g, v, *a), 1,
         (T(-0.1), T(0.01), True, T(0.9), T(1 - 0.2), T(0.9), False),
         (0.1, 0.01, None, 0.9, 0.2, False, False, None))
    trio(K.sgd_momentum_serial, K.sgd_momentum_parallel,
         lambda x, g, v, *a: sgd_multipass(x, g, v, *a), 1,
         (T(-0.1), T(0.01), True, T(0.9), T(1.0), T(0.9), True),
         (0.1, 0.01, None, 0.9, 0.0, True, False, None))
    trio(K.sgd_plain_serial, K.sgd_plain_parallel,
         lambda x, g, *a: sgd_multipass(x, g, None, *a), 0,
         (T(-0.1), T(0.01), True), (0.1, 0.01, None, 0.0, 0.0, False, False, None))


def test_long_vector_uses_the_kernel_runner_and_matches():
    """A vector past PARALLEL_MIN goes through the serial/parallel chooser; the result must not
    depend on which it picked."""
    n = _config.PARALLEL_MIN + 5
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal(n).astype(np.float32)
    grads = _gradients(n, np.float32, 4)
    xf, _ = _run('adam', {}, x0, grads, True)
    xm, _ = _run('adam', {}, x0, grads, False)
    np.testing.assert_array_equal(xf, xm)


def test_kernel_runner_picks_the_faster_mode_and_backs_off(monkeypatch):
    monkeypatch.setattr(_config, 'parallel_chunks', lambda n: 2 if n >= 100 else 0)
    clock = [0.0]
    monkeypatch.setattr(kernels.runner.time, 'perf_counter', lambda: clock[0])
    calls = []

    def kernel(mode, cost):
        def run(*args):
            calls.append(mode)
            clock[0] += cost
        return run
    runner = _config.KernelRunner(kernel('s', 1.0), kernel('p', 3.0))   # parallel is slower
    for _ in range(400):
        runner(100, 'arg')
    assert not runner.use_parallel
    # parallel until the first try of serial (call MIN_INTERVAL + 1); after that, parallel only
    # in tries, with growing gaps between them
    tries = [i for i, m in enumerate(calls) if m == 'p' and i > runner.MIN_INTERVAL]
    gaps = np.diff(tries)
    assert 3 <= len(tries) <= 6 and all(b > a for a, b in zip(gaps, gaps[1:]))
    runner(10, 'arg')                    # short vectors always run serially
    assert calls[-1] == 's'


def test_kernel_runner_switches_back_when_parallel_gets_faster(monkeypatch):
    monkeypatch.setattr(_config, 'parallel_chunks', lambda n: 2)
    clock = [0.0]
    monkeypatch.setattr(kernels.runner.time, 'perf_counter', lambda: clock[0])
    cost = {'s': 1.0, 'p': 3.0}
    calls = []

    def kernel(mode):
        def run(*args):
            calls.append(mode)
            clock[0] += cost[mode]
        return run
    runner = _config.KernelRunner(kernel('s'), kernel('p'))
    for _ in range(200):
        runner(100, 'arg')
    assert not runner.use_parallel
    cost['p'] = 0.5                      # the other processes went away
    for _ in range(2000):
        runner(100, 'arg')
    assert runner.use_parallel and calls[-1] == 'p'


def test_worker_threads_run_the_serial_kernels_with_the_same_results():
    """Hogwild-style: optimisers called from worker threads (serial kernels, nogil, per-thread
    scratch) give the same bits as the main thread."""
    import threading
    n = _config.PARALLEL_MIN + 3
    rng = np.random.default_rng(4)
    x0 = rng.standard_normal(n).astype(np.float32)
    grads = _gradients(n, np.float32, 3)
    expected = {m: _run(m, {'learningRate': 0.01}, x0, grads, True)[0]
                for m in ('sgd', 'adam', 'rmsprop')}
    results, errors = {}, []

    def work(method):
        try:
            assert _config.parallel_chunks(n) == 0
            results[method] = _run(method, {'learningRate': 0.01}, x0, grads, True)[0]
        except Exception as e:          # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=work, args=(m,)) for m in expected]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for m, x in expected.items():
        np.testing.assert_array_equal(results[m], x)
