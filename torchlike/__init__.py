"""torchlike: Lua Torch7's tensor library in Python (import torchlike as torch)."""
from .types import setdefaulttensortype, getdefaulttensortype
from .storage import (Storage, ByteStorage, CharStorage, ShortStorage, IntStorage, LongStorage,
                      FloatStorage, DoubleStorage)
from ._core import Size
from .tensor import (Tensor, ByteTensor, CharTensor, ShortTensor, IntTensor, LongTensor,
                     FloatTensor, DoubleTensor, fromNumpy)
from .pointwise import FUNCTIONS as _POINTWISE

globals().update(_POINTWISE)
