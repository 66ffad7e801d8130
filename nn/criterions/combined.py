"""Weighted sums of criterions: MultiCriterion (all on the same input and target) and
ParallelCriterion (criterion i on input[i] and target[i])."""
import torchlike as torch

from .. import utils as _utils
from ..criterion import Criterion
from ._common import LoadDefaults


def _check_criterion(owner, criterion, weight):
    if not isinstance(criterion, Criterion):
        raise TypeError(f"{owner._typename}.add: expected a criterion, got "
                        f"{type(criterion).__name__}")
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        raise TypeError(f"{owner._typename}.add: weight must be a number, got {weight!r}")


def _loaded_list(value):
    # an empty Lua table loads as a dict
    return list(value) if isinstance(value, (list, tuple)) else []


class MultiCriterion(LoadDefaults, Criterion):
    """loss = sum_i weight_i * criterion_i(input, target). `weights` is a DoubleStorage, as in
    Torch7."""
    _tensor_fields = ()

    def __init__(self):
        super().__init__()
        self.criterions = []
        self.weights = torch.DoubleStorage()

    def add(self, criterion, weight=1):
        _check_criterion(self, criterion, weight)
        self.criterions.append(criterion)
        n = len(self.criterions)
        self.weights.resize(n)
        self.weights[n - 1] = weight
        return self

    def updateOutput(self, input, target):
        total = 0.0
        for i, c in enumerate(self.criterions):
            total += self.weights[i] * c.updateOutput(input, target)
        self.output = float(total)
        return self.output

    def updateGradInput(self, input, target):
        self.gradInput = _utils.recursiveResizeAs(self.gradInput, input)
        _utils.recursiveFill(self.gradInput, 0)
        for i, c in enumerate(self.criterions):
            _utils.recursiveAdd(self.gradInput, self.weights[i], c.updateGradInput(input, target))
        return self.gradInput

    def type(self, typename=None, tensorCache=None):
        if typename is not None:
            for c in self.criterions:
                c.type(typename, tensorCache)
        return super().type(typename, tensorCache)

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields = super()._torchLoadFields(fields, version)
        fields['criterions'] = _loaded_list(fields.get('criterions'))
        if not isinstance(fields.get('weights'), torch.DoubleStorage):
            w = torch.DoubleStorage(len(fields['criterions'])).fill(1)
            fields['weights'] = w
        if fields.get('gradInput') is None or isinstance(fields['gradInput'], dict):
            fields['gradInput'] = torch.Tensor()
        return fields


class ParallelCriterion(LoadDefaults, Criterion):
    """loss = sum_i weight_i * criterion_i(input[i], target[i]); with repeatTarget=True every
    criterion gets the whole target. gradInput is a list like input."""
    _tensor_fields = ()

    def __init__(self, repeatTarget=False):
        super().__init__()
        self.criterions = []
        self.weights = []
        self.gradInput = []
        self.repeatTarget = bool(repeatTarget)

    def add(self, criterion, weight=1):
        _check_criterion(self, criterion, weight)
        self.criterions.append(criterion)
        self.weights.append(weight)
        return self

    def _check(self, input, target):
        n = len(self.criterions)
        if not isinstance(input, (list, tuple)) or len(input) < n:
            got = len(input) if isinstance(input, (list, tuple)) else type(input).__name__
            raise ValueError(f"{self._typename}: input must be a list with one entry per "
                             f"criterion ({n}), got {got}")
        if not self.repeatTarget and (not isinstance(target, (list, tuple)) or
                                      len(target) < n):
            got = len(target) if isinstance(target, (list, tuple)) else type(target).__name__
            raise ValueError(f"{self._typename}: target must be a list with one entry per "
                             f"criterion ({n}), got {got}; use repeatTarget=True to give "
                             f"every criterion the same target")

    def updateOutput(self, input, target):
        self._check(input, target)
        total = 0.0
        for i, c in enumerate(self.criterions):
            t = target if self.repeatTarget else target[i]
            total += self.weights[i] * c.updateOutput(input[i], t)
        self.output = float(total)
        return self.output

    def updateGradInput(self, input, target):
        self._check(input, target)
        self.gradInput = _utils.recursiveResizeAs(self.gradInput, input)
        _utils.recursiveFill(self.gradInput, 0)
        for i, c in enumerate(self.criterions):
            t = target if self.repeatTarget else target[i]
            _utils.recursiveAdd(self.gradInput[i], self.weights[i],
                                c.updateGradInput(input[i], t))
        return self.gradInput

    def type(self, typename=None, tensorCache=None):
        if typename is not None:
            for c in self.criterions:
                c.type(typename, tensorCache)
            self.gradInput = []
        return super().type(typename, tensorCache)

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields = super()._torchLoadFields(fields, version)
        fields['criterions'] = _loaded_list(fields.get('criterions'))
        fields['weights'] = _loaded_list(fields.get('weights'))
        fields['gradInput'] = _loaded_list(fields.get('gradInput'))
        fields['repeatTarget'] = bool(fields.get('repeatTarget'))
        return fields
