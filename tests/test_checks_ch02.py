"""Chapter 02 checks: the reference passes, and the catalogue of wrong answers is rejected,
each without an exception and, where the check names a cause, with that cause."""

import itertools

import numpy as np
import pytest
from checkhelpers import stub
from test_checks_ch01 import verdict

from utils import checks
from utils.checks import check_gradient_settings
from utils.rnn import simple_rnn_forward, simple_rnn_step, spectral_radius, stacked_rnn_params

# ----------------------------------------------------------------------------- Exercise 1: rnn_step


def rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias):  # the notebook's solution
    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)


def lecture_layout(x_t, h_prev, kernel, recurrent_kernel, bias):  # another right answer: W·x with W = kernelᵀ
    return np.tanh((kernel.T @ x_t.T).T + (recurrent_kernel.T @ h_prev.T).T + bias)


def updates_state_in_place(x_t, h_prev, kernel, recurrent_kernel, bias):
    h_prev[:] = np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)
    return h_prev


def returns_cell_output(x_t, h_prev, kernel, recurrent_kernel, bias):  # Keras cells return (output, [state])
    h = rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias)
    return h, [h]


def test_rnn_step_right_answers_pass(capsys):
    assert verdict(capsys, checks.check_rnn_step, rnn_step) == (True, "✅ rnn_step: correct.")
    assert verdict(capsys, checks.check_rnn_step, simple_rnn_step)[0] is True
    assert verdict(capsys, checks.check_rnn_step, lecture_layout)[0] is True


@pytest.mark.parametrize("answer, text", [
    (lambda x, h, k, r, b: np.tanh(x @ k + b), "is h_prev used?"),
    (lambda x, h, k, r, b: x @ k + h @ r + b, "The tanh is missing"),
    (lambda x, h, k, r, b: np.tanh(x @ k + h @ r), "The bias is missing"),
    (lambda x, h, k, r, b: 1 / (1 + np.exp(-(x @ k + h @ r + b))), "That is a sigmoid"),
    (lambda x, h, k, r, b: np.maximum(x @ k + h @ r + b, 0), "That is a ReLU"),
    (lambda x, h, k, r, b: np.tanh(x @ k + h @ r.T + b), "recurrent_kernel is used transposed"),
    (lambda x, h, k, r, b: np.tanh(x @ k + b) + h @ r, "Only the input part went through tanh"),
    (updates_state_in_place, "changed its input `h_prev` in place"),
    (returns_cell_output, "should be one NumPy array (the states), got a tuple of 2"),
    (lambda x, h, k, r, b: np.tanh(k.T @ x + b), "raised ValueError"),   # W·x with Keras's kernel: shapes clash
    (lambda x, h, k, r, b: np.tanh(x @ k + h @ r + b).mean(axis=0), "has shape (6,), expected (3, 6)"),
    (lambda x, h, k, r, b: np.round(rnn_step(x, h, k, r, b), 2), "wrong at index"),
    (stub, "not implemented yet"),
])
def test_rnn_step_wrong_answers_fail(capsys, answer, text):
    result, line = verdict(capsys, checks.check_rnn_step, answer)
    assert result is False and line.startswith("❌") and text in line, line


def test_rnn_step_names_no_cause_for_an_unknown_mistake(capsys):
    _, line = verdict(capsys, checks.check_rnn_step, lambda x, h, k, r, b: np.round(rnn_step(x, h, k, r, b), 2))
    assert line.endswith("wrong entries in all)."), line


# ----------------------------------------------------------------------------- Exercise 2: rnn_forward


def rnn_forward(x, kernel, recurrent_kernel, bias, return_sequences=False):  # the notebook's solution
    h = np.zeros((x.shape[0], recurrent_kernel.shape[0]), dtype=x.dtype)
    states = []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, kernel, recurrent_kernel, bias)
        states.append(h)
    return np.stack(states, axis=1) if return_sequences else h


def overwrites_one_array(x, kernel, recurrent_kernel, bias, return_sequences=False):
    h = np.zeros((x.shape[0], recurrent_kernel.shape[0]))
    states = []
    for t in range(x.shape[1]):
        h[:] = rnn_step(x[:, t], h, kernel, recurrent_kernel, bias)
        states.append(h)
    return np.stack(states, axis=1) if return_sequences else h


def does_not_carry(x, kernel, recurrent_kernel, bias, return_sequences=False):
    zeros = np.zeros((x.shape[0], recurrent_kernel.shape[0]))
    states = [rnn_step(x[:, t], zeros, kernel, recurrent_kernel, bias) for t in range(x.shape[1])]
    return np.stack(states, axis=1) if return_sequences else states[-1]


def keeps_initial_state(x, kernel, recurrent_kernel, bias, return_sequences=False):
    states = [np.zeros((x.shape[0], recurrent_kernel.shape[0]))]
    for t in range(x.shape[1]):
        states.append(rnn_step(x[:, t], states[-1], kernel, recurrent_kernel, bias))
    return np.stack(states, axis=1) if return_sequences else states[-1]


def skips_last_step(x, kernel, recurrent_kernel, bias, return_sequences=False):
    h = np.zeros((x.shape[0], recurrent_kernel.shape[0]))
    states = []
    for t in range(x.shape[1] - 1):
        h = rnn_step(x[:, t], h, kernel, recurrent_kernel, bias)
        states.append(h)
    return (np.stack(states, axis=1) if states else np.zeros((x.shape[0], 0, h.shape[1]))) if return_sequences else h


def scales_input_in_place(x, kernel, recurrent_kernel, bias, return_sequences=False):
    x /= np.abs(x).max()
    return rnn_forward(x, kernel, recurrent_kernel, bias, return_sequences)


def test_rnn_forward_right_answers_pass(capsys):
    assert verdict(capsys, checks.check_rnn_forward, rnn_forward) == (True, "✅ rnn_forward: correct.")
    utils_version = lambda x, k, r, b, seq: simple_rnn_forward(x, k, r, b, return_sequences=seq)  # noqa: E731
    assert verdict(capsys, checks.check_rnn_forward, utils_version)[0] is True


@pytest.mark.parametrize("answer, text", [
    (lambda x, k, r, b, seq: rnn_forward(x, k, r, b, True), "return_sequences=False must return only the last state"),
    (lambda x, k, r, b, seq: rnn_forward(x, k, r, b, False), "return_sequences=True must return every state"),
    (lambda x, k, r, b, seq: rnn_forward(x, k, r, b, True).transpose(1, 0, 2) if seq else rnn_forward(x, k, r, b),
     "has shape (5, 3, 6), expected (3, 5, 6). The states are stacked along axis 0"),
    (lambda x, k, r, b, seq: rnn_forward(x, k, r, b, True)[:, 0] if not seq else rnn_forward(x, k, r, b, True),
     "That is the state after the first step"),
    (does_not_carry, "Every step started from a zero state"),
    (overwrites_one_array, "Every time step holds the last state"),
    (keeps_initial_state, "The zero initial state is included"),
    (skips_last_step, "The last time step is missing"),
    (lambda x, k, r, b, seq: rnn_forward(x[:, ::-1], k, r, b, seq), "The sequence was read backwards"),
    (scales_input_in_place, "changed its input `x` in place"),
    (lambda x, k, r, b, seq: list(rnn_forward(x, k, r, b, True).transpose(1, 0, 2)) if seq else rnn_forward(x, k, r, b),
     "should be a NumPy array, got list"),
    (lambda x, k, r, b, seq: rnn_forward(x, k, r, b, seq) + 1e-3, "wrong at index"),
    (stub, "not implemented yet"),
])
def test_rnn_forward_wrong_answers_fail(capsys, answer, text):
    result, line = verdict(capsys, checks.check_rnn_forward, answer)
    assert result is False and line.startswith("❌") and text in line, line


# ----------------------------------------------------------------------------- Exercise 3: stacked_rnn_param_count


def stacked_rnn_param_count(input_dim, units):  # the notebook's solution
    total, d = 0, input_dim
    for u in units:
        total += u * d + u * u + u
        d = u
    return total


def prepends_input_dim(input_dim, units):  # changes the caller's list
    units.insert(0, input_dim)
    return sum(u * d + u * u + u for d, u in itertools.pairwise(units))


def test_stacked_params_right_answers_pass(capsys):
    assert verdict(capsys, checks.check_stacked_params, stacked_rnn_param_count) == (
        True, "✅ stacked_rnn_param_count: correct.")
    assert verdict(capsys, checks.check_stacked_params, stacked_rnn_params)[0] is True
    numpy_int = lambda d, units: np.sum([u * i + u * u + u for i, u in zip([d, *units], units)])  # noqa: E731
    assert verdict(capsys, checks.check_stacked_params, numpy_int)[0] is True


@pytest.mark.parametrize("answer, text", [
    (lambda d, units: sum(u * d + u * u + u for u in units), "layer 2's input is layer 1's output"),
    (lambda d, units: sum(u * i + u * u for i, u in zip([d, *units], units)), "The biases are missing"),
    (lambda d, units: sum(u * i + u for i, u in zip([d, *units], units)), "The recurrent weights U are missing"),
    (lambda d, units: sum(u * i + i * i + u for i, u in zip([d, *units], units)), "not input × input"),
    (lambda d, units: units[0] * d + units[0] ** 2 + units[0], "Only the first layer is counted"),
    (lambda d, units: sum(u * units[i - 1] + u * u + u for i, u in enumerate(units)), "units[i - 1] wraps around"),
    (lambda d, units: 4 * stacked_rnn_params(d, units), "That is the count for LSTM layers"),
    (lambda d, units: float(stacked_rnn_params(d, units)), "should be an int, got float"),
    (lambda d, units: [stacked_rnn_params(d, [u]) for u in units], "should be an int, got list"),
    (prepends_input_dim, "changed its input `units` in place"),
    (lambda d, units: stacked_rnn_params(d, units) + 1, "input_dim=12, units=[32]: got 1441, expected 1440."),
    (stub, "not implemented yet"),
])
def test_stacked_params_wrong_answers_fail(capsys, answer, text):
    result, line = verdict(capsys, checks.check_stacked_params, answer)
    assert result is False and line.startswith("❌") and text in line, line


def test_stacked_params_names_no_cause_for_an_unknown_mistake(capsys):
    _, line = verdict(capsys, checks.check_stacked_params, lambda d, units: stacked_rnn_params(d, units) + 1)
    assert line.endswith("expected 1440."), line


# ----------------------------------------------------------------------------- Exercise 4: state_behaviour


def state_behaviour(U):  # the notebook's solution
    radius = float(np.max(np.abs(np.linalg.eigvals(U))))
    if abs(radius - 1.0) <= 1e-9:
        return radius, "neither"
    return radius, "vanishes" if radius < 1 else "explodes"


def with_radius(radius_of, rule=None):
    """A state_behaviour whose radius (and optionally verdict rule) is one of the likely mistakes."""
    def answer(U):
        r = radius_of(U)
        if rule is not None:
            return r, rule(r)
        return r, "neither" if abs(r - 1) <= 1e-9 else "vanishes" if r < 1 else "explodes"
    return answer


def true_radius(U):
    return spectral_radius(U)


def test_state_behaviour_right_answers_pass(capsys):
    assert verdict(capsys, checks.check_spectral_radius, state_behaviour) == (True, "✅ state_behaviour: correct.")
    numpy_radius = lambda U: (np.abs(np.linalg.eigvals(U)).max(), state_behaviour(U)[1])  # noqa: E731 - np.float64
    assert verdict(capsys, checks.check_spectral_radius, numpy_radius)[0] is True


@pytest.mark.parametrize("answer, text", [
    (with_radius(lambda U: float(np.abs(U).max())), "That is the largest |entry| of U"),
    (with_radius(lambda U: float(np.linalg.norm(U, 2))), "That is the largest singular value"),
    (with_radius(lambda U: float(np.linalg.eigvals(U).real.max())), "The absolute values are missing"),
    (with_radius(lambda U: float(np.abs(np.linalg.eigvalsh(U)).max())), "np.linalg.eigvalsh is only for symmetric"),
    (with_radius(lambda U: float(np.abs(np.linalg.eigvals(U)).min())), "That is the smallest |eigenvalue|"),
    (with_radius(true_radius, lambda r: "neither" if abs(r - 1) <= 1e-9 else "explodes" if r < 1 else "vanishes"),
     "The verdicts are swapped"),
    (with_radius(true_radius, lambda r: "neither" if r == 1 else "vanishes" if r < 1 else "explodes"),
     "not radius == 1"),
    (with_radius(true_radius, lambda r: "neither" if np.isclose(r, 1) else "vanishes" if r < 1 else "explodes"),
     "np.isclose's default tolerance"),
    (with_radius(true_radius, lambda r: "vanishes" if r < 1 else "explodes"), "A radius of 1 (within 1e-9) is 'neither'"),
    (with_radius(lambda U: round(spectral_radius(U), 3)), "spectral radius is 0.9461; you returned 0.946."),
    (lambda U: (state_behaviour(U)[1], state_behaviour(U)[0]), "the order is swapped"),
    (lambda U: list(state_behaviour(U)), "should return a tuple (radius, verdict), got list of length 2"),
    (lambda U: state_behaviour(U)[0], "should return a tuple (radius, verdict), got float"),
    (lambda U: (np.linalg.eigvals(U)[np.argmax(np.abs(np.linalg.eigvals(U)))], "vanishes"), "got the complex number"),
    (lambda U: (*state_behaviour(U), "extra"), "got 3 values"),
    (lambda U: (state_behaviour(U)[0], state_behaviour(U)[1].capitalize()), "got 'Vanishes'"),
    (lambda U: (spectral_radius(U), "vanish" if spectral_radius(U) < 1 else "explode"), "got 'vanish'"),
    (lambda U: None, "did you forget `return radius, verdict`?"),
    (stub, "not implemented yet"),
])
def test_state_behaviour_wrong_answers_fail(capsys, answer, text):
    result, line = verdict(capsys, checks.check_spectral_radius, answer)
    assert result is False and line.startswith("❌") and text in line, line


def test_state_behaviour_radius_hint_only_for_its_cause(capsys):
    """A radius that is simply wrong gets no hint about entries or eigenvalues."""
    _, line = verdict(capsys, checks.check_spectral_radius, with_radius(lambda U: spectral_radius(U) * 1.01))
    assert line.endswith("you returned 0.505."), line


# ----------------------------------------------------------------------------- Exercise 4: rnn_step_backward

from utils.bptt import rnn_step_backward as reference_step_backward  # noqa: E402


def rnn_step_backward(dh, h, h_prev, x_t, kernel, recurrent_kernel):  # the notebook's solution
    da = dh * (1 - h ** 2)
    return da @ kernel.T, da @ recurrent_kernel.T, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


def with_tanh_written_out(dh, h, h_prev, x_t, kernel, recurrent_kernel):  # right: 1 - h² as (1 - h)(1 + h), einsum
    da = dh * (1 - h) * (1 + h)
    return (np.einsum("bu,fu->bf", da, kernel), np.einsum("bu,vu->bv", da, recurrent_kernel),
            np.einsum("bf,bu->fu", x_t, da), np.einsum("bv,bu->vu", h_prev, da), np.einsum("bu->u", da))


def clears_dh_in_place(dh, h, h_prev, x_t, kernel, recurrent_kernel):
    dh *= 1 - h ** 2
    return dh @ kernel.T, dh @ recurrent_kernel.T, x_t.T @ dh, h_prev.T @ dh, dh.sum(axis=0)


def _swap(i, j):
    def answer(*case):
        out = list(rnn_step_backward(*case))
        out[i], out[j] = out[j], out[i]
        return tuple(out)
    return answer


def _patch(index, value):
    def answer(dh, h, h_prev, x_t, kernel, recurrent_kernel):
        out = list(rnn_step_backward(dh, h, h_prev, x_t, kernel, recurrent_kernel))
        out[index] = value(dh, h, h_prev, x_t, kernel, recurrent_kernel, dh * (1 - h ** 2))
        return tuple(out)
    return answer


def _with_da(da_of):
    def answer(dh, h, h_prev, x_t, kernel, recurrent_kernel):
        da = da_of(dh, h, h_prev)
        return da @ kernel.T, da @ recurrent_kernel.T, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)
    return answer


def test_rnn_step_backward_right_answers_pass(capsys):
    for answer in (rnn_step_backward, with_tanh_written_out, reference_step_backward):
        result, line = verdict(capsys, checks.check_rnn_step_backward, answer)
        assert result is True and line.startswith("✅"), line


@pytest.mark.parametrize("answer, text", [
    (_with_da(lambda dh, h, hp: dh), "The tanh derivative is missing"),
    (_with_da(lambda dh, h, hp: dh * (1 - hp ** 2)), "uses this step's output h, not h_prev"),
    (_with_da(lambda dh, h, hp: dh * (1 - np.tanh(h) ** 2)), "applies tanh twice"),
    (_with_da(lambda dh, h, hp: dh * (1 - h)), "(squared), not 1 - h"),
    (_with_da(lambda dh, h, hp: dh * h * (1 - h)), "the sigmoid's derivative"),
    (_patch(3, lambda dh, h, hp, x, k, r, da: h.T @ da), "pairs da with h_prev"),
    (_patch(4, lambda dh, h, hp, x, k, r, da: da.mean(axis=0)), "dbias is averaged over the batch"),
    (_patch(4, lambda dh, h, hp, x, k, r, da: da), "sum da over axis 0"),
    (_patch(1, lambda dh, h, hp, x, k, r, da: da @ r), "da @ recurrent_kernel.T"),
    (_patch(1, lambda dh, h, hp, x, k, r, da: dh @ r.T), "dh_prev skips the tanh derivative"),
    (_patch(1, lambda dh, h, hp, x, k, r, da: da @ r.T + dh), "dh_prev has dh added"),
    (_patch(2, lambda dh, h, hp, x, k, r, da: x.T @ dh), "dkernel skips the tanh derivative"),
    (_patch(0, lambda dh, h, hp, x, k, r, da: 2 * da @ k.T), "dx_t is wrong"),
    (_patch(2, lambda dh, h, hp, x, k, r, da: da.T @ x), "dkernel has shape"),
    (_swap(2, 3), "wrong order (value 3 is drecurrent_kernel, value 4 is dkernel)"),
    (_swap(0, 1), "wrong order"),
    (lambda *case: rnn_step_backward(*case)[:4], "tuple of five arrays"),
    (lambda *case: list(rnn_step_backward(*case)), "✅"),
    (lambda *case: tuple(g.tolist() for g in rnn_step_backward(*case)), "should be a NumPy array"),
    (lambda *case: tuple(np.round(g, 2) for g in rnn_step_backward(*case)), "wrong at index"),
    (clears_dh_in_place, "changed its input `dh` in place"),
    (lambda *case: None, "returned None"),
    (stub, "not implemented yet"),
])
def test_rnn_step_backward_wrong_answers_fail(capsys, answer, text):
    result, line = verdict(capsys, checks.check_rnn_step_backward, answer)
    if text == "✅":  # a list of the five arrays is accepted: the statement asks for five values
        assert result is True, line
        return
    assert result is False and line.startswith("❌") and text in line, line


# ----------------------------------------------------------------------------- Exercise 6: gradient_settings
# Every answer below is measured: the reach of three initialisations, then 5 epochs of SGD (a few seconds).


def gradient_settings():  # the notebook's solution
    return 1.15, 1.0


def settings(gain, clipnorm):
    def gradient_settings():
        return gain, clipnorm
    return gradient_settings


def test_gradient_settings_right_answers_pass(capsys):
    assert check_gradient_settings(gradient_settings) is True
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "✅ gradient_settings: correct.", lines
    assert "gradient at step 1 / at step 50: 1.24, 1.75, 1.32" in lines[1] and "naive forecast 0.114" in lines[1], lines
    for gain, clipnorm in [(1.1, 0.3), (1.25, 1.0), (np.float32(1.2), 1), (1.15, 0.1)]:
        result, line = verdict(capsys, check_gradient_settings, settings(gain, clipnorm))
        assert result is True, (gain, clipnorm, line)


@pytest.mark.parametrize("gain, clipnorm, texts", [
    # Keras's default radius 1, and smaller: tanh′ < 1 makes it fade
    (1.0, 1.0, ["With gain 1 the gradient vanishes", "0.0108", "A spectral radius of 1 is not enough"]),
    (0.5, 1.0, ["With gain 0.5 the gradient vanishes", "A spectral radius of 0.5 is not enough"]),
    (1.05, 1.0, ["With gain 1.05 the gradient vanishes", "Raise the gain a little"]),
    # too large a radius, far too large (saturated states), absurd (overflow)
    (1.3, 1.0, ["With gain 1.3 the gradient explodes", "bring the gain closer to 1"]),
    (100.0, 1.0, ["With gain 100 the gradient vanishes", "saturates the states", "fix the gain first"]),
    (1e30, 1.0, ["With gain 1e+30 the gradient is not even a number", "far beyond what float32", "fix the gain first"]),
    # (c)'s gain 2: explodes, and its poor training is blamed on the gain, not on clipnorm. Whether the
    # curve comes out merely slow or also rises in a late epoch depends on the CPU's float rounding
    # (slow on the earlier Intel machine, rising at epoch 4 on an AMD EPYC): either verdict is right
    (2.0, 1.0, ["With gain 2 the gradient explodes", ("Training is too slow", "Training is unstable"),
                "fix the gain first"]),
    # no clipping at learning rate 0.3
    (1.15, None, ["Training diverged", "not a number from epoch", "Without clipping"]),
    # clipping too hard: safe but slow
    (1.15, 0.01, ["Training is too slow", "clipnorm=0.01 clips too hard", "= 0.003: raise it"]),
    (1.15, 0.03, ["clipnorm=0.03 clips too hard"]),
    # clipping too little
    (1.15, 3.0, ["Training is unstable", "higher after the first epoch", "clipnorm=3 clips too little"]),
    (1.15, 10.0, ["Training is unstable", "clipnorm=10 clips too little"]),
    # both wrong: both named
    (2.0, None, ["With gain 2 the gradient explodes", "Training diverged", "Without clipping"]),
])
def test_gradient_settings_wrong_settings_fail_with_their_cause(capsys, gain, clipnorm, texts):
    result, line = verdict(capsys, check_gradient_settings, settings(gain, clipnorm))
    assert result is False and line.startswith("❌ gradient_settings: gradient_settings() returned gain"), line
    for text in texts:   # a tuple: one of these
        assert any(t in line for t in ((text,) if isinstance(text, str) else text)), (text, line)
    if "fix the gain first" in texts:   # a gain problem: clipnorm is not blamed for it
        assert "clips too" not in line, line


def test_gradient_settings_names_no_clipping_cause_for_a_gain_problem(capsys):
    """A wrong gain with a good clipnorm: only the reach is blamed."""
    _, line = verdict(capsys, check_gradient_settings, settings(1.0, 0.3))
    assert "vanishes" in line and "clipnorm" not in line.split("clipnorm 0.3.", 1)[1], line


@pytest.mark.parametrize("answer, text", [
    (lambda: None, "did you forget `return gain, clipnorm`?"),
    (lambda: [1.15, 1.0], "got list of length 2 [1.15, 1.0]. Write `return gain, clipnorm`."),
    (lambda: 1.15, "should return a tuple (gain, clipnorm), got float"),
    (lambda: (1.15,), "got 1 values"),
    (lambda: (1.15, 1.0, 32), "got 3 values"),
    (lambda: ("1.15", 1.0), "the gain (first value of the tuple) should be a float, got str"),
    (lambda: (True, 1.0), "should be a float, got bool"),
    (lambda: (np.array([1.15]), 1.0), "Return a single number"),
    (lambda: (float("nan"), 1.0), "expected a finite number"),
    (lambda: (-1.15, 1.0), "the gain is -1.15"),
    (lambda: (0, 1.0), "the gain is 0"),
    (lambda: (1.15, 0.0), "clipnorm is 0"),
    (lambda: (1.15, -1.0), "clipnorm is -1"),
    (lambda: (1.15, "1"), "clipnorm (second value of the tuple) should be a float, got str"),
    (lambda: (1.15, float("inf")), "expected a finite number"),
    (gradient_settings(), "pass the function gradient_settings itself"),
    (stub, "not implemented yet"),
])
def test_gradient_settings_wrong_types_fail_fast(capsys, answer, text):
    result, line = verdict(capsys, check_gradient_settings, answer)
    assert result is False and line.startswith("❌") and text in line, line


def test_gradient_settings_never_raises_on_keras_errors(capsys, monkeypatch):
    """An error inside Keras (here: the optimiser refusing the settings) is one ❌ line."""
    import keras

    def broken(*args, **kwargs):
        raise ValueError("bad optimiser")

    monkeypatch.setattr(keras.optimizers, "SGD", broken)
    result, line = verdict(capsys, check_gradient_settings, gradient_settings)
    assert result is False and "training the model failed with ValueError: bad optimiser" in line, line


# ----------------------------------------------------------------------------- Exercise 7: node_levels


def node_levels(left, right):  # the notebook's solution
    levels = np.where(left < 0, 0, -1)
    while (levels < 0).any():
        for i in np.flatnonzero(levels < 0):
            if levels[left[i]] >= 0 and levels[right[i]] >= 0:
                levels[i] = 1 + max(levels[left[i]], levels[right[i]])
    return levels


def recursive_levels(left, right):  # another right answer: recursion from every node
    def level(i):
        return 0 if left[i] < 0 else 1 + max(level(left[i]), level(right[i]))
    return np.array([level(i) for i in range(len(left))])


def _levels_by(combine, leaf=0, one_pass=False):
    def answer(left, right):
        levels = [leaf if left[i] < 0 else None for i in range(len(left))]
        if one_pass:
            levels = [leaf if left[i] < 0 else 0 for i in range(len(left))]
            for i in range(len(left)):
                if left[i] >= 0:
                    levels[i] = 1 + combine(levels[left[i]], levels[right[i]])
            return np.array(levels)
        while None in levels:
            for i in range(len(left)):
                if levels[i] is None and levels[left[i]] is not None and levels[right[i]] is not None:
                    levels[i] = 1 + combine(levels[left[i]], levels[right[i]])
        return np.array(levels)
    return answer


def depth_from_root(left, right):
    depth = np.zeros(len(left), dtype=int)
    root = (set(range(len(left))) - set(left.tolist()) - set(right.tolist())).pop()
    stack = [(root, 0)]
    while stack:
        node, d = stack.pop()
        depth[node] = d
        if left[node] >= 0:
            stack += [(left[node], d + 1), (right[node], d + 1)]
    return depth


def marks_leaves_in_place(left, right):
    levels = node_levels(left, right)
    left[left < 0] = 0
    return levels


def test_node_levels_right_answers_pass(capsys):
    from utils.recursive import node_levels as reference

    assert verdict(capsys, checks.check_node_levels, node_levels) == (True, "✅ node_levels: correct.")
    for answer in (recursive_levels, reference, _levels_by(max)):
        result, line = verdict(capsys, checks.check_node_levels, answer)
        assert result is True and line.startswith("✅"), line


@pytest.mark.parametrize("answer, text", [
    (lambda left, right: node_levels(left, right) + 1, "every level is 1 too high"),
    (_levels_by(max, leaf=1), "node 0 has level"),            # only the leaves' base is wrong: no single cause
    (_levels_by(min), "not min"),
    (_levels_by(lambda a, b: a), "Only the left child is used"),
    (_levels_by(lambda a, b: b), "Only the right child is used"),
    (_levels_by(lambda a, b: a + b), "not 1 + the sum of both"),
    (_levels_by(max, one_pass=True), "repeat the sweep until nothing changes"),
    (depth_from_root, "depth from the root"),
    (lambda left, right: node_levels(left, right).astype(float), "dtype float64: return an integer array"),
    (lambda left, right: node_levels(left, right) > 0, "node 0 has level True, expected 4"),
    (lambda left, right: node_levels(left, right).tolist(), "should be a NumPy array"),
    (lambda left, right: node_levels(left, right)[:-1], "expected (1,): one level per node"),
    (lambda left, right: np.array([str(v) for v in node_levels(left, right)]), "expected an integer array"),
    (lambda left, right: None, "is None"),
    (marks_leaves_in_place, "changed its input `left` in place"),
    (stub, "not implemented yet"),
])
def test_node_levels_wrong_answers_fail(capsys, answer, text):
    result, line = verdict(capsys, checks.check_node_levels, answer)
    assert result is False and line.startswith("❌") and text in line, line


def test_node_levels_cases_separate_every_variant():
    """Each wrong variant differs from the right levels, and from every other variant, on some case."""
    from utils.checks import ch02

    cases = ch02._level_cases()
    right = [ch02._levels(*case) for case in cases]
    outputs = [[variant(*case) for case in cases] for variant, _ in ch02._LEVEL_VARIANTS]
    for a, out in enumerate(outputs):
        assert any(not np.array_equal(o, r) for o, r in zip(out, right)), ch02._LEVEL_VARIANTS[a][1]
        for b in range(a):
            assert any(not np.array_equal(o, p) for o, p in zip(out, outputs[b]))
