"""NumPy reference for 1D convolution in Keras's layout (chapter 06)."""

from __future__ import annotations

import math

import numpy as np

from ._validate import as_array, check_choice, check_shape
from .config import _check_bool, _check_int

#: The ``padding`` modes supported here (Keras's ``"causal"`` is not).
PADDINGS = ("valid", "same")


def _check_sizes(length: object, kernel_size: object, stride: object) -> None:
    """TypeError/ValueError unless ``length``, ``kernel_size`` and ``stride`` are integers ≥ 1."""
    _check_int("length", length, minimum=1)
    _check_int("kernel_size", kernel_size, minimum=1)
    _check_int("stride", stride, minimum=1)


def conv1d_output_length(length: int, kernel_size: int, stride: int = 1, padding: str = "valid") -> int:
    """Output length of a 1D convolution (or pooling) as Keras computes it.

    ``valid``: ``floor((length - kernel_size) / stride) + 1`` (no padding);
    ``same``: ``ceil(length / stride)`` (zeros are added so that every input position
    starts a window when ``stride`` is 1). With explicit padding ``p`` on each side the
    general formula is ``floor((length + 2p - kernel_size) / stride) + 1``.

    Raises:
        TypeError: if a size is not an integer or ``padding`` not a str.
        ValueError: if a size is below 1, ``padding`` is not ``"valid"``/``"same"``, or with
            ``"valid"`` the kernel is longer than the input (Keras refuses that layer too).
    """
    _check_sizes(length, kernel_size, stride)
    check_choice("padding", padding, PADDINGS)
    if padding == "valid":
        if length < kernel_size:
            raise ValueError(f"with padding='valid' the kernel must fit in the input: kernel_size = {kernel_size} "
                             f"is longer than length = {length}. Use a kernel of at most {length} or padding='same'.")
        return (length - kernel_size) // stride + 1
    return math.ceil(length / stride)


def same_padding(length: int, kernel_size: int, stride: int = 1) -> tuple[int, int]:
    """The zeros Keras/TensorFlow add (left, right) for ``padding="same"``: the odd one goes right.

    Raises:
        TypeError/ValueError: unless the three are integers of at least 1.
    """
    _check_sizes(length, kernel_size, stride)
    out = math.ceil(length / stride)
    total = max((out - 1) * stride + kernel_size - length, 0)
    return total // 2, total - total // 2


def conv1d(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None, stride: int = 1,
           padding: str = "valid") -> np.ndarray:
    """1D convolution (cross-correlation, as in every deep-learning library) of a batch.

    ``x`` is (batch, length, in_channels); ``kernel`` is (kernel_size, in_channels, filters),
    the layout of ``keras.layers.Conv1D``; ``bias`` is (filters,). Output position ``t`` is
    ``sum_{k, c} x[t·stride + k, c] · kernel[k, c, :] + bias``.

    Raises:
        TypeError: if an array is not numeric, ``stride`` not an integer or ``padding`` not a str.
        ValueError: if a shape does not fit that layout, ``stride`` is below 1, ``padding`` is
            not ``"valid"``/``"same"``, or with ``"valid"`` the kernel is longer than the input.
    """
    _check_int("stride", stride, minimum=1)
    check_choice("padding", padding, PADDINGS)
    x = as_array("x", x, 3, "(batch, length, channels)").astype("float64", copy=False)
    kernel = as_array("kernel", kernel, 3, "(kernel_size, channels, filters)").astype("float64", copy=False)
    if x.shape[2] != kernel.shape[1]:
        raise ValueError(
            f"expected x (batch, length, channels) and kernel (kernel_size, channels, filters) with the "
            f"same channels; got {x.shape} and {kernel.shape}."
        )
    size, length = kernel.shape[0], x.shape[1]
    if size == 0 or length == 0:
        raise ValueError(f"x needs a length and kernel a kernel_size of at least 1, got x {x.shape} and "
                         f"kernel {kernel.shape}.")
    if bias is not None:
        bias = as_array("bias", bias, 1, "(filters,)").astype("float64", copy=False)
        check_shape("bias", bias, (kernel.shape[2],), "(filters,) with filters = kernel.shape[2]")
    if padding == "same":
        left, right = same_padding(length, size, stride)
        x = np.pad(x, ((0, 0), (left, right), (0, 0)))
    elif size > length:
        raise ValueError(f"with padding='valid' the kernel must fit in the input: kernel_size = {size} "
                         f"(kernel.shape[0]) is longer than length = {length} (x.shape[1]). Use padding='same' "
                         "or a shorter kernel.")
    n_out = conv1d_output_length(x.shape[1], size, stride, "valid")
    # windows: (batch, n_out, kernel_size, channels), then one tensor contraction
    windows = np.stack([x[:, t * stride:t * stride + size, :] for t in range(n_out)], axis=1)
    out = np.einsum("bnkc,kcf->bnf", windows, kernel)
    if bias is not None:
        out = out + bias
    return out


def conv1d_params(kernel_size: int, in_channels: int, filters: int, use_bias: bool = True) -> int:
    """Parameters of a Conv1D layer: one (kernel_size × in_channels) filter per output channel.

    Raises:
        TypeError/ValueError: unless the sizes are integers of at least 1 and ``use_bias`` a bool.
    """
    _check_int("kernel_size", kernel_size, minimum=1)
    _check_int("in_channels", in_channels, minimum=1)
    _check_int("filters", filters, minimum=1)
    _check_bool("use_bias", use_bias)
    return kernel_size * in_channels * filters + (filters if use_bias else 0)


# ----------------------------------------------------------------------------- receptive field

#: layers that keep every position where it is (they change values, not which steps an output sees)
POSITION_NEUTRAL = ("Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "BatchNormalization",
                    "LayerNormalization", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax")
#: layers that slide a window along the sequence: ``(kernel_size, strides, dilation_rate)`` attributes
POSITION_WINDOWS = ("Conv1D", "MaxPooling1D", "AveragePooling1D")
#: layers that pool the whole sequence: the stack above them is what has a receptive field
GLOBAL_POOLINGS = ("GlobalMaxPooling1D", "GlobalAveragePooling1D")

Window = tuple[int, int, int]


def _first(value: object) -> int:
    """A Keras size attribute (an int or a 1-tuple) as an int."""
    return int(value[0]) if isinstance(value, tuple | list) else int(value)


def layer_windows(model: object) -> list[tuple[str, Window]]:
    """``(layer name, (kernel_size, stride, dilation))`` of each Conv1D / MaxPooling1D /
    AveragePooling1D layer of a Keras model, in order, up to its first global pooling layer.

    Dropout, normalisation and activation layers are skipped (they move no position). The
    model must be a plain stack: the input, windows and position-neutral layers, then
    ``GlobalMaxPooling1D`` or ``GlobalAveragePooling1D`` (anything may follow that).

    Raises:
        TypeError: if ``model`` is not a Keras model.
        ValueError: naming the first layer before the global pooling that is neither a window
            nor position-neutral (e.g. ``Flatten``, ``LSTM``, ``Dense``), or if the model has no
            global pooling layer.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras Model (e.g. keras.Sequential([...])), got {type(model).__name__}.")
    windows: list[tuple[str, Window]] = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in GLOBAL_POOLINGS:
            return windows
        if kind == "InputLayer" or kind in POSITION_NEUTRAL:
            continue
        if kind not in POSITION_WINDOWS:
            raise ValueError(f"layer {layer.name!r} ({kind}) comes before the global pooling layer, but only "
                             f"{', '.join(POSITION_WINDOWS)} and position-neutral layers (dropout, normalisation, "
                             f"activation) have a receptive field this function can follow.")
        if kind == "Conv1D":
            window = (_first(layer.kernel_size), _first(layer.strides), _first(layer.dilation_rate))
        else:
            window = (_first(layer.pool_size), _first(layer.strides), 1)
        windows.append((layer.name, window))
    raise ValueError(f"model {model.name!r} has no {' or '.join(GLOBAL_POOLINGS)} layer: without one, the stack's "
                     "receptive field is not what the classifier sees.")


def _windows(layers: object) -> list[Window]:
    """``layers`` (a Keras model, or a sequence of (kernel_size, stride, dilation)) as checked triples."""
    import keras

    if isinstance(layers, keras.Model):
        return [window for _, window in layer_windows(layers)]
    if isinstance(layers, str | bytes) or not isinstance(layers, list | tuple):
        raise TypeError(f"layers must be a keras Model or a list of (kernel_size, stride, dilation) triples, got "
                        f"{type(layers).__name__}.")
    checked = []
    for i, window in enumerate(layers):
        if not isinstance(window, list | tuple) or len(window) != 3:
            raise ValueError(f"layers[{i}] must be a (kernel_size, stride, dilation) triple, got {window!r}.")
        for what, value in zip(("kernel_size", "stride", "dilation"), window):
            _check_int(f"layers[{i}] {what}", value, minimum=1)
        checked.append((int(window[0]), int(window[1]), int(window[2])))
    return checked


def receptive_field(layers: object) -> int:
    """How many consecutive input steps one output of a stack of windows spans.

    ``layers`` is a Keras model (its stack up to the global pooling, see :func:`layer_windows`)
    or a list of ``(kernel_size, stride, dilation)`` triples (a pooling layer is
    ``(pool_size, strides, 1)``). With ``J_l`` the product of the strides of the layers before
    layer ``l``: ``r = 1 + sum_l (kernel_size_l - 1) * dilation_l * J_l``. Pooling and strides
    therefore multiply the reach of every later layer, dilation that of its own layer. An empty
    stack has a receptive field of 1.

    Raises:
        TypeError, ValueError: as :func:`layer_windows` for a model; for triples unless each
            is three integers of at least 1.
    """
    field, jump = 1, 1
    for size, stride, dilation in _windows(layers):
        field += (size - 1) * dilation * jump
        jump *= stride
    return field


def input_offsets(layers: object) -> tuple[int, ...]:
    """The offsets (from the first step of its window) of the input steps one output of the
    stack actually reads; ``range(receptive_field(layers))`` when the window has no holes.

    Holes appear when a dilated kernel skips steps that no earlier layer covers, or a stride
    is larger than the window: then two events at some distances are never seen by the same
    output. ``layers`` as for :func:`receptive_field`.

    Raises:
        TypeError, ValueError: as :func:`receptive_field`.
    """
    offsets, jump = {0}, 1
    for size, stride, dilation in _windows(layers):
        offsets = {a + i * dilation * jump for a in offsets for i in range(size)}
        jump *= stride
    return tuple(sorted(offsets))


def distances_seen(layers: object) -> tuple[int, ...]:
    """The distances ``d >= 1`` at which two input steps are both read by one output of the
    stack (differences of :func:`input_offsets`), sorted.

    Raises:
        TypeError, ValueError: as :func:`receptive_field`.
    """
    offsets = input_offsets(layers)
    return tuple(sorted({b - a for a in offsets for b in offsets if b > a}))


def two_spike_task(n: int, length: int = 160, channels: int = 8, gap: int = 40, noise: float = 0.2,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A generated task whose label needs a receptive field of ``gap + 1`` steps (chapter 06).

    Each of ``n`` sequences of shape ``(length, channels)`` is Gaussian noise (std ``noise``)
    with two spikes (+1 on every channel). Label 1 ("a fault"): the spikes are between
    ``gap // 2`` and ``gap`` steps apart; label 0: between ``3 * gap // 2`` and ``3 * gap``. A
    feature that sees only one spike at a time cannot tell the two classes apart.

    Returns:
        ``x`` float32 of shape ``(n, length, channels)`` and ``y`` int64 of shape ``(n,)``.

    Raises:
        TypeError/ValueError: for non-integer sizes, sizes below 1, ``gap`` below 2, ``length``
            not above ``3 * gap``, or a negative ``noise``.
    """
    from ._validate import check_real

    _check_int("n", n, minimum=1)
    _check_int("channels", channels, minimum=1)
    _check_int("gap", gap, minimum=2)
    _check_int("length", length, minimum=3 * gap + 1)
    noise = check_real("noise", noise, minimum=0.0)
    _check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, noise, size=(n, length, channels)).astype("float32")
    y = rng.integers(0, 2, size=n).astype("int64")
    distance = np.where(y == 1, rng.integers(gap // 2, gap + 1, size=n), rng.integers(3 * gap // 2, 3 * gap + 1, size=n))
    start = rng.integers(0, length - distance)
    rows = np.arange(n)
    x[rows, start] += 1.0
    x[rows, start + distance] += 1.0
    return x, y
