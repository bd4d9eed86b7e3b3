"""Generate the student notebooks in ``chapters/`` from ``solutions/``.

Rules (nbgrader's markers, so instructors can also use nbgrader on ``solutions/``):

* the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` become
  ``# YOUR CODE HERE`` and ``raise NotImplementedError()``, at the marker's indentation;
* the lines between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` (the solution's
  own asserts that its checks pass) are removed with their markers;
* outputs and execution counts are cleared; notebook metadata keeps only the kernelspec
  and language name; cell metadata keeps only ``tags``.
* a cell whose solution region is at top level (not inside a function) would raise when
  run, so it gets nbval's ``raises-exception`` tag.

Written with nbformat rather than nbgrader's preprocessors: nbgrader pulls in a server
stack and database the course does not otherwise need, and these rules are 80 lines.

Usage::

    python -m utils.student            # regenerate chapters/ from solutions/
    python -m utils.student --check    # exit 1 if chapters/ is out of date
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat

from .config import REPO_ROOT

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
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


def make_student(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """Return the student version of a solution notebook (the input is not changed)."""
    student = copy.deepcopy(nb)
    kernelspec = nb.metadata.get("kernelspec")
    student.metadata = nbformat.from_dict({"language_info": {"name": "python"}})
    if kernelspec:
        student.metadata["kernelspec"] = kernelspec
    for i, cell in enumerate(student.cells):
        tags = list(cell.metadata.get("tags", []))
        if cell.cell_type == "code":
            cell.source, top_level = strip_source(cell.source, f"{name} cell {i}")
            cell.outputs = []
            cell.execution_count = None
            if top_level and "raises-exception" not in tags:
                tags.append("raises-exception")
        cell.metadata = nbformat.from_dict({"tags": tags} if tags else {})
    return student


def render(nb: nbformat.NotebookNode) -> str:
    """Serialise a notebook exactly as it is written to disk."""
    return nbformat.writes(nb) + "\n"


def expected_chapters(solutions: Path | None = None) -> dict[str, str]:
    """Map each solution notebook's file name to the text its student version must have."""
    solutions = solutions or REPO_ROOT / "solutions"
    return {
        path.name: render(make_student(nbformat.read(path, as_version=4), path.name))
        for path in sorted(solutions.glob("*.ipynb"))
    }


def main(argv: list[str]) -> int:
    chapters = REPO_ROOT / "chapters"
    expected = expected_chapters()
    stale = sorted(
        set(p.name for p in chapters.glob("*.ipynb")) - set(expected)
    )
    if "--check" in argv:
        wrong = [n for n, text in expected.items() if not (chapters / n).is_file() or (chapters / n).read_text(encoding="utf-8") != text]
        for n in wrong + stale:
            print(f"chapters/{n} is out of date: run `make student`")
        return 1 if wrong or stale else 0
    chapters.mkdir(exist_ok=True)
    for n, text in expected.items():
        (chapters / n).write_text(text, encoding="utf-8")
        print(f"wrote chapters/{n}")
    for n in stale:
        (chapters / n).unlink()
        print(f"removed chapters/{n} (no solution notebook of that name)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
