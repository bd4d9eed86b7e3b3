import keras
import numpy as np
import pytest

from utils.attention import AttentionPooling, attention_pooling, masked_softmax, reverse_sequences


def test_masked_softmax_zero_on_padding_and_sums_to_one():
    scores = np.array([[1.0, 2.0, 3.0, 50.0], [0.5, -1.0, 9.0, 9.0]])
    mask = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], dtype=bool)
    w = masked_softmax(scores, mask)
    assert w[0, 3] == 0.0
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(w[0, :3], e / e.sum())
    np.testing.assert_allclose(w[1, 2], w[1, 3])


def test_masked_softmax_empty_row_and_large_scores():
    w = masked_softmax(np.array([[1000.0, 1001.0], [3.0, 4.0]]), np.array([[1, 1], [0, 0]]))
    assert np.all(np.isfinite(w))
    np.testing.assert_allclose(w[1], 0.0)
    np.testing.assert_allclose(w[0].sum(), 1.0)


def test_masked_softmax_rejects_wrong_mask_shape():
    with pytest.raises(ValueError, match="mask must have the shape"):
        masked_softmax(np.zeros((2, 3)), np.ones((2, 4)))


def test_reverse_sequences_keeps_padding_at_the_end():
    x = np.array([[5, 6, 7, 0, 0], [1, 2, 3, 4, 9], [0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(reverse_sequences(x), [[7, 6, 5, 0, 0], [9, 4, 3, 2, 1], [0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(reverse_sequences(reverse_sequences(x)), x)
    with pytest.raises(ValueError, match="2-d array"):
        reverse_sequences(np.arange(3))


def test_keras_layer_matches_numpy_with_a_mask():
    rng = np.random.default_rng(0)
    ids = np.array([[3, 4, 5, 6, 0, 0], [7, 8, 0, 0, 0, 0]])
    inputs = keras.Input((None,), dtype="int64")
    hidden = keras.layers.Embedding(10, 4, mask_zero=True)(inputs)
    layer = AttentionPooling(units=5)
    pooled, weights = layer(hidden, return_attention_scores=True)
    model = keras.Model(inputs, [pooled, weights, hidden])
    layer.set_weights([rng.normal(size=(4, 5)), rng.normal(size=5), rng.normal(size=5)])
    got_pooled, got_weights, h = (np.asarray(a) for a in model(ids))
    ref_pooled, ref_weights = attention_pooling(h, *layer.get_weights(), mask=ids != 0)
    np.testing.assert_allclose(got_weights, ref_weights, atol=1e-6)
    np.testing.assert_allclose(got_pooled, ref_pooled, atol=1e-6)
    assert np.all(got_weights[ids == 0] == 0.0)
    np.testing.assert_allclose(got_weights.sum(axis=1), 1.0, atol=1e-6)
    # padding does not change the result: the same rows without the padding columns
    short = keras.Model(inputs, pooled)(ids[:, :4])
    np.testing.assert_allclose(np.asarray(short), got_pooled, atol=1e-6)


def test_keras_layer_serialises():
    model = keras.Sequential([keras.Input((3, 2)), AttentionPooling(units=4)])
    clone = keras.models.model_from_json(model.to_json())
    assert clone.layers[-1].units == 4
    assert clone.output_shape == (None, 2)


def test_masked_global_max_pooling_ignores_padding():
    from utils.attention import MaskedGlobalMaxPooling1D

    x = np.array([[[-1.0, 2.0], [-3.0, 1.0], [0.0, 0.0]]], dtype="float32")
    mask = np.array([[True, True, False]])
    got = np.asarray(MaskedGlobalMaxPooling1D()(x, mask=mask))
    np.testing.assert_allclose(got, [[-1.0, 2.0]])
    np.testing.assert_allclose(np.asarray(keras.layers.GlobalMaxPooling1D()(x)), [[0.0, 2.0]])  # why it exists
    np.testing.assert_allclose(np.asarray(MaskedGlobalMaxPooling1D()(x, mask=np.zeros((1, 3), bool))), [[0.0, 0.0]])


def test_highlight_escapes_and_scales():
    from utils.attention import highlight

    out = highlight(["<b>", "good"], np.array([0.25, 0.75]))
    assert "&lt;b&gt;" in out and "0.33" in out and "1.00" in out
    with pytest.raises(ValueError, match="one weight per token"):
        highlight(["a"], np.array([0.5, 0.5]))
