"""Checks for chapter 05: forecasting the weather."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..i18n import _
from ._core import (
    Fail,
    call,
    cause_of,
    compare_arrays,
    expect_array,
    expect_float,
    function_name,
    keras_step,
    run,
    with_cause,
)


def _hint(got: Any, variants: Sequence[tuple[Any, str]]) -> str:
    """:func:`~utils.checks._core.cause_of`: the cause to add to a ❌ line with ``with_cause``, or ``""``."""
    return cause_of(got, variants, sentence=False)


# ----------------------------------------------------------------------------- exercise 1


def _keras_windows(data: np.ndarray, targets: np.ndarray, sequence_length: int,
                   sampling_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """The reference: what ``keras.utils.timeseries_dataset_from_array`` makes, as two arrays."""
    import keras

    ds = keras.utils.timeseries_dataset_from_array(data.copy(), targets.copy(), sequence_length=sequence_length,
                                                   sampling_rate=sampling_rate, batch_size=10_000, shuffle=False)
    batches = list(ds)
    return (np.concatenate([np.asarray(b[0]) for b in batches]).astype(data.dtype),
            np.concatenate([np.asarray(b[1]) for b in batches]).astype(targets.dtype))


def _window_cases() -> list[tuple[np.ndarray, np.ndarray, int, int]]:
    """(data, targets, sequence_length, sampling_rate): hand-made ones whose values name their
    row, then random ones; window counts, steps and features all differ, so transposes show."""
    rng = np.random.default_rng(6)
    rows = np.arange(17, dtype="float64")
    hand = np.stack([rows, 100 + rows], axis=1)                        # row i holds (i, 100 + i)
    cases = [(hand, 10 * np.arange(17, dtype="float64"), 3, 2),        # 13 windows of 3 rows, 2 features
             (hand.astype("float32"), np.arange(17) % 3, 4, 1)]        # integer targets stay integers
    for length, seq, rate, features in ((50, 4, 3, 3), (23, 4, 5, 2), (12, 12, 1, 5), (40, 1, 4, 1)):
        cases.append((rng.normal(size=(length, features)).astype("float32"),
                      rng.normal(size=length).astype("float32"), seq, rate))
    return cases


def check_windows(fn: Callable[..., tuple[np.ndarray, np.ndarray]]) -> bool:
    """Check ``windows_by_hand(data, targets, sequence_length, sampling_rate)``: a tuple of two
    NumPy arrays, equal (values, shapes and dtypes) to what ``timeseries_dataset_from_array``
    yields, without changing ``data`` or ``targets``."""
    name = function_name(fn, "windows_by_hand")

    def body() -> None:
        for data, targets, seq, rate in _window_cases():
            where = _("for data of shape {shape}, sequence_length={seq}, sampling_rate={rate}").format(
                shape=data.shape, seq=seq, rate=rate)
            x_ref, y_ref = _keras_windows(data, targets, seq, rate)
            got = call(fn, data, targets, seq, rate, name=name)
            if not (isinstance(got, tuple) and len(got) == 2):
                length = _(" of length {length}").format(length=len(got)) if isinstance(got, (list, tuple)) else ""
                raise Fail(_("{name} should return a tuple (windows, window_targets), got {kind}.").format(
                    name=name, kind=type(got).__name__ + length))
            x, y = got
            if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape == y_ref.shape \
                    and y.shape == x_ref.shape:
                raise Fail(_("{name} returned (window_targets, windows): return the windows first.").format(name=name))
            _check_windows_array(expect_array(x, f"windows {where}"), data, seq, rate, x_ref, where)
            y = expect_array(y, f"window_targets {where}")
            if y.shape != y_ref.shape:
                hint = _hint(y, [(targets[:len(y_ref)].reshape(-1, 1), _("Return a 1-D array, one target per window."))])
                raise Fail(with_cause(_("window_targets {where} has shape {got}, expected {expected} (one target per "
                                        "window).").format(where=where, got=y.shape, expected=y_ref.shape), hint))
            if y.dtype != y_ref.dtype:
                raise Fail(_("window_targets {where} has dtype {got}, expected {expected} (the dtype of targets): take "
                             "the values from targets without converting them.").format(
                                 where=where, got=y.dtype, expected=y_ref.dtype))
            span = (seq - 1) * rate
            problem = compare_arrays(y, y_ref, f"window_targets {where}", atol=0)
            if problem:
                hint = _hint(y, [(targets[span:span + len(y_ref)], _("Window i's target is targets[i] (the target "
                                                                     "of its first row), not the target of its last "
                                                                     "row."))])
                raise Fail(with_cause(problem, hint))

    return run(name, body)


def _check_windows_array(x: np.ndarray, data: np.ndarray, seq: int, rate: int, x_ref: np.ndarray,
                         where: str) -> None:
    """Compare the student's windows with Keras's; :class:`Fail` naming the difference."""
    n = len(x_ref)
    if x.shape != x_ref.shape:
        if x.shape == (n, data.shape[1], seq):
            raise Fail(_("windows {where} have shape {got}, expected {expected} = (windows, sequence_length, "
                         "features): your windows are transposed.").format(where=where, got=x.shape, expected=x_ref.shape))
        if x.ndim == 3 and x.shape[1:] == x_ref.shape[1:] and x.shape[0] in (n - 1, n + 1):
            message = (_("windows {where} have shape {got}, expected {expected}: one window too few. The last window "
                         "starts at i = len(data) - (sequence_length - 1) * sampling_rate - 1, so its last row is the "
                         "last row of data.") if x.shape[0] < n else
                       _("windows {where} have shape {got}, expected {expected}: one window too many. The last window "
                         "starts at i = len(data) - (sequence_length - 1) * sampling_rate - 1, so its last row is the "
                         "last row of data."))
            raise Fail(message.format(where=where, got=x.shape, expected=x_ref.shape))
        every_row = np.stack([data[i:i + seq] for i in range(len(data) - seq + 1)])
        hint = _hint(x, [(every_row, _("You ignored sampling_rate: these are the windows of consecutive rows. Window "
                                       "i is data[i], data[i + sampling_rate], …."))])
        raise Fail(with_cause(_("windows {where} have shape {got}, expected {expected} = (windows, sequence_length, "
                                "features): one window for every start i whose last row, i + (sequence_length - 1) * "
                                "sampling_rate, is inside data.").format(where=where, got=x.shape, expected=x_ref.shape),
                              hint))
    if x.dtype != x_ref.dtype:
        raise Fail(_("windows {where} have dtype {got}, expected {expected} (the dtype of data, as Keras keeps it): "
                     "slice data instead of converting it, or pass dtype=data.dtype.").format(
                         where=where, got=x.dtype, expected=x_ref.dtype))
    problem = compare_arrays(x, x_ref, f"windows {where}", atol=0)
    if problem:
        consecutive = np.stack([data[i:i + seq] for i in range(n)]) if len(data) >= n + seq - 1 else None
        hint = _hint(x, [(consecutive, _("These are consecutive rows: window i takes every sampling_rate-th row, "
                                         "data[i], data[i + sampling_rate], …."))])
        raise Fail(with_cause(problem, hint))


# ----------------------------------------------------------------------------- exercise 2


def _naive(series: np.ndarray, horizon: int) -> float:
    """The reference naive MAE (also for the off-by-one variants, hence the guard)."""
    if not 0 < horizon < len(series):
        return float("nan")
    return float(np.mean(np.abs(series[horizon:] - series[:-horizon])))


def check_naive_mae(fn: Callable[[np.ndarray, int], float]) -> bool:
    """Check ``naive_mae(series, horizon) -> float``: the mean absolute error of predicting
    ``series[t + horizon]`` by ``series[t]`` over every t where both exist."""
    name = function_name(fn, "naive_mae")

    def body() -> None:
        rng = np.random.default_rng(5)
        wiggly = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0])
        cases = [(wiggly, 1), (wiggly, 2), (wiggly, 3), (wiggly, 9),     # horizon 9: a single pair
                 (np.array([2, 7, 1, 8, 2, 8]), 2),                       # integer readings
                 (rng.normal(size=200).cumsum(), 24), (10 + 5 * rng.normal(size=73), np.int64(5))]
        for series, horizon in cases:
            original = series.copy()
            got = call(fn, series, horizon, name=name)
            value = expect_float(got, f"{name}(series, {int(horizon)})")
            expected = _naive(original, int(horizon))
            if np.isclose(value, expected, atol=1e-6, rtol=1e-9):
                continue
            h, pairs = int(horizon), original[int(horizon):] - original[:-int(horizon)]
            hint = _hint(value, [
                (_naive(original, h - 1), _("That is the MAE for horizon - 1: compare series[t + horizon] with "
                                            "series[t], i.e. series[horizon:] with series[:-horizon].")),
                (_naive(original, h + 1), _("That is the MAE for horizon + 1: compare series[horizon:] with "
                                            "series[:-horizon].")),
                (float(np.mean(pairs)), _("That is the mean of the signed errors: take their absolute value first.")),
                (float(np.mean(pairs ** 2)), _("That is the mean squared error: take absolute values, not squares.")),
                (float(np.sqrt(np.mean(pairs ** 2))), _("That is the root mean squared error, not the MAE.")),
                (float(np.abs(pairs).sum() / len(original)),
                 _("You divided by len(series): average over the len(series) - horizon pairs.")),
                (float(np.mean(np.abs(np.diff(original, n=h)))),
                 _("np.diff(series, n=horizon) is the horizon-th *repeated* difference, not series[t + horizon] - "
                   "series[t].")),
                (float(np.mean(np.abs(np.diff(original)))) * h,
                 _("horizon times the one-step MAE equals the naive MAE only for a straight line.")),
            ])
            raise Fail(with_cause(_("{call} returned {got}, expected {expected} for series = {series}.").format(
                call=f"{name}(series, {h})", got=f"{value:.6g}", expected=f"{expected:.6g}",
                series=_series_text(original)), hint))

    return run(name, body)


def _series_text(series: np.ndarray) -> str:
    """A short description of a test series for the ❌ line."""
    if len(series) <= 10:
        return np.array2string(series, separator=", ")
    return "<" + _("{count} values").format(count=len(series)) + ">"


# ----------------------------------------------------------------------------- exercise 3


_BOUNDED = {"sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "softmax": (1.0, 1.0), "tanh": (-1.0, 1.0),
            "relu": (0.0, np.inf), "softplus": (0.0, np.inf), "exponential": (0.0, np.inf), "elu": (-1.0, np.inf)}


def _output_activation(model: Any) -> str | None:
    """The name of the activation of the model's last layer, if it has one."""
    layers = getattr(model, "layers", None) or [None]
    return getattr(getattr(layers[-1], "activation", None), "__name__", None)


def _probe_model(model: Any, windows: np.ndarray) -> None:
    """Fail with a specific message unless ``model`` maps two windows to an array of shape (2, 1)."""
    steps, features = windows.shape[1:]
    try:
        declared = model.input_shape
    except Exception:  # noqa: BLE001 - a model without a declared input builds on first use
        declared = None
    if isinstance(declared, tuple) and all(d is None or isinstance(d, int) for d in declared):
        if len(declared) != 3 or declared[2] not in (None, features) or declared[1] not in (None, steps):
            transposed = " " + _("(steps and features swapped)") if declared[1:] == (features, steps) else ""
            raise Fail(_("your model expects inputs of shape {declared}, but the windows are (batch, {steps}, "
                         "{features}) = (batch, timesteps, features): start with keras.Input(({steps}, "
                         "{features})).").format(declared=f"{declared}{transposed}", steps=steps, features=features))
    elif declared is not None:
        raise Fail(_("your model has several inputs {declared}; it should take one window of shape ({steps}, "
                     "{features}).").format(declared=declared, steps=steps, features=features))
    out = keras_step(_("predicting on 2 windows of shape ({steps}, {features})").format(steps=steps, features=features),
                     lambda: model.predict(windows[:2], verbose=0),
                     _("Check that the layers fit together for inputs of shape (batch, timesteps, features)."))
    if not isinstance(out, np.ndarray):
        raise Fail(_("the model should have one output, shape (batch, 1); it returned a {kind} (several "
                     "outputs?).").format(kind=type(out).__name__))
    if out.shape == (2, 1):
        if out.dtype.kind != "f" or not np.all(np.isfinite(out)):
            raise Fail(_("the model's predictions should be finite floats; got {values} ({dtype}).").format(
                values=out.ravel(), dtype=out.dtype))
        return
    if out.ndim == 3 and out.shape[:2] == (2, steps):
        raise Fail(_("the model outputs shape {shape}: one prediction per time step. The last recurrent layer needs "
                     "return_sequences=False (the default) so that the head sees one vector per window.").format(
                         shape=out.shape))
    if out.ndim == 2 and out.shape[0] == 2:
        raise Fail(_("the model outputs shape {shape}: {count} numbers per window. It should predict one number, the "
                     "standardised temperature: end with Dense(1).").format(shape=out.shape, count=out.shape[1]))
    raise Fail(_("the model outputs shape {shape} for 2 windows, expected (2, 1): one number per window.").format(
        shape=out.shape))


def check_model_beats(build: Callable[[], Any], train: tuple[np.ndarray, np.ndarray],
                      val: tuple[np.ndarray, np.ndarray], target_mae: float, epochs: int,
                      y_mean: float, y_std: float) -> tuple[bool, float | None]:
    """Train the model that ``build()`` returns (compiled or not) and compare its best
    validation MAE, in the target's units, with ``target_mae``. Returns (passed, MAE); MAE is
    None when the model could not be trained.

    The model is probed first on two windows: it must take ``(batch, timesteps, features)``
    and return ``(batch, 1)``. Keras errors while compiling, fitting or predicting become one
    ❌ line."""
    import keras

    from ..training import make_dataset

    name = function_name(build, "build_model")
    result: dict[str, Any] = {}

    def body() -> None:
        if isinstance(build, keras.Model):
            raise Fail(_("pass the function {name} itself (checks.check_model_beats({name}, …)), not the model it "
                         "returns: no parentheses after its name.").format(name=name))
        keras.utils.set_random_seed(0)
        model = call(build, name=name)
        if not isinstance(model, keras.Model):
            raise Fail(_("{name}() must return a keras Model, got {kind}.").format(name=name, kind=type(model).__name__))
        _probe_model(model, val[0])
        if not model.compiled:
            keras_step(_("compiling the model"),
                       lambda: model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse"))
        loss = model.loss if isinstance(model.loss, str) else getattr(model.loss, "name", "")
        if model.loss is None:
            raise Fail(_("the model is compiled without a loss: use model.compile(..., loss=\"mse\") (or \"mae\"), "
                         "or do not compile it and the check uses Adam and MSE."))
        if isinstance(loss, str) and ("crossentropy" in loss or "hinge" in loss):
            raise Fail(_("the model is compiled with loss={loss}, a classification loss; forecasting a temperature "
                         "is regression: use loss=\"mse\" (or \"mae\").").format(loss=repr(loss)))
        scale = lambda y: (y - y_mean) / y_std  # noqa: E731
        stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
        keras_step(_("training the model"), lambda: model.fit(
            make_dataset(train[0], scale(train[1]), 128, shuffle=True), epochs=epochs, verbose=0, shuffle=False,
            validation_data=make_dataset(val[0], scale(val[1]), 512), callbacks=[stop]))
        raw = np.asarray(keras_step(_("predicting on the validation windows"),
                                    lambda: model.predict(val[0], verbose=0))).reshape(-1)
        if not np.all(np.isfinite(raw)):
            raise Fail(_("after training the model predicts NaN or inf: the training diverged. Lower the learning "
                         "rate."))
        result["mae"] = float(np.abs(raw * y_std + y_mean - val[1]).mean())
        if result["mae"] >= target_mae:
            raise Fail(with_cause(_("validation MAE {mae} °C, needs to be below {target} °C.").format(
                mae=f"{result['mae']:.3f}", target=f"{target_mae:.3f}"),
                _bounded_hint(model, raw, scale(np.asarray(val[1], dtype="float64")))))

    ok = run(name, body)
    if ok:
        print("   " + _("validation MAE {mae} °C < {target} °C").format(
            mae=f"{result['mae']:.3f}", target=f"{target_mae:.3f}"))
    return ok, result.get("mae")


def _bounded_hint(model: Any, raw: np.ndarray, scaled_targets: np.ndarray) -> str:
    """Name the output activation as the cause when it bounds the predictions, every
    prediction lies within that bound, and many standardised targets lie outside it (else ``""``)."""
    activation = _output_activation(model)
    if activation not in _BOUNDED:
        return ""
    low, high = _BOUNDED[activation]
    outside = float(np.mean((scaled_targets < low) | (scaled_targets > high)))
    if outside < 0.2 or not np.all((raw >= low - 1e-6) & (raw <= high + 1e-6)):
        return ""
    return _("The output layer's activation {activation} keeps every prediction in [{low}, {high}], but {outside} "
             "of the standardised temperatures lie outside: a regression output needs no activation.").format(
                 activation=repr(activation), low=f"{low:g}", high=f"{high:g}", outside=f"{outside:.0%}")
