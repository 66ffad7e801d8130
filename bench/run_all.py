"""Run every bench/bench_*.py and print one combined table.

    python -m bench.run_all [--quick] [--only tensor,optim] [--json PATH] [--rounds N]

Each bench module must define `run(opts)` returning a list of `harness.Row` (see the docstring of
bench/harness.py for the contract). A module that fails to import or to run is reported and
skipped; the others still run.
"""
import argparse
import glob
import importlib
import os
import sys
import traceback

from bench import harness

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))


def bench_modules():
    """Names of the bench modules present, e.g. ['bench.bench_nn', 'bench.bench_tensor']."""
    files = sorted(glob.glob(os.path.join(BENCH_DIR, 'bench_*.py')))
    return ['bench.' + os.path.splitext(os.path.basename(f))[0] for f in files]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.add_arguments(parser)
    parser.add_argument('--only', help='comma-separated suites (tensor,nn,...) to run')
    args = parser.parse_args(argv)
    opts = harness.options_from(args)
    only = {s.strip() for s in args.only.split(',')} if args.only else None
    rows, failed = [], []
    for name in bench_modules():
        suite = name.split('bench_', 1)[1]
        if only and suite not in only:
            continue
        try:
            mod = importlib.import_module(name)
            rows.extend(mod.run(opts))
        except Exception:
            failed.append(name)
            print(f'{name} failed:\n{traceback.format_exc()}', file=sys.stderr)
    harness.report(rows, args.json)
    if failed:
        print(f"\nfailed bench modules: {', '.join(failed)}")
    return rows


if __name__ == '__main__':
    main()
