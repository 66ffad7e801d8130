"""A multi-layer perceptron on Fashion-MNIST, fed by a DataLoader.

    python examples/mlp.py [-epochs 10] [-hidden 256] [-optimizer adam] [-workers 2] [-data DIR]

The other way to load batches (the flagship, fashion_mnist_convnet.py, drives threads.Threads
donkeys by hand): torchlike.data.DataLoader over a TensorDataset, whose worker threads cut and
collate the shuffled batches ahead of the training loop. The model is 784 -> hidden -> hidden
-> 10 with ReLU and Dropout, trained through one flat parameter vector (getParameters) with the
optimiser chosen by -optimizer; each epoch prints the training loss and the test accuracy, and
the last one the per-class ConfusionMatrix. With the defaults (mlp.yaml) it reaches about 88.8%
after 10 epochs, in about 20 s on 2 cores.
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

import _common                      # noqa: E402  (needs the path above)
import _fashion                     # noqa: E402
import nn                           # noqa: E402
import torchlike as torch           # noqa: E402
from torchlike.data import DataLoader, TensorDataset  # noqa: E402


def mlp(hidden):
    return nn.Sequential(
        nn.View(28 * 28), nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(hidden, 10), nn.LogSoftMax())


def main(argv):
    D = _common.load_defaults(__file__)
    cmd = torch.CmdLine()
    cmd.text('An MLP on Fashion-MNIST with a DataLoader')
    cmd.option('-data', _fashion.DEFAULT_DATA, 'folder with the four Fashion-MNIST IDX .gz files')
    cmd.option('-epochs', D['epochs'], 'passes over the training set')
    cmd.option('-batchSize', D['batchSize'], 'mini-batch size')
    cmd.option('-hidden', D['hidden'], 'units in each hidden layer')
    cmd.option('-optimizer', D['optimizer'], 'sgd | nag | adam | adamax | rmsprop | adagrad')
    cmd.option('-learningRate', D['learningRate'], 'step size (0: the optimiser\'s usual one)')
    cmd.option('-workers', D['workers'], 'DataLoader worker threads (0: load in this thread)')
    cmd.option('-limit', D['limit'], 'use only the first N images of each split (0: all)')
    cmd.option('-seed', D['seed'], 'random seed')
    opt = cmd.parse(argv)
    _fashion.require(opt.data)

    torch.manualSeed(opt.seed)
    train_images, train_labels = _fashion.load(opt.data, 'train', opt.limit)
    test_images, test_labels = _fashion.load(opt.data, 't10k', opt.limit)
    loader = DataLoader(TensorDataset(train_images, train_labels), opt.batchSize,
                        shuffle=True, nWorkers=opt.workers, seed=opt.seed)
    model = mlp(opt.hidden).float()
    criterion = nn.ClassNLLCriterion().float()
    params, gradParams = model.getParameters()
    method, config = _common.optimiser(opt.optimizer, opt.learningRate)
    state = {}
    print(model)
    print(f"{train_images.size(0)} training images, {params.nElement()} parameters, "
          f"{opt.optimizer} {config}")

    timer = torch.Timer()
    history = []
    with loader:
        for epoch in range(opt.epochs):
            total, seen = 0.0, 0
            for step, (images, labels) in enumerate(loader):
                inputs = _fashion.normalise(images)

                def feval(x):
                    gradParams.zero()
                    outputs = model.forward(inputs)
                    loss = criterion.forward(outputs, labels)
                    model.backward(inputs, criterion.backward(outputs, labels))
                    return loss, gradParams

                _, fs = method(feval, params, config, state)
                total, seen = total + fs[0] * labels.size(0), seen + labels.size(0)
                torch.progress(step + 1, len(loader), f"loss {total / seen:.4f}")
            confusion = _fashion.evaluate(model, test_images, test_labels)
            history.append((total / seen, confusion.totalValid))
            print(f"epoch {epoch + 1}: train loss {total / seen:.4f}, test accuracy "
                  f"{100 * confusion.totalValid:.2f}%, {timer.time()['real']:.1f} s")
    print(confusion)
    return history


if __name__ == '__main__':
    main(sys.argv[1:])
