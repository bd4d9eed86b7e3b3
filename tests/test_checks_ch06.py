"""Chapter 06 checks: the reference passes, and the catalogue of wrong answers is rejected,
each without an exception and, where the check names a cause, with that cause."""

import math

import numpy as np
import pytest
from checkhelpers import stub, verdict

from utils import checks
from utils.conv import conv1d, conv1d_output_length

# ----------------------------------------------------------------------------- exercise 1: output_length


def output_length(length, kernel_size, stride, padding):
    if padding == "valid":
        return (length - kernel_size) // stride + 1
    return -(-length // stride)


def rule(valid, same):
    return lambda n, k, s, p: valid(n, k, s) if p == "valid" else same(n, k, s)


RIGHT_VALID, RIGHT_SAME = (lambda n, k, s: (n - k) // s + 1), (lambda n, k, s: -(-n // s))

WRONG_LENGTHS = [
    (lambda n, k, s, p: (n - k) // s + 1, "You used the \"valid\" rule"),
    (rule(RIGHT_VALID, lambda n, k, s: n), "You ignored the stride: \"same\""),
    (rule(RIGHT_VALID, lambda n, k, s: n // s), "You rounded down"),
    (rule(lambda n, k, s: (n - k) // s, RIGHT_SAME), "You left out the + 1"),
    (rule(lambda n, k, s: n - k + 1, RIGHT_SAME), "You ignored the stride: only every stride-th"),
    (rule(lambda n, k, s: (n - k + 1) // s, RIGHT_SAME), "floor((length - kernel_size + 1) / stride) is not"),
    (rule(lambda n, k, s: math.ceil((n - k) / s) + 1, RIGHT_SAME), "Rule for 'valid'"),  # no known variant
    (rule(lambda n, k, s: (n - k) / s + 1, RIGHT_SAME), "should be an int, got float"),
    (rule(RIGHT_VALID, lambda n, k, s: np.ceil(n / s)), "should be an int, got float64"),
    (lambda n, k, s, p: str(output_length(n, k, s, p)), "should be an int, got str"),
    (stub, "not implemented yet"),
]


def test_output_length_reference_passes(capsys):
    assert checks.check_output_length(output_length) is True
    assert verdict(capsys) == "✅ output_length: correct."
    assert checks.check_output_length(conv1d_output_length) is True
    capsys.readouterr()


@pytest.mark.parametrize(("answer", "cause"), WRONG_LENGTHS)
def test_output_length_wrong_answers(answer, cause, capsys):
    assert checks.check_output_length(answer) is False
    line = verdict(capsys)
    assert line.startswith("❌ ") and cause in line, line


# ----------------------------------------------------------------------------- exercise 2: conv1d_valid


def conv1d_valid(x, kernel, bias):
    size = kernel.shape[0]
    n_out = x.shape[1] - size + 1
    return np.stack([np.einsum("bkc,kcf->bf", x[:, t:t + size, :], kernel) for t in range(n_out)], axis=1) + bias


def one_position_too_few(x, kernel, bias):
    size = kernel.shape[0]
    return np.stack([np.einsum("bkc,kcf->bf", x[:, t:t + size, :], kernel)
                     for t in range(x.shape[1] - size)], axis=1) + bias


def flips_kernel_in_place(x, kernel, bias):  # right values, but the caller's kernel is reversed afterwards
    kernel[:] = kernel[::-1].copy()
    return conv1d(x, kernel[::-1], bias)


WRONG_CONV = [
    (lambda x, k, b: conv1d(x, k[::-1], b), "kernel flipped"),
    (lambda x, k, b: conv1d(x, k), "The bias is missing"),
    (lambda x, k, b: conv1d(x[..., :1], k[:, :1], b), "only the first input channel"),
    (one_position_too_few, "one position off"),
    (lambda x, k, b: conv1d_valid(x, k, b).transpose(0, 2, 1), "transposed"),
    (flips_kernel_in_place, "changed its input `kernel` in place"),
    (lambda x, k, b: list(conv1d_valid(x, k, b)), "should be a NumPy array, got list"),
    (lambda x, k, b: np.round(conv1d_valid(x, k, b)).astype(int), "expected a floating-point array"),
    (lambda x, k, b: conv1d_valid(x, k, b).astype("float16"), "not float16"),
    (stub, "not implemented yet"),
]


def test_conv1d_reference_passes(capsys):
    assert checks.check_conv1d(conv1d_valid) is True
    assert verdict(capsys) == "✅ conv1d_valid: correct."
    assert checks.check_conv1d(lambda x, k, b: conv1d(x, k, b)) is True
    capsys.readouterr()


@pytest.mark.parametrize(("answer", "cause"), WRONG_CONV)
def test_conv1d_wrong_answers(answer, cause, capsys):
    assert checks.check_conv1d(answer) is False
    line = verdict(capsys)
    assert line.startswith("❌ ") and cause in line, line


# ----------------------------------------------------------------------------- exercise 3: conv_stack_params


def conv_stack_params(in_channels, layers):
    counts = []
    for size, filters in layers:
        counts.append(size * in_channels * filters + filters)
        in_channels = filters
    return counts


def pops_layers(in_channels, layers):
    counts = []
    while layers:
        size, filters = layers.pop(0)
        counts.append(size * in_channels * filters + filters)
        in_channels = filters
    return counts


def vectorised(in_channels, layers):  # breaks on a stack without layers
    sizes, filters = np.array(layers).T
    inputs = np.r_[in_channels, filters[:-1]]
    return [int(n) for n in sizes * inputs * filters + filters]


WRONG_STACKS = [
    (lambda c, layers: [k * c * f + f for k, f in layers], "previous layer's filters"),
    (lambda c, layers: [n - f for n, (_, f) in zip(conv_stack_params(c, layers), layers)], "biases are missing"),
    (lambda c, layers: conv_stack_params(c, [(f, k) for k, f in layers]), "(kernel_size, filters), in that order"),
    (lambda c, layers: [int(n) for n in np.cumsum(conv_stack_params(c, layers))], "running totals"),
    (lambda c, layers: sum(conv_stack_params(c, layers)), "not their total"),
    (lambda c, layers: tuple(conv_stack_params(c, layers)), "should return a list"),
    (lambda c, layers: np.array(conv_stack_params(c, layers)), "got ndarray"),
    (lambda c, layers: [float(n) for n in conv_stack_params(c, layers)], "should be an int, got float"),
    (lambda c, layers: conv_stack_params(c, layers)[:1], "counts, expected"),
    (pops_layers, "changed its input `layers` in place"),
    (vectorised, "raised"),
    (stub, "not implemented yet"),
]


def test_conv_stack_params_reference_passes(capsys):
    assert checks.check_conv_stack_params(conv_stack_params) is True
    assert verdict(capsys) == "✅ conv_stack_params: correct."


@pytest.mark.parametrize(("answer", "cause"), WRONG_STACKS)
def test_conv_stack_params_wrong_answers(answer, cause, capsys):
    assert checks.check_conv_stack_params(answer) is False
    line = verdict(capsys)
    assert line.startswith("❌ ") and cause in line, line


def test_no_cause_is_named_for_an_unknown_mistake(capsys):
    # every layer off by one parameter: no known variant, so only the rule is restated
    assert checks.check_conv_stack_params(lambda c, layers: [n + 1 for n in conv_stack_params(c, layers)]) is False
    line = verdict(capsys)
    assert "Each filter has kernel_size x (its input channels) weights plus one bias." in line
    assert "missing" not in line and "running" not in line and "previous" not in line
