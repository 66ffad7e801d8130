"""Torch7 .t7 serialization: the real Torch7 files, byte layouts built by hand with struct,
round trips (binary and ascii) of every supported type, references, cycles, the class
registry, and clear errors for bad input."""
import io
import math
import os
import struct

import numpy as np
import pytest
from hypothesis import given, strategies as st

import torchlike as torch
from torchlike_testing import FAST, CLASSES, layouts
from torchlike.serialization import (LuaFunction, LuaTable, TdsHash, TdsVec, TorchObject,
                                     deserialize, deserializeFromStorage, load,
                                     registerClass, registeredClass, save, serialize,
                                     serializeToStorage, unregisterClass)
from torchlike.utils import typename

DATA = '/work/shared/data/t7'
FILES = sorted(f for f in os.listdir(DATA) if f.endswith('.t7')) if os.path.isdir(DATA) else []
needs_data = pytest.mark.skipif(not FILES, reason="Torch7 test vectors not available")
MODES = ('binary', 'ascii')


def roundtrip(obj, mode='binary'):
    return deserialize(serialize(obj, mode), mode)


# -- an independent encoder of the binary layout (ecosystem.md section 2), for expected bytes --
def i32(*v):
    return struct.pack(f'<{len(v)}i', *v)


def i64(*v):
    return struct.pack(f'<{len(v)}q', *v)


def f64(v):
    return struct.pack('<d', v)


def lstr(b):
    b = b.encode() if isinstance(b, str) else b
    return i32(len(b)) + b


def num(v):
    return i32(1) + f64(v)


def string(s):
    return i32(2) + lstr(s)


def torch_header(idx, name, version=1):
    return i32(4, idx) + lstr(f'V {version}') + lstr(name)


def raw(name):
    with open(os.path.join(DATA, name), 'rb') as f:
        return f.read()


# -- the real Torch7 files ----------------------------------------------------------------------
@needs_data
class TestTorch7Files:
    def test_hello(self):
        assert load(os.path.join(DATA, 'hello=123.t7')) == {'hello': 123}
        assert type(load(os.path.join(DATA, 'hello=123.t7'))['hello']) is int

    def test_list_table(self):
        assert load(os.path.join(DATA, 'list_table.t7')) == ['hello', 'world', 'third item', 123]

    def test_map_table(self):
        obj = load(os.path.join(DATA, 'map_table1.t7'))
        assert obj == {0: 'zero', 1: 'hello', 2: 'world', 3: 'third item', 4: 123}

    def test_doubletensor(self):
        t = load(os.path.join(DATA, 'doubletensor.t7'))
        assert type(t) is torch.DoubleTensor
        assert tuple(t.size()) == (2, 3) and tuple(t.stride()) == (3, 1)
        assert t.storageOffset() == 0
        np.testing.assert_array_equal(t.numpy(), [[1, 2, 3], [4, 5, 6.9]])

    def test_floattensor(self):
        t = load(os.path.join(DATA, 'floattensor.t7'))
        assert type(t) is torch.FloatTensor
        assert tuple(t.size()) == (2, 3, 4)
        assert math.isclose(float(t.numpy().astype(np.float64).sum()), 12.97241666913,
                            rel_tol=1e-9)

    def test_custom_class_is_generic_object(self):
        obj = load(os.path.join(DATA, 'custom_class.t7'))
        assert isinstance(obj, TorchObject)
        assert obj._typename == 'Blah' and typename(obj) == 'Blah'
        assert obj._version == 1 and len(obj) == 0

    def test_recursive_class(self):
        obj = load(os.path.join(DATA, 'recursive_class.t7'))
        assert typename(obj) == 'A'
        assert obj.a is obj and obj['a'] is obj

    def test_tds_vec(self):
        vec = load(os.path.join(DATA, 'tds_vec.t7'))
        assert isinstance(vec, list) and vec == [123, 456]

    @pytest.mark.parametrize('name', FILES)
    def test_resave_is_byte_identical(self, name, tmp_path):
        obj = load(os.path.join(DATA, name))
        assert serialize(obj) == raw(name)
        save(tmp_path / name, obj)
        assert (tmp_path / name).read_bytes() == raw(name)

    @pytest.mark.parametrize('name', FILES)
    def test_ascii_round_trip_keeps_everything(self, name):
        obj = load(os.path.join(DATA, name))
        again = deserialize(serialize(obj, 'ascii'), 'ascii')
        assert serialize(again) == raw(name)

    @pytest.mark.parametrize('name', FILES)
    def test_every_truncation_raises(self, name):
        data = raw(name)
        for n in range(1, len(data)):
            with pytest.raises((EOFError, ValueError), match='offset'):
                deserialize(data[:n])


# -- exact bytes ---------------------------------------------------------------------------------
class TestExactBytes:
    def test_scalars(self):
        assert serialize(None) == i32(0)
        assert serialize(True) == i32(5, 1) and serialize(False) == i32(5, 0)
        assert serialize(2.5) == num(2.5)
        assert serialize(7) == num(7.0)
        assert serialize(np.int32(-3)) == num(-3.0)
        assert serialize(np.float32(0.5)) == num(0.5)
        assert serialize('héllo') == string('héllo'.encode('utf-8'))
        assert serialize(b'\xff\x00') == string(b'\xff\x00')

    def test_nested_tables(self):
        expected = (i32(3, 1, 2) + string('a') + i32(3, 2, 2) + num(1) + num(10) + num(2)
                    + string('x') + string('b') + i32(5, 1))
        assert serialize({'a': [10, 'x'], 'b': True}) == expected

    def test_shared_table_written_once(self):
        inner = {'k': 1}
        expected = (i32(3, 1, 2) + num(1) + i32(3, 2, 1) + string('k') + num(1)
                    + num(2) + i32(3, 2))
        assert serialize([inner, inner]) == expected

    def test_view_with_offset_and_strides(self):
        base = torch.DoubleTensor(3, 4)
        base.numpy()[:] = np.arange(12.).reshape(3, 4)
        v = base.narrow(1, 1, 2).t()          # size 2x3, stride 1x4, offset 1 (0-based)
        expected = (torch_header(1, 'torch.DoubleTensor') + i32(2) + i64(2, 3) + i64(1, 4)
                    + i64(2) + torch_header(2, 'torch.DoubleStorage') + i64(12)
                    + np.arange(12.).tobytes())
        assert serialize(v) == expected

    def test_empty_tensor_has_no_storage(self):
        expected = torch_header(1, 'torch.FloatTensor') + i32(0) + i64(1) + i32(0)
        assert serialize(torch.FloatTensor()) == expected
        t = deserialize(expected)
        assert type(t) is torch.FloatTensor and t.nElement() == 0 and t.dim() == 0

    def test_storage(self):
        st = torch.IntStorage([1, -2, 3])
        assert serialize(st) == torch_header(1, 'torch.IntStorage') + i64(3) + i32(1, -2, 3)

    def test_ascii_layout(self):
        assert serialize({'hello': 123}, 'ascii') == b'3\n1\n1\n2\n5\nhello\n1\n123\n'
        assert serialize(0.1, 'ascii') == b'1\n0.10000000000000001\n'
        assert serialize('', 'ascii') == b'2\n0\n'          # no newline after empty data
        t = torch.FloatTensor([0.1, 2])
        assert serialize(t, 'ascii') == (b'4\n1\n3\nV 1\n17\ntorch.FloatTensor\n1\n2\n1\n1\n'
                                         b'4\n2\n3\nV 1\n18\ntorch.FloatStorage\n2\n'
                                         b'0.100000001 2\n')
        bs = torch.ByteStorage([104, 105, 10])      # Byte data is written raw
        assert serialize(bs, 'ascii') == b'4\n1\n3\nV 1\n17\ntorch.ByteStorage\n3\nhi\n\n'


# -- round trips ----------------------------------------------------------------------------------
def _same(a, b):
    """Type-strict structural equality (tensors by type, geometry and values)."""
    if isinstance(a, torch.Tensor):
        return (type(a) is type(b) and a.size() == b.size() and a.stride() == b.stride()
                and np.array_equal(a.numpy(), b.numpy(), equal_nan=a.numpy().dtype.kind == 'f'))
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


def _after_load(x):
    """What `x` becomes after save + load, by the documented rules."""
    if isinstance(x, bool) or x is None or isinstance(x, int):
        return x
    if isinstance(x, float):
        negative_zero = x == 0 and math.copysign(1, x) < 0
        in_range = -2.0 ** 63 <= x < 2.0 ** 63
        return int(x) if x.is_integer() and in_range and not negative_zero else x
    if isinstance(x, bytes):
        try:
            return x.decode('utf-8')
        except UnicodeDecodeError:
            return x
    if isinstance(x, str):
        return x
    if isinstance(x, (list, tuple)):
        return [_after_load(v) for v in x] if x else {}
    items = {_after_load(k): _after_load(v) for k, v in x.items() if v is not None}
    keys = list(items)
    if keys and all(type(k) is int for k in keys) and set(keys) == set(range(1, len(keys) + 1)):
        return [items[i] for i in range(1, len(keys) + 1)]
    return items


_scalars = st.one_of(st.booleans(), st.integers(-2 ** 53, 2 ** 53),
                     st.floats(allow_nan=False), st.text(max_size=8), st.binary(max_size=8))
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, min_size=0, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=6), st.integers(-3, 6)),
                        st.one_of(inner, st.none()), max_size=4)),
    max_leaves=20)


class TestRoundTrip:
    @pytest.mark.parametrize('mode', MODES)
    @FAST
    @given(value=_values)
    def test_nested_values(self, mode, value):
        assert _same(roundtrip(value, mode), _after_load(value))

    @pytest.mark.parametrize('mode', MODES)
    def test_numbers(self, mode):
        vals = [0, 1, -1, 2 ** 53, -2 ** 53, 2 ** 60, 1.5, -0.0, 1.0, 1e300, -1e-300,
                math.inf, -math.inf, 0.1, np.float32(0.1), np.int64(2 ** 40)]
        out = roundtrip(vals, mode)
        expected = [0, 1, -1, 2 ** 53, -2 ** 53, 2 ** 60, 1.5, -0.0, 1, 1e300, -1e-300,
                    math.inf, -math.inf, 0.1, float(np.float32(0.1)), 2 ** 40]
        assert _same(out, expected)
        assert math.isnan(roundtrip(math.nan, mode))

    @pytest.mark.parametrize('mode', MODES)
    def test_strings(self, mode):
        vals = ['', 'plain', 'héllo ✓ 🎉 日本', '\nstarts with newline\n', 'a b\tc',
                b'\xff\xfe\x00', b'', b'utf8 bytes']
        assert roundtrip(vals, mode) == ['', 'plain', 'héllo ✓ 🎉 日本',
                                         '\nstarts with newline\n', 'a b\tc',
                                         b'\xff\xfe\x00', '', 'utf8 bytes']

    @pytest.mark.parametrize('mode', MODES)
    @pytest.mark.parametrize('cls', CLASSES)
    def test_every_tensor_type_and_layout(self, mode, cls):
        info = np.iinfo(cls._dtype) if cls._dtype.kind in 'iu' else None
        a = np.arange(24).reshape(2, 3, 4) % 7 - 3
        if info is not None:
            a = np.clip(a, info.min, info.max)
        for lay in layouts(a, cls):
            t = lay.tensor
            if info is not None:      # extremes survive (int64 needs the exact path)
                t.storage().numpy()[-1] = info.max
                t.storage().numpy()[0] = info.min
            back = roundtrip(t, mode)
            assert type(back) is cls, lay.name
            assert back.size() == t.size() and back.stride() == t.stride(), lay.name
            assert back.storageOffset() == t.storageOffset(), lay.name
            np.testing.assert_array_equal(back.storage().numpy(), t.storage().numpy())
            np.testing.assert_array_equal(back.numpy(), t.numpy())

    @pytest.mark.parametrize('mode', MODES)
    def test_float_specials(self, mode):
        t = torch.DoubleTensor([math.nan, math.inf, -math.inf, -0.0, 5e-324,
                                1.7976931348623157e308])
        f = torch.FloatTensor([math.nan, math.inf, 1e-45, 3.4028235e38, 0.1])
        bt, bf = roundtrip([t, f], mode)
        np.testing.assert_array_equal(bt.numpy(), t.numpy())
        np.testing.assert_array_equal(bf.numpy(), f.numpy())
        assert np.signbit(bt.numpy()[3])

    @pytest.mark.parametrize('mode', MODES)
    @pytest.mark.parametrize('cls', CLASSES)
    def test_storages(self, mode, cls):
        st = type(cls().storage())(np.arange(5) + 1)
        back = roundtrip(st, mode)
        assert type(back) is type(st)
        np.testing.assert_array_equal(back.numpy(), st.numpy())
        assert type(roundtrip(type(st)(), mode)) is type(st)

    @pytest.mark.parametrize('mode', MODES)
    def test_shared_storages(self, mode):
        a = torch.FloatTensor(4, 5)
        a.numpy()[:] = np.arange(20).reshape(4, 5)
        views = [a, a.t(), a.narrow(1, 2, 3), a.select(0, 3), a.view(20),
                 a.narrow(0, 1, 1).expand(3, 5)]
        back = roundtrip({'views': views, 'again': a}, mode)
        st = back['again'].storage()
        assert back['again'] is back['views'][0]
        for v, b in zip(views, back['views']):
            assert b.storage() is st
            assert (b.size(), b.stride(), b.storageOffset()) == \
                (v.size(), v.stride(), v.storageOffset())
            np.testing.assert_array_equal(b.numpy(), v.numpy())
        back['views'][1].numpy()[0, 0] = 99           # writes are shared, as before saving
        assert back['views'][0].numpy()[0, 0] == 99
        assert serialize(views, mode).count(b'torch.FloatStorage') == 1   # written once

    def test_layout_torch7_cannot_describe_is_copied(self):
        from torchlike._core import wrap
        a = np.arange(10.)[::-2]                     # negative stride: only via raw numpy
        back = roundtrip(wrap(torch.DoubleTensor, a))
        assert back.stride() == (1,) and back.numpy().tolist() == a.tolist()

    def test_storage_and_tensor_on_it(self):
        st = torch.DoubleStorage(6)
        t = torch.DoubleTensor(st, 2, torch.Size([2, 2]), torch.Size([1, 2]))
        s2, t2 = roundtrip([st, t])
        assert t2.storage() is s2 and t2.storageOffset() == 2

    @pytest.mark.parametrize('mode', MODES)
    def test_shared_and_cyclic_containers(self, mode):
        shared = {'k': [1, 2]}
        d = {'a': shared, 'b': shared}
        d['self'] = d
        lst = [1, 2]
        lst.append({'parent': lst})
        lst.append(lst)
        back = roundtrip({'d': d, 'lst': lst}, mode)
        bd, bl = back['d'], back['lst']
        assert bd['a'] is bd['b'] and bd['self'] is bd
        assert type(bl) is list and bl[2]['parent'] is bl and bl[3] is bl
        assert bl[:2] == [1, 2]

    @pytest.mark.parametrize('mode', MODES)
    def test_tables_as_keys(self, mode):
        t = LuaTable()
        t[t] = t                               # Torch7's recursive_kv_table
        back = roundtrip(t, mode)
        (key, value), = back.items()
        assert key is back and value is back and back[back] is back
        back = roundtrip({(1, 2): 'v', 'x': 1}, mode)
        assert isinstance(back, LuaTable)
        assert [(k, v) for k, v in back.items()] == [([1, 2], 'v'), ('x', 1)]
        assert back['x'] == 1

    def test_true_and_one_are_different_keys(self):
        t = LuaTable([(1, 'one'), (True, 'true')])
        back = roundtrip(t)
        assert isinstance(back, LuaTable) and back[1] == 'one' and back[True] == 'true'

    def test_containers_map_to_lua_tables(self):
        assert roundtrip((1, 'a')) == [1, 'a']
        assert roundtrip(torch.Size([2, 3])) == [2, 3]
        assert roundtrip([]) == {} and roundtrip(()) == {} and roundtrip({}) == {}
        assert roundtrip({'a': None, 'b': 1}) == {'b': 1}     # nil values do not exist
        assert roundtrip({3: 'c', 1: 'a', 2: 'b'}) == ['a', 'b', 'c']
        assert roundtrip({2: 'b'}) == {2: 'b'}
        e1, e2 = roundtrip([(), ()])
        assert e1 is not e2                       # empty tuples are not one shared table

    def test_deep_nesting_has_no_recursion_limit(self):
        root = cur = []
        for i in range(5000):
            nxt = [i]
            cur.append(nxt)
            cur = nxt
        for mode in MODES:
            back = roundtrip(root, mode)
            depth = 0
            while isinstance(back, list):
                back = back[-1]
                depth += 1
            assert depth == 5001 and back == 4999

    def test_referenced_false(self):
        a = torch.DoubleTensor(3)
        back = deserialize(serialize([a, a]))
        assert back[0] is back[1]
        data = io.BytesIO()
        save(data, [a, a.narrow(0, 1, 2)], referenced=False)
        x, y = load(io.BytesIO(data.getvalue()), referenced=False)
        assert x.storage() is not y.storage() and y.storageOffset() == 1
        cyc = []
        cyc.append(cyc)
        with pytest.raises(ValueError, match=r'cyclic.*<root>\[0\]'):
            save(io.BytesIO(), cyc, referenced=False)

    def test_files_and_file_objects(self, tmp_path):
        obj = {'t': torch.LongTensor([1, 2, 3]), 's': 'x'}
        for mode in MODES:
            p = tmp_path / f'o_{mode}.t7'
            save(str(p), obj, mode)
            back = load(p, mode)
            assert back['s'] == 'x' and back['t'].numpy().tolist() == [1, 2, 3]
            buf = io.BytesIO()
            save(buf, obj, mode)
            assert buf.getvalue() == p.read_bytes()
            assert load(io.BytesIO(buf.getvalue()), mode)['s'] == 'x'

    def test_storage_forms(self):
        st = serializeToStorage({'a': 1})
        assert type(st) is torch.CharStorage
        assert deserializeFromStorage(st) == {'a': 1}
        assert deserializeFromStorage(serializeToStorage([1, 2], 'ascii'), 'ascii') == [1, 2]
        assert deserialize(bytearray(serialize(3))) == 3


# -- long sizes, legacy and foreign types -------------------------------------------------------
class TestFormats:
    def _tensor_file(self, long, name='torch.DoubleTensor', storage='torch.DoubleStorage',
                     data=np.array([1., 2., 3., 4.])):
        return (torch_header(1, name) + i32(2) + long(2, 2) + long(1, 2) + long(1)
                + torch_header(2, storage) + long(len(data)) + data.tobytes())

    def test_b32(self):
        def l32(*v):
            return struct.pack(f'<{len(v)}i', *v)
        data = self._tensor_file(l32)
        t = load(io.BytesIO(data), 'b32')
        assert tuple(t.size()) == (2, 2) and tuple(t.stride()) == (1, 2)
        np.testing.assert_array_equal(t.numpy(), [[1, 3], [2, 4]])
        with pytest.raises((ValueError, EOFError)):
            load(io.BytesIO(data), 'binary')
        vec = torch_header(1, 'tds.Vec', 0) + l32(2) + num(7) + num(8)
        assert load(io.BytesIO(vec), 'b32') == [7, 8]

    def test_b64_is_binary(self):
        data = self._tensor_file(i64)
        assert load(io.BytesIO(data), 'b64').numpy().tolist() == [[1, 3], [2, 4]]

    def test_half_and_cuda_load_as_cpu_types(self):
        half = np.array([0.5, 1.5, -2, 4], np.float16)
        t = deserialize(self._tensor_file(i64, 'torch.HalfTensor', 'torch.HalfStorage', half))
        assert type(t) is torch.FloatTensor
        np.testing.assert_array_equal(t.numpy(), [[0.5, -2], [1.5, 4]])
        c = deserialize(self._tensor_file(i64, 'torch.CudaTensor', 'torch.CudaStorage',
                                          np.arange(4, dtype=np.float32)))
        assert type(c) is torch.FloatTensor
        c = deserialize(self._tensor_file(i64, 'torch.CudaLongTensor', 'torch.CudaLongStorage',
                                          np.arange(4)))
        assert type(c) is torch.LongTensor

    def test_file_without_version_string(self):
        data = i32(4, 1) + lstr('Old') + i32(3, 2, 1) + string('x') + num(1)
        obj = deserialize(data)
        assert obj._typename == 'Old' and obj._version == 0 and obj.x == 1
        assert serialize(obj) == i32(4, 1) + lstr('V 0') + lstr('Old') + i32(3, 2, 1) \
            + string('x') + num(1)

    def test_tds_hash(self):
        data = (torch_header(1, 'tds.Hash', 0) + i64(2) + num(1) + num(2) + string('k')
                + string('v'))
        h = deserialize(data)
        assert isinstance(h, dict) and type(h) is TdsHash and h == {1: 2, 'k': 'v'}
        assert serialize(h) == data
        assert serialize(TdsVec([1])) == torch_header(1, 'tds.Vec', 0) + i64(1) + num(1)

    def test_functions_are_inert(self):
        code = b'\x1bLJ\x02 fake bytecode'
        upvalues = i32(3, 3, 1) + num(1) + i32(3, 4, 2) + string('name') + string('x') \
            + string('value') + num(42)
        data = i32(3, 1, 1) + string('f') + i32(8, 2) + lstr(code) + upvalues
        obj = deserialize(data)
        f = obj['f']
        assert isinstance(f, LuaFunction) and f.bytecode == code and f.tag == 8
        assert f.upvalues == [{'name': 'x', 'value': 42}]
        with pytest.raises(RuntimeError, match='never runs code'):
            f()
        assert serialize(obj) == data
        legacy = i32(6) + lstr(code) + i32(3, 1, 1) + num(1) + string('up')
        g = deserialize(legacy)
        assert g.tag == 6 and g.upvalues == ['up'] and serialize(g) == legacy
        rec = i32(7, 1) + lstr(code) + i32(3, 2, 1) + num(1) + i32(7, 1)
        h = deserialize(rec)
        assert h.tag == 7 and h.upvalues == [h] and serialize(h) == rec

    def test_generic_object_fields(self):
        obj = TorchObject('nn.Unknown', 3, {'weight': torch.DoubleTensor(2), 'k': 1})
        back = roundtrip(obj)
        assert typename(back) == 'nn.Unknown' and back._version == 3
        assert back.k == 1 and back['k'] == 1 and 'weight' in back
        assert type(back.weight) is torch.DoubleTensor
        back.new_field = 'x'
        assert back['new_field'] == 'x'
        with pytest.raises(AttributeError, match='no field'):
            back.missing


# -- the class registry -------------------------------------------------------------------------
class Module:
    count_init = 0

    def __init__(self, n):
        Module.count_init += 1
        self.weight = torch.DoubleTensor(n, 2)
        self.dim = 0                  # 0-based in Python, 1-based in the file
        self.train = True
        self._cache = object()        # not saveable: filtered out


class TestRegistry:
    @pytest.fixture(autouse=True)
    def registered(self):
        def fields(self):
            out = {k: v for k, v in vars(self).items() if k != '_cache'}
            out['dim'] = self.dim + 1
            return out

        def load_fields(cls, fields, version):
            fields['dim'] -= 1
            fields['loaded_version'] = version
            return fields
        Module._torchFields = fields
        Module._torchLoadFields = classmethod(load_fields)
        registerClass('nn.TestModule', Module, version=2)
        yield
        unregisterClass('nn.TestModule')
        del Module._torchFields, Module._torchLoadFields

    @pytest.mark.parametrize('mode', MODES)
    def test_round_trip_with_hooks(self, mode):
        m = Module(3)
        m.dim = 1
        m.parent = {'child': m}
        m.weight.numpy()[:] = 7
        before = Module.count_init
        back = roundtrip({'m': m, 'w': m.weight}, mode)
        bm = back['m']
        assert type(bm) is Module and Module.count_init == before   # __init__ not called
        assert bm.dim == 1 and bm.loaded_version == 2 and bm.train is True
        assert not hasattr(bm, '_cache')
        assert bm.parent['child'] is bm and back['w'] is bm.weight
        assert bm.weight.numpy().tolist() == [[7, 7]] * 3
        assert typename(bm) == 'nn.TestModule'

    def test_file_layout(self):
        m = Module(1)
        data = serialize(m)
        assert data.startswith(torch_header(1, 'nn.TestModule', 2) + i32(3, 2, 3))
        assert b'_cache' not in data and string('dim') + num(1) in data

    def test_unregistered_name_loads_generic(self):
        data = serialize(Module(1))
        unregisterClass('nn.TestModule')
        obj = deserialize(data)
        assert isinstance(obj, TorchObject) and obj.dim == 1 and obj._version == 2
        registerClass('nn.TestModule', Module, version=2)

    def test_subclass_must_be_registered(self):
        class Sub(Module):
            pass
        with pytest.raises(TypeError, match=r"'Sub' at <root>\.x: .*registerClass"):
            serialize({'x': Sub(1)})

    def test_alias_and_decorator(self):
        registerClass('nn.OldName', Module, loadOnly=True)
        try:
            data = serialize(Module(1)).replace(lstr('nn.TestModule'), lstr('nn.OldName'))
            assert type(deserialize(data)) is Module
            assert serialize(deserialize(data)).count(b'nn.TestModule') == 1
        finally:
            unregisterClass('nn.OldName')

        @registerClass('test.Point')
        class Point:
            def __init__(self, x):
                self.x = x
        try:
            assert registeredClass('test.Point') is Point and Point._typename == 'test.Point'
            assert roundtrip(Point(3)).x == 3
        finally:
            unregisterClass('test.Point')

    def test_save_only_name(self):
        class Twin(Module):
            pass
        registerClass('nn.TestModule', Twin, version=2, saveOnly=True)
        data = serialize(Twin(1))
        assert data.count(b'nn.TestModule') == 1
        assert type(deserialize(data)) is Module          # loading keeps the main class
        with pytest.raises(ValueError, match='exclude each other'):
            registerClass('nn.Other', Twin, loadOnly=True, saveOnly=True)

    def test_special_attributes_are_not_set_from_files(self):
        data = serialize(Module(1)).replace(lstr('train'), lstr('__class__'), 1)
        with pytest.raises(ValueError, match='special attribute'):
            deserialize(data)

    def test_bad_registrations(self):
        with pytest.raises(ValueError, match='built-in'):
            registerClass('torch.FloatTensor', Module)
        with pytest.raises(TypeError, match='class'):
            registerClass('x.Y', Module(1))
        with pytest.raises(TypeError, match='name'):
            registerClass('', Module)


# -- errors ---------------------------------------------------------------------------------------
class TestErrors:
    def test_unwritable_object_names_type_and_path(self, tmp_path):
        target = tmp_path / 'model.t7'
        with pytest.raises(TypeError, match=r"cannot save object of type 'function' at "
                                            r"<root>\.model\.fn"):
            save(target, {'model': {'fn': lambda: 0, 'w': torch.DoubleTensor(2)}})
        assert not target.exists()                      # nothing created
        target.write_bytes(b'previous')
        with pytest.raises(TypeError, match=r"'set' at <root>\[1\]\.s"):
            save(target, [1, {'s': {1, 2}}])
        assert target.read_bytes() == b'previous'       # nothing half written
        with pytest.raises(TypeError, match=r"ndarray.*fromNumpy"):
            serialize({'a': np.zeros(2)})
        with pytest.raises(TypeError, match=r"'object' at <root>\[key <object>\]"):
            serialize({object(): 1})

    def test_none_in_list(self):
        with pytest.raises(TypeError, match=r'None at <root>\.x\[1\]'):
            serialize({'x': [1, None]})

    def test_inexact_ints(self):
        with pytest.raises(ValueError, match=r'9007199254740993 exactly at <root>\.n'):
            serialize({'n': 2 ** 53 + 1})
        with pytest.raises(ValueError, match='exactly'):
            serialize(np.uint64(2 ** 64 - 1))
        with pytest.raises(ValueError, match='exactly'):
            serialize(10 ** 400)
        assert roundtrip(2 ** 62) == 2 ** 62               # exactly representable: fine
        assert roundtrip(-2 ** 63) == -2 ** 63 and type(roundtrip(2 ** 63)) is float

    def test_bad_keys_and_strings(self):
        with pytest.raises(ValueError, match='NaN'):
            serialize({math.nan: 1})
        with pytest.raises(ValueError, match='Unicode'):
            serialize('\udcff')

    def test_bad_modes(self):
        with pytest.raises(ValueError, match="'binary' or 'ascii'"):
            serialize(1, 'b32')
        with pytest.raises(ValueError, match="'b32'"):
            deserialize(serialize(1), 'text')
        with pytest.raises(TypeError, match='referenced'):
            save(io.BytesIO(), 1, 'binary', 'yes')
        with pytest.raises(TypeError, match='bytes'):
            deserialize('abc')

    def test_unknown_tag(self):
        with pytest.raises(ValueError, match='unknown type tag 9 at offset 0'):
            deserialize(i32(9))
        with pytest.raises(ValueError, match=r'unknown type tag 77 at offset 21 .*table #1'):
            deserialize(i32(3, 1, 1) + string('a') + i32(77))

    def test_empty_and_wrong_mode(self, tmp_path):
        (tmp_path / 'empty.t7').write_bytes(b'')
        with pytest.raises(EOFError, match='empty'):
            load(tmp_path / 'empty.t7')
        with pytest.raises(ValueError, match='offset 0'):
            deserialize(serialize([1, 2], 'ascii'), 'binary')
        with pytest.raises(ValueError, match='binary'):
            deserialize(serialize([1, 2]), 'ascii')

    def test_corrupt_geometry_and_counts(self):
        head = torch_header(1, 'torch.DoubleTensor')
        store = torch_header(2, 'torch.DoubleStorage') + i64(2) + f64(1) + f64(2)
        with pytest.raises(ValueError, match='does not fit'):
            deserialize(head + i32(1) + i64(5) + i64(1) + i64(1) + store)
        with pytest.raises(ValueError, match='dimensions'):
            deserialize(head + i32(-1))
        with pytest.raises(ValueError, match='not a torch.DoubleStorage'):
            deserialize(head + i32(1) + i64(1) + i64(1) + i64(1)
                        + torch_header(2, 'torch.FloatStorage') + i64(1) + b'\0' * 4)
        with pytest.raises(ValueError, match='negative table size'):
            deserialize(i32(3, 1, -5))
        with pytest.raises(EOFError, match='offset 12'):
            deserialize(i32(3, 1, 2 ** 31 - 1))
        with pytest.raises(EOFError, match='8000000000 bytes needed'):
            deserialize(torch_header(1, 'torch.DoubleStorage') + i64(10 ** 9))

    def test_random_corruption_raises_only_clear_errors(self):
        a = torch.FloatTensor(3, 4)
        obj = {'a': a, 'b': [a.t(), torch.LongTensor(3)], 'c': {'x': 1.5, 'y': 'str'},
               'd': TorchObject('Blah', 1, {'w': torch.ByteStorage(4)}),
               'e': TdsVec([1, 2]), 'g': LuaFunction(b'code', [1]), 't': LuaTable([([1], 2)])}
        obj['self'] = obj
        rng = np.random.default_rng(0)
        for mode in MODES:
            base = serialize(obj, mode)
            for _ in range(300):
                b = bytearray(base)
                for _ in range(rng.integers(1, 4)):
                    b[rng.integers(len(b))] = rng.integers(256)
                if rng.random() < 0.3:
                    b = b[:rng.integers(len(b))]
                try:
                    deserialize(bytes(b), mode)
                except (ValueError, EOFError):
                    pass
