"""Containers: composition against hand-computed results, gradients by finite differences,
0-based error paths, printing, and the Module API that containers propagate."""
import numpy as np
import pytest

import nn
import torchlike as torch


@pytest.fixture(autouse=True)
def _seed():
    torch.manualSeed(11)


def lin(i, o):
    return nn.Linear(i, o)


def affine(m, x):
    """Linear's output computed with numpy from its parameters."""
    return x.numpy() @ m.weight.numpy().T + m.bias.numpy()


def test_sequential_composes_and_passes_gradient_checks():
    net = nn.Sequential().add(lin(4, 3)).add(lin(3, 2))
    x = torch.randn(5, 4)
    expected = affine(net.get(1), torch.fromNumpy(affine(net.get(0), x)))
    np.testing.assert_allclose(net.forward(x).numpy(), expected)
    assert net.output is net.get(1).output                      # aliases, no copy
    assert nn.Jacobian.testJacobian(net, torch.Tensor(5, 4)) < 1e-6
    w = net.get(0).weight
    assert nn.Jacobian.testJacobianParameters(net, torch.Tensor(5, 4), w,
                                              net.get(0).gradWeight) < 1e-6


def test_sequential_insert_remove_get():
    a, b, c = lin(2, 2), lin(2, 2), lin(2, 2)
    net = nn.Sequential().add(a).add(c)
    net.insert(b, 1)
    assert net.modules == [a, b, c] and len(net) == net.size() == 3 and net.get(-1) is c
    net.remove(0)
    assert net.modules == [b, c]
    net.remove()
    assert net.modules == [b]
    with pytest.raises(IndexError, match='index 5 is out of range for 1 modules'):
        net.get(5)
    with pytest.raises(IndexError, match='position 3 is out of range'):
        net.insert(a, 3)
    with pytest.raises(TypeError, match='expects an nn module'):
        net.add(3)


def test_errors_name_the_path_with_0_based_positions():
    inner = nn.Sequential().add(lin(4, 3)).add(lin(5, 2))
    net = nn.Sequential().add(lin(4, 4)).add(inner)
    with pytest.raises(ValueError) as info:
        net.forward(torch.randn(2, 4))
    msg = str(info.value)
    assert msg.startswith('In 1 module of nn.Sequential: In 1 module of nn.Sequential: '
                          'nn.Linear: input has 3 features, expected 5')


def test_sequential_printing():
    net = nn.Sequential().add(lin(10, 25)).add(nn.Sequential().add(lin(25, 2)))
    assert str(net) == ('nn.Sequential {\n'
                        '  [input -> (0) -> (1) -> output]\n'
                        '  (0): nn.Linear(10 -> 25)\n'
                        '  (1): nn.Sequential {\n'
                        '    [input -> (0) -> output]\n'
                        '    (0): nn.Linear(25 -> 2)\n'
                        '  }\n'
                        '}')


def test_concat_table_printing():
    net = nn.ConcatTable().add(lin(4, 2)).add(lin(4, 3))
    assert str(net) == ('nn.ConcatTable {\n'
                        '  input\n'
                        '    |`-> (0): nn.Linear(4 -> 2)\n'
                        '     `-> (1): nn.Linear(4 -> 3)\n'
                        '     ... -> output\n'
                        '}')


def test_concat_joins_outputs_along_a_0_based_dimension():
    net = nn.Concat(1).add(lin(4, 2)).add(lin(4, 3))
    x = torch.randn(5, 4)
    expected = np.concatenate([affine(m, x) for m in net.modules], axis=1)
    np.testing.assert_allclose(net.forward(x).numpy(), expected)
    assert nn.Jacobian.testJacobian(net, torch.Tensor(5, 4)) < 1e-6


def test_concat_size_mismatch_is_reported():
    net = nn.Concat(0).add(lin(4, 2)).add(lin(4, 3))
    with pytest.raises(ValueError, match=r'output 1 has size 5 x 3.*outside dimension 0'):
        net.forward(torch.randn(5, 4))


def test_depth_concat_pads_and_centres_smaller_outputs():
    net = nn.DepthConcat(0).add(lin(4, 2)).add(lin(4, 4))
    x = torch.randn(4)
    out = net.forward(x).numpy()
    np.testing.assert_allclose(out[:2], affine(net.get(0), x))
    np.testing.assert_allclose(out[2:], affine(net.get(1), x))
    assert nn.Jacobian.testJacobian(net, torch.Tensor(4)) < 1e-6


def test_parallel_feeds_slices_and_concatenates():
    net = nn.Parallel(0, 0).add(lin(3, 2)).add(lin(3, 4))
    x = torch.randn(2, 3)
    expected = np.concatenate([affine(net.get(0), x.select(0, 0)),
                               affine(net.get(1), x.select(0, 1))])
    np.testing.assert_allclose(net.forward(x).numpy(), expected)
    assert nn.Jacobian.testJacobian(net, torch.Tensor(2, 3)) < 1e-6
    with pytest.raises(ValueError, match='has size 3 but there are 2 modules'):
        net.forward(torch.randn(3, 3))


def test_concat_table_and_parallel_table():
    ct = nn.ConcatTable().add(lin(3, 2)).add(lin(3, 1))
    x = torch.randn(3)
    out = ct.forward(x)
    assert isinstance(out, list) and len(out) == 2
    assert nn.Jacobian.testJacobian(ct, torch.Tensor(3)) < 1e-6
    pt = nn.ParallelTable().add(lin(3, 2)).add(lin(2, 2))
    assert nn.Jacobian.testJacobian(pt, [torch.Tensor(3), torch.Tensor(2)]) < 1e-6
    with pytest.raises(ValueError, match='list of 2 entries'):
        pt.forward([torch.randn(3)])


def test_map_table_shares_one_set_of_parameters():
    mt = nn.MapTable(lin(3, 2))
    xs = [torch.randn(3) for _ in range(3)]
    outs = mt.forward(xs)
    for m, x, o in zip(mt.modules, xs, outs):
        np.testing.assert_allclose(o.numpy(), affine(mt.module, x))
        assert m.weight is mt.module.weight
    p, g = mt.getParameters()
    assert p.nElement() == 8
    assert nn.Jacobian.testJacobian(mt, [torch.Tensor(3) for _ in range(3)]) < 1e-6


def test_bottle_folds_leading_dimensions():
    b = nn.Bottle(lin(4, 2))
    x = torch.randn(3, 5, 4)
    out = b.forward(x)
    assert out.size() == (3, 5, 2)
    np.testing.assert_allclose(out.numpy(), affine(b.get(0), x))
    assert nn.Jacobian.testJacobian(b, torch.Tensor(3, 5, 4)) < 1e-6


def test_decorator_forwards_everything():
    d = nn.Decorator(lin(3, 2))
    assert nn.Jacobian.testJacobian(d, torch.Tensor(4, 3)) < 1e-6
    assert d.parameters()[0][0] is d.get(0).weight


def test_clone_copies_and_clone_with_names_shares_the_same_tensors():
    net = nn.Sequential().add(lin(3, 2))
    c = net.clone()
    assert c.get(0).weight is not net.get(0).weight
    np.testing.assert_array_equal(c.get(0).weight.numpy(), net.get(0).weight.numpy())
    c.get(0).weight.fill(0)
    assert net.get(0).weight.numpy().any()
    s = net.clone('weight', 'gradWeight')
    assert s.get(0).weight is net.get(0).weight and s.get(0).bias is not net.get(0).bias


def test_share_and_shared_updates():
    a, b = lin(3, 2), lin(3, 2)
    b.share(a, 'weight', 'bias')
    assert b.weight is a.weight and a.shared and b.shared


def test_type_float_double_recursive():
    net = nn.Sequential().add(lin(3, 2)).float()
    assert net.get(0).weight._typename == 'torch.FloatTensor'
    assert net.type() == 'torch.FloatTensor'
    out = net.forward(torch.FloatTensor(4, 3).uniform())
    assert out._typename == 'torch.FloatTensor'
    with pytest.raises(TypeError, match='input is a torch.DoubleTensor but the module is'):
        net.forward(torch.randn(4, 3))


def test_module_api_propagation():
    net = nn.Sequential().add(lin(3, 2)).add(nn.Sequential().add(lin(2, 2)))
    net.evaluate()
    assert not any(m.train for m in net.listModules())
    net.training()
    assert all(m.train for m in net.listModules())
    assert [m._typename for m in net.listModules()] == ['nn.Sequential', 'nn.Linear',
                                                       'nn.Sequential', 'nn.Linear']
    found, parents = net.findModules('nn.Linear')
    assert found == [net.get(0), net.get(1).get(0)] and parents == [net, net.get(1)]
    seen = []
    net.apply(lambda m: seen.append(m._typename))
    assert len(seen) == 4
    net.forward(torch.randn(2, 3))
    net.backward(torch.randn(2, 3), torch.randn(2, 2))
    net.zeroGradParameters()
    assert all(not g.numpy().any() for g in net.parameters()[1])
    assert net.clearState() is net and net.get(0).output.nElement() == 0


def test_replace_swaps_modules():
    net = nn.Sequential().add(lin(3, 3)).add(lin(3, 3))
    marker = lin(3, 1)
    net.replace(lambda m: marker if m is net.get(1) else m)
    assert net.get(1) is marker


def test_call_runs_forward_and_backward():
    m = lin(3, 2)
    x, go = torch.randn(3), torch.randn(2)
    out = m(x)
    assert out is m.output
    out2, gin = m(x, go)
    np.testing.assert_allclose(gin.numpy(), go.numpy() @ m.weight.numpy())


def test_containers_round_trip_through_t7():
    net = nn.Sequential().add(lin(4, 3)).add(nn.ConcatTable().add(lin(3, 2)).add(lin(3, 1)))
    loaded = torch.deserialize(torch.serialize(net))
    x = torch.randn(2, 4)
    for a, b in zip(net.forward(x), loaded.forward(x)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert str(loaded) == str(net)
    empty = torch.deserialize(torch.serialize(nn.Sequential()))
    assert empty.modules == []


def test_transient_fields_and_flat_bookkeeping_are_not_saved():
    net = nn.Sequential().add(nn.Dropout(0.5)).add(lin(3, 2))
    net.forward(torch.randn(4, 3))
    net.backward(torch.randn(4, 3), torch.randn(4, 2))
    net.getParameters()
    assert '_masked' in net.get(0).__dict__ and '_flatParameters' in net.__dict__
    loaded = torch.deserialize(torch.serialize(net))
    assert '_masked' not in loaded.get(0).__dict__
    assert '_flatParameters' not in loaded.__dict__
