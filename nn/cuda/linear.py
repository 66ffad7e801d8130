"""nn.Linear on the device: the products go through the CUDA tensor's BLAS (the shared-memory
tiled GEMM), the bias is copied in first (broadcast) and the product added onto it."""
from .. import linear as _cpu
from ._common import check_float


class Linear(_cpu.Linear, device='cuda'):

    def updateOutput(self, input):
        check_float(self, input)
        self._check(input)
        w, b = self.weight, self.__dict__.get('bias')
        out = self.output
        if input.dim() == 1:
            out.resize(w.size(0))
            if b is not None:
                out.copy(b)
                out.addmv(w, input)
            else:
                out.mv(w, input)
            return out
        out.resize(input.size(0), w.size(0))
        if b is not None:
            out.copy(b)                     # broadcast over the rows
            out.addmm(input, w.t())
        else:
            out.mm(input, w.t())
        return out

    def updateGradInput(self, input, gradOutput):
        if self.gradInput is None:
            return None
        check_float(self, gradOutput, 'gradOutput')
        self.gradInput.resizeAs(input)
        if input.dim() == 1:
            self.gradInput.mv(self.weight.t(), gradOutput)
        else:
            self.gradInput.mm(gradOutput, self.weight)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        check_float(self, gradOutput, 'gradOutput')
        gb = self.__dict__.get('gradBias') if self.__dict__.get('bias') is not None else None
        if input.dim() == 1:
            self.gradWeight.addr(scale, gradOutput, input)
            if gb is not None:
                gb.add(scale, gradOutput)
            return
        self.gradWeight.addmm(scale, gradOutput.t(), input)
        if gb is not None:
            gb.add(scale, gradOutput.sum(0).view(gb.size()))
