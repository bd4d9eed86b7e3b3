"""NumPy reference for 1D convolution in Keras's layout (chapter 06)."""

from __future__ import annotations

import math

import numpy as np

from ._validate import as_array, check_choice, check_shape
from .config import _check_bool, _check_int

#: The ``padding`` modes supported here (Keras's ``"causal"`` is not).
PADDINGS = ("valid", "same")


def _check_sizes(length: object, kernel_size: object, stride: object) -> None:
    """TypeError/ValueError unless ``length``, ``kernel_size`` and ``stride`` are integers ≥ 1."""
    _check_int("length", length, minimum=1)
    _check_int("kernel_size", kernel_size, minimum=1)
    _check_int("stride", stride, minimum=1)


def conv1d_output_length(length: int, kernel_size: int, stride: int = 1, padding: str = "valid") -> int:
    """Output length of a 1D convolution (or pooling) as Keras computes it.

    ``valid``: ``floor((length - kernel_size) / stride) + 1`` (no padding);
    ``same``: ``ceil(length / stride)`` (zeros are added so that every input position
    starts a window when ``stride`` is 1). With explicit padding ``p`` on each side the
    general formula is ``floor((length + 2p - kernel_size) / stride) + 1``.

    Raises:
        TypeError: if a size is not an integer or ``padding`` not a str.
        ValueError: if a size is below 1, ``padding`` is not ``"valid"``/``"same"``, or with
            ``"valid"`` the kernel is longer than the input (Keras refuses that layer too).
    """
    _check_sizes(length, kernel_size, stride)
    check_choice("padding", padding, PADDINGS)
    if padding == "valid":
        if length < kernel_size:
            raise ValueError(f"with padding='valid' the kernel must fit in the input: kernel_size = {kernel_size} "
                             f"is longer than length = {length}. Use a kernel of at most {length} or padding='same'.")
        return (length - kernel_size) // stride + 1
    return math.ceil(length / stride)


def same_padding(length: int, kernel_size: int, stride: int = 1) -> tuple[int, int]:
    """The zeros Keras/TensorFlow add (left, right) for ``padding="same"``: the odd one goes right.

    Raises:
        TypeError/ValueError: unless the three are integers of at least 1.
    """
    _check_sizes(length, kernel_size, stride)
    out = math.ceil(length / stride)
    total = max((out - 1) * stride + kernel_size - length, 0)
    return total // 2, total - total // 2


def conv1d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None, stride: int = 1,
           padding: str = "valid") -> np.ndarray:
    """1D convolution (cross-correlation, as in every deep-learning library) of a batch.

    ``x`` is (batch, length, in_channels); ``kernel`` is (kernel_size, in_channels, filters),
    the layout of ``keras.layers.Conv1D``; ``bias`` is (filters,). Output position ``t`` is
    ``sum_{k, c} x[t·stride + k, c] · kernel[k, c, :] + bias``.

    Raises:
        TypeError: if an array is not numeric, ``stride`` not an integer or ``padding`` not a str.
        ValueError: if a shape does not fit that layout, ``stride`` is below 1, ``padding`` is
            not ``"valid"``/``"same"``, or with ``"valid"`` the kernel is longer than the input.
    """
    _check_int("stride", stride, minimum=1)
    check_choice("padding", padding, PADDINGS)
    x = as_array("x", x, 3, "(batch, length, channels)").astype("float64", copy=False)
    kernel = as_array("kernel", kernel, 3, "(kernel_size, channels, filters)").astype("float64", copy=False)
    if x.shape[2] != kernel.shape[1]:
        raise ValueError(
            f"expected x (batch, length, channels) and kernel (kernel_size, channels, filters) with the "
            f"same channels; got {x.shape} and {kernel.shape}."
        )
    size, length = kernel.shape[0], x.shape[1]
    if size == 0 or length == 0:
        raise ValueError(f"x needs a length and kernel a kernel_size of at least 1, got x {x.shape} and "
                         f"kernel {kernel.shape}.")
    if bias is not None:
        bias = as_array("bias", bias, 1, "(filters,)").astype("float64", copy=False)
        check_shape("bias", bias, (kernel.shape[2],), "(filters,) with filters = kernel.shape[2]")
    if padding == "same":
        left, right = same_padding(length, size, stride)
        x = np.pad(x, ((0, 0), (left, right), (0, 0)))
    elif size > length:
        raise ValueError(f"with padding='valid' the kernel must fit in the input: kernel_size = {size} "
                         f"(kernel.shape[0]) is longer than length = {length} (x.shape[1]). Use padding='same' "
                         "or a shorter kernel.")
    n_out = conv1d_output_length(x.shape[1], size, stride, "valid")
    # windows: (batch, n_out, kernel_size, channels), then one tensor contraction
    windows = np.stack([x[:, t * stride:t * stride + size, :] for t in range(n_out)], axis=1)
    out = np.einsum("bnkc,kcf->bnf", windows, kernel)
    if bias is not None:
        out = out + bias
    return out


def conv1d_params(kernel_size: int, in_channels: int, filters: int, use_bias: bool = True) -> int:
    """Parameters of a Conv1D layer: one (kernel_size × in_channels) filter per output channel.

    Raises:
        TypeError/ValueError: unless the sizes are integers of at least 1 and ``use_bias`` a bool.
    """
    _check_int("kernel_size", kernel_size, minimum=1)
    _check_int("in_channels", in_channels, minimum=1)
    _check_int("filters", filters, minimum=1)
    _check_bool("use_bias", use_bias)
    return kernel_size * in_channels * filters + (filters if use_bias else 0)
