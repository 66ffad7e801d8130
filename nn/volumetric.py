"""Volumetric (3-D) layers over nInputPlane x T x H x W volumes (or a batch N x ... of them):
nn.VolumetricConvolution, VolumetricMaxPooling, VolumetricAveragePooling.

They run on the same unfold + GEMM machinery (nn/convolution.py) and pooling kernels
(nn/pooling.py) as the spatial layers, which treat an image as a T = 1 volume.
Constructor arguments keep Torch7's order: time, then WIDTH, then height (kT, kW, kH).
"""
import torchlike as torch
from torchlike._core import fmt_size

from .convolution import ConvBase, ConvGeometry, check_nonnegative, check_positive, out_size
from .pooling import (PoolBase, PoolGeometry, check_pad, check_too_small, float_input,
                      windows)


class VolumetricConvolution(ConvBase):
    """3-D convolution. weight: nOutputPlane x nInputPlane x kT x kH x kW; output sizes
    floor((size + 2*pad - k) / d) + 1 per axis."""

    _pad_names = ('padT', 'padW', 'padH')

    def __init__(self, nInputPlane, nOutputPlane, kT, kW, kH, dT=1, dW=1, dH=1, padT=0,
                 padW=None, padH=None):
        super().__init__()
        padW = padT if padW is None else padW          # Torch7's defaults chain like this
        padH = padW if padH is None else padH
        check_positive(self._typename, nInputPlane=nInputPlane, nOutputPlane=nOutputPlane,
                       kT=kT, kW=kW, kH=kH, dT=dT, dW=dW, dH=dH)
        check_nonnegative(self._typename, padT=padT, padW=padW, padH=padH)
        self.nInputPlane, self.nOutputPlane = nInputPlane, nOutputPlane
        self.kT, self.kW, self.kH = kT, kW, kH
        self.dT, self.dW, self.dH = dT, dW, dH
        self.padT, self.padW, self.padH = padT, padW, padH
        shape = (nOutputPlane, nInputPlane, kT, kH, kW)
        self.weight = torch.Tensor(*shape)
        self.bias = torch.Tensor(nOutputPlane)
        self.gradWeight = torch.Tensor(*shape)
        self.gradBias = torch.Tensor(nOutputPlane)
        self.finput = torch.Tensor()
        self.fgradInput = torch.Tensor()
        self.reset()

    def _geometry(self, input):
        if not torch.isTensor(input):
            raise TypeError(f"{self._typename}: expected a tensor input, got "
                            f"{type(input).__name__}")
        shape = tuple(input.size())
        if len(shape) not in (4, 5):
            raise ValueError(f"{self._typename}: expected 4-D (nInputPlane x T x H x W) or 5-D "
                             f"(batch x nInputPlane x T x H x W) input, got size "
                             f"{fmt_size(shape)}")
        batch = len(shape) == 5
        N = shape[0] if batch else 1
        C, T, H, W = shape[-4:]
        if C != self.nInputPlane:
            raise ValueError(f"{self._typename}: input has {C} planes, expected "
                             f"{self.nInputPlane} (input size {fmt_size(shape)})")
        oT = out_size(T, self.kT, self.dT, self.padT)
        oH = out_size(H, self.kH, self.dH, self.padH)
        oW = out_size(W, self.kW, self.dW, self.padW)
        M = self.nOutputPlane
        if min(oT, oH, oW) < 1:
            raise ValueError(f"{self._typename}: input size {fmt_size(shape)} is too small: "
                             f"output would be {M} x {oT} x {oH} x {oW}")
        out_shape = (N, M, oT, oH, oW) if batch else (M, oT, oH, oW)
        return ConvGeometry(N, C, T, H, W,
                            (self.kT, self.kH, self.kW, self.dT, self.dH, self.dW,
                             self.padT, self.padH, self.padW, oT, oH, oW),
                            M, batch, shape, out_shape)

    def __repr__(self):
        s = (f"{self._typename}({self.nInputPlane} -> {self.nOutputPlane}, "
             f"{self.kT}x{self.kW}x{self.kH}")
        pads = (self.padT, self.padW, self.padH)
        if (self.dT, self.dW, self.dH) != (1, 1, 1) or any(pads):
            s += f", {self.dT},{self.dW},{self.dH}"
        if any(pads):
            s += f", {self.padT},{self.padW},{self.padH}"
        return s + ")"


def volumetric_pool_geometry(module, input, ceil_mode, pads):
    x = float_input(module, input, (4, 5), 'nPlane x T x H x W or a batch of them')
    shape = x.shape
    T, H, W = shape[-3:]
    P = shape[-4] * (shape[0] if len(shape) == 5 else 1)
    padT, padH, padW = pads
    check_pad(module, pads, (module.kT, module.kH, module.kW))
    axes = (windows(T, module.kT, module.dT, padT, ceil_mode),
            windows(H, module.kH, module.dH, padH, ceil_mode),
            windows(W, module.kW, module.dW, padW, ceil_mode))
    oshape = tuple(a[0] for a in axes)
    check_too_small(module, shape, (shape[-4],) + oshape)
    return PoolGeometry(P, T, H, W, axes, shape, shape[:-3] + oshape)


class _VolumetricPooling(PoolBase):
    def _init(self, kT, kW, kH, dT, dW, dH):
        dT, dW, dH = (kT if dT is None else dT), (kW if dW is None else dW), \
            (kH if dH is None else dH)
        check_positive(self._typename, kT=kT, kW=kW, kH=kH, dT=dT, dW=dW, dH=dH)
        self.kT, self.kW, self.kH = kT, kW, kH
        self.dT, self.dW, self.dH = dT, dW, dH

    def _repr(self, pads):
        s = (f"{self._typename}({self.kT}x{self.kW}x{self.kH}, "
             f"{self.dT},{self.dW},{self.dH}")
        if any(pads):
            s += ', ' + ','.join(str(p) for p in pads)
        return s + ")"


class VolumetricMaxPooling(_VolumetricPooling):
    """Max over kT x kW x kH windows, moved by dT, dW, dH (default: the kernel), with padding
    (at most half the kernel) and ceil mode. `indices`: 0-based (t*H + h)*W + w in the volume."""

    _buffers = ('indices',)

    def __init__(self, kT, kW, kH, dT=None, dW=None, dH=None, padT=0, padW=0, padH=0):
        super().__init__()
        self._init(kT, kW, kH, dT, dW, dH)
        check_nonnegative(self._typename, padT=padT, padW=padW, padH=padH)
        self.padT, self.padW, self.padH = padT, padW, padH
        check_pad(self, (padT, padH, padW), (kT, kH, kW))
        self.ceil_mode = False
        self.indices = torch.LongTensor()

    def ceil(self):
        self.ceil_mode = True
        return self

    def floor(self):
        self.ceil_mode = False
        return self

    def _geometry(self, input):
        return volumetric_pool_geometry(self, input, bool(self.ceil_mode),
                                        (self.padT, self.padH, self.padW))

    def updateOutput(self, input):
        return self._maxForward(input)

    def updateGradInput(self, input, gradOutput):
        return self._maxBackward(input, gradOutput)

    def _torchFields(self):
        fields = super()._torchFields()
        fields['indices'] = torch.LongTensor()   # Torch7 packs window offsets in bytes
        return fields

    @classmethod
    def _torchLoadFields(cls, fields, version):
        fields['indices'] = torch.LongTensor()
        for name in ('padT', 'padW', 'padH'):
            fields.setdefault(name, 0)
        if version < 2 or fields.get('ceil_mode') is None:
            fields['ceil_mode'] = False
        fields.setdefault('train', True)
        return fields

    def __repr__(self):
        return self._repr((self.padT, self.padW, self.padH))


torch.registerClass('nn.VolumetricMaxPooling', VolumetricMaxPooling, version=2)


class VolumetricAveragePooling(_VolumetricPooling):
    """Mean over kT x kW x kH windows moved by dT, dW, dH (default: the kernel); no padding."""

    def __init__(self, kT, kW, kH, dT=None, dW=None, dH=None):
        super().__init__()
        self._init(kT, kW, kH, dT, dW, dH)

    def _geometry(self, input):
        return volumetric_pool_geometry(self, input, False, (0, 0, 0))

    def updateOutput(self, input):
        return self._avgForward(input, True)

    def updateGradInput(self, input, gradOutput):
        return self._avgBackward(input, gradOutput, True)

    def __repr__(self):
        return self._repr(())

