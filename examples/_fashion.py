"""Fashion-MNIST for the examples: finding the files, loading a split, normalising a batch,
scoring a model with a ConfusionMatrix. Not an example itself.

The data is the Debian package dataset-fashion-mnist, which installs the four IDX files in
/usr/share/datasets/fashion-mnist; -data DIR or the FASHION_MNIST_DIR variable points elsewhere.
"""
import os
import sys

import optim
from torchlike.data import readIDX

DEFAULT_DATA = os.environ.get('FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')
CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
           'Sneaker', 'Bag', 'Ankle boot']
SPLITS = ('train', 't10k')
# pixel statistics of the training set (after scaling to [0, 1]), to centre the inputs
MEAN, STD = 0.2860, 0.3530


def files(folder, split):
    return (os.path.join(folder, f'{split}-images-idx3-ubyte.gz'),
            os.path.join(folder, f'{split}-labels-idx1-ubyte.gz'))


def require(folder):
    """Exit with a message saying how to get the data when a file is missing in `folder`."""
    missing = [os.path.basename(p) for s in SPLITS for p in files(folder, s)
               if not os.path.isfile(p)]
    if missing:
        sys.exit(f"Fashion-MNIST not found in {folder} (missing {', '.join(missing)}): install "
                 f"it with 'apt-get install dataset-fashion-mnist', or pass -data DIR "
                 f"(or set FASHION_MNIST_DIR) for a folder holding the four IDX .gz files")


def load(folder, split, limit=0):
    """(images ByteTensor N x 28 x 28, labels LongTensor N with classes 0..9) of one split;
    `limit` > 0 keeps the first `limit` images."""
    image_file, label_file = files(folder, split)
    images, labels = readIDX(image_file), readIDX(label_file).long()
    if limit and limit < images.size(0):
        images, labels = images.narrow(0, 0, limit), labels.narrow(0, 0, limit)
    return images, labels


def normalise(images):
    """A ByteTensor batch N x 28 x 28 -> a new FloatTensor N x 1 x 28 x 28, centred and scaled."""
    x = images.float().view(images.size(0), 1, 28, 28)
    return x.mul(1 / (255 * STD)).add(-MEAN / STD)


def evaluate(model, images, labels, batchSize=1000, prepare=normalise):
    """The model's ConfusionMatrix on (images, labels), in evaluate mode (mode restored)."""
    confusion = optim.ConfusionMatrix(CLASSES)
    was_training = model.train
    model.evaluate()
    for i in range(0, images.size(0), batchSize):
        n = min(batchSize, images.size(0) - i)
        confusion.batchAdd(model.forward(prepare(images.narrow(0, i, n))),
                           labels.narrow(0, i, n))
    if was_training:
        model.training()
    confusion.updateValids()
    return confusion
