"""Run mode (fast/full), seeding and the one-line banner every notebook prints.

Fast mode is switched on by the environment variable ``COURSE_FAST`` (``1``, ``true``,
``yes`` or ``on``); anything else, or no variable, means full mode. Fast mode runs the same
notebook on a real-data subset with few epochs so the test suite fits CI; full mode is
what students run. Notebooks choose sizes with :func:`pick`.
"""

from __future__ import annotations

import os
import platform
import random
import tempfile
import warnings
from pathlib import Path
from typing import TypeVar

FAST_ENV = "COURSE_FAST"
DATA_ENV = "COURSE_DATA_DIR"
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Where downloads and run folders go when ``utils`` was pip-installed (Colab), not a checkout.
USER_ROOT = Path.home() / ".cache" / "seqdl-course"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

T = TypeVar("T")


def is_fast() -> bool:
    """Return True when fast mode is on (environment variable ``COURSE_FAST``).

    Raises:
        ValueError: if the variable holds something that is neither true nor false.
    """
    raw = os.environ.get(FAST_ENV, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"{FAST_ENV}={raw!r} is not understood: set it to 1 for fast mode, "
        f"or 0 / unset it for full mode."
    )


def mode() -> str:
    """Return ``"fast"`` or ``"full"``."""
    return "fast" if is_fast() else "full"


def pick(fast: T, full: T) -> T:
    """Return ``fast`` in fast mode and ``full`` in full mode.

    Example: ``EPOCHS = pick(fast=2, full=10)``.
    """
    return fast if is_fast() else full


def data_dir() -> Path | None:
    """Return the folder named by ``COURSE_DATA_DIR``, or None when it is unset."""
    raw = os.environ.get(DATA_ENV, "").strip()
    return Path(raw).expanduser() if raw else None


def in_checkout() -> bool:
    """True when ``utils`` is imported from a clone of the course (``pip install -e .``), False
    when it was pip-installed on its own, as the Colab set-up cell does."""
    return (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "solutions").is_dir()


def work_root() -> Path:
    """The folder holding ``data/cache`` and ``runs``: the top of the checkout, or
    ``~/.cache/seqdl-course`` when ``utils`` is installed without the repository (Colab)."""
    return REPO_ROOT if in_checkout() else USER_ROOT


def cache_dir() -> Path:
    """Return the cache folder for downloads and extracted archives: ``data/cache`` of the
    checkout (git-ignored), or under ``~/.cache/seqdl-course`` without one (:func:`work_root`)."""
    path = work_root() / "data" / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def scratch_dir(chapter: str) -> Path:
    """A new, private folder under ``runs/`` for files a notebook writes and reads back
    (checkpoints), e.g. ``runs/03-k2j4x9/`` at the top of the repository (:func:`work_root`).

    Every call makes a different folder, so two notebooks running at the same time (the test
    suite runs a solution and its student version in parallel) never read each other's files.
    ``runs/`` is git-ignored; delete it whenever you like.
    """
    if not chapter or "/" in chapter:
        raise ValueError(f"chapter must be a short name such as '03', got {chapter!r}.")
    root = work_root() / "runs"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{chapter}-", dir=root))


def seed_everything(seed: int = 42) -> None:
    """Seed Python, NumPy and Keras, and make TensorFlow ops deterministic.

    ``keras.utils.set_random_seed`` alone did not give identical weights across processes
    on this course's machines; ``enable_op_determinism`` did.
    """
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    import keras

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def setup(seed: int = 42) -> dict[str, str]:
    """Seed everything and print the notebook's one-line banner.

    Call once, in the setup cell of every notebook. Returns the banner's fields.
    """
    seed_everything(seed)
    # Keras warns on every fit() with a tf.data input that fit's default shuffle=True is
    # ignored; the course's datasets shuffle themselves (utils.make_dataset), so hide it.
    warnings.filterwarnings("ignore", message=r".*`shuffle=True` was passed.*")
    import keras
    import numpy as np

    info = {
        "mode": mode(),
        "seed": str(seed),
        "python": platform.python_version(),
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "numpy": np.__version__,
        "data": str(data_dir()) if data_dir() else f"(unset: {DATA_ENV}) cache {cache_dir()}",
    }
    if info["backend"] == "tensorflow":
        import tensorflow as tf

        info["tensorflow"] = tf.__version__
    print(" | ".join(f"{k}={v}" for k, v in info.items()))
    return info
