"""One machine-readable way for notebooks to expose their key numbers.

``record("bow_test_accuracy", 0.88)`` prints the value and keeps it; when the environment
variable ``COURSE_METRICS_FILE`` names a file, every recorded value is also written there
as JSON (the benchmark reads it, so nothing parses printed text).
"""

from __future__ import annotations

import json
import math
import numbers
import os
from pathlib import Path

import numpy as np

METRICS_ENV = "COURSE_METRICS_FILE"
_recorded: dict[str, float] = {}


def record(name: str, value: float, fmt: str = ".4f") -> None:
    """Print ``name = value``, remember it, and write all values to ``$COURSE_METRICS_FILE``.

    ``value`` is a real number (a Python or NumPy number, a one-element NumPy array or a
    scalar tensor);
    ``fmt`` a float format spec such as ``".4f"`` or ``".2e"``.

    Raises:
        TypeError: if ``name`` or ``fmt`` is not a str or ``value`` is not a real number.
        ValueError: if ``name`` is empty, ``value`` is NaN or infinite (a broken run must not
            be recorded as a result), or ``fmt`` is not a valid float format.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'ch05_best_val_mae', got {name!r} ({type(name).__name__}).")
    if not name.strip():
        raise ValueError(f"name must be a non-empty str such as 'ch05_best_val_mae', got {name!r}.")
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
        value = value.reshape(()).item()
    elif not isinstance(value, numbers.Number) and tuple(getattr(value, "shape", (0,))) in ((), (1,)):
        try:  # a scalar TensorFlow/Keras tensor
            value = float(value)
        except (TypeError, ValueError):
            pass
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"value of {name!r} must be a real number, got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"value of {name!r} must be a finite number, got {value}: the run that computed it failed.")
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format spec str such as '.4f', got {fmt!r} ({type(fmt).__name__}).")
    try:
        shown = f"{value:{fmt}}"
    except ValueError:
        raise ValueError(f"fmt must be a float format spec such as '.4f' or '.2e', got {fmt!r}.") from None
    _recorded[name] = value
    print(f"{name} = {shown}")
    target = os.environ.get(METRICS_ENV)
    if target:
        path = Path(target)
        old = json.loads(path.read_text()) if path.is_file() else {}
        old.update(_recorded)
        path.write_text(json.dumps(old, indent=1, sort_keys=True) + "\n")


def recorded() -> dict[str, float]:
    """Return a copy of every value recorded in this process."""
    return dict(_recorded)
