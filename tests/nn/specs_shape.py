"""Catalogue rows for the shape adaptors (nn/shape.py) and the reductions (nn/reduce.py)."""
from harness import Spec, randn
from torchlike import DoubleTensor

from nn.reduce import Max, Mean, Min, Sum
from nn.shape import (Contiguous, Narrow, Padding, Replicate, Reshape, Select, Squeeze,
                      Transpose, Unsqueeze, View)

NOPARAMS = ()


def S(id, make, single, batch, **kw):
    return Spec(id, make, single, batch, params=NOPARAMS, **kw)


SPECS = [
    # -- views and reshapes
    S('View', lambda: View(12), lambda: randn(3, 4), lambda: randn(2, 3, 4),
      printed='nn.View(12)',
      bad_inputs=[(lambda: randn(5), ValueError, r'does not match the view 12'),
                  (lambda: [randn(12)], TypeError, r'expected a tensor input')]),
    S('View-infer', lambda: View(-1).setNumInputDims(2), lambda: randn(3, 4),
      lambda: randn(2, 3, 4), printed='nn.View(-1)',
      bad_inputs=[(lambda: randn(5), ValueError, r'fewer than numInputDims = 2')]),
    S('View-2d', lambda: View(2, -1), lambda: randn(4, 2), None, printed='nn.View(2, -1)'),
    S('Reshape', lambda: Reshape(12), lambda: randn(3, 4), lambda: randn(2, 3, 4),
      printed='nn.Reshape(12)',
      bad_inputs=[(lambda: randn(2, 5), ValueError, r'cannot reshape input of size 2 x 5')]),
    S('Reshape-2d', lambda: Reshape(2, 6), lambda: randn(3, 4), lambda: randn(3, 3, 4),
      printed='nn.Reshape(2x6)'),
    S('Reshape-nobatch', lambda: Reshape(6, 2, False), lambda: randn(1, 12), None),
    S('Contiguous', lambda: Contiguous(), lambda: randn(4, 3).t(),
      lambda: randn(4, 3, 2).transpose(0, 2), printed='nn.Contiguous'),
    S('Squeeze', lambda: Squeeze(), lambda: randn(3, 1, 4), None, printed='nn.Squeeze'),
    S('Squeeze-batch', lambda: Squeeze(None, 3), lambda: randn(3, 1, 4),
      lambda: randn(2, 3, 1, 4)),
    S('Squeeze-dim', lambda: Squeeze(1, 2), lambda: randn(3, 1), lambda: randn(2, 3, 1),
      bad_inputs=[(lambda: randn(3), IndexError, r'dimension 1 is out of range')]),
    S('Unsqueeze', lambda: Unsqueeze(1, 2), lambda: randn(3, 4), lambda: randn(2, 3, 4),
      printed='nn.Unsqueeze(dim 1)',
      bad_inputs=[(lambda: randn(3), ValueError, r'fewer than numInputDims = 2')]),
    S('Unsqueeze-last', lambda: Unsqueeze(-1), lambda: randn(3, 4), lambda: randn(2, 3, 4)),
    S('Transpose', lambda: Transpose((0, 1)).setNumInputDims(2), lambda: randn(3, 4),
      lambda: randn(2, 3, 4), printed='nn.Transpose'),
    S('Transpose-chain', lambda: Transpose((0, 2), (1, 2)), lambda: randn(2, 3, 4), None,
      bad_inputs=[(lambda: randn(2, 3), IndexError, r'cannot transpose dimensions 0 and 2')]),
    # -- parts of the input
    S('Select', lambda: Select(-1, 1), lambda: randn(3, 4), lambda: randn(2, 3, 4),
      printed='nn.Select',
      bad_inputs=[(lambda: randn(3, 1), IndexError, r'index 1 is out of range for dimension '
                                                    r'1 of size 1'),
                  (lambda: randn(4), ValueError, r'at least 2 dimensions')]),
    S('Select-negative-index', lambda: Select(0, -1), lambda: randn(3, 4), None),
    S('Narrow', lambda: Narrow(-1, 1, 2), lambda: randn(3, 4), lambda: randn(2, 3, 4),
      printed='nn.Narrow',
      bad_inputs=[(lambda: randn(3, 2), IndexError, r'offset 1 with length 2 is out of '
                                                    r'range for dimension 1 of size 2')]),
    S('Narrow-negative-length', lambda: Narrow(0, 1, -1), lambda: randn(4, 3), None),
    S('Narrow-negative-offset', lambda: Narrow(1, -2, 2), lambda: randn(2, 5), None),
    S('Replicate', lambda: Replicate(3, 0, 1), lambda: randn(4), lambda: randn(2, 4),
      printed='nn.Replicate'),
    S('Replicate-inner', lambda: Replicate(2, 1), lambda: randn(3, 2), None,
      bad_inputs=[(lambda: DoubleTensor(), ValueError, r'not enough input dimensions')]),
    S('Padding-before', lambda: Padding(0, -2, 1, 0.5), lambda: randn(4), lambda: randn(2, 4),
      printed='nn.Padding'),
    S('Padding-after', lambda: Padding(1, 2, 2, -1.0, 1), lambda: randn(2, 3),
      lambda: randn(2, 2, 3),
      bad_inputs=[(lambda: randn(4), IndexError, r'dimension 1 is out of range')]),
    # -- reductions (the reduced dimension is dropped)
    S('Sum', lambda: Sum(0, 2), lambda: randn(3, 4), lambda: randn(2, 3, 4), printed='nn.Sum',
      bad_inputs=[(lambda: [randn(3)], TypeError, r'expected a tensor input')]),
    S('Sum-average', lambda: Sum(-1, None, True), lambda: randn(3, 4), lambda: randn(2, 3, 4)),
    S('Sum-keepdim', lambda: Sum(1, 2, False, False), lambda: randn(3, 4),
      lambda: randn(2, 3, 4)),
    S('Sum-vector', lambda: Sum(0), lambda: randn(5), None),
    S('Mean', lambda: Mean(1, 2), lambda: randn(3, 4), lambda: randn(2, 3, 4), printed='nn.Mean'),
    S('Max', lambda: Max(1, 2), lambda: randn(3, 4), lambda: randn(2, 3, 4), printed='nn.Max',
      bad_inputs=[(lambda: randn(4), IndexError, r'dimension 1 is out of range')]),
    S('Max-vector', lambda: Max(0), lambda: randn(5), None),
    S('Min', lambda: Min(0, 2), lambda: randn(3, 4), lambda: randn(2, 3, 4), printed='nn.Min'),
    S('Min-last', lambda: Min(-1), lambda: randn(3, 4), lambda: randn(2, 3, 4)),
]
