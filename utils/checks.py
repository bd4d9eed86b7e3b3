"""Automatic checks for the exercises.

Each ``check_*`` function takes the student's function, runs it on a few cases whose
answers come from a reference implementation, prints one line starting with ✅ or ❌
that says what is wrong (not implemented yet, wrong type, wrong shape, wrong value at
an index, an exception), and returns True or False. A check never raises because an
answer is wrong, so a student notebook always runs to the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from .data import WordVectors, build_embedding_matrix


class _Fail(Exception):
    """Raised inside a check to stop at the first problem found."""


def _report(name: str, problem: str | None) -> bool:
    if problem is None:
        print(f"✅ {name}: correct.")
        return True
    print(f"❌ {name}: {problem}")
    return False


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    except NotImplementedError:
        raise _Fail("not implemented yet: replace `raise NotImplementedError()` with your code.") from None
    except Exception as exc:  # noqa: BLE001 - a student's bug is reported, not raised
        raise _Fail(f"calling it raised {type(exc).__name__}: {exc}") from None


def compare_arrays(got: Any, expected: np.ndarray, what: str = "result", atol: float = 1e-5) -> str | None:
    """Describe the first difference between ``got`` and ``expected``, or return None."""
    if got is None:
        return f"the {what} is None: did you forget `return`?"
    try:
        arr = np.asarray(got, dtype="float64")
    except (TypeError, ValueError):
        return f"the {what} should be array-like of numbers, got {type(got).__name__}."
    if arr.shape != expected.shape:
        return f"the {what} has shape {arr.shape}, expected {expected.shape}."
    if not np.all(np.isfinite(arr)):
        return f"the {what} contains NaN or inf."
    if arr.ndim == 0:
        if not np.isclose(arr, expected, atol=atol, rtol=0):
            return f"the {what} is {float(arr):.6g}, expected {float(expected):.6g}."
        return None
    bad = np.argwhere(~np.isclose(arr, expected, atol=atol, rtol=0))
    if len(bad):
        i = tuple(int(j) for j in bad[0])
        return (
            f"the {what} is wrong at index {i if len(i) > 1 else i[0]}: got {arr[i]:.6g}, "
            f"expected {expected[i]:.6g} ({len(bad)} wrong entries in all)."
        )
    return None


def _run(name: str, body: Callable[[], None]) -> bool:
    try:
        body()
    except _Fail as fail:
        return _report(name, str(fail))
    return _report(name, None)


# ----------------------------------------------------------------------------- chapter 01


def _one_hot_reference(tokens: Sequence[str], vocabulary: dict[str, int]) -> np.ndarray:
    out = np.zeros((len(tokens), len(vocabulary)), dtype="float32")
    unk = vocabulary["[UNK]"]
    for t, token in enumerate(tokens):
        out[t, vocabulary.get(token, unk)] = 1.0
    return out


def check_one_hot(fn: Callable[[list[str], dict[str, int]], np.ndarray]) -> bool:
    """Check ``one_hot_encode(tokens, vocabulary)`` (unknown tokens go to ``"[UNK]"``)."""
    vocab = {"[UNK]": 0, "the": 1, "cat": 2, "sat": 3, "on": 4, "mat": 5}
    cases = [
        ["the", "cat", "sat", "on", "the", "mat"],
        ["the", "dog", "sat"],  # "dog" is out of vocabulary
        ["mat"],
    ]

    def body() -> None:
        for tokens in cases:
            got = _call(fn, list(tokens), dict(vocab))
            problem = compare_arrays(got, _one_hot_reference(tokens, vocab), f"encoding of {tokens}")
            if problem:
                raise _Fail(problem)

    return _run("one_hot_encode", body)


def check_cosine_similarity(fn: Callable[[np.ndarray, np.ndarray], float]) -> bool:
    """Check ``cosine_similarity(a, b)`` on parallel, opposite, orthogonal and random vectors."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=50), rng.normal(size=50)
    cases = [
        (np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])),
        (np.array([1.0, 0.0]), np.array([-3.0, 0.0])),
        (np.array([1.0, 0.0]), np.array([0.0, 5.0])),
        (a, b),
    ]

    def body() -> None:
        for x, y in cases:
            got = _call(fn, x.copy(), y.copy())
            expected = float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))
            problem = compare_arrays(got, np.asarray(expected), f"similarity of {np.round(x[:3], 2)}… and {np.round(y[:3], 2)}…")
            if problem:
                raise _Fail(problem)

    return _run("cosine_similarity", body)


def _neighbours_reference(word: str, vectors: WordVectors, k: int) -> list[str]:
    unit = vectors.vectors / np.linalg.norm(vectors.vectors, axis=1, keepdims=True)
    sims = unit @ unit[vectors.index[word]]
    sims[vectors.index[word]] = -np.inf
    return [vectors.words[i] for i in np.argsort(-sims, kind="stable")[:k]]


def check_nearest_neighbours(fn: Callable[[str, WordVectors, int], list[str]], vectors: WordVectors) -> bool:
    """Check ``nearest_neighbours(word, vectors, k)``: the k most cosine-similar other words."""

    def body() -> None:
        for word, k in (("movie", 5), ("good", 3), ("paris", 4)):
            got = _call(fn, word, vectors, k)
            expected = _neighbours_reference(word, vectors, k)
            if not isinstance(got, (list, tuple)):
                raise _Fail(f"expected a list of {k} words, got {type(got).__name__}.")
            got = list(got)
            if word in got:
                raise _Fail(f"the neighbours of {word!r} include {word!r} itself: leave the query word out.")
            if len(got) != k:
                raise _Fail(f"asked for k={k} neighbours of {word!r}, got {len(got)}.")
            if got != expected:
                raise _Fail(f"neighbours of {word!r}: got {got}, expected {expected} (most similar first).")

    return _run("nearest_neighbours", body)


def check_embedding_matrix(fn: Callable[[list[str], WordVectors], np.ndarray], vectors: WordVectors) -> bool:
    """Check ``make_embedding_matrix(vocabulary, vectors)`` against the reference builder."""
    vocabulary = ["", "[UNK]", "the", "movie", "was", "zzzunknownzzz", "great", "boring"]

    def body() -> None:
        got = _call(fn, list(vocabulary), vectors)
        expected = build_embedding_matrix(vocabulary, vectors, verbose=False).matrix
        problem = compare_arrays(got, expected, "embedding matrix")
        if problem:
            hint = " Rows for '', '[UNK]' and words without a vector must be all zeros." if "index" in problem else ""
            raise _Fail(problem + hint)

    return _run("make_embedding_matrix", body)


# ----------------------------------------------------------------------------- chapter 02


def _rnn_case(seed: int, batch: int = 3, steps: int = 5, features: int = 4, units: int = 6):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features))
    kernel = rng.normal(scale=0.5, size=(features, units))
    recurrent = rng.normal(scale=0.5, size=(units, units))
    bias = rng.normal(scale=0.1, size=units)
    return x, kernel, recurrent, bias


def check_rnn_step(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias)`` (Keras weight layout)."""
    from .rnn import simple_rnn_step

    def body() -> None:
        for seed in (0, 1):
            x, kernel, recurrent, bias = _rnn_case(seed)
            h_prev = np.tanh(np.random.default_rng(seed + 10).normal(size=(x.shape[0], recurrent.shape[0])))
            got = _call(fn, x[:, 0].copy(), h_prev.copy(), kernel, recurrent, bias)
            expected = simple_rnn_step(x[:, 0], h_prev, kernel, recurrent, bias)
            problem = compare_arrays(got, expected, "new state")
            if problem:
                zero_state = simple_rnn_step(x[:, 0], np.zeros_like(h_prev), kernel, recurrent, bias)
                if compare_arrays(got, zero_state, "") is None:
                    problem += " It equals the result for a zero state: is h_prev used?"
                raise _Fail(problem)

    return _run("rnn_step", body)


def check_rnn_forward(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``rnn_forward(x, kernel, recurrent_kernel, bias, return_sequences)``."""
    from .rnn import simple_rnn_forward

    def body() -> None:
        for seed, seq in ((2, True), (3, False)):
            x, kernel, recurrent, bias = _rnn_case(seed)
            got = _call(fn, x.copy(), kernel, recurrent, bias, seq)
            expected = simple_rnn_forward(x, kernel, recurrent, bias, return_sequences=seq)
            problem = compare_arrays(got, expected, f"output with return_sequences={seq}")
            if problem:
                raise _Fail(problem)

    return _run("rnn_forward", body)


def check_spectral_radius(fn: Callable[[np.ndarray], tuple[float, str]]) -> bool:
    """Check ``state_behaviour(U)`` -> (spectral radius, "vanishes" | "explodes" | "neither")."""
    from .rnn import spectral_radius

    rng = np.random.default_rng(4)
    base = rng.normal(size=(8, 8))
    base /= spectral_radius(base)
    cases = [(0.5 * base, "vanishes"), (1.5 * base, "explodes"), (np.eye(4), "neither"),
             (np.array([[0.0, -2.0], [0.5, 0.0]]), "neither"), (np.diag([0.9, 1.2]), "explodes")]

    def body() -> None:
        for matrix, verdict in cases:
            got = _call(fn, matrix.copy())
            if not (isinstance(got, tuple) and len(got) == 2):
                raise _Fail(f"return a tuple (radius, verdict), got {got!r}.")
            radius, said = got
            problem = compare_arrays(radius, np.asarray(spectral_radius(matrix)), "spectral radius")
            if problem:
                raise _Fail(problem + " (the largest |eigenvalue|, not the largest entry)")
            if said != verdict:
                raise _Fail(f"for spectral radius {spectral_radius(matrix):.2f} you said {said!r}, expected {verdict!r}.")

    return _run("state_behaviour", body)


def check_stacked_params(fn: Callable[[int, list[int]], int]) -> bool:
    """Check ``stacked_rnn_param_count(input_dim, units)`` against the formula."""
    from .rnn import stacked_rnn_params

    def body() -> None:
        for input_dim, units in ((12, [32]), (12, [32, 16]), (1, [8, 8, 8]), (100, [64, 32])):
            got = _call(fn, input_dim, list(units))
            expected = stacked_rnn_params(input_dim, units)
            if got != expected:
                one = stacked_rnn_params(input_dim, units[:1])
                hint = " Layer 2's input size is layer 1's units, not input_dim." if len(units) > 1 and got == one * len(units) else ""
                raise _Fail(f"input_dim={input_dim}, units={units}: got {got}, expected {expected}.{hint}")

    return _run("stacked_rnn_param_count", body)


# ----------------------------------------------------------------------------- chapter 05


def check_naive_mae(fn: Callable[[np.ndarray, int], float]) -> bool:
    """Check ``naive_mae(series, horizon)``: MAE of predicting ``series[t + horizon]`` by ``series[t]``."""

    def body() -> None:
        rng = np.random.default_rng(5)
        cases = [(np.array([1.0, 2.0, 4.0, 7.0]), 1), (np.array([1.0, 2.0, 4.0, 7.0]), 2),
                 (rng.normal(size=200).cumsum(), 24)]
        for series, horizon in cases:
            got = _call(fn, series.copy(), horizon)
            expected = np.abs(series[horizon:] - series[:-horizon]).mean()
            problem = compare_arrays(got, np.asarray(expected), f"MAE for horizon {horizon}")
            if problem:
                raise _Fail(problem)

    return _run("naive_mae", body)


def check_windows(fn: Callable[..., tuple[np.ndarray, np.ndarray]]) -> bool:
    """Check ``windows_by_hand(data, targets, sequence_length, sampling_rate)`` against Keras."""
    import keras

    def body() -> None:
        rng = np.random.default_rng(6)
        for length, seq, rate in ((30, 5, 1), (50, 4, 3), (12, 12, 1)):
            data = rng.normal(size=(length, 3)).astype("float32")
            targets = rng.normal(size=length).astype("float32")
            ds = keras.utils.timeseries_dataset_from_array(data, targets, sequence_length=seq, sampling_rate=rate, batch_size=1000)
            xk, yk = (np.concatenate([np.asarray(b[i]) for b in ds]) for i in (0, 1))
            got = _call(fn, data.copy(), targets.copy(), seq, rate)
            if not (isinstance(got, tuple) and len(got) == 2):
                raise _Fail(f"return a tuple (windows, window_targets), got {type(got).__name__}.")
            for what, mine, ref in (("windows", got[0], xk), ("window targets", got[1], yk)):
                problem = compare_arrays(mine, ref, f"{what} (length {length}, sequence_length {seq}, sampling_rate {rate})")
                if problem:
                    raise _Fail(problem)

    return _run("windows_by_hand", body)


def check_model_beats(build: Callable[[], Any], train: tuple[np.ndarray, np.ndarray],
                      val: tuple[np.ndarray, np.ndarray], target_mae: float, epochs: int,
                      y_mean: float, y_std: float) -> tuple[bool, float | None]:
    """Train the model that ``build()`` returns (compiled or not) and compare its best
    validation MAE, in the target's units, with ``target_mae``. Returns (passed, MAE)."""
    import keras

    from .training import make_dataset

    result: dict[str, Any] = {}

    def body() -> None:
        keras.utils.set_random_seed(0)
        model = _call(build)
        if not isinstance(model, keras.Model):
            raise _Fail(f"build_model() must return a keras Model, got {type(model).__name__}.")
        result["model"] = model
        if not model.compiled:
            model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
        scale = lambda y: (y - y_mean) / y_std  # noqa: E731
        stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
        model.fit(make_dataset(train[0], scale(train[1]), 128, shuffle=True), epochs=epochs, verbose=0, shuffle=False,
                  validation_data=make_dataset(val[0], scale(val[1]), 512), callbacks=[stop])
        pred = np.asarray(model.predict(val[0], verbose=0)).reshape(-1) * y_std + y_mean
        result["mae"] = float(np.abs(pred - val[1]).mean())
        if result["mae"] >= target_mae:
            raise _Fail(f"validation MAE {result['mae']:.3f} °C, needs to be below {target_mae:.3f} °C.")

    ok = _run("build_model", body)
    if ok:
        print(f"   validation MAE {result['mae']:.3f} °C < {target_mae:.3f} °C")
    return ok, result.get("mae")


# ----------------------------------------------------------------------------- chapter 03


def _gated_case(seed: int, gates: int, gru: bool = False):
    rng = np.random.default_rng(seed)
    batch, features, units = 3, 4, 5
    x = rng.normal(size=(batch, features))
    h = np.tanh(rng.normal(size=(batch, units)))
    c = rng.normal(size=(batch, units))
    kernel = rng.normal(scale=0.5, size=(features, gates * units))
    recurrent = rng.normal(scale=0.5, size=(units, gates * units))
    bias = rng.normal(scale=0.3, size=(2, gates * units) if gru else (gates * units,))
    return x, h, c, kernel, recurrent, bias


def check_lstm_step(fn: Callable[..., tuple[np.ndarray, np.ndarray]]) -> bool:
    """Check ``lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h_t, c_t)``."""
    from .rnn import lstm_step

    def body() -> None:
        for seed in (0, 1):
            x, h, c, kernel, recurrent, bias = _gated_case(seed, 4)
            got = _call(fn, x.copy(), h.copy(), c.copy(), kernel, recurrent, bias)
            if not (isinstance(got, tuple) and len(got) == 2):
                raise _Fail(f"return the tuple (h_t, c_t), got {type(got).__name__}.")
            h_ref, c_ref = lstm_step(x, h, c, kernel, recurrent, bias)
            problem = compare_arrays(got[1], c_ref, "cell state c_t")
            if problem:
                raise _Fail(problem + " Keras's gate order is [i, f, c, o].")
            problem = compare_arrays(got[0], h_ref, "output h_t")
            if problem:
                raise _Fail(problem + " h_t = o * tanh(c_t).")

    return _run("lstm_step", body)


def check_gru_step(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``gru_step(x_t, h_prev, kernel, recurrent_kernel, bias) -> h_t`` (reset_after=True)."""
    from .rnn import gru_step

    def body() -> None:
        for seed in (2, 3):
            x, h, _, kernel, recurrent, bias = _gated_case(seed, 3, gru=True)
            got = _call(fn, x.copy(), h.copy(), kernel, recurrent, bias.copy())
            problem = compare_arrays(got, gru_step(x, h, kernel, recurrent, bias), "new state h_t")
            if problem:
                raise _Fail(problem + " Keras's gate order is [z, r, h]; bias[0] is the input bias, "
                            "bias[1] the recurrent one; r multiplies (h·U_h + b'_h).")

    return _run("gru_step", body)


def check_sequence_length(fn: Callable[[np.ndarray, float], int]) -> bool:
    """Check ``choose_sequence_length(lengths, coverage) -> int``: the smallest L such that at
    least a fraction ``coverage`` of the sequences have length <= L (nothing cut off)."""

    def body() -> None:
        rng = np.random.default_rng(7)
        cases = [(np.array([3, 1, 4, 1, 5]), 0.8), (np.array([10, 20, 30, 40]), 0.5)]
        cases += [(rng.integers(1, 900, size=501), c) for c in (0.5, 0.9, 0.95, 1.0)]
        for lengths, coverage in cases:
            got = _call(fn, lengths.copy(), coverage)
            expected = int(np.percentile(lengths, 100 * coverage, method="inverted_cdf"))
            if isinstance(got, (float, np.floating)) and float(got).is_integer():
                got = int(got)
            if not isinstance(got, (int, np.integer)) or isinstance(got, bool):
                raise _Fail(f"return an int (a number of tokens), got {type(got).__name__}: {got!r}.")
            if got != expected:
                covered = float(np.mean(lengths <= got))
                hint = (
                    f"only {covered:.1%} of the sequences have length <= {got}, fewer than {coverage:.0%}."
                    if covered < coverage
                    else f"{covered:.1%} fit in {got} tokens, but a shorter length also covers {coverage:.0%}."
                )
                raise _Fail(f"for coverage {coverage} of {len(lengths)} lengths you returned {got}, "
                            f"expected {expected}: {hint}")

    return _run("choose_sequence_length", body)


class ClassifierCheck(NamedTuple):
    """What :func:`check_classifier_beats` found: whether it passed, the validation balanced
    accuracy (``None`` if the model could not be trained) and the trained model (or ``None``)."""

    passed: bool
    score: float | None
    model: Any


def check_classifier_beats(build: Callable[[], Any], train: tuple[np.ndarray, np.ndarray],
                           val: tuple[np.ndarray, np.ndarray], threshold: float,
                           epochs: int) -> ClassifierCheck:
    """Train the binary classifier that ``build()`` returns (compiled or not; one sigmoid
    output) on integer sequences and compare its validation **balanced accuracy** with
    ``threshold``. Early stopping keeps the best validation epoch. The trained model is
    returned too, so that a notebook can go on with it instead of training it again."""
    import keras
    from sklearn.metrics import balanced_accuracy_score

    from .training import make_bucketed_dataset

    result: dict[str, Any] = {}

    def body() -> None:
        keras.utils.set_random_seed(0)
        model = _call(build)
        if not isinstance(model, keras.Model):
            raise _Fail(f"build_model() must return a keras Model, got {type(model).__name__}.")
        result["model"] = model
        if not model.compiled:
            model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
        probe = np.asarray(model.predict(val[0][:2], verbose=0))
        if probe.shape != (2, 1):
            raise _Fail(f"the model should output one probability per review, shape (batch, 1); got {probe.shape}.")
        stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
        model.fit(make_bucketed_dataset(train[0], train[1], 64, shuffle=True), epochs=epochs, verbose=0, shuffle=False,
                  validation_data=make_bucketed_dataset(val[0], val[1], 256), callbacks=[stop])
        pred = (np.asarray(model.predict(val[0], verbose=0)).reshape(-1) > 0.5).astype(int)
        result["score"] = float(balanced_accuracy_score(val[1], pred))
        if result["score"] < threshold:
            raise _Fail(f"validation balanced accuracy {result['score']:.3f}, needs at least {threshold:.3f}. "
                        "Predicting the majority class gives 0.5.")

    ok = _run("build_model", body)
    if ok:
        print(f"   validation balanced accuracy {result['score']:.3f} >= {threshold:.3f}")
    return ClassifierCheck(ok, result.get("score"), result.get("model"))


# ----------------------------------------------------------------------------- chapter 04


def _bidirectional_shape(merge_mode: str | None, batch: int, steps: int, units: int,
                         return_sequences: bool) -> Any:
    one = (batch, steps, units) if return_sequences else (batch, units)
    if merge_mode is None:
        return [one, one]
    if merge_mode == "concat":
        return (*one[:-1], 2 * units)
    return one


def check_merge_shape(fn: Callable[[Any, int, int, int, bool], Any]) -> bool:
    """Check ``merge_shape(merge_mode, batch, steps, units, return_sequences)``: the output shape
    of ``Bidirectional(LSTM(units, return_sequences=...), merge_mode=...)`` on a
    (batch, steps, features) input. ``merge_mode=None`` gives a list of two shapes."""
    import keras

    def body() -> None:
        for mode in ("concat", "sum", "mul", "ave", None):
            for return_sequences in (True, False):
                batch, steps, units = 4, 7, 5
                got = _call(fn, mode, batch, steps, units, return_sequences)
                layer = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=return_sequences),
                                                   merge_mode=mode)
                out = layer(np.zeros((batch, steps, 3), dtype="float32"))
                expected = [tuple(o.shape) for o in out] if mode is None else tuple(out.shape)
                assert expected == _bidirectional_shape(mode, batch, steps, units, return_sequences)
                try:  # accept lists or tuples
                    normal = [tuple(g) for g in got] if mode is None else tuple(got)
                except TypeError:
                    normal = got
                if normal != expected:
                    hint = {"concat": "concat joins the two directions along the last axis: 2 x units.",
                            None: "merge_mode=None returns the two directions separately, as a list of two shapes.",
                            }.get(mode, f"{mode!r} combines the two directions element-wise: the shape of one.")
                    seq = "with" if return_sequences else "without"
                    raise _Fail(f"merge_mode={mode!r} {seq} return_sequences (batch {batch}, {steps} steps, "
                                f"{units} units): got {got!r}, expected {expected}. {hint}")

    return _run("merge_shape", body)


def check_attention_weights(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``attention_weights(scores, mask) -> weights``: a softmax over each row of
    ``scores`` (batch, steps) that gives padding (mask False) weight 0."""
    from .attention import masked_softmax

    def body() -> None:
        rng = np.random.default_rng(4)
        scores = rng.normal(size=(3, 6)) * 3
        mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0]], dtype=bool)
        got = _call(fn, scores.copy(), mask.copy())
        expected = masked_softmax(scores, mask)
        problem = compare_arrays(got, expected, "weights")
        if problem:
            got = np.asarray(got, dtype="float64")
            if got.shape == expected.shape and np.any(got[~mask] != 0):
                problem += " Padding positions (mask False) must get weight exactly 0."
            elif got.shape == expected.shape and not np.allclose(got.sum(axis=1), 1):
                problem += " Each row's weights must sum to 1 over the real tokens."
            raise _Fail(problem)
        big = np.array([[1000.0, 1001.0, 999.0, 5000.0]])
        got = _call(fn, big, np.array([[True, True, True, False]]))
        problem = compare_arrays(got, masked_softmax(big, np.array([[True, True, True, False]])), "weights")
        if problem:
            raise _Fail(f"with large scores ({big.tolist()}): {problem} Subtract the row's largest *unmasked* score "
                        "before np.exp, so that it cannot overflow.")

    return _run("attention_weights", body)


def check_reverse_reviews(fn: Callable[[np.ndarray], np.ndarray]) -> bool:
    """Check ``reverse_reviews(x)``: reverse each end-padded row's real tokens, padding stays at the end."""
    return _check_reverse(fn, "reverse_reviews")


def check_reverse_source(fn: Callable[[np.ndarray], np.ndarray]) -> bool:
    """Check ``reverse_source(x)`` (chapter 07): the same rule as :func:`check_reverse_reviews`."""
    return _check_reverse(fn, "reverse_source")


def _check_reverse(fn: Callable[[np.ndarray], np.ndarray], name: str) -> bool:
    from .attention import reverse_sequences

    def body() -> None:
        x = np.array([[5, 6, 7, 0, 0], [1, 2, 3, 4, 9], [8, 0, 0, 0, 0]])
        rng = np.random.default_rng(2)
        lengths = rng.integers(1, 12, size=20)
        y = np.zeros((20, 12), dtype="int64")
        for i, n in enumerate(lengths):
            y[i, :n] = rng.integers(1, 100, size=n)
        for case in (x, y):
            got = _call(fn, case.copy())
            expected = reverse_sequences(case)
            if got is not None and np.asarray(got).shape == case.shape and np.array_equal(got, case[:, ::-1]):
                raise _Fail("x[:, ::-1] also moves the padding to the front. Reverse only the first n tokens of "
                            "each row (n = its number of non-zero ids) and keep the zeros at the end.")
            problem = compare_arrays(got, expected, "reversed array", atol=0)
            if problem:
                raise _Fail(f"{problem} For example [5, 6, 7, 0, 0] should become [7, 6, 5, 0, 0].")

    return _run(name, body)


# ----------------------------------------------------------------------------- chapter 06


def check_output_length(fn: Callable[[int, int, int, str], int]) -> bool:
    """Check ``output_length(length, kernel_size, stride, padding) -> int`` against Keras's rule."""
    from .conv import conv1d_output_length

    def body() -> None:
        cases = [(8, 2, 1, "valid"), (10, 3, 1, "valid"), (10, 3, 2, "valid"), (11, 4, 3, "valid"),
                 (10, 3, 1, "same"), (10, 3, 2, "same"), (11, 4, 3, "same"), (500, 7, 1, "valid")]
        for length, size, stride, padding in cases:
            got = _call(fn, length, size, stride, padding)
            expected = conv1d_output_length(length, size, stride, padding)
            if got != expected:
                hint = ("valid: floor((length - kernel_size) / stride) + 1" if padding == "valid"
                        else "same: ceil(length / stride), whatever the kernel size")
                raise _Fail(f"output_length({length}, {size}, {stride}, {padding!r}) returned {got!r}, "
                            f"expected {expected}. Rule for {hint}.")

    return _run("output_length", body)


def check_conv1d(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``conv1d_valid(x, kernel, bias)`` (stride 1, no padding, Keras layout)."""
    from .conv import conv1d

    def body() -> None:
        rng = np.random.default_rng(11)
        for length, size, channels, filters in ((8, 2, 1, 1), (9, 3, 2, 4), (6, 6, 3, 2)):
            x = rng.normal(size=(2, length, channels))
            kernel = rng.normal(size=(size, channels, filters))
            bias = rng.normal(size=(filters,))
            got = _call(fn, x.copy(), kernel.copy(), bias.copy())
            problem = compare_arrays(got, conv1d(x, kernel, bias), "output")
            if problem:
                raise _Fail(problem + " Output t is sum over k and c of x[:, t + k, c] * kernel[k, c, :], plus bias;"
                            " there are length - kernel_size + 1 outputs.")

    return _run("conv1d_valid", body)


def check_conv_stack_params(fn: Callable[[int, list[tuple[int, int]]], list[int]]) -> bool:
    """Check ``conv_stack_params(in_channels, layers) -> [params of each Conv1D]`` where
    ``layers`` is a list of ``(kernel_size, filters)``."""
    from .conv import conv1d_params

    def body() -> None:
        for in_channels, layers in ((1, [(2, 64), (2, 128)]), (128, [(3, 64), (4, 64), (5, 32)]), (8, [(7, 16)])):
            got = _call(fn, in_channels, list(layers))
            expected, channels = [], in_channels
            for size, filters in layers:
                expected.append(conv1d_params(size, channels, filters))
                channels = filters
            if not isinstance(got, (list, tuple)) or len(got) != len(expected):
                raise _Fail(f"return a list with one count per layer ({len(expected)} here), got {got!r}.")
            for i, (g, e) in enumerate(zip(got, expected)):
                if g != e:
                    raise _Fail(f"layer {i} of {layers} on {in_channels} input channels: got {g}, expected {e}. "
                                "Each filter has kernel_size x (its input channels) weights plus one bias, and a "
                                "layer's input channels are the previous layer's filters.")

    return _run("conv_stack_params", body)


# ----------------------------------------------------------------------------- chapter 08


def check_perplexity(fn: Callable[[np.ndarray], float]) -> bool:
    """Check ``perplexity(probabilities) -> float``: exp of the mean negative log-probability."""
    from .lm import perplexity

    def body() -> None:
        cases = [np.full(10, 1 / 48), np.ones(5), np.array([0.5, 0.125]), np.random.default_rng(1).uniform(0.01, 1, 50)]
        for p in cases:
            got = _call(fn, p.copy())
            expected = perplexity(p)
            problem = compare_arrays(got, np.float64(expected), "perplexity", atol=1e-6 * expected)
            if problem:
                hint = ""
                try:
                    if np.isclose(float(got), np.exp(-np.sum(np.log(p)))):
                        hint = " Use the mean of the log-probabilities, not their sum."
                    elif np.isclose(float(got), 1 / np.mean(p)):
                        hint = " Average the log-probabilities, not the probabilities."
                except (TypeError, ValueError):
                    pass
                raise _Fail(f"for probabilities {np.round(p[:4], 4).tolist()}{'…' if len(p) > 4 else ''}: {problem}"
                            f"{hint} Perplexity = exp(-mean(log p)); a uniform guess over 48 tokens gives 48.")

    return _run("perplexity", body)


def check_bigram_probability(fn: Callable[..., float]) -> bool:
    """Check ``bigram_probability(counts, previous, token, vocabulary)`` with add-one smoothing."""
    from .lm import bigram_probability

    def body() -> None:
        counts = {("t", "h"): 5, ("h", "e"): 4, ("t", "o"): 1, ("e", " "): 3, (" ", "t"): 2}
        vocabulary = ["t", "h", "e", "o", " "]
        for prev, tok in (("t", "h"), ("t", "e"), ("h", "e"), ("o", "t"), (" ", "t")):
            got = _call(fn, dict(counts), prev, tok, list(vocabulary))
            expected = bigram_probability(counts, prev, tok, vocabulary)
            problem = compare_arrays(got, np.float64(expected), f"P({tok!r} | {prev!r})", atol=1e-9)
            if problem:
                raise _Fail(problem + " Add-one: (count(previous, token) + 1) / (count of pairs starting with "
                            "previous + V), with V the vocabulary size; a never-seen previous gives 1 / V.")
        total = sum(_call(fn, dict(counts), "t", v, list(vocabulary)) for v in vocabulary)
        if not np.isclose(total, 1.0):
            raise _Fail(f"P(· | 't') sums to {total:.4f} over the vocabulary, should be 1.")

    return _run("bigram_probability", body)


def check_sample_with_temperature(fn: Callable[[np.ndarray, float, np.random.Generator], int]) -> bool:
    """Check ``sample_with_temperature(logits, temperature, rng) -> int``: a draw from
    ``softmax(logits / temperature)`` using the given NumPy generator."""

    def body() -> None:
        logits = np.log(np.array([0.1, 0.2, 0.7]))
        for temperature in (1.0, 0.5, 2.0):
            scaled = np.exp(logits / temperature)
            expected = scaled / scaled.sum()
            draws = [_call(fn, logits.copy(), temperature, np.random.default_rng(i)) for i in range(3000)]
            if not all(isinstance(d, (int, np.integer)) and 0 <= d < 3 for d in draws):
                raise _Fail(f"return one token id (an int in 0..2), got e.g. {draws[0]!r}.")
            freq = np.bincount(np.array(draws, dtype=int), minlength=3) / len(draws)
            if np.abs(freq - expected).max() > 0.04:
                raise _Fail(f"at temperature {temperature} the draws' frequencies are {np.round(freq, 3).tolist()}, "
                            f"expected about {np.round(expected, 3).tolist()}. Divide the logits by the temperature, "
                            "then softmax, then rng.choice(len(p), p=p).")
        pairs = [(_call(fn, logits.copy(), 1.0, np.random.default_rng(s)),
                  _call(fn, logits.copy(), 1.0, np.random.default_rng(s))) for s in range(20)]
        if any(a != b for a, b in pairs):
            raise _Fail("two calls with generators seeded alike gave different tokens: draw with the `rng` you are "
                        "given (rng.choice), not np.random.")

    return _run("sample_with_temperature", body)


# ----------------------------------------------------------------------------- chapter 07


def check_dot_attention_weights(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``dot_attention_weights(query, keys, mask)``: scores ``keys · query`` for every
    source step, softmax over the real steps (mask True), weight 0 on padding."""
    from .attention import masked_softmax

    def body() -> None:
        rng = np.random.default_rng(7)
        query, keys = rng.normal(size=(3, 4)), rng.normal(size=(3, 5, 4)) * 2
        mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], dtype=bool)
        expected = masked_softmax(np.einsum("bd,btd->bt", query, keys), mask)
        got = _call(fn, query.copy(), keys.copy(), mask.copy())
        problem = compare_arrays(got, expected, "weights")
        if problem:
            arr = np.asarray(got, dtype="float64") if got is not None else None
            if arr is not None and arr.shape == expected.shape:
                if np.any(arr[~mask] != 0):
                    problem += " Padding steps (mask False) must get weight exactly 0."
                elif np.allclose(arr, masked_softmax(np.einsum("bd,btd->bt", query, keys), np.ones_like(mask))):
                    problem += " You ignored the mask."
                elif not np.allclose(arr.sum(axis=1), 1):
                    problem += " Each row must sum to 1: softmax over the source steps (the last axis)."
            raise _Fail(problem + " The score of step t is the dot product keys[b, t] · query[b].")

    return _run("dot_attention_weights", body)


def _toy_decoder(vocab: int = 10, start: int = 1, end: int = 2):
    """A fake decoder step: after ``<s>`` it predicts 3 or 4, after token k it predicts k + 1
    or k + 2 (by the parity of the state, which counts the steps), and ``</s>`` past the
    vocabulary; a decoder that ignores the state or the fed-back token gets other ids."""

    def step(tokens: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tokens, state = np.asarray(tokens), np.asarray(state)
        nxt = np.where(tokens == start, 2, tokens) + 1 + state % 2
        nxt = np.where(nxt >= vocab, end, nxt)
        logits = np.full((len(tokens), vocab), -1.0)
        logits[np.arange(len(tokens)), nxt] = 1.0
        return logits, state + 1

    return step


def check_greedy_decode(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``greedy_decode(step, state, batch, start, end, max_length)`` against the
    reference on a fake decoder whose answer depends on the fed-back token and the state."""
    from .seq2seq import greedy_decode

    def body() -> None:
        step = _toy_decoder()
        for state, max_length in ((np.array([0, 1, 0]), 8), (np.array([1, 1]), 2)):
            expected = greedy_decode(step, state.copy(), len(state), 1, 2, max_length)
            got = _call(fn, step, state.copy(), len(state), 1, 2, max_length)
            problem = compare_arrays(got, expected.astype("float64"), "decoded ids", atol=0)
            if problem:
                raise _Fail(f"{problem} Start every row with the start id, feed back the arg-max token and the new "
                            f"state at each step, stop after max_length tokens, and put 0 after a row's end id. "
                            f"Expected {expected.tolist()}.")

    return _run("greedy_decode", body)


def check_exact_match(fn: Callable[[list[str], list[str]], float]) -> bool:
    """Check ``exact_match(predictions, references) -> float`` (the fraction equal as strings)."""

    def body() -> None:
        cases = [(["2021-03-03", "1999-12-31"], ["2021-03-03", "1999-12-30"], 0.5),
                 (["a", "b", "c", "d"], ["a", "b", "c", "d"], 1.0),
                 (["2021-03-0", "x"], ["2021-03-03", "y"], 0.0)]
        for predictions, references, expected in cases:
            got = _call(fn, list(predictions), list(references))
            problem = compare_arrays(got, np.float64(expected), "exact match")
            if problem:
                hint = " A prediction counts only if the whole string equals the reference."
                raise _Fail(f"for {predictions} vs {references}: {problem}{hint}")

    return _run("exact_match", body)
