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

# layers with parameters
from .linear import Linear
from .parametrised import Add, CAdd, Mul, CMul, PReLU, LookupTable
from . import initialisers as init

# transfer functions and element-wise modules
from .activations import (Threshold, ReLU, HardTanh, Clamp, ReLU6, LeakyReLU, ELU, SoftPlus,
                          LogSigmoid, Tanh, Sigmoid, SoftSign, AddConstant, MulConstant)
from .softmax import SoftMax, LogSoftMax, SoftMin, SpatialSoftMax, SpatialLogSoftMax
from .elementwise import Identity, Copy, Exp, Log, Abs, Square, Sqrt, Power

# convolution, pooling, padding and upsampling
from .convolution import SpatialConvolution, SpatialConvolutionMM
from .full_convolution import SpatialFullConvolution
from .pooling import (SpatialMaxPooling, SpatialAveragePooling, SpatialAdaptiveMaxPooling,
                      SpatialAdaptiveAveragePooling)
from .padding import (SpatialZeroPadding, SpatialReflectionPadding, SpatialReplicationPadding,
                      SpatialUpSamplingNearest)
from .temporal import TemporalConvolution, TemporalMaxPooling
from .volumetric import VolumetricConvolution, VolumetricMaxPooling, VolumetricAveragePooling

# shape adaptors, reductions, table modules, distances, matrix products
from .shape import (View, Reshape, Contiguous, Squeeze, Unsqueeze, Transpose, Select, Narrow,
                    Replicate, Padding)
from .reduce import Sum, Mean, Max, Min
from .table_ops import JoinTable, SplitTable, SelectTable, NarrowTable, FlattenTable
from .table_arith import CAddTable, CSubTable, CMulTable, CDivTable, CMaxTable, CMinTable
from .distance import PairwiseDistance, DotProduct, CosineDistance
from .matrix import MM, MV

# training helpers
from .training import StochasticGradient

# normalisation and regularisation
from .batchnorm import BatchNormalization, SpatialBatchNormalization
from .dropout import Dropout, SpatialDropout
from .normalize import Normalize, SpatialCrossMapLRN

# criterions
from .criterions import (ClassNLLCriterion, CrossEntropyCriterion, SpatialClassNLLCriterion,
                         BCECriterion, MarginCriterion, SoftMarginCriterion, MultiMarginCriterion,
                         MSECriterion, AbsCriterion, SmoothL1Criterion, DistKLDivCriterion,
                         HingeEmbeddingCriterion, CosineEmbeddingCriterion, MarginRankingCriterion,
                         MultiCriterion, ParallelCriterion)
