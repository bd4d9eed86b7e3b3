"""Checks for chapter 05: forecasting the weather."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._core import Fail, call, compare_arrays, run


def check_naive_mae(fn: Callable[[np.ndarray, int], float]) -> bool:
    """Check ``naive_mae(series, horizon)``: MAE of predicting ``series[t + horizon]`` by ``series[t]``."""

    def body() -> None:
        rng = np.random.default_rng(5)
        cases = [(np.array([1.0, 2.0, 4.0, 7.0]), 1), (np.array([1.0, 2.0, 4.0, 7.0]), 2),
                 (rng.normal(size=200).cumsum(), 24)]
        for series, horizon in cases:
            got = call(fn, series.copy(), horizon)
            expected = np.abs(series[horizon:] - series[:-horizon]).mean()
            problem = compare_arrays(got, np.asarray(expected), f"MAE for horizon {horizon}")
            if problem:
                raise Fail(problem)

    return run("naive_mae", body)


def check_windows(fn: Callable[..., tuple[np.ndarray, np.ndarray]]) -> bool:
    """Check ``windows_by_hand(data, targets, sequence_length, sampling_rate)`` against Keras."""
    import keras

    def body() -> None:
        rng = np.random.default_rng(6)
        for length, seq, rate in ((30, 5, 1), (50, 4, 3), (12, 12, 1)):
            data = rng.normal(size=(length, 3)).astype("float32")
            targets = rng.normal(size=length).astype("float32")
            ds = keras.utils.timeseries_dataset_from_array(data, targets, sequence_length=seq, sampling_rate=rate, batch_size=1000)
            xk, yk = (np.concatenate([np.asarray(b[i]) for b in ds]) for i in (0, 1))
            got = call(fn, data.copy(), targets.copy(), seq, rate)
            if not (isinstance(got, tuple) and len(got) == 2):
                raise Fail(f"return a tuple (windows, window_targets), got {type(got).__name__}.")
            for what, mine, ref in (("windows", got[0], xk), ("window targets", got[1], yk)):
                problem = compare_arrays(mine, ref, f"{what} (length {length}, sequence_length {seq}, sampling_rate {rate})")
                if problem:
                    raise Fail(problem)

    return run("windows_by_hand", body)


def check_model_beats(build: Callable[[], Any], train: tuple[np.ndarray, np.ndarray],
                      val: tuple[np.ndarray, np.ndarray], target_mae: float, epochs: int,
                      y_mean: float, y_std: float) -> tuple[bool, float | None]:
    """Train the model that ``build()`` returns (compiled or not) and compare its best
    validation MAE, in the target's units, with ``target_mae``. Returns (passed, MAE)."""
    import keras

    from ..training import make_dataset

    result: dict[str, Any] = {}

    def body() -> None:
        keras.utils.set_random_seed(0)
        model = call(build)
        if not isinstance(model, keras.Model):
            raise Fail(f"build_model() must return a keras Model, got {type(model).__name__}.")
        result["model"] = model
        if not model.compiled:
            model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
        scale = lambda y: (y - y_mean) / y_std  # noqa: E731
        stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
        model.fit(make_dataset(train[0], scale(train[1]), 128, shuffle=True), epochs=epochs, verbose=0, shuffle=False,
                  validation_data=make_dataset(val[0], scale(val[1]), 512), callbacks=[stop])
        pred = np.asarray(model.predict(val[0], verbose=0)).reshape(-1) * y_std + y_mean
        result["mae"] = float(np.abs(pred - val[1]).mean())
        if result["mae"] >= target_mae:
            raise Fail(f"validation MAE {result['mae']:.3f} °C, needs to be below {target_mae:.3f} °C.")

    ok = run("build_model", body)
    if ok:
        print(f"   validation MAE {result['mae']:.3f} °C < {target_mae:.3f} °C")
    return ok, result.get("mae")
