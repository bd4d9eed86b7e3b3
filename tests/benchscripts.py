"""Load the scripts of ``benchmarks/`` (plain scripts, not a package) as modules for tests."""

import importlib.util
from types import ModuleType

from utils.config import REPO_ROOT


def load(name: str) -> ModuleType:
    """``load("report")`` imports ``benchmarks/report.py``."""
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
