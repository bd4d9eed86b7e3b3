"""utils.plots: each function draws the expected artists, validates its arguments, needs no display."""

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

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
            self.name, self.fname = name, f"/fonts/{name}.ttf"

    fake = type("FakeManager", (), {"addfont": lambda self, path: None})()
    plots.cjk_font.cache_clear()
    monkeypatch.setattr(plots.font_manager, "findSystemFonts", lambda *a, **k: [])
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


# ----------------------------------------------------------------------------- architecture diagrams


def _all_texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _no_text_overlaps(ax):
    """No two labels of a diagram overlap (their rendered boxes, shrunk by a pixel, are disjoint)."""
    renderer = ax.figure.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer).padded(-1)) for t in ax.texts if t.get_text().strip()]
    clashes = [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]
    assert not clashes, f"overlapping labels: {clashes}"


def test_lstm_cell_diagram_names_the_gates_and_states_with_chapter_03s_symbols():
    ax = plots.lstm_cell_diagram()
    assert isinstance(ax, Axes)
    texts = _texts(ax)
    assert {"$f$", "$i$", "$g$", "$o$", "forget", "input", "candidate", "output"} <= set(texts)
    assert {"$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$"} <= set(texts)
    assert any(r"c_t = f \odot c_{t-1} + i \odot g" in t for t in texts)
    assert any(r"h_t = o \odot \tanh(c_t)" in t for t in texts)
    assert "LSTM" in ax.get_title()
    _no_text_overlaps(ax)
    assert not any("odot" in t for t in _texts(plots.lstm_cell_diagram(equations=False)))


def test_gru_cell_diagram_lets_z_weigh_the_old_state_as_keras_does():
    ax = plots.gru_cell_diagram()
    texts = _texts(ax)
    assert {"$z$", "$r$", "update", "reset", "candidate", r"$\tilde{h}$", "$h_{t-1}$", "$h_t$"} <= set(texts)
    assert any(r"h_t = z \odot h_{t-1} + (1 - z) \odot \tilde{h}" in t for t in texts)
    assert any(r"r \odot (h_{t-1} U_h + b'_h)" in t for t in texts)   # reset_after=True, Keras's default
    assert "reset_after=True" in ax.get_title()
    _no_text_overlaps(ax)
    paper = _texts(plots.gru_cell_diagram(reset_after=False))
    assert any(r"(r \odot h_{t-1}) U_h" in t for t in paper)
    assert "$h_{t-1} U_h + b'_h$" not in paper


def test_bidirectional_diagram_merges_per_step_or_the_final_states():
    ax = plots.bidirectional_diagram(3)
    texts = _texts(ax)
    for n in (1, 2, 3):
        assert {f"$x_{{{n}}}$", rf"$\overrightarrow{{h}}_{{{n}}}$", rf"$\overleftarrow{{h}}_{{{n}}}$"} <= set(texts)
    assert texts.count("concat") == 3 and 'merge_mode="concat"' in ax.get_title()
    _no_text_overlaps(ax)
    final = _texts(plots.bidirectional_diagram(4, "sum", return_sequences=False))
    assert final.count("+") == 1
    assert r"$\overrightarrow{{h}}_{4} + \overleftarrow{{h}}_{1}$" in final   # ->h_T and <-h_1
    none = plots.bidirectional_diagram(2, None)
    assert "concat" not in _texts(none) and "merge_mode=None" in none.get_title()


def test_recurrent_dropout_diagram_repeats_one_mask_below_and_draws_new_ones_above():
    fig = plots.recurrent_dropout_diagram(steps=4, units=5, rate=0.4, seed=1)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    fresh, same = fig.axes

    def masks(ax):   # the unit squares, grouped by their strip (one strip = consecutive squares)
        squares = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() == p.get_height()]
        kept = [p.get_facecolor()[:3] != (1.0, 1.0, 1.0) for p in squares]
        return [tuple(kept[i:i + 5]) for i in range(0, len(kept), 5)]

    same_masks, fresh_masks = masks(same), masks(fresh)
    assert len(same_masks) == len(fresh_masks) == 4 + 3        # one per input, one per recurrent link
    assert len(set(same_masks)) == 2                            # one input mask and one recurrent mask
    assert len(set(fresh_masks)) > 2
    assert all(any(m) and not all(m) for m in fresh_masks + same_masks)   # each keeps and drops a unit
    assert {"dropout\non x", "recurrent_dropout on h"} <= set(_texts(same))
    assert "Gal & Ghahramani" in same.get_title(loc="left")
    for ax in fig.axes:
        _no_text_overlaps(ax)


def test_truncated_bptt_diagram_cuts_the_text_into_lanes_like_stream_batches():
    text = "abcdefghijklmnopqrstuvwxyz0123456789"
    ax = plots.truncated_bptt_diagram(lanes=3, chunks=2, chunk=4, text=text)
    texts = _texts(ax)
    assert {"lane 0", "lane 1", "lane 2", "batch 0", "batch 1"} <= set(texts)
    assert "BATCH = 3" in ax.get_title() and "CHUNK = 4" in ax.get_title()
    # lanes of 2 * 4 = 8 characters: batch 1, lane 1 is text[8 + 4: 8 + 8], as utils.lm.stream_batches has it
    from utils.lm import stream_batches

    x, _ = stream_batches(np.array([ord(c) for c in text[:25]]), 3, 4)
    assert "".join(map(chr, x[1, 1])) == text[12:16] == "mnop"
    grid = [t for t in texts[texts.index("batch 1") + 1:] if t]   # (the arrows are empty annotations)
    assert "".join(grid[4:8]) == "mnop"
    assert any("gradients" in t for t in texts) and any("stateful=True" in t for t in texts)
    assert "␣" in _texts(plots.truncated_bptt_diagram())   # spaces are drawn visibly


def test_seq2seq_attention_diagram_draws_the_weights_and_the_context():
    weights = [0.1, 0.6, 0.25, 0.05]
    ax = plots.seq2seq_attention_diagram(weights, step=2)
    texts = _texts(ax)
    assert {"$h_{1}$", "$h_{4}$", "$s_t$", "$x_{1}$", "<s>", r"$[c_t ; s_t]$", "Dense"} <= set(texts)
    assert any(r"e_{tj} = s_t \cdot h_j" in t and "softmax" in t for t in texts)
    assert any(r"c_t = \Sigma_j\, a_{tj} h_j" in t for t in texts)
    assert [t for t in texts if t.startswith("0.")] == ["0.10", "0.60", "0.25", "0.05"]
    bars = [p for p in ax.patches if p.get_label() == "attention weight"]
    np.testing.assert_allclose([b.get_height() for b in bars], np.array(weights) / 0.6)
    assert "t = 2" in ax.get_title() and "dot-product" in ax.get_title()
    _no_text_overlaps(ax)
    additive = plots.seq2seq_attention_diagram([0.5, 0.5], step=1, scoring="additive", decoder_steps=1)
    assert any(r"v \cdot \tanh(W_q s_t + W_k h_j)" in t for t in _texts(additive))


def test_architecture_diagrams_draw_on_a_given_axes_and_close_cleanly():
    fig, axes = plt.subplots(1, 5, figsize=(20, 4))
    drawn = [plots.lstm_cell_diagram(ax=axes[0]), plots.gru_cell_diagram(ax=axes[1]),
             plots.bidirectional_diagram(ax=axes[2]), plots.truncated_bptt_diagram(ax=axes[3]),
             plots.seq2seq_attention_diagram(ax=axes[4], title="mine")]
    assert drawn == list(axes) and len(plt.get_fignums()) == 1
    assert axes[4].get_title() == "mine"
    fig.canvas.draw()      # renders without a display (Agg)
    plt.close(fig)
    assert not plt.get_fignums()
    fig = plots.recurrent_dropout_diagram()
    plt.close(fig)
    assert not plt.get_fignums()


def test_architecture_diagrams_validate_their_arguments():
    with pytest.raises(TypeError, match="equations must be True or False"):
        plots.lstm_cell_diagram(equations="yes")
    with pytest.raises(TypeError, match="ax must be"):
        plots.lstm_cell_diagram(ax="left")
    with pytest.raises(TypeError, match="reset_after must be True or False"):
        plots.gru_cell_diagram(reset_after=1)
    with pytest.raises(ValueError, match="steps must be at least 2"):
        plots.bidirectional_diagram(1)
    with pytest.raises(ValueError, match="merge_mode must be 'concat' or 'sum' or 'mul' or 'ave'"):
        plots.bidirectional_diagram(3, "max")
    with pytest.raises(ValueError, match="rate must be strictly between 0 and 1"):
        plots.recurrent_dropout_diagram(rate=1.0)
    with pytest.raises(ValueError, match="units must be at most 6"):
        plots.recurrent_dropout_diagram(units=10)
    with pytest.raises(ValueError, match=r"at least lanes \* chunks \* chunk = 2 \* 2 \* 3 = 12 characters, got 5"):
        plots.truncated_bptt_diagram(2, 2, 3, text="short")
    with pytest.raises(ValueError, match="chunk must be at most 8"):
        plots.truncated_bptt_diagram(chunk=100)
    with pytest.raises(ValueError, match="sum to 1"):
        plots.seq2seq_attention_diagram([0.5, 0.6])
    with pytest.raises(ValueError, match="non-negative"):
        plots.seq2seq_attention_diagram([1.5, -0.5])
    with pytest.raises(ValueError, match="2 to 6 of them, got 1"):
        plots.seq2seq_attention_diagram([1.0])
    with pytest.raises(ValueError, match="step must be at most 3"):
        plots.seq2seq_attention_diagram(step=4)
    with pytest.raises(ValueError, match="scoring must be 'dot' or 'additive'"):
        plots.seq2seq_attention_diagram(scoring="general")


# ----------------------------------------------------------------------------- Chinese labels

def _without_cjk(monkeypatch):
    """Make Matplotlib's font list look as if it had been built before any CJK font was installed."""
    import copy

    from matplotlib import font_manager

    manager = copy.copy(font_manager.fontManager)
    manager.ttflist = [f for f in font_manager.fontManager.ttflist
                       if not any(k.lower() in f.name.lower() for k in plots.CJK_FONT_KEYWORDS)]
    monkeypatch.setattr(font_manager, "fontManager", manager)
    plots.cjk_font.cache_clear()


def test_a_chinese_label_is_drawn_without_missing_glyphs():
    import warnings

    plots.cjk_font.cache_clear()
    if plots.cjk_font() is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk or fonts-wqy-microhei)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Matplotlib warns "Glyph … missing from font(s) DejaVu Sans"
        ax = plots.heatmap(np.array([[0.7, 0.3], [0.1, 0.9]]), ["我们", "学习"], ["we", "learn"])
        ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["我们", "学习"]
    plt.close(ax.figure)


def test_a_font_installed_after_the_cache_was_built_is_found(monkeypatch):
    plots.cjk_font.cache_clear()
    if plots.cjk_font() is None:
        pytest.skip("no CJK font on this machine")
    expected = plots.cjk_font()
    _without_cjk(monkeypatch)
    assert plots._known_cjk_font() is None
    assert plots.cjk_font() == expected  # found again on disk and registered
    plots.cjk_font.cache_clear()


def test_without_any_cjk_font_one_notice_says_how_to_install_one(monkeypatch, capsys):
    from matplotlib import font_manager

    _without_cjk(monkeypatch)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    assert plots.cjk_font() is None and plots.cjk_font() is None
    out = capsys.readouterr().out
    assert out.count("No font that can draw Chinese") == 1 and "fonts-noto-cjk" in out
    ax = plots.heatmap(np.array([[1.0]]), ["我"], ["I"])
    assert [t.get_text() for t in ax.get_yticklabels()] != ["我"]  # numbered instead of boxes
    plt.close(ax.figure)
    plots.cjk_font.cache_clear()
