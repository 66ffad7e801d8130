"""Input checks shared by the modules: clear errors that name the module and the sizes."""
import torchlike as torch
from torchlike._core import fmt_size


def check_input(module, input, ndims, what):
    """`input` must be a tensor with one of the dimensions in `ndims`; `what` describes the
    expected input for the message (e.g. 'a vector of 10 values or a batch of them')."""
    if not torch.isTensor(input):
        raise TypeError(f"{module._typename}: expected a tensor input, got "
                        f"{type(input).__name__}")
    if input.dim() not in ndims:
        dims = ' or '.join(f'{d}-D' for d in ndims)
        raise ValueError(f"{module._typename}: expected {dims} input ({what}), got size "
                         f"{fmt_size(input.size())}")


def check_same_type(module, input, like):
    """`input` must have the tensor type of `like` (usually the weight)."""
    if input._typename != like._typename:
        raise TypeError(f"{module._typename}: input is a {input._typename} but the module is "
                        f"{like._typename}; convert one of them (module.float(), x.double(), "
                        f"...)")


def planes_input(module, input, nInputPlane):
    """A spatial input nInputPlane x H x W or batch x nInputPlane x H x W, checked ->
    (shape, batch?, N, H, W)."""
    if not torch.isTensor(input):
        raise TypeError(f"{module._typename}: expected a tensor input, got "
                        f"{type(input).__name__}")
    shape = tuple(input.size())
    if len(shape) not in (3, 4):
        raise ValueError(f"{module._typename}: expected 3-D (nInputPlane x H x W) or 4-D "
                         f"(batch x nInputPlane x H x W) input, got size {fmt_size(shape)}")
    batch = len(shape) == 4
    C, H, W = shape[-3:]
    if C != nInputPlane:
        raise ValueError(f"{module._typename}: input has {C} planes, expected {nInputPlane} "
                         f"(input size {fmt_size(shape)})")
    return shape, batch, shape[0] if batch else 1, H, W
