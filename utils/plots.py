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

Architecture diagrams, each with its chapter's symbols (boxes, arrows and labels only, in the
colour-blind-safe Okabe-Ito palette, :data:`OKABE_ITO`; no CJK font needed):

- :func:`lstm_cell_diagram`, :func:`gru_cell_diagram`: one step of the gated cells (chapter 03).
- :func:`bidirectional_diagram`: forward and backward layers and their merge (chapter 04).
- :func:`recurrent_dropout_diagram`: a new mask per step against one mask per sequence (chapter 05).
- :func:`seq2seq_attention_diagram`: scores, softmax weights and context at one decoder step (chapter 07).
- :func:`truncated_bptt_diagram`: the text cut into lanes, chunks, carried state, cut gradients (chapter 08).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager, patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, FancyBboxPatch, Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from ._validate import as_array, check_choice, check_str
from .config import _check_bool, _check_fraction, _check_int
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


def _known_cjk_font() -> str | None:
    names = sorted({f.name for f in font_manager.fontManager.ttflist})
    return next((n for n in names if any(k.lower() in n.lower() for k in CJK_FONT_KEYWORDS)), None)


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Return the name of an installed font that can draw Chinese characters, or None.

    Matplotlib's default font (DejaVu Sans) has no Chinese glyphs and draws empty boxes, so
    labels in Chinese need another font: Noto Sans CJK / Source Han Sans, WenQuanYi, Microsoft
    YaHei, SimHei, PingFang, Hiragino Sans GB, Heiti… (:data:`CJK_FONT_KEYWORDS`), on Linux, macOS
    or Windows. Matplotlib knows only the fonts that were installed when it built its font cache;
    when none of those can draw Chinese, the system's font folders are searched once more and
    fonts added since are registered (``fontManager.addfont``), so a font installed after the
    cache was built (``apt-get install fonts-noto-cjk``) is found without deleting the cache.
    The answer is cached for the session. When it is None, one notice says how to install a
    font, and :func:`heatmap` numbers the rows instead (the notebook lists the tokens in text).
    """
    found = _known_cjk_font()
    if found is None:
        known = {f.fname for f in font_manager.fontManager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # an unreadable font file: skip it
                    continue
        found = _known_cjk_font()
    if found is None:
        from .i18n import _

        print(_("No font that can draw Chinese characters is installed, so Chinese labels are replaced by "
                "numbers. To see them, install one and restart the kernel: Debian/Ubuntu `sudo apt-get install "
                "fonts-noto-cjk` (or fonts-wqy-microhei), Fedora `sudo dnf install google-noto-sans-cjk-fonts`, "
                "macOS `brew install --cask font-noto-sans-cjk`; Windows has Microsoft YaHei."))
    return found


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


# ----------------------------------------------------------------------------- architecture diagrams
#
# The diagrams below are drawn in data coordinates on an Axes with equal aspect and no axis:
# boxes (layers, gates), circles (element-wise operations) and arrows (tensors). Colours are
# the Okabe-Ito palette, which stays distinguishable with the common colour-vision deficiencies;
# symbols are Matplotlib mathtext, which DejaVu Sans draws without any extra font.

#: The Okabe-Ito colour-blind-safe palette.
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
             "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000", "grey": "#999999"}
#: Light fills for boxes (the palette's colours mixed with white), so black text on them stays readable.
_FILL = {"sky": "#CCE9F9", "orange": "#F8E2B0", "green": "#B3E2D5", "purple": "#F0D7E6", "grey": "#EEEEEE",
         "blue": "#B3D4E8", "vermillion": "#F2CCB3", "yellow": "#FBF6C0"}


def _diagram_axes(ax: Axes | None, figsize: tuple[float, float], xlim: tuple[float, float],
                  ylim: tuple[float, float]) -> Axes:
    """The Axes to draw a diagram on: equal aspect, fixed limits, no frame."""
    ax = _new_axes(ax, figsize)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


def _box(ax: Axes, x: float, y: float, w: float, h: float, text: str = "", *, fill: str = "white",
         edge: str = "black", fontsize: float = 10, lw: float = 1.2, linestyle: str = "-", zorder: float = 3,
         color: str = "black") -> None:
    """A rounded box centred at (x, y) with ``text`` in it."""
    pad = min(w, h) * 0.12
    ax.add_patch(FancyBboxPatch((x - w / 2 + pad, y - h / 2 + pad), w - 2 * pad, h - 2 * pad,
                                boxstyle=f"round,pad={pad}", facecolor=fill, edgecolor=edge, linewidth=lw,
                                linestyle=linestyle, zorder=zorder))
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=zorder + 0.5, color=color)


def _op(ax: Axes, x: float, y: float, kind: str, r: float = 0.17, zorder: float = 4) -> None:
    """An element-wise operation node: ``"mul"`` ⊙ (a circle with a dot) or ``"add"`` (a circle with +)."""
    ax.add_patch(Circle((x, y), r, facecolor="white", edgecolor="black", linewidth=1.2, zorder=zorder))
    if kind == "mul":
        ax.add_patch(Circle((x, y), r * 0.22, facecolor="black", edgecolor="none", zorder=zorder + 0.1))
    else:
        ax.plot([x - 0.6 * r, x + 0.6 * r], [y, y], color="black", lw=1.2, zorder=zorder + 0.1)
        ax.plot([x, x], [y - 0.6 * r, y + 0.6 * r], color="black", lw=1.2, zorder=zorder + 0.1)


def _path(ax: Axes, points: Sequence[tuple[float, float]], *, color: str = "black", lw: float = 1.4,
          arrow: bool = True, linestyle: str = "-", zorder: float = 2, halo: bool = False) -> None:
    """A polyline through ``points``, with an arrow head at the last point; ``halo`` draws a white
    outline under it, so that a line it crosses appears broken (a bridge)."""
    effects = [patheffects.withStroke(linewidth=lw + 5, foreground="white")] if halo else None
    xs, ys = zip(*points)
    ax.plot(xs, ys, color=color, lw=lw, linestyle=linestyle, zorder=zorder, solid_capstyle="butt",
            path_effects=effects)
    if arrow:
        ax.annotate("", xy=points[-1], xytext=points[-2], zorder=zorder,
                    arrowprops={"arrowstyle": "-|>,head_length=0.5,head_width=0.25", "color": color, "lw": lw,
                                "shrinkA": 0, "shrinkB": 0})


def _dot(ax: Axes, x: float, y: float, color: str = "black", zorder: float = 3) -> None:
    """A junction dot where one tensor goes two ways."""
    ax.plot([x], [y], marker="o", markersize=4, color=color, zorder=zorder)


def _finish(ax: Axes, title: str | None, default: str) -> Axes:
    """Set the panel's title: ``title``, or ``default`` when it is None."""
    ax.set_title(default if title is None else title, fontsize=11)
    return ax


# ----------------------------------------------------------------------------- LSTM and GRU cells


def _cell_frame(ax: Axes | None, equations: bool, title: str | None, ops: tuple[float, float],
                ends: tuple[str, str], lane: tuple[str, float]) -> tuple[Axes, str, float]:
    """The frame the LSTM and GRU cells share: the cell's box and its state lane along the top,
    entering as ``ends[0]``, multiplied at ``ops[0]``, added to at ``ops[1]``, leaving as ``ends[1]``.
    Returns (axes, the lane's colour, the radius of the ⊙/⊕ circles)."""
    _check_bool("equations", equations)
    _check_ax(ax)
    _check_optional_str("title", title)
    bottom = -1.75 if equations else -0.8
    ax = _diagram_axes(ax, (8.5, 4.9 if equations else 4.0), (-0.9, 10.9), (bottom, 5.0))
    blue, r = OKABE_ITO["blue"], 0.17
    _box(ax, 5.0, 2.65, 8.4, 4.2, fill="#F7F7F7", edge=OKABE_ITO["grey"], zorder=0.5)
    (mul, add), (start, end) = ops, ends
    _path(ax, [(-0.5, 4.2), (mul - r, 4.2)], color=blue, lw=2.5, arrow=False)
    _path(ax, [(mul + r, 4.2), (add - r, 4.2)], color=blue, lw=2.5, arrow=False)
    _path(ax, [(add + r, 4.2), (10.4, 4.2)], color=blue, lw=2.5)
    ax.text(-0.5, 4.45, start, ha="left", va="bottom", fontsize=12, color=blue)
    ax.text(10.4, 4.45, end, ha="right", va="bottom", fontsize=12, color=blue)
    ax.text(lane[1], 4.45, lane[0], ha="center", va="bottom", fontsize=8, color=blue)
    _op(ax, mul, 4.2, "mul")
    _op(ax, add, 4.2, "add")
    return ax, blue, r


def lstm_cell_diagram(*, equations: bool = True, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw one LSTM step with chapter 03's symbols.

    The cell state runs along the top (blue): ``c_{t−1}`` is multiplied by the forget gate
    ``f`` and receives ``i ⊙ g`` (input gate times candidate) to become ``c_t``. Below, the
    input ``x_t`` and the previous output ``h_{t−1}`` feed the four gates, each a layer of its
    own (σ or tanh of ``x_t W + h_{t−1} U + b``); the output gate ``o`` decides how much of
    ``tanh(c_t)`` leaves as ``h_t``. Keras calls the candidate ``g`` "c" and stores the gates in
    the order [i, f, c, o].

    Args:
        equations: write the step's equations under the cell.
        ax: the Axes to draw on, or None for a new figure.
        title: the panel's title (default: "One LSTM step: ...").

    Returns:
        The Axes drawn on (labels are ``ax.texts``).

    Raises:
        TypeError: if ``equations`` is not a bool, ``ax`` not an Axes or ``title`` not a str.
    """
    ax, blue, r = _cell_frame(ax, equations, title, (2.6, 5.2), (r"$c_{t-1}$", r"$c_t$"), ("cell state", 7.0))
    # the inputs: h_{t-1} from the left, x_t from below, joined on one bus
    _path(ax, [(-0.5, 1.0), (6.8, 1.0)], arrow=False)
    _path(ax, [(1.6, -0.35), (1.6, 1.0)], arrow=False)
    _dot(ax, 1.6, 1.0)
    ax.text(-0.5, 1.15, r"$h_{t-1}$", ha="left", va="bottom", fontsize=12)
    ax.text(1.6, -0.45, r"$x_t$", ha="center", va="top", fontsize=12)
    gates = [(2.6, "f", r"$\sigma$", "forget", "sky"), (4.0, "i", r"$\sigma$", "input", "sky"),
             (5.2, "g", "tanh", "candidate", "orange"), (6.8, "o", r"$\sigma$", "output", "sky")]
    for x, letter, function, name, colour in gates:
        _path(ax, [(x, 1.0), (x, 1.6)])
        _dot(ax, x, 1.0)
        _box(ax, x, 1.9, 0.9, 0.6, function, fill=_FILL[colour], edge=OKABE_ITO[colour], fontsize=11, lw=1.5)
        ax.text(x, 0.78, name, ha="center", va="top", fontsize=8)
        ax.text(x + 0.1, 2.45, rf"${letter}$", ha="left", va="bottom", fontsize=12, fontweight="bold")
    _path(ax, [(2.6, 2.2), (2.6, 4.2 - r)])                    # f ⊙ c_{t-1}
    _path(ax, [(4.0, 2.2), (4.0, 3.2), (5.2 - r, 3.2)])        # i ⊙ g
    _path(ax, [(5.2, 2.2), (5.2, 3.2 - r)])
    _op(ax, 5.2, 3.2, "mul")
    _path(ax, [(5.2, 3.2 + r), (5.2, 4.2 - r)])
    # the output: o ⊙ tanh(c_t)
    _dot(ax, 8.0, 4.2, color=blue)
    _path(ax, [(8.0, 4.2), (8.0, 3.45)], color=blue)
    _box(ax, 8.0, 3.2, 0.9, 0.5, "tanh", fontsize=10)
    _path(ax, [(8.0, 2.95), (8.0, 1.9 + r)])
    _path(ax, [(7.25, 1.9), (8.0 - r, 1.9)])
    _op(ax, 8.0, 1.9, "mul")
    _path(ax, [(8.0, 1.9 - r), (8.0, 1.0), (10.4, 1.0)], lw=2)
    ax.text(10.4, 1.15, r"$h_t$", ha="right", va="bottom", fontsize=12)
    if equations:
        ax.text(5.0, -1.0, r"$f, i, o = \sigma(x_t W + h_{t-1} U + b)$ (each gate its own $W, U, b$),"
                r"   $g = \tanh(x_t W_g + h_{t-1} U_g + b_g)$", ha="center", va="top", fontsize=9.5)
        ax.text(5.0, -1.4, r"$c_t = f \odot c_{t-1} + i \odot g$,    $h_t = o \odot \tanh(c_t)$",
                ha="center", va="top", fontsize=10.5)
    return _finish(ax, title, "One LSTM step: f and i edit the cell state c, o decides what leaves as h")


def gru_cell_diagram(*, reset_after: bool = True, equations: bool = True, ax: Axes | None = None,
                     title: str | None = None) -> Axes:
    """Draw one GRU step with chapter 03's symbols and Keras's convention.

    The state runs along the top (blue): ``h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃``, so the update gate
    ``z`` weighs the *old* state and ``1 − z`` the candidate ``h̃`` (Keras's GRU; some texts swap
    the roles). The reset gate ``r`` scales what the candidate sees of the old state: with
    ``reset_after=True`` (Keras's default) it multiplies ``h_{t−1} U_h + b'_h``, after the
    recurrent product; with ``False`` (the original paper) it multiplies ``h_{t−1}`` before it.

    Args:
        reset_after: draw Keras's default (True) or the paper's variant (False).
        equations: write the step's equations under the cell.
        ax: the Axes to draw on, or None for a new figure.
        title: the panel's title.

    Returns:
        The Axes drawn on (labels are ``ax.texts``).

    Raises:
        TypeError: if ``reset_after`` or ``equations`` is not a bool, ``ax`` not an Axes or
            ``title`` not a str.
    """
    _check_bool("reset_after", reset_after)
    # the state lane: h_{t-1} -> z ⊙ h_{t-1} -> + (1 - z) ⊙ h̃ -> h_t
    ax, blue, r = _cell_frame(ax, equations, title, (7.0, 8.4), (r"$h_{t-1}$", r"$h_t$"), ("state", 5.0))
    # the gates' inputs: h_{t-1} (dropped from the lane) and x_t on one bus
    _dot(ax, 1.1, 4.2, color=blue)
    _path(ax, [(1.1, 4.2), (1.1, 1.0)], color=blue, arrow=False)
    _path(ax, [(1.1, 1.0), (7.0, 1.0)], arrow=False)
    _path(ax, [(4.4, -0.35), (4.4, 1.0)], arrow=False)
    _dot(ax, 4.4, 1.0)
    ax.text(4.4, -0.45, r"$x_t$", ha="center", va="top", fontsize=12)
    for x, letter, name in ((2.6, "r", "reset"), (7.0, "z", "update")):
        _path(ax, [(x, 1.0), (x, 1.6)])
        _dot(ax, x, 1.0)
        _box(ax, x, 1.9, 0.9, 0.6, r"$\sigma$", fill=_FILL["sky"], edge=OKABE_ITO["sky"], fontsize=11, lw=1.5)
        ax.text(x, 0.78, name, ha="center", va="top", fontsize=8)
        ax.text(x - 0.1, 2.3, rf"${letter}$", ha="right", va="bottom", fontsize=12, fontweight="bold")
    # the reset gate scales the recurrent part of the candidate
    _dot(ax, 2.6, 4.2, color=blue)
    if reset_after:
        _path(ax, [(2.6, 4.2), (2.6, 3.2 + r)], color=blue)
        _box(ax, 2.6, 3.72, 1.75, 0.42, r"$h_{t-1} U_h + b'_h$", fontsize=9, edge=blue, zorder=3)
    else:
        _path(ax, [(2.6, 4.2), (2.6, 3.2 + r)], color=blue)
    _path(ax, [(2.6, 2.2), (2.6, 3.2 - r)])
    _op(ax, 2.6, 3.2, "mul")
    _path(ax, [(2.6 + r, 3.2), (3.95, 3.2)])
    _path(ax, [(4.4, 1.0), (4.4, 2.9)])
    ax.text(4.5, 1.3, r"$x_t$", ha="left", va="bottom", fontsize=10)
    _box(ax, 4.4, 3.2, 0.9, 0.6, "tanh", fill=_FILL["orange"], edge=OKABE_ITO["orange"], fontsize=11, lw=1.5)
    ax.text(4.4, 3.55, "candidate", ha="center", va="bottom", fontsize=8)
    # z weighs the old state, 1 - z the candidate
    _path(ax, [(7.0, 2.2), (7.0, 4.2 - r)])
    _dot(ax, 7.0, 2.6)
    _path(ax, [(7.0, 2.6), (7.45, 2.6)])
    _box(ax, 7.72, 2.6, 0.55, 0.4, r"$1-$", fontsize=10)
    _path(ax, [(8.0, 2.6), (8.4, 2.6), (8.4, 3.2 - r)])
    _path(ax, [(4.85, 3.2), (8.4 - r, 3.2)], zorder=2.5, halo=True)   # crosses the z line: drawn as a bridge
    ax.text(5.6, 3.28, r"$\tilde{h}$", ha="center", va="bottom", fontsize=13)
    _op(ax, 8.4, 3.2, "mul")
    _path(ax, [(8.4, 3.2 + r), (8.4, 4.2 - r)])
    if equations:
        candidate = (r"$\tilde{h} = \tanh(x_t W_h + b_h + r \odot (h_{t-1} U_h + b'_h))$" if reset_after
                     else r"$\tilde{h} = \tanh(x_t W_h + (r \odot h_{t-1}) U_h + b_h)$")
        gates = (r"$z, r = \sigma(x_t W + b + h_{t-1} U + b')$" if reset_after
                 else r"$z, r = \sigma(x_t W + h_{t-1} U + b)$")
        ax.text(5.0, -1.0, gates + " (each gate its own),   " + candidate,
                ha="center", va="top", fontsize=9.5)
        ax.text(5.0, -1.4, r"$h_t = z \odot h_{t-1} + (1 - z) \odot \tilde{h}$", ha="center", va="top",
                fontsize=10.5)
    variant = "Keras's default, reset_after=True" if reset_after else "reset_after=False"
    return _finish(ax, title, rf"One GRU step ({variant}): z keeps the old state, 1 − z lets $\tilde{{h}}$ in")


# ----------------------------------------------------------------------------- bidirectional layer

#: How ``keras.layers.Bidirectional`` combines the two directions: the merge box's text and the output's label.
_MERGES = {"concat": ("concat", r"$[\overrightarrow{{h}}_{t} ; \overleftarrow{{h}}_{t}]$"),
           "sum": ("+", r"$\overrightarrow{{h}}_{t} + \overleftarrow{{h}}_{t}$"),
           "mul": (r"$\odot$", r"$\overrightarrow{{h}}_{t} \odot \overleftarrow{{h}}_{t}$"),
           "ave": ("average", r"$(\overrightarrow{{h}}_{t} + \overleftarrow{{h}}_{t}) / 2$")}


def bidirectional_diagram(steps: int = 4, merge_mode: str | None = "concat", *, return_sequences: bool = True,
                          ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw ``keras.layers.Bidirectional`` over ``x_1 … x_T`` (chapter 04's picture).

    The forward layer (blue, states ``→h_t``) reads ``x_1 … x_T``; the backward copy (vermillion,
    ``←h_t``, its own weights) reads ``x_T … x_1``, and its outputs are re-reversed so that
    position ``t`` of both lines up: ``→h_t`` has read everything up to ``t``, ``←h_t`` everything
    from ``t`` on. With ``return_sequences=True`` the two are merged at every step; with False
    the layer returns the merge of the two *final* states, ``→h_T`` and ``←h_1`` (the backward
    layer's last state is the one after reading ``x_1``).

    Args:
        steps: the number of time steps ``T`` drawn (2 to 6).
        merge_mode: ``"concat"`` (Keras's default), ``"sum"``, ``"mul"``, ``"ave"`` or None (both
            outputs returned, not merged).
        return_sequences: merge at every step (True) or only the final states (False).
        ax: the Axes to draw on, or None for a new figure.
        title: the panel's title.

    Returns:
        The Axes drawn on (labels are ``ax.texts``).

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if ``steps`` is not between 2 and 6 or ``merge_mode`` is unknown.
    """
    _check_int("steps", steps, minimum=2, maximum=6)
    if merge_mode is not None:
        check_choice("merge_mode", merge_mode, tuple(_MERGES))
    _check_bool("return_sequences", return_sequences)
    _check_ax(ax)
    _check_optional_str("title", title)
    blue, red, dx = OKABE_ITO["blue"], OKABE_ITO["vermillion"], 2.0
    xs = [dx * t for t in range(steps)]
    right = xs[-1] + (1.3 if return_sequences else 3.2)
    top = 4.9
    ax = _diagram_axes(ax, (max(6.0, 1.45 * steps + (1.0 if return_sequences else 2.4)), 3.9), (-1.9, right),
                       (-0.45, top))
    fy, by, w, h = 1.35, 2.55, 1.0, 0.5
    for t, xc in enumerate(xs):
        n = t + 1
        ax.text(xc, -0.05, rf"$x_{{{n}}}$", ha="center", va="top", fontsize=12)
        _path(ax, [(xc, 0.0), (xc, 0.5)], arrow=False)
        _dot(ax, xc, 0.5)
        _path(ax, [(xc, 0.5), (xc - 0.3, 0.5), (xc - 0.3, fy - h / 2)])
        _path(ax, [(xc, 0.5), (xc + 0.3, 0.5), (xc + 0.3, by - h / 2)], zorder=2.6, halo=True)
        _box(ax, xc - 0.3, fy, w, h, rf"$\overrightarrow{{h}}_{{{n}}}$", fill=_FILL["blue"], edge=blue, fontsize=12)
        _box(ax, xc + 0.3, by, w, h, rf"$\overleftarrow{{h}}_{{{n}}}$", fill=_FILL["vermillion"], edge=red,
             fontsize=12)
        if t + 1 < steps:
            _path(ax, [(xc + 0.2, fy), (xs[t + 1] - 0.8, fy)], color=blue, lw=1.8)
        if t > 0:
            _path(ax, [(xc - 0.2, by), (xs[t - 1] + 0.8, by)], color=red, lw=1.8)
    ax.text(-1.75, fy, "forward\nlayer", ha="left", va="center", fontsize=8, color=blue)
    ax.text(-1.75, by, "backward\nlayer", ha="left", va="center", fontsize=8, color=red)
    box_text, out_label = _MERGES.get(merge_mode, ("", ""))
    my = 3.75
    if return_sequences:
        for t, xc in enumerate(xs):
            n = t + 1
            if merge_mode is None:
                _path(ax, [(xc - 0.3, fy + h / 2), (xc - 0.3, my + 0.2)], color=blue, zorder=2.6, halo=True)
                _path(ax, [(xc + 0.3, by + h / 2), (xc + 0.3, my + 0.2)], color=red)
                continue
            _path(ax, [(xc - 0.3, fy + h / 2), (xc - 0.3, my - 0.22)], color=blue, zorder=2.6, halo=True)
            _path(ax, [(xc + 0.3, by + h / 2), (xc + 0.3, my - 0.22)], color=red)
            _box(ax, xc, my, 1.3, 0.44, box_text, fontsize=9)
            _path(ax, [(xc, my + 0.22), (xc, my + 0.55)])
            ax.text(xc, my + 0.6, out_label.format(t=n), ha="center", va="bottom", fontsize=10)
        if merge_mode is None:
            ax.text((xs[0] + xs[-1]) / 2, my + 0.4, "merge_mode=None: both sequences returned, as a list of two",
                    ha="center", va="bottom", fontsize=9)
    else:   # only the final states: ->h_T from the right end, <-h_1 from the left end
        mx, last = xs[-1] + 2.1, steps
        _path(ax, [(xs[-1] + 0.2, fy), (mx - 0.3, fy), (mx - 0.3, my - 0.22)], color=blue, lw=1.8)
        _path(ax, [(xs[0] - 0.2, by), (xs[0] - 0.6, by), (xs[0] - 0.6, 3.2), (mx + 0.3, 3.2),
                   (mx + 0.3, my - 0.22)], color=red, lw=1.8, zorder=2.6, halo=True)
        if merge_mode is None:
            ax.text(mx, my - 0.1, rf"$[\overrightarrow{{h}}_{{{last}}}, \overleftarrow{{h}}_{{1}}]$",
                    ha="center", va="bottom", fontsize=10)
        else:
            _box(ax, mx, my, 1.3, 0.44, box_text, fontsize=9)
            _path(ax, [(mx, my + 0.22), (mx, my + 0.5)])
            label = out_label.replace("_{t}", f"_{{{last}}}", 1).replace("_{t}", "_{1}", 1)
            ax.text(mx, my + 0.52, label, ha="center", va="bottom", fontsize=10)
    what = "every step" if return_sequences else "the final states"
    if merge_mode is None:
        default = f"Bidirectional, merge_mode=None: both directions returned at {what}, not merged"
    else:
        default = f'Bidirectional, merge_mode="{merge_mode}": two directions, merged at {what}'
    return _finish(ax, title, default)


# ----------------------------------------------------------------------------- recurrent dropout


def _draw_mask(ax: Axes, x: float, y: float, keep: np.ndarray, *, vertical: bool, size: float = 0.2) -> None:
    """One dropout mask as a strip of unit squares centred at (x, y): filled = kept, crossed = dropped."""
    n = len(keep)
    for k, kept in enumerate(keep):
        offset = (k - (n - 1) / 2) * size
        cx, cy = (x, y - offset) if vertical else (x + offset, y)
        ax.add_patch(Rectangle((cx - size / 2, cy - size / 2), size, size, zorder=5, linewidth=0.8,
                               facecolor=OKABE_ITO["blue"] if kept else "white", edgecolor="black"))
        if not kept:
            d = size * 0.32
            ax.plot([cx - d, cx + d], [cy - d, cy + d], color=OKABE_ITO["vermillion"], lw=1.2, zorder=6)
            ax.plot([cx - d, cx + d], [cy + d, cy - d], color=OKABE_ITO["vermillion"], lw=1.2, zorder=6)


def _masks(rng: np.random.Generator, units: int, rate: float, count: int) -> list[np.ndarray]:
    """``count`` dropout masks of ``units`` units, each dropping ``round(rate * units)`` units (at
    least one, never all), consecutive masks different (so "a new mask per step" shows new masks).
    Keras drops each unit independently, so its count varies; a fixed count keeps the picture honest
    about the rate."""
    dropped = min(units - 1, max(1, round(rate * units)))
    masks: list[np.ndarray] = []
    while len(masks) < count:
        keep = np.ones(units, dtype=bool)
        keep[rng.permutation(units)[:dropped]] = False
        if not (masks and np.array_equal(keep, masks[-1])):
            masks.append(keep)
    return masks


def recurrent_dropout_diagram(steps: int = 4, units: int = 4, rate: float = 0.5, seed: int = 0, *,
                              title: str | None = None) -> Figure:
    """Contrast a new dropout mask at every time step with Keras's one mask per sequence (chapter 05).

    Two unrolled RNNs, masks drawn as strips of units (blue: kept, crossed: dropped, i.e. set to
    0 and the others scaled by ``1 / (1 − rate)``). Top: a fresh mask at every step, on the inputs
    and on the state fed back, which disturbs the sequence. Bottom: what Keras's ``dropout``
    (inputs ``x_t``) and ``recurrent_dropout`` (the state ``h_{t−1}`` fed back) do, after Gal &
    Ghahramani (2016): one mask drawn per sequence and used at every step, so the same units are
    missing all along the sequence.

    Args:
        steps: the number of time steps drawn (2 to 6).
        units: the number of units in a mask (2 to 6).
        rate: the dropout rate, strictly between 0 and 1 (the share of units dropped on average).
        seed: the seed of the drawn masks (each drops ``round(rate * units)`` units, at least one
            and never all).
        title: the figure's title.

    Returns:
        The Figure (two Axes: a new mask per step, then the same mask at every step).

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if ``steps`` or ``units`` is not between 2 and 6, or ``rate`` not in (0, 1).
    """
    _check_int("steps", steps, minimum=2, maximum=6)
    _check_int("units", units, minimum=2, maximum=6)
    _check_fraction("rate", rate)
    _check_int("seed", seed, minimum=0)
    _check_optional_str("title", title)
    rng = np.random.default_rng(seed)
    fresh_x, fresh_h = _masks(rng, units, rate, steps), _masks(rng, units, rate, steps - 1)
    same_x, same_h = _masks(rng, units, rate, 1)[0], _masks(rng, units, rate, 1)[0]
    dx = 2.3
    fig, axes = plt.subplots(2, 1, figsize=(max(6.0, 1.75 * steps + 1.2), 5.6))
    panels = [("A new mask at every step: the noise changes from step to step and disturbs the sequence",
               fresh_x, fresh_h, ("mask\non x", "mask on h")),
              ("Keras's dropout and recurrent_dropout (Gal & Ghahramani): one mask per sequence, "
               "the same at every step", [same_x] * steps, [same_h] * (steps - 1), ("dropout\non x",
                                                                                   "recurrent_dropout on h"))]
    for ax, (heading, x_masks, h_masks, (x_word, h_word)) in zip(axes, panels):
        _diagram_axes(ax, (6.0, 2.8), (-1.3, dx * (steps - 1) + 0.9), (-0.45, 2.45))
        ax.set_title(heading, fontsize=9.5, loc="left")
        for t in range(steps):
            xc = dx * t
            _box(ax, xc, 1.35, 1.0, 0.55, "RNN cell", fill=_FILL["sky"], edge=OKABE_ITO["sky"], fontsize=8, lw=1.5)
            ax.text(xc, -0.1, rf"$x_{{{t + 1}}}$", ha="center", va="top", fontsize=11)
            _path(ax, [(xc, -0.05), (xc, 1.35 - 0.275)])
            _draw_mask(ax, xc, 0.5, x_masks[t], vertical=False)
            _path(ax, [(xc, 1.35 + 0.275), (xc, 2.05)])
            ax.text(xc, 2.1, rf"$h_{{{t + 1}}}$", ha="center", va="bottom", fontsize=11)
            if t + 1 < steps:
                _path(ax, [(xc + 0.5, 1.35), (xc + dx - 0.5, 1.35)], color=OKABE_ITO["orange"], lw=1.8)
                _draw_mask(ax, xc + dx / 2, 1.35, h_masks[t], vertical=True)
        ax.text(-0.25 - 0.1 * units, 0.5, x_word, ha="right", va="center", fontsize=7.5)
        ax.text(dx / 2, 1.35 + 0.1 * units + 0.08, h_word, ha="center", va="bottom",
                fontsize=7.5, color="black")
    handles = [Patch(facecolor=OKABE_ITO["blue"], edgecolor="black", label="unit kept (scaled by 1 / (1 − rate))"),
               Patch(facecolor="white", edgecolor=OKABE_ITO["vermillion"], label="unit dropped (set to 0)")]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle(title or f"Dropout in a recurrent layer (rate {rate:g}, {units} units per mask)", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


# ----------------------------------------------------------------------------- truncated BPTT lanes

#: The default text of :func:`truncated_bptt_diagram` (a review's opening, like chapter 08's corpus).
_BPTT_TEXT = "this film was a joy to watch and the cast is great, but the ending is far too slow for me"
_LANE_COLOURS = ("sky", "orange", "green", "purple", "yellow")


def truncated_bptt_diagram(lanes: int = 3, chunks: int = 3, chunk: int = 5, *, text: str | None = None,
                           ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw chapter 08's layout for truncated BPTT with a carried state.

    Top: the text, cut into ``lanes`` (``BATCH``) equally long, contiguous pieces, one colour each.
    Below: the batches. Batch ``j`` holds chunk ``j`` of every lane, ``CHUNK`` characters long,
    one lane per row, so row ``b`` of batch ``j + 1`` continues row ``b`` of batch ``j``
    (:func:`utils.lm.stream_batches`). A stateful LSTM passes its state from each chunk to the
    next one of the same row (blue), while the gradients flow back only inside a chunk (red)
    and stop at the chunk borders (dashed).

    Args:
        lanes: the batch size ``BATCH``, the number of lanes (2 to 5).
        chunks: the number of batches drawn (2 to 4).
        chunk: ``CHUNK``, the characters per chunk (2 to 8).
        text: the characters to cut (at least ``lanes * chunks * chunk``; spaces are drawn as ␣),
            or None for an example review.
        ax: the Axes to draw on, or None for a new figure.
        title: the panel's title.

    Returns:
        The Axes drawn on (labels are ``ax.texts``).

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if a size is out of range or ``text`` is too short.
    """
    _check_int("lanes", lanes, minimum=2, maximum=5)
    _check_int("chunks", chunks, minimum=2, maximum=4)
    _check_int("chunk", chunk, minimum=2, maximum=8)
    _check_optional_str("text", text)
    _check_ax(ax)
    _check_optional_str("title", title)
    needed = lanes * chunks * chunk
    source = _BPTT_TEXT if text is None else text
    if len(source) < needed:
        raise ValueError(f"text must hold at least lanes * chunks * chunk = {lanes} * {chunks} * {chunk} = {needed} "
                         f"characters, got {len(source)}.")
    chars = [("␣" if ch == " " else ch) for ch in source[:needed]]
    lane_len, cw, gap = chunks * chunk, 0.5, 1.3
    width = chunks * chunk * cw + (chunks - 1) * gap
    sw = width / needed                       # a strip cell, so that the strip is as wide as the grid
    row_y = [3.0 - b * 0.95 for b in range(lanes)]
    bottom = row_y[-1] - 1.15
    ax = _diagram_axes(ax, (max(7.0, 0.75 * width + 2.2), 0.72 * (5.6 - bottom) + 0.3), (-1.6, width + 0.3),
                       (bottom, 5.35))
    red, state = OKABE_ITO["vermillion"], OKABE_ITO["blue"]
    # the text as one stream, cut into lanes
    for i, ch in enumerate(chars):
        colour = _LANE_COLOURS[i // lane_len]
        ax.add_patch(Rectangle((i * sw, 4.55), sw, 0.32, facecolor=_FILL[colour], edgecolor="white", lw=0.5))
        ax.text((i + 0.5) * sw, 4.71, ch, ha="center", va="center", fontsize=max(5.5, min(8.0, 36 * sw)))
    for b in range(lanes):
        ax.text((b + 0.5) * lane_len * sw, 4.92, f"lane {b}", ha="center", va="bottom", fontsize=8)
        if b:
            ax.plot([b * lane_len * sw] * 2, [4.5, 4.92], color="black", lw=1.2)
    ax.text(-0.2, 4.71, "text", ha="right", va="center", fontsize=9)
    # the batches: batch j = chunk j of every lane
    for j in range(chunks):
        x0 = j * (chunk * cw + gap)
        _box(ax, x0 + chunk * cw / 2, (row_y[0] + row_y[-1]) / 2, chunk * cw + 0.3, row_y[0] - row_y[-1] + 1.05,
             fill="none", edge=OKABE_ITO["grey"], linestyle="--", lw=1, zorder=0.5)
        ax.text(x0 + chunk * cw / 2, row_y[0] + 0.62, f"batch {j}", ha="center", va="bottom", fontsize=9)
        for b, y in enumerate(row_y):
            start = b * lane_len + j * chunk
            for i in range(chunk):
                ax.add_patch(Rectangle((x0 + i * cw, y - 0.22), cw, 0.44, facecolor=_FILL[_LANE_COLOURS[b]],
                                       edgecolor="black", lw=0.6))
                ax.text(x0 + (i + 0.5) * cw, y, chars[start + i], ha="center", va="center", fontsize=9)
            _path(ax, [(x0 + chunk * cw - 0.1, y + 0.33), (x0 + 0.1, y + 0.33)], color=red, lw=1.2)
            if j + 1 < chunks:
                _path(ax, [(x0 + chunk * cw + 0.05, y), (x0 + chunk * cw + gap - 0.05, y)], color=state, lw=2)
        if j + 1 < chunks:
            xb = x0 + chunk * cw + gap / 2
            ax.plot([xb, xb], [row_y[-1] - 0.45, row_y[0] + 0.5], color=red, lw=1.2, linestyle="--")
    for b, y in enumerate(row_y):
        ax.text(-0.2, y, f"lane {b}", ha="right", va="center", fontsize=9)
    ax.text(width / 2, bottom + 0.05,
            "blue: the state is carried to the next chunk of the same lane (stateful=True)\n"
            "red: gradients flow back only within a chunk and stop at the dashed borders",
            ha="center", va="bottom", fontsize=8.5)
    return _finish(ax, title, f"Truncated BPTT with a carried state: BATCH = {lanes} lanes, CHUNK = {chunk} "
                              f"characters")


# ----------------------------------------------------------------------------- seq2seq with attention

#: The scores of :func:`seq2seq_attention_diagram`, in chapter 07's notation.
ATTENTION_SCORES = {"dot": r"$e_{tj} = s_t \cdot h_j$",
                    "additive": r"$e_{tj} = v \cdot \tanh(W_q s_t + W_k h_j)$"}


def seq2seq_attention_diagram(weights: object = (0.1, 0.6, 0.25, 0.05), step: int = 2, scoring: str = "dot", *,
                              decoder_steps: int = 3, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw a GRU encoder–decoder with attention at one decoder step (chapter 07's symbols).

    The encoder reads ``x_1 … x_S`` into states ``h_1 … h_S``; its last state is the decoder's
    initial state. At decoder step ``t`` the decoder state ``s_t`` scores every encoder state
    (``e_tj``, dot-product or additive), a softmax over ``j`` turns the scores into the weights
    ``a_tj`` (drawn as bars), and the context ``c_t = Σ_j a_tj h_j`` joins ``s_t`` before the
    ``Dense`` layer that gives the logits of ``y_t``.

    Args:
        weights: the attention weights ``a_tj`` drawn, one per source step (2 to 6 of them,
            non-negative, summing to 1).
        step: the decoder step ``t`` shown (1 to ``decoder_steps``).
        scoring: ``"dot"`` (Luong, ``keras.layers.Attention``) or ``"additive"`` (Bahdanau).
        decoder_steps: the number of decoder steps drawn (1 to 4).
        ax: the Axes to draw on, or None for a new figure.
        title: the panel's title.

    Returns:
        The Axes drawn on (labels are ``ax.texts``; the weight bars are the Rectangles in
        ``ax.patches`` with the ``"attention weight"`` label).

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if ``weights`` has fewer than 2 or more than 6 values, a negative one or a sum
            other than 1, ``step`` is outside 1 … ``decoder_steps`` or ``scoring`` is unknown.
    """
    a = as_array("weights", weights, ndim=1, layout="(source_steps,)").astype(float)
    if not 2 <= len(a) <= 6:
        raise ValueError(f"weights must hold one weight per source step, 2 to 6 of them, got {len(a)}.")
    if not np.all(np.isfinite(a)) or (a < 0).any() or abs(a.sum() - 1.0) > 1e-3:
        raise ValueError(f"weights must be non-negative and sum to 1 (a softmax), got {np.round(a, 3).tolist()} "
                         f"(sum {a.sum():.3f}).")
    _check_int("decoder_steps", decoder_steps, minimum=1, maximum=4)
    _check_int("step", step, minimum=1, maximum=decoder_steps)
    check_choice("scoring", scoring, tuple(ATTENTION_SCORES))
    _check_ax(ax)
    _check_optional_str("title", title)
    n_src, dx = len(a), 1.3
    xe = [dx * j for j in range(n_src)]
    xd = [xe[-1] + 2.0 + dx * k for k in range(decoder_steps)]
    left, right = xe[0] - 0.6, xe[-1] + 0.6
    xt = xd[step - 1]
    ax = _diagram_axes(ax, (max(7.0, 0.8 * (xd[-1] + 2.2)), 5.4), (-1.4, xd[-1] + 0.9), (-0.75, 6.2))
    blue, green = OKABE_ITO["blue"], OKABE_ITO["green"]
    y_box, y_score, y_bar, y_ctx = 0.75, 2.2, 2.65, 4.6
    # encoder
    for j, x in enumerate(xe):
        _box(ax, x, y_box, 0.9, 0.5, "GRU", fill=_FILL["blue"], edge=blue, fontsize=9)
        _path(ax, [(x, -0.05), (x, y_box - 0.25)])
        ax.text(x, -0.1, rf"$x_{{{j + 1}}}$", ha="center", va="top", fontsize=11)
        _path(ax, [(x, y_box + 0.25), (x, y_score - 0.25)], color=blue)
        ax.text(x + 0.08, 1.45, rf"$h_{{{j + 1}}}$", ha="left", va="center", fontsize=11, color=blue)
        if j + 1 < n_src:
            _path(ax, [(x + 0.45, y_box), (xe[j + 1] - 0.45, y_box)], color=blue)
    _path(ax, [(xe[-1] + 0.45, y_box), (xd[0] - 0.45, y_box)], color=blue)
    ax.text((xe[-1] + xd[0]) / 2, y_box + 0.08, r"$C$", ha="center", va="bottom", fontsize=10, color=blue)
    ax.text((xe[0] + xe[-1]) / 2, -0.55, "encoder", ha="center", va="top", fontsize=9, color=blue)
    # decoder
    for k, x in enumerate(xd):
        shown = k == step - 1
        _box(ax, x, y_box, 0.9, 0.5, "GRU", fill=_FILL["green"], edge=green, fontsize=9, lw=2.4 if shown else 1.2)
        _path(ax, [(x, -0.05), (x, y_box - 0.25)])
        ax.text(x, -0.1, "<s>" if k == 0 else rf"$y_{{{k}}}$", ha="center", va="top", fontsize=10 if k == 0 else 11)
        if k + 1 < decoder_steps:
            _path(ax, [(x + 0.45, y_box), (xd[k + 1] - 0.45, y_box)], color=green)
        if not shown:
            _path(ax, [(x, y_box + 0.25), (x, 1.55)], color=green)
            ax.text(x + 0.08, 1.45, rf"$s_{{{k + 1}}}$", ha="left", va="center", fontsize=11, color=green)
    ax.text((xd[0] + xd[-1]) / 2, -0.55, "decoder (teacher forcing: reads the previous target)", ha="center",
            va="top", fontsize=9, color=green)
    # scores and softmax weights
    _box(ax, (left + right) / 2, y_score, right - left, 0.5,
         ATTENTION_SCORES[scoring] + r",   $a_{tj} = \mathrm{softmax}_j(e_{tj})$", fill=_FILL["purple"],
         edge=OKABE_ITO["purple"], fontsize=10)
    _path(ax, [(xt, y_box + 0.25), (xt, y_ctx - 0.25)], color=green, lw=1.8)
    ax.text(xt + 0.08, 1.45, r"$s_t$", ha="left", va="center", fontsize=12, color=green)
    _dot(ax, xt, y_score, color=green)
    _path(ax, [(xt, y_score), (right, y_score)], color=green, lw=1.8)
    peak = float(a.max())
    for x, weight in zip(xe, a):
        height = 1.0 * weight / peak
        ax.add_patch(Rectangle((x - 0.22, y_bar), 0.44, height, facecolor=OKABE_ITO["orange"], edgecolor="black",
                               lw=0.8, label="attention weight", zorder=3))
        ax.text(x + 0.27, y_bar + max(height, 0.12) - 0.02, f"{weight:.2f}", ha="left", va="top", fontsize=8)
        _path(ax, [(x, y_bar + height), (x, y_ctx - 0.25)], lw=0.6 + 3.0 * weight, color=OKABE_ITO["orange"])
        _path(ax, [(x, y_score + 0.25), (x, y_bar)], arrow=False, lw=0.8)
    ax.text(left - 0.1, y_bar + 0.5, r"$a_{tj}$", ha="right", va="center", fontsize=11)
    # context, concatenation, output
    _box(ax, (left + right) / 2, y_ctx, right - left, 0.5, r"context $c_t = \Sigma_j\, a_{tj} h_j$",
         fill=_FILL["orange"], edge=OKABE_ITO["orange"], fontsize=10)
    _path(ax, [(right, y_ctx), (xt - 0.6, y_ctx)], color=OKABE_ITO["orange"], lw=1.8)
    _box(ax, xt, y_ctx, 1.2, 0.5, r"$[c_t ; s_t]$", fontsize=10)
    _path(ax, [(xt, y_ctx + 0.25), (xt, 5.1)])
    _box(ax, xt, 5.35, 1.2, 0.5, "Dense", fontsize=9)
    _path(ax, [(xt, 5.6), (xt, 5.85)])
    ax.text(xt, 5.9, r"logits of $y_t$", ha="center", va="bottom", fontsize=10)
    names = {"dot": "dot-product (Luong)", "additive": "additive (Bahdanau)"}
    return _finish(ax, title, f"Encoder–decoder with {names[scoring]} attention, decoder step t = {step}")
