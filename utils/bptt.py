"""Backpropagation through time (BPTT) for the simple RNN, in NumPy.

The forward step is :func:`utils.rnn.simple_rnn_step`, in Keras's weight layout::

    a_t = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias,     h_t = tanh(a_t)

Given ``dh`` = ∂L/∂h_t, the *total* gradient reaching the state h_t (from the loss at step t
and from every later step), one step backwards is (``*`` elementwise, ``.T`` transpose)::

    da        = dh * (1 - h_t**2)            tanh'(a_t) = 1 - tanh(a_t)**2 = 1 - h_t**2
    dx_t      = da @ kernel.T
    dh_prev   = da @ recurrent_kernel.T      the part of ∂L/∂h_{t-1} that flows through step t
    dkernel   = x_t.T @ da                   summed over the batch by the matrix product
    drecurrent= h_prev.T @ da
    dbias     = da.sum(axis=0)

:func:`simple_rnn_bptt` runs it from the last step to the first, adding each step's weight
gradients (the weights are shared by all steps) and carrying ``dh_prev`` back to the step
before. With ``truncate=k`` the carry is cut at every k-th step boundary: truncated BPTT as
in *Deep Learning from Scratch 2* §5.2, where the state still flows forwards across the cut but
the gradient does not flow back. The chapter 02 notebook checks both against
``tf.GradientTape`` on a Keras ``SimpleRNN`` with the same weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .config import _check_int

StepBackward = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


def rnn_step_backward(dh: np.ndarray, h: np.ndarray, h_prev: np.ndarray, x_t: np.ndarray,
                      kernel: np.ndarray, recurrent_kernel: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One step of BPTT: from ``dh`` = ∂L/∂h_t (batch, units), the step's output ``h`` = h_t,
    its inputs ``h_prev`` (batch, units) and ``x_t`` (batch, input_dim) and the weights, return
    ``(dx_t, dh_prev, dkernel, drecurrent_kernel, dbias)`` with the shapes of x_t, h_prev,
    kernel, recurrent_kernel and (units,)."""
    da = dh * (1.0 - h * h)
    return da @ kernel.T, da @ recurrent_kernel.T, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


@dataclass(frozen=True)
class Gradients:
    """The gradients of a loss with respect to a SimpleRNN's weights, initial state and inputs."""

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    h0: np.ndarray
    x: np.ndarray

    def max_difference(self, other: Gradients) -> float:
        """The largest absolute difference between two sets of gradients, over every entry."""
        return max(float(np.max(np.abs(np.asarray(getattr(self, f)) - np.asarray(getattr(other, f)))))
                   for f in ("kernel", "recurrent_kernel", "bias", "h0", "x"))


def simple_rnn_states(x: np.ndarray, h0: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
                      bias: np.ndarray) -> np.ndarray:
    """The forward pass from the initial state ``h0``: every state h_1 … h_T, (batch, T, units)."""
    _check_shapes(x, h0, kernel, recurrent_kernel, bias)
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        states.append(h)
    return np.stack(states, axis=1)


def simple_rnn_bptt(x: np.ndarray, h0: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
                    bias: np.ndarray, dh: np.ndarray, truncate: int | None = None,
                    step_backward: StepBackward = rnn_step_backward) -> Gradients:
    """Backpropagate ``dh`` through a SimpleRNN run on ``x`` (batch, T, input_dim) from ``h0``.

    ``dh`` (batch, T, units) is ∂L/∂h_t of the loss taken *directly* at each step (e.g. a
    readout's gradient; zeros where the loss does not look). ``truncate=k`` cuts the backward
    flow between steps k-1 and k, 2k-1 and 2k, …, so each chunk of k steps only receives the
    gradient of the losses inside it; ``h0`` then gets the gradient from the first chunk only.
    ``step_backward`` is the one-step function (:func:`rnn_step_backward` or the student's).
    """
    _check_shapes(x, h0, kernel, recurrent_kernel, bias)
    _check_int("truncate", truncate, minimum=1, allow_none=True)
    steps = x.shape[1]
    if np.shape(dh) != (x.shape[0], steps, recurrent_kernel.shape[0]):
        raise ValueError(f"dh must have the shape of the states (batch, T, units) = "
                         f"{(x.shape[0], steps, recurrent_kernel.shape[0])}, got {np.shape(dh)}.")
    states = simple_rnn_states(x, h0, kernel, recurrent_kernel, bias)
    grads = [np.zeros_like(kernel), np.zeros_like(recurrent_kernel), np.zeros_like(bias)]
    dx = np.zeros_like(x)
    carry = np.zeros_like(h0)
    for t in reversed(range(steps)):
        if truncate is not None and (t + 1) % truncate == 0:
            carry = np.zeros_like(h0)  # a chunk border: no gradient from the steps after it
        h_prev = states[:, t - 1] if t > 0 else h0
        dx[:, t], carry, dk, dr, db = step_backward(dh[:, t] + carry, states[:, t], h_prev, x[:, t],
                                                    kernel, recurrent_kernel)
        grads[0] += dk
        grads[1] += dr
        grads[2] += db
    return Gradients(grads[0], grads[1], grads[2], carry, dx)


def input_gradient_norms(layer, x: np.ndarray) -> np.ndarray:
    """How far back the gradient reaches: ``‖∂L/∂x_t‖`` for every input step t (the norm over
    the batch and the features), with ``L`` the sum of ``layer``'s outputs at the *last* step,
    measured by automatic differentiation (:func:`utils.backend.gradients`: ``tf.GradientTape``
    on TensorFlow, ``jax.grad`` on JAX). ``layer`` is a Keras recurrent layer or model (built
    here if it is not yet); with ``return_sequences=True`` only the last step's output counts.
    ``x`` is (batch, T, features). Returns a float64 array of length T, entry 0 for the first
    step: a ratio ``norms[0] / norms[-1]`` far below 1 is a vanishing gradient, far above 1 an
    exploding one (chapter 02, section 5)."""
    import keras

    from .backend import gradients

    if not isinstance(x, np.ndarray) or x.ndim != 3 or x.shape[1] < 1:
        raise ValueError(f"x must be a 3-D NumPy array (batch, steps, features) with at least one step, got "
                         f"{type(x).__name__} of shape {np.shape(x)}.")
    if not layer.built:  # variables are made outside the differentiated function
        layer(x[:1])

    def last_step_sum(inputs):
        out = layer(inputs)
        if isinstance(out, (list, tuple)):  # return_state=True: (output, *states)
            out = out[0]
        if len(out.shape) == 3:
            out = out[:, -1]
        return keras.ops.sum(out)

    (grads,) = gradients(last_step_sum, [x])
    return np.sqrt(np.sum(np.square(np.asarray(grads, dtype="float64")), axis=(0, 2)))


def orthogonal_reach(gain: float, x: np.ndarray, seed: int = 0, units: int = 32) -> np.ndarray:
    """The reach of a fresh ``SimpleRNN(units)`` whose recurrent kernel is drawn by
    ``keras.initializers.Orthogonal(gain=gain)`` (spectral radius ``gain``) after
    ``keras.utils.set_random_seed(seed)``: :func:`input_gradient_norms` on ``x`` divided by the
    last step's norm, so entry 0 is ‖∂L/∂x_1‖ / ‖∂L/∂x_T‖ (chapter 02, exercise 6). NaN where
    the computation overflowed."""
    import keras

    keras.utils.set_random_seed(seed)
    layer = keras.layers.SimpleRNN(units, recurrent_initializer=keras.initializers.Orthogonal(gain=gain))
    with np.errstate(all="ignore"):
        norms = input_gradient_norms(layer, x)
        reach = norms / norms[-1]
    return np.where(np.isfinite(reach), reach, np.nan)


def _check_shapes(x: np.ndarray, h0: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray,
                  bias: np.ndarray) -> None:
    """ValueError unless the shapes fit one SimpleRNN in Keras's layout."""
    for name, value, ndim in (("x", x, 3), ("h0", h0, 2), ("kernel", kernel, 2),
                              ("recurrent_kernel", recurrent_kernel, 2), ("bias", bias, 1)):
        if not isinstance(value, np.ndarray) or value.ndim != ndim:
            raise ValueError(f"{name} must be a {ndim}-D NumPy array, got {type(value).__name__} "
                             f"of shape {np.shape(value)}.")
    units = recurrent_kernel.shape[0]
    expected = {"kernel": (x.shape[2], units), "recurrent_kernel": (units, units), "bias": (units,),
                "h0": (x.shape[0], units)}
    for name, value in (("kernel", kernel), ("recurrent_kernel", recurrent_kernel), ("bias", bias), ("h0", h0)):
        if value.shape != expected[name]:
            raise ValueError(f"{name} must have shape {expected[name]} for x of shape {x.shape} and "
                             f"{units} units, got {value.shape}.")
