"""utils.plots: each function draws the expected artists, validates its arguments, needs no display."""

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from utils import plots
from utils.conv import conv1d


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax):
    return [t.get_text() for t in ax.texts]


# ----------------------------------------------------------------------------- training_curves


def test_training_curves_draw_train_dashed_validation_solid_one_colour_per_model():
    histories = {"a": {"loss": [3.0, 2.0, 1.0], "val_loss": [3.0, 2.5, 2.0]},
                 "b": {"loss": [2.0, 1.5], "val_loss": [2.2, 2.1]}}
    fig = plots.training_curves(histories, title="losses")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"a: train", "a: validation", "b: train", "b: validation"}
    assert lines["a: train"].get_linestyle() == "--" and lines["a: validation"].get_linestyle() == "-"
    assert lines["a: train"].get_color() == lines["a: validation"].get_color() != lines["b: train"].get_color()
    np.testing.assert_array_equal(lines["a: train"].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines["b: validation"].get_ydata(), [2.2, 2.1])
    assert ax.get_title() == "losses" and ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"


def test_training_curves_accept_keras_histories_several_metrics_and_baselines():
    class History:  # what model.fit returns: an object with a .history dict
        def __init__(self):
            self.history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.9], "accuracy": [0.5, 0.7], "val_accuracy": [0.4, 0.6]}

    fig = plots.training_curves({"m": History()}, metrics=("loss", "accuracy"), ylabels=["L", "acc"],
                                baselines={"bigram": 0.8}, ylim=(0, 2), title="both")
    assert [ax.get_ylabel() for ax in fig.axes] == ["L", "acc"]
    assert fig.get_suptitle() == "both"
    for ax in fig.axes:
        labels = [line.get_label() for line in ax.get_lines()]
        assert "bigram" in labels
        assert ax.get_ylim() == (0, 2)
    acc_lines = {line.get_label(): line for line in fig.axes[1].get_lines()}
    np.testing.assert_array_equal(acc_lines["m: validation"].get_ydata(), [0.4, 0.6])


def test_training_curves_with_one_series_per_model_draw_one_solid_line_named_after_the_model():
    fig = plots.training_curves({"peeky": {"val_exact": [0.2, 0.9]}, "plain": {"val_exact": [0.1, 0.5]}},
                                metrics=["exact"])
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["peeky", "plain"]
    assert all(line.get_linestyle() == "-" for line in lines)


def test_training_curves_validate_their_arguments():
    with pytest.raises(TypeError, match="histories"):
        plots.training_curves([{"loss": [1.0]}])
    with pytest.raises(ValueError, match="at least one model"):
        plots.training_curves({})
    with pytest.raises(TypeError, match="History"):
        plots.training_curves({"m": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"no 'accuracy'.*'loss'"):
        plots.training_curves({"m": {"loss": [1.0]}}, metrics=("accuracy",))
    with pytest.raises(TypeError, match="metrics"):
        plots.training_curves({"m": {"loss": [1.0]}}, metrics="loss")
    with pytest.raises(ValueError, match="ylabels"):
        plots.training_curves({"m": {"loss": [1.0]}}, ylabels=["a", "b"])
    with pytest.raises(TypeError, match="baselines"):
        plots.training_curves({"m": {"loss": [1.0]}}, baselines={"b": "high"})
    with pytest.raises(ValueError, match="at least one value"):
        plots.training_curves({"m": {"loss": []}})


# ----------------------------------------------------------------------------- heatmap and fonts


def test_heatmap_labels_every_row_and_column():
    weights = np.arange(6.0).reshape(2, 3) / 6
    ax = plots.heatmap(weights, ["y1", "y2"], ["a", "b", "c"], title="attention", colorbar=True)
    assert isinstance(ax, Axes)
    np.testing.assert_array_equal(ax.images[0].get_array(), weights)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["y1", "y2"]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("attention", "input", "output")
    assert len(ax.figure.axes) == 2  # the colour bar


def test_heatmap_numbers_chinese_labels_without_a_cjk_font_and_uses_one_when_found(monkeypatch):
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    ax = plots.heatmap(np.ones((2, 2)), ["我", "爱"], ["I", "love"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["I", "love"]
    monkeypatch.setattr(plots, "cjk_font", lambda: "DejaVu Sans")  # stands in for a CJK font
    ax = plots.heatmap(np.ones((2, 2)), ["我", "爱"], ["I", "love"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["我", "爱"]


def test_cjk_font_finds_a_font_by_name_or_returns_none(monkeypatch):
    class Font:
        def __init__(self, name):
            self.name = name

    fake = type("FakeManager", (), {})()
    plots.cjk_font.cache_clear()
    try:
        fake.ttflist = [Font("DejaVu Sans"), Font("Noto Sans CJK SC")]
        monkeypatch.setattr(plots.font_manager, "fontManager", fake)
        assert plots.cjk_font() == "Noto Sans CJK SC"
        plots.cjk_font.cache_clear()
        fake.ttflist = [Font("DejaVu Sans")]
        assert plots.cjk_font() is None
    finally:
        plots.cjk_font.cache_clear()


def test_heatmap_validates_its_arguments():
    with pytest.raises(ValueError, match="2-D"):
        plots.heatmap(np.ones(3), ["a"], ["a", "b", "c"])
    with pytest.raises(ValueError, match="row_labels must have 2"):
        plots.heatmap(np.ones((2, 3)), ["a"], ["a", "b", "c"])
    with pytest.raises(TypeError, match="col_labels must hold only str"):
        plots.heatmap(np.ones((1, 2)), ["a"], ["a", 3])
    with pytest.raises(TypeError, match="ax must be"):
        plots.heatmap(np.ones((1, 1)), ["a"], ["b"], ax="left")
    with pytest.raises(TypeError, match="weights"):
        plots.heatmap([["x"]], ["a"], ["b"])


# ----------------------------------------------------------------------------- comparison_chart


def test_comparison_chart_draws_one_labelled_point_per_row():
    table = pd.DataFrame({"accuracy": [0.87, 0.85], "s / epoch": [23.0, 4.0]}, index=["text CNN", "average"])
    ax = plots.comparison_chart(table, "s / epoch", "accuracy", title="speed and accuracy")
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), [[23.0, 0.87], [4.0, 0.85]])
    assert _texts(ax) == ["text CNN", "average"]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("s / epoch", "accuracy", "speed and accuracy")


def test_comparison_chart_colours_groups_and_takes_labels_from_a_column():
    table = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [1.0, 0.0, 1.0], "word": ["cat", "dog", "paris"],
                          "group": ["animals", "animals", "capitals"]})
    ax = plots.comparison_chart(table, "x", "y", label="word", group="group", logx=False)
    assert len(ax.collections) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["animals", "capitals"]
    assert _texts(ax) == ["cat", "dog", "paris"]


def test_comparison_chart_validates_its_arguments():
    table = pd.DataFrame({"x": [1.0], "y": [2.0], "name": ["a"]})
    with pytest.raises(TypeError, match="DataFrame"):
        plots.comparison_chart({"x": [1.0]}, "x", "y")
    with pytest.raises(ValueError, match=r"'z' is not a column.*\['x', 'y', 'name'\]"):
        plots.comparison_chart(table, "x", "z")
    with pytest.raises(TypeError, match="numbers"):
        plots.comparison_chart(table, "x", "name")
    with pytest.raises(ValueError, match="at least one row"):
        plots.comparison_chart(table.iloc[:0], "x", "y")
    with pytest.raises(TypeError, match="logx"):
        plots.comparison_chart(table, "x", "y", logx="yes")


# ----------------------------------------------------------------------------- conv1d_diagram


def test_conv1d_diagram_shows_the_outputs_of_every_setting():
    x, kernel = [1, 2, 4, 7, 7, 5, 2, 1], [-1, 0, 1]
    settings = [("valid", 1), ("same", 1), ("valid", 2), ("same", 2)]
    fig = plots.conv1d_diagram(x, kernel, settings)
    assert len(fig.axes) == len(settings)
    for ax, (padding, stride) in zip(fig.axes, settings):
        expected = conv1d(np.reshape(x, (1, -1, 1)).astype(float), np.reshape(kernel, (-1, 1, 1)).astype(float),
                          stride=stride, padding=padding).ravel()
        assert f'padding="{padding}", stride s={stride}' in ax.get_title(loc="left")
        assert f"L_out={len(expected)}" in ax.get_title(loc="left")
        shown = _texts(ax)
        # the output boxes follow the input boxes and the "x", "y" row names
        outputs = shown[-(len(expected) + 2):-2]
        assert outputs == [f"{v:.0f}" for v in expected]
    assert "W = [-1, 0, 1]" in fig.get_suptitle()
    # same padding draws the added zeros: 8 inputs + 2 zeros for k=3, stride 1
    assert len(_texts(fig.axes[1])) == 10 + 8 + 2


def test_conv1d_diagram_validates_its_arguments():
    with pytest.raises(ValueError, match="kernel must fit"):
        plots.conv1d_diagram([1, 2], [1, 1, 1], [("valid", 1)])
    with pytest.raises(ValueError, match="padding"):
        plots.conv1d_diagram([1, 2, 3], [1, 1], [("causal", 1)])
    with pytest.raises(ValueError, match="stride"):
        plots.conv1d_diagram([1, 2, 3], [1, 1], [("valid", 0)])
    with pytest.raises(TypeError, match="pair"):
        plots.conv1d_diagram([1, 2, 3], [1, 1], ["valid"])
    with pytest.raises(ValueError, match="1 to 24"):
        plots.conv1d_diagram(np.arange(30), [1, 1])
    with pytest.raises(ValueError, match="1-D"):
        plots.conv1d_diagram([[1, 2]], [1, 1])


# ----------------------------------------------------------------------------- feature_map


def test_feature_map_boxes_the_strongest_ngram_of_each_filter():
    tokens = ["a", "great", "film", "but", "awful", "ending"]
    acts = np.zeros((4, 2))     # 6 tokens - 3 + 1 windows, 2 filters
    acts[0, 0] = 2.0            # filter 0: "a great film"
    acts[2, 1] = 3.0            # filter 1: "film but awful"
    ax = plots.feature_map(acts, tokens, 3, filter_labels=["pos", "neg"], title="review")
    boxes = [p for p in ax.patches]
    assert [(b.get_x(), b.get_width()) for b in boxes] == [(-0.5, 3), (1.5, 3)]
    assert [t.get_text() for t in ax.get_xticklabels()] == tokens
    assert [t.get_text() for t in ax.get_yticklabels()] == ["pos", "neg"]
    image = ax.images[0].get_array()
    np.testing.assert_array_equal(image[1], [0, 0, 3, 3, 3, 0])   # max over the windows covering each token
    assert _texts(ax) == ["2.00", "3.00"]


def test_feature_map_validates_its_arguments():
    with pytest.raises(ValueError, match="6 - 3 \\+ 1 = 4 windows"):
        plots.feature_map(np.zeros((6, 2)), list("abcdef"), 3)
    with pytest.raises(ValueError, match="filter_labels must have 2"):
        plots.feature_map(np.zeros((4, 2)), list("abcdef"), 3, filter_labels=["x"])
    with pytest.raises(TypeError, match="kernel_size"):
        plots.feature_map(np.zeros((4, 2)), list("abcdef"), 3.0)
    with pytest.raises(TypeError, match="tokens"):
        plots.feature_map(np.zeros((4, 2)), "abcdef", 3)


# ----------------------------------------------------------------------------- rnn_diagram


def test_rnn_diagram_draws_one_cell_per_step_with_inputs_states_and_bptt():
    ax = plots.rnn_diagram(3, cell="f(x, h)")
    assert len(ax.patches) == 3
    texts = _texts(ax)
    assert texts.count("f(x, h)") == 3
    assert {"x_1", "x_3", "h_1", "h_3", "h_0 = 0"} <= set(texts)
    assert any("BPTT" in t for t in texts)
    assert "3 time steps" in ax.get_title()
    assert not any("BPTT" in t for t in _texts(plots.rnn_diagram(2, bptt=False)))


def test_rnn_diagram_validates_its_arguments():
    with pytest.raises(ValueError, match="steps must be at least 1"):
        plots.rnn_diagram(0)
    with pytest.raises(TypeError, match="steps"):
        plots.rnn_diagram(2.5)
    with pytest.raises(TypeError, match="bptt"):
        plots.rnn_diagram(2, bptt="yes")
