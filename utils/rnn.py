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
