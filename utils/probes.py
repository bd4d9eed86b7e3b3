"""Generated probes that test what a sequence model remembers (chapter 04).

:func:`make_order_probe` builds a long-range memory task: sequences of Gaussian noise vectors
with one two-step piece of **evidence** at a controlled position. The evidence is the pair
``+s·u, -s·u`` (label 1) or ``-s·u, +s·u`` (label 0) for a fixed unit vector ``u``, so the label
is the *order* of two steps. Both classes contain the same two evidence vectors, and the noise
and the position are drawn independently of the label, so a bag-of-vectors model (one that
ignores the order of the steps) or any model on time-shuffled sequences is at chance: only a
model that reads the evidence in order, and still remembers it when it answers, can solve the
task. Noise enters every step in every direction, so a recurrent model cannot learn to ignore
it (with token ids and a trainable embedding it could: it would map every noise token to zero).
With ``within`` the evidence is kept near the *start* of long sequences: a forward reader must
carry it through almost the whole sequence, a backward reader reads it last.
:func:`accuracy_by_distance` measures accuracy against the evidence's distance from the end
(or the start) of the sequence.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from ._validate import as_array
from .config import _check_int, _check_seed


class OrderProbe(NamedTuple):
    """A generated long-range probe; unpack it as ``x, y, position = probe``.

    Attributes:
        x: float32 inputs, shape ``(n, length, features)``.
        y: int64 labels, shape ``(n,)``: 1 when the evidence is ``+s·u`` then ``-s·u``, else 0.
        position: int64, shape ``(n,)``: the index of the first evidence step, so the evidence
            sits at ``position`` and ``position + 1``; ``position`` steps come before it and
            ``length - position - 2`` after it.
    """

    x: np.ndarray
    y: np.ndarray
    position: np.ndarray


def steps_after(position: np.ndarray, length: int) -> np.ndarray:
    """The number of steps after the evidence, ``length - position - 2``, for each sequence:
    how long a forward reader must remember it (a backward reader: ``position`` steps)."""
    _check_int("length", length, minimum=2)
    position = as_array("position", position, ndim=1, layout="(n,)", kinds="iu")
    if position.size and (position.min() < 0 or position.max() > length - 2):
        raise ValueError(f"position must lie in 0 .. length - 2 = {length - 2}, got values from "
                         f"{position.min()} to {position.max()}.")
    return length - 2 - position.astype(np.int64)


def make_order_probe(n: int, length: int, features: int = 1, strength: float = 3.0,
                     seed: int = 0, within: int | None = None) -> OrderProbe:
    """Generate ``n`` sequences whose label is the order of two evidence steps in Gaussian noise.

    Every step is standard normal noise of ``features`` dimensions, except the two evidence
    steps at ``position`` and ``position + 1``: ``+strength·u, -strength·u`` (label 1) or
    ``-strength·u, +strength·u`` (label 0), with ``u = (1, ..., 1) / sqrt(features)``.
    Exactly ``n // 2`` labels (rounded down) are 1, in random order; ``position`` is uniform over
    ``0 .. length - 2`` (with ``within``: over ``0 .. within - 2``, so that the whole pair lies in
    the first ``within`` steps) and independent of the label and the noise. The same arguments
    always give the same arrays.

    Args:
        n: the number of sequences, at least 2.
        length: the sequence length, at least 2 (the evidence takes two steps).
        features: the size of each step's vector, at least 1.
        strength: the evidence's norm ``s``, a positive finite number (the noise has standard
            deviation 1 per feature).
        seed: the seed of the NumPy generator, an integer in ``[0, 2**32 - 1]``.
        within: None (the evidence anywhere), or an integer in ``2 .. length``: the evidence
            pair lies in the first ``within`` steps.

    Raises:
        TypeError: if ``n``, ``length``, ``features``, ``seed`` or ``within`` is not an integer,
            or ``strength`` is not a real number.
        ValueError: if an argument is below its minimum, ``within`` exceeds ``length`` or
            ``strength`` is not positive and finite.
    """
    _check_int("n", n, minimum=2)
    _check_int("length", length, minimum=2)
    _check_int("features", features, minimum=1)
    if isinstance(strength, bool) or not isinstance(strength, numbers.Real):
        raise TypeError(f"strength must be a positive number such as 3.0, got {strength!r} "
                        f"({type(strength).__name__}).")
    if not (math.isfinite(strength) and strength > 0):
        raise ValueError(f"strength must be a positive finite number such as 3.0, got {strength}.")
    _check_seed("seed", seed)
    if within is not None:
        _check_int("within", within, minimum=2)
        if within > length:
            raise ValueError(f"within must be at most length = {length} (the evidence lies in the first `within` "
                             f"steps), got {within}.")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n, dtype=np.int64) % 2)
    position = rng.integers(0, (length if within is None else within) - 1, size=n, dtype=np.int64)
    x = rng.standard_normal((n, length, features), dtype=np.float32)
    evidence = (float(strength) / math.sqrt(features)) * np.where(y == 1, 1.0, -1.0).astype(np.float32)[:, None]
    rows = np.arange(n)
    x[rows, position] = evidence
    x[rows, position + 1] = -evidence
    return OrderProbe(x, y, position)


def accuracy_by_distance(correct: np.ndarray, distance: np.ndarray,
                         bins: int | np.ndarray | list[float] | tuple[float, ...] = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The accuracy of predictions grouped by the evidence's distance (e.g. steps from the end).

    Args:
        correct: booleans (or 0/1), shape ``(n,)``: whether each prediction was right.
        distance: non-negative integers, shape ``(n,)``: each example's distance.
        bins: the number of equal-width bins over ``0 .. distance.max()``, at least 1, or an
            increasing 1-D array of bin edges (each bin holds ``edges[i] <= d < edges[i + 1]``,
            the last one also ``d == edges[-1]``).

    Returns:
        ``(centers, accuracy, counts)``, one entry per bin: the bin's middle, the fraction of
        correct predictions in it (NaN for an empty bin) and its number of examples.

    Raises:
        TypeError: if ``correct`` or ``distance`` has the wrong dtype, or ``bins`` is neither an
            integer nor an array of numbers.
        ValueError: if the arrays are not 1-D of the same length, are empty, ``distance`` is
            negative, ``bins < 1`` or the edges are not increasing.
    """
    correct = as_array("correct", correct, ndim=1, layout="(n,)", kinds="biu")
    distance = as_array("distance", distance, ndim=1, layout="(n,)", kinds="iu")
    if len(correct) != len(distance):
        raise ValueError(f"correct and distance must have the same length, got {len(correct)} and {len(distance)}.")
    if len(correct) == 0:
        raise ValueError("correct and distance must hold at least one example, got empty arrays.")
    if correct.dtype.kind != "b" and not np.isin(correct, (0, 1)).all():
        raise ValueError(f"correct must hold only 0/1 or booleans, got values {np.unique(correct)[:5]}.")
    if distance.min() < 0:
        raise ValueError(f"distance must be non-negative, got a minimum of {distance.min()}.")
    if isinstance(bins, np.ndarray | list | tuple):
        edges = as_array("bins", bins, ndim=1, layout="(edges,)").astype(float)
        if len(edges) < 2 or not np.all(np.diff(edges) > 0):
            raise ValueError(f"bins as edges must be at least two strictly increasing numbers, got {edges}.")
    else:
        _check_int("bins", bins, minimum=1)
        edges = np.linspace(0, max(int(distance.max()), 1), bins + 1)
    which = np.digitize(distance, edges[1:-1], right=False)
    inside = (distance >= edges[0]) & (distance <= edges[-1])
    counts = np.bincount(which[inside], minlength=len(edges) - 1)
    hits = np.bincount(which[inside], weights=correct[inside].astype(float), minlength=len(edges) - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(counts > 0, hits / np.maximum(counts, 1), np.nan)
    return (edges[:-1] + edges[1:]) / 2, accuracy, counts
