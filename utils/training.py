"""Small training helpers shared by the notebooks."""

from __future__ import annotations

import time
from collections.abc import Sequence

import keras
import numpy as np


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
    """
    import tensorflow as tf

    data = (x,) if y is None else (x, y)
    ds = tf.data.Dataset.from_tensor_slices(data if y is not None else x)
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.with_options(options)


def sequence_lengths(x: np.ndarray) -> np.ndarray:
    """Lengths of end-padded integer sequences (padding id 0, as ``TextVectorization`` makes)."""
    return np.count_nonzero(np.asarray(x), axis=1)


def make_bucketed_dataset(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int = 128,
    shuffle: bool = False,
    seed: int = 42,
    n_buckets: int = 8,
):
    """Batches of sequences of similar length, each padded only to its own longest sequence.

    ``x`` is an (n, max_length) integer array padded with 0 at the end. Sequences are put
    into ``n_buckets`` length buckets (boundaries at length quantiles), and every batch
    comes from one bucket, so a batch of short reviews is not padded to the longest review
    in the data set. With a masked ``Embedding`` the model computes the same thing; it just
    skips most of the padding, which is most of the time on a CPU. The batch order is
    shuffled (seeded) when ``shuffle`` is set; the number of batches is known in advance, so
    Keras shows progress from the first epoch. Autotuning is off, as in :func:`make_dataset`.

    Note that the examples come out in a different order than ``x``: use it for ``fit`` and
    ``evaluate``, and ``model.predict(x)`` on the array when predictions must stay aligned.
    """
    import tensorflow as tf

    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 2 or len(x) != len(y):
        raise ValueError(f"x must be (samples, max_length) and y (samples, ...): got {x.shape} and {y.shape}.")
    lengths = np.maximum(sequence_lengths(x), 1)
    quantiles = np.quantile(lengths, np.linspace(0, 1, n_buckets + 1)[1:-1])
    boundaries = sorted({int(b) + 1 for b in quantiles})
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
    that the rest of the chapter still runs.
    """
    import keras

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
    times up to and including that epoch, or ``nan`` if it never did."""
    if len(val_scores) != len(epoch_seconds):
        raise ValueError(f"one time per epoch expected: {len(val_scores)} scores, {len(epoch_seconds)} times.")
    reached = np.flatnonzero(np.asarray(val_scores) >= target)
    return float(np.sum(epoch_seconds[: reached[0] + 1])) if reached.size else float("nan")


def predict_bucketed(model: keras.Model, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """``model.predict`` over length buckets (little padding, so fast for masked RNNs), with
    the predictions put back in the order of ``x``."""
    ds = make_bucketed_dataset(x, np.arange(len(x)), batch_size)
    index = np.concatenate([np.asarray(i) for _, i in ds])
    predictions = np.asarray(model.predict(ds, verbose=0))
    out = np.empty_like(predictions)
    out[index] = predictions
    return out
