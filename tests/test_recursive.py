"""utils.recursive: the seeded Boolean-expression task, the level schedule, the NumPy
references and the level-by-level Keras tree model."""

import numpy as np
import pytest

from utils import recursive as R


def python_value(text: str) -> bool:
    """The expression's truth value as Python computes it (tokens are only T F and or ( ))."""
    assert set(text.split()) <= {"T", "F", "and", "or", "(", ")"}, text
    return eval(text.replace("T", "True").replace("F", "False"))  # only the checked tokens above


@pytest.fixture(scope="module")
def small():
    return R.make_expressions(300, 1, 12, seed=5)


def test_same_seed_same_expressions_other_seed_others(small):
    again = R.make_expressions(300, 1, 12, seed=5)
    for field in ("tokens", "node_token", "left", "right", "level", "label"):
        assert np.array_equal(getattr(small, field), getattr(again, field)), field
    assert not np.array_equal(R.make_expressions(300, 1, 12, seed=6).tokens, small.tokens)


def test_labels_are_pythons_value_of_the_expression(small):
    assert [python_value(small.text(i)) for i in range(len(small))] == small.label.astype(bool).tolist()
    assert 0.35 < small.label.mean() < 0.65          # and / or over fair leaves: balanced labels


def test_shapes_leaves_and_padding(small):
    assert small.tokens.shape == (300, 4 * 12 - 3) and small.node_token.shape == (300, 2 * 12 - 1)
    assert small.n_leaves.min() == 1 and small.n_leaves.max() == 12
    assert np.array_equal(small.lengths, 4 * small.n_leaves - 3)
    assert np.array_equal((small.node_token != R.PAD).sum(axis=1), 2 * small.n_leaves - 1)
    leaves = np.isin(small.node_token, (R.TRUE, R.FALSE)).sum(axis=1)
    assert np.array_equal(leaves, small.n_leaves)
    padding = np.arange(small.tokens.shape[1]) >= small.lengths[:, None]
    assert np.all(small.tokens[padding] == R.PAD) and np.all(small.tokens[~padding] != R.PAD)


def test_trees_are_post_order_with_the_root_last(small):
    for i in range(len(small)):
        n = int(small.root[i]) + 1
        left, right = small.left[i, :n], small.right[i, :n]
        inner = left >= 0
        assert np.all(left[inner] < np.arange(n)[inner]) and np.all(right[inner] < np.arange(n)[inner])
        children = np.concatenate([left[inner], right[inner]])
        assert sorted(children.tolist()) == list(range(n - 1))     # every node but the root is a child once
        assert np.all(small.left[i, n:] == -1) and np.all(small.level[i, n:] == -1)


def test_levels_and_depth_match_node_levels(small):
    for i in range(len(small)):
        n = int(small.root[i]) + 1
        levels = R.node_levels(small.left[i, :n], small.right[i, :n])
        assert np.array_equal(levels, small.level[i, :n])
        assert small.depth[i] == levels.max()
        assert int(np.ceil(np.log2(small.n_leaves[i]))) <= small.depth[i] <= small.n_leaves[i] - 1


def test_node_levels_any_order_and_bad_trees():
    # root 2 = (0, 3), 3 = (1, 4): the root comes before one of its children
    assert R.node_levels([-1, -1, 0, 1, -1], [-1, -1, 3, 4, -1]).tolist() == [0, 0, 2, 1, 0]
    assert R.node_levels(np.array([-1]), np.array([-1])).tolist() == [0]
    with pytest.raises(ValueError, match="one child only"):
        R.node_levels([1, -1], [-1, -1])
    with pytest.raises(ValueError, match="cycle"):
        R.node_levels([1, 0, -1, -1], [2, 3, -1, -1])
    with pytest.raises(ValueError, match="node index in"):
        R.node_levels([1, -1], [5, -1])
    with pytest.raises(TypeError, match="integer"):
        R.node_levels([0.5, -1.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="right must have shape"):
        R.node_levels([-1, -1], [-1])


def test_level_schedule_lists_each_internal_node_once_after_its_children(small):
    schedule = R.level_schedule(small.level)
    assert len(schedule) == small.depth.max()
    flat = np.concatenate(schedule)
    assert sorted(flat.tolist()) == np.flatnonzero(small.level.reshape(-1) > 0).tolist()
    done_at = np.full(small.level.size, -1)
    done_at[small.level.reshape(-1) == 0] = 0
    offset = np.arange(len(small))[:, None] * small.level.shape[1]
    left, right = (small.left + offset).reshape(-1), (small.right + offset).reshape(-1)
    for h, nodes in enumerate(schedule, start=1):
        assert np.all((done_at[left[nodes]] >= 0) & (done_at[left[nodes]] < h))
        assert np.all((done_at[right[nodes]] >= 0) & (done_at[right[nodes]] < h))
        done_at[nodes] = h
    assert R.level_schedule(np.array([0])) == []
    with pytest.raises(ValueError, match="empty"):
        R.level_schedule(np.array([], dtype=int))


def test_compose_is_tanh_of_the_children_through_the_kernel():
    rng = np.random.default_rng(0)
    left, right = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    kernel, bias = rng.normal(size=(6, 3)), rng.normal(size=3)
    expected = np.tanh(left @ kernel[:3] + right @ kernel[3:] + bias)
    assert np.allclose(R.compose(left, right, kernel, bias), expected, atol=1e-12)
    per_node = rng.normal(size=(5, 3))
    assert np.allclose(R.compose(left, right, kernel, per_node), np.tanh(left @ kernel[:3] + right @ kernel[3:] + per_node))
    assert not np.allclose(R.compose(right, left, kernel, bias), expected)      # the order of the children matters
    assert np.allclose(R.compose(left[0], right[0], kernel, bias), expected[0])


@pytest.mark.parametrize("args, error, text", [
    ((np.ones((2, 3)), np.ones((2, 4)), np.ones((6, 3)), np.ones(3)), ValueError, "right must have shape"),
    ((np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 6)), np.ones(3)), ValueError, "kernel must have shape"),
    ((np.ones((2, 3)), np.ones((2, 3)), np.ones((6, 3)), np.ones(4)), ValueError, "bias must have shape"),
    ((np.ones((2, 3)), np.ones((2, 3)), np.ones((6, 3)), np.array(["a", "b", "c"])), TypeError, "bias must be"),
    ((np.full((2, 3), np.nan), np.ones((2, 3)), np.ones((6, 3)), np.ones(3)), ValueError, "finite"),
])
def test_compose_rejects_bad_arguments(args, error, text):
    with pytest.raises(error, match=text):
        R.compose(*args)


@pytest.mark.parametrize("kwargs, error, text", [
    (dict(n=0, min_leaves=1, max_leaves=3, seed=0), ValueError, "n must be at least 1"),
    (dict(n=2.0, min_leaves=1, max_leaves=3, seed=0), TypeError, "n must be an integer"),
    (dict(n=2, min_leaves=0, max_leaves=3, seed=0), ValueError, "min_leaves must be at least 1"),
    (dict(n=2, min_leaves=4, max_leaves=3, seed=0), ValueError, "max_leaves must be at least min_leaves = 4"),
    (dict(n=2, min_leaves=1, max_leaves=3, seed=-1), ValueError, "seed must be at least 0"),
    (dict(n=2, min_leaves=True, max_leaves=3, seed=0), TypeError, "min_leaves must be an integer"),
])
def test_make_expressions_rejects_bad_arguments(kwargs, error, text):
    with pytest.raises(error, match=text):
        R.make_expressions(**kwargs)


def test_numpy_node_by_node_equals_by_levels_and_keras():
    import keras

    data = R.make_expressions(64, 1, 9, seed=11)
    keras.utils.set_random_seed(3)
    model = R.build_tree_model(units=6, max_levels=8)
    weights = R.tree_weights(model)
    assert [w.shape for w in weights] == [(len(R.VOCABULARY), 6), (12, 6), (6,)]
    by_node = R.tree_forward(data, *weights)
    assert np.abs(R.tree_forward_by_levels(data, *weights) - by_node).max() <= 1e-12
    assert np.abs(R.root_states(model, data) - by_node).max() <= 1e-5
    leaf = data.n_leaves == 1                                  # a leaf's root vector is its embedding row
    assert np.allclose(by_node[leaf], weights[0][data.node_token[leaf, 0]])
    # the level order matters: computing too few levels leaves deep roots wrong
    shallow = R.build_tree_model(units=6, max_levels=2)
    shallow.set_weights(model.get_weights())
    deep = data.depth > 2
    assert deep.any() and np.abs(R.root_states(shallow, data)[deep] - by_node[deep]).max() > 1e-3


def test_reference_rejects_bad_weights_and_data():
    data = R.make_expressions(4, 1, 3, seed=0)
    emb, kernel, bias = np.ones((7, 3)), np.ones((6, 3)), np.ones(3)
    with pytest.raises(TypeError, match="ExpressionSet"):
        R.tree_forward({"tokens": data.tokens}, emb, kernel, bias)
    with pytest.raises(ValueError, match="kernel must have shape"):
        R.tree_forward(data, emb, np.ones((3, 6)), bias)
    with pytest.raises(ValueError, match="at least 5 rows"):
        R.tree_forward_by_levels(data, np.ones((2, 3)), kernel, bias)
    with pytest.raises(ValueError, match="units must be at least 1"):
        R.build_tree_model(0, 3)
    with pytest.raises(TypeError, match="max_levels must be an integer"):
        R.build_tree_model(4, 2.5)
