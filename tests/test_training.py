import numpy as np
import pytest

from utils.training import make_bucketed_dataset, make_dataset, sequence_lengths


def _padded(n=300, max_length=40, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, max_length + 1, size=n)
    x = np.zeros((n, max_length), dtype="int64")
    for i, k in enumerate(lengths):
        x[i, :k] = rng.integers(1, 50, size=k)
    y = np.arange(n)  # the label identifies the example
    return x, y, lengths


def test_sequence_lengths_count_the_tokens_before_padding():
    x, _, lengths = _padded()
    np.testing.assert_array_equal(sequence_lengths(x), lengths)


def test_bucketed_batches_hold_every_example_once_padded_to_their_own_longest():
    x, y, lengths = _padded()
    ds = make_bucketed_dataset(x, y, batch_size=16, shuffle=True, seed=3)
    seen = []
    batches = 0
    for xb, yb in ds:
        xb, yb = xb.numpy(), yb.numpy()
        batches += 1
        assert xb.shape[1] == lengths[yb].max()  # padded to this batch's longest, not to 40
        np.testing.assert_array_equal(xb[:, : lengths[yb].min()], x[yb, : lengths[yb].min()])
        seen += yb.tolist()
    assert sorted(seen) == list(range(len(x)))
    assert batches == int(ds.cardinality())
    widths = [b[0].shape[1] for b in ds]
    assert np.mean(widths) < 0.8 * x.shape[1]  # the point of bucketing: less padding


def test_bucketed_shuffle_is_seeded():
    x, y, _ = _padded()
    order = lambda seed: [b[1].numpy().tolist() for b in make_bucketed_dataset(x, y, 16, True, seed)]  # noqa: E731
    assert order(1) == order(1)
    assert order(1) != order(2)


def test_bucketed_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="samples"):
        make_bucketed_dataset(np.zeros((5, 3), dtype="int64"), np.zeros(4))


def test_make_dataset_batches_in_order_without_shuffle():
    x = np.arange(10).reshape(10, 1)
    batches = [b[0].numpy().ravel().tolist() for b in make_dataset(x, np.arange(10), batch_size=4)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_char_gru_classifier_is_compiled_masked_and_outputs_one_probability():
    from utils.training import char_gru_classifier

    model = char_gru_classifier(50)
    assert model.compiled and model.layers[0].mask_zero
    p = model.predict(np.array([[3, 4, 0, 0], [5, 0, 0, 0]]), verbose=0)
    assert p.shape == (2, 1) and np.all((p > 0) & (p < 1))


def test_seconds_to_target():
    from utils.training import seconds_to_target

    assert seconds_to_target([0.80, 0.86, 0.88, 0.87], [10.0, 11.0, 12.0, 13.0], 0.87) == 33.0
    assert np.isnan(seconds_to_target([0.80, 0.86], [10.0, 11.0], 0.87))
    with pytest.raises(ValueError, match="one time per epoch"):
        seconds_to_target([0.9], [1.0, 2.0], 0.87)


def test_epoch_timer_records_one_time_per_epoch():
    import keras

    from utils.training import EpochTimer

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    timer = EpochTimer()
    model.fit(np.zeros((8, 2)), np.zeros(8), epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)


def test_predict_bucketed_keeps_the_order_of_x():
    import keras

    from utils.training import predict_bucketed

    x, _, _ = _padded(n=50, max_length=12)
    inputs = keras.Input((None,), dtype="int64")
    # each row's mean id (the mask keeps padding out) differs from row to row
    ids_as_values = keras.initializers.Constant(np.arange(50, dtype="float32")[:, None])
    outputs = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(50, 1, mask_zero=True,
                                                                          embeddings_initializer=ids_as_values)(inputs))
    model = keras.Model(inputs, outputs)
    got = predict_bucketed(model, x, batch_size=8)
    np.testing.assert_allclose(got, np.asarray(model.predict(x, verbose=0)), atol=1e-6)


def test_fixed_shapes_pad_each_bucket_to_one_length():
    """For JAX, which compiles once per input shape: at most n_buckets lengths, every example once."""
    x, y, lengths = _padded()
    ds = make_bucketed_dataset(x, y, batch_size=16, shuffle=True, seed=3, n_buckets=4, fixed_shapes=True)
    widths, seen = set(), []
    for xb, yb in ds:
        xb, yb = xb.numpy(), yb.numpy()
        widths.add(xb.shape[1])
        assert xb.shape[1] >= lengths[yb].max()
        np.testing.assert_array_equal(xb[:, : x.shape[1]], x[yb, : xb.shape[1]])
        seen += yb.tolist()
    assert sorted(seen) == list(range(len(x)))
    assert len(widths) <= 4 and max(widths) == lengths.max()
    assert len(list(ds)) == int(ds.cardinality())
    default = {b[0].shape[1] for b in make_bucketed_dataset(x, y, batch_size=16, n_buckets=4)}
    assert len(default) > 4  # on TensorFlow each batch keeps its own longest


def test_fixed_shapes_must_be_a_bool():
    x, y, _ = _padded()
    with pytest.raises(TypeError, match="fixed_shapes"):
        make_bucketed_dataset(x, y, fixed_shapes="yes")
