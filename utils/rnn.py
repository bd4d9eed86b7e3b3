"""NumPy reference implementations of recurrent layers, laid out as Keras lays out weights.

The lecture writes the simple RNN's time-step function as

    output_t = tanh(W · x_t + U · state_t + b)

with W of shape (units, input_dim) and U of shape (units, units). Keras stores the
transposes and multiplies from the left: ``kernel`` is (input_dim, units) = Wᵀ,
``recurrent_kernel`` is (units, units) = Uᵀ, ``bias`` is (units,). The functions here take
the Keras layout, so weights copied from a layer plug in unchanged, and they work on a batch:
``x_t`` is (batch, input_dim) and the state is (batch, units); a single example,
``x_t`` of shape (input_dim,) and a state of shape (units,), works too.

Every step checks the shapes of its arguments against that layout (shape comparisons only,
so the check costs nothing next to the matrix products) and says which layer's weights it
was given when they have another layer's number of gate blocks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validate import as_array, check_finite, check_shape
from .config import _check_bool, _check_int

#: Gate blocks per layer type: the kernel of a layer with ``units`` units has ``blocks · units`` columns.
_LAYERS = {1: "SimpleRNN", 3: "GRU", 4: "LSTM"}


def _layout_hint(columns: int, units: int, blocks: int) -> str:
    """`` These look like LSTM weights …`` when ``columns`` is another layer's number of gate blocks."""
    if units and columns % units == 0 and columns // units in _LAYERS and columns // units != blocks:
        other = columns // units
        return (f" These look like {_LAYERS[other]} weights ({other}·units columns with units = {units}); this "
                f"function takes {_LAYERS[blocks]} weights ({blocks}·units columns).")
    return ""


def _check_step(blocks: int, x_t: object, h_prev: object, kernel: object, recurrent_kernel: object
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Check ``x_t``, ``h_prev``, ``kernel`` and ``recurrent_kernel`` of a layer with ``blocks``
    gate blocks and return them as arrays; ``units`` is ``h_prev.shape[-1]``."""
    x_t = as_array("x_t", x_t, (1, 2), "(batch, input_dim) or (input_dim,)")
    h_prev = as_array("h_prev", h_prev, (1, 2), "(batch, units) or (units,)")
    if x_t.ndim == 2 and h_prev.ndim == 2 and x_t.shape[0] != h_prev.shape[0]:
        raise ValueError(f"x_t and h_prev must have the same batch size: x_t is {x_t.shape} (batch, input_dim), "
                         f"h_prev is {h_prev.shape} (batch, units).")
    units, input_dim = h_prev.shape[-1], x_t.shape[-1]
    if units == 0:
        raise ValueError(f"h_prev must have at least one unit (its last axis), got shape {h_prev.shape}.")
    layer, columns = _LAYERS[blocks], blocks * units
    recurrent_kernel = as_array("recurrent_kernel", recurrent_kernel, 2, f"(units, {blocks}·units)")
    check_shape("recurrent_kernel", recurrent_kernel, (units, columns),
                f"(units, {blocks}·units) for a {layer} with units = h_prev.shape[-1] = {units}",
                _layout_hint(recurrent_kernel.shape[1], recurrent_kernel.shape[0], blocks))
    kernel = as_array("kernel", kernel, 2, f"(input_dim, {blocks}·units)")
    check_shape("kernel", kernel, (input_dim, columns),
                f"(input_dim, {blocks}·units) for a {layer} with input_dim = x_t.shape[-1] = {input_dim} "
                f"and units = {units}", _layout_hint(kernel.shape[1], units, blocks))
    return x_t, h_prev, kernel, recurrent_kernel


def _check_bias(bias: object, blocks: int, units: int) -> np.ndarray:
    """Check a (blocks·units,) bias and return it as an array."""
    bias = as_array("bias", bias, 1, f"({blocks}·units,)")
    check_shape("bias", bias, (blocks * units,), f"({blocks}·units,) for a {_LAYERS[blocks]} with units = {units}",
                _layout_hint(bias.shape[0], units, blocks))
    return bias


def simple_rnn_step(x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray,
                    recurrent_kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """One time step: ``tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)``.

    ``x_t`` is (batch, input_dim), ``h_prev`` (batch, units), ``kernel`` (input_dim, units),
    ``recurrent_kernel`` (units, units), ``bias`` (units,).

    Raises:
        TypeError: if an argument is not a numeric array.
        ValueError: if the shapes do not fit that layout.
    """
    x_t, h_prev, kernel, recurrent_kernel = _check_step(1, x_t, h_prev, kernel, recurrent_kernel)
    bias = _check_bias(bias, 1, h_prev.shape[-1])
    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)


def simple_rnn_forward(x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
                       bias: np.ndarray, h0: np.ndarray | None = None,
                       return_sequences: bool = False) -> np.ndarray:
    """Run :func:`simple_rnn_step` over ``x`` of shape (batch, timesteps, input_dim).

    Returns every state, (batch, timesteps, units), if ``return_sequences``; otherwise the
    last, (batch, units). ``h0`` defaults to zeros, as in Keras.

    Raises:
        TypeError: if an array is not numeric or ``return_sequences`` is not a bool.
        ValueError: if ``x`` has no time step or a shape does not fit the weights.
    """
    x = as_array("x", x, 3, "(batch, timesteps, features)")
    _check_bool("return_sequences", return_sequences)
    if x.shape[1] == 0:
        raise ValueError(f"x must have at least one time step (axis 1 of (batch, timesteps, features)), "
                         f"got shape {x.shape}.")
    kernel = as_array("kernel", kernel, 2, "(input_dim, units)")
    recurrent_kernel = as_array("recurrent_kernel", recurrent_kernel, 2, "(units, units)")
    if x.shape[-1] != kernel.shape[0]:
        raise ValueError(f"x has {x.shape[-1]} features but kernel expects {kernel.shape[0]} "
                         f"(kernel is (input_dim, units) = {kernel.shape}).")
    units = recurrent_kernel.shape[0]
    if h0 is None:
        h = np.zeros((x.shape[0], units), dtype=x.dtype if x.dtype.kind == "f" else "float64")
    else:
        h = as_array("h0", h0, 2, "(batch, units)")
        check_shape("h0", h, (x.shape[0], units), f"(batch, units) with batch = {x.shape[0]} from x and "
                    f"units = {units} from recurrent_kernel")
    outputs = []
    for t in range(x.shape[1]):
        h = simple_rnn_step(x[:, t], h, kernel, recurrent_kernel, bias)
        outputs.append(h)
    return np.stack(outputs, axis=1) if return_sequences else h


def simple_rnn_params(input_dim: int, units: int) -> int:
    """Trainable parameters of a SimpleRNN layer: W, U and b.

    Raises:
        TypeError/ValueError: unless both are integers of at least 1.
    """
    _check_int("input_dim", input_dim, minimum=1)
    _check_int("units", units, minimum=1)
    return units * input_dim + units * units + units


def stacked_rnn_params(input_dim: int, units: Sequence[int]) -> int:
    """Parameters of SimpleRNN layers stacked in order; each layer's input is the one before.

    ``units`` is a non-empty list of each layer's units, e.g. ``[32, 16]``.

    Raises:
        TypeError: if ``input_dim`` is not an integer or ``units`` not a list/tuple of integers.
        ValueError: if ``units`` is empty or a number is below 1.
    """
    _check_int("input_dim", input_dim, minimum=1)
    if not isinstance(units, list | tuple):
        raise TypeError(f"units must be a list of each layer's units such as [32, 16], got {units!r} "
                        f"({type(units).__name__}).")
    if not units:
        raise ValueError("units must name at least one layer, e.g. [32], got [].")
    for i, u in enumerate(units):
        _check_int(f"units[{i}]", u, minimum=1)
    total, d = 0, input_dim
    for u in units:
        total += simple_rnn_params(d, u)
        d = u
    return total


def spectral_radius(matrix: np.ndarray) -> float:
    """The largest absolute eigenvalue of a square matrix.

    Raises:
        TypeError: if ``matrix`` is not numeric.
        ValueError: unless it is a non-empty square 2-D array of finite numbers.
    """
    matrix = as_array("matrix", matrix, 2, "(n, n)")
    if matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"matrix must be square and non-empty, (n, n) with n ≥ 1, got shape {matrix.shape}.")
    check_finite("matrix", matrix)
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def lstm_step(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, kernel: np.ndarray,
              recurrent_kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step in Keras's layout; returns ``(h_t, c_t)``.

    Keras concatenates the four gates' weights in the order input ``i``, forget ``f``,
    candidate ``c`` (often written g) and output ``o``: ``kernel`` is (input_dim, 4·units),
    ``recurrent_kernel`` (units, 4·units), ``bias`` (4·units,); ``c_prev`` has the shape of
    ``h_prev``.

        i = σ(z_i), f = σ(z_f), g = tanh(z_c), o = σ(z_o)   with z = x_t·kernel + h·recurrent + b
        c_t = f ⊙ c_prev + i ⊙ g,   h_t = o ⊙ tanh(c_t)

    Raises:
        TypeError: if an argument is not a numeric array.
        ValueError: if the shapes do not fit that layout (GRU or SimpleRNN weights included).
    """
    c_prev = as_array("c_prev", c_prev, (1, 2), "(batch, units)")
    i, f, g, o = lstm_gates(x_t, h_prev, kernel, recurrent_kernel, bias)
    if c_prev.shape != np.shape(h_prev):
        raise ValueError(f"c_prev must have the shape of h_prev, {np.shape(h_prev)} (batch, units), "
                         f"got {c_prev.shape}.")
    c_t = f * c_prev + i * g
    return o * np.tanh(c_t), c_t


def lstm_gates(x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray,
               recurrent_kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, ...]:
    """The four LSTM gate activations ``(i, f, g, o)`` of one step (Keras layout, see
    :func:`lstm_step`), for looking inside a trained layer.

    Raises:
        TypeError/ValueError: as :func:`lstm_step`.
    """
    x_t, h_prev, kernel, recurrent_kernel = _check_step(4, x_t, h_prev, kernel, recurrent_kernel)
    bias = _check_bias(bias, 4, h_prev.shape[-1])
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    return _sigmoid(z_i), _sigmoid(z_f), np.tanh(z_c), _sigmoid(z_o)


def gru_step(x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray,
             recurrent_kernel: np.ndarray, bias: np.ndarray, reset_after: bool = True) -> np.ndarray:
    """One GRU step in Keras's layout; returns ``h_t``.

    Gates in the order update ``z``, reset ``r``, candidate ``h̃``: ``kernel`` is
    (input_dim, 3·units), ``recurrent_kernel`` (units, 3·units). With Keras's default
    ``reset_after=True``, ``bias`` is (2, 3·units): row 0 for the input part, row 1 for the
    recurrent part, and the reset gate multiplies the recurrent part *after* the matrix product:

        z = σ(x·Wz + bz + h·Uz + b'z),  r = σ(x·Wr + br + h·Ur + b'r)
        h̃ = tanh(x·Wh + bh + r ⊙ (h·Uh + b'h)),   h_t = z ⊙ h_prev + (1 − z) ⊙ h̃

    With ``reset_after=False`` (``keras.layers.GRU(..., reset_after=False)``, the original
    GRU) ``bias`` is (3·units,) and the reset gate multiplies ``h_prev`` before the product:
    ``h̃ = tanh(x·Wh + bh + (r ⊙ h)·Uh)``.

    Raises:
        TypeError: if an argument is not a numeric array or ``reset_after`` not a bool.
        ValueError: if the shapes do not fit the layout (a bias of the other ``reset_after``
            layout, or LSTM/SimpleRNN weights, included).
    """
    _check_bool("reset_after", reset_after)
    x_t, h_prev, kernel, recurrent_kernel = _check_step(3, x_t, h_prev, kernel, recurrent_kernel)
    units = h_prev.shape[-1]
    bias = as_array("bias", bias, (1, 2), "(2, 3·units) or (3·units,)")
    if reset_after:
        hint = (" That is the reset_after=False layout: call gru_step(..., reset_after=False), or use the "
                "weights of a GRU layer with Keras's default reset_after=True."
                if bias.shape == (3 * units,) else _layout_hint(bias.shape[-1], units, 3))
        check_shape("bias", bias, (2, 3 * units), f"(2, 3·units) for a GRU with reset_after=True and units = {units}",
                    hint)
        x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
        h_z, h_r, h_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
        z = _sigmoid(x_z + h_z)
        r = _sigmoid(x_r + h_r)
        candidate = np.tanh(x_h + r * h_h)
    else:
        hint = (" That is the reset_after=True layout (Keras's default): call gru_step(..., reset_after=True)."
                if bias.shape == (2, 3 * units) else _layout_hint(bias.shape[-1], units, 3))
        check_shape("bias", bias, (3 * units,), f"(3·units,) for a GRU with reset_after=False and units = {units}",
                    hint)
        x_z, x_r, x_h = np.split(x_t @ kernel + bias, 3, axis=-1)
        u_zr, u_h = recurrent_kernel[:, :2 * units], recurrent_kernel[:, 2 * units:]
        h_z, h_r = np.split(h_prev @ u_zr, 2, axis=-1)
        z = _sigmoid(x_z + h_z)
        r = _sigmoid(x_r + h_r)
        candidate = np.tanh(x_h + (r * h_prev) @ u_h)
    return z * h_prev + (1.0 - z) * candidate
