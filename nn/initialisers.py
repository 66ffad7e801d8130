"""Weight initialisers in the style of PyTorch's nn.init (an addition: Torch7 only had each
module's `reset`). Exported as `nn.init`:

    nn.init.xavier_uniform(linear)                      # the module's weight, in place
    nn.init.kaiming_normal(conv.weight, mode='fan_out') # or a tensor
    nn.init.initialise(model, nn.init.kaiming_uniform, nonlinearity='relu', bias=0)

Every function fills in place, draws from torchlike's global generator (so torch.manualSeed
reproduces it), and returns what it was given. Given a module, it initialises `module.weight`
and leaves the bias alone; `initialise` walks a whole model.

Fans: a weight of size out x in x k1 x k2 ... has fanIn = in * k1 * k2 ... and fanOut =
out * k1 * k2 ...; a module whose 2-D weight stores a flattened kernel (SpatialConvolutionMM,
TemporalConvolution: out x (in * kW * kH)) gets fanOut = out * kW * kH from its kW/kH/kT fields.
"""
import math

import torchlike as torch

__all__ = ['calculateGain', 'calculateFan', 'xavier_uniform', 'xavier_normal',
           'kaiming_uniform', 'kaiming_normal', 'initialise']

_LINEAR_GAIN = ('linear', 'identity', 'conv1d', 'conv2d', 'conv3d', 'sigmoid',
                'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d')


def calculateGain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity: 1 for linear layers and sigmoid, 5/3 for tanh,
    sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu (slope `param`, default 0.01),
    3/4 for selu."""
    name = str(nonlinearity).lower()
    if name in _LINEAR_GAIN:
        return 1.0
    if name == 'tanh':
        return 5.0 / 3
    if name == 'relu':
        return math.sqrt(2.0)
    if name == 'leaky_relu':
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculateGain: negative slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if name == 'selu':
        return 3.0 / 4
    raise ValueError(f"calculateGain: unsupported nonlinearity {nonlinearity!r} (known: "
                     f"{', '.join(_LINEAR_GAIN + ('tanh', 'relu', 'leaky_relu', 'selu'))})")


def _weight_of(x, fn):
    """(tensor to fill, module or None) for a tensor or a module with a weight."""
    if torch.isTensor(x):
        return x, None
    w = getattr(x, 'weight', None)
    if not torch.isTensor(w):
        raise TypeError(f"{fn}: expected a tensor or a module with a weight, got "
                        f"{getattr(x, '_typename', type(x).__name__)}")
    return w, x


def calculateFan(x):
    """(fanIn, fanOut) of a weight tensor, or of a module's weight (see the module doc)."""
    w, module = _weight_of(x, 'calculateFan')
    size = tuple(w.size())
    if len(size) < 2:
        raise ValueError(f"calculateFan: a weight needs at least 2 dimensions to have fans, "
                         f"got size {' x '.join(map(str, size)) or 'empty'}")
    receptive = 1
    for s in size[2:]:
        receptive *= s
    fan_in, fan_out = size[1] * receptive, size[0] * receptive
    if module is not None and len(size) == 2 and hasattr(module, 'kW'):
        kernel = 1
        for name in ('kW', 'kH', 'kT'):
            kernel *= int(getattr(module, name, 1) or 1)
        fan_out = size[0] * kernel
    return fan_in, fan_out


def _fan(x, mode, fn):
    fan_in, fan_out = calculateFan(x)
    if mode == 'fan_in':
        return fan_in
    if mode == 'fan_out':
        return fan_out
    raise ValueError(f"{fn}: mode must be 'fan_in' or 'fan_out', got {mode!r}")


def xavier_uniform(x, gain=1.0):
    """Glorot & Bengio (2010): uniform(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut))."""
    w, _ = _weight_of(x, 'xavier_uniform')
    fan_in, fan_out = calculateFan(x)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    w.uniform(-bound, bound)
    return x


def xavier_normal(x, gain=1.0):
    """Glorot & Bengio (2010): normal(0, std) with std = gain * sqrt(2 / (fanIn + fanOut))."""
    w, _ = _weight_of(x, 'xavier_normal')
    fan_in, fan_out = calculateFan(x)
    w.normal(0, gain * math.sqrt(2.0 / (fan_in + fan_out)))
    return x


def kaiming_uniform(x, a=0, mode='fan_in', nonlinearity='leaky_relu'):
    """He et al. (2015): uniform(-b, b) with b = gain * sqrt(3 / fan), gain from
    calculateGain(nonlinearity, a) (a: the negative slope after this layer, 0 for ReLU)."""
    w, _ = _weight_of(x, 'kaiming_uniform')
    std = calculateGain(nonlinearity, a) / math.sqrt(_fan(x, mode, 'kaiming_uniform'))
    bound = math.sqrt(3.0) * std
    w.uniform(-bound, bound)
    return x


def kaiming_normal(x, a=0, mode='fan_in', nonlinearity='leaky_relu'):
    """He et al. (2015): normal(0, gain / sqrt(fan))."""
    w, _ = _weight_of(x, 'kaiming_normal')
    std = calculateGain(nonlinearity, a) / math.sqrt(_fan(x, mode, 'kaiming_normal'))
    w.normal(0, std)
    return x


def initialise(model, method, *args, types=None, bias=None, **kwargs):
    """Apply `method` (one of the functions above) to every module of `model` (itself
    included) whose weight has 2 or more dimensions, optionally only to modules whose
    typename is in `types` ('nn.Linear', ...). With bias=c, their biases are filled with c.
    Returns the model."""
    if types is not None:
        types = {types} if isinstance(types, str) else set(types)
    for m in model.listModules():
        w = getattr(m, 'weight', None)
        if not torch.isTensor(w) or w.dim() < 2:
            continue
        if types is not None and m._typename not in types:
            continue
        method(m, *args, **kwargs)
        b = getattr(m, 'bias', None)
        if bias is not None and torch.isTensor(b):
            b.fill(bias)
    return model
