"""Open in Colab: the badge in each notebook's title cell and the set-up cell that makes a
notebook run unchanged on Colab (or any Jupyter without the course installed).

The set-up cell is the first code cell of every notebook. Where the course is installed
(``make lab``, ``pip install -e .``, Binder) it does nothing; where ``utils`` cannot be
imported it installs this package from the course's repository with pip, then the notebook
continues as usual. The install brings ``pyproject.toml``'s ``dependencies`` (what Colab lacks,
such as sacrebleu) but not TensorFlow, which Colab has; elsewhere use ``requirements.txt``.
Data files are then downloaded by the loaders from their canonical URLs into
``~/.cache/seqdl-course`` (:func:`utils.config.work_root`). ``make colab-sim`` rehearses all this
offline (``tests/colab_sim.py``).

``python -m utils.colab`` adds or refreshes the badge and the cell in ``solutions/`` (then run
``make student``); ``--check`` exits 1 when a notebook lacks them. The repository address is
the one setting: :data:`REPOSITORY`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from .config import REPO_ROOT

#: Where the course is published (owner/name on GitHub) and the branch students open.
REPOSITORY = "seqdl-course/seqdl-course"
BRANCH = "main"

SETUP_MARKER = "# Colab set-up"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


def colab_url(chapter_file: str) -> str:
    """The Colab address of the student version of a notebook (``chapters/<file>``)."""
    return f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/chapters/{chapter_file}"


def badge(chapter_file: str) -> str:
    """Markdown for the "Open in Colab" badge of a notebook."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(chapter_file)})"


def install_command() -> list[str]:
    """The pip command the set-up cell runs when ``utils`` is missing."""
    return [sys.executable, "-m", "pip", "install", "--quiet",
            f"git+https://github.com/{REPOSITORY}@{BRANCH}"]


def setup_cell_source() -> str:
    """The first code cell of every notebook. It must not import anything from the course."""
    return f'''{SETUP_MARKER} (Colab or any Jupyter without the course installed): installs the course's
# helper package `utils` from its repository when it cannot be imported; does nothing otherwise.
import importlib
import subprocess
import sys

try:
    import utils.config
except ModuleNotFoundError:
    sys.modules.pop("utils", None)  # a different package called `utils` may be in the way
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "git+https://github.com/{REPOSITORY}@{BRANCH}"], check=True)
    importlib.invalidate_caches()'''


def apply(nb: nbformat.NotebookNode, chapter_file: str) -> bool:
    """Add or refresh the badge (end of the title cell) and the set-up cell (first code cell).
    Returns True when the notebook changed."""
    changed = False
    title = nb.cells[0]
    if title.cell_type != "markdown":
        raise ValueError(f"{chapter_file}: the first cell must be the markdown title cell.")
    lines = [line for line in title.source.splitlines() if "colab-badge.svg" not in line]
    wanted = "\n".join([*lines, "", badge(chapter_file)]).replace("\n\n\n", "\n\n")
    if title.source != wanted:
        title.source, changed = wanted, True
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if code and nb.cells[code[0]].source.startswith(SETUP_MARKER):
        if nb.cells[code[0]].source != setup_cell_source():
            nb.cells[code[0]].source, changed = setup_cell_source(), True
    else:
        cell = nbformat.v4.new_code_cell(setup_cell_source())
        cell.id = "colab-setup"
        nb.cells.insert(code[0] if code else len(nb.cells), cell)
        changed = True
    return changed


def problems(path: Path) -> list[str]:
    """What is missing from one notebook (empty when badge and cell are current)."""
    nb = nbformat.read(path, as_version=4)
    out = []
    if badge(path.name) not in nb.cells[0].source:
        out.append(f"{path}: the title cell lacks the Colab badge")
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or code[0].source != setup_cell_source():
        out.append(f"{path}: the first code cell is not the current Colab set-up cell")
    return out


def main(argv: list[str]) -> int:
    paths = sorted((REPO_ROOT / "solutions").glob("*.ipynb"))
    if "--check" in argv:
        found = [p for path in [*paths, *sorted((REPO_ROOT / "chapters").glob("*.ipynb"))] for p in problems(path)]
        print("\n".join(found) or "every notebook has the Colab badge and set-up cell")
        return 1 if found else 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if apply(nb, path.name):
            nbformat.write(nb, path)
            print(f"updated {path.relative_to(REPO_ROOT)}")
    print("now run `make student` to regenerate chapters/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
