"""Random constructors under a CUDA default type, storage copies to the host, and CUDA tensors
sent to thread-pool workers."""
import pytest

import torchlike as torch
import threads


@pytest.fixture
def cuda_default():
    old = torch.getdefaulttensortype()
    torch.setdefaulttensortype('torch.CudaTensor')
    try:
        yield
    finally:
        torch.setdefaulttensortype(old)


def test_rand_randn_randperm_follow_a_cuda_default_with_the_host_stream(cuda_default):
    torch.manualSeed(7)
    with_cuda = [torch.rand(2, 3), torch.randn(4), torch.randperm(5)]
    torch.setdefaulttensortype('torch.FloatTensor')
    torch.manualSeed(7)
    on_host = [torch.rand(2, 3), torch.randn(4), torch.randperm(5)]
    for c, h in zip(with_cuda, on_host):
        assert c.type() == 'torch.CudaTensor'
        assert c.float().numpy().tolist() == h.numpy().tolist()


def test_rand_into_a_cuda_result():
    r = torch.CudaTensor()
    torch.manualSeed(3)
    torch.rand(r, 3, 2)
    torch.manualSeed(3)
    expected = torch.rand(torch.FloatTensor(), 3, 2)
    assert r.size() == (3, 2)
    assert r.float().numpy().tolist() == expected.numpy().tolist()


def test_a_host_storage_copies_from_a_device_storage():
    st = torch.FloatStorage(3)
    st.copy(torch.CudaStorage(3).fill(2.5))
    assert st.tolist() == [2.5, 2.5, 2.5]


def host_sum(t):
    return t.type(), t.float().sum()


@pytest.mark.parametrize('backend', ['thread', 'process'])
def test_cuda_tensors_reach_workers(backend):
    """Threads share the device tensor; a worker process gets it through pickling (a host copy,
    rebuilt on the device there because the simulator is on in the worker too)."""
    x = torch.CudaTensor([1, 2, 3])
    pool = threads.Threads(1, backend=backend)
    got = []
    try:
        pool.addjob(host_sum, lambda *r: got.append(r), x)   # a tuple result arrives unpacked
        pool.synchronize()
    finally:
        pool.terminate()
    assert got == [('torch.CudaTensor', 6.0)]
