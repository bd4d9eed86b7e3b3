"""The course's figures: training curves, heatmaps with token labels, comparison charts, diagrams.

Every function draws with Matplotlib's object interface and returns the Figure or Axes it
drew on, so a notebook cell shows the idea (``training_curves(histories)``) and can still add
to the plot. Nothing here needs a display: the functions work under the ``Agg`` backend, and
they do not call ``plt.show()`` (Jupyter shows a figure at the end of its cell).

- :func:`training_curves`: one panel per metric, one colour per model, train dashed and
  validation solid, optional horizontal baselines.
- :func:`heatmap`: a matrix (attention weights, activations) with a token on every row and
  column; Chinese labels use a CJK font when :func:`cjk_font` finds one.
- :func:`comparison_chart`: labelled points from a table, e.g. accuracy against seconds per epoch.
- :func:`conv1d_diagram`: a kernel sliding over a short sequence, for several paddings and strides.
- :func:`feature_map`: a text CNN's filters over one review, the strongest n-gram of each boxed.
- :func:`rnn_diagram`: a recurrent cell unrolled over a few time steps (chapter 02's picture).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ._validate import as_array, check_choice, check_str
from .config import _check_int
from .conv import PADDINGS, conv1d, conv1d_output_length, same_padding

#: Words in the names of fonts that can draw Chinese characters (Noto/Source Han "CJK", Hei, Song...).
CJK_FONT_KEYWORDS = ("CJK", "Hei", "Song", "Ming", "Kai", "WenQuanYi", "Source Han", "YaHei", "PingFang",
                     "Hiragino", "Droid Sans Fallback")
#: Markers are drawn on curves with at most this many points (longer curves would be a smear).
MAX_MARKED_POINTS = 30


# ----------------------------------------------------------------------------- argument checks


def _check_labels(name: str, value: object, length: int | None = None) -> list[str]:
    """Return ``value`` as a list of str; TypeError unless it is a sequence of str, ValueError
    unless it has ``length`` items."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        raise TypeError(f"{name} must be a list of str (one per row/column), got {value!r} ({type(value).__name__}).")
    labels = list(value)
    for item in labels:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold only str, got {item!r} ({type(item).__name__}); "
                            f"convert tokens with str() first.")
    if length is not None and len(labels) != length:
        raise ValueError(f"{name} must have {length} labels (one per row/column of the data), got {len(labels)}.")
    return labels


def _check_ax(ax: object) -> None:
    """Raise TypeError unless ``ax`` is None or a Matplotlib Axes."""
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None (a new figure), got {ax!r} ({type(ax).__name__}).")


def _check_optional_str(name: str, value: object) -> None:
    """Raise TypeError unless ``value`` is None or a str."""
    if value is not None:
        check_str(name, value)


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """Return ``ax``, or the Axes of a new figure of size ``figsize``."""
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=figsize)
    return new


def _series(name: str, value: object) -> np.ndarray:
    """Return one curve as a 1-D float array (TypeError/ValueError naming ``name`` otherwise)."""
    array = as_array(name, value, ndim=1, layout="(epochs,)")
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one value, got an empty sequence.")
    return array.astype(float)


# ----------------------------------------------------------------------------- fonts


def _needs_cjk(labels: Sequence[str]) -> bool:
    """True when a label holds a CJK character (Unicode U+2E80 and above, below the surrogates)."""
    return any(0x2E80 <= ord(ch) < 0xD800 or 0xF900 <= ord(ch) < 0xFFF0 for label in labels for ch in label)


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Return the name of an installed font that can draw Chinese characters, or None.

    Matplotlib's default font (DejaVu Sans) has no Chinese glyphs and draws empty boxes, so
    labels in Chinese need another font. The search looks at the names of the fonts Matplotlib
    knows (:data:`CJK_FONT_KEYWORDS`); the answer is cached for the session. When it is None,
    :func:`heatmap` numbers the rows instead and the notebook lists the tokens in text.
    """
    names = sorted({f.name for f in font_manager.fontManager.ttflist})
    return next((n for n in names if any(k.lower() in n.lower() for k in CJK_FONT_KEYWORDS)), None)


# ----------------------------------------------------------------------------- training curves


def _history_dict(name: str, value: object) -> Mapping[str, object]:
    """The ``{metric: values}`` mapping of a Keras History or of a mapping (TypeError otherwise)."""
    history = getattr(value, "history", value)
    if not isinstance(history, Mapping):
        raise TypeError(f"histories[{name!r}] must be a keras History (what fit() returns) or a dict such as "
                        f"{{'loss': [...], 'val_loss': [...]}}, got {type(value).__name__}.")
    return history


def training_curves(histories: Mapping[str, object], metrics: Sequence[str] = ("loss",), title: str | None = None,
                    *, xlabel: str = "epoch", ylabels: Sequence[str] | None = None,
                    baselines: Mapping[str, float] | None = None, ylim: tuple[float, float] | None = None,
                    figsize: tuple[float, float] | None = None) -> Figure:
    """Plot training histories: one panel per metric, one colour per model.

    Args:
        histories: ``{model name: history}``; a history is what ``model.fit`` returns or a dict
            ``{"loss": [...], "val_loss": [...]}`` (one value per epoch, or per batch).
        metrics: the metrics to draw, e.g. ``("loss", "accuracy")``. For a metric ``m`` the
            values under ``m`` are the training curve (dashed) and those under ``"val_" + m``
            the validation curve (solid). A model with only one of the two gets one solid line
            labelled with its name.
        title: the figure's title.
        xlabel: the x-axis label (``"epoch"``; ``"batch"`` for per-batch losses). The x values
            are 1, 2, 3, ...
        ylabels: one y-axis label per metric (default: the metric names).
        baselines: ``{label: value}`` drawn as grey horizontal lines on every panel (e.g. a
            bigram model's perplexity).
        ylim: the y-axis limits of every panel, or None for Matplotlib's choice.
        figsize: the figure size (default 6.5 x 3.5 inches per panel).

    Returns:
        The Figure (its panels are ``fig.axes``, in the order of ``metrics``).

    Raises:
        TypeError: if an argument has the wrong type (a history that is neither a History nor a dict).
        ValueError: if ``histories`` or ``metrics`` is empty, or a model has neither ``m`` nor
            ``"val_" + m`` for a metric (the message lists the keys it has).
    """
    if not isinstance(histories, Mapping):
        raise TypeError(f"histories must be a dict {{model name: history}}, got {type(histories).__name__}.")
    if not histories:
        raise ValueError("histories must hold at least one model, got an empty dict.")
    metric_list = _check_labels("metrics", metrics)
    if not metric_list:
        raise ValueError("metrics must name at least one metric such as 'loss', got an empty list.")
    label_list = (_check_labels("ylabels", ylabels, len(metric_list)) if ylabels is not None else metric_list)
    _check_optional_str("title", title)
    check_str("xlabel", xlabel)
    lines = {}
    if baselines is not None:
        if not isinstance(baselines, Mapping):
            raise TypeError(f"baselines must be a dict {{label: value}} or None, got {type(baselines).__name__}.")
        for key, value in baselines.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"baselines[{key!r}] must be a number, got {value!r} ({type(value).__name__}).")
            lines[str(key)] = float(value)
    dicts = {str(name): _history_dict(str(name), h) for name, h in histories.items()}
    fig, axes = plt.subplots(1, len(metric_list), figsize=figsize or (6.5 * len(metric_list), 3.5), squeeze=False)
    for ax, metric, ylabel in zip(axes[0], metric_list, label_list):
        for i, (name, history) in enumerate(dicts.items()):
            present = [(key, style) for key, style in ((metric, "--"), (f"val_{metric}", "-")) if key in history]
            if not present:
                raise ValueError(f"histories[{name!r}] has no {metric!r} or {'val_' + metric!r} values; it has "
                                 f"{sorted(history)}. Choose metrics among those.")
            for key, style in present:
                values = _series(f"histories[{name!r}][{key!r}]", history[key])
                marker = "o" if len(values) <= MAX_MARKED_POINTS else None
                label = name if len(present) == 1 else f"{name}: {'validation' if key.startswith('val_') else 'train'}"
                ax.plot(np.arange(1, len(values) + 1), values, linestyle=style if len(present) == 2 else "-",
                        marker=marker, markersize=4, color=f"C{i}", label=label)
        for j, (label, value) in enumerate(lines.items()):
            ax.axhline(value, color="grey", lw=1, linestyle=(":", "-.", "--")[j % 3], label=label)
        ax.set(xlabel=xlabel, ylabel=ylabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.legend(fontsize=7 if len(ax.get_lines()) > 4 else None)
    if title is not None:
        if len(metric_list) == 1:
            axes[0][0].set_title(title)
        else:
            fig.suptitle(title)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- heatmaps


def heatmap(weights: object, row_labels: Sequence[str], col_labels: Sequence[str], *, ax: Axes | None = None,
            title: str | None = None, xlabel: str = "input", ylabel: str = "output", cmap: str = "viridis",
            fontsize: int = 8, colorbar: bool = False) -> Axes:
    """Draw a matrix with a label on every row and column (e.g. attention weights: rows are
    output tokens, columns input tokens).

    Labels with Chinese characters are drawn in the font :func:`cjk_font` finds; without one,
    those labels are replaced by their numbers 0, 1, 2, ... (list the tokens in text next to
    the figure, as chapter 07 does).

    Args:
        weights: a 2-D array of shape ``(len(row_labels), len(col_labels))``.
        row_labels, col_labels: one str per row / column.
        ax: the Axes to draw on, or None for a new figure.
        title, xlabel, ylabel: the texts of the panel.
        cmap: a Matplotlib colour map name.
        fontsize: the size of the tick labels.
        colorbar: add a colour bar.

    Returns:
        The Axes drawn on (the image is ``ax.images[0]``).

    Raises:
        TypeError: if ``weights`` is not numeric, a label is not a str or ``ax`` not an Axes.
        ValueError: if ``weights`` is not 2-D or the label counts do not match its shape.
    """
    matrix = as_array("weights", weights, ndim=2, layout="(rows, columns)")
    rows = _check_labels("row_labels", row_labels, matrix.shape[0])
    cols = _check_labels("col_labels", col_labels, matrix.shape[1])
    _check_ax(ax)
    _check_optional_str("title", title)
    check_str("xlabel", xlabel)
    check_str("ylabel", ylabel)
    check_str("cmap", cmap)
    _check_int("fontsize", fontsize, minimum=1)
    ax = _new_axes(ax, (max(3.0, 0.3 * len(cols) + 1.5), max(2.5, 0.3 * len(rows) + 1.2)))
    image = ax.imshow(matrix.astype(float), cmap=cmap, aspect="auto")
    for setter, labels in ((ax.set_xticks, cols), (ax.set_yticks, rows)):
        font = None
        if _needs_cjk(labels):
            family = cjk_font()
            if family is None:
                labels = [str(i) for i in range(len(labels))]
            else:
                font = FontProperties(family=[family, "DejaVu Sans"], size=fontsize)
        setter(range(len(labels)), labels, fontsize=fontsize, **({"fontproperties": font} if font else {}))
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title is not None:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax)
    return ax


# ----------------------------------------------------------------------------- comparison charts


def _numeric_column(table: object, column: str) -> np.ndarray:
    """Return ``table[column]`` as floats (a table built from dicts may hold numbers as objects)."""
    import pandas as pd

    try:
        return pd.to_numeric(table[column]).to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"table[{column!r}] must hold numbers, got values such as {table[column].iloc[0]!r} "
                        f"(dtype {table[column].dtype}).") from None


def comparison_chart(table: object, x: str, y: str, *, label: str | None = None, group: str | None = None,
                     ax: Axes | None = None, title: str | None = None, xlabel: str | None = None,
                     ylabel: str | None = None, logx: bool = False, fontsize: int = 8) -> Axes:
    """Plot one labelled point per row of a table, e.g. accuracy against seconds per epoch.

    Args:
        table: a pandas DataFrame, one row per model (or word, or setting).
        x, y: the numeric columns on the two axes.
        label: the column holding each point's label, or None for the table's index.
        group: a column whose values colour the points (with a legend), or None for one colour.
        ax: the Axes to draw on, or None for a new figure.
        title, xlabel, ylabel: the panel's texts (the axis labels default to the column names).
        logx: a logarithmic x axis.
        fontsize: the size of the point labels.

    Returns:
        The Axes drawn on (the labels are ``ax.texts``).

    Raises:
        TypeError: if ``table`` is not a DataFrame, a column name not a str, or a column not numeric.
        ValueError: if the table is empty or a column is missing (the message lists the columns).
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame (one row per point), got {type(table).__name__}; "
                        f"build one with pd.DataFrame(rows).")
    if table.empty:
        raise ValueError("table must have at least one row, got an empty DataFrame.")
    for name, column in (("x", x), ("y", y), ("label", label), ("group", group)):
        if column is None and name in ("label", "group"):
            continue
        check_str(name, column)
        if column not in table.columns:
            raise ValueError(f"{name}={column!r} is not a column of table; its columns are {list(table.columns)}.")
    xs, ys = (_numeric_column(table, column) for column in (x, y))
    _check_ax(ax)
    _check_optional_str("title", title)
    _check_optional_str("xlabel", xlabel)
    _check_optional_str("ylabel", ylabel)
    if not isinstance(logx, bool):
        raise TypeError(f"logx must be True or False, got {logx!r} ({type(logx).__name__}).")
    _check_int("fontsize", fontsize, minimum=1)
    texts = [str(v) for v in (table.index if label is None else table[label])]
    ax = _new_axes(ax, (6.5, 4.0))
    if group is None:
        ax.scatter(xs, ys, color="C0", zorder=3)
    else:
        for i, value in enumerate(pd.unique(table[group])):
            rows = (table[group] == value).to_numpy()
            ax.scatter(xs[rows], ys[rows], color=f"C{i}", label=str(value), zorder=3)
        ax.legend(fontsize=fontsize)
    middle = (np.nanmin(xs) + np.nanmax(xs)) / 2 if len(xs) > 1 else np.inf
    for text, px, py in zip(texts, xs, ys):   # labels point inwards, so they stay inside the panel
        right = px > middle
        ax.annotate(text, (px, py), textcoords="offset points", xytext=(-4 if right else 4, 4), fontsize=fontsize,
                    ha="right" if right else "left")
    if logx:
        ax.set_xscale("log")
    ax.margins(0.15)
    ax.set(xlabel=xlabel or x, ylabel=ylabel or y)
    ax.grid(alpha=0.3)
    if title is not None:
        ax.set_title(title)
    return ax


# ----------------------------------------------------------------------------- conv1d diagram


def _number(value: float) -> str:
    """A short label for a cell: ``3`` for whole numbers, ``2.5`` otherwise."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def conv1d_diagram(x: object, kernel: object,
                   settings: Sequence[tuple[str, int]] = (("valid", 1), ("same", 1), ("valid", 2), ("same", 2)),
                   title: str | None = None) -> Figure:
    """Draw a kernel sliding over a short sequence, one panel per (padding, stride) setting.

    Each panel shows the input ``x`` (with the zeros ``padding="same"`` adds, in grey), the
    output ``y`` below it (computed with :func:`utils.conv.conv1d`, one box per window, under
    the window's centre), and the first two windows in colour with their outputs, so the step
    from one window to the next is the stride ``s``. The panel titles give ``L``, ``k``, ``s``
    and ``L_out``.

    Args:
        x: a 1-D sequence of numbers (one channel), at most 24 long so the boxes stay readable.
        kernel: a 1-D filter ``W`` of ``k`` weights (no bias).
        settings: ``(padding, stride)`` pairs, padding ``"valid"`` or ``"same"``.
        title: the figure's title.

    Returns:
        The Figure (one Axes per setting).

    Raises:
        TypeError: if ``x`` or ``kernel`` is not numeric, or a setting is not a (str, int) pair.
        ValueError: if ``x`` is empty or longer than 24, the kernel is empty or longer than
            ``x`` for valid padding, a stride is below 1 or a padding unknown.
    """
    xs = as_array("x", x, ndim=1, layout="(length,)").astype(float)
    ws = as_array("kernel", kernel, ndim=1, layout="(kernel_size,)").astype(float)
    if not 1 <= len(xs) <= 24:
        raise ValueError(f"x must hold 1 to 24 numbers so the diagram stays readable, got {len(xs)}.")
    if len(ws) < 1:
        raise ValueError("kernel must hold at least one weight, got an empty array.")
    if isinstance(settings, str | bytes) or not isinstance(settings, Sequence) or not settings:
        raise TypeError(f"settings must be a non-empty list of (padding, stride) pairs such as [('valid', 1)], "
                        f"got {settings!r}.")
    for item in settings:
        if not (isinstance(item, tuple | list) and len(item) == 2):
            raise TypeError(f"each setting must be a (padding, stride) pair such as ('same', 2), got {item!r}.")
        check_choice("padding", item[0], PADDINGS)
        _check_int("stride", item[1], minimum=1)
        conv1d_output_length(len(xs), len(ws), item[1], item[0])   # ValueError if a valid kernel does not fit
    _check_optional_str("title", title)
    k, length = len(ws), len(xs)
    widest = max(length + sum(same_padding(length, k, s)) if p == "same" else length for p, s in settings)
    fig, axes = plt.subplots(len(settings), 1, figsize=(max(6.0, 0.55 * widest + 1.5), 2.0 * len(settings)),
                             squeeze=False)
    for ax, (padding, stride) in zip(axes[:, 0], settings):
        left, right = same_padding(length, k, stride) if padding == "same" else (0, 0)
        padded = np.concatenate([np.zeros(left), xs, np.zeros(right)])
        ys = conv1d(xs.reshape(1, -1, 1), ws.reshape(-1, 1, 1), stride=stride, padding=padding).ravel()
        for i, value in enumerate(padded):
            is_pad = i < left or i >= left + length
            ax.add_patch(Rectangle((i, 1.2), 1, 0.8, facecolor="#eeeeee" if is_pad else "white",
                                   edgecolor="grey" if is_pad else "black", linestyle="--" if is_pad else "-"))
            ax.text(i + 0.5, 1.6, _number(value), ha="center", va="center", fontsize=9,
                    color="grey" if is_pad else "black")
        for t, value in enumerate(ys):
            start = t * stride
            centre = start + k / 2
            colour = f"C{t}" if t < 2 else "black"
            if t < 2:
                ax.add_patch(Rectangle((start + 0.05, 1.25 + 0.05 * t), k - 0.1, 0.7, fill=False, edgecolor=colour,
                                       linewidth=2))
            ax.plot([centre, centre], [1.2, 0.8], color=colour, linewidth=1.5 if t < 2 else 0.6)
            ax.add_patch(Rectangle((centre - 0.45, 0.0), 0.9, 0.8, facecolor="white", edgecolor=colour,
                                   linewidth=2 if t < 2 else 1))
            ax.text(centre, 0.4, _number(value), ha="center", va="center", fontsize=9, color=colour)
        ax.text(-0.3, 1.6, "x", ha="right", va="center", fontsize=11, style="italic")
        ax.text(-0.3, 0.4, "y", ha="right", va="center", fontsize=11, style="italic")
        out_len = conv1d_output_length(length, k, stride, padding)
        pads = f", {left}+{right} zeros added" if padding == "same" else ""
        ax.set_title(f'padding="{padding}", stride s={stride}: L={length}, k={k}{pads} → L_out={out_len}',
                     fontsize=10, loc="left")
        ax.set_xlim(-1.2, widest + 0.2)
        ax.set_ylim(-0.1, 2.1)
        ax.set_axis_off()
    weights = ", ".join(_number(w) for w in ws)
    fig.suptitle(title or f"W = [{weights}] sliding over x: each output y[t] is the dot product with one window",
                 fontsize=11)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- text CNN feature maps


def feature_map(activations: object, tokens: Sequence[str], kernel_size: int, *,
                filter_labels: Sequence[str] | None = None, ax: Axes | None = None, title: str | None = None,
                cmap: str = "Reds", fontsize: int = 7) -> Axes:
    """Show a text CNN's filters over one text, each filter's strongest n-gram boxed.

    Row ``f`` colours token ``i`` by the largest activation of filter ``f`` over the windows
    (n-grams of ``kernel_size`` tokens) that contain token ``i``, and draws a box around the
    window where the filter fires most strongly, with its activation.

    Args:
        activations: the Conv1D layer's output for this text, shape ``(windows, filters)`` with
            ``windows = len(tokens) - kernel_size + 1`` (valid padding), for the filters to show.
        tokens: the text's tokens (without padding).
        kernel_size: the filters' width ``k``.
        filter_labels: one label per filter (row), default ``"filter 0"``, ``"filter 1"``, ...
        ax: the Axes to draw on, or None for a new figure.
        title: the panel's title.
        cmap: a Matplotlib colour map name.
        fontsize: the size of the token labels.

    Returns:
        The Axes drawn on (the boxes are ``ax.patches``, one per filter).

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if ``activations`` is not 2-D or its number of windows does not match
            ``len(tokens) - kernel_size + 1``.
    """
    acts = as_array("activations", activations, ndim=2, layout="(windows, filters)").astype(float)
    _check_int("kernel_size", kernel_size, minimum=1)
    words = _check_labels("tokens", tokens)
    windows = len(words) - kernel_size + 1
    if windows < 1 or acts.shape[0] != windows:
        raise ValueError(f"activations must have len(tokens) - kernel_size + 1 = {len(words)} - {kernel_size} + 1 = "
                         f"{windows} windows (rows), got shape {acts.shape}. Pass the valid Conv1D output of this "
                         f"text only, without its padding: activations[:{max(windows, 0)}].")
    n_filters = acts.shape[1]
    labels = (_check_labels("filter_labels", filter_labels, n_filters) if filter_labels is not None
              else [f"filter {f}" for f in range(n_filters)])
    _check_ax(ax)
    _check_optional_str("title", title)
    check_str("cmap", cmap)
    _check_int("fontsize", fontsize, minimum=1)
    covering = np.full((n_filters, len(words)), -np.inf)
    for start in range(windows):
        span = slice(start, start + kernel_size)
        covering[:, span] = np.maximum(covering[:, span], acts[start][:, None])
    ax = _new_axes(ax, (max(6.0, 0.22 * len(words) + 2.0), 0.5 * n_filters + 1.6))
    ax.imshow(covering, cmap=cmap, aspect="auto", vmin=min(0.0, float(acts.min())))
    for f in range(n_filters):
        best = int(np.argmax(acts[:, f]))
        ax.add_patch(Rectangle((best - 0.5, f - 0.45), kernel_size, 0.9, fill=False, edgecolor="black", linewidth=2))
        ax.text(best + kernel_size - 0.4, f, f"{acts[best, f]:.2f}", va="center", ha="left", fontsize=fontsize,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    ax.set_xticks(range(len(words)), words, rotation=90, fontsize=fontsize)
    ax.set_yticks(range(n_filters), labels, fontsize=fontsize + 1)
    if title is not None:
        ax.set_title(title)
    return ax


# ----------------------------------------------------------------------------- unrolled RNN


def rnn_diagram(steps: int = 4, cell: str = "tanh(W·x + U·h + b)", *, bptt: bool = True, ax: Axes | None = None,
                title: str | None = None) -> Axes:
    """Draw a recurrent cell unrolled over ``steps`` time steps: inputs ``x_1 ... x_T`` below,
    states ``h_1 ... h_T`` above, the state passed right (orange) from ``h_0 = 0``, and, with
    ``bptt``, the gradient flowing back through every step (red).

    Args:
        steps: the number of time steps ``T`` drawn (1 to 8).
        cell: the text in every cell box (the same weights at every step).
        bptt: draw the backpropagation-through-time arrow.
        ax: the Axes to draw on, or None for a new figure.
        title: the panel's title (default: "An RNN unrolled over T time steps: ...").

    Returns:
        The Axes drawn on (the cell boxes are ``ax.patches``, one per step).

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if ``steps`` is not between 1 and 8.
    """
    _check_int("steps", steps, minimum=1, maximum=8)
    check_str("cell", cell)
    if not isinstance(bptt, bool):
        raise TypeError(f"bptt must be True or False, got {bptt!r} ({type(bptt).__name__}).")
    _check_ax(ax)
    _check_optional_str("title", title)
    ax = _new_axes(ax, (max(4.0, 2.0 * steps), 2.8))
    arrow = {"arrowstyle": "->"}
    for t in range(steps):
        xc = 1.8 * t
        ax.add_patch(Rectangle((xc - 0.45, 0.75), 0.9, 0.5, facecolor="#cde", edgecolor="black"))
        ax.text(xc, 1.0, cell, ha="center", va="center", fontsize=7)
        ax.annotate("", xy=(xc, 0.75), xytext=(xc, 0.2), arrowprops=arrow)
        ax.text(xc, 0.05, f"x_{t + 1}", ha="center")
        ax.annotate("", xy=(xc, 1.85), xytext=(xc, 1.25), arrowprops=arrow)
        ax.text(xc, 1.95, f"h_{t + 1}", ha="center")
        ax.annotate("", xy=(xc + 1.35, 1.0), xytext=(xc + 0.45, 1.0), arrowprops={**arrow, "color": "C1"})
    ax.text(-1.15, 1.0, "h_0 = 0", va="center")
    ax.annotate("", xy=(-0.45, 1.0), xytext=(-0.75, 1.0), arrowprops={**arrow, "color": "C1"})
    if bptt:
        ax.annotate("", xy=(-0.4, 2.35), xytext=(1.8 * (steps - 1) + 0.4, 2.35), arrowprops={**arrow, "color": "C3"})
        ax.text(0.9 * (steps - 1), 2.45, "gradients flow back through every step (BPTT)", ha="center", color="C3")
    ax.set(xlim=(-1.3, 1.8 * steps - 0.3), ylim=(-0.1, 2.7))
    ax.set_title(title or f"An RNN unrolled over {steps} time steps: the same weights at every step")
    ax.axis("off")
    return ax
