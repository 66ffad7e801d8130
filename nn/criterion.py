"""nn.Criterion: the base of every loss. `forward(input, target)` returns the loss as a Python
number (also kept in `output`); `backward(input, target)` returns dLoss/dinput (`gradInput`)."""
import copy

import torchlike as torch

from . import device as _device
from . import utils as _utils
from .module import _graph_hook, _is_graph_input


class Criterion:
    _typename = 'nn.Criterion'

    def __init_subclass__(cls, device=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if device is not None:   # a device twin (see nn/device.py): same Torch class as its base
            cls._typename = cls.__mro__[1]._typename
            _device.register_twin(cls, device)
            return
        if '_typename' not in cls.__dict__:
            cls._typename = 'nn.' + cls.__name__
        _utils.warn_if_replacing(cls)
        torch.registerClass(cls._typename, cls)

    def __init__(self):
        self.gradInput = torch.Tensor()
        self.output = 0
        default = torch.getdefaulttensortype()
        if _device.is_cuda_type(default):   # built under setdefaulttensortype('torch.Cuda...')
            _device.check_convertible(self, default)
            _device.adopt(self, default)

    def updateOutput(self, input, target):
        return self.output

    def updateGradInput(self, input, target):
        return self.gradInput

    def forward(self, input, target):
        return self.updateOutput(input, target)

    def backward(self, input, target):
        return self.updateGradInput(input, target)

    def __call__(self, *args):
        """crit(input, target) -> (loss, gradInput). With nngraph imported,
        crit([prediction_node, target_node]) builds a graph node (nn.ModuleFromCriterion)."""
        if len(args) == 1 and _is_graph_input(args):
            return _graph_hook['call'].make_criterion_node(self, *args)
        if len(args) != 2:
            raise TypeError(f"{self._typename}(input, target) takes 2 arguments, got "
                            f"{len(args)}")
        input, target = args
        loss = self.forward(input, target)
        return loss, self.backward(input, target)

    def clone(self):
        return copy.deepcopy(self)

    def type(self, typename=None, tensorCache=None):
        if typename is None:
            return getattr(self, '_type', torch.getdefaulttensortype())
        if tensorCache is None:
            _device.check_convertible(self, typename)
        cache = {} if tensorCache is None else tensorCache
        for key, value in list(self.__dict__.items()):
            self.__dict__[key] = _utils.recursiveType(value, typename, cache, key)
        self._type = typename
        _device.adopt(self, typename)
        return self

    def cuda(self):
        return self.type('torch.CudaTensor')

    def _torchAfterLoad(self):
        """After torch.load: the class follows the device the tensors were loaded on."""
        _device.adopt_loaded(self)

    def float(self):
        return self.type('torch.FloatTensor')

    def double(self):
        return self.type('torch.DoubleTensor')

    def __repr__(self):
        return self._typename

    def __str__(self):
        return self.__repr__()
