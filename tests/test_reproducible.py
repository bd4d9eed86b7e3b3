"""Reliability: a notebook run twice, each time in a fresh kernel ("restart and run all"), gives
identical results: every recorded metric bit for bit, and every printed line except timings.

One notebook stands in for all (chapter 01, fast mode, about 30 s a run): every notebook uses
the same `utils.setup()` seeding and deterministic-ops switch. The suite itself runs each
notebook in a fresh kernel (nbval), so "restart and run all" is what every notebook passes.
"""

import re

import pytest
from benchscripts import load

from utils.config import REPO_ROOT

NOTEBOOK = REPO_ROOT / "solutions" / "01_text_vectorization.ipynb"
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


@pytest.fixture(scope="module")
def bench_run():
    return load("run")


def test_printed_lines_do_not_depend_on_output_chunks():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    def notebook(*chunks):
        cell = new_code_cell("print(...)", outputs=[new_output("stream", name="stdout", text=t) for t in chunks])
        return new_notebook(cells=[cell])

    one = _printed_lines(notebook("kernel (12, 16) | 0.5\nnext line\n"))
    assert one == ["kernel (12, 16) | 0.5", "next line"]
    assert _printed_lines(notebook("kernel", " (12, 16) | 0.5\n", "next line\n")) == one


def test_two_fresh_runs_give_identical_results(bench_run, tmp_path):
    import nbformat

    runs, printed = [], []
    for i in range(2):
        out = tmp_path / str(i)
        result = bench_run.execute(NOTEBOOK, "fast", out, timeout=600)
        assert result["error"] is None, result["error"]
        runs.append({k: v for k, v in result["metrics"].items() if "second" not in k})
        printed.append(_printed_lines(nbformat.read(out / NOTEBOOK.name, as_version=4)))
    assert runs[0], "the notebook recorded no metrics"
    assert runs[0] == runs[1], "recorded metrics differ between two runs"
    assert len(printed[0]) > 10
    different = [(a, b) for a, b in zip(*printed) if a != b]
    assert not different and len(printed[0]) == len(printed[1]), f"printed output differs between two runs: {different[:3]}"
