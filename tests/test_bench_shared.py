"""benchmarks/report.py: a run made while other jobs shared the CPU has its times marked as upper
bounds, in the README table and in results.md; a clean run is not marked."""

import pytest
from benchscripts import load


@pytest.fixture(scope="module")
def report():
    return load("report")


def _results(shared: bool) -> dict:
    run = {"seconds": 1494.2, "peak_rss_mb": 2507, "metrics": {}, "error": None, "date": "2026-12-02",
           "machine": {"cores": 2, "cpu": "x", "system": "Linux", "python": "3.11.7"}}
    if shared:
        run["shared_cpu"] = True
    return {"full": {"03_lstm_gru_sentiment": run}}


def test_shared_cpu_times_are_marked(report):
    table, markdown = report.readme_table(_results(True)), report.results_markdown(_results(True))
    assert "24 min 54 s \\*" in table and report.SHARED_NOTE in table
    assert "24 min 54 s \\*" in markdown and report.SHARED_NOTE in markdown


def test_clean_times_are_not_marked(report):
    table, markdown = report.readme_table(_results(False)), report.results_markdown(_results(False))
    assert "24 min 54 s," in table and "\\*" not in table and report.SHARED_NOTE not in markdown
