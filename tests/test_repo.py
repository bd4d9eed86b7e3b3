"""The repository's own rules: chapters/ is generated from solutions/, notebooks are clean."""

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest
from benchscripts import load

from utils.config import REPO_ROOT
from utils.student import BEGIN, END, HIDDEN_BEGIN, expected_chapters

SOLUTIONS = sorted((REPO_ROOT / "solutions").glob("*.ipynb"))
CHAPTERS = sorted((REPO_ROOT / "chapters").glob("*.ipynb"))


def test_there_are_notebooks():
    assert SOLUTIONS, "no solution notebooks found"


def test_chapters_are_in_sync_with_solutions():
    expected = expected_chapters()
    assert sorted(expected) == [p.name for p in CHAPTERS], "run `make student`"
    for name, text in expected.items():
        assert (REPO_ROOT / "chapters" / name).read_text(encoding="utf-8") == text, (
            f"chapters/{name} differs from what `make student` generates: run `make student`"
        )


@pytest.mark.parametrize("path", SOLUTIONS + CHAPTERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_are_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: strip outputs before committing"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solution_notebook_has_exercises_with_checks(path: Path):
    sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    regions = sum(s.count(BEGIN) for s in sources)
    assert regions >= 3, f"{path.name}: the course asks for at least 3 exercises, found {regions}"
    assert sum(s.count(END) for s in sources) == regions
    assert any(HIDDEN_BEGIN in s and "assert" in s for s in sources), "solutions must assert their checks pass"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_student_stub_raises_not_implemented(path: Path):
    """Execute the function definitions of each stub cell and call every stubbed function."""
    stubs = 0
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code" or "raise NotImplementedError()" not in cell.source:
            continue
        assert "### " not in cell.source, "solution markers left in a student notebook"
        tree = ast.parse(cell.source)
        namespace: dict = {}
        exec(compile("from __future__ import annotations\n" + cell.source, path.name, "exec"), namespace)
        for node in tree.body:
            is_stub = isinstance(node, ast.FunctionDef) and any(
                isinstance(n, ast.Raise) for n in ast.walk(node))  # helpers given in the cell are skipped
            if is_stub:
                n_args = len(node.args.args)
                with pytest.raises(NotImplementedError):
                    namespace[node.name](*([None] * n_args))
                stubs += 1
    assert stubs >= 3, f"{path.name}: expected at least 3 stubbed exercise functions, found {stubs}"


# A literal file name a notebook could write (and another read back): checkpoints, arrays, tables.
WRITTEN_FILE = re.compile(r"""["'][^"'\s]*\.(keras|h5|npz|npy|csv|json|pkl|pickle|txt|png|parquet)["']""")


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_notebooks_write_only_to_their_own_scratch_folders(path: Path):
    """No notebook reads a file another notebook wrote: every file name a notebook writes is
    placed in a folder from ``utils.scratch_dir`` (new for each run), never at a fixed path."""
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            code = line.split("  #")[0] if not line.lstrip().startswith("#") else ""   # comments write nothing
            if WRITTEN_FILE.search(code) and "data_dir(" not in code:   # data_dir(): reading the user's data
                assert "scratch_dir(" in line, (
                    f"{path.name}: {line.strip()!r} names a file at a fixed path; put it in utils.scratch_dir(...)")
            assert 'Path("runs")' not in line and "'runs/" not in line and '"runs/' not in line, (
                f"{path.name}: {line.strip()!r} writes to runs/ directly; use utils.scratch_dir(...)")


def test_readme_chapter_table_is_generated_from_the_benchmark():
    """The README table is what `benchmarks/report.py` makes of benchmarks/results.json."""
    report = load("report")
    results = json.loads(report.RESULTS.read_text()) if report.RESULTS.is_file() else {}
    for readme in (report.README, report.README_ZH):
        assert readme.read_text(encoding="utf-8") == report.updated_readme(results, readme), (
            f"the {readme.name} chapter table is out of date: run `python benchmarks/report.py`")
