"""torch.cuda's mode in the main test process (no simulator): importing torchlike must not
import numba.cuda, the mode is decided once, and CUDA objects fail clearly without CUDA."""
import builtins
import os
import subprocess
import sys

import pytest

import torchlike as torch
from torchlike.cuda import device


def _run(code, **env):
    full = dict(os.environ)
    full.pop('NUMBA_ENABLE_CUDASIM', None)
    full.update(env)
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          env=full, timeout=120)


def test_importing_torchlike_does_not_import_numba_cuda():
    run = _run("import sys, torchlike as torch\n"
               "assert 'numba.cuda' not in sys.modules, 'numba.cuda imported at import'\n"
               "x = torch.FloatTensor(2, 3) + 1\n"
               "torch.serialize(x)\n"
               "assert 'numba.cuda' not in sys.modules, 'numba.cuda imported by CPU work'\n"
               "print(torch.cuda.CudaTensor._typename)")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == 'torch.CudaTensor'


@pytest.fixture
def fresh_mode():
    saved = dict(device._state)
    device._reset()
    yield
    device._state.update(saved)


def test_mode_is_none_when_numba_cuda_cannot_be_imported(monkeypatch, fresh_mode):
    real_import = builtins.__import__

    def failing(name, *args, **kwargs):
        if name == 'numba.cuda' or (name == 'numba' and args and args[2] and
                                    'cuda' in args[2]):
            raise ImportError("No module named 'cuda.bindings'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, '__import__', failing)
    assert torch.cuda.mode() == 'none'
    assert 'cannot be imported' in torch.cuda.modeReason()
    assert not torch.cuda.isAvailable()
    assert torch.cuda.deviceCount() == 0
    assert torch.cuda.deviceName() is None
    torch.cuda.synchronize()      # a no-op without CUDA
    with pytest.raises(RuntimeError, match="mode\\(\\) is 'none'.*NUMBA_ENABLE_CUDASIM=1"):
        torch.CudaTensor(2, 3)


def test_mode_is_decided_once(monkeypatch, fresh_mode):
    calls = []
    monkeypatch.setattr(device, '_decide', lambda: calls.append(1) or ('none', 'test'))
    assert torch.cuda.mode() == 'none'
    assert torch.cuda.mode() == 'none'
    assert torch.cuda.isAvailable() is False
    assert calls == [1]


def test_mode_in_this_process():
    # the main suite has numba imported without the simulator and no GPU on CI
    assert torch.cuda.mode() in ('none', 'gpu')
    assert torch.cuda.isAvailable() == (torch.cuda.mode() == 'gpu')
    assert torch.cuda.getDevice() == 0


def test_simulator_mode_in_a_subprocess():
    run = _run("import torchlike as torch\n"
               "print(torch.cuda.mode(), torch.cuda.isAvailable(), torch.cuda.deviceName(),"
               " torch.cuda.deviceCount())", NUMBA_ENABLE_CUDASIM='1')
    if run.returncode and 'cuda' in run.stderr.lower() and 'import' in run.stderr.lower():
        pytest.skip("numba-cuda is not installed")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ['simulator', 'True', 'SIMULATOR', '1']


@pytest.mark.skipif(torch.cuda.isAvailable(), reason="checks the behaviour without CUDA")
class TestWithoutCuda:
    def test_creating_cuda_objects_raises_the_clear_error(self):
        for make in (lambda: torch.CudaTensor(2), lambda: torch.CudaLongTensor(),
                     lambda: torch.CudaStorage(3), lambda: torch.FloatTensor(2).cuda(),
                     lambda: torch.FloatTensor(2).type('torch.CudaTensor')):
            with pytest.raises(RuntimeError, match="CUDA is not available"):
                make()

    def test_types_resolve_without_cuda(self):
        from torchlike.types import tensor_class
        assert tensor_class('torch.CudaTensor') is torch.CudaTensor
        assert tensor_class('torch.CudaLongTensor') is torch.CudaLongTensor
        assert torch.CudaTensor._is_cuda and not torch.FloatTensor._is_cuda
        # numpy dtypes keep naming the CPU classes
        from torchlike.types import class_for_dtype
        import numpy as np
        assert class_for_dtype(np.float32) is torch.FloatTensor

    def test_cuda_default_type_fails_clearly(self):
        old = torch.getdefaulttensortype()
        torch.setdefaulttensortype('torch.CudaTensor')
        try:
            with pytest.raises(RuntimeError, match="CUDA is not available"):
                torch.Tensor(2, 3)
        finally:
            torch.setdefaulttensortype(old)
        assert type(torch.Tensor(1)) is torch.DoubleTensor or old != 'torch.DoubleTensor'

    def test_loading_a_cuda_file_gives_the_cpu_twin(self):
        import numpy as np
        x = torch.serialize({'w': torch.FloatTensor([[1, 2], [3, 4]]).t()})
        # rename the classes as cutorch writes them (each name follows its int32 length)
        x = x.replace(b'\x11\x00\x00\x00torch.FloatTensor', b'\x10\x00\x00\x00torch.CudaTensor')
        x = x.replace(b'\x12\x00\x00\x00torch.FloatStorage',
                      b'\x11\x00\x00\x00torch.CudaStorage')
        assert b'torch.Float' not in x
        w = torch.deserialize(x)['w']
        assert type(w) is torch.FloatTensor
        np.testing.assert_array_equal(w.numpy(), [[1, 3], [2, 4]])
