"""Dropout and SpatialDropout on the device. The mask (`noise`) is drawn on the host from
torchlike's one generator exactly as the CPU module draws it (a CUDA tensor's bernoulli fill
draws its FloatTensor twin, then copies it over), so a CPU run and a CUDA run with the same
seed drop the same elements. Dropout's own forward works with tensor methods and is reused;
the masking of SpatialDropout (one mask entry per feature map) is the `mul_mask` kernel."""
from .. import dropout as _cpu
from ._common import buffer, check_float, check_grad, kernels


class Dropout(_cpu.Dropout, device='cuda'):

    def updateOutput(self, input):
        check_float(self, input)
        return _cpu.Dropout.updateOutput(self, input)

    def updateGradInput(self, input, gradOutput):
        check_float(self, input)
        check_grad(self, gradOutput, input.size())
        if self.inplace:
            gin = self.__dict__.get('gradInput')
            if gin is None or gin.__class__ is not gradOutput.__class__:
                gin = self.gradInput = gradOutput.new()
            gin.set(gradOutput)
        else:
            gin = buffer(self, 'gradInput', gradOutput, gradOutput.size()).copy(gradOutput)
        if getattr(self, '_masked', self.train and self.p > 0):
            gin.cmul(self.noise)
        elif self.p > 0 and not self.v2:
            gin.mul(1 - self.p)
        return gin


def _mask_planes(t, noise):
    """t *= noise, one noise entry per plane of t (in place; t contiguous)."""
    inner = t.size(t.dim() - 1) * t.size(t.dim() - 2)
    f = t._dev_flat()
    kernels('activations').mul_mask(f, noise.contiguous()._dev_flat(), f, inner)


class SpatialDropout(_cpu.SpatialDropout, device='cuda'):

    def updateOutput(self, input):
        check_float(self, input)
        shape = self._noiseShape(input)
        out = buffer(self, 'output', input, input.size()).copy(input)
        if self.train or self.stochastic_inference:
            noise = buffer(self, 'noise', input, shape).bernoulli(1 - self.p)
            _mask_planes(out, noise)
            self._masked = True
        else:
            out.mul(1 - self.p)
            self._masked = False
        return out

    def updateGradInput(self, input, gradOutput):
        check_float(self, input)
        self._noiseShape(input)
        check_grad(self, gradOutput, input.size())
        gin = buffer(self, 'gradInput', gradOutput, gradOutput.size()).copy(gradOutput)
        if getattr(self, '_masked', self.train):
            _mask_planes(gin, self.noise)
        else:
            gin.mul(1 - self.p)
        return gin
