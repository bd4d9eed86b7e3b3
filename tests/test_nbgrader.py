"""nbgrader on the shipped notebooks, with nbgrader's own command line, as an instructor runs it.

* ``nbgrader generate_assignment`` succeeds on every ``solutions/`` notebook as it stands (no
  manual marking) and gives the same cells, sources and stubs as ``chapters/``.
* The autograde round trip: the solutions score full marks, the untouched student notebook zero
  on every exercise, a notebook with every exercise done but the last exactly the points of the
  others (the last check fails on its own stub, with every answer above it right), and
  ``nbgrader generate_feedback`` writes HTML. No cell outside the exercises may raise, and every
  cell runs: the round trip stands in for nbval's runs of that chapter (``conftest.py``), the
  untouched notebook autograded in smoke mode as nbval runs ``chapters/`` (``utils/smoke.py``:
  the hidden tests keep their asserts, so it still has to score zero).
  In ``make test`` for chapter 01 (the cheapest in the suite);
  ``make grade-check`` (``COURSE_GRADE_ALL=1``) runs it for every chapter.
* Reproducibility: two fresh kernels run the same code, the round trip's solved notebook and the
  one with every exercise done but the last: up to that last exercise they record the same metrics,
  bit for bit, and print the same lines apart from timings. Chapter 01 stands in for every notebook:
  all use the same ``utils.setup()`` seeding and deterministic-ops switch, and chapter 01's last
  exercise comes after all of its training and recorded metrics. (Both runs are the round trip's,
  so reproducibility costs no run of its own.)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import SMOKE_OFF, SMOKE_VARIABLES
from utils.config import REPO_ROOT
from utils.student import HIDDEN_END, mark_for_nbgrader, total_points

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


def nbgrader(course: Path, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> str:
    """Run the ``nbgrader`` command in ``course`` (with ``env`` added to the environment); fail the test
    with its log if it fails."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})}  # it calls `alembic`
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


def test_grading_cells_end_with_their_hidden_tests():
    """In the autograder's run a failing hidden assert stops its cell: code after it (a fallback such as
    ``attend = answer if ok else the_course_version``) would not run for an unfinished exercise, and a
    later cell would raise NameError outside the exercises. (Chapters 04 and 09 had such cells.)"""
    for path in SOLUTIONS + sorted((REPO_ROOT / "solutions" / "zh").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if HIDDEN_END in cell.source:
                after = cell.source.split(HIDDEN_END, 1)[1]
                assert not after.strip(), (f"{path.name}: move what follows the hidden tests above them: "
                                           f"{after.strip()[:80]!r}")


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


# utils.record() writes to $COURSE_METRICS_FILE; a relative name puts each autograded notebook's
# metrics in its own folder (nbgrader starts each kernel there)
METRICS_FILE = "course-metrics.json"
REPRODUCED = REPO_ROOT / "solutions" / "01_text_vectorization.ipynb"


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """``round_trip(notebook)``: the course folder after the autograde round trip of ``notebook``
    (run once per module: the reproducibility test reuses chapter 01's)."""
    done: dict[Path, tuple[Path, dict, dict]] = {}

    def run(notebook: Path) -> tuple[Path, dict, dict]:
        if notebook not in done:
            done[notebook] = _autograde(notebook, tmp_path_factory.mktemp(assignment_of(notebook)))
        return done[notebook]
    return run


def _autograde(notebook: Path, root: Path) -> tuple[Path, dict, dict]:
    """Release ``notebook``, submit it solved, untouched and with every exercise done but the last,
    autograde and write feedback; return the course folder, the submissions and the test points."""
    assignment = make_course(root, notebook)
    nbgrader(root, "generate_assignment", assignment, "--force")
    source = nbformat.read(notebook, as_version=4)
    release = nbformat.read(root / "release" / assignment / notebook.name, as_version=4)
    meta = [c.metadata["nbgrader"] for c in source.cells if "nbgrader" in c.metadata]
    answer_ids = [m["grade_id"] for m in meta if m["solution"]]
    test_points = {m["grade_id"]: m["points"] for m in meta if m["grade"]}
    submissions = {
        "solved": _filled(release, source, set(answer_ids)),
        "untouched": release,
        "all_but_last": _filled(release, source, set(answer_ids[:-1])),
    }
    for student, nb in submissions.items():
        folder = root / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / notebook.name)
    # the untouched notebook in smoke mode, as nbval runs the student versions (conftest.py): the hidden
    # tests keep their asserts there (utils/smoke.py); the other two at the suite's size
    nbgrader(root, "autograde", assignment, "--create", "--force", "--CourseDirectory.student_id_exclude=untouched",
             timeout=3600, env={"COURSE_METRICS_FILE": METRICS_FILE})
    nbgrader(root, "autograde", assignment, "--create", "--force", "--student=untouched", timeout=3600,
             env={"COURSE_METRICS_FILE": METRICS_FILE, **({} if SMOKE_OFF else SMOKE_VARIABLES)})
    nbgrader(root, "generate_feedback", assignment, "--force")
    return root, submissions, test_points


@pytest.mark.parametrize("notebook", ROUND_TRIP, ids=lambda p: p.stem)
def test_autograde_round_trip(notebook: Path, round_trip):
    from nbgrader.api import Gradebook

    course, submissions, test_points = round_trip(notebook)
    assignment = assignment_of(notebook)
    source = nbformat.read(notebook, as_version=4)
    meta = [c.metadata["nbgrader"] for c in source.cells if "nbgrader" in c.metadata]
    answer_ids = [m["grade_id"] for m in meta if m["solution"]]
    # the grading cells below the last answer cell check the last exercise
    last_tests = {m["grade_id"] for m in meta[[m["grade_id"] for m in meta].index(answer_ids[-1]):] if m["grade"]}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {student: {g.name: g.score for g in gradebook.find_submission(assignment, student).notebooks[0].grades}
                  for student in submissions}
    assert scores["solved"] == test_points, "the solutions must score full marks"
    assert scores["untouched"] == dict.fromkeys(test_points, 0.0), "an untouched notebook must score zero"
    assert last_tests and scores["all_but_last"] == {g: (0.0 if g in last_tests else p) for g, p in test_points.items()}, (
        f"all but {answer_ids[-1]} were done: every test but {sorted(last_tests)} must score, and those not")
    for student in submissions:
        html = (course / "feedback" / student / assignment / notebook.with_suffix(".html").name)
        assert html.is_file() and "Score" in html.read_text(encoding="utf-8")
    # the round trip ran the notebook top to bottom as the solutions and as the untouched student
    # notebook: nbval does not run these two again (conftest.py), so fail here as nbval would
    for student in submissions:
        failed = _cells_with_errors(nbformat.read(course / "autograded" / student / assignment / notebook.name,
                                                  as_version=4))
        assert all(exercise for _, exercise, _ in failed), (
            f"{student}: a cell outside the exercises raised: {[(i, e) for i, ex, e in failed if not ex][:3]}")
        if student == "solved":
            assert not failed, f"the solved notebook raised in cells {[(i, e) for i, _, e in failed][:3]}"
    ran = nbformat.read(course / "autograded" / "untouched" / assignment / notebook.name, as_version=4)
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


# ----------------------------------------------------------------------------- reproducibility

TIMING = re.compile(r"\d\s*(s|ms|seconds?)\b|seconds?|s ?/ ?epoch|per epoch|wall|took", re.IGNORECASE)


def _printed_lines(nb) -> list[str]:
    """Printed lines without timings. A line that mentions a time is left out, and so is the
    rest of its block (up to an empty line): a table with a seconds column (the table's other
    numbers are recorded metrics, compared exactly).

    A cell's stdout is joined before it is split into lines: how the kernel cut it into
    output chunks depends on timing (one ``print`` can arrive as two chunks on a loaded
    machine), the text does not."""
    lines = []
    for cell in nb.cells:
        text = "".join(o["text"] for o in cell.get("outputs", []) if o.get("name") == "stdout")
        skipping = False
        for line in text.splitlines():
            if not line.strip():
                skipping = False
            elif TIMING.search(line):
                skipping = True
            if not skipping:
                lines.append(line)
    return lines


def test_printed_lines_do_not_depend_on_output_chunks():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    def notebook(*chunks):
        cell = new_code_cell("print(...)", outputs=[new_output("stream", name="stdout", text=t) for t in chunks])
        return new_notebook(cells=[cell])

    one = _printed_lines(notebook("kernel (12, 16) | 0.5\nnext line\n"))
    assert one == ["kernel (12, 16) | 0.5", "next line"]
    assert _printed_lines(notebook("kernel", " (12, 16) | 0.5\n", "next line\n")) == one


def _before_last_answer(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` cut before its last answer cell (the first cell where a solved and an all-but-last
    submission differ)."""
    answers = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution")]
    out = nbformat.from_dict(nb)
    out.cells = out.cells[:answers[-1]]
    return out


def test_two_autograded_runs_record_and_print_the_same_up_to_the_last_exercise(round_trip):
    course, _, _ = round_trip(REPRODUCED)
    source = nbformat.read(REPRODUCED, as_version=4)
    rest = source.cells[len(_before_last_answer(source).cells):]
    assert not any("record(" in c.source for c in rest if c.cell_type == "code"), (
        f"{REPRODUCED.name} records metrics at or after its last exercise: the two runs would differ there")
    folders = [course / "autograded" / student / assignment_of(REPRODUCED) for student in ("solved", "all_but_last")]
    runs = []
    for folder in folders:
        metrics_file = folder / METRICS_FILE
        assert metrics_file.is_file(), f"the autograder's run of {REPRODUCED.name} recorded no metrics in {folder}"
        runs.append({k: v for k, v in json.loads(metrics_file.read_text()).items() if "second" not in k})
    assert runs[0], "the notebook recorded no metrics"
    assert runs[0] == runs[1], "recorded metrics differ between two runs"
    printed = [_printed_lines(_before_last_answer(nbformat.read(folder / REPRODUCED.name, as_version=4)))
               for folder in folders]
    assert len(printed[0]) > 10
    different = [(a, b) for a, b in zip(*printed) if a != b]
    assert not different and len(printed[0]) == len(printed[1]), f"printed output differs between two runs: {different[:3]}"
