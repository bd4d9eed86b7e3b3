"""Smoke mode: the test suite's run of the student notebooks (``chapters/``), at the smallest size.

The suite runs every notebook twice: ``solutions/`` in fast mode, where the notebook's asserts
prove that the models learn and that the from-scratch code matches Keras to 1e-5, and
``chapters/``, the student versions generated from the solutions. Outside the exercise cells the
two have the same code cell for cell (``tests/test_student.py``), so what the second run has to
show is that a student's untouched notebook runs top to bottom: the stubs fail only where they
should, the checks report instead of raising, the fallbacks take over, nothing downstream needs
an answer. It does not need to train the same models again at the same size.

``COURSE_SMOKE=1`` (set by ``conftest.py`` for the notebooks under ``chapters/`` only) makes
:func:`enable`, called by ``import utils``, turn the notebook's own ``assert`` statements off (an
IPython AST transformer drops them from every later cell; they are checked in the solutions run;
library code keeps its asserts, and so do grading cells with nbgrader's hidden tests, which only the
autograder's run has: tests/test_nbgrader.py autogrades an untouched student notebook in smoke
mode) and cut every ``fit()`` of a Keras model to one epoch of at most :data:`STEPS` batches,
validation included; ``load_imdb`` and ``make_windows`` return at most :data:`EXAMPLES` examples
per split and ``stream_batches`` :data:`STEPS` + 1 chunks (chapter 08's hand-written training
loops). On TensorFlow, Grappler's graph optimisations are switched off (they cost more time than
they save on two batches), and a model without recurrent layers, or fitted on short sequences, is
fitted, evaluated and asked to predict eagerly (:func:`runs_eagerly`): on two batches, tracing its
graph costs more than it saves. Everything else (the other data, evaluation, decoding, plots, the
checks) runs as in fast mode. Students never set it.
"""

from __future__ import annotations

import ast
import functools

from .config import HIDDEN_BEGIN, env_flag

SMOKE_ENV = "COURSE_SMOKE"
#: Batches per ``fit()`` call, for training and for validation, in smoke mode.
STEPS = 2
#: At most this many examples per split (:func:`cap`: IMDB reviews, forecasting windows) in smoke mode.
EXAMPLES = 256


def is_smoke() -> bool:
    """True when ``COURSE_SMOKE`` is set to a true value (``1``, ``true``, ``yes``, ``on``).

    Raises:
        ValueError: if the variable holds something that is neither true nor false.
    """
    return env_flag(SMOKE_ENV, "smoke mode (the test suite's run of the student notebooks)", "the usual run")


def cap(n: int | None, available: int | None = None) -> int | None:
    """``n`` examples (None: all ``available``), at most :data:`EXAMPLES` in smoke mode; ``n`` unchanged otherwise."""
    if not is_smoke():
        return n
    limit = EXAMPLES if available is None else min(EXAMPLES, available)
    return limit if n is None else min(n, limit)


def smoke_fit_arguments(kwargs: dict) -> dict:
    """The keyword arguments of a ``fit()`` call, cut to one epoch of at most :data:`STEPS` batches.

    ``epochs`` becomes ``initial_epoch + 1`` (fewer if it was already fewer), ``steps_per_epoch``
    and ``validation_steps`` at most :data:`STEPS`; every other argument is kept.
    """
    out = dict(kwargs)
    first = int(out.get("initial_epoch") or 0)
    out["epochs"] = min(int(out.get("epochs", 1)), first + 1)
    for key in ("steps_per_epoch", "validation_steps"):
        given = out.get(key)
        out[key] = STEPS if given is None else min(int(given), STEPS)
    if out.get("validation_data") is None and not out.get("validation_split"):
        out.pop("validation_steps")
    return out


#: In smoke mode a recurrent model runs eagerly when its inputs have at most this many time steps.
SHORT_STEPS = 32


def runs_eagerly(model, x=None) -> bool:
    """True for a Keras model that smoke mode runs eagerly, fitted on inputs ``x``: one with no
    recurrent layer (no ``keras.layers.RNN``, which LSTM, GRU and SimpleRNN are, nested ones and
    ``Bidirectional``'s included), or one whose inputs are NumPy arrays (one, or a list or tuple)
    of at most :data:`SHORT_STEPS` time steps. Tracing a model's graph takes seconds, more than two
    batches of it take eagerly, unless a recurrent layer's time loop, which runs step by step in
    Python when eager, is long. (On 2026-12-07, idle, 2 workers: the chapters' smoke runs took 216 s
    with models without recurrent layers eager, against 241 s, and 297 s with every model eager;
    chapter 07's short sequences then took 20.5 s against 31.2 s.)"""
    import keras
    import numpy as np

    if not any(isinstance(layer, keras.layers.RNN) for layer in model._flatten_layers()):
        return True
    arrays = list(x) if isinstance(x, (list, tuple)) else [x]
    return bool(arrays) and all(isinstance(a, np.ndarray) and a.ndim >= 2 for a in arrays) and \
        max(a.shape[1] for a in arrays) <= SHORT_STEPS


class DropAsserts(ast.NodeTransformer):
    """An IPython AST transformer that replaces every ``assert`` statement of a cell by ``pass``,
    except in a grading cell with its hidden tests (nbgrader's autograder puts them back): there
    the asserts are the grade. :meth:`see` (an input transformer, run on the cell's text before it
    is parsed) tells the two apart, comments being gone from the syntax tree."""

    def __init__(self) -> None:
        super().__init__()
        self.keep = False

    def see(self, lines: list[str]) -> list[str]:
        """Note whether the cell about to run holds hidden tests; return its lines unchanged."""
        self.keep = any(HIDDEN_BEGIN in line for line in lines)   # a grading cell as the autograder runs it
        return lines

    see.has_side_effects = True   # IPython: not called when it only checks whether a cell is complete

    def visit_Assert(self, node: ast.Assert) -> ast.stmt:
        return node if self.keep else ast.copy_location(ast.Pass(), node)


def drop_notebook_asserts(shell=None) -> bool:
    """Register :class:`DropAsserts` with the running IPython kernel (or ``shell``), once.

    Returns False outside IPython (plain Python: nothing to do)."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    if not any(isinstance(t, DropAsserts) for t in shell.ast_transformers):
        dropper = DropAsserts()
        shell.input_transformers_cleanup.append(dropper.see)
        shell.ast_transformers.append(dropper)
    return True


def enable() -> bool:
    """In smoke mode: drop the notebook's asserts (:func:`drop_notebook_asserts`) and cut
    ``keras.Model.fit`` as :func:`smoke_fit_arguments` says (eagerly where :func:`runs_eagerly`).

    Returns True when smoke mode is on (``fit`` is wrapped once per process), False otherwise.
    """
    if not is_smoke():
        return False
    drop_notebook_asserts()
    import keras

    if keras.backend.backend() == "tensorflow":
        # no graph optimisation (Grappler): it costs more than it saves on two batches per model
        import tensorflow as tf

        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    fit = keras.Model.fit
    if getattr(fit, "_course_smoke", False):
        return True
    names = ("x", "y", "batch_size", "epochs")

    @functools.wraps(fit)
    def smoke_fit(self, *args, **kwargs):
        kwargs.update(zip(names, args))   # fit(x, y, batch_size, epochs, ...) by position too
        if len(args) > len(names):
            raise TypeError("smoke mode: pass fit()'s arguments after `epochs` by keyword")
        if getattr(self, "train_function", None) is None and runs_eagerly(self, kwargs.get("x")):
            self.run_eagerly = True   # evaluate() and predict() after this fit() too
        return fit(self, **smoke_fit_arguments(kwargs))

    smoke_fit._course_smoke = True
    keras.Model.fit = smoke_fit
    return True
