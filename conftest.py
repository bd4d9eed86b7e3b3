"""pytest wiring for the course.

* Tests run in fast mode (``COURSE_FAST=1``) unless the caller set the variable.
* TensorFlow's C++ logging is silenced before any kernel or test imports it.
* Notebooks are executed by nbval (``--nbval-lax``, see the Makefile); their kernels
  inherit this environment, so they run in fast mode too.
"""

import os
from pathlib import Path

os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# The Chinese edition (solutions/zh/, chapters/zh/) has exactly the English code
# (tests/test_translations.py proves it cell by cell), so running every zh notebook again would
# double the suite's time for no new code: nbval runs one zh chapter, the student version of
# SMOKE_ZH, as a smoke test that the language switch works in a real kernel.
SMOKE_ZH = "01_text_vectorization.ipynb"


# tests/test_nbgrader.py's autograde round trip executes ROUND_TRIP top to bottom, as the solutions
# and as the untouched student notebook, and fails on any error outside the exercise cells (what
# nbval checks): when that test is in the session, nbval does not run those two a second time.
ROUND_TRIP = "01_text_vectorization.ipynb"
HERE = Path(__file__).resolve().parent


def _round_trip_in_session(config) -> bool:
    """True when the session collects tests/test_nbgrader.py (``pytest tests``, ``make test``)."""
    target = HERE / "tests" / "test_nbgrader.py"
    for arg in config.args:
        path = (Path(config.invocation_params.dir) / arg.split("::")[0]).resolve()
        if path == target or path in target.parents:
            return True
    return False


def pytest_ignore_collect(collection_path, config):
    folder = collection_path.parent
    if collection_path.suffix != ".ipynb":
        return None
    if folder.name == "zh" and folder.parent.name in ("solutions", "chapters"):
        return not (folder.parent.name == "chapters" and collection_path.name == SMOKE_ZH)
    if (folder.parent == HERE and folder.name in ("solutions", "chapters") and collection_path.name == ROUND_TRIP
            and _round_trip_in_session(config)):
        return True
    return None


# The student versions (chapters/, the zh smoke chapter included) run in smoke mode (utils/smoke.py):
# every fit() cut to one epoch of two batches and the notebook's own asserts off, because
# the solutions run of the same code, cell for cell, proves the learning and the 1e-5 matches; what the
# student run proves is that an untouched student notebook runs top to bottom. nbval starts a
# notebook's kernel when its first cell is set up, with this process's environment: so the variables
# are set before each chapters/ cell and removed before anything else (workers run whole files).
# MPLBACKEND=agg: figures are built but not rendered to PNG (the solutions run renders them).
SMOKE_VARIABLES = {"COURSE_SMOKE": "1", "MPLBACKEND": "agg"}
# `COURSE_SMOKE=0 make test` (or false/no/off, as utils.config.env_flag reads it) runs the student
# versions at fast-mode size, asserts on, as before. (Not imported from utils: that imports TensorFlow.)
SMOKE_OFF = os.environ.get("COURSE_SMOKE", "").strip().lower() in {"0", "false", "no", "off"}
_OUTSIDE = {name: os.environ.get(name) for name in SMOKE_VARIABLES}   # restored outside chapters/


def runs_in_smoke_mode(path) -> bool:
    """True for a notebook of the student versions (``chapters/`` or ``chapters/zh/``)."""
    path = Path(path).resolve()
    return not SMOKE_OFF and path.suffix == ".ipynb" and (HERE / "chapters") in path.parents


def pytest_runtest_setup(item):
    if runs_in_smoke_mode(item.path):
        os.environ.update(SMOKE_VARIABLES)
        return
    for name, value in _OUTSIDE.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


# Order for the workers (xdist --dist loadfile hands out whole files, in collection order, as
# workers free up; the Makefile passes --no-loadscope-reorder, without which xdist sorts the files by
# their number of tests instead): the longest files first, the many short unit-test files last, to fill the gaps,
# so that no worker is left running one long notebook alone at the end. Within a file the order
# is unchanged (a notebook's cells must run in order).
HEAVY_TESTS = ("test_nbgrader.py", "test_backend.py", "test_seq2seq.py", "test_checks_ch02.py")


def file_rank(path) -> tuple[int, str]:
    """Sort key of a test file: heavy test files, then solutions/, then chapters/, then the rest of tests/."""
    path = Path(path).resolve()
    if path.name in HEAVY_TESTS:
        return (0, str(HEAVY_TESTS.index(path.name)))
    if path.suffix == ".ipynb":
        return (1 if (HERE / "solutions") in path.parents else 2, str(path))
    return (3, str(path))


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: file_rank(item.path))   # stable: each file keeps its own order
