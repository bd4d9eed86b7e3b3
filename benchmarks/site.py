"""Render the course as a static book site with Sphinx, myst-nb and the book theme.

The site has the chapter table as its front page (``index.md``, generated from
``benchmarks/report.py``'s README table), one page per notebook with navigation between the
chapters, full-text search, a table of contents per page, rendered math and tables, and a
"Colab" launch button (plus the title cell's "Open in Colab" link) pointing at the student
version in ``chapters/``. When ``solutions/zh/*.ipynb`` exist, the Chinese edition appears
beside the English one as a second section, 中文版.

Pages are the executed notebooks of ``build/executed/<mode>/`` (all outputs and plots; myst-nb
does not execute anything). A notebook whose executed copy is missing or whose code differs
from its source in ``solutions/`` is executed first through ``benchmarks/run.py``, which also
records its time and metrics, so the front page and the pages show the same run; when only
markdown changed, the page shows the current prose with the run's outputs. A notebook without
an executed copy is shown as committed, without outputs.

The site works offline, opened from disk: MathJax (3.2, SVG output, from the
``sphinx-mathjax-offline`` package) is copied into the site, and the theme ships its own
scripts, styles and icons. The Sphinx configuration is :func:`conf_py`, written with the page
sources into ``build/site-src/``; the site goes to ``build/site/`` (both git-ignored)::

    make html              # full mode (what students run); executes what is stale
    make html MODE=fast    # quick preview
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import report  # noqa: E402 (sibling script)
import run  # noqa: E402 (sibling script)

from utils.colab import BRANCH, REPOSITORY  # noqa: E402 (after the path is set)
from utils.config import _check_path  # noqa: E402

MODES = ("full", "fast")
#: The folder of ``solutions/`` (and of ``build/executed/<mode>/``) that holds the Chinese edition.
ZH = "zh"
TITLE = "Deep learning for sequence processing · 深度学习用于序列处理"
COLAB_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*colab-badge\.svg\)\]\(([^)\s]+)\)")


def _check_mode(mode: object) -> str:
    """Return ``mode``; ValueError unless it is "full" or "fast"."""
    if mode not in MODES:
        raise ValueError(f"mode must be 'full' or 'fast', got {mode!r}.")
    return mode


def _code(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def stale(mode: str) -> list[str]:
    """Notebooks whose executed copy is missing or whose code differs from the solution's."""
    _check_mode(mode)
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


def offline_badge(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with its "Open in Colab" badge image (fetched from colab.research.google.com)
    turned into a plain text link to the same address, so a page opened offline looks right."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = COLAB_BADGE.sub(r"[Open in Colab](\1)", cell.source)
    return nb


def page_notebook(source: object, executed_dir: object) -> tuple[nbformat.NotebookNode, bool]:
    """The notebook a page shows, and whether it has outputs from a run.

    ``source`` is a notebook of ``solutions/`` (or ``solutions/zh/``); ``executed_dir`` holds
    the executed copies of the same folder. The executed copy with the current prose when there
    is one, else the source as committed (no outputs).
    """
    source = _check_path("source", source)
    executed = _check_path("executed_dir", executed_dir) / source.name
    if not source.is_file():
        raise ValueError(f"source must be an existing notebook, got {source} (no such file).")
    if executed.is_file():
        return offline_badge(with_current_prose(nbformat.read(executed, as_version=4), source)), True
    return offline_badge(nbformat.read(source, as_version=4)), False


def chapter_pages(solutions: object, executed_dir: object) -> dict[str, tuple[nbformat.NotebookNode, bool]]:
    """Every page of the site by its name (``"01_text_vectorization"``, ``"zh/01_..."``):
    the notebooks of ``solutions`` then those of ``solutions/zh``, each as :func:`page_notebook`
    gives it (executed copies of ``solutions/zh`` are looked for in ``executed_dir/zh``)."""
    solutions, executed_dir = _check_path("solutions", solutions), _check_path("executed_dir", executed_dir)
    if not solutions.is_dir():
        raise ValueError(f"solutions must be the folder of the solution notebooks, got {solutions} (not a folder).")
    pages = {p.stem: page_notebook(p, executed_dir) for p in sorted(solutions.glob("*.ipynb"))}
    for p in sorted((solutions / ZH).glob("*.ipynb")):
        pages[f"{ZH}/{p.stem}"] = page_notebook(p, executed_dir / ZH)
    if not pages:
        raise ValueError(f"solutions must hold notebooks (*.ipynb), found none in {solutions}.")
    return pages


def _toctree(caption: str, names: list[str]) -> str:
    return "\n".join([f"```{{toctree}}\n:caption: {caption}\n:maxdepth: 1\n:hidden:\n", *names, "```"])


def index_markdown(results: Mapping, mode: str, pages: Mapping[str, bool]) -> str:
    """The front page: the README's chapter table, linking the pages, and the table of contents.

    ``pages`` maps every page name (as :func:`chapter_pages` names them) to whether it shows a
    run's outputs. Links to ``chapters/*.ipynb`` become links to the pages; a chapter with a
    Chinese page gets its Chinese title linked to it; the Colab links stay as they are.
    """
    if not isinstance(results, Mapping):
        raise TypeError(f"results must be a dict (benchmarks/results.json), got {type(results).__name__}.")
    if not isinstance(pages, Mapping) or not pages:
        raise ValueError(f"pages must be a non-empty dict of page name to bool, got {pages!r}.")
    _check_mode(mode)
    english = [name for name in pages if not name.startswith(f"{ZH}/")]
    chinese = [name for name in pages if name.startswith(f"{ZH}/")]
    table = re.sub(r"\]\(chapters/([^)]+)\.ipynb\)", r"](\1.ipynb)", report.readme_table(dict(results)))
    # the header, the rule and the rows of the chapters that have a page here
    rows = [row for i, row in enumerate(table.splitlines())
            if i < 2 or any(f"]({name}.ipynb)" in row for name in english)]
    for chapter in report.chapters():
        if f"{ZH}/{chapter['notebook']}" in pages:
            rows = [row.replace(f"| {chapter['zh']} |", f"| [{chapter['zh']}]({ZH}/{chapter['notebook']}.ipynb) |")
                    if f"]({chapter['notebook']}.ipynb)" in row else row for row in rows]
    unrun = [name for name, ran in pages.items() if not ran]
    note = (f" Not executed yet, shown without outputs: {', '.join(f'`{n}`' for n in unrun)}." if unrun else "")
    parts = [
        f"# {TITLE}\n",
        f"Each chapter page is a solution notebook executed top to bottom in **{mode} mode** "
        f"(`make html MODE={mode}`).{note} The table's numbers come from `benchmarks/results.json` "
        "(`make bench`); each page's Colab button opens the student version of the notebook.\n",
        "\n".join(rows) + "\n",
        _toctree("Chapters", english) + "\n",
    ]
    if chinese:
        parts.append(_toctree("中文版", chinese) + "\n")
    return "\n".join(parts)


#: What the site needs of MathJax 3: the TeX-to-SVG bundle (SVG output needs no web fonts, so
#: math renders from disk too), the TeX extensions it loads on demand and the menu's parts.
MATHJAX_PARTS = ("tex-svg.js", "input", "output/svg.js", "output/svg", "ui", "a11y", "sre")


def mathjax_dir() -> Path:
    """MathJax 3 as the ``sphinx-mathjax-offline`` package ships it (requirements-dev.txt)."""
    from importlib import resources

    try:
        folder = Path(str(resources.files("sphinx-mathjax-offline"))) / "static" / "mathjax"
    except ModuleNotFoundError as exc:
        raise RuntimeError("the site needs MathJax from the sphinx-mathjax-offline package; "
                           "install the dev requirements: pip install -r requirements-dev.txt") from exc
    return folder


def copy_mathjax(static: Path) -> None:
    """Copy :data:`MATHJAX_PARTS` of MathJax into ``static/mathjax``."""
    source, target = mathjax_dir(), static / "mathjax"
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def conf_py(chinese: bool) -> str:
    """The Sphinx configuration of the site (``conf.py`` in the page sources)."""
    settings = {
        "project": TITLE,
        "author": "the course authors",
        "copyright": "the course authors",
        "extensions": ["myst_nb", "sphinx.ext.mathjax"],
        "exclude_patterns": ["**.ipynb_checkpoints"],
        # pages show the outputs stored in the notebooks (build/executed/); nothing runs here
        "nb_execution_mode": "off",
        "myst_enable_extensions": ["dollarmath", "amsmath"],
        "language": "en",
        # Sphinx's Chinese search splits words with jieba when it is installed (latin words only otherwise)
        "html_search_language": "zh" if chinese else "en",
        "html_theme": "sphinx_book_theme",
        "html_title": TITLE,
        "html_static_path": ["_static"],
        "html_theme_options": {
            # the Colab launch button: colab_url/github/<repository>/blob/<branch>/<path_to_docs>/<page>.ipynb,
            # i.e. utils.colab.colab_url of the student version in chapters/
            "repository_url": f"https://github.com/{REPOSITORY}",
            "repository_branch": BRANCH,
            "path_to_docs": "chapters",
            "launch_buttons": {"colab_url": "https://colab.research.google.com"},
            "use_download_button": True,
            "show_toc_level": 2,
        },
        # MathJax 3 from the site itself (Sphinx loads it from a CDN by default), SVG output
        "mathjax_path": "mathjax/tex-svg.js",
        "mathjax3_config": {"svg": {"fontCache": "global"}},
    }
    lines = ['"""Sphinx configuration of the course site, written by benchmarks/site.py (do not edit)."""', ""]
    lines += [f"{name} = {value!r}" for name, value in settings.items()]
    return "\n".join(lines) + "\n"


def write_sources(src: object, pages: Mapping[str, tuple[nbformat.NotebookNode, bool]],
                  results: Mapping, mode: str) -> None:
    """Write the site's sources into the (new or emptied) folder ``src``: ``conf.py``,
    ``index.md``, one notebook per page and MathJax in ``_static/mathjax``."""
    src = _check_path("src", src)
    if not isinstance(pages, Mapping) or not pages:
        raise ValueError(f"pages must be a non-empty dict as chapter_pages returns it, got {pages!r}.")
    if src.exists():
        shutil.rmtree(src)
    (src / "_static").mkdir(parents=True)
    for name, (nb, _) in pages.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, src / f"{name}.ipynb")
    (src / "index.md").write_text(index_markdown(results, mode, {n: ran for n, (_, ran) in pages.items()}))
    (src / "conf.py").write_text(conf_py(chinese=any(n.startswith(f"{ZH}/") for n in pages)))
    copy_mathjax(src / "_static")


def build(src: object, site: object) -> str:
    """Run ``sphinx-build -b html`` from ``src`` into the (new or emptied) folder ``site``;
    return Sphinx's warnings (empty when there are none). RuntimeError if the build fails."""
    src, site = _check_path("src", src), _check_path("site", site)
    if not (src / "conf.py").is_file():
        raise ValueError(f"src must hold the site's sources (conf.py), got {src}; call write_sources first.")
    if site.exists():
        shutil.rmtree(site)
    doctrees = site.parent / f".{site.name}-doctrees"
    shutil.rmtree(doctrees, ignore_errors=True)
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(doctrees), str(src), str(site)],
                          capture_output=True, text=True)
    shutil.rmtree(doctrees, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(f"sphinx-build failed (exit {done.returncode}) on {src}:\n{done.stderr}{done.stdout}")
    return done.stderr


def render(solutions: object, executed_dir: object, src: object, site: object,
           results: Mapping, mode: str) -> list[Path]:
    """The whole site from the notebooks of ``solutions`` (executed copies from ``executed_dir``):
    sources into ``src``, HTML into ``site``. Returns the chapter pages' HTML files."""
    pages = chapter_pages(solutions, executed_dir)
    write_sources(src, pages, results, mode)
    warnings = build(src, site)
    if warnings:
        print(warnings, file=sys.stderr, end="")
    site = Path(site)
    return [site / f"{name}.html" for name in pages]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=MODES, default="full")
    args = parser.parse_args(argv)

    todo = stale(args.mode)
    if todo and run.main(["--mode", args.mode, "--notebooks", *todo]) != 0:
        print("some notebooks failed; their pages show the error", file=sys.stderr)
    results = json.loads(report.RESULTS.read_text()) if report.RESULTS.is_file() else {}
    site = ROOT / "build" / "site"
    pages = render(ROOT / "solutions", ROOT / "build" / "executed" / args.mode, ROOT / "build" / "site-src",
                   site, results, args.mode)
    print(f"site: {site / 'index.html'} and {len(pages)} notebook pages, from build/executed/{args.mode}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
