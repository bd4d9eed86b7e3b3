"""benchmarks/report.py: targets are flagged plainly, and the tables show measured numbers only."""

import pytest
from benchscripts import load


@pytest.fixture(scope="module")
def report():
    return load("report")


def test_targets_in_both_directions(report):
    at_least = {"name": "acc", "label": "accuracy", "target": 0.87, "direction": "min", "format": ".3f"}
    at_most = {"name": "diff", "label": "diff", "target": 1e-5, "direction": "max", "format": ".1e"}
    assert report.misses(at_least, 0.86) and not report.misses(at_least, 0.87)
    assert report.misses(at_most, 2e-5) and not report.misses(at_most, 1e-7)
    assert not report.misses({"name": "x", "label": "x"}, -1.0), "no target: nothing to miss"


def test_a_missed_target_is_flagged_and_a_missing_metric_is_reported(report):
    chapter = {"metrics": [{"name": "acc", "label": "accuracy", "target": 0.87, "direction": "min", "format": ".3f"},
                           {"name": "mae", "label": "MAE", "format": ".2f"}]}
    line = report.describe(chapter, {"metrics": {"acc": 0.851}, "error": None})
    assert "accuracy 0.851" in line and "misses target ≥ 0.870" in line and "MAE ⚠ not recorded" in line
    assert "misses" not in report.describe(chapter, {"metrics": {"acc": 0.9, "mae": 1.0}, "error": None})
    assert "failed" in report.describe(chapter, {"metrics": {}, "error": "AssertionError: x"})
    assert "not measured" in report.describe(chapter, None)


def test_every_chapter_metric_was_recorded_by_the_committed_full_run(report):
    """Each key metric in chapters.toml names a value its notebook recorded in the committed
    benchmark run (a typo or a renamed metric fails here, not silently in the README)."""
    import json

    full = json.loads(report.RESULTS.read_text()).get("full", {})
    for chapter in report.chapters():
        run = full.get(chapter["notebook"])
        assert run is not None, f"{chapter['notebook']}: no full-mode run in benchmarks/results.json (make bench)"
        for metric in chapter["metrics"]:
            assert metric["name"] in run["metrics"], f"{chapter['notebook']}: {metric['name']} was not recorded"
            assert metric.get("direction", "min") in ("min", "max")


def test_durations_read_naturally(report):
    assert report.duration(59.4) == "59 s" and report.duration(560) == "9 min 20 s"


def test_site_index_links_pages_and_keeps_colab_links():
    import json

    site = load("site")
    page = site.index_page(json.loads(site.report.RESULTS.read_text()), "full")
    assert 'href="01_text_vectorization.html"' in page
    assert "colab.research.google.com/github/" in page and "chapters/01_text_vectorization.ipynb" in page
    assert "chapters/01_text_vectorization.html" not in page


def test_site_pages_take_corrected_prose_but_never_other_code(tmp_path):
    import nbformat

    site = load("site")
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    executed = nbformat.v4.new_notebook(cells=[md("peak 4.4 GB"), code("x = 1")])
    executed.cells[1].outputs = [nbformat.v4.new_output("stream", text="ran\n")]
    source = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[md("peak 1.9 GB"), code("x = 1")]), source)
    page = site.with_current_prose(executed, source)
    assert page.cells[0].source == "peak 1.9 GB" and page.cells[1].outputs[0].text == "ran\n"
    nbformat.write(nbformat.v4.new_notebook(cells=[md("peak 1.9 GB"), code("x = 2")]), source)
    stale = nbformat.v4.new_notebook(cells=[md("old"), code("x = 1")])
    assert site.with_current_prose(stale, source).cells[0].source == "old", "code changed: keep the run as it was"
