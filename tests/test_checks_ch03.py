"""Chapter 03 checks: the reference passes, and the catalogue of wrong answers is rejected,
each without an exception and, where the check names a cause, with that cause."""

import math

import numpy as np
import pytest
from checkhelpers import stub

from utils import checks
from utils.rnn import gru_step, lstm_gates, lstm_step


def verdict(capsys, check, answer, *args, **kwargs):
    """Run ``check(answer, ...)``; return (result, the one ✅/❌ line it printed)."""
    result = check(answer, *args, **kwargs)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("✅", "❌"))]
    assert len(lines) == 1, lines
    return result, lines[0]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ----------------------------------------------------------------------------- Exercise 2: lstm_step


def lstm_notebook(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):  # the notebook's solution
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_g, z_o = np.split(z, 4, axis=-1)
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_g), sigmoid(z_o)
    c_t = f * c_prev + i * g
    return o * np.tanh(c_t), c_t


def lstm_swapped_returns(*args):
    h, c = lstm_step(*args)
    return c, h


def lstm_f_i_c_o(x, h, c, k, r, b):  # reads Keras's [i, f, c, o] as [f, i, c, o]
    f, i, g, o = np.split(x @ k + h @ r + b, 4, axis=-1)
    c_t = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


def lstm_i_f_o_c(x, h, c, k, r, b):  # candidate and output gate swapped
    i, f, o, g = np.split(x @ k + h @ r + b, 4, axis=-1)
    c_t = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


def lstm_in_place(x, h, c, k, r, b):  # updates the caller's c_prev
    i, f, g, o = lstm_gates(x, h, k, r, b)
    c *= f
    c += i * g
    return o * np.tanh(c), c


def lstm_no_tanh(x, h, c, k, r, b):
    i, f, g, o = lstm_gates(x, h, k, r, b)
    c_t = f * c + i * g
    return o * c_t, c_t


def lstm_old_cell(x, h, c, k, r, b):
    i, f, g, o = lstm_gates(x, h, k, r, b)
    return o * np.tanh(c), f * c + i * g


def lstm_sigmoid_candidate(x, h, c, k, r, b):
    i, f, g, o = (sigmoid(z) for z in np.split(x @ k + h @ r + b, 4, axis=-1))
    c_t = f * c + i * g
    return o * np.tanh(c_t), c_t


def lstm_no_bias(x, h, c, k, r, b):
    return lstm_step(x, h, c, k, r, 0 * b)


def lstm_list(*args):
    return list(lstm_step(*args))


def lstm_uses_c_in_product(x, h, c, k, r, b):
    i, f, g, o = lstm_gates(x, c, k, r, b)
    c_t = f * c + i * g
    return o * np.tanh(c_t), c_t


def lstm_first_row_only(x, h, c, k, r, b):  # right for a batch of one only
    h_t, c_t = lstm_step(x[:1], h[:1], c[:1], k, r, b)
    return np.repeat(h_t, len(x), axis=0), np.repeat(c_t, len(x), axis=0)


@pytest.mark.parametrize("answer, cause", [
    (lstm_swapped_returns, "you returned (c_t, h_t)"),
    (lstm_f_i_c_o, "as [f, i, c, o]; Keras's order is [i, f, c, o]"),
    (lstm_i_f_o_c, "as [i, f, o, c]"),
    (lstm_in_place, "changed its input `c` in place"),
    (lstm_no_tanh, "the tanh is missing"),
    (lstm_old_cell, "not tanh(c_prev)"),
    (lstm_sigmoid_candidate, "the candidate g uses tanh"),
    (lstm_no_bias, "the bias is missing"),
    (lstm_list, "should return the tuple (h_t, c_t), got list"),
    (lstm_uses_c_in_product, "the recurrent product uses c_prev"),
    (lstm_first_row_only, "c_t = f * c_prev + i * g"),
    (stub, "not implemented"),
])
def test_lstm_step_catalogue(capsys, answer, cause):
    ok, line = verdict(capsys, checks.check_lstm_step, answer)
    assert not ok and cause in line


def test_lstm_step_passes_the_notebook_and_reference(capsys):
    assert verdict(capsys, checks.check_lstm_step, lstm_notebook) == (True, "✅ lstm_notebook: correct.")
    assert checks.check_lstm_step(lstm_step)


def test_lstm_swapped_returns_are_not_called_a_gate_order(capsys):
    _, line = verdict(capsys, checks.check_lstm_step, lstm_swapped_returns)
    assert "gate" not in line


# ----------------------------------------------------------------------------- Exercise 3: gru_step


def gru_notebook(x_t, h_prev, kernel, recurrent_kernel, bias):
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
    h_z, h_r, h_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
    z, r = sigmoid(x_z + h_z), sigmoid(x_r + h_r)
    return z * h_prev + (1.0 - z) * np.tanh(x_h + r * h_h)


def gru_reset_before(x, h, k, r, b):  # the original paper's convention
    units = h.shape[1]
    xz, xr, xh = np.split(x @ k + b[0], 3, axis=-1)
    hz, hr, _ = np.split(h @ r + b[1], 3, axis=-1)
    z, rr = sigmoid(xz + hz), sigmoid(xr + hr)
    return z * h + (1 - z) * np.tanh(xh + (rr * h) @ r[:, 2 * units:] + b[1][2 * units:])


def gru_z_swapped(x, h, k, r, b):
    xz, xr, xh = np.split(x @ k + b[0], 3, axis=-1)
    hz, hr, hh = np.split(h @ r + b[1], 3, axis=-1)
    z, rr = sigmoid(xz + hz), sigmoid(xr + hr)
    return (1 - z) * h + z * np.tanh(xh + rr * hh)


def gru_r_z_h(x, h, k, r, b):
    xr, xz, xh = np.split(x @ k + b[0], 3, axis=-1)
    hr, hz, hh = np.split(h @ r + b[1], 3, axis=-1)
    z, rr = sigmoid(xz + hz), sigmoid(xr + hr)
    return z * h + (1 - z) * np.tanh(xh + rr * hh)


def gru_bias_rows_swapped(x, h, k, r, b):
    return gru_step(x, h, k, r, b[::-1])


def gru_summed_bias(x, h, k, r, b):  # one bias (b[0] + b[1]) on the input side
    units = h.shape[1]
    xz, xr, xh = np.split(x @ k + b[0] + b[1], 3, axis=-1)
    hz, hr, hh = np.split(h @ r, 3, axis=-1)
    z, rr = sigmoid(xz + hz), sigmoid(xr + hr)
    assert hh.shape[1] == units
    return z * h + (1 - z) * np.tanh(xh + rr * hh)


def gru_input_bias_only(x, h, k, r, b):
    return gru_step(x, h, k, r, np.stack([b[0], 0 * b[1]]))


def gru_in_place(x, h, k, r, b):
    out = gru_step(x, h, k, r, b)
    h[...] = out
    return h


def gru_returns_tuple(*args):
    out = gru_step(*args)
    return out, out


def gru_no_reset(x, h, k, r, b):
    xz, _, xh = np.split(x @ k + b[0], 3, axis=-1)
    hz, _, hh = np.split(h @ r + b[1], 3, axis=-1)
    z = sigmoid(xz + hz)
    return z * h + (1 - z) * np.tanh(xh + hh)


@pytest.mark.parametrize("answer, cause", [
    (gru_reset_before, "reset_after=False"),
    (gru_z_swapped, "z and 1 - z are swapped"),
    (gru_r_z_h, "as [r, z, h]; Keras's order is [z, r, h]"),
    (gru_bias_rows_swapped, "the two bias rows are swapped"),
    (gru_summed_bias, "must be inside the reset"),
    (gru_input_bias_only, "bias[1] is missing"),
    (gru_in_place, "changed its input `h` in place"),
    (gru_returns_tuple, "should be a NumPy array, got tuple"),
    (gru_no_reset, "the reset gate r is not used"),
    (stub, "not implemented"),
])
def test_gru_step_catalogue(capsys, answer, cause):
    ok, line = verdict(capsys, checks.check_gru_step, answer)
    assert not ok and cause in line


def test_gru_step_passes_the_notebook_and_reference(capsys):
    assert verdict(capsys, checks.check_gru_step, gru_notebook)[0]
    assert checks.check_gru_step(gru_step)


# ----------------------------------------------------------------------------- Exercise 1: choose_sequence_length


def length_notebook(lengths, coverage):
    return int(np.percentile(lengths, 100 * coverage, method="inverted_cdf"))


def length_by_counting(lengths, coverage):  # a different correct answer
    ordered = np.sort(lengths)
    return int(ordered[max(math.ceil(round(coverage * len(ordered), 9)), 1) - 1])


def length_sorts_in_place(lengths, coverage):
    lengths.sort()
    return int(lengths[max(math.ceil(round(coverage * len(lengths), 9)), 1) - 1])


def test_sequence_length_passes_the_notebook(capsys):
    assert verdict(capsys, checks.check_sequence_length, length_notebook)[0]
    assert verdict(capsys, checks.check_sequence_length, length_by_counting)[0]


@pytest.mark.parametrize("answer, cause", [
    (lambda lengths, coverage: float(length_notebook(lengths, coverage)), "should be an int, got float"),
    (lambda lengths, coverage: np.percentile(lengths, 100 * coverage, method="inverted_cdf"),
     "should be a Python int, got int64"),
    (lambda lengths, coverage: int(np.percentile(lengths, 100 * coverage)), "linear interpolation (truncated)"),
    (lambda lengths, coverage: int(np.ceil(np.percentile(lengths, 100 * coverage))),
     "between two reviews' lengths"),
    (lambda lengths, coverage: int(np.sort(lengths)[min(int(coverage * len(lengths)), len(lengths) - 1)]),
     "one position too far"),
    (lambda lengths, coverage: int(np.sort(lengths)[max(int(coverage * len(lengths)) - 1, 0)]),
     "int(coverage * n) rounds down"),
    (length_sorts_in_place, "changed its input `lengths` in place"),
    (lambda lengths, coverage: int(np.max(lengths)), "but the shorter length"),
    (lambda lengths, coverage: int(np.median(lengths)), "for coverage"),
    (lambda lengths, coverage: [length_notebook(lengths, coverage)], "should be an int, got list"),
    (lambda lengths, coverage: True, "should be an int, got bool"),
    (stub, "not implemented"),
])
def test_sequence_length_catalogue(capsys, answer, cause):
    ok, line = verdict(capsys, checks.check_sequence_length, answer)
    assert not ok and cause in line, line


def test_sequence_length_rejects_the_value_textvectorization_rejects():
    """The int the check demands is what the notebook feeds to TextVectorization two cells later."""
    import keras

    keras.layers.TextVectorization(output_sequence_length=length_notebook(np.array([3, 5]), 0.5))
    with pytest.raises(ValueError):
        keras.layers.TextVectorization(output_sequence_length=np.percentile([3, 5], 50, method="inverted_cdf"))


# ----------------------------------------------------------------------------- Exercise 4: build_chinese_model


def _toy_sequences(n, seed):
    # label 1 when token 2 occurs: learnable in a few epochs; ids 1 … 9 of a vocabulary of 12
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 12), dtype="int64")
    y = rng.integers(0, 2, size=n)
    for i in range(n):
        k = rng.integers(3, 13)
        x[i, :k] = rng.integers(3, 10, size=k)
        if y[i]:
            x[i, rng.integers(0, k)] = 2
    return x, y


TRAIN, VAL, VOCAB = _toy_sequences(400, 0), _toy_sequences(120, 1), 12


def _model(*middle, vocab=VOCAB, head=None, compiled=True):
    import keras

    head = head or keras.layers.Dense(1, activation="sigmoid")
    model = keras.Sequential([keras.Input((None,), dtype="int64"), keras.layers.Embedding(vocab, 8, mask_zero=True),
                              *middle, head])
    if compiled:
        model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    return model


def _gru(**kwargs):
    import keras

    return keras.layers.GRU(8, **kwargs)


def test_classifier_check_trains_and_returns_the_model(capsys):
    def build_chinese_model():
        return _model(_gru())

    check = checks.check_classifier_beats(build_chinese_model, TRAIN, VAL, 0.8, 3, vocabulary_size=VOCAB)
    assert check.passed and check.score >= 0.8
    assert "✅ build_chinese_model: correct." in capsys.readouterr().out
    assert check.model.predict(VAL[0][:3], verbose=0).shape == (3, 1)   # the trained model comes back
    import keras

    def pooled():   # faster to train than a GRU
        return _model(keras.layers.GlobalMaxPooling1D())

    check = checks.check_classifier_beats(pooled, TRAIN, VAL, 1.01, 1, vocabulary_size=VOCAB, name="reference model")
    assert not check.passed and check.score is not None and check.model is not None
    assert "❌ reference model: validation balanced accuracy" in capsys.readouterr().out


def _wrong_models():
    import keras

    return {
        "too small an Embedding": (lambda: _model(_gru(), vocab=10), "the Embedding has input_dim 10"),
        "return_sequences before the head": (lambda: _model(_gru(return_sequences=True)), "return_sequences=False"),
        "two output units": (lambda: _model(_gru(), head=keras.layers.Dense(2, activation="softmax")),
                             "outputs 2 numbers per review"),
        "no sigmoid": (lambda: _model(_gru(), head=keras.layers.Dense(1)), "without an activation"),
        "softmax on one unit": (lambda: _model(_gru(), head=keras.layers.Dense(1, activation="softmax")),
                                "a softmax over a single unit is always 1"),
        "relu output": (lambda: _model(_gru(), head=keras.layers.Dense(1, activation="relu",
                                                                     bias_initializer=keras.initializers.Constant(2))),
                        "not a probability"),
        "wrong input shape": (lambda: keras.Sequential([keras.Input((12, 3)), _gru(),
                                                        keras.layers.Dense(1, activation="sigmoid")]),
                              "the model's input has shape (None, 12, 3)"),
        "a kernel longer than short reviews": (lambda: _model(keras.layers.Conv1D(4, 8), keras.layers.GlobalMaxPooling1D()),
                                               "can be that short) failed with InvalidArgumentError in Conv1D"),
        "Flatten needs a fixed length": (lambda: _model(keras.layers.Flatten()), "raised ValueError"),
        "a model class, not a model": (lambda: keras.Sequential, "returned the class Sequential, not a model"),
        "returns the layers": (lambda: [keras.layers.Embedding(VOCAB, 4), _gru()], "got list"),
        "two outputs": (lambda: (lambda i: keras.Model(i, [keras.layers.Dense(1, activation="sigmoid")(
            keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(VOCAB, 4)(i)))] * 2))(
            keras.Input((None,), dtype="int64")), "the model has 2 outputs"),
        "wrong loss": (lambda: _compiled(_model(_gru(), compiled=False), "sparse_categorical_crossentropy"),
                       "training the model (model.fit) failed"),
        "stub": (stub, "not implemented"),
    }


def _compiled(model, loss):
    model.compile(optimizer="adam", loss=loss)
    return model


@pytest.mark.parametrize("wrong", sorted(_wrong_models()))
def test_classifier_check_catalogue(capsys, wrong):
    build, cause = _wrong_models()[wrong]
    check = checks.check_classifier_beats(build, TRAIN, VAL, 0.5, 1, vocabulary_size=VOCAB)
    assert not check.passed and check.score is None
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("✅", "❌"))]
    assert len(lines) == 1 and lines[0].startswith("❌") and cause in lines[0], lines


def test_classifier_check_tests_the_largest_id_without_a_vocabulary_size(capsys):
    """Without vocabulary_size the largest id in the data is the bound: an Embedding one row short fails."""
    check = checks.check_classifier_beats(lambda: _model(_gru(), vocab=9), TRAIN, VAL, 0.5, 1)
    assert not check.passed and "the vocabulary has 10 ids" in capsys.readouterr().out


def test_classifier_check_names_the_lookup_error_of_a_hidden_embedding(capsys):
    """An Embedding inside a custom layer is not inspected; the probe with the largest id catches it."""
    import keras

    class Wrapped(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.table = keras.Variable(np.zeros((5, 4), dtype="float32"))

        def call(self, ids):
            return keras.ops.take(self.table, ids, axis=0)

    def build():
        return keras.Sequential([keras.Input((None,), dtype="int64"), Wrapped(), keras.layers.GlobalAveragePooling1D(),
                                 keras.layers.Dense(1, activation="sigmoid")])

    check = checks.check_classifier_beats(build, TRAIN, VAL, 0.5, 1, vocabulary_size=VOCAB)
    out = capsys.readouterr().out
    assert not check.passed and "is outside the model's Embedding, which has only 5 rows" in out and "Embedding(12" in out
