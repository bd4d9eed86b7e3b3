"""Cheap argument checks for arrays and numbers, shared by the NumPy/Keras helpers.

Every function raises ``TypeError`` for a wrong type and ``ValueError`` for a wrong value,
with a message naming the argument, what was expected and what was received. Array checks
compare only dtypes and shapes (``np.asarray`` does not copy an array), so they are cheap
enough for functions called once per time step.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection
from typing import Any

import numpy as np

#: dtype kinds accepted as "numbers": signed and unsigned integers and floats (no bool, no complex).
NUMERIC = "iuf"
#: dtype kinds accepted as "integer ids".
INTEGER = "iu"
_KIND_WORDS = {NUMERIC: "numbers (an integer or float dtype)", INTEGER: "integers (an integer dtype)", "f": "floats",
               "biuf": "booleans or numbers"}


def as_array(name: str, value: Any, ndim: int | tuple[int, ...] | None = None, layout: str = "",
             kinds: str = NUMERIC) -> np.ndarray:
    """Return ``value`` as an ndarray (no copy if it is one) after checking its dtype and rank.

    Args:
        name: the argument's name, for the message.
        value: an array or anything ``np.asarray`` accepts.
        ndim: the allowed number(s) of dimensions, or None for any.
        layout: how the shape is described in messages, e.g. ``"(batch, units)"``.
        kinds: the allowed dtype kinds (:data:`NUMERIC`, :data:`INTEGER`, ``"f"``).

    Raises:
        TypeError: if the value is not an array of the allowed kind (or not rectangular).
        ValueError: if it has another number of dimensions.
    """
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise TypeError(f"{name} must be a rectangular array of {_KIND_WORDS.get(kinds, 'numbers')}, got a "
                        f"{type(value).__name__} that NumPy cannot turn into one (rows of different lengths?)."
                        ) from None
    if array.dtype.kind not in kinds:
        raise TypeError(f"{name} must be an array of {_KIND_WORDS.get(kinds, 'numbers')}, got dtype "
                        f"{array.dtype} ({type(value).__name__}).")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if array.ndim not in allowed:
            ranks = " or ".join(f"{d}-D" for d in allowed)
            described = f" {layout}" if layout else ""
            raise ValueError(f"{name} must be a {ranks} array{described}, got shape {array.shape}.")
    return array


def check_shape(name: str, array: np.ndarray, expected: tuple[int, ...], layout: str, hint: str = "") -> None:
    """Raise ValueError unless ``array.shape == expected``; ``layout`` names the dimensions."""
    if array.shape != expected:
        raise ValueError(f"{name} must have shape {layout} = {expected}, got {array.shape}.{hint}")


def check_finite(name: str, array: np.ndarray) -> None:
    """Raise ValueError if ``array`` holds NaN or ±inf, naming the first such position."""
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must hold only finite numbers, got {array[where]} at index "
                         f"{where[0] if len(where) == 1 else where}.")


def check_ids(name: str, array: np.ndarray, size: int) -> None:
    """Raise ValueError unless every id of the integer ``array`` is in ``[0, size)``."""
    if array.size == 0:
        return
    low, high = array.min(), array.max()
    if low < 0 or high >= size:
        bad = low if low < 0 else high
        where = int(np.argmax(array.reshape(-1) == bad))
        raise ValueError(f"{name} must hold ids in [0, {size}) (0 … vocabulary size - 1), got {bad} at "
                         f"position {where}.")


def check_real(name: str, value: object, minimum: float | None = None, strict: bool = False) -> float:
    """Return ``value`` as a float after checking it is a finite real number (not a bool), above
    ``minimum`` (``strict``) or at least ``minimum``.

    Raises:
        TypeError: if it is not a real number.
        ValueError: if it is NaN, infinite or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__}).")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}.")
    if minimum is not None and (number <= minimum if strict else number < minimum):
        raise ValueError(f"{name} must be {'greater than' if strict else 'at least'} {minimum}, got {number}.")
    return number


def check_choice(name: str, value: object, choices: Collection[str]) -> None:
    """Raise TypeError unless ``value`` is a str and ValueError unless it is one of ``choices``."""
    shown = " or ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {shown}, got {value!r} ({type(value).__name__}).")
    if value not in choices:
        raise ValueError(f"{name} must be {shown}, got {value!r}.")


def check_str(name: str, value: object, allow_empty: bool = True) -> None:
    """Raise TypeError unless ``value`` is a str, ValueError if it is empty and that is not allowed."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {value!r} ({type(value).__name__}).")
    if not allow_empty and not value:
        raise ValueError(f"{name} must not be an empty str.")
