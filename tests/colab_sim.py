"""Rehearse "Open in Colab" offline: student notebooks run in a fresh Python that has what Colab
preinstalls (TensorFlow, Keras, NumPy, pandas, Matplotlib, scikit-learn, Jupyter) but neither
the course's `utils` nor sacrebleu, each notebook copied out of the repository, alone.

Each notebook's own Colab set-up cell does the installing; the only change made to it is the
address: ``git+https://github.com/<REPOSITORY>@<BRANCH>`` becomes ``git+file://<this clone>@<branch>``,
because this machine cannot reach GitHub. What it proves: `pip install git+…` of the repository
builds `utils` with the dependencies Colab lacks (sacrebleu), `utils` works outside a checkout
(caches and runs under ``~/.cache/seqdl-course``), the first notebook installs and later ones
do not, and the notebooks then run unchanged. It installs the *committed* state of the branch.
What it cannot prove: the GitHub address itself, Colab's actual package versions, downloads.

    make colab-sim                                   # every chapter, fast mode (~10 min)
    make colab-sim NOTEBOOKS="07_seq2seq_attention"  # some

Not part of `make test`: it builds a virtual environment (about 1–2 min from pip's cache).
Data comes from ``COURSE_DATA_DIR`` (the Makefile points it at ../shared/datasets), as a Colab
user would mount a folder; without it the loaders would try to download.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from utils import colab

ROOT = Path(__file__).resolve().parents[1]
# What Colab has and the course needs; sacrebleu and the course itself are left out on purpose.
PREINSTALLED = ("keras", "numpy", "pandas", "matplotlib", "scikit-learn", "ipykernel", "nbformat")
TENSORFLOW = ("tensorflow-cpu", "tensorflow")  # requirements.txt picks one by platform

RUNNER = r'''
import json, sys, time
import nbformat
from nbclient import NotebookClient
path, out = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
start = time.perf_counter()
error = None
try:
    NotebookClient(nb, timeout=900, kernel_name="python3").execute()
except Exception as exc:
    error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:400]}"
nbformat.write(nb, path)
json.dump({"seconds": round(time.perf_counter() - start, 1), "error": error}, open(out, "w"))
'''


def pins() -> list[str]:
    """The requirements.txt lines of the packages Colab preinstalls (same versions as the course)."""
    wanted = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        name = re.split(r"[=<>;\s]", line, maxsplit=1)[0]
        if name in PREINSTALLED or name in TENSORFLOW:
            wanted.append(line)
    missing = set(PREINSTALLED) - {re.split(r"[=<>;\s]", w, maxsplit=1)[0] for w in wanted}
    if missing:
        raise SystemExit(f"requirements.txt lacks {sorted(missing)}")
    return wanted


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, text=True, **kwargs)


def probe(python: Path, code: str, env: dict) -> str:
    return subprocess.run([str(python), "-c", code], text=True, capture_output=True, env=env, cwd="/").stdout.strip()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", nargs="*", default=None, help="chapter names without .ipynb (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (executed notebooks)")
    args = parser.parse_args(argv)

    branch = run(["git", "-C", str(ROOT), "rev-parse", "--abbrev-ref", "HEAD"], capture_output=True).stdout.strip()
    if run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "utils", "pyproject.toml"],
           capture_output=True).stdout.strip():
        print("note: utils/ or pyproject.toml has uncommitted changes; pip installs the committed state")
    notebooks = sorted((ROOT / "chapters").glob("*.ipynb"))
    if args.notebooks:
        notebooks = [p for p in notebooks if p.stem in set(args.notebooks)]
        if len(notebooks) != len(set(args.notebooks)):
            parser.error("unknown notebook name; see chapters/")

    tmp = Path(tempfile.mkdtemp(prefix="colab-sim-"))
    venv, home, work = tmp / "venv", tmp / "home", tmp / "content"
    home.mkdir()
    work.mkdir()
    print(f"rehearsal folder {tmp}", flush=True)
    start = time.perf_counter()
    run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--quiet", *pins(), "nbclient"])
    print(f"'Colab' environment ready in {time.perf_counter() - start:.0f} s", flush=True)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(HOME=str(home), COURSE_FAST=env.get("COURSE_FAST", "1"),
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    is_installed = "import importlib.util as u; print(bool(u.find_spec('utils')), bool(u.find_spec('sacrebleu')))"
    before = probe(python, is_installed, env)
    if before != "False False":
        raise SystemExit(f"the fresh environment already has utils/sacrebleu: {before}")

    official = f"git+https://github.com/{colab.REPOSITORY}@{colab.BRANCH}"
    local = f"git+file://{ROOT}@{branch}"
    failures = 0
    for notebook in notebooks:
        text = notebook.read_text(encoding="utf-8")
        if text.count(official) != 1:
            raise SystemExit(f"{notebook.name}: expected the set-up cell's address {official} once")
        copy = work / notebook.name
        copy.write_text(text.replace(official, local), encoding="utf-8")
        had_utils = probe(python, is_installed, env).split()[0] == "True"
        result_file = tmp / f"{notebook.stem}.json"
        run([str(python), "-c", RUNNER, str(copy), str(result_file)], env=env, cwd=work)
        result = json.loads(result_file.read_text())
        after = probe(python, is_installed, env)
        installed = "installed utils" if not had_utils else "utils already there, no install"
        ok = result["error"] is None and after == "True True"
        failures += not ok
        print(f"{notebook.stem}: {result['seconds']:.0f} s, {installed}: {'ok' if ok else result['error']}", flush=True)

    where = probe(python, "import utils.config as c; print(c.in_checkout(), c.work_root(), c.REPO_ROOT)", env)
    print(f"utils in the 'Colab' environment (in_checkout, work_root, package folder): {where}")
    plain_install = where.startswith("False") and "site-packages" in where
    if not plain_install:
        print("FAILED: utils should be a plain install into site-packages, outside any checkout")
    print(f"{len(notebooks) - failures}/{len(notebooks)} notebooks ran unchanged; "
          f"whole rehearsal {time.perf_counter() - start:.0f} s")
    failures += not plain_install
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
