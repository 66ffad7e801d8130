"""nn.LookupTable on the device: forward gathers weight rows (kernels/cuda/lookup.py
gather_rows), backward adds gradOutput rows into gradWeight with atomic adds (repeated indices
hit one row, so sums over them may differ from the CPU's in the last float32 bits).

Indices are a torch.CudaLongTensor (0-based; a CudaTensor of whole numbers is converted, as
Torch7 truncated); a CPU LongTensor is a mixed-device error. Every index is checked against
nIndex before anything changes (one small reduction and a 16-byte copy to the host).
maxNorm is not supported on the device yet (NotImplementedError).
"""
from torchlike._core import fmt_size

from .. import parametrised as _cpu
from ._common import as_long_indices, check_float, empty_int32, kernels


def _indices(self, input):
    """The input as a contiguous CudaLongTensor, every index checked against nIndex."""
    idx = as_long_indices(self, input, 'tensor of indices')
    if idx.dim() not in (1, 2):
        raise ValueError(f"{self._typename}: input must be a vector or a matrix of indices, "
                         f"got size {fmt_size(input.size())}")
    n_index = self.weight.size(0)
    if idx.nElement():
        lo, hi = kernels('lookup').index_range(idx._dev_flat())
        if lo < 0 or hi >= n_index:
            bad = lo if lo < 0 else hi
            raise IndexError(f"{self._typename}: index {bad} is out of range for nIndex "
                             f"{n_index} (valid: 0 to {n_index - 1})")
    return idx


class LookupTable(_cpu.LookupTable, device='cuda'):

    def _noMaxNorm(self):
        if self.maxNorm is not None:
            raise NotImplementedError(f"{self._typename}: maxNorm is not supported on CUDA yet; "
                                      f"use setMaxNorm(None), or run this module on the CPU")

    def updateOutput(self, input):
        self._noMaxNorm()
        idx = _indices(self, input)
        w = self.weight.contiguous()
        d = w.size(1)
        out = self.output
        if out.__class__ is not w.__class__:
            out = self.output = w.new()
        out.resize(tuple(idx.size()) + (d,))
        if idx.nElement():
            kernels('lookup').gather_rows(w._dev(), idx._dev_flat(),
                                          out.view(idx.nElement(), d)._dev())
        return out

    def updateGradInput(self, input, gradOutput):
        # indices have no gradient: zeros of the input's type and size (as on the CPU)
        if self.gradInput.__class__ is not input.__class__:
            self.gradInput = input.new()
        if not self.gradInput.isSameSizeAs(input):
            self.gradInput.resizeAs(input).zero()
        return self.gradInput

    def _accumulate(self, input, gradOutput, target, scale):
        idx = _indices(self, input)
        n, d = idx.nElement(), target.size(1)
        check_float(self, gradOutput, 'gradOutput')
        if gradOutput.nElement() != n * d:
            raise ValueError(f"{self._typename}: gradOutput has size "
                             f"{fmt_size(gradOutput.size())}, expected "
                             f"{fmt_size(tuple(input.size()) + (d,))}")
        if n == 0:
            return
        g = gradOutput.contiguous().view(n, d)
        t = target if target.isContiguous() else target.contiguous()   # a strided view: copy
        freq = bool(self.shouldScaleGradByFreq)
        count = empty_int32(t.size(0)) if freq else None
        pad = -1 if self.paddingValue is None else int(self.paddingValue)
        kernels('lookup').lookup_accumulate(idx._dev_flat(), g._dev(), t._dev(), count, scale,
                                            pad, freq)
        if t is not target:
            target.copy(t)

    # accGradParameters and accUpdateGradParameters are the CPU module's: they call _accumulate
