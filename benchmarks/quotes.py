"""Full-mode numbers quoted in the notebooks' prose, kept equal to ``benchmarks/results.json``.

A number in a markdown cell of ``solutions/`` that quotes a metric the notebook records with
``utils.record`` is followed by an HTML comment naming it, invisible when the notebook is
rendered::

    The LSTM reached 0.870<!-- full:ch03_lstm_test_accuracy --> test accuracy (full mode).

The number keeps the precision it is written with (``0.870`` three decimals, ``87.0 %`` one
decimal of a percentage, ``14.6`` one decimal). ``make bench`` (full mode) rewrites every quoted
number from the new results, so prose never drifts from the measurements, and
``tests/test_quoted_metrics.py`` fails when a quote is stale or names a metric nobody records.

    python benchmarks/quotes.py           # rewrite the quotes from results.json
    python benchmarks/quotes.py --check   # exit 1 and list the stale ones
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
SOLUTIONS = ROOT / "solutions"

#: a number (optionally a percentage) directly followed by ``<!-- full:metric_name -->``
QUOTE = re.compile(r"(?P<number>-?\d+(?:\.\d+)?)(?P<percent>\s?%)?(?P<gap>\s*)<!--\s*full:(?P<name>\w+)\s*-->")


@dataclass(frozen=True)
class Quote:
    """One quoted number: where it is, what it says and which metric it quotes."""

    notebook: str
    cell: int
    text: str
    percent: bool
    name: str

    @property
    def decimals(self) -> int:
        return len(self.text.split(".")[1]) if "." in self.text else 0

    def expected_text(self, value: float) -> str:
        """``value`` written as this quote writes its number (same decimals, percent or not)."""
        shown = value * 100 if self.percent else value
        return f"{shown:.{self.decimals}f}"


def full_metrics(results: dict) -> dict[str, float]:
    """Every metric recorded by any notebook in full mode (names are unique across chapters)."""
    merged: dict[str, float] = {}
    for run in results.get("full", {}).values():
        merged.update(run.get("metrics", {}))
    return merged


def quotes_in(source: str, notebook: str = "", cell: int = 0) -> list[Quote]:
    """The quotes in one markdown text."""
    return [Quote(notebook, cell, m["number"], bool(m["percent"]), m["name"]) for m in QUOTE.finditer(source)]


def rewrite(source: str, metrics: dict[str, float]) -> str:
    """``source`` with every quoted number set from ``metrics`` (unknown names left as they are)."""
    def one(m: re.Match[str]) -> str:
        quote = quotes_in(m[0])[0]
        if quote.name not in metrics:
            return m[0]
        return f"{quote.expected_text(metrics[quote.name])}{m['percent'] or ''}{m['gap']}<!-- full:{quote.name} -->"

    return QUOTE.sub(one, source)


def all_quotes(solutions: Path = SOLUTIONS) -> list[Quote]:
    """Every quote in the markdown cells of the solution notebooks."""
    found = []
    for path in sorted(solutions.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                found += quotes_in(cell.source, path.stem, index)
    return found


def problems(results: dict, solutions: Path = SOLUTIONS) -> list[str]:
    """What is wrong with the quotes: unknown metric names and numbers that differ from the results."""
    metrics = full_metrics(results)
    out = []
    for q in all_quotes(solutions):
        where = f"solutions/{q.notebook}.ipynb, cell {q.cell}"
        if q.name not in metrics:
            out.append(f"{where}: quotes {q.name!r}, which no notebook records in full mode "
                       f"(record it with utils.record, or fix the name)")
        elif q.text != q.expected_text(metrics[q.name]):
            out.append(f"{where}: says {q.text}{' %' if q.percent else ''} for {q.name}, results.json has "
                       f"{q.expected_text(metrics[q.name])} (run `python benchmarks/quotes.py`, then `make student`)")
    return out


def update(results: dict, solutions: Path = SOLUTIONS) -> list[str]:
    """Rewrite every stale quote in place; return the notebooks changed."""
    metrics = full_metrics(results)
    changed = []
    for path in sorted(solutions.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        dirty = False
        for cell in nb.cells:
            if cell.cell_type == "markdown" and QUOTE.search(cell.source):
                new = rewrite(cell.source, metrics)
                dirty |= new != cell.source
                cell.source = new
        if dirty:
            nbformat.write(nb, path)
            changed.append(path.name)
    return changed


def main(argv: list[str]) -> int:
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    if "--check" in argv:
        found = problems(results)
        for line in found:
            print(line)
        return 1 if found else 0
    for name in update(results):
        print(f"updated the quoted full-mode numbers in solutions/{name} (run `make student` next)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
