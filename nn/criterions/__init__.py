"""nn criterions (losses), by family. Class targets are 0-based.

classification  ClassNLLCriterion, CrossEntropyCriterion, SpatialClassNLLCriterion,
                BCECriterion, MarginCriterion, SoftMarginCriterion, MultiMarginCriterion
regression      MSECriterion, AbsCriterion, SmoothL1Criterion, DistKLDivCriterion
embedding       HingeEmbeddingCriterion, CosineEmbeddingCriterion, MarginRankingCriterion
combined        MultiCriterion, ParallelCriterion
"""
from .classification import (ClassNLLCriterion, CrossEntropyCriterion, SpatialClassNLLCriterion,
                             BCECriterion, MarginCriterion, SoftMarginCriterion,
                             MultiMarginCriterion)
from .regression import MSECriterion, AbsCriterion, SmoothL1Criterion, DistKLDivCriterion
from .embedding import HingeEmbeddingCriterion, CosineEmbeddingCriterion, MarginRankingCriterion
from .combined import MultiCriterion, ParallelCriterion
