"""A small residual network on Fashion-MNIST: residual blocks built from ConcatTable + CAddTable.

    python examples/residual.py [-blocks 2] [-planes 16] [-epochs 2] [-limit 30000] [-data DIR]

A residual block adds its input to what a branch computes from it, y = relu(x + F(x)). In
Torch7's nn (as in fb.resnet.torch) that is a table container: nn.ConcatTable gives the same
input to the branch F (conv-BN-ReLU-conv-BN) and to nn.Identity and outputs both results as a
list; nn.CAddTable sums the list; a ReLU follows:

    nn.Sequential(nn.ConcatTable().add(F).add(nn.Identity()), nn.CAddTable(), nn.ReLU())

In the backward pass ConcatTable sums the gradients of its two children, so the gradient
reaches the input through the identity path unchanged. The network here is a stride-2 stem
convolution (28x28 -> 14x14), `-blocks` residual blocks of `-planes` channels, 2x2 max pooling
and a linear classifier, trained with getParameters and an optim closure. It prints the training
loss and the test accuracy of every epoch: about 87.6% with the defaults (2 epochs over 30000
training images), in about 35 s on 2 cores.
The data is the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
"""
import os
import sys

# One BLAS thread per process: the cores are already kept busy (donkeys, other programs), and
# waiting BLAS threads spin, which made steps several times slower on a busy 2-core machine.
# It has to be set before numpy is first imported; an OPENBLAS_NUM_THREADS you export wins.
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import numpy as np                  # noqa: E402

import _common                      # noqa: E402  (needs the path above)
import _fashion                     # noqa: E402
import nn                           # noqa: E402
import torchlike as torch           # noqa: E402


def conv3x3(nIn, nOut, stride=1):
    return nn.SpatialConvolution(nIn, nOut, 3, 3, stride, stride, 1, 1)


def residual_block(planes):
    """relu(x + F(x)), F = conv-BN-ReLU-conv-BN; the sizes of x and F(x) match."""
    branch = nn.Sequential(
        conv3x3(planes, planes), nn.SpatialBatchNormalization(planes), nn.ReLU(),
        conv3x3(planes, planes), nn.SpatialBatchNormalization(planes))
    return nn.Sequential(
        nn.ConcatTable().add(branch).add(nn.Identity()),   # -> [F(x), x]
        nn.CAddTable(),                                     # -> F(x) + x
        nn.ReLU())


def resnet(planes, blocks):
    model = nn.Sequential(conv3x3(1, planes, stride=2), nn.SpatialBatchNormalization(planes),
                          nn.ReLU())                        # planes x 14 x 14
    for _ in range(blocks):
        model.add(residual_block(planes))
    model.add(nn.SpatialMaxPooling(2, 2))                   # planes x 7 x 7
    model.add(nn.View(planes * 7 * 7))
    model.add(nn.Linear(planes * 7 * 7, 10))
    model.add(nn.LogSoftMax())
    return model


def main(argv):
    D = _common.load_defaults(__file__)
    cmd = torch.CmdLine()
    cmd.text('A residual network (ConcatTable + CAddTable blocks) on Fashion-MNIST')
    cmd.option('-data', _fashion.DEFAULT_DATA, 'folder with the four Fashion-MNIST IDX .gz files')
    cmd.option('-epochs', D['epochs'], 'passes over the training images')
    cmd.option('-batchSize', D['batchSize'], 'mini-batch size')
    cmd.option('-planes', D['planes'], 'channels in the residual blocks')
    cmd.option('-blocks', D['blocks'], 'number of residual blocks')
    cmd.option('-optimizer', D['optimizer'], 'sgd | nag | adam | adamax | rmsprop | adagrad')
    cmd.option('-learningRate', D['learningRate'], 'step size (0: the optimiser\'s usual one)')
    cmd.option('-momentum', D['momentum'], 'momentum (sgd and nag)')
    cmd.option('-limit', D['limit'], 'use only the first N training images (0: all)')
    cmd.option('-seed', D['seed'], 'random seed')
    opt = cmd.parse(argv)
    _fashion.require(opt.data)
    torch.manualSeed(opt.seed)

    train_images, train_labels = _fashion.load(opt.data, 'train', opt.limit)
    test_images, test_labels = _fashion.load(opt.data, 't10k')
    model = resnet(opt.planes, opt.blocks).float()
    model.get(0).gradInput = None                           # the images need no gradient
    criterion = nn.ClassNLLCriterion().float()
    params, gradParams = model.getParameters()
    method, config = _common.optimiser(opt.optimizer, opt.learningRate, opt.momentum)
    state = {}
    print(model)
    print(f"{train_images.size(0)} training images, {params.nElement()} parameters")

    n = train_images.size(0)
    rng = np.random.default_rng(opt.seed)
    timer = torch.Timer()
    history = []
    for epoch in range(opt.epochs):
        order = torch.fromNumpy(rng.permutation(n))
        total, seen = 0.0, 0
        for i in range(0, n, opt.batchSize):
            idx = order.narrow(0, i, min(opt.batchSize, n - i))
            inputs = _fashion.normalise(train_images.index(0, idx))
            targets = train_labels.index(0, idx)

            def feval(x):
                gradParams.zero()
                outputs = model.forward(inputs)
                loss = criterion.forward(outputs, targets)
                model.backward(inputs, criterion.backward(outputs, targets))
                return loss, gradParams

            _, fs = method(feval, params, config, state)
            total, seen = total + fs[0] * idx.size(0), seen + idx.size(0)
            torch.progress(seen, n, f"loss {total / seen:.4f}")
        confusion = _fashion.evaluate(model, test_images, test_labels, batchSize=500)
        history.append((total / seen, confusion.totalValid))
        print(f"epoch {epoch + 1}: train loss {total / seen:.4f}, test accuracy "
              f"{100 * confusion.totalValid:.2f}%, {timer.time()['real']:.1f} s")
    return history


if __name__ == '__main__':
    main(sys.argv[1:])
