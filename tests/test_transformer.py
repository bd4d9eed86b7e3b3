"""utils.transformer (chapter 09): masks honoured, order blindness without positions, causality,
shapes, and the step-by-step decoder equal to the model's forward pass."""

import json

import keras
import numpy as np
import pytest
from keras import ops

from utils.data import sample_pairs
from utils.seq2seq import Vocabulary, beam_search, greedy_decode
from utils.transformer import (
    PositionalEmbedding,
    SubwordVocabulary,
    TransformerEncoder,
    TransformerStep,
    course_results,
    cross_attention_map,
    fit_translator,
    imdb_classifier,
    train_sentencepiece,
    transformer_seq2seq,
    transformer_translate,
)

RNG = np.random.default_rng(0)


def _ids(batch: int, length: int, vocab: int, real: list[int]) -> np.ndarray:
    """End-padded random ids (1 … vocab-1), row b with real[b] real tokens."""
    x = RNG.integers(1, vocab, (batch, length)).astype("int32")
    for b, n in enumerate(real):
        x[b, n:] = 0
    return x


def _predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    return ops.convert_to_numpy(model(x, training=False))


@pytest.mark.parametrize("positions", ["learned", "sinusoidal", "none"])
@pytest.mark.parametrize("window", [None, 4])
def test_padding_a_review_does_not_change_its_prediction(positions, window):
    keras.utils.set_random_seed(0)
    model = imdb_classifier(50, 40, depth=8, heads=2, hidden=16, positions=positions, window=window)
    x = _ids(3, 12, 50, [12, 7, 3])
    more_padding = np.pad(x, ((0, 0), (0, 21)))
    np.testing.assert_allclose(_predict(model, x), _predict(model, more_padding), atol=1e-6)
    # and each row alone (no padding at all) gives the same as in the padded batch
    for b, n in enumerate([12, 7, 3]):
        np.testing.assert_allclose(_predict(model, x[b:b + 1, :n]), _predict(model, x[b:b + 1]), atol=1e-6)


def test_positional_embedding_propagates_the_padding_mask():
    layer = PositionalEmbedding(20, 10, 8)
    x = np.array([[3, 4, 0, 0], [5, 0, 0, 0]], dtype="int32")
    np.testing.assert_array_equal(ops.convert_to_numpy(layer.compute_mask(x)), x != 0)
    assert tuple(layer(x).shape) == (2, 4, 8)
    with pytest.raises(ValueError, match="positions must be one of"):
        PositionalEmbedding(20, 10, 8, positions="rotary")


def test_without_positions_self_attention_is_permutation_equivariant_and_pooling_invariant():
    keras.utils.set_random_seed(1)
    model = imdb_classifier(60, 30, depth=8, heads=2, hidden=16, positions="none", dropout=0.0)
    encoder = keras.Model(model.input, model.get_layer("encoder_0").output)
    x = _ids(2, 9, 60, [9, 9])
    perm = RNG.permutation(9)
    np.testing.assert_allclose(_predict(encoder, x[:, perm]), _predict(encoder, x)[:, perm], atol=1e-5)
    np.testing.assert_allclose(_predict(model, x[:, perm]), _predict(model, x), atol=1e-6)
    # with positions the order matters
    keras.utils.set_random_seed(1)
    ordered = imdb_classifier(60, 30, depth=8, heads=2, hidden=16, positions="learned", dropout=0.0)
    assert np.abs(_predict(ordered, x[:, perm]) - _predict(ordered, x)).max() > 1e-4


def test_local_attention_sees_only_its_window():
    keras.utils.set_random_seed(2)
    layer = TransformerEncoder(8, 2, 16, dropout=0.0, window=4)
    x = RNG.normal(size=(1, 8, 8)).astype("float32")
    changed = x.copy()
    changed[0, 6] += 1.0                                     # a token in the second window
    a, b = (ops.convert_to_numpy(layer(v)) for v in (x, changed))
    np.testing.assert_allclose(a[0, :4], b[0, :4], atol=1e-6)   # the first window does not see it
    assert np.abs(a[0, 4:] - b[0, 4:]).max() > 1e-4


def _toy_translator(blocks: int = 1) -> keras.Model:
    keras.utils.set_random_seed(3)
    return transformer_seq2seq(src_size=30, tgt_size=20, src_length=16, tgt_length=9, depth=16, heads=2,
                               hidden=32, blocks=blocks, dropout=0.0)


def test_seq2seq_shapes_and_causal_decoder():
    model = _toy_translator()
    src = _ids(2, 12, 30, [12, 5])
    tgt = _ids(2, 9, 20, [9, 9])
    logits = ops.convert_to_numpy(model([src, tgt]))
    assert logits.shape == (2, 9, 20)
    future = tgt.copy()
    future[:, 6:] = RNG.integers(3, 20, (2, 3))             # change tokens 6, 7, 8
    changed = ops.convert_to_numpy(model([src, future]))
    np.testing.assert_allclose(changed[:, :6], logits[:, :6], atol=1e-5)   # earlier outputs unchanged
    assert np.abs(changed[:, 6:] - logits[:, 6:]).max() > 1e-4
    # source padding is ignored: more padding, same logits
    np.testing.assert_allclose(ops.convert_to_numpy(model([np.pad(src, ((0, 0), (0, 4))), tgt])), logits, atol=1e-5)


@pytest.mark.parametrize("blocks", [1, 2])
def test_step_wrapper_equals_the_full_forward_pass(blocks):
    model = _toy_translator(blocks)
    src = _ids(3, 12, 30, [12, 6, 2])
    tgt = _ids(3, 9, 20, [9, 9, 9])
    full = ops.convert_to_numpy(model([src, tgt]))
    stepper = TransformerStep(model)
    state = stepper.start(src)
    for t in range(9):
        logits, state = stepper.step(tgt[:, t], state)
        np.testing.assert_allclose(logits, full[:, t], atol=1e-5)
    assert state[2].shape == (3, 9)


def test_greedy_and_beam_search_run_on_the_step_and_beam_one_is_greedy():
    model = _toy_translator()
    src = _ids(4, 12, 30, [12, 8, 4, 1])
    stepper = TransformerStep(model)
    greedy = greedy_decode(stepper.step, stepper.start(src), 4, 1, 2, 7)
    beam1 = beam_search(stepper.step, stepper.start(src), 4, 1, 2, 7, beam_width=1)
    np.testing.assert_array_equal(greedy, beam1)
    beam3 = beam_search(stepper.step, stepper.start(src), 4, 1, 2, 7, beam_width=3, length_penalty=0.6)
    assert beam3.shape == (4, 7)


def test_translate_and_cross_attention_map():
    model = _toy_translator()
    vocab = Vocabulary([chr(ord("a") + i) for i in range(17)])
    assert len(vocab) == 20
    src = _ids(3, 12, 30, [12, 6, 3])
    out = transformer_translate(model, src, vocab, 7, chunk=2)
    assert len(out) == 3 and all(isinstance(s, str) for s in out)
    weights = cross_attention_map(model, src[1:2], [5, 6, 2], vocab.start)
    assert weights.shape == (3, 6)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="one encoded sentence"):
        cross_attention_map(model, src, [5, 2], vocab.start)
    with pytest.raises(TypeError, match="transformer_seq2seq"):
        TransformerStep("not a model")


def test_fit_translator_lowers_the_loss():
    model = _toy_translator()
    src = _ids(64, 12, 30, [12] * 64)
    tgt = np.concatenate([np.ones((64, 1), "int32"), (src[:, :7] % 17) + 3, np.full((64, 1), 2, "int32")], axis=1)
    history = fit_translator(model, src, tgt, src[:16], tgt[:16], epochs=3, learning_rate=3e-3, batch_size=16)
    assert history["val_loss"][-1] < history["val_loss"][0] and len(history["seconds"]) == 3
    with pytest.raises(ValueError, match="one row per pair"):
        fit_translator(model, src, tgt[:10], src, tgt, epochs=1, learning_rate=1e-3)


def test_sentencepiece_helper(tmp_path):
    sentences = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog"] * 20
    sp = train_sentencepiece(sentences, 30, "bpe", folder=tmp_path)
    assert (sp.pad_id(), sp.bos_id(), sp.eos_id(), sp.unk_id()) == (0, 1, 2, 3)
    ids = sp.encode("the cat sat")
    assert sp.decode(ids) == "the cat sat"
    with pytest.raises(ValueError, match="model_type"):
        train_sentencepiece(sentences, 30, "wordpiece", folder=tmp_path)
    with pytest.raises(ValueError, match="at least one"):
        train_sentencepiece(["", "  "], 30, folder=tmp_path)


def test_subword_vocabulary_encodes_decodes_and_translates(tmp_path):
    sentences = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog"] * 20
    vocab = SubwordVocabulary(train_sentencepiece(sentences, 30, "bpe", folder=tmp_path))
    assert (vocab.pad, vocab.start, vocab.end, vocab.unknown_id) == (0, 1, 2, 3) and len(vocab) >= 20
    ids = vocab.encode(["the cat sat", "a dog"], 12, start=True, end=True)
    assert ids.shape == (2, 12) and ids.dtype == np.int32 and (ids[:, 0] == 1).all()
    for row, text in zip(ids, ["the cat sat", "a dog"]):
        n = int(np.count_nonzero(row))
        assert row[n - 1] == 2 and (row[n:] == 0).all() and vocab.decode(row) == text
    assert vocab.decode([1, *ids[0, 1:4], 2, 5, 6]) == vocab.decode([*ids[0, 1:4]])   # stops at </s>
    long = vocab.encode(["the cat sat on the mat the dog sat on the log"], 6, start=True, end=True, truncate=True)
    assert long[0, 0] == 1 and long[0, -1] == 2 and np.count_nonzero(long) == 6
    with pytest.raises(ValueError, match="truncate=True"):
        vocab.encode(["the cat sat on the mat the dog sat on the log"], 6, start=True, end=True)
    with pytest.raises(TypeError, match="one str"):
        vocab.encode("the cat", 8)
    with pytest.raises(TypeError, match="expected str"):
        vocab.encode(["the cat", 3], 8)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        vocab.decode([1, 999])
    with pytest.raises(TypeError, match="SentencePieceProcessor"):
        SubwordVocabulary("not a model")
    model = transformer_seq2seq(src_size=len(vocab), tgt_size=len(vocab), src_length=12, tgt_length=8,
                                depth=16, heads=2, hidden=32)
    out = transformer_translate(model, ids, vocab, 7)
    assert len(out) == 2 and all(isinstance(s, str) for s in out)


def test_course_results_reads_the_benchmark_file(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"full": {"01_x": {"metrics": {"a": 0.5}, "seconds": 10.0, "error": None},
                                         "02_y": {"metrics": {"b": 1.0}, "seconds": 5.0, "error": "boom"}}}))
    assert course_results(path) == {"01_x": {"a": 0.5, "_seconds": 10.0}}
    assert course_results(tmp_path / "missing.json") == {}
    with pytest.raises(ValueError, match="mode"):
        course_results(path, mode="medium")
    assert "03_lstm_gru_sentiment" in course_results()     # the repository's own file


def test_sample_pairs_keeps_file_order():
    from utils.data import TranslationPairs

    pairs = TranslationPairs([f"s{i}" for i in range(10)], [f"t{i}" for i in range(10)], ["x"] * 10)
    sample = sample_pairs(pairs, 4, np.random.default_rng(0))
    assert len(sample.source) == 4 and sample.source == sorted(sample.source, key=lambda s: int(s[1:]))
    assert [s[1:] for s in sample.source] == [t[1:] for t in sample.target]
    with pytest.raises(TypeError, match="TranslationPairs"):
        sample_pairs([1, 2, 3], 2, np.random.default_rng(0))
