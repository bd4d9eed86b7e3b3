import os

import numpy as np
import pandas as pd
import pytest

from utils import checks, data
from utils.config import DATA_ENV
from utils.timeseries import chronological_split, make_windows

FEATURES = ("temp", "dewp")


def toy_table(hours=60):
    """Two airports, two features; temp counts hours so windows are easy to verify."""
    times = pd.date_range("2013-08-30", periods=hours, freq="h", tz="UTC")
    frames = []
    for k, origin in enumerate(["AAA", "BBB"]):
        df = pd.DataFrame({"temp": np.arange(hours, dtype=float) + 1000 * k, "dewp": 0.5 * np.arange(hours)},
                          index=pd.Index(times, name="time"))
        frames.append(df.assign(origin=origin).set_index("origin", append=True).swaplevel())
    return pd.concat(frames)


def test_windows_targets_and_naive_line_up():
    table = toy_table()
    mean, std = pd.Series({"temp": 0.0, "dewp": 0.0}), pd.Series({"temp": 1.0, "dewp": 1.0})
    w = make_windows(table, mean, std, sequence_length=4, sampling_rate=2, horizon=5, features=FEATURES)
    last, delay = 6, 11
    per_airport = 60 - delay
    assert w.x.shape == (2 * per_airport, 4, 2)
    np.testing.assert_array_equal(w.x[0, :, 0], [0, 2, 4, 6])          # every 2nd hour
    assert w.y[0] == 0 + delay and w.naive[0] == last                   # target 5 h after the last step
    np.testing.assert_array_equal(w.y - w.naive, np.full(len(w.y), 5.0))
    assert w.x[per_airport, 0, 0] == 1000                               # second airport starts fresh
    assert (w.x[:per_airport, :, 0] < 1000).all()                       # no window crosses airports


def test_windows_stride_keeps_alignment():
    table = toy_table()
    mean, std = pd.Series({"temp": 0.0, "dewp": 0.0}), pd.Series({"temp": 1.0, "dewp": 1.0})
    w = make_windows(table, mean, std, 4, 2, 5, features=FEATURES, stride=3)
    np.testing.assert_array_equal(w.y - w.naive, np.full(len(w.y), 5.0))
    np.testing.assert_array_equal(w.x[:, -1, 0], w.naive)


def test_chronological_split_is_ordered_and_complete():
    table = toy_table(hours=24 * 70)
    train, val, test = chronological_split(table)
    assert len(train) + len(val) + len(test) == len(table)
    t = lambda df: df.index.get_level_values("time")  # noqa: E731
    assert t(train).max() < t(val).min() and t(val).max() < t(test).min()


def test_naive_and_window_checks(capsys):
    capsys.readouterr()

    def by_hand(data_, targets, seq, rate):
        span = (seq - 1) * rate
        return np.stack([data_[i:i + span + 1:rate] for i in range(len(data_) - span)]), targets[:len(data_) - span]

    assert checks.check_windows(by_hand)
    off_by_one = lambda d, t, s, r: (by_hand(d, t, s, r)[0][:-1], by_hand(d, t, s, r)[1][:-1])  # noqa: E731
    assert not checks.check_windows(off_by_one)
    assert "shape" in capsys.readouterr().out


def test_model_check_reports_a_bad_model(capsys):
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4, 2)).astype("float32")
    y = (x[:, -1, 0] * 3).astype("float32")
    def build_constant() -> keras.Model:
        return keras.Sequential([keras.Input((4, 2)), keras.layers.Flatten(),
                                 keras.layers.Dense(1, kernel_initializer="zeros", trainable=False)])

    ok, mae = checks.check_model_beats(build_constant, (x, y), (x, y), target_mae=0.5, epochs=1, y_mean=0.0, y_std=1.0)
    assert ok is False and mae > 0.5
    assert "needs to be below" in capsys.readouterr().out
    ok, _ = checks.check_model_beats(lambda: "not a model", (x, y), (x, y), 0.5, 1, 0.0, 1.0)
    assert ok is False


@pytest.mark.skipif(not os.environ.get(DATA_ENV), reason="needs the datasets")
def test_nyc_weather_is_clean_and_gap_free():
    w = data.load_nyc_weather()
    assert set(w.index.levels[0]) == {"EWR", "JFK", "LGA"}
    assert not w.isna().any().any()
    for _, g in w.groupby(level=0):
        steps = np.diff(g.index.get_level_values("time").to_numpy()).astype("timedelta64[h]").astype(int)
        assert (steps == 1).all()
    assert w["temp"].between(-30, 45).all(), "temperatures must be in °C"
    assert np.hypot(w["wind_u"], w["wind_v"]).max() < 100


def test_weather_gap_limit_is_enforced(monkeypatch, tmp_path):
    csv = tmp_path / "weather.csv"
    rows = ["origin,year,month,day,hour,temp,dewp,humid,wind_dir,wind_speed,wind_gust,precip,pressure,visib,time_hour"]
    for h in list(range(5)) + list(range(30, 35)):  # a 25-hour hole
        rows.append(f"EWR,2013,1,1,{h},50,40,70,180,5,,0,1010,10,2013-01-02T{h % 24:02d}:00:00Z".replace(
            f"2013-01-02T{h % 24:02d}", f"2013-01-{2 + h // 24:02d}T{h % 24:02d}"))
    csv.write_text("\n".join(rows) + "\n")
    monkeypatch.setattr(data, "fetch", lambda name, download=True: csv)
    with pytest.raises(data.DataIntegrityError, match="gap of"):
        data.load_nyc_weather(max_gap_hours=12)
    w = data.load_nyc_weather(max_gap_hours=30)
    assert w["temp"].iloc[0] == pytest.approx(10.0)  # 50 °F


def test_windows_know_their_airport_and_target_time():
    table = toy_table()
    mean, std = pd.Series({"temp": 0.0, "dewp": 0.0}), pd.Series({"temp": 1.0, "dewp": 1.0})
    w = make_windows(table, mean, std, 4, 2, 5, features=FEATURES, stride=3)
    times = table.loc["AAA"].index
    first_b = int(np.argmax(w.origin == "BBB"))
    assert (w.origin[:first_b] == "AAA").all() and (w.origin[first_b:] == "BBB").all()
    # the target of window i is the temp at its target_time (temp counts hours from the start)
    hours = (pd.DatetimeIndex(w.target_time) - times[0]) / pd.Timedelta(hours=1)
    np.testing.assert_array_equal(w.y[:first_b], hours[:first_b])
