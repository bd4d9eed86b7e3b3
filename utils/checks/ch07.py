"""Checks for chapter 07: sequence to sequence with attention."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Fail, call, compare_arrays, run
from .ch04 import _check_reverse


def check_dot_attention_weights(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``dot_attention_weights(query, keys, mask)``: scores ``keys · query`` for every
    source step, softmax over the real steps (mask True), weight 0 on padding."""
    from ..attention import masked_softmax

    def body() -> None:
        rng = np.random.default_rng(7)
        query, keys = rng.normal(size=(3, 4)), rng.normal(size=(3, 5, 4)) * 2
        mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], dtype=bool)
        expected = masked_softmax(np.einsum("bd,btd->bt", query, keys), mask)
        got = call(fn, query.copy(), keys.copy(), mask.copy())
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
            raise Fail(problem + " The score of step t is the dot product keys[b, t] · query[b].")

    return run("dot_attention_weights", body)


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
    from ..seq2seq import greedy_decode

    def body() -> None:
        step = _toy_decoder()
        for state, max_length in ((np.array([0, 1, 0]), 8), (np.array([1, 1]), 2)):
            expected = greedy_decode(step, state.copy(), len(state), 1, 2, max_length)
            got = call(fn, step, state.copy(), len(state), 1, 2, max_length)
            problem = compare_arrays(got, expected.astype("float64"), "decoded ids", atol=0)
            if problem:
                raise Fail(f"{problem} Start every row with the start id, feed back the arg-max token and the new "
                            f"state at each step, stop after max_length tokens, and put 0 after a row's end id. "
                            f"Expected {expected.tolist()}.")

    return run("greedy_decode", body)


def check_exact_match(fn: Callable[[list[str], list[str]], float]) -> bool:
    """Check ``exact_match(predictions, references) -> float`` (the fraction equal as strings)."""

    def body() -> None:
        cases = [(["2021-03-03", "1999-12-31"], ["2021-03-03", "1999-12-30"], 0.5),
                 (["a", "b", "c", "d"], ["a", "b", "c", "d"], 1.0),
                 (["2021-03-0", "x"], ["2021-03-03", "y"], 0.0)]
        for predictions, references, expected in cases:
            got = call(fn, list(predictions), list(references))
            problem = compare_arrays(got, np.float64(expected), "exact match")
            if problem:
                hint = " A prediction counts only if the whole string equals the reference."
                raise Fail(f"for {predictions} vs {references}: {problem}{hint}")

    return run("exact_match", body)


def check_reverse_source(fn: Callable[[np.ndarray], np.ndarray]) -> bool:
    """Check ``reverse_source(x)`` (chapter 07): the same rule as :func:`check_reverse_reviews`."""
    return _check_reverse(fn, "reverse_source")
