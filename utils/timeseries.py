"""Windowing helpers for forecasting on the NYC weather table (chapters 04, 05, 06)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import smoke
from ._validate import check_str
from .config import _check_int, _check_names
from .data import WEATHER_FEATURES

VAL_START, TEST_START = "2013-09-01", "2013-11-01"


def _check_table(table: object, levels: tuple[str, ...]) -> None:
    """TypeError unless ``table`` is a DataFrame, ValueError unless its index has ``levels``."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame indexed by (origin, time), such as "
                        f"utils.load_nyc_weather() returns, got {type(table).__name__}.")
    missing = [level for level in levels if level not in table.index.names]
    if missing:
        raise ValueError(f"table must have the index levels {list(levels)} (as utils.load_nyc_weather() returns), "
                         f"got {list(table.index.names)}.")


def _timestamp(name: str, value: object, tz: object) -> pd.Timestamp:
    """``value`` (a date string or Timestamp) as a Timestamp in ``tz``; TypeError/ValueError naming ``name``."""
    if not isinstance(value, str | pd.Timestamp):
        raise TypeError(f"{name} must be a date such as '2013-09-01', got {value!r} ({type(value).__name__}).")
    try:
        stamp = pd.Timestamp(value)
    except ValueError:
        raise ValueError(f"{name} must be a date such as '2013-09-01', got {value!r}.") from None
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date such as '2013-09-01', got {value!r}.")
    if tz is None:
        return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
    return stamp.tz_localize(tz) if stamp.tzinfo is None else stamp.tz_convert(tz)


def chronological_split(table, val_start: str = VAL_START, test_start: str = TEST_START):
    """Split a ``(origin, time)``-indexed table into train (before ``val_start``),
    validation (up to ``test_start``) and test (the rest), in time order.

    Raises:
        TypeError: if ``table`` is not a DataFrame or a date is not a str/Timestamp.
        ValueError: if the index has no ``time`` level, a date cannot be read,
            ``val_start >= test_start``, or a split would be empty (a date outside the table's
            time range).
    """
    _check_table(table, ("time",))
    time = table.index.get_level_values("time")
    val_ts, test_ts = _timestamp("val_start", val_start, time.tz), _timestamp("test_start", test_start, time.tz)
    if not val_ts < test_ts:
        raise ValueError(f"val_start must come before test_start, got val_start={val_start!r} and "
                         f"test_start={test_start!r}.")
    if len(time) == 0:
        raise ValueError("table must not be empty.")
    first, last = time.min(), time.max()
    if not (first < val_ts and test_ts <= last):
        raise ValueError(f"val_start and test_start must lie inside the table's time range so that every split has "
                         f"rows: first < val_start < test_start <= last with first = {first} and last = {last}, got "
                         f"val_start={val_start!r} and test_start={test_start!r}.")
    parts = table[time < val_ts], table[(time >= val_ts) & (time < test_ts)], table[time >= test_ts]
    if len(parts[1]) == 0:
        raise ValueError(f"no row lies between val_start={val_start!r} and test_start={test_start!r}: the "
                         "validation split would be empty.")
    return parts


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


def _check_statistics(name: str, value: object, features: tuple[str, ...], positive: bool) -> None:
    """TypeError unless ``value`` is a Series; ValueError unless it has a finite (positive) entry per feature."""
    if not isinstance(value, pd.Series):
        raise TypeError(f"{name} must be a pandas Series with one value per feature, e.g. train_table.{name}(), "
                        f"got {type(value).__name__}.")
    missing = [f for f in features if f not in value.index]
    if missing:
        raise ValueError(f"{name} has no value for the feature(s) {missing}: compute it on the table, e.g. "
                         f"train_table.{name}().")
    numbers = pd.to_numeric(value[list(features)], errors="coerce").to_numpy("float64")
    bad = [f for f, v in zip(features, numbers) if not np.isfinite(v) or (positive and v <= 0)]
    if bad:
        rule = "finite and above 0 (a constant feature cannot be standardised)" if positive else "finite"
        raise ValueError(f"{name} must be {rule} for every feature, got "
                         f"{ {f: value[f] for f in bad} }.")


def make_windows(table, mean, std, sequence_length: int, sampling_rate: int, horizon: int,
                 target: str = "temp", features: tuple[str, ...] = WEATHER_FEATURES,
                 stride: int = 1) -> Windows:
    """Windows of each airport's series, built with ``keras.utils.timeseries_dataset_from_array``.

    Window i holds the hours ``i, i + sampling_rate, ...`` (``sequence_length`` of them); its
    target is ``target`` ``horizon`` hours after the window's last hour. Windows never cross
    from one airport to the next. Features are standardised with ``mean`` and ``std`` (use
    the training split's). ``stride`` > 1 keeps every stride-th window (fast mode). An airport
    with too few rows for one window is left out.

    Raises:
        TypeError: if ``table`` is not a DataFrame, ``mean``/``std`` not Series, a size not an
            integer or ``target``/``features`` not str.
        ValueError: if a size is below 1 (``horizon`` 0 would ask for the hour the window ends
            on, which is already an input), a column is missing, ``std`` is not positive, or no
            airport has enough rows for one window.
    """
    import keras

    _check_table(table, ("origin", "time"))
    _check_int("sequence_length", sequence_length, minimum=1)
    _check_int("sampling_rate", sampling_rate, minimum=1)
    if isinstance(horizon, int) and not isinstance(horizon, bool) and horizon < 1:
        raise ValueError(f"horizon must be at least 1 hour after the window's last hour, got {horizon}: with 0 the "
                         "target would be the last input hour itself (the naive forecast), and a negative horizon "
                         "would ask for an hour inside the window.")
    _check_int("horizon", horizon, minimum=1)
    _check_int("stride", stride, minimum=1)
    check_str("target", target, allow_empty=False)
    features = _check_names("features", features, example="('temp', 'dewp')")
    if not features:
        raise ValueError("features must name at least one column, e.g. ('temp', 'dewp').")
    missing = [c for c in (*features, target) if c not in table.columns]
    if missing:
        raise ValueError(f"table has no column(s) {missing}; its columns are {list(table.columns)}.")
    _check_statistics("mean", mean, features, positive=False)
    _check_statistics("std", std, features, positive=True)

    last = (sequence_length - 1) * sampling_rate
    delay = last + horizon
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("x", "y", "naive", "origin", "target_time")}
    longest = 0
    for origin, series in table.groupby(level="origin", sort=True):
        values = ((series[list(features)] - mean[list(features)]) / std[list(features)]).to_numpy("float32")
        goal = series[target].to_numpy("float32")
        longest = max(longest, len(goal))
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
    if not parts["x"]:
        raise ValueError(f"no airport has enough rows for one window: a window needs more than "
                         f"(sequence_length - 1) * sampling_rate + horizon = ({sequence_length} - 1) * {sampling_rate} "
                         f"+ {horizon} = {delay} rows, the longest airport series has {longest}. Use shorter "
                         "windows or a longer table.")
    windows = {k: np.concatenate(v) for k, v in parts.items()}
    keep = smoke.cap(None, len(windows["x"]))   # smoke mode: evenly spaced windows; all of them otherwise
    if keep is not None:
        rows = np.linspace(0, len(windows["x"]) - 1, keep).astype(int)
        windows = {k: v[rows] for k, v in windows.items()}
    return Windows(**windows)
