"""optim.ConfusionMatrix: counting (0-based labels), statistics, printing like Torch7."""
import math

import numpy as np
import pytest

import optim
import torchlike as torch

# rows = targets: cat 5 right, 1 taken for a dog; dog 4 right, 1 taken for a bird; bird twice
# taken for a cat
PAIRS = [(0, 0)] * 5 + [(1, 0)] + [(1, 1)] * 4 + [(2, 1)] + [(0, 2)] * 2
EXPECTED = np.array([[5, 1, 0], [0, 4, 1], [2, 0, 0]])


def _filled(kind):
    cm = optim.ConfusionMatrix(['cat', 'dog', 'bird'])
    if kind == 'add-index':
        for p, t in PAIRS:
            cm.add(p, t)
    elif kind == 'add-scores':
        for p, t in PAIRS:
            scores = torch.DoubleTensor([0.1, 0.2, 0.3])
            scores.numpy()[p] = 5.0
            onehot = torch.FloatTensor(3)
            onehot.numpy()[t] = 1
            cm.add(scores, onehot)
    elif kind == 'batch-index':
        cm.batchAdd(torch.LongTensor([p for p, _ in PAIRS]),
                    torch.DoubleTensor([float(t) for _, t in PAIRS]))
    elif kind == 'batch-scores':
        scores = np.full((len(PAIRS), 3), -1.0)
        onehot = np.zeros((len(PAIRS), 3))
        for i, (p, t) in enumerate(PAIRS):
            scores[i, p] = 2.0
            onehot[i, t] = 1.0
        cm.batchAdd(torch.fromNumpy(scores), torch.fromNumpy(onehot))
    elif kind == 'batch-columns':
        cm.batchAdd(torch.LongTensor([[p] for p, _ in PAIRS]),
                    torch.LongTensor([[t] for _, t in PAIRS]))
    return cm


@pytest.mark.parametrize('kind', ['add-index', 'add-scores', 'batch-index', 'batch-scores',
                                  'batch-columns'])
def test_counting(kind):
    cm = _filled(kind)
    assert isinstance(cm.mat, torch.LongTensor)
    np.testing.assert_array_equal(cm.mat.numpy(), EXPECTED)


def test_update_valids():
    cm = _filled('add-index')
    cm.updateValids()
    np.testing.assert_allclose(cm.valids.numpy(), [5 / 6, 4 / 5, 0], rtol=1e-7)
    np.testing.assert_allclose(cm.unionvalids.numpy(), [5 / 8, 4 / 6, 0], rtol=1e-7)
    assert cm.totalValid == pytest.approx(9 / 13)
    assert cm.averageValid == pytest.approx((5 / 6 + 4 / 5) / 3, rel=1e-7)
    assert cm.averageUnionValid == pytest.approx((5 / 8 + 4 / 6) / 3, rel=1e-7)


def test_classes_without_samples_are_left_out_of_the_averages():
    cm = optim.ConfusionMatrix(3)
    cm.add(0, 0)
    cm.add(1, 0)
    cm.add(1, 1)
    cm.updateValids()
    assert math.isnan(cm.valids.numpy()[2])
    assert cm.averageValid == pytest.approx((0.5 + 1.0) / 2)
    assert cm.averageUnionValid == pytest.approx((1 / 2 + 1 / 2) / 2)


def test_printing_like_torch7():
    cm = _filled('add-index')
    f32 = np.float32
    avg = (float(f32(5 / 6)) + float(f32(4 / 5)) + 0.0) / 3
    avg_u = (float(f32(5 / 8)) + float(f32(4 / 6)) + 0.0) / 3
    expected = ('ConfusionMatrix:\n'
                '[[       5       1       0]   83.333% \t[class: cat]\n'
                ' [       0       4       1]   80.000% \t[class: dog]\n'
                ' [       2       0       0]]  0.000% \t[class: bird]\n'
                f' + average row correct: {avg * 100:.14g}% \n'
                f' + average rowUcol correct (VOC measure): {avg_u * 100:.14g}% \n'
                f' + global correct: {9 / 13 * 100:.14g}%')
    assert str(cm) == expected
    assert repr(cm) == expected


def test_printing_without_class_names_and_wide_counts():
    cm = optim.ConfusionMatrix(2)
    cm.mat.numpy()[0, 0] = 123456789                   # columns widen to 1 + 9 digits
    text = str(cm)
    assert text.splitlines()[1] == '[[ 123456789         0]   100.000% '
    assert text.splitlines()[2] == ' [         0         0]]  nan% '


def test_negative_targets_are_skipped():
    cm = optim.ConfusionMatrix(3)
    cm.add(1, -1)
    cm.batchAdd(torch.LongTensor([0, 1, 2]), torch.LongTensor([-1, 1, -5]))
    assert cm.mat.numpy().sum() == 1 and cm.mat.numpy()[1, 1] == 1


@pytest.mark.parametrize('call, words', [
    (lambda cm: cm.add(0, 3), ['target 3', 'valid classes are 0 to 2']),
    (lambda cm: cm.add(5, 1), ['prediction 5', '0 to 2']),
    (lambda cm: cm.batchAdd(torch.LongTensor([0, 1]), torch.LongTensor([1, 7])),
     ['target 7', '0 to 2']),
    (lambda cm: cm.batchAdd(torch.LongTensor([0, -2]), torch.LongTensor([1, 1])),
     ['prediction -2']),
    (lambda cm: cm.batchAdd(torch.LongTensor([0, 1]), torch.LongTensor([1])),
     ['2 predictions for 1 targets']),
    (lambda cm: cm.add(torch.DoubleTensor([0.1, 0.9]), 1), ['one value per class (3), got 2']),
    (lambda cm: cm.add(0.5, 1), ['whole number']),
    (lambda cm: cm.batchAdd(torch.DoubleTensor([0.5]), torch.LongTensor([1])),
     ['class indices']),
    (lambda cm: cm.batchAdd(torch.DoubleTensor(2, 4), torch.LongTensor([1, 1])),
     ['2 x 4', 'one column per class (3)']),
])
def test_bad_labels_raise_and_count_nothing(call, words):
    cm = optim.ConfusionMatrix(3)
    with pytest.raises(ValueError) as err:
        call(cm)
    for w in words:
        assert w in str(err.value)
    assert cm.mat.numpy().sum() == 0


def test_zero_and_constructor_checks():
    cm = _filled('add-index')
    cm.updateValids()
    cm.zero()
    assert cm.mat.numpy().sum() == 0 and cm.totalValid == 0 and cm.valids.numpy().sum() == 0
    with pytest.raises(ValueError, match='positive integer'):
        optim.ConfusionMatrix(0)
    with pytest.raises(ValueError, match='2 class names for 3 classes'):
        optim.ConfusionMatrix(3, ['a', 'b'])
    assert optim.ConfusionMatrix(2, ['a', 'b']).classes == ['a', 'b']


def test_far_frr():
    cm = _filled('add-index')
    class_frr, class_far, frrs, fars = cm.farFrr()
    np.testing.assert_allclose(class_frr.numpy(), [1 - 5 / 6, 1 - 4 / 5, 1.0])
    # FAR of class c: mean over the other classes j of mat[j, c] / (samples of j)
    np.testing.assert_allclose(class_far.numpy(), [(0 + 1.0) / 2, (1 / 6 + 0) / 2,
                                                   (0 + 1 / 5) / 2])
    np.testing.assert_allclose(frrs.numpy(), class_frr.numpy())
    empty = optim.ConfusionMatrix(2)
    empty.add(0, 0)
    cf, _, f, _ = empty.farFrr()
    assert cf.numpy().tolist() == [0.0, -1.0] and f.nElement() == 1


def test_render_image():
    cm = _filled('add-index')
    img = cm.render(block=4)
    assert isinstance(img, torch.DoubleTensor) and tuple(img.size()) == (12, 12)
    a = img.numpy()
    assert a[0, 0] == pytest.approx(5 / 6)                 # best class (cat) first
    assert a[3, 0] == 0.1                                  # grid line
    with pytest.raises(ValueError, match='sort mode'):
        cm.render('alphabetical')
