"""Checks for chapter 02: the RNN time step."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import Fail, call, compare_arrays, run


def _rnn_case(seed: int, batch: int = 3, steps: int = 5, features: int = 4, units: int = 6):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features))
    kernel = rng.normal(scale=0.5, size=(features, units))
    recurrent = rng.normal(scale=0.5, size=(units, units))
    bias = rng.normal(scale=0.1, size=units)
    return x, kernel, recurrent, bias


def check_rnn_step(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias)`` (Keras weight layout)."""
    from ..rnn import simple_rnn_step

    def body() -> None:
        for seed in (0, 1):
            x, kernel, recurrent, bias = _rnn_case(seed)
            h_prev = np.tanh(np.random.default_rng(seed + 10).normal(size=(x.shape[0], recurrent.shape[0])))
            got = call(fn, x[:, 0].copy(), h_prev.copy(), kernel, recurrent, bias)
            expected = simple_rnn_step(x[:, 0], h_prev, kernel, recurrent, bias)
            problem = compare_arrays(got, expected, "new state")
            if problem:
                zero_state = simple_rnn_step(x[:, 0], np.zeros_like(h_prev), kernel, recurrent, bias)
                if compare_arrays(got, zero_state, "") is None:
                    problem += " It equals the result for a zero state: is h_prev used?"
                raise Fail(problem)

    return run("rnn_step", body)


def check_rnn_forward(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``rnn_forward(x, kernel, recurrent_kernel, bias, return_sequences)``."""
    from ..rnn import simple_rnn_forward

    def body() -> None:
        for seed, seq in ((2, True), (3, False)):
            x, kernel, recurrent, bias = _rnn_case(seed)
            got = call(fn, x.copy(), kernel, recurrent, bias, seq)
            expected = simple_rnn_forward(x, kernel, recurrent, bias, return_sequences=seq)
            problem = compare_arrays(got, expected, f"output with return_sequences={seq}")
            if problem:
                raise Fail(problem)

    return run("rnn_forward", body)


def check_spectral_radius(fn: Callable[[np.ndarray], tuple[float, str]]) -> bool:
    """Check ``state_behaviour(U)`` -> (spectral radius, "vanishes" | "explodes" | "neither")."""
    from ..rnn import spectral_radius

    rng = np.random.default_rng(4)
    base = rng.normal(size=(8, 8))
    base /= spectral_radius(base)
    cases = [(0.5 * base, "vanishes"), (1.5 * base, "explodes"), (np.eye(4), "neither"),
             (np.array([[0.0, -2.0], [0.5, 0.0]]), "neither"), (np.diag([0.9, 1.2]), "explodes")]

    def body() -> None:
        for matrix, verdict in cases:
            got = call(fn, matrix.copy())
            if not (isinstance(got, tuple) and len(got) == 2):
                raise Fail(f"return a tuple (radius, verdict), got {got!r}.")
            radius, said = got
            problem = compare_arrays(radius, np.asarray(spectral_radius(matrix)), "spectral radius")
            if problem:
                raise Fail(problem + " (the largest |eigenvalue|, not the largest entry)")
            if said != verdict:
                raise Fail(f"for spectral radius {spectral_radius(matrix):.2f} you said {said!r}, expected {verdict!r}.")

    return run("state_behaviour", body)


def check_stacked_params(fn: Callable[[int, list[int]], int]) -> bool:
    """Check ``stacked_rnn_param_count(input_dim, units)`` against the formula."""
    from ..rnn import stacked_rnn_params

    def body() -> None:
        for input_dim, units in ((12, [32]), (12, [32, 16]), (1, [8, 8, 8]), (100, [64, 32])):
            got = call(fn, input_dim, list(units))
            expected = stacked_rnn_params(input_dim, units)
            if got != expected:
                one = stacked_rnn_params(input_dim, units[:1])
                hint = " Layer 2's input size is layer 1's units, not input_dim." if len(units) > 1 and got == one * len(units) else ""
                raise Fail(f"input_dim={input_dim}, units={units}: got {got}, expected {expected}.{hint}")

    return run("stacked_rnn_param_count", body)
