"""The declarative module table: one `Spec` per module configuration, checked the same way.

Each family of modules lists its specs in `tests/nn/specs_<family>.py` as `SPECS = [...]`
(and criterions as `CRITERIA = [...]`); `tests/nn/test_catalogue.py` collects every list and
runs, for each spec:

  - gradient checks with nn.Jacobian (input, and every parameter), in training and evaluate mode,
    on the non-batch and the batch input, in double precision;
  - testAllUpdate for each (weight, gradWeight) pair;
  - a save/load round trip (nn.Jacobian.testIO) and the printed form;
  - float32 against float64 (the module converted with .float());
  - batch against single samples (row i of the batch output = output of sample i);
  - bad inputs: the error type and message, and that the module still works afterwards.

A spec only describes; it never runs anything itself.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import torchlike as torch


@dataclass
class Spec:
    """One module configuration of the catalogue."""
    id: str                                   # test id, e.g. 'Linear' or 'Linear-nobias'
    make: Callable[[], object]                # builds the module (double precision)
    input: Optional[Callable[[], object]]     # a non-batch input (None when not supported)
    batch_input: Optional[Callable[[], object]] = None   # a batch input (None when none)
    printed: Optional[str] = None             # exact str(module), or a prefix ending in '('
    params: Sequence[tuple] = (('weight', 'gradWeight'), ('bias', 'gradBias'))
    modes: Sequence[str] = ('train', 'eval')  # modes for the gradient check
    jacobian: bool = True                     # False for stochastic modules (checked by hand)
    precision: float = 1e-5
    input_range: tuple = (-2, 2)              # values the Jacobian fills the input with
    float_tolerance: float = 1e-4             # relative float32 vs float64 agreement
    batch_matches_single: bool = True         # batch row i equals the single-sample output
    bad_inputs: Sequence[tuple] = ()          # (make_input, exception type, message regex)


@dataclass
class CriterionSpec:
    """One criterion configuration of the catalogue."""
    id: str
    make: Callable[[], object]
    input: Callable[[], object]
    target: Callable[[], object]
    printed: Optional[str] = None
    precision: float = 1e-5
    float_tolerance: float = 1e-4
    reference: Optional[Callable[[object, object], float]] = None   # loss from a formula
    bad_inputs: Sequence[tuple] = ()          # (make_input, make_target, exception, regex)
    extra: dict = field(default_factory=dict)


def randn(*sizes):
    """A double tensor of standard normal values from torchlike's generator."""
    return torch.DoubleTensor(*sizes).normal(0, 1)


def rand(*sizes, lo=0.0, hi=1.0):
    return torch.DoubleTensor(*sizes).uniform(lo, hi)
