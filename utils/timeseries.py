"""Windowing helpers for forecasting on the NYC weather table (chapters 04, 05, 06)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import WEATHER_FEATURES

VAL_START, TEST_START = "2013-09-01", "2013-11-01"


def chronological_split(table, val_start: str = VAL_START, test_start: str = TEST_START):
    """Split a ``(origin, time)``-indexed table into train (before ``val_start``),
    validation (up to ``test_start``) and test (the rest), in time order."""
    time = table.index.get_level_values("time")
    val_start_ts = np.datetime64(val_start)
    test_start_ts = np.datetime64(test_start)
    t = time.tz_convert(None).to_numpy() if getattr(time, "tz", None) is not None else time.to_numpy()
    return table[t < val_start_ts], table[(t >= val_start_ts) & (t < test_start_ts)], table[t >= test_start_ts]


@dataclass
class Windows:
    """Forecasting windows: inputs ``x`` (n, timesteps, features), targets ``y`` (°C), and
    the naive forecast ``naive`` (the target variable at the window's last step)."""

    x: np.ndarray
    y: np.ndarray
    naive: np.ndarray


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
    xs, ys, naive = [], [], []
    for _, series in table.groupby(level="origin", sort=True):
        values = ((series[list(features)] - mean[list(features)]) / std[list(features)]).to_numpy("float32")
        goal = series[target].to_numpy("float32")
        if len(goal) <= delay:
            continue
        ds = keras.utils.timeseries_dataset_from_array(
            values[:-horizon], goal[delay:], sequence_length=sequence_length,
            sampling_rate=sampling_rate, sequence_stride=stride, batch_size=4096, shuffle=False)
        for xb, yb in ds:
            xs.append(np.asarray(xb))
            ys.append(np.asarray(yb))
        n = sum(len(b) for b in ys) - sum(len(b) for b in naive)
        naive.append(goal[last:last + n * stride:stride][:n])
    return Windows(np.concatenate(xs), np.concatenate(ys), np.concatenate(naive))
