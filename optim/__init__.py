"""optim: Torch7's optimisers over one flat parameter vector, plus Logger and ConfusionMatrix.

Every optimiser has the form `x, fs = optim.method(feval, x, config, state)`: feval(x) returns
(f, df/dx), x is updated in place and returned, fs lists the function values, and `config`
doubles as the state when `state` is not given. See docs/optim.md.
"""
from .sgd import sgd
from .adaptive import adam, adamax, adagrad, adadelta, rmsprop
from .nag import nag
from .rprop import rprop
from .asgd import asgd
from .lbfgs import lbfgs
from .linesearch import lswolfe, polyinterp
from .cg import cg
from .cmaes import cmaes
from .de import de
from .fista import FistaLS
from .checkgrad import checkgrad
from .logger import Logger
from .confusion import ConfusionMatrix
from ._config import use_fused, set_fused

__all__ = ['sgd', 'adam', 'adamax', 'adagrad', 'adadelta', 'rmsprop', 'nag', 'rprop', 'asgd',
           'lbfgs', 'lswolfe', 'polyinterp', 'cg', 'cmaes', 'de', 'FistaLS', 'checkgrad',
           'Logger', 'ConfusionMatrix', 'use_fused', 'set_fused']
