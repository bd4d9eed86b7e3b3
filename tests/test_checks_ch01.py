"""Chapter 01 checks: the reference passes, and the catalogue of wrong answers is rejected,
each without an exception and, where the check names a cause, with that cause."""

import keras
import numpy as np
import pytest
from checkhelpers import stub

from utils import checks
from utils.checks import _neighbours_reference
from utils.data import WordVectors, build_embedding_matrix


def verdict(capsys, check, answer, *args):
    """Run ``check(answer, *args)``; return (result, the one ✅/❌ line it printed)."""
    result = check(answer, *args)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("✅", "❌"))]
    assert len(lines) == 1, lines
    return result, lines[0]



@pytest.fixture
def vectors():
    rng = np.random.default_rng(1)
    words = ["movie", "good", "paris", "film", "great", "rome", "the", "was", "boring", "x1", "x2"]
    return WordVectors(words, rng.normal(size=(len(words), 5)).astype("float32"))


# ----------------------------------------------------------------------------- Exercise 1: one_hot_encode


def one_hot_encode(tokens, vocabulary):  # the notebook's solution
    out = np.zeros((len(tokens), len(vocabulary)), dtype="float32")
    unk = vocabulary["[UNK]"]
    for t, token in enumerate(tokens):
        out[t, vocabulary.get(token, unk)] = 1.0
    return out


def via_eye(tokens, vocabulary):  # another right answer: float64, indexing an identity matrix
    return np.eye(len(vocabulary))[[vocabulary.get(t, vocabulary["[UNK]"]) for t in tokens]]


def unk_at_zero(tokens, vocabulary):  # the notebook's vocabularies put [UNK] at 0
    out = np.zeros((len(tokens), len(vocabulary)), dtype="float32")
    for t, token in enumerate(tokens):
        out[t, vocabulary.get(token, 0)] = 1.0
    return out


def forgets_unknown(tokens, vocabulary):
    out = np.zeros((len(tokens), len(vocabulary)), dtype="float32")
    for t, token in enumerate(tokens):
        if token in vocabulary:
            out[t, vocabulary[token]] = 1.0
    return out


def by_key_order(tokens, vocabulary):  # agrees whenever the dict was built in index order
    keys = list(vocabulary)
    out = np.zeros((len(tokens), len(vocabulary)), dtype="float32")
    for t, token in enumerate(tokens):
        out[t, keys.index(token if token in vocabulary else "[UNK]")] = 1.0
    return out


def adds_unknowns_to_vocabulary(tokens, vocabulary):  # changes the caller's dictionary
    for token in tokens:
        vocabulary.setdefault(token, vocabulary["[UNK]"])
    out = np.zeros((len(tokens), len(set(vocabulary.values()))), dtype="float32")
    for t, token in enumerate(tokens):
        out[t, vocabulary[token]] = 1.0
    return out


def one_based(tokens, vocabulary):  # off by one
    out = np.zeros((len(tokens), len(vocabulary)), dtype="float32")
    for t, token in enumerate(tokens):
        out[t, vocabulary.get(token, vocabulary["[UNK]"]) - 1] = 1.0
    return out


def squeezes(tokens, vocabulary):  # a single token gives a 1-D array
    return np.squeeze(one_hot_encode(tokens, vocabulary))


def test_one_hot_right_answers_pass(capsys):
    assert verdict(capsys, checks.check_one_hot, one_hot_encode) == (True, "✅ one_hot_encode: correct.")
    assert verdict(capsys, checks.check_one_hot, via_eye)[0] is True


@pytest.mark.parametrize("answer, text", [
    (unk_at_zero, 'use vocabulary["[UNK]"], not a fixed index'),
    (forgets_unknown, "The rows of unknown tokens are all zeros"),
    (by_key_order, "the order of the dictionary's keys"),
    (lambda tokens, vocabulary: one_hot_encode(tokens, vocabulary).T, "shape (6, 7), expected (len(tokens), "
     "len(vocabulary)) = (7, 6): one row per token, one column per vocabulary entry. The array is transposed"),
    (lambda tokens, vocabulary: one_hot_encode(tokens, vocabulary).astype("int64"),
     "the values are right but the dtype is int64"),
    (lambda tokens, vocabulary: one_hot_encode(tokens, vocabulary).tolist(), "should be a NumPy array, got list"),
    (adds_unknowns_to_vocabulary, "changed its input `vocabulary` in place"),
    (one_based, "should be all zeros except a 1 at column"),
    (squeezes, "shape (6,), expected (len(tokens), len(vocabulary)) = (1, 6)"),
    (lambda tokens, vocabulary: one_hot_encode(tokens, vocabulary).sum(axis=0), "expected (len(tokens), len(vocabulary))"),
    (stub, "not implemented yet"),
])
def test_one_hot_wrong_answers_fail(capsys, answer, text):
    result, line = verdict(capsys, checks.check_one_hot, answer)
    assert result is False and line.startswith("❌") and text in line, line


def test_one_hot_names_the_unknown_row(capsys):
    _, line = verdict(capsys, checks.check_one_hot, unk_at_zero)
    assert "row 3 (token 'the')" in line and "as 'the' is not in the vocabulary" in line, line


# ----------------------------------------------------------------------------- Exercise 2: cosine_similarity


def cosine_similarity(a, b):  # the notebook's solution
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def normalises_in_place(a, b):
    a /= np.linalg.norm(a)
    b /= np.linalg.norm(b)
    return float(a @ b)


def test_cosine_right_answers_pass(capsys):
    assert verdict(capsys, checks.check_cosine_similarity, cosine_similarity) == (
        True, "✅ cosine_similarity: correct.")
    numpy_float = lambda a, b: a @ b / np.sqrt((a @ a) * (b @ b))  # noqa: E731 - returns np.float64
    assert verdict(capsys, checks.check_cosine_similarity, numpy_float)[0] is True


@pytest.mark.parametrize("answer, text", [
    (lambda a, b: float(a @ b), "plain dot product"),
    (lambda a, b: float(a @ b / ((a @ a) * (b @ b))), "‖a‖² ‖b‖²"),
    (lambda a, b: 1 - cosine_similarity(a, b), "cosine distance"),
    (lambda a, b: abs(cosine_similarity(a, b)), "do not take abs"),
    (lambda a, b: float(np.corrcoef(a, b)[0, 1]), "Pearson correlation"),
    (lambda a, b: float(a @ b / np.linalg.norm(a)), "Divide by both norms"),
    (lambda a, b: float(np.linalg.norm(a - b)), "Euclidean distance"),
    (normalises_in_place, "changed its input `a` in place"),
    (lambda a, b: np.atleast_1d(cosine_similarity(a, b)), "should be a float, got ndarray"),
    (lambda a, b: round(cosine_similarity(a, b), 2), "you returned 0.27"),
    (lambda a, b: str(cosine_similarity(a, b)), "should be a float, got str"),
    (lambda a, b: 1 / 0, "ZeroDivisionError"),
])
def test_cosine_wrong_answers_fail(capsys, answer, text):
    result, line = verdict(capsys, checks.check_cosine_similarity, answer)
    assert result is False and line.startswith("❌") and text in line, line


def test_cosine_names_no_cause_for_an_unknown_mistake(capsys):
    _, line = verdict(capsys, checks.check_cosine_similarity, lambda a, b: round(cosine_similarity(a, b), 2))
    assert line.endswith("is 0.273391, you returned 0.27."), line


# ----------------------------------------------------------------------------- Exercise 3: nearest_neighbours


def nearest_neighbours(word, vectors, k):  # the notebook's solution (float32 on float32 vectors)
    norms = np.linalg.norm(vectors.vectors, axis=1)
    query = vectors.vectors[vectors.index[word]]
    sims = vectors.vectors @ query / (norms * np.linalg.norm(query))
    sims[vectors.index[word]] = -np.inf
    return [vectors.words[i] for i in np.argsort(-sims, kind="stable")[:k]]


def default_sort(word, vectors, k):  # another right answer: unit rows, np.argsort's default algorithm
    unit = vectors.vectors / np.linalg.norm(vectors.vectors, axis=1, keepdims=True)
    sims = unit @ unit[vectors.index[word]]
    order = [i for i in np.argsort(-sims) if i != vectors.index[word]]
    return [vectors.words[i] for i in order[:k]]


def with_self(word, vectors, k):
    return [word, *_neighbours_reference(word, vectors, k - 1)]


def by_dot_product(word, vectors, k):
    sims = vectors.vectors @ vectors[word]
    return [vectors.words[i] for i in np.argsort(-sims) if vectors.words[i] != word][:k]


def by_euclidean_distance(word, vectors, k):
    dist = np.linalg.norm(vectors.vectors - vectors[word], axis=1)
    return [vectors.words[i] for i in np.argsort(dist) if vectors.words[i] != word][:k]


def drops_similarity_one(word, vectors, k):  # removes the query by its similarity, not its index
    unit = vectors.vectors / np.linalg.norm(vectors.vectors, axis=1, keepdims=True)
    sims = unit @ unit[vectors.index[word]]
    sims[sims > 0.999999] = -np.inf
    return [vectors.words[i] for i in np.argsort(-sims, kind="stable")[:k]]


def least_similar(word, vectors, k):
    unit = vectors.vectors / np.linalg.norm(vectors.vectors, axis=1, keepdims=True)
    sims = unit @ unit[vectors.index[word]]
    sims[vectors.index[word]] = np.inf
    return [vectors.words[i] for i in np.argsort(sims, kind="stable")[:k]]


def returns_indices(word, vectors, k):
    return [vectors.index[w] for w in _neighbours_reference(word, vectors, k)]


def normalises_vectors_in_place(word, vectors, k):  # corrupts the notebook's GloVe vectors
    vectors.vectors /= np.linalg.norm(vectors.vectors, axis=1, keepdims=True)
    return _neighbours_reference(word, vectors, k)


def test_neighbours_right_answers_pass(vectors, capsys):
    assert verdict(capsys, checks.check_nearest_neighbours, nearest_neighbours, vectors) == (
        True, "✅ nearest_neighbours: correct.")
    assert verdict(capsys, checks.check_nearest_neighbours, default_sort, vectors)[0] is True
    assert verdict(capsys, checks.check_nearest_neighbours, _neighbours_reference, vectors)[0] is True


@pytest.mark.parametrize("answer, text", [
    (with_self, "include 'movie' itself"),
    (lambda w, v, k: _neighbours_reference(w, v, k)[::-1], "The order is reversed"),
    (least_similar, "least similar words"),
    (by_dot_product, "ranked by the dot product"),
    (by_euclidean_distance, "Euclidean distance"),
    (drops_similarity_one, "'film' = 2 × 'movie'"),
    (returns_indices, "These look like row numbers"),
    (lambda w, v, k: _neighbours_reference(w, v, k)[:-1], "asked for k=3 neighbours of 'movie', got 2"),
    (lambda w, v, k: tuple(_neighbours_reference(w, v, k)), "should return a list of 3 words, got tuple"),
    (lambda w, v, k: np.array(_neighbours_reference(w, v, k)), "got ndarray. Convert it with list"),
    (normalises_vectors_in_place, "changed its input `vectors` in place"),
    (lambda w, v, k: None, "returned None"),
    (stub, "not implemented yet"),
])
def test_neighbours_wrong_answers_fail(vectors, capsys, answer, text):
    result, line = verdict(capsys, checks.check_nearest_neighbours, answer, vectors)
    assert result is False and line.startswith("❌") and text in line, line


def test_neighbours_wrong_order_is_named_as_such(vectors, capsys):
    def swaps_first_two(w, v, k):
        got = _neighbours_reference(w, v, k)
        return [got[1], got[0], *got[2:]] if k > 1 else got

    _, line = verdict(capsys, checks.check_nearest_neighbours, swaps_first_two, vectors)
    assert "The right words, in the wrong order" in line and "reversed" not in line, line


# ----------------------------------------------------------------------------- Exercise 4: make_embedding_matrix


def make_embedding_matrix(vocabulary, vectors):  # the notebook's solution
    matrix = np.zeros((len(vocabulary), vectors.dim), dtype="float32")
    for i, word in enumerate(vocabulary):
        if word not in ("", "[UNK]") and word in vectors:
            matrix[i] = vectors[word]
    return matrix


def fills_special_tokens(vocabulary, vectors):  # forgets the rule for "" and "[UNK]"
    matrix = np.zeros((len(vocabulary), vectors.dim), dtype="float32")
    for i, word in enumerate(vocabulary):
        if word in vectors:
            matrix[i] = vectors[word]
    return matrix


def skips_first_two_rows(vocabulary, vectors):  # assumes "" and "[UNK]" are rows 0 and 1
    matrix = np.zeros((len(vocabulary), vectors.dim), dtype="float32")
    for i, word in enumerate(vocabulary[2:], start=2):
        if word in vectors:
            matrix[i] = vectors[word]
    return matrix


def shifted(vocabulary, vectors):  # enumerate(vocabulary, start=1)
    matrix = np.zeros((len(vocabulary), vectors.dim), dtype="float32")
    for i, word in enumerate(vocabulary, start=1):
        if i < len(vocabulary) and word not in ("", "[UNK]") and word in vectors:
            matrix[i] = vectors[word]
    return matrix


def only_found_words(vocabulary, vectors):
    return np.array([vectors[w] for w in vocabulary if w not in ("", "[UNK]") and w in vectors], dtype="float32")


def random_for_missing(vocabulary, vectors):  # a common tutorial choice, but not this exercise's
    rng = np.random.default_rng(0)
    matrix = make_embedding_matrix(vocabulary, vectors)
    for i, word in enumerate(vocabulary):
        if word not in vectors and word not in ("", "[UNK]"):
            matrix[i] = rng.normal(scale=0.1, size=vectors.dim)
    return matrix


def crashes_on_missing_words(vocabulary, vectors):
    matrix = np.zeros((len(vocabulary), vectors.dim), dtype="float32")
    for i, word in enumerate(vocabulary):
        if word not in ("", "[UNK]"):
            matrix[i] = vectors[word]
    return matrix


def drops_padding_from_vocabulary(vocabulary, vectors):  # changes the caller's list
    if "" in vocabulary:
        vocabulary.remove("")
    return make_embedding_matrix(vocabulary, vectors)


def test_embedding_matrix_right_answers_pass(vectors, capsys):
    assert verdict(capsys, checks.check_embedding_matrix, make_embedding_matrix, vectors) == (
        True, "✅ make_embedding_matrix: correct.")
    reference = lambda voc, v: build_embedding_matrix(voc, v, verbose=False).matrix  # noqa: E731
    assert verdict(capsys, checks.check_embedding_matrix, reference, vectors)[0] is True


@pytest.mark.parametrize("answer, text", [
    (lambda voc, v: make_embedding_matrix(voc, v).astype("float64"), "the dtype is float64, expected float32"),
    (lambda voc, v: make_embedding_matrix(voc, v).astype("float16"), "the dtype is float16, expected float32"),
    (fills_special_tokens, 'must be zeros even when `vectors` has a vector for them'),
    (skips_first_two_rows, "because of their position"),
    (shifted, "the vector of the word before it"),
    (only_found_words, "Only the words with a vector got a row"),
    (random_for_missing, "row 4 ('zzz') should be all zeros ('zzz' has no pretrained vector)"),
    (lambda voc, v: make_embedding_matrix(voc, v).T, "The matrix is transposed"),
    (crashes_on_missing_words, "raised KeyError"),
    (drops_padding_from_vocabulary, "changed its input `vocabulary` in place"),
    (lambda voc, v: [v[w] if w in v else np.zeros(v.dim) for w in voc], "should be a NumPy array, got list"),
    (stub, "not implemented yet"),
])
def test_embedding_matrix_wrong_answers_fail(vectors, capsys, answer, text):
    result, line = verdict(capsys, checks.check_embedding_matrix, answer, vectors)
    assert result is False and line.startswith("❌") and text in line, line


def test_embedding_matrix_describes_the_wrong_row(vectors, capsys):
    _, line = verdict(capsys, checks.check_embedding_matrix, fills_special_tokens, vectors)
    assert "row 0 ('') should be all zeros ('' is a special token), got the vector of ''." in line, line


# ----------------------------------------------------------------------------- Exercise 5: check_bag_of_words

def _synthetic_reviews(n: int, seed: int, tag: str) -> tuple[list[str], np.ndarray]:
    """Reviews of frequent filler words plus one or two rarer sentiment words that decide the
    label, and one word unique to each review (as real reviews hold names nobody else uses)."""
    rng = np.random.default_rng(seed)
    fillers = [f"filler{i}" for i in range(40)]
    positive, negative = [f"good{i}" for i in range(15)], [f"bad{i}" for i in range(15)]
    labels = rng.integers(0, 2, size=n)
    texts = []
    for i, label in enumerate(labels):
        words = list(rng.choice(fillers, size=25))
        words += list(rng.choice(positive if label else negative, size=2))
        words.append(f"{tag}name{i}")
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts, labels


TRAIN_5 = _synthetic_reviews(300, 0, "train")
VAL_5 = _synthetic_reviews(200, 1, "val")


def vectorizer_of(max_tokens=2000, output_mode="multi_hot", ngrams=2, extra=()):
    def build_vectorizer(train_texts):
        layer = keras.layers.TextVectorization(max_tokens=max_tokens, output_mode=output_mode, ngrams=ngrams)
        layer.adapt([*train_texts, *extra])
        return layer
    return build_vectorizer


def model_of(last=None, width=None, compiled=True):
    def build_model(w):
        model = keras.Sequential([keras.Input((width or w,)), keras.layers.Dense(16, activation="relu"),
                                  last or keras.layers.Dense(1, activation="sigmoid")])
        if compiled:
            model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
        return model
    return build_model


def bag_verdict(capsys, build_vectorizer, build_model, threshold=0.8):
    ok, accuracy = checks.check_bag_of_words(build_vectorizer, build_model, TRAIN_5, VAL_5, threshold=threshold,
                                             epochs=6)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("✅", "❌"))]
    assert len(lines) == 1, lines
    return ok, accuracy, lines[0]





def test_bag_of_words_reference_passes(capsys):
    ok, accuracy, line = bag_verdict(capsys, vectorizer_of(), model_of())
    assert ok and accuracy >= 0.8 and line == "✅ build_vectorizer + build_model: correct.", (line, accuracy)


def test_bag_of_words_uncompiled_model_passes(capsys):
    ok, accuracy, line = bag_verdict(capsys, vectorizer_of(output_mode="tf_idf", ngrams=1), model_of(compiled=False))
    assert ok, (line, accuracy)


def mutates_texts(train_texts):
    train_texts.sort()
    return vectorizer_of()(train_texts)


def not_adapted(train_texts):
    return keras.layers.TextVectorization(max_tokens=2000, output_mode="multi_hot")


@pytest.mark.parametrize("build_vectorizer, build_model, text", [
    (stub, model_of(), "not implemented yet"),
    (vectorizer_of(), stub, "not implemented yet"),
    (vectorizer_of(max_tokens=12), model_of(), "validation accuracy"),                  # a vocabulary of fillers only
    (vectorizer_of(extra=VAL_5[0]), model_of(), "never occur in the 300 training texts"),   # adapted on validation too
    (vectorizer_of(output_mode="int"), model_of(), "output_mode='int'"),
    (not_adapted, model_of(), "empty vocabulary"),
    (mutates_texts, model_of(), "changed its input `train_texts` in place"),
    (lambda texts: "multi_hot", model_of(), "must return a keras.layers.TextVectorization"),
    (vectorizer_of(), model_of(last=keras.layers.Dense(1)), "Dense(1) without an activation"),
    (vectorizer_of(), model_of(last=keras.layers.Dense(1, activation="softmax")), "softmax over a single unit"),
    (vectorizer_of(), model_of(last=keras.layers.Dense(2, activation="softmax")), "outputs 2 numbers per review"),
    (vectorizer_of(), model_of(width=50), "calling the model on 3 vectorized reviews"),
    (vectorizer_of(), lambda width: None, "must return a keras Model"),
])
def test_bag_of_words_wrong_answers_fail(capsys, build_vectorizer, build_model, text):
    ok, _, line = bag_verdict(capsys, build_vectorizer, build_model)
    assert not ok and line.startswith("❌") and text in line, line


def test_bag_of_words_passed_a_layer_instead_of_the_function(capsys):
    ok, _, line = bag_verdict(capsys, vectorizer_of()(TRAIN_5[0]), model_of())
    assert not ok and "pass the function" in line, line
