"""Table modules, distances and matrix products beyond the catalogue: pass-through without
copies, gradInput structures, in-place CAddTable, ties, values against numpy formulas, batch
rows against single pairs, PyTorch parity, Lua-written .t7 files."""
import numpy as np
import pytest

import nn
import torchlike as torch
from torchlike.serialization import TorchObject
from nn.distance import CosineDistance, DotProduct, PairwiseDistance
from nn.matrix import MM, MV
from nn.table_arith import (CAddTable, CDivTable, CMaxTable, CMinTable, CMulTable,
                            CSubTable)
from nn.table_ops import FlattenTable, JoinTable, NarrowTable, SelectTable, SplitTable


@pytest.fixture(autouse=True)
def _seeded():
    torch.manualSeed(11)


def randn(*sizes):
    return torch.DoubleTensor(*sizes).normal(0, 1)


def A(t):
    return t.numpy()


def lua_module(name, **fields):
    base = {'output': torch.DoubleTensor(), 'gradInput': {}, 'train': True,
            '_type': 'torch.DoubleTensor'}
    base.update(fields)
    return torch.deserialize(torch.serialize(TorchObject(name, 1, base)))


# -- JoinTable / SplitTable ------------------------------------------------------------------
@pytest.mark.parametrize('dim,nInputDims,axis', [(0, None, 0), (1, None, 1), (-1, None, 1),
                                                  (0, 1, 1), (-2, None, 0)])
def test_jointable_matches_concatenate(dim, nInputDims, axis):
    xs = [randn(2, 3), randn(2, 3), randn(2, 3)]
    m = JoinTable(dim, nInputDims)
    out = m.forward(xs)
    np.testing.assert_array_equal(A(out), np.concatenate([A(x) for x in xs], axis))
    g = randn(*out.size())
    gi = m.backward(xs, g)
    assert isinstance(gi, list) and len(gi) == 3
    np.testing.assert_array_equal(np.concatenate([A(t) for t in gi], axis), A(g))
    # fewer inputs: the gradInput list shrinks
    assert len(m.backward(xs[:2], m.forward(xs[:2]))) == 2


def test_splittable_gives_views_and_stacks_gradients():
    x = randn(3, 4)
    m = SplitTable(1)
    out = m.forward(x)
    assert len(out) == 4 and all(o.storage() is x.storage() for o in out)
    np.testing.assert_array_equal(A(out[2]), A(x)[:, 2])
    gs = [randn(3) for _ in range(4)]
    np.testing.assert_array_equal(A(m.backward(x, gs)), np.stack([A(g) for g in gs], 1))
    assert len(SplitTable(0, 1).forward(randn(5, 2, 3))) == 2           # batch shift
    with pytest.raises(ValueError, match=r'list of 4 entries, got 3'):
        m.backward(x, gs[:3])


def test_split_then_join_is_the_identity():
    model = nn.Sequential(SplitTable(0, 2), JoinTable(0, 1))
    x = randn(2, 3, 4)
    out = model.forward(x)
    assert out.size() == (2, 12)
    assert nn.Jacobian.testJacobian(model, x) < 1e-8


# -- SelectTable / NarrowTable / FlattenTable --------------------------------------------------
def test_selecttable_passes_the_entry_and_zero_fills_the_rest():
    inner = [randn(3), randn(1, 2)]
    xs = [randn(2), inner, randn(4)]
    m = SelectTable(1)
    assert m.forward(xs) is inner
    g = [randn(3), randn(1, 2)]
    gi = m.backward(xs, g)
    assert len(gi) == 3 and isinstance(gi[1], list)
    assert (A(gi[0]) == 0).all() and (A(gi[2]) == 0).all() and gi[0].size() == (2,)
    np.testing.assert_array_equal(A(gi[1][1]), A(g[1]))
    assert gi[1][1] is not g[1]                  # copied into the module's own buffers
    assert m.forward(xs) is inner
    assert SelectTable(-3).forward(xs) is xs[0]


def test_selecttable_clearState_never_empties_the_callers_tensors():
    xs = [randn(2), randn(3)]
    m = SelectTable(0)
    m.forward(xs)
    m.backward(xs, randn(2))
    m.clearState()
    assert xs[0].nElement() == 2
    m.float()
    assert xs[0]._typename == 'torch.DoubleTensor' and xs[0].nElement() == 2


def test_narrowtable_and_its_gradient():
    xs = [randn(2), randn(3), randn(4), randn(5)]
    m = NarrowTable(1, 2)
    out = m.forward(xs)
    assert out[0] is xs[1] and out[1] is xs[2] and len(out) == 2
    g = [randn(3), randn(4)]
    gi = m.backward(xs, g)
    assert gi[1] is g[0] and gi[2] is g[1]
    assert gi[0].size() == (2,) and (A(gi[0]) == 0).all() and (A(gi[3]) == 0).all()
    # a negative offset counts from the end; with a shorter input the zero buffers never
    # overwrite the caller's gradOutput tensors
    m = NarrowTable(-1)
    assert m.forward(xs)[0] is xs[3]
    g1 = [randn(5)]
    m.backward(xs, g1)
    short = xs[:3]
    m.forward(short)
    g2 = [randn(4)]
    m.backward(short, g2)
    assert (A(g1[0]) != 0).all()


def test_flattentable_structure_round_trip():
    a, b, c, d = randn(1), randn(2), randn(3), randn(4)
    xs = [a, [b, [c]], [], d]
    m = FlattenTable()
    out = m.forward(xs)
    assert [t is s for t, s in zip(out, [a, b, c, d])] == [True] * 4 and len(out) == 4
    g = [randn(1), randn(2), randn(3), randn(4)]
    gi = m.backward(xs, g)
    assert gi[0] is g[0] and gi[1][0] is g[1] and gi[1][1][0] is g[2] and gi[2] == [] \
        and gi[3] is g[3]


# -- element-wise ---------------------------------------------------------------------------------
def test_elementwise_tables_match_numpy():
    x, y, z = randn(2, 3), randn(2, 3), torch.DoubleTensor(2, 3).uniform(1, 2)
    ax, ay, az = A(x), A(y), A(z)
    np.testing.assert_allclose(A(CAddTable().forward([x, y, z])), ax + ay + az)
    np.testing.assert_allclose(A(CSubTable().forward([x, y])), ax - ay)
    np.testing.assert_allclose(A(CMulTable().forward([x, y, z])), ax * ay * az)
    np.testing.assert_allclose(A(CDivTable().forward([x, z])), ax / az)
    np.testing.assert_array_equal(A(CMaxTable().forward([x, y, z])),
                                  np.maximum.reduce([ax, ay, az]))
    np.testing.assert_array_equal(A(CMinTable().forward([x, y])), np.minimum(ax, ay))
    g = randn(2, 3)
    gi = CMulTable()
    gi.forward([x, y, z])
    got = gi.backward([x, y, z], g)
    np.testing.assert_allclose(A(got[1]), A(g) * ax * az)
    d = CDivTable()
    d.forward([x, z])
    got = d.backward([x, z], g)
    np.testing.assert_allclose(A(got[0]), A(g) / az)
    np.testing.assert_allclose(A(got[1]), -A(g) * ax / az ** 2)


def test_cmultable_gradient_with_zeros_is_exact():
    x, y = torch.DoubleTensor([0.0, 2.0]), torch.DoubleTensor([3.0, 0.0])
    m = CMulTable()
    m.forward([x, y])
    gi = m.backward([x, y], torch.DoubleTensor([1.0, 1.0]))
    np.testing.assert_array_equal(A(gi[0]), [3, 0])
    np.testing.assert_array_equal(A(gi[1]), [0, 2])


def test_caddtable_in_place():
    x, y = randn(2, 3), randn(2, 3)
    expected = A(x) + A(y)
    m = CAddTable(True)
    out = m.forward([x, y])
    np.testing.assert_allclose(A(out), expected)
    assert out.storage() is x.storage()
    np.testing.assert_allclose(A(x), expected)    # the sum is written into input[0]
    g = randn(2, 3)
    gi = m.backward([x, y], g)
    assert all(t.storage() is g.storage() for t in gi)
    m.clearState()
    assert x.nElement() == 6 and g.nElement() == 6


def test_cmaxtable_ties_go_to_the_first_entry():
    x, y = torch.DoubleTensor([1, 5, 2]), torch.DoubleTensor([1, 3, 4])
    m = CMaxTable()
    np.testing.assert_array_equal(A(m.forward([x, y])), [1, 5, 4])
    gi = m.backward([x, y], torch.DoubleTensor([10, 20, 30]))
    np.testing.assert_array_equal(A(gi[0]), [10, 20, 0])
    np.testing.assert_array_equal(A(gi[1]), [0, 0, 30])
    m.float()
    m.forward([x.float(), y.float()])
    assert m.maxIdx._typename == 'torch.LongTensor'
    f = m._torchFields()
    np.testing.assert_array_equal(A(f['maxIdx']), [1, 1, 2])   # 1-based in the file


def test_buffers_are_reused():
    m = CAddTable()
    xs = [randn(2, 3), randn(2, 3)]
    out = m.forward(xs)
    gi = m.backward(xs, randn(2, 3))
    g0 = gi[0]
    assert m.forward([randn(2, 3), randn(2, 3)]) is out
    assert m.backward(xs, randn(2, 3))[0] is g0


# -- distances ------------------------------------------------------------------------------------
@pytest.mark.parametrize('p', [1, 2, 3, 1.5])
def test_pairwise_distance_formula_and_batch_rows(p):
    a, b = randn(4, 5), randn(4, 5)
    m = PairwiseDistance(p)
    out = A(m.forward([a, b])).copy()
    np.testing.assert_allclose(out, (np.abs(A(a) - A(b)) ** p).sum(1) ** (1 / p), rtol=1e-12)
    for i in range(4):
        single = m.forward([a.select(0, i).clone(), b.select(0, i).clone()])
        assert single.size() == (1,)
        assert single.numpy()[0] == pytest.approx(out[i], rel=1e-12)


def test_dot_and_cosine_formulas():
    a, b = randn(4, 5), randn(4, 5)
    x, y = A(a), A(b)
    np.testing.assert_allclose(A(DotProduct().forward([a, b])), (x * y).sum(1))
    cos = (x * y).sum(1) / np.sqrt((x * x).sum(1) * (y * y).sum(1))
    np.testing.assert_allclose(A(CosineDistance().forward([a, b])), cos, rtol=1e-10)
    z = torch.DoubleTensor(5)
    assert A(CosineDistance().forward([z, b.select(0, 0)]))[0] == 0      # no NaN at zero
    m = CosineDistance()
    m.forward([a, b])
    g = randn(4)
    gi = m.backward([a, b], g)
    rows = []
    for i in range(4):
        s = CosineDistance()
        s.forward([a.select(0, i).clone(), b.select(0, i).clone()])
        rows.append(A(s.backward([a.select(0, i).clone(), b.select(0, i).clone()],
                                 g.narrow(0, i, 1).clone())[0]).copy())
    np.testing.assert_allclose(A(gi[0]), np.array(rows), rtol=1e-10)


def test_distances_and_products_match_pytorch():
    pt = pytest.importorskip('torch')
    a, b = randn(4, 5), randn(4, 5)
    ta, tb = pt.from_numpy(A(a).copy()), pt.from_numpy(A(b).copy())
    np.testing.assert_allclose(A(CosineDistance().forward([a, b])),
                               pt.nn.functional.cosine_similarity(ta, tb).numpy(), rtol=1e-10)
    np.testing.assert_allclose(A(PairwiseDistance(2).forward([a, b])),
                               pt.cdist(ta[:, None], tb[:, None]).reshape(4).numpy(),
                               rtol=1e-10)
    p, q = randn(3, 2, 4), randn(3, 4, 5)
    tp = pt.from_numpy(A(p).copy()).requires_grad_()
    tq = pt.from_numpy(A(q).copy()).requires_grad_()
    tout = pt.bmm(tp, tq)
    g = randn(3, 2, 5)
    tout.backward(pt.from_numpy(A(g).copy()))
    m = MM()
    np.testing.assert_allclose(A(m.forward([p, q])), tout.detach().numpy(), rtol=1e-12)
    gi = m.backward([p, q], g)
    np.testing.assert_allclose(A(gi[0]), tp.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(A(gi[1]), tq.grad.numpy(), rtol=1e-12)


# -- matrix products ------------------------------------------------------------------------------
@pytest.mark.parametrize('transA,transB', [(False, False), (True, False), (False, True),
                                           (True, True)])
def test_mm_matches_numpy(transA, transB):
    a = randn(3, 2) if transA else randn(2, 3)
    b = randn(4, 3) if transB else randn(3, 4)
    opa = A(a).T if transA else A(a)
    opb = A(b).T if transB else A(b)
    np.testing.assert_allclose(A(MM(transA, transB).forward([a, b])), opa @ opb, rtol=1e-12)


def test_mv_matches_numpy_and_batches():
    m, v = randn(2, 3), randn(3)
    np.testing.assert_allclose(A(MV().forward([m, v])), A(m) @ A(v))
    np.testing.assert_allclose(A(MV(True).forward([m, randn(2).fill(1)])), A(m).sum(0))
    M, V = randn(4, 2, 3), randn(4, 3)
    out = A(MV().forward([M, V]))
    for i in range(4):
        np.testing.assert_allclose(out[i], A(M)[i] @ A(V)[i])


def test_mixed_types_are_refused():
    with pytest.raises(TypeError, match=r'input\[1\] is a torch.FloatTensor'):
        MM().forward([randn(2, 2), randn(2, 2).float()])
    with pytest.raises(TypeError, match=r'expected a list as input'):
        DotProduct().forward(randn(3))


# -- .t7 files ------------------------------------------------------------------------------------
def test_index_fields_are_1_based_in_files():
    assert JoinTable(0)._torchFields()['dimension'] == 1
    assert JoinTable(-1)._torchFields()['dimension'] == -1
    assert SelectTable(0)._torchFields()['index'] == 1
    assert NarrowTable(2, 3)._torchFields()['offset'] == 3
    m = torch.deserialize(torch.serialize(SelectTable(2)))
    assert m.index == 2 and str(m) == 'nn.SelectTable(2)'


def test_lua_written_files_load_into_working_modules():
    x = [randn(2, 3), randn(2, 2)]
    m = lua_module('nn.JoinTable', dimension=2, size=torch.LongStorage())
    assert m.forward(x).size() == (2, 5)
    assert len(m.backward(x, randn(2, 5))) == 2
    m = lua_module('nn.SplitTable', dimension=1, gradInput=torch.DoubleTensor())
    assert len(m.forward(randn(3, 2))) == 3
    m = lua_module('nn.SelectTable', index=2, output={})
    assert m.forward(x) is x[1]
    assert len(m.backward(x, randn(2, 2))) == 2
    m = lua_module('nn.SelectTable', index=-1)
    assert m.forward(x) is x[1]
    m = lua_module('nn.NarrowTable', offset=2, length=1, output={})
    assert m.forward([randn(1), randn(2), randn(3)])[0].size() == (2,)
    m = lua_module('nn.FlattenTable', output={}, input_map={})
    assert len(m.forward([randn(1), [randn(2)]])) == 2
    m = lua_module('nn.CAddTable', inplace=False)
    np.testing.assert_allclose(A(m.forward(x[:1] * 2)), 2 * A(x[0]))
    m = lua_module('nn.CMaxTable', maxIdx=torch.DoubleTensor([1, 2]), mask=torch.DoubleTensor(),
                   maxVals=torch.DoubleTensor(), gradMaxVals=torch.DoubleTensor())
    y = [randn(3), randn(3)]
    np.testing.assert_array_equal(A(m.forward(y)), np.maximum(A(y[0]), A(y[1])))
    assert len(m.backward(y, randn(3))) == 2
    m = lua_module('nn.PairwiseDistance', norm=2, diff=torch.DoubleTensor())
    assert m.forward([randn(4), randn(4)]).size() == (1,)
    m = lua_module('nn.CosineDistance', gradInput=[torch.DoubleTensor(), torch.DoubleTensor()])
    assert m.forward([randn(2, 4), randn(2, 4)]).size() == (2,)
    m = lua_module('nn.MM', transA=False, transB=True,
                   gradInput=[torch.DoubleTensor(), torch.DoubleTensor()])
    assert m.forward([randn(2, 3), randn(4, 3)]).size() == (2, 4)
    m = lua_module('nn.MV', trans=False)
    assert m.forward([randn(2, 3), randn(3)]).size() == (2,)


# -- the family's documentation -------------------------------------------------------------------
def test_doc_blocks_run(capsys):
    """The Python blocks of docs/nn_shape_tables.md run as written (until nn/__init__.py exports
    these names, a stand-in `nn` adds them)."""
    import pathlib
    import re
    import types
    from nn import distance, matrix, reduce, shape, table_ops, training
    doc = pathlib.Path(__file__).resolve().parents[2] / 'docs' / 'nn_shape_tables.md'
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(), re.S)
    assert len(blocks) == 4
    names = dict(vars(nn))
    for mod in (shape, reduce, table_ops, distance, matrix, training):
        names.update({k: v for k, v in vars(mod).items() if not k.startswith('_')})
    scope = {}
    for code in blocks:
        code = code.replace('import nn\n', '')
        scope['nn'] = types.SimpleNamespace(**names)
        exec(compile(code, str(doc), 'exec'), scope)
    out = capsys.readouterr().out.split('\n')
    assert out[:3] == ['torch.Size([4]) torch.Size([8, 4])', 'torch.Size([8, 4])',
                       'torch.Size([8, 12]) True']
    assert out[-2] == 'True'
