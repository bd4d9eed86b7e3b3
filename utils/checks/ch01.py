"""Checks for chapter 01: text vectorization and embeddings.

A cause is named only when the student's results equal a wrong variant's results on **every**
case (:func:`~utils.checks._core.cause_over_variants`), so a coincidence on one case names nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..data import WordVectors, build_embedding_matrix
from ..i18n import _
from ._core import (
    Fail,
    Variant,
    _short,
    call,
    cause_over_variants,
    expect_array,
    expect_float,
    function_name,
    keras_step,
    lazy_attributes,
    run,
    with_cause,
)

# ----------------------------------------------------------------------------- generic helpers

# ----------------------------------------------------------------------------- Exercise 1: one_hot_encode


def _one_hot_reference(tokens: Sequence[str], vocabulary: dict[str, int]) -> np.ndarray:
    out = np.zeros((len(tokens), len(vocabulary)), dtype="float32")
    unk = vocabulary["[UNK]"]
    for t, token in enumerate(tokens):
        out[t, vocabulary.get(token, unk)] = 1.0
    return out


def _one_hot_cases() -> list[tuple[list[str], dict[str, int]]]:
    """(tokens, vocabulary) pairs. "[UNK]" is never at index 0, the dictionaries' insertion
    order differs from their indices, entries occur that are not in the tokens, tokens repeat."""
    shuffled = {"[UNK]": 4, "dog": 2, "cat": 0, "sat": 5, "on": 1, "mat": 3}
    keras_like = {"": 0, "[UNK]": 1, "the": 2, "film": 3, "was": 4, "great": 5, "plot": 6}
    rng = np.random.default_rng(11)
    words = [f"w{i}" for i in range(39)] + ["[UNK]"]
    ids = rng.permutation(len(words))
    order = rng.permutation(len(words))
    random_vocab = {words[i]: int(ids[i]) for i in order}
    pool = [*words[:-1], "oov1", "oov2", "oov3"]
    random_tokens = [*(pool[i] for i in rng.integers(0, len(pool), size=25)), "oov2"]
    return [
        (["cat", "sat", "on", "the", "mat", "cat", "on"], shuffled),  # "the" is unknown; 7 tokens, 6 entries
        (["the", "film", "was", "not", "great", "the"], keras_like),  # "not" is unknown
        (["mat"], shuffled),                                         # a single token: still 2-D
        (random_tokens, random_vocab),
    ]


def _one_hot_at(tokens: Sequence[str], width: int, index: Callable[[str], int | None]) -> np.ndarray:
    out = np.zeros((len(tokens), width))
    for t, token in enumerate(tokens):
        j = index(token)
        if j is not None:
            out[t, j] = 1.0
    return out


def _one_hot_variants() -> list[Variant]:
    """The likely wrong one-hot encodings, with their causes in the current language."""
    return [
        (lambda tokens, voc: _one_hot_at(tokens, len(voc), lambda w: voc.get(w, 0)),
         _("Unknown tokens went to column 0, but this vocabulary has \"[UNK]\" elsewhere: use "
           "vocabulary[\"[UNK]\"], not a fixed index.")),
        (lambda tokens, voc: _one_hot_at(tokens, len(voc), voc.get),
         _("The rows of unknown tokens are all zeros: a token that is not in the vocabulary gets its 1 at "
           "vocabulary[\"[UNK]\"].")),
        (lambda tokens, voc: _one_hot_at(tokens, len(voc), lambda w: list(voc).index(w if w in voc else "[UNK]")),
         _("The columns follow the order of the dictionary's keys (enumerate / list(vocabulary).index), but a "
           "token's column is its value vocabulary[token].")),
        (lambda tokens, voc: _one_hot_reference(tokens, voc).T,
         _("The array is transposed: one row per token, one column per vocabulary entry.")),
    ]


def _describe_row(row: np.ndarray) -> str:
    nonzero = np.flatnonzero(row != 0)
    if len(nonzero) == 0:
        return _("all zeros")
    if len(nonzero) == 1 and row[nonzero[0]] == 1:
        return _("its 1 at column {column}").format(column=int(nonzero[0]))
    comma = _(", ")
    shown = comma.join(_("column {column}: {value:.3g}").format(column=int(j), value=row[j]) for j in nonzero[:4])
    return _("non-zero entries ({entries})").format(entries=shown + (comma + "…" if len(nonzero) > 4 else ""))


def _one_hot_problem(got: np.ndarray, tokens: Sequence[str], vocabulary: dict[str, int]) -> str | None:
    """What is wrong with a one-hot array (shape, then row by row, then dtype), or None."""
    expected_shape = (len(tokens), len(vocabulary))
    if got.shape != expected_shape:
        return _("the result has shape {shape}, expected (len(tokens), len(vocabulary)) = {expected}: "
                 "one row per token, one column per vocabulary entry.").format(shape=got.shape, expected=expected_shape)
    if got.dtype.kind not in "biuf":
        return _("the result has dtype {dtype}, expected a float array of 0s and 1s.").format(dtype=got.dtype)
    values = got.astype("float64")
    if not np.all(np.isfinite(values)):
        return _("the result contains NaN or inf.")
    expected = _one_hot_reference(tokens, vocabulary)
    for t, token in enumerate(tokens):
        if not np.array_equal(values[t], expected[t]):
            where = int(np.argmax(expected[t]))
            if token not in vocabulary:
                text = _("row {row} (token {token}) should be all zeros except a 1 at column {column} = "
                         "vocabulary[\"[UNK]\"], as {token} is not in the vocabulary; it has {found}.")
            else:
                text = _("row {row} (token {token}) should be all zeros except a 1 at column {column} = "
                         "vocabulary[{token}]; it has {found}.")
            return text.format(row=t, token=repr(token), column=where, found=_describe_row(values[t]))
    if got.dtype.kind != "f":
        return _("the values are right but the dtype is {dtype}: return a float array (e.g. dtype=\"float32\").").format(
            dtype=got.dtype)
    return None


def check_one_hot(fn: Callable[[list[str], dict[str, int]], np.ndarray]) -> bool:
    """Check ``one_hot_encode(tokens, vocabulary)``: a float ``np.ndarray`` of shape
    ``(len(tokens), len(vocabulary))`` with one 1 per row, at ``vocabulary[token]``, and at
    ``vocabulary["[UNK]"]`` (wherever that is) for tokens not in the vocabulary."""
    name = function_name(fn, "one_hot_encode")
    cases = _one_hot_cases()

    def body() -> None:
        results = [expect_array(call(fn, tokens, vocabulary, name=name), _("the result of {name}").format(name=name))
                   for tokens, vocabulary in cases]
        for (tokens, vocabulary), got in zip(cases, results):
            problem = _one_hot_problem(got, tokens, vocabulary)
            if problem:
                raise Fail(with_cause(_("tokens {tokens}, vocabulary {vocabulary}: {problem}").format(
                    tokens=_short(tokens, 60), vocabulary=_short(vocabulary, 100), problem=problem),
                                      cause_over_variants(results, cases, _one_hot_variants())))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 2: cosine_similarity


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def _cosine_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Float cases first (so that an in-place change is reported as such), then integer vectors;
    norms far from 1 so that a missing normalisation shows; means far from 0 so that a
    correlation shows."""
    rng = np.random.default_rng(5)
    return [
        (np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])),              # same direction: 1
        (np.array([3.0, -4.0]), np.array([-6.0, 8.0])),                      # opposite: -1
        (np.array([2.0, 0.0, 0.0]), np.array([0.0, 5.0, 0.0])),              # orthogonal: 0
        (rng.normal(size=50).astype("float32"), rng.normal(size=50).astype("float32")),  # GloVe-like
        (rng.normal(3.0, 1.0, size=20) * 7, rng.normal(2.0, 1.0, size=20) / 3),
        (np.array([3, 4]), np.array([4, 3])),                                # integers: 24/25
    ]


def _cosine_variants() -> list[Variant]:
    """The likely wrong cosine similarities, with their causes in the current language."""
    return [
        (lambda a, b: float(np.dot(a, b)), _("That is the plain dot product a·b: divide it by ‖a‖ ‖b‖.")),
        (lambda a, b: float(np.dot(a, b) / (np.dot(a, a) * np.dot(b, b))),
         _("The dot product was divided by ‖a‖² ‖b‖²: the norms are the square roots, np.linalg.norm(a).")),
        (lambda a, b: 1.0 - _cosine(a, b), _("That is the cosine distance 1 − cos(a, b), not the similarity.")),
        (lambda a, b: abs(_cosine(a, b)), _("Opposite vectors must give a negative similarity: do not take abs(...).")),
        (lambda a, b: float(np.corrcoef(a, b)[0, 1]),
         _("That is the Pearson correlation (np.corrcoef): cosine similarity does not subtract the means.")),
        (lambda a, b: float(np.dot(a, b) / np.linalg.norm(a)), _("Divide by both norms, ‖a‖ and ‖b‖.")),
        (lambda a, b: float(np.linalg.norm(np.asarray(a, "float64") - b)),
         _("That is the Euclidean distance ‖a − b‖, not the cosine similarity.")),
    ]


def check_cosine_similarity(fn: Callable[[np.ndarray, np.ndarray], float]) -> bool:
    """Check ``cosine_similarity(a, b) -> float`` on parallel, opposite, orthogonal, random and
    integer vectors."""
    name = function_name(fn, "cosine_similarity")
    cases = _cosine_cases()

    def body() -> None:
        results = [expect_float(call(fn, a, b, name=name), _("the result of {name}").format(name=name))
                   for a, b in cases]
        for (a, b), got in zip(cases, results):
            expected = _cosine(a, b)
            if abs(got - expected) > 1e-5:
                shown = [_short(np.round(np.asarray(v, dtype="float64"), 2).tolist(), 40) for v in (a, b)]
                problem = _("cosine_similarity({a}, {b}) is {expected:.6g}, you returned {got:.6g}.").format(
                    a=shown[0], b=shown[1], expected=expected, got=got)
                raise Fail(with_cause(problem, cause_over_variants(results, cases, _cosine_variants())))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 3: nearest_neighbours


def _similarities(word: str, vectors: WordVectors) -> np.ndarray:
    matrix = np.asarray(vectors.vectors, dtype="float64")
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    return unit @ unit[vectors.index[word]]


def _neighbours_reference(word: str, vectors: WordVectors, k: int) -> list[str]:
    """The ``k`` words most cosine-similar to ``word``, most similar first, ``word`` left out."""
    sims = _similarities(word, vectors)
    sims[vectors.index[word]] = -np.inf
    return [vectors.words[i] for i in np.argsort(-sims, kind="stable")[:k]]


def _ranked(word: str, vectors: WordVectors, k: int, score: np.ndarray, drop: np.ndarray | None = None) -> list[str]:
    """The ``k`` best words by ``score`` (higher first) among those not dropped (default: ``word``)."""
    score = np.array(score, dtype="float64")
    if drop is None:
        drop = np.arange(len(score)) == vectors.index[word]
    score[drop] = -np.inf
    return [vectors.words[i] for i in np.argsort(-score, kind="stable")[:k]]


def _neighbour_vectors(twin: bool) -> WordVectors:
    """Word vectors whose norms differ widely, so that dot-product and Euclidean rankings differ
    from the cosine one. With ``twin``, "film" points exactly the way "movie" does (similarity 1,
    but another word, so it must be kept); without, no two words point the same way, so that no
    query has tied neighbours whose order would depend on the sort algorithm."""
    rng = np.random.default_rng(21 if twin else 22)
    words = ["cinema", "film", "movie", "actor", "plot", "boring", "great", "rome", "paris", "the", "was", "dull"]
    vectors = rng.normal(size=(len(words), 6)) * rng.lognormal(0.0, 0.8, size=(len(words), 1))
    vectors[words.index("movie")] += 0.8 * vectors[words.index("cinema")]
    if twin:
        vectors[words.index("film")] = 2.0 * vectors[words.index("movie")]
    return WordVectors(words, vectors)


def _neighbour_variants() -> list[Variant]:
    """The likely wrong neighbour lists, with their causes in the current language."""
    return [
        (lambda w, v, k: _neighbours_reference(w, v, k)[::-1], _("The order is reversed: most similar first.")),
        (lambda w, v, k: _ranked(w, v, k, -_similarities(w, v)), _("These are the least similar words: sort by "
                                                                    "-similarity (np.argsort(-sims)) to get the most "
                                                                    "similar first.")),
        (lambda w, v, k: _ranked(w, v, k, np.asarray(v.vectors, "float64") @ v[w]),
         _("These are ranked by the dot product, which favours long vectors: divide by the norms (cosine "
           "similarity).")),
        (lambda w, v, k: _ranked(w, v, k, -np.linalg.norm(np.asarray(v.vectors, "float64") - v[w], axis=1)),
         _("These are the nearest words by Euclidean distance; the exercise asks for the highest cosine similarity.")),
        (lambda w, v, k: _ranked(w, v, k, _similarities(w, v), drop=_similarities(w, v) > 1 - 1e-6),
         _("Every word with similarity 1 was left out, but only `word` itself must go: another word can point "
           "exactly the same way (here 'film' = 2 × 'movie'). Leave out the query's own index, vectors.index[word].")),
    ]


def _neighbour_problem(got: Any, word: str, vectors: WordVectors, k: int, name: str) -> str | None:
    """What is wrong with the type or form of a neighbour list (not its order), or None."""
    if got is None:
        return _("{name} returned None: did you forget `return`?").format(name=name)
    if not isinstance(got, list):
        hint = _(" Convert it with list(...).") if isinstance(got, (tuple, np.ndarray)) else ""
        return _("{name} should return a list of {k} words, got {kind}.{hint}").format(
            name=name, k=k, kind=type(got).__name__, hint=hint)
    for item in got:
        if not isinstance(item, str):
            hint = (_(" These look like row numbers: turn index i into its word with vectors.words[i].")
                    if isinstance(item, (int, np.integer)) and not isinstance(item, bool) else "")
            return _("{name} should return words (str), got {kind} {value} in the list.{hint}").format(
                name=name, kind=type(item).__name__, value=_short(item, 30), hint=hint)
    if word in got:
        return _("the neighbours of {word} include {word} itself: leave the query word out.").format(word=repr(word))
    if len(got) != k:
        return _("asked for k={k} neighbours of {word}, got {count}: {got}.").format(
            k=k, word=repr(word), count=len(got), got=_short(got, 120))
    if len(set(got)) != len(got):
        return _("the neighbours of {word} contain a word twice: {got}.").format(word=repr(word), got=_short(got, 120))
    unknown = [w for w in got if w not in vectors]
    if unknown:
        return _("{word} is not a word of `vectors`.").format(word=repr(unknown[0]))
    return None


def check_nearest_neighbours(fn: Callable[[str, WordVectors, int], list[str]], vectors: WordVectors) -> bool:
    """Check ``nearest_neighbours(word, vectors, k) -> list[str]``: the ``k`` words of ``vectors``
    with the highest cosine similarity to ``word``, most similar first, ``word`` left out, on
    hand-made vectors and on the notebook's ``vectors``."""
    name = function_name(fn, "nearest_neighbours")

    def body() -> None:
        if not isinstance(vectors, WordVectors):
            raise Fail(_("the second argument of the check should be the notebook's WordVectors, got {kind}.").format(
                kind=type(vectors).__name__))
        twin, plain = _neighbour_vectors(twin=True), _neighbour_vectors(twin=False)
        cases = [("movie", twin, 3), ("boring", plain, 1), ("rome", plain, len(plain) - 1), ("movie", plain, 5)]
        own = len(cases)
        queries = [w for w in ("movie", "good", "paris") if w in vectors] or list(vectors.words[:2])
        cases += [(w, vectors, k) for w, k in zip(queries, (5, 3, 4))]
        results = []
        for i, (word, wv, k) in enumerate(cases):
            # in-place changes are looked for on the hand-made vectors: copying and comparing the
            # notebook's 100,000 vectors after every call would take seconds
            got = call(fn, word, wv, k, name=name, check_mutation=i < own)
            problem = _neighbour_problem(got, word, wv, k, name)
            if problem:
                raise Fail(problem)
            results.append(got)
        for (word, wv, k), got in zip(cases, results):
            expected = _neighbours_reference(word, wv, k)
            if got != expected:
                problem = _("neighbours of {word} (k={k}): got {got}, expected {expected} (most similar first).").format(
                    word=repr(word), k=k, got=got, expected=expected)
                cause = cause_over_variants(results, cases, _neighbour_variants())
                if cause is None and sorted(got) == sorted(expected):
                    cause = _("The right words, in the wrong order: sort by similarity, highest first.")
                raise Fail(with_cause(problem, cause))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 4: make_embedding_matrix


def _embedding_vectors() -> WordVectors:
    """Vectors that hold "" and "[UNK]" too, whose rows must still be zeros."""
    rng = np.random.default_rng(8)
    words = ["the", "movie", "[UNK]", "was", "", "great", "film", "boring"]
    return WordVectors(words, rng.normal(size=(len(words), 6)).astype("float32"))


def _embedding_cases(vectors: WordVectors) -> list[tuple[list[str], WordVectors]]:
    own = _embedding_vectors()
    return [
        (["", "[UNK]", "the", "great", "zzz", "movie", "was", "qqq", "film"], own),
        (["great", "the", "nope", "film", "boring"], own),      # no special tokens: every row by its word
        (["", "[UNK]", "the", "movie", "was", "zzzunknownzzz", "great", "boring"], vectors),
    ]


def _rows(vocabulary: Sequence[str], vectors: WordVectors, row: Callable[[int, str], np.ndarray | None]) -> np.ndarray:
    out = np.zeros((len(vocabulary), vectors.dim), dtype="float32")
    for i, word in enumerate(vocabulary):
        value = row(i, word)
        if value is not None:
            out[i] = value
    return out


def _vector_or_none(vectors: WordVectors, word: str) -> np.ndarray | None:
    return vectors[word] if word in vectors else None


def _embedding_variants() -> list[Variant]:
    """The likely wrong embedding matrices, with their causes in the current language."""
    return [
        (lambda voc, v: _rows(voc, v, lambda i, w: _vector_or_none(v, w)),
         _("The rows of \"\" and \"[UNK]\" must be zeros even when `vectors` has a vector for them.")),
        (lambda voc, v: _rows(voc, v, lambda i, w: None if i < 2 else _vector_or_none(v, w)),
         _("Rows 0 and 1 were left zero because of their position: zero the rows whose word is \"\" or \"[UNK]\", "
           "wherever they are, and fill every other row from its word.")),
        (lambda voc, v: _rows(voc, v, lambda i, w: None if i + 1 >= len(voc) or voc[i + 1] in ("", "[UNK]")
                              else _vector_or_none(v, voc[i + 1])),
         _("Every row holds the vector of the next word: row i is the vector of vocabulary[i].")),
        (lambda voc, v: _rows(voc, v, lambda i, w: None if i == 0 or voc[i - 1] in ("", "[UNK]")
                              else _vector_or_none(v, voc[i - 1])),
         _("Every row holds the vector of the word before it: row i is the vector of vocabulary[i].")),
        (lambda voc, v: np.array([v[w] for w in voc if w in v and w not in ("", "[UNK]")],
                                 dtype="float32").reshape(-1, v.dim),
         _("Only the words with a vector got a row: the matrix needs one row per vocabulary entry, zeros where "
           "there is no vector, so that row i stays the row of token id i.")),
        (lambda voc, v: build_embedding_matrix(voc, v, verbose=False).matrix.T,
         _("The matrix is transposed: one row per vocabulary entry, one column per dimension.")),
    ]


_VARIANT_LISTS: dict[str, Callable[[], list[Variant]]] = {
    "_ONE_HOT_VARIANTS": _one_hot_variants, "_COSINE_VARIANTS": _cosine_variants,
    "_NEIGHBOUR_VARIANTS": _neighbour_variants, "_EMBEDDING_VARIANTS": _embedding_variants,
}


__getattr__ = lazy_attributes(__name__, _VARIANT_LISTS)


def _describe_embedding_row(row: np.ndarray, vectors: WordVectors) -> str:
    if not np.any(row):
        return _("all zeros")
    for word in vectors.words[:2000]:
        if np.allclose(row, vectors[word], atol=1e-6):
            return _("the vector of {word}").format(word=repr(word))
    return _("other values ({values}…)").format(values=_short(np.round(row[:3], 3).tolist(), 40))


def _embedding_problem(got: np.ndarray, vocabulary: Sequence[str], vectors: WordVectors) -> str | None:
    """What is wrong with an embedding matrix (shape, then row by row, then dtype), or None."""
    shape = (len(vocabulary), vectors.dim)
    if got.shape != shape:
        return _("the matrix has shape {shape}, expected (len(vocabulary), vectors.dim) = {expected}.").format(
            shape=got.shape, expected=shape)
    if got.dtype.kind not in "biuf":
        return _("the matrix has dtype {dtype}, expected float32.").format(dtype=got.dtype)
    expected = build_embedding_matrix(vocabulary, vectors, verbose=False).matrix
    values = got.astype("float64")
    if got.dtype != np.float32 and np.all(np.isfinite(values)) and np.allclose(values, expected, atol=1e-2, rtol=1e-2):
        return _("the dtype is {dtype}, expected float32: create the matrix with "
                 "np.zeros(..., dtype=\"float32\").").format(dtype=got.dtype)
    for i, word in enumerate(vocabulary):
        if not np.allclose(values[i], expected[i], atol=1e-6, rtol=0):
            if word in ("", "[UNK]"):
                should = _("all zeros ({word} is a special token)").format(word=repr(word))
            elif word not in vectors:
                should = _("all zeros ({word} has no pretrained vector)").format(word=repr(word))
            else:
                should = _("the vector of {word}").format(word=repr(word))
            return _("row {row} ({word}) should be {should}, got {found}.").format(
                row=i, word=repr(word), should=should, found=_describe_embedding_row(values[i], vectors))
    return None


def check_embedding_matrix(fn: Callable[[list[str], WordVectors], np.ndarray], vectors: WordVectors) -> bool:
    """Check ``make_embedding_matrix(vocabulary, vectors)``: a float32 ``np.ndarray`` of shape
    ``(len(vocabulary), vectors.dim)``, row i the vector of ``vocabulary[i]``, zeros for ``""``,
    ``"[UNK]"`` and words without a vector; on hand-made vectors and the notebook's ``vectors``."""
    name = function_name(fn, "make_embedding_matrix")

    def body() -> None:
        if not isinstance(vectors, WordVectors):
            raise Fail(_("the second argument of the check should be the notebook's WordVectors, got {kind}.").format(
                kind=type(vectors).__name__))
        cases = _embedding_cases(vectors)
        results = [expect_array(call(fn, vocabulary, wv, name=name), _("the result of {name}").format(name=name))
                   for vocabulary, wv in cases]
        for (vocabulary, wv), got in zip(cases, results):
            problem = _embedding_problem(got, vocabulary, wv)
            if problem:
                raise Fail(with_cause(_("vocabulary {vocabulary}: {problem}").format(
                    vocabulary=_short(vocabulary, 90), problem=problem),
                                      cause_over_variants(results, cases, _embedding_variants())))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 5: a bag of words from few reviews

#: the output modes of TextVectorization that give one column per vocabulary token
BAG_MODES = ("multi_hot", "count", "tf_idf")


def _dense(batch: Any) -> Any:
    """A vectorizer's output as a dense tensor (``sparse=True`` gives a SparseTensor)."""
    import tensorflow as tf

    return tf.sparse.to_dense(batch) if isinstance(batch, tf.SparseTensor) else batch


def _probe_probability(model: Any, batch: Any, what: str) -> None:
    """Raise :class:`Fail` unless ``model`` maps ``batch`` (vectors) to one probability per row."""
    import keras

    last = model.layers[-1] if getattr(model, "layers", None) else None
    if isinstance(last, keras.layers.Dense) and last.activation is keras.activations.linear and last.units == 1:
        raise Fail(_("the last layer is Dense(1) without an activation, so the model outputs any real number, not a "
                     "probability: use Dense(1, activation=\"sigmoid\")."))
    out = keras_step(_("calling the model on {what}").format(what=what), lambda: model(batch, training=False))
    if isinstance(out, (list, tuple, dict)):
        raise Fail(_("the model has {count} outputs; it should have one: P(positive) per review.").format(
            count=len(out)))
    out = np.asarray(keras.ops.convert_to_numpy(out), dtype="float64")
    n = int(batch.shape[0])
    if out.ndim == 2 and out.shape[0] == n and out.shape[1] != 1:
        raise Fail(_("the model outputs {count} numbers per review (shape {shape}); a binary classifier outputs "
                     "one probability, shape (batch, 1): use Dense(1, activation=\"sigmoid\").").format(
                         count=out.shape[1], shape=out.shape))
    if out.shape != (n, 1):
        raise Fail(_("the model should output one probability per review, shape ({n}, 1); got {shape}.").format(
            n=n, shape=out.shape))
    if not np.all(np.isfinite(out)):
        raise Fail(_("the model's output contains NaN or inf before training."))
    if np.any((out < 0) | (out > 1)):
        raise Fail(_("the model outputs {value}, which is not a probability: use a sigmoid on the last layer, "
                     "Dense(1, activation=\"sigmoid\").").format(value=f"{float(out[(out < 0) | (out > 1)][0]):.3g}"))
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    if activation == "softmax" and np.all(out == 1.0):
        raise Fail(_("the model outputs 1.0 for every review: a softmax over a single unit is always 1. Use "
                     "Dense(1, activation=\"sigmoid\")."))


def check_bag_of_words(build_vectorizer: Callable[[list[str]], Any], build_model: Callable[[int], Any],
                       train: tuple[Sequence[str], np.ndarray], val: tuple[Sequence[str], np.ndarray],
                       threshold: float, epochs: int) -> tuple[bool, float | None]:
    """Check Exercise 5: ``build_vectorizer(train_texts)`` returns a ``TextVectorization`` layer
    adapted on ``train_texts`` only, in a bag-of-words mode (:data:`BAG_MODES`), and
    ``build_model(width)`` a Keras classifier of vectors of ``width`` numbers with one sigmoid
    output (compiled or not: RMSprop and binary cross-entropy otherwise). The model is trained
    for at most ``epochs`` epochs on ``train`` (early stopping on the validation loss keeps the
    best epoch) and passes when its accuracy on ``val`` reaches ``threshold``.

    Returns (passed, validation accuracy); the accuracy is None when no model was trained.
    Before training, the vectorizer is checked for being adapted, for its mode and for tokens
    that occur nowhere in ``train_texts`` (the sign of adapting on other texts, such as the
    validation reviews), and the model for its output; each gets its own ❌ line.
    """
    import keras
    import tensorflow as tf

    vname = function_name(build_vectorizer, "build_vectorizer")
    mname = function_name(build_model, "build_model")
    name = f"{vname} + {mname}"
    result: dict[str, Any] = {}

    def body() -> None:
        for fn, label in ((build_vectorizer, vname), (build_model, mname)):
            if isinstance(fn, (keras.layers.Layer, keras.Model)):
                raise Fail(_("pass the function {label} itself (checks.check_bag_of_words({vname}, {mname}, …)), not "
                             "what it returns: no parentheses after its name.").format(
                                 label=label, vname=vname, mname=mname))
        texts, labels = list(train[0]), np.asarray(train[1])
        val_texts, val_labels = list(val[0]), np.asarray(val[1])
        vectorizer = call(build_vectorizer, texts, name=vname)
        if not isinstance(vectorizer, keras.layers.TextVectorization):
            raise Fail(_("{vname}(train_texts) must return a keras.layers.TextVectorization layer, got "
                         "{kind} {value}.").format(vname=vname, kind=type(vectorizer).__name__, value=_short(vectorizer)))
        vocabulary = keras_step(_("reading the vectorizer's vocabulary"), vectorizer.get_vocabulary)
        if len([t for t in vocabulary if str(t) not in ("", "[UNK]")]) == 0:
            raise Fail(_("the vectorizer {vname} returns has an empty vocabulary: call vectorizer.adapt(train_texts) "
                         "before returning it.").format(vname=vname))
        config = vectorizer.get_config()
        mode = config.get("output_mode")
        if mode not in BAG_MODES:
            raise Fail(_("the vectorizer has output_mode={mode}: it returns the token ids in order, one column per "
                         "position, and a Dense layer would read id 7 as 'more' than id 6. A bag of words has one "
                         "column per vocabulary token: use output_mode= one of {modes}.").format(
                             mode=repr(mode), modes=", ".join(map(repr, BAG_MODES))))
        probe = keras_step(_("vectorizing three training reviews"), lambda: _dense(vectorizer(tf.constant(texts[:3]))))
        if len(probe.shape) != 2:
            raise Fail(_("the vectorizer turns 3 reviews into shape {shape}; a bag of words is one vector "
                         "per review, shape (3, vocabulary size).").format(shape=tuple(probe.shape)))
        width = int(probe.shape[1])
        keras.utils.set_random_seed(0)
        model = call(build_model, width, name=mname)
        if isinstance(model, type) or not isinstance(model, keras.Model):
            raise Fail(_("{mname}(width) must return a keras Model (an instance), got {value}.").format(
                mname=mname, value=_short(model)))
        _probe_probability(model, probe, _("3 vectorized reviews of shape {shape}").format(shape=tuple(probe.shape)))
        if not model.compiled:
            keras_step(_("compiling the model"), lambda: model.compile(optimizer="rmsprop", loss="binary_crossentropy"))
        if model.loss is None:
            raise Fail(_("the model is compiled without a loss: use model.compile(..., loss=\"binary_crossentropy\"), "
                         "or do not compile it and the check uses RMSprop and binary cross-entropy."))

        def batches(x: list[str], y: np.ndarray, size: int, shuffle: bool) -> Any:
            # vectorized once and kept as sparse rows (a bag of words is mostly zeros), densified per batch
            rows = (tf.data.Dataset.from_tensor_slices((x, y.astype("float32"))).batch(512)
                    .map(lambda t, lab: (tf.sparse.from_dense(_dense(vectorizer(t))), lab)).unbatch().cache())
            if shuffle:
                rows = rows.shuffle(len(x), seed=0, reshuffle_each_iteration=True)
            n_batches = -(-len(x) // size)   # unbatch() forgets the length; Keras wants to know it
            return (rows.batch(size).map(lambda s, lab: (tf.sparse.to_dense(s), lab))
                    .apply(tf.data.experimental.assert_cardinality(n_batches)))

        train_ds = batches(texts, labels, 64, True)
        val_ds = batches(val_texts, val_labels, 512, False)
        seen = np.zeros(width, dtype=bool)   # the columns that are non-zero for some training review

        def mark_seen() -> None:
            for x, _labels in train_ds:
                seen[:] |= np.asarray(tf.reduce_any(x != 0, axis=0))

        keras_step(_("vectorizing the training reviews"), mark_seen)
        foreign = [str(t) for j, t in enumerate(vocabulary) if j < width and not seen[j] and str(t) not in ("", "[UNK]")]
        if foreign:
            raise Fail(_("{count:,} tokens of the vectorizer's vocabulary never occur in the {texts:,} training texts "
                         "{vname} was given (e.g. {examples}): adapt it on its argument `train_texts` only. Adapting on "
                         "other texts (the validation or test reviews, or another training set) lets the reviews the "
                         "model is judged on choose its features.").format(
                             count=len(foreign), texts=len(texts), vname=vname,
                             examples=", ".join(map(repr, foreign[:3]))))
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
        keras_step(_("training the model (model.fit)"), lambda: model.fit(
            train_ds, validation_data=val_ds, epochs=epochs, callbacks=[stop], shuffle=False, verbose=0))
        pred = np.asarray(keras_step(_("predicting on the validation reviews"), lambda: model.predict(
            val_ds, verbose=0)), dtype="float64").reshape(-1)
        if pred.shape != val_labels.shape or not np.all(np.isfinite(pred)):
            raise Fail(_("after training, the model's {count} validation predictions hold NaN or inf or do not "
                         "match the {reviews} reviews: the training diverged. Lower the learning rate.").format(
                             count=pred.size, reviews=len(val_labels)))
        result["accuracy"] = float(np.mean((pred > 0.5) == (val_labels > 0.5)))
        if result["accuracy"] < threshold:
            raise Fail(_("validation accuracy {accuracy:.3f}, needs at least {threshold:.3f} (your vectorizer: "
                         "output_mode={mode}, ngrams={ngrams}, a vocabulary of {size:,} tokens). Always guessing one "
                         "class gives about 0.5.").format(accuracy=result["accuracy"], threshold=threshold,
                                                          mode=repr(mode), ngrams=repr(config.get("ngrams")),
                                                          size=len(vocabulary)))

    ok = run(name, body)
    if ok:
        print("   " + _("validation accuracy {accuracy:.3f} >= {threshold:.3f}").format(
            accuracy=result["accuracy"], threshold=threshold))
    return ok, result.get("accuracy")
