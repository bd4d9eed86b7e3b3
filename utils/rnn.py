"""NumPy reference implementations of recurrent layers, laid out as Keras lays out weights.

The lecture writes the simple RNN's time-step function as

    output_t = tanh(W · x_t + U · state_t + b)

with W of shape (units, input_dim) and U of shape (units, units). Keras stores the
transposes and multiplies from the left: ``kernel`` is (input_dim, units) = Wᵀ,
``recurrent_kernel`` is (units, units) = Uᵀ, ``bias`` is (units,). The functions here take
the Keras layout, so weights copied from a layer plug in unchanged, and they work on a batch:
``x_t`` is (batch, input_dim) and the state is (batch, units).
"""

from __future__ import annotations

import numpy as np


def simple_rnn_step(x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray,
                    recurrent_kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """One time step: ``tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)``."""
    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)


def simple_rnn_forward(x: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
                       bias: np.ndarray, h0: np.ndarray | None = None,
                       return_sequences: bool = False) -> np.ndarray:
    """Run :func:`simple_rnn_step` over ``x`` of shape (batch, timesteps, input_dim).

    Returns every state, (batch, timesteps, units), if ``return_sequences``; otherwise the
    last, (batch, units). ``h0`` defaults to zeros, as in Keras.
    """
    if x.ndim != 3:
        raise ValueError(f"x must be (batch, timesteps, features), got shape {x.shape}.")
    if x.shape[-1] != kernel.shape[0]:
        raise ValueError(f"x has {x.shape[-1]} features but kernel expects {kernel.shape[0]}.")
    units = recurrent_kernel.shape[0]
    h = np.zeros((x.shape[0], units), dtype=x.dtype) if h0 is None else h0
    outputs = []
    for t in range(x.shape[1]):
        h = simple_rnn_step(x[:, t], h, kernel, recurrent_kernel, bias)
        outputs.append(h)
    return np.stack(outputs, axis=1) if return_sequences else h


def simple_rnn_params(input_dim: int, units: int) -> int:
    """Trainable parameters of a SimpleRNN layer: W, U and b."""
    return units * input_dim + units * units + units


def stacked_rnn_params(input_dim: int, units: list[int]) -> int:
    """Parameters of SimpleRNN layers stacked in order; each layer's input is the one before."""
    total, d = 0, input_dim
    for u in units:
        total += simple_rnn_params(d, u)
        d = u
    return total


def spectral_radius(matrix: np.ndarray) -> float:
    """The largest absolute eigenvalue of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def lstm_step(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, kernel: np.ndarray,
              recurrent_kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step in Keras's layout; returns ``(h_t, c_t)``.

    Keras concatenates the four gates' weights in the order input ``i``, forget ``f``,
    candidate ``c`` (often written g) and output ``o``: ``kernel`` is (input_dim, 4·units),
    ``recurrent_kernel`` (units, 4·units), ``bias`` (4·units,).

        i = σ(z_i), f = σ(z_f), g = tanh(z_c), o = σ(z_o)   with z = x_t·kernel + h·recurrent + b
        c_t = f ⊙ c_prev + i ⊙ g,   h_t = o ⊙ tanh(c_t)
    """
    i, f, g, o = lstm_gates(x_t, h_prev, kernel, recurrent_kernel, bias)
    c_t = f * c_prev + i * g
    return o * np.tanh(c_t), c_t


def lstm_gates(x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray,
               recurrent_kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, ...]:
    """The four LSTM gate activations ``(i, f, g, o)`` of one step (Keras layout, see
    :func:`lstm_step`), for looking inside a trained layer."""
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    return _sigmoid(z_i), _sigmoid(z_f), np.tanh(z_c), _sigmoid(z_o)


def gru_step(x_t: np.ndarray, h_prev: np.ndarray, kernel: np.ndarray,
             recurrent_kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """One GRU step in Keras's default layout (``reset_after=True``); returns ``h_t``.

    Gates in the order update ``z``, reset ``r``, candidate ``h̃``: ``kernel`` is
    (input_dim, 3·units), ``recurrent_kernel`` (units, 3·units), and ``bias`` is (2, 3·units):
    row 0 for the input part, row 1 for the recurrent part. With ``reset_after=True`` the
    reset gate multiplies the recurrent part *after* the matrix product:

        z = σ(x·Wz + bz + h·Uz + b'z),  r = σ(x·Wr + br + h·Ur + b'r)
        h̃ = tanh(x·Wh + bh + r ⊙ (h·Uh + b'h)),   h_t = z ⊙ h_prev + (1 − z) ⊙ h̃
    """
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
    h_z, h_r, h_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
    z = _sigmoid(x_z + h_z)
    r = _sigmoid(x_r + h_r)
    candidate = np.tanh(x_h + r * h_h)
    return z * h_prev + (1.0 - z) * candidate
