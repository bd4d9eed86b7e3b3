import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from utils.probes import OrderProbe, accuracy_by_distance, make_order_probe, steps_after


def test_shapes_dtypes_balance_and_determinism():
    probe = make_order_probe(101, 12, features=3, seed=5)
    assert isinstance(probe, OrderProbe)
    x, y, position = probe
    assert x.shape == (101, 12, 3) and x.dtype == np.float32
    assert y.shape == position.shape == (101,) and y.dtype == position.dtype == np.int64
    assert y.sum() == 50 and set(np.unique(y)) == {0, 1}
    assert position.min() >= 0 and position.max() <= 10
    again = make_order_probe(101, 12, features=3, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(probe, again))
    other = make_order_probe(101, 12, features=3, seed=6)
    assert not np.array_equal(x, other.x)


def test_the_evidence_decides_the_label_by_its_order():
    x, y, position = make_order_probe(400, 20, features=2, strength=3.0, seed=1)
    rows = np.arange(len(y))
    first, second = x[rows, position], x[rows, position + 1]
    u = np.ones(2) / np.sqrt(2)
    assert np.allclose(first @ u, np.where(y == 1, 3.0, -3.0), atol=1e-5)
    assert np.allclose(second, -first)
    # the rule "the first evidence step points along +u" is always right
    assert np.array_equal((first @ u > 0).astype(int), y)


def test_every_position_occurs_and_the_distances_are_consistent():
    _, _, position = make_order_probe(3000, 10, seed=2)
    assert set(np.unique(position)) == set(range(9))
    after = steps_after(position, 10)
    assert np.array_equal(after + position, np.full_like(position, 8))


def _held_out_accuracy(features_train, y_train, features_test, y_test):
    model = LogisticRegression(max_iter=2000).fit(features_train, y_train)
    return model.score(features_test, y_test)


def test_nothing_but_the_ordered_evidence_predicts_the_label():
    """Order-free views of the data (a bag of step vectors, time-shuffled sequences) and the
    position are at chance; the same classifier on the ordered evidence pair is perfect."""
    train, test = make_order_probe(4000, 16, seed=3), make_order_probe(4000, 16, seed=4)

    def bag(x):  # a bag of values: the sorted values of the sequence, blind to the order of steps
        return np.sort(x.reshape(len(x), -1), axis=1)

    def position_only(p):
        return np.eye(15)[p]

    rng = np.random.default_rng(0)

    def shuffled_in_time(x):
        return np.stack([row[rng.permutation(len(row))] for row in x]).reshape(len(x), -1)

    chance = 0.5
    for view in (bag, shuffled_in_time):
        acc = _held_out_accuracy(view(train.x), train.y, view(test.x), test.y)
        assert abs(acc - chance) < 0.04, f"{view.__name__} must be at chance, got {acc:.3f}"
    acc = _held_out_accuracy(position_only(train.position), train.y, position_only(test.position), test.y)
    assert abs(acc - chance) < 0.04, f"the position must not predict the label, got {acc:.3f}"

    def evidence_pair(probe):
        rows = np.arange(len(probe.y))
        return np.concatenate([probe.x[rows, probe.position], probe.x[rows, probe.position + 1]], axis=1)

    assert _held_out_accuracy(evidence_pair(train), train.y, evidence_pair(test), test.y) == 1.0


def test_accuracy_by_distance_counts_per_bin():
    correct = np.array([True, False, True, True, False, True])
    distance = np.array([0, 1, 2, 3, 8, 9])
    centers, accuracy, counts = accuracy_by_distance(correct, distance, bins=3)
    assert np.allclose(centers, [1.5, 4.5, 7.5])
    assert list(counts) == [3, 1, 2]
    assert np.allclose(accuracy, [2 / 3, 1.0, 0.5])
    centers, accuracy, counts = accuracy_by_distance(correct.astype(int), distance, bins=[0, 5, 10, 20])
    assert list(counts) == [4, 2, 0] and np.isnan(accuracy[-1]) and np.allclose(accuracy[:2], [0.75, 0.5])


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"n": 1, "length": 5}, ValueError, "n must be at least 2"),
    ({"n": 10, "length": 1}, ValueError, "length must be at least 2"),
    ({"n": 10.0, "length": 5}, TypeError, "n must be an integer"),
    ({"n": 10, "length": 5, "features": 0}, ValueError, "features must be at least 1"),
    ({"n": 10, "length": 5, "strength": "3"}, TypeError, "strength must be a positive number"),
    ({"n": 10, "length": 5, "strength": -1.0}, ValueError, "strength must be a positive finite number"),
    ({"n": 10, "length": 5, "strength": float("nan")}, ValueError, "positive finite"),
    ({"n": 10, "length": 5, "seed": -1}, ValueError, "seed must be at least 0"),
])
def test_make_order_probe_rejects_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        make_order_probe(**kwargs)


@pytest.mark.parametrize(("args", "error", "words"), [
    (([True], [0, 1]), ValueError, "same length"),
    ((np.array([], dtype=bool), np.array([], dtype=int)), ValueError, "at least one example"),
    (([2, 0], [0, 1]), ValueError, "only 0/1"),
    (([1, 0], [0.5, 1.0]), TypeError, "distance must be an array of integers"),
    (([1, 0], [-1, 1]), ValueError, "non-negative"),
    (([1, 0], [0, 1], 0), ValueError, "bins must be at least 1"),
    (([1, 0], [0, 1], [3, 1]), ValueError, "strictly increasing"),
    (([1, 0], [0, 1], "6"), TypeError, "bins must be an integer"),
])
def test_accuracy_by_distance_rejects_bad_arguments(args, error, words):
    with pytest.raises(error, match=words):
        accuracy_by_distance(*(np.asarray(a) if i < 2 else a for i, a in enumerate(args)))


def test_steps_after_rejects_positions_outside_the_sequence():
    with pytest.raises(ValueError, match=r"position must lie in 0 \.\. length - 2"):
        steps_after(np.array([0, 9]), 10)
    with pytest.raises(TypeError, match="position must be an array of integers"):
        steps_after(np.array([0.5]), 10)


def test_within_keeps_the_evidence_near_the_start():
    probe = make_order_probe(2000, 50, seed=7, within=10)
    assert probe.position.min() == 0 and probe.position.max() == 8     # the pair lies in steps 0 .. 9
    assert set(np.unique(probe.position)) == set(range(9))
    assert steps_after(probe.position, 50).min() == 40
    rows = np.arange(len(probe.y))
    assert np.allclose(probe.x[rows, probe.position + 1, 0], -probe.x[rows, probe.position, 0])
    # without `within` the default draws are unchanged
    assert all(np.array_equal(a, b) for a, b in zip(make_order_probe(30, 12, seed=5), make_order_probe(30, 12, seed=5, within=None)))
    assert make_order_probe(400, 12, seed=1, within=12).position.max() == 10


@pytest.mark.parametrize(("within", "error", "words"), [
    (1, ValueError, "within must be at least 2"),
    (13, ValueError, "within must be at most length = 12"),
    (5.0, TypeError, "within must be an integer"),
])
def test_within_rejects_bad_values(within, error, words):
    with pytest.raises(error, match=words):
        make_order_probe(10, 12, within=within)
