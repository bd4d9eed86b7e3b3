"""Transformer layers and builders (chapter 09), in Keras 3 with core layers only.

* :class:`PositionalEmbedding`: token embedding plus a position embedding (learned, sinusoidal or
  none), which keeps the padding mask (``compute_mask``: id 0 is padding), where a plain
  ``Add`` of two embeddings would drop it;
* :class:`TransformerEncoder`: one post-norm encoder block (self-attention + feed-forward, each
  with a residual connection and ``LayerNormalization``) that honours the padding mask;
* :class:`TransformerDecoder`: one decoder block (causal self-attention, cross-attention to the
  encoder outputs, feed-forward), which keeps its last cross-attention scores for heatmaps;
* :func:`imdb_classifier` and :func:`transformer_seq2seq`, the chapter's two builders;
* :class:`TransformerStep`: a trained encoder–decoder as a ``step(tokens, state)`` for
  ``utils.seq2seq.greedy_decode`` (and beam search), and :func:`transformer_translate`;
* :func:`train_sentencepiece`, a small wrapper around SentencePiece, :class:`SubwordVocabulary`
  (its model as a ``Vocabulary`` for the encoder–decoder), and :func:`course_results`,
  which reads the course's recorded metrics from ``benchmarks/results.json``.

Shapes: ``B`` batch, ``S`` source steps, ``T`` target steps, ``D`` model depth.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import ops

from .attention import sinusoidal_positions
from .config import _check_int

POSITIONS = ("learned", "sinusoidal", "none")


@keras.saving.register_keras_serializable(package="course")
class PositionalEmbedding(keras.layers.Layer):
    """Token embedding + position embedding, with the padding mask of the ids (id 0 = padding).

    ``positions="learned"`` adds a trained ``Embedding(max_length, depth)`` of the position,
    ``"sinusoidal"`` the fixed ``utils.attention.sinusoidal_positions`` table (the token embedding is then scaled by
    ``sqrt(depth)``, as in the paper), ``"none"`` nothing: the model is then blind to order.
    Inputs (B, T) integer ids with T <= ``max_length``; output (B, T, depth) and mask ``ids != 0``.

    Raises:
        TypeError, ValueError: a size that is not a positive integer, or an unknown ``positions``.
    """

    def __init__(self, vocabulary_size: int, max_length: int, depth: int, positions: str = "learned",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_int("vocabulary_size", vocabulary_size, minimum=2)
        _check_int("max_length", max_length, minimum=1)
        _check_int("depth", depth, minimum=2)
        if positions not in POSITIONS:
            raise ValueError(f"positions must be one of {POSITIONS}, got {positions!r}.")
        self.vocabulary_size, self.max_length, self.depth, self.positions = vocabulary_size, max_length, depth, positions
        self.tokens = keras.layers.Embedding(vocabulary_size, depth, name="tokens")
        self.position_embedding = (keras.layers.Embedding(max_length, depth, name="positions")
                                   if positions == "learned" else None)
        self.table = sinusoidal_positions(max_length, depth) if positions == "sinusoidal" else None
        self.supports_masking = True

    def build(self, input_shape: tuple) -> None:
        self.tokens.build(input_shape)
        if self.position_embedding is not None:
            self.position_embedding.build((None,))
        self.built = True

    def call(self, ids: Any) -> Any:
        x = self.tokens(ids)                                                  # (B, T, D)
        length = ops.shape(ids)[-1]
        if self.positions == "learned":
            x = x + self.position_embedding(ops.arange(length))[None]         # (1, T, D) broadcast
        elif self.positions == "sinusoidal":
            x = x * np.float32(np.sqrt(self.depth)) + ops.convert_to_tensor(self.table)[None, :length]
        return x

    def compute_mask(self, ids: Any, mask: Any = None) -> Any:
        return ops.not_equal(ids, 0)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape, self.depth)

    def get_config(self) -> dict:
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size, "max_length": self.max_length,
                "depth": self.depth, "positions": self.positions}


def _feed_forward(depth: int, hidden: int, name: str) -> keras.Sequential:
    """The position-wise feed-forward network: Dense(hidden, relu) -> Dense(depth)."""
    return keras.Sequential([keras.layers.Dense(hidden, activation="relu"), keras.layers.Dense(depth)], name=name)


def _check_block(depth: int, heads: int, hidden: int, dropout: float) -> None:
    _check_int("depth", depth, minimum=1)
    _check_int("heads", heads, minimum=1)
    _check_int("hidden", hidden, minimum=1)
    if depth % heads:
        raise ValueError(f"depth ({depth}) must be a multiple of heads ({heads}): each head gets depth // heads "
                         "dimensions.")
    if not isinstance(dropout, int | float) or isinstance(dropout, bool) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}.")


@keras.saving.register_keras_serializable(package="course")
class TransformerEncoder(keras.layers.Layer):
    """One encoder block (post-norm, as in the paper and DLwP)::

        h = LayerNorm(x + Dropout(MHA(x, x, x)))
        y = LayerNorm(h + Dropout(FFN(h)))

    The padding mask of ``x`` (from :class:`PositionalEmbedding`) is the query and value mask of
    the attention, so no real token attends to padding, and it is passed on unchanged.
    Input and output (B, T, depth).

    ``window=W`` makes the attention *local*: the sequence is cut into consecutive windows of
    ``W`` tokens (padded up to a multiple of ``W``) and each token attends only within its window,
    which costs ``T · W`` scores instead of ``T²`` (the feed-forward part is the same).
    """

    def __init__(self, depth: int, heads: int, hidden: int, dropout: float = 0.1, window: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_block(depth, heads, hidden, dropout)
        if window is not None:
            _check_int("window", window, minimum=1)
        self.depth, self.heads, self.hidden, self.dropout = depth, heads, hidden, float(dropout)
        self.window = window
        self.attention = keras.layers.MultiHeadAttention(heads, depth // heads, name="self_attention")
        self.feed_forward = _feed_forward(depth, hidden, "feed_forward")
        self.norm1, self.norm2 = keras.layers.LayerNormalization(name="norm1"), keras.layers.LayerNormalization(name="norm2")
        self.drop1, self.drop2 = keras.layers.Dropout(dropout), keras.layers.Dropout(dropout)
        self.supports_masking = True

    def build(self, input_shape: tuple) -> None:
        self.attention.build(input_shape, input_shape)
        self.feed_forward.build(input_shape)
        self.norm1.build(input_shape)
        self.norm2.build(input_shape)
        self.built = True

    def call(self, x: Any, mask: Any = None, training: bool | None = None) -> Any:
        if self.window is None:   # a copy: MultiHeadAttention clears the Keras mask of its inputs, x may be shared
            shared = ops.copy(x)
            attended = self.attention(shared, shared, query_mask=mask, value_mask=mask, training=training)
        else:
            attended = self._local_attention(x, mask, training)
        h = self.norm1(x + self.drop1(attended, training=training))
        return self.norm2(h + self.drop2(self.feed_forward(h), training=training))

    def _local_attention(self, x: Any, mask: Any, training: bool | None) -> Any:
        """Self-attention within consecutive windows of ``self.window`` tokens: (B, T, D) -> (B, T, D)."""
        batch, steps, w = ops.shape(x)[0], ops.shape(x)[1], self.window
        padded = (steps + w - 1) // w * w
        if mask is None:
            mask = ops.ones((batch, steps), dtype="bool")
        xw = ops.reshape(ops.pad(x, [[0, 0], [0, padded - steps], [0, 0]]), (-1, w, self.depth))    # (B·n, W, D)
        mw = ops.reshape(ops.pad(ops.cast(mask, "int32"), [[0, 0], [0, padded - steps]]), (-1, w))  # (B·n, W)
        mw = ops.cast(mw, "bool")
        out = self.attention(xw, xw, query_mask=mw, value_mask=mw, training=training)
        return ops.reshape(out, (batch, padded, self.depth))[:, :steps]

    def compute_mask(self, x: Any, mask: Any = None) -> Any:
        return mask

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "depth": self.depth, "heads": self.heads, "hidden": self.hidden,
                "dropout": self.dropout, "window": self.window}


@keras.saving.register_keras_serializable(package="course")
class TransformerDecoder(keras.layers.Layer):
    """One decoder block::

        h = LayerNorm(y + MHA(y, y, causal))            each target step sees itself and earlier steps
        c = LayerNorm(h + MHA(h, encoder_outputs))      cross-attention to the (unpadded) source
        z = LayerNorm(c + FFN(c))

    Call it as ``decoder(target, source)`` (target embeddings (B, T, D), encoder outputs (B, S, D)):
    Keras passes the masks of both (from :class:`PositionalEmbedding` and :class:`TransformerEncoder`)
    as ``target_mask`` and ``source_mask``, or pass them yourself. The scores of
    the last cross-attention call, (B, heads, T, S), are kept in ``last_cross_attention`` when the
    layer runs eagerly (heatmaps); they are None before. ``last_only=True`` (decoding) computes the
    output of the last target position only, (B, 1, D): the same numbers as the last position of
    the full call, without the work for the earlier positions.
    """

    def __init__(self, depth: int, heads: int, hidden: int, dropout: float = 0.1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_block(depth, heads, hidden, dropout)
        self.depth, self.heads, self.hidden, self.dropout = depth, heads, hidden, float(dropout)
        self.self_attention = keras.layers.MultiHeadAttention(heads, depth // heads, dropout=dropout,
                                                              name="self_attention")
        self.cross_attention = keras.layers.MultiHeadAttention(heads, depth // heads, dropout=dropout,
                                                               name="cross_attention")
        self.feed_forward = _feed_forward(depth, hidden, "feed_forward")
        self.norms = [keras.layers.LayerNormalization(name=f"norm{i + 1}") for i in range(3)]
        self.drops = [keras.layers.Dropout(dropout) for _ in range(3)]
        self.supports_masking = True
        self.last_cross_attention: Any = None

    def build(self, target_shape: tuple, source_shape: tuple | None = None) -> None:
        source_shape = source_shape or target_shape
        self.self_attention.build(target_shape, target_shape)
        self.cross_attention.build(target_shape, source_shape)
        self.feed_forward.build(target_shape)
        for norm in self.norms:
            norm.build(target_shape)
        self.built = True

    def call(self, target: Any, source: Any, target_mask: Any = None, source_mask: Any = None,
             training: bool | None = None, last_only: bool = False) -> Any:
        if last_only:   # decoding: only the last position's output, which may attend to every position
            query, query_mask = target[:, -1:], None if target_mask is None else target_mask[:, -1:]
            attended = self.self_attention(query, ops.copy(target), query_mask=query_mask, value_mask=target_mask,
                                           training=training)
            target, target_mask = query, query_mask
        else:
            attended = self.self_attention(target, target, query_mask=target_mask, value_mask=target_mask,
                                           use_causal_mask=True, training=training)
        h = self.norms[0](target + self.drops[0](attended, training=training))
        # MultiHeadAttention clears the Keras mask of the tensors it is given; `source` is shared by every
        # decoder block, so it gets a copy (else the next block would attend to the source padding)
        crossed, scores = self.cross_attention(h, ops.copy(source), query_mask=target_mask, value_mask=source_mask,
                                               return_attention_scores=True, training=training)
        if not isinstance(scores, keras.KerasTensor):
            self.last_cross_attention = scores
        c = self.norms[1](h + self.drops[1](crossed, training=training))
        return self.norms[2](c + self.drops[2](self.feed_forward(c), training=training))

    def compute_mask(self, target: Any, previous_mask: Any = None) -> Any:
        return previous_mask

    def compute_output_shape(self, target_shape: tuple, source_shape: tuple | None = None) -> tuple:
        return target_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "depth": self.depth, "heads": self.heads, "hidden": self.hidden,
                "dropout": self.dropout}


def imdb_classifier(vocabulary_size: int, max_length: int, depth: int = 64, heads: int = 4, hidden: int = 128,
                    blocks: int = 1, dropout: float = 0.1, positions: str = "learned", window: int | None = None,
                    name: str = "transformer_classifier") -> keras.Model:
    """Ids (B, T) -> PositionalEmbedding -> ``blocks`` x TransformerEncoder -> masked mean over the
    real tokens -> Dropout -> Dense(1, sigmoid): P(positive), (B, 1). Not compiled. ``window``: local
    attention within windows of that many tokens (see :class:`TransformerEncoder`).

    Raises:
        TypeError, ValueError: sizes that are not positive integers, depth not a multiple of heads.
    """
    _check_int("blocks", blocks, minimum=1)
    ids = keras.Input((None,), dtype="int32", name="ids")
    x = PositionalEmbedding(vocabulary_size, max_length, depth, positions, name="embedding")(ids)
    for i in range(blocks):
        x = TransformerEncoder(depth, heads, hidden, dropout, window=window, name=f"encoder_{i}")(x)
    x = keras.layers.GlobalAveragePooling1D(name="mean_over_tokens")(x)     # uses the mask: real tokens only
    x = keras.layers.Dropout(dropout)(x)
    out = keras.layers.Dense(1, activation="sigmoid", name="probability")(x)
    return keras.Model(ids, out, name=name)


def transformer_seq2seq(*, src_size: int, tgt_size: int, src_length: int, tgt_length: int, depth: int = 64,
                        heads: int = 4, hidden: int = 128, blocks: int = 1, dropout: float = 0.1,
                        positions: str = "learned", name: str = "transformer") -> keras.Model:
    """The encoder–decoder: inputs ``source`` (B, S) and ``decoder_input`` (B, T) ids (0 = padding),
    output logits (B, T, tgt_size), as ``utils.seq2seq.seq2seq`` (so ``teacher_forcing`` data fits).
    ``src_length``/``tgt_length`` are the longest lengths the position embeddings cover. Layers are
    named ``source_embedding``, ``encoder_i``, ``target_embedding``, ``decoder_i``, ``logits``
    (:class:`TransformerStep` finds them by name). Not compiled.

    Raises:
        TypeError, ValueError: sizes that are not positive integers, depth not a multiple of heads.
    """
    _check_int("blocks", blocks, minimum=1)
    source = keras.Input((None,), dtype="int32", name="source")                       # (B, S)
    target_in = keras.Input((None,), dtype="int32", name="decoder_input")             # (B, T)
    x = PositionalEmbedding(src_size, src_length, depth, positions, name="source_embedding")(source)
    for i in range(blocks):
        x = TransformerEncoder(depth, heads, hidden, dropout, name=f"encoder_{i}")(x)  # (B, S, D)
    y = PositionalEmbedding(tgt_size, tgt_length, depth, positions, name="target_embedding")(target_in)
    for i in range(blocks):
        y = TransformerDecoder(depth, heads, hidden, dropout, name=f"decoder_{i}")(y, x)  # (B, T, D)
    logits = keras.layers.Dense(tgt_size, name="logits")(y)                          # (B, T, tgt_size)
    return keras.Model([source, target_in], logits, name=name)


class TransformerStep:
    """A trained :func:`transformer_seq2seq` model as a decoding step.

    ``start(sources)`` runs the encoder once and returns the state ``(encoder_outputs, source_mask,
    prefix)``, every part with the batch first (so a beam search can reorder or repeat rows);
    ``step(tokens, state)`` appends ``tokens`` (B,) to the prefix, runs the decoder blocks on the
    whole prefix (causal: the earlier positions do not change) and returns the logits of the last
    position, (B, vocabulary), and the new state. Equal to the model's own forward pass on
    ``[sources, prefix]`` at the last position (``tests/test_transformer.py``).

    Raises:
        TypeError: ``model`` is not a Keras model.
        ValueError: a layer of :func:`transformer_seq2seq` is missing.
    """

    def __init__(self, model: keras.Model) -> None:
        if not isinstance(model, keras.Model):
            raise TypeError(f"model must be a Keras model built by transformer_seq2seq(), got {model!r} "
                            f"({type(model).__name__}).")
        names = [layer.name for layer in model.layers]
        missing = {"source_embedding", "target_embedding", "logits", "encoder_0", "decoder_0"} - set(names)
        if missing:
            raise ValueError(f"model {model.name!r} has no layer {sorted(missing)}: build it with transformer_seq2seq().")
        self.source_embedding = model.get_layer("source_embedding")
        self.target_embedding = model.get_layer("target_embedding")
        self.encoders = [layer for layer in model.layers if isinstance(layer, TransformerEncoder)]
        self.decoders = [layer for layer in model.layers if isinstance(layer, TransformerDecoder)]
        self.logits = model.get_layer("logits")

    def start(self, sources: np.ndarray) -> tuple[Any, Any, np.ndarray]:
        """Encode ``sources`` (B, S) once: ``(encoder_outputs (B, S, D), source_mask (B, S), empty prefix (B, 0))``."""
        sources = np.asarray(sources, dtype="int32")
        mask = ops.convert_to_tensor(sources != 0)
        x = self.source_embedding(sources)
        for encoder in self.encoders:
            x = encoder(x, mask=mask, training=False)
        return x, mask, np.zeros((len(sources), 0), dtype="int32")

    def decode_prefix(self, prefix: np.ndarray, encoder_outputs: Any, source_mask: Any, last_only: bool = False) -> Any:
        """Logits (B, T, vocabulary) of the decoder on a whole prefix (B, T); with ``last_only`` those of
        the last position, (B, 1, vocabulary), computed for it alone in the last block."""
        target_mask = ops.convert_to_tensor(prefix != 0)
        y = self.target_embedding(prefix)
        for i, decoder in enumerate(self.decoders):
            y = decoder(y, encoder_outputs, target_mask=target_mask, source_mask=source_mask, training=False,
                        last_only=last_only and i == len(self.decoders) - 1)
        return self.logits(y)

    def step(self, tokens: np.ndarray, state: tuple[Any, Any, np.ndarray]) -> tuple[np.ndarray, tuple[Any, Any, np.ndarray]]:
        """Logits (B, vocabulary) of the token after ``tokens`` (B,), and the state with them appended."""
        encoder_outputs, source_mask, prefix = state
        prefix = np.concatenate([np.asarray(prefix, dtype="int32"), np.asarray(tokens, dtype="int32")[:, None]], axis=1)
        with warnings.catch_warnings():   # the first step's softmax over one position is meant
            warnings.filterwarnings("ignore", message="You are using a softmax over axis")
            logits = self.decode_prefix(prefix, encoder_outputs, source_mask, last_only=True)
        return ops.convert_to_numpy(logits[:, -1]), (encoder_outputs, source_mask, prefix)


def transformer_translate(model: keras.Model, sources: np.ndarray, vocab: Any, max_length: int, join: str = "",
                          decode: Callable[..., np.ndarray] | None = None, chunk: int = 500) -> list[str]:
    """Decode ``sources`` (n, S) with a :func:`transformer_seq2seq` model, ``chunk`` rows at a time:
    ``decode(step, state, batch, start, end, max_length)`` (default ``utils.seq2seq.greedy_decode``)
    with a :class:`TransformerStep`; tokens joined with ``join`` by ``vocab.decode``. One str per row.

    Raises:
        ValueError: ``sources`` not a 2-d id matrix; ``max_length``/``chunk`` below 1.
    """
    from .seq2seq import greedy_decode

    _check_int("max_length", max_length, minimum=1)
    _check_int("chunk", chunk, minimum=1)
    sources = np.asarray(sources)
    if sources.ndim != 2 or (sources.size and sources.dtype.kind not in "iu"):
        raise ValueError(f"sources must be a 2-d integer id matrix (sentences, steps), got shape {sources.shape} "
                         f"and dtype {sources.dtype}.")
    decode = decode or greedy_decode
    stepper = TransformerStep(model)
    out: list[str] = []
    for first in range(0, len(sources), chunk):
        part = sources[first:first + chunk]
        ids = decode(stepper.step, stepper.start(part), len(part), vocab.start, vocab.end, max_length)
        out += [vocab.decode(row, join=join) for row in np.asarray(ids)]
    return out


def cross_attention_map(model: keras.Model, source: np.ndarray, output_ids: Sequence[int], start: int) -> np.ndarray:
    """Cross-attention weights of the last decoder block, averaged over heads, for one source (1, S)
    and the ids it was decoded into: (len(output_ids), real source steps). Row ``t`` is where the
    decoder looked when it wrote output ``t`` (it read ``start`` and the outputs before ``t``).
    """
    source = np.asarray(source, dtype="int32")
    if source.ndim != 2 or len(source) != 1:
        raise ValueError(f"source must be one encoded sentence of shape (1, S), got {source.shape}.")
    if not len(output_ids):
        raise ValueError("output_ids must hold at least one id (the decoded tokens, </s> included).")
    stepper = TransformerStep(model)
    encoder_outputs, mask, _ = stepper.start(source)
    prefix = np.array([[start, *list(output_ids)[:-1]]], dtype="int32")
    stepper.decode_prefix(prefix, encoder_outputs, mask)
    scores = ops.convert_to_numpy(stepper.decoders[-1].last_cross_attention)[0].mean(axis=0)   # (T, S)
    return scores[:, : int(np.count_nonzero(source[0]))]


def train_sentencepiece(sentences: Iterable[str], vocabulary_size: int, model_type: str = "bpe",
                        folder: str | Path | None = None, prefix: str = "spm",
                        character_coverage: float = 1.0, seed: int = 0) -> Any:
    """Train a SentencePiece model on ``sentences`` (the training split only!) and load it.

    Ids follow the course's convention: 0 padding, 1 ``<s>``, 2 ``</s>``, 3 ``<unk>``. The model
    files go to ``folder`` (default: a new temporary folder). Returns the loaded
    ``sentencepiece.SentencePieceProcessor``.

    Raises:
        ImportError: sentencepiece is not installed (``pip install sentencepiece==0.2.3``).
        TypeError, ValueError: no sentences, a bad ``vocabulary_size`` or ``model_type``.
    """
    try:
        import sentencepiece as spm
    except ModuleNotFoundError:
        raise ImportError("train_sentencepiece needs the sentencepiece package: pip install sentencepiece==0.2.3 "
                          "(it is in the course's requirements.txt).") from None
    _check_int("vocabulary_size", vocabulary_size, minimum=8)
    if model_type not in ("bpe", "unigram"):
        raise ValueError(f"model_type must be 'bpe' or 'unigram', got {model_type!r}.")
    sentences = [s for s in sentences if isinstance(s, str) and s.strip()]
    if not sentences:
        raise ValueError("sentences must hold at least one non-empty str (the training sentences).")
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="spm-"))
    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / f"{prefix}.txt"
    corpus.write_text("\n".join(s.replace("\n", " ") for s in sentences) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(folder / prefix), vocab_size=vocabulary_size, model_type=model_type,
        character_coverage=character_coverage, pad_id=0, bos_id=1, eos_id=2, unk_id=3,
        num_threads=1, minloglevel=2, hard_vocab_limit=False)
    return spm.SentencePieceProcessor(model_file=str(folder / f"{prefix}.model"))


class SubwordVocabulary:
    """A trained SentencePiece model (:func:`train_sentencepiece`) with the interface of
    ``utils.seq2seq.Vocabulary``, so that the chapter's encoder–decoder code runs on subwords:
    ``len(vocab)``, ``pad``/``start``/``end`` (0, 1, 2), ``encode(sentences, length, start, end,
    truncate)`` and ``decode(ids)`` (pieces up to the first ``</s>``, joined back into text).

    Raises:
        TypeError: ``processor`` is not a loaded ``SentencePieceProcessor``.
        ValueError: its ids do not follow the course's convention (0 padding, 1 ``<s>``, 2 ``</s>``);
            train it with :func:`train_sentencepiece`.
    """

    def __init__(self, processor: Any) -> None:
        needed = ("encode", "decode", "get_piece_size", "pad_id", "bos_id", "eos_id", "unk_id")
        if not all(callable(getattr(processor, name, None)) for name in needed):
            raise TypeError(f"processor must be a loaded sentencepiece.SentencePieceProcessor (from "
                            f"train_sentencepiece()), got {type(processor).__name__}.")
        ids = (processor.pad_id(), processor.bos_id(), processor.eos_id())
        if ids != (0, 1, 2):
            raise ValueError(f"the SentencePiece model has pad, <s>, </s> = {ids}; the course needs (0, 1, 2): "
                             "train it with utils.transformer.train_sentencepiece().")
        self.processor = processor

    def __len__(self) -> int:
        return int(self.processor.get_piece_size())

    def __repr__(self) -> str:
        return f"SubwordVocabulary({len(self)} pieces)"

    pad, start, end = 0, 1, 2

    @property
    def unknown_id(self) -> int:
        return int(self.processor.unk_id())

    def encode(self, sentences: Sequence[str], length: int, start: bool = False, end: bool = False,
               truncate: bool = False) -> np.ndarray:
        """Integer matrix (len(sentences), length) of piece ids, padded with 0 at the end;
        optionally ``<s>`` in front and ``</s>`` behind. A sentence with more pieces than fit
        raises, unless ``truncate`` (then its last pieces are dropped, ``</s>`` kept).

        Raises:
            TypeError: ``sentences`` is one str or holds a non-str; a bad ``length``.
            ValueError: ``length`` below 1 (or too small for ``<s>``/``</s>``), or a sentence too long.
        """
        if isinstance(sentences, str | bytes):
            raise TypeError(f"sentences must be a list of str, got one str {sentences!r}: use encode([sentence], ...).")
        sentences = list(sentences)
        for row, sentence in enumerate(sentences):
            if not isinstance(sentence, str):
                raise TypeError(f"sentences[{row}] is {type(sentence).__name__}, expected str.")
        _check_int("length", length, minimum=1 + int(bool(start)) + int(bool(end)))
        out = np.zeros((len(sentences), length), dtype="int32")
        room = length - int(bool(start)) - int(bool(end))
        for row, pieces in enumerate(self.processor.encode(sentences) if sentences else []):
            if len(pieces) > room:
                if not truncate:
                    raise ValueError(f"sentence {row} has {len(pieces)} pieces, more than the {room} that fit in "
                                     f"length={length}: raise length, or pass truncate=True.")
                pieces = pieces[:room]
            ids = ([self.start] if start else []) + list(pieces) + ([self.end] if end else [])
            out[row, :len(ids)] = ids
        return out

    def decode(self, ids: Iterable[int], join: str = "") -> str:
        """The text of one row of ids: the pieces up to the first ``</s>``, without padding and
        ``<s>``, joined by SentencePiece (``join`` is accepted for ``Vocabulary``'s signature; unused).

        Raises:
            TypeError: ``ids`` is not a 1-d sequence of integers.
            ValueError: an id outside ``[0, len(vocab))``.
        """
        from .seq2seq import content_ids

        return str(self.processor.decode(content_ids(ids, len(self), self.pad, self.start, self.end)))


def course_results(path: str | Path | None = None, mode: str = "full") -> dict[str, dict[str, float]]:
    """The metrics every chapter recorded in a ``make bench`` run, from ``benchmarks/results.json``:
    ``{notebook: {metric: value}}`` for ``mode`` ("full" or "fast"). Also ``seconds`` (the notebook's
    wall time) under the key ``"_seconds"``. An empty dict when the file is not there (a Colab copy).

    Raises:
        ValueError: an unknown ``mode``, or a file that is not the benchmark's JSON.
    """
    if mode not in ("full", "fast"):
        raise ValueError(f"mode must be 'full' or 'fast', got {mode!r}.")
    path = Path(path) if path is not None else Path(__file__).resolve().parent.parent / "benchmarks" / "results.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}): regenerate it with `make bench`.") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object {{mode: {{notebook: run}}}}, as `make bench` writes.")
    runs = data.get(mode, {})
    return {notebook: {**run.get("metrics", {}), "_seconds": run.get("seconds")}
            for notebook, run in runs.items() if isinstance(run, dict) and not run.get("error")}


def fit_translator(model: keras.Model, sources: np.ndarray, targets: np.ndarray, val_sources: np.ndarray,
                   val_targets: np.ndarray, *, epochs: int, learning_rate: float, batch_size: int = 64,
                   patience: int = 2, decay: bool = True, verbose: int = 0) -> dict[str, Any]:
    """Train an encoder–decoder with teacher forcing (``utils.seq2seq.teacher_forcing`` of the
    encoded targets, ``<s>`` … ``</s>``): Adam with gradient clipping (its learning rate decays from
    ``learning_rate`` to 0 along a cosine over the ``epochs`` when ``decay``), cross-entropy on the logits
    (the padding after ``</s>`` is masked), early stopping on the validation loss with the best
    weights restored. Returns ``{"val_loss": [...], "loss": [...], "seconds": [...]}`` per epoch.

    Raises:
        TypeError, ValueError: a bad ``epochs``/``batch_size``/``patience``, or arrays of other lengths.
    """
    from .seq2seq import teacher_forcing
    from .training import EpochTimer

    _check_int("epochs", epochs, minimum=1)
    _check_int("batch_size", batch_size, minimum=1)
    _check_int("patience", patience, minimum=1)
    if len(sources) != len(targets) or len(val_sources) != len(val_targets):
        raise ValueError(f"sources and targets must have one row per pair: got {len(sources)} and {len(targets)} "
                         f"(validation {len(val_sources)} and {len(val_targets)}).")
    decoder_in, decoder_out = teacher_forcing(np.asarray(targets))
    val_in, val_out = teacher_forcing(np.asarray(val_targets))
    rate: Any = learning_rate
    if decay:
        steps = epochs * -(-len(sources) // batch_size)
        rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(rate, clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    timer = EpochTimer()
    stop = keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)
    history = model.fit([sources, decoder_in], decoder_out, validation_data=([val_sources, val_in], val_out),
                        batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=[timer, stop])
    return {"loss": history.history["loss"], "val_loss": history.history["val_loss"], "seconds": timer.seconds}
