"""One model, two losses, one backward pass, and a different optimiser for each sub-module.

    python examples/two_losses.py [-epochs 5] [-trunkOptimizer sgd] [-classifierOptimizer adam]
        [-thumbnailOptimizer rmsprop] [-thumbnailWeight 10] [-limit N] [-data DIR]

A shared trunk (784 -> hidden, ReLU) feeds two heads through nn.ConcatTable: a classifier
(10 classes, LogSoftMax) and a "thumbnail" head that redraws the image at 7x7 (Sigmoid, the
target is the 28x28 image averaged over 4x4 blocks). nn.ParallelCriterion adds the two losses
(ClassNLLCriterion + thumbnailWeight * MSECriterion) and returns one gradient per head, so one
model.backward fills the gradients of all three parts; the trunk receives the sum of what both
heads send back.

The optimisers: getParameters() is called on each sub-module, never on the whole model:

    trunkParams, trunkGrads = trunk.getParameters()            # optim.sgd
    classParams, classGrads = classifier.getParameters()       # optim.adam
    thumbParams, thumbGrads = thumbnail.getParameters()        # optim.rmsprop

Each call flattens that sub-module's weights into a vector of its own, and each optimiser keeps
its own state table. After the single forward/backward of a step, each optimiser is called with
a closure that returns the (already computed) loss and its sub-module's gradient vector.
Do not also call model.getParameters(): it flattens everything again into one new vector, and
the three vectors above would silently stop being the weights of the model (Torch7 behaves the
same way). Prints both losses and the test accuracy and thumbnail error of every epoch; the
defaults (5 epochs) reach about 88% and a thumbnail MSE of 0.0013 in about 10 s on 2 cores.
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


def thumbnails(images):
    """ByteTensor N x 28 x 28 -> FloatTensor N x 49: means of the 4x4 blocks, in [0, 1]."""
    blocks = images.numpy().reshape(-1, 7, 4, 7, 4).astype(np.float32)
    return torch.fromNumpy(blocks.mean(axis=(2, 4)).reshape(-1, 49) / 255)


def build(hidden):
    trunk = nn.Sequential(nn.View(28 * 28), nn.Linear(28 * 28, hidden), nn.ReLU())
    classifier = nn.Sequential(nn.Linear(hidden, 10), nn.LogSoftMax())
    thumbnail = nn.Sequential(nn.Linear(hidden, 49), nn.Sigmoid())
    model = nn.Sequential(trunk, nn.ConcatTable().add(classifier).add(thumbnail))
    return model, {'trunk': trunk, 'classifier': classifier, 'thumbnail': thumbnail}


def main(argv):
    D = _common.load_defaults(__file__)
    cmd = torch.CmdLine()
    cmd.text('Two heads, two losses, three optimisers on Fashion-MNIST')
    cmd.option('-data', _fashion.DEFAULT_DATA, 'folder with the four Fashion-MNIST IDX .gz files')
    cmd.option('-epochs', D['epochs'], 'passes over the training set')
    cmd.option('-batchSize', D['batchSize'], 'mini-batch size')
    cmd.option('-hidden', D['hidden'], 'units of the shared trunk')
    cmd.option('-trunkOptimizer', D['trunkOptimizer'], 'optimiser of the trunk')
    cmd.option('-classifierOptimizer', D['classifierOptimizer'], 'optimiser of the class head')
    cmd.option('-thumbnailOptimizer', D['thumbnailOptimizer'], 'optimiser of the 7x7 head')
    cmd.option('-thumbnailWeight', D['thumbnailWeight'], 'weight of the thumbnail MSE loss')
    cmd.option('-limit', D['limit'], 'use only the first N images of each split (0: all)')
    cmd.option('-seed', D['seed'], 'random seed')
    opt = cmd.parse(argv)
    _fashion.require(opt.data)
    torch.manualSeed(opt.seed)

    train_images, train_labels = _fashion.load(opt.data, 'train', opt.limit)
    test_images, test_labels = _fashion.load(opt.data, 't10k', opt.limit)
    train_thumbs, test_thumbs = thumbnails(train_images), thumbnails(test_images)

    model, parts = build(opt.hidden)
    model.float()
    criterion = nn.ParallelCriterion().add(nn.ClassNLLCriterion(), 1) \
                                      .add(nn.MSECriterion(), opt.thumbnailWeight).float()
    # one flat vector, one optimiser and one state per sub-module
    names = {'trunk': opt.trunkOptimizer, 'classifier': opt.classifierOptimizer,
             'thumbnail': opt.thumbnailOptimizer}
    steppers = []
    for part, name in names.items():
        params, grads = parts[part].getParameters()
        method, config = _common.optimiser(name, momentum=0.9)
        steppers.append((part, method, params, grads, config, {}))
        print(f"{part}: {params.nElement()} parameters, {name} {config}")
    print(model)

    nll, mse = criterion.criterions
    n = train_images.size(0)
    rng = np.random.default_rng(opt.seed)
    timer = torch.Timer()
    history = []
    for epoch in range(opt.epochs):
        order = torch.fromNumpy(rng.permutation(n))
        sums, seen = np.zeros(2), 0
        for i in range(0, n, opt.batchSize):
            idx = order.narrow(0, i, min(opt.batchSize, n - i))
            inputs = _fashion.normalise(train_images.index(0, idx))
            targets = [train_labels.index(0, idx), train_thumbs.index(0, idx)]
            for _, _, _, grads, _, _ in steppers:
                grads.zero()
            outputs = model.forward(inputs)
            loss = criterion.forward(outputs, targets)          # nll + weight * mse
            model.backward(inputs, criterion.backward(outputs, targets))
            for part, method, params, grads, config, state in steppers:
                # the gradients are computed already: each closure just hands them over
                method(lambda x, g=grads: (loss, g), params, config, state)
            b = idx.size(0)
            sums += b * np.array([nll.output, mse.output])
            seen += b
            torch.progress(seen, n, f"nll {sums[0] / seen:.4f} | mse {sums[1] / seen:.5f}")
        accuracy, thumb_error = evaluate(model, test_images, test_labels, test_thumbs)
        history.append((sums[0] / seen, sums[1] / seen, accuracy, thumb_error))
        print(f"epoch {epoch + 1}: train nll {sums[0] / seen:.4f}, train thumbnail mse "
              f"{sums[1] / seen:.5f}, test accuracy {100 * accuracy:.2f}%, test thumbnail mse "
              f"{thumb_error:.5f}, {timer.time()['real']:.1f} s")
    return history


def evaluate(model, images, labels, thumbs, batchSize=1000):
    """(class accuracy, mean squared thumbnail error) on a test split."""
    model.evaluate()
    correct, squared = 0, 0.0
    for i in range(0, images.size(0), batchSize):
        b = min(batchSize, images.size(0) - i)
        logprobs, drawn = model.forward(_fashion.normalise(images.narrow(0, i, b)))
        correct += int(logprobs.max(1)[1].view(-1).eq(labels.narrow(0, i, b)).sum())
        squared += float((drawn - thumbs.narrow(0, i, b)).pow(2).sum())
    model.training()
    return correct / images.size(0), squared / (images.size(0) * 49)


if __name__ == '__main__':
    main(sys.argv[1:])
