"""nn.SpatialMaxPooling and nn.SpatialAveragePooling on the device (kernels/cuda/pooling.py).

The window tables are nn/pooling.py's (cached per shape, frozen numpy arrays: the kernel module
copies each to the device once). `indices` is a torch.CudaLongTensor with the CPU's 0-based
positions inside each plane. Backward passes scatter with atomic adds (windows may overlap),
so gradInput sums may differ from the CPU's in the last float32 bits.
"""
from torchlike._core import fmt_size

from .. import pooling as _cpu
from ..module import Module
from ._common import buffer, check_float, check_grad, kernels


def _geometry(self, input):
    """nn.pooling's geometry for a CUDA input (its own helper reads the input through numpy)."""
    check_float(self, input)
    if input.dim() not in (3, 4):
        raise ValueError(f"{self._typename}: expected 3-D or 4-D input (nPlane x H x W or a "
                         f"batch of them), got size {fmt_size(input.size())}")
    _cpu.check_pad(self, (self.padH, self.padW), (self.kH, self.kW))
    c = bool(self.ceil_mode)
    shape = tuple(input.size())
    H, W = shape[-2:]
    P = shape[-3] * (shape[0] if len(shape) == 4 else 1)
    ah = _cpu.windows(H, self.kH, self.dH, self.padH, c)
    aw = _cpu.windows(W, self.kW, self.dW, self.padW, c)
    _cpu.check_too_small(self, shape, (shape[-3], ah[0], aw[0]))
    return _cpu.PoolGeometry(P, 1, H, W, (_cpu.AXIS_OF_SIZE_ONE, ah, aw), shape,
                             shape[:-2] + (ah[0], aw[0]))


def _indices(self, size):
    ind = self.__dict__.get('indices')
    if ind is None or ind._typename != 'torch.CudaLongTensor':
        ind = self.indices = _long_tensor()     # type() made it a CudaTensor: back to long
    if tuple(ind.size()) != tuple(size):
        ind.resize(size)
    return ind


def _long_tensor():
    from torchlike.cuda import CudaLongTensor
    return CudaLongTensor()


class SpatialMaxPooling(_cpu.SpatialMaxPooling, device='cuda'):

    def updateOutput(self, input):
        g = _geometry(self, input)
        x = input.contiguous()
        out = buffer(self, 'output', x, g.out_shape)
        ind = _indices(self, g.out_shape)
        kernels('pooling').max_pool(x._dev_flat(), out._dev_flat(), ind._dev_flat(),
                                    *g.sizes())
        return out

    def updateGradInput(self, input, gradOutput):
        g = _geometry(self, input)
        go = check_grad(self, gradOutput, g.out_shape)
        ind = self.__dict__.get('indices')
        if ind is None or not ind._is_cuda or tuple(ind.size()) != g.out_shape:
            raise RuntimeError(f"{self._typename}: updateGradInput needs the indices of a "
                               f"forward pass on this input; call forward first")
        gin = buffer(self, 'gradInput', go, g.in_shape)
        kernels('pooling').max_pool_backward(go._dev_flat(), ind._dev_flat(), gin._dev_flat(),
                                             g.P, g.T * g.H * g.W, g.out_plane())
        return gin

    def _torchFields(self):
        # indices are a cache (rebuilt by forward): written empty, as a CudaLongTensor
        fields = Module._torchFields(self)
        if fields.get('indices') is not None:
            fields['indices'] = _long_tensor()
        return fields


class SpatialAveragePooling(_cpu.SpatialAveragePooling, device='cuda'):

    def updateOutput(self, input):
        g = _geometry(self, input)
        x = input.contiguous()
        out = buffer(self, 'output', x, g.out_shape)
        kernels('pooling').avg_pool(x._dev_flat(), out._dev_flat(), *g.sizes(),
                                    *g.counts(bool(self.count_include_pad)))
        if not self.divide:                   # files from when this module summed
            out.mul(self.kW * self.kH)
        return out

    def updateGradInput(self, input, gradOutput):
        g = _geometry(self, input)
        go = check_grad(self, gradOutput, g.out_shape)
        gin = buffer(self, 'gradInput', go, g.in_shape)
        kernels('pooling').avg_pool_backward(go._dev_flat(), gin._dev_flat(), *g.sizes(),
                                             *g.counts(bool(self.count_include_pad)))
        if not self.divide:
            gin.mul(self.kW * self.kH)
        return gin
