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
from .config import _check_bool, _check_int


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


# ----------------------------------------------------------------------------- chapter 09: self-attention


def causal_mask(length: int) -> np.ndarray:
    """The look-ahead mask of a decoder: bool (length, length), True where query ``i`` may attend
    key ``j``, i.e. ``j <= i`` (a token sees itself and the past, never the future).

    This is the *boolean* convention of ``keras.layers.MultiHeadAttention`` (``attention_mask``,
    True = attend) and of :func:`scaled_dot_product_attention`; the other convention, an additive
    float mask of 0 and -inf added to the scores, is ``np.where(causal_mask(n), 0.0, -np.inf)``.

    Raises:
        TypeError: ``length`` is not an integer.
        ValueError: ``length`` is below 1.
    """
    _check_int("length", length, minimum=1)
    return np.tril(np.ones((length, length), dtype=bool))


def padding_mask(token_ids: np.ndarray, pad: int = 0) -> np.ndarray:
    """The key mask of end-padded ``token_ids`` (batch, T): bool **(batch, 1, T)**, True at real
    tokens (``token_ids != pad``).

    The middle axis of size 1 lets it broadcast over the queries: combined with a score matrix
    (batch, Tq, T) every query of a row ignores that row's padding keys. Pass it as
    ``attention_mask`` to :func:`scaled_dot_product_attention` (for scores with a head axis,
    (batch, heads, Tq, T), add one: ``padding_mask(ids)[:, None]``) or to
    :func:`multi_head_attention` / ``keras.layers.MultiHeadAttention`` as it is.

    Raises:
        TypeError: ``token_ids`` is not an integer array or ``pad`` not an integer.
        ValueError: ``token_ids`` is not 2-D.
    """
    token_ids = as_array("token_ids", token_ids, 2, "(batch, T)", kinds=INTEGER)
    _check_int("pad", pad)
    return (token_ids != pad)[:, None, :]


def combine_masks(*masks: np.ndarray | None) -> np.ndarray | None:
    """The logical AND of boolean masks that broadcast together (True = attend), ignoring None;
    None when every mask is None. E.g. ``combine_masks(padding_mask(ids), causal_mask(T))`` is
    (batch, T, T): causal *and* no padding keys.

    Raises:
        TypeError: a mask is not boolean (or 0/1 numbers).
        ValueError: a mask holds values other than 0/1, or the shapes do not broadcast.
    """
    out: np.ndarray | None = None
    for i, mask in enumerate(masks):
        if mask is None:
            continue
        mask = _as_bool_mask(f"masks[{i}]", mask)
        if out is not None:
            try:
                np.broadcast_shapes(out.shape, mask.shape)
            except ValueError:
                raise ValueError(f"masks[{i}] of shape {mask.shape} does not broadcast with the masks before it "
                                 f"(combined shape {out.shape}).") from None
        out = mask if out is None else out & mask
    return out


def _as_bool_mask(name: str, mask: Any) -> np.ndarray:
    """``mask`` as a bool array; TypeError/ValueError unless it is boolean or holds only 0 and 1."""
    mask = as_array(name, mask, kinds="biuf")
    if mask.dtype.kind != "b":
        if not np.isin(mask, (0, 1)).all():
            raise ValueError(f"{name} must be boolean (True = attend) or hold only 0 and 1, got values "
                             f"{np.unique(mask[~np.isin(mask, (0, 1))])[:5].tolist()}; an additive mask of "
                             "0/-inf is the other convention: pass `additive == 0` instead.")
        mask = mask.astype(bool)
    return mask


def _float_dtype(*arrays: np.ndarray) -> np.dtype:
    """The floating dtype of a result computed from ``arrays``: float32 for float32 inputs, at
    least float32 (float64 for integer or float64 inputs)."""
    return np.result_type(*(a.dtype for a in arrays), np.float32)


def scaled_dot_product_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray,
                                 mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """NumPy scaled dot-product attention ``softmax(q kᵀ / sqrt(d)) v``: returns ``(output, weights)``.

    ``q`` is (..., Tq, d), ``k`` (..., Tk, d), ``v`` (..., Tk, dv); the leading axes (batch,
    heads, …) broadcast. ``mask`` is boolean (or 0/1), True where a query may attend a key, of a
    shape that broadcasts to the scores (..., Tq, Tk): :func:`causal_mask` (Tq, Tk),
    :func:`padding_mask` (batch, 1, Tk), or their :func:`combine_masks`. ``weights`` is
    (..., Tq, Tk), each row summing to 1 over its allowed keys (exactly 0 on the others);
    ``output`` is (..., Tq, dv). A query row with no allowed key gets weights all 0 and output 0,
    never NaN: that is what ``keras.layers.MultiHeadAttention`` does (its ``Softmax`` zeroes the
    masked positions after the softmax). The softmax is :func:`masked_softmax`, in float64; the
    results have the inputs' floating dtype (float32 for float32 inputs).

    Raises:
        TypeError: an input is not numeric, or ``mask`` is not boolean/0-1.
        ValueError: an input has fewer than 2 axes, ``q`` and ``k`` differ in ``d``, ``k`` and
            ``v`` in ``Tk``, the leading axes or the mask do not broadcast, or a score is NaN/inf.
    """
    q = as_array("q", q, layout="(..., Tq, d)")
    k = as_array("k", k, layout="(..., Tk, d)")
    v = as_array("v", v, layout="(..., Tk, dv)")
    for name, array, layout in (("q", q, "(..., Tq, d)"), ("k", k, "(..., Tk, d)"), ("v", v, "(..., Tk, dv)")):
        if array.ndim < 2:
            raise ValueError(f"{name} must have at least 2 axes {layout}, got shape {array.shape}.")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last axis d (the query and key depth), got q {q.shape} and "
                         f"k {k.shape}.")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of keys Tk (axis -2), got k {k.shape} and v {v.shape}.")
    try:
        lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(f"the leading (batch, heads) axes of q {q.shape}, k {k.shape} and v {v.shape} do not "
                         "broadcast together.") from None
    dtype = _float_dtype(q, k, v)
    scores = q.astype(np.float64) @ np.swapaxes(k.astype(np.float64), -1, -2) / np.sqrt(q.shape[-1])
    scores = np.broadcast_to(scores, (*lead, q.shape[-2], k.shape[-2]))
    if mask is not None:
        mask = _as_bool_mask("mask", mask)
        try:
            mask = np.broadcast_to(mask, scores.shape)
        except ValueError:
            raise ValueError(f"mask of shape {mask.shape} does not broadcast to the scores (..., Tq, Tk) = "
                             f"{scores.shape}; for scores with a head axis, add it: mask[:, None].") from None
    weights = masked_softmax(scores, mask)
    output = weights @ v.astype(np.float64)
    return output.astype(dtype), weights.astype(dtype)


def split_heads(x: np.ndarray, num_heads: int) -> np.ndarray:
    """(batch, T, heads · depth) → (batch, heads, T, depth): feature ``h · depth + j`` goes to head
    ``h``, position ``j`` (the layout of ``MultiHeadAttention``'s kernels reshaped to 2-D).

    Raises:
        TypeError: ``x`` is not numeric or ``num_heads`` not an integer.
        ValueError: ``x`` is not 3-D or its last axis is not a multiple of ``num_heads``.
    """
    x = as_array("x", x, 3, "(batch, T, heads * depth)")
    _check_int("num_heads", num_heads, minimum=1)
    batch, steps, features = x.shape
    if features % num_heads:
        raise ValueError(f"the last axis of x ({features} features) must be a multiple of num_heads={num_heads}.")
    return x.reshape(batch, steps, num_heads, features // num_heads).transpose(0, 2, 1, 3)


def merge_heads(x: np.ndarray) -> np.ndarray:
    """(batch, heads, T, depth) → (batch, T, heads · depth), the inverse of :func:`split_heads`.

    Raises:
        TypeError: ``x`` is not numeric.
        ValueError: ``x`` is not 4-D.
    """
    x = as_array("x", x, 4, "(batch, heads, T, depth)")
    batch, heads, steps, depth = x.shape
    return x.transpose(0, 2, 1, 3).reshape(batch, steps, heads * depth)


def multi_head_attention(layer_weights: list[np.ndarray], query: np.ndarray, value: np.ndarray,
                         key: np.ndarray | None = None, *, num_heads: int, key_dim: int, value_dim: int | None = None,
                         attention_mask: np.ndarray | None = None,
                         use_causal_mask: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """NumPy forward pass of ``keras.layers.MultiHeadAttention`` from ``layer.get_weights()``:
    returns ``(output (batch, Tq, D), scores (batch, heads, Tq, Tk))``, what the layer returns
    with ``return_attention_scores=True`` (no dropout: inference).

    ``layer_weights`` is ``[Wq (Dq, H, key_dim), bq (H, key_dim), Wk (Dk, H, key_dim), bk,
    Wv (Dv, H, value_dim), bv, Wo (H, value_dim, D), bo (D,)]`` (or the four kernels alone for
    ``use_bias=False``). ``query`` is (batch, Tq, Dq), ``value`` (batch, Tk, Dv) and ``key``
    (batch, Tk, Dk), ``value`` when None (self-attention: pass the same array as query and
    value). The steps: project (``query @ Wq + bq`` with the kernel as a (Dq, H·key_dim)
    matrix), :func:`split_heads`, :func:`scaled_dot_product_attention` in every head at once,
    :func:`merge_heads`, output projection. ``attention_mask`` is boolean, True = attend,
    (batch, Tq, Tk) or broadcastable to it (:func:`padding_mask` (batch, 1, Tk), (Tq, Tk));
    ``use_causal_mask=True`` ANDs it with the lower-triangular (Tq, Tk) mask (``j <= i``, as
    Keras does, also when Tq ≠ Tk). A query with no allowed key gets zero weights, so its
    output is ``bo`` (as in Keras).

    Raises:
        TypeError: a wrong type (weights not a list of arrays, non-integer sizes, a non-bool flag).
        ValueError: weights or inputs whose shapes do not fit each other, ``num_heads`` or
            ``key_dim``, or a mask that does not broadcast to (batch, Tq, Tk).
    """
    _check_int("num_heads", num_heads, minimum=1)
    _check_int("key_dim", key_dim, minimum=1)
    _check_int("value_dim", value_dim, minimum=1, allow_none=True)
    _check_bool("use_causal_mask", use_causal_mask)
    value_dim = key_dim if value_dim is None else value_dim
    if not isinstance(layer_weights, list | tuple) or len(layer_weights) not in (4, 8):
        raise TypeError("layer_weights must be the list layer.get_weights() of a MultiHeadAttention layer: 8 arrays "
                        "(query, key, value and output kernels and biases) or 4 kernels with use_bias=False, got "
                        f"{type(layer_weights).__name__}"
                        f"{f' of length {len(layer_weights)}' if isinstance(layer_weights, list | tuple) else ''}.")
    weights = [as_array(f"layer_weights[{i}]", w) for i, w in enumerate(layer_weights)]
    with_bias = len(weights) == 8
    kernels = weights[0::2] if with_bias else weights
    biases = weights[1::2] if with_bias else [None] * 4
    query = as_array("query", query, 3, "(batch, Tq, Dq)")
    value = as_array("value", value, 3, "(batch, Tk, Dv)")
    key = value if key is None else as_array("key", key, 3, "(batch, Tk, Dk)")
    if key.shape[:2] != value.shape[:2] or query.shape[0] != value.shape[0]:
        raise ValueError(f"query (batch, Tq, Dq), value (batch, Tk, Dv) and key (batch, Tk, Dk) must share batch, "
                         f"and key and value Tk; got query {query.shape}, value {value.shape}, key {key.shape}.")
    names = ("query", "key", "value", "output")
    expected = [(query.shape[2], num_heads, key_dim), (key.shape[2], num_heads, key_dim),
                (value.shape[2], num_heads, value_dim), (num_heads, value_dim, None)]
    for name, kernel, bias, shape in zip(names, kernels, biases, expected):
        if kernel.ndim != 3 or any(s is not None and s != g for s, g in zip(shape, kernel.shape)):
            shown = tuple("D" if s is None else s for s in shape)
            raise ValueError(f"the {name} kernel must have shape {shown} for num_heads={num_heads}, "
                             f"key_dim={key_dim}, value_dim={value_dim} and these inputs, got {kernel.shape}: pass "
                             "layer.get_weights() in its order, and the layer's num_heads, key_dim and value_dim.")
        bias_shape = kernel.shape[2:] if name == "output" else kernel.shape[1:]
        if bias is not None and bias.shape != bias_shape:
            raise ValueError(f"the {name} bias must have shape {bias_shape}, got {bias.shape}.")
    batch, tq, tk = query.shape[0], query.shape[1], key.shape[1]

    def project(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
        out = x.astype(np.float64) @ kernel.reshape(kernel.shape[0], -1).astype(np.float64)   # (batch, T, H·depth)
        if bias is not None:
            out = out + bias.reshape(-1)
        return split_heads(out, num_heads)                                                     # (batch, H, T, depth)

    q, k, v = (project(x, kernel, bias) for x, kernel, bias in zip((query, key, value), kernels, biases))
    mask = None if attention_mask is None else _as_bool_mask("attention_mask", attention_mask)
    if use_causal_mask:
        mask = combine_masks(mask, np.tril(np.ones((tq, tk), dtype=bool)))
    if mask is not None:
        if mask.ndim > 3:
            raise ValueError(f"attention_mask must be (batch, Tq, Tk) = {(batch, tq, tk)} or broadcast to it, got "
                             f"shape {mask.shape}.")
        try:
            mask = np.broadcast_to(mask, (batch, tq, tk))[:, None]                             # (batch, 1, Tq, Tk)
        except ValueError:
            raise ValueError(f"attention_mask of shape {mask.shape} does not broadcast to (batch, Tq, Tk) = "
                             f"{(batch, tq, tk)}.") from None
    context, scores = scaled_dot_product_attention(q, k, v, mask)                              # (batch, H, Tq, dv)
    wo, bo = kernels[3], biases[3]
    output = merge_heads(context.astype(np.float64)) @ wo.reshape(-1, wo.shape[2]).astype(np.float64)
    if bo is not None:
        output = output + bo
    dtype = _float_dtype(query, key, value, *weights)
    return output.astype(dtype), scores.astype(dtype)


def sinusoidal_positions(length: int, depth: int) -> np.ndarray:
    """The sinusoidal position table of Vaswani et al. (2017): float32 (length, depth) with
    ``PE[p, 2i] = sin(p / 10000^(2i/depth))`` and ``PE[p, 2i+1] = cos(p / 10000^(2i/depth))``,
    positions ``p = 0 … length-1``; sines and cosines interleaved (even columns sin, odd cos).
    Computed in float64, returned as float32 (what embeddings use).

    Raises:
        TypeError: ``length`` or ``depth`` is not an integer.
        ValueError: ``length`` below 1, or ``depth`` not a positive even number (each frequency
            needs a sin and a cos column).
    """
    _check_int("length", length, minimum=1)
    _check_int("depth", depth, minimum=2)
    if depth % 2:
        raise ValueError(f"depth must be even (a sin and a cos column per frequency), got {depth}: use {depth + 1} "
                         "or drop a column after computing the table.")
    positions = np.arange(length, dtype=np.float64)[:, None]
    angles = positions / 10000.0 ** (np.arange(0, depth, 2, dtype=np.float64) / depth)          # (length, depth/2)
    table = np.empty((length, depth), dtype=np.float64)
    table[:, 0::2], table[:, 1::2] = np.sin(angles), np.cos(angles)
    return table.astype(np.float32)
