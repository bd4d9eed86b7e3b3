"""Checks for chapter 04: bidirectional RNNs and attention pooling."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ._core import Fail, call, compare_arrays, expect_array, expect_int, function_name, matches, run, same

# ----------------------------------------------------------------------------- merge_shape

_MODES = ("concat", "sum", "mul", "ave", None)
# (batch, steps, units): all different, and 2 · units never equals steps, so swapped axes show
_GEOMETRIES = ((4, 7, 5), (1, 3, 8), (6, 12, 2))


def _keras_merge_shape(mode: str | None, batch: int, steps: int, units: int, return_sequences: bool) -> Any:
    """What Keras says: a tuple, or for ``merge_mode=None`` a list of two tuples."""
    import keras

    layer = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=return_sequences), merge_mode=mode)
    shape = layer.compute_output_shape((batch, steps, 3))
    return [tuple(s) for s in shape] if mode is None else tuple(shape)


def _expect_shape(got: Any, what: str) -> tuple[int, ...]:
    """``got`` if it is a tuple of ints; :class:`Fail` otherwise."""
    if not isinstance(got, tuple):
        hint = f" Write it as tuple({got!r})." if isinstance(got, list) and len(got) < 5 else ""
        raise Fail(f"{what} should be a tuple of ints such as (4, 10), got {type(got).__name__} {got!r}.{hint}")
    for size in got:
        expect_int(size, f"every size in {what} {got!r}")
    return tuple(int(s) for s in got)


def _merge_causes(mode: str | None, batch: int, steps: int, units: int,
                  return_sequences: bool) -> Iterator[tuple[Any, str]]:
    """Answers of likely mistakes for one case, each with the cause to name."""
    one = (batch, steps, units) if return_sequences else (batch, units)
    other = (batch, units) if return_sequences else (batch, steps, units)
    if mode is None:
        yield [other, other], ("each direction returns only its last state (batch, units) without return_sequences, "
                               "and one vector per step (batch, steps, units) with it.")
        yield [(*one[:-1], 2 * units)] * 2, "merge_mode=None does not merge: each direction keeps its units features."
        return
    if mode == "concat":
        yield one, "concat joins the two directions along the last axis: 2 × units features."
        yield ((batch, 2 * steps, units) if return_sequences else (2 * batch, units),
               "concat joins the two directions along the last (feature) axis, not along "
               + ("time." if return_sequences else "the batch."))
    else:
        yield ((*one[:-1], 2 * units),
               f"{mode!r} combines the two directions element-wise: the shape of one direction, units not doubled.")
    # the right shape for the other setting of return_sequences
    yield ((*other[:-1], 2 * units) if mode == "concat" else other,
           "with return_sequences=True each direction returns one vector per step: (batch, steps, …)."
           if return_sequences else
           "without return_sequences each direction returns only its last state: (batch, …), no steps axis.")


def check_merge_shape(fn: Callable[[Any, int, int, int, bool], Any]) -> bool:
    """Check ``merge_shape(merge_mode, batch, steps, units, return_sequences)``: the output shape
    of ``Bidirectional(LSTM(units, return_sequences=...), merge_mode=...)`` on a
    (batch, steps, features) input, as Keras computes it: a tuple of ints, and for
    ``merge_mode=None`` a list of the two shapes."""
    name = function_name(fn, "merge_shape")

    def body() -> None:
        for batch, steps, units in _GEOMETRIES:
            for mode in _MODES:
                for return_sequences in (True, False):
                    expected = _keras_merge_shape(mode, batch, steps, units, return_sequences)
                    got = call(fn, mode, batch, steps, units, return_sequences, name=name)
                    seq = "with" if return_sequences else "without"
                    case = f"merge_mode={mode!r} {seq} return_sequences (batch {batch}, {steps} steps, {units} units)"
                    if mode is None:
                        if not (isinstance(got, list) and len(got) == 2):
                            raise Fail(f"{case}: expected a list of two shapes, got {type(got).__name__} {got!r}.")
                        normal: Any = [_expect_shape(g, "each shape") for g in got]
                    else:
                        normal = _expect_shape(got, "the shape")
                    if normal == expected:
                        continue
                    for variant, cause in _merge_causes(mode, batch, steps, units, return_sequences):
                        if same(normal, variant):
                            raise Fail(f"{case}: got {got!r}, expected {expected!r}. {cause}")
                    raise Fail(f"{case}: got {got!r}, expected {expected!r}.")

    return run(name, body)


# ----------------------------------------------------------------------------- attention_weights


def _softmax_rows(scores: np.ndarray, axis: int = 1) -> np.ndarray:
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _attention_cases() -> Iterator[tuple[np.ndarray, np.ndarray, str]]:
    rng = np.random.default_rng(4)
    scores = rng.normal(size=(3, 6)) * 3
    mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0]], dtype=bool)
    yield scores, mask, "end-padded rows"
    scores = rng.normal(size=(5, 9)) * 2
    mask = rng.random(size=(5, 9)) < 0.6
    mask[:, 0] = True                     # every row has at least one real token
    yield scores, mask, "masks with gaps, not only padding at the end"


# the last column is padding. Row 3 overflows without a shift; row 2 underflows when the shift
# is the row's overall maximum (a padding score); rows 0 and 1 break both ways.
_LARGE = np.array([[1000.0, 1001.0, 999.0, 5000.0], [-1000.0, -1001.0, -999.0, 0.0],
                   [1.0, 2.0, 3.0, 800.0], [800.0, 801.0, 799.0, -5.0]])
_LARGE_MASK = np.array([[True, True, True, False]] * 4)


def _attention_causes(scores: np.ndarray, mask: np.ndarray) -> Iterator[tuple[np.ndarray, str]]:
    """Weights of likely mistakes, each with the cause to name."""
    plain = _softmax_rows(scores)
    yield plain, "the mask is ignored: padding positions (mask False) must get weight exactly 0."
    yield plain * mask, ("padding was set to 0 after the softmax, so the real tokens' weights no longer sum to 1: "
                         "mask the scores before the softmax (or divide by the new sum).")
    yield np.where(mask, _softmax_rows(np.where(mask, scores, -np.inf), axis=0), 0.0), \
        "the softmax runs down each column (axis 0); it must normalise each row (axis=1)."


def _stability_cause(got: np.ndarray, expected: np.ndarray) -> str:
    """Why an answer that was right on moderate scores is wrong on :data:`_LARGE`, from the rows it gets wrong."""
    wrong = {int(i) for i in np.flatnonzero(~np.all(np.isclose(got, expected, atol=1e-5, rtol=0), axis=1))}
    if 3 in wrong and 2 not in wrong:
        return "np.exp overflows for large scores: subtract the row's largest real score before np.exp."
    if 2 in wrong and 3 not in wrong:
        return ("the shift must be the row's largest *real* score (mask True): here the overall maximum is a padding "
                "score, and every real weight underflows to 0.")
    return "subtract the row's largest real (mask True) score before np.exp, so that it cannot overflow."


def check_attention_weights(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``attention_weights(scores, mask) -> weights``: a softmax over each row of
    ``scores`` (batch, steps) that gives padding (mask False) weight 0, stable for large scores."""
    from ..attention import masked_softmax

    name = function_name(fn, "attention_weights")

    def result(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return expect_array(call(fn, scores, mask, name=name), f"the result of {name}", scores.shape, "f")

    def body() -> None:
        for scores, mask, what in _attention_cases():
            expected = masked_softmax(scores.copy(), mask.copy())
            got = result(scores, mask)
            problem = compare_arrays(got, expected, "weight array")
            if problem is None:
                continue
            for variant, cause in _attention_causes(scores, mask):
                if matches(got, variant):
                    raise Fail(f"({what}) {cause}")
            if np.any(got[~mask] != 0):
                problem += " Padding positions (mask False) must get weight exactly 0."
            elif np.all(np.isfinite(got)) and not np.allclose(got.sum(axis=1), 1):
                problem += " Each row's weights must sum to 1 over the real tokens."
            raise Fail(f"({what}, scores {scores.shape}) {problem}")
        scores, mask = _LARGE.copy(), _LARGE_MASK.copy()
        expected = masked_softmax(_LARGE, _LARGE_MASK)
        got = result(scores, mask)
        problem = compare_arrays(got, expected, "weight array")
        if problem:
            raise Fail(f"with large scores {_LARGE.tolist()} (last column padding): {problem} "
                       f"{_stability_cause(np.asarray(got, dtype='float64'), expected)}")


    return run(name, body)


# ----------------------------------------------------------------------------- reversing end-padded rows


def check_reverse_reviews(fn: Callable[[np.ndarray], np.ndarray]) -> bool:
    """Check ``reverse_reviews(x)``: reverse each end-padded row's real tokens, padding stays at the end."""
    return _check_reverse(fn, "reverse_reviews")


def _reverse_cases() -> Iterator[np.ndarray]:
    yield np.array([[5, 6, 7, 0, 0], [1, 2, 3, 4, 9], [8, 0, 0, 0, 0]])
    rng = np.random.default_rng(2)
    lengths = np.r_[rng.integers(1, 12, size=18), 12, 0]     # full rows and an empty one too
    y = np.zeros((20, 12), dtype="int64")
    for i, n in enumerate(lengths):
        y[i, :n] = rng.integers(1, 100, size=n)
    yield y
    yield y[:7, :9].astype("int32")


def _reverse_causes(x: np.ndarray) -> Iterator[tuple[np.ndarray, str]]:
    """Results of likely mistakes, each with the cause to name."""
    yield x[:, ::-1], ("x[:, ::-1] also moves the padding to the front. Reverse only the first n tokens of each row "
                       "(n = its number of non-zero ids) and keep the zeros at the end.")
    yield x, "you returned the rows unchanged."
    yield x[::-1], "x[::-1] reverses the order of the rows; reverse the tokens within each row."
    n = np.count_nonzero(x, axis=1)
    wider = np.zeros_like(x)
    for i, k in enumerate(n):
        wider[i, :k + 1] = x[i, :k + 1][::-1]
    yield wider, "you reversed n + 1 positions of a padded row, which moves a padding 0 in front of its tokens."


def _check_reverse(fn: Callable[[np.ndarray], np.ndarray], name: str) -> bool:
    """Check a function that reverses the real tokens of each end-padded row of an integer
    array and keeps the padding at the end; ``name`` is the notebook's default name for it."""
    from ..attention import reverse_sequences

    label = function_name(fn, name)

    def body() -> None:
        for case in _reverse_cases():
            expected = reverse_sequences(case.copy())
            got = expect_array(call(fn, case, name=label), f"the result of {label}", case.shape, "i")
            if np.array_equal(got, expected):
                continue
            for variant, cause in _reverse_causes(case):
                if np.array_equal(got, variant):
                    raise Fail(cause)
            problem = compare_arrays(got, expected, "reversed array", atol=0)
            raise Fail(f"{problem} For example [5, 6, 7, 0, 0] should become [7, 6, 5, 0, 0].")

    return run(label, body)
