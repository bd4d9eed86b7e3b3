"""Chapter 03 checks: the reference passes, and the catalogue of wrong answers is rejected."""

import numpy as np

from utils import checks


def stub(*_):
    raise NotImplementedError()


def test_lstm_and_gru_step_checks(capsys):
    from utils.rnn import gru_step, lstm_step

    assert checks.check_lstm_step(lstm_step)

    def swapped_gates(x, h, c, k, r, b):  # uses Keras's [i, f, c, o] as if it were [f, i, c, o]
        units = h.shape[1]
        perm = np.r_[units:2 * units, 0:units, 2 * units:4 * units]
        return lstm_step(x, h, c, k[:, perm], r[:, perm], b[perm])

    assert not checks.check_lstm_step(swapped_gates)
    assert "[i, f, c, o]" in capsys.readouterr().out
    assert checks.check_gru_step(gru_step)

    def reset_before(x, h, k, r, b):  # the other GRU convention
        units = h.shape[1]
        sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
        xz, xr, xh = np.split(x @ k + b[0], 3, axis=-1)
        hz, hr, _ = np.split(h @ r + b[1], 3, axis=-1)
        z, rr = sig(xz + hz), sig(xr + hr)
        cand = np.tanh(xh + (rr * h) @ r[:, 2 * units:] + b[1][2 * units:])
        return z * h + (1 - z) * cand

    assert not checks.check_gru_step(reset_before)
    assert not checks.check_gru_step(stub)


def test_sequence_length_check(capsys):
    right = lambda lengths, coverage: int(np.percentile(lengths, 100 * coverage, method="inverted_cdf"))  # noqa: E731
    assert checks.check_sequence_length(right)
    assert not checks.check_sequence_length(lambda lengths, coverage: right(lengths, coverage) - 1)
    assert "fewer than" in capsys.readouterr().out
    assert not checks.check_sequence_length(lambda lengths, coverage: np.percentile(lengths, 100 * coverage) + 0.5)
    assert "return an int" in capsys.readouterr().out
    assert not checks.check_sequence_length(stub)
    assert "not implemented" in capsys.readouterr().out


def _toy_sequences(n, seed):
    # label 1 when token 2 occurs: learnable in a few epochs
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 12), dtype="int64")
    y = rng.integers(0, 2, size=n)
    for i in range(n):
        k = rng.integers(3, 13)
        x[i, :k] = rng.integers(3, 9, size=k)
        if y[i]:
            x[i, rng.integers(0, k)] = 2
    return x, y


def test_classifier_check_trains_and_reports(capsys):
    import keras

    train, val = _toy_sequences(600, 0), _toy_sequences(200, 1)

    def build():
        model = keras.Sequential([keras.Input((None,), dtype="int64"), keras.layers.Embedding(10, 8, mask_zero=True),
                                  keras.layers.GRU(8), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
        return model

    ok, score, model = checks.check_classifier_beats(build, train, val, threshold=0.8, epochs=6)
    assert ok and score >= 0.8
    assert model.predict(val[0][:3], verbose=0).shape == (3, 1)   # the trained model comes back
    ok, score, _ = checks.check_classifier_beats(build, train, val, threshold=1.01, epochs=1)
    assert not ok and "balanced accuracy" in capsys.readouterr().out

    def two_outputs():
        return keras.Sequential([keras.Input((None,), dtype="int64"), keras.layers.Embedding(10, 4),
                                 keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(2)])

    assert not checks.check_classifier_beats(two_outputs, train, val, 0.5, 1)[0]
    assert "shape (batch, 1)" in capsys.readouterr().out
    assert checks.check_classifier_beats(stub, train, val, 0.5, 1) == (False, None, None)
