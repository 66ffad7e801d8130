"""nn.Criterion: the base of every loss. `forward(input, target)` returns the loss as a Python
number (also kept in `output`); `backward(input, target)` returns dLoss/dinput (`gradInput`)."""
import copy

import torchlike as torch

from . import utils as _utils


class Criterion:
    _typename = 'nn.Criterion'

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if '_typename' not in cls.__dict__:
            cls._typename = 'nn.' + cls.__name__
        torch.registerClass(cls._typename, cls)

    def __init__(self):
        self.gradInput = torch.Tensor()
        self.output = 0

    def updateOutput(self, input, target):
        return self.output

    def updateGradInput(self, input, target):
        return self.gradInput

    def forward(self, input, target):
        return self.updateOutput(input, target)

    def backward(self, input, target):
        return self.updateGradInput(input, target)

    def __call__(self, input, target):
        """(loss, gradInput)."""
        loss = self.forward(input, target)
        return loss, self.backward(input, target)

    def clone(self):
        return copy.deepcopy(self)

    def type(self, typename=None, tensorCache=None):
        if typename is None:
            return getattr(self, '_type', torch.getdefaulttensortype())
        cache = {} if tensorCache is None else tensorCache
        for key, value in list(self.__dict__.items()):
            self.__dict__[key] = _utils.recursiveType(value, typename, cache, key)
        self._type = typename
        return self

    def float(self):
        return self.type('torch.FloatTensor')

    def double(self):
        return self.type('torch.DoubleTensor')

    def __repr__(self):
        return self._typename

    def __str__(self):
        return self.__repr__()
