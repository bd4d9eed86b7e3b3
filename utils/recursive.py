"""Recursive (tree) neural networks: a seeded tree task, NumPy references and a Keras model.

A **recursive neural network** (递归神经网络) applies one composition function to a tree,
bottom-up: a parent's vector is computed from its two children's,

    p = tanh(W · [c_left; c_right] + b),

with the same W and b at every node, as a recurrent network uses the same weights at every
time step. In Keras's layout (as in :mod:`utils.rnn`) ``kernel`` = Wᵀ has shape
(2·units, units) and multiplies the row ``[c_left, c_right]`` from the left.

The task (:func:`make_expressions`): Boolean expressions over the leaves ``T`` and ``F`` with
the operators ``and`` / ``or``, fully parenthesised, e.g. ``( ( T and F ) or T )``; the label
is the expression's truth value. Each expression comes twice: as a token sequence (for a chain
model such as a GRU) and as its parse tree in array form (for the tree model). A node's
operator enters the composition as the node's own bias row: ``b = bias + embedding[operator]``.

Nodes of a batch of trees are computed **level by level** (:func:`node_levels`,
:func:`level_schedule`): a leaf has level 0 and a parent 1 + the larger level of its
children, so all nodes of one level depend only on lower levels and can be computed together.
A tree over t leaves needs as many levels as its depth: about log₂ t when it is balanced, t - 1
when it is a chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import INTEGER, as_array, check_finite, check_shape
from .config import _check_int, _check_seed

#: token ids shared by the sequences and the trees; 0 is padding
VOCABULARY: tuple[str, ...] = ("<pad>", "T", "F", "and", "or", "(", ")")
PAD, TRUE, FALSE, AND, OR, OPEN, CLOSE = range(len(VOCABULARY))


@dataclass(frozen=True)
class ExpressionSet:
    """``n`` Boolean expressions as token sequences and as parse trees (post-order node arrays).

    Attributes:
        tokens: (n, max_tokens) int32 token ids of the fully parenthesised expression, padded
            with 0 at the end.
        lengths: (n,) number of real tokens.
        node_token: (n, max_nodes) int32: a leaf's ``T``/``F`` id or an internal node's
            ``and``/``or`` id; 0 for padding. Nodes are in post-order (children first).
        left, right: (n, max_nodes) int32 indices of each node's children in the same row;
            -1 for leaves and padding.
        level: (n, max_nodes) int32: 0 for a leaf, 1 + max(children's levels) for an internal
            node, -1 for padding.
        root: (n,) int32 index of the root node (the last real node).
        n_leaves: (n,) leaves per expression.
        depth: (n,) the root's level (the number of composition levels the tree needs).
        label: (n,) int32 truth value, 1 for true.
    """

    tokens: np.ndarray
    lengths: np.ndarray
    node_token: np.ndarray
    left: np.ndarray
    right: np.ndarray
    level: np.ndarray
    root: np.ndarray
    n_leaves: np.ndarray
    depth: np.ndarray
    label: np.ndarray

    def __len__(self) -> int:
        return int(self.label.shape[0])

    def text(self, i: int) -> str:
        """Expression ``i`` as text, e.g. ``"( T and ( F or T ) )"``."""
        _check_int("i", i, minimum=0, maximum=len(self) - 1)
        return " ".join(VOCABULARY[t] for t in self.tokens[i, : self.lengths[i]])

    def tree_inputs(self) -> dict[str, np.ndarray]:
        """The arrays :func:`build_tree_model` takes, by input name."""
        return {"node_token": self.node_token, "left": self.left, "right": self.right,
                "level": self.level, "root": self.root}


def _random_tree(rng: np.random.Generator, leaves: int, nodes: list[tuple[int, int, int]],
                 tokens: list[int]) -> tuple[int, bool]:
    """Append a random tree over ``leaves`` leaves to ``nodes`` (token, left, right) in post-order
    and its tokens to ``tokens``; return (its root's index, its truth value). The split point
    is uniform, so shapes range from balanced to chains."""
    if leaves == 1:
        value = bool(rng.integers(2))
        tokens.append(TRUE if value else FALSE)
        nodes.append((TRUE if value else FALSE, -1, -1))
        return len(nodes) - 1, value
    split = int(rng.integers(1, leaves))
    tokens.append(OPEN)
    left, left_value = _random_tree(rng, split, nodes, tokens)
    operator = AND if rng.integers(2) == 0 else OR
    tokens.append(operator)
    right, right_value = _random_tree(rng, leaves - split, nodes, tokens)
    tokens.append(CLOSE)
    nodes.append((operator, left, right))
    value = (left_value and right_value) if operator == AND else (left_value or right_value)
    return len(nodes) - 1, value


def make_expressions(n: int, min_leaves: int, max_leaves: int, seed: int) -> ExpressionSet:
    """``n`` random Boolean expressions with a number of leaves drawn uniformly from
    ``[min_leaves, max_leaves]``, each leaf ``T`` or ``F`` and each operator ``and`` or ``or``
    with probability 1/2, the tree shape drawn by splitting the leaves at a uniform point.
    The same arguments give the same expressions.

    Arrays are padded to ``max_leaves`` (``4·max_leaves - 3`` tokens, ``2·max_leaves - 1``
    nodes), so sets made with the same ``max_leaves`` have the same shapes.

    Raises:
        TypeError: an argument is not an integer.
        ValueError: ``n < 1``, ``min_leaves < 1``, ``max_leaves < min_leaves`` (or above 200),
            or ``seed`` outside ``[0, 2**32 - 1]``.
    """
    _check_int("n", n, minimum=1)
    _check_int("min_leaves", min_leaves, minimum=1)
    _check_int("max_leaves", max_leaves, minimum=1, maximum=200)
    if max_leaves < min_leaves:
        raise ValueError(f"max_leaves must be at least min_leaves = {min_leaves}, got {max_leaves}.")
    _check_seed("seed", seed)
    rng = np.random.default_rng(seed)
    max_tokens, max_nodes = 4 * max_leaves - 3, 2 * max_leaves - 1
    tokens = np.zeros((n, max_tokens), dtype="int32")
    node_token = np.zeros((n, max_nodes), dtype="int32")
    left = np.full((n, max_nodes), -1, dtype="int32")
    right = np.full((n, max_nodes), -1, dtype="int32")
    lengths, n_leaves, label = (np.zeros(n, dtype="int32") for _ in range(3))
    for i, leaves in enumerate(rng.integers(min_leaves, max_leaves + 1, size=n)):
        nodes: list[tuple[int, int, int]] = []
        seq: list[int] = []
        _, value = _random_tree(rng, int(leaves), nodes, seq)
        tokens[i, : len(seq)] = seq
        node_token[i, : len(nodes)], left[i, : len(nodes)], right[i, : len(nodes)] = zip(*nodes)
        lengths[i], n_leaves[i], label[i] = len(seq), leaves, value
    level = node_levels_batch(left, right, node_token != PAD)
    root = (2 * n_leaves - 2).astype("int32")
    depth = level[np.arange(n), root].astype("int32")
    return ExpressionSet(tokens, lengths, node_token, left, right, level, root, n_leaves, depth, label)


# ----------------------------------------------------------------------------- the level schedule


def _check_children(left: Any, right: Any) -> tuple[np.ndarray, np.ndarray]:
    """``left`` and ``right`` as 1-D integer arrays of one length, every entry -1 or a node index."""
    left = as_array("left", left, ndim=1, layout="(nodes,)", kinds=INTEGER)
    right = as_array("right", right, ndim=1, layout="(nodes,)", kinds=INTEGER)
    check_shape("right", right, left.shape, "(nodes,) like left")
    for name, child in (("left", left), ("right", right)):
        if child.size and (child.min() < -1 or child.max() >= child.size):
            bad = int(child.min() if child.min() < -1 else child.max())
            raise ValueError(f"{name} must hold -1 (no child) or a node index in [0, {child.size}), got {bad}.")
    if np.any((left < 0) != (right < 0)):
        i = int(np.argmax((left < 0) != (right < 0)))
        raise ValueError(f"node {i} has one child only (left {left[i]}, right {right[i]}): every internal node "
                         "of a binary tree has two children, a leaf none (-1 in both).")
    return left, right


def node_levels(left: Any, right: Any) -> np.ndarray:
    """The level of every node of one binary tree: 0 for a leaf (``left[i] == right[i] == -1``),
    else 1 + the larger level of its two children. Nodes may come in any order.

    Raises:
        TypeError: ``left`` or ``right`` is not an integer array.
        ValueError: they are not 1-D of one length, hold an index out of range, a node has one
            child only, or the children form a cycle.
    """
    left, right = _check_children(left, right)
    levels = np.where(left < 0, 0, -1).astype("int64")
    for _ in range(left.size):  # each sweep fixes at least one more node unless there is a cycle
        todo = levels < 0
        if not todo.any():
            return levels
        ready = todo & (levels[left] >= 0) & (levels[right] >= 0)
        if not ready.any():
            break
        levels[ready] = 1 + np.maximum(levels[left[ready]], levels[right[ready]])
    if (levels < 0).any():
        raise ValueError(f"the children form a cycle (node {int(np.argmax(levels < 0))} is its own descendant): "
                         "left and right must describe a tree.")
    return levels


def node_levels_batch(left: np.ndarray, right: np.ndarray, real: np.ndarray) -> np.ndarray:
    """:func:`node_levels` for every row of (n, max_nodes) arrays at once, for trees stored in
    post-order (children before parents); -1 where ``real`` is False (padding)."""
    level = np.where(real, 0, -1).astype("int32")
    rows = np.arange(left.shape[0])
    for j in range(left.shape[1]):  # post-order: both children of node j are already done
        inner = left[:, j] >= 0
        if inner.any():
            r = rows[inner]
            level[r, j] = 1 + np.maximum(level[r, left[r, j]], level[r, right[r, j]])
    return level


def level_schedule(level: Any) -> list[np.ndarray]:
    """Which nodes to compute at each level: entry ``h - 1`` holds the indices of the nodes of
    level ``h`` (h = 1 … the largest level) into ``level.reshape(-1)``, so that one gather per
    level computes all of them, over every tree of a batch. Leaves (0) and padding (< 0) are
    not scheduled.

    Raises:
        TypeError: ``level`` is not an integer array.
        ValueError: it is empty.
    """
    level = as_array("level", level, kinds=INTEGER)
    if level.size == 0:
        raise ValueError("level must hold at least one node, got an empty array.")
    flat = level.reshape(-1)
    return [np.flatnonzero(flat == h) for h in range(1, int(flat.max()) + 1)]


# ----------------------------------------------------------------------------- NumPy references


def compose(left: Any, right: Any, kernel: Any, bias: Any) -> np.ndarray:
    """The composition step ``p = tanh([c_left, c_right] @ kernel + bias)`` (the lecture's
    tanh(W·[c_left; c_right] + b) with kernel = Wᵀ), for a batch of node pairs.

    Args:
        left, right: (nodes, units) children's vectors (or (units,) for one pair).
        kernel: (2·units, units); rows 0 … units-1 weigh the left child.
        bias: (units,), or (nodes, units) for one bias row per node.

    Raises:
        TypeError: an argument is not an array of numbers.
        ValueError: the shapes do not fit together or a value is not finite.
    """
    left = as_array("left", left, ndim=(1, 2), layout="(nodes, units)")
    units = left.shape[-1]
    right = as_array("right", right, ndim=(1, 2), layout="(nodes, units)")
    check_shape("right", right, left.shape, "(nodes, units) like left")
    kernel = as_array("kernel", kernel, ndim=2, layout="(2·units, units)")
    check_shape("kernel", kernel, (2 * units, units), "(2·units, units)")
    bias = as_array("bias", bias, ndim=(1, 2), layout="(units,) or (nodes, units)")
    if bias.shape not in ((units,), left.shape):
        raise ValueError(f"bias must have shape (units,) = {(units,)} or (nodes, units) = {left.shape}, got {bias.shape}.")
    for name, value in (("left", left), ("right", right), ("kernel", kernel), ("bias", bias)):
        check_finite(name, value)
    return np.tanh(np.concatenate([left, right], axis=-1) @ kernel + bias)


def _check_weights(embedding: Any, kernel: Any, bias: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    embedding = as_array("embedding", embedding, ndim=2, layout="(vocabulary, units)")
    if embedding.shape[0] < len(VOCABULARY) - 2:
        raise ValueError(f"embedding must have a row for each of the node tokens 0 … {OR} (at least {OR + 1} rows), "
                         f"got {embedding.shape[0]}.")
    units = embedding.shape[1]
    kernel = as_array("kernel", kernel, ndim=2, layout="(2·units, units)")
    check_shape("kernel", kernel, (2 * units, units), "(2·units, units)")
    bias = as_array("bias", bias, ndim=1, layout="(units,)")
    check_shape("bias", bias, (units,), "(units,)")
    return embedding, kernel, bias


def _check_expressions(expressions: Any) -> ExpressionSet:
    if not isinstance(expressions, ExpressionSet):
        raise TypeError(f"expressions must be an ExpressionSet from make_expressions, got {type(expressions).__name__}.")
    return expressions


def tree_forward(expressions: ExpressionSet, embedding: Any, kernel: Any, bias: Any) -> np.ndarray:
    """The root vector of every tree, computed node by node (the plain reference): a leaf's
    vector is its token's ``embedding`` row, an internal node's is :func:`compose` of its
    children with the bias ``bias + embedding[operator]``. Returns (n, units) float64.

    Raises:
        TypeError: ``expressions`` is not an :class:`ExpressionSet` or a weight not an array.
        ValueError: the weights' shapes do not fit together.
    """
    expressions = _check_expressions(expressions)
    embedding, kernel, bias = (w.astype("float64") for w in _check_weights(embedding, kernel, bias))
    roots = np.zeros((len(expressions), embedding.shape[1]))
    for i in range(len(expressions)):
        vectors: list[np.ndarray] = []
        for j in range(int(expressions.root[i]) + 1):
            token, a, b = expressions.node_token[i, j], expressions.left[i, j], expressions.right[i, j]
            vectors.append(embedding[token] if a < 0 else
                           compose(vectors[a], vectors[b], kernel, bias + embedding[token]))
        roots[i] = vectors[-1]
    return roots


def tree_forward_by_levels(expressions: ExpressionSet, embedding: Any, kernel: Any, bias: Any) -> np.ndarray:
    """The same root vectors as :func:`tree_forward`, with one :func:`compose` call per level
    over all the trees at once, following :func:`level_schedule`."""
    expressions = _check_expressions(expressions)
    embedding, kernel, bias = (w.astype("float64") for w in _check_weights(embedding, kernel, bias))
    n, max_nodes = expressions.level.shape
    offset = (np.arange(n) * max_nodes)[:, None]
    flat_left = (expressions.left + offset).reshape(-1)   # global indices of the children
    flat_right = (expressions.right + offset).reshape(-1)
    token = expressions.node_token.reshape(-1)
    states = embedding[token].copy()                         # leaves are right; the rest is overwritten
    for nodes in level_schedule(expressions.level):
        states[nodes] = compose(states[flat_left[nodes]], states[flat_right[nodes]], kernel, bias + embedding[token[nodes]])
    return states[(expressions.root + offset[:, 0])]


# ----------------------------------------------------------------------------- Keras


def build_tree_model(units: int, max_levels: int, vocabulary_size: int = len(VOCABULARY), name: str = "tree_rnn") -> Any:
    """A Keras model that evaluates a batch of trees level by level with shared weights and
    outputs P(expression is true).

    Inputs (by name, see :meth:`ExpressionSet.tree_inputs`): ``node_token``, ``left``,
    ``right``, ``level`` (batch, nodes) and ``root`` (batch,). The layer ``embedding`` gives the
    leaves' vectors and the operators' bias rows, ``compose`` (a Dense with tanh) is the
    composition, ``readout`` a Dense(1, sigmoid) on the root's vector. The graph repeats one
    step ``max_levels`` times: gather both children of every node, compose, and keep the result
    only where the node's level is the step's number (a mask), so there is no Python loop
    per node. Trees deeper than ``max_levels`` are computed wrongly: use ``max_leaves - 1``.

    Raises:
        TypeError: an argument is not an int (``name`` not a str).
        ValueError: ``units``, ``max_levels`` or ``vocabulary_size`` too small.
    """
    import keras
    from keras import ops

    _check_int("units", units, minimum=1)
    _check_int("max_levels", max_levels, minimum=1)
    _check_int("vocabulary_size", vocabulary_size, minimum=OR + 1)
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {name!r} ({type(name).__name__}).")
    inputs = {key: keras.Input((None,), dtype="int32", name=key) for key in ("node_token", "left", "right", "level")}
    inputs["root"] = keras.Input((), dtype="int32", name="root")
    embedding = keras.layers.Embedding(vocabulary_size, units, name="embedding")
    dense = keras.layers.Dense(units, name="compose")       # kernel (2·units, units), bias (units,)
    emb = embedding(inputs["node_token"])                   # (batch, nodes, units)
    left = ops.expand_dims(ops.maximum(inputs["left"], 0), -1)
    right = ops.expand_dims(ops.maximum(inputs["right"], 0), -1)
    level = ops.expand_dims(inputs["level"], -1)
    states = emb
    for h in range(1, max_levels + 1):
        children = ops.concatenate([ops.take_along_axis(states, left, axis=1),
                                    ops.take_along_axis(states, right, axis=1)], axis=-1)
        parents = ops.tanh(dense(children) + emb)            # operator's embedding = the node's own bias row
        states = ops.where(ops.equal(level, h), parents, states)
    root = ops.take_along_axis(states, ops.reshape(inputs["root"], (-1, 1, 1)), axis=1)[:, 0]
    output = keras.layers.Dense(1, activation="sigmoid", name="readout")(root)
    return keras.Model(inputs, output, name=name)


def tree_weights(model: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(embedding, kernel, bias) of a :func:`build_tree_model` model, for :func:`tree_forward`."""
    return (np.asarray(model.get_layer("embedding").embeddings),
            *(np.asarray(w) for w in model.get_layer("compose").get_weights()))


def root_states(model: Any, expressions: ExpressionSet) -> np.ndarray:
    """The root vectors a :func:`build_tree_model` model computes (before its readout)."""
    import keras

    expressions = _check_expressions(expressions)
    readout_input = model.get_layer("readout").input
    probe = keras.Model(model.inputs, readout_input)
    return np.asarray(probe.predict(expressions.tree_inputs(), verbose=0))
