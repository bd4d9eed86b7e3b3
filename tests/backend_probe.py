"""The computations tests/test_backend.py compares across Keras backends.

Run in the test process (TensorFlow) and, as ``python tests/backend_probe.py``, in a child with
``KERAS_BACKEND=jax``; it prints one JSON object. Every weight is set from NumPy, so both
backends compute the same numbers (their random initialisers differ).
"""

from __future__ import annotations

import utils  # first: quiet TensorFlow import

# isort: split

import json

import keras
import numpy as np

from utils import backend
from utils.bptt import input_gradient_norms
from utils.training import make_dataset, token_lengths

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 4)).astype("float32")
KERNEL = RNG.normal(size=(4, 3)).astype("float32")
BIAS = RNG.normal(size=3).astype("float32")
SEQ = RNG.normal(size=(2, 6, 1)).astype("float32")
RNN_WEIGHTS = [RNG.normal(size=(1, 3)).astype("float32"), 0.5 * RNG.normal(size=(3, 3)).astype("float32"),
               RNG.normal(size=3).astype("float32")]
TEXTS = ["a b c", "b", "the cat sat on the mat", "zzz unknown words here ok"]


def dense_gradients() -> list[np.ndarray]:
    """dK, db, dx of sum(tanh(x·K + b)) by :func:`backend.gradients`."""
    dense = keras.layers.Dense(3)
    dense.build((None, 4))
    dense.set_weights([KERNEL, BIAS])
    return backend.gradients(lambda x: keras.ops.sum(keras.ops.tanh(dense(x))), [X], dense.trainable_weights)


def dense_gradients_by_hand() -> list[np.ndarray]:
    """The same gradients in closed form: with y = tanh(x·K + b), dy = 1 − y²."""
    dy = 1 - np.tanh(X @ KERNEL + BIAS) ** 2
    return [X.T @ dy, dy.sum(axis=0), dy @ KERNEL.T]


def stateful_model(carry: bool) -> keras.Model:
    """SimpleRNN(3, stateful) + Dense(1) on batches of 2, weights from NumPy."""
    model = keras.Sequential([keras.Input(batch_shape=(2, 3, 1)),
                              keras.layers.SimpleRNN(3, stateful=True, return_sequences=True), keras.layers.Dense(1)])
    model.set_weights([*RNN_WEIGHTS, np.ones((3, 1), "float32"), np.zeros(1, "float32")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return backend.carry_rnn_states(model) if carry else model


def state_after_chunks(carry: bool) -> list[list[float]]:
    """The layer's state after train_on_batch on steps 1–3, then after test_on_batch on steps 4–6."""
    model = stateful_model(carry)
    states = []
    for first, step in ((0, model.train_on_batch), (3, model.test_on_batch)):
        step(SEQ[:, first:first + 3], np.zeros((2, 3, 1), "float32"))
        states.append(keras.ops.convert_to_numpy(model.layers[0].states[0]).round(6).tolist())
    return states


def seeded_training() -> dict:
    """A small seeded fit (random initial weights, dropout, a shuffled tf.data pipeline) after
    ``utils.setup``: its losses and final weights, which a second process must reproduce bit
    for bit."""
    utils.setup(seed=7)
    rng = np.random.default_rng(1)
    x = rng.integers(1, 50, size=(256, 12))
    y = (x[:, :3].sum(axis=1) > 75).astype("float32")
    model = keras.Sequential([keras.Input((12,), dtype="int32"), keras.layers.Embedding(50, 8),
                              keras.layers.GRU(8, dropout=0.2), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(make_dataset(x, y, 32, shuffle=True, seed=7), epochs=2, verbose=0)
    return {"losses": [float(v) for v in history.history["loss"]],
            "weights_sum": float(sum(np.abs(w).astype("float64").sum() for w in model.get_weights()))}


def probe() -> dict:
    """Everything the tests compare, as JSON-able values."""
    vectorizer = keras.layers.TextVectorization(max_tokens=8)
    vectorizer.adapt(TEXTS)
    keras.utils.set_random_seed(0)
    rnn = keras.layers.SimpleRNN(3)
    rnn.build(SEQ.shape)
    rnn.set_weights(RNN_WEIGHTS)
    return {
        "backend": backend.name(),
        "highest_float": backend.highest_float(),
        "sparse_inputs": backend.sparse_inputs(),
        "dense_gradient_error": max(float(np.abs(a - b).max())
                                    for a, b in zip(dense_gradients(), dense_gradients_by_hand(), strict=True)),
        "input_gradient_norms": input_gradient_norms(rnn, SEQ).round(6).tolist(),
        "states_carried": state_after_chunks(carry=True),
        "states_not_carried": state_after_chunks(carry=False),
        "token_lengths": token_lengths(vectorizer, TEXTS, batch_size=3).tolist(),
        "seeded_training": seeded_training(),
    }


if __name__ == "__main__":
    import sys

    # `backend_probe.py seeded_training`: only that part (the reproducibility test's second run)
    print(json.dumps({"seeded_training": seeded_training()} if sys.argv[1:] == ["seeded_training"] else probe()))
