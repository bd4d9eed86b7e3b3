"""NumPy reference for 1D convolution in Keras's layout (chapter 06)."""

from __future__ import annotations

import math

import numpy as np


def conv1d_output_length(length: int, kernel_size: int, stride: int = 1, padding: str = "valid") -> int:
    """Output length of a 1D convolution (or pooling) as Keras computes it.

    ``valid``: ``floor((length - kernel_size) / stride) + 1`` (no padding);
    ``same``: ``ceil(length / stride)`` (zeros are added so that every input position
    starts a window when ``stride`` is 1). With explicit padding ``p`` on each side the
    general formula is ``floor((length + 2p - kernel_size) / stride) + 1``.
    """
    if padding == "valid":
        if length < kernel_size:
            return 0
        return (length - kernel_size) // stride + 1
    if padding == "same":
        return math.ceil(length / stride)
    raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}.")


def same_padding(length: int, kernel_size: int, stride: int = 1) -> tuple[int, int]:
    """The zeros Keras/TensorFlow add (left, right) for ``padding="same"``: the odd one goes right."""
    out = math.ceil(length / stride)
    total = max((out - 1) * stride + kernel_size - length, 0)
    return total // 2, total - total // 2


def conv1d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None, stride: int = 1,
           padding: str = "valid") -> np.ndarray:
    """1D convolution (cross-correlation, as in every deep-learning library) of a batch.

    ``x`` is (batch, length, in_channels); ``kernel`` is (kernel_size, in_channels, filters),
    the layout of ``keras.layers.Conv1D``; ``bias`` is (filters,). Output position ``t`` is
    ``sum_{k, c} x[t·stride + k, c] · kernel[k, c, :] + bias``.
    """
    x = np.asarray(x, dtype="float64")
    kernel = np.asarray(kernel, dtype="float64")
    if x.ndim != 3 or kernel.ndim != 3 or x.shape[2] != kernel.shape[1]:
        raise ValueError(
            f"expected x (batch, length, channels) and kernel (kernel_size, channels, filters) with the "
            f"same channels; got {x.shape} and {kernel.shape}."
        )
    size = kernel.shape[0]
    if padding == "same":
        left, right = same_padding(x.shape[1], size, stride)
        x = np.pad(x, ((0, 0), (left, right), (0, 0)))
    elif padding != "valid":
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}.")
    n_out = conv1d_output_length(x.shape[1], size, stride, "valid")
    # windows: (batch, n_out, kernel_size, channels), then one tensor contraction
    windows = np.stack([x[:, t * stride:t * stride + size, :] for t in range(n_out)], axis=1)
    out = np.einsum("bnkc,kcf->bnf", windows, kernel)
    if bias is not None:
        out = out + np.asarray(bias, dtype="float64")
    return out


def conv1d_params(kernel_size: int, in_channels: int, filters: int, use_bias: bool = True) -> int:
    """Parameters of a Conv1D layer: one (kernel_size × in_channels) filter per output channel."""
    return kernel_size * in_channels * filters + (filters if use_bias else 0)
