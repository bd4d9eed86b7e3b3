"""Chapter 02 checks: the reference passes, and the catalogue of wrong answers is rejected."""

import numpy as np

from utils import checks


def stub(*_):
    raise NotImplementedError()


def test_rnn_step_check(capsys):
    from utils.rnn import simple_rnn_step

    assert checks.check_rnn_step(simple_rnn_step)
    assert not checks.check_rnn_step(lambda x, h, k, r, b: np.tanh(x @ k + b))
    assert "is h_prev used" in capsys.readouterr().out
    assert not checks.check_rnn_step(lambda x, h, k, r, b: x @ k + h @ r + b)  # forgot tanh
    assert not checks.check_rnn_step(stub)
    assert "not implemented yet" in capsys.readouterr().out


def test_rnn_forward_check(capsys):
    from utils.rnn import simple_rnn_forward

    def right(x, k, r, b, seq):
        return simple_rnn_forward(x, k, r, b, return_sequences=seq)

    assert checks.check_rnn_forward(right)
    assert not checks.check_rnn_forward(lambda x, k, r, b, seq: simple_rnn_forward(x, k, r, b, return_sequences=True))
    assert "shape" in capsys.readouterr().out


def test_spectral_radius_check(capsys):
    from utils.rnn import spectral_radius

    def right(U):
        rho = spectral_radius(U)
        return rho, "neither" if abs(rho - 1) < 1e-9 else "vanishes" if rho < 1 else "explodes"

    assert checks.check_spectral_radius(right)
    assert not checks.check_spectral_radius(lambda U: (float(np.abs(U).max()), "vanishes"))
    assert "largest |eigenvalue|" in capsys.readouterr().out
    assert not checks.check_spectral_radius(lambda U: spectral_radius(U))
    assert "tuple" in capsys.readouterr().out


def test_stacked_params_check(capsys):
    from utils.rnn import stacked_rnn_params

    assert checks.check_stacked_params(stacked_rnn_params)
    wrong = lambda d, units: sum(u * d + u * u + u for u in units)  # noqa: E731 - ignores the chaining
    assert not checks.check_stacked_params(wrong)
    assert "expected" in capsys.readouterr().out
