"""The Colab set-up cell, run offline: it installs `utils` only when `utils` cannot be imported."""

import importlib.abc
import subprocess
import sys

import nbformat
import pytest

from utils import colab
from utils.config import REPO_ROOT


class _HideUtils(importlib.abc.MetaPathFinder):
    """An import hook that makes the course's package unimportable, as on a fresh Colab."""

    def find_spec(self, name, path=None, target=None):
        if name == "utils" or name.startswith("utils."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _run_setup_cell(monkeypatch, hide_utils: bool) -> list:
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append((command, kwargs)))
    saved = {k: v for k, v in sys.modules.items() if k == "utils" or k.startswith("utils.")}
    if hide_utils:
        monkeypatch.setattr(sys, "meta_path", [_HideUtils(), *sys.meta_path])
        for name in saved:
            del sys.modules[name]
    try:
        exec(compile(colab.setup_cell_source(), "colab-setup", "exec"), {})
    finally:
        sys.modules.update(saved)
    return calls


def test_setup_cell_installs_utils_when_it_is_missing(monkeypatch):
    calls = _run_setup_cell(monkeypatch, hide_utils=True)
    assert len(calls) == 1, "the cell should call pip exactly once"
    command, kwargs = calls[0]
    assert command[:4] == [sys.executable, "-m", "pip", "install"] and kwargs == {"check": True}
    assert command[-1] == f"git+https://github.com/{colab.REPOSITORY}@{colab.BRANCH}"
    assert command == colab.install_command()


def test_setup_cell_does_nothing_where_the_course_is_installed(monkeypatch):
    assert _run_setup_cell(monkeypatch, hide_utils=False) == []


def test_setup_cell_imports_nothing_from_the_course():
    source = colab.setup_cell_source()
    assert "from utils" not in source
    assert source.count("import utils") == 1, "only the probe inside try/except may touch utils"


def test_apply_is_idempotent_and_places_the_cell_before_the_first_code_cell():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
                                         nbformat.v4.new_code_cell("import utils")])
    assert colab.apply(nb, "09_x.ipynb") is True
    assert colab.apply(nb, "09_x.ipynb") is False
    assert nb.cells[0].source.endswith(colab.badge("09_x.ipynb"))
    assert nb.cells[1].source == colab.setup_cell_source() and nb.cells[2].source == "import utils"
    nbformat.validate(nb)


def test_title_cell_is_required():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(ValueError, match="title cell"):
        colab.apply(nb, "09_x.ipynb")


@pytest.mark.parametrize("path", sorted((REPO_ROOT / "solutions").glob("*.ipynb")) + sorted((REPO_ROOT / "chapters").glob("*.ipynb")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_notebook_has_the_badge_and_the_setup_cell(path):
    assert colab.problems(path) == [], "run `python -m utils.colab` and `make student`"
