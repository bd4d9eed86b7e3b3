"""Chapter 05 checks: the reference passes, and the catalogue of wrong answers is rejected,
each without an exception and, where the check names a cause, with that cause."""

import numpy as np
import pytest
from checkhelpers import stub, verdict

from utils import checks

# ----------------------------------------------------------------------------- exercise 1: windows_by_hand


def windows_by_hand(data, targets, sequence_length, sampling_rate):
    span = (sequence_length - 1) * sampling_rate
    starts = range(len(data) - span)
    return np.stack([data[i:i + span + 1:sampling_rate] for i in starts]), np.array([targets[i] for i in starts])


def standardises_in_place(data, targets, seq, rate):
    data -= data.mean(axis=0)
    return windows_by_hand(data, targets, seq, rate)


def one_window_too_few(data, targets, seq, rate):
    x, y = windows_by_hand(data, targets, seq, rate)
    return x[:-1], y[:-1]


def ignores_sampling_rate(data, targets, seq, rate):
    starts = range(len(data) - seq + 1)
    return np.stack([data[i:i + seq] for i in starts]), np.array([targets[i] for i in starts])


def consecutive_rows(data, targets, seq, rate):  # the right count, but not every rate-th row
    starts = range(len(data) - (seq - 1) * rate)
    return np.stack([data[i:i + seq] for i in starts]), np.array([targets[i] for i in starts])


def target_of_last_row(data, targets, seq, rate):
    span = (seq - 1) * rate
    x, _ = windows_by_hand(data, targets, seq, rate)
    return x, targets[span:span + len(x)]


def filled_with_zeros(data, targets, seq, rate):  # np.zeros is float64 whatever data is
    x, y = windows_by_hand(data, targets, seq, rate)
    out = np.zeros(x.shape)
    out[:] = x
    return out, y


WRONG_WINDOWS = [
    (standardises_in_place, "changed its input `data` in place"),
    (one_window_too_few, "one window too few"),
    (ignores_sampling_rate, "consecutive rows"),
    (consecutive_rows, "consecutive rows"),
    (target_of_last_row, "targets[i]"),
    (lambda d, t, s, r: windows_by_hand(d, t, s, r)[::-1], "return the windows first"),
    (lambda d, t, s, r: (windows_by_hand(d, t, s, r)[0].transpose(0, 2, 1), windows_by_hand(d, t, s, r)[1]),
     "transposed"),
    (lambda d, t, s, r: list(windows_by_hand(d, t, s, r)), "should return a tuple"),
    (lambda d, t, s, r: tuple(a.tolist() for a in windows_by_hand(d, t, s, r)), "should be a NumPy array"),
    (filled_with_zeros, "dtype float64, expected float32"),
    (lambda d, t, s, r: (windows_by_hand(d, t, s, r)[0], windows_by_hand(d, t, s, r)[1].astype("float32")),
     "(the dtype of targets)"),
    (lambda d, t, s, r: (windows_by_hand(d, t, s, r)[0], windows_by_hand(d, t, s, r)[1][:, None]), "1-D array"),
    (stub, "not implemented yet"),
]


def test_windows_reference_passes(capsys):
    assert checks.check_windows(windows_by_hand) is True
    assert verdict(capsys) == "✅ windows_by_hand: correct."


@pytest.mark.parametrize(("answer", "cause"), WRONG_WINDOWS)
def test_windows_wrong_answers(answer, cause, capsys):
    assert checks.check_windows(answer) is False
    line = verdict(capsys)
    assert line.startswith("❌ ") and cause in line, line


# ----------------------------------------------------------------------------- exercise 2: naive_mae


def naive_mae(series, horizon):
    return float(np.mean(np.abs(series[horizon:] - series[:-horizon])))


def centres_in_place(series, horizon):  # the MAE is unchanged, the caller's series is not
    series -= series.mean()
    return naive_mae(series, horizon)


def loop_missing_last_pair(series, horizon):
    errors = [abs(series[t + horizon] - series[t]) for t in range(len(series) - horizon - 1)]
    return float(np.mean(errors))


WRONG_NAIVE = [
    (centres_in_place, "changed its input `series` in place"),
    (lambda s, h: float(np.mean(s[h:] - s[:-h])), "signed errors"),
    (lambda s, h: float(np.mean(np.abs(s[h + 1:] - s[:-(h + 1)]))), "horizon + 1"),
    (loop_missing_last_pair, "returned"),
    (lambda s, h: np.abs(s[h:] - s[:-h]), "should be a float"),
    (lambda s, h: f"{naive_mae(s, h):.3f}", "should be a float"),
    (lambda s, h: float(np.mean((s[h:] - s[:-h]) ** 2)), "mean squared error"),
    (lambda s, h: float(np.sqrt(np.mean((s[h:] - s[:-h]) ** 2))), "root mean squared error"),
    (lambda s, h: float(np.abs(s[h:] - s[:-h]).sum() / len(s)), "divided by len(series)"),
    (lambda s, h: float(np.mean(np.abs(np.diff(s, n=h)))), "np.diff(series, n=horizon)"),
    (lambda s, h: h * float(np.mean(np.abs(np.diff(s)))), "straight line"),
    (lambda s, h: round(naive_mae(s, h), 2), "expected"),
    (stub, "not implemented yet"),
]


def test_naive_mae_reference_passes(capsys):
    assert checks.check_naive_mae(naive_mae) is True
    assert verdict(capsys) == "✅ naive_mae: correct."


@pytest.mark.parametrize(("answer", "cause"), WRONG_NAIVE)
def test_naive_mae_wrong_answers(answer, cause, capsys):
    assert checks.check_naive_mae(answer) is False
    line = verdict(capsys)
    assert line.startswith("❌ ") and cause in line, line


def test_naive_mae_hint_only_for_the_real_cause(capsys):
    # off by one on the other side: the answer is no known variant, so no cause is named
    assert checks.check_naive_mae(loop_missing_last_pair) is False
    line = verdict(capsys)
    assert "That is" not in line and "You" not in line


# ----------------------------------------------------------------------------- exercise 3: build_model


@pytest.fixture(scope="module")
def tiny():
    """Windows of 4 steps and 2 features whose target is 3 x the last step's first feature."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(576, 4, 2)).astype("float32")
    y = (3 * x[:, -1, 0]).astype("float32")
    return (x[:512], y[:512]), (x[512:], y[512:])


def run_check(build, tiny, target=0.6, epochs=1):
    (train, val) = tiny
    return checks.check_model_beats(build, train, val, target_mae=target, epochs=epochs, y_mean=0.0, y_std=1.0)


def sequential(*layers, input_shape=(4, 2)):
    import keras

    return keras.Sequential([keras.Input(input_shape), *layers])


def test_model_check_passes_a_good_model(tiny, capsys):
    import keras

    def build_model():
        model = sequential(keras.layers.Flatten(), keras.layers.Dense(1))
        model.compile(optimizer=keras.optimizers.Adam(0.1), loss="mse")
        return model

    ok, mae = run_check(build_model, tiny, epochs=10)
    assert ok is True and mae < 0.6
    assert "✅ build_model: correct." in capsys.readouterr().out


def test_model_check_rejects_wrong_models(tiny, capsys):
    import keras

    L = keras.layers

    def compiled(loss):
        def build():
            model = sequential(L.Flatten(), L.Dense(1))
            model.compile(optimizer="adam", loss=loss)
            return model
        return build

    def two_outputs():
        inputs = keras.Input((4, 2))
        h = L.GRU(3)(inputs)
        return keras.Model(inputs, [L.Dense(1)(h), L.Dense(1)(h)])

    def diverges():
        model = sequential(L.Flatten(), L.Dense(1))
        model.compile(optimizer=keras.optimizers.SGD(1e30), loss="mse")
        return model

    wrong = [
        (lambda: sequential(L.GRU(3), L.Dense(1), input_shape=(4, 1)), "expects inputs of shape (None, 4, 1)"),
        (lambda: sequential(L.GRU(3), L.Dense(1), input_shape=(2, 4)), "steps and features swapped"),
        (lambda: sequential(L.Dense(1), input_shape=(8,)), "expects inputs of shape (None, 8)"),
        (lambda: sequential(L.GRU(3, return_sequences=True), L.Dense(1)), "return_sequences=False"),
        (lambda: sequential(L.GRU(3), L.Dense(2)), "end with Dense(1)"),
        (two_outputs, "several outputs"),
        (lambda: L.GRU(3), "must return a keras Model, got GRU"),
        (sequential(L.GRU(3), L.Dense(1)), "no parentheses"),
        (compiled("binary_crossentropy"), "classification loss"),
        (compiled(None), "without a loss"),
        (diverges, "diverged"),
        (lambda: sequential(L.Flatten(), L.Dense(1, activation="sigmoid")), "activation 'sigmoid'"),
        (stub, "not implemented yet"),
    ]
    for build, cause in wrong:
        ok, mae = run_check(build, tiny)
        line = verdict(capsys)
        assert ok is False and line.startswith("❌") and cause in line, (cause, line)
        assert mae is None or "needs to be below" in line


def test_model_check_names_the_activation_only_when_it_bounds(tiny, capsys):
    import keras

    def constant():
        return sequential(keras.layers.Flatten(), keras.layers.Dense(1, kernel_initializer="zeros", trainable=False))

    ok, mae = run_check(constant, tiny)
    line = verdict(capsys)
    assert ok is False and mae > 0.6 and "needs to be below" in line and "activation" not in line
