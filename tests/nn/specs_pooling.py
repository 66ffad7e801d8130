"""Catalogue rows for pooling, padding and upsampling (spatial, temporal, volumetric)."""
import torchlike as torch
from harness import Spec, randn

from nn.padding import (SpatialReflectionPadding, SpatialReplicationPadding,
                        SpatialUpSamplingNearest, SpatialZeroPadding)
from nn.pooling import (SpatialAdaptiveAveragePooling, SpatialAdaptiveMaxPooling,
                        SpatialAveragePooling, SpatialMaxPooling)
from nn.temporal import TemporalMaxPooling
from nn.volumetric import VolumetricAveragePooling, VolumetricMaxPooling


def S(id, make, single, batch, **kw):
    return Spec(id, make, single, batch, params=(), **kw)


_POOL_BAD = [
    (lambda: randn(4, 4), ValueError, r'expected 3-D or 4-D input'),
    (lambda: randn(2, 1, 1), ValueError, r'input size 2 x 1 x 1 is too small'),
    (lambda: torch.LongTensor(2, 4, 4), TypeError, r'FloatTensor or torch.DoubleTensor input'),
]

SPECS = [
    S('SpatialMaxPooling', lambda: SpatialMaxPooling(2, 2), lambda: randn(2, 4, 4),
      lambda: randn(2, 2, 4, 4), printed='nn.SpatialMaxPooling(2x2, 2,2)', bad_inputs=_POOL_BAD),
    S('SpatialMaxPooling-overlap', lambda: SpatialMaxPooling(3, 2, 1, 1), lambda: randn(2, 4, 5),
      lambda: randn(2, 2, 4, 5), printed='nn.SpatialMaxPooling(3x2, 1,1)'),
    S('SpatialMaxPooling-pad-ceil', lambda: SpatialMaxPooling(3, 2, 2, 1, 1, 1).ceil(),
      lambda: randn(2, 4, 6), lambda: randn(2, 2, 4, 6),
      printed='nn.SpatialMaxPooling(3x2, 2,1, 1,1)'),
    S('SpatialAveragePooling', lambda: SpatialAveragePooling(2, 2, 2, 2), lambda: randn(2, 4, 4),
      lambda: randn(2, 2, 4, 4), printed='nn.SpatialAveragePooling(2x2, 2,2)',
      bad_inputs=_POOL_BAD),
    S('SpatialAveragePooling-pad-ceil', lambda: SpatialAveragePooling(3, 2, 2, 2, 1, 1).ceil(),
      lambda: randn(2, 5, 6), lambda: randn(2, 2, 5, 6),
      printed='nn.SpatialAveragePooling(3x2, 2,2, 1,1)'),
    S('SpatialAveragePooling-exclude-pad',
      lambda: SpatialAveragePooling(3, 3, 2, 2, 1, 1).ceil().setCountExcludePad(),
      lambda: randn(1, 6, 5), lambda: randn(2, 1, 6, 5)),
    S('SpatialAdaptiveMaxPooling', lambda: SpatialAdaptiveMaxPooling(2, 3),
      lambda: randn(2, 5, 4), lambda: randn(2, 2, 5, 4), printed='nn.SpatialAdaptiveMaxPooling'),
    S('SpatialAdaptiveAveragePooling', lambda: SpatialAdaptiveAveragePooling(3, 2),
      lambda: randn(2, 3, 5), lambda: randn(2, 2, 3, 5)),
    S('SpatialZeroPadding', lambda: SpatialZeroPadding(1, 2, -1, 0), lambda: randn(2, 3, 3),
      lambda: randn(2, 2, 3, 3), printed='nn.SpatialZeroPadding(l=1, r=2, t=-1, b=0)',
      bad_inputs=[(lambda: randn(3, 3), ValueError, r'expected 3-D or 4-D input'),
                  (lambda: randn(2, 1, 3), ValueError, r'is too small for the padding')]),
    S('SpatialReflectionPadding', lambda: SpatialReflectionPadding(1, 2, 0, 1),
      lambda: randn(2, 3, 3), lambda: randn(2, 2, 3, 3),
      printed='nn.SpatialReflectionPadding(l=1, r=2, t=0, b=1)',
      bad_inputs=[(lambda: randn(2, 3, 2), ValueError, r'pad_r = 2 must be smaller than the '
                                                       r'input width 2')]),
    S('SpatialReplicationPadding', lambda: SpatialReplicationPadding(2, 1, 1, -1),
      lambda: randn(2, 3, 3), lambda: randn(2, 2, 3, 3),
      printed='nn.SpatialReplicationPadding(l=2, r=1, t=1, b=-1)'),
    S('SpatialUpSamplingNearest', lambda: SpatialUpSamplingNearest(2), lambda: randn(2, 2, 3),
      lambda: randn(2, 2, 2, 3), printed='nn.SpatialUpSamplingNearest',
      bad_inputs=[(lambda: randn(2, 3), ValueError, r'expected 3-D or 4-D input')]),
    S('TemporalMaxPooling', lambda: TemporalMaxPooling(2), lambda: randn(6, 3),
      lambda: randn(2, 6, 3), printed='nn.TemporalMaxPooling',
      bad_inputs=[(lambda: randn(1, 3), ValueError, r'has 1 frames, fewer than the kernel '
                                                    r'width 2')]),
    S('TemporalMaxPooling-overlap', lambda: TemporalMaxPooling(3, 1), lambda: randn(5, 2),
      lambda: randn(2, 5, 2)),
    S('VolumetricMaxPooling', lambda: VolumetricMaxPooling(2, 2, 2), lambda: randn(2, 2, 4, 4),
      lambda: randn(2, 2, 2, 4, 4), printed='nn.VolumetricMaxPooling(2x2x2, 2,2,2)',
      bad_inputs=[(lambda: randn(2, 4, 4), ValueError, r'expected 4-D or 5-D input')]),
    S('VolumetricMaxPooling-pad-ceil',
      lambda: VolumetricMaxPooling(2, 3, 2, 2, 2, 1, 1, 1, 1).ceil(), lambda: randn(1, 3, 3, 4),
      lambda: randn(2, 1, 3, 3, 4), printed='nn.VolumetricMaxPooling(2x3x2, 2,2,1, 1,1,1)'),
    S('VolumetricAveragePooling', lambda: VolumetricAveragePooling(2, 2, 1, 1, 1, 1),
      lambda: randn(2, 3, 2, 3), lambda: randn(2, 2, 3, 2, 3),
      printed='nn.VolumetricAveragePooling(2x2x1, 1,1,1)'),
]
