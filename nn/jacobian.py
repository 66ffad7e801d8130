"""nn.Jacobian: check a module's backward against finite differences (reference §2.4).

Every function returns the largest absolute difference it found; a correct module in double
precision gives about 1e-8 or less. Inputs and outputs may be tensors or (nested) lists of
tensors. Users check their own modules with these, exactly as the library's tests do:

    err = nn.Jacobian.testJacobian(module, torch.Tensor(3, 5))
    assert err < 1e-5
"""
import io

import numpy as np

import torchlike as torch


def _tensors(x):
    """The tensors inside x, depth first."""
    if torch.isTensor(x):
        return [x]
    out = []
    for v in x:
        out.extend(_tensors(v))
    return out


def _values(x):
    """All values of x as one float64 vector (a copy)."""
    ts = _tensors(x)
    if not ts:
        return np.zeros(0)
    return np.concatenate([t.numpy().astype(np.float64).ravel() for t in ts])


def _like_zeros(x):
    if torch.isTensor(x):
        return x.clone().zero()
    return [_like_zeros(v) for v in x]


def _fill_uniform(x, lo, hi):
    for t in _tensors(x):
        t.uniform(lo, hi)


def _elements(x):
    """(tensor, numpy view, index) for every element of x, in the order of _values."""
    for t in _tensors(x):
        a = t.numpy()
        for idx in np.ndindex(a.shape):
            yield a, idx


def _jacobian_fd(module, input, wrt, perturbation):
    """d output / d wrt by central differences: rows are the elements of `wrt`."""
    rows = []
    for a, idx in _elements(wrt):
        orig = a[idx]
        a[idx] = orig - perturbation
        minus = _values(module.forward(input))
        a[idx] = orig + perturbation
        plus = _values(module.forward(input))
        a[idx] = orig
        rows.append((plus - minus) / (2 * perturbation))
    return np.array(rows)


def _one_hot_gradOutputs(output):
    """The one-hot gradOutputs, one per output element, in the order of _values."""
    go = _like_zeros(output)
    for a, idx in _elements(go):
        a[idx] = 1
        yield go
        a[idx] = 0


def _jacobian_bp_input(module, input):
    out = module.forward(input)
    cols = []
    for go in _one_hot_gradOutputs(out):
        cols.append(_values(module.updateGradInput(input, go)))
    return np.array(cols).T


def _jacobian_bp_param(module, input, dparam):
    out = module.forward(input)
    cols = []
    for go in _one_hot_gradOutputs(out):
        for t in _tensors(dparam):
            t.zero()
        module.updateGradInput(input, go)   # containers pass children's gradInputs on
        module.accGradParameters(input, go, 1)
        cols.append(_values(dparam))
    return np.array(cols).T


def _max_diff(a, b):
    if a.size == 0 and b.size == 0:
        return 0.0
    if a.shape != b.shape:
        raise ValueError(f"Jacobian shapes differ: finite differences {a.shape}, "
                         f"backprop {b.shape}")
    return float(np.abs(a - b).max())


def testJacobian(module, input, minval=-2, maxval=2, perturbation=1e-6):
    """max |d output/d input by finite differences - by updateGradInput|; the input is filled
    with uniform values in [minval, maxval] first."""
    _fill_uniform(input, minval, maxval)
    bp = _jacobian_bp_input(module, input)
    fd = _jacobian_fd(module, input, input, perturbation)
    return _max_diff(fd, bp)


def testJacobianParameters(module, input, param, dparam, minval=-2, maxval=2,
                           perturbation=1e-6):
    """The same with respect to a parameter tensor `param` whose gradient is `dparam`."""
    _fill_uniform(input, minval, maxval)
    _fill_uniform(param, minval, maxval)
    bp = _jacobian_bp_param(module, input, dparam)
    fd = _jacobian_fd(module, input, param, perturbation)
    return _max_diff(fd, bp)


def testJacobianUpdateParameters(module, input, param, minval=-2, maxval=2,
                                 perturbation=1e-6):
    """accUpdateGradParameters(input, onehot, lr=1) must move `param` by minus the finite-
    difference gradient."""
    _fill_uniform(input, minval, maxval)
    _fill_uniform(param, minval, maxval)
    saved = _values(param)
    out = module.forward(input)
    cols = []
    for go in _one_hot_gradOutputs(out):
        for t, v in zip(_tensors(param), _split(saved, param)):
            t.copy(v.reshape(t.numpy().shape))
        module.forward(input)
        module.updateGradInput(input, go)
        module.accUpdateGradParameters(input, go, 1)
        cols.append(saved - _values(param))
    for t, v in zip(_tensors(param), _split(saved, param)):
        t.copy(v.reshape(t.numpy().shape))
    bp = np.array(cols).T
    fd = _jacobian_fd(module, input, param, perturbation)
    return _max_diff(fd, bp)


def _split(values, x):
    out, pos = [], 0
    for t in _tensors(x):
        n = t.nElement()
        out.append(values[pos:pos + n])
        pos += n
    return out


def testAllUpdate(module, input, weight='weight', gradWeight='gradWeight'):
    """Compare the ways of updating `weight` (Torch7's testAllUpdate): accGradParameters +
    updateParameters, accUpdateGradParameters, and both on a clone sharing the weight (which
    must move it twice as far). Returns a dict of error name -> max difference."""
    gradOutput = _like_zeros(module.forward(input))
    _fill_uniform(gradOutput, -1, 1)
    lr = 0.1 * (1 + np.random.rand())
    errors = {}

    def fresh():
        return module.clone()

    ref = fresh()
    ref.zeroGradParameters()
    ref.forward(input)
    ref.updateGradInput(input, gradOutput)
    ref.accGradParameters(input, gradOutput, 1)
    ref.updateParameters(lr)
    expected = getattr(ref, weight).clone()

    m = fresh()
    m.forward(input)
    m.updateGradInput(input, gradOutput)
    m.accUpdateGradParameters(input, gradOutput, lr)
    errors['accUpdateGradParameters'] = _max_diff(_values(expected), _values(getattr(m, weight)))

    m = fresh()
    twin = m.clone(weight, gradWeight)
    m.zeroGradParameters()
    for mod in (m, twin):
        mod.forward(input)
        mod.updateGradInput(input, gradOutput)
        mod.accGradParameters(input, gradOutput, 1)
    m.updateParameters(lr)
    start = _values(getattr(module, weight))
    step = _values(expected) - start
    errors['shared updateParameters'] = _max_diff(start + 2 * step, _values(getattr(m, weight)))

    m = fresh()
    twin = m.clone(weight, gradWeight)
    for mod in (m, twin):
        mod.forward(input)
        mod.updateGradInput(input, gradOutput)
        mod.accUpdateGradParameters(input, gradOutput, lr)
    errors['shared accUpdateGradParameters'] = _max_diff(start + 2 * step,
                                                         _values(getattr(m, weight)))
    return errors


def testCriterionJacobian(criterion, input, target, perturbation=1e-6):
    """max |d loss/d input by finite differences - criterion.backward|, for a criterion."""
    criterion.forward(input, target)
    bp = _values(criterion.backward(input, target)).copy()
    fd = []
    for a, idx in _elements(input):
        orig = a[idx]
        a[idx] = orig - perturbation
        minus = criterion.forward(input, target)
        a[idx] = orig + perturbation
        plus = criterion.forward(input, target)
        a[idx] = orig
        fd.append((plus - minus) / (2 * perturbation))
    return _max_diff(np.array(fd), bp)


def testIO(module, input, minval=-2, maxval=2):
    """Forward/backward, clearState, save and load (binary .t7 in memory), forward/backward
    again: the reloaded module must give exactly the same output and gradInput. Returns
    (max output difference, max gradInput difference)."""
    _fill_uniform(input, minval, maxval)
    out = module.forward(input)
    gradOutput = _like_zeros(out)
    _fill_uniform(gradOutput, minval, maxval)
    out = _values(out)
    gin = _values(module.backward(input, gradOutput))
    if module.clearState() is not module:
        raise AssertionError("clearState() must return the module itself")
    stream = io.BytesIO()
    torch.save(stream, module)
    stream.seek(0)
    loaded = torch.load(stream)
    out2 = _values(loaded.forward(input))
    gin2 = _values(loaded.backward(input, gradOutput))
    return _max_diff(out, out2), _max_diff(gin, gin2)
