"""Checks for chapter 03: LSTM and GRU for sentiment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ._core import Fail, call, compare_arrays, run


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
    from ..rnn import lstm_step

    def body() -> None:
        for seed in (0, 1):
            x, h, c, kernel, recurrent, bias = _gated_case(seed, 4)
            got = call(fn, x.copy(), h.copy(), c.copy(), kernel, recurrent, bias)
            if not (isinstance(got, tuple) and len(got) == 2):
                raise Fail(f"return the tuple (h_t, c_t), got {type(got).__name__}.")
            h_ref, c_ref = lstm_step(x, h, c, kernel, recurrent, bias)
            problem = compare_arrays(got[1], c_ref, "cell state c_t")
            if problem:
                raise Fail(problem + " Keras's gate order is [i, f, c, o].")
            problem = compare_arrays(got[0], h_ref, "output h_t")
            if problem:
                raise Fail(problem + " h_t = o * tanh(c_t).")

    return run("lstm_step", body)


def check_gru_step(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``gru_step(x_t, h_prev, kernel, recurrent_kernel, bias) -> h_t`` (reset_after=True)."""
    from ..rnn import gru_step

    def body() -> None:
        for seed in (2, 3):
            x, h, _, kernel, recurrent, bias = _gated_case(seed, 3, gru=True)
            got = call(fn, x.copy(), h.copy(), kernel, recurrent, bias.copy())
            problem = compare_arrays(got, gru_step(x, h, kernel, recurrent, bias), "new state h_t")
            if problem:
                raise Fail(problem + " Keras's gate order is [z, r, h]; bias[0] is the input bias, "
                            "bias[1] the recurrent one; r multiplies (h·U_h + b'_h).")

    return run("gru_step", body)


def check_sequence_length(fn: Callable[[np.ndarray, float], int]) -> bool:
    """Check ``choose_sequence_length(lengths, coverage) -> int``: the smallest L such that at
    least a fraction ``coverage`` of the sequences have length <= L (nothing cut off)."""

    def body() -> None:
        rng = np.random.default_rng(7)
        cases = [(np.array([3, 1, 4, 1, 5]), 0.8), (np.array([10, 20, 30, 40]), 0.5)]
        cases += [(rng.integers(1, 900, size=501), c) for c in (0.5, 0.9, 0.95, 1.0)]
        for lengths, coverage in cases:
            got = call(fn, lengths.copy(), coverage)
            expected = int(np.percentile(lengths, 100 * coverage, method="inverted_cdf"))
            if isinstance(got, (float, np.floating)) and float(got).is_integer():
                got = int(got)
            if not isinstance(got, (int, np.integer)) or isinstance(got, bool):
                raise Fail(f"return an int (a number of tokens), got {type(got).__name__}: {got!r}.")
            if got != expected:
                covered = float(np.mean(lengths <= got))
                hint = (
                    f"only {covered:.1%} of the sequences have length <= {got}, fewer than {coverage:.0%}."
                    if covered < coverage
                    else f"{covered:.1%} fit in {got} tokens, but a shorter length also covers {coverage:.0%}."
                )
                raise Fail(f"for coverage {coverage} of {len(lengths)} lengths you returned {got}, "
                            f"expected {expected}: {hint}")

    return run("choose_sequence_length", body)


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

    from ..training import make_bucketed_dataset

    result: dict[str, Any] = {}

    def body() -> None:
        keras.utils.set_random_seed(0)
        model = call(build)
        if not isinstance(model, keras.Model):
            raise Fail(f"build_model() must return a keras Model, got {type(model).__name__}.")
        result["model"] = model
        if not model.compiled:
            model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
        probe = np.asarray(model.predict(val[0][:2], verbose=0))
        if probe.shape != (2, 1):
            raise Fail(f"the model should output one probability per review, shape (batch, 1); got {probe.shape}.")
        stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
        model.fit(make_bucketed_dataset(train[0], train[1], 64, shuffle=True), epochs=epochs, verbose=0, shuffle=False,
                  validation_data=make_bucketed_dataset(val[0], val[1], 256), callbacks=[stop])
        pred = (np.asarray(model.predict(val[0], verbose=0)).reshape(-1) > 0.5).astype(int)
        result["score"] = float(balanced_accuracy_score(val[1], pred))
        if result["score"] < threshold:
            raise Fail(f"validation balanced accuracy {result['score']:.3f}, needs at least {threshold:.3f}. "
                        "Predicting the majority class gives 0.5.")

    ok = run("build_model", body)
    if ok:
        print(f"   validation balanced accuracy {result['score']:.3f} >= {threshold:.3f}")
    return ClassifierCheck(ok, result.get("score"), result.get("model"))
