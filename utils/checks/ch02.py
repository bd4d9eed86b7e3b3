"""Checks for chapter 02: the RNN time step."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..i18n import _
from ._core import (
    Fail,
    Variant,
    _short,
    call,
    cause_over_variants,
    compare_arrays,
    expect_array,
    expect_float,
    expect_int,
    expect_two,
    function_name,
    keras_step,
    lazy_attributes,
    matches,
    run,
    with_cause,
)

# ----------------------------------------------------------------------------- helpers


def _array_problem(got: np.ndarray, expected: np.ndarray, what: str) -> str | None:
    """What is wrong with a float array answer (shape, values, then dtype), or None."""
    if got.shape != expected.shape:
        return _("the {what} has shape {got}, expected {expected}.").format(
            what=what, got=got.shape, expected=expected.shape)
    if got.dtype.kind not in "biuf":
        return _("the {what} has dtype {dtype}, expected a floating-point array.").format(what=what, dtype=got.dtype)
    problem = compare_arrays(got, expected, what)
    if problem:
        return problem
    if got.dtype.kind != "f":
        return _("the {what} has the right values but dtype {dtype}: return a floating-point array.").format(
            what=what, dtype=got.dtype)
    return None


def _expect_state(got: Any, what: str) -> np.ndarray:
    """``got`` as an ``np.ndarray`` (:func:`expect_array`), with a hint for a tuple such as a
    Keras cell's ``(output, [state])``: the exercise returns one array."""
    if isinstance(got, tuple):
        raise Fail(_("{what} should be one NumPy array (the states), got a tuple of {count}: return only the "
                     "states, not (output, state) as a Keras cell does.").format(what=what, count=len(got)))
    return expect_array(got, what)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _sizes(x: np.ndarray, units: int) -> str:
    """"batch 3, 4 features, 6 units" (", float32" added for a float32 case), for a ❌ line."""
    text = _("batch {batch}, {features} features, {units} units").format(
        batch=x.shape[0], features=x.shape[1], units=units)
    return text + (", float32" if x.dtype == np.float32 else "")


def _at(where: str, problem: str) -> str:
    """``problem`` preceded by the case it was found on, in parentheses."""
    return _("({where}) {problem}").format(where=where, problem=problem)


# ----------------------------------------------------------------------------- Exercise 1: rnn_step


def _step_cases() -> list[tuple[np.ndarray, ...]]:
    """(x_t, h_prev, kernel, recurrent_kernel, bias) with batch, features and units all
    different (so a transposed product shows), a non-symmetric recurrent kernel, a non-zero
    state, pre-activations large enough that tanh is far from linear, and one float32 case."""
    return [_float32_last(seed, _random_step(40 + seed, *dims)) for seed, dims in enumerate(_STEP_SIZES)]


#: (batch, features, units) of the step cases: all different, one batch of a single example
_STEP_SIZES = [(3, 4, 6), (5, 2, 3), (1, 7, 4), (4, 6, 5)]


def _random_step(seed: int, batch: int, features: int, units: int) -> tuple[np.ndarray, ...]:
    """(x_t, h_prev, kernel, recurrent_kernel, bias) drawn with ``seed``: a non-zero state
    (tanh of a wide normal), a non-symmetric recurrent kernel, pre-activations large enough that
    tanh is far from linear."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, features))
    h = np.tanh(rng.normal(scale=1.5, size=(batch, units)))
    kernel = rng.normal(scale=0.8, size=(features, units))
    recurrent = rng.normal(scale=0.8, size=(units, units))
    return x, h, kernel, recurrent, rng.normal(scale=0.5, size=units)


def _float32_last(index: int, case: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """The last case (index 3) in float32, the others as drawn (float64)."""
    return tuple(a.astype("float32") for a in case) if index == 3 else case


def _step(x: np.ndarray, h: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return np.tanh(x @ kernel + h @ recurrent + bias)


def _step_variants() -> list[Variant]:
    """The likely wrong time steps, with their causes in the current language."""
    return [
        (lambda x, h, k, r, b: np.tanh(x @ k + b), _("It equals the result for a zero state: is h_prev used?")),
        (lambda x, h, k, r, b: x @ k + h @ r + b, _("The tanh is missing: new_state = tanh(x_t @ kernel + h_prev @ "
                                                    "recurrent_kernel + bias).")),
        (lambda x, h, k, r, b: np.tanh(x @ k + h @ r), _("The bias is missing.")),
        (lambda x, h, k, r, b: _sigmoid(x @ k + h @ r + b), _("That is a sigmoid; a SimpleRNN uses tanh.")),
        (lambda x, h, k, r, b: np.maximum(x @ k + h @ r + b, 0), _("That is a ReLU; a SimpleRNN uses tanh.")),
        (lambda x, h, k, r, b: np.tanh(x @ k + h @ r.T + b),
         _("recurrent_kernel is used transposed: in Keras's layout it is Uᵀ already, so multiply h_prev @ "
           "recurrent_kernel.")),
        (lambda x, h, k, r, b: np.tanh(x @ k + b) + h @ r, _("Only the input part went through tanh: apply tanh to "
                                                             "the whole sum.")),
    ]


def check_rnn_step(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias)``: the new state, a float
    array of shape (batch, units), in Keras's weight layout."""
    name = function_name(fn, "rnn_step")
    cases = _step_cases()

    def body() -> None:
        results = [_expect_state(call(fn, *case, name=name), _("the result of {name}").format(name=name))
                   for case in cases]
        for case, got in zip(cases, results):
            x, kernel = case[0], case[2]
            problem = _array_problem(got, _step(*(a.astype("float64") for a in case)), _("new state"))
            if problem:
                raise Fail(with_cause(_at(_sizes(x, kernel.shape[1]), problem),
                                      cause_over_variants(results, cases, _step_variants())))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 2: rnn_forward


def _forward_cases() -> list[tuple[Any, ...]]:
    """(x, kernel, recurrent_kernel, bias, return_sequences): batch, steps, features and units
    all different (so a stack along the wrong axis shows), one sequence of a single step, one
    float32 case, each with return_sequences True and False."""
    cases: list[tuple[Any, ...]] = []
    for seed, (batch, steps, features, units) in enumerate([(3, 5, 4, 6), (2, 7, 3, 5), (4, 1, 2, 3), (6, 4, 5, 2)]):
        rng = np.random.default_rng(50 + seed)
        x = rng.normal(size=(batch, steps, features))
        kernel = rng.normal(scale=0.8, size=(features, units))
        recurrent = rng.normal(scale=0.8, size=(units, units))
        bias = rng.normal(scale=0.5, size=units)
        arrays = (x, kernel, recurrent, bias)
        if seed == 3:
            arrays = tuple(a.astype("float32") for a in arrays)
        cases += [(*arrays, True), (*arrays, False)]
    return cases


def _states(x: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray,
            carry: bool = True) -> np.ndarray:
    """Every state, (batch, steps, units), computed in float64; ``carry=False`` restarts each step from zeros."""
    x, kernel, recurrent, bias = (np.asarray(a, dtype="float64") for a in (x, kernel, recurrent, bias))
    h = np.zeros((x.shape[0], recurrent.shape[0]))
    out = []
    for t in range(x.shape[1]):
        h = _step(x[:, t], h if carry else np.zeros_like(h), kernel, recurrent, bias)
        out.append(h)
    return np.stack(out, axis=1) if out else np.zeros((x.shape[0], 0, h.shape[1]))


def _pick(states: np.ndarray, seq: bool) -> np.ndarray:
    """Every state if ``seq``, else the last one (zeros, the initial state, if there are no steps)."""
    if seq:
        return states
    return states[:, -1] if states.shape[1] else np.zeros((states.shape[0], states.shape[2]))


def _forward(x: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray, seq: bool) -> np.ndarray:
    return _pick(_states(x, kernel, recurrent, bias), seq)


def _with_initial(x: np.ndarray, k: np.ndarray, r: np.ndarray, b: np.ndarray, seq: bool) -> np.ndarray:
    return _pick(np.concatenate([np.zeros((x.shape[0], 1, r.shape[0])), _states(x, k, r, b)], axis=1), seq)


def _forward_variants() -> list[Variant]:
    """The likely wrong forward passes, with their causes in the current language."""
    return [
        (lambda x, k, r, b, seq: _forward(x, k, r, b, True), _("return_sequences=False must return only the last "
                                                               "state, shape (batch, units).")),
        (lambda x, k, r, b, seq: _forward(x, k, r, b, False), _("return_sequences=True must return every state, "
                                                                "shape (batch, timesteps, units).")),
        (lambda x, k, r, b, seq: _states(x, k, r, b).transpose(1, 0, 2) if seq else _forward(x, k, r, b, False),
         _("The states are stacked along axis 0 (time first): stack them along axis 1, np.stack(states, axis=1).")),
        (lambda x, k, r, b, seq: _forward(x, k, r, b, True) if seq else _states(x, k, r, b)[:, 0],
         _("That is the state after the first step; return_sequences=False returns the state after the last one.")),
        (lambda x, k, r, b, seq: _pick(_states(x, k, r, b, carry=False), seq),
         _("Every step started from a zero state: carry the new state into the next step.")),
        (lambda x, k, r, b, seq: np.repeat(_states(x, k, r, b)[:, -1:], x.shape[1], axis=1) if seq
         else _forward(x, k, r, b, False),
         _("Every time step holds the last state: the list holds one array that was overwritten at each step. "
           "Append a new array at every step (h = rnn_step(...) makes one), not an array you change in place.")),
        (_with_initial, _("The zero initial state is included: return one state per time step, the states after "
                          "each step.")),
        (lambda x, k, r, b, seq: _pick(_states(x[:, :-1], k, r, b), seq),
         _("The last time step is missing: loop over range(x.shape[1]), every step.")),
        (lambda x, k, r, b, seq: _pick(_states(x[:, ::-1], k, r, b), seq),
         _("The sequence was read backwards: start at time step 0.")),
    ]


def check_rnn_forward(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``rnn_forward(x, kernel, recurrent_kernel, bias, return_sequences)``: from a zero
    state, all states (batch, timesteps, units) or the last one (batch, units)."""
    name = function_name(fn, "rnn_forward")
    cases = _forward_cases()

    def body() -> None:
        results = [_expect_state(call(fn, *case, name=name), _("the result of {name}").format(name=name))
                   for case in cases]
        for case, got in zip(cases, results):
            x, kernel, seq = case[0], case[1], case[4]
            problem = _array_problem(got, _forward(*case), _("output with return_sequences={seq}").format(seq=seq))
            if problem:
                where = (_("x of shape {shape} = (batch, timesteps, features), {units} units").format(
                    shape=x.shape, units=kernel.shape[1]) + (", float32" if x.dtype == np.float32 else ""))
                raise Fail(with_cause(_at(where, problem), cause_over_variants(results, cases, _forward_variants())))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 3: stacked_rnn_param_count


def _layer(d: int, u: int) -> int:
    return u * d + u * u + u


def _chained(input_dim: int, units: Sequence[int], layer: Callable[[int, int], int]) -> int:
    total, d = 0, input_dim
    for u in units:
        total += layer(d, u)
        d = u
    return total


_STACKED_CASES: list[tuple[int, list[int]]] = [
    (12, [32]), (12, [32, 16]), (1, [8, 8, 8]), (100, [64, 32]), (7, [5, 9, 3]), (20, [4, 30, 6, 11]),
]

def _stacked_variants() -> list[Variant]:
    """The likely wrong parameter counts, with their causes in the current language."""
    return [
        (lambda d, units: sum(_layer(d, u) for u in units),
         _("Every layer's input size was taken as input_dim, but layer 2's input is layer 1's output: its units.")),
        (lambda d, units: _chained(d, units, lambda d_in, u: u * d_in + u * u),
         _("The biases are missing: units per layer.")),
        (lambda d, units: _chained(d, units, lambda d_in, u: u * d_in + u),
         _("The recurrent weights U are missing: units × units per layer.")),
        (lambda d, units: _chained(d, units, lambda d_in, u: u * d_in + d_in * d_in + u),
         _("The recurrent kernel is units × units (the state's size), not input × input.")),
        (lambda d, units: _layer(d, units[0]), _("Only the first layer is counted: add up every layer.")),
        (lambda d, units: _layer(units[-2] if len(units) > 1 else d, units[-1]),
         _("Only the last layer is counted: add up every layer.")),
        (lambda d, units: sum(_layer(units[i - 1], u) for i, u in enumerate(units)),
         _("Layer 1's input size came out as units[-1]: units[i - 1] wraps around for i = 0; layer 1 reads "
           "input_dim.")),
        (lambda d, units: 4 * _chained(d, units, _layer), _("That is the count for LSTM layers (4 gates); a SimpleRNN "
                                                            "has one W, U and b per layer.")),
    ]


def check_stacked_params(fn: Callable[[int, list[int]], int]) -> bool:
    """Check ``stacked_rnn_param_count(input_dim, units) -> int`` against the formula, layer
    by layer, each layer's input being the previous layer's units."""
    name = function_name(fn, "stacked_rnn_param_count")

    def body() -> None:
        cases = [(d, list(units)) for d, units in _STACKED_CASES]
        results = [expect_int(call(fn, d, units, name=name), _("the result of {name}").format(
            name=f"{name}({d}, {units})")) for d, units in cases]
        for (d, units), got in zip(cases, results):
            expected = _chained(d, units, _layer)
            if got != expected:
                problem = _("input_dim={d}, units={units}: got {got}, expected {expected}.").format(
                    d=d, units=units, got=_short(got, 40), expected=expected)
                raise Fail(with_cause(problem, cause_over_variants(results, cases, _stacked_variants())))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 4: state_behaviour

_VERDICTS = ("vanishes", "explodes", "neither")


def _rule(radius: float, tolerance: float = 1e-9) -> str:
    if abs(radius - 1.0) <= tolerance:
        return "neither"
    return "vanishes" if radius < 1 else "explodes"


def _strict(radius: float) -> str:
    """The verdict without a "neither"."""
    return "vanishes" if radius < 1 else "explodes"


def _radius_cases() -> list[tuple[np.ndarray, str]]:
    """(U, description) pairs: random, normal and non-normal, complex and negative dominant
    eigenvalues, exactly 1, within 1e-9 of 1, and just outside a loose tolerance."""
    from ..rnn import spectral_radius

    rng = np.random.default_rng(4)
    base = rng.normal(size=(8, 8))
    base /= spectral_radius(base)
    angle = 0.7
    rotation = 0.9461 * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    orthogonal = np.linalg.qr(rng.normal(size=(5, 5)))[0]
    small = rng.uniform(0.2, 0.6, size=(3, 3))
    small *= 1.0537 / spectral_radius(small)               # every entry below 1, radius 1.0537
    return [
        (0.5 * base, _("a random 8×8 U scaled to spectral radius {radius}").format(radius=0.5)),
        (1.5 * base, _("a random 8×8 U scaled to spectral radius {radius}").format(radius=1.5)),
        (np.eye(4), "U = np.eye(4)"),
        (np.array([[0.0, -2.0], [0.5, 0.0]]), _("U = [[0, -2], [0.5, 0]] (eigenvalues ±1j)")),
        (np.array([[0.5, 3.0], [0.0, 0.5]]), _("U = [[0.5, 3], [0, 0.5]] (both eigenvalues 0.5)")),
        (np.diag([-1.5, 0.8]), "U = diag(-1.5, 0.8)"),
        (rotation, _("a rotation scaled by 0.9461 (complex eigenvalues of modulus 0.9461)")),
        (small, _("a 3×3 U with every entry below 1 and spectral radius 1.0537")),
        (np.diag([1.0 + 1e-12, 0.3]), "U = diag(1 + 1e-12, 0.3)"),
        (np.diag([1.0 - 1e-6, 0.2]), "U = diag(1 - 1e-6, 0.2)"),
        (orthogonal, _("a random orthogonal 5×5 U (every |eigenvalue| is 1 up to rounding)")),
    ]


def _max_abs_eigenvalue(u: np.ndarray) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(u))))


def _radius_variants() -> list[Variant]:
    """The likely wrong spectral radii, with their causes in the current language."""
    return [
        (lambda u: float(np.max(np.abs(u))), _("That is the largest |entry| of U; the spectral radius is the largest "
                                               "|eigenvalue| (np.linalg.eigvals).")),
        (lambda u: float(np.linalg.norm(u, 2)), _("That is the largest singular value (the spectral norm); the "
                                                  "spectral radius is the largest |eigenvalue|, which can be much "
                                                  "smaller for a non-symmetric U.")),
        (lambda u: float(np.max(np.linalg.eigvals(u).real)), _("The absolute values are missing: an eigenvalue of "
                                                               "-1.5 or 0.9461·e^(0.7i) counts by its modulus, "
                                                               "np.abs(eigenvalues).")),
        (lambda u: float(np.max(np.abs(np.linalg.eigvalsh(u)))), _("np.linalg.eigvalsh is only for symmetric "
                                                                   "matrices; use np.linalg.eigvals.")),
        (lambda u: float(np.min(np.abs(np.linalg.eigvals(u)))), _("That is the smallest |eigenvalue|; the spectral "
                                                                  "radius is the largest.")),
    ]


def _verdict_variants() -> list[Variant]:
    """The likely wrong verdicts, with their causes in the current language."""
    neither = _("A radius of 1 (within 1e-9) is 'neither': the state neither shrinks nor grows.")
    return [
        (lambda u: {"vanishes": "explodes", "explodes": "vanishes"}.get(_rule(_max_abs_eigenvalue(u)), "neither"),
         _("The verdicts are swapped: a radius below 1 makes the state shrink, 'vanishes'.")),
        (lambda u: "neither" if _max_abs_eigenvalue(u) == 1 else _strict(_max_abs_eigenvalue(u)),
         _("A radius computed as 1 + 1e-12 or 1 − 1e-16 is 1 up to rounding: compare with abs(radius - 1) <= 1e-9, "
           "not radius == 1.")),
        (lambda u: "neither" if np.isclose(_max_abs_eigenvalue(u), 1) else _strict(_max_abs_eigenvalue(u)),
         _("np.isclose's default tolerance (about 1e-5) is too loose: the exercise says 'neither' only within 1e-9 "
           "of 1.")),
        (lambda u: "neither" if round(_max_abs_eigenvalue(u), 2) == 1 else _strict(_max_abs_eigenvalue(u)),
         _("Rounding the radius is too loose: the exercise says 'neither' only within 1e-9 of 1.")),
        (lambda u: _strict(_max_abs_eigenvalue(u)), neither),
        (lambda u: "vanishes" if _max_abs_eigenvalue(u) <= 1 else "explodes", neither),
    ]


def _expect_pair(got: Any, name: str) -> tuple[float, str]:
    """``got`` as ``(radius, verdict)``; :class:`Fail` unless it is a tuple of a real number and
    one of the three verdicts."""
    radius, verdict = expect_two(got, name, "radius", "verdict")
    if isinstance(radius, str) and not isinstance(verdict, str):
        raise Fail(_("{name} returned {value}: the order is swapped, return (radius, verdict).").format(
            name=name, value=_short(got, 60)))
    if isinstance(radius, (complex, np.complexfloating)):
        raise Fail(_("the radius should be a float, got the complex number {radius}: the spectral radius is the "
                     "largest *absolute* eigenvalue, np.abs(...) of the eigenvalues.").format(radius=radius))
    value = expect_float(radius, _("the radius (first value of the tuple)"))
    if not isinstance(verdict, str) or verdict not in _VERDICTS:
        raise Fail(_("the verdict (second value of the tuple) should be one of {verdicts}, got {value}.").format(
            verdicts=", ".join(map(repr, _VERDICTS)), value=_short(verdict, 40)))
    return value, verdict


def check_spectral_radius(fn: Callable[[np.ndarray], tuple[float, str]]) -> bool:
    """Check ``state_behaviour(U) -> (radius, verdict)``: the spectral radius (a float) and
    ``"vanishes"`` below 1, ``"explodes"`` above 1, ``"neither"`` within 1e-9 of 1."""
    name = function_name(fn, "state_behaviour")

    def body() -> None:
        described = _radius_cases()
        cases = [(u,) for u, _ in described]
        pairs = [_expect_pair(call(fn, u, name=name), name) for (u,) in cases]
        radii, verdicts = [r for r, _ in pairs], [v for _, v in pairs]
        for (u, what), radius in zip(described, radii):
            expected = _max_abs_eigenvalue(u)
            if abs(radius - expected) > 1e-8 * max(1.0, expected):
                problem = _("for {what}, the spectral radius is {expected}; you returned {radius}.").format(
                    what=what, expected=f"{expected:.6g}", radius=f"{radius:.6g}")
                raise Fail(with_cause(problem, cause_over_variants(radii, cases, _radius_variants())))
        for (u, what), verdict in zip(described, verdicts):
            expected_radius = _max_abs_eigenvalue(u)
            expected = _rule(expected_radius)
            if verdict != expected:
                digits = ".15g" if abs(expected_radius - 1) < 1e-6 else ".6g"
                problem = _("for {what} (spectral radius {radius}) you said {verdict}, expected {expected}.").format(
                    what=what, radius=f"{expected_radius:{digits}}", verdict=repr(verdict), expected=repr(expected))
                raise Fail(with_cause(problem, cause_over_variants(verdicts, cases, _verdict_variants())))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 4: rnn_step_backward

_GRADIENT_NAMES = ("dx_t", "dh_prev", "dkernel", "drecurrent_kernel", "dbias")


def _backward_cases() -> list[tuple[np.ndarray, ...]]:
    """(dh, h, h_prev, x_t, kernel, recurrent_kernel): batch, features and units all different
    (a product in the wrong order or a missing transpose shows as a shape), h = tanh(…) of the
    step so that |h| is far from 0 (tanh' matters), a non-symmetric recurrent kernel, one
    float32 case, and one case with a single example in the batch."""
    cases = []
    for index, (batch, features, units) in enumerate(_STEP_SIZES):
        x, h_prev, kernel, recurrent, bias = _random_step(70 + index, batch, features, units)
        h = np.tanh(x @ kernel + h_prev @ recurrent + bias)
        dh = np.random.default_rng(80 + index).normal(size=(batch, units))
        cases.append(_float32_last(index, (dh, h, h_prev, x, kernel, recurrent)))
    return cases


def _backward(dh: np.ndarray, h: np.ndarray, h_prev: np.ndarray, x: np.ndarray, kernel: np.ndarray,
              recurrent: np.ndarray, da: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """The right gradients (float64); ``da`` replaces dh * (1 - h²) for the variants."""
    dh, h, h_prev, x, kernel, recurrent = (np.asarray(a, dtype="float64") for a in (dh, h, h_prev, x, kernel, recurrent))
    da = dh * (1 - h * h) if da is None else da
    return da @ kernel.T, da @ recurrent.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def _replace(grads: tuple[np.ndarray, ...], index: int, value: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(value if i == index else g for i, g in enumerate(grads))


def _da(dh: np.ndarray, h: np.ndarray) -> np.ndarray:
    return dh * (1 - h * h)


def _backward_variants() -> list[Variant]:
    """The likely wrong gradients, with their causes in the current language."""
    return [
        (lambda dh, h, hp, x, k, r: _backward(dh, h, hp, x, k, r, da=dh),
         _("The tanh derivative is missing: first da = dh * (1 - h**2), then every gradient from da.")),
        (lambda dh, h, hp, x, k, r: _backward(dh, h, hp, x, k, r, da=dh * (1 - hp * hp)),
         _("tanh'(a_t) = 1 - h_t**2 uses this step's output h, not h_prev.")),
        (lambda dh, h, hp, x, k, r: _backward(dh, h, hp, x, k, r, da=dh * (1 - np.tanh(h) ** 2)),
         _("h is already tanh(a_t), so tanh'(a_t) = 1 - h**2; 1 - np.tanh(h)**2 applies tanh twice.")),
        (lambda dh, h, hp, x, k, r: _backward(dh, h, hp, x, k, r, da=dh * (1 - h)),
         _("tanh'(a_t) is 1 - h**2 (squared), not 1 - h.")),
        (lambda dh, h, hp, x, k, r: _backward(dh, h, hp, x, k, r, da=dh * h * (1 - h)),
         _("h * (1 - h) is the sigmoid's derivative; for tanh it is 1 - h**2.")),
        (lambda dh, h, hp, x, k, r: _replace(_backward(dh, h, hp, x, k, r), 3, h.T @ _da(dh, h)),
         _("drecurrent_kernel pairs da with h_prev, the state that was multiplied by recurrent_kernel, not with h.")),
        (lambda dh, h, hp, x, k, r: _replace(_backward(dh, h, hp, x, k, r), 4, _da(dh, h).mean(axis=0)),
         _("dbias is averaged over the batch: sum it, da.sum(axis=0), as the matrix products sum the weights' "
           "gradients.")),
        (lambda dh, h, hp, x, k, r: _replace(_backward(dh, h, hp, x, k, r), 4, _da(dh, h)),
         _("dbias keeps one row per example: the bias is shared by the batch, so sum da over axis 0.")),
        (lambda dh, h, hp, x, k, r: _replace(_backward(dh, h, hp, x, k, r), 1, _da(dh, h) @ r),
         _("dh_prev needs recurrent_kernel transposed: da @ recurrent_kernel.T.")),
        (lambda dh, h, hp, x, k, r: _replace(_backward(dh, h, hp, x, k, r), 1, dh @ r.T),
         _("dh_prev skips the tanh derivative: it is da @ recurrent_kernel.T with da = dh * (1 - h**2).")),
        (lambda dh, h, hp, x, k, r: _replace(_backward(dh, h, hp, x, k, r), 1, _da(dh, h) @ r.T + dh),
         _("dh_prev has dh added: the only path from h_prev to the loss through this step is via a_t, so dh_prev = "
           "da @ recurrent_kernel.T (the gradient from the loss at step t-1 is added by the loop, not here).")),
        (lambda dh, h, hp, x, k, r: _replace(_backward(dh, h, hp, x, k, r), 2, x.T @ dh),
         _("dkernel skips the tanh derivative: x_t.T @ da with da = dh * (1 - h**2).")),
    ]


def _expect_gradients(got: Any, name: str) -> tuple[np.ndarray, ...]:
    """``got`` as a tuple of five NumPy arrays; :class:`Fail` otherwise."""
    if got is None:
        raise Fail(_("{name} returned None: did you forget `return dx_t, dh_prev, dkernel, drecurrent_kernel, "
                     "dbias`?").format(name=name))
    if not isinstance(got, (tuple, list)) or len(got) != 5:
        size = _(" of {count} values").format(count=len(got)) if isinstance(got, (tuple, list)) else ""
        raise Fail(_("{name} should return a tuple of five arrays (dx_t, dh_prev, dkernel, drecurrent_kernel, dbias), "
                     "got {kind}.").format(name=name, kind=type(got).__name__ + size))
    return tuple(expect_array(g, _("{gradient} (value {position} of the tuple)").format(
        gradient=_GRADIENT_NAMES[i], position=i + 1)) for i, g in enumerate(got))


def _order_problem(got: tuple[np.ndarray, ...], expected: tuple[np.ndarray, ...]) -> str | None:
    """If the five answers are the right gradients in another order, say which went where."""
    places = []
    for g in got:
        found = [i for i, e in enumerate(expected) if matches(g, e, atol=1e-5)]
        if len(found) != 1:
            return None
        places.append(found[0])
    if sorted(places) != list(range(5)) or places == list(range(5)):
        return None
    moved = _(", ").join(_("value {position} is {gradient}").format(position=i + 1, gradient=_GRADIENT_NAMES[p])
                         for i, p in enumerate(places) if p != i)
    return _("the gradients are right but in the wrong order ({moved}): return (dx_t, dh_prev, dkernel, "
             "drecurrent_kernel, dbias).").format(moved=moved)


def check_rnn_step_backward(fn: Callable[..., tuple[np.ndarray, ...]]) -> bool:
    """Check ``rnn_step_backward(dh, h, h_prev, x_t, kernel, recurrent_kernel)`` → ``(dx_t, dh_prev,
    dkernel, drecurrent_kernel, dbias)``: one step of backpropagation through a SimpleRNN step
    ``h = tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)``, given ``dh`` = ∂L/∂h."""
    name = function_name(fn, "rnn_step_backward")
    cases = _backward_cases()

    def body() -> None:
        results = [_expect_gradients(call(fn, *case, name=name), name) for case in cases]
        for case, got in zip(cases, results):
            expected = _backward(*case)
            order = _order_problem(got, expected)
            if order:
                raise Fail(order)
            for what, g, e in zip(_GRADIENT_NAMES, got, expected):
                problem = _array_problem(g, e, what)
                if problem:
                    dh, x = case[0], case[3]
                    raise Fail(with_cause(_at(_sizes(x, dh.shape[1]), problem),
                                          cause_over_variants(results, cases, _backward_variants())))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 6: gradient_settings

#: the set-up the exercise statement describes: a SimpleRNN of 32 units on 50 steps of section 4's
#: noisy sine waves; the reach measured for three initialisations; SGD at a fixed learning rate
_REACH_STEPS, _REACH_UNITS, _REACH_SEEDS = 50, 32, (0, 1, 2)
_REACH_LOW, _REACH_HIGH = 0.1, 10.0
_SETTINGS_LR, _SETTINGS_EPOCHS, _SETTINGS_BATCH = 0.3, 5, 32


def _sine_waves(n: int, seed: int, steps: int = _REACH_STEPS) -> tuple[np.ndarray, np.ndarray]:
    """The notebook's ``sine_waves(n, seed)`` (section 4: 400 steps, a random frequency and phase
    per wave, noise 0.1) cut to its first ``steps`` steps: (inputs, next values), float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(400 + 1)
    freq, phase = rng.uniform(0.02, 0.1, (n, 1)), rng.uniform(0, 2 * np.pi, (n, 1))
    s = np.sin(2 * np.pi * freq * t + phase) + 0.1 * rng.normal(size=(n, 400 + 1))
    return s[:, :steps, None].astype("float32"), s[:, 1:steps + 1, None].astype("float32")


def _settings_data() -> tuple[np.ndarray, ...]:
    """(x, y) of the 256 training waves (seed 3, as in section 5c) and (x, y) of 64 other waves
    (seed 4), on which the reach is measured too and the trained model is validated."""
    return (*_sine_waves(256, seed=3), *_sine_waves(64, seed=4))


def _naive_mse(x: np.ndarray, y: np.ndarray) -> float:
    """The MSE of the naive forecast "next value = this value"."""
    return float(np.mean((y.astype("float64") - x.astype("float64")) ** 2))


def _expect_settings(got: Any, name: str) -> tuple[float, float | None]:
    """``got`` as ``(gain, clipnorm)``: a positive float and a positive float or None."""
    got = expect_two(got, f"{name}()", "gain", "clipnorm")
    gain = expect_float(got[0], _("the gain (first value of the tuple)"))
    if gain <= 0:
        raise Fail(_("the gain is {gain}: it scales an orthogonal matrix, whose spectral radius is then |gain|; give a "
                     "positive number.").format(gain=f"{gain:g}"))
    if got[1] is None:
        return gain, None
    clipnorm = expect_float(got[1], _("clipnorm (second value of the tuple)"))
    if clipnorm <= 0:
        raise Fail(_("clipnorm is {clipnorm}: it is the largest gradient norm let through, a positive number (or None "
                     "for no clipping).").format(clipnorm=f"{clipnorm:g}"))
    return gain, clipnorm


def _reach_problem(gain: float, ratios: list[float]) -> str | None:
    """What is wrong with the reach measured for the three seeds, or None."""
    listed = ", ".join(f"{r:.3g}" for r in ratios)
    if any(np.isnan(r) for r in ratios):
        return with_cause(
            _("With gain {gain} the gradient is not even a number: computing it gave NaN (seeds 0, 1, 2: "
              "{ratios}).").format(gain=f"{gain:g}", ratios=listed),
            _("A spectral radius of {gain} is far beyond what float32 arithmetic handles: bring the gain close to "
              "1.").format(gain=f"{gain:g}"))
    if any(r > _REACH_HIGH for r in ratios):
        return with_cause(
            _("With gain {gain} the gradient explodes: at step 1 it is up to {ratio} times the gradient at step 50 "
              "(seeds 0, 1, 2: {ratios}), more than 10.").format(gain=f"{gain:g}", ratio=f"{max(ratios):.3g}",
                                                              ratios=listed),
            _("Orthogonal(gain={gain}) has spectral radius {gain}, and every step back can multiply the gradient by up "
              "to {gain}: bring the gain closer to 1.").format(gain=f"{gain:g}"))
    if any(r < _REACH_LOW for r in ratios):
        if gain <= 1:
            cause = _("A spectral radius of {gain} is not enough: besides U, every step back multiplies the gradient by "
                      "tanh′ = 1 − h² ≤ 1, so the radius must be somewhat above 1 to make up for it.")
        elif gain < 1.5:  # between 1.5 and 10 the gradient explodes (measured); beyond, the states saturate
            cause = _("Raise the gain a little: tanh′ = 1 − h² < 1 still shrinks the gradient at every step more than a "
                      "spectral radius of {gain} makes up for.")
        else:
            cause = _("A gain of {gain} saturates the states: |h| is close to 1, so tanh′ = 1 − h² is close to 0 and "
                      "the gradient dies at every step back. Bring the gain down, close to 1.")
        return with_cause(
            _("With gain {gain} the gradient vanishes: at step 1 it is down to {ratio} of the gradient at step 50 "
              "(seeds 0, 1, 2: {ratios}), less than 0.1.").format(gain=f"{gain:g}", ratio=f"{min(ratios):.3g}",
                                                               ratios=listed),
            cause.format(gain=f"{gain:g}"))
    return None


def _train_settings(gain: float, clipnorm: float | None) -> tuple[list[float], float]:
    """Train the exercise's model (seed 0) with SGD at the fixed learning rate and ``clipnorm``:
    (training loss of every epoch, validation MSE)."""
    import keras

    x, y, val_x, val_y = _settings_data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((_REACH_STEPS, 1)),
        keras.layers.SimpleRNN(_REACH_UNITS, recurrent_initializer=keras.initializers.Orthogonal(gain=gain),
                               return_sequences=True),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=_SETTINGS_LR, clipnorm=clipnorm), loss="mse")
    with np.errstate(all="ignore"):
        history = model.fit(x, y, epochs=_SETTINGS_EPOCHS, batch_size=_SETTINGS_BATCH, verbose=0)
        mse = model.evaluate(val_x, val_y, verbose=0)
    return [float(v) for v in history.history["loss"]], float(mse)


def _training_problem(clipnorm: float | None, losses: list[float], mse: float, naive: float,
                      reach_ok: bool) -> str | None:
    """What went wrong in training, with the cause the loss curve shows, or None. Training must
    keep a finite loss, never rise above its first epoch's loss, and end better than the naive
    forecast. Short of divergence, clipnorm is blamed only for a gain that passed the reach test:
    a gain outside the band (exploding or saturated states) spoils training by itself."""
    curve = ", ".join(f"{v:.3g}" for v in losses)
    step = f"{_SETTINGS_LR * clipnorm:.3g}" if clipnorm is not None else ""
    too_loose = (_("Without clipping, one large gradient times the learning rate throws the weights far off, and "
                   "the next gradients are larger still: set a clipnorm.") if clipnorm is None else
                 _("clipnorm={clipnorm} clips too little: it lets through gradients of norm up to {clipnorm}, "
                   "updates of up to {step} per weight matrix at this learning rate: lower it.").format(
                       clipnorm=f"{clipnorm:g}", step=step))
    gain_first = _("A gain whose gradient explodes or vanishes also trains badly: fix the gain first, then judge "
                   "clipnorm.")
    bad = [i for i, v in enumerate(losses) if not np.isfinite(v)]
    if bad or not np.isfinite(mse):
        epoch = bad[0] + 1 if bad else len(losses)
        return with_cause(_("Training diverged: with SGD at learning rate {lr} the training loss per epoch was "
                            "{losses}, not a number from epoch {epoch} on.").format(
                                lr=_SETTINGS_LR, losses=curve, epoch=epoch), too_loose)
    if max(losses[1:], default=losses[0]) > losses[0]:
        return with_cause(_("Training is unstable: the training loss per epoch was {losses}, higher after the first "
                            "epoch than in it.").format(losses=curve), too_loose if reach_ok else gain_first)
    if mse <= naive:
        return None
    worse = _("the validation MSE after {epochs} epochs, {mse}, is worse than the naive forecast “next value = this "
              "value” ({naive})").format(epochs=len(losses), mse=f"{mse:.3g}", naive=f"{naive:.3g}")
    if any(b > a for a, b in itertools.pairwise(losses)):
        return with_cause(_("Training is unstable: the training loss per epoch was {losses}, and {worse}.").format(
            losses=curve, worse=worse), too_loose if reach_ok else gain_first)
    slow = _("Training is too slow: the training loss fell at every epoch ({losses}), but {worse}.").format(
        losses=curve, worse=worse)
    if not reach_ok:
        return with_cause(slow, gain_first)
    if clipnorm is not None:
        return with_cause(slow, _("clipnorm={clipnorm} clips too hard: no update moves a weight matrix by more than "
                                  "learning rate × clipnorm = {step}: raise it.").format(
                                      clipnorm=f"{clipnorm:g}", step=step))
    return slow


def check_gradient_settings(settings: Callable[[], tuple[float, float | None]]) -> bool:
    """Check ``gradient_settings() -> (gain, clipnorm)`` (exercise 6) by measuring them: a
    ``SimpleRNN(32)`` with ``recurrent_initializer=Orthogonal(gain)`` must pass the gradient of
    its last output back over 50 steps of sine waves within a factor 10 (0.1 ≤ ‖∂L/∂x_1‖ /
    ‖∂L/∂x_50‖ ≤ 10, for seeds 0, 1 and 2), and, trained for 5 epochs with SGD at learning rate
    0.3 and ``clipnorm`` (None: no clipping), it must keep a finite loss and beat the naive
    forecast "next value = this value" on 64 validation waves, its training loss never above the
    first epoch's. Both parts are named when both fail."""
    from ..bptt import orthogonal_reach

    name = function_name(settings, "gradient_settings")
    found: dict[str, Any] = {}

    def body() -> None:
        if isinstance(settings, tuple):
            raise Fail(_("pass the function {name} itself, not the tuple it returns: no parentheses after its "
                         "name.").format(name=name))
        gain, clipnorm = _expect_settings(call(settings, name=name), name)
        val_x, val_y = _settings_data()[2:]
        naive = _naive_mse(val_x, val_y)
        ratios = keras_step(_("measuring the gradient's reach"), lambda: [
            float(orthogonal_reach(gain, val_x, seed, _REACH_UNITS)[0]) for seed in _REACH_SEEDS])
        losses, mse = keras_step(_("training the model"), lambda: _train_settings(gain, clipnorm))
        reach = _reach_problem(gain, ratios)
        training = _training_problem(clipnorm, losses, mse, naive, reach is None)
        if reach or training:
            raise Fail(_("{name}() returned gain {gain}, clipnorm {clipnorm}. {problems}").format(
                name=name, gain=f"{gain:g}", clipnorm="None" if clipnorm is None else f"{clipnorm:g}",
                problems=with_cause(reach, training) if reach else training))
        found.update(ratios=", ".join(f"{r:.3g}" for r in ratios), mse=f"{mse:.3g}", naive=f"{naive:.3g}")

    ok = run(name, body)
    if ok:
        print("   " + _("gradient at step 1 / at step 50: {ratios} (seeds 0, 1, 2; asked: 0.1 to 10); validation MSE "
                        "{mse} (naive forecast {naive})").format(**found))
    return ok


# ----------------------------------------------------------------------------- Exercise 7: node_levels


def _tree_case(parents_first: list[tuple[int, int]], order: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) int arrays of a tree given as (left, right) pairs in some order, renumbered so
    that node ``order[k]`` of the given list becomes node ``k``."""
    where = {old: new for new, old in enumerate(order)}
    left = np.array([where[parents_first[old][0]] if parents_first[old][0] >= 0 else -1 for old in order], dtype="int64")
    right = np.array([where[parents_first[old][1]] if parents_first[old][1] >= 0 else -1 for old in order], dtype="int64")
    return left, right


def _level_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """(left, right) of one tree each: a single leaf; a tree whose left subtree is deeper at one
    node and whose right subtree is deeper at another (so min, max, left-only and right-only
    differ) with the root first and parents before children; a chain; the same tree in
    post-order; and one in a shuffled order (an index-order sweep gets it wrong). int32 in one."""
    # root 0 = (1, 2); 1 = (3, 4); 2 = (5, 6); 4 = (7, 8); 6 = (9, 10); 10 = (11, 12); leaves 3, 5, 7, 8, 9, 11, 12
    lopsided = [(1, 2), (3, 4), (5, 6), (-1, -1), (7, 8), (-1, -1), (9, 10), (-1, -1), (-1, -1), (-1, -1),
                (11, 12), (-1, -1), (-1, -1)]
    chain = [(1, 2), (3, 4), (-1, -1), (5, 6), (-1, -1), (-1, -1), (-1, -1)]   # depth 3 on the left
    post = [3, 7, 8, 4, 1, 5, 9, 11, 12, 10, 6, 2, 0]
    shuffled = [5, 0, 11, 8, 2, 12, 4, 9, 1, 3, 10, 7, 6]
    cases = [(np.array([-1]), np.array([-1])),
             _tree_case(lopsided, range(13)),
             _tree_case(chain, range(7)),
             _tree_case(lopsided, post),
             _tree_case(lopsided, shuffled)]
    left, right = cases[2]
    cases[2] = (left.astype("int32"), right.astype("int32"))
    return cases


def _levels(left: np.ndarray, right: np.ndarray, combine: Callable[[int, int], int] = max, leaf: int = 0,
            one_pass: bool = False) -> np.ndarray:
    """Levels by repeated sweeps (or one sweep in index order when ``one_pass``), a parent's
    level being 1 + ``combine`` of its children's, a leaf's ``leaf``."""
    n = len(left)
    levels = [leaf if left[i] < 0 else (0 if one_pass else None) for i in range(n)]
    for _sweep in range(1 if one_pass else n):
        for i in range(n):
            if left[i] >= 0 and (one_pass or (levels[left[i]] is not None and levels[right[i]] is not None)):
                levels[i] = 1 + combine(levels[left[i]], levels[right[i]])
    return np.array(levels, dtype="int64")


def _depths(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Each node's distance from the root (the node that is nobody's child)."""
    n = len(left)
    children = set(int(c) for c in left if c >= 0) | set(int(c) for c in right if c >= 0)
    depth = np.zeros(n, dtype="int64")
    stack = [(r, 0) for r in range(n) if r not in children]
    while stack:
        node, d = stack.pop()
        depth[node] = d
        if left[node] >= 0:
            stack += [(int(left[node]), d + 1), (int(right[node]), d + 1)]
    return depth


def _level_variants() -> list[Variant]:
    """The likely wrong node levels, with their causes in the current language."""
    return [
        (lambda left, right: _levels(left, right) + 1,
         _("Leaves have level 0 here (they need no composition), so every level is 1 too high.")),
        (lambda left, right: _levels(left, right, combine=min),
         _("A parent must wait for its *later* child: use 1 + max(children's levels), not min.")),
        (lambda left, right: _levels(left, right, combine=lambda a, b: a),
         _("Only the left child is used: a parent's level is 1 + the larger of both children's levels.")),
        (lambda left, right: _levels(left, right, combine=lambda a, b: b),
         _("Only the right child is used: a parent's level is 1 + the larger of both children's levels.")),
        (lambda left, right: _levels(left, right, combine=lambda a, b: a + b),
         _("A parent's level is 1 + the larger child's level, not 1 + the sum of both.")),
        (lambda left, right: _levels(left, right, one_pass=True),
         _("One sweep in index order works only when children come before their parents: nodes may be in any "
           "order, so repeat the sweep until nothing changes (or recurse from each node to its children).")),
        (_depths, _("That is each node's depth from the root; the level counts up from the leaves (leaves 0).")),
    ]


_VARIANT_LISTS: dict[str, Callable[[], list[Variant]]] = {
    "_STEP_VARIANTS": _step_variants, "_FORWARD_VARIANTS": _forward_variants, "_STACKED_VARIANTS": _stacked_variants,
    "_RADIUS_VARIANTS": _radius_variants, "_VERDICT_VARIANTS": _verdict_variants,
    "_BACKWARD_VARIANTS": _backward_variants, "_LEVEL_VARIANTS": _level_variants,
}


__getattr__ = lazy_attributes(__name__, _VARIANT_LISTS)


def check_node_levels(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``node_levels(left, right)`` → an int array with the level of every node of one
    binary tree: 0 for a leaf (``left[i] == right[i] == -1``), else 1 + the larger level of its
    two children ``left[i]`` and ``right[i]``; nodes in any order."""
    name = function_name(fn, "node_levels")
    cases = _level_cases()

    def body() -> None:
        results = [expect_array(call(fn, *case, name=name), _("the result of {name}").format(name=name))
                   for case in cases]
        for case, got in zip(cases, results):
            expected = _levels(*case)
            left = case[0]
            where = (_("(a tree of {count} nodes, left = {left})") if len(left) > 1 else
                     _("(a tree of {count} node, left = {left})")).format(count=len(left), left=left.tolist())
            if got.shape != expected.shape:
                raise Fail(_("{where} the levels have shape {got}, expected {expected}: one level per node.").format(
                    where=where, got=got.shape, expected=expected.shape))
            if got.dtype.kind not in "biuf":
                raise Fail(_("the levels have dtype {dtype}, expected an integer array.").format(dtype=got.dtype))
            if not matches(got, expected):
                bad = int(np.argmax(~np.isclose(np.asarray(got, dtype="float64"), expected)))
                problem = _("{where} node {node} has level {got}, expected {expected}.").format(
                    where=where, node=bad, got=_short(got[bad].item()), expected=expected[bad])
                raise Fail(with_cause(problem, cause_over_variants(results, cases, _level_variants())))
        for got in results:  # the values first: a bool array can be right on a one-leaf tree only
            if got.dtype.kind not in "iu":
                raise Fail(_("the levels are right but have dtype {dtype}: return an integer array "
                             "(they are used as indices and compared with ==).").format(dtype=got.dtype))

    return run(name, body)
