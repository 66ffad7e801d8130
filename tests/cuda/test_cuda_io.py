"""Saving and loading CUDA tensors in Torch7's .t7 format (cutorch's class names, float data),
on the device and in a process without CUDA (as the CPU twins), and pickling across."""
import os
import pickle
import subprocess
import sys

import numpy as np

import torchlike as torch


def _cpu_process(code):
    """Run `code` in a Python without the simulator (so mode() is 'none' on CI)."""
    env = dict(os.environ)
    env.pop('NUMBA_ENABLE_CUDASIM', None)
    run = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_save_writes_cutorch_names_and_float_data():
    a = np.array([[1.5, 2], [3, 4]], np.float32)
    data = torch.serialize(torch.CudaTensor(a))
    cpu = torch.serialize(torch.FloatTensor(a))
    assert b'torch.CudaTensor' in data and b'torch.CudaStorage' in data
    # the same bytes as the FloatTensor's file apart from the class names (and their lengths)
    renamed = data.replace(b'\x10\x00\x00\x00torch.CudaTensor',
                           b'\x11\x00\x00\x00torch.FloatTensor')
    renamed = renamed.replace(b'\x11\x00\x00\x00torch.CudaStorage',
                              b'\x12\x00\x00\x00torch.FloatStorage')
    assert renamed == cpu
    assert b'torch.CudaLongTensor' in torch.serialize(torch.CudaLongTensor([1]))
    assert b'torch.CudaByteStorage' in torch.serialize(torch.CudaByteStorage(2))


def test_round_trip_on_the_device_keeps_views_and_sharing(tmp_path):
    x = torch.CudaTensor(np.arange(12, dtype=np.float32).reshape(3, 4))
    obj = {'x': x, 't': x.t(), 'row': x.select(0, 1), 'idx': torch.CudaLongTensor([2, 0]),
           'mask': torch.CudaByteTensor([1, 0]), 'st': x.storage(), 'empty': torch.CudaTensor(),
           'cpu': torch.DoubleTensor([1.5])}
    path = tmp_path / 'model.t7'
    torch.save(path, obj)
    back = torch.load(path)
    for k in ('x', 't', 'row'):
        assert type(back[k]) is torch.CudaTensor
        assert back[k].size() == obj[k].size() and back[k].stride() == obj[k].stride()
        assert back[k].storageOffset() == obj[k].storageOffset()
        np.testing.assert_array_equal(back[k].float().numpy(), obj[k].float().numpy())
    assert back['x'].storage() is back['t'].storage() is back['st']
    assert type(back['st']) is torch.CudaStorage
    assert type(back['idx']) is torch.CudaLongTensor and back['idx'].tolist() == [2, 0]
    assert type(back['mask']) is torch.CudaByteTensor and back['mask'].tolist() == [1, 0]
    assert type(back['empty']) is torch.CudaTensor and back['empty'].dim() == 0
    assert type(back['cpu']) is torch.DoubleTensor
    back['t'][0, 1] = 100                      # shared storage on the device
    assert back['x'][1, 0] == 100


def test_ascii_round_trip():
    x = torch.CudaTensor([[1.25, -2], [3, 4]]).t()
    back = torch.deserialize(torch.serialize(x, 'ascii'), 'ascii')
    assert type(back) is torch.CudaTensor and back.tolist() == [[1.25, 3], [-2, 4]]


def test_cpu_option_loads_the_cpu_twins(tmp_path):
    path = tmp_path / 'm.t7'
    torch.save(path, [torch.CudaTensor([1, 2]), torch.CudaLongTensor([3]),
                      torch.CudaByteTensor([1]), torch.CudaStorage([5])])
    t, l, b, s = torch.load(path, cpu=True)
    assert (type(t), type(l), type(b), type(s)) == (torch.FloatTensor, torch.LongTensor,
                                                    torch.ByteTensor, torch.FloatStorage)
    assert t.tolist() == [1, 2] and l.tolist() == [3] and s.tolist() == [5]
    on_device = torch.deserialize(torch.serialize(torch.CudaTensor([1])), cpu=False)
    assert type(on_device) is torch.CudaTensor


def test_a_gpu_file_loads_as_float_without_cuda(tmp_path):
    path = tmp_path / 'gpu_model.t7'
    w = torch.CudaTensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
    torch.save(path, {'weight': w.t(), 'idx': torch.CudaLongTensor([4, 5])})
    out = _cpu_process(
        "import torchlike as torch\n"
        f"m = torch.load({str(path)!r})\n"
        "print(torch.cuda.mode(), torch.typename(m['weight']), torch.typename(m['idx']))\n"
        "print(m['weight'].tolist(), m['weight'].stride(), m['idx'].tolist())")
    lines = out.splitlines()
    assert lines[0].split() == ['none', 'torch.FloatTensor', 'torch.LongTensor']
    assert lines[1] == f"{w.t().tolist()} torch.Size([1, 3]) [4, 5]"


def test_pickle_crosses_to_a_process_without_cuda(tmp_path):
    path = tmp_path / 'x.pkl'
    with open(path, 'wb') as f:
        pickle.dump([torch.CudaTensor([[1, 2]]), torch.CudaByteStorage([3])], f)
    out = _cpu_process(
        "import pickle, torchlike as torch\n"
        f"x, s = pickle.load(open({str(path)!r}, 'rb'))\n"
        "print(torch.typename(x), x.tolist(), torch.typename(s), s.tolist())")
    assert out.split() == ['torch.FloatTensor', '[[1.0,', '2.0]]', 'torch.ByteStorage', '[3]']


def test_saving_a_cuda_tensor_does_not_change_it():
    x = torch.CudaTensor([1, 2, 3]).narrow(0, 1, 2)
    torch.serialize([x, x])
    assert x.tolist() == [2, 3] and x.storageOffset() == 1
