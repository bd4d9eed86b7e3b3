"""Smoke mode (utils/smoke.py): what the suite's run of the student notebooks cuts, and only that."""

from __future__ import annotations

import numpy as np
import pytest

from utils import smoke
from utils.config import HIDDEN_BEGIN, HIDDEN_END, REPO_ROOT


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
    with pytest.raises(ValueError, match=r"COURSE_SMOKE='maybe' is not understood: set it to 1 for smoke mode"):
        smoke.is_smoke()


def _fit_counts(model_fit_epochs: int = 6) -> tuple[int, int, bool]:
    """(epochs in the history, training batches run, validated?) of a fit of 6 epochs of 10 batches."""
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((80, 3)), np.zeros((80, 1))
    seen = []
    count = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    history = model.fit(x, y, 8, model_fit_epochs, validation_data=(x, y), verbose=0, callbacks=[count])
    return len(history.history["loss"]), len(seen), "val_loss" in history.history


@pytest.fixture
def restored_grappler():
    """Grappler's options as they were before the test (enable() switches it off for the process)."""
    import tensorflow as tf

    before = tf.config.optimizer.get_experimental_options()
    yield
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": False, **before})


def test_enable_cuts_fit_only_in_smoke_mode(monkeypatch, restored_grappler):
    import keras
    import tensorflow as tf

    monkeypatch.setattr(keras.Model, "fit", keras.Model.fit)   # undone after the test
    monkeypatch.setenv(smoke.SMOKE_ENV, "0")
    assert smoke.enable() is False and _fit_counts() == (6, 60, True)
    assert not tf.config.optimizer.get_experimental_options().get("disable_meta_optimizer")
    monkeypatch.setenv(smoke.SMOKE_ENV, "1")
    assert smoke.enable() is True and smoke.enable() is True   # wraps once
    assert _fit_counts() == (1, smoke.STEPS, True)
    assert keras.Model.fit.__wrapped__.__name__ == "fit"
    assert tf.config.optimizer.get_experimental_options()["disable_meta_optimizer"] is True


def test_smoke_mode_runs_models_eagerly_unless_they_loop_over_long_sequences(monkeypatch, restored_grappler):
    import keras

    monkeypatch.setattr(keras.Model, "fit", keras.Model.fit)   # undone after the test
    monkeypatch.setenv(smoke.SMOKE_ENV, "1")
    assert smoke.enable() is True
    x, y = np.zeros((32, smoke.SHORT_STEPS + 1, 3)), np.zeros((32, 1))
    dense = keras.Sequential([keras.Input((None, 3)), keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])
    nested = keras.Sequential([keras.Input((None, 3)), keras.layers.Bidirectional(keras.layers.GRU(2)), keras.layers.Dense(1)])
    lstm = keras.Sequential([keras.Input((None, 3)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    assert smoke.runs_eagerly(dense) and not smoke.runs_eagerly(nested) and not smoke.runs_eagerly(lstm)
    short, steps = np.zeros((4, smoke.SHORT_STEPS)), np.zeros((4, smoke.SHORT_STEPS + 1))
    assert smoke.runs_eagerly(lstm, short) and smoke.runs_eagerly(lstm, [short, short])
    assert not smoke.runs_eagerly(lstm, [short, steps]) and not smoke.runs_eagerly(lstm, [])
    assert not smoke.runs_eagerly(lstm, np.zeros(4)) and not smoke.runs_eagerly(lstm, "a data set")
    for model in (dense, nested, lstm):
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, batch_size=8, verbose=0)
        model.evaluate(x, y, verbose=0)
    assert dense.run_eagerly and not nested.run_eagerly and not lstm.run_eagerly
    lstm.compile(optimizer="sgd", loss="mse")   # anew: fitted on short sequences, it runs eagerly
    lstm.fit(x[:, :smoke.SHORT_STEPS], y, batch_size=8, verbose=0)
    assert lstm.run_eagerly


def test_only_the_student_notebooks_run_in_smoke_mode(monkeypatch):
    import conftest

    assert conftest.runs_in_smoke_mode(REPO_ROOT / "chapters" / "03_lstm_gru_sentiment.ipynb")
    assert conftest.runs_in_smoke_mode(REPO_ROOT / "chapters" / "zh" / "01_text_vectorization.ipynb")
    assert not conftest.runs_in_smoke_mode(REPO_ROOT / "solutions" / "03_lstm_gru_sentiment.ipynb")
    assert not conftest.runs_in_smoke_mode(REPO_ROOT / "tests" / "test_smoke.py")
    assert conftest.SMOKE_VARIABLES == {"COURSE_SMOKE": "1", "MPLBACKEND": "agg"}


def test_stream_batches_keeps_its_first_chunks_in_smoke_mode(monkeypatch):
    from utils.lm import stream_batches, stream_layout

    ids = np.arange(2001)
    full = stream_layout(ids, 4, 10)
    assert all(np.array_equal(a, b) for a, b in zip(stream_batches(ids, 4, 10), full))
    monkeypatch.setenv(smoke.SMOKE_ENV, "1")
    cut = stream_batches(ids, 4, 10)
    assert full[0].shape == (50, 4, 10) and cut[0].shape == (smoke.STEPS + 1, 4, 10)
    assert np.array_equal(cut[0], full[0][: smoke.STEPS + 1]) and np.array_equal(cut[1], full[1][: smoke.STEPS + 1])


def test_cap_only_in_smoke_mode(monkeypatch):
    assert smoke.cap(1000) == 1000 and smoke.cap(None) is None and smoke.cap(None, 50) is None
    monkeypatch.setenv(smoke.SMOKE_ENV, "1")
    assert smoke.cap(1000) == smoke.EXAMPLES and smoke.cap(10) == 10 and smoke.cap(None) == smoke.EXAMPLES
    assert smoke.cap(None, 50) == 50 and smoke.cap(None, 5000) == smoke.EXAMPLES


def test_windows_are_thinned_evenly_in_smoke_mode(monkeypatch):
    import pandas as pd

    from utils.timeseries import make_windows

    hours = pd.date_range("2024-01-01", periods=600, freq="h")
    index = pd.MultiIndex.from_product([["JFK", "LGA"], hours], names=["origin", "time"])
    table = pd.DataFrame({"temp": np.arange(1200, dtype=float) % 600}, index=index)
    mean, std = pd.Series({"temp": 0.0}), pd.Series({"temp": 1.0})
    full = make_windows(table, mean, std, 10, 1, 1, features=("temp",))
    monkeypatch.setenv(smoke.SMOKE_ENV, "1")
    cut = make_windows(table, mean, std, 10, 1, 1, features=("temp",))
    assert len(full.x) == 2 * 590 and len(cut.x) == smoke.EXAMPLES
    assert set(cut.origin) == {"JFK", "LGA"} and np.isin(cut.target_time, full.target_time).all()
    assert np.array_equal(cut.y, cut.x[:, -1, 0] + 1)   # still each window's own target


def test_the_notebook_asserts_are_dropped_and_only_those():
    import ast

    class Shell:
        def __init__(self):
            self.ast_transformers, self.input_transformers_cleanup = [], []

    shell = Shell()
    assert smoke.drop_notebook_asserts(shell) and smoke.drop_notebook_asserts(shell)
    assert len(shell.ast_transformers) == len(shell.input_transformers_cleanup) == 1   # registered once

    def run(cell: str) -> dict:
        """``cell`` run as the kernel would: its text seen first, then its syntax tree transformed."""
        lines = shell.input_transformers_cleanup[0](cell.splitlines(keepends=True))
        tree = shell.ast_transformers[0].visit(ast.parse("".join(lines)))
        namespace = {}
        exec(compile(ast.fix_missing_locations(tree), "<cell>", "exec"), namespace)
        return namespace

    cell = "x = 1\nassert x == 2, 'fails'\nif x:\n    assert False\ny = x + 1\n"
    assert run(cell)["y"] == 2
    with pytest.raises(AssertionError):   # outside the transformer, asserts still hold
        exec(compile(cell, "<cell>", "exec"), {})
    grading = f"ok = False\n{HIDDEN_BEGIN}\nassert ok\n{HIDDEN_END}\n"
    with pytest.raises(AssertionError):   # the autograder's grading cell keeps its asserts
        run(grading)
    assert run(cell)["y"] == 2   # and the next cell drops them again
    assert smoke.drop_notebook_asserts() is False   # plain Python, no kernel


def test_long_files_are_handed_out_first():
    import conftest

    names = [REPO_ROOT / "tests" / "test_data.py", REPO_ROOT / "chapters" / "02_rnn_time_step.ipynb",
             REPO_ROOT / "solutions" / "03_lstm_gru_sentiment.ipynb", REPO_ROOT / "tests" / "test_nbgrader.py"]
    assert sorted(names, key=conftest.file_rank) == names[::-1]
