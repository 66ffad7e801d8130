"""readIDX / writeIDX: every element type, gzipped or not, corrupt files, and the real
Fashion-MNIST files when the Debian package dataset-fashion-mnist is installed."""
import gzip
import os
import struct

import numpy as np
import pytest

import torchlike as torch
from torchlike.data import IDXError, readIDX, writeIDX

FASHION = '/usr/share/datasets/fashion-mnist'
TYPES = [(0x08, '>u1', 'torch.ByteTensor'), (0x09, '>i1', 'torch.CharTensor'),
         (0x0B, '>i2', 'torch.ShortTensor'), (0x0C, '>i4', 'torch.IntTensor'),
         (0x0D, '>f4', 'torch.FloatTensor'), (0x0E, '>f8', 'torch.DoubleTensor')]


def _idx_bytes(code, dtype, array):
    """An IDX file written by hand (independent of writeIDX)."""
    head = bytes([0, 0, code, array.ndim]) + b''.join(struct.pack('>I', s) for s in array.shape)
    return head + array.astype(dtype).tobytes()


def _write(path, raw, compress):
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def _sample(dtype, shape):
    rng = np.random.default_rng(0)
    dt = np.dtype(dtype)
    if dt.kind == 'f':
        return rng.standard_normal(shape).astype(dt.newbyteorder('='))
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, shape, endpoint=True).astype(dt.newbyteorder('='))


@pytest.mark.parametrize('compress', [False, True], ids=['raw', 'gzip'])
@pytest.mark.parametrize('code,dtype,typename', TYPES, ids=[t[2] for t in TYPES])
def test_every_element_type(tmp_path, code, dtype, typename, compress):
    a = _sample(dtype, (3, 4, 2))
    path = _write(tmp_path / 'f.idx', _idx_bytes(code, dtype, a), compress)
    t = readIDX(path)
    assert t._typename == typename and t.size() == torch.Size([3, 4, 2])
    assert t.numpy().dtype.isnative and np.array_equal(t.numpy(), a)
    t.fill(0)                                      # the tensor owns writable memory
    # and back: writeIDX gives the same bytes as the hand-made file
    out = tmp_path / ('g.idx.gz' if compress else 'g.idx')
    writeIDX(out, readIDX(path))
    raw = out.read_bytes()
    assert (gzip.decompress(raw) if compress else raw) == _idx_bytes(code, dtype, a)


def test_one_dimension_and_gzip_detected_by_content(tmp_path):
    a = np.arange(7, dtype=np.uint8)
    path = _write(tmp_path / 'labels.bin', _idx_bytes(0x08, '>u1', a), compress=True)
    t = readIDX(str(path))
    assert t.size() == torch.Size([7]) and t.numpy().tolist() == list(range(7))


@pytest.mark.parametrize('raw,match', [
    (b'\x00\x00', 'too short'),
    (b'\x01\x00\x08\x01' + struct.pack('>I', 1) + b'\x00', 'two zero bytes'),
    (b'\x00\x00\x07\x01' + struct.pack('>I', 1) + b'\x00', 'unknown IDX element type code 0x07'),
    (b'\x00\x00\x08\x00', '0 dimensions'),
    (b'\x00\x00\x08\x03' + struct.pack('>I', 2), 'declares 3 dimensions'),
    (b'\x00\x00\x08\x02' + struct.pack('>II', 2, 3) + bytes(5), 'truncated.*2x3.*needs 6.*found 5'),
    (b'\x00\x00\x0D\x01' + struct.pack('>I', 2) + bytes(9), 'trailing bytes.*needs 8.*found 9'),
], ids=['short', 'magic', 'type-code', 'no-dims', 'short-header', 'truncated', 'trailing'])
@pytest.mark.parametrize('compress', [False, True], ids=['raw', 'gzip'])
def test_corrupt_files_give_clear_errors(tmp_path, raw, match, compress):
    path = _write(tmp_path / 'bad.idx', raw, compress)
    with pytest.raises(IDXError, match=match) as info:
        readIDX(path)
    assert 'bad.idx' in str(info.value)


def test_corrupt_gzip(tmp_path):
    good = gzip.compress(_idx_bytes(0x08, '>u1', np.zeros(100, np.uint8)))
    path = tmp_path / 'broken.gz'
    path.write_bytes(good[:len(good) // 2])
    with pytest.raises(IDXError, match='corrupt gzip'):
        readIDX(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        readIDX(tmp_path / 'nothing.idx')


def test_write_errors(tmp_path):
    with pytest.raises(TypeError, match='IDX stores'):
        writeIDX(tmp_path / 'x.idx', torch.LongTensor(3))
    with pytest.raises(ValueError, match='empty'):
        writeIDX(tmp_path / 'x.idx', torch.DoubleTensor())
    writeIDX(tmp_path / 'view.idx', torch.DoubleTensor([[1, 2], [3, 4]]).t())
    assert readIDX(tmp_path / 'view.idx').numpy().tolist() == [[1, 3], [2, 4]]


needs_fashion = pytest.mark.skipif(not os.path.isdir(FASHION),
                                   reason='Debian package dataset-fashion-mnist not installed')


def _reference(path):
    """Independent reader: gunzip, skip the header, reshape."""
    raw = gzip.decompress(open(path, 'rb').read())
    ndim = raw[3]
    dims = struct.unpack(f'>{ndim}I', raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


@needs_fashion
@pytest.mark.parametrize('split,n', [('t10k', 10000), ('train', 60000)])
def test_real_fashion_mnist(split, n):
    images = readIDX(os.path.join(FASHION, f'{split}-images-idx3-ubyte.gz'))
    labels = readIDX(os.path.join(FASHION, f'{split}-labels-idx1-ubyte.gz'))
    assert isinstance(images, torch.ByteTensor) and images.size() == torch.Size([n, 28, 28])
    assert isinstance(labels, torch.ByteTensor) and labels.size() == torch.Size([n])
    lab = labels.numpy()
    assert lab.min() == 0 and lab.max() == 9
    assert np.bincount(lab).tolist() == [n // 10] * 10          # balanced classes
    if split == 't10k':
        ref = _reference(os.path.join(FASHION, f'{split}-images-idx3-ubyte.gz'))
        assert np.array_equal(images.numpy(), ref)
        assert np.array_equal(lab, _reference(os.path.join(FASHION,
                                                           f'{split}-labels-idx1-ubyte.gz')))
