"""What differs between Keras backends, in one place.

The notebooks run on TensorFlow (the default) and on JAX (``KERAS_BACKEND=jax``). Model code is
the same on both (``keras.layers``, ``keras.ops``); input pipelines stay ``tf.data`` and
``TextVectorization`` on either. The few things with no backend-neutral Keras API live here:

* :func:`gradients` — automatic differentiation of a loss with respect to tensors and Keras
  variables: ``tf.GradientTape`` on TensorFlow, ``jax.grad`` on JAX.
* :func:`sparse_inputs` — whether ``TextVectorization(sparse=True)`` and sparse ``keras.Input``
  are available (TensorFlow only in Keras 3.15).
* :func:`carry_rnn_states` — makes ``stateful=True`` recurrent layers keep their state between
  ``train_on_batch`` / ``test_on_batch`` calls on JAX as they do on TensorFlow.
* :func:`highest_float` — ``"float64"`` where the backend computes in it, else ``"float32"``
  (JAX truncates float64 to float32 unless ``JAX_ENABLE_X64`` is set).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np

BACKENDS = ("tensorflow", "jax")


def name() -> str:
    """The active Keras backend's name, e.g. ``"tensorflow"`` or ``"jax"``."""
    return keras.backend.backend()


def sparse_inputs() -> bool:
    """True when ``TextVectorization(sparse=True)`` works on the active backend (TensorFlow only)."""
    return name() == "tensorflow"


def highest_float() -> str:
    """``"float64"`` if the active backend computes in double precision, else ``"float32"``.

    TensorFlow always does; JAX only with ``JAX_ENABLE_X64=1`` (otherwise it truncates float64
    arrays to float32 with a warning). Use it as a layer's ``dtype`` where a comparison wants
    the most precise arithmetic available.
    """
    if name() == "jax":
        import jax

        return "float64" if jax.config.jax_enable_x64 else "float32"
    return "float64"


class _CarriedState:
    """Holds one RNN state variable where Keras looks for random-seed state (``.state``)."""

    def __init__(self, state: keras.Variable) -> None:
        self.state = state


def carry_rnn_states(model: keras.Model) -> keras.Model:
    """Make the stateful recurrent layers of ``model`` carry their state from batch to batch on
    every backend; returns ``model``.

    A ``stateful=True`` RNN keeps its last state in Keras variables that it does not track (they
    are not weights). TensorFlow updates them in place, so the next ``train_on_batch``,
    ``test_on_batch`` or ``predict_on_batch`` starts from them. The JAX trainer runs stateless
    functions and writes back only the variables the model lists, so in Keras 3.15 the state
    updates are dropped and every batch starts from zero: truncated BPTT silently becomes
    "reset every chunk". This lists each state variable where the trainer carries state (beside
    the random-seed state), so it is carried like that; the layers' weights (``get_weights``,
    ``set_weights``, saving) do not change. On TensorFlow nothing is changed. Call it once the
    model is built (e.g. a ``Sequential`` that starts with ``keras.Input(batch_shape=...)``).

    Raises:
        TypeError: if ``model`` is not a Keras layer or model.
        ValueError: if a stateful recurrent layer is not built yet (its state does not exist).
    """
    if not isinstance(model, keras.layers.Layer):
        raise TypeError(f"model must be a Keras model or layer, got {type(model).__name__}.")
    stateful = [layer for layer in (model, *model._flatten_layers(include_self=False))
                if isinstance(layer, keras.layers.RNN) and layer.stateful]
    for layer in stateful:
        if layer.states is None:
            raise ValueError(f"the stateful layer {layer.name!r} is not built yet: build the model first "
                             "(e.g. start it with keras.Input(batch_shape=...)), then call carry_rnn_states.")
    if name() != "jax":  # TensorFlow updates the state variables in place
        return model
    for layer in stateful:
        carried = {id(c.state) for c in layer._seed_generators if isinstance(c, _CarriedState)}
        for state in keras.tree.flatten(layer.states):
            if id(state) not in carried:
                layer._seed_generators.append(_CarriedState(state))
    return model


def _check_gradient_args(fn: object, tensors: object, variables: object) -> tuple[list, list]:
    """Return ``tensors`` and ``variables`` as lists; TypeError for anything else."""
    if not callable(fn):
        raise TypeError(f"fn must be a function of the tensors that returns a scalar loss, got {type(fn).__name__}.")
    if isinstance(tensors, str | bytes | np.ndarray) or not isinstance(tensors, Sequence):
        raise TypeError("tensors must be a list or tuple of arrays (wrap a single array in a list), got "
                        f"{type(tensors).__name__}.")
    if isinstance(variables, str | bytes) or not isinstance(variables, Sequence):
        raise TypeError(f"variables must be a list or tuple of keras.Variable, got {type(variables).__name__}.")
    for v in variables:
        if not isinstance(v, keras.Variable):
            raise TypeError(f"variables must hold keras.Variable objects (e.g. layer.trainable_weights), "
                            f"got {type(v).__name__}.")
    return list(tensors), list(variables)


def gradients(fn: Callable[..., object], tensors: Sequence = (), variables: Sequence = ()) -> list[np.ndarray]:
    """Gradients of the scalar ``fn(*tensors)`` with respect to ``variables`` and then ``tensors``.

    ``fn`` receives the tensors as backend tensors and may call Keras layers and ``keras.ops``;
    ``variables`` are Keras variables that ``fn`` reads (e.g. ``layer.trainable_weights``; build
    the layer before, so that ``fn`` does not create them). Returns NumPy arrays, one per
    variable and then one per tensor, in that order. A tensor keeps its dtype (float64 stays
    float64 on TensorFlow; JAX computes in float32 unless ``jax_enable_x64`` is set).

    On TensorFlow this is ``tf.GradientTape``; on JAX, ``jax.grad`` with the variables' values
    passed in through ``keras.StatelessScope``, the mechanism of ``Layer.stateless_call``.

    Raises:
        TypeError: if ``fn`` is not callable, ``tensors`` is not a list/tuple or ``variables``
            holds something that is not a ``keras.Variable``.
        NotImplementedError: on a backend other than TensorFlow and JAX.
    """
    tensors, variables = _check_gradient_args(fn, tensors, variables)
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        values = [tf.convert_to_tensor(t) for t in tensors]
        with tf.GradientTape() as tape:
            tape.watch(values)
            loss = fn(*values)
        grads = tape.gradient(loss, [*variables, *values])
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        def loss_of(variable_values: list, tensor_values: list):
            with keras.StatelessScope(state_mapping=list(zip(variables, variable_values, strict=True))):
                return fn(*tensor_values)

        grad_v, grad_t = jax.grad(loss_of, argnums=(0, 1))([v.value for v in variables],
                                                           [jnp.asarray(t) for t in tensors])
        grads = [*grad_v, *grad_t]
    else:
        raise NotImplementedError(f"gradients() supports the backends {BACKENDS}, not {backend!r}: "
                                  f"set KERAS_BACKEND to one of them.")
    return [np.zeros(t.shape) if g is None else keras.ops.convert_to_numpy(g)
            for g, t in zip(grads, [*variables, *tensors], strict=True)]
