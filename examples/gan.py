"""A small GAN learning a ring of Gaussians in the plane, with two networks and two optimisers.

    python examples/gan.py [-iterations 3000] [-batchSize 256] [-modes 8] [-seed 1]

The data are points of a mixture of `-modes` Gaussians (standard deviation 0.05) placed on a
circle of radius 2. The generator G maps noise to points; the discriminator D maps a point to
the probability that it is real. Each network is flattened with its own getParameters() and has
its own optim.adam state (beta1 = 0.5, as in dcgan.torch); every iteration
  1. steps D on a batch of real points (target 1) and a batch of G's points (target 0),
     BCECriterion summed over both, gradients accumulated in D's flat gradient vector;
  2. steps G with the non-saturating loss BCE(D(G(z)), 1): the gradient goes back through D
     with D.updateGradInput only (D's parameter gradients are not needed for this step, so they
     are not computed), then G.backward.
Every -printEvery iterations it prints both losses, the mean distance of generated points to
the ring, the share lying near a mode (within 4 standard deviations) and how many of the modes
receive at least 2% of the points;
at the end it draws the generated points as a character density map. The first report shows
the generator's points in a blob near the origin; after the default 3000 iterations (about
8 s on 2 cores) about 95% of them sit near a mode, and all 8 modes are covered. Everything is
synthetic: no data set.
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
import nn                           # noqa: E402
import optim                        # noqa: E402
import torchlike as torch           # noqa: E402

RADIUS, STD = 2.0, 0.05


def ring_centres(modes):
    angles = 2 * np.pi * np.arange(modes) / modes
    return RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def real_points(rng, centres, n):
    """n points of the mixture, as a FloatTensor n x 2."""
    which = rng.integers(0, len(centres), n)
    points = centres[which] + STD * rng.standard_normal((n, 2))
    return torch.fromNumpy(points.astype(np.float32))


def generator(noise, hidden):
    return nn.Sequential(nn.Linear(noise, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.ReLU(), nn.Linear(hidden, 2))


def discriminator(hidden):
    return nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, 1), nn.Sigmoid())


def quality(points, centres):
    """(mean distance of the points to the ring, share of points within 4 std of their nearest
    centre, number of modes receiving at least 2% of the points)."""
    p = points.numpy().astype(np.float64)
    off_ring = float(np.abs(np.linalg.norm(p, axis=1) - RADIUS).mean())
    dist = np.linalg.norm(p[:, None, :] - centres[None, :, :], axis=2)
    nearest, d = dist.argmin(1), dist.min(1)
    good = d < 4 * STD
    counts = np.bincount(nearest[good], minlength=len(centres))
    return off_ring, float(good.mean()), int((counts >= 0.02 * len(p)).sum())


def density_map(points, width=48, height=20):
    """The points as characters on a grid spanning [-3, 3] x [-3, 3], darker where more fall."""
    p = points.numpy()
    cols = np.clip(((p[:, 0] + 3) / 6 * width).astype(int), 0, width - 1)
    rows = np.clip(((3 - p[:, 1]) / 6 * height).astype(int), 0, height - 1)
    grid = np.zeros((height, width), int)
    np.add.at(grid, (rows, cols), 1)
    shades = ' .:*#'
    # shade on a log scale relative to the fullest cell, so the modes stand out
    scaled = np.log1p(grid) / np.log1p(max(1, grid.max()))
    levels = np.ceil(scaled * (len(shades) - 1)).astype(int)
    return '\n'.join('|' + ''.join(shades[v] for v in row) + '|' for row in levels)


def main(argv):
    D = _common.load_defaults(__file__)
    cmd = torch.CmdLine()
    cmd.text('A GAN on a ring of Gaussians: two networks, two getParameters, two adam states')
    cmd.option('-iterations', D['iterations'], 'training iterations (one D and one G step each)')
    cmd.option('-batchSize', D['batchSize'], 'real and generated points per step')
    cmd.option('-noise', D['noise'], 'size of the noise vector fed to the generator')
    cmd.option('-hidden', D['hidden'], 'hidden units of both networks')
    cmd.option('-learningRate', D['learningRate'], 'adam step size for both networks')
    cmd.option('-beta1', D['beta1'], 'adam beta1 for both networks')
    cmd.option('-modes', D['modes'], 'number of Gaussians on the ring')
    cmd.option('-printEvery', D['printEvery'], 'iterations between two reports')
    cmd.option('-seed', D['seed'], 'random seed')
    opt = cmd.parse(argv)
    torch.manualSeed(opt.seed)
    rng = np.random.default_rng(opt.seed)
    centres = ring_centres(opt.modes)

    G = generator(opt.noise, opt.hidden).float()
    Dnet = discriminator(opt.hidden).float()
    criterion = nn.BCECriterion().float()
    paramsG, gradG = G.getParameters()        # two separate flat vectors ...
    paramsD, gradD = Dnet.getParameters()
    configG = {'learningRate': opt.learningRate, 'beta1': opt.beta1}
    configD = dict(configG)
    stateG, stateD = {}, {}                   # ... and two separate optimiser states
    bs = opt.batchSize
    ones = torch.FloatTensor(bs, 1).fill(1)
    zeros = torch.FloatTensor(bs, 1).zero()
    noise = torch.FloatTensor(bs, opt.noise)
    probe = torch.FloatTensor(1000, opt.noise)      # the generated points that are scored
    print(f"G: {paramsG.nElement()} parameters, D: {paramsD.nElement()} parameters")

    def report(it, lossD, lossG):
        off_ring, near, modes = quality(G.forward(probe.normal()), centres)
        history.append((it, lossD, lossG, off_ring, near, modes))
        print(f"iteration {it:5d}: D loss {lossD:.4f}, G loss {lossG:.4f}, distance to the "
              f"ring {off_ring:.3f}, {100 * near:5.1f}% of the points near a mode, "
              f"{modes}/{opt.modes} modes")

    history = []
    timer = torch.Timer()
    report(0, float('nan'), float('nan'))
    sumD = sumG = 0.0
    for it in range(1, opt.iterations + 1):
        real = real_points(rng, centres, bs)
        fake = G.forward(noise.normal()).clone()   # G's output buffer is reused in step 2

        def fevalD(x):
            gradD.zero()
            out = Dnet.forward(real)
            loss = criterion.forward(out, ones)
            Dnet.backward(real, criterion.backward(out, ones))
            out = Dnet.forward(fake)
            loss += criterion.forward(out, zeros)
            Dnet.backward(fake, criterion.backward(out, zeros))   # gradients accumulate
            return loss, gradD

        def fevalG(x):
            gradG.zero()
            z = noise.normal()
            generated = G.forward(z)
            out = Dnet.forward(generated)
            loss = criterion.forward(out, ones)           # "fool D": label fakes as real
            gradGenerated = Dnet.updateGradInput(generated, criterion.backward(out, ones))
            G.backward(z, gradGenerated)
            return loss, gradG

        _, fD = optim.adam(fevalD, paramsD, configD, stateD)
        _, fG = optim.adam(fevalG, paramsG, configG, stateG)
        sumD, sumG = sumD + fD[0], sumG + fG[0]
        if it % opt.printEvery == 0 or it == opt.iterations:
            steps = it % opt.printEvery or opt.printEvery
            report(it, sumD / steps, sumG / steps)
            sumD = sumG = 0.0
    print(f"{opt.iterations} iterations in {timer.time()['real']:.1f} s; generated points:")
    G.evaluate()
    print(density_map(G.forward(torch.FloatTensor(4000, opt.noise).normal())))
    return history


if __name__ == '__main__':
    main(sys.argv[1:])
