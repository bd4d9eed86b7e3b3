"""Chapter 04 checks: the reference passes, and the catalogue of wrong answers is rejected,
each without an exception and, where the check names a cause, with that cause."""

import numpy as np
import pytest
from checkhelpers import stub

from utils import checks
from utils.attention import masked_softmax, reverse_sequences


def verdict(capsys, check, answer):
    """Run ``check(answer)``; return (result, the one ✅/❌ line it printed)."""
    result = check(answer)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("✅", "❌"))]
    assert len(lines) == 1, lines
    return result, lines[0]


# ----------------------------------------------------------------------------- Exercise 2: merge_shape


def merge_shape(merge_mode, batch, steps, units, return_sequences):  # the notebook's solution
    one = (batch, steps, units) if return_sequences else (batch, units)
    if merge_mode is None:
        return [one, one]
    if merge_mode == "concat":
        return (*one[:-1], 2 * units)
    return one


def test_merge_shape_reference_passes_and_agrees_with_keras(capsys):
    import keras

    assert verdict(capsys, checks.check_merge_shape, merge_shape) == (True, "✅ merge_shape: correct.")
    for mode in ("concat", "sum", None):                 # the check's reference is Keras itself
        layer = keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True), merge_mode=mode)
        out = layer(np.zeros((2, 4, 5), dtype="float32"))
        shapes = [tuple(o.shape) for o in out] if mode is None else tuple(out.shape)
        assert shapes == merge_shape(mode, 2, 4, 3, True)


def always_concat(m, b, t, u, r):
    one = (b, t, u) if r else (b, u)
    return [one, one] if m is None else (*one[:-1], 2 * u)


def never_doubles(m, b, t, u, r):
    one = (b, t, u) if r else (b, u)
    return [one, one] if m is None else one


def ignores_return_sequences(m, b, t, u, r):
    return merge_shape(m, b, t, u, True)


def concat_along_time(m, b, t, u, r):
    return (b, 2 * t, u) if m == "concat" and r else merge_shape(m, b, t, u, r)


def none_as_tuple(m, b, t, u, r):
    shape = merge_shape(m, b, t, u, r)
    return tuple(shape) if m is None else shape


def none_as_one_shape(m, b, t, u, r):
    shape = merge_shape(m, b, t, u, r)
    return shape[0] if m is None else shape


def none_doubled(m, b, t, u, r):
    return [merge_shape("concat", b, t, u, r)] * 2 if m is None else merge_shape(m, b, t, u, r)


def as_lists(m, b, t, u, r):
    shape = merge_shape(m, b, t, u, r)
    return [list(s) for s in shape] if m is None else list(shape)


def ave_halves(m, b, t, u, r):
    one = (b, t, u / 2) if r else (b, u / 2)
    return one if m == "ave" else merge_shape(m, b, t, u, r)


def notebook_sizes(m, b, t, u, r):  # hard-coded to the notebook's table: batch 2, 10 steps, LSTM(16)
    return merge_shape(m, 2, 10, 16, r)


@pytest.mark.parametrize("answer, cause", [
    (always_concat, "'sum' combines the two directions element-wise"),
    (never_doubles, "concat joins the two directions along the last axis: 2 × units"),
    (ignores_return_sequences, "without return_sequences each direction returns only its last state"),
    (concat_along_time, "not along time"),
    (none_as_tuple, "expected a list of two shapes, got tuple"),
    (none_as_one_shape, "expected a list of two shapes, got tuple (4, 7, 5)"),
    (none_doubled, "merge_mode=None does not merge"),
    (as_lists, "should be a tuple of ints such as (4, 10), got list"),
    (ave_halves, "should be an int, got float 2.5"),
    (notebook_sizes, "got (2, 10, 32), expected (4, 7, 10)."),
    (lambda *a: 3, "should be a tuple of ints"),
    (stub, "not implemented"),
])
def test_merge_shape_catalogue(capsys, answer, cause):
    ok, line = verdict(capsys, checks.check_merge_shape, answer)
    assert not ok and cause in line, line


# ----------------------------------------------------------------------------- Exercise 3: attention_weights


def attention_notebook(scores, mask):
    masked = np.where(mask, scores, -np.inf)
    e = np.where(mask, np.exp(masked - masked.max(axis=1, keepdims=True)), 0.0)
    return e / e.sum(axis=1, keepdims=True)


def attention_minus_1e9(scores, mask):  # a different correct answer
    s = scores + np.where(mask, 0.0, -1e9)
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype("float32")


def test_attention_weights_passes_the_notebook_and_alternatives(capsys):
    assert verdict(capsys, checks.check_attention_weights, attention_notebook)[0]
    assert verdict(capsys, checks.check_attention_weights, attention_minus_1e9)[0]
    assert verdict(capsys, checks.check_attention_weights, masked_softmax)[0]


def unmasked(scores, mask):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def zeroed_after(scores, mask):
    return unmasked(scores, mask) * mask


def over_columns(scores, mask):
    masked = np.where(mask, scores, -np.inf)
    e = np.where(mask, np.exp(masked - masked.max(axis=0, keepdims=True)), 0.0)
    return e / e.sum(axis=0, keepdims=True)


def no_shift(scores, mask):
    e = np.where(mask, np.exp(scores), 0.0)
    return e / e.sum(axis=1, keepdims=True)


def overall_max(scores, mask):
    e = np.where(mask, np.exp(scores - scores.max(axis=1, keepdims=True)), 0.0)
    return e / e.sum(axis=1, keepdims=True)


def in_place(scores, mask):
    scores[~mask] = -np.inf
    return unmasked(scores, mask)


def first_n_tokens(scores, mask):  # treats the mask as a length: right for end-padded rows only
    out = np.zeros_like(scores)
    for i, n in enumerate(mask.sum(axis=1)):
        out[i, :n] = unmasked(scores[i:i + 1, :n], None)
    return out


def as_list(scores, mask):
    return attention_notebook(scores, mask).tolist()


@pytest.mark.parametrize("answer, cause", [
    (unmasked, "the mask is ignored"),
    (zeroed_after, "padding was set to 0 after the softmax"),
    (over_columns, "runs down each column (axis 0)"),
    (no_shift, "np.exp overflows for large scores"),
    (overall_max, "the overall maximum is a padding score"),
    (in_place, "changed its input `scores` in place"),
    (first_n_tokens, "(masks with gaps, not only padding at the end, scores (5, 9)) the weight array is wrong"),
    (as_list, "should be a NumPy array, got list"),
    (lambda scores, mask: attention_notebook(scores, mask).T, "has shape (6, 3), expected (3, 6)"),
    (stub, "not implemented"),
])
def test_attention_weights_catalogue(capsys, answer, cause):
    ok, line = verdict(capsys, checks.check_attention_weights, answer)
    assert not ok and cause in line, line


# ----------------------------------------------------------------------------- Exercise 1: reverse_reviews


def reverse_notebook(x):
    lengths = np.count_nonzero(x, axis=1)
    out = np.zeros_like(x)
    for i, n in enumerate(lengths):
        out[i, :n] = x[i, :n][::-1]
    return out


def test_reverse_reviews_passes_the_notebook_and_reference(capsys):
    assert verdict(capsys, checks.check_reverse_reviews, reverse_notebook) == (True, "✅ reverse_notebook: correct.")
    assert checks.check_reverse_reviews(reverse_sequences)


def reverse_in_place(x):
    for i, n in enumerate(np.count_nonzero(x, axis=1)):
        x[i, :n] = x[i, :n][::-1]
    return x


def reverse_float(x):
    out = np.zeros(x.shape)
    for i, n in enumerate(np.count_nonzero(x, axis=1)):
        out[i, :n] = x[i, :n][::-1]
    return out


def reverse_one_too_many(x):
    out = np.zeros_like(x)
    for i, n in enumerate(np.count_nonzero(x, axis=1)):
        out[i, :n + 1] = x[i, :n + 1][::-1]
    return out


def reverse_by_columns(x):  # lengths counted down the columns
    out = np.zeros_like(x)
    for i, n in enumerate(np.count_nonzero(x, axis=0)[:len(x)]):
        out[i, :n] = x[i, :n][::-1]
    return out


@pytest.mark.parametrize("answer, cause", [
    (lambda x: x[:, ::-1], "moves the padding to the front"),
    (lambda x: x, "you returned the rows unchanged"),
    (lambda x: x[::-1], "x[::-1] reverses the order of the rows"),
    (reverse_in_place, "changed its input `x` in place"),
    (reverse_float, "has dtype float64"),
    (reverse_one_too_many, "you reversed n + 1 positions"),
    (reverse_by_columns, "should become [7, 6, 5, 0, 0]"),
    (lambda x: [row[::-1] for row in x], "should be a NumPy array, got list"),
    (stub, "not implemented"),
])
def test_reverse_reviews_catalogue(capsys, answer, cause):
    ok, line = verdict(capsys, checks.check_reverse_reviews, answer)
    assert not ok and cause in line, line


# ----------------------------------------------------------------------------- Exercise 4: build_model for the probe
# These train small models (seconds each on an idle CPU): the check's own short training.

from utils.checks.ch04 import PROBE_LENGTH, check_probe_beats  # noqa: E402


def _sequential(*layers):
    import keras

    return keras.Sequential([keras.Input((PROBE_LENGTH, 1)), *layers])


def build_model():  # the notebook's solution
    import keras

    return _sequential(keras.layers.Bidirectional(keras.layers.SimpleRNN(16)),
                       keras.layers.Dense(1, activation="sigmoid"))


def forward_only():  # the same 32 recurrent units, reading one way
    import keras

    return _sequential(keras.layers.SimpleRNN(32), keras.layers.Dense(1, activation="sigmoid"))


def every_step():
    import keras

    return _sequential(keras.layers.Bidirectional(keras.layers.SimpleRNN(16, return_sequences=True)),
                       keras.layers.Dense(1, activation="sigmoid"))


def two_softmax():
    import keras

    return _sequential(keras.layers.Bidirectional(keras.layers.SimpleRNN(16)),
                       keras.layers.Dense(2, activation="softmax"))


def no_activation():
    import keras

    return _sequential(keras.layers.Bidirectional(keras.layers.SimpleRNN(16)), keras.layers.Dense(1))


def compiled_with(loss):
    def build():
        model = build_model()
        model.compile(optimizer="adam", loss=loss)
        return model
    return build


def flat_input():
    import keras

    return keras.Sequential([keras.Input((PROBE_LENGTH,)), keras.layers.Dense(1, activation="sigmoid")])


def raises_in_fit():
    import keras

    class FailsWhenTraining(keras.layers.Layer):
        def call(self, x, training=None):
            if training:
                raise ValueError("this layer cannot be trained")
            return x

    return _sequential(keras.layers.Bidirectional(keras.layers.SimpleRNN(16)), FailsWhenTraining(),
                       keras.layers.Dense(1, activation="sigmoid"))


def probe_verdict(capsys, answer):
    ok = check_probe_beats(answer)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("✅", "❌"))]
    assert len(lines) == 1, lines
    return ok, lines[0]


def test_probe_reference_passes_with_margin(capsys):
    import re

    ok = check_probe_beats(build_model)
    out = capsys.readouterr().out
    assert ok and out.startswith("✅ build_model: correct."), out
    accuracy = float(re.search(r"validation accuracy (\d\.\d+)", out).group(1))
    assert accuracy >= 0.9, f"the reference must pass with margin, got {accuracy}"


def test_probe_forward_only_is_at_chance(capsys):
    ok, line = probe_verdict(capsys, forward_only)
    assert not ok and "That is chance" in line and "Which direction reads it last?" in line, line
    accuracy = float(line.split("validation accuracy ")[1].split(",")[0])
    assert accuracy < 0.6, line


@pytest.mark.parametrize("answer, cause", [
    (every_step, "one prediction per step"),
    (two_softmax, "2 numbers per sequence"),
    (no_activation, "not a probability"),
    (compiled_with("mse"), "a regression loss"),
    (compiled_with("mean_absolute_error"), "a regression loss"),
    (compiled_with("categorical_crossentropy"), "one probability per class"),
    (flat_input, "start with keras.Input((100, 1))"),
    (raises_in_fit, "training the model (model.fit) failed with ValueError"),
    (lambda: None, "must return a keras Model, got NoneType"),
    (lambda: forward_only, "must return a keras Model, got function"),
    (stub, "not implemented yet"),
])
def test_probe_catalogue(capsys, answer, cause):
    ok, line = probe_verdict(capsys, answer)
    assert not ok and cause in line, line


def test_probe_passing_the_model_not_the_function(capsys):
    ok, line = probe_verdict(capsys, build_model())
    assert not ok and "pass the function build_model itself" in line, line


def test_probe_names_the_students_function(capsys):
    def my_model():
        return flat_input()

    ok, line = probe_verdict(capsys, my_model)
    assert not ok and line.startswith("❌ my_model:"), line
