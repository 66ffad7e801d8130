"""nn: Torch7's neural network modules (import nn).

This file is the table of contents: every public name, grouped by family.
"""
# the protocol
from .module import Module
from .criterion import Criterion
from . import jacobian as Jacobian
from . import utils

# containers
from .container import Container, Sequential
from .concat import Concat, DepthConcat, Parallel
from .table_containers import ConcatTable, ParallelTable, MapTable
from .decorators import Decorator, Bottle

# layers
from .linear import Linear
