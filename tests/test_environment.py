"""The three install routes agree: requirements.txt (make lab, CI), environment.yml (conda,
Binder) and pyproject.toml's dependencies (the Colab set-up cell's `pip install git+…`)."""

import ast
import re
import sys
import tomllib

import nbformat
import yaml
from packaging.requirements import Requirement

from utils.config import REPO_ROOT

# import name -> distribution name, where they differ
DISTRIBUTION = {"sklearn": "scikit-learn", "IPython": "ipython"}
# imported but installed by another pinned package (ipykernel brings IPython)
BROUGHT_BY = {"ipython": "ipykernel"}
TENSORFLOW = {"tensorflow", "tensorflow-cpu"}
# imported only on the optional Keras backend (utils/backend.py, KERAS_BACKEND=jax): pinned for the
# suite in requirements-dev.txt, installed by hand by whoever wants it (README, "Backends")
OPTIONAL = {"jax"}


def _requirement_lines(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        line = line.split(" #")[0].split("#")[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            out.append(line)
    return out


def _requirements_txt() -> list[str]:
    return _requirement_lines((REPO_ROOT / "requirements.txt").read_text().splitlines())


def _environment() -> dict:
    return yaml.safe_load((REPO_ROOT / "environment.yml").read_text())


def _pip_section(env: dict) -> list[str]:
    return next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)


def _pinned_names(lines: list[str]) -> set[str]:
    return {Requirement(line).name.lower() for line in lines if not line.startswith("-e")}


def _third_party_imports() -> set[str]:
    modules: set[str] = set()
    sources = [p.read_text() for p in (REPO_ROOT / "utils").glob("*.py")]
    for path in (REPO_ROOT / "solutions").glob("*.ipynb"):
        sources += [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m != "utils"}


def test_environment_yml_has_the_same_pins_as_requirements_txt():
    env = _environment()
    assert env["name"] == "seqdl-course" and "conda-forge" in env["channels"]
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert python == "python=3.11", "requirements.txt is pinned for Python 3.11"
    assert "pip" in env["dependencies"], "conda needs pip listed to install the pip section"
    assert _pip_section(env) == _requirements_txt(), "environment.yml's pip list must equal requirements.txt"


def test_every_environment_yml_dependency_says_which_chapter_needs_it():
    text = (REPO_ROOT / "environment.yml").read_text()
    pip_lines = [line for line in text.split("- pip:", 1)[1].splitlines() if re.match(r"\s+- \S", line)]
    assert len(pip_lines) == len(_pip_section(_environment()))
    for line in pip_lines:
        assert "#" in line and line.split("#", 1)[1].strip(), f"environment.yml: no comment on {line.strip()!r}"


def test_every_imported_package_is_pinned():
    pinned = _pinned_names(_requirements_txt())
    dev = _pinned_names([line for line in _requirement_lines((REPO_ROOT / "requirements-dev.txt").read_text().splitlines())
                         if not line.startswith("-r")])
    for module in _third_party_imports() & OPTIONAL:
        assert module in dev and module not in pinned, f"the optional backend {module} belongs in requirements-dev.txt"
    for module in _third_party_imports() - OPTIONAL:
        name = DISTRIBUTION.get(module, module).lower()
        if name == "tensorflow":
            assert pinned & TENSORFLOW
            continue
        assert name in pinned or BROUGHT_BY.get(name) in pinned, (
            f"`import {module}` in utils/ or a notebook, but requirements.txt does not pin {name}")


def test_pyproject_dependencies_cover_what_colab_lacks():
    """`pip install git+…` (the Colab set-up cell) installs these; Colab has TensorFlow and Jupyter."""
    declared = {Requirement(d).name.lower(): Requirement(d) for d in
                tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    assert not declared.keys() & TENSORFLOW, "a tensorflow requirement would install beside tensorflow-cpu"
    for module in _third_party_imports() - {"tensorflow", "IPython"} - OPTIONAL:
        assert DISTRIBUTION.get(module, module).lower() in declared, f"pyproject.toml lacks {module}"
    pins = {Requirement(line).name.lower(): Requirement(line) for line in _requirements_txt()
            if not line.startswith("-e")}
    for name, requirement in declared.items():
        version = next(iter(pins[name].specifier)).version
        assert requirement.specifier.contains(version), f"pyproject's {requirement} excludes the pinned {name}=={version}"


# ----------------------------------------------------------------------------- which Python the Makefile picks

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

import pytest  # noqa: E402


def _fake_bin(tmp_path, pythons: dict[str, str | None]):
    """A PATH folder with make and its helpers, and fake interpreters: name -> version (None = a
    real interpreter of that name from this machine, which must exist)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("make", "head", "id", "uname"):
        (folder / tool).symlink_to(shutil.which(tool))
    for name, version in pythons.items():
        major, minor = version.split(".")[:2]
        supported = (3, 11) <= (int(major), int(minor)) <= (3, 13)
        (folder / name).write_text(
            "#!/bin/sh\n"
            f'case "$1" in --version) echo "Python {version}";; -m) echo "$0 $*" >> "{tmp_path}/calls";; '
            f"*) exit {0 if supported else 1};; esac\n")
        (folder / name).chmod(0o755)
    # a make that runs this test (make test PYTHON=...) passes its variables down in MAKEFLAGS: drop them
    outer = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "PYTHON"}
    return {**{k: v for k, v in os.environ.items() if k not in outer}, "PATH": str(folder)}


def _make(env, tmp_path, *args):
    return subprocess.run(["make", "-C", str(REPO_ROOT), f"VENV={tmp_path}/venv", f"{tmp_path}/venv/bin/python", *args],
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("pythons, chosen", [
    ({"python3": "3.11.7"}, "python3"),
    ({"python3": "3.14.0", "python3.12": "3.12.1"}, "python3.12"),
    ({"python3": "3.14.0", "python3.12": "3.12.1", "python3.13": "3.13.0"}, "python3.13"),
    ({"python3": "3.10.13", "python3.11": "3.11.7"}, "python3.11"),
])
def test_make_picks_a_python_tensorflow_supports(tmp_path, pythons, chosen):
    result = _make(_fake_bin(tmp_path, pythons), tmp_path)
    calls = (tmp_path / "calls").read_text() if (tmp_path / "calls").exists() else ""
    assert result.returncode == 0 and calls.startswith(f"{tmp_path}/bin/{chosen} -m venv"), (result.stderr, calls)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_without_a_supported_python_says_what_to_install(tmp_path):
    result = _make(_fake_bin(tmp_path, {"python3": "3.14.0"}), tmp_path)
    assert result.returncode != 0
    first = result.stderr.splitlines()[0]
    assert "needs Python 3.11, 3.12 or 3.13" in first and "python3 is Python 3.14.0" in first
    assert "PYTHON=/path/to/python3.13" in first and not (tmp_path / "calls").exists()


def test_readme_states_the_python_range():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11, 3.12 or 3.13" in readme
