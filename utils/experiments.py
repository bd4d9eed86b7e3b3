"""Repeat an experiment over several random seeds and report mean ± spread (chapter 05).

One training run is one draw: another seed gives other initial weights, another shuffling
order and other dropout masks, and the validation error moves by a few hundredths of a degree.
A comparison between two models means something only when the difference between their mean
errors is larger than that seed-to-seed spread. ``repeat_over_seeds`` collects the runs,
``summarize_over_seeds`` and ``mean_std`` turn them into ``mean ± std`` and
``clearly_different`` says whether two sets of runs are farther apart than their spreads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ._validate import check_real, check_str
from .config import _check_bool, _check_int, _check_seed


def _check_seeds(seeds: object) -> tuple[int, ...]:
    """Return ``seeds`` as a tuple of ints; TypeError unless a list/tuple of integer seeds,
    ValueError if it is empty or repeats a seed."""
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Sequence):
        raise TypeError(f"seeds must be a list or tuple of integer seeds such as (0, 1, 2), got {seeds!r} "
                        f"({type(seeds).__name__}).")
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed, such as (0, 1, 2), got an empty sequence.")
    for seed in seeds:
        _check_seed("every seed in seeds", seed)
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must not repeat a seed (a repeated seed repeats the same run), got {list(seeds)}.")
    return tuple(int(seed) for seed in seeds)


def _values(name: str, values: object) -> np.ndarray:
    """``values`` (a non-empty sequence, Series or 1-D array of finite reals) as a float array."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray | pd.Series):
        raise TypeError(f"{name} must be a list, tuple, NumPy array or pandas Series of numbers, got {values!r} "
                        f"({type(values).__name__}).")
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one number per seed), got shape {values.shape}.")
    items = list(values.to_numpy()) if isinstance(values, pd.Series) else list(values)
    if not items:
        raise ValueError(f"{name} must hold at least one number, got an empty {type(values).__name__}.")
    return np.array([check_real(f"every value in {name}", item) for item in items], dtype=float)


def repeat_over_seeds(run: Callable[[int], Mapping[str, float]], seeds: Sequence[int],
                      set_seed: bool = True) -> pd.DataFrame:
    """Call ``run(seed)`` once per seed and return one row per seed.

    ``run`` builds, trains and evaluates a model and returns a mapping of measurement names
    to numbers, e.g. ``{"val MAE (°C)": 2.41, "epochs": 12}``; every call must return the same
    names. With ``set_seed`` (the default) :func:`utils.config.seed_everything` is called with
    the seed before each run, so weights, shuffling and dropout masks differ between seeds and
    are reproducible for each. Returns a DataFrame indexed by ``seed`` with one column per name.

    Raises:
        TypeError: ``run`` is not callable, ``seeds`` is not a list/tuple of ints, ``set_seed``
            is not a bool, or ``run`` returns something other than a mapping of str to numbers.
        ValueError: ``seeds`` is empty or repeats a seed, a returned number is NaN or infinite,
            or two runs return different names.
    """
    if not callable(run):
        raise TypeError(f"run must be a function taking a seed and returning a dict of numbers, got {run!r} "
                        f"({type(run).__name__}).")
    seed_list = _check_seeds(seeds)
    _check_bool("set_seed", set_seed)
    rows: list[dict[str, float]] = []
    for seed in seed_list:
        if set_seed:
            from .config import seed_everything

            seed_everything(seed)
        result = run(seed)
        if not isinstance(result, Mapping) or not result:
            raise TypeError(f"run({seed}) must return a non-empty dict of measurement names to numbers such as "
                            f"{{'val MAE (°C)': 2.41}}, got {result!r} ({type(result).__name__}).")
        row = {}
        for key, value in result.items():
            if not isinstance(key, str):
                raise TypeError(f"run({seed}) must return str keys (measurement names), got {key!r} "
                                f"({type(key).__name__}).")
            row[key] = check_real(f"run({seed})[{key!r}]", value)
        if rows and list(row) != list(rows[0]):
            raise ValueError(f"every run must return the same measurement names: run({seed_list[0]}) returned "
                             f"{list(rows[0])}, run({seed}) returned {list(row)}.")
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(seed_list, name="seed"))


def mean_std(values: Sequence[float] | np.ndarray | pd.Series, digits: int = 2) -> str:
    """Format values as ``"mean ± std"`` (sample std, ``ddof=1``), e.g. ``"2.41 ± 0.03"``.

    A single value has no spread: it is formatted alone, with ``" (1 seed)"`` after it.

    Raises:
        TypeError: ``values`` is not a sequence/array/Series of real numbers or ``digits`` is
            not an int.
        ValueError: ``values`` is empty or holds NaN/infinity, or ``digits`` is not in 0..10.
    """
    array = _values("values", values)
    _check_int("digits", digits, minimum=0, maximum=10)
    if len(array) == 1:
        return f"{array[0]:.{digits}f} (1 seed)"
    return f"{array.mean():.{digits}f} ± {array.std(ddof=1):.{digits}f}"


def summarize_over_seeds(runs: Mapping[str, pd.DataFrame], column: str, digits: int = 2) -> pd.DataFrame:
    """One row per experiment: the mean, std (``ddof=1``; NaN for one seed), number of seeds and
    the ``"mean ± std"`` text of ``column`` in each of ``runs`` (name → a DataFrame from
    :func:`repeat_over_seeds`), in the order of ``runs``.

    Raises:
        TypeError: ``runs`` is not a mapping of str to DataFrames, or ``column``/``digits`` has the
            wrong type.
        ValueError: ``runs`` is empty or a DataFrame has no column ``column`` or no rows.
    """
    if not isinstance(runs, Mapping):
        raise TypeError(f"runs must be a dict of experiment names to DataFrames from repeat_over_seeds, "
                        f"got {runs!r} ({type(runs).__name__}).")
    if not runs:
        raise ValueError("runs must hold at least one experiment, got an empty dict.")
    check_str("column", column, allow_empty=False)
    _check_int("digits", digits, minimum=0, maximum=10)
    rows = {}
    for name, frame in runs.items():
        if not isinstance(name, str):
            raise TypeError(f"runs must have str keys (experiment names), got {name!r} ({type(name).__name__}).")
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"runs[{name!r}] must be a DataFrame from repeat_over_seeds, got {type(frame).__name__}.")
        if column not in frame.columns:
            raise ValueError(f"runs[{name!r}] has no column {column!r}; its columns are {list(frame.columns)}.")
        values = _values(f"runs[{name!r}][{column!r}]", frame[column])
        rows[name] = {"mean": float(values.mean()),
                      "std": float(values.std(ddof=1)) if len(values) > 1 else float("nan"),
                      "seeds": len(values), "mean ± std": mean_std(values, digits)}
    return pd.DataFrame.from_dict(rows, orient="index")


def clearly_different(a: Sequence[float] | np.ndarray | pd.Series, b: Sequence[float] | np.ndarray | pd.Series,
                      ) -> bool:
    """True when the means of ``a`` and ``b`` differ by more than the sum of their sample
    standard deviations (``ddof=1``), i.e. by more than the seed-to-seed noise.

    This is a rule of thumb for a handful of seeds, not a significance test. With fewer than two
    values on either side there is no spread to compare with, and the answer is False: one run
    per model cannot show that a difference is more than noise.

    Raises:
        TypeError, ValueError: ``a`` or ``b`` is not a non-empty sequence of finite real numbers.
    """
    first, second = _values("a", a), _values("b", b)
    if len(first) < 2 or len(second) < 2:
        return False
    gap = abs(first.mean() - second.mean())
    return bool(gap > first.std(ddof=1) + second.std(ddof=1))


__all__ = ["clearly_different", "mean_std", "repeat_over_seeds", "summarize_over_seeds"]
