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


def test_a_long_cell_must_be_announced(report):
    import nbformat

    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook(cells=[md("Train it. ⏱ About two minutes."), code("fit()"),
                                         md("Now the next one."), code("fit_again()"), code("# ⏱ slow\nfit()")])
    nbformat.validator.normalize(nb)
    ids = [c.id for c in nb.cells]
    assert report.unannounced_long_cells(nb, {ids[1]: 130.0, ids[4]: 200.0}) == []
    [problem] = report.unannounced_long_cells(nb, {ids[1]: 130.0, ids[3]: 75.0})
    assert problem.startswith("cell 3") and "75 s" in problem
    assert report.unannounced_long_cells(nb, {ids[3]: 59.0}) == []  # a minute or less needs no warning


def test_every_long_cell_of_a_quiet_full_run_is_announced(report):
    """The committed full-mode runs measured on a quiet machine (not ``--shared-cpu``, whose times
    are upper bounds) list their slow cells; every one over a minute is announced with ⏱."""
    import json

    import nbformat

    full = json.loads(report.RESULTS.read_text()).get("full", {})
    quiet = {name: run for name, run in full.items() if not run.get("shared_cpu") and "slow_cells" in run}
    problems = []
    for name, run in quiet.items():
        nb = nbformat.read(report.ROOT / "solutions" / f"{name}.ipynb", as_version=4)
        problems += [f"solutions/{name}.ipynb {p}" for p in report.unannounced_long_cells(nb, run["slow_cells"])]
    assert not problems, "\n".join(problems)


def test_durations_read_naturally(report):
    assert report.duration(59.4) == "59 s" and report.duration(560) == "9 min 20 s"


@pytest.fixture(scope="module")
def site():
    return load("site")


ZH_PROSE = "## 公式\n\n循环网络：$h_t = \\tanh(W x_t + U h_{t-1})$\n\n| 层 | 参数 |\n|---|---|\n| SimpleRNN | 96 |\n"


@pytest.fixture(scope="module")
def built(site, tmp_path_factory):
    """The site built from the committed (output-free) solution notebooks, plus a fake Chinese
    chapter with math and a table, and a fake executed copy of chapter 02 with one output."""
    import json
    import shutil

    import nbformat

    tmp = tmp_path_factory.mktemp("site")
    solutions, executed = tmp / "solutions", tmp / "executed"
    (solutions / "zh").mkdir(parents=True)
    executed.mkdir()
    for notebook in sorted((site.ROOT / "solutions").glob("*.ipynb")):
        shutil.copy(notebook, solutions / notebook.name)
    zh = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · 文本向量化"),
                                         nbformat.v4.new_markdown_cell(ZH_PROSE)])
    nbformat.write(zh, solutions / "zh" / "01_text_vectorization.ipynb")
    ran = nbformat.read(solutions / "02_rnn_time_step.ipynb", as_version=4)
    code = next(c for c in ran.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="output kept from the benchmark run\n")]
    nbformat.write(ran, executed / "02_rnn_time_step.ipynb")
    results = json.loads(site.report.RESULTS.read_text())
    pages = site.render(solutions, executed, tmp / "src", tmp / "html", results, "fast")
    return tmp / "html", pages


def _chapters(site):
    return sorted(p.stem for p in (site.ROOT / "solutions").glob("*.ipynb"))


def test_site_has_every_chapter_page_search_navigation_and_a_colab_button(site, built):
    import re

    from utils.colab import colab_url

    html, pages = built
    names = _chapters(site)
    assert [p.name for p in pages[:len(names)]] == [f"{n}.html" for n in names]
    assert (html / "searchindex.js").is_file() and (html / "search.html").is_file()
    assert "vectorization" in (html / "searchindex.js").read_text()
    for name in names:
        page = (html / f"{name}.html").read_text()
        launch = re.search(r'<a href="([^"]+)"[^>]*title="Launch on Colab"', page)
        assert launch and launch.group(1) == colab_url(f"{name}.ipynb"), f"{name}: no Colab button to chapters/"
        others = [n for n in names if n != name]
        assert all(f'href="{n}.html"' in page for n in others), f"{name}: the sidebar lacks a chapter"
        assert 'id="pst-page-toc-nav"' in page, f"{name}: no table of contents"
        assert "colab-badge.svg" not in page, f"{name}: the badge image needs internet; a text link is expected"


def test_site_front_page_is_the_chapter_table(built):
    from utils.colab import colab_url

    front = (built[0] / "index.html").read_text()
    table = front[front.index("<table"):front.index("</table>")]
    assert 'href="01_text_vectorization.html"' in table and 'href="08_language_model.html"' in table
    assert f'href="{colab_url("01_text_vectorization.ipynb")}"' in table
    assert "chapters/01_text_vectorization.html" not in front


def test_site_pages_show_the_executed_outputs(built):
    html = built[0]
    assert "output kept from the benchmark run" in (html / "02_rnn_time_step.html").read_text()
    front = (html / "index.html").read_text()
    note = front[front.index("Not executed yet"):front.index("<table")]
    assert "03_lstm_gru_sentiment</span></code>" in note, "the pages without outputs are named"
    assert "02_rnn_time_step</span></code>" not in note


def test_site_puts_the_chinese_edition_beside_with_math_and_tables(built):
    from utils.colab import colab_url

    html = built[0]
    page = (html / "zh" / "01_text_vectorization.html").read_text()
    front = (html / "index.html").read_text()
    assert "中文版" in front and 'href="zh/01_text_vectorization.html"' in front
    assert 'class="math notranslate nohighlight">\\(h_t = \\tanh' in page
    assert '<script defer="defer" src="../_static/mathjax/tex-svg.js' in page
    assert (html / "_static" / "mathjax" / "tex-svg.js").is_file()
    assert "<table" in page and "SimpleRNN" in page
    assert colab_url("zh/01_text_vectorization.ipynb") in page


def test_site_loads_no_script_or_style_from_the_internet(built):
    import re

    for page in built[0].rglob("*.html"):
        tags = re.findall(r"<(?:script|link)\b[^>]*>", page.read_text())
        remote = [t for t in tags if re.search(r'(?:src|href)="(?:https?:)?//', t) and 'rel="canonical"' not in t]
        assert not remote, f"{page.name} needs internet for {remote}"


def test_site_index_without_a_chinese_edition_has_one_section(site):
    import json

    front = site.index_markdown(json.loads(site.report.RESULTS.read_text()), "full",
                                {"01_text_vectorization": True, "02_rnn_time_step": False})
    assert "中文版" not in front and ":caption: Chapters" in front
    assert "](01_text_vectorization.ipynb)" in front and "colab.research.google.com/github/" in front
    assert "03_lstm_gru_sentiment" not in front, "a chapter without a page has no row"
    assert "Not executed yet, shown without outputs: `02_rnn_time_step`." in front
    assert 'html_search_language = \'en\'' in site.conf_py(chinese=False)
    assert 'html_search_language = \'zh\'' in site.conf_py(chinese=True)


def test_site_rejects_wrong_arguments_plainly(site, tmp_path):
    with pytest.raises(ValueError, match="mode must be 'full' or 'fast'"):
        site.stale("slow")
    with pytest.raises(ValueError, match="solutions must be the folder"):
        site.chapter_pages(tmp_path / "missing", tmp_path)
    with pytest.raises(ValueError, match="found none"):
        site.chapter_pages(tmp_path, tmp_path)
    with pytest.raises(TypeError, match="solutions must be a path"):
        site.chapter_pages(3, tmp_path)
    with pytest.raises(ValueError, match="call write_sources first"):
        site.build(tmp_path, tmp_path / "html")


def test_site_pages_take_corrected_prose_but_never_other_code(site, tmp_path):
    import nbformat

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


def test_the_backend_table_puts_both_backends_side_by_side(report):
    """backends.md: times, speed-up (TensorFlow / JAX), RAM and each key metric per backend, a
    missed target and a comparison across machines marked."""
    chapter = next(c for c in report.chapters() if any("target" in m for m in c["metrics"]))
    metric = next(m for m in chapter["metrics"] if "target" in m)
    bad = metric["target"] - 0.1 if metric["direction"] == "min" else metric["target"] * 10
    good = metric["target"] + 0.01 if metric["direction"] == "min" else metric["target"] / 10

    def run(seconds, value, cpu="AMD", date="2026-12-03", error=None):
        return {"seconds": seconds, "peak_rss_mb": 900, "metrics": {metric["name"]: value}, "error": error,
                "machine": {"cores": 2, "cpu": cpu, "keras": "3.15.1"}, "date": date}

    name = chapter["notebook"]
    table = report.backends_markdown({"tensorflow": {"full": {name: run(120.0, good)}},
                                      "jax": {"full": {name: run(80.0, bad)}}})
    row = next(line for line in table.splitlines() if line.startswith(f"| {name}"))
    assert "| 2 min 00 s | 80 s | 1.50× | 900 MB / 900 MB |" in row
    assert f"{report.format_value(metric, bad)} ⚠" in row and f"{report.format_value(metric, good)} ⚠" not in row
    assert "†" not in row and "## full mode" in table and "## fast mode" not in table
    moved = report.backends_markdown({"tensorflow": {"full": {name: run(120.0, good, cpu="Intel")}},
                                      "jax": {"full": {name: run(80.0, good, error="CellExecutionError: x")}}})
    row = next(line for line in moved.splitlines() if line.startswith(f"| {name}"))
    assert "⚠ failed" in row and "| – |" in row  # no speed-up from a failed run
    elsewhere = report.backends_markdown({"tensorflow": {"full": {name: run(120.0, good, cpu="Intel")}},
                                          "jax": {"full": {name: run(80.0, good)}}})
    assert f"| {name} † |" in elsewhere
