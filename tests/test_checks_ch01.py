"""Chapter 01 checks: the reference passes, and the catalogue of wrong answers is rejected."""

import numpy as np
import pytest

from utils import checks
from utils.data import WordVectors


@pytest.fixture
def vectors():
    rng = np.random.default_rng(1)
    words = ["movie", "good", "paris", "film", "great", "rome", "the", "was", "boring", "x1", "x2"]
    return WordVectors(words, rng.normal(size=(len(words), 5)).astype("float32"))


def stub(*_):
    raise NotImplementedError()


def test_one_hot_check(capsys):
    def right(tokens, vocab):
        out = np.zeros((len(tokens), len(vocab)))
        for t, tok in enumerate(tokens):
            out[t, vocab.get(tok, vocab["[UNK]"])] = 1
        return out

    def forgets_unknown(tokens, vocab):
        out = np.zeros((len(tokens), len(vocab)))
        for t, tok in enumerate(tokens):
            if tok in vocab:
                out[t, vocab[tok]] = 1
        return out

    assert checks.check_one_hot(right) is True
    assert checks.check_one_hot(forgets_unknown) is False
    assert "wrong at index" in capsys.readouterr().out
    assert checks.check_one_hot(stub) is False
    assert "not implemented yet" in capsys.readouterr().out
    assert checks.check_one_hot(lambda t, v: np.zeros(3)) is False
    assert "shape" in capsys.readouterr().out


def test_cosine_check(capsys):
    assert checks.check_cosine_similarity(lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert not checks.check_cosine_similarity(lambda a, b: float(a @ b))
    assert checks.check_cosine_similarity(lambda a, b: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_neighbours_check(vectors, capsys):
    from utils.checks import _neighbours_reference

    assert checks.check_nearest_neighbours(_neighbours_reference, vectors)
    with_self = lambda w, v, k: [w, *_neighbours_reference(w, v, k - 1)]  # noqa: E731
    assert not checks.check_nearest_neighbours(with_self, vectors)
    assert "itself" in capsys.readouterr().out
    reversed_order = lambda w, v, k: _neighbours_reference(w, v, k)[::-1]  # noqa: E731
    assert not checks.check_nearest_neighbours(reversed_order, vectors)


def test_embedding_matrix_check(vectors, capsys):
    from utils.data import build_embedding_matrix

    assert checks.check_embedding_matrix(lambda voc, v: build_embedding_matrix(voc, v, verbose=False).matrix, vectors)

    def fills_unknown_with_ones(voc, v):
        m = build_embedding_matrix(voc, v, verbose=False).matrix
        m[1] = 1.0
        return m

    assert not checks.check_embedding_matrix(fills_unknown_with_ones, vectors)
    assert "must be all zeros" in capsys.readouterr().out
    assert not checks.check_embedding_matrix(stub, vectors)
