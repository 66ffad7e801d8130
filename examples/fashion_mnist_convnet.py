"""Train a small convnet on the real Fashion-MNIST, the Torch7 way.

    python examples/fashion_mnist_convnet.py [-epochs 6] [-batchSize 64] [-workers 2] [-data DIR]

The model is an nn.Sequential; getParameters() flattens it into one vector; every step calls
optim.sgd with a closure that runs forward and backward; batches come from a DataLoader whose
worker threads build them while the main thread trains; a ConfusionMatrix reports each epoch.
The data is the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
"""
import os
import sys

import nn
import optim
import torchlike as torch
from torchlike.data import DataLoader, TensorDataset, readIDX

DEFAULT_DATA = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')
CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
           'Sneaker', 'Bag', 'Ankle boot']


def load(folder, prefix, limit=0):
    images = readIDX(os.path.join(folder, f'{prefix}-images-idx3-ubyte.gz'))
    labels = readIDX(os.path.join(folder, f'{prefix}-labels-idx1-ubyte.gz')).long()
    if limit:
        images, labels = images.narrow(0, 0, limit), labels.narrow(0, 0, limit)
    return TensorDataset(images, labels)


def convnet():
    return nn.Sequential(
        nn.SpatialConvolution(1, 16, 5, 5), nn.ReLU(), nn.SpatialMaxPooling(2, 2),   # 16x12x12
        nn.SpatialConvolution(16, 32, 5, 5), nn.ReLU(), nn.SpatialMaxPooling(2, 2),  # 32x4x4
        nn.View(32 * 4 * 4), nn.Linear(32 * 4 * 4, 128), nn.ReLU(),
        nn.Linear(128, 10), nn.LogSoftMax())


def as_input(images):
    """A ByteTensor batch N x 28 x 28 -> FloatTensor N x 1 x 28 x 28 in [0, 1]."""
    return images.float().div(255).view(images.size(0), 1, 28, 28)


def evaluate(model, loader):
    confusion = optim.ConfusionMatrix(CLASSES)
    model.evaluate()
    for images, labels in loader:
        confusion.batchAdd(model.forward(as_input(images)), labels)
    model.training()
    confusion.updateValids()
    return confusion


def main(argv):
    cmd = torch.CmdLine()
    cmd.text('A convnet on Fashion-MNIST with nn, optim and a worker pool')
    cmd.option('-data', DEFAULT_DATA, 'folder with the four IDX .gz files')
    cmd.option('-epochs', 6, 'passes over the training set')
    cmd.option('-batchSize', 64, 'mini-batch size')
    cmd.option('-learningRate', 0.1, 'SGD step size')
    cmd.option('-momentum', 0.9, 'SGD momentum')
    cmd.option('-workers', 2, 'data-loading worker threads (0: load in the main thread)')
    cmd.option('-limit', 0, 'use only this many images of each split (0 = all)')
    cmd.option('-seed', 1, 'random seed')
    cmd.option('-save', '', 'write the trained model here with torch.save')
    opt = cmd.parse(argv)
    if not os.path.isdir(opt.data):
        sys.exit(f"Fashion-MNIST not found in {opt.data}: install it with "
                 f"'apt-get install dataset-fashion-mnist' or pass -data DIR")
    torch.manualSeed(opt.seed)
    train = load(opt.data, 'train', opt.limit)
    test = load(opt.data, 't10k', opt.limit)
    train_loader = DataLoader(train, opt.batchSize, shuffle=True, nWorkers=opt.workers,
                              seed=opt.seed)
    test_loader = DataLoader(test, 1000, nWorkers=opt.workers)

    model = convnet().float()
    model.get(0).gradInput = None                  # the input needs no gradient
    criterion = nn.ClassNLLCriterion().float()
    params, grads = model.getParameters()
    config = {'learningRate': opt.learningRate, 'momentum': opt.momentum}
    print(model)
    print(f"{len(train)} training images, {params.nElement()} parameters")

    timer = torch.Timer()
    for epoch in range(opt.epochs):
        total, seen = 0.0, 0
        for step, (images, labels) in enumerate(train_loader):
            x = as_input(images)

            def feval(p):
                grads.zero()
                out = model.forward(x)
                loss = criterion.forward(out, labels)
                model.backward(x, criterion.backward(out, labels))
                return loss, grads

            _, fs = optim.sgd(feval, params, config)
            total, seen = total + fs[0] * labels.size(0), seen + labels.size(0)
            torch.progress(step + 1, len(train_loader), f"loss {total / seen:.4f}")
        confusion = evaluate(model, test_loader)
        print(f"epoch {epoch + 1}: train loss {total / seen:.4f}, test accuracy "
              f"{100 * confusion.totalValid:.2f}%, {timer.time()['real']:.1f} s")
    print(confusion)
    train_loader.terminate()
    test_loader.terminate()
    if opt.save:
        torch.save(opt.save, model.clearState())
    return confusion.totalValid


if __name__ == '__main__':
    main(sys.argv[1:])
