"""optim.sgd and optim.adam on CUDA vectors: the same updates as the CPU's fused kernels, run by
their numba.cuda twins (kernels/cuda/optim_updates.py) on the device, so a flat parameter vector
from getParameters() on a CUDA model never leaves the GPU.

The CPU functions parse and check the config, then hand over here when x is a CUDA tensor (the
one place where optim looks at the device). Per-element learningRates / weightDecays are CPU
only for now: they raise a clear error here.
"""
import math

from torchlike._core import TensorBase, fmt_size

from . import _config as C


def is_cuda(x):
    return getattr(type(x), '_is_cuda', False)


def _kernels():
    from kernels.cuda import optim_updates
    return optim_updates


def _check_x(name, x):
    if x._dtype.kind != 'f':
        raise TypeError(f"optim.{name}: x must be a torch.CudaTensor, got {x._typename}")
    if not x.isContiguous():
        raise ValueError(f"optim.{name}: a CUDA x must be contiguous (getParameters() gives a "
                         f"contiguous vector); got size {fmt_size(x.size())}, stride "
                         f"{fmt_size(x.stride())}")


def _no_per_element(name, config):
    for key in ('learningRates', 'weightDecays'):
        if config.get(key) is not None:
            raise NotImplementedError(f"optim.{name}: {key} is not supported for CUDA tensors "
                                      f"yet; use a scalar or run on the CPU")


def _buffer(name, state, key, x):
    """State tensor `key` on x's device and of x's size (zeros when absent)."""
    t = state.get(key)
    if t is None:
        t = x.new(x.nElement()).zero()
        state[key] = t
        return t
    if not isinstance(t, TensorBase) or t._typename != x._typename:
        got = t._typename if isinstance(t, TensorBase) else type(t).__name__
        raise TypeError(f"optim.{name}: state[{key!r}] is a {got} but x is a {x._typename}; "
                        f"convert the state (e.g. state[{key!r}] = state[{key!r}].cuda())")
    if t.nElement() != x.nElement():
        raise ValueError(f"optim.{name}: state[{key!r}] has {t.nElement()} elements but x has "
                         f"{x.nElement()}: is this state from another model?")
    if not t.isContiguous():
        t = t.contiguous()
        state[key] = t
    return t


def _evaluate(name, feval, x):
    f, g = C.call_feval(name, feval, x)
    return f, g.contiguous()


def sgd(feval, x, config, state, lr, lrd, wd, mom, damp, nesterov):
    name = 'sgd'
    _check_x(name, x)
    _no_per_element(name, config)
    nevals = C.counter(name, state, 'evalCounter')
    first = mom != 0 and state.get('dfdx') is None
    v = _buffer(name, state, 'dfdx', x) if mom != 0 else None
    f, g = _evaluate(name, feval, x)
    clr = lr / (1 + nevals * lrd)
    K = _kernels()
    if mom == 0:
        K.sgd_plain(x._dev_flat(), g._dev_flat(), -clr, wd, wd != 0)
    else:
        vmom, omd = (0.0, 1.0) if first else (mom, 1 - damp)
        K.sgd_momentum(x._dev_flat(), g._dev_flat(), v._dev_flat(), -clr, wd, wd != 0, vmom, omd,
                       mom, nesterov)
    state['evalCounter'] = nevals + 1
    return x, [f]


def adam(feval, x, config, state, lr, lrd, beta1, beta2, eps, wd):
    name = 'adam'
    _check_x(name, x)
    t = C.counter(name, state, 't')
    m = _buffer(name, state, 'm', x)
    v = _buffer(name, state, 'v', x)
    f, g = _evaluate(name, feval, x)
    clr = lr / (1 + t * lrd)
    t += 1
    step = clr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    _kernels().adam(x._dev_flat(), g._dev_flat(), m._dev_flat(), v._dev_flat(), wd, wd != 0,
                    beta1, 1 - beta1, beta2, 1 - beta2, eps, -step)
    state['t'] = t
    return x, [f]
