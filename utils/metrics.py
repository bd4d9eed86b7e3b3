"""One machine-readable way for notebooks to expose their key numbers.

``record("bow_test_accuracy", 0.88)`` prints the value and keeps it; when the environment
variable ``COURSE_METRICS_FILE`` names a file, every recorded value is also written there
as JSON (the benchmark reads it, so nothing parses printed text).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

METRICS_ENV = "COURSE_METRICS_FILE"
_recorded: dict[str, float] = {}


def record(name: str, value: float, fmt: str = ".4f") -> None:
    """Print ``name = value``, remember it, and write all values to ``$COURSE_METRICS_FILE``."""
    value = float(value)
    _recorded[name] = value
    print(f"{name} = {value:{fmt}}")
    target = os.environ.get(METRICS_ENV)
    if target:
        path = Path(target)
        old = json.loads(path.read_text()) if path.is_file() else {}
        old.update(_recorded)
        path.write_text(json.dumps(old, indent=1, sort_keys=True) + "\n")


def recorded() -> dict[str, float]:
    """Return a copy of every value recorded in this process."""
    return dict(_recorded)
