"""Checks for chapter 06: 1D convolutions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Fail, call, compare_arrays, run


def check_output_length(fn: Callable[[int, int, int, str], int]) -> bool:
    """Check ``output_length(length, kernel_size, stride, padding) -> int`` against Keras's rule."""
    from ..conv import conv1d_output_length

    def body() -> None:
        cases = [(8, 2, 1, "valid"), (10, 3, 1, "valid"), (10, 3, 2, "valid"), (11, 4, 3, "valid"),
                 (10, 3, 1, "same"), (10, 3, 2, "same"), (11, 4, 3, "same"), (500, 7, 1, "valid")]
        for length, size, stride, padding in cases:
            got = call(fn, length, size, stride, padding)
            expected = conv1d_output_length(length, size, stride, padding)
            if got != expected:
                hint = ("valid: floor((length - kernel_size) / stride) + 1" if padding == "valid"
                        else "same: ceil(length / stride), whatever the kernel size")
                raise Fail(f"output_length({length}, {size}, {stride}, {padding!r}) returned {got!r}, "
                            f"expected {expected}. Rule for {hint}.")

    return run("output_length", body)


def check_conv1d(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``conv1d_valid(x, kernel, bias)`` (stride 1, no padding, Keras layout)."""
    from ..conv import conv1d

    def body() -> None:
        rng = np.random.default_rng(11)
        for length, size, channels, filters in ((8, 2, 1, 1), (9, 3, 2, 4), (6, 6, 3, 2)):
            x = rng.normal(size=(2, length, channels))
            kernel = rng.normal(size=(size, channels, filters))
            bias = rng.normal(size=(filters,))
            got = call(fn, x.copy(), kernel.copy(), bias.copy())
            problem = compare_arrays(got, conv1d(x, kernel, bias), "output")
            if problem:
                raise Fail(problem + " Output t is sum over k and c of x[:, t + k, c] * kernel[k, c, :], plus bias;"
                            " there are length - kernel_size + 1 outputs.")

    return run("conv1d_valid", body)


def check_conv_stack_params(fn: Callable[[int, list[tuple[int, int]]], list[int]]) -> bool:
    """Check ``conv_stack_params(in_channels, layers) -> [params of each Conv1D]`` where
    ``layers`` is a list of ``(kernel_size, filters)``."""
    from ..conv import conv1d_params

    def body() -> None:
        for in_channels, layers in ((1, [(2, 64), (2, 128)]), (128, [(3, 64), (4, 64), (5, 32)]), (8, [(7, 16)])):
            got = call(fn, in_channels, list(layers))
            expected, channels = [], in_channels
            for size, filters in layers:
                expected.append(conv1d_params(size, channels, filters))
                channels = filters
            if not isinstance(got, (list, tuple)) or len(got) != len(expected):
                raise Fail(f"return a list with one count per layer ({len(expected)} here), got {got!r}.")
            for i, (g, e) in enumerate(zip(got, expected)):
                if g != e:
                    raise Fail(f"layer {i} of {layers} on {in_channels} input channels: got {g}, expected {e}. "
                                "Each filter has kernel_size x (its input channels) weights plus one bias, and a "
                                "layer's input channels are the previous layer's filters.")

    return run("conv_stack_params", body)
