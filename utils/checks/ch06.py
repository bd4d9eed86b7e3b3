"""Checks for chapter 06: 1D convolutions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Fail, _short, call, compare_arrays, expect_array, expect_int, function_name, matches, run
from .ch05 import _hint


def _output_length_cases() -> list[tuple[int, int, int, str]]:
    """(length, kernel_size, stride, padding): hand-made ones where floor and ceil, the +1 and
    the stride each matter, then random ones."""
    cases = [(10, 3, 1, "valid"), (10, 3, 2, "valid"), (11, 4, 3, "valid"), (9, 9, 1, "valid"), (500, 7, 1, "valid"),
             (10, 3, 1, "same"), (10, 3, 2, "same"), (11, 4, 3, "same"), (7, 5, 7, "same"), (13, 1, 4, "valid")]
    rng = np.random.default_rng(12)
    for _ in range(12):
        length = int(rng.integers(2, 300))
        cases.append((length, int(rng.integers(1, min(length, 9) + 1)), int(rng.integers(1, 6)),
                      str(rng.choice(["valid", "same"]))))
    return cases


_VALID_VARIANTS: list[tuple[Callable[[int, int, int], int], str]] = [
    (lambda n, k, s: (n - k) // s, "You left out the + 1: the first window counts too."),
    (lambda n, k, s: n - k + 1, "You ignored the stride: only every stride-th window is kept."),
    (lambda n, k, s: (n - k + 1) // s, "floor((length - kernel_size + 1) / stride) is not the rule: "
                                        "floor((length - kernel_size) / stride) + 1."),
    (lambda n, k, s: -(-n // s), "That is the rule for \"same\" padding; \"valid\" adds no zeros, so the kernel "
                                 "must fit inside the input."),
]
_SAME_VARIANTS: list[tuple[Callable[[int, int, int], int], str]] = [
    (lambda n, k, s: (n - k) // s + 1, "You used the \"valid\" rule: with \"same\" padding the kernel size does not "
                                       "matter, L_out = ceil(length / stride)."),
    (lambda n, k, s: n, "You ignored the stride: \"same\" keeps the length only for stride 1; L_out = "
                        "ceil(length / stride)."),
    (lambda n, k, s: n // s, "You rounded down: L_out = ceil(length / stride), e.g. -(-length // stride)."),
]
_RULES = {"valid": "floor((length - kernel_size) / stride) + 1", "same": "ceil(length / stride), whatever the kernel size"}


def check_output_length(fn: Callable[[int, int, int, str], int]) -> bool:
    """Check ``output_length(length, kernel_size, stride, padding) -> int`` against Keras's rule.
    A cause is named when the answer agrees with a known wrong rule on every case of that padding."""
    from ..conv import conv1d_output_length

    name = function_name(fn, "output_length")

    def body() -> None:
        cases = _output_length_cases()
        answers = [expect_int(call(fn, *case, name=name), f"{name}{case}") for case in cases]
        for (length, size, stride, padding), got in zip(cases, answers):
            expected = conv1d_output_length(length, size, stride, padding)
            if got == expected:
                continue
            same_padding = [(c[:3], a) for c, a in zip(cases, answers) if c[3] == padding]
            hint = _hint([a for _, a in same_padding], [
                ([rule(*c) for c, _ in same_padding], text)
                for rule, text in (_VALID_VARIANTS if padding == "valid" else _SAME_VARIANTS)])
            hint = hint or f" Rule for {padding!r}: {_RULES[padding]}."
            raise Fail(f"{name}({length}, {size}, {stride}, {padding!r}) returned {got}, expected {expected}.{hint}")

    return run(name, body)


def check_conv1d(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``conv1d_valid(x, kernel, bias)`` (stride 1, no padding, Keras layout): a
    floating-point array of shape (batch, length - kernel_size + 1, filters), inputs unchanged."""
    from ..conv import conv1d

    name = function_name(fn, "conv1d_valid")

    def body() -> None:
        rng = np.random.default_rng(11)
        cases = [(2, 9, 3, 2, 4, "float64"), (3, 7, 1, 4, 5, "float32"), (1, 6, 6, 3, 2, "float64"),
                 (4, 5, 2, 1, 3, "float32"), (2, 8, 2, 1, 1, "float64")]
        for batch, length, size, channels, filters, dtype in cases:
            x = rng.normal(size=(batch, length, channels)).astype(dtype)
            kernel = rng.normal(size=(size, channels, filters)).astype(dtype)
            bias = rng.normal(size=(filters,)).astype(dtype)
            expected = conv1d(x, kernel, bias)
            where = f"for x {x.shape}, kernel {kernel.shape}"
            got = call(fn, x, kernel, bias, name=name)
            out = expect_array(got, f"the output {where}", kind="f")
            n_out = length - size + 1
            if out.shape != expected.shape:
                if out.shape == (batch, filters, n_out):
                    raise Fail(f"the output {where} has shape {out.shape}, expected {expected.shape} = (batch, "
                               "length - kernel_size + 1, filters): your output is transposed.")
                if out.shape in ((batch, n_out - 1, filters), (batch, n_out + 1, filters)):
                    raise Fail(f"the output {where} has shape {out.shape}, expected {expected.shape}: one "
                               "position off. A valid convolution has length - kernel_size + 1 outputs, t = 0 … "
                               "length - kernel_size.")
                raise Fail(f"the output {where} has shape {out.shape}, expected {expected.shape} = (batch, "
                           "length - kernel_size + 1, filters).")
            problem = compare_arrays(out, expected, f"output {where}")
            if problem:
                hint = _hint(out, [
                    (conv1d(x, kernel[::-1], bias), "That is a convolution with the kernel flipped: Keras does not "
                                                    "flip it, y[t] = sum over k, c of x[t + k, c] * kernel[k, c]."),
                    (conv1d(x, kernel), "The bias is missing: add bias to every output position."),
                    (conv1d(x[..., :1], kernel[:, :1], bias), "You used only the first input channel: sum over all "
                                                              "in_channels too."),
                ])
                if not hint and matches(out, expected, atol=1e-2):
                    hint = " Your values are close but not within 1e-5: compute in float32 or float64, not float16."
                hint = hint or " Output t is the sum over k and c of x[:, t + k, c] * kernel[k, c, :], plus bias."
                raise Fail(problem + hint)

    return run(name, body)


def _stack_reference(in_channels: int, layers: list[tuple[int, int]], bias: bool = True,
                     chained: bool = True, swapped: bool = False) -> list[int]:
    """Parameter counts of a Conv1D stack, and of the stack as three wrong answers see it."""
    counts, channels = [], in_channels
    for size, filters in layers:
        if swapped:
            size, filters = filters, size
        counts.append(size * channels * filters + (filters if bias else 0))
        channels = filters if chained else channels
    return counts


def _conv_stack_cases() -> list[tuple[int, list[tuple[int, int]]]]:
    """(in_channels, layers): hand-made stacks (in_channels differing from every filter count,
    one layer, no layer) and random ones."""
    rng = np.random.default_rng(13)
    cases = [(128, [(3, 64), (4, 64), (5, 32)]), (3, [(5, 16), (2, 7)]), (8, [(7, 16)]), (6, []),
             (1, [(2, 64), (2, 128), (1, 10)])]
    for _ in range(3):
        depth = int(rng.integers(2, 5))
        cases.append((int(rng.integers(1, 40)), [(int(rng.integers(1, 9)), int(rng.integers(1, 100)))
                                                 for _ in range(depth)]))
    return cases


def check_conv_stack_params(fn: Callable[[int, list[tuple[int, int]]], list[int]]) -> bool:
    """Check ``conv_stack_params(in_channels, layers) -> [params of each Conv1D]`` where
    ``layers`` is a list of ``(kernel_size, filters)``: a list of ints, ``layers`` unchanged.
    A cause is named when the answer agrees with a known wrong rule on every case."""
    name = function_name(fn, "conv_stack_params")

    def body() -> None:
        cases = _conv_stack_cases()
        answers = []
        for in_channels, layers in cases:
            expected = _stack_reference(in_channels, layers)
            text = f"{name}({in_channels}, {layers})"
            got = call(fn, in_channels, layers, name=name)
            if not isinstance(got, list):
                hint = _hint(got, [(sum(expected), "Return one count per layer, not their total.")]) \
                    if len(expected) > 1 else ""
                raise Fail(f"{text} should return a list with one parameter count per layer, got "
                           f"{type(got).__name__} {_short(got)}.{hint}")
            if len(got) != len(expected):
                raise Fail(f"{text} returned {len(got)} counts, expected {len(expected)} (one per layer).")
            answers.append([expect_int(g, f"the count of layer {i} in {text}") for i, g in enumerate(got)])
        flat = [n for counts in answers for n in counts]
        for (in_channels, layers), counts in zip(cases, answers):
            expected = _stack_reference(in_channels, layers)
            if counts == expected:
                continue
            hint = _hint(flat, [
                ([n for c, ls in cases for n in _stack_reference(c, ls, chained=False)],
                 "Every layer after the first has the previous layer's filters as its input channels."),
                ([n for c, ls in cases for n in _stack_reference(c, ls, bias=False)],
                 "The biases are missing: one per filter."),
                ([n for c, ls in cases for n in _stack_reference(c, ls, swapped=True)],
                 "Each pair is (kernel_size, filters), in that order."),
                ([n for c, ls in cases for n in np.cumsum(_stack_reference(c, ls), dtype=int)],
                 "These are running totals: return each layer's own count."),
            ]) or " Each filter has kernel_size x (its input channels) weights plus one bias."
            first = next(i for i, (g, e) in enumerate(zip(counts, expected)) if g != e)
            raise Fail(f"{name}({in_channels}, {layers}) returned {counts}, expected {expected} (first wrong: layer "
                       f"{first}).{hint}")

    return run(name, body)
