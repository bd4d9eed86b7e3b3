"""Execute every solution notebook in a fresh kernel and record what it costs and achieves.

For each notebook: wall time, the cells that took 20 s or more, peak resident memory of the kernel process (sampled every 0.2 s
with psutil), and the key numbers the notebook exposes through ``utils.record`` (read from
``$COURSE_METRICS_FILE``, never parsed from printed text). Results are merged into
``benchmarks/results.json`` under the mode ("full" or "fast"), ``benchmarks/results.md`` is
rewritten, and the README chapter table is regenerated from them (see ``benchmarks/report.py``).

Run alone: other work on the CPU distorts the timings. From the repo root::

    make bench                        # every notebook, full mode (about 35 minutes on 2 cores)
    make bench MODE=fast              # the fast-mode times of the README table
    make bench NOTEBOOKS=08_language_model
    make bench BACKEND=jax            # the same under KERAS_BACKEND=jax, into results_jax.json

A run on the default backend (TensorFlow) goes to ``results.json``; a JAX run to
``results_jax.json``, and ``backends.md`` puts the two side by side (time, peak RAM, every key
metric). Only TensorFlow runs feed the README table and the numbers quoted in the notebooks.

Executed notebooks (with outputs) are kept in ``build/executed/<mode>/`` for ``make html``.
In full mode the numbers the notebooks' prose quotes (``benchmarks/quotes.py``) are rewritten
from the new results and ``chapters/`` is regenerated.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
BACKENDS = {"tensorflow": RESULTS, "jax": ROOT / "benchmarks" / "results_jax.json"}
"""Where each Keras backend's runs are kept; TensorFlow is the course's default."""
SLOW_CELL_SECONDS = 20.0
"""Cells that take at least this long are listed in a run's ``slow_cells`` (cell id → seconds), so
that ``tests/test_bench.py`` can check that every cell over a minute is announced with ⏱."""


class PeakMemory(threading.Thread):
    """Samples the resident memory of a process and its children until stopped."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.process, self.interval, self.peak = psutil.Process(pid), interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                pass
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def execute(notebook: Path, mode: str, out_dir: Path, timeout: int, backend: str = "tensorflow") -> dict:
    """Run one notebook top to bottom in a new kernel on the Keras ``backend``; return its measurements."""
    nb = nbformat.read(notebook, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        metrics_file = Path(tmp) / "metrics.json"
        env = {k: v for k, v in os.environ.items() if k not in ("COURSE_FAST", "COURSE_METRICS_FILE")}
        env["COURSE_METRICS_FILE"] = str(metrics_file)
        env["KERAS_BACKEND"] = backend
        if mode == "fast":
            env["COURSE_FAST"] = "1"
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(ROOT)}})
        error, start, slow = None, time.perf_counter(), {}
        with client.setup_kernel(env=env):
            sampler = PeakMemory(client.km.provisioner.process.pid)
            sampler.start()
            try:
                for index, cell in enumerate(nb.cells):
                    began = time.perf_counter()
                    client.execute_cell(cell, index)
                    took = time.perf_counter() - began
                    if took >= SLOW_CELL_SECONDS:
                        slow[cell.get("id", str(index))] = round(took, 1)
            except Exception as exc:  # noqa: BLE001 (recorded and reported; the bench goes on)
                error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:300]}"
            finally:
                peak = sampler.stop()
        seconds = time.perf_counter() - start
        metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / notebook.name)
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak / 2**20), "metrics": metrics,
            "error": error, "slow_cells": slow}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("full", "fast"), default="full")
    parser.add_argument("--notebooks", nargs="*", default=None,
                        help="notebook names without .ipynb (default: every notebook in solutions/)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    parser.add_argument("--backend", choices=tuple(BACKENDS), default="tensorflow",
                        help="the Keras backend the notebooks run on (default: tensorflow)")
    parser.add_argument("--shared-cpu", action="store_true",
                        help="other jobs ran beside the bench: the times are upper bounds, and the reports say so")
    parser.add_argument("--results", type=Path, default=None,
                        help="write the runs to this JSON file instead of benchmarks/results.json, and leave "
                             "results.md and the quoted numbers alone (for a trial run)")
    args = parser.parse_args(argv)
    results_file = args.results or BACKENDS[args.backend]
    default_backend = args.backend == "tensorflow"

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from report import machine, write_backend_table, write_reports  # a sibling script, not a package

    notebooks = sorted((ROOT / "solutions").glob("*.ipynb"))
    if args.notebooks:
        wanted = set(args.notebooks)
        unknown = wanted - {p.stem for p in notebooks}
        if unknown:
            parser.error(f"no such notebook in solutions/: {', '.join(sorted(unknown))}")
        notebooks = [p for p in notebooks if p.stem in wanted]

    results = json.loads(results_file.read_text()) if results_file.is_file() else {}
    failed = False
    for notebook in notebooks:
        print(f"{notebook.stem} ({args.mode} mode, {args.backend}) ...", flush=True)
        executed = ROOT / "build" / "executed" / (args.mode if default_backend else f"{args.backend}-{args.mode}")
        run = execute(notebook, args.mode, executed, args.timeout, args.backend)
        run["machine"] = machine()
        run["backend"] = args.backend
        run["date"] = time.strftime("%Y-%m-%d")
        if args.shared_cpu:
            run["shared_cpu"] = True
        results.setdefault(args.mode, {})[notebook.stem] = run
        results_file.write_text(json.dumps(results, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        status = run["error"] or "ok"
        print(f"  {run['seconds']:.0f} s, peak {run['peak_rss_mb']} MB, {len(run['metrics'])} metrics: {status}",
              flush=True)
        failed |= run["error"] is not None
    if args.results is not None:
        return 1 if failed else 0
    write_backend_table({name: json.loads(path.read_text()) if path.is_file() else {}
                         for name, path in BACKENDS.items()})
    if not default_backend:  # the README table and the quoted numbers are the default backend's
        return 1 if failed else 0
    write_reports(results)
    if args.mode == "full":
        from quotes import update  # the full-mode numbers quoted in the notebooks' prose

        changed = update(results)
        for name in changed:
            print(f"updated the quoted full-mode numbers in solutions/{name}")
        if changed:
            from utils.student import main as regenerate_chapters

            regenerate_chapters([])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
