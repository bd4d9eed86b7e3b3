"""Character-level language modelling helpers (chapter 08): corpus, n-gram baselines,
perplexity, truncated-BPTT batches and sampling.

A language model gives ``P(w_t | w_1 … w_{t-1})``; by the chain rule the probability of a
whole text is the product of these, and the loss is the mean per-token cross-entropy
``-mean(log P(w_t | …))``. **Perplexity** is ``exp(loss)``: a model as unsure as a uniform
choice among ``k`` tokens has perplexity ``k``.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from . import smoke
from ._validate import INTEGER, as_array, check_ids, check_real, check_str
from .config import _check_int

#: The characters the course's corpus keeps (after lower-casing); everything else is dropped.
ALPHABET = " abcdefghijklmnopqrstuvwxyz0123456789.,;:!?'\"()-\n"


def clean_text(text: str) -> str:
    """Lower-case a raw review, turn HTML line breaks into newlines, drop characters outside
    :data:`ALPHABET` and collapse runs of spaces.

    Raises:
        TypeError: if ``text`` is not a str.
    """
    check_str("text", text)
    text = text.lower().replace("<br />", "\n").replace("<br/>", "\n")
    text = "".join(c for c in text if c in ALPHABET)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n\s*", "\n", text).strip()


def char_corpus(texts: Iterable[str]) -> str:
    """One string of cleaned reviews, each ended by a newline.

    Raises:
        TypeError: if ``texts`` is one str (it would be read character by character) or holds
            something that is not a str.
    """
    if isinstance(texts, str | bytes) or not isinstance(texts, Iterable):
        raise TypeError(f"texts must be a list of str (one review each), got {type(texts).__name__}"
                        + (": wrap a single text in a list, [text]." if isinstance(texts, str) else "."))
    out = []
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts must hold only str, got {t!r} ({type(t).__name__}) at position {i}.")
        out.append(clean_text(t) + "\n")
    return "".join(out)


@dataclass(frozen=True)
class CharVocabulary:
    """Maps characters to ids 0 … ``size - 1`` in :data:`ALPHABET` order and back.

    There is no unknown-character id: :meth:`encode` refuses a character outside ``chars``
    (clean the text with :func:`clean_text` first) and :meth:`decode` an id outside
    ``[0, size)``.

    Raises:
        TypeError: if ``chars`` is not a str.
        ValueError: if ``chars`` is empty or repeats a character.
    """

    chars: str = ALPHABET

    def __post_init__(self) -> None:
        check_str("chars", self.chars, allow_empty=False)
        if len(set(self.chars)) != len(self.chars):
            repeated = next(c for i, c in enumerate(self.chars) if c in self.chars[:i])
            raise ValueError(f"chars must not repeat a character (each needs one id), got {repeated!r} twice.")

    @property
    def size(self) -> int:
        """The number of ids, ``len(chars)``."""
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Ids of ``text`` (int32).

        Raises:
            TypeError: if ``text`` is not a str.
            ValueError: naming the first character that is not in the vocabulary.
        """
        check_str("text", text)
        table = {c: i for i, c in enumerate(self.chars)}
        try:
            return np.fromiter((table[c] for c in text), dtype=np.int32, count=len(text))
        except KeyError as exc:
            raise ValueError(f"character {exc.args[0]!r} (position {text.index(exc.args[0])} of text) is not in "
                             "the vocabulary; clean the text with utils.lm.clean_text first.") from None

    def decode(self, ids: Iterable[int]) -> str:
        """The text of a 1-D sequence of ids (a list or an integer array).

        Raises:
            TypeError: if ``ids`` is not a sequence of integers.
            ValueError: if an id is outside ``[0, size)`` (``-1`` does not mean the last character).
        """
        if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
            raise TypeError(f"ids must be a list or 1-D array of integer ids, got {type(ids).__name__}.")
        if isinstance(ids, np.ndarray):
            if ids.size == 0:
                return ""
            array = as_array("ids", ids, 1, "(length,)", kinds=INTEGER)
        else:
            values = list(ids)
            if not values:
                return ""
            bad = next((i for i in values if not isinstance(i, numbers.Integral) or isinstance(i, bool)), None)
            if bad is not None:
                raise TypeError(f"ids must hold integer ids, got {bad!r} ({type(bad).__name__}).")
            array = as_array("ids", values, 1, "(length,)", kinds=INTEGER)
        check_ids("ids", array, self.size)
        return "".join(self.chars[i] for i in array.tolist())


def perplexity(probabilities: Iterable[float]) -> float:
    """``exp(-mean(log p))`` of the probabilities a model gave to the tokens that occurred.

    Raises:
        TypeError: if ``probabilities`` is not a list or array of numbers.
        ValueError: if it is empty or a value is NaN, at most 0 (the perplexity would be
            infinite) or above 1.
    """
    if isinstance(probabilities, str | bytes) or not isinstance(probabilities, Iterable | np.ndarray):
        raise TypeError(f"probabilities must be a list or array of numbers in (0, 1], got "
                        f"{probabilities!r} ({type(probabilities).__name__}).")
    p = as_array("probabilities", probabilities if isinstance(probabilities, np.ndarray) else list(probabilities))
    if p.size == 0:
        raise ValueError("probabilities must be a non-empty list of numbers in (0, 1], got an empty one.")
    p = p.astype(np.float64, copy=False)
    bad = np.isnan(p) | (p <= 0) | (p > 1)
    if bad.any():
        where = int(np.argmax(bad.reshape(-1)))
        value = p.reshape(-1)[where]
        why = " (a probability of 0 makes the perplexity infinite)" if value == 0 else ""
        raise ValueError(f"probabilities must be a non-empty list of numbers in (0, 1], got {value} at position "
                         f"{where}{why}.")
    return float(np.exp(-np.mean(np.log(p))))


class NgramModel:
    """Unigram (``order=1``) or bigram (``order=2``) character model with add-``k`` smoothing.

    Bigram: ``P(b | a) = (count(a, b) + k) / (count(a) + k · V)``, so an unseen pair still
    gets a small probability (add-one smoothing is ``k = 1``). ``k`` must be above 0: with
    ``k = 0`` (no smoothing) an unseen pair has probability 0, every text containing one an
    infinite perplexity, and a character never seen first in a pair a row of 0/0.

    ``ids`` (1-D integers in ``[0, vocabulary_size)``, at least ``order`` of them) is the
    training stream.

    Raises:
        TypeError: if ``ids`` is not an integer array or a number has the wrong type.
        ValueError: if ``order`` is not 1 or 2, ``k <= 0``, ``vocabulary_size < 1``, an id is
            out of range or there are fewer than ``order`` ids.
    """

    def __init__(self, ids: np.ndarray, vocabulary_size: int, order: int = 2, k: float = 1.0) -> None:
        _check_int("order", order)
        if order not in (1, 2):
            raise ValueError(f"order must be 1 (unigram) or 2 (bigram), got {order}.")
        _check_int("vocabulary_size", vocabulary_size, minimum=1)
        k = check_real("k", k, minimum=0, strict=True)
        ids = self._ids(ids, vocabulary_size, order, "to count from")
        self.order, self.k, self.size = order, k, vocabulary_size
        if order == 1:
            counts = np.bincount(ids, minlength=vocabulary_size).astype(np.float64)
            self.table = (counts + k) / (counts.sum() + k * vocabulary_size)
        else:
            counts = np.zeros((vocabulary_size, vocabulary_size))
            np.add.at(counts, (ids[:-1], ids[1:]), 1)
            self.table = (counts + k) / (counts.sum(axis=1, keepdims=True) + k * vocabulary_size)

    @staticmethod
    def _ids(ids: object, size: int, minimum: int, purpose: str) -> np.ndarray:
        """``ids`` as a 1-D integer array of at least ``minimum`` ids in ``[0, size)``."""
        array = as_array("ids", ids, 1, "(tokens,)", kinds=INTEGER)
        if len(array) < minimum:
            raise ValueError(f"ids must hold at least {minimum} token{'s' if minimum > 1 else ''} {purpose}, "
                             f"got {len(array)}.")
        check_ids("ids", array, size)
        return array

    def probabilities(self, ids: np.ndarray) -> np.ndarray:
        """The probability of each token of ``ids`` after the first, given the one before.

        Raises:
            TypeError/ValueError: unless ``ids`` is a 1-D integer array of at least 2 ids in
                ``[0, vocabulary_size)`` (the first token only conditions the second).
        """
        ids = self._ids(ids, self.size, 2, "(the first one only conditions the second)")
        return self.table[ids[1:]] if self.order == 1 else self.table[ids[:-1], ids[1:]]

    def perplexity(self, ids: np.ndarray) -> float:
        """The model's perplexity on ``ids`` (the same rules as :meth:`probabilities`)."""
        return perplexity(self.probabilities(ids))


def bigram_probability(counts: dict[tuple[str, str], int], previous: str, token: str,
                       vocabulary: Iterable[str], k: float = 1.0) -> float:
    """Reference for the exercise: add-``k`` smoothed ``P(token | previous)`` from pair counts.

    ``counts`` maps ``(previous, token)`` pairs to counts; ``vocabulary`` is every token
    (a list, or a str of characters).

    Raises:
        TypeError: if ``counts`` is not a mapping or ``k`` not a number.
        ValueError: if ``vocabulary`` is empty, ``previous`` or ``token`` is not in it, or ``k <= 0``.
    """
    if not isinstance(counts, Mapping):
        raise TypeError(f"counts must be a dict of (previous, token) pairs to counts, got {type(counts).__name__}.")
    if not isinstance(vocabulary, Iterable):
        raise TypeError(f"vocabulary must be a list of tokens, got {type(vocabulary).__name__}.")
    k = check_real("k", k, minimum=0, strict=True)
    vocabulary = list(vocabulary)
    if not vocabulary:
        raise ValueError("vocabulary must hold at least one token, got an empty one.")
    known = set(vocabulary)
    for name, value in (("previous", previous), ("token", token)):
        if value not in known:
            raise ValueError(f"{name} must be a token of the vocabulary ({len(known)} tokens), got {value!r}.")
    row = sum(counts.get((previous, v), 0) for v in vocabulary)
    return (counts.get((previous, token), 0) + k) / (row + k * len(vocabulary))


def stream_batches(ids: np.ndarray, batch_size: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """Arrange a token stream for truncated BPTT with a carried state: :func:`stream_layout`.

    In smoke mode (:mod:`utils.smoke`, the test suite's run of the student notebooks) only its
    first ``STEPS + 1`` chunks, so that chapter 08's hand-written training loops are cut like ``fit()``.

    Raises:
        TypeError, ValueError: as :func:`stream_layout`.
    """
    x, y = stream_layout(ids, batch_size, chunk)
    if smoke.is_smoke():
        x, y = x[: smoke.STEPS + 1], y[: smoke.STEPS + 1]
    return x, y


def stream_layout(ids: np.ndarray, batch_size: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """Arrange a token stream for truncated BPTT with a carried state.

    The stream is cut into ``batch_size`` equal, contiguous lanes; lane ``b`` of chunk ``j``
    continues lane ``b`` of chunk ``j - 1``. Returns ``(x, y)`` of shape
    ``(n_chunks, batch_size, chunk)`` where ``y`` is ``x`` shifted by one token.

    Raises:
        TypeError: if ``ids`` is not a 1-D integer array or a size not an integer.
        ValueError: if a size is below 1 or there are too few tokens for one chunk per lane.
    """
    ids = as_array("ids", ids, 1, "(tokens,)", kinds=INTEGER)
    _check_int("batch_size", batch_size, minimum=1)
    _check_int("chunk", chunk, minimum=1)
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
    ``top_k`` most likely tokens. ``temperature`` → 0 approaches the arg-max.

    ``logits`` is 1-D (one score per token; a (1, V) array is flattened). A logit of ``-inf``
    means probability 0; NaN and ``+inf`` are refused.

    Raises:
        TypeError: if ``logits`` is not numeric, ``temperature`` not a number, ``top_k`` not an
            integer or ``rng`` not a ``np.random.Generator``.
        ValueError: if ``logits`` is empty, holds NaN or ``+inf`` or only ``-inf``,
            ``temperature <= 0`` or ``top_k`` is not in ``[1, len(logits)]``.
    """
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
        raise TypeError(f"temperature must be a number > 0, got {temperature!r} ({type(temperature).__name__}).")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}.")
    check_real("temperature", temperature)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator (np.random.default_rng(seed)) or None, got "
                        f"{type(rng).__name__}.")
    logits = as_array("logits", logits)
    if logits.size == 0 or (logits.ndim > 1 and logits.size != max(logits.shape)):
        raise ValueError(f"logits must be a non-empty 1-D array (one score per token), got shape {logits.shape}.")
    flat = logits.reshape(-1)
    if np.isnan(flat).any() or (flat == np.inf).any() or not np.isfinite(flat).any():
        raise ValueError("logits must be finite numbers (-inf allowed for a token that must not be drawn, but not "
                         f"every one), got {flat[~np.isfinite(flat)][:3].tolist()} among them.")
    _check_int("top_k", top_k, minimum=1, maximum=flat.size, allow_none=True)
    rng = rng if rng is not None else np.random.default_rng()
    z = flat.astype(np.float64) / temperature
    if top_k is not None:
        cut = np.sort(z)[-top_k]
        z = np.where(z >= cut, z, -np.inf)
    p = np.exp(z - z.max())
    p /= p.sum()
    return int(rng.choice(len(p), p=p))


def consecutive_batches(ids: np.ndarray, batch_size: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """The layout that breaks a carried state, for comparison with :func:`stream_batches`: the
    stream is cut into consecutive chunks and every ``batch_size`` of them form one batch, so
    row ``b`` of batch ``j + 1`` is *not* the continuation of row ``b`` of batch ``j`` (it
    continues row ``b`` of batch ``j`` only after ``batch_size - 1`` other chunks). Same shapes
    and the same number of chunks as :func:`stream_batches`, ``y`` is ``x`` shifted by one.

    Raises:
        TypeError, ValueError: as :func:`stream_batches`.
    """
    ids = as_array("ids", ids, 1, "(tokens,)", kinds=INTEGER)
    _check_int("batch_size", batch_size, minimum=1)
    _check_int("chunk", chunk, minimum=1)
    n_chunks = ((len(ids) - 1) // batch_size) // chunk
    if n_chunks == 0:
        raise ValueError(f"{len(ids)} tokens are too few for {batch_size} lanes of at least one chunk of {chunk}.")
    usable = n_chunks * batch_size * chunk
    return (ids[:usable].reshape(n_chunks, batch_size, chunk).copy(),
            ids[1:usable + 1].reshape(n_chunks, batch_size, chunk).copy())
