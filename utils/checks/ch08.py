"""Checks for chapter 08: language models."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Fail, call, compare_arrays, run


def check_perplexity(fn: Callable[[np.ndarray], float]) -> bool:
    """Check ``perplexity(probabilities) -> float``: exp of the mean negative log-probability."""
    from ..lm import perplexity

    def body() -> None:
        cases = [np.full(10, 1 / 48), np.ones(5), np.array([0.5, 0.125]), np.random.default_rng(1).uniform(0.01, 1, 50)]
        for p in cases:
            got = call(fn, p.copy())
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
                raise Fail(f"for probabilities {np.round(p[:4], 4).tolist()}{'…' if len(p) > 4 else ''}: {problem}"
                            f"{hint} Perplexity = exp(-mean(log p)); a uniform guess over 48 tokens gives 48.")

    return run("perplexity", body)


def check_bigram_probability(fn: Callable[..., float]) -> bool:
    """Check ``bigram_probability(counts, previous, token, vocabulary)`` with add-one smoothing."""
    from ..lm import bigram_probability

    def body() -> None:
        counts = {("t", "h"): 5, ("h", "e"): 4, ("t", "o"): 1, ("e", " "): 3, (" ", "t"): 2}
        vocabulary = ["t", "h", "e", "o", " "]
        for prev, tok in (("t", "h"), ("t", "e"), ("h", "e"), ("o", "t"), (" ", "t")):
            got = call(fn, dict(counts), prev, tok, list(vocabulary))
            expected = bigram_probability(counts, prev, tok, vocabulary)
            problem = compare_arrays(got, np.float64(expected), f"P({tok!r} | {prev!r})", atol=1e-9)
            if problem:
                raise Fail(problem + " Add-one: (count(previous, token) + 1) / (count of pairs starting with "
                            "previous + V), with V the vocabulary size; a never-seen previous gives 1 / V.")
        total = sum(call(fn, dict(counts), "t", v, list(vocabulary)) for v in vocabulary)
        if not np.isclose(total, 1.0):
            raise Fail(f"P(· | 't') sums to {total:.4f} over the vocabulary, should be 1.")

    return run("bigram_probability", body)


def check_sample_with_temperature(fn: Callable[[np.ndarray, float, np.random.Generator], int]) -> bool:
    """Check ``sample_with_temperature(logits, temperature, rng) -> int``: a draw from
    ``softmax(logits / temperature)`` using the given NumPy generator."""

    def body() -> None:
        logits = np.log(np.array([0.1, 0.2, 0.7]))
        for temperature in (1.0, 0.5, 2.0):
            scaled = np.exp(logits / temperature)
            expected = scaled / scaled.sum()
            draws = [call(fn, logits.copy(), temperature, np.random.default_rng(i)) for i in range(3000)]
            if not all(isinstance(d, (int, np.integer)) and 0 <= d < 3 for d in draws):
                raise Fail(f"return one token id (an int in 0..2), got e.g. {draws[0]!r}.")
            freq = np.bincount(np.array(draws, dtype=int), minlength=3) / len(draws)
            if np.abs(freq - expected).max() > 0.04:
                raise Fail(f"at temperature {temperature} the draws' frequencies are {np.round(freq, 3).tolist()}, "
                            f"expected about {np.round(expected, 3).tolist()}. Divide the logits by the temperature, "
                            "then softmax, then rng.choice(len(p), p=p).")
        pairs = [(call(fn, logits.copy(), 1.0, np.random.default_rng(s)),
                  call(fn, logits.copy(), 1.0, np.random.default_rng(s))) for s in range(20)]
        if any(a != b for a, b in pairs):
            raise Fail("two calls with generators seeded alike gave different tokens: draw with the `rng` you are "
                        "given (rng.choice), not np.random.")

    return run("sample_with_temperature", body)
