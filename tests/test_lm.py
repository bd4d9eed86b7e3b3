import numpy as np
import pytest

from utils.lm import (
    ALPHABET,
    CharVocabulary,
    NgramModel,
    bigram_probability,
    char_corpus,
    clean_text,
    consecutive_batches,
    perplexity,
    sample_logits,
    stream_batches,
)


def test_clean_text_and_corpus():
    assert clean_text("Great  FILM!<br /><br />Loved it… 10/10 ☺") == "great film!\nloved it 1010"
    corpus = char_corpus(["A b", "C"])
    assert corpus == "a b\nc\n"
    assert set(corpus) <= set(ALPHABET)


def test_vocabulary_round_trip_and_unknown_character():
    vocab = CharVocabulary()
    ids = vocab.encode("hello, world\n")
    assert ids.dtype == np.int32 and vocab.decode(ids) == "hello, world\n"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("Hé")


def test_perplexity_uniform_and_perfect():
    assert perplexity(np.full(100, 1 / 48)) == pytest.approx(48)
    assert perplexity([1.0, 1.0]) == pytest.approx(1.0)
    assert perplexity([0.5, 0.125]) == pytest.approx(4.0)
    with pytest.raises(ValueError):
        perplexity([0.0, 0.5])


def test_bigram_model_add_one():
    ids = np.array([0, 1, 0, 1, 2])
    model = NgramModel(ids, vocabulary_size=3, order=2, k=1.0)
    # after 0: (0,1) twice, row count 2 -> P(1|0) = (2+1)/(2+3)
    assert model.table[0, 1] == pytest.approx(3 / 5)
    np.testing.assert_allclose(model.table.sum(axis=1), 1.0)
    counts = {("a", "b"): 2, ("b", "a"): 1, ("b", "c"): 1}
    assert bigram_probability(counts, "a", "b", "abc") == pytest.approx(3 / 5)
    assert bigram_probability(counts, "c", "a", "abc") == pytest.approx(1 / 3)
    unigram = NgramModel(ids, 3, order=1)
    np.testing.assert_allclose(unigram.probabilities(np.array([2, 0])), [(2 + 1) / (5 + 3)])
    with pytest.raises(ValueError, match="order must be"):
        NgramModel(ids, 3, order=3)


def test_stream_batches_lanes_continue_across_chunks():
    ids = np.arange(101)
    x, y = stream_batches(ids, batch_size=4, chunk=5)
    assert x.shape == y.shape == (5, 4, 5)
    np.testing.assert_array_equal(y, x + 1)
    lane0 = np.concatenate(list(x[:, 0]))
    np.testing.assert_array_equal(lane0, np.arange(25))
    np.testing.assert_array_equal(x[0, 1], np.arange(25, 30))
    with pytest.raises(ValueError, match="too few"):
        stream_batches(np.arange(10), batch_size=4, chunk=5)


def test_sample_logits_temperature_and_top_k():
    logits = np.log(np.array([0.1, 0.2, 0.7]))
    rng = np.random.default_rng(0)
    draws = np.array([sample_logits(logits, 1.0, rng=rng) for _ in range(4000)])
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 4000, [0.1, 0.2, 0.7], atol=0.03)
    assert all(sample_logits(logits, 0.01, rng=rng) == 2 for _ in range(50))
    assert set(sample_logits(logits, 5.0, top_k=2, rng=rng) for _ in range(200)) == {1, 2}
    assert sample_logits(logits, 1.0, rng=np.random.default_rng(3)) == sample_logits(
        logits, 1.0, rng=np.random.default_rng(3))
    with pytest.raises(ValueError, match="temperature"):
        sample_logits(logits, 0.0)


def test_consecutive_batches_is_the_layout_that_breaks_the_lanes():
    ids = np.arange(101)
    x, y = consecutive_batches(ids, batch_size=4, chunk=5)
    lanes_x, _ = stream_batches(ids, batch_size=4, chunk=5)
    assert x.shape == y.shape == lanes_x.shape == (5, 4, 5)
    np.testing.assert_array_equal(y, x + 1)
    np.testing.assert_array_equal(x[0, 1], np.arange(5, 10))      # row 1 of batch 0 follows row 0 ...
    np.testing.assert_array_equal(x[1, 0], np.arange(20, 25))     # ... and row 0 of batch 1 is 3 chunks later
    np.testing.assert_array_equal(consecutive_batches(ids, 1, 5)[0], stream_batches(ids, 1, 5)[0])
    with pytest.raises(ValueError, match="too few"):
        consecutive_batches(np.arange(10), batch_size=4, chunk=5)
    with pytest.raises(TypeError):
        consecutive_batches(np.arange(10.0), batch_size=1, chunk=5)
