"""Windowing helpers for forecasting on the NYC weather table (chapters 04, 05, 06)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import WEATHER_FEATURES

VAL_START, TEST_START = "2013-09-01", "2013-11-01"


def chronological_split(table, val_start: str = VAL_START, test_start: str = TEST_START):
    """Split a ``(origin, time)``-indexed table into train (before ``val_start``),
    validation (up to ``test_start``) and test (the rest), in time order."""
    time = table.index.get_level_values("time")
    val_ts, test_ts = pd.Timestamp(val_start, tz=time.tz), pd.Timestamp(test_start, tz=time.tz)
    return table[time < val_ts], table[(time >= val_ts) & (time < test_ts)], table[time >= test_ts]


@dataclass
class Windows:
    """Forecasting windows: inputs ``x`` (n, timesteps, features), targets ``y`` (°C), the
    naive forecast ``naive`` (the target variable at the window's last step), and for each
    window its airport ``origin`` and the ``target_time`` it forecasts."""

    x: np.ndarray
    y: np.ndarray
    naive: np.ndarray
    origin: np.ndarray
    target_time: np.ndarray


def make_windows(table, mean, std, sequence_length: int, sampling_rate: int, horizon: int,
                 target: str = "temp", features: tuple[str, ...] = WEATHER_FEATURES,
                 stride: int = 1) -> Windows:
    """Windows of each airport's series, built with ``keras.utils.timeseries_dataset_from_array``.

    Window i holds the hours ``i, i + sampling_rate, ...`` (``sequence_length`` of them); its
    target is ``target`` ``horizon`` hours after the window's last hour. Windows never cross
    from one airport to the next. Features are standardised with ``mean`` and ``std`` (use
    the training split's). ``stride`` > 1 keeps every stride-th window (fast mode).
    """
    import keras

    last = (sequence_length - 1) * sampling_rate
    delay = last + horizon
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("x", "y", "naive", "origin", "target_time")}
    for origin, series in table.groupby(level="origin", sort=True):
        values = ((series[list(features)] - mean[list(features)]) / std[list(features)]).to_numpy("float32")
        goal = series[target].to_numpy("float32")
        if len(goal) <= delay:
            continue
        ds = keras.utils.timeseries_dataset_from_array(
            values[:-horizon], goal[delay:], sequence_length=sequence_length,
            sampling_rate=sampling_rate, sequence_stride=stride, batch_size=4096, shuffle=False)
        x = np.concatenate([np.asarray(xb) for xb, _ in ds])
        n = len(x)
        starts = np.arange(n) * stride                       # window i starts at hour starts[i]
        times = series.index.get_level_values("time")
        parts["x"].append(x)
        parts["y"].append(np.concatenate([np.asarray(yb) for _, yb in ds]))
        parts["naive"].append(goal[starts + last])
        parts["origin"].append(np.full(n, origin))
        parts["target_time"].append(times[starts + delay].to_numpy())
    return Windows(**{k: np.concatenate(v) for k, v in parts.items()})
