"""Generate the student notebooks in ``chapters/`` from ``solutions/``.

Rules (nbgrader's markers, so instructors can also use nbgrader on ``solutions/``):

* the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` become
  ``# YOUR CODE HERE`` and ``raise NotImplementedError()``, at the marker's indentation;
* the lines between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` (the solution's
  own asserts that its checks pass) are removed with their markers;
* outputs and execution counts are cleared; notebook metadata keeps only the kernelspec
  and language name; cell metadata keeps only ``tags`` and nbgrader's (see below).
* a cell whose solution region is at top level (not inside a function) would raise when
  run, so it gets nbval's ``raises-exception`` tag.

nbgrader cell metadata is derived, not hand-made (:func:`mark_for_nbgrader`): a code cell with a
solution region is an *autograded answer*, a code cell with a hidden-test region an
*autograder test* worth points (1, or 2 for a check that trains the student's model; points
an instructor set by hand are kept), each with a stable ``grade_id`` taken from the check it
calls (``test_rnn_step`` for ``checks.check_rnn_step(...)``, ``answer_rnn_step`` for the answer
cell before it). ``make student`` writes that metadata into ``solutions/`` too, so they are
nbgrader *source* notebooks as they stand, and keeps it in ``chapters/`` (without nbgrader's
checksums), so a class can hand out ``chapters/`` and still collect and autograde them; test
cells are read-only there, as in nbgrader's release version.

Written with nbformat rather than nbgrader's preprocessors, so that ``make student`` works
without nbgrader installed (it is a development dependency; ``tests/test_nbgrader.py`` proves
that ``nbgrader generate_assignment`` gives the same student notebooks).

Usage::

    python -m utils.student            # mark solutions/ for nbgrader, regenerate chapters/
    python -m utils.student --check    # exit 1 if either is out of date
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat

from .config import HIDDEN_BEGIN, HIDDEN_END, REPO_ROOT

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


def strip_source(source: str, where: str = "cell") -> tuple[str, bool]:
    """Return the student version of one cell's source, and whether a region was top-level.

    Raises:
        ValueError: on a marker without its partner, or nested markers.
    """
    out: list[str] = []
    state: str | None = None
    top_level = False
    for lineno, line in enumerate(source.split("\n"), start=1):
        stripped = line.strip()
        if stripped in (BEGIN, HIDDEN_BEGIN):
            if state is not None:
                raise ValueError(f"{where}, line {lineno}: {stripped!r} inside an open region.")
            state = stripped
            if stripped == BEGIN:
                indent = line[: len(line) - len(line.lstrip())]
                top_level |= indent == ""
                out += [indent + s for s in STUB]
            continue
        if stripped in (END, HIDDEN_END):
            expected = END if state == BEGIN else HIDDEN_END if state == HIDDEN_BEGIN else None
            if stripped != expected:
                raise ValueError(f"{where}, line {lineno}: {stripped!r} without its BEGIN marker.")
            state = None
            continue
        if state is None:
            out.append(line)
    if state is not None:
        raise ValueError(f"{where}: {state!r} is never closed.")
    return "\n".join(out), top_level


CHECK_CALL = re.compile(r"\bchecks\.check_(\w+)\(")
TOP_LEVEL_DEF = re.compile(r"^def (\w+)\(", re.MULTILINE)
#: checks that train the student's model are worth more than a function check
TWO_POINT_CHECKS = ("classifier_beats", "model_beats", "probe_beats", "bag_of_words", "gradient_settings")


def _nbgrader(grade_id: str, *, solution: bool, points: float | None = None) -> dict:
    meta: dict = {"grade": points is not None, "grade_id": grade_id, "locked": points is not None,
                  "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def mark_for_nbgrader(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """Return a copy of a solution notebook whose exercise cells carry nbgrader metadata.

    Answer cells (a ``### BEGIN SOLUTION`` region) become autograded answers and check cells (a
    ``### BEGIN HIDDEN TESTS`` region) autograder tests; every other cell loses any nbgrader
    metadata. An answer cell is paired with the first check cell after it.

    Raises:
        ValueError: when a check cell has no answer cell before it, or two cells get one grade_id.
    """
    nb = copy.deepcopy(nb)
    pending: list[int] = []
    ids: dict[str, int] = {}
    for i, cell in enumerate(nb.cells):
        old = cell.metadata.pop("nbgrader", None) or {}
        if cell.cell_type != "code":
            continue
        is_answer, is_test = BEGIN in cell.source, HIDDEN_BEGIN in cell.source
        if is_answer and is_test:
            raise ValueError(f"{name} cell {i}: an answer and its hidden tests must be in separate cells.")
        if is_answer:
            pending.append(i)
        elif is_test:
            checked = CHECK_CALL.findall(cell.source)
            if not pending:
                raise ValueError(f"{name} cell {i}: hidden tests without an exercise (answer) cell before them.")
            answer = pending.pop(0)
            defs = TOP_LEVEL_DEF.findall(nb.cells[answer].source)
            suffix = "_".join(checked) or (defs[-1] if defs else f"cell_{answer}")
            default = 2 if any(c in TWO_POINT_CHECKS for c in checked) else 1
            grade_id = f"test_{suffix}"
            points = old.get("points", default) if old.get("grade_id") == grade_id else default
            for cell_index, gid, meta in ((answer, f"answer_{suffix}", _nbgrader(f"answer_{suffix}", solution=True)),
                                          (i, grade_id, _nbgrader(grade_id, solution=False, points=points))):
                if gid in ids:
                    raise ValueError(f"{name}: cells {ids[gid]} and {cell_index} would both be nbgrader's {gid!r}.")
                ids[gid] = cell_index
                nb.cells[cell_index].metadata["nbgrader"] = meta
    for i in pending:
        defs = TOP_LEVEL_DEF.findall(nb.cells[i].source)
        gid = f"answer_{defs[-1] if defs else f'cell_{i}'}"
        if gid in ids:
            raise ValueError(f"{name}: cells {ids[gid]} and {i} would both be nbgrader's {gid!r}.")
        ids[gid] = i
        nb.cells[i].metadata["nbgrader"] = _nbgrader(gid, solution=True)
    return nb


def total_points(nb: nbformat.NotebookNode) -> float:
    """The points a notebook's autograder tests are worth together."""
    return sum(c.metadata.get("nbgrader", {}).get("points", 0) for c in nb.cells)


def make_student(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """Return the student version of a solution notebook (the input is not changed)."""
    student = copy.deepcopy(nb)
    kernelspec = nb.metadata.get("kernelspec")
    student.metadata = nbformat.from_dict({"language_info": {"name": "python"}})
    if kernelspec:
        student.metadata["kernelspec"] = kernelspec
    for i, cell in enumerate(student.cells):
        tags = list(cell.metadata.get("tags", []))
        grading = cell.metadata.get("nbgrader")
        if cell.cell_type == "code":
            cell.source, top_level = strip_source(cell.source, f"{name} cell {i}")
            cell.outputs = []
            cell.execution_count = None
            if top_level and "raises-exception" not in tags:
                tags.append("raises-exception")
        meta: dict = {"tags": tags} if tags else {}
        if grading:
            meta["nbgrader"] = {k: v for k, v in grading.items() if k != "checksum"}
            if grading.get("locked"):
                meta.update(deletable=False, editable=False)
        cell.metadata = nbformat.from_dict(meta)
    return student


def render(nb: nbformat.NotebookNode) -> str:
    """Serialise a notebook exactly as it is written to disk."""
    return nbformat.writes(nb) + "\n"


def expected_solutions(solutions: Path | None = None) -> dict[str, str]:
    """Map each solution notebook's file name to its text with derived nbgrader metadata."""
    solutions = solutions or REPO_ROOT / "solutions"
    return {
        path.name: render(mark_for_nbgrader(nbformat.read(path, as_version=4), path.name))
        for path in sorted(solutions.glob("*.ipynb"))
    }


def expected_chapters(solutions: Path | None = None) -> dict[str, str]:
    """Map each solution notebook's file name to the text its student version must have."""
    return {
        name: render(make_student(nbformat.reads(text, as_version=4), name))
        for name, text in expected_solutions(solutions).items()
    }


POINTS_START, POINTS_END = "<!-- points-table:start -->", "<!-- points-table:end -->"


def points_table(solutions: dict[str, str]) -> str:
    """The Markdown table of exercises and points per chapter that INSTRUCTORS.md shows."""
    rows = ["| notebook | exercises (autograder tests) | points |", "|---|---|---|"]
    total = 0.0
    for name, text in sorted(solutions.items()):
        nb = nbformat.reads(text, as_version=4)
        tests = [c.metadata["nbgrader"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        ids = ", ".join(f"`{m['grade_id']}` ({m['points']:g})" for m in tests)
        rows.append(f"| `{name}` | {ids} | {total_points(nb):g} |")
        total += total_points(nb)
    rows.append(f"| all | | {total:g} |")
    return "\n".join(rows)


def with_points_table(text: str, table: str) -> str:
    """``text`` (INSTRUCTORS.md) with the table between its markers replaced by ``table``."""
    head, sep, rest = text.partition(POINTS_START)
    _, sep2, tail = rest.partition(POINTS_END)
    if not (sep and sep2):
        raise ValueError(f"INSTRUCTORS.md needs the lines {POINTS_START} and {POINTS_END}")
    return f"{head}{POINTS_START}\n{table}\n{POINTS_END}{tail}"


def main(argv: list[str]) -> int:
    chapters, solutions = REPO_ROOT / "chapters", REPO_ROOT / "solutions"
    marked = expected_solutions()
    unmarked = [n for n, text in marked.items() if (solutions / n).read_text(encoding="utf-8") != text]
    expected = expected_chapters()
    guide = REPO_ROOT / "INSTRUCTORS.md"
    guide_text = with_points_table(guide.read_text(encoding="utf-8"), points_table(marked))
    guide_stale = guide.read_text(encoding="utf-8") != guide_text
    stale = sorted(
        set(p.name for p in chapters.glob("*.ipynb")) - set(expected)
    )
    from .translate import EDITIONS, editions

    translated = editions(marked)
    translated_wrong = [p for p, content in translated.items() if _differs(REPO_ROOT / p, content)]
    translated_stale = sorted(
        p.relative_to(REPO_ROOT) for lang in EDITIONS for folder in ("solutions", "chapters")
        for p in (REPO_ROOT / folder / lang).glob("*.ipynb") if p.relative_to(REPO_ROOT) not in translated
    )
    if "--check" in argv:
        wrong = [n for n, text in expected.items() if not (chapters / n).is_file() or (chapters / n).read_text(encoding="utf-8") != text]
        for n in unmarked:
            print(f"solutions/{n} lacks its nbgrader metadata: run `make student`")
        for n in wrong + stale:
            print(f"chapters/{n} is out of date: run `make student`")
        for p in translated_wrong + translated_stale:
            print(f"{p} is out of date: run `make student`")
        if guide_stale:
            print("INSTRUCTORS.md's points table is out of date: run `make student`")
        return 1 if wrong or stale or unmarked or guide_stale or translated_wrong or translated_stale else 0
    if guide_stale:
        guide.write_text(guide_text, encoding="utf-8")
        print("updated the points table in INSTRUCTORS.md")
    for n in unmarked:
        (solutions / n).write_text(marked[n], encoding="utf-8")
        print(f"marked solutions/{n} for nbgrader")
    chapters.mkdir(exist_ok=True)
    for n, text in expected.items():
        (chapters / n).write_text(text, encoding="utf-8")
        print(f"wrote chapters/{n}")
    for n in stale:
        (chapters / n).unlink()
        print(f"removed chapters/{n} (no solution notebook of that name)")
    for p in translated_wrong:
        (REPO_ROOT / p).parent.mkdir(parents=True, exist_ok=True)
        content = translated[p]
        if isinstance(content, bytes):
            (REPO_ROOT / p).write_bytes(content)
        else:
            (REPO_ROOT / p).write_text(content, encoding="utf-8")
        print(f"wrote {p}")
    for p in translated_stale:
        (REPO_ROOT / p).unlink()
        print(f"removed {p} (its chapter has no catalogue in translations/)")
    return 0


def _differs(path: Path, content: str | bytes) -> bool:
    if not path.is_file():
        return True
    return (path.read_bytes() if isinstance(content, bytes) else path.read_text(encoding="utf-8")) != content


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
