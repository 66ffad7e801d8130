"""Graphs and independent references shared by the nngraph tests."""
import sys

import numpy as np

import nn
import nngraph  # noqa: F401  (module(node) builds nodes)


def here():
    """The line number of the caller: `node = m(x); line = here()` on one line."""
    return sys._getframe(1).f_lineno


def lstm_cell(n_in, n_hid):
    """An LSTM cell from Linear, CAddTable, Sigmoid, Tanh and CMulTable:
    [x, c_prev, h_prev] -> [c, h]. Returns (gModule, {gate: (Linear on x, Linear on h)})."""
    x, prev_c, prev_h = nn.Identity()(), nn.Identity()(), nn.Identity()()
    linears = {}

    def gate(name, act):
        lx, lh = nn.Linear(n_in, n_hid), nn.Linear(n_hid, n_hid)
        linears[name] = (lx, lh)
        return act(nn.CAddTable()([lx(x), lh(prev_h)]))
    i = gate('i', nn.Sigmoid())
    f = gate('f', nn.Sigmoid())
    o = gate('o', nn.Sigmoid())
    u = gate('u', nn.Tanh())
    c = nn.CAddTable()([nn.CMulTable()([f, prev_c]), nn.CMulTable()([i, u])])
    h = nn.CMulTable()([o, nn.Tanh()(c)])
    return nn.gModule([x, prev_c, prev_h], [c, h]), linears


def lstm_reference(x, c, h, linears):
    """The same cell in numpy (float64), from the modules' weights."""
    def lin(m, v):
        return v @ m.weight.numpy().T + m.bias.numpy()

    def pre(name):
        lx, lh = linears[name]
        return lin(lx, x) + lin(lh, h)
    sig = lambda v: 1 / (1 + np.exp(-v))   # noqa: E731
    i, f, o, u = sig(pre('i')), sig(pre('f')), sig(pre('o')), np.tanh(pre('u'))
    c2 = f * c + i * u
    return c2, o * np.tanh(c2)


def mlp_modules(sizes=(5, 8, 6, 3)):
    """Fresh Linear/Tanh layers (drawn from the global generator), ending in LogSoftMax."""
    mods = []
    for a, b in zip(sizes, sizes[1:]):
        mods += [nn.Linear(a, b), nn.Tanh()]
    mods[-1] = nn.LogSoftMax()
    return mods


def chain_gmodule(mods, identity_input=True):
    """The modules as a chain gModule (with an nn.Identity input node by default)."""
    first = nn.Identity()() if identity_input else mods[0]()
    h = first
    for m in (mods if identity_input else mods[1:]):
        h = m(h)
    return nn.gModule([first], [h])
