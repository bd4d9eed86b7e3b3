"""Checks for chapter 04: bidirectional RNNs and attention pooling."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..i18n import _
from ._core import Fail, call, compare_arrays, expect_array, expect_int, function_name, matches, run, same

# ----------------------------------------------------------------------------- merge_shape

_MODES = ("concat", "sum", "mul", "ave", None)
# (batch, steps, units): all different, and 2 · units never equals steps, so swapped axes show
_GEOMETRIES = ((4, 7, 5), (1, 3, 8), (6, 12, 2))


def _keras_merge_shape(mode: str | None, batch: int, steps: int, units: int, return_sequences: bool) -> Any:
    """What Keras says: a tuple, or for ``merge_mode=None`` a list of two tuples."""
    import keras

    layer = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=return_sequences), merge_mode=mode)
    shape = layer.compute_output_shape((batch, steps, 3))
    return [tuple(s) for s in shape] if mode is None else tuple(shape)


def _expect_shape(got: Any, what: str) -> tuple[int, ...]:
    """``got`` if it is a tuple of ints; :class:`Fail` otherwise."""
    if not isinstance(got, tuple):
        hint = _(" Write it as tuple({value}).").format(value=repr(got)) if isinstance(got, list) and len(got) < 5 else ""
        raise Fail(_("{what} should be a tuple of ints such as (4, 10), got {kind} {value}.{hint}").format(
            what=what, kind=type(got).__name__, value=repr(got), hint=hint))
    for size in got:
        expect_int(size, _("every size in {what} {value}").format(what=what, value=repr(got)))
    return tuple(int(s) for s in got)


def _merge_causes(mode: str | None, batch: int, steps: int, units: int,
                  return_sequences: bool) -> Iterator[tuple[Any, str]]:
    """Answers of likely mistakes for one case, each with the cause to name."""
    one = (batch, steps, units) if return_sequences else (batch, units)
    other = (batch, units) if return_sequences else (batch, steps, units)
    if mode is None:
        yield [other, other], _("each direction returns only its last state (batch, units) without return_sequences, "
                                "and one vector per step (batch, steps, units) with it.")
        yield [(*one[:-1], 2 * units)] * 2, _("merge_mode=None does not merge: each direction keeps its units "
                                              "features.")
        return
    if mode == "concat":
        yield one, _("concat joins the two directions along the last axis: 2 × units features.")
        yield ((batch, 2 * steps, units) if return_sequences else (2 * batch, units),
               _("concat joins the two directions along the last (feature) axis, not along time.")
               if return_sequences else
               _("concat joins the two directions along the last (feature) axis, not along the batch."))
    else:
        yield ((*one[:-1], 2 * units),
               _("{mode} combines the two directions element-wise: the shape of one direction, units not "
                 "doubled.").format(mode=repr(mode)))
    # the right shape for the other setting of return_sequences
    yield ((*other[:-1], 2 * units) if mode == "concat" else other,
           _("with return_sequences=True each direction returns one vector per step: (batch, steps, …).")
           if return_sequences else
           _("without return_sequences each direction returns only its last state: (batch, …), no steps axis."))


def check_merge_shape(fn: Callable[[Any, int, int, int, bool], Any]) -> bool:
    """Check ``merge_shape(merge_mode, batch, steps, units, return_sequences)``: the output shape
    of ``Bidirectional(LSTM(units, return_sequences=...), merge_mode=...)`` on a
    (batch, steps, features) input, as Keras computes it: a tuple of ints, and for
    ``merge_mode=None`` a list of the two shapes."""
    name = function_name(fn, "merge_shape")

    def body() -> None:
        for batch, steps, units in _GEOMETRIES:
            for mode in _MODES:
                for return_sequences in (True, False):
                    expected = _keras_merge_shape(mode, batch, steps, units, return_sequences)
                    got = call(fn, mode, batch, steps, units, return_sequences, name=name)
                    case = (_("merge_mode={mode} with return_sequences (batch {batch}, {steps} steps, {units} "
                              "units)") if return_sequences else
                            _("merge_mode={mode} without return_sequences (batch {batch}, {steps} steps, {units} "
                              "units)")).format(mode=repr(mode), batch=batch, steps=steps, units=units)
                    if mode is None:
                        if not (isinstance(got, list) and len(got) == 2):
                            raise Fail(_("{case}: expected a list of two shapes, got {kind} {value}.").format(
                                case=case, kind=type(got).__name__, value=repr(got)))
                        normal: Any = [_expect_shape(g, _("each shape")) for g in got]
                    else:
                        normal = _expect_shape(got, _("the shape"))
                    if normal == expected:
                        continue
                    for variant, cause in _merge_causes(mode, batch, steps, units, return_sequences):
                        if same(normal, variant):
                            raise Fail(_("{case}: got {got}, expected {expected}. {cause}").format(
                                case=case, got=repr(got), expected=repr(expected), cause=cause))
                    raise Fail(_("{case}: got {got}, expected {expected}.").format(
                        case=case, got=repr(got), expected=repr(expected)))

    return run(name, body)


# ----------------------------------------------------------------------------- attention_weights


def _softmax_rows(scores: np.ndarray, axis: int = 1) -> np.ndarray:
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _attention_cases() -> Iterator[tuple[np.ndarray, np.ndarray, str]]:
    rng = np.random.default_rng(4)
    scores = rng.normal(size=(3, 6)) * 3
    mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0]], dtype=bool)
    yield scores, mask, _("end-padded rows")
    scores = rng.normal(size=(5, 9)) * 2
    mask = rng.random(size=(5, 9)) < 0.6
    mask[:, 0] = True                     # every row has at least one real token
    yield scores, mask, _("masks with gaps, not only padding at the end")


# the last column is padding. Row 3 overflows without a shift; row 2 underflows when the shift
# is the row's overall maximum (a padding score); rows 0 and 1 break both ways.
_LARGE = np.array([[1000.0, 1001.0, 999.0, 5000.0], [-1000.0, -1001.0, -999.0, 0.0],
                   [1.0, 2.0, 3.0, 800.0], [800.0, 801.0, 799.0, -5.0]])
_LARGE_MASK = np.array([[True, True, True, False]] * 4)


def _attention_causes(scores: np.ndarray, mask: np.ndarray) -> Iterator[tuple[np.ndarray, str]]:
    """Weights of likely mistakes, each with the cause to name."""
    plain = _softmax_rows(scores)
    yield plain, _("the mask is ignored: padding positions (mask False) must get weight exactly 0.")
    yield plain * mask, _("padding was set to 0 after the softmax, so the real tokens' weights no longer sum to 1: "
                          "mask the scores before the softmax (or divide by the new sum).")
    yield np.where(mask, _softmax_rows(np.where(mask, scores, -np.inf), axis=0), 0.0), \
        _("the softmax runs down each column (axis 0); it must normalise each row (axis=1).")


def _stability_cause(got: np.ndarray, expected: np.ndarray) -> str:
    """Why an answer that was right on moderate scores is wrong on :data:`_LARGE`, from the rows it gets wrong."""
    wrong = {int(i) for i in np.flatnonzero(~np.all(np.isclose(got, expected, atol=1e-5, rtol=0), axis=1))}
    if 3 in wrong and 2 not in wrong:
        return _("np.exp overflows for large scores: subtract the row's largest real score before np.exp.")
    if 2 in wrong and 3 not in wrong:
        return _("the shift must be the row's largest *real* score (mask True): here the overall maximum is a "
                 "padding score, and every real weight underflows to 0.")
    return _("subtract the row's largest real (mask True) score before np.exp, so that it cannot overflow.")


def check_attention_weights(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``attention_weights(scores, mask) -> weights``: a softmax over each row of
    ``scores`` (batch, steps) that gives padding (mask False) weight 0, stable for large scores."""
    from ..attention import masked_softmax

    name = function_name(fn, "attention_weights")

    def result(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return expect_array(call(fn, scores, mask, name=name), _("the result of {name}").format(name=name),
                                scores.shape, "f")

    def body() -> None:
        for scores, mask, what in _attention_cases():
            expected = masked_softmax(scores.copy(), mask.copy())
            got = result(scores, mask)
            problem = compare_arrays(got, expected, _("weight array"))
            if problem is None:
                continue
            for variant, cause in _attention_causes(scores, mask):
                if matches(got, variant):
                    raise Fail(_("({where}) {problem}").format(where=what, problem=cause))
            if np.any(got[~mask] != 0):
                problem += _(" Padding positions (mask False) must get weight exactly 0.")
            elif np.all(np.isfinite(got)) and not np.allclose(got.sum(axis=1), 1):
                problem += _(" Each row's weights must sum to 1 over the real tokens.")
            raise Fail(_("({what}, scores {shape}) {problem}").format(what=what, shape=scores.shape, problem=problem))
        scores, mask = _LARGE.copy(), _LARGE_MASK.copy()
        expected = masked_softmax(_LARGE, _LARGE_MASK)
        got = result(scores, mask)
        problem = compare_arrays(got, expected, _("weight array"))
        if problem:
            raise Fail(_("with large scores {scores} (last column padding): {problem} {cause}").format(
                scores=_LARGE.tolist(), problem=problem,
                cause=_stability_cause(np.asarray(got, dtype='float64'), expected)))


    return run(name, body)


# ----------------------------------------------------------------------------- reversing end-padded rows


def check_reverse_reviews(fn: Callable[[np.ndarray], np.ndarray]) -> bool:
    """Check ``reverse_reviews(x)``: reverse each end-padded row's real tokens, padding stays at the end."""
    return _check_reverse(fn, "reverse_reviews")


def _reverse_cases() -> Iterator[np.ndarray]:
    yield np.array([[5, 6, 7, 0, 0], [1, 2, 3, 4, 9], [8, 0, 0, 0, 0]])
    rng = np.random.default_rng(2)
    lengths = np.r_[rng.integers(1, 12, size=18), 12, 0]     # full rows and an empty one too
    y = np.zeros((20, 12), dtype="int64")
    for i, n in enumerate(lengths):
        y[i, :n] = rng.integers(1, 100, size=n)
    yield y
    yield y[:7, :9].astype("int32")


def _reverse_causes(x: np.ndarray) -> Iterator[tuple[np.ndarray, str]]:
    """Results of likely mistakes, each with the cause to name."""
    yield x[:, ::-1], _("x[:, ::-1] also moves the padding to the front. Reverse only the first n tokens of each "
                        "row (n = its number of non-zero ids) and keep the zeros at the end.")
    yield x, _("you returned the rows unchanged.")
    yield x[::-1], _("x[::-1] reverses the order of the rows; reverse the tokens within each row.")
    n = np.count_nonzero(x, axis=1)
    wider = np.zeros_like(x)
    for i, k in enumerate(n):
        wider[i, :k + 1] = x[i, :k + 1][::-1]
    yield wider, _("you reversed n + 1 positions of a padded row, which moves a padding 0 in front of its tokens.")


def _check_reverse(fn: Callable[[np.ndarray], np.ndarray], name: str) -> bool:
    """Check a function that reverses the real tokens of each end-padded row of an integer
    array and keeps the padding at the end; ``name`` is the notebook's default name for it."""
    from ..attention import reverse_sequences

    label = function_name(fn, name)

    def body() -> None:
        for case in _reverse_cases():
            expected = reverse_sequences(case.copy())
            got = expect_array(call(fn, case, name=label), _("the result of {name}").format(name=label), case.shape,
                               "i")
            if np.array_equal(got, expected):
                continue
            for variant, cause in _reverse_causes(case):
                if np.array_equal(got, variant):
                    raise Fail(cause)
            problem = compare_arrays(got, expected, _("reversed array"), atol=0)
            raise Fail(_("{problem} For example [5, 6, 7, 0, 0] should become [7, 6, 5, 0, 0].").format(
                problem=problem))

    return run(label, body)


# ----------------------------------------------------------------------------- a model that does not forget

#: the probe the check trains on: evidence in the first PROBE_WITHIN of PROBE_LENGTH steps
PROBE_LENGTH, PROBE_WITHIN = 100, 10
_REGRESSION_LOSSES = ("mse", "mae", "mean_squared_error", "mean_absolute_error", "huber", "log_cosh", "logcosh")


def _loss_name(model: Any) -> str:
    """The compiled loss as a lower-case name ('' when it has none)."""
    loss = getattr(model, "loss", None)
    if isinstance(loss, str):
        return loss.lower()
    return str(getattr(loss, "name", None) or getattr(loss, "__name__", "") or "").lower()


def _probe_probability_model(model: Any, x: np.ndarray) -> None:
    """Fail with a specific message unless ``model`` maps (batch, steps, 1) probe sequences
    to one probability each, shape (batch, 1)."""
    import keras

    from ._core import keras_step

    steps, features = x.shape[1:]
    try:
        declared = model.input_shape
    except Exception:  # noqa: BLE001 - a Sequential model without an Input builds on first use
        declared = None
    if isinstance(declared, list):
        raise Fail(_("the model has {count} inputs; it should read one batch of sequences.").format(count=len(declared)))
    if isinstance(declared, tuple) and all(d is None or isinstance(d, int) for d in declared):
        if len(declared) != 3 or declared[1] not in (None, steps) or declared[2] not in (None, features):
            raise Fail(_("the model expects inputs of shape {declared}, but the probe's sequences come as "
                         "(batch, {steps}, {features}) = (batch, steps, features): start with "
                         "keras.Input(({steps}, {features})).").format(declared=declared, steps=steps,
                                                                      features=features))
    out = keras_step(_("calling the model on 2 sequences of shape ({steps}, {features})").format(
        steps=steps, features=features), lambda: model(x[:2], training=False))
    if isinstance(out, (list, tuple, dict)):
        raise Fail(_("the model has {count} outputs; it should have one: P(label 1) per sequence.").format(
            count=len(out)))
    out = keras_step(_("reading the model's output"), lambda: keras.ops.convert_to_numpy(out))
    if out.ndim == 3 and out.shape[:2] == (2, steps):
        raise Fail(_("the model outputs shape {shape}: one prediction per step, not per sequence. The recurrent "
                     "layer before the head must return only its final state(s) (return_sequences=False, the "
                     "default).").format(shape=out.shape))
    if out.ndim == 2 and out.shape[0] == 2 and out.shape[1] != 1:
        raise Fail(_("the model outputs {count} numbers per sequence (shape {shape}); a binary classifier "
                     "outputs one probability, shape (batch, 1): end with Dense(1, activation=\"sigmoid\").").format(
                         count=out.shape[1], shape=out.shape))
    if out.shape != (2, 1):
        raise Fail(_("the model should output one probability per sequence, shape (2, 1) for 2 sequences; got "
                     "{shape}.").format(shape=out.shape))
    last = model.layers[-1] if getattr(model, "layers", None) else None
    if (isinstance(last, keras.layers.Dense) and last.activation is keras.activations.linear
            and "crossentropy" not in _loss_name(model)):
        raise Fail(_("the last layer is Dense(1) without an activation, so the model outputs any real number, not a "
                     "probability: use Dense(1, activation=\"sigmoid\")."))
    if not np.all(np.isfinite(out)):
        raise Fail(_("the model's output contains NaN or inf before training."))


def check_probe_beats(build: Callable[[], Any], threshold: float = 0.8, epochs: int = 3,
                      n_train: int = 2000) -> bool:
    """Train the binary classifier that ``build()`` returns (compiled or not; one sigmoid
    output) on an order probe whose evidence lies in the first :data:`PROBE_WITHIN` of
    :data:`PROBE_LENGTH` steps (``utils.probes.make_order_probe(..., within=...)``), and compare
    its validation accuracy on 1,000 new sequences with ``threshold``.

    The model is probed first on two sequences: it must take ``(batch, PROBE_LENGTH, 1)`` and
    return ``(batch, 1)``. An uncompiled model is compiled with Adam(3e-3) and binary
    cross-entropy; a model compiled with a regression loss is rejected. The training is short
    (``epochs`` epochs on ``n_train`` sequences, seconds on a CPU), which a forward-only
    recurrent layer cannot use to carry the evidence over 90 steps, while one that reads the
    sequence backwards sees it last."""
    import keras

    from ..probes import make_order_probe
    from ._core import keras_step

    name = function_name(build, "build_model")
    result: dict[str, float] = {}

    def body() -> None:
        if isinstance(build, keras.Model):
            raise Fail(_("pass the function {name} itself (checks.check_probe_beats({name})), not the model it "
                         "returns: no parentheses after its name.").format(name=name))
        train = make_order_probe(n_train, PROBE_LENGTH, seed=200, within=PROBE_WITHIN)
        val = make_order_probe(1000, PROBE_LENGTH, seed=201, within=PROBE_WITHIN)
        keras.utils.set_random_seed(0)
        model = call(build, name=name)
        if isinstance(model, type):
            raise Fail(_("{name}() returned the class {cls}, not a model: return an instance.").format(
                name=name, cls=model.__name__))
        if not isinstance(model, keras.Model):
            raise Fail(_("{name}() must return a keras Model, got {kind}.").format(name=name, kind=type(model).__name__))
        _probe_probability_model(model, val.x)
        if not model.compiled:
            keras_step(_("compiling the model"), lambda: model.compile(optimizer=keras.optimizers.Adam(3e-3),
                                                                       loss="binary_crossentropy",
                                                                       metrics=["accuracy"]))
        loss = _loss_name(model)
        if getattr(model, "loss", None) is None:
            raise Fail(_("the model is compiled without a loss: use loss=\"binary_crossentropy\", or do not compile "
                         "it and the check uses Adam and binary cross-entropy."))
        if any(loss == r or loss.endswith(r) for r in _REGRESSION_LOSSES):
            raise Fail(_("the model is compiled with loss={loss}, a regression loss; the probe is a binary "
                         "classification (label 0 or 1): use loss=\"binary_crossentropy\".").format(loss=repr(loss)))
        if "categorical" in loss:
            raise Fail(_("the model is compiled with loss={loss}, which expects one probability per class; with "
                         "one sigmoid output use loss=\"binary_crossentropy\".").format(loss=repr(loss)))
        keras_step(_("training the model (model.fit)"),
                   lambda: model.fit(train.x, train.y, batch_size=64, epochs=epochs, verbose=0, shuffle=True))
        pred = np.asarray(keras_step(_("predicting on the validation sequences"),
                                     lambda: model.predict(val.x, batch_size=500, verbose=0)), dtype="float64")
        if pred.shape != (len(val.y), 1) or not np.all(np.isfinite(pred)):
            raise Fail(_("after training, the predictions have shape {shape} and {bad} NaN or inf values; expected "
                         "finite values of shape ({n}, 1). The training diverged: lower the learning rate.").format(
                             shape=pred.shape, bad=int(np.sum(~np.isfinite(pred))), n=len(val.y)))
        result["accuracy"] = float(np.mean((pred.reshape(-1) > 0.5) == val.y))
        if result["accuracy"] < threshold:
            hint = (_(" That is chance: the evidence sits in the first 10 of 100 steps, and a layer that reads only "
                      "forwards must carry it through some 90 steps of noise to its final state. Which direction "
                      "reads it last?") if result["accuracy"] < 0.6 else "")
            raise Fail(_("validation accuracy {accuracy:.3f}, needs at least {threshold:.2f}.{hint}").format(
                accuracy=result["accuracy"], threshold=threshold, hint=hint))

    ok = run(name, body)
    if ok:
        print("   " + _("validation accuracy {accuracy:.3f} >= {threshold:.2f}").format(
            accuracy=result["accuracy"], threshold=threshold))
    return ok
