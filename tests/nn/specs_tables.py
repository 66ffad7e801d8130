"""Catalogue rows for the table modules (nn/table_ops.py), the distances (nn/distance.py) and
the matrix products (nn/matrix.py). Their inputs are lists, so batch rows are not compared with
single samples by the harness (tests/nn/test_tables.py does that where it applies)."""
from harness import Spec, rand, randn

from nn.distance import CosineDistance, DotProduct, PairwiseDistance
from nn.matrix import MM, MV
from nn.table_arith import (CAddTable, CDivTable, CMaxTable, CMinTable, CMulTable,
                            CSubTable)
from nn.table_ops import FlattenTable, JoinTable, NarrowTable, SelectTable, SplitTable


def T(id, make, single, batch=None, **kw):
    kw.setdefault('batch_matches_single', False)
    return Spec(id, make, single, batch, params=(), **kw)


def pair(*sizes):
    return lambda: [randn(*sizes), randn(*sizes)]


SPECS = [
    # -- joining, splitting, selecting
    T('JoinTable', lambda: JoinTable(0, 1), lambda: [randn(3), randn(2)],
      lambda: [randn(2, 3), randn(2, 2)], printed='nn.JoinTable',
      bad_inputs=[(lambda: [randn(2, 3), randn(3, 3)], ValueError,
                   r'input\[1\] has size 3 x 3, which does not match input\[0\] \(2 x 3\) '
                   r'outside dimension 1'),
                  (lambda: randn(2, 3), TypeError, r'expected a list as input'),
                  (lambda: [], ValueError, r'at least 1 entries')]),
    T('JoinTable-last', lambda: JoinTable(-1), lambda: [randn(2, 3), randn(2, 1), randn(2, 2)]),
    T('SplitTable', lambda: SplitTable(0, 2), lambda: randn(3, 4), lambda: randn(2, 3, 4),
      printed='nn.SplitTable',
      bad_inputs=[(lambda: randn(4), ValueError, r'at least 2 dimensions')]),
    T('SplitTable-last', lambda: SplitTable(-1), lambda: randn(3, 2)),
    T('SelectTable', lambda: SelectTable(1), lambda: [randn(2), randn(3), randn(1)],
      printed='nn.SelectTable(1)',
      bad_inputs=[(lambda: [randn(2)], IndexError, r'index 1 is out of range for a table of 1 '
                                                   r'entries \(valid: -1 to 0\)')]),
    T('SelectTable-nested', lambda: SelectTable(-1), lambda: [randn(2), [randn(3), randn(1)]],
      printed='nn.SelectTable(-1)'),
    T('SelectTable-from-nested', lambda: SelectTable(0), lambda: [randn(2), [randn(3), randn(1)]]),
    T('NarrowTable', lambda: NarrowTable(1, 2), lambda: [randn(2), randn(3), randn(4), randn(1)],
      printed='nn.NarrowTable',
      bad_inputs=[(lambda: [randn(2), randn(2)], IndexError, r'out of range for a table of 2')]),
    T('FlattenTable', lambda: FlattenTable(), lambda: [randn(2), [randn(3), [randn(1)]], randn(2)],
      printed='nn.FlattenTable'),
    # -- element-wise arithmetic
    T('CAddTable', lambda: CAddTable(), lambda: [randn(3), randn(3), randn(3)],
      lambda: [randn(2, 3), randn(2, 3)], printed='nn.CAddTable',
      bad_inputs=[(lambda: [randn(2, 3), randn(3, 2)], ValueError,
                   r'input\[1\] has size 3 x 2 but input\[0\] has size 2 x 3'),
                  (lambda: [randn(2, 3), randn(2, 3).float()], TypeError,
                   r'input\[1\] is a torch.FloatTensor')]),
    T('CSubTable', lambda: CSubTable(), pair(3), pair(2, 3),
      bad_inputs=[(lambda: [randn(3)] * 3, ValueError, r'list of 2 entries, got 3')]),
    T('CMulTable', lambda: CMulTable(), lambda: [randn(3), randn(3), randn(3)], pair(2, 3)),
    T('CDivTable', lambda: CDivTable(), lambda: [rand(3, lo=0.5, hi=2), rand(3, lo=0.5, hi=2)],
      lambda: [rand(2, 3, lo=0.5, hi=2), rand(2, 3, lo=0.5, hi=2)], input_range=(0.5, 2)),
    T('CMaxTable', lambda: CMaxTable(), lambda: [randn(3), randn(3), randn(3)], pair(2, 3)),
    T('CMinTable', lambda: CMinTable(), pair(4), pair(2, 3)),
    # -- distances (vector pair -> 1 value, batch pair -> N values)
    T('PairwiseDistance', lambda: PairwiseDistance(2), pair(4), pair(3, 4),
      printed='nn.PairwiseDistance',
      bad_inputs=[(lambda: [randn(3, 4), randn(3, 5)], ValueError,
                   r'same size, got 3 x 4 and 3 x 5')]),
    T('PairwiseDistance-L1', lambda: PairwiseDistance(1), pair(4), pair(3, 4)),
    T('PairwiseDistance-L3', lambda: PairwiseDistance(3), pair(4), pair(3, 4)),
    T('PairwiseDistance-L1.5', lambda: PairwiseDistance(1.5), pair(4), pair(3, 4)),
    T('DotProduct', lambda: DotProduct(), pair(4), pair(3, 4), printed='nn.DotProduct',
      bad_inputs=[(lambda: [randn(2, 2, 2), randn(2, 2, 2)], ValueError,
                   r'two vectors or two N x D batches')]),
    T('CosineDistance', lambda: CosineDistance(), pair(4), pair(3, 4),
      printed='nn.CosineDistance'),
    # -- matrix products
    T('MM', lambda: MM(), lambda: [randn(2, 3), randn(3, 4)],
      lambda: [randn(2, 2, 3), randn(2, 3, 4)], printed='nn.MM',
      bad_inputs=[(lambda: [randn(2, 3), randn(2, 4)], ValueError,
                   r'size mismatch, m1: \[2 x 3\], m2: \[2 x 4\]'),
                  (lambda: [randn(2, 2, 3), randn(3, 3, 4)], ValueError,
                   r'the batches hold 2 and 3 matrices')]),
    T('MM-transA', lambda: MM(True), lambda: [randn(3, 2), randn(3, 4)],
      lambda: [randn(2, 3, 2), randn(2, 3, 4)]),
    T('MM-transB', lambda: MM(False, True), lambda: [randn(2, 3), randn(4, 3)],
      lambda: [randn(2, 2, 3), randn(2, 4, 3)]),
    T('MM-transAB', lambda: MM(True, True), lambda: [randn(3, 2), randn(4, 3)],
      lambda: [randn(2, 3, 2), randn(2, 4, 3)]),
    T('MV', lambda: MV(), lambda: [randn(2, 3), randn(3)], lambda: [randn(2, 2, 3), randn(2, 3)],
      printed='nn.MV',
      bad_inputs=[(lambda: [randn(2, 3), randn(2)], ValueError, r'size mismatch')]),
    T('MV-trans', lambda: MV(True), lambda: [randn(3, 2), randn(3)],
      lambda: [randn(2, 3, 2), randn(2, 3)]),
]
