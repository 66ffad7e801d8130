"""The convnet of Torch7's "Deep Learning with Torch: the 60-minute blitz", trained the way the
tutorial trains it: one example at a time with nn.StochasticGradient.

    python examples/tutorial_net.py [-epochs 2] [-learningRate 0.01] [-limit N] [-data DIR]

The tutorial net takes CIFAR-10's 3x32x32 images:
    SpatialConvolution(3, 6, 5, 5) ReLU SpatialMaxPooling(2,2,2,2)
    SpatialConvolution(6, 16, 5, 5) ReLU SpatialMaxPooling(2,2,2,2)
    View(16*5*5) Linear(400, 120) ReLU Linear(120, 84) ReLU Linear(84, 10) LogSoftMax
CIFAR-10 is not a Debian package, so this example feeds it Fashion-MNIST instead, shaped like
CIFAR: each 28x28 image is zero-padded to 32x32 and its one channel repeated three times (a
stride-0 expand, no copy). As in the tutorial, the inputs are normalised with the mean and
standard deviation of each channel of the training set, the data set is a plain object with
size() and [i] (0-based: dataset[i] is (image, class) with classes 0..9), and the test prints
the number of correct predictions and the accuracy of each class.
With the defaults (2 epochs over the 60000 images, one example per step) it reaches about
84% in about a minute and a half on 2 cores.
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


def tutorial_net():
    net = nn.Sequential()
    net.add(nn.SpatialConvolution(3, 6, 5, 5))   # 3 input channels, 6 output channels, 5x5
    net.add(nn.ReLU())
    net.add(nn.SpatialMaxPooling(2, 2, 2, 2))    # 2x2 windows, stride 2
    net.add(nn.SpatialConvolution(6, 16, 5, 5))
    net.add(nn.ReLU())
    net.add(nn.SpatialMaxPooling(2, 2, 2, 2))
    net.add(nn.View(16 * 5 * 5))                 # 3-D tensor of 16x5x5 -> 1-D of 400
    net.add(nn.Linear(16 * 5 * 5, 120))
    net.add(nn.ReLU())
    net.add(nn.Linear(120, 84))
    net.add(nn.ReLU())
    net.add(nn.Linear(84, 10))                   # 10 classes
    net.add(nn.LogSoftMax())
    return net


def cifar_shaped(images):
    """ByteTensor N x 28 x 28 -> FloatTensor N x 1 x 32 x 32 (zero border of 2 pixels); the 3
    channels are a stride-0 expand of this one (see Samples)."""
    n = images.size(0)
    out = torch.FloatTensor(n, 1, 32, 32)
    out.narrow(2, 2, 28).narrow(3, 2, 28).copy(images.view(n, 1, 28, 28))
    return out


class Samples:
    """The tutorial's data set contract: size() and [i] -> (3 x 32 x 32 image, class)."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def size(self):
        return self.images.size(0)

    def __getitem__(self, i):
        return self.images[i].expand(3, 32, 32), int(self.labels[i])


def main(argv):
    D = _common.load_defaults(__file__)
    cmd = torch.CmdLine()
    cmd.text('The 60-minute blitz convnet on CIFAR-shaped Fashion-MNIST, nn.StochasticGradient')
    cmd.option('-data', _fashion.DEFAULT_DATA, 'folder with the four Fashion-MNIST IDX .gz files')
    cmd.option('-epochs', D['epochs'], 'passes over the training set (maxIteration)')
    cmd.option('-learningRate', D['learningRate'], 'per-example step size')
    cmd.option('-learningRateDecay', D['learningRateDecay'], 'epoch e: lr / (1 + e * decay)')
    cmd.option('-limit', D['limit'], 'use only the first N images of each split (0: all)')
    cmd.option('-seed', D['seed'], 'random seed')
    opt = cmd.parse(argv)
    _fashion.require(opt.data)
    torch.manualSeed(opt.seed)

    train_images, train_labels = _fashion.load(opt.data, 'train', opt.limit)
    test_images, test_labels = _fashion.load(opt.data, 't10k', opt.limit)
    trainset, testset = cifar_shaped(train_images), cifar_shaped(test_images)
    # the tutorial normalises each channel with the training set's statistics; the three
    # channels here are copies of one, so one mean and one std do
    mean, std = trainset.mean(), trainset.std()
    for t in (trainset, testset):
        t.add(-mean).div(std)

    net = tutorial_net().float()
    criterion = nn.ClassNLLCriterion().float()
    print(net)
    trainer = nn.StochasticGradient(net, criterion)
    trainer.learningRate = opt.learningRate
    trainer.learningRateDecay = opt.learningRateDecay
    trainer.maxIteration = opt.epochs
    timer = torch.Timer()
    error = trainer.train(Samples(trainset, train_labels))
    print(f"trained on {trainset.size(0)} images in {timer.time()['real']:.1f} s")

    # the test, as the tutorial writes it: count the correct predictions, then per class
    confusion = _fashion.evaluate(net, testset.expand(testset.size(0), 3, 32, 32), test_labels,
                                  prepare=lambda x: x)
    correct = int(confusion.mat.sum() * confusion.totalValid + 0.5)
    print(f"{correct} / {testset.size(0)} correct: {100 * confusion.totalValid:.2f}%")
    for name, valid in zip(_fashion.CLASSES, confusion.valids):
        print(f"{name:12s} {100 * float(valid):6.2f} %")
    return error, confusion.totalValid


if __name__ == '__main__':
    main(sys.argv[1:])
