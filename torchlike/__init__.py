"""torchlike: Lua Torch7's tensor library in Python. Use it as `import torchlike as torch`.

This file is the table of contents: every public name, grouped by family.
"""
# types, storages and tensors
from .types import setdefaulttensortype, getdefaulttensortype
from .storage import (Storage, ByteStorage, CharStorage, ShortStorage, IntStorage, LongStorage,
                      FloatStorage, DoubleStorage)
from ._core import Size
from .tensor import (Tensor, ByteTensor, CharTensor, ShortTensor, IntTensor, LongTensor,
                     FloatTensor, DoubleTensor, fromNumpy)
from . import cuda
from .cuda import (CudaTensor, CudaLongTensor, CudaByteTensor, CudaStorage, CudaLongStorage,
                   CudaByteStorage)
from .utils import (typename, isTensor, isStorage, type, isTypeOf, setnumthreads,
                    getnumthreads)

# utilities: timing, command lines, progress
from .timer import Timer, tic, toc
from .cmdline import CmdLine, CmdLineError
from .progressbar import progress

# random numbers, linear algebra, convolution
from .rng import (Generator, manualSeed, seed, initialSeed, getRNGState, setRNGState, random,
                  uniform, normal, exponential, cauchy, logNormal, geometric, bernoulli, rand,
                  randn, randperm, multinomial)
from .linalg import (gesv, trtrs, potrf, potrs, potri, pstrf, gels, symeig, eig, svd, inverse,
                     qr, geqrf, orgqr, ormqr)
from .conv import conv2, xcorr2, conv3, xcorr3

# serialization (the Torch7 .t7 format)
from .serialization import (save, load, serialize, deserialize, serializeToStorage,
                            deserializeFromStorage, registerClass, unregisterClass, LuaTable,
                            TorchObject, LuaFunction, TdsVec, TdsHash)

# construction
from .construct import (zeros, ones, eye, range, arange, linspace, logspace, diag, tril, triu,
                        cat, reshape, histc, numel)

# index and mask operations
from .indexing import repeatTensor

# function forms of the element-wise, reduction, BLAS and view families
from .functions import (
    exp, log, log1p, sqrt, rsqrt, sigmoid, tanh, sin, cos, tan, asin, acos, atan, sinh,
    cosh, ceil, floor, round, trunc, frac, cinv, expm1, abs, sign, neg, mul, cmul, cpow,
    cmax, cmin, atan2, div, cdiv, fmod, cfmod, mod, cmod, remainder, cremainder, bitand, cbitand,
    bitor, cbitor, bitxor, cbitxor, lshift, clshift, rshift, crshift, clamp, lerp, pow, add,
    csub, addcmul, addcdiv, lt, le, gt, ge, eq, ne, sum, prod, mean, max, min, renorm, var,
    std, norm, dist, trace, cumsum, cumprod, kthvalue, median, mode, sort, topk, all, any,
    equal, mm, mv, bmm, ger, dot, addmm, addmv, addbmm, baddbmm, addr, cross, narrow,
    select, sub, transpose, t, permute, unfold, view, viewAs, expand, expandAs, squeeze,
    unsqueeze, split, chunk, clone, contiguous, index, gather, maskedSelect, nonzero)

# datasets, samplers, the DataLoader and IDX files (imports threads lazily)
from . import data
