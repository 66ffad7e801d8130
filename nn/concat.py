"""Containers that give every child the same input (Concat, DepthConcat) or one slice of it
(Parallel), and join the children's outputs along one dimension (0-based)."""
import torchlike as torch
from torchlike._core import fmt_size, normdim

from .container import Container


def _join_sizes(container, outs, dim, pad_to_max=False):
    """(dimension, size of the joined output, the per-child sizes along it)."""
    first = outs[0]
    d = normdim(dim, first.dim(), f'{container._typename} dimension')
    along = [o.size(d) for o in outs]
    size = list(first.size())
    for i, o in enumerate(outs):
        if o.dim() != first.dim():
            raise ValueError(f"{container._typename}: output {i} has size {fmt_size(o.size())}, "
                             f"output 0 has size {fmt_size(first.size())}")
        for k in range(first.dim()):
            if k == d:
                continue
            if pad_to_max:
                size[k] = max(size[k], o.size(k))
            elif o.size(k) != first.size(k):
                raise ValueError(f"{container._typename}: output {i} has size "
                                 f"{fmt_size(o.size())}, which does not match output 0 "
                                 f"({fmt_size(first.size())}) outside dimension {d}")
    size[d] = sum(along)
    return d, size, along


def _fresh_buffer(buf, like):
    return buf if torch.isTensor(buf) and buf._typename == like._typename else like.new()


class Concat(Container):
    """Every child gets the same input; outputs are concatenated along `dimension`."""
    _device_agnostic = True   # tensor methods only: runs on any device

    def __init__(self, dimension, *modules):
        super().__init__(*modules)
        self.dimension = dimension

    def _regions(self, target, along, d):
        offset = 0
        for n in along:
            yield target.narrow(d, offset, n)
            offset += n

    def updateOutput(self, input):
        outs = [self._call(i, m.updateOutput, input) for i, m in enumerate(self.modules)]
        d, size, along = _join_sizes(self, outs, self.dimension)
        self.output = _fresh_buffer(self.output, outs[0]).resize(size)
        for region, o in zip(self._regions(self.output, along, d), outs):
            region.copy(o)
        return self.output

    def _gradient_pieces(self, gradOutput):
        outs = [m.output for m in self.modules]
        d, _, along = _join_sizes(self, outs, self.dimension)
        return list(self._regions(gradOutput, along, d))

    def _sum_into_gradInput(self, grads, input):
        self.gradInput = _fresh_buffer(self.gradInput, input).resizeAs(input)
        for k, g in enumerate(grads):
            if k == 0:
                self.gradInput.copy(g)
            else:
                self.gradInput.add(g)
        return self.gradInput

    def updateGradInput(self, input, gradOutput):
        pieces = self._gradient_pieces(gradOutput)
        grads = [self._call(i, m.updateGradInput, input, g)
                 for i, (m, g) in enumerate(zip(self.modules, pieces))]
        return self._sum_into_gradInput(grads, input)

    def accGradParameters(self, input, gradOutput, scale=1):
        for i, (m, g) in enumerate(zip(self.modules, self._gradient_pieces(gradOutput))):
            self._call(i, m.accGradParameters, input, g, scale)

    def backward(self, input, gradOutput, scale=1):
        pieces = self._gradient_pieces(gradOutput)
        grads = [self._call(i, m.backward, input, g, scale)
                 for i, (m, g) in enumerate(zip(self.modules, pieces))]
        return self._sum_into_gradInput(grads, input)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        for i, (m, g) in enumerate(zip(self.modules, self._gradient_pieces(gradOutput))):
            self._call(i, m.accUpdateGradParameters, input, g, lr)


class DepthConcat(Concat):
    """Concat that zero-pads the other dimensions to the largest child output, each output
    centred in its region (Inception-style)."""
    _device_agnostic = True   # tensor methods only: runs on any device

    def _window(self, target, o, d, offset):
        region = target.narrow(d, offset, o.size(d))
        for k in range(o.dim()):
            if k != d and o.size(k) != target.size(k):
                region = region.narrow(k, (target.size(k) - o.size(k)) // 2, o.size(k))
        return region

    def updateOutput(self, input):
        outs = [self._call(i, m.updateOutput, input) for i, m in enumerate(self.modules)]
        d, size, along = _join_sizes(self, outs, self.dimension, pad_to_max=True)
        self.output = _fresh_buffer(self.output, outs[0]).resize(size).zero()
        offset = 0
        for o in outs:
            self._window(self.output, o, d, offset).copy(o)
            offset += o.size(d)
        return self.output

    def _gradient_pieces(self, gradOutput):
        outs = [m.output for m in self.modules]
        d, _, _ = _join_sizes(self, outs, self.dimension, pad_to_max=True)
        pieces, offset = [], 0
        for o in outs:
            pieces.append(self._window(gradOutput, o, d, offset))
            offset += o.size(d)
        return pieces


class Parallel(Container):
    """Child i gets input.select(inputDimension, i); the outputs are concatenated along
    outputDimension."""
    _device_agnostic = True   # tensor methods only: runs on any device

    def __init__(self, inputDimension, outputDimension, *modules):
        super().__init__(*modules)
        self.inputDimension = inputDimension
        self.outputDimension = outputDimension

    def _check_input(self, input):
        d = normdim(self.inputDimension, input.dim(), 'Parallel input dimension')
        if input.size(d) != len(self.modules):
            raise ValueError(f"Parallel: input dimension {d} has size {input.size(d)} but there "
                             f"are {len(self.modules)} modules")
        return d

    def updateOutput(self, input):
        d = self._check_input(input)
        outs = [self._call(i, m.updateOutput, input.select(d, i))
                for i, m in enumerate(self.modules)]
        od, size, along = _join_sizes(self, outs, self.outputDimension)
        self.output = _fresh_buffer(self.output, outs[0]).resize(size)
        offset = 0
        for o, n in zip(outs, along):
            self.output.narrow(od, offset, n).copy(o)
            offset += n
        return self.output

    def _pieces(self, gradOutput):
        outs = [m.output for m in self.modules]
        od, _, along = _join_sizes(self, outs, self.outputDimension)
        offset = 0
        for n in along:
            yield gradOutput.narrow(od, offset, n)
            offset += n

    def _run_backward(self, input, gradOutput, method, *extra):
        d = self._check_input(input)
        self.gradInput = _fresh_buffer(self.gradInput, input).resizeAs(input)
        for i, (m, g) in enumerate(zip(self.modules, self._pieces(gradOutput))):
            gi = self._call(i, getattr(m, method), input.select(d, i), g, *extra)
            self.gradInput.select(d, i).copy(gi)
        return self.gradInput

    def updateGradInput(self, input, gradOutput):
        return self._run_backward(input, gradOutput, 'updateGradInput')

    def backward(self, input, gradOutput, scale=1):
        return self._run_backward(input, gradOutput, 'backward', scale)

    def accGradParameters(self, input, gradOutput, scale=1):
        d = self._check_input(input)
        for i, (m, g) in enumerate(zip(self.modules, self._pieces(gradOutput))):
            self._call(i, m.accGradParameters, input.select(d, i), g, scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        d = self._check_input(input)
        for i, (m, g) in enumerate(zip(self.modules, self._pieces(gradOutput))):
            self._call(i, m.accUpdateGradParameters, input.select(d, i), g, lr)
