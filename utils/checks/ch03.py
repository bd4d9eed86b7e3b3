"""Checks for chapter 03: LSTM and GRU for sentiment."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from ..i18n import _
from ._core import (
    Fail,
    call,
    compare_arrays,
    expect_array,
    expect_int,
    function_name,
    keras_step,
    matches,
    run,
    with_cause,
)

# ----------------------------------------------------------------------------- generic helpers


def expect_python_int(got: Any, what: str) -> int:
    """``got`` if it is a built-in ``int``; :class:`Fail` otherwise. Stricter than
    :func:`expect_int`: a NumPy integer is rejected too, because Keras layers such as
    ``TextVectorization(output_sequence_length=...)`` accept only a Python int."""
    value = expect_int(got, what)
    if type(got) is not int:
        raise Fail(_("{what} should be a Python int, got {kind} {value}: Keras's TextVectorization "
                     "(output_sequence_length=...) rejects NumPy integers. Convert it with int(...).").format(
                         what=what, kind=type(got).__name__, value=value))
    return value


def expect_pair_of_arrays(got: Any, what: str, names: tuple[str, str], shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """``got`` as a tuple of two floating-point arrays of ``shape``; :class:`Fail` otherwise."""
    if not (isinstance(got, tuple) and len(got) == 2):
        size = _(" of length {length}").format(length=len(got)) if isinstance(got, (list, tuple)) else ""
        raise Fail(_("{what} should return the tuple ({first}, {second}), got {kind}.").format(
            what=what, first=names[0], second=names[1], kind=type(got).__name__ + size))
    return tuple(expect_array(g, n, shape, "f") for g, n in zip(got, names))


# ----------------------------------------------------------------------------- gated steps


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _gated_cases(gates: int, gru: bool = False) -> Iterator[tuple[np.ndarray, ...]]:
    """(x, h, c, kernel, recurrent, bias) for batch, input and unit sizes that all differ,
    so that a transposed product or a wrong split shows."""
    for seed, (batch, features, units) in enumerate([(3, 4, 5), (2, 6, 3), (1, 2, 4)]):
        rng = np.random.default_rng(30 + seed)
        x = rng.normal(size=(batch, features))
        h = np.tanh(rng.normal(size=(batch, units)))
        c = rng.normal(size=(batch, units))
        kernel = rng.normal(scale=0.7, size=(features, gates * units))
        recurrent = rng.normal(scale=0.7, size=(units, gates * units))
        bias = rng.normal(scale=0.5, size=(2, gates * units) if gru else (gates * units,))
        yield x, h, c, kernel, recurrent, bias


_KERAS_LSTM_ORDER = ("i", "f", "c", "o")


def _blocks(order: tuple[int, ...], units: int) -> np.ndarray:
    """Column indices that put the gate blocks of a (…, n·units) matrix in ``order``."""
    return np.concatenate([np.arange(b * units, (b + 1) * units) for b in order])


def _lstm_variants(x: np.ndarray, h: np.ndarray, c: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray,
                   bias: np.ndarray) -> Iterator[tuple[tuple[np.ndarray, np.ndarray], str]]:
    """(h_t, c_t) of likely wrong LSTM steps, each with the cause to name."""
    from ..rnn import lstm_gates, lstm_step

    units = h.shape[1]
    for names in itertools.permutations(_KERAS_LSTM_ORDER):
        if names != _KERAS_LSTM_ORDER:
            # the student calls block k `names[k]`: Keras's gate g is read from block names.index(g)
            cols = _blocks(tuple(names.index(g) for g in _KERAS_LSTM_ORDER), units)
            yield (lstm_step(x, h, c, kernel[:, cols], recurrent[:, cols], bias[cols]),
                   _("your code reads the four gate blocks as [{order}]; Keras's order is [i, f, c, o].").format(
                       order=", ".join(names)))
    i, f, g, o = lstm_gates(x, h, kernel, recurrent, bias)
    c_t = f * c + i * g
    yield (o * c_t, c_t), _("the tanh is missing: h_t = o * tanh(c_t).")
    yield (o * np.tanh(c), c_t), _("h_t must use the new cell state: h_t = o * tanh(c_t), not tanh(c_prev).")
    g_sig = _sigmoid(np.split(x @ kernel + h @ recurrent + bias, 4, axis=-1)[2])
    yield ((o * np.tanh(f * c + i * g_sig)), f * c + i * g_sig), \
        _("the candidate g uses tanh, not the sigmoid (only i, f and o are sigmoids).")
    yield (lstm_step(x, h, c, kernel, recurrent, np.zeros_like(bias)),
           _("the bias is missing: z = x_t·kernel + h_prev·recurrent_kernel + bias."))
    i, f, g, o = lstm_gates(x, c, kernel, recurrent, bias)   # c_prev in the recurrent product
    c_t = f * c + i * g
    yield (o * np.tanh(c_t), c_t), _("the recurrent product uses c_prev; it must be h_prev · recurrent_kernel.")


def check_lstm_step(fn: Callable[..., tuple[np.ndarray, np.ndarray]]) -> bool:
    """Check ``lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h_t, c_t)``
    (Keras's layout, gates [i, f, c, o]) on three batches of different sizes."""
    from ..rnn import lstm_step

    name = function_name(fn, "lstm_step")

    def body() -> None:
        for case in _gated_cases(4):
            x, h = case[:2]
            h_ref, c_ref = lstm_step(*(a.copy() for a in case))
            sizes = _sizes(x, h)
            got = call(fn, *case, name=name)
            h_got, c_got = expect_pair_of_arrays(got, name, ("h_t", "c_t"), h.shape)
            if matches(h_got, c_ref) and matches(c_got, h_ref):
                raise Fail(_("you returned (c_t, h_t); return them in the order (h_t, c_t)."))
            if compare_arrays(h_got, h_ref) is None and compare_arrays(c_got, c_ref) is None:
                continue
            for (h_var, c_var), cause in _lstm_variants(*case):
                if matches(h_got, h_var) and matches(c_got, c_var):
                    raise Fail(_at(sizes, cause))
            problem = (compare_arrays(c_got, c_ref, _("cell state c_t"))
                       or compare_arrays(h_got, h_ref, _("output h_t")))
            raise Fail(with_cause(_at(sizes, problem), _("c_t = f * c_prev + i * g and h_t = o * tanh(c_t).")))

    return run(name, body)


def _sizes(x: np.ndarray, h: np.ndarray) -> str:
    """"batch 3, input_dim 4, units 5", for a ❌ line."""
    return _("batch {batch}, input_dim {input_dim}, units {units}").format(
        batch=x.shape[0], input_dim=x.shape[1], units=h.shape[1])


def _at(where: str, problem: str) -> str:
    """``problem`` preceded by the case it was found on, in parentheses."""
    return _("({where}) {problem}").format(where=where, problem=problem)


def _gru_variants(x: np.ndarray, h: np.ndarray, kernel: np.ndarray, recurrent: np.ndarray,
                  bias: np.ndarray) -> Iterator[tuple[np.ndarray, str]]:
    """h_t of likely wrong GRU steps, each with the cause to name."""
    from ..rnn import gru_step

    units = h.shape[1]
    x_z, x_r, x_h = np.split(x @ kernel + bias[0], 3, axis=-1)
    h_z, h_r, h_h = np.split(h @ recurrent + bias[1], 3, axis=-1)
    z, r = _sigmoid(x_z + h_z), _sigmoid(x_r + h_r)
    u_h, b_h = recurrent[:, 2 * units:], bias[1][2 * units:]
    yield (z * h + (1 - z) * np.tanh(x_h + (r * h) @ u_h + b_h),
           _("this is reset_after=False (r multiplies h_prev before the product); Keras's default reset_after=True "
             "applies r after it: tanh(x·W_h + b_h + r * (h_prev·U_h + b'_h))."))
    yield ((1 - z) * h + z * np.tanh(x_h + r * h_h),
           _("z and 1 - z are swapped: Keras computes h_t = z * h_prev + (1 - z) * h̃."))
    cols = _blocks((1, 0, 2), units)
    yield (gru_step(x, h, kernel[:, cols], recurrent[:, cols], bias[:, cols]),
           _("your code reads the gate blocks as [r, z, h]; Keras's order is [z, r, h]."))
    yield (gru_step(x, h, kernel, recurrent, bias[::-1]),
           _("the two bias rows are swapped: bias[0] is the input bias, bias[1] the recurrent one."))
    yield (z * h + (1 - z) * np.tanh(x_h + r * (h @ u_h) + b_h),
           _("the recurrent bias b'_h must be inside the reset: r * (h_prev·U_h + b'_h)."))
    yield (gru_step(x, h, kernel, recurrent, np.stack([bias[0], np.zeros_like(bias[1])])),
           _("the recurrent bias bias[1] is missing."))
    yield (z * h + (1 - z) * np.tanh(x_h + h_h), _("the reset gate r is not used in the candidate."))


def check_gru_step(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``gru_step(x_t, h_prev, kernel, recurrent_kernel, bias) -> h_t`` (Keras's
    ``reset_after=True`` layout, gates [z, r, h], ``bias`` of shape (2, 3·units))."""
    from ..rnn import gru_step

    name = function_name(fn, "gru_step")

    def body() -> None:
        for x, h, _c, kernel, recurrent, bias in _gated_cases(3, gru=True):
            case = (x, h, kernel, recurrent, bias)
            expected = gru_step(*(a.copy() for a in case))
            sizes = _sizes(x, h)
            got = expect_array(call(fn, *case, name=name), _("the result of {name}").format(name=name), h.shape, "f")
            problem = compare_arrays(got, expected, _("new state h_t"))
            if problem is None:
                continue
            for variant, cause in _gru_variants(*case):
                if matches(got, variant):
                    raise Fail(_at(sizes, cause))
            raise Fail(with_cause(_at(sizes, problem), _("Keras's gate order is [z, r, h]; bias[0] is the input bias, "
                                                         "bias[1] the recurrent one; h̃ = tanh(x·W_h + b_h + r * "
                                                         "(h_prev·U_h + b'_h)).")))

    return run(name, body)


# ----------------------------------------------------------------------------- sequence length


def _shortest_covering(lengths: np.ndarray, coverage: float) -> int:
    """The smallest L with ``mean(lengths <= L) >= coverage`` (the definition, evaluated directly)."""
    return int(next(v for v in np.unique(lengths) if np.mean(lengths <= v) >= coverage))


def _length_cases() -> list[tuple[np.ndarray, float]]:
    rng = np.random.default_rng(7)
    cases = [
        (np.array([30, 10, 40, 10, 50, 20, 20, 60, 20, 90]), 0.6),   # ties; 0.6 · 10 is a whole number
        (np.array([12, 7, 7, 3, 25, 7, 3, 18]), 0.75),              # a whole number again: off-by-one shows
        (np.array([100, 40, 70, 55, 85]), 0.5),                     # 2.5 reviews: rounding down undershoots
        (np.array([9]), 0.9),
        (np.array([5, 5, 5, 5]), 1.0),
        (np.array([8, 3, 1, 2, 6, 4, 7, 5], dtype="int32"), 0.3),
    ]
    cases += [(rng.integers(1, 900, size=501), c) for c in (0.5, 0.9, 0.95, 1.0)]
    cases += [(rng.geometric(0.01, size=400), 0.8), (rng.integers(1, 30, size=1000), 0.25)]
    return cases


def _length_variants(lengths: np.ndarray, coverage: float) -> Iterator[tuple[int, str]]:
    """Lengths of likely wrong answers, each with the cause to name."""
    ordered, n = np.sort(lengths), len(lengths)
    with np.errstate(all="ignore"):
        linear = float(np.percentile(lengths, 100 * coverage))
    yield int(linear), _("np.percentile's default linear interpolation (truncated) can fall below the "
                         "lengths that cover the fraction; use method=\"inverted_cdf\".")
    if int(np.ceil(linear)) != int(linear):
        yield int(np.ceil(linear)), _("np.percentile's default linear interpolation gives a length between two "
                                      "reviews' lengths; use method=\"inverted_cdf\", which returns a real one.")
    if int(coverage * n) < n:
        yield int(ordered[int(coverage * n)]), _("sorted(lengths)[int(coverage * n)] is one position too far: "
                                                 "the k-th smallest length is at index k - 1.")
    if int(coverage * n) >= 1:
        yield int(ordered[int(coverage * n) - 1]), _("int(coverage * n) rounds down: at least coverage · n "
                                                     "reviews must fit, so round up (math.ceil).")


def check_sequence_length(fn: Callable[[np.ndarray, float], int]) -> bool:
    """Check ``choose_sequence_length(lengths, coverage) -> int``: the smallest L such that at
    least a fraction ``coverage`` of the sequences have length <= L (nothing cut off)."""
    name = function_name(fn, "choose_sequence_length")

    def body() -> None:
        for lengths, coverage in _length_cases():
            expected = _shortest_covering(lengths.copy(), coverage)
            got = expect_python_int(call(fn, lengths, coverage, name=name), _("the result of {name}").format(name=name))
            if got == expected:
                continue
            covered = float(np.mean(lengths <= got))
            shown = lengths.tolist() if len(lengths) <= 10 else _("{count} lengths").format(count=len(lengths))
            start = _("for coverage {coverage} of {shown} you returned {got}, expected {expected}:").format(
                coverage=coverage, shown=shown, got=got, expected=expected)
            for variant, cause in _length_variants(lengths, coverage):
                if got == variant:
                    raise Fail(with_cause(start, cause))
            if covered < coverage:
                raise Fail(with_cause(start, _("only {covered} of the sequences have length <= {got}, fewer than "
                                               "{coverage}.").format(covered=f"{covered:.1%}", got=got,
                                                                     coverage=f"{coverage:.0%}")))
            raise Fail(with_cause(start, _("{covered} fit in {got} tokens, but the shorter length {expected} already "
                                           "covers {coverage}.").format(covered=f"{covered:.1%}", got=got,
                                                                        expected=expected, coverage=f"{coverage:.0%}")))

    return run(name, body)


# ----------------------------------------------------------------------------- a trained classifier


class ClassifierCheck(NamedTuple):
    """What :func:`check_classifier_beats` found: whether it passed, the validation balanced
    accuracy (``None`` if the model could not be trained) and the trained model (or ``None``)."""

    passed: bool
    score: float | None
    model: Any


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def keras_error_text(exc: BaseException) -> str:
    """The informative part of a Keras/TensorFlow error: the failing layer and the op's own
    message (e.g. ``in Embedding: indices[0,3] = 2999 is not in [0, 2000)``), not the first
    line of a graph execution error or of Keras's "Exception encountered" wrapper."""
    text = _ANSI.sub("", str(exc))
    layer = re.search(r"Exception encountered when calling (\w+)\.call", text)
    skip = ("File ", "[[", "Detected at node", "Graph execution", "Exception encountered", "Arguments received", "•")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith(skip)]
    informative = [line for line in lines if re.search(r"is not in \[0, \d+\)|Received|expected|Expected|must", line)]
    line = (informative or lines or [""])[0]
    line = re.sub(r"^\{\{function_node [^}]*\}\}\s*|\s*\[Op:\w+\].*$", "", line)
    keyword = re.search(r"(?<=\. )(Expected|Received|Arguments)", line)   # skip a dump of the input before it
    line = line[keyword.start():] if keyword else line
    if len(line) > 300:
        line = line[:300] + "…"
    where = f" in {layer.group(1)}" if layer else ""
    return f"{type(exc).__name__}{where}: {line}" if line else type(exc).__name__


def _embedding_too_small(exc: BaseException) -> tuple[int, int] | None:
    """(id, input_dim) when ``exc`` is an Embedding lookup out of range."""
    found = re.search(r"= (\d+) is not in \[0, (\d+)\)", str(exc))
    return (int(found.group(1)), int(found.group(2))) if found else None


def model_step(what: str, action: Callable[[], Any], vocabulary_size: int) -> Any:
    """Run one Keras operation on a student's model and turn any error into one :class:`Fail`
    line in the student's terms (an Embedding too small for the ids is named as such)."""

    def explain(exc: BaseException) -> str:
        small = _embedding_too_small(exc)
        if small:
            return _("{what} failed: id {id} is outside the model's Embedding, which has only {rows} rows. The ids "
                     "go up to {largest}: use Embedding({size}, ...) (input_dim = the vocabulary size).").format(
                         what=what, id=small[0], rows=small[1], largest=vocabulary_size - 1, size=vocabulary_size)
        return _("{what} failed with {error}").format(what=what, error=keras_error_text(exc))

    return keras_step(what, action, explain=explain)


def _all_layers(model: Any) -> Iterator[Any]:
    for layer in getattr(model, "layers", []):
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def probe_binary_classifier(model: Any, x: np.ndarray, vocabulary_size: int) -> None:
    """Raise :class:`Fail` with a specific message unless ``model`` maps batches of end-padded
    integer id sequences (any length, ids up to ``vocabulary_size - 1``) to one probability
    each, of shape (batch, 1)."""
    import keras

    try:
        inputs = list(model.inputs)
    except (AttributeError, ValueError):   # a Sequential model without an Input is built on first call
        inputs = []
    if len(inputs) > 1:
        raise Fail(_("the model has {count} inputs; it should read one batch of id sequences.").format(
            count=len(inputs)))
    if inputs and len(inputs[0].shape) != 2:
        raise Fail(_("the model's input has shape {shape}, but the reviews come as batches of id sequences of shape "
                     "(batch, steps): use keras.Input((None,), dtype=\"int64\").").format(
                         shape=tuple(inputs[0].shape)))
    for layer in _all_layers(model):
        if isinstance(layer, keras.layers.Embedding) and layer.input_dim < vocabulary_size:
            raise Fail(_("the Embedding has input_dim {input_dim}, but the vocabulary has {size} ids (0 … {largest}): "
                         "use Embedding({size}, ...).").format(input_dim=layer.input_dim, size=vocabulary_size,
                                                              largest=vocabulary_size - 1))
    last = model.layers[-1] if getattr(model, "layers", None) else None
    if isinstance(last, keras.layers.Dense) and last.activation is keras.activations.linear and last.units == 1:
        raise Fail(_("the last layer is Dense(1) without an activation, so the model outputs any real number, not a "
                     "probability: use Dense(1, activation=\"sigmoid\")."))
    width = x.shape[1]
    probe = np.array(x[:3], copy=True)
    probe[-1, 0] = vocabulary_size - 1          # the largest id must be looked up too
    short = np.array(x[:2, :min(width, 5)], copy=True)   # length buckets: batches shorter than the data
    for batch, why in ((probe, ""), (short, " " + _("(the check trains on batches of similar-length reviews, so a "
                                                    "batch can be that short)"))):
        out = model_step(_("calling the model on a batch of id sequences of shape {shape}").format(shape=batch.shape)
                         + why, lambda batch=batch: model(batch, training=False), vocabulary_size)
        if isinstance(out, (list, tuple, dict)):
            raise Fail(_("the model has {count} outputs; it should have one: P(positive) per review.").format(
                count=len(out)))
        out = model_step(_("reading the model's output"), lambda out=out: keras.ops.convert_to_numpy(out),
                         vocabulary_size)
        n, steps = batch.shape
        if out.ndim == 3 and out.shape[:2] == (n, steps):
            raise Fail(_("the model outputs shape {shape}: one prediction per token, not per review. The recurrent "
                         "layer before the head must return only its last state (return_sequences=False, the "
                         "default).").format(shape=out.shape))
        if out.ndim == 2 and out.shape[0] == n and out.shape[1] != 1:
            raise Fail(_("the model outputs {count} numbers per review (shape {shape}); a binary classifier outputs "
                         "one probability, shape (batch, 1): use Dense(1, activation=\"sigmoid\").").format(
                             count=out.shape[1], shape=out.shape))
        if out.shape != (n, 1):
            raise Fail(_("the model should output one probability per review, shape ({n}, 1); got {shape}.").format(
                n=n, shape=out.shape))
        if not np.all(np.isfinite(out)):
            raise Fail(_("the model's output contains NaN or inf before training."))
        if np.any((out < 0) | (out > 1)):
            raise Fail(_("the model outputs {value}, which is not a probability: use a sigmoid on the last layer, "
                         "Dense(1, activation=\"sigmoid\").").format(value=f"{float(out[(out < 0) | (out > 1)][0]):.3g}"))
        activation = getattr(getattr(last, "activation", None), "__name__", "")
        if activation == "softmax" and np.all(out == 1.0):
            raise Fail(_("the model outputs 1.0 for every review: a softmax over a single unit is always 1. Use "
                         "Dense(1, activation=\"sigmoid\")."))


def check_classifier_beats(build: Callable[[], Any], train: tuple[np.ndarray, np.ndarray],
                           val: tuple[np.ndarray, np.ndarray], threshold: float, epochs: int,
                           vocabulary_size: int | None = None, name: str | None = None) -> ClassifierCheck:
    """Train the binary classifier that ``build()`` returns (compiled or not; one sigmoid
    output) on end-padded integer sequences and compare its validation **balanced accuracy**
    with ``threshold``. Before training, the model is probed with correctly shaped batches
    (of the data's length and shorter, with the largest id ``vocabulary_size - 1``; by default
    the largest id in the data), so that a wrong model gets one specific ❌ line. Early
    stopping keeps the best validation epoch. The trained model is returned too, so that a
    notebook can go on with it instead of training it again."""
    import keras
    from sklearn.metrics import balanced_accuracy_score

    from ..training import make_bucketed_dataset

    label = name or function_name(build, "build_chinese_model")
    result: dict[str, Any] = {}

    def body() -> None:
        vocab = vocabulary_size or int(max(np.max(train[0]), np.max(val[0]))) + 1
        keras.utils.set_random_seed(0)
        model = call(build, name=label)
        if isinstance(model, type):
            raise Fail(_("{name}() returned the class {cls}, not a model: return an instance, e.g. {cls}([...]).").format(
                name=label, cls=model.__name__))
        if not isinstance(model, keras.Model):
            raise Fail(_("{name}() must return a keras Model, got {kind}.").format(name=label, kind=type(model).__name__))
        result["model"] = model
        probe_binary_classifier(model, val[0], vocab)
        if not model.compiled:
            model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
        stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
        model_step(_("training the model (model.fit)"),
                   lambda: model.fit(make_bucketed_dataset(train[0], train[1], 64, shuffle=True), epochs=epochs,
                                     verbose=0, shuffle=False, callbacks=[stop],
                                     validation_data=make_bucketed_dataset(val[0], val[1], 256)), vocab)
        pred = model_step(_("predicting on the validation reviews"),
                          lambda: np.asarray(model.predict(val[0], verbose=0), dtype="float64"), vocab)
        if pred.shape != (len(val[0]), 1) or not np.all(np.isfinite(pred)):
            raise Fail(_("after training, the predictions have shape {shape} and {bad} NaN or inf values; expected "
                         "finite values of shape ({n}, 1). The training diverged.").format(
                             shape=pred.shape, bad=int(np.sum(~np.isfinite(pred))), n=len(val[0])))
        result["score"] = float(balanced_accuracy_score(val[1], (pred.reshape(-1) > 0.5).astype(int)))
        if result["score"] < threshold:
            raise Fail(_("validation balanced accuracy {score}, needs at least {threshold}. Predicting the majority "
                         "class gives 0.5.").format(score=f"{result['score']:.3f}", threshold=f"{threshold:.3f}"))

    ok = run(label, body)
    if ok:
        print("   " + _("validation balanced accuracy {score} >= {threshold}").format(
            score=f"{result['score']:.3f}", threshold=f"{threshold:.3f}"))
    return ClassifierCheck(ok, result.get("score"), result.get("model"))
