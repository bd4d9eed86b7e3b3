"""Checks for chapter 06: 1D convolutions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..i18n import _
from ._core import (
    Fail,
    _short,
    call,
    compare_arrays,
    expect_array,
    expect_int,
    function_name,
    keras_step,
    lazy_attributes,
    matches,
    run,
    with_cause,
)
from .ch05 import _hint


def _output_length_cases() -> list[tuple[int, int, int, str]]:
    """(length, kernel_size, stride, padding): hand-made ones where floor and ceil, the +1 and
    the stride each matter, then random ones."""
    cases = [(10, 3, 1, "valid"), (10, 3, 2, "valid"), (11, 4, 3, "valid"), (9, 9, 1, "valid"), (500, 7, 1, "valid"),
             (10, 3, 1, "same"), (10, 3, 2, "same"), (11, 4, 3, "same"), (7, 5, 7, "same"), (13, 1, 4, "valid")]
    rng = np.random.default_rng(12)
    for _case in range(12):
        length = int(rng.integers(2, 300))
        cases.append((length, int(rng.integers(1, min(length, 9) + 1)), int(rng.integers(1, 6)),
                      str(rng.choice(["valid", "same"]))))
    return cases


#: a wrong rule for the output length: a function of (length, kernel_size, stride), and its cause
_Rule = tuple[Callable[[int, int, int], int], str]


def _valid_variants() -> list[_Rule]:
    """The likely wrong rules for "valid" padding, with their causes in the current language."""
    return [
        (lambda n, k, s: (n - k) // s, _("You left out the + 1: the first window counts too.")),
        (lambda n, k, s: n - k + 1, _("You ignored the stride: only every stride-th window is kept.")),
        (lambda n, k, s: (n - k + 1) // s, _("floor((length - kernel_size + 1) / stride) is not the rule: "
                                             "floor((length - kernel_size) / stride) + 1.")),
        (lambda n, k, s: -(-n // s), _("That is the rule for \"same\" padding; \"valid\" adds no zeros, so the "
                                       "kernel must fit inside the input.")),
    ]


def _same_variants() -> list[_Rule]:
    """The likely wrong rules for "same" padding, with their causes in the current language."""
    return [
        (lambda n, k, s: (n - k) // s + 1, _("You used the \"valid\" rule: with \"same\" padding the kernel size "
                                             "does not matter, L_out = ceil(length / stride).")),
        (lambda n, k, s: n, _("You ignored the stride: \"same\" keeps the length only for stride 1; L_out = "
                              "ceil(length / stride).")),
        (lambda n, k, s: n // s, _("You rounded down: L_out = ceil(length / stride), e.g. -(-length // stride).")),
    ]


def _rules() -> dict[str, str]:
    """The rule for each padding, in the current language."""
    return {"valid": "floor((length - kernel_size) / stride) + 1",
            "same": _("ceil(length / stride), whatever the kernel size")}


_LAZY: dict[str, Callable[[], Any]] = {
    "_VALID_VARIANTS": _valid_variants, "_SAME_VARIANTS": _same_variants, "_RULES": _rules,
}


__getattr__ = lazy_attributes(__name__, _LAZY)


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
                for rule, text in (_valid_variants() if padding == "valid" else _same_variants())])
            hint = hint or _("Rule for {padding}: {rule}.").format(padding=repr(padding), rule=_rules()[padding])
            raise Fail(with_cause(_("{call} returned {got}, expected {expected}.").format(
                call=f"{name}({length}, {size}, {stride}, {padding!r})", got=got, expected=expected), hint))

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
            where = _("for x {x}, kernel {kernel}").format(x=x.shape, kernel=kernel.shape)
            got = call(fn, x, kernel, bias, name=name)
            out = expect_array(got, _("the output {where}").format(where=where), kind="f")
            n_out = length - size + 1
            if out.shape != expected.shape:
                if out.shape == (batch, filters, n_out):
                    raise Fail(_("the output {where} has shape {shape}, expected {expected} = (batch, "
                                 "length - kernel_size + 1, filters): your output is transposed.").format(
                                     where=where, shape=out.shape, expected=expected.shape))
                if out.shape in ((batch, n_out - 1, filters), (batch, n_out + 1, filters)):
                    raise Fail(_("the output {where} has shape {shape}, expected {expected}: one position off. A "
                                 "valid convolution has length - kernel_size + 1 outputs, t = 0 … "
                                 "length - kernel_size.").format(where=where, shape=out.shape, expected=expected.shape))
                raise Fail(_("the output {where} has shape {shape}, expected {expected} = (batch, "
                             "length - kernel_size + 1, filters).").format(
                                 where=where, shape=out.shape, expected=expected.shape))
            problem = compare_arrays(out, expected, _("output {where}").format(where=where))
            if problem:
                hint = _hint(out, [
                    (conv1d(x, kernel[::-1], bias), _("That is a convolution with the kernel flipped: Keras does not "
                                                      "flip it, y[t] = sum over k, c of x[t + k, c] * kernel[k, c].")),
                    (conv1d(x, kernel), _("The bias is missing: add bias to every output position.")),
                    (conv1d(x[..., :1], kernel[:, :1], bias), _("You used only the first input channel: sum over all "
                                                                "in_channels too.")),
                ])
                if not hint and matches(out, expected, atol=1e-2):
                    hint = _("Your values are close but not within 1e-5: compute in float32 or float64, not float16.")
                hint = hint or _("Output t is the sum over k and c of x[:, t + k, c] * kernel[k, c, :], plus bias.")
                raise Fail(with_cause(problem, hint))

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
    for _case in range(3):
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
                hint = _hint(got, [(sum(expected), _("Return one count per layer, not their total."))]) \
                    if len(expected) > 1 else ""
                raise Fail(with_cause(_("{call} should return a list with one parameter count per layer, got "
                                        "{kind} {value}.").format(call=text, kind=type(got).__name__,
                                                                  value=_short(got)), hint))
            if len(got) != len(expected):
                raise Fail(_("{call} returned {count} counts, expected {expected} (one per layer).").format(
                    call=text, count=len(got), expected=len(expected)))
            answers.append([expect_int(g, _("the count of layer {layer} in {call}").format(layer=i, call=text))
                            for i, g in enumerate(got)])
        flat = [n for counts in answers for n in counts]
        for (in_channels, layers), counts in zip(cases, answers):
            expected = _stack_reference(in_channels, layers)
            if counts == expected:
                continue
            hint = _hint(flat, [
                ([n for c, ls in cases for n in _stack_reference(c, ls, chained=False)],
                 _("Every layer after the first has the previous layer's filters as its input channels.")),
                ([n for c, ls in cases for n in _stack_reference(c, ls, bias=False)],
                 _("The biases are missing: one per filter.")),
                ([n for c, ls in cases for n in _stack_reference(c, ls, swapped=True)],
                 _("Each pair is (kernel_size, filters), in that order.")),
                ([n for c, ls in cases for n in np.cumsum(_stack_reference(c, ls), dtype=int)],
                 _("These are running totals: return each layer's own count.")),
            ]) or _("Each filter has kernel_size x (its input channels) weights plus one bias.")
            first = next(i for i, (g, e) in enumerate(zip(counts, expected)) if g != e)
            raise Fail(with_cause(_("{call} returned {got}, expected {expected} (first wrong: layer {layer}).").format(
                call=f"{name}({in_channels}, {layers})", got=counts, expected=expected, layer=first), hint))

    return run(name, body)


# ----------------------------------------------------------------------------- exercise 4: reach within a budget

_RECURRENT = ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "RNN")


def _layer_params(layer: Any) -> int:
    try:
        return int(layer.count_params())
    except Exception:  # noqa: BLE001 - an unbuilt layer counts nothing
        return 0


def _structure(model: Any, filters: int) -> None:
    """Fail unless the model is a stack of Conv1D / pooling layers with ``filters`` filters each,
    then a global pooling layer, then a dense head; name the first layer that breaks the plan."""
    from ..conv import GLOBAL_POOLINGS, POSITION_NEUTRAL, POSITION_WINDOWS

    no_pooling = Fail(_("the model has no GlobalMaxPooling1D (or GlobalAveragePooling1D) layer: end the "
                        "convolutional stack with one, then Dense(1, activation=\"sigmoid\")."))
    has_pooling = any(type(layer).__name__ in GLOBAL_POOLINGS for layer in model.layers)
    pooled, convs = False, 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        if pooled:
            if kind in _RECURRENT or kind in POSITION_WINDOWS:
                raise Fail(_("layer {layer} ({kind}) comes after the global pooling layer, where there is no "
                             "sequence left: put every Conv1D and pooling layer before it.").format(
                                 layer=repr(layer.name), kind=kind))
            continue
        if kind in GLOBAL_POOLINGS:
            pooled = True
        elif kind == "Flatten":
            raise Fail(_("layer {layer} is a Flatten: it hands the Dense layer every position, so the Dense "
                         "layer, not the convolutions, would combine the two spikes, with weights tied to positions. "
                         "End the convolutional stack with GlobalMaxPooling1D instead.").format(layer=repr(layer.name)))
        elif kind in _RECURRENT:
            raise Fail(_("layer {layer} is a recurrent layer ({kind}): this exercise reaches the second spike "
                         "with convolutions and pooling alone. Remove it and end the stack with "
                         "GlobalMaxPooling1D.").format(layer=repr(layer.name), kind=kind))
        elif kind == "Conv1D":
            convs += 1
            if int(layer.filters) != filters:
                raise Fail(_("layer {layer} has {filters} filters; the exercise fixes {expected} in every "
                             "Conv1D, so that the budget is spent on reach (kernel sizes, pooling, dilation), not on "
                             "thinner layers.").format(layer=repr(layer.name), filters=layer.filters,
                                                       expected=filters))
        elif kind not in POSITION_WINDOWS and kind not in POSITION_NEUTRAL:
            if not has_pooling:
                raise no_pooling
            raise Fail(_("layer {layer} ({kind}) comes before the global pooling layer; the stack may hold only "
                         "Conv1D, MaxPooling1D / AveragePooling1D and dropout, normalisation or activation "
                         "layers.").format(layer=repr(layer.name), kind=kind))
    if not pooled:
        raise no_pooling
    if convs == 0:
        raise Fail(_("the model has no Conv1D layer: the exercise asks for a convolutional stack."))


def _window_text(model: Any) -> str:
    """The receptive field after each window layer, e.g. 'conv1d 3 → max_pooling1d 6 → conv1d_1 14'."""
    from ..conv import layer_windows, receptive_field

    windows = layer_windows(model)
    return " → ".join(f"{name} {receptive_field([w for _, w in windows[:i + 1]])}"
                      for i, (name, _) in enumerate(windows))


def check_spike_detector(build: Callable[[], Any], gap: int = 40, budget: int = 4_000, filters: int = 16,
                         input_shape: tuple[int, int] = (160, 8)) -> bool:
    """Check ``build()`` (exercise 4): a Keras model from ``input_shape`` to one probability,
    whose convolutional stack (Conv1D layers of ``filters`` filters, pooling) sees, in one
    output, two input steps at every distance from 1 to ``gap``, with at most ``budget``
    parameters in all. Nothing is trained: the receptive field, its holes and the parameter
    count follow from the layers (:mod:`utils.conv`)."""
    import keras

    from ..conv import distances_seen, input_offsets, layer_windows, receptive_field

    name = function_name(build, "build_spike_detector")
    found: dict[str, int] = {}

    def body() -> None:
        if isinstance(build, keras.Model):
            raise Fail(_("pass the function {name} itself, not the model it returns: no parentheses after its "
                         "name.").format(name=name))
        keras.utils.set_random_seed(0)
        try:
            model = call(build, name=name)
        except Fail as fail:
            if "Pooling1D" in str(fail) or "Conv1D" in str(fail):
                raise Fail(_("{problem} With padding=\"valid\" every Conv1D and pooling layer shortens the sequence: "
                             "it must not shrink to nothing (use smaller pools or padding=\"same\").").format(
                                 problem=fail)) from None
            raise
        if model is None:
            raise Fail(_("{name}() returned None: did you forget `return`?").format(name=name))
        if not isinstance(model, keras.Model):
            raise Fail(_("{name}() must return a keras Model (keras.Sequential([...])), got {kind}.").format(
                name=name, kind=type(model).__name__))
        steps, channels = input_shape
        declared = keras_step(_("reading the model's input shape"), lambda: model.input_shape,
                              _("Start the model with keras.Input(({steps}, {channels})).").format(
                                  steps=steps, channels=channels))
        if not (isinstance(declared, tuple) and len(declared) == 3 and declared[1] in (None, steps)
                and declared[2] == channels):
            swapped = _(" (steps and channels swapped)") if isinstance(declared, tuple) and declared[1:] == \
                (channels, steps) else ""
            raise Fail(_("your model expects inputs of shape {declared}{swapped}; the signals are (batch, {steps}, "
                         "{channels}) = (batch, steps, channels): start with keras.Input(({steps}, {channels}))."
                         ).format(declared=declared, swapped=swapped, steps=steps, channels=channels))
        probe = np.random.default_rng(0).normal(size=(2, steps, channels)).astype("float32")
        out = keras_step(_("predicting on 2 signals of shape ({steps}, {channels})").format(
                             steps=steps, channels=channels),
                         lambda: model.predict(probe, verbose=0),
                         _("Check that the layers fit together: with padding=\"valid\" every Conv1D and pooling "
                           "layer shortens the sequence, and it must not shrink to nothing."))
        _structure(model, filters)
        if not isinstance(out, np.ndarray) or out.shape != (2, 1):
            shape = out.shape if isinstance(out, np.ndarray) else type(out).__name__
            raise Fail(_("the model outputs {shape} for 2 signals, expected (2, 1): one probability of a fault per "
                         "signal. End with Dense(1, activation=\"sigmoid\").").format(shape=shape))
        if not np.all(np.isfinite(out)):
            raise Fail(_("the model predicts {values} on random signals: not finite. Is the sequence shrunk to "
                         "nothing before the global pooling (padding=\"valid\" and large pools)?").format(
                             values=out.ravel()))
        last = model.layers[-1]
        if getattr(getattr(last, "activation", None), "__name__", None) != "sigmoid":
            raise Fail(_("the output is not a probability: end with Dense(1, activation=\"sigmoid\") for the binary "
                         "cross-entropy."))
        field = receptive_field(model)
        n_params = int(model.count_params())
        problems = []
        if field < gap + 1:
            problems.append(_(
                "its receptive field is {field} steps ({windows}): two spikes {gap} steps apart span {span} steps, "
                "so no output of the stack sees both. Grow it with larger kernels, pooling (a pool of p multiplies "
                "the reach of every later layer by p) or dilation_rate").format(
                    field=field, windows=_window_text(model), gap=gap, span=gap + 1))
        if n_params > budget:
            biggest = max(model.layers, key=_layer_params)
            problems.append(_(
                "it has {params:,} parameters, over the budget of {budget:,} (the largest layer, {layer}, has "
                "{layer_params:,}): a Conv1D costs kernel_size x in_channels x filters + filters, so a wide kernel "
                "on many channels, or many stacked layers, is expensive; pooling and dilation reach further for "
                "free").format(params=n_params, budget=budget, layer=repr(biggest.name),
                               layer_params=_layer_params(biggest)))
        if problems:
            raise Fail(_("{name}()'s model fails: {problems}.").format(name=name, problems=_("; and ").join(problems)))
        found.update(field=field, params=n_params)
        seen = set(distances_seen(model))
        missing = [d for d in range(1, gap + 1) if d not in seen]
        if missing:
            windows = [w for _layer, w in layer_windows(model)]
            causes = []
            if any(d > 1 for _k, _s, d in windows):
                causes.append(_("a dilated kernel (dilation_rate > 1) reads only every dilation-th step of what the "
                                "layers below cover: start with dilation_rate 1 and let each dilation be at most the "
                                "reach of the layers below"))
            if any(s > k for k, s, _d in windows):
                causes.append(_("a stride larger than its kernel or pool skips steps altogether"))
            offsets = input_offsets(model)
            raise Fail(_("the receptive field ({field} steps) has holes: one output reads only {read} of those "
                         "steps, so spikes {distances} steps apart are never seen together. {causes}.").format(
                             field=field, read=len(offsets),
                             distances=", ".join(map(str, missing[:5])) + ("…" if len(missing) > 5 else ""),
                             causes=_("; ").join(causes)))

    ok = run(name, body)
    if ok:
        print("   " + _("receptive field {field} steps (≥ {span}), {params:,} parameters (≤ {budget:,})").format(
            field=found["field"], span=gap + 1, params=found["params"], budget=budget))
    return ok
