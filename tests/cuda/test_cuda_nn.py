"""nn modules on CUDA (nn/cuda/): each module built on the CPU (float), cloned, the clone moved
with .cuda(), both run on the same data; outputs, gradInputs and parameter gradients agree to
float32 tolerance, in training and evaluate mode. Tiny shapes: the simulator runs every GPU
thread as a Python thread. The helpers here are shared by the other test_cuda_nn_*.py files."""
import numpy as np
import pytest

import nn
import torchlike as torch

TOL = dict(rtol=1e-4, atol=1e-5)


def host(t):
    """A numpy copy of a tensor on either device."""
    return t.float().numpy().copy() if t._is_cuda else t.numpy().copy()


def close(a, b, what='', **tol):
    np.testing.assert_allclose(host(a), host(b), err_msg=what, **(tol or TOL))


def rand(*size, lo=-1, hi=1):
    return torch.FloatTensor(*size).uniform(lo, hi)


def twin(module):
    """(CPU float module, its clone on CUDA)."""
    cpu = module.float()
    gpu = cpu.clone().cuda()
    assert type(gpu) is not type(cpu) or getattr(type(cpu), '_device_agnostic', False)
    assert gpu._typename == cpu._typename
    return cpu, gpu


def check_pass(module, x, train=True, params=True, scale=1, tol=None):
    """forward + backward of module (CPU) and its CUDA clone on x; everything compared.
    Returns (cpu module, gpu module)."""
    cpu, gpu = twin(module)
    for m in (cpu, gpu):
        m.training() if train else m.evaluate()
        m.zeroGradParameters()
    xc, xg = x.clone(), x.cuda()              # in-place modules overwrite their input
    torch.manualSeed(5)
    out = cpu.forward(xc)
    torch.manualSeed(5)
    gout = gpu.forward(xg)
    assert gout._is_cuda
    close(out, gout, 'output', **(tol or {}))
    g = rand(*out.size())
    gin = cpu.backward(xc, g.clone(), scale)
    ggin = gpu.backward(xg, g.cuda(), scale)
    close(gin, ggin, 'gradInput', **(tol or {}))
    if params:
        for a, b in zip(cpu.parameters()[1], gpu.parameters()[1]):
            close(a, b, 'gradient of a parameter', **(tol or {}))
    return cpu, gpu


# -- Linear ---------------------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(3, 5), (5,)])
def test_linear_batch_and_vector(shape):
    torch.manualSeed(1)
    check_pass(nn.Linear(5, 4), rand(*shape), scale=0.5)


def test_linear_without_bias_and_back_to_float():
    torch.manualSeed(1)
    cpu, gpu = check_pass(nn.Linear(3, 2, bias=False), rand(2, 3))
    assert gpu.__dict__.get('bias') is None
    back = gpu.float()
    assert type(back) is nn.Linear and back.weight._typename == 'torch.FloatTensor'
    close(back.weight, cpu.weight)
    x = rand(2, 3)
    close(back.forward(x), cpu.forward(x))


def test_linear_mixed_devices_name_both_types_and_change_nothing():
    gpu = nn.Linear(3, 2).float().cuda()
    before = host(gpu.output) if gpu.output.nElement() else None
    with pytest.raises(TypeError, match='torch.CudaTensor and torch.FloatTensor'):
        gpu.forward(rand(2, 3))
    assert before is None and gpu.output.nElement() == 0
    with pytest.raises(ValueError, match='features, expected 3'):
        gpu.forward(rand(2, 4).cuda())


# -- convolution ----------------------------------------------------------------------------------
@pytest.mark.parametrize('cls', [nn.SpatialConvolution, nn.SpatialConvolutionMM])
def test_spatial_convolution_batch(cls):
    torch.manualSeed(2)
    cpu, gpu = check_pass(cls(2, 3, 2, 2, 1, 1, 1), rand(2, 2, 3, 3), scale=0.5)
    assert gpu.finput._is_cuda and gpu.finput.size() == torch.Size([8, 2 * 16])


def test_spatial_convolution_single_image_strided_no_bias():
    torch.manualSeed(3)
    m = nn.SpatialConvolution(1, 2, 3, 2, 2, 1).noBias()
    check_pass(m, rand(1, 5, 4))


def test_spatial_convolution_bad_input():
    gpu = nn.SpatialConvolution(2, 3, 2, 2).float().cuda()
    with pytest.raises(ValueError, match='input has 1 planes, expected 2'):
        gpu.forward(rand(1, 1, 3, 3).cuda())
    with pytest.raises(TypeError, match='different devices'):
        gpu.forward(rand(1, 2, 3, 3))
    gpu.forward(rand(1, 2, 3, 3).cuda())
    with pytest.raises(ValueError, match='gradOutput has size'):
        gpu.backward(rand(1, 2, 3, 3).cuda(), rand(1, 3, 3, 3).cuda())


# -- pooling --------------------------------------------------------------------------------------
@pytest.mark.parametrize('make', [
    lambda: nn.SpatialMaxPooling(2, 2),
    lambda: nn.SpatialMaxPooling(3, 2, 2, 1, 1, 0).ceil(),
])
def test_spatial_max_pooling(make):
    torch.manualSeed(4)
    cpu, gpu = check_pass(make(), rand(2, 1, 4, 5))
    assert gpu.indices._typename == 'torch.CudaLongTensor'
    np.testing.assert_array_equal(host(gpu.indices), cpu.indices.numpy())


@pytest.mark.parametrize('include_pad', [True, False])
def test_spatial_average_pooling_padding(include_pad):
    torch.manualSeed(5)
    m = nn.SpatialAveragePooling(2, 2, 2, 2, 1, 1)
    m = m.setCountIncludePad() if include_pad else m.setCountExcludePad()
    check_pass(m, rand(2, 3, 3))


def test_pooling_needs_forward_and_a_float_input():
    gpu = nn.SpatialMaxPooling(2, 2).float().cuda()
    with pytest.raises(RuntimeError, match='call forward first'):
        gpu.updateGradInput(rand(1, 2, 2).cuda(), rand(1, 1, 1).cuda())
    with pytest.raises(TypeError, match='torch.CudaTensor, got torch.CudaLongTensor'):
        gpu.forward(torch.LongTensor(1, 2, 2).cudaLong())


# -- transfer functions ---------------------------------------------------------------------------
@pytest.mark.parametrize('make', [lambda: nn.ReLU(), lambda: nn.Threshold(0.2, -1),
                                  lambda: nn.Tanh(), lambda: nn.Sigmoid()])
def test_transfer_functions(make):
    torch.manualSeed(6)
    check_pass(make(), rand(3, 4))


@pytest.mark.parametrize('make', [lambda: nn.ReLU(True), lambda: nn.Threshold(0.1, 0.1, True)])
def test_in_place_thresholds_overwrite_input_and_gradOutput(make):
    torch.manualSeed(7)
    cpu, gpu = twin(make())
    x, g = rand(2, 5), rand(2, 5)
    xc, gc = x.cuda(), g.cuda()
    out, gout = cpu.forward(x.clone()), gpu.forward(xc)
    close(out, gout)
    assert gout.storage() is xc.storage()                      # output views the input
    close(cpu.backward(out, g.clone()), gpu.backward(xc, gc))
    assert gpu.gradInput.storage() is gc.storage()


def test_in_place_relu_on_a_strided_view():
    x = rand(3, 4)
    xc = x.cuda()
    gpu = nn.ReLU(True).float().cuda()
    gpu.forward(xc.t())
    np.testing.assert_allclose(host(xc), np.maximum(x.numpy(), 0))


def test_tanh_backward_needs_forward():
    gpu = nn.Tanh().float().cuda()
    with pytest.raises(RuntimeError, match='call forward first'):
        gpu.backward(rand(2).cuda(), rand(2).cuda())


# -- softmax family -------------------------------------------------------------------------------
@pytest.mark.parametrize('cls, shape', [(nn.SoftMax, (2, 4)), (nn.LogSoftMax, (5,)),
                                        (nn.LogSoftMax, (2, 3)), (nn.SoftMin, (2, 3)),
                                        (nn.SpatialLogSoftMax, (1, 3, 2, 2)),
                                        (nn.SpatialSoftMax, (3, 2, 2))])
def test_softmax_family(cls, shape):
    torch.manualSeed(8)
    check_pass(cls(), rand(*shape, lo=-3, hi=3))


# -- dropout --------------------------------------------------------------------------------------
@pytest.mark.parametrize('kwargs', [{}, {'v1': True}, {'inplace': True}])
def test_dropout_draws_the_cpu_mask(kwargs):
    for train in (True, False):
        cpu, gpu = check_pass(nn.Dropout(0.4, **kwargs), rand(3, 4, lo=1, hi=2), train=train)
        if train:
            np.testing.assert_array_equal(host(cpu.noise), host(gpu.noise))


def test_spatial_dropout():
    for train in (True, False):
        check_pass(nn.SpatialDropout(0.5), rand(2, 3, 2, 2, lo=1, hi=2), train=train)


# -- batch normalisation ---------------------------------------------------------------------------
@pytest.mark.parametrize('affine', [True, False])
def test_batch_normalization_train_then_evaluate(affine):
    torch.manualSeed(9)
    cpu, gpu = check_pass(nn.BatchNormalization(3, affine=affine), rand(4, 3), scale=0.5)
    for name in ('running_mean', 'running_var', 'save_mean', 'save_std'):
        close(getattr(cpu, name), getattr(gpu, name), name)
    for m in (cpu, gpu):
        m.evaluate()
    x, g = rand(4, 3), rand(4, 3)
    close(cpu.forward(x), gpu.forward(x.cuda()))
    close(cpu.backward(x, g), gpu.backward(x.cuda(), g.cuda()))
    if affine:
        close(cpu.gradWeight, gpu.gradWeight)
        close(cpu.gradBias, gpu.gradBias)


def test_spatial_batch_normalization_evaluate_single_sample():
    torch.manualSeed(10)
    cpu, gpu = check_pass(nn.SpatialBatchNormalization(2), rand(2, 2, 2, 3))
    close(cpu.running_var, gpu.running_var)
    check_pass(nn.SpatialBatchNormalization(2), rand(2, 2, 3), train=False)


def test_batch_normalization_errors():
    gpu = nn.BatchNormalization(3).float().cuda()
    with pytest.raises(ValueError, match='got 2 features, expected 3'):
        gpu.forward(rand(4, 2).cuda())
    with pytest.raises(ValueError, match='single sample'):
        gpu.forward(rand(3).cuda())
    with pytest.raises(RuntimeError, match='call forward first'):
        gpu.backward(rand(4, 3).cuda(), rand(4, 3).cuda())


# -- embedding and padding ------------------------------------------------------------------------
@pytest.mark.parametrize('setup', ['plain', 'padding', 'freq'])
def test_lookup_table(setup):
    torch.manualSeed(11)
    m = nn.LookupTable(5, 3)
    if setup == 'padding':
        m.setPadding(2)
    elif setup == 'freq':
        m.scaleGradByFreq()
    cpu, gpu = twin(m)
    for t in (cpu, gpu):
        t.zeroGradParameters()
    idx = torch.LongTensor([[0, 2, 2], [4, 1, 2]])
    out, gout = cpu.forward(idx), gpu.forward(idx.cudaLong())
    close(out, gout)
    g = rand(2, 3, 3)
    cpu.backward(idx, g, 0.5)
    gpu.backward(idx.cudaLong(), g.cuda(), 0.5)
    close(cpu.gradWeight, gpu.gradWeight)
    assert gpu.gradInput._typename == 'torch.CudaLongTensor'
    cpu.accUpdateGradParameters(idx, g, 0.1)
    gpu.accUpdateGradParameters(idx.cudaLong(), g.cuda(), 0.1)
    close(cpu.weight, gpu.weight)


def test_lookup_table_errors():
    gpu = nn.LookupTable(4, 2).float().cuda()
    with pytest.raises(IndexError, match='index 4 is out of range for nIndex 4'):
        gpu.forward(torch.LongTensor([1, 4]).cudaLong())
    with pytest.raises(TypeError, match='torch.CudaTensor and torch.LongTensor'):
        gpu.forward(torch.LongTensor([1, 2]))
    close(gpu.forward(torch.FloatTensor([3, 0]).cuda()), gpu.weight.index(0, torch.LongTensor(
        [3, 0]).cudaLong()))
    with pytest.raises(NotImplementedError, match='maxNorm'):
        gpu.setMaxNorm(1.0).forward(torch.LongTensor([1]).cudaLong())


@pytest.mark.parametrize('pads', [(1, 2, 0, 1), (-1, 1, 1, -1)])
def test_spatial_zero_padding(pads):
    torch.manualSeed(12)
    check_pass(nn.SpatialZeroPadding(*pads), rand(2, 1, 3, 3))


# -- the protocol's other entry points ------------------------------------------------------------
@pytest.mark.parametrize('make, shape', [
    (lambda: nn.Linear(3, 2), (2, 3)),
    (lambda: nn.SpatialConvolutionMM(1, 2, 2, 2), (2, 1, 3, 3)),
    (lambda: nn.BatchNormalization(2), (3, 2))])
def test_update_grad_input_and_acc_grad_parameters_separately(make, shape):
    torch.manualSeed(13)
    cpu, gpu = twin(make())
    x = rand(*shape)
    xc = x.cuda()
    out = cpu.forward(x)
    gpu.forward(xc)
    g = rand(*out.size())
    for m, xx, gg in ((cpu, x, g), (gpu, xc, g.cuda())):
        m.zeroGradParameters()
        m.updateGradInput(xx, gg)
        m.accGradParameters(xx, gg, 0.25)
        m.accGradParameters(xx, gg, 0.25)             # gradients accumulate
    close(cpu.gradInput, gpu.gradInput)
    for a, b in zip(cpu.parameters()[1], gpu.parameters()[1]):
        close(a, b)
    cpu.updateParameters(0.5)
    gpu.updateParameters(0.5)
    for a, b in zip(cpu.parameters()[0], gpu.parameters()[0]):
        close(a, b)


@pytest.mark.parametrize('make, shape', [(lambda: nn.Linear(3, 2), (2, 3)),
                                         (lambda: nn.SpatialConvolution(1, 2, 2, 2), (1, 3, 3))])
def test_first_layer_without_gradInput(make, shape):
    torch.manualSeed(14)
    cpu, gpu = twin(make())
    cpu.gradInput = gpu.gradInput = None
    x = rand(*shape)
    out = cpu.forward(x)
    gpu.forward(x.cuda())
    g = rand(*out.size())
    for m in (cpu, gpu):
        m.zeroGradParameters()
    assert cpu.backward(x, g) is None and gpu.backward(x.cuda(), g.cuda()) is None
    close(cpu.gradWeight, gpu.gradWeight)


def test_acc_update_grad_parameters_and_clear_state():
    torch.manualSeed(15)
    cpu, gpu = twin(nn.Linear(3, 2))
    x, g = rand(2, 3), rand(2, 2)
    cpu.forward(x)
    gpu.forward(x.cuda())
    cpu.accUpdateGradParameters(x, g, 0.1)
    gpu.accUpdateGradParameters(x.cuda(), g.cuda(), 0.1)
    close(cpu.weight, gpu.weight)
    close(cpu.bias, gpu.bias)
    gpu.clearState()
    assert gpu.output.nElement() == 0 and gpu.output._is_cuda
    close(cpu.forward(x), gpu.forward(x.cuda()))


def test_decorator_runs_its_module_on_cuda():
    torch.manualSeed(16)
    check_pass(nn.Decorator(nn.Linear(3, 2)), rand(2, 3))
