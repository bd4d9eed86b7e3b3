"""utils.conv: output lengths, the NumPy convolution, receptive fields and the two-spike task."""

import keras
import numpy as np
import pytest

from utils.conv import (
    conv1d,
    conv1d_output_length,
    distances_seen,
    input_offsets,
    layer_windows,
    receptive_field,
    two_spike_task,
)

L = keras.layers


def test_output_length_and_conv_agree_with_keras():
    x = np.random.default_rng(0).normal(size=(2, 11, 3)).astype("float32")
    for size, stride, padding in [(3, 1, "valid"), (4, 2, "same"), (5, 3, "valid")]:
        layer = L.Conv1D(2, size, strides=stride, padding=padding, bias_initializer="random_normal")
        expected = keras.ops.convert_to_numpy(layer(x))
        assert conv1d_output_length(11, size, stride, padding) == expected.shape[1]
        np.testing.assert_allclose(conv1d(x, *layer.get_weights(), stride, padding), expected, atol=1e-5)


@pytest.mark.parametrize(("windows", "field"), [
    ([], 1), ([(3, 1, 1)], 3), ([(3, 1, 1), (3, 1, 1)], 5), ([(3, 1, 1), (4, 4, 1), (3, 1, 1)], 14),
    ([(3, 1, d) for d in (1, 2, 4, 8, 16)], 63), ([(5, 2, 1), (5, 1, 3)], 29)])
def test_receptive_field_formula(windows, field):
    assert receptive_field(windows) == field
    assert max(input_offsets(windows)) == field - 1


def test_receptive_field_of_a_model_matches_an_impulse():
    model = keras.Sequential([keras.Input((64, 1)), L.Conv1D(2, 3, kernel_initializer="ones"), L.MaxPooling1D(2),
                              L.Dropout(0.5), L.Conv1D(2, 3, dilation_rate=2, kernel_initializer="ones"),
                              L.GlobalMaxPooling1D(), L.Dense(1)])
    assert [w for _, w in layer_windows(model)] == [(3, 1, 1), (2, 2, 1), (3, 1, 2)]
    field = receptive_field(model)
    assert field == 1 + 2 + 1 + 2 * 2 * 2 == 12
    # the first output of the stack changes with input steps 0 .. field - 1 and no others
    stack = keras.Sequential(model.layers[:4])
    base = keras.ops.convert_to_numpy(stack(np.zeros((1, 64, 1), "float32")))[0, 0]
    reached = []
    for step in range(20):
        x = np.zeros((1, 64, 1), "float32")
        x[0, step] = 1.0
        reached.append(not np.allclose(keras.ops.convert_to_numpy(stack(x))[0, 0], base))
    assert np.flatnonzero(reached).tolist() == list(range(field))


def test_holes():
    assert input_offsets([(3, 1, 2)]) == (0, 2, 4)
    assert distances_seen([(3, 1, 2)]) == (2, 4)
    assert distances_seen([(3, 1, 1), (3, 1, 2)]) == (1, 2, 3, 4, 5, 6)
    assert input_offsets([(2, 4, 1), (2, 1, 1)]) == (0, 1, 4, 5)


def test_layer_windows_rejects_what_it_cannot_follow():
    with pytest.raises(TypeError, match="keras Model"):
        layer_windows("model")
    flat = keras.Sequential([keras.Input((8, 1)), L.Conv1D(2, 3), L.Flatten(), L.Dense(1)])
    with pytest.raises(ValueError, match="Flatten"):
        layer_windows(flat)
    without_pooling = keras.Sequential([keras.Input((8, 1)), L.Conv1D(2, 3)])
    with pytest.raises(ValueError, match="no GlobalMaxPooling1D"):
        layer_windows(without_pooling)


@pytest.mark.parametrize(("windows", "error"), [
    ("3,1,1", TypeError), ([(3, 1)], ValueError), ([(0, 1, 1)], ValueError), ([(3, 1.0, 1)], TypeError)])
def test_receptive_field_bad_input(windows, error):
    with pytest.raises(error):
        receptive_field(windows)


def test_two_spike_task():
    x, y = two_spike_task(200, length=130, channels=3, gap=40, noise=0.0, seed=1)
    assert x.shape == (200, 130, 3) and x.dtype == np.float32 and y.dtype == np.int64
    assert 60 < y.sum() < 140
    for signal, label in zip(x, y):
        spikes = np.flatnonzero(signal[:, 0] > 0.5)
        assert len(spikes) == 2 and np.all(signal[spikes] == 1.0)
        distance = spikes[1] - spikes[0]
        assert (20 <= distance <= 40) if label else (60 <= distance <= 120)
    again = two_spike_task(200, length=130, channels=3, gap=40, noise=0.0, seed=1)
    np.testing.assert_array_equal(again[0], x)


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"gap": 1}, {"length": 120}, {"noise": -0.1}, {"n": 2.0}])
def test_two_spike_task_bad_input(kwargs):
    with pytest.raises((TypeError, ValueError)):
        two_spike_task(**{"n": 10, **kwargs})
