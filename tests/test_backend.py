"""utils.backend and token_lengths: right on TensorFlow (this process) and the same on JAX (a child).

The suite runs on TensorFlow; ``KERAS_BACKEND`` is fixed when Keras is imported, so the JAX side
runs tests/backend_probe.py in a fresh interpreter and the tests compare its numbers with this
process's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import backend_probe
import keras
import numpy as np
import pytest

from utils import backend
from utils.training import token_lengths

ROOT = Path(__file__).resolve().parents[1]

#: The JAX children compile without XLA's optimisation passes: these tests check results, not speed,
#: and on 2 cores the passes cost more than they save (the module took 56 s instead of 68 s
#: alone on 2026-12-05; the same asserts, to the same tolerances, hold either way).
JAX_ENV = {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "XLA_FLAGS": "--xla_backend_optimization_level=0"}


@cache
def jax_probe(only: str | None = None) -> dict:
    """backend_probe's results under KERAS_BACKEND=jax, from a fresh child process (``only``:
    just that part, e.g. ``"seeded_training"``, in a second process)."""
    env = {**os.environ, **JAX_ENV}
    child = subprocess.run([sys.executable, str(ROOT / "tests" / "backend_probe.py"), *([only] if only else [])],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr[-3000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def tf_probe() -> dict:
    return backend_probe.probe()


def test_the_suite_runs_on_tensorflow(tf_probe):
    assert tf_probe["backend"] == "tensorflow"
    assert tf_probe["highest_float"] == "float64" and tf_probe["sparse_inputs"] is True


def test_gradients_equal_the_closed_form_on_both_backends(tf_probe):
    assert tf_probe["dense_gradient_error"] < 1e-5
    assert jax_probe()["dense_gradient_error"] < 1e-5


def test_gradients_return_variables_first_then_tensors_as_numpy():
    grads = backend_probe.dense_gradients()
    assert [g.shape for g in grads] == [(4, 3), (3,), (2, 4)]
    assert all(isinstance(g, np.ndarray) for g in grads)


def test_jax_is_jax_with_float32_and_no_sparse_inputs():
    probe = jax_probe()
    assert probe["backend"] == "jax"
    assert probe["highest_float"] == "float32" and probe["sparse_inputs"] is False


def test_input_gradient_norms_agree_across_backends(tf_probe):
    np.testing.assert_allclose(jax_probe()["input_gradient_norms"], tf_probe["input_gradient_norms"], rtol=1e-4,
                               atol=1e-6)


def test_carried_states_agree_across_backends(tf_probe):
    np.testing.assert_allclose(jax_probe()["states_carried"], tf_probe["states_carried"], atol=1e-5)
    assert np.abs(tf_probe["states_carried"]).min() > 0  # the state did move


def test_without_carry_rnn_states_jax_drops_the_state(tf_probe):
    """Why carry_rnn_states exists: Keras 3.15's JAX trainer forgets a stateful layer's state.
    (If a Keras upgrade makes this fail, the state is carried natively and the helper can go.)"""
    assert np.abs(jax_probe()["states_not_carried"]).max() == 0
    np.testing.assert_allclose(tf_probe["states_not_carried"], tf_probe["states_carried"])  # TF: nothing to fix


def test_seeded_training_on_jax_is_reproducible_run_to_run():
    """Two fresh processes, the same seeded fit: identical losses and weights, bit for bit (as
    tests/test_nbgrader.py shows for a whole TensorFlow notebook)."""
    first, second = jax_probe()["seeded_training"], jax_probe("seeded_training")["seeded_training"]
    assert first == second
    assert first["losses"][1] < first["losses"][0]  # it trained


def test_carry_rnn_states_keeps_the_weights_and_is_idempotent():
    model = backend_probe.stateful_model(carry=True)
    before = model.get_weights()
    assert backend.carry_rnn_states(backend.carry_rnn_states(model)) is model
    assert len(model.get_weights()) == len(before) == 5


def test_token_lengths_equal_the_ragged_row_lengths(tf_probe):
    ragged = keras.layers.TextVectorization(max_tokens=8, ragged=True)
    ragged.adapt(backend_probe.TEXTS)
    expected = ragged(backend_probe.TEXTS).row_lengths().numpy().tolist()
    assert tf_probe["token_lengths"] == expected == [3, 1, 6, 5]
    assert jax_probe()["token_lengths"] == expected


def _adapted(**options) -> keras.layers.TextVectorization:
    layer = keras.layers.TextVectorization(**options)
    layer.adapt(backend_probe.TEXTS)
    return layer


@pytest.mark.parametrize("make, texts, error, words", [
    (lambda: "not a layer", ["a"], TypeError, "TextVectorization"),
    (lambda: _adapted(output_sequence_length=4), ["a"], ValueError, "output_sequence_length"),
    (lambda: _adapted(output_mode="multi_hot"), ["a"], ValueError, "output_mode"),
    (lambda: keras.layers.TextVectorization(), ["a"], ValueError, "adapt"),
    (lambda: _adapted(), "one text", TypeError, "wrap it in a list"),
    (lambda: _adapted(), ["a"] * 3, TypeError, "batch_size"),
])
def test_token_lengths_rejects_what_it_cannot_count(make, texts, error, words):
    kwargs = {"batch_size": 0.5} if words == "batch_size" else {}
    with pytest.raises(error, match=words):
        token_lengths(make(), texts, **kwargs)


def test_token_lengths_of_no_texts_is_empty():
    assert token_lengths(_adapted(), []).shape == (0,)


@pytest.mark.parametrize("call, words", [
    (lambda: backend.gradients("loss", [np.ones(2)]), "fn must be a function"),
    (lambda: backend.gradients(keras.ops.sum, np.ones(2)), "wrap a single array in a list"),
    (lambda: backend.gradients(keras.ops.sum, [np.ones(2)], [np.ones(2)]), "keras.Variable"),
    (lambda: backend.gradients(keras.ops.sum, [np.ones(2)], "kernel"), "list or tuple of keras.Variable"),
    (lambda: backend.carry_rnn_states([keras.layers.SimpleRNN(2)]), "Keras model or layer"),
])
def test_backend_helpers_reject_the_wrong_types(call, words):
    with pytest.raises(TypeError, match=words):
        call()


def test_carry_rnn_states_needs_the_state_to_exist():
    with pytest.raises(ValueError, match="not built yet"):
        backend.carry_rnn_states(keras.layers.SimpleRNN(2, stateful=True))


def test_chapter_02_runs_top_to_bottom_under_jax(tmp_path, monkeypatch):
    """The suite's chapter on the other backend, so that neither rots: chapter 02 in fast mode
    under KERAS_BACKEND=jax. Its autodiff cells, its float64 layer and its stateful RNN all go
    through utils.backend; its own asserts (NumPy BPTT = autodiff to 1e-5, a carried state
    beating a reset one) must hold there too."""
    from benchscripts import load

    notebook = ROOT / "solutions" / "02_rnn_time_step.ipynb"
    monkeypatch.setenv("XLA_FLAGS", JAX_ENV["XLA_FLAGS"])   # the kernel inherits it; run.execute sets the backend
    result = load("run").execute(notebook, "fast", tmp_path, timeout=600, backend="jax")
    assert result["error"] is None, result["error"]
    metrics = result["metrics"]
    assert metrics["ch02_bptt_vs_tape_max_abs_diff"] <= 1e-5
    assert metrics["ch02_tbptt_val_mse_carry"] < metrics["ch02_tbptt_val_mse_reset"]
