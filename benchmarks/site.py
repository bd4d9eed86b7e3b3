"""Render the course as a static site: an index with the chapter table, one page per notebook.

Pages are the executed notebooks of ``build/executed/<mode>/`` (all outputs and plots),
rendered with nbconvert's HTML exporter. A notebook whose executed copy is missing or whose
code differs from its source in ``solutions/`` is executed first through ``benchmarks/run.py``, which also
records its time and metrics, so the index and the pages show the same run; when only markdown
changed, the page shows the current prose with the run's outputs. Output goes to
``build/site/`` (git-ignored)::

    make html              # full mode (what students run); executes what is stale
    make html MODE=fast    # quick preview
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import report  # noqa: E402 (sibling script)
import run  # noqa: E402 (sibling script)


def _code(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def stale(mode: str) -> list[str]:
    """Notebooks whose executed copy is missing or whose code differs from the solution's."""
    out = []
    for source in sorted((ROOT / "solutions").glob("*.ipynb")):
        executed = ROOT / "build" / "executed" / mode / source.name
        if not executed.is_file() or _code(executed) != _code(source):
            out.append(source.stem)
    return out


def with_current_prose(executed: nbformat.NotebookNode, source: Path) -> nbformat.NotebookNode:
    """The executed notebook with the markdown of its source, when only markdown changed since
    the run (a corrected sentence should not cost a re-run); otherwise unchanged."""
    current = nbformat.read(source, as_version=4)
    same_layout = [c.cell_type for c in current.cells] == [c.cell_type for c in executed.cells]
    if same_layout and _code(source) == [c.source for c in executed.cells if c.cell_type == "code"]:
        for old, new in zip(executed.cells, current.cells):
            if new.cell_type == "markdown":
                old.source = new.source
    return executed


def index_page(results: dict, mode: str) -> str:
    """The README's chapter table as a notebook-free HTML page, links pointing at the pages."""
    # links to the notebooks become links to their pages; the Colab links stay as they are
    table = re.sub(r"\]\(chapters/([^)]+)\.ipynb\)", r"](\1.html)", report.readme_table(results))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# Deep learning for sequence processing · 深度学习用于序列处理\n\n"
        f"Every page below is a solution notebook executed top to bottom in **{mode} mode**; the table's "
        "numbers come from `benchmarks/results.json` (`make bench`).\n\n" + table)])
    body, _ = HTMLExporter(template_name="lab", exclude_input_prompt=True).from_notebook_node(nb)
    return body


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("full", "fast"), default="full")
    args = parser.parse_args(argv)

    todo = stale(args.mode)
    if todo and run.main(["--mode", args.mode, "--notebooks", *todo]) != 0:
        print("some notebooks failed; their pages show the error", file=sys.stderr)
    results = json.loads(report.RESULTS.read_text()) if report.RESULTS.is_file() else {}

    site = ROOT / "build" / "site"
    site.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    for executed in sorted((ROOT / "build" / "executed" / args.mode).glob("*.ipynb")):
        nb = with_current_prose(nbformat.read(executed, as_version=4), ROOT / "solutions" / executed.name)
        body, _ = exporter.from_notebook_node(nb)
        (site / f"{executed.stem}.html").write_text(body)
    (site / "index.html").write_text(index_page(results, args.mode))
    pages = sorted(p.name for p in site.glob("*.html"))
    print(f"site: {site}/index.html and {len(pages) - 1} notebook pages ({html.escape(', '.join(pages))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
