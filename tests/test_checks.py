import numpy as np
import pytest

from utils import checks
from utils.data import WordVectors


def test_compare_arrays_messages():
    assert checks.compare_arrays([1, 2], np.array([1.0, 2.0])) is None
    assert "shape (3,)" in checks.compare_arrays([1, 2, 3], np.array([1.0, 2.0]))
    assert "index 1" in checks.compare_arrays([1, 5], np.array([1.0, 2.0]))
    assert "None" in checks.compare_arrays(None, np.array([1.0]))
    assert "NaN" in checks.compare_arrays([np.nan], np.array([1.0]))


# ----------------------------------------------------------------------------- every check never raises


class _Hostile:
    """An answer object on which every operation a check might try raises."""

    def _boom(self, *_a, **_k):
        raise RuntimeError("hostile object")

    __eq__ = __ne__ = __lt__ = __gt__ = __le__ = __ge__ = __bool__ = __len__ = __iter__ = _boom
    __float__ = __int__ = __index__ = __array__ = __getitem__ = __hash__ = __round__ = _boom


def _mutate_everything(*args):
    for a in args:
        if isinstance(a, np.ndarray) and a.size and a.flags.writeable:
            a.reshape(-1)[0] = a.reshape(-1)[-1] + 1 if a.dtype != bool else not a.reshape(-1)[0]
        elif isinstance(a, list) and a:
            a.reverse()
            a.append(a[0])
        elif isinstance(a, dict) and a:
            a[next(iter(a))] = 12345
    return None


def _raise(exc):
    def answer(*_a, **_k):
        raise exc

    return answer


GARBAGE = {
    "stub": _raise(NotImplementedError()),
    "returns None": lambda *a: None,
    "returns a string": lambda *a: "42",
    "raises ValueError": _raise(ValueError("student bug")),
    "raises SystemExit": _raise(SystemExit(1)),
    "raises RecursionError": _raise(RecursionError("deep")),
    "returns a hostile object": lambda *a: _Hostile(),
    "returns a tuple of hostile objects": lambda *a: (_Hostile(), _Hostile()),
    "returns an array of NaN": lambda *a: np.full(3, np.nan),
    "returns a 1-element array": lambda *a: np.array([1.0]),
    "returns a huge int": lambda *a: 10**400,
    "returns NaN": lambda *a: float("nan"),
    "returns a generator": lambda *a: (i for i in range(3)),
    "returns a list of None": lambda *a: [None, None],
    "mutates its inputs": _mutate_everything,
    "not a function": 42,
    "None instead of a function": None,
}


def _tiny_classification():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 9, size=(40, 6))
    return (x, rng.integers(0, 2, size=40)), (x[:16], rng.integers(0, 2, size=16))


def _tiny_regression():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5, 2)).astype("float32")
    return (x, rng.normal(size=40)), (x[:16], rng.normal(size=16))


def _every_check():
    """(name, call) for every public check, with whatever extra arguments it needs."""
    rng = np.random.default_rng(1)
    words = ["movie", "good", "paris", "film", "great", "rome", "the", "was", "boring", "x1", "x2"]
    vectors = WordVectors(words, rng.normal(size=(len(words), 5)).astype("float32"))
    train_c, val_c = _tiny_classification()
    train_r, val_r = _tiny_regression()
    texts = (["a good film", "a boring film", "great movie", "the movie was boring"] * 5, np.array([1, 0, 1, 0] * 5))
    extra = {
        "check_nearest_neighbours": lambda check, fn: check(fn, vectors),
        "check_embedding_matrix": lambda check, fn: check(fn, vectors),
        "check_classifier_beats": lambda check, fn: check(fn, train_c, val_c, threshold=0.5, epochs=1).passed,
        "check_model_beats": lambda check, fn: check(fn, train_r, val_r, target_mae=0.5, epochs=1,
                                                     y_mean=0.0, y_std=1.0)[0],
        # the garbage answer as both builders
        "check_bag_of_words": lambda check, fn: check(fn, fn, texts, texts, threshold=0.5, epochs=1)[0],
    }
    for name in sorted(n for n in checks.__all__ if n.startswith("check_")):
        yield name, getattr(checks, name), extra.get(name, lambda check, fn: check(fn))


def test_every_check_is_in_the_registry():
    import utils.checks

    public = {n for n in dir(utils.checks) if n.startswith("check_")}
    assert public == {n for n in checks.__all__ if n.startswith("check_")}


@pytest.mark.parametrize("garbage", sorted(GARBAGE))
def test_no_check_raises_or_passes_garbage(garbage, capsys):
    """Every check returns False, without an exception, for answers that are not answers."""
    answer = GARBAGE[garbage]
    for name, check, invoke in _every_check():
        with np.errstate(all="ignore"):
            result = invoke(check, answer)
        assert result is False, f"{name} accepted an answer that {garbage}"
        out = capsys.readouterr().out
        lines = [line for line in out.splitlines() if line.startswith(("✅", "❌"))]
        assert len(lines) == 1 and lines[0].startswith("❌"), f"{name} on {garbage!r} printed {out!r}"
