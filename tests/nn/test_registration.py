"""Module classes register their Torch name for .t7 files; taking over another class's name is
announced, redefining the same class is not."""
import warnings

import pytest

import nn
import torchlike as torch
from torchlike.serialization import registerClass, registeredClass


def test_a_user_class_taking_a_library_name_warns_and_can_be_undone():
    original = registeredClass('nn.Linear')
    try:
        with pytest.warns(UserWarning, match="replaces nn.linear.Linear as the class of "
                                             "'nn.Linear'"):
            class Linear(nn.Module):
                pass
        assert registeredClass('nn.Linear') is Linear
    finally:
        registerClass('nn.Linear', original)
    m = torch.deserialize(torch.serialize(nn.Linear(2, 3)))
    assert type(m) is original


def test_redefining_the_same_class_is_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for _ in range(2):
            class TwiceDefinedModule(nn.Module):
                pass
    assert registeredClass('nn.TwiceDefinedModule') is TwiceDefinedModule


def test_an_explicit_typename_keeps_both():
    with warnings.catch_warnings():
        warnings.simplefilter('error')

        class Linear(nn.Module):
            _typename = 'nn.MyOwnLinear'
    assert registeredClass('nn.MyOwnLinear') is Linear
    assert registeredClass('nn.Linear') is nn.Linear
