"""Train a 784-256-10 MLP on the real Fashion-MNIST with nothing but torchlike tensors.

Every step of the forward and backward pass is written out with Torch7-style tensor calls
(addmm, cmul, maxed ReLU masks, log-softmax), and the SGD update works on one flat parameter
vector that the weight matrices are views of — the idea behind nn's getParameters().

    python examples/fashion_mnist_tensors.py [-epochs 3] [-batchSize 64] [-data DIR]

The data is the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
"""
import os
import sys

import numpy as np

import torchlike as torch
from torchlike.data import readIDX

DEFAULT_DATA = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')


def load_split(folder, prefix):
    images = readIDX(os.path.join(folder, f'{prefix}-images-idx3-ubyte.gz'))
    labels = readIDX(os.path.join(folder, f'{prefix}-labels-idx1-ubyte.gz'))
    x = images.view(images.size(0), 28 * 28).float().div(255)
    return x, labels.long()


def make_parameters(n_in, n_hidden, n_out):
    """One flat storage; every weight and bias is a view of it (what getParameters builds)."""
    sizes = [(n_hidden, n_in), (n_hidden,), (n_out, n_hidden), (n_out,)]
    total = sum(int(np.prod(s)) for s in sizes)
    flat = torch.FloatTensor(total)
    grad = torch.FloatTensor(total)
    views, gviews, offset = [], [], 0
    for s in sizes:
        n = int(np.prod(s))
        views.append(torch.FloatTensor(flat.storage(), offset, torch.Size(s)))
        gviews.append(torch.FloatTensor(grad.storage(), offset, torch.Size(s)))
        offset += n
    for w, fan_in in ((views[0], n_in), (views[2], n_hidden)):
        bound = 1 / fan_in ** 0.5  # Torch7's Linear reset: uniform(-1/sqrt(fan_in), ...)
        w.copy(np.random.uniform(-bound, bound, tuple(w.size())))
    return flat, grad, views, gviews


def forward_backward(params, grads, x, y):
    """Loss and gradients (into `grads`) of a ReLU MLP with log-softmax + class NLL."""
    w1, b1, w2, b2 = params
    gw1, gb1, gw2, gb2 = grads
    n = x.size(0)
    h = torch.addmm(b1.view(1, -1).expand(n, b1.size(0)).contiguous(), x, w1.t())
    mask = h.gt(0).float()
    h.cmul(mask)
    z = torch.addmm(b2.view(1, -1).expand(n, b2.size(0)).contiguous(), h, w2.t())
    # log-softmax, stabilised by the row maximum
    zmax = z.max(1)[0]
    shifted = z - zmax
    logp = shifted - torch.exp(shifted).sum(1).log()  # torch.exp: shifted.exp() would change shifted
    rows = torch.LongTensor(list(range(n)))
    loss = -logp.numpy()[rows.numpy(), y.numpy()].mean()
    # d loss / d z = softmax - onehot, averaged over the batch
    dz = logp.exp()
    dz.numpy()[rows.numpy(), y.numpy()] -= 1
    dz.div(n)
    gw2.mm(dz.t(), h)
    gb2.copy(dz.sum(0).view(-1))
    dh = torch.mm(dz, w2).cmul(mask)
    gw1.mm(dh.t(), x)
    gb1.copy(dh.sum(0).view(-1))
    return float(loss), z


def accuracy(params, x, y, batch=1000):
    w1, b1, w2, b2 = params
    correct = 0
    for i in range(0, x.size(0), batch):
        xb = x.narrow(0, i, min(batch, x.size(0) - i))
        h = (xb @ w1.t() + b1).cmax(0)
        z = h @ w2.t() + b2
        correct += z.max(1)[1].view(-1).eq(y.narrow(0, i, xb.size(0))).sum()
    return correct / x.size(0)


def main(argv):
    cmd = torch.CmdLine()
    cmd.text('Fashion-MNIST MLP written with torchlike tensors only')
    cmd.option('-data', DEFAULT_DATA, 'folder with the four IDX .gz files')
    cmd.option('-epochs', 3, 'passes over the training set')
    cmd.option('-batchSize', 64, 'mini-batch size')
    cmd.option('-learningRate', 0.1, 'SGD step size')
    cmd.option('-hidden', 256, 'hidden units')
    cmd.option('-limit', 0, 'use only this many training images (0 = all)')
    cmd.option('-seed', 1, 'random seed')
    cmd.option('-save', '', 'write the trained flat parameters here with torch.save')
    opt = cmd.parse(argv)
    if not os.path.isdir(opt.data):
        sys.exit(f"Fashion-MNIST not found in {opt.data}: install it with "
                 f"'apt-get install dataset-fashion-mnist' or pass -data DIR")
    np.random.seed(opt.seed)
    xtrain, ytrain = load_split(opt.data, 'train')
    xtest, ytest = load_split(opt.data, 't10k')
    if opt.limit:
        xtrain, ytrain = xtrain.narrow(0, 0, opt.limit), ytrain.narrow(0, 0, opt.limit)
    flat, grad, params, grads = make_parameters(784, opt.hidden, 10)
    print(f"{xtrain.size(0)} training images, {flat.nElement()} parameters in one flat vector")
    timer = torch.Timer()
    rng = np.random.default_rng(opt.seed)
    n = xtrain.size(0)
    for epoch in range(opt.epochs):
        order = torch.LongTensor(rng.permutation(n).tolist())
        total, steps = 0.0, 0
        for i in range(0, n - opt.batchSize + 1, opt.batchSize):
            idx = order.narrow(0, i, opt.batchSize)
            loss, _ = forward_backward(params, grads, xtrain.index(0, idx), ytrain.index(0, idx))
            flat.add(-opt.learningRate, grad)  # SGD on the flat vector
            total, steps = total + loss, steps + 1
            torch.progress(i + opt.batchSize, n, f"loss {total / steps:.4f}")
        acc = accuracy(params, xtest, ytest)
        print(f"epoch {epoch + 1}: train loss {total / steps:.4f}, test accuracy "
              f"{100 * acc:.2f}%, {timer.time()['real']:.1f} s")
    if opt.save:
        torch.save(opt.save, flat)
    return acc


if __name__ == '__main__':
    main(sys.argv[1:])
