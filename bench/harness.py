"""Side-by-side benchmark harness: torchlike against numpy and (when installed) PyTorch.

Why it works the way it does (DESIGN.md §7): every framework is measured in its own worker
process, because on a 2-core machine the BLAS/OpenMP threads of one library keep spinning after a
call and steal the cores from the other when both live in one process. The workers of a group of
cases stay up for the whole run and take turns case by case, the order rotating (A/B/C, B/C/A,
C/A/B, ...), so that the samples of one row are taken seconds apart and a burst of load from
other processes hits all frameworks alike. Only one worker runs at a time. Within a worker a
case is timed with `timeit` (garbage collector off) as the best of several repeats; that is one
sample per round, and the table quotes the median over rounds. Nothing here asserts a time: the
output is numbers and ratios.

Writing a bench script `bench/bench_<suite>.py` (run_all finds it by that name):

    from bench import harness
    from bench.harness import Case, Timeit, Call

    SUITE = 'optim'

    def cases(quick):                  # -> list of Case
        return [Case('sgd step, 10k params',
                     {'torchlike': Timeit(setup='import optim ...', stmt='optim.sgd(...)'),
                      'numpy': Timeit(...),
                      'torch': Call('bench.bench_optim:torch_sgd_step', {'n': 10000})},
                     unit='us', targets={'torch': ('<', 1.0)})]

    def run(opts):                     # -> list of Row; run_all calls this
        return harness.run_suite(SUITE, cases(opts.quick), opts)

    def main(argv=None):               # `python -m bench.bench_<suite> [--quick] ...`
        return harness.cli(run, argv, __doc__)

    if __name__ == '__main__':
        main()

An implementation is either `Timeit(setup, stmt)` (source strings run in the worker, as for the
`timeit` module) or `Call('module:function', kwargs)`, a function that does its own set-up and
returns the zero-argument callable to time. A framework missing from a case's dict is left blank
in that row; one whose statement raises (say `AttributeError: module 'torchlike' has no
attribute 'mm'`) shows as n/a with the reason listed under the table; a framework that is not
installed gets no column.
"""
import argparse
import dataclasses
import datetime
import importlib
import importlib.util
import json
import math
import os
import platform
import select
import statistics
import subprocess
import sys
import tempfile
import time
import timeit

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name -> (column label, module whose presence makes the framework available)
FRAMEWORKS = {'torchlike': ('torchlike', 'torchlike'),
              'numpy': ('numpy', 'numpy'),
              'torch': ('PyTorch', 'torch')}
REFERENCES = ('numpy', 'torch')           # ratio columns: torchlike / reference
TIME_UNITS = {'ns': 1e9, 'us': 1e6, 'ms': 1e3, 's': 1.0}   # per call, lower is better
RATE_UNITS = {'GFLOP/s': 1e9, 'Mitems/s': 1e6}               # work / time, higher is better
WORKER_TIMEOUT_S = 900
# more rounds beat longer repeats on a shared machine: load from other processes comes in
# bursts of seconds, and a median over rounds spread in time outlives a bad burst
DEFAULT_ROUNDS = 5


@dataclasses.dataclass
class Timeit:
    """Source strings for `timeit.Timer(stmt, setup)`; the setup is not timed."""
    setup: str
    stmt: str


@dataclasses.dataclass
class Call:
    """`target` is 'package.module:function'; `function(**kwargs)` sets up and returns the
    zero-argument callable that is timed."""
    target: str
    kwargs: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Case:
    """One row of the table.

    impls     framework name ('torchlike', 'numpy', 'torch') -> Timeit or Call
    unit      'ns', 'us', 'ms', 's' per call, or a rate ('GFLOP/s', 'Mitems/s') that needs `work`
    work      units of work in one call for rate units (flops for GFLOP/s)
    group     cases of one group share a worker process per framework; different groups never
              do (so that one group's memory and thread state cannot disturb another's)
    min_time  seconds one repeat should last (the calls per repeat are calibrated to it)
    repeat    repeats per worker; the worker keeps the best
    number    fixed calls per repeat (no calibration), e.g. 1 for slow calls
    targets   reference framework -> (operator, bound) on the ratio torchlike / reference in
              this row's unit, e.g. {'numpy': ('<=', 2.0)} for times, ('>=', 0.95) for rates
    settle    seconds to pause after each measurement, so that the BLAS/OpenMP threads of the
              worker that just ran stop spinning before the next framework's turn (big products)
    """
    name: str
    impls: dict
    unit: str = 'ns'
    work: float = None
    group: str = 'default'
    min_time: float = 0.1
    repeat: int = 5
    number: int = None
    targets: dict = dataclasses.field(default_factory=dict)
    settle: float = 0.0


@dataclasses.dataclass
class Row:
    """A measured row: `values` maps framework -> number in `unit` (None = n/a), `ratios` maps
    reference -> torchlike / reference (None = n/a), `met` is True/False/None (no target or
    n/a), `spread` maps framework -> (max - min) / median of the per-round samples."""
    suite: str
    name: str
    unit: str
    values: dict
    ratios: dict
    targets: dict
    met: object
    spread: dict
    errors: dict
    samples: dict = None          # framework -> per-round values in `unit` (JSON output only)

    def to_json(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Options:
    quick: bool = False           # a few seconds: one round, short repeats, small sizes
    rounds: int = None            # worker turns per framework (DEFAULT_ROUNDS; quick: 1)
    frameworks: tuple = None      # subset of FRAMEWORKS (default: all installed)
    select: str = None            # only cases whose name contains this text
    verbose: bool = True          # progress lines on stderr


# --------------------------------------------------------------------------- parent side
def available_frameworks(wanted=None):
    """The frameworks to measure: `wanted` (or all) that are importable, without importing."""
    names = list(wanted) if wanted else list(FRAMEWORKS)
    unknown = [n for n in names if n not in FRAMEWORKS]
    if unknown:
        raise SystemExit(f"unknown framework(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(FRAMEWORKS)}")
    out = []
    for n in names:
        mod = FRAMEWORKS[n][1]
        if n == 'torchlike' or importlib.util.find_spec(mod) is not None:
            out.append(n)
    return out


def _impl_json(impl):
    if isinstance(impl, Timeit):
        return {'kind': 'timeit', 'setup': impl.setup, 'stmt': impl.stmt}
    if isinstance(impl, Call):
        return {'kind': 'call', 'target': impl.target, 'kwargs': impl.kwargs}
    raise TypeError(f"an implementation must be Timeit or Call, got {type(impl).__name__}")


def _worker_env():
    env = dict(os.environ)
    path = env.get('PYTHONPATH')
    env['PYTHONPATH'] = REPO_ROOT + (os.pathsep + path if path else '')
    return env


class _Worker:
    """A worker process for one framework: it imports only that framework, keeps each case's
    set-up and calibrated call count between rounds, and answers one case at a time (JSON lines
    on stdin/stdout), so that the parent can alternate frameworks case by case."""

    def __init__(self, framework, quick):
        self.framework, self.quick = framework, quick
        self.proc = None
        self.log = None

    def _start(self):
        self.log = tempfile.TemporaryFile(mode='w+')
        cmd = [sys.executable, '-m', 'bench.harness', '--worker', self.framework]
        if self.quick:
            cmd.append('--quick')
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True, cwd=REPO_ROOT,
                                     env=_worker_env())

    def ask(self, request, timeout=WORKER_TIMEOUT_S):
        """Send one request; returns the answer, or {'error': ...} if the worker died or hung
        (it is then ended, and the next request starts a fresh one)."""
        if self.proc is None:
            self._start()
        try:
            self.proc.stdin.write(json.dumps(request) + '\n')
            self.proc.stdin.flush()
            ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
            line = self.proc.stdout.readline() if ready else None
            if line:
                return json.loads(line)
            why = 'no answer' if line == '' else f'no answer within {timeout} s'
        except (BrokenPipeError, OSError, ValueError) as e:
            why = f'{type(e).__name__}: {e}'
        why = f'worker failed ({why}): {self._stderr_tail()}'
        self.close(kill=True)
        return {'error': why}

    def _stderr_tail(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.seek(0)
        lines = [ln for ln in self.log.read().strip().splitlines() if ln.strip()]
        return lines[-1] if lines else f'exit status {self.proc.returncode}'

    def close(self, kill=False):
        if self.proc is None:
            return
        if kill and self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        self.proc = None


def _case_request(case, framework):
    return {'op': 'measure', 'name': case.name, 'impl': _impl_json(case.impls[framework]),
            'min_time': case.min_time, 'repeat': case.repeat, 'number': case.number}


def _rotated(seq, k):
    k %= len(seq)
    return seq[k:] + seq[:k]


def _convert(case, seconds):
    if case.unit in TIME_UNITS:
        return seconds * TIME_UNITS[case.unit]
    if case.unit in RATE_UNITS:
        if not case.work:
            raise ValueError(f"case {case.name!r}: unit {case.unit} needs `work`")
        return case.work / seconds / RATE_UNITS[case.unit]
    raise ValueError(f"case {case.name!r}: unknown unit {case.unit!r}")


def _check(ratio, op, bound):
    return {'<': ratio < bound, '<=': ratio <= bound, '>': ratio > bound,
            '>=': ratio >= bound}[op]


def _make_row(suite, case, frameworks, samples, errors):
    values, spread, per_round = {}, {}, {}
    frameworks = [fw for fw in frameworks if fw in case.impls]   # others: blank, not n/a
    for fw in frameworks:
        s = samples.get(fw)
        if s:
            per = per_round[fw] = [_convert(case, x) for x in s]
            values[fw] = statistics.median(per)
            spread[fw] = (max(per) - min(per)) / values[fw] if values[fw] else 0.0
        else:
            values[fw] = None
    ratios = {}
    tl = values.get('torchlike')
    for ref in REFERENCES:
        if ref in frameworks:
            v = values.get(ref)
            ratios[ref] = tl / v if tl is not None and v else None
    met = None
    verdicts = []
    for ref, (op, bound) in case.targets.items():
        if ref not in frameworks:
            continue
        r = ratios.get(ref)
        verdicts.append(None if r is None else _check(r, op, bound))
    if verdicts:
        met = None if None in verdicts else all(verdicts)
    return Row(suite, case.name, case.unit, values, ratios,
               {k: list(v) for k, v in case.targets.items() if k in frameworks},
               met, spread, errors, per_round)


def run_suite(suite, cases, opts):
    """Measure `cases` for every available framework; returns one Row per case."""
    frameworks = available_frameworks(opts.frameworks)
    _LOAD.setdefault('start', _loadavg())
    if opts.select:
        cases = [c for c in cases if opts.select in c.name]
    rounds = opts.rounds or (1 if opts.quick else DEFAULT_ROUNDS)
    groups = {}
    for c in cases:
        # quick runs share one process per framework: isolation matters less than start-up
        groups.setdefault('all' if opts.quick else c.group, []).append(c)
    samples = {(c.name, fw): [] for c in cases for fw in frameworks}
    errors = {c.name: {} for c in cases}
    failures = {}
    t0 = time.perf_counter()
    for g, gcases in groups.items():
        workers = {fw: _Worker(fw, opts.quick) for fw in frameworks}
        try:
            for r in range(rounds):
                if opts.verbose:
                    print(f"[{suite}] group {g}: round {r + 1}/{rounds} "
                          f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
                for i, c in enumerate(gcases):
                    # the order of frameworks rotates from case to case and round to round
                    for fw in _rotated(frameworks, r + i):
                        if fw not in c.impls:
                            continue
                        res = workers[fw].ask(_case_request(c, fw))
                        if 'seconds' in res:
                            samples[(c.name, fw)].append(res['seconds'])
                        else:
                            failures.setdefault((c.name, fw), []).append(res['error'])
                        if c.settle:
                            time.sleep(c.settle)  # let this worker's BLAS threads stop spinning
            for fw, w in workers.items():
                if w.proc is not None and fw not in _INFO:
                    info = w.ask({'op': 'info'}, timeout=60)
                    if 'error' not in info:
                        _INFO[fw] = info
        finally:
            for w in workers.values():
                w.close()
    for (name, fw), errs in failures.items():
        # a failure in some rounds only (say, a module being edited) still leaves a median
        got = len(samples[(name, fw)])
        errors[name][fw] = (errs[-1] if not got else
                            f'failed in {len(errs)} of {rounds} rounds: {errs[-1]}')
    return [_make_row(suite, c, frameworks,
                      {fw: samples[(c.name, fw)] for fw in frameworks}, errors[c.name])
            for c in cases]


_INFO = {}   # framework -> what its worker reported (version, threads, BLAS), for environment()
_LOAD = {}   # 1-minute load average when the first suite started


def _loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def environment():
    """What the numbers depend on: machine, cores, thread/BLAS settings, versions."""
    env = {'date': datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z'),
           'python': platform.python_version(),
           'platform': platform.platform(),
           'cpu': _cpu_model(),
           'cores': f"{os.cpu_count()} online, {len(os.sched_getaffinity(0))} usable"
                    if hasattr(os, 'sched_getaffinity') else str(os.cpu_count())}
    end = _loadavg()
    if _LOAD.get('start') is not None and end is not None:
        # other processes on the machine are the main source of noise: say how busy it was
        env['load average (1 min)'] = f"{_LOAD['start']:.2f} at start, {end:.2f} at end"
    for var in ('OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS',
                'MKL_NUM_THREADS', 'NUMBA_NUM_THREADS'):
        env[var] = os.environ.get(var, '(unset)')
    for fw, info in _INFO.items():
        for k, v in info.items():
            env[f'{fw} {k}'] = v
    return env


def _cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


# --------------------------------------------------------------------------- output
def _fmt_value(v, unit):
    if v is None:
        return 'n/a'
    if unit in RATE_UNITS or v < 100:
        return f'{v:.3g}' if v < 10 else f'{v:.1f}'
    return f'{v:,.0f}'


def _fmt_ratio(r):
    return 'n/a' if r is None else f'{r:.2f}'


def _fmt_spread(spread):
    """The widest (max - min) / median over the row's frameworks: how far to trust a ratio."""
    return f'{100 * max(spread.values()):.0f}%' if spread else ''


def _fmt_targets(targets):
    label = {'numpy': 'np', 'torch': 'pt'}
    return ', '.join(f'{label.get(ref, ref)}{op}{bound:g}' for ref, (op, bound) in targets.items())


def format_table(rows, frameworks=None):
    """A plain-text table, one line per row. Ratios are torchlike / reference in the row's unit
    (below 1 is faster for times, above 1 is faster for rates); `spread` is the widest
    (max - min) / median of a row's per-round samples; a blank cell was not measured at all,
    n/a was tried and failed (reasons below the table)."""
    if not rows:
        return '(no rows)'
    if frameworks is None:
        frameworks = [fw for fw in FRAMEWORKS if any(fw in r.values for r in rows)]
    refs = [r for r in REFERENCES if r in frameworks]
    head = (['case', 'unit'] + [FRAMEWORKS[fw][0] for fw in frameworks]
            + [f"tl/{'np' if r == 'numpy' else 'pt'}" for r in refs] + ['spread', 'target', 'met'])
    body = []
    for row in rows:
        met = {True: 'ok', False: 'MISS', None: '' if not row.targets else 'n/a'}[row.met]
        body.append([f'{row.suite}: {row.name}', row.unit]
                    + [_fmt_value(row.values[fw], row.unit) if fw in row.values else ''
                       for fw in frameworks]
                    + [_fmt_ratio(row.ratios[r]) if r in row.ratios else '' for r in refs]
                    + [_fmt_spread(row.spread), _fmt_targets(row.targets), met])
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    numeric = set(range(2, len(head) - 2))   # right-aligned: values, ratios, spread

    def line(cells):
        return '  '.join(c.rjust(w) if i in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(head), line(['-' * w for w in widths])] + [line(b) for b in body]
    notes = {}
    for row in rows:
        for fw, err in row.errors.items():
            notes.setdefault((fw, err), []).append(row.name)
    if notes:
        out.append('')
        out.append('n/a reasons:')
        for (fw, err), names in notes.items():
            shown = ', '.join(names[:3]) + (f' (+{len(names) - 3} more)' if len(names) > 3 else '')
            out.append(f'  {fw}: {err}  [{shown}]')
    return '\n'.join(out)


def format_environment(env=None):
    env = env or environment()
    width = max(len(k) for k in env)
    return '\n'.join(f'{k.ljust(width)}  {v}' for k, v in env.items())


def add_arguments(parser):
    parser.add_argument('--quick', action='store_true',
                        help='a few seconds: one round, short repeats, small sizes (smoke test)')
    parser.add_argument('--rounds', type=int,
                        help=f'worker turns per framework (default {DEFAULT_ROUNDS})')
    parser.add_argument('--frameworks', help='comma-separated subset of: '
                        + ', '.join(FRAMEWORKS))
    parser.add_argument('-k', '--select', help='only cases whose name contains this text')
    parser.add_argument('--json', metavar='PATH', help='also write rows and environment as JSON')
    parser.add_argument('-q', '--no-progress', action='store_true',
                        help='no progress lines on stderr')


def options_from(args):
    fws = tuple(s.strip() for s in args.frameworks.split(',')) if args.frameworks else None
    return Options(quick=args.quick, rounds=args.rounds, frameworks=fws, select=args.select,
                   verbose=not args.no_progress)


def report(rows, json_path=None):
    """Print the table and the environment; optionally write both as JSON."""
    env = environment()
    print(format_table(rows))
    print()
    print(format_environment(env))
    if json_path:
        with open(json_path, 'w') as f:
            json.dump({'environment': env, 'rows': [r.to_json() for r in rows]}, f, indent=1)


def cli(run, argv=None, description=None):
    """Command line of one bench script: parse, `run(opts)`, print; returns the rows."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args(argv)
    rows = run(options_from(args))
    report(rows, args.json)
    return rows


# --------------------------------------------------------------------------- worker side
def _timer(impl):
    if impl['kind'] == 'timeit':
        return timeit.Timer(impl['stmt'], impl['setup'])
    module, _, func = impl['target'].partition(':')
    fn = getattr(importlib.import_module(module), func)(**impl['kwargs'])
    return timeit.Timer(fn)


_PREPARED = {}   # case name -> (timer, calls per repeat), kept between rounds in a worker


def _measure(case, quick):
    """Best seconds per call over the repeats. On a case's first visit the set-up runs, the
    first call doubles as warm-up and check, and the calls per repeat are calibrated."""
    min_time = case['min_time'] / (20 if quick else 1)
    repeat = min(case['repeat'], 2) if quick else case['repeat']
    prepared = _PREPARED.get(case['name'])
    if prepared is None:
        timer = _timer(case['impl'])
        t = timer.timeit(1)
        number = case['number']
        if number is None:
            number = 1
            while t < min_time / 10 and number < 10**8:
                number *= 10
                t = timer.timeit(number)
            number = max(1, int(math.ceil(number * min_time / max(t, 1e-9))))
        prepared = _PREPARED[case['name']] = (timer, number)
    timer, number = prepared
    return min(timer.repeat(repeat=repeat, number=number)) / number


def _framework_info(name):
    info = {}
    try:
        if name == 'torchlike':
            import torchlike
            import numba
            import numpy
            info['version'] = getattr(torchlike, '__version__', 'source tree')
            info['numba'] = numba.__version__
            info['numpy'] = numpy.__version__
        elif name == 'numpy':
            import numpy
            info['version'] = numpy.__version__
            blas = numpy.show_config(mode='dicts')['Build Dependencies']['blas']
            info['blas'] = f"{blas.get('name')} {blas.get('version')}"
            core = _openblas_core()
            if core:
                info['openblas core (runtime)'] = core
        elif name == 'torch':
            import torch
            info['version'] = torch.__version__
            info['threads'] = torch.get_num_threads()
            info['blas'] = 'MKL' if torch.backends.mkl.is_available() else 'other'
    except Exception as e:  # info is decoration; never fail a run for it
        info['error'] = f'{type(e).__name__}: {e}'
    return info


def _openblas_core():
    """The kernel family OpenBLAS picked at run time (what OPENBLAS_CORETYPE overrides)."""
    import ctypes
    try:
        with open('/proc/self/maps') as f:
            path = next((ln.split()[-1] for ln in f if 'openblas' in ln.lower()), None)
        if path is None:
            return None
        lib = ctypes.CDLL(path)
        for sym in ('scipy_openblas_get_corename64_', 'scipy_openblas_get_corename',
                    'openblas_get_corename64_', 'openblas_get_corename'):
            fn = getattr(lib, sym, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                return fn().decode()
    except Exception:
        return None
    return None


def worker_main(framework, quick):
    """Answer requests, one JSON line each, until stdin closes. Anything the measured code
    prints goes to stderr so that stdout carries only answers."""
    answers, sys.stdout = sys.stdout, sys.stderr
    for line in sys.stdin:
        req = json.loads(line)
        if req['op'] == 'info':
            ans = _framework_info(framework)
        else:
            try:
                ans = {'seconds': _measure(req, quick)}
            except Exception as e:
                msg = str(e).splitlines()[0] if str(e) else ''
                ans = {'error': f'{type(e).__name__}: {msg}'[:200]}
        answers.write(json.dumps(ans) + '\n')
        answers.flush()


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == '--worker':
        worker_main(sys.argv[2], '--quick' in sys.argv[3:])
    else:
        raise SystemExit('bench.harness is a library; run python -m bench.run_all '
                         'or python -m bench.bench_<suite>')
