"""The `torch.<name>` function forms: `torch.f(x, ...)` returns a new tensor (or a number),
`torch.f(res, x, ...)` writes into `res`. The implementations live with their families; this
module only names them, so that `torchlike/__init__.py` can list them explicitly.

The math families dispatch on the device, in one place: when the first or the second
positional argument is a CUDA tensor (`torch.add(cudaX, y)`, `torch.add(res, cudaX, y)`,
`torch.pow(2, cudaX)`), the call goes to the CUDA form in torchlike/cuda/math.py. The views
need no dispatch: they call the tensor's own method."""
from .pointwise import FUNCTIONS as _pointwise_cpu
from .comparisons import FUNCTIONS as _comparisons_cpu
from .reductions import FUNCTIONS as _reductions_cpu
from .blas import FUNCTIONS as _blas_cpu
from .construct import VIEW_FUNCTIONS as _views
from . import indexing as _indexing

_cuda_functions = []   # torchlike.cuda.math.FUNCTIONS, looked up on the first CUDA call


def _cuda_form(name, args):
    if not _cuda_functions:
        from .cuda.math import FUNCTIONS
        _cuda_functions.append(FUNCTIONS)
    fn = _cuda_functions[0].get(name)
    if fn is None:
        t = args[0] if getattr(args[0], '_is_cuda', False) else args[1]
        raise TypeError(f"torch.{name} is not available for {t._typename}; move the tensor "
                        f"to the host with .float() (or .long(), .byte()) first")
    return fn


def _on_device(name, cpu):
    """`cpu`, sending calls whose first tensor argument is a CUDA tensor to the CUDA form.
    The CPU path pays one attribute look-up and one extra call."""
    def function(*args):
        # False: a CPU tensor comes first, the CPU form runs (and reports a CUDA operand);
        # None: a number comes first (torch.pow(2, x)), so the second argument decides
        on = getattr(args[0], '_is_cuda', None) if args else False
        if on is False:
            return cpu(*args)
        if on or (len(args) > 1 and getattr(args[1], '_is_cuda', False)):
            return _cuda_form(name, args)(*args)
        return cpu(*args)
    function.__name__ = getattr(cpu, '__name__', name)
    function.__qualname__ = function.__name__
    function.__doc__ = cpu.__doc__
    function.__wrapped__ = cpu
    function._dispatches = True
    return function


def _dispatching(table):
    """Wrap the family's table in place, so that `torch.<name>` and the family's FUNCTIONS
    entry stay one object."""
    for name, fn in table.items():
        if not getattr(fn, '_dispatches', False):    # wrap once, even if imported twice
            table[name] = _on_device(name, fn)
    return table


_pointwise = _dispatching(_pointwise_cpu)
_comparisons = _dispatching(_comparisons_cpu)
_reductions = _dispatching(_reductions_cpu)
_blas = _dispatching(_blas_cpu)

# pointwise
exp = _pointwise['exp']
log = _pointwise['log']
log1p = _pointwise['log1p']
sqrt = _pointwise['sqrt']
rsqrt = _pointwise['rsqrt']
sigmoid = _pointwise['sigmoid']
tanh = _pointwise['tanh']
sin = _pointwise['sin']
cos = _pointwise['cos']
tan = _pointwise['tan']
asin = _pointwise['asin']
acos = _pointwise['acos']
atan = _pointwise['atan']
sinh = _pointwise['sinh']
cosh = _pointwise['cosh']
ceil = _pointwise['ceil']
floor = _pointwise['floor']
round = _pointwise['round']
trunc = _pointwise['trunc']
frac = _pointwise['frac']
cinv = _pointwise['cinv']
expm1 = _pointwise['expm1']
abs = _pointwise['abs']
sign = _pointwise['sign']
neg = _pointwise['neg']
mul = _pointwise['mul']
cmul = _pointwise['cmul']
cpow = _pointwise['cpow']
cmax = _pointwise['cmax']
cmin = _pointwise['cmin']
atan2 = _pointwise['atan2']
div = _pointwise['div']
cdiv = _pointwise['cdiv']
fmod = _pointwise['fmod']
cfmod = _pointwise['cfmod']
mod = _pointwise['mod']
cmod = _pointwise['cmod']
remainder = _pointwise['remainder']
cremainder = _pointwise['cremainder']
bitand = _pointwise['bitand']
cbitand = _pointwise['cbitand']
bitor = _pointwise['bitor']
cbitor = _pointwise['cbitor']
bitxor = _pointwise['bitxor']
cbitxor = _pointwise['cbitxor']
lshift = _pointwise['lshift']
clshift = _pointwise['clshift']
rshift = _pointwise['rshift']
crshift = _pointwise['crshift']
clamp = _pointwise['clamp']
lerp = _pointwise['lerp']
pow = _pointwise['pow']
add = _pointwise['add']
csub = _pointwise['csub']
addcmul = _pointwise['addcmul']
addcdiv = _pointwise['addcdiv']
lt = _comparisons['lt']
le = _comparisons['le']
gt = _comparisons['gt']
ge = _comparisons['ge']
eq = _comparisons['eq']
ne = _comparisons['ne']

# reductions
sum = _reductions['sum']
prod = _reductions['prod']
mean = _reductions['mean']
max = _reductions['max']
min = _reductions['min']
renorm = _reductions['renorm']
var = _reductions['var']
std = _reductions['std']
norm = _reductions['norm']
dist = _reductions['dist']
trace = _reductions['trace']
cumsum = _reductions['cumsum']
cumprod = _reductions['cumprod']
kthvalue = _reductions['kthvalue']
median = _reductions['median']
mode = _reductions['mode']
sort = _reductions['sort']
topk = _reductions['topk']
all = _reductions['all']
any = _reductions['any']
equal = _reductions['equal']

# blas
mm = _blas['mm']
mv = _blas['mv']
bmm = _blas['bmm']
ger = _blas['ger']
dot = _blas['dot']
addmm = _blas['addmm']
addmv = _blas['addmv']
addbmm = _blas['addbmm']
baddbmm = _blas['baddbmm']
addr = _blas['addr']
cross = _blas['cross']

# views
narrow = _views['narrow']
select = _views['select']
sub = _views['sub']
transpose = _views['transpose']
t = _views['t']
permute = _views['permute']
unfold = _views['unfold']
view = _views['view']
viewAs = _views['viewAs']
expand = _views['expand']
expandAs = _views['expandAs']
squeeze = _views['squeeze']
unsqueeze = _views['unsqueeze']
split = _views['split']
chunk = _views['chunk']
clone = _views['clone']
contiguous = _views['contiguous']

# index and mask operations with the device dispatch (the CPU forms are in indexing.py)
index = _on_device('index', _indexing.index)
gather = _on_device('gather', _indexing.gather)
maskedSelect = _on_device('maskedSelect', _indexing.maskedSelect)
nonzero = _on_device('nonzero', _indexing.nonzero)
