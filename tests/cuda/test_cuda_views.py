"""Views and `[]` of CUDA tensors against the same calls on a FloatTensor: sizes, strides,
offsets and values must all agree; views share the storage; writes go through."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import torchlike as torch


def pair(*shape):
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    return torch.CudaTensor(a), torch.fromNumpy(a.copy())


def same(cuda_t, cpu_t):
    if not isinstance(cpu_t, torch.Tensor):
        assert cuda_t == cpu_t
        return
    assert type(cuda_t) is torch.CudaTensor
    assert cuda_t.size() == cpu_t.size(), (cuda_t.size(), cpu_t.size())
    assert cuda_t.stride() == cpu_t.stride(), (cuda_t.stride(), cpu_t.stride())
    assert cuda_t.storageOffset() == cpu_t.storageOffset()
    assert cuda_t.isContiguous() == cpu_t.isContiguous()
    np.testing.assert_array_equal(cuda_t.float().numpy(), cpu_t.numpy().reshape(
        cuda_t.float().numpy().shape))


VIEWS = [
    ((3, 4), lambda x: x.narrow(1, 1, 2)),
    ((3, 4), lambda x: x.narrow(0, -2, 2)),
    ((3, 4), lambda x: x.select(0, 1)),
    ((3, 4), lambda x: x.select(1, -1)),
    ((2, 3, 4), lambda x: x.select(2, 3)),
    ((4, 5), lambda x: x.sub(1, 2, 0, -2)),
    ((2, 3, 4), lambda x: x.transpose(0, 2)),
    ((3, 4), lambda x: x.t()),
    ((2, 3, 4), lambda x: x.permute(2, 0, 1)),
    ((7,), lambda x: x.unfold(0, 3, 2)),
    ((3, 5), lambda x: x.unfold(1, 2, 1)),
    ((2, 6), lambda x: x.view(3, 4)),
    ((2, 6), lambda x: x.view(-1, 2, 2)),
    ((2, 6), lambda x: x.view(3, 1, 4)),
    ((3, 4), lambda x: x.narrow(1, 0, 2).view(3, 2, 1)),    # non-contiguous but viewable
    ((3, 4), lambda x: x.narrow(1, 0, 2).view(3, 1, 2)),
    ((4, 3), lambda x: x.narrow(0, 0, 2).t().view(3, 1, 2, 1)),
    ((2, 3, 4), lambda x: x.narrow(2, 0, 2).view(6, 2)),
    ((3, 4), lambda x: x.viewAs(torch.FloatTensor(4, 3))),
    ((3, 1), lambda x: x.expand(3, 4)),
    ((3,), lambda x: x.expand(2, 3)),
    ((1, 3), lambda x: x.expand(2, -1)),
    ((3, 1), lambda x: x.expandAs(torch.FloatTensor(3, 5))),
    ((1, 3, 1), lambda x: x.squeeze()),
    ((1, 3, 1), lambda x: x.squeeze(2)),
    ((1, 3, 1), lambda x: x.squeeze(1)),
    ((1, 1), lambda x: x.squeeze()),
    ((2, 3), lambda x: x.unsqueeze(0)),
    ((2, 3), lambda x: x.unsqueeze(1)),
    ((2, 3), lambda x: x.unsqueeze(2)),
    ((2, 3), lambda x: x.t().unsqueeze(2)),
    ((2, 3), lambda x: x.unsqueeze(-1)),
    ((3, 4), lambda x: x.t().narrow(0, 1, 2).select(1, 2)),
    ((2, 3, 4), lambda x: x.permute(1, 2, 0).narrow(2, 1, 1).squeeze(2).t()),
]


@pytest.mark.parametrize('shape,fn', VIEWS)
def test_views_match_the_cpu(shape, fn):
    x, c = pair(*shape)
    v = fn(x)
    same(v, fn(c))
    assert v.storage() is x.storage()


def test_split_and_chunk():
    x, c = pair(5, 3)
    for a, b in zip(x.split(2), c.split(2)):
        same(a, b)
    for a, b in zip(x.chunk(2, 1), c.chunk(2, 1)):
        same(a, b)
    assert len(x.split(2)) == 3 and len(x.chunk(3, 1)) == 3


def test_reshape_and_flatten_copy_when_needed():
    x, c = pair(3, 4)
    r = x.t().reshape(2, 6)
    assert r.storage() is not x.storage()
    same(r, c.t().reshape(2, 6))
    f = x.t().flatten()
    np.testing.assert_array_equal(f.float().numpy(), c.t().flatten().numpy())
    assert x.flatten().storage() is x.storage()


def test_writes_through_views():
    x = torch.CudaTensor(3, 4)
    x.t().narrow(0, 1, 2).fill(5)
    x.select(0, 2).copy(torch.FloatTensor([1, 2, 3, 4]))
    ref = np.zeros((3, 4), np.float32)
    ref.T[1:3] = 5
    ref[2] = [1, 2, 3, 4]
    np.testing.assert_array_equal(x.float().numpy(), ref)


def test_view_errors_name_sizes():
    x, c = pair(3, 4)
    with pytest.raises(ValueError, match=r"cannot view a tensor of size 3 x 4 \(12 elements\) "
                                         r"as 5 x 2"):
        x.view(5, 2)
    with pytest.raises(ValueError, match="not compatible with this tensor's size 4 x 3 and "
                                         "stride 1 x 4; call contiguous"):
        x.t().view(12)
    with pytest.raises(ValueError, match="cannot infer the -1 in -1 x 5"):
        x.view(-1, 5)
    with pytest.raises(ValueError, match=r"expanded size \(5\) must match the existing size "
                                         r"\(4\)"):
        x.expand(3, 5)
    with pytest.raises(IndexError, match=r"narrow: range \[3, 3\+2\) is out of bounds for "
                                         r"dimension 0 of size 3"):
        x.narrow(0, 3, 2)
    with pytest.raises(IndexError, match="select: index 4 is out of range for dimension 1"):
        x.select(1, 4)
    with pytest.raises(IndexError, match="at least 2 dimensions"):
        x.select(0, 0).select(0, 1)
    with pytest.raises(ValueError, match="not a permutation"):
        x.permute(0, 0)
    with pytest.raises(ValueError, match="t\\(\\) expects a 2-D tensor"):
        torch.CudaTensor(2, 2, 2).t()
    with pytest.raises(IndexError, match="sub: range 1..4 is out of bounds"):
        x.sub(1, 4)
    with pytest.raises(ValueError, match="unfold: size 5 and step 1"):
        x.unfold(1, 5, 1)
    with pytest.raises(IndexError, match="unsqueeze: dimension 3 is out of range for a 2-D"):
        x.unsqueeze(3)
    assert x.size() == (3, 4) and x.stride() == (4, 1)


KEYS = [1, -1, (1, 2), (slice(None), 1), slice(1, 3), (slice(None, None, 2), slice(1, None)),
        (Ellipsis, 0), (None, 1), (1, None), (slice(None), None, slice(0, 2)), Ellipsis,
        (0, Ellipsis, 1), (slice(0, 0),), (slice(5, 9),)]


@pytest.mark.parametrize('key', KEYS, ids=repr)
def test_getitem_matches_the_cpu(key):
    x, c = pair(3, 4)
    got, want = x[key], c[key]
    if isinstance(want, torch.Tensor):
        same(got, want)
    else:
        assert got == want and isinstance(got, float)


def test_getitem_on_1d_gives_numbers():
    x, c = pair(5)
    assert x[2] == 2.0 and x[-1] == 4.0 and isinstance(x[0], float)
    assert torch.CudaLongTensor([7, 8])[1] == 8 and isinstance(torch.CudaLongTensor([7])[0], int)
    same(x[1:4], c[1:4])
    same(x[::2], c[::2])
    with pytest.raises(IndexError, match="index 5 is out of range for dimension 0 of size 5"):
        x[5]
    with pytest.raises(IndexError, match="slice step must be positive"):
        x[::-1]
    with pytest.raises(IndexError, match="too many indices"):
        x[1, 2]
    with pytest.raises(TypeError, match="invalid index of type str"):
        x['a']


@pytest.mark.parametrize('key', [1, (slice(None), 2), (1, 2), (Ellipsis, slice(1, 3)),
                                 (slice(0, 2), None, slice(None))], ids=repr)
def test_setitem_matches_the_cpu(key):
    x, c = pair(3, 4)
    x[key] = 9
    c[key] = 9
    np.testing.assert_array_equal(x.float().numpy(), c.numpy())
    region = c[key]
    shape = region.size() if isinstance(region, torch.Tensor) else ()
    n = int(np.prod(shape)) if shape else 1
    vals = torch.FloatTensor(np.arange(n, dtype=np.float32).reshape(shape or (1,)))
    x[key] = vals                                   # a host tensor
    c[key] = vals
    np.testing.assert_array_equal(x.float().numpy(), c.numpy())
    x.zero()
    x[key] = vals.cuda()                            # a device tensor
    c.zero()
    c[key] = vals
    np.testing.assert_array_equal(x.float().numpy(), c.numpy())


def test_setitem_broadcasts_and_checks_sizes():
    x, _ = pair(3, 4)
    x[:, 1:3] = torch.CudaTensor([[7, 8]])
    assert x[:, 1:3].tolist() == [[7, 8]] * 3
    with pytest.raises(ValueError, match="cannot assign a value of size 5 to an indexed region "
                                         "of size 3 x 2"):
        x[:, 1:3] = torch.CudaTensor(5)
    assert x[:, 1:3].tolist() == [[7, 8]] * 3


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       ops=st.lists(st.tuples(st.sampled_from(['narrow', 'transpose', 'unsqueeze', 'expand',
                                               'select', 'squeeze', 'view']),
                              st.integers(0, 10), st.integers(0, 10)), max_size=4))
def test_random_view_chains(shape, ops):
    x, c = pair(*shape)
    for op, p, q in ops:
        nd = c.dim()
        if op == 'narrow':
            d = p % nd
            n = c.size(d)
            start = q % n
            args = (d, start, 1 + (p + q) % (n - start))
        elif op == 'transpose':
            args = (p % nd, q % nd)
        elif op == 'unsqueeze':
            if nd >= 4:
                continue
            args = (p % (nd + 1),)
        elif op == 'expand':
            sizes = [s if s != 1 else 1 + q % 3 for s in c.size()]
            args = tuple(sizes)
        elif op == 'squeeze':
            args = () if p % 2 else (q % nd,)
        elif op == 'view':
            # merge two neighbouring dimensions, or split one off as size 1: either works
            # without a copy or fails, on both devices alike
            sizes = list(c.size())
            if nd >= 2 and p % 2:
                d = q % (nd - 1)
                sizes[d:d + 2] = [sizes[d] * sizes[d + 1]]
            else:
                sizes.insert(q % (nd + 1), 1)
            args = tuple(sizes)
            try:
                c.view(*args)
            except ValueError:
                with pytest.raises(ValueError, match="not compatible"):
                    x.view(*args)
                continue
        else:
            if nd < 2:
                continue
            d = p % nd
            args = (d, q % c.size(d))
        x, c = getattr(x, op)(*args), getattr(c, op)(*args)
        same(x, c)
    same(x.contiguous(), c.contiguous())
    same(x.clone(), c.clone())


def test_tensor_keys_use_the_index_and_mask_operations():
    needed = ('index', 'indexFill', 'indexCopy', 'maskedSelect', 'maskedFill', 'maskedCopy')
    if not all(hasattr(torch.CudaTensor, n) for n in needed):
        pytest.skip("the CUDA index/mask operations are not there yet")
    x, c = pair(3, 4)
    idx = torch.LongTensor([2, 0])
    np.testing.assert_array_equal(x[idx.cudaLong()].float().numpy(), c[idx].numpy())
    np.testing.assert_array_equal(x[[2, 0]].float().numpy(), c[idx].numpy())
    mask = c.gt(5)
    np.testing.assert_array_equal(x[mask.cudaByte()].float().numpy(), c[mask].numpy())
    x[mask.cudaByte()] = 0
    c[mask] = 0
    x[idx.cudaLong()] = -1
    c[idx] = -1
    np.testing.assert_array_equal(x.float().numpy(), c.numpy())
    with pytest.raises(TypeError, match="torch.CudaTensor and torch.LongTensor"):
        x[idx]
