"""Helpers of the example tests: where the examples are, and loading one as a module."""
import importlib.util
import pathlib

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / 'examples'


def load_example(name):
    """Execute examples/<name>.py as a fresh module (its main() is not run)."""
    spec = importlib.util.spec_from_file_location(f'example_{name}', EXAMPLES / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
