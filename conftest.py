"""pytest wiring for the course.

* Tests run in fast mode (``COURSE_FAST=1``) unless the caller set the variable.
* TensorFlow's C++ logging is silenced before any kernel or test imports it.
* Notebooks are executed by nbval (``--nbval-lax``, see the Makefile); their kernels
  inherit this environment, so they run in fast mode too.
"""

import os

os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# The Chinese edition (solutions/zh/, chapters/zh/) has exactly the English code
# (tests/test_translations.py proves it cell by cell), so running every zh notebook again would
# double the suite's time for no new code: nbval runs one zh chapter, the student version of
# SMOKE_ZH, as a smoke test that the language switch works in a real kernel.
SMOKE_ZH = "01_text_vectorization.ipynb"


def pytest_ignore_collect(collection_path, config):
    folder = collection_path.parent
    if collection_path.suffix == ".ipynb" and folder.name == "zh" and folder.parent.name in ("solutions", "chapters"):
        return not (folder.parent.name == "chapters" and collection_path.name == SMOKE_ZH)
    return None
