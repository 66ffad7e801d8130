"""A character-level LSTM language model built with nngraph: the char-rnn pattern.

    python examples/char_lstm.py [-text FILE] [-chars N] [-hidden N] [-seqLength N]
        [-batchSize N] [-iterations N] [-learningRate X] [-gradClip X] [-seed N]
        [-printEvery N] [-sample N] [-temperature X]

What it shows, in the order a Torch7 user would write it:
- one LSTM time step written as an nn.gModule ([x_t, c_prev, h_prev] -> [c, h, log-probs]):
  a LookupTable embedding, the four gates computed by two Linear layers summed with CAddTable,
  cut apart with Reshape + SplitTable + node.split(4), Sigmoid/Tanh gates and CMulTable/
  CAddTable cell arithmetic, a Linear + LogSoftMax read-out;
- `params, gradParams = proto.getParameters()` first, then one clone of the step per time step
  sharing weight, bias, gradWeight and gradBias (`proto.clone('weight', 'bias', 'gradWeight',
  'gradBias')`): every clone's parameters live in the same flat vector;
- truncated back-propagation through time by hand: forward through the clones, ClassNLL at every
  step, backward through the clones in reverse order passing the gradients of c and h back;
- an optim.adam closure (`feval(x) -> loss, gradParams`) with gradient clipping;
- sampling text from the trained model, one character at a time, with a temperature.

The text is Python's own: the first -chars characters of a module of the standard library
(textwrap.py by default), so nothing is downloaded. The defaults train for about a minute on
two cores, and the loss falls from ln(vocabulary) (about 4.5) to about 1.4.
"""
import math
import os
import sys
import sysconfig
import time

import numpy as np

import nn
import nngraph  # noqa: F401  (module(node) builds graph nodes; nn.gModule)
import optim
import torchlike as torch


def lstm_step(vocab, hidden):
    """One time step of an LSTM language model as a gModule:
    [x (LongTensor B), c_prev (B x H), h_prev (B x H)] -> [c, h, log-probabilities (B x V)]."""
    x, prev_c, prev_h = nn.Identity()(), nn.Identity()(), nn.Identity()()
    embedding = nn.LookupTable(vocab, hidden)(x)
    sums = nn.CAddTable()([nn.Linear(hidden, 4 * hidden)(embedding),
                           nn.Linear(hidden, 4 * hidden)(prev_h)])
    gates = nn.SplitTable(1)(nn.Reshape(4, hidden, True)(sums)).split(4)
    in_gate, forget_gate, out_gate = [nn.Sigmoid()(g) for g in gates[:3]]
    candidate = nn.Tanh()(gates[3])
    c = nn.CAddTable()([nn.CMulTable()([forget_gate, prev_c]),
                        nn.CMulTable()([in_gate, candidate])])
    h = nn.CMulTable()([out_gate, nn.Tanh()(c)])
    logprobs = nn.LogSoftMax()(nn.Linear(hidden, vocab)(h))
    step = nn.gModule([x, prev_c, prev_h], [c, h, logprobs])
    step.name = 'lstm_step'
    return step


def parse_options(argv):
    cmd = torch.CmdLine()
    cmd.text('A character-level LSTM language model (nngraph, clones sharing parameters, adam)')
    cmd.text()
    cmd.text('Options:')
    cmd.option('-text', '', 'text file to learn (default: textwrap.py of the standard library)')
    cmd.option('-chars', 20000, 'use the first N characters of the text')
    cmd.option('-hidden', 96, 'LSTM state size')
    cmd.option('-seqLength', 24, 'time steps of back-propagation through time')
    cmd.option('-batchSize', 32, 'sequences per iteration')
    cmd.option('-iterations', 600, 'training iterations')
    cmd.option('-learningRate', 0.005, 'adam learning rate')
    cmd.option('-gradClip', 5.0, 'clamp every gradient to [-gradClip, gradClip]')
    cmd.option('-seed', 123, 'random seed (weights, batches, sampling)')
    cmd.option('-printEvery', 25, 'print the loss every N iterations')
    cmd.option('-sample', 200, 'characters to sample at the end')
    cmd.option('-temperature', 0.7, 'sampling temperature (lower: more conservative)')
    return cmd.parse(argv)


def load_text(path, n):
    if not path:
        path = os.path.join(sysconfig.get_paths()['stdlib'], 'textwrap.py')
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read(n)
    if len(text) < 2:
        sys.exit(f"-text: {path} holds fewer than 2 characters")
    return text, path


class CharLSTM:
    """The prototype step, its clones over time and the flat parameters they share."""

    def __init__(self, vocab, hidden, seq_length):
        self.vocab, self.hidden = vocab, hidden
        self.proto = lstm_step(vocab, hidden)
        self.params, self.grads = self.proto.getParameters()
        self.params.uniform(-0.08, 0.08)
        shared = ('weight', 'bias', 'gradWeight', 'gradBias')
        self.clones = [self.proto.clone(*shared) for _ in range(seq_length)]
        self.crit = nn.ClassNLLCriterion()

    def zeros(self, batch):
        return torch.Tensor(batch, self.hidden).zero()

    def loss_and_gradient(self, inputs, targets):
        """Mean NLL per character of one batch (inputs/targets: T LongTensors of size B), with
        the gradient accumulated into self.grads."""
        T, B = len(inputs), inputs[0].size(0)
        self.grads.zero()
        c, h = self.zeros(B), self.zeros(B)
        states, loss = [], 0.0
        for t in range(T):
            states.append((c, h))
            c, h, logprobs = self.clones[t].forward([inputs[t], c, h])
            loss += self.crit.forward(logprobs, targets[t])
        dc, dh = self.zeros(B), self.zeros(B)
        for t in reversed(range(T)):
            step = self.clones[t]
            dlogprobs = self.crit.backward(step.output[2], targets[t]).mul(1.0 / T)
            _, dc, dh = step.backward([inputs[t], *states[t]], [dc, dh, dlogprobs])
        return loss / T

    def sample(self, first, n, temperature, rng):
        """n characters drawn one at a time from the model, starting after index `first`."""
        self.proto.evaluate()
        c, h = self.zeros(1), self.zeros(1)
        x = torch.LongTensor([first])
        out = []
        for _ in range(n):
            c, h, logprobs = self.proto.forward([x, c, h])
            c, h = c.clone(), h.clone()       # the next forward reuses the output buffers
            p = np.exp(logprobs.numpy()[0].astype(np.float64) / temperature)
            k = int(rng.choice(self.vocab, p=p / p.sum()))
            out.append(k)
            x[0] = k
        self.proto.training()
        return out


def main(argv=None):
    opt = parse_options(argv)
    torch.manualSeed(opt.seed)
    rng = np.random.default_rng(opt.seed)
    text, path = load_text(opt.text, opt.chars)
    chars = sorted(set(text))
    index = {ch: i for i, ch in enumerate(chars)}
    data = np.array([index[ch] for ch in text], dtype=np.int64)
    T = max(1, min(opt.seqLength, len(data) - 1))
    print(f"text: {len(text)} characters of {path}, vocabulary {len(chars)} "
          f"(chance level: loss {math.log(len(chars)):.3f})")

    model = CharLSTM(len(chars), opt.hidden, T)
    print(f"model: {model.params.nElement()} parameters, {T} clones of the step sharing them")
    config = {'learningRate': opt.learningRate}
    positions = np.arange(T)
    loss = float('nan')
    start = time.time()
    for it in range(1, opt.iterations + 1):
        starts = rng.integers(0, len(data) - T, opt.batchSize)
        window = data[starts[:, None] + positions]                 # B x T
        nxt = data[starts[:, None] + positions + 1]
        inputs = [torch.LongTensor(window[:, t].copy()) for t in range(T)]
        targets = [torch.LongTensor(nxt[:, t].copy()) for t in range(T)]

        def feval(x):
            value = model.loss_and_gradient(inputs, targets)
            model.grads.clamp(-opt.gradClip, opt.gradClip)
            return value, model.grads

        _, fs = optim.adam(feval, model.params, config)
        loss = fs[0]
        if it == 1 or it % opt.printEvery == 0 or it == opt.iterations:
            print(f"iteration {it}/{opt.iterations}  loss {loss:.4f}  "
                  f"({time.time() - start:.1f} s)", flush=True)

    sampled = model.sample(index[text[0]], opt.sample, opt.temperature, rng)
    print('sample:')
    print(text[0] + ''.join(chars[k] for k in sampled))
    return loss


if __name__ == '__main__':
    main(sys.argv[1:])
