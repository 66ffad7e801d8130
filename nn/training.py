"""nn.StochasticGradient: Torch7's plain SGD training loop, one example at a time.

    trainer = nn.StochasticGradient(model, criterion)
    trainer.learningRate = 0.01
    trainer.maxIteration = 25          # epochs
    trainer.train(dataset)

`dataset.size()` is the number of examples (a plain list works too: len() is used when there
is no size()) and `dataset[i]` for i in 0 .. size()-1 is an (input, target) pair.
"""
import torchlike as torch


def _dataset_size(dataset):
    size = getattr(dataset, 'size', None)
    n = size() if callable(size) else len(dataset)
    if int(n) != n or n <= 0:
        raise ValueError(f"StochasticGradient: the dataset must hold at least one example, its "
                         f"size() is {n!r}")
    return int(n)


class StochasticGradient:
    """Trains `module` against `criterion` by per-example gradient steps.

    Fields (Torch7's): learningRate = 0.01, learningRateDecay = 0, maxIteration = 25 (epochs;
    0 or less runs until a hook raises), shuffleIndices = True (one permutation per train()
    call, drawn from torchlike's generator with torch.randperm, used for every epoch),
    verbose = True, hookExample(trainer, example) after each example, hookIteration(trainer,
    epoch, meanError) after each epoch (epoch is 0-based).

    Each example runs forward, criterion forward/backward, module.updateGradInput and
    module.accUpdateGradParameters(input, gradOutput, lr): the parameters move by -lr times this
    example's gradient without touching the gradient buffers. The learning rate of epoch e is
    lr for e = 0 and lr / (1 + (e + 1) * learningRateDecay) after that, as Torch7 computed it.
    """

    _typename = 'nn.StochasticGradient'

    def __init__(self, module, criterion):
        self.learningRate = 0.01
        self.learningRateDecay = 0
        self.maxIteration = 25
        self.shuffleIndices = True
        self.module = module
        self.criterion = criterion
        self.verbose = True
        self.hookExample = None
        self.hookIteration = None

    def _say(self, text):
        if self.verbose:
            print(text)

    def train(self, dataset):
        """Run the epochs; returns the mean error of the last epoch."""
        n = _dataset_size(dataset)
        module, criterion = self.module, self.criterion
        if self.shuffleIndices:
            order = [int(i) for i in torch.randperm(n).numpy()]
        else:
            order = list(range(n))
        lr = self.learningRate
        epoch = 0
        self._say("# StochasticGradient: training")
        while True:
            total = 0.0
            for t in order:
                example = dataset[t]
                try:
                    input, target = example[0], example[1]
                    total += criterion.forward(module.forward(input), target)
                    module.updateGradInput(input, criterion.updateGradInput(module.output,
                                                                            target))
                    module.accUpdateGradParameters(input, criterion.gradInput, lr)
                except Exception as e:
                    msg = f"StochasticGradient: example {t} (epoch {epoch}): "
                    e.args = ((msg + e.args[0],) + e.args[1:]
                              if e.args and isinstance(e.args[0], str) else (msg + str(e),))
                    raise
                if self.hookExample is not None:
                    self.hookExample(self, example)
            error = total / n
            if self.hookIteration is not None:
                self.hookIteration(self, epoch, error)
            self._say(f"# current error = {error:.14g}")
            epoch += 1
            # Torch7 counts epochs from 1 and divides by (1 + next epoch number * decay)
            lr = self.learningRate / (1 + (epoch + 1) * self.learningRateDecay)
            if 0 < self.maxIteration <= epoch:
                self._say("# StochasticGradient: you have reached the maximum number of "
                          "iterations")
                self._say(f"# training error = {error:.14g}")
                return error
