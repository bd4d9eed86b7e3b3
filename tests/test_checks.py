import numpy as np
import pytest

from utils import checks
from utils.data import WordVectors


@pytest.fixture
def vectors():
    rng = np.random.default_rng(1)
    words = ["movie", "good", "paris", "film", "great", "rome", "the", "was", "boring", "x1", "x2"]
    return WordVectors(words, rng.normal(size=(len(words), 5)).astype("float32"))


def stub(*_):
    raise NotImplementedError()


def test_compare_arrays_messages():
    assert checks.compare_arrays([1, 2], np.array([1.0, 2.0])) is None
    assert "shape (3,)" in checks.compare_arrays([1, 2, 3], np.array([1.0, 2.0]))
    assert "index 1" in checks.compare_arrays([1, 5], np.array([1.0, 2.0]))
    assert "None" in checks.compare_arrays(None, np.array([1.0]))
    assert "NaN" in checks.compare_arrays([np.nan], np.array([1.0]))


def test_one_hot_check(capsys):
    def right(tokens, vocab):
        out = np.zeros((len(tokens), len(vocab)))
        for t, tok in enumerate(tokens):
            out[t, vocab.get(tok, vocab["[UNK]"])] = 1
        return out

    def forgets_unknown(tokens, vocab):
        out = np.zeros((len(tokens), len(vocab)))
        for t, tok in enumerate(tokens):
            if tok in vocab:
                out[t, vocab[tok]] = 1
        return out

    assert checks.check_one_hot(right) is True
    assert checks.check_one_hot(forgets_unknown) is False
    assert "wrong at index" in capsys.readouterr().out
    assert checks.check_one_hot(stub) is False
    assert "not implemented yet" in capsys.readouterr().out
    assert checks.check_one_hot(lambda t, v: np.zeros(3)) is False
    assert "shape" in capsys.readouterr().out


def test_cosine_check(capsys):
    assert checks.check_cosine_similarity(lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert not checks.check_cosine_similarity(lambda a, b: float(a @ b))
    assert checks.check_cosine_similarity(lambda a, b: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_neighbours_check(vectors, capsys):
    from utils.checks import _neighbours_reference

    assert checks.check_nearest_neighbours(_neighbours_reference, vectors)
    with_self = lambda w, v, k: [w, *_neighbours_reference(w, v, k - 1)]  # noqa: E731
    assert not checks.check_nearest_neighbours(with_self, vectors)
    assert "itself" in capsys.readouterr().out
    reversed_order = lambda w, v, k: _neighbours_reference(w, v, k)[::-1]  # noqa: E731
    assert not checks.check_nearest_neighbours(reversed_order, vectors)


def test_embedding_matrix_check(vectors, capsys):
    from utils.data import build_embedding_matrix

    assert checks.check_embedding_matrix(lambda voc, v: build_embedding_matrix(voc, v, verbose=False).matrix, vectors)

    def fills_unknown_with_ones(voc, v):
        m = build_embedding_matrix(voc, v, verbose=False).matrix
        m[1] = 1.0
        return m

    assert not checks.check_embedding_matrix(fills_unknown_with_ones, vectors)
    assert "must be all zeros" in capsys.readouterr().out
    assert not checks.check_embedding_matrix(stub, vectors)


def test_rnn_step_check(capsys):
    from utils.rnn import simple_rnn_step

    assert checks.check_rnn_step(simple_rnn_step)
    assert not checks.check_rnn_step(lambda x, h, k, r, b: np.tanh(x @ k + b))
    assert "is h_prev used" in capsys.readouterr().out
    assert not checks.check_rnn_step(lambda x, h, k, r, b: x @ k + h @ r + b)  # forgot tanh
    assert not checks.check_rnn_step(stub)
    assert "not implemented yet" in capsys.readouterr().out


def test_rnn_forward_check(capsys):
    from utils.rnn import simple_rnn_forward

    def right(x, k, r, b, seq):
        return simple_rnn_forward(x, k, r, b, return_sequences=seq)

    assert checks.check_rnn_forward(right)
    assert not checks.check_rnn_forward(lambda x, k, r, b, seq: simple_rnn_forward(x, k, r, b, return_sequences=True))
    assert "shape" in capsys.readouterr().out


def test_spectral_radius_check(capsys):
    from utils.rnn import spectral_radius

    def right(U):
        rho = spectral_radius(U)
        return rho, "neither" if abs(rho - 1) < 1e-9 else "vanishes" if rho < 1 else "explodes"

    assert checks.check_spectral_radius(right)
    assert not checks.check_spectral_radius(lambda U: (float(np.abs(U).max()), "vanishes"))
    assert "largest |eigenvalue|" in capsys.readouterr().out
    assert not checks.check_spectral_radius(lambda U: spectral_radius(U))
    assert "tuple" in capsys.readouterr().out


def test_stacked_params_check(capsys):
    from utils.rnn import stacked_rnn_params

    assert checks.check_stacked_params(stacked_rnn_params)
    wrong = lambda d, units: sum(u * d + u * u + u for u in units)  # noqa: E731 - ignores the chaining
    assert not checks.check_stacked_params(wrong)
    assert "expected" in capsys.readouterr().out


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


def test_conv_checks(capsys):
    from utils.conv import conv1d, conv1d_output_length, conv1d_params

    assert checks.check_output_length(conv1d_output_length)
    assert not checks.check_output_length(lambda n, k, s, p: (n - k) // s + 1)  # ignores "same"
    assert "ceil" in capsys.readouterr().out
    assert checks.check_conv1d(lambda x, k, b: conv1d(x, k, b))
    assert not checks.check_conv1d(lambda x, k, b: conv1d(x, k[::-1], b))  # a true convolution flips the kernel
    assert not checks.check_conv1d(stub)

    def right(channels, layers):
        out = []
        for size, filters in layers:
            out.append(conv1d_params(size, channels, filters))
            channels = filters
        return out

    assert checks.check_conv_stack_params(right)
    assert not checks.check_conv_stack_params(lambda c, layers: [conv1d_params(k, c, f) for k, f in layers])
    assert "previous layer" in capsys.readouterr().out


# ----------------------------------------------------------------------------- chapter 04


def test_check_merge_shape():
    def right(mode, batch, steps, units, return_sequences):
        one = (batch, steps, units) if return_sequences else (batch, units)
        if mode is None:
            return [one, one]
        return (*one[:-1], 2 * units) if mode == "concat" else one

    assert checks.check_merge_shape(right)
    assert checks.check_merge_shape(lambda *a: [list(s) for s in right(*a)] if a[0] is None else list(right(*a)))
    assert not checks.check_merge_shape(lambda m, b, t, u, r: (b, t, 2 * u) if r else (b, 2 * u))  # always concat
    assert not checks.check_merge_shape(lambda *a: 3)


def test_check_attention_weights():
    from utils.attention import masked_softmax

    assert checks.check_attention_weights(masked_softmax)

    def unmasked(scores, mask):
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def overflowing(scores, mask):
        e = np.exp(scores) * mask
        return e / e.sum(axis=1, keepdims=True)

    assert not checks.check_attention_weights(unmasked)
    with np.errstate(over="ignore", invalid="ignore"):
        assert not checks.check_attention_weights(overflowing)


def test_check_reverse_reviews(capsys):
    from utils.attention import reverse_sequences

    assert checks.check_reverse_reviews(reverse_sequences)
    capsys.readouterr()
    assert not checks.check_reverse_reviews(lambda x: x[:, ::-1])
    assert "moves the padding to the front" in capsys.readouterr().out
    assert not checks.check_reverse_reviews(lambda x: x)


# ----------------------------------------------------------------------------- chapter 08


def test_check_perplexity(capsys):
    from utils.lm import perplexity

    assert checks.check_perplexity(perplexity)
    capsys.readouterr()
    assert not checks.check_perplexity(lambda p: float(np.exp(-np.sum(np.log(p)))))
    assert "mean of the log-probabilities" in capsys.readouterr().out
    assert not checks.check_perplexity(lambda p: float(1 / np.mean(p)))


def test_check_bigram_probability():
    from utils.lm import bigram_probability

    assert checks.check_bigram_probability(bigram_probability)
    assert not checks.check_bigram_probability(lambda c, p, t, v: (c.get((p, t), 0) + 1) / (sum(c.values()) + len(v)))
    assert not checks.check_bigram_probability(lambda c, p, t, v: c.get((p, t), 0) / max(1, sum(
        n for (a, _), n in c.items() if a == p)))


def test_check_sample_with_temperature():
    def right(logits, temperature, rng):
        z = logits / temperature
        p = np.exp(z - z.max())
        return int(rng.choice(len(p), p=p / p.sum()))

    def ignores_temperature(logits, temperature, rng):
        return right(logits, 1.0, rng)

    def global_rng(logits, temperature, rng):
        z = np.exp(logits / temperature)
        return int(np.random.choice(len(z), p=z / z.sum()))

    assert checks.check_sample_with_temperature(right)
    assert not checks.check_sample_with_temperature(ignores_temperature)
    assert not checks.check_sample_with_temperature(global_rng)
