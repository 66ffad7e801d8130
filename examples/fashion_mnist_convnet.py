"""Train a convnet on the real Fashion-MNIST, the Torch7 way (the README's first command).

    python examples/fashion_mnist_convnet.py [-epochs N] [-batchSize N] [-workers N]
        [-optimizer sgd|nag|adam|adamax|rmsprop|adagrad] [-learningRate X] [-momentum X]
        [-seed N] [-data DIR] [-save DIR] [-resume PATH] [-config FILE.yaml]

What it shows, in the order a Torch7 user would write it:
- options through torch.CmdLine, whose defaults live in fashion_mnist_convnet.yaml (beside this
  file); `-config other.yaml` overrides them and the options of a run are saved as YAML;
- donkeys, as in imagenet-multiGPU.torch: a threads.Threads pool whose workers build the
  mini-batches (index the images, normalise them) while the main thread trains on each batch in
  the job's end callback; `pool.synchronize()` closes an epoch. Batches are consumed in their
  shuffled order whatever order the donkeys finish in, so a seed reproduces a run exactly;
- `params, gradParams = model.getParameters()` and an `optim.sgd(feval, params, config, state)`
  closure per step;
- torch.progress: a bar with ETA and the running loss (sparse plain lines when the output is not
  a terminal), a ConfusionMatrix on the training and the test set every epoch;
- optim.Logger: train loss and accuracies per epoch in <save>/accuracy.log, plotted to
  <save>/accuracy.png and .svg (matplotlib), or to <save>/accuracy.svg without matplotlib;
- a checkpoint every epoch, <save>/checkpoint.t7 written with torch.save (model, optimiser
  state, epoch, logger rows, random state); `-resume <save>/checkpoint.t7` (or the folder) goes
  on from it and ends with the very parameters an uninterrupted run would have.
  -epochs counts all epochs, the resumed ones included.

Everything printed also goes to <save>/log.txt, and the options to <save>/log.yaml.
With the defaults (6 epochs of SGD with momentum on a batch-normalised convnet) it reached
90.66% test accuracy in 77-89 s on a 2-core machine (quiet or shared).
The data is the Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
"""
import functools
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
import optim                        # noqa: E402
import threads                      # noqa: E402
import torchlike as torch           # noqa: E402

LOG_COLUMNS = ['train loss', 'train accuracy', 'test accuracy']


def convnet():
    """Two conv + batch-norm + max-pool stages and two linear layers:
    1x28x28 -> 16x12x12 -> 32x4x4 -> 128 -> 10 (batch normalisation lets SGD take large
    steps from the start: about 90% after 3 epochs instead of 87%)."""
    return nn.Sequential(
        nn.SpatialConvolution(1, 16, 5, 5), nn.SpatialBatchNormalization(16), nn.ReLU(),
        nn.SpatialMaxPooling(2, 2),
        nn.SpatialConvolution(16, 32, 5, 5), nn.SpatialBatchNormalization(32), nn.ReLU(),
        nn.SpatialMaxPooling(2, 2),
        nn.View(32 * 4 * 4), nn.Linear(32 * 4 * 4, 128), nn.BatchNormalization(128), nn.ReLU(),
        nn.Linear(128, 10), nn.LogSoftMax())


def parse_options(argv):
    D = _common.load_defaults(__file__)
    cmd = torch.CmdLine()
    cmd.text('A convnet on Fashion-MNIST with nn, optim, donkey threads and checkpoints')
    cmd.text()
    cmd.text('Options:')
    cmd.option('-data', _fashion.DEFAULT_DATA, 'folder with the four Fashion-MNIST IDX .gz files')
    cmd.option('-epochs', D['epochs'], 'passes over the training set (resumed ones included)')
    cmd.option('-batchSize', D['batchSize'], 'mini-batch size')
    cmd.option('-workers', D['workers'], 'donkey threads building the batches (0: none)')
    cmd.option('-optimizer', D['optimizer'], 'sgd | nag | adam | adamax | rmsprop | adagrad')
    cmd.option('-learningRate', D['learningRate'], 'step size (0: the optimiser\'s usual one)')
    cmd.option('-learningRateDecay', D['learningRateDecay'], 'sgd: lr / (1 + step * decay)')
    cmd.option('-momentum', D['momentum'], 'momentum (sgd and nag)')
    cmd.option('-seed', D['seed'], 'random seed (weights and shuffles)')
    cmd.option('-limit', D['limit'], 'use only the first N images of each split (0: all)')
    cmd.option('-save', D['save'], 'folder for the checkpoint, logs and plot')
    cmd.option('-resume', '', 'checkpoint file (or its folder) to go on from')
    return cmd, cmd.parse(argv)


# -- donkeys: these run in the worker threads ----------------------------------------------------
def init_donkey(splits, threadId):
    """Each donkey keeps the data sets it cuts batches from (shared, not copied: threads)."""
    threads.local.splits = splits


def load_batch(split, k, indices):
    """Batch number `k` of `split`: the images at `indices`, normalised, and their labels."""
    images, labels = threads.local.splits[split]
    idx = torch.fromNumpy(indices)
    return k, _fashion.normalise(images.index(0, idx)), labels.index(0, idx)


def batches(n, batchSize, seed, epoch):
    """The shuffled batches of one epoch (int64 index arrays), drawn from (seed, epoch) alone,
    so that a resumed run sees the same batches as an uninterrupted one."""
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return [order[i:i + batchSize] for i in range(0, n, batchSize)]


class InOrder:
    """An end callback that hands results to `consume` in job order: donkeys may finish out of
    order, and training on batches in a fixed order is what makes runs reproducible."""

    def __init__(self, consume):
        self.consume, self.waiting, self.next = consume, {}, 0

    def __call__(self, k, *batch):
        self.waiting[k] = batch
        while self.next in self.waiting:
            self.consume(*self.waiting.pop(self.next))
            self.next += 1


class NoDonkeys:
    """-workers 0: the same calls as a threads.Threads pool, each job run at once in the main
    thread (as Torch7's imagenet example did with -nDonkeys 0)."""

    def __init__(self, init):
        init(0)

    def addjob(self, fn, endcallback, *args):
        endcallback(*fn(*args))

    def synchronize(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


# -- the main thread -----------------------------------------------------------------------------
def main(argv):
    cmd, opt = parse_options(argv)
    # check everything that can be wrong before writing anything
    _fashion.require(opt.data)
    optimiser = _common.optimiser(opt.optimizer, opt.learningRate, opt.momentum,
                                  opt.learningRateDecay)
    resume = opt.resume
    if resume and os.path.isdir(resume):
        resume = os.path.join(resume, 'checkpoint.t7')
    if resume and not os.path.isfile(resume):
        sys.exit(f"-resume: no checkpoint at {resume}")
    os.makedirs(opt.save, exist_ok=True)
    cmd.log(os.path.join(opt.save, 'log.txt'), opt)        # also writes log.yaml
    try:
        return train(opt, optimiser, resume)
    finally:
        cmd.closeLog()


def train(opt, optimiser, resume):
    splits = {s: _fashion.load(opt.data, s, opt.limit) for s in ('train', 't10k')}
    ntrain = splits['train'][0].size(0)
    method, config = optimiser
    checkpoint_path = os.path.join(opt.save, 'checkpoint.t7')

    torch.manualSeed(opt.seed)
    first_epoch, rows, state = 0, [], {}
    if resume:
        checkpoint = torch.load(resume)
        model, first_epoch, rows = checkpoint['model'], checkpoint['epoch'], checkpoint['log']
        torch.setRNGState(checkpoint['rngState'])
        if checkpoint['optimizer'] == opt.optimizer:
            state = checkpoint['optimState']
        else:
            print(f"resuming with {opt.optimizer} instead of {checkpoint['optimizer']}: "
                  f"the optimiser starts from a fresh state")
        print(f"resumed from {resume} after epoch {first_epoch}")
    else:
        model = convnet().float()
    model.get(0).gradInput = None                 # the images need no gradient
    criterion = nn.ClassNLLCriterion().float()
    params, gradParams = model.getParameters()

    logger = optim.Logger(os.path.join(opt.save, 'accuracy.log'))
    logger.setNames(LOG_COLUMNS)
    for row in rows:                              # a resumed run keeps the earlier epochs
        logger.add(row)

    print(model)
    print(f"{ntrain} training images, {params.nElement()} parameters, {opt.optimizer} "
          f"{config}, {opt.workers} donkeys")
    timer = torch.Timer()
    confusion = optim.ConfusionMatrix(_fashion.CLASSES)
    init = functools.partial(init_donkey, splits)
    pool = threads.Threads(opt.workers, init) if opt.workers > 0 else NoDonkeys(init)
    with pool as donkeys:
        for epoch in range(first_epoch, opt.epochs):
            # one training epoch: donkeys load batches, the end callback trains on them
            confusion.zero()
            todo = batches(ntrain, opt.batchSize, opt.seed, epoch)
            seen, total = 0, 0.0

            def train_on(inputs, targets):
                nonlocal seen, total

                def feval(x):
                    gradParams.zero()
                    outputs = model.forward(inputs)
                    loss = criterion.forward(outputs, targets)
                    model.backward(inputs, criterion.backward(outputs, targets))
                    return loss, gradParams

                _, fs = method(feval, params, config, state)
                confusion.batchAdd(model.output, targets)
                seen, total = seen + targets.size(0), total + fs[0] * targets.size(0)
                torch.progress(seen, ntrain, f"loss {total / seen:.4f}")

            print(f"epoch {epoch + 1}/{opt.epochs}")
            consume = InOrder(train_on)
            for k, indices in enumerate(todo):
                donkeys.addjob(load_batch, consume, 'train', k, indices)
            donkeys.synchronize()
            confusion.updateValids()
            train_accuracy = confusion.totalValid

            # the test set: donkeys load, the main thread scores (order does not matter)
            confusion.zero()
            model.evaluate()
            ntest = splits['t10k'][0].size(0)
            for k in range(0, ntest, 1000):
                donkeys.addjob(load_batch,
                               lambda _, x, y: confusion.batchAdd(model.forward(x), y),
                               't10k', k, np.arange(k, min(k + 1000, ntest)))
            donkeys.synchronize()
            model.training()
            confusion.updateValids()

            row = [total / seen, 100 * train_accuracy, 100 * confusion.totalValid]
            rows.append(row)
            logger.add(row)
            _common.plot(logger, LOG_COLUMNS[1:], os.path.join(opt.save, 'accuracy'))
            _common.save_atomically(checkpoint_path, {
                'model': model.clearState(),      # without its (large) activation buffers
                'optimizer': opt.optimizer, 'optimState': state,
                'epoch': epoch + 1, 'log': rows, 'rngState': torch.getRNGState(),
                'options': dict(opt)})
            print(f"epoch {epoch + 1}: train loss {row[0]:.4f}, train accuracy {row[1]:.2f}%, "
                  f"test accuracy {row[2]:.2f}%, {timer.time()['real']:.1f} s")
    logger.close()
    if first_epoch >= opt.epochs:
        print(f"the checkpoint is at epoch {first_epoch} and -epochs is {opt.epochs}: "
              f"nothing to do")
        return rows[-1][2] / 100 if rows else float('nan')
    print(confusion)
    print(f"checkpoint, log and plot in {opt.save}")
    return confusion.totalValid


if __name__ == '__main__':
    main(sys.argv[1:])
