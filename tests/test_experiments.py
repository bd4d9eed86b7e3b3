"""Tests for utils.experiments: seed loops, mean ± std and the noise rule."""

import numpy as np
import pandas as pd
import pytest

from utils.experiments import clearly_different, mean_std, repeat_over_seeds, summarize_over_seeds


def test_repeat_over_seeds_gives_one_row_per_seed_in_order():
    frame = repeat_over_seeds(lambda seed: {"mae": seed * 0.5, "epochs": 3}, [4, 1, 7], set_seed=False)
    assert list(frame.index) == [4, 1, 7]
    assert frame.index.name == "seed"
    assert list(frame.columns) == ["mae", "epochs"]
    np.testing.assert_allclose(frame["mae"], [2.0, 0.5, 3.5])


def test_repeat_over_seeds_seeds_numpy_before_each_run_and_is_reproducible():
    draw = lambda seed: {"x": float(np.random.random())}  # noqa: E731
    first = repeat_over_seeds(draw, [0, 1, 2])
    again = repeat_over_seeds(draw, [0, 1, 2])
    pd.testing.assert_frame_equal(first, again)
    assert first["x"].nunique() == 3  # other seeds, other draws


def test_repeat_over_seeds_without_set_seed_leaves_the_generator_alone():
    np.random.seed(123)
    expected = np.random.random(2)
    np.random.seed(123)
    frame = repeat_over_seeds(lambda seed: {"x": float(np.random.random())}, [0, 1], set_seed=False)
    np.testing.assert_allclose(frame["x"], expected)


@pytest.mark.parametrize("seeds, error", [((), ValueError), ((1, 1), ValueError), ("012", TypeError),
                                          (3, TypeError), ((0, -1), ValueError), ((0, 1.5), TypeError)])
def test_repeat_over_seeds_rejects_bad_seeds(seeds, error):
    with pytest.raises(error, match="seed"):
        repeat_over_seeds(lambda seed: {"x": 1.0}, seeds, set_seed=False)


@pytest.mark.parametrize("result, error", [(2.4, TypeError), ({}, TypeError), ({1: 2.0}, TypeError),
                                           ({"x": "2.4"}, TypeError), ({"x": float("nan")}, ValueError)])
def test_repeat_over_seeds_rejects_a_bad_result(result, error):
    with pytest.raises(error, match=r"run\(0\)"):
        repeat_over_seeds(lambda seed: result, [0], set_seed=False)


def test_repeat_over_seeds_rejects_runs_with_different_names_and_a_non_callable():
    with pytest.raises(ValueError, match="same measurement names"):
        repeat_over_seeds(lambda seed: {"a": 1.0} if seed == 0 else {"b": 1.0}, [0, 1], set_seed=False)
    with pytest.raises(TypeError, match="run must be a function"):
        repeat_over_seeds({"x": 1.0}, [0])
    with pytest.raises(TypeError, match="set_seed"):
        repeat_over_seeds(lambda seed: {"x": 1.0}, [0], set_seed=1)


def test_mean_std_uses_the_sample_standard_deviation():
    assert mean_std([2.0, 2.2, 2.4]) == "2.20 ± 0.20"
    assert mean_std(np.array([1.0, 2.0]), digits=3) == f"1.500 ± {np.std([1, 2], ddof=1):.3f}"
    assert mean_std(pd.Series([3.0, 3.0])) == "3.00 ± 0.00"


def test_mean_std_of_one_value_says_there_is_one_seed():
    assert mean_std([2.345]) == "2.35 (1 seed)"


@pytest.mark.parametrize("values, error", [([], ValueError), ("1.0", TypeError), ([1.0, None], TypeError),
                                           ([1.0, np.inf], ValueError), (np.ones((2, 2)), ValueError), (2.0, TypeError)])
def test_mean_std_rejects_bad_values(values, error):
    with pytest.raises(error, match="values"):
        mean_std(values)


def test_mean_std_rejects_bad_digits():
    with pytest.raises(TypeError, match="digits"):
        mean_std([1.0, 2.0], digits=2.0)
    with pytest.raises(ValueError, match="digits"):
        mean_std([1.0, 2.0], digits=-1)


def test_summarize_over_seeds_keeps_the_order_and_reports_each_experiment():
    runs = {"b": pd.DataFrame({"mae": [2.0, 2.2, 2.4]}), "a": pd.DataFrame({"mae": [3.0]})}
    table = summarize_over_seeds(runs, "mae")
    assert list(table.index) == ["b", "a"]
    assert table.loc["b", "mean"] == pytest.approx(2.2)
    assert table.loc["b", "std"] == pytest.approx(0.2)
    assert table.loc["b", "seeds"] == 3
    assert table.loc["b", "mean ± std"] == "2.20 ± 0.20"
    assert np.isnan(table.loc["a", "std"]) and table.loc["a", "mean ± std"] == "3.00 (1 seed)"


def test_summarize_over_seeds_rejects_bad_input():
    with pytest.raises(ValueError, match="no column 'loss'"):
        summarize_over_seeds({"a": pd.DataFrame({"mae": [1.0]})}, "loss")
    with pytest.raises(ValueError, match="at least one experiment"):
        summarize_over_seeds({}, "mae")
    with pytest.raises(TypeError, match="runs"):
        summarize_over_seeds([pd.DataFrame({"mae": [1.0]})], "mae")
    with pytest.raises(TypeError, match=r"runs\['a'\]"):
        summarize_over_seeds({"a": [1.0]}, "mae")


def test_clearly_different_compares_the_gap_with_the_spreads():
    assert clearly_different([2.0, 2.1, 2.0], [2.5, 2.6, 2.5])     # gap 0.5 ≫ spreads
    assert not clearly_different([2.0, 2.4, 2.2], [2.3, 2.5, 2.1])  # gap 0.1 < spreads
    assert not clearly_different([2.0], [3.0])                      # one seed: no spread known
    with pytest.raises(ValueError, match="b"):
        clearly_different([1.0, 2.0], [])
