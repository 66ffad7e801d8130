"""Catalogue rows for nn.Linear."""
import nn
from harness import Spec, randn

SPECS = [
    Spec('Linear', lambda: nn.Linear(5, 3), lambda: randn(5), lambda: randn(4, 5),
         printed='nn.Linear(5 -> 3)',
         bad_inputs=[(lambda: randn(4, 6), ValueError, r'input has 6 features, expected 5'),
                     (lambda: randn(2, 4, 5), ValueError, r'expected 1-D or 2-D input')]),
    Spec('Linear-nobias', lambda: nn.Linear(4, 2).noBias(), lambda: randn(4),
         lambda: randn(3, 4), printed='nn.Linear(4 -> 2) without bias'),
]
