"""Sequence-to-sequence helpers (chapter 07): a generated date-format dataset, character and
word vocabularies with special tokens, Unicode word tokens and detokenization, the chapter's
GRU encoder–decoder (:func:`seq2seq`, optionally peeky and with attention), greedy decoding
(:func:`greedy_decode`, :func:`translate`, one step at a time with :class:`IncrementalDecoder`), exact match and corpus BLEU.

The date task maps many human formats to ISO 8601::

    "Wednesday, 3 March 2021"  ->  "2021-03-03"
    "3/3/21"                   ->  "2021-03-03"

Dates are drawn from 1950-01-01 … 2049-12-31, so a two-digit year is never ambiguous
(50–99 → 19xx, 00–49 → 20xx). Splits are disjoint by *date*: a test date never appears in
training in any format.

The same pipeline translates sentences of any language pair given as ``source<TAB>target``
lines (see ``utils.data``)::

    tokens = word_tokens("¿Quién está aquí?")            # ['¿', 'quién', 'está', 'aquí', '?']
    model = seq2seq(attention=keras.layers.Attention(name="attention"),
                    src_size=len(en_vocab), tgt_size=len(es_vocab), units=64, embed=32)
    hypotheses = [detokenize(h.split(" ")) for h in translate(model, x, es_vocab, 12, join=" ")]
    corpus_bleu(hypotheses, references, lowercase=True).score
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
from keras import ops

from ._validate import check_real
from .config import _check_bool, _check_int, _check_seed

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


def _check_strings(name: str, value: object, example: str) -> list[str]:
    """Return ``value`` as a list of str; TypeError unless it is a sequence of str (not one str)."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of str such as {example}, got {value!r} ({type(value).__name__}).")
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{i}] must be a str, got {item!r} ({type(item).__name__}).")
    return items


def _check_not_text(name: str, value: object, example: str) -> None:
    """TypeError when ``value`` is one str (or bytes) or not iterable, where a list is expected."""
    if isinstance(value, str | bytes):
        raise TypeError(f"{name} must be a list of sequences, got one {type(value).__name__} {value!r}: "
                        f"wrap it in a list, e.g. {example}.")
    if not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list such as {example}, got {value!r} ({type(value).__name__}).")


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
    format (drawn uniformly from ``formats``, default all of :data:`DATE_FORMATS`).

    Raises:
        TypeError: a size or ``seed`` that is not an integer, or ``formats`` not a list of str.
        ValueError: a negative size, more dates than the 100 years hold, a bad seed or an
            unknown format.
    """
    for name, value in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)):
        _check_int(name, value, minimum=0)
    _check_seed("seed", seed)
    if formats is not None:
        _check_strings("formats", formats, 'formats=["3/3/21", "20210303"]')
    formats = list(formats or DATE_FORMATS)
    unknown = set(formats) - set(DATE_FORMATS)
    if unknown:
        raise ValueError(f"unknown date formats {sorted(unknown)}; choose from {list(DATE_FORMATS)}.")
    total = n_train + n_val + n_test
    days = (LAST_DAY - FIRST_DAY).days + 1
    if total > days:
        raise ValueError(f"need n_train + n_val + n_test ≤ {days:,} distinct dates, got {total:,}: "
                         "ask for fewer dates.")
    rng = np.random.default_rng(seed)
    offsets = rng.choice(days, size=total, replace=False)
    chosen = rng.integers(0, len(formats), size=total)
    dates = [FIRST_DAY + dt.timedelta(days=int(o)) for o in offsets]
    pairs = [(DATE_FORMATS[formats[f]](d), d.isoformat(), formats[f]) for d, f in zip(dates, chosen)]
    bounds = np.cumsum([0, n_train, n_val, n_test])
    return tuple(DatePairs(*map(list, zip(*pairs[a:b]))) if b > a else DatePairs([], [], [])
                 for a, b in itertools.pairwise(bounds))


PAD, START, END, UNK = "<pad>", "<s>", "</s>", "<unk>"


class Vocabulary:
    """Tokens ↔ ids with ``<pad>`` = 0, ``<s>`` = 1, ``</s>`` = 2 and the tokens after them.

    ``Vocabulary.of_chars(texts)`` builds a character vocabulary, ``of_words`` a word one
    (from pre-split token lists, e.g. :func:`word_tokens`). Unknown tokens at encoding time
    raise a clear error unless the vocabulary was built with ``unknown=True`` (then they map
    to ``<unk>``, id 3).

    Raises:
        TypeError: ``tokens`` is one str instead of an iterable of tokens, holds a non-str,
            or ``unknown`` is not a bool.
    """

    def __init__(self, tokens: Iterable[str], unknown: bool = False) -> None:
        if isinstance(tokens, str | bytes):
            raise TypeError(f"tokens must be an iterable of tokens, got one str {tokens!r}: pass a list of tokens, "
                            "or build a character vocabulary with Vocabulary.of_chars([text]).")
        _check_bool("unknown", unknown)
        tokens = _check_strings("tokens", tokens, '["cat", "dog"]')
        specials = [PAD, START, END] + ([UNK] if unknown else [])
        self.tokens = specials + sorted(set(tokens) - set(specials))
        self.index = {t: i for i, t in enumerate(self.tokens)}
        self.unknown = unknown

    @classmethod
    def of_chars(cls, texts: Iterable[str], unknown: bool = False) -> Vocabulary:
        """The vocabulary of every character in ``texts`` (a list of str).

        Raises:
            TypeError: ``texts`` is one str (wrap it in a list) or holds a non-str.
        """
        _check_not_text("texts", texts, "Vocabulary.of_chars([text])")
        texts = _check_strings("texts", texts, '["2021-03-03", "1999-12-31"]')
        return cls((c for t in texts for c in t), unknown)

    @classmethod
    def of_words(cls, sentences: Iterable[Sequence[str]], min_count: int = 1) -> Vocabulary:
        """A word vocabulary (with ``<unk>``) of the tokens seen at least ``min_count`` times
        in ``sentences``, a list of token lists such as ``[word_tokens(s) for s in texts]``.

        Raises:
            TypeError: ``sentences`` is one str, or a sentence is a str rather than a token list.
            ValueError: ``min_count`` is below 1.
        """
        _check_int("min_count", min_count, minimum=1)
        _check_not_text("sentences", sentences, "[word_tokens(s) for s in texts]")
        counts: dict[str, int] = {}
        for row, sentence in enumerate(sentences):
            if isinstance(sentence, str | bytes) or not isinstance(sentence, Iterable):
                raise TypeError(f"sentences[{row}] must be a list of tokens, got {sentence!r}: split each sentence "
                                "first, e.g. Vocabulary.of_words([word_tokens(s) for s in texts]).")
            for w in sentence:
                if not isinstance(w, str):
                    raise TypeError(f"sentences[{row}] holds {w!r} ({type(w).__name__}); tokens must be str.")
                counts[w] = counts.get(w, 0) + 1
        return cls((w for w, c in counts.items() if c >= min_count), unknown=True)

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        shown = ", ".join(map(repr, self.tokens[:8])) + (", …" if len(self) > 8 else "")
        return f"Vocabulary({len(self)} tokens: {shown})"

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
        """The ids of ``tokens`` (a token list, or a str for a character vocabulary).

        Raises:
            TypeError: a token is not a str.
            ValueError: a token is unknown and the vocabulary has no ``<unk>``.
        """
        if not isinstance(tokens, Iterable):
            raise TypeError(f"tokens must be a list of tokens (or a str of characters), got {tokens!r} "
                            f"({type(tokens).__name__}).")
        out = []
        for t in tokens:
            if t in self.index:
                out.append(self.index[t])
            elif not isinstance(t, str):
                raise TypeError(f"tokens must be str, got {t!r} ({type(t).__name__}).")
            elif self.unknown:
                out.append(self.index[UNK])
            else:
                raise ValueError(f"token {t!r} is not in the vocabulary (build it from the training data, "
                                 "or with unknown=True to map unseen tokens to <unk>).")
        return out

    def encode(self, sequences: Sequence[Iterable[str]], length: int, start: bool = False,
               end: bool = False) -> np.ndarray:
        """Integer matrix (len(sequences), length), padded with 0 at the end; optionally with
        ``<s>`` in front and ``</s>`` behind. ``sequences`` is a list: of str for a character
        vocabulary, of token lists for a word vocabulary. One sequence is ``encode([seq], …)``.

        Raises:
            TypeError: ``sequences`` is one str (not a list of them), or a bad ``length``,
                ``start`` or ``end``.
            ValueError: ``length`` below 1, an unknown token, or a sequence longer than ``length``.
        """
        _check_not_text("sequences", sequences, f"vocab.encode([{sequences!r}], {length!r})")
        _check_int("length", length, minimum=1)
        _check_bool("start", start)
        _check_bool("end", end)
        sequences = list(sequences)
        out = np.zeros((len(sequences), length), dtype="int32")
        for row, seq in enumerate(sequences):
            ids = ([self.start] if start else []) + self.ids(seq) + ([self.end] if end else [])
            if len(ids) > length:
                raise ValueError(f"sequence {row} has {len(ids)} tokens, more than length={length}: "
                                 "raise length or drop the longer sequences.")
            out[row, :len(ids)] = ids
        return out

    def decode(self, ids: Iterable[int], join: str = "") -> str:
        """Tokens up to the first ``</s>``, without padding and ``<s>``, joined with ``join``.
        ``ids`` is one row of ids (decode a matrix row by row).

        Raises:
            TypeError: ``ids`` is not a 1-d sequence of integers, or ``join`` is not a str.
            ValueError: an id outside ``[0, len(vocab))``.
        """
        if not isinstance(join, str):
            raise TypeError(f"join must be a str such as '' or ' ', got {join!r} ({type(join).__name__}).")
        return join.join(self.tokens[i] for i in content_ids(ids, len(self), self.pad, self.start, self.end))


def content_ids(ids: Iterable[int], size: int, pad: int = 0, start: int = 1, end: int = 2) -> list[int]:
    """The ids of one decoded row that carry content: up to the first ``end``, without ``pad`` and
    ``start``. Shared by ``Vocabulary.decode`` and ``utils.transformer.SubwordVocabulary.decode``.

    Raises:
        TypeError: ``ids`` is not a 1-d sequence of integers.
        ValueError: an id outside ``[0, size)``.
    """
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise TypeError(f"ids must be a 1-d sequence of integer ids, got {ids!r} ({type(ids).__name__}).")
    row = np.asarray(list(ids))
    if row.ndim != 1:
        raise TypeError(f"ids must be one row of ids (1-d), got shape {row.shape}: decode a matrix row by row, "
                        "e.g. [vocab.decode(r) for r in matrix].")
    if row.size and row.dtype.kind not in "iu":
        raise TypeError(f"ids must be integers, got dtype {row.dtype}: take the arg-max of logits first, "
                        "e.g. logits.argmax(-1).")
    bad = row[(row < 0) | (row >= size)]
    if bad.size:
        raise ValueError(f"id {int(bad[0])} is outside the vocabulary: valid ids are 0…{size - 1} "
                         f"({size} tokens); was it encoded with another vocabulary?")
    out: list[int] = []
    for i in row.tolist():
        if i == end:
            break
        if i not in (pad, start):
            out.append(i)
    return out


# ----------------------------------------------------------------------------- words


#: A word is a run of letters/digits (any script), with inner apostrophes and a trailing one
#: kept ("don't", "girls'", "pa'"); every other non-space character is a token of its own. On
#: English this is what chapter 07 used before, `[a-z0-9']+|[^\sa-z0-9']`, except that letters
#: of any script stay in their word ("andré", not "andr é"). The typographic apostrophe ’ is a
#: token of its own, as before ("doesn’t" → doesn ’ t), so the chapter's vocabularies are
#: unchanged; :func:`detokenize` glues it back.
WORD_PATTERN = re.compile(r"\w+(?:'\w*)*|[^\w\s]")

_CLOSING = frozenset(".,!?;:)]}»”’%…")   # attach to the token before: no space in front
_OPENING = frozenset("¿¡([{«“‘$")        # attach to the token after: no space behind
_APOSTROPHE, _OPEN_SINGLE = "’", "‘"      # ’ closes a ‘…’ quote, else it is an apostrophe ("doesn’t")
_JOINING = frozenset("-/")                # attach on both sides: "well-known", "24/7"
_IN_NUMBERS = frozenset(":.,")            # inside numbers, on both sides: "3:30", "2.5", "1,000" (not "3, 1950")
_QUOTES = frozenset("\"'")                # straight quotes: alternately opening and closing


def word_tokens(sentence: str, lower: bool = True) -> list[str]:
    """Split ``sentence`` into words and punctuation, keeping Unicode words whole.

    ``"¿Quién está aquí?"`` → ``['¿', 'quién', 'está', 'aquí', '?']``; ``"Don't."`` →
    ``["don't", '.']``. Words are runs of letters and digits in any script (see
    :data:`WORD_PATTERN`), lower-cased unless ``lower=False``. Text without spaces (Chinese,
    Japanese) comes out as long runs: split it into characters instead.

    Raises:
        TypeError: ``sentence`` is not a str, or ``lower`` not a bool.
    """
    if not isinstance(sentence, str):
        raise TypeError(f"sentence must be a str, got {sentence!r} ({type(sentence).__name__}); "
                        "tokenize a list with [word_tokens(s) for s in sentences].")
    _check_bool("lower", lower)
    return WORD_PATTERN.findall(sentence.lower() if lower else sentence)


def detokenize(tokens: Sequence[str]) -> str:
    """Rejoin tokens into text: words separated by spaces, closing punctuation (``. , ! ? ; : )
    » …``) attached to the word before, opening punctuation (``¿ ¡ ( « “ $``) to the word after,
    hyphens and slashes on both sides, ``: . ,`` inside numbers ("3:30", "2.5", "1,000"),
    straight quotes alternately opening and closing, and ’ on both sides between two words
    ("doesn’t") unless it must close a ‘ quote.

    ``detokenize(['¿', 'quién', 'está', 'aquí', '?'])`` → ``'¿quién está aquí?'``; it is the
    inverse of :func:`word_tokens` for ordinary (lower-cased) sentences: on the English and
    Spanish sides of ``spa-eng.zip`` it gives back all but 0.1 % of the sentences exactly
    (abbreviations such as "p.m." and stray spaces before punctuation are the exceptions).

    Raises:
        TypeError: ``tokens`` is one str (split it first) or holds a non-str.
    """
    if isinstance(tokens, str | bytes):
        raise TypeError(f"tokens must be a list of tokens, got one str {tokens!r}: split it first, "
                        "e.g. detokenize(text.split()) or detokenize(word_tokens(text)).")
    tokens = _check_strings("tokens", tokens, '["hola", "!"]')
    out: list[str] = []
    glue_next = True          # no space before the first token
    open_quotes: set[str] = set()
    tokens = [t for t in tokens if t]
    for i, token in enumerate(tokens):
        joining = token in _JOINING or (token in _IN_NUMBERS and 0 < i < len(tokens) - 1
                                        and tokens[i - 1][-1].isdigit() and tokens[i + 1][0].isdigit()
                                        and (token != "," or (len(tokens[i + 1]) == 3 and tokens[i + 1].isdigit())))
        if token in _QUOTES:
            closing = token in open_quotes
            open_quotes ^= {token}
        else:
            closing = token in _CLOSING
        if token == _OPEN_SINGLE:
            open_quotes.add(token)
        elif token == _APOSTROPHE:   # between two words an apostrophe, unless it must close a ‘
            between_words = 0 < i < len(tokens) - 1 and tokens[i - 1][-1].isalnum() and tokens[i + 1][0].isalnum()
            last = _APOSTROPHE not in tokens[i + 1:]
            joining = between_words and not (_OPEN_SINGLE in open_quotes and last)
            if not joining:
                open_quotes.discard(_OPEN_SINGLE)
        opening = (token in _QUOTES and not closing) or token in _OPENING
        if not (glue_next or closing or joining):
            out.append(" ")
        out.append(token)
        glue_next = opening or joining
    return "".join(out)


# ----------------------------------------------------------------------------- training data


def teacher_forcing(targets: np.ndarray, end: int = 2, pad: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split ``<s> y1 … yn </s>`` rows into decoder inputs ``<s> y1 … yn`` and decoder targets
    ``y1 … yn </s>`` (teacher forcing: the decoder reads the true previous token).

    Raises:
        TypeError: ``targets`` is not an integer array, or ``end``/``pad`` not integers.
        ValueError: ``targets`` is not 2-d with at least 2 columns, or ``end``/``pad`` negative.
    """
    _check_int("end", end, minimum=0)
    _check_int("pad", pad, minimum=0)
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must be an integer id matrix (from Vocabulary.encode), got dtype {targets.dtype}.")
    if targets.ndim != 2 or targets.shape[1] < 2:
        raise ValueError(f"targets must be a 2-d array (sequences, steps) with at least 2 steps (<s> and </s>), "
                         f"got shape {targets.shape}; encode with start=True, end=True.")
    decoder_in = targets[:, :-1].copy()
    decoder_in[decoder_in == end] = pad  # the end token is never an input
    return decoder_in, targets[:, 1:]


def frequency_baseline_loss(train_targets: np.ndarray, val_targets: np.ndarray, vocabulary_size: int) -> float:
    """The validation cross-entropy (nats per output token) of a decoder that ignores its input and
    predicts every token by its frequency in the training targets (add-one smoothed): the loss a
    trained encoder–decoder must clearly beat to have learned more than the token frequencies.
    Both arguments are encoded ``<s> … </s>`` rows; as in training, the outputs are the tokens
    after ``<s>`` (:func:`teacher_forcing`) and padding is not counted.

    Raises:
        TypeError, ValueError: as :func:`teacher_forcing`; a bad ``vocabulary_size``, ids outside it,
            or no output tokens in ``val_targets``.
    """
    _check_int("vocabulary_size", vocabulary_size, minimum=2)
    train_out, val_out = teacher_forcing(train_targets)[1], teacher_forcing(val_targets)[1]
    train_ids, val_ids = train_out[train_out > 0], val_out[val_out > 0]
    for name, ids in (("train_targets", train_ids), ("val_targets", val_ids)):
        if ids.size and ids.max() >= vocabulary_size:
            raise ValueError(f"{name} holds id {ids.max()}, outside vocabulary_size={vocabulary_size}.")
    if not val_ids.size:
        raise ValueError("val_targets has no output tokens (only <s> and padding).")
    counts = np.bincount(train_ids, minlength=vocabulary_size) + 1.0
    return float(-np.mean(np.log(counts[val_ids] / counts.sum())))


# ----------------------------------------------------------------------------- the model


@keras.saving.register_keras_serializable(package="course")
class Peeky(keras.layers.Layer):
    """Concatenate a (batch, features) context to every step of a (batch, steps, f) sequence:
    the "peeky" decoder of *Deep Learning from Scratch 2* (§7.3.3). Keeps the sequence's mask."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, sequence: Any, context: Any) -> Any:
        repeated = ops.repeat(ops.expand_dims(context, 1), ops.shape(sequence)[1], axis=1)
        return ops.concatenate([sequence, repeated], axis=-1)

    def compute_mask(self, sequence: Any, context: Any, mask: Any = None) -> Any:
        return mask


def seq2seq(peeky: bool = False, attention: keras.layers.Layer | None = None, *, src_size: int, tgt_size: int,
            units: int = 64, embed: int = 32, name: str = "seq2seq") -> keras.Model:
    """The chapter's GRU encoder–decoder, trained with teacher forcing.

    Inputs ``source`` (batch, S) and ``decoder_input`` (batch, T), integer ids with 0 as
    padding (masked); output logits (batch, T, tgt_size). The ``encoder`` GRU's final state is
    the context ``C`` and the ``decoder`` GRU's initial state. ``peeky=True`` also concatenates
    ``C`` to every decoder input and to the output layer's input (:class:`Peeky`).
    ``attention`` (e.g. ``keras.layers.Attention(name="attention")``) is called as
    ``attention([decoder_states, encoder_states])`` and its output concatenated to the decoder
    states before the ``logits`` layer. Layer names (``encoder``, ``decoder``, ``attention``)
    are stable, so that attention maps can read the layers back.

    Raises:
        TypeError: a wrong type for any argument.
        ValueError: a size below its minimum (3 tokens: the vocabularies' special ones) or an
            empty ``name``.
    """
    _check_bool("peeky", peeky)
    if attention is not None and not isinstance(attention, keras.layers.Layer):
        raise TypeError(f"attention must be a Keras layer such as keras.layers.Attention() or None, got "
                        f"{attention!r} ({type(attention).__name__}).")
    _check_int("src_size", src_size, minimum=3)
    _check_int("tgt_size", tgt_size, minimum=3)
    _check_int("units", units, minimum=1)
    _check_int("embed", embed, minimum=1)
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {name!r} ({type(name).__name__}).")
    if not name:
        raise ValueError("name must not be empty: give the model a name such as 'seq2seq'.")
    # the architecture (chapter 07 prints the function from this line on)
    layers = keras.layers
    source = keras.Input((None,), dtype="int32", name="source")            # (batch, S)
    target_in = keras.Input((None,), dtype="int32", name="decoder_input")  # (batch, T)
    x = layers.Embedding(src_size, embed, mask_zero=True, name="source_embedding")(source)
    encoder_states, context = layers.GRU(units, return_sequences=True, return_state=True, name="encoder")(x)
    y = layers.Embedding(tgt_size, embed, mask_zero=True, name="target_embedding")(target_in)
    if peeky:
        y = Peeky(name="peeky_input")(y, context)                            # (batch, T, embed + units)
    decoder_states = layers.GRU(units, return_sequences=True, name="decoder")(y, initial_state=context)
    features = decoder_states                                                # (batch, T, units)
    if attention is not None:
        attended = attention([decoder_states, encoder_states])             # (batch, T, units)
        features = layers.Concatenate(name="with_context")([decoder_states, attended])
    if peeky:
        features = Peeky(name="peeky_output")(features, context)
    logits = layers.Dense(tgt_size, name="logits")(features)                # (batch, T, vocabulary)
    return keras.Model([source, target_in], logits, name=name)


# ----------------------------------------------------------------------------- decoding


Step = Callable[[np.ndarray, Any], tuple[np.ndarray, Any]]


def greedy_decode(step: Step, state: object, batch: int, start: int, end: int, max_length: int) -> np.ndarray:
    """Greedy decoding: feed ``<s>``, take the arg-max token, feed it back, until every row has
    produced ``</s>`` or ``max_length`` tokens. ``step(tokens (batch,), state)`` returns
    ``(logits (batch, vocab), new_state)``. Returns (batch, max_length) ids, 0 after ``</s>``.

    Raises:
        TypeError: ``step`` not callable, or a non-integer ``batch``/``start``/``end``/``max_length``.
        ValueError: ``batch`` or ``max_length`` below 1, ``start == end``, or (at the first
            step) logits not of shape (batch, vocab) with ``start`` and ``end`` below vocab.
    """
    if not callable(step):
        raise TypeError(f"step must be a function step(tokens, state) -> (logits, new_state), got {step!r}.")
    _check_int("batch", batch, minimum=1)
    _check_int("start", start, minimum=0)
    _check_int("end", end, minimum=0)
    _check_int("max_length", max_length, minimum=1)
    if start == end:
        raise ValueError(f"start and end must be different ids, got {start} for both.")
    tokens = np.full(batch, start, dtype="int32")
    out = np.zeros((batch, max_length), dtype="int32")
    done = np.zeros(batch, dtype=bool)
    for t in range(max_length):
        logits, state = step(tokens, state)
        logits = np.asarray(logits)
        if t == 0:
            if logits.ndim != 2 or logits.shape[0] != batch:
                raise ValueError(f"step must return logits of shape (batch, vocab) = ({batch}, vocab), got shape "
                                 f"{logits.shape}.")
            if max(start, end) >= logits.shape[1]:
                raise ValueError(f"start={start} and end={end} must be ids below the {logits.shape[1]} logits "
                                 "the step returns: use the vocabulary's vocab.start and vocab.end.")
        tokens = logits.argmax(axis=-1).astype("int32")
        out[:, t] = np.where(done, 0, tokens)
        done |= tokens == end
        if done.all():
            break
    return out


def beam_step(scores: np.ndarray, log_probs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step of beam search for one sentence: the ``k`` best one-token extensions of its live
    hypotheses.

    ``scores`` (beams,) are the hypotheses' summed log-probabilities so far, ``log_probs``
    (beams, vocab) the log-probabilities of every next token after each of them. An extension's
    score is ``scores[b] + log_probs[b, token]``; the ``k`` best over *all* beams × tokens are
    returned as ``(new_scores (k,) float64, parents (k,) int64, tokens (k,) int64)``, best first:
    extension ``i`` is hypothesis ``parents[i]`` followed by ``tokens[i]``. Ties are broken by the
    lowest flat index ``b * vocab + token`` (the earlier beam, then the smaller token id), so the
    result is deterministic and, for one beam, the first arg-max like ``greedy_decode``.
    ``-inf`` (a dead beam, a token of probability 0) is allowed and ranks last.

    Raises:
        TypeError: ``scores``/``log_probs`` not numeric, or ``k`` not an integer.
        ValueError: wrong shapes, a NaN or +inf, or ``k`` outside 1 … beams · vocab.
    """
    scores = np.asarray(scores)
    log_probs = np.asarray(log_probs)
    for name, array, layout in (("scores", scores, "(beams,)"), ("log_probs", log_probs, "(beams, vocab)")):
        if array.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be an array of numbers {layout}, got dtype {array.dtype}.")
    if scores.ndim != 1 or log_probs.ndim != 2 or log_probs.shape[0] != scores.shape[0]:
        raise ValueError(f"scores must be (beams,) and log_probs (beams, vocab) with the same beams, got scores "
                         f"{scores.shape} and log_probs {log_probs.shape}.")
    total = (scores.astype(np.float64)[:, None] + log_probs.astype(np.float64)).ravel()
    if np.isnan(total).any() or np.isposinf(total).any():
        raise ValueError("scores and log_probs must not hold NaN or +inf (a log-probability is at most 0; -inf is "
                         "allowed for probability 0).")
    _check_int("k", k, minimum=1, maximum=total.size)
    if k < total.size:   # the k-th largest value, then every entry at least as large (ties included), in index order
        kth = np.partition(total, total.size - k)[total.size - k]
        candidates = np.flatnonzero(total >= kth)
    else:
        candidates = np.arange(total.size)
    order = candidates[np.argsort(-total[candidates], kind="stable")][:k]
    vocab = log_probs.shape[1]
    return total[order], (order // vocab).astype(np.int64), (order % vocab).astype(np.int64)


def _take_rows(state: Any, rows: np.ndarray, count: int) -> Any:
    """``state`` (an array, or a tuple/list of them, nested, None allowed) with its rows (first
    axis, ``count`` of them) taken in the order ``rows``; tensors become NumPy arrays."""
    if state is None:
        return None
    if isinstance(state, tuple | list):
        return type(state)(_take_rows(part, rows, count) for part in state)
    array = state if isinstance(state, np.ndarray) else np.asarray(ops.convert_to_numpy(state))
    if array.ndim == 0 or array.shape[0] != count:
        raise ValueError(f"beam search reorders the decoder state by rows: every array of the state must have one "
                         f"row per sentence ({count}) on its first axis, got shape {array.shape}.")
    return np.take(array, rows, axis=0)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    """log softmax over the last axis, in float64; ValueError for NaN or a row with no finite logit."""
    logits = logits.astype(np.float64)
    top = logits.max(axis=-1, keepdims=True)
    if np.isnan(logits).any() or not np.isfinite(top).all():
        raise ValueError("step returned logits with NaN, +inf or a row that is all -inf: beam search needs finite "
                         "logits (-inf only for impossible tokens).")
    shifted = logits - top
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def beam_search(step: Step, state: object, batch: int, start: int, end: int, max_length: int,
                beam_width: int = 3, length_penalty: float = 0.0) -> np.ndarray:
    """Beam search on the :func:`greedy_decode` protocol: keep the ``beam_width`` best partial
    translations of every sentence instead of one. Returns (batch, max_length) token ids, each
    row the chosen hypothesis with its ``end`` id and 0 after it, as :func:`greedy_decode`.

    ``step(tokens (rows,), state)`` returns ``(logits (rows, vocab), new_state)`` for
    ``rows = batch * beam_width``: row ``b * beam_width + j`` is hypothesis ``j`` of sentence
    ``b``. ``state`` is given for ``batch`` rows (an array or a tuple/list of arrays, first axis
    = rows, e.g. :meth:`IncrementalDecoder.start`'s); it is repeated ``beam_width`` times and,
    after every step, its rows are reordered with ``np.take`` so that each hypothesis carries its
    parent's state (tensors in it become NumPy arrays). At the start only hypothesis 0 of a
    sentence is live (score 0, the others -inf), so the beam does not fill with copies.

    Each step scores every extension by its summed log-probability (log softmax of the logits)
    and takes the ``2 * beam_width`` best with :func:`beam_step`: an extension ending in ``end``
    among the first ``beam_width`` is *finished* and kept aside with the normalised score
    ``score / length ** length_penalty`` (``length`` = tokens generated, ``end`` included;
    ``length_penalty=0`` is the raw sum, which favours short outputs; 0.6–1 is usual); the best
    ``beam_width`` others stay live. A sentence is done when its best finished score is at least
    what any live hypothesis could still reach (exact, since log-probabilities are at most 0),
    and the search ends when every sentence is done or after ``max_length`` steps. The answer is
    the best finished hypothesis; a sentence with none gets its best live one (``max_length``
    tokens, no ``end``, as greedy gives). With ``beam_width=1`` and ``length_penalty=0`` this is
    exactly :func:`greedy_decode`.

    Cost: every step runs the decoder on ``batch * beam_width`` rows (``beam_width`` times
    greedy's work and memory) plus a top-k over ``beam_width * vocab`` scores per sentence.

    Raises:
        TypeError: ``step`` not callable, or a non-integer ``batch``/``start``/``end``/
            ``max_length``/``beam_width``, or a non-number ``length_penalty``.
        ValueError: ``batch``, ``max_length`` or ``beam_width`` below 1, ``start == end``, logits
            not of shape (rows, vocab) with ``start`` and ``end`` below vocab, NaN logits, or a
            state whose arrays do not have ``batch`` rows.
    """
    if not callable(step):
        raise TypeError(f"step must be a function step(tokens, state) -> (logits, new_state), got {step!r}.")
    for name, value in (("batch", batch), ("max_length", max_length), ("beam_width", beam_width)):
        _check_int(name, value, minimum=1)
    _check_int("start", start, minimum=0)
    _check_int("end", end, minimum=0)
    alpha = check_real("length_penalty", length_penalty)
    if start == end:
        raise ValueError(f"start and end must be different ids, got {start} for both.")
    width, rows = beam_width, batch * beam_width
    state = _take_rows(state, np.repeat(np.arange(batch), width), batch)
    tokens = np.full(rows, start, dtype="int32")
    scores = np.full((batch, width), -np.inf)
    scores[:, 0] = 0.0
    history = np.zeros((batch, width, 0), dtype="int32")          # the tokens of every live hypothesis
    best = np.full(batch, -np.inf)                                # best finished normalised score
    best_tokens: list[list[int] | None] = [None] * batch
    done = np.zeros(batch, dtype=bool)
    for t in range(max_length):
        logits, state = step(tokens, state)
        logits = logits if isinstance(logits, np.ndarray) else np.asarray(ops.convert_to_numpy(logits))
        if logits.ndim != 2 or logits.shape[0] != rows:
            raise ValueError(f"step must return logits of shape (batch * beam_width, vocab) = ({rows}, vocab), got "
                             f"shape {logits.shape}.")
        vocab = logits.shape[1]
        if max(start, end) >= vocab:
            raise ValueError(f"start={start} and end={end} must be ids below the {vocab} logits the step returns: "
                             "use the vocabulary's vocab.start and vocab.end.")
        log_probs = _log_softmax(logits).reshape(batch, width, vocab)
        length = t + 1
        parents = np.arange(rows)
        tokens = np.full(rows, end, dtype="int32")
        new_scores = np.full((batch, width), -np.inf)
        new_history = np.zeros((batch, width, length), dtype="int32")
        for b in np.flatnonzero(~done):
            extended, parent, token = beam_step(scores[b], log_probs[b], min(2 * width, width * vocab))
            live = 0
            for rank, (score, p, tok) in enumerate(zip(extended, parent, token)):
                if not np.isfinite(score) or live == width:
                    break
                if tok == end:
                    if rank < width and score / length ** alpha > best[b]:
                        best[b], best_tokens[b] = score / length ** alpha, [*history[b, p].tolist(), end]
                    continue
                new_scores[b, live], parents[b * width + live] = score, b * width + p
                tokens[b * width + live] = tok
                new_history[b, live] = [*history[b, p], tok]
                live += 1
            parents[b * width + live:(b + 1) * width] = parents[b * width] if live else b * width
            reachable = new_scores[b, :live]
            if length < max_length and live:
                bound = np.maximum(reachable / (length + 1) ** alpha, reachable / max_length ** alpha).max()
            else:
                bound = -np.inf
            done[b] = best_tokens[b] is not None and best[b] >= bound
        scores, history = new_scores, new_history
        state = _take_rows(state, parents, rows)
        if done.all():
            break
    out = np.zeros((batch, max_length), dtype="int32")
    for b in range(batch):
        chosen = best_tokens[b] if best_tokens[b] is not None else history[b, 0].tolist()
        out[b, :len(chosen)] = chosen
    return out


_STATE_FREE_LAYERS = frozenset({"source", "decoder_input", "source_embedding", "encoder", "target_embedding",
                                "peeky_input", "decoder", "with_context", "peeky_output", "logits"})


def _is_seq2seq(model: object) -> bool:
    """Whether ``model`` is a Keras model with the layers :func:`seq2seq` builds (and at most an attention layer)."""
    try:
        IncrementalDecoder(model)   # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


class IncrementalDecoder:
    """One decoder step at a time for a :func:`seq2seq` model, with the decoder's real state.

    :meth:`start` runs the encoder once on the sources and returns the first state
    ``(h, encoder_states, source_mask, context)``: ``h`` starts as the context ``C``, and the
    encoder outputs are kept for attention. :meth:`step` reads one token per row, advances
    the decoder GRU by one step (its cell, with the same weights) and returns
    ``(logits (batch, vocab), new_state)``: each step costs one step, where re-running the
    model on the prefix costs the whole prefix. It reuses the model's own layers (embedding,
    peeky, attention, output), so its logits are those of ``model([sources, prefix])`` at the
    last position, a fed pad id included. That case follows what Keras does in
    :func:`seq2seq`: the decoder GRU, called with an ``initial_state``, receives no padding
    mask, so it steps through pad ids too; the attention layer does receive the decoder
    input's mask (its output is 0 at a pad), except after :class:`Peeky`, which drops it.
    ``tests/test_seq2seq.py`` compares the logits with the model's on prefixes with pads.

    Raises:
        TypeError: ``model`` is not a Keras model built by :func:`seq2seq`.
        ValueError: a layer of the builder is missing, or there is more than one extra layer.
    """

    def __init__(self, model: keras.Model) -> None:
        if not isinstance(model, keras.Model):
            raise TypeError(f"model must be a Keras model built by seq2seq(), got {model!r} ({type(model).__name__}).")
        names = {layer.name for layer in model.layers}
        missing = {"source_embedding", "encoder", "target_embedding", "decoder", "logits"} - names
        if missing:
            raise ValueError(f"model {model.name!r} has no layer {sorted(missing)}: build it with seq2seq(), or "
                             "decode with translate(..., incremental=False).")
        extra = [layer for layer in model.layers if layer.name not in _STATE_FREE_LAYERS]
        if len(extra) > 1 or (extra and "with_context" not in names):
            raise ValueError(f"model {model.name!r} has layers {[layer.name for layer in extra]} that seq2seq() does "
                             "not build: decode it with translate(..., incremental=False).")
        get = model.get_layer
        self.source_embedding, self.encoder = get("source_embedding"), get("encoder")
        self.target_embedding, self.cell, self.logits = get("target_embedding"), get("decoder").cell, get("logits")
        self.attention = extra[0] if extra else None
        self.with_context = get("with_context") if self.attention is not None else None
        self.peeky_input = get("peeky_input") if "peeky_input" in names else None
        self.peeky_output = get("peeky_output") if "peeky_output" in names else None

    def start(self, sources: np.ndarray) -> tuple[Any, Any, Any, Any]:
        """Encode ``sources`` (batch, S) once: the first decoder state (see the class)."""
        mask = ops.convert_to_tensor(np.asarray(sources) != 0)
        encoder_states, context = self.encoder(self.source_embedding(sources), mask=mask, training=False)
        return context, encoder_states, mask, context

    def step(self, tokens: np.ndarray, state: tuple[Any, Any, Any, Any]) -> tuple[np.ndarray, tuple[Any, Any, Any, Any]]:
        """Logits for the token after ``tokens`` (batch,), and the state after reading them."""
        h, encoder_states, source_mask, context = state
        tokens = np.asarray(tokens, dtype="int32")
        y = self.target_embedding(tokens[:, None])                           # (batch, 1, embed)
        if self.peeky_input is not None:
            y = self.peeky_input(y, context)                                 # (batch, 1, embed + units)
        h, _ = self.cell(y[:, 0], [h], training=False)                       # one GRU step: (batch, units)
        features = ops.expand_dims(h, 1)                                     # (batch, 1, units)
        if self.attention is not None:
            query_mask = None if self.peeky_input is not None else ops.convert_to_tensor(tokens[:, None] != 0)
            attended = self.attention([features, encoder_states], mask=[query_mask, source_mask], training=False)
            features = self.with_context([features, attended])
        if self.peeky_output is not None:
            features = self.peeky_output(features, context)
        logits = self.logits(features)[:, 0]                                 # (batch, vocabulary)
        return ops.convert_to_numpy(logits), (h, encoder_states, source_mask, context)


def translate(model: Callable[..., Any], sources: np.ndarray, vocab: Vocabulary, max_length: int, join: str = "",
              decode: Callable[..., np.ndarray] = greedy_decode, max_logits: int = 2**25,
              incremental: bool | None = None) -> list[str]:
    """Decode ``sources`` (encoded source ids, (n, S)) with a :func:`seq2seq` model; one str per row.

    ``incremental=True`` runs the decoder one step at a time with its real state
    (:class:`IncrementalDecoder`: the encoder runs once, each step costs one step; only for
    :func:`seq2seq` models). ``incremental=False`` is the slow, model-agnostic way: the
    "state" is the target prefix generated so far and each step re-runs
    ``model([sources, prefix])``, keeping the logits of the last position (``T`` passes of
    the whole model for ``T`` tokens; any callable with the two inputs). Both give the same
    tokens. The default ``None`` chooses the incremental decoder when the model has the layers
    :func:`seq2seq` builds, else the prefix way. ``decode`` is the search (``greedy_decode`` or a
    function with its signature). Output tokens are joined with ``join``: ``""`` for
    characters, ``" "`` for words (then ``detokenize(s.split(" "))`` gives text). Sources go
    in chunks so that one logits array (chunk, steps, vocabulary) holds at most
    ``max_logits`` numbers (2**25 float32 = 128 MB).

    Raises:
        TypeError: a wrong type for any argument.
        ValueError: ``sources`` not 2-d, ``max_length``/``max_logits`` below 1, or (incremental)
            a model that :func:`seq2seq` did not build.
    """
    if not callable(model):
        raise TypeError(f"model must be a Keras model built by seq2seq(), got {model!r} ({type(model).__name__}).")
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be the target Vocabulary, got {vocab!r} ({type(vocab).__name__}).")
    _check_int("max_length", max_length, minimum=1)
    _check_int("max_logits", max_logits, minimum=1)
    if incremental is not None:
        _check_bool("incremental", incremental)
    if not isinstance(join, str):
        raise TypeError(f"join must be a str such as '' or ' ', got {join!r} ({type(join).__name__}).")
    if not callable(decode):
        raise TypeError(f"decode must be a function like greedy_decode, got {decode!r}.")
    sources = np.asarray(sources)
    if sources.ndim != 2:
        raise ValueError(f"sources must be a 2-d id matrix (sentences, steps) from Vocabulary.encode, got shape "
                         f"{sources.shape}; for one sentence pass vocab.encode([tokens], length).")
    if sources.size and sources.dtype.kind not in "iu":
        raise TypeError(f"sources must hold integer ids, got dtype {sources.dtype}.")
    if incremental is None:
        incremental = _is_seq2seq(model)
    decoder = IncrementalDecoder(model) if incremental else None
    chunk = max(1, max_logits // (max_length * len(vocab)))
    out: list[str] = []
    for first in range(0, len(sources), chunk):
        part = sources[first:first + chunk]
        if decoder is not None:
            ids = decode(decoder.step, decoder.start(part), len(part), vocab.start, vocab.end, max_length)
        else:
            def step(tokens: np.ndarray, prefix: np.ndarray, part: np.ndarray = part) -> tuple[np.ndarray, np.ndarray]:
                prefix = np.concatenate([prefix, tokens[:, None]], axis=1)
                logits = ops.convert_to_numpy(model([part, prefix], training=False))
                return logits[:, -1], prefix

            ids = decode(step, np.zeros((len(part), 0), dtype="int32"), len(part), vocab.start, vocab.end, max_length)
        out += [vocab.decode(row, join=join) for row in np.asarray(ids)]
    return out


# ----------------------------------------------------------------------------- metrics


def exact_match(predictions: Sequence[str], references: Sequence[str]) -> float:
    """The fraction of predictions equal to their reference, character for character.

    Raises:
        TypeError: either argument is one str or holds a non-str.
        ValueError: different lengths, or no references.
    """
    predictions = _check_strings("predictions", predictions, '["2021-03-03"]')
    references = _check_strings("references", references, '["2021-03-03"]')
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references: pass one prediction "
                         "per reference.")
    if not references:
        raise ValueError("no references: exact match of an empty set is undefined.")
    return float(np.mean([p == r for p, r in zip(predictions, references)]))


def _as_text(name: str, items: object) -> list[str]:
    """Each item as a str: a str as it is, a token list detokenized."""
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise TypeError(f"{name} must be a list with one str (or token list) per sentence, got {items!r} "
                        f"({type(items).__name__}).")
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Iterable) and not isinstance(item, bytes):
            tokens = list(item)
            if not all(isinstance(t, str) for t in tokens):
                raise TypeError(f"{name}[{i}] must be a str or a list of str tokens, got {item!r}.")
            out.append(detokenize(tokens))
        else:
            raise TypeError(f"{name}[{i}] must be a str or a list of str tokens, got {item!r} ({type(item).__name__}).")
    return out


def corpus_bleu(hypotheses: Sequence[str | Sequence[str]], references: Sequence[str | Sequence[str]],
                tokenize: str = "13a", lowercase: bool = False) -> Any:
    """Corpus BLEU (sacrebleu) of ``hypotheses`` against one reference each, on detokenized text.

    Items are sentences as str, or token lists, which are first :func:`detokenize`-d (BLEU is
    defined on plain text; sacrebleu tokenizes it itself, so scores are comparable across
    papers). ``tokenize`` is a sacrebleu tokenizer: ``"13a"`` (default, for space-separated
    languages), ``"intl"``, ``"zh"`` (Chinese split into characters), ``"char"``, ``"none"``…
    ``lowercase=True`` ignores case (use it when the model writes lower-cased words).
    Returns sacrebleu's ``BLEUScore``: ``.score`` is 0–100; printing it shows the n-gram
    precisions and the brevity penalty.

    Raises:
        TypeError: a wrong type (e.g. one str instead of a list of sentences).
        ValueError: different lengths, no sentence, or an unknown ``tokenize``.
    """
    from sacrebleu.metrics.bleu import _TOKENIZERS, BLEU

    hyps = _as_text("hypotheses", hypotheses)
    refs = _as_text("references", references)
    if not isinstance(tokenize, str):
        raise TypeError(f"tokenize must be a str such as '13a' or 'zh', got {tokenize!r} ({type(tokenize).__name__}).")
    if tokenize not in _TOKENIZERS:
        raise ValueError(f"tokenize must be one of sacrebleu's tokenizers {sorted(_TOKENIZERS)}, got {tokenize!r}.")
    _check_bool("lowercase", lowercase)
    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} hypotheses for {len(refs)} references: pass one reference per hypothesis.")
    if not refs:
        raise ValueError("no sentences: BLEU of an empty corpus is undefined.")
    return BLEU(tokenize=tokenize, lowercase=lowercase).corpus_score(hyps, [refs])
