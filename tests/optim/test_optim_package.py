"""The optim table of contents, and a smoke test of bench/bench_optim.py's step functions (no
timing is asserted)."""
import optim

PUBLIC = ['sgd', 'adam', 'adamax', 'adagrad', 'adadelta', 'rmsprop', 'nag', 'rprop', 'asgd',
          'lbfgs', 'lswolfe', 'polyinterp', 'cg', 'cmaes', 'de', 'FistaLS', 'checkgrad',
          'Logger', 'ConfusionMatrix']


def test_public_names():
    for name in PUBLIC:
        assert callable(getattr(optim, name)), name


def test_bench_cases_and_steps_run():
    from bench import bench_optim
    cases = bench_optim.cases(quick=True)
    names = [c.name for c in cases]
    assert any(n.startswith('sgd momentum=0.9') for n in names)
    assert any(n.startswith('adam,') for n in names)
    targeted = [c for c in cases if c.targets]
    assert len(targeted) == 2
    for c in targeted:
        assert c.targets == {'numpy': ('<=', 1 / 3), 'torch': ('<=', 1.0)}
    # every torchlike / numpy step function sets up and runs (small size for speed)
    try:
        for case in cases:
            for fw in ('torchlike', 'numpy'):
                kw = dict(case.impls[fw].kwargs, n=1000)
                step = bench_optim.optim_step(**kw)
                step()
    finally:
        optim.set_fused(True)
    assert optim._config.fused_enabled()


def test_set_fused_and_use_fused():
    assert optim.set_fused(False) is True
    assert optim.set_fused(True) is False
    with optim.use_fused(False):
        assert not optim._config.fused_enabled()
    assert optim._config.fused_enabled()
