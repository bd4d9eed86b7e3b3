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


# ----------------------------------------------------------------------------- exercise 4: check_spike_detector

import keras  # noqa: E402

from utils.checks.ch06 import check_spike_detector  # noqa: E402  (not yet in utils.checks.__all__)

L = keras.layers


def stack(*layers, head=None, shape=(160, 8)):
    head = head if head is not None else [L.GlobalMaxPooling1D(), L.Dense(1, activation="sigmoid")]
    return keras.Sequential([keras.Input(shape), *layers, *head])


def pooled_reference():  # receptive field 58, 1,985 parameters
    return stack(L.Conv1D(16, 3, activation="relu"), L.MaxPooling1D(4), L.Conv1D(16, 3, activation="relu"),
                 L.MaxPooling1D(4), L.Conv1D(16, 3, activation="relu"))


def dilated_reference():  # receptive field 63, 3,553 parameters
    return stack(*[L.Conv1D(16, 3, dilation_rate=d, padding="causal", activation="relu") for d in (1, 2, 4, 8, 16)])


def build_spike_detector():
    return pooled_reference()


def two_small_kernels():
    return stack(L.Conv1D(16, 3, activation="relu"), L.Conv1D(16, 3, activation="relu"))


def one_wide_kernel():
    return stack(L.Conv1D(16, 41, activation="relu"))


def twenty_layers():
    return stack(*[L.Conv1D(16, 3, padding="same", activation="relu") for _ in range(20)])


def too_small_and_too_big():
    return stack(L.Conv1D(16, 9, activation="relu"), L.Conv1D(16, 9, activation="relu"))


def dilated_without_base():
    return stack(*[L.Conv1D(16, 3, dilation_rate=d, padding="same", activation="relu") for d in (2, 4, 8, 16)])


def stride_skips_steps():
    return stack(L.Conv1D(16, 2, strides=8, activation="relu"), L.Conv1D(16, 6, activation="relu"))   # field 42


def flattened():
    return stack(L.Conv1D(16, 3, activation="relu"), L.MaxPooling1D(4),
                 head=[L.Flatten(), L.Dense(1, activation="sigmoid")])


def with_gru():
    return stack(L.Conv1D(16, 3, activation="relu"), L.GRU(8), head=[L.Dense(1, activation="sigmoid")])


def thin_wide_kernel():
    return stack(L.Conv1D(8, 41, activation="relu"))


def no_sigmoid():
    return stack(L.Conv1D(16, 3), L.MaxPooling1D(4), L.Conv1D(16, 3), L.MaxPooling1D(4), L.Conv1D(16, 3),
                 head=[L.GlobalMaxPooling1D(), L.Dense(1)])


def two_softmax_outputs():
    return stack(L.Conv1D(16, 3), L.MaxPooling1D(4), L.Conv1D(16, 3), L.MaxPooling1D(4), L.Conv1D(16, 3),
                 head=[L.GlobalMaxPooling1D(), L.Dense(2, activation="softmax")])


def swapped_input():
    return stack(L.Conv1D(16, 3), L.MaxPooling1D(2), L.Conv1D(16, 3), shape=(8, 160))


def no_global_pooling():
    return keras.Sequential([keras.Input((160, 8)), L.Conv1D(16, 3), L.Dense(1, activation="sigmoid")])


def no_convolution():
    return stack(L.MaxPooling1D(4))


def shrinks_to_nothing():
    return stack(L.Conv1D(16, 3), L.MaxPooling1D(16), L.Conv1D(16, 3), L.MaxPooling1D(16), L.Conv1D(16, 3))


WRONG_DETECTORS = [
    (two_small_kernels, "receptive field is 5 steps"),
    (one_wide_kernel, "over the budget of 4,000"),
    (twenty_layers, "15,313 parameters, over the budget"),
    (too_small_and_too_big, "receptive field is 17 steps"),
    (dilated_without_base, "has holes"),
    (stride_skips_steps, "stride larger than its kernel"),
    (flattened, "is a Flatten"),
    (with_gru, "recurrent layer (GRU)"),
    (thin_wide_kernel, "has 8 filters; the exercise fixes 16"),
    (no_sigmoid, "not a probability"),
    (two_softmax_outputs, "expected (2, 1)"),
    (swapped_input, "steps and channels swapped"),
    (no_global_pooling, "no GlobalMaxPooling1D"),
    (no_convolution, "no Conv1D layer"),
    (shrinks_to_nothing, "must not shrink to nothing"),
    (lambda: None, "did you forget `return`"),
    (lambda: "model", "must return a keras Model"),
    (stub, "not implemented yet"),
]


def test_spike_detector_references_pass(capsys):
    assert check_spike_detector(build_spike_detector) is True
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "✅ build_spike_detector: correct.", lines
    assert "receptive field 58 steps" in lines[1] and "1,985 parameters" in lines[1], lines
    assert check_spike_detector(dilated_reference) is True
    capsys.readouterr()


def test_spike_detector_model_instead_of_function(capsys):
    assert check_spike_detector(pooled_reference()) is False
    assert "pass the function" in verdict(capsys)


def test_too_small_and_over_budget_names_both(capsys):
    def both():
        return stack(*[L.Conv1D(16, 3, padding="same") for _ in range(7)])   # field 15, 5,121 parameters

    assert check_spike_detector(both) is False
    line = verdict(capsys)
    assert "receptive field is 15 steps" in line and "over the budget" in line, line


@pytest.mark.parametrize(("answer", "cause"), WRONG_DETECTORS)
def test_spike_detector_wrong_answers(answer, cause, capsys):
    assert check_spike_detector(answer) is False
    line = verdict(capsys)
    assert line.startswith("❌ ") and cause in line, line
