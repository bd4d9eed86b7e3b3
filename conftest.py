"""pytest wiring for the course.

* Tests run in fast mode (``COURSE_FAST=1``) unless the caller set the variable.
* TensorFlow's C++ logging is silenced before any kernel or test imports it.
* Notebooks are executed by nbval (``--nbval-lax``, see the Makefile); their kernels
  inherit this environment, so they run in fast mode too.
"""

import os

os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
