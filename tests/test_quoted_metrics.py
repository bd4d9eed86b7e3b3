"""The full-mode numbers the notebooks' prose quotes equal benchmarks/results.json
(benchmarks/quotes.py; ``make bench`` rewrites them)."""

import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import quotes  # noqa: E402

RESULTS = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))


def test_every_quote_names_a_recorded_metric_and_matches_it():
    assert quotes.problems(RESULTS) == []


def test_the_prose_quotes_the_key_results():
    """Quotes exist where the prose compares recorded results (a vacuous pass is impossible)."""
    found = quotes.all_quotes()
    assert len(found) >= 10
    assert len({q.notebook for q in found}) >= 4


@pytest.mark.parametrize("text, value, expected", [
    ("reached 0.870<!-- full:m --> accuracy", 0.87043, "reached 0.870<!-- full:m --> accuracy"),
    ("reached 0.870<!-- full:m --> accuracy", 0.8836, "reached 0.884<!-- full:m --> accuracy"),
    ("MAE 2.51 <!-- full:m --> °C", 2.3584, "MAE 2.36 <!-- full:m --> °C"),
    ("87.0 %<!-- full:m -->", 0.8836, "88.4 %<!-- full:m -->"),
    ("87%<!--full:m-->", 0.8836, "88%<!-- full:m -->"),
    ("BLEU 15<!-- full:m -->", 14.63, "BLEU 15<!-- full:m -->"),
    ("0.5<!-- full:unknown -->", 0.9, "0.5<!-- full:unknown -->"),
    ("no quote 0.870 here", 0.1, "no quote 0.870 here"),
])
def test_rewrite_keeps_precision_and_form(text, value, expected):
    assert quotes.rewrite(text, {"m": value}) == expected


def test_stale_and_unknown_quotes_are_reported(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("a 0.50<!-- full:acc --> b 3.1<!-- full:nobody -->"),
                nbformat.v4.new_code_cell("x = 0.50  # <!-- full:acc --> in code is not prose")]
    nbformat.write(nb, tmp_path / "09_toy.ipynb")
    results = {"full": {"09_toy": {"metrics": {"acc": 0.75}}}}
    found = quotes.problems(results, tmp_path)
    assert len(found) == 2
    assert "says 0.50 for acc, results.json has 0.75" in found[0]
    assert "'nobody', which no notebook records" in found[1]
    assert quotes.update(results, tmp_path) == ["09_toy.ipynb"]
    assert quotes.problems(results, tmp_path) == [found[1]]
    assert "0.75<!-- full:acc -->" in nbformat.read(tmp_path / "09_toy.ipynb", as_version=4).cells[0].source
