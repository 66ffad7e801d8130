"""Moving modules between devices (class switch, same Torch name), getParameters on the device,
building under setdefaulttensortype('torch.CudaTensor'), and saving / loading CUDA models (on
the device here, as FloatTensor models in a process without CUDA)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import nn
import torchlike as torch
from test_cuda_nn import close, host, rand


def _net():
    return (nn.Sequential().add(nn.SpatialConvolution(1, 2, 2, 2))
            .add(nn.SpatialMaxPooling(2, 2, 1, 1)).add(nn.View(8))
            .add(nn.Linear(8, 3)).add(nn.LogSoftMax()))


def test_cuda_switches_classes_and_float_switches_back():
    cpu = _net().float()
    gpu = cpu.clone().cuda()
    for a, b in zip(cpu.listModules(), gpu.listModules()):
        assert b._typename == a._typename and isinstance(b, type(a))
        assert str(b) == str(a)
    assert gpu.type() == 'torch.CudaTensor'
    assert gpu.get(0).weight._typename == 'torch.CudaTensor'
    x = rand(2, 1, 4, 4)
    gpu.forward(x.cuda())
    assert gpu.get(1).indices._typename == 'torch.CudaLongTensor'
    gpu.cuda()                   # again: the long indices become a CudaTensor, as type() does
    assert gpu.get(1).indices._typename == 'torch.CudaTensor'
    gpu.forward(x.cuda())
    assert gpu.get(1).indices._typename == 'torch.CudaLongTensor'
    back = gpu.float()
    assert [type(m) for m in back.listModules()] == [type(m) for m in cpu.listModules()]
    assert back.get(1).indices._typename == 'torch.FloatTensor'   # as type() makes it
    close(back.forward(x), cpu.forward(x))
    assert back.get(1).indices._typename == 'torch.LongTensor'


def test_modules_without_a_cuda_implementation_refuse_before_converting():
    m = nn.Sequential().add(nn.Linear(2, 2)).add(nn.PReLU()).float()
    with pytest.raises(TypeError, match='nn.PReLU has no CUDA implementation.*nothing was '
                                        'converted'):
        m.cuda()
    assert m.get(0).weight._typename == 'torch.FloatTensor' and type(m.get(0)) is nn.Linear


def test_get_parameters_on_the_device():
    torch.manualSeed(1)
    cpu = _net().float()
    gpu = cpu.clone().cuda()
    w, dw = gpu.getParameters()
    cw, _ = cpu.getParameters()
    assert w._typename == 'torch.CudaTensor' and w.nElement() == cw.nElement() == 2 * 4 + 2 + 27
    close(w, cw)
    for p in gpu.parameters()[0]:
        assert p.storage() is w.storage()
    assert gpu.getParameters()[0] is w                       # idempotent
    w.fill(0.5)
    assert host(gpu.get(3).bias).tolist() == [0.5] * 3
    dw.zero()
    x = rand(2, 1, 4, 4).cuda()
    gpu.forward(x)
    gpu.backward(x, rand(2, 3).cuda())
    assert abs(host(dw)).sum() > 0 and host(dw)[-3:].tolist() == host(gpu.get(3).gradBias).tolist()
    with pytest.raises(RuntimeError, match='flat parameter vector'):
        gpu.float()


def test_built_directly_under_the_cuda_default_type():
    old = torch.getdefaulttensortype()
    torch.setdefaulttensortype('torch.CudaTensor')
    try:
        torch.manualSeed(2)
        m = nn.Sequential().add(nn.Linear(3, 2)).add(nn.ReLU())
        crit = nn.MSECriterion()
        assert m.get(0).weight._typename == 'torch.CudaTensor'
        assert type(m.get(0)) is not nn.Linear and isinstance(m.get(0), nn.Linear)
        assert type(crit) is not nn.MSECriterion
        x = torch.Tensor(4, 3).uniform()
        assert x._is_cuda
        out = m.forward(x)
        loss = crit.forward(out, torch.Tensor(4, 2).zero())
        assert isinstance(loss, float) and out._is_cuda
    finally:
        torch.setdefaulttensortype(old)
    torch.manualSeed(2)
    ref = nn.Linear(3, 2).float()                # the same draws as the CUDA module
    close(ref.weight, m.get(0).weight)


def _saved_gpu_net(tmp_path, seed, batch):
    """(the net on CUDA, an input on the host, its CUDA output on the host, the .t7 path the
    net was saved to)."""
    torch.manualSeed(seed)
    gpu = _net().float().cuda()
    x = rand(batch, 1, 4, 4)
    out = host(gpu.forward(x.cuda()))
    path = str(tmp_path / 'net.t7')
    torch.save(path, gpu)
    return gpu, x, out, path


def test_save_and_load_on_the_device(tmp_path):
    gpu, x, out, path = _saved_gpu_net(tmp_path, 3, 2)
    loaded = torch.load(path)
    for a, b in zip(gpu.listModules(), loaded.listModules()):
        assert type(a) is type(b)
    np.testing.assert_allclose(host(loaded.forward(x.cuda())), out, rtol=1e-6)
    on_host = torch.load(path, cpu=True)                      # forced onto the CPU
    assert type(on_host.get(0)) is nn.SpatialConvolution
    assert on_host.get(0).weight._typename == 'torch.FloatTensor'
    assert on_host.get(0)._type == 'torch.FloatTensor'
    np.testing.assert_allclose(host(on_host.float().forward(x)), out, rtol=1e-5, atol=1e-6)


def test_a_model_saved_from_cuda_loads_as_float_without_cuda(tmp_path):
    _, x, want, path = _saved_gpu_net(tmp_path, 4, 1)
    np.save(str(tmp_path / 'x.npy'), x.numpy())
    code = (f"import numpy as np, torchlike as torch, nn\n"
            f"assert torch.cuda.mode() == 'none'\n"
            f"m = torch.load({path!r})\n"
            f"assert type(m.get(0)) is nn.SpatialConvolution, type(m.get(0))\n"
            f"assert m.get(3).weight._typename == 'torch.FloatTensor'\n"
            f"x = torch.fromNumpy(np.load({str(tmp_path / 'x.npy')!r}))\n"
            f"print(repr(m.forward(x).numpy().tolist()))\n"
            f"try:\n    nn.Linear(2, 2).cuda()\nexcept RuntimeError as e:\n"
            f"    print('refused:', 'CUDA is not available' in str(e))\n")
    env = dict(os.environ)
    env.pop('NUMBA_ENABLE_CUDASIM', None)
    run = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env,
                         timeout=120)
    if run.returncode != 0 and 'mode() ==' in run.stderr:
        pytest.skip("a GPU is present: there is no CUDA-less process to load in")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    np.testing.assert_allclose(np.array(eval(lines[0])), want, rtol=1e-5, atol=1e-6)
    assert lines[1] == 'refused: True'
