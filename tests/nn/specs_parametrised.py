"""Catalogue rows for Add, CAdd, Mul, CMul, PReLU and LookupTable (nn/parametrised.py)."""
import torchlike as torch
from harness import Spec, randn, rand
from nn.parametrised import Add, CAdd, Mul, CMul, PReLU, LookupTable

_W = (('weight', 'gradWeight'),)
_B = (('bias', 'gradBias'),)
_FLOAT_INPUT = (lambda: torch.FloatTensor(3, 4), TypeError, r'input is a torch.FloatTensor but '
                r'the module is torch.DoubleTensor')

SPECS = [
    Spec('Add', lambda: Add(4), lambda: randn(4), lambda: randn(3, 4), printed='nn.Add',
         params=_B,
         bad_inputs=[(lambda: randn(3, 5), ValueError, r'does not match the bias of 4 values'),
                     _FLOAT_INPUT]),
    Spec('Add-scalar', lambda: Add(4, True), lambda: randn(4), lambda: randn(3, 4), params=_B),
    Spec('CAdd', lambda: CAdd(4), lambda: randn(4), lambda: randn(3, 4), printed='nn.CAdd',
         params=_B,
         bad_inputs=[(lambda: randn(3, 5), ValueError, r'does not match the bias of size 4'),
                     _FLOAT_INPUT]),
    Spec('CAdd-broadcast', lambda: CAdd(3, 1), lambda: randn(3, 2), None, params=_B),
    Spec('CAdd-channels', lambda: CAdd(2, 1, 1), lambda: randn(2, 2, 3), None, params=_B),
    Spec('Mul', lambda: Mul(), lambda: randn(4), lambda: randn(3, 4), printed='nn.Mul',
         params=_W, bad_inputs=[_FLOAT_INPUT]),
    Spec('CMul', lambda: CMul(4), lambda: randn(4), lambda: randn(3, 4), printed='nn.CMul',
         params=_W,
         bad_inputs=[(lambda: randn(3, 5), ValueError, r'does not match the weight of size 4'),
                     _FLOAT_INPUT]),
    Spec('CMul-2d', lambda: CMul(2, 3), lambda: randn(2, 3), lambda: randn(4, 2, 3), params=_W),
    Spec('CMul-broadcast', lambda: CMul(1, 3), lambda: randn(4, 3), None, params=_W),
    Spec('PReLU', lambda: PReLU(), lambda: randn(5), lambda: randn(3, 5), printed='nn.PReLU',
         params=_W),
    # as THNN: the channel dim is 1 for any input of 2 or more dims (0 for a vector)
    Spec('PReLU-channels', lambda: PReLU(3), lambda: randn(2, 3, 2), lambda: randn(2, 3, 2, 2),
         params=_W, batch_matches_single=False,
         bad_inputs=[(lambda: randn(2, 4, 2, 2), ValueError,
                      r'expected 3 in dim 1 but got 4'), _FLOAT_INPUT]),
    Spec('PReLU-rows', lambda: PReLU(4), lambda: randn(4), lambda: randn(3, 4), params=_W),
    # LookupTable: indices cannot be differentiated (gradients are checked in
    # test_parametrised.py); inputs are DoubleTensors of whole-number-truncated indices so that
    # the harness can fill them uniformly in input_range, as Torch7 accepted any tensor type
    Spec('LookupTable', lambda: LookupTable(5, 3), lambda: rand(4, lo=0, hi=4.5),
         lambda: rand(3, 4, lo=0, hi=4.5), printed='nn.LookupTable', params=_W,
         jacobian=False, input_range=(0, 4.5),
         bad_inputs=[(lambda: torch.LongTensor([0, 5]), IndexError,
                      r'index 5 is out of range for nIndex 5 \(valid: 0 to 4\)'),
                     (lambda: torch.LongTensor([-1, 2]), IndexError, r'index -1 is out of range'),
                     (lambda: torch.LongTensor(2, 2, 2), ValueError, r'vector or a matrix')]),
]
