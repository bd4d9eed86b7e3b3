"""Checks for chapter 01: text vectorization and embeddings."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..data import WordVectors, build_embedding_matrix
from ._core import Fail, call, compare_arrays, run


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
            got = call(fn, list(tokens), dict(vocab))
            problem = compare_arrays(got, _one_hot_reference(tokens, vocab), f"encoding of {tokens}")
            if problem:
                raise Fail(problem)

    return run("one_hot_encode", body)


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
            got = call(fn, x.copy(), y.copy())
            expected = float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))
            problem = compare_arrays(got, np.asarray(expected), f"similarity of {np.round(x[:3], 2)}… and {np.round(y[:3], 2)}…")
            if problem:
                raise Fail(problem)

    return run("cosine_similarity", body)


def _neighbours_reference(word: str, vectors: WordVectors, k: int) -> list[str]:
    unit = vectors.vectors / np.linalg.norm(vectors.vectors, axis=1, keepdims=True)
    sims = unit @ unit[vectors.index[word]]
    sims[vectors.index[word]] = -np.inf
    return [vectors.words[i] for i in np.argsort(-sims, kind="stable")[:k]]


def check_nearest_neighbours(fn: Callable[[str, WordVectors, int], list[str]], vectors: WordVectors) -> bool:
    """Check ``nearest_neighbours(word, vectors, k)``: the k most cosine-similar other words."""

    def body() -> None:
        for word, k in (("movie", 5), ("good", 3), ("paris", 4)):
            got = call(fn, word, vectors, k)
            expected = _neighbours_reference(word, vectors, k)
            if not isinstance(got, (list, tuple)):
                raise Fail(f"expected a list of {k} words, got {type(got).__name__}.")
            got = list(got)
            if word in got:
                raise Fail(f"the neighbours of {word!r} include {word!r} itself: leave the query word out.")
            if len(got) != k:
                raise Fail(f"asked for k={k} neighbours of {word!r}, got {len(got)}.")
            if got != expected:
                raise Fail(f"neighbours of {word!r}: got {got}, expected {expected} (most similar first).")

    return run("nearest_neighbours", body)


def check_embedding_matrix(fn: Callable[[list[str], WordVectors], np.ndarray], vectors: WordVectors) -> bool:
    """Check ``make_embedding_matrix(vocabulary, vectors)`` against the reference builder."""
    vocabulary = ["", "[UNK]", "the", "movie", "was", "zzzunknownzzz", "great", "boring"]

    def body() -> None:
        got = call(fn, list(vocabulary), vectors)
        expected = build_embedding_matrix(vocabulary, vectors, verbose=False).matrix
        problem = compare_arrays(got, expected, "embedding matrix")
        if problem:
            hint = " Rows for '', '[UNK]' and words without a vector must be all zeros." if "index" in problem else ""
            raise Fail(problem + hint)

    return run("make_embedding_matrix", body)
