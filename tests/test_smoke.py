"""Smoke mode (utils/smoke.py): what the suite's run of the student notebooks cuts, and only that."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from utils import smoke
from utils.config import REPO_ROOT


def test_fit_arguments_are_cut_to_one_epoch_of_two_batches():
    assert smoke.smoke_fit_arguments({"epochs": 30, "validation_data": "v"}) == {
        "epochs": 1, "steps_per_epoch": smoke.STEPS, "validation_steps": smoke.STEPS, "validation_data": "v"}
    # resuming at epoch 4 runs epoch 5 only; fewer steps than STEPS stay; no validation: no validation_steps
    cut = smoke.smoke_fit_arguments({"epochs": 9, "initial_epoch": 4, "steps_per_epoch": 1, "batch_size": 8})
    assert cut == {"epochs": 5, "initial_epoch": 4, "steps_per_epoch": 1, "batch_size": 8}
    assert smoke.smoke_fit_arguments({})["epochs"] == 1


@pytest.mark.parametrize("raw, expected", [("", False), ("0", False), ("off", False), ("1", True), ("yes", True)])
def test_the_variable(monkeypatch, raw, expected):
    monkeypatch.setenv(smoke.SMOKE_ENV, raw)
    assert smoke.is_smoke() is expected


def test_a_wrong_value_is_named(monkeypatch):
    monkeypatch.setenv(smoke.SMOKE_ENV, "maybe")
    with pytest.raises(ValueError, match=r"COURSE_SMOKE='maybe'.*set it to 1"):
        smoke.is_smoke()


PROBE = textwrap.dedent("""
    import numpy as np
    import utils, keras
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((80, 3)), np.zeros((80, 1))
    seen = []
    count = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    history = model.fit(x, y, 8, 6, validation_data=(x, y), verbose=0, callbacks=[count])
    print(len(history.history["loss"]), len(seen), "val_loss" in history.history)
""")


@pytest.mark.parametrize("value, expected", [("1", "1 2 True"), ("0", "6 60 True")])
def test_import_utils_cuts_fit_only_in_smoke_mode(value, expected):
    env = {**os.environ, smoke.SMOKE_ENV: value}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300,
                          cwd=REPO_ROOT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[-2] == expected


def test_only_the_student_notebooks_run_in_smoke_mode(monkeypatch):
    import conftest

    assert conftest.runs_in_smoke_mode(REPO_ROOT / "chapters" / "03_lstm_gru_sentiment.ipynb")
    assert conftest.runs_in_smoke_mode(REPO_ROOT / "chapters" / "zh" / "01_text_vectorization.ipynb")
    assert not conftest.runs_in_smoke_mode(REPO_ROOT / "solutions" / "03_lstm_gru_sentiment.ipynb")
    assert not conftest.runs_in_smoke_mode(REPO_ROOT / "tests" / "test_smoke.py")
    assert conftest.SMOKE_VARIABLES == {"COURSE_SMOKE": "1", "PYTHONOPTIMIZE": "1"}
