"""Checks for chapter 04: bidirectional RNNs and attention pooling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._core import Fail, call, compare_arrays, run


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
                got = call(fn, mode, batch, steps, units, return_sequences)
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
                    raise Fail(f"merge_mode={mode!r} {seq} return_sequences (batch {batch}, {steps} steps, "
                                f"{units} units): got {got!r}, expected {expected}. {hint}")

    return run("merge_shape", body)


def check_attention_weights(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``attention_weights(scores, mask) -> weights``: a softmax over each row of
    ``scores`` (batch, steps) that gives padding (mask False) weight 0."""
    from ..attention import masked_softmax

    def body() -> None:
        rng = np.random.default_rng(4)
        scores = rng.normal(size=(3, 6)) * 3
        mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0]], dtype=bool)
        got = call(fn, scores.copy(), mask.copy())
        expected = masked_softmax(scores, mask)
        problem = compare_arrays(got, expected, "weights")
        if problem:
            got = np.asarray(got, dtype="float64")
            if got.shape == expected.shape and np.any(got[~mask] != 0):
                problem += " Padding positions (mask False) must get weight exactly 0."
            elif got.shape == expected.shape and not np.allclose(got.sum(axis=1), 1):
                problem += " Each row's weights must sum to 1 over the real tokens."
            raise Fail(problem)
        big = np.array([[1000.0, 1001.0, 999.0, 5000.0]])
        got = call(fn, big, np.array([[True, True, True, False]]))
        problem = compare_arrays(got, masked_softmax(big, np.array([[True, True, True, False]])), "weights")
        if problem:
            raise Fail(f"with large scores ({big.tolist()}): {problem} Subtract the row's largest *unmasked* score "
                        "before np.exp, so that it cannot overflow.")

    return run("attention_weights", body)


def check_reverse_reviews(fn: Callable[[np.ndarray], np.ndarray]) -> bool:
    """Check ``reverse_reviews(x)``: reverse each end-padded row's real tokens, padding stays at the end."""
    return _check_reverse(fn, "reverse_reviews")



def _check_reverse(fn: Callable[[np.ndarray], np.ndarray], name: str) -> bool:
    from ..attention import reverse_sequences

    def body() -> None:
        x = np.array([[5, 6, 7, 0, 0], [1, 2, 3, 4, 9], [8, 0, 0, 0, 0]])
        rng = np.random.default_rng(2)
        lengths = rng.integers(1, 12, size=20)
        y = np.zeros((20, 12), dtype="int64")
        for i, n in enumerate(lengths):
            y[i, :n] = rng.integers(1, 100, size=n)
        for case in (x, y):
            got = call(fn, case.copy())
            expected = reverse_sequences(case)
            if got is not None and np.asarray(got).shape == case.shape and np.array_equal(got, case[:, ::-1]):
                raise Fail("x[:, ::-1] also moves the padding to the front. Reverse only the first n tokens of "
                            "each row (n = its number of non-zero ids) and keep the zeros at the end.")
            problem = compare_arrays(got, expected, "reversed array", atol=0)
            if problem:
                raise Fail(f"{problem} For example [5, 6, 7, 0, 0] should become [7, 6, 5, 0, 0].")

    return run(name, body)
