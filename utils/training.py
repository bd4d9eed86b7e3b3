"""Small training helpers shared by the notebooks."""

from __future__ import annotations

from collections.abc import Sequence

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
