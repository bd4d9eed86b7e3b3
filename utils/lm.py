"""Character-level language modelling helpers (chapter 08): corpus, n-gram baselines,
perplexity, truncated-BPTT batches and sampling.

A language model gives ``P(w_t | w_1 … w_{t-1})``; by the chain rule the probability of a
whole text is the product of these, and the loss is the mean per-token cross-entropy
``-mean(log P(w_t | …))``. **Perplexity** is ``exp(loss)``: a model as unsure as a uniform
choice among ``k`` tokens has perplexity ``k``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: The characters the course's corpus keeps (after lower-casing); everything else is dropped.
ALPHABET = " abcdefghijklmnopqrstuvwxyz0123456789.,;:!?'\"()-\n"


def clean_text(text: str) -> str:
    """Lower-case a raw review, turn HTML line breaks into newlines, drop characters outside
    :data:`ALPHABET` and collapse runs of spaces."""
    text = text.lower().replace("<br />", "\n").replace("<br/>", "\n")
    text = "".join(c for c in text if c in ALPHABET)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n\s*", "\n", text).strip()


def char_corpus(texts: Iterable[str]) -> str:
    """One string of cleaned reviews, each ended by a newline."""
    return "".join(clean_text(t) + "\n" for t in texts)


@dataclass(frozen=True)
class CharVocabulary:
    """Maps characters to ids 0 … ``size - 1`` in :data:`ALPHABET` order and back."""

    chars: str = ALPHABET

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Ids of ``text`` (int32); an unknown character raises a ``ValueError`` naming it."""
        table = {c: i for i, c in enumerate(self.chars)}
        try:
            return np.fromiter((table[c] for c in text), dtype=np.int32, count=len(text))
        except KeyError as exc:
            raise ValueError(f"character {exc.args[0]!r} is not in the vocabulary; clean the text with "
                             "utils.lm.clean_text first.") from None

    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.chars[int(i)] for i in ids)


def perplexity(probabilities: Iterable[float]) -> float:
    """``exp(-mean(log p))`` of the probabilities a model gave to the tokens that occurred."""
    p = np.asarray(list(probabilities) if not isinstance(probabilities, np.ndarray) else probabilities,
                   dtype=np.float64)
    if p.size == 0 or np.any(p <= 0) or np.any(p > 1):
        raise ValueError("probabilities must be a non-empty list of numbers in (0, 1].")
    return float(np.exp(-np.mean(np.log(p))))


class NgramModel:
    """Unigram (``order=1``) or bigram (``order=2``) character model with add-``k`` smoothing.

    Bigram: ``P(b | a) = (count(a, b) + k) / (count(a) + k · V)``, so an unseen pair still
    gets a small probability (add-one smoothing is ``k = 1``).
    """

    def __init__(self, ids: np.ndarray, vocabulary_size: int, order: int = 2, k: float = 1.0) -> None:
        if order not in (1, 2):
            raise ValueError(f"order must be 1 (unigram) or 2 (bigram), got {order}.")
        ids = np.asarray(ids)
        self.order, self.k, self.size = order, k, vocabulary_size
        if order == 1:
            counts = np.bincount(ids, minlength=vocabulary_size).astype(np.float64)
            self.table = (counts + k) / (counts.sum() + k * vocabulary_size)
        else:
            counts = np.zeros((vocabulary_size, vocabulary_size))
            np.add.at(counts, (ids[:-1], ids[1:]), 1)
            self.table = (counts + k) / (counts.sum(axis=1, keepdims=True) + k * vocabulary_size)

    def probabilities(self, ids: np.ndarray) -> np.ndarray:
        """The probability of each token of ``ids`` after the first, given the one before."""
        ids = np.asarray(ids)
        return self.table[ids[1:]] if self.order == 1 else self.table[ids[:-1], ids[1:]]

    def perplexity(self, ids: np.ndarray) -> float:
        return perplexity(self.probabilities(ids))


def bigram_probability(counts: dict[tuple[str, str], int], previous: str, token: str,
                       vocabulary: Iterable[str], k: float = 1.0) -> float:
    """Reference for the exercise: add-``k`` smoothed ``P(token | previous)`` from pair counts."""
    vocabulary = list(vocabulary)
    row = sum(counts.get((previous, v), 0) for v in vocabulary)
    return (counts.get((previous, token), 0) + k) / (row + k * len(vocabulary))


def stream_batches(ids: np.ndarray, batch_size: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """Arrange a token stream for truncated BPTT with a carried state.

    The stream is cut into ``batch_size`` equal, contiguous lanes; lane ``b`` of chunk ``j``
    continues lane ``b`` of chunk ``j - 1``. Returns ``(x, y)`` of shape
    ``(n_chunks, batch_size, chunk)`` where ``y`` is ``x`` shifted by one token.
    """
    ids = np.asarray(ids)
    lane = (len(ids) - 1) // batch_size
    n_chunks = lane // chunk
    if n_chunks == 0:
        raise ValueError(f"{len(ids)} tokens are too few for {batch_size} lanes of at least one chunk of {chunk}.")
    usable = n_chunks * chunk
    x = np.stack([ids[b * lane: b * lane + usable] for b in range(batch_size)])
    y = np.stack([ids[b * lane + 1: b * lane + usable + 1] for b in range(batch_size)])
    return (x.reshape(batch_size, n_chunks, chunk).transpose(1, 0, 2),
            y.reshape(batch_size, n_chunks, chunk).transpose(1, 0, 2))


def sample_logits(logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None,
                  rng: np.random.Generator | None = None) -> int:
    """Draw one token id from ``softmax(logits / temperature)``, optionally restricted to the
    ``top_k`` most likely tokens. ``temperature`` → 0 approaches the arg-max."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}.")
    rng = rng if rng is not None else np.random.default_rng()
    z = np.asarray(logits, dtype=np.float64).reshape(-1) / temperature
    if top_k is not None:
        cut = np.sort(z)[-top_k]
        z = np.where(z >= cut, z, -np.inf)
    p = np.exp(z - z.max())
    p /= p.sum()
    return int(rng.choice(len(p), p=p))

