"""Run mode (fast/full), seeding, settings from the environment and the notebook banner.

Fast mode is switched on by the environment variable ``COURSE_FAST`` (``1``, ``true``,
``yes`` or ``on``); anything else, or no variable, means full mode. Fast mode runs the same
notebook on a real-data subset with few epochs so the test suite fits CI; full mode is
what students run. Notebooks choose sizes with :func:`pick`.

The other environment variables: ``COURSE_DATA_DIR`` (a folder of offline data files),
``COURSE_CACHE_DIR`` (where downloads and extracted archives go instead of ``data/cache``),
``COURSE_DOWNLOAD_TIMEOUT`` (seconds a download may wait for the network, default 30) and
``COURSE_DOWNLOAD_TRIES`` (attempts per download, default 3).

The ``_check_*`` helpers validate arguments for this module and :mod:`utils.data`.
"""

from __future__ import annotations

import math
import numbers
import os
import platform
import random
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

FAST_ENV = "COURSE_FAST"
DATA_ENV = "COURSE_DATA_DIR"
CACHE_ENV = "COURSE_CACHE_DIR"
TIMEOUT_ENV = "COURSE_DOWNLOAD_TIMEOUT"
TRIES_ENV = "COURSE_DOWNLOAD_TRIES"
#: Seconds a download waits for the network to connect or to send the next block.
DEFAULT_DOWNLOAD_TIMEOUT = 30.0
#: Attempts per download when the network does not answer (the first try included).
DEFAULT_DOWNLOAD_TRIES = 3
REPO_ROOT = Path(__file__).resolve().parent.parent
#: nbgrader's markers of a solution's own tests (the autograder's hidden tests).
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
#: Where downloads and run folders go when ``utils`` was pip-installed (Colab), not a checkout.
USER_ROOT = Path.home() / ".cache" / "seqdl-course"
#: Seeds must fit NumPy's legacy seeding (``np.random.seed``): 0 <= seed < 2**32.
MAX_SEED = 2**32 - 1

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

T = TypeVar("T")


# ----------------------------------------------------------------------------- argument checks


def _check_int(name: str, value: object, minimum: int | None = None, maximum: int | None = None,
               allow_none: bool = False) -> None:
    """Raise TypeError unless ``value`` is an integer (not a bool; None if ``allow_none``) and
    ValueError unless ``minimum <= value <= maximum``."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        expected = "an integer or None" if allow_none else "an integer"
        raise TypeError(f"{name} must be {expected}, got {value!r} ({type(value).__name__}).")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}.")


def _check_fraction(name: str, value: object) -> None:
    """Raise TypeError unless ``value`` is a real number and ValueError unless 0 < value < 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number between 0 and 1, got {value!r} ({type(value).__name__}).")
    if not (math.isfinite(value) and 0 < value < 1):
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}.")


def _check_bool(name: str, value: object) -> None:
    """Raise TypeError unless ``value`` is True or False."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__}).")


def _check_seed(name: str, value: object) -> None:
    """Raise TypeError/ValueError unless ``value`` is an integer seed in ``[0, 2**32 - 1]``."""
    _check_int(name, value, minimum=0, maximum=MAX_SEED)


def _check_path(name: str, value: object) -> Path:
    """Return ``value`` as a Path; TypeError unless it is a ``str`` or ``os.PathLike``, ValueError if empty."""
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {value!r} ({type(value).__name__}).")
    if not os.fspath(value):
        raise ValueError(f"{name} must not be empty.")
    return Path(value)


def _check_names(name: str, value: object, example: str = "('imdb', 'glove50')") -> tuple[str, ...]:
    """Return ``value`` as a tuple of str; TypeError unless it is an iterable of str (not one str)."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a tuple or list of str such as {example}, got {value!r}.")
    names = tuple(value)
    for item in names:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold only str, got {item!r} ({type(item).__name__}).")
    return names


# ----------------------------------------------------------------------------- settings


def env_flag(name: str, on: str, off: str) -> bool:
    """Read the true/false environment variable ``name`` (``1``, ``true``, ``yes``, ``on`` or
    ``0``, ``false``, ``no``, ``off``, empty or unset).

    Raises:
        ValueError: if it holds anything else; the message says that 1 means ``on`` and 0 ``off``.
    """
    raw = os.environ.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{name}={raw!r} is not understood: set it to 1 for {on}, or 0 / unset it for {off}.")


def is_fast() -> bool:
    """Return True when fast mode is on (environment variable ``COURSE_FAST``).

    Raises:
        ValueError: if the variable holds something that is neither true nor false.
    """
    return env_flag(FAST_ENV, "fast mode", "full mode")


def mode() -> str:
    """Return ``"fast"`` or ``"full"``."""
    return "fast" if is_fast() else "full"


def pick(fast: T, full: T) -> T:
    """Return ``fast`` in fast mode and ``full`` in full mode.

    Example: ``EPOCHS = pick(fast=2, full=10)``.
    """
    return fast if is_fast() else full


def data_dir() -> Path | None:
    """Return the folder named by ``COURSE_DATA_DIR``, or None when it is unset.

    Whether that folder exists is checked where it is searched (:func:`utils.data.search_dirs`).
    """
    raw = os.environ.get(DATA_ENV, "").strip()
    return Path(raw).expanduser() if raw else None


def download_timeout() -> float:
    """Seconds a download may wait for a connection or for the next block of data
    (``COURSE_DOWNLOAD_TIMEOUT``, default :data:`DEFAULT_DOWNLOAD_TIMEOUT`).

    Raises:
        ValueError: if the variable is not a positive number.
    """
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_DOWNLOAD_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{TIMEOUT_ENV}={raw!r} is not understood: set it to a number of seconds above 0, e.g. 30.")
    return value


def download_tries() -> int:
    """Attempts per download when the network does not answer (``COURSE_DOWNLOAD_TRIES``,
    default :data:`DEFAULT_DOWNLOAD_TRIES`).

    Raises:
        ValueError: if the variable is not a whole number of at least 1.
    """
    raw = os.environ.get(TRIES_ENV, "").strip()
    if not raw:
        return DEFAULT_DOWNLOAD_TRIES
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{TRIES_ENV}={raw!r} is not understood: set it to a whole number of at least 1, e.g. 3.")
    return int(raw)


def in_checkout() -> bool:
    """True when ``utils`` is imported from a clone of the course (``pip install -e .``), False
    when it was pip-installed on its own, as the Colab set-up cell does."""
    return (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "solutions").is_dir()


def work_root() -> Path:
    """The folder holding ``data/cache`` and ``runs``: the top of the checkout, or
    ``~/.cache/seqdl-course`` when ``utils`` is installed without the repository (Colab)."""
    return REPO_ROOT if in_checkout() else USER_ROOT


def cache_dir() -> Path:
    """Return the cache folder for downloads and extracted archives: ``COURSE_CACHE_DIR`` when
    set, else ``data/cache`` of the checkout (git-ignored), or under ``~/.cache/seqdl-course``
    without one (:func:`work_root`)."""
    raw = os.environ.get(CACHE_ENV, "").strip()
    path = Path(raw).expanduser() if raw else work_root() / "data" / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def scratch_dir(chapter: str) -> Path:
    """A new, private folder under ``runs/`` for files a notebook writes and reads back
    (checkpoints), e.g. ``runs/03-k2j4x9/`` at the top of the repository (:func:`work_root`).

    Every call makes a different folder, so two notebooks running at the same time (the test
    suite runs a solution and its student version in parallel) never read each other's files.
    ``runs/`` is git-ignored; delete it whenever you like.
    """
    if not isinstance(chapter, str):
        raise TypeError(f"chapter must be a short name (str) such as '03', got {chapter!r} ({type(chapter).__name__}).")
    if not chapter or "/" in chapter:
        raise ValueError(f"chapter must be a short name such as '03', got {chapter!r}.")
    root = work_root() / "runs"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{chapter}-", dir=root))


# ----------------------------------------------------------------------------- seeding and banner


def seed_everything(seed: int = 42) -> None:
    """Seed Python, NumPy and Keras, and make TensorFlow ops deterministic.

    ``keras.utils.set_random_seed`` alone did not give identical weights across processes
    on this course's machines; ``enable_op_determinism`` did. The seed is validated before
    anything is changed, so a bad seed leaves the process (and ``os.environ``) as it was.

    Raises:
        TypeError, ValueError: ``seed`` is not an integer in ``[0, 2**32 - 1]``.
    """
    _check_seed("seed", seed)
    seed = int(seed)
    import keras
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def setup(seed: int = 42, datasets: Iterable[str] = (), lang: str = "en") -> dict[str, str]:
    """Check the notebook's data, seed everything and print the notebook's one-line banner.

    Call once, in the setup cell of every notebook. ``datasets`` names the registered datasets
    the notebook uses (``utils.data.REGISTRY``); they are checked first, cheaply
    (:func:`utils.data.require`), so missing or corrupt data is reported at once, in one
    error, rather than where a later cell first loads it. ``lang`` is the language of the
    messages the helpers print from now on (``"en"``, or ``"zh"`` in the Chinese notebooks;
    see :mod:`utils.i18n`). Returns the banner's fields (English keys).

    Raises:
        TypeError, ValueError: a bad ``seed``, ``datasets`` or ``lang``; nothing has been changed then.
        utils.data.DataNotFoundError: a named dataset is missing or corrupt.
    """
    from .i18n import _, check_language, set_language

    _check_seed("seed", seed)
    names = _check_names("datasets", datasets)
    set_language(check_language(lang))
    if names:
        from .data import require

        require(*names)
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
    if names:
        info["datasets"] = ",".join(dict.fromkeys(names)) + " ok"
    if info["backend"] == "tensorflow":
        import tensorflow as tf

        info["tensorflow"] = tf.__version__
    labels = {"mode": _("mode"), "seed": _("seed"), "data": _("data"), "datasets": _("datasets")}
    shown = {**info, "mode": {"fast": _("fast"), "full": _("full")}[info["mode"]]}
    if "datasets" in info:
        shown["datasets"] = info["datasets"].removesuffix(" ok") + " " + _("ok")
    print(" | ".join(f"{labels.get(k, k)}={v}" for k, v in shown.items()))
    return info
