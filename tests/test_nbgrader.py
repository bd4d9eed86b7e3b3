"""nbgrader on the shipped notebooks, with nbgrader's own command line, as an instructor runs it.

* ``nbgrader generate_assignment`` succeeds on every ``solutions/`` notebook as it stands (no
  manual marking) and gives the same cells, sources and stubs as ``chapters/``.
* The autograde round trip: the solutions score full marks, the untouched student notebook zero
  on every exercise, a notebook with one exercise done exactly that exercise's points, and
  ``nbgrader generate_feedback`` writes HTML. No cell outside the exercises may raise, and every
  cell runs: the round trip stands in for nbval's run of that chapter (``conftest.py``).
  In ``make test`` for chapter 01 (the cheapest in the suite);
  ``make grade-check`` (``COURSE_GRADE_ALL=1``) runs it for every chapter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from utils.config import REPO_ROOT
from utils.student import mark_for_nbgrader, total_points

SOLUTIONS = sorted((REPO_ROOT / "solutions").glob("*.ipynb"))
ROUND_TRIP = SOLUTIONS if os.environ.get("COURSE_GRADE_ALL") else [REPO_ROOT / "solutions" / "01_text_vectorization.ipynb"]
BIN = Path(sys.executable).parent

CONFIG = """c = get_config()
c.CourseDirectory.course_id = "seqdl"
c.CourseDirectory.root = {root!r}
c.Execute.timeout = 1800   # seconds per cell; fast mode needs far less, full mode some minutes
"""


def assignment_of(path: Path) -> str:
    return "ch" + path.name[:2]


def make_course(root: Path, notebook: Path) -> str:
    """An nbgrader course in ``root`` whose one assignment is ``notebook`` as shipped."""
    assignment = assignment_of(notebook)
    (root / "source" / assignment).mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(CONFIG.format(root=str(root)), encoding="utf-8")
    (root / "source" / assignment / notebook.name).write_bytes(notebook.read_bytes())
    return assignment


def nbgrader(course: Path, *args: str, timeout: float = 120) -> str:
    """Run the ``nbgrader`` command in ``course``; fail the test with its log if it fails."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # it calls `alembic`
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 0 and "[ERROR]" not in log and "| ERROR]" not in log, (
        f"nbgrader {' '.join(args)} failed:\n{log[-4000:]}")
    return log


def grade_cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, str]]:
    return [(c.cell_type, c.source, c.metadata.get("nbgrader", {}).get("grade_id", "")) for c in nb.cells]


def test_solutions_are_nbgrader_source_notebooks():
    """Every exercise cell is marked; ids are unique; every chapter is worth points."""
    for path in SOLUTIONS:
        nb = nbformat.read(path, as_version=4)
        assert mark_for_nbgrader(nb, path.name) == nb, f"{path.name} lacks its nbgrader metadata: run `make student`"
        answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert answers and len(answers) == len(tests), path.name
        assert all("### BEGIN SOLUTION" in c.source for c in answers)
        assert all("### BEGIN HIDDEN TESTS" in c.source for c in tests)
        assert total_points(nb) >= len(tests)


@pytest.fixture(scope="module")
def release_all(tmp_path_factory) -> Path:
    """``nbgrader generate_assignment`` once, on one assignment holding every chapter as shipped (one
    nbgrader start-up of about 6 s instead of one per chapter); returns the release folder."""
    root = tmp_path_factory.mktemp("course")
    (root / "source" / "all").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(CONFIG.format(root=str(root)), encoding="utf-8")
    for notebook in SOLUTIONS:
        (root / "source" / "all" / notebook.name).write_bytes(notebook.read_bytes())
    nbgrader(root, "generate_assignment", "all", "--force")
    return root / "release" / "all"


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.stem)
def test_generate_assignment_gives_the_student_notebook(notebook: Path, release_all: Path):
    released = nbformat.read(release_all / notebook.name, as_version=4)
    chapter = nbformat.read(REPO_ROOT / "chapters" / notebook.name, as_version=4)
    assert grade_cells(released) == grade_cells(chapter), (
        f"nbgrader's student version of {notebook.name} differs from chapters/{notebook.name}")


def _filled(release: nbformat.NotebookNode, source: nbformat.NotebookNode, grade_ids: set[str]) -> nbformat.NotebookNode:
    """The released notebook with the answers of ``grade_ids`` copied from the solution."""
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells if "nbgrader" in c.metadata}
    out = nbformat.from_dict(release)
    for cell in out.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in grade_ids:
            cell.source = answers[gid]
    return out


@pytest.mark.parametrize("notebook", ROUND_TRIP, ids=lambda p: p.stem)
def test_autograde_round_trip(notebook: Path, tmp_path: Path):
    from nbgrader.api import Gradebook

    assignment = make_course(tmp_path, notebook)
    nbgrader(tmp_path, "generate_assignment", assignment, "--force")
    source = nbformat.read(notebook, as_version=4)
    release = nbformat.read(tmp_path / "release" / assignment / notebook.name, as_version=4)
    meta = [c.metadata["nbgrader"] for c in source.cells if "nbgrader" in c.metadata]
    answer_ids = [m["grade_id"] for m in meta if m["solution"]]
    test_points = {m["grade_id"]: m["points"] for m in meta if m["grade"]}
    first_test = next(m["grade_id"] for m in meta if m["grade"])
    submissions = {
        "solved": _filled(release, source, set(answer_ids)),
        "untouched": release,
        "first_only": _filled(release, source, {answer_ids[0]}),
    }
    for student, nb in submissions.items():
        folder = tmp_path / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / notebook.name)
    nbgrader(tmp_path, "autograde", assignment, "--create", "--force", timeout=3600)   # every submission
    nbgrader(tmp_path, "generate_feedback", assignment, "--force")

    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        scores = {student: {g.name: g.score for g in gradebook.find_submission(assignment, student).notebooks[0].grades}
                  for student in submissions}
    assert scores["solved"] == test_points, "the solutions must score full marks"
    assert scores["untouched"] == dict.fromkeys(test_points, 0.0), "an untouched notebook must score zero"
    assert scores["first_only"] == {g: (p if g == first_test else 0.0) for g, p in test_points.items()}, (
        f"only {answer_ids[0]} was done: only {first_test} may score")
    for student in submissions:
        html = (tmp_path / "feedback" / student / assignment / notebook.with_suffix(".html").name)
        assert html.is_file() and "Score" in html.read_text(encoding="utf-8")
    # the round trip ran the notebook top to bottom as the solutions and as the untouched student
    # notebook: nbval does not run these two again (conftest.py), so fail here as nbval would
    for student in submissions:
        failed = _cells_with_errors(nbformat.read(tmp_path / "autograded" / student / assignment / notebook.name,
                                                  as_version=4))
        assert all(exercise for _, exercise, _ in failed), (
            f"{student}: a cell outside the exercises raised: {[(i, e) for i, ex, e in failed if not ex][:3]}")
        if student == "solved":
            assert not failed, f"the solved notebook raised in cells {[(i, e) for i, _, e in failed][:3]}"
    ran = nbformat.read(tmp_path / "autograded" / "untouched" / assignment / notebook.name, as_version=4)
    assert all(c.get("execution_count") for c in ran.cells if c.cell_type == "code" and c.source.strip()), (
        "not every code cell of the untouched notebook was executed")


def _cells_with_errors(nb: nbformat.NotebookNode) -> list[tuple[int, bool, str]]:
    """(index, is an exercise or grading cell, error name) of every code cell that raised."""
    out = []
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                out.append((index, bool(meta.get("solution") or meta.get("grade")), output.ename))
    return out


def test_cells_with_errors_tells_exercise_cells_from_the_rest():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    def cell(grade_id=None, error=None):
        c = new_code_cell("x", outputs=[new_output("error", ename=error, evalue="", traceback=[])] if error else [])
        if grade_id:
            c.metadata["nbgrader"] = {"grade_id": grade_id, "solution": True, "grade": False}
        return c

    nb = new_notebook(cells=[cell(), cell("ex1", "NotImplementedError"), cell(error="NameError"), cell("ex2")])
    assert _cells_with_errors(nb) == [(1, True, "NotImplementedError"), (2, False, "NameError")]
