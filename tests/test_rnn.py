import numpy as np
import pytest

from utils import rnn


def test_step_is_the_lecture_formula():
    rng = np.random.default_rng(0)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    W, U, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 4)), rng.normal(size=4)
    # lecture: output_t = tanh(W x_t + U h_t + b); Keras stores kernel = W.T, recurrent = U.T
    expected = np.tanh(x @ W.T + h @ U.T + b)
    np.testing.assert_allclose(rnn.simple_rnn_step(x, h, W.T, U.T, b), expected)


def test_forward_matches_keras_simple_rnn():
    import keras

    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 7, 3)).astype("float32")
    layer = keras.layers.SimpleRNN(5, return_sequences=True)
    keras_out = np.asarray(layer(x))
    kernel, recurrent, bias = (np.asarray(w) for w in layer.get_weights())
    ours = rnn.simple_rnn_forward(x, kernel, recurrent, bias, return_sequences=True)
    assert np.abs(ours - keras_out).max() <= 1e-5
    np.testing.assert_allclose(rnn.simple_rnn_forward(x, kernel, recurrent, bias), ours[:, -1])


def test_forward_rejects_bad_shapes():
    with pytest.raises(ValueError, match="batch, timesteps, features"):
        rnn.simple_rnn_forward(np.zeros((3, 4)), np.zeros((4, 2)), np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="features"):
        rnn.simple_rnn_forward(np.zeros((1, 3, 5)), np.zeros((4, 2)), np.zeros((2, 2)), np.zeros(2))


def test_param_counts_match_keras():
    import keras

    model = keras.Sequential([keras.Input((None, 12)), keras.layers.SimpleRNN(32, return_sequences=True),
                              keras.layers.SimpleRNN(16)])
    assert rnn.stacked_rnn_params(12, [32, 16]) == model.count_params()
    assert rnn.simple_rnn_params(12, 32) == 12 * 32 + 32 * 32 + 32


def test_spectral_radius():
    assert rnn.spectral_radius(np.diag([0.5, -2.0])) == pytest.approx(2.0)
    assert rnn.spectral_radius(np.array([[0.0, -1.0], [1.0, 0.0]])) == pytest.approx(1.0)  # complex eigenvalues


def _random_input(seed=3, batch=4, steps=9, features=5):
    return np.random.default_rng(seed).normal(size=(batch, steps, features)).astype("float32")


def test_lstm_step_matches_keras_lstm():
    import keras

    x = _random_input()
    keras.utils.set_random_seed(0)
    layer = keras.layers.LSTM(6, return_sequences=True)
    keras_out = np.asarray(layer(x))
    kernel, recurrent, bias = layer.get_weights()
    bias = bias + np.random.default_rng(1).normal(scale=0.1, size=bias.shape).astype("float32")
    layer.set_weights([kernel, recurrent, bias])
    keras_out = np.asarray(layer(x))
    h = c = np.zeros((x.shape[0], 6), dtype="float32")
    outs = []
    for t in range(x.shape[1]):
        h, c = rnn.lstm_step(x[:, t], h, c, kernel, recurrent, bias)
        outs.append(h)
    assert np.abs(np.stack(outs, axis=1) - keras_out).max() <= 1e-5


def test_gru_step_matches_keras_gru_reset_after():
    import keras

    x = _random_input(seed=4)
    keras.utils.set_random_seed(0)
    layer = keras.layers.GRU(6, return_sequences=True)
    layer.build(x.shape)
    kernel, recurrent, bias = layer.get_weights()
    assert bias.shape == (2, 18)
    bias = np.random.default_rng(2).normal(scale=0.1, size=bias.shape).astype("float32")
    layer.set_weights([kernel, recurrent, bias])
    keras_out = np.asarray(layer(x))
    h = np.zeros((x.shape[0], 6), dtype="float32")
    outs = []
    for t in range(x.shape[1]):
        h = rnn.gru_step(x[:, t], h, kernel, recurrent, bias)
        outs.append(h)
    assert np.abs(np.stack(outs, axis=1) - keras_out).max() <= 1e-5


def test_gru_step_matches_keras_gru_without_reset_after():
    import keras

    x = _random_input(seed=5)
    keras.utils.set_random_seed(0)
    layer = keras.layers.GRU(6, return_sequences=True, reset_after=False, bias_initializer="random_normal")
    keras_out = np.asarray(layer(x))
    kernel, recurrent, bias = layer.get_weights()
    assert bias.shape == (18,)
    h = np.zeros((x.shape[0], 6), dtype="float32")
    outs = []
    for t in range(x.shape[1]):
        h = rnn.gru_step(x[:, t], h, kernel, recurrent, bias, reset_after=False)
        outs.append(h)
    assert np.abs(np.stack(outs, axis=1) - keras_out).max() <= 1e-5


# --- chapter 06: the NumPy convolution -------------------------------------------------------

@pytest.mark.parametrize("length, size, stride, padding", [
    (8, 2, 1, "valid"), (8, 3, 2, "valid"), (9, 3, 2, "same"), (8, 4, 3, "same"), (5, 5, 1, "valid"), (7, 2, 1, "same"),
])
def test_conv1d_matches_keras(length, size, stride, padding):
    import keras

    from utils.conv import conv1d, conv1d_output_length

    rng = np.random.default_rng(length * 10 + size)
    x = rng.normal(size=(2, length, 3)).astype("float32")
    layer = keras.layers.Conv1D(4, size, strides=stride, padding=padding, bias_initializer="random_normal")
    expected = keras.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    got = conv1d(x, kernel, bias, stride, padding)
    assert got.shape == expected.shape
    assert got.shape[1] == conv1d_output_length(length, size, stride, padding)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_conv1d_lecture_example_and_errors():
    from utils.conv import conv1d, conv1d_output_length, conv1d_params

    assert conv1d_output_length(8, 2) == 7  # the lecture's figure
    assert conv1d_output_length(5, 5) == 1  # the kernel fits exactly once
    with pytest.raises(ValueError, match="kernel_size = 5 is longer than length = 3"):
        conv1d_output_length(3, 5)  # Keras refuses such a layer too
    assert conv1d_params(3, 64, 128) == 3 * 64 * 128 + 128
    with pytest.raises(ValueError, match="same channels"):
        conv1d(np.zeros((1, 5, 2)), np.zeros((3, 4, 1)))
    with pytest.raises(ValueError, match="padding"):
        conv1d_output_length(5, 2, padding="causal")
