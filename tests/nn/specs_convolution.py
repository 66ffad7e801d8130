"""Catalogue rows for the convolutions: SpatialConvolution(MM), SpatialFullConvolution,
TemporalConvolution, VolumetricConvolution (tiny sizes: the Jacobian costs a forward per input
element)."""
from harness import Spec, randn

from nn.convolution import SpatialConvolution, SpatialConvolutionMM
from nn.full_convolution import SpatialFullConvolution
from nn.temporal import TemporalConvolution
from nn.volumetric import VolumetricConvolution

_CONV_BAD = [
    (lambda: randn(3, 5, 4), ValueError, r'input has 3 planes, expected 2'),
    (lambda: randn(5, 4), ValueError, r'expected 3-D \(nInputPlane x H x W\) or 4-D'),
    (lambda: randn(2, 1, 4), ValueError, r'input size 2 x 1 x 4 is too small'),
    (lambda: randn(2, 5, 4).float(), TypeError, r'input is a torch.FloatTensor'),
]

SPECS = [
    Spec('SpatialConvolution', lambda: SpatialConvolution(2, 3, 3, 2), lambda: randn(2, 5, 4),
         lambda: randn(3, 2, 5, 4), printed='nn.SpatialConvolution(2 -> 3, 3x2)',
         bad_inputs=_CONV_BAD),
    Spec('SpatialConvolution-stride-pad', lambda: SpatialConvolution(2, 2, 3, 3, 2, 1, 1, 0),
         lambda: randn(2, 4, 5), lambda: randn(2, 2, 4, 5),
         printed='nn.SpatialConvolution(2 -> 2, 3x3, 2,1, 1,0)'),
    Spec('SpatialConvolution-pad-default', lambda: SpatialConvolution(1, 2, 2, 2, 1, 1, 1),
         lambda: randn(1, 3, 3), lambda: randn(2, 1, 3, 3),
         printed='nn.SpatialConvolution(1 -> 2, 2x2, 1,1, 1,1)'),
    Spec('SpatialConvolution-nobias', lambda: SpatialConvolution(2, 2, 2, 2, 1, 2).noBias(),
         lambda: randn(2, 4, 3), lambda: randn(2, 2, 4, 3),
         printed='nn.SpatialConvolution(2 -> 2, 2x2, 1,2) without bias'),
    Spec('SpatialConvolutionMM', lambda: SpatialConvolutionMM(2, 3, 2, 2, 1, 1, 1, 1),
         lambda: randn(2, 3, 3), lambda: randn(2, 2, 3, 3),
         printed='nn.SpatialConvolutionMM(2 -> 3, 2x2, 1,1, 1,1)'),
    Spec('SpatialFullConvolution', lambda: SpatialFullConvolution(2, 3, 3, 2, 2, 1, 1, 0, 1, 0),
         lambda: randn(2, 3, 2), lambda: randn(2, 2, 3, 2),
         printed='nn.SpatialFullConvolution(2 -> 3, 3x2, 2,1, 1,0, 1,0)',
         bad_inputs=[(lambda: randn(3, 3, 2), ValueError, r'input has 3 planes, expected 2'),
                     (lambda: randn(3, 2), ValueError, r'expected 3-D')]),
    Spec('SpatialFullConvolution-nobias',
         lambda: SpatialFullConvolution(1, 2, 2, 2, 2, 2, 1, 1).noBias(),
         lambda: randn(1, 3, 2), lambda: randn(2, 1, 3, 2),
         printed='nn.SpatialFullConvolution(1 -> 2, 2x2, 2,2, 1,1) without bias'),
    Spec('TemporalConvolution', lambda: TemporalConvolution(3, 2, 3, 2), lambda: randn(7, 3),
         lambda: randn(2, 7, 3), printed='nn.TemporalConvolution',
         bad_inputs=[(lambda: randn(7, 4), ValueError, r'frames have 4 values, expected 3'),
                     (lambda: randn(2, 3), ValueError, r'has 2 frames, fewer than the kernel '
                                                       r'width 3'),
                     (lambda: randn(7), ValueError, r'expected 2-D')]),
    Spec('VolumetricConvolution', lambda: VolumetricConvolution(2, 2, 2, 3, 2, 1, 2, 1, 1, 1, 0),
         lambda: randn(2, 3, 3, 3), lambda: randn(2, 2, 3, 3, 3),
         printed='nn.VolumetricConvolution(2 -> 2, 2x3x2, 1,2,1, 1,1,0)',
         bad_inputs=[(lambda: randn(1, 3, 3, 3), ValueError, r'input has 1 planes, expected 2'),
                     (lambda: randn(2, 3, 3), ValueError, r'expected 4-D')]),
    Spec('VolumetricConvolution-nobias',
         lambda: VolumetricConvolution(1, 2, 2, 2, 2).noBias(), lambda: randn(1, 3, 3, 2),
         lambda: randn(2, 1, 3, 3, 2), printed='nn.VolumetricConvolution(1 -> 2, 2x2x2)'),
]
