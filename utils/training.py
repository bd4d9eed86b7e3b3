"""Small training helpers shared by the notebooks."""

from __future__ import annotations

import time
from collections.abc import Sequence

import keras
import numpy as np

from ._validate import INTEGER, as_array, check_real
from .config import _check_bool, _check_int, _check_seed


def _n_samples(name: str, value: object) -> int:
    """The number of examples in ``value``: its length, or for a tuple/dict of inputs the common
    length of its parts. TypeError if it has none, ValueError if the parts disagree."""
    parts = list(value.values()) if isinstance(value, dict) else list(value) if isinstance(value, tuple) else [value]
    lengths = []
    for part in parts:
        try:
            lengths.append(len(part))
        except TypeError:
            raise TypeError(f"{name} must be an array or list of examples (or a tuple/dict of them), got "
                            f"{type(part).__name__}, which has no length.") from None
    if not parts or len(set(lengths)) != 1:
        raise ValueError(f"the inputs in {name} must hold the same number of examples, got lengths {lengths}.")
    return lengths[0]


def make_dataset(
    x: Sequence | np.ndarray,
    y: np.ndarray | None = None,
    batch_size: int = 128,
    shuffle: bool = False,
    seed: int = 42,
):
    """A ``tf.data.Dataset`` of (x, y) batches, with tf.data autotuning switched off.

    Keras's default input pipeline sometimes stalled 2–5 s per epoch on a 2-core CPU; a
    plain pipeline with ``autotune.enabled = False`` did not. Shuffling is seeded and
    reshuffles each epoch, so runs are reproducible.

    Raises:
        TypeError: if ``x``/``y`` have no length or ``batch_size``, ``shuffle`` or ``seed`` have
            the wrong type.
        ValueError: if ``x`` is empty, ``y`` has another number of examples, ``batch_size < 1``
            or ``seed`` is not in ``[0, 2**32 - 1]``.
    """
    import tensorflow as tf

    n = _n_samples("x", x)
    if n == 0:
        raise ValueError("x must hold at least one example, got 0.")
    if y is not None and _n_samples("y", y) != n:
        raise ValueError(f"x and y must hold the same number of examples (samples), got {n} and "
                         f"{_n_samples('y', y)}.")
    _check_int("batch_size", batch_size, minimum=1)
    _check_bool("shuffle", shuffle)
    _check_seed("seed", seed)
    ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
    if shuffle:
        ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.with_options(options)


def sequence_lengths(x: np.ndarray) -> np.ndarray:
    """Lengths of end-padded integer sequences (padding id 0, as ``TextVectorization`` makes).

    Raises:
        TypeError: if ``x`` is not an integer array.
        ValueError: unless it is 2-D, (samples, max_length).
    """
    return np.count_nonzero(as_array("x", x, 2, "(samples, max_length)", kinds=INTEGER), axis=1)


def token_lengths(vectorizer: keras.layers.TextVectorization, texts: Sequence[str] | np.ndarray,
                  batch_size: int = 1024) -> np.ndarray:
    """Tokens per text, as an adapted ``vectorizer`` (``output_mode="int"``, no
    ``output_sequence_length``) splits them: the distribution a sequence length is chosen from.

    The texts are vectorized ``batch_size`` at a time, each batch padded only to its own longest
    text, and the non-padding ids counted. It works on every Keras backend, unlike
    ``TextVectorization(ragged=True)``, which is TensorFlow-only.

    Raises:
        TypeError: if ``vectorizer`` is not a ``TextVectorization`` layer or ``texts`` is one str.
        ValueError: if the vectorizer does not output ids, would cut the texts (its
            ``output_sequence_length`` is set) or has no vocabulary yet.
    """
    if not isinstance(vectorizer, keras.layers.TextVectorization):
        raise TypeError(f"vectorizer must be a keras.layers.TextVectorization, got {type(vectorizer).__name__}.")
    config = vectorizer.get_config()
    if config["output_mode"] != "int" or config["output_sequence_length"] is not None:
        raise ValueError("token_lengths needs a TextVectorization with output_mode='int' and no "
                         f"output_sequence_length (got output_mode={config['output_mode']!r}, output_sequence_length="
                         f"{config['output_sequence_length']!r}): otherwise it would count cut or padded texts.")
    if vectorizer.vocabulary_size() <= 2:
        raise ValueError("the vectorizer has no vocabulary yet: call vectorizer.adapt(texts) first.")
    if isinstance(texts, str | bytes):
        raise TypeError("texts must be a list or array of texts, got one str: wrap it in a list.")
    _check_int("batch_size", batch_size, minimum=1)
    lengths = [np.count_nonzero(keras.ops.convert_to_numpy(vectorizer(texts[start:start + batch_size])), axis=1)
               for start in range(0, len(texts), batch_size)]
    return np.concatenate(lengths).astype(np.int64) if lengths else np.zeros(0, np.int64)


def make_bucketed_dataset(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int = 128,
    shuffle: bool = False,
    seed: int = 42,
    n_buckets: int = 8,
    fixed_shapes: bool | None = None,
):
    """Batches of sequences of similar length, each padded only to its own longest sequence.

    ``x`` is an (n, max_length) integer array padded with 0 at the end. Sequences are put
    into ``n_buckets`` length buckets (boundaries at length quantiles), and every batch
    comes from one bucket, so a batch of short reviews is not padded to the longest review
    in the data set. With a masked ``Embedding`` the model computes the same thing; it just
    skips most of the padding, which is most of the time on a CPU. The batch order is
    shuffled (seeded) when ``shuffle`` is set; the number of batches is known in advance, so
    Keras shows progress from the first epoch. Autotuning is off, as in :func:`make_dataset`.

    ``fixed_shapes=True`` pads every batch to its bucket's upper bound instead, so there are only
    ``n_buckets`` sequence lengths: the JAX backend compiles the model once per input shape, and
    a new length in every batch would mean a compilation in every step. The default (``None``)
    is ``True`` on JAX and ``False`` on TensorFlow, whose Keras training function accepts any
    length.

    Note that the examples come out in a different order than ``x``: use it for ``fit`` and
    ``evaluate``, and ``model.predict(x)`` on the array when predictions must stay aligned.

    Raises:
        TypeError: if ``x`` is not an integer array or an option has the wrong type.
        ValueError: if ``x`` is not 2-D or empty, ``y`` has another number of examples, or
            ``batch_size``/``n_buckets`` is below 1.
    """
    import tensorflow as tf

    x = as_array("x", x, kinds=INTEGER)
    y = np.asarray(y)
    if x.ndim != 2 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(f"x must be (samples, max_length) and y (samples, ...): got {x.shape} and {y.shape}.")
    if len(x) == 0:
        raise ValueError("x must hold at least one example, got 0 samples.")
    _check_int("batch_size", batch_size, minimum=1)
    _check_bool("shuffle", shuffle)
    _check_seed("seed", seed)
    _check_int("n_buckets", n_buckets, minimum=1)
    if fixed_shapes is None:
        fixed_shapes = keras.backend.backend() == "jax"
    _check_bool("fixed_shapes", fixed_shapes)
    lengths = np.maximum(sequence_lengths(x), 1)
    quantiles = np.quantile(lengths, np.linspace(0, 1, n_buckets + 1)[1:-1])
    boundaries = sorted({int(b) + 1 for b in quantiles})
    if fixed_shapes:  # the last bucket needs an upper bound too: the longest sequence
        boundaries = sorted({*boundaries, int(lengths.max()) + 1})
    buckets = np.searchsorted(boundaries, lengths, side="right")
    n_batches = int(sum(-(-np.sum(buckets == b) // batch_size) for b in range(len(boundaries) + 1)))

    ds = tf.data.Dataset.from_tensor_slices((x, y, lengths))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.map(lambda seq, label, n: (seq[:n], label))
    ds = ds.bucket_by_sequence_length(
        lambda seq, label: tf.shape(seq)[0],
        bucket_boundaries=boundaries,
        bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
        pad_to_bucket_boundary=fixed_shapes,
    )
    ds = ds.apply(tf.data.experimental.assert_cardinality(n_batches))
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.with_options(options)


def char_gru_classifier(vocabulary_size: int, embedding_dim: int = 32, units: int = 32,
                        learning_rate: float = 3e-3):
    """Chapter 03's reference sentiment model for character ids: a masked ``Embedding`` →
    ``GRU`` → ``Dense(1, sigmoid)``, compiled with Adam and binary cross-entropy.

    The notebook uses it only while the student's own model does not pass its check, so
    that the rest of the chapter still runs. ``vocabulary_size`` counts the padding id 0, so
    it must be at least 2.

    Raises:
        TypeError/ValueError: unless the sizes are integers (``vocabulary_size`` ≥ 2, the
            others ≥ 1) and ``learning_rate`` a finite number above 0.
    """
    import keras

    _check_int("vocabulary_size", vocabulary_size, minimum=2)
    _check_int("embedding_dim", embedding_dim, minimum=1)
    _check_int("units", units, minimum=1)
    check_real("learning_rate", learning_rate, minimum=0, strict=True)

    model = keras.Sequential([
        keras.Input((None,), dtype="int64"),
        keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True),
        keras.layers.GRU(units),
        keras.layers.Dense(1, activation="sigmoid"),
    ], name="char_gru")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock seconds of every training epoch in ``self.seconds``.

    Validation at the end of an epoch is included, as a student waiting for ``fit`` sees it.
    """

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)


def seconds_to_target(val_scores: Sequence[float], epoch_seconds: Sequence[float], target: float) -> float:
    """Training time until a validation score first reached ``target``: the sum of the epoch
    times up to and including that epoch, or ``nan`` if it never did.

    Raises:
        TypeError: if the sequences are not numeric or ``target`` is not a number.
        ValueError: if they are empty, have different lengths, a score is NaN or a time is
            negative or not finite.
    """
    scores = as_array("val_scores", val_scores, 1, "(epochs,)")
    seconds = as_array("epoch_seconds", epoch_seconds, 1, "(epochs,)")
    if len(scores) != len(seconds):
        raise ValueError(f"one time per epoch expected: {len(scores)} scores, {len(seconds)} times.")
    if len(scores) == 0:
        raise ValueError("val_scores and epoch_seconds must hold at least one epoch, got none.")
    check_real("target", target)
    if np.isnan(scores).any():
        raise ValueError(f"val_scores must not hold NaN, got {scores.tolist()}.")
    if not (np.isfinite(seconds).all() and (seconds >= 0).all()):
        raise ValueError(f"epoch_seconds must be finite and at least 0, got {seconds.tolist()}.")
    reached = np.flatnonzero(scores >= target)
    return float(np.sum(seconds[: reached[0] + 1])) if reached.size else float("nan")


def predict_bucketed(model: keras.Model, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """``model.predict`` over length buckets (little padding, so fast for masked RNNs), with
    the predictions put back in the order of ``x``.

    Raises:
        TypeError: if ``model`` is not a Keras model or ``x`` not an integer array.
        ValueError: as :func:`make_bucketed_dataset` (``x`` 2-D and non-empty, ``batch_size`` ≥ 1).
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}.")
    ds = make_bucketed_dataset(x, np.arange(len(x)), batch_size)
    index = np.concatenate([np.asarray(i) for _, i in ds])
    predictions = np.asarray(model.predict(ds, verbose=0))
    out = np.empty_like(predictions)
    out[index] = predictions
    return out
