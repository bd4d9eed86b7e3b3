"""Shared helpers for the course notebooks: run mode, data, NumPy references and checks.

Importing ``utils`` first (before TensorFlow) keeps TensorFlow's C++ log lines out of
notebook outputs.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with the process's stderr (fd 2) sent to /dev/null meanwhile.

    TensorFlow 2.21 writes absl log lines ("All log messages before absl::InitializeLog()",
    the oneDNN note) to fd 2 before ``TF_CPP_MIN_LOG_LEVEL`` takes effect, and Jupyter shows
    fd 2 in the cell output. Python errors still raise normally.
    """
    if "tensorflow" in sys.modules or os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return
    try:
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    except OSError:  # no usable fd 2: import normally
        import tensorflow  # noqa: F401
        return
    os.dup2(devnull, 2)
    try:
        import tensorflow as tf

        tf.constant(0)  # the second batch of log lines comes with the first op
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_import_tensorflow_quietly()

from . import checks, rnn, smoke  # noqa: E402

smoke.enable()  # only under COURSE_SMOKE=1: the test suite's run of the student notebooks
from .config import cache_dir, data_dir, is_fast, mode, pick, scratch_dir, seed_everything, setup  # noqa: E402
from .data import (  # noqa: E402
    DataEnvironmentError,
    DataError,
    DataIntegrityError,
    DataNotFoundError,
    TextSplits,
    TranslationPairs,
    build_embedding_matrix,
    fetch,
    load_chnsenticorp,
    load_glove,
    load_imdb,
    load_japanese_vowels,
    load_nyc_weather,
    load_pairs,
    load_text_classification,
    register_file,
    require,
)
from .metrics import record  # noqa: E402
from .training import make_bucketed_dataset, make_dataset  # noqa: E402

__all__ = [
    "DataEnvironmentError",
    "DataError",
    "DataIntegrityError",
    "DataNotFoundError",
    "TextSplits",
    "TranslationPairs",
    "build_embedding_matrix",
    "cache_dir",
    "checks",
    "data_dir",
    "fetch",
    "is_fast",
    "load_chnsenticorp",
    "load_glove",
    "load_imdb",
    "load_japanese_vowels",
    "load_nyc_weather",
    "load_pairs",
    "load_text_classification",
    "make_bucketed_dataset",
    "make_dataset",
    "mode",
    "pick",
    "record",
    "register_file",
    "require",
    "rnn",
    "scratch_dir",
    "seed_everything",
    "setup",
]
