"""nn.SpatialZeroPadding on the device: the kept block is one strided copy between narrowed
views (the rest of the output, or of gradInput, is zero-filled first). Negative pads crop, as
on the CPU."""
from torchlike._core import fmt_size

from .. import padding as _cpu
from ._common import buffer, check_float, check_grad


def _narrowed(t, hs, ws):
    """t narrowed to rows hs and columns ws (slices) of its last two dimensions."""
    d = t.dim()
    return t.narrow(d - 2, hs.start, hs.stop - hs.start).narrow(d - 1, ws.start,
                                                                 ws.stop - ws.start)


class SpatialZeroPadding(_cpu.SpatialZeroPadding, device='cuda'):

    def _cudaShapes(self, input):
        check_float(self, input)
        if input.dim() not in (3, 4):
            raise ValueError(f"{self._typename}: expected 3-D or 4-D input (nPlane x H x W or a "
                             f"batch of them), got size {fmt_size(input.size())}")
        shape = tuple(input.size())
        H, W = shape[-2:]
        oH, oW = H + self.pad_t + self.pad_b, W + self.pad_l + self.pad_r
        if oH < 1 or oW < 1:
            raise ValueError(f"{self._typename}: input size {fmt_size(shape)} is too small "
                             f"for the padding: output would be {oH} x {oW}")
        (_, ho, wo), (_, hs, ws) = self._blocks((H, W), (oH, oW))
        return shape[:-2] + (oH, oW), (ho, wo), (hs, ws)

    def updateOutput(self, input):
        out_shape, dst, src = self._cudaShapes(input)
        out = buffer(self, 'output', input, out_shape).zero()
        if dst[0].stop > dst[0].start and dst[1].stop > dst[1].start:
            _narrowed(out, *dst).copy(_narrowed(input, *src))
        return out

    def updateGradInput(self, input, gradOutput):
        out_shape, dst, src = self._cudaShapes(input)
        go = check_grad(self, gradOutput, out_shape)
        gin = buffer(self, 'gradInput', go, input.size()).zero()
        if dst[0].stop > dst[0].start and dst[1].stop > dst[1].start:
            _narrowed(gin, *src).copy(_narrowed(go, *dst))
        return gin
