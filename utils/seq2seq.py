"""Sequence-to-sequence helpers (chapter 07): a generated date-format dataset, character and
word vocabularies with special tokens, greedy decoding and exact-match accuracy.

The date task maps many human formats to ISO 8601::

    "Wednesday, 3 March 2021"  ->  "2021-03-03"
    "3/3/21"                   ->  "2021-03-03"

Dates are drawn from 1950-01-01 … 2049-12-31, so a two-digit year is never ambiguous
(50–99 → 19xx, 00–49 → 20xx). Splits are disjoint by *date*: a test date never appears in
training in any format.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FIRST_DAY, LAST_DAY = dt.date(1950, 1, 1), dt.date(2049, 12, 31)


def _ordinal(d: int) -> str:
    return f"{d}{'th' if 11 <= d % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')}"


#: Each format turns a date into one human spelling (English month and weekday names, no locale).
DATE_FORMATS: dict[str, Callable[[dt.date], str]] = {
    "March 3, 2021": lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    "Mar 3, 2021": lambda d: f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}",
    "3 March 2021": lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "3 MAR 2021": lambda d: f"{d.day} {MONTHS[d.month - 1][:3].upper()} {d.year}",
    "Wednesday, 3 March 2021": lambda d: f"{WEEKDAYS[d.weekday()]}, {d.day} {MONTHS[d.month - 1]} {d.year}",
    "Wed, Mar 3, 2021": lambda d: f"{WEEKDAYS[d.weekday()][:3]}, {MONTHS[d.month - 1][:3]} {d.day}, {d.year}",
    "the 3rd of March, 2021": lambda d: f"the {_ordinal(d.day)} of {MONTHS[d.month - 1]}, {d.year}",
    "3/3/21": lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}",
    "03/03/2021": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}",
    "3.3.2021": lambda d: f"{d.day}.{d.month}.{d.year}",
    "march 3 2021": lambda d: f"{MONTHS[d.month - 1].lower()} {d.day} {d.year}",
    "20210303": lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
}


@dataclass(frozen=True)
class DatePairs:
    """Human date strings, their ISO targets and the format each was written in."""

    source: list[str]
    target: list[str]
    format: list[str]

    def __len__(self) -> int:
        return len(self.source)


def make_date_splits(n_train: int, n_val: int, n_test: int, seed: int = 0,
                     formats: Sequence[str] | None = None) -> tuple[DatePairs, DatePairs, DatePairs]:
    """Three splits of (human date, ISO date) pairs, disjoint by date, each date in one random
    format (drawn uniformly from ``formats``, default all of :data:`DATE_FORMATS`)."""
    formats = list(formats or DATE_FORMATS)
    unknown = set(formats) - set(DATE_FORMATS)
    if unknown:
        raise ValueError(f"unknown date formats {sorted(unknown)}; choose from {list(DATE_FORMATS)}.")
    total = n_train + n_val + n_test
    days = (LAST_DAY - FIRST_DAY).days + 1
    if min(n_train, n_val, n_test) < 0 or total > days:
        raise ValueError(f"need 0 ≤ sizes and n_train + n_val + n_test ≤ {days:,} distinct dates, got {total:,}.")
    rng = np.random.default_rng(seed)
    offsets = rng.choice(days, size=total, replace=False)
    chosen = rng.integers(0, len(formats), size=total)
    dates = [FIRST_DAY + dt.timedelta(days=int(o)) for o in offsets]
    pairs = [(DATE_FORMATS[formats[f]](d), d.isoformat(), formats[f]) for d, f in zip(dates, chosen)]
    bounds = np.cumsum([0, n_train, n_val, n_test])
    return tuple(DatePairs(*map(list, zip(*pairs[a:b]))) if b > a else DatePairs([], [], [])
                 for a, b in itertools.pairwise(bounds))


PAD, START, END = "<pad>", "<s>", "</s>"


class Vocabulary:
    """Tokens ↔ ids with ``<pad>`` = 0, ``<s>`` = 1, ``</s>`` = 2 and the tokens after them.

    ``Vocabulary.of_chars(texts)`` builds a character vocabulary, ``of_words`` a word one
    (from pre-split token lists). Unknown tokens at encoding time raise a clear error unless
    the vocabulary was built with ``unknown=True`` (then they map to ``<unk>``).
    """

    def __init__(self, tokens: Iterable[str], unknown: bool = False) -> None:
        specials = [PAD, START, END] + (["<unk>"] if unknown else [])
        self.tokens = specials + sorted(set(tokens) - set(specials))
        self.index = {t: i for i, t in enumerate(self.tokens)}
        self.unknown = unknown

    @classmethod
    def of_chars(cls, texts: Iterable[str], unknown: bool = False) -> Vocabulary:
        return cls((c for t in texts for c in t), unknown)

    @classmethod
    def of_words(cls, sentences: Iterable[Sequence[str]], min_count: int = 1) -> Vocabulary:
        counts: dict[str, int] = {}
        for sentence in sentences:
            for w in sentence:
                counts[w] = counts.get(w, 0) + 1
        return cls((w for w, c in counts.items() if c >= min_count), unknown=True)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def pad(self) -> int:
        return 0

    @property
    def start(self) -> int:
        return 1

    @property
    def end(self) -> int:
        return 2

    def ids(self, tokens: Iterable[str]) -> list[int]:
        out = []
        for t in tokens:
            if t in self.index:
                out.append(self.index[t])
            elif self.unknown:
                out.append(self.index["<unk>"])
            else:
                raise ValueError(f"token {t!r} is not in the vocabulary (build it from the training data, "
                                 "or with unknown=True to map unseen tokens to <unk>).")
        return out

    def encode(self, sequences: Sequence[Iterable[str]], length: int, start: bool = False,
               end: bool = False) -> np.ndarray:
        """Integer matrix (len(sequences), length), padded with 0 at the end; optionally with
        ``<s>`` in front and ``</s>`` behind. A sequence too long for ``length`` raises."""
        out = np.zeros((len(sequences), length), dtype="int32")
        for row, seq in enumerate(sequences):
            ids = ([self.start] if start else []) + self.ids(seq) + ([self.end] if end else [])
            if len(ids) > length:
                raise ValueError(f"sequence {row} has {len(ids)} tokens, more than length={length}.")
            out[row, :len(ids)] = ids
        return out

    def decode(self, ids: Iterable[int], join: str = "") -> str:
        """Tokens up to the first ``</s>``, without padding and ``<s>``."""
        out = []
        for i in ids:
            i = int(i)
            if i == self.end:
                break
            if i not in (self.pad, self.start):
                out.append(self.tokens[i])
        return join.join(out)


def teacher_forcing(targets: np.ndarray, end: int = 2, pad: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split ``<s> y1 … yn </s>`` rows into decoder inputs ``<s> y1 … yn`` and decoder targets
    ``y1 … yn </s>`` (teacher forcing: the decoder reads the true previous token)."""
    targets = np.asarray(targets)
    decoder_in = targets[:, :-1].copy()
    decoder_in[decoder_in == end] = pad  # the end token is never an input
    return decoder_in, targets[:, 1:]


def greedy_decode(step: Callable[[np.ndarray, object], tuple[np.ndarray, object]], state: object,
                  batch: int, start: int, end: int, max_length: int) -> np.ndarray:
    """Greedy decoding: feed ``<s>``, take the arg-max token, feed it back, until every row has
    produced ``</s>`` or ``max_length`` tokens. ``step(tokens (batch,), state)`` returns
    ``(logits (batch, vocab), new_state)``. Returns (batch, max_length) ids, 0 after ``</s>``."""
    tokens = np.full(batch, start, dtype="int32")
    out = np.zeros((batch, max_length), dtype="int32")
    done = np.zeros(batch, dtype=bool)
    for t in range(max_length):
        logits, state = step(tokens, state)
        tokens = np.asarray(logits).argmax(axis=-1).astype("int32")
        out[:, t] = np.where(done, 0, tokens)
        done |= tokens == end
        if done.all():
            break
    return out


def exact_match(predictions: Sequence[str], references: Sequence[str]) -> float:
    """The fraction of predictions equal to their reference, character for character."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references.")
    if not references:
        raise ValueError("no references: exact match of an empty set is undefined.")
    return float(np.mean([p == r for p, r in zip(predictions, references)]))
