"""Catalogue rows for batch normalisation, dropout and the normalisation layers."""
import math

from harness import Spec, randn

from nn.batchnorm import BatchNormalization, SpatialBatchNormalization
from nn.dropout import Dropout, SpatialDropout
from nn.normalize import Normalize, SpatialCrossMapLRN


def trained(module, *batch):
    """`module` after a few training-mode forwards, so that its running statistics are not
    the initial (0, 1) and evaluate mode really tests them."""
    for _ in range(3):
        module.forward(randn(*batch).mul(1.5).add(0.7))
    return module


_BN_BAD = [(lambda: randn(4, 5), ValueError, r'got 5 features, expected 3'),
           (lambda: randn(2, 3, 4), ValueError, r'expected 2-D input'),
           (lambda: randn(4, 3).float(), TypeError, r'input is a torch.FloatTensor')]
_SBN_BAD = [(lambda: randn(2, 4, 2, 2), ValueError, r'got 4 channels, expected 3'),
            (lambda: randn(3, 4), ValueError, r'expected 4-D input')]

SPECS = [
    # training mode needs a batch: the single-sample rows only run evaluate mode
    Spec('BatchNormalization', lambda: trained(BatchNormalization(3), 5, 3), None,
         lambda: randn(4, 3), printed='nn.BatchNormalization (2D) (3)', bad_inputs=_BN_BAD),
    Spec('BatchNormalization-eval-single', lambda: trained(BatchNormalization(3), 5, 3),
         lambda: randn(3), lambda: randn(4, 3), modes=('eval',)),
    Spec('BatchNormalization-noaffine',
         lambda: trained(BatchNormalization(4, 1e-3, 0.3, affine=False), 5, 4), None,
         lambda: randn(3, 4), printed='nn.BatchNormalization (2D) (4)'),
    Spec('SpatialBatchNormalization', lambda: trained(SpatialBatchNormalization(3), 2, 3, 2, 2),
         None, lambda: randn(2, 3, 2, 2), printed='nn.SpatialBatchNormalization (4D) (3)',
         bad_inputs=_SBN_BAD),
    Spec('SpatialBatchNormalization-eval-single',
         lambda: trained(SpatialBatchNormalization(3), 2, 3, 2, 2), lambda: randn(3, 2, 2),
         lambda: randn(2, 3, 2, 2), modes=('eval',)),
    Spec('SpatialBatchNormalization-batch1',     # one sample, several pixels: batch stats
         lambda: SpatialBatchNormalization(2), None, lambda: randn(1, 2, 2, 3)),

    Spec('Dropout', lambda: Dropout(), lambda: randn(5), lambda: randn(3, 5),
         printed='nn.Dropout(0.500000)', jacobian=False),
    Spec('Dropout-v1', lambda: Dropout(0.3, v1=True), lambda: randn(5), lambda: randn(3, 5),
         printed='nn.Dropout(0.300000)', jacobian=False),
    Spec('SpatialDropout', lambda: SpatialDropout(0.4), lambda: randn(3, 2, 2),
         lambda: randn(2, 3, 2, 2), printed='nn.SpatialDropout(0.400000)', jacobian=False,
         bad_inputs=[(lambda: randn(3, 4), ValueError, r'expected 3-D or 4-D input')]),

    Spec('Normalize-2', lambda: Normalize(2), lambda: randn(5), lambda: randn(3, 5),
         printed='nn.Normalize(2)',
         bad_inputs=[(lambda: randn(2, 3, 4), ValueError, r'expected 1-D or 2-D input')]),
    Spec('Normalize-1', lambda: Normalize(1), lambda: randn(5), lambda: randn(3, 5),
         printed='nn.Normalize(1)'),
    Spec('Normalize-3', lambda: Normalize(3), lambda: randn(4), lambda: randn(2, 4)),
    Spec('Normalize-1.5', lambda: Normalize(1.5), lambda: randn(4), lambda: randn(2, 4),
         printed='nn.Normalize(1.500000)'),
    Spec('Normalize-inf', lambda: Normalize(math.inf), lambda: randn(4), lambda: randn(3, 4),
         printed='nn.Normalize(inf)'),

    Spec('SpatialCrossMapLRN', lambda: SpatialCrossMapLRN(3, 0.5, 0.75, 2),
         lambda: randn(5, 2, 2), lambda: randn(2, 5, 2, 2), printed='nn.SpatialCrossMapLRN',
         bad_inputs=[(lambda: randn(5, 4), ValueError, r'expected 3-D or 4-D input')]),
    Spec('SpatialCrossMapLRN-even', lambda: SpatialCrossMapLRN(4, 0.3, 0.6, 1.5),
         lambda: randn(5, 2, 1), lambda: randn(2, 5, 1, 2)),
]
