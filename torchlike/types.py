"""The tensor type table and the default tensor type.

Every CPU tensor type of Torch7 maps onto one numpy dtype. The classes themselves live in
`tensor.py` and `storage.py`; they register here so that names such as 'torch.FloatTensor'
resolve to classes in one place.
"""
import numpy as np

# Torch7 short name -> numpy dtype, in Torch7's order.
DTYPES = {
    'Byte': np.dtype(np.uint8),
    'Char': np.dtype(np.int8),
    'Short': np.dtype(np.int16),
    'Int': np.dtype(np.int32),
    'Long': np.dtype(np.int64),
    'Float': np.dtype(np.float32),
    'Double': np.dtype(np.float64),
}
FLOAT_DTYPES = (DTYPES['Float'], DTYPES['Double'])

tensor_classes = {}    # 'torch.FloatTensor' -> class
storage_classes = {}   # 'torch.FloatStorage' -> class
tensor_class_by_dtype = {}
storage_class_by_dtype = {}

_default = {'tensor': 'torch.DoubleTensor'}


def register_tensor_class(cls):
    tensor_classes[cls._typename] = cls
    tensor_class_by_dtype[cls._dtype] = cls
    return cls


def register_storage_class(cls):
    storage_classes[cls._typename] = cls
    storage_class_by_dtype[cls._dtype] = cls
    return cls


def register_cuda_tensor_class(cls):
    """CUDA classes resolve by name only: numpy dtypes keep naming the CPU classes."""
    tensor_classes[cls._typename] = cls
    return cls


def register_cuda_storage_class(cls):
    storage_classes[cls._typename] = cls
    return cls


def tensor_class(name):
    """The tensor class called `name` ('torch.FloatTensor'); a clear error for unknown names."""
    try:
        return tensor_classes[name]
    except (KeyError, TypeError):
        known = ', '.join(sorted(tensor_classes))
        raise TypeError(f"unknown tensor type {name!r}; known types: {known}") from None


def default_tensor_class():
    return tensor_classes[_default['tensor']]


def default_storage_class():
    return storage_classes[_default['tensor'].replace('Tensor', 'Storage')]


def setdefaulttensortype(name):
    """Make `torch.Tensor(...)`, `torch.zeros(...)` etc. produce tensors of type `name`."""
    cls = tensor_class(name)
    if cls._dtype not in FLOAT_DTYPES:
        raise TypeError(f"setdefaulttensortype: only floating point types can be the default "
                        f"(torch.FloatTensor or torch.DoubleTensor), got {name!r}")
    _default['tensor'] = name


def getdefaulttensortype():
    return _default['tensor']


def default_dtype():
    return tensor_classes[_default['tensor']]._dtype


def class_for_dtype(dtype):
    """The tensor class holding numpy dtype `dtype`; a clear error for dtypes Torch7 lacks."""
    try:
        return tensor_class_by_dtype[np.dtype(dtype)]
    except KeyError:
        known = ', '.join(str(d) for d in DTYPES.values())
        raise TypeError(f"numpy dtype {np.dtype(dtype)} has no torchlike tensor type "
                        f"(supported: {known})") from None
