"""utils.bptt: the NumPy BPTT of a SimpleRNN equals tf.GradientTape through a Keras SimpleRNN
with the same weights, in full and truncated form; bad shapes are refused clearly."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.bptt import (
    Gradients,
    input_gradient_norms,
    orthogonal_reach,
    rnn_step_backward,
    simple_rnn_bptt,
    simple_rnn_states,
)


def _setup(batch=3, steps=9, features=4, units=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features))
    h0 = np.tanh(rng.normal(size=(batch, units)))
    layer = keras.layers.SimpleRNN(units, return_sequences=True, return_state=True, dtype="float64")
    layer.build(x.shape)
    weights = [rng.normal(scale=0.6, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    targets = rng.normal(size=(batch, steps, units))
    return x, h0, layer, weights, targets


def _tape(x, h0, layer, targets, truncate):
    x_t, h0_t = tf.constant(x), tf.constant(h0)
    steps = x.shape[1]
    with tf.GradientTape() as tape:
        tape.watch([x_t, h0_t])
        chunks, state = [], h0_t
        for first in range(0, steps, truncate or steps):
            out, state = layer(x_t[:, first:first + (truncate or steps)], initial_state=[state])
            chunks.append(out)
            state = tf.stop_gradient(state)
        loss = 0.5 * tf.reduce_sum((tf.concat(chunks, axis=1) - targets) ** 2)
    return Gradients(*(np.asarray(g) for g in tape.gradient(loss, [*layer.trainable_weights, h0_t, x_t])))


@pytest.mark.parametrize("truncate", [None, 1, 2, 4, 9, 20])
def test_bptt_matches_gradient_tape(truncate):
    x, h0, layer, (kernel, recurrent, bias), targets = _setup()
    states = simple_rnn_states(x, h0, kernel, recurrent, bias)
    assert np.allclose(states, np.asarray(layer(x, initial_state=[h0])[0]), atol=1e-12)
    ours = simple_rnn_bptt(x, h0, kernel, recurrent, bias, states - targets, truncate=truncate)
    assert ours.max_difference(_tape(x, h0, layer, targets, truncate)) < 1e-10


def test_truncation_changes_the_gradient_and_full_length_does_not():
    x, h0, _, (kernel, recurrent, bias), targets = _setup(steps=12)
    dh = simple_rnn_states(x, h0, kernel, recurrent, bias) - targets
    full = simple_rnn_bptt(x, h0, kernel, recurrent, bias, dh)
    assert full.max_difference(simple_rnn_bptt(x, h0, kernel, recurrent, bias, dh, truncate=12)) == 0
    assert full.max_difference(simple_rnn_bptt(x, h0, kernel, recurrent, bias, dh, truncate=3)) > 1e-3


def test_the_step_function_is_pluggable():
    x, h0, _, (kernel, recurrent, bias), targets = _setup()
    dh = simple_rnn_states(x, h0, kernel, recurrent, bias) - targets
    calls = []

    def counting(*args):
        calls.append(1)
        return rnn_step_backward(*args)

    simple_rnn_bptt(x, h0, kernel, recurrent, bias, dh, step_backward=counting)
    assert len(calls) == x.shape[1]


@pytest.mark.parametrize("change, message", [
    (lambda a: {**a, "x": a["x"][0]}, "x must be a 3-D NumPy array"),
    (lambda a: {**a, "kernel": a["kernel"].T}, "kernel must have shape (4, 5)"),
    (lambda a: {**a, "recurrent_kernel": np.zeros((5, 20))}, "recurrent_kernel must have shape (5, 5)"),
    (lambda a: {**a, "bias": np.zeros(10)}, "bias must have shape (5,)"),
    (lambda a: {**a, "h0": np.zeros((5,))}, "h0 must be a 2-D NumPy array"),
    (lambda a: {**a, "dh": a["dh"][:, 1:]}, "dh must have the shape of the states"),
    (lambda a: {**a, "truncate": 0}, "truncate must be at least 1"),
])
def test_bad_shapes_are_refused(change, message):
    x, h0, _, (kernel, recurrent, bias), targets = _setup()
    args = {"x": x, "h0": h0, "kernel": kernel, "recurrent_kernel": recurrent, "bias": bias,
            "dh": targets, "truncate": None}
    with pytest.raises(ValueError, match=None) as info:
        simple_rnn_bptt(**change(args))
    assert message in str(info.value)


def test_input_gradient_norms_equal_the_numpy_bptt_of_the_last_output():
    """The tape measurement of chapter 02's reach is BPTT with dh = 1 at the last step only."""
    x, _h0, layer, (kernel, recurrent, bias), _targets = _setup(steps=12)
    dh = np.zeros((x.shape[0], x.shape[1], recurrent.shape[0]))
    dh[:, -1] = 1.0
    dx = simple_rnn_bptt(x, np.zeros((x.shape[0], recurrent.shape[0])), kernel, recurrent, bias, dh).x
    norms = input_gradient_norms(layer, x)
    assert norms.shape == (12,) and norms.dtype == np.float64
    assert np.allclose(norms, np.linalg.norm(dx, axis=(0, 2)), rtol=1e-10, atol=0)


def test_orthogonal_reach_is_relative_to_the_last_step_and_grows_with_the_gain():
    x = np.random.default_rng(0).normal(scale=0.3, size=(8, 30, 2)).astype("float32")
    low, high = orthogonal_reach(0.8, x), orthogonal_reach(2.0, x)
    assert low.shape == (30,) and low[-1] == pytest.approx(1.0) and high[-1] == pytest.approx(1.0)
    assert low[0] < 1e-2 < 1e2 < high[0]
    assert np.array_equal(orthogonal_reach(0.8, x, seed=0), low)          # the seed fixes the draw
    assert not np.array_equal(orthogonal_reach(0.8, x, seed=1), low)


@pytest.mark.parametrize("x", [np.zeros((3, 4)), [[[1.0]]], np.zeros((2, 0, 1))])
def test_input_gradient_norms_refuses_a_bad_x(x):
    with pytest.raises(ValueError, match="3-D NumPy array"):
        input_gradient_norms(keras.layers.SimpleRNN(2), x)
