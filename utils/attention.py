"""Attention pooling over a sequence of hidden states (chapter 04), in NumPy and as a Keras layer.

A recurrent layer with ``return_sequences=True`` gives one hidden state ``h_t`` per token. To
classify the whole sequence we need one vector. Attention pooling learns it:

    score_t = v · tanh(h_t W + b)            one number per token (additive scoring)
    a       = softmax(score) over the real tokens (padding gets weight 0, weights sum to 1)
    pooled  = Σ_t a_t h_t                    a weighted average of the hidden states

The NumPy functions are the reference; :class:`AttentionPooling` is the same computation in
backend-neutral ``keras.ops`` and is checked against them.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from ._validate import INTEGER, as_array, check_finite, check_shape, check_str
from .config import _check_int


def masked_softmax(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Softmax over the last axis of ``scores`` (batch, steps), ignoring masked-out steps.

    ``mask`` is boolean (or 0/1), True for real tokens, of the shape of ``scores`` or one that
    broadcasts to it (e.g. (steps,) for every row). Masked steps get weight exactly 0 and the
    others sum to 1. A row with no real token gets all zeros (as :class:`AttentionPooling`
    gives it), not an error: a batch may hold an empty sequence.

    Raises:
        TypeError: if ``scores`` or ``mask`` is not numeric.
        ValueError: if ``scores`` is 0-D, ``mask`` holds values other than 0/1 or its shape does
            not broadcast to that of ``scores``, or a real (unmasked) score is NaN or infinite.
    """
    scores = as_array("scores", scores, layout="(batch, steps)").astype(np.float64, copy=False)
    if scores.ndim == 0:
        raise ValueError("scores must have at least one axis, (batch, steps) or (steps,), got a scalar.")
    if mask is None:
        mask = np.ones_like(scores, dtype=bool)
    mask = as_array("mask", mask, kinds="biuf")
    if mask.dtype.kind != "b" and not np.isin(mask, (0, 1)).all():
        raise ValueError("mask must be boolean or hold only 0 and 1 (True/1 for a real token), got values "
                         f"{np.unique(mask[~np.isin(mask, (0, 1))])[:5].tolist()}.")
    if mask.shape != scores.shape:
        try:
            mask = np.broadcast_to(mask, scores.shape)
        except ValueError:
            raise ValueError(f"mask must have the shape of scores {scores.shape} (or one that broadcasts to it), "
                             f"got {mask.shape}.") from None
    mask = mask.astype(bool, copy=False)
    check_finite("scores (where mask is True)", np.where(mask, scores, 0.0))
    shifted = np.where(mask, scores, -np.inf)
    top = np.max(shifted, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)  # rows with no real token
    exp = np.where(mask, np.exp(shifted - top), 0.0)
    total = exp.sum(axis=-1, keepdims=True)
    return exp / np.where(total > 0, total, 1.0)


def attention_pooling(hidden: np.ndarray, w: np.ndarray, b: np.ndarray, v: np.ndarray,
                      mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """NumPy attention pooling: returns ``(pooled, weights)``.

    ``hidden`` is (batch, steps, features); ``w`` (features, units), ``b`` (units,) and
    ``v`` (units,) are the layer's weights in :class:`AttentionPooling`'s order.
    ``pooled`` is (batch, features), ``weights`` is (batch, steps).

    Raises:
        TypeError: if an array is not numeric.
        ValueError: if the shapes do not fit that layout (``mask``: as :func:`masked_softmax`).
    """
    hidden = as_array("hidden", hidden, 3, "(batch, steps, features)")
    w = as_array("w", w, 2, "(features, units)")
    check_shape("w", w, (hidden.shape[2], w.shape[1]), f"(features, units) with features = hidden.shape[2] = "
                f"{hidden.shape[2]}")
    for name, vector in (("b", b), ("v", v)):
        check_shape(name, as_array(name, vector, 1, "(units,)"), (w.shape[1],),
                    f"(units,) with units = w.shape[1] = {w.shape[1]}")
    scores = np.tanh(hidden @ w + b) @ v
    weights = masked_softmax(scores, mask)
    return np.einsum("bt,btf->bf", weights, hidden), weights


def reverse_sequences(x: np.ndarray) -> np.ndarray:
    """Reverse the real tokens of each end-padded row of ``x`` and keep the padding at the end.

    ``[[5, 6, 7, 0, 0]]`` becomes ``[[7, 6, 5, 0, 0]]``. (``x[:, ::-1]`` would move the padding
    to the front, which breaks length bucketing and changes what the last state sees.)

    Raises:
        TypeError: if ``x`` is not an integer array.
        ValueError: if it is not 2-D or a row has a 0 (padding) before a real token.
    """
    x = as_array("x", x, kinds=INTEGER)
    if x.ndim != 2:
        raise ValueError(f"x must be a 2-d array (samples, max_length), got shape {x.shape}.")
    lengths = np.count_nonzero(x, axis=1)
    steps = np.arange(x.shape[1])
    inside = (x == 0) & (steps < lengths[:, None])        # a 0 among the first n positions of a row of n tokens
    if inside.any():
        row = int(np.argmax(inside.any(axis=1)))
        raise ValueError(f"x must be end-padded (every 0 after the row's real tokens), but row {row} has a 0 at "
                         f"position {int(np.argmax(inside[row]))} before a non-zero id.")
    # position t of row i reads from lengths[i] - 1 - t while t < lengths[i]
    source = np.where(steps < lengths[:, None], lengths[:, None] - 1 - steps, steps)
    out = np.take_along_axis(x, source, axis=1)
    return np.where(steps < lengths[:, None], out, 0)


@keras.saving.register_keras_serializable(package="course")
class AttentionPooling(keras.layers.Layer):
    """Masked attention pooling: (batch, steps, features) → (batch, features).

    ``score_t = v · tanh(h_t W + b)``, softmax over the unmasked steps, weighted sum of
    the ``h_t``. Call it with ``return_attention_scores=True`` to get ``(pooled,
    weights)``. It consumes the mask (the output has no time axis left to mask).
    """

    def __init__(self, units: int = 32, **kwargs: Any) -> None:
        _check_int("units", units, minimum=1)
        super().__init__(**kwargs)
        self.units = units
        self.supports_masking = True

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(f"AttentionPooling needs inputs of shape (batch, steps, features) with a known number "
                             f"of features (e.g. an RNN with return_sequences=True), got {tuple(input_shape)}.")
        features = input_shape[-1]
        self.w = self.add_weight(shape=(features, self.units), initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
        self.v = self.add_weight(shape=(self.units,), initializer="glorot_uniform", name="v")

    def call(self, inputs: Any, mask: Any = None, return_attention_scores: bool = False) -> Any:
        scores = ops.tensordot(ops.tanh(ops.matmul(inputs, self.w) + self.b), self.v, axes=1)
        if mask is not None:
            scores = ops.where(ops.cast(mask, "bool"), scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1)
        if mask is not None:  # exact zeros on padding (and all zeros for an empty row)
            weights = weights * ops.cast(mask, weights.dtype)
        pooled = ops.sum(ops.expand_dims(weights, -1) * inputs, axis=1)
        return (pooled, weights) if return_attention_scores else pooled

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units}



@keras.saving.register_keras_serializable(package="course")
class MaskedGlobalMaxPooling1D(keras.layers.Layer):
    """``GlobalMaxPooling1D`` that ignores masked (padding) steps.

    Keras's own ``GlobalMaxPooling1D`` ignores the mask, and a masked recurrent layer inside
    ``Bidirectional`` outputs zeros at padded steps, so a feature whose real values are all
    negative would pool to 0 and the result would depend on how much padding a batch has.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), -1)
        pooled = ops.max(ops.where(keep, inputs, ops.full_like(inputs, -1e9)), axis=1)
        return ops.where(ops.any(keep, axis=1), pooled, ops.zeros_like(pooled))  # empty rows: 0

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], input_shape[-1])


def highlight(tokens: list[str], weights: np.ndarray, color: str = "255, 140, 0") -> str:
    """HTML for ``tokens`` with each token's background as strong as its attention weight
    (scaled so that the largest weight is fully opaque); hover shows the weight.

    Raises:
        TypeError: if ``tokens`` is not a list of str, ``weights`` not numeric or ``color`` not a str.
        ValueError: if the lengths differ or a weight is negative, NaN or infinite.
    """
    import html

    if isinstance(tokens, str) or not isinstance(tokens, list | tuple):
        raise TypeError(f"tokens must be a list of str, got {type(tokens).__name__}.")
    bad = next((t for t in tokens if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"tokens must hold only str, got {bad!r} ({type(bad).__name__}).")
    check_str("color", color, allow_empty=False)
    weights = as_array("weights", weights, 1, "(tokens,)").astype(float, copy=False)
    if len(tokens) != len(weights):
        raise ValueError(f"one weight per token expected: {len(tokens)} tokens, {len(weights)} weights.")
    check_finite("weights", weights)
    if np.any(weights < 0):
        raise ValueError(f"weights must be at least 0 (attention weights), got {weights.min()}.")
    top = weights.max() if len(weights) and weights.max() > 0 else 1.0
    spans = [f'<span title="{w:.4f}" style="background: rgba({color}, {w / top:.2f}); padding: 1px 2px;">'
             f"{html.escape(t)}</span>" for t, w in zip(tokens, weights)]
    return '<div style="line-height: 1.9; font-family: sans-serif;">' + " ".join(spans) + "</div>"
