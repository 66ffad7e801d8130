"""Catalogue rows for the transfer functions, the softmax family and the element-wise math
modules (nn/activations.py, nn/softmax.py, nn/elementwise.py). In-place variants are checked
by hand in test_activations.py: finite differences cannot run on a module that overwrites the
input it is differentiated at."""
import torchlike as torch
from harness import Spec, randn
from nn.activations import (ReLU, Threshold, HardTanh, Clamp, LeakyReLU, ELU, SoftPlus,
                            LogSigmoid, Tanh, Sigmoid, SoftSign, ReLU6, AddConstant,
                            MulConstant)
from nn.elementwise import Identity, Copy, Exp, Log, Abs, Square, Sqrt, Power
from nn.softmax import SoftMax, LogSoftMax, SoftMin, SpatialSoftMax, SpatialLogSoftMax

_NOT_FLOAT = (lambda: torch.LongTensor(3, 5), TypeError, r'must be a FloatTensor or DoubleTensor')


def _pointwise(id, make, printed=None, **kw):
    """A parameter-free element-wise module: a vector, and a 3 x 5 batch."""
    return Spec(id, make, lambda: randn(5), lambda: randn(3, 5), printed=printed, params=(),
                bad_inputs=[_NOT_FLOAT], **kw)


def _positive(*sizes):
    return lambda: torch.DoubleTensor(*sizes).uniform(0.2, 2)


SPECS = [
    _pointwise('ReLU', lambda: ReLU(), 'nn.ReLU'),
    _pointwise('Threshold', lambda: Threshold(0.3, -0.5), 'nn.Threshold'),
    _pointwise('HardTanh', lambda: HardTanh(), 'nn.HardTanh'),
    _pointwise('HardTanh-bounds', lambda: HardTanh(-0.5, 1.5)),
    _pointwise('Clamp', lambda: Clamp(-0.7, 0.4), 'nn.Clamp'),
    _pointwise('ReLU6', lambda: ReLU6(), 'nn.ReLU6', input_range=(-3, 8)),
    _pointwise('LeakyReLU', lambda: LeakyReLU(), 'nn.LeakyReLU(0.01)'),
    _pointwise('LeakyReLU-steep', lambda: LeakyReLU(1.7), 'nn.LeakyReLU(1.7)'),
    _pointwise('ELU', lambda: ELU(), 'nn.ELU (alpha:1.000000)'),
    _pointwise('ELU-alpha', lambda: ELU(0.4), 'nn.ELU (alpha:0.400000)'),
    _pointwise('SoftPlus', lambda: SoftPlus(), 'nn.SoftPlus'),
    _pointwise('SoftPlus-beta', lambda: SoftPlus(3), input_range=(-4, 4)),
    _pointwise('LogSigmoid', lambda: LogSigmoid(), 'nn.LogSigmoid', input_range=(-6, 6)),
    _pointwise('Tanh', lambda: Tanh(), 'nn.Tanh'),
    _pointwise('Sigmoid', lambda: Sigmoid(), 'nn.Sigmoid'),
    _pointwise('SoftSign', lambda: SoftSign(), 'nn.SoftSign'),
    _pointwise('AddConstant', lambda: AddConstant(1.5), 'nn.AddConstant'),
    _pointwise('MulConstant', lambda: MulConstant(-2.5), 'nn.MulConstant'),
    _pointwise('Exp', lambda: Exp(), 'nn.Exp'),
    _pointwise('Abs', lambda: Abs(), 'nn.Abs'),
    _pointwise('Square', lambda: Square(), 'nn.Square'),
    _pointwise('Power-3', lambda: Power(3), 'nn.Power'),
    Spec('Log', lambda: Log(), _positive(5), _positive(3, 5), printed='nn.Log', params=(),
         input_range=(0.2, 2), bad_inputs=[_NOT_FLOAT]),
    Spec('Sqrt', lambda: Sqrt(), _positive(5), _positive(3, 5), printed='nn.Sqrt', params=(),
         input_range=(0.2, 2)),
    Spec('Sqrt-eps', lambda: Sqrt(0.1), _positive(5), _positive(3, 5), params=(),
         input_range=(0.2, 2)),
    Spec('Power-half', lambda: Power(0.5), _positive(5), _positive(3, 5), params=(),
         input_range=(0.2, 2)),
    Spec('Identity', lambda: Identity(), lambda: randn(4), lambda: randn(2, 4),
         printed='nn.Identity', params=()),
    Spec('Copy', lambda: Copy('torch.DoubleTensor', 'torch.DoubleTensor', True),
         lambda: randn(4), lambda: randn(2, 4), printed='nn.Copy', params=()),

    # softmax family: the feature dim of 1-D/2-D input, the channel dim of 3-D/4-D input
    Spec('SoftMax', lambda: SoftMax(), lambda: randn(6), lambda: randn(3, 6),
         printed='nn.SoftMax', params=(),
         bad_inputs=[(lambda: randn(2, 2, 2, 2, 2), ValueError, r'expected 1-D, 2-D, 3-D or 4-D'),
                     _NOT_FLOAT]),
    Spec('LogSoftMax', lambda: LogSoftMax(), lambda: randn(6), lambda: randn(3, 6),
         printed='nn.LogSoftMax', params=(),
         bad_inputs=[(lambda: randn(2, 2, 2, 2, 2), ValueError, r'got size 2 x 2 x 2 x 2 x 2'),
                     (lambda: torch.DoubleTensor(), ValueError, r'empty')]),
    Spec('SoftMin', lambda: SoftMin(), lambda: randn(6), lambda: randn(3, 6),
         printed='nn.SoftMin', params=()),
    Spec('SoftMax-planes', lambda: SoftMax(), lambda: randn(3, 2, 2), lambda: randn(2, 3, 2, 2),
         params=()),
    Spec('SpatialSoftMax', lambda: SpatialSoftMax(), lambda: randn(3, 2, 3),
         lambda: randn(2, 3, 2, 3), printed='nn.SpatialSoftMax', params=()),
    Spec('SpatialLogSoftMax', lambda: SpatialLogSoftMax(), lambda: randn(4, 2, 2),
         lambda: randn(2, 4, 2, 2), printed='nn.SpatialLogSoftMax', params=()),
]
