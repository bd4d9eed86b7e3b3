"""Chapter 08 checks: the reference passes, and the catalogue of wrong answers is rejected,
each without an exception and, where the check names a cause, with that cause."""

import numpy as np
import pytest
from checkhelpers import named_verdict, stub

from utils import checks
from utils.checks.ch08 import check_lanes  # also utils.checks.check_lanes
from utils.lm import bigram_probability, consecutive_batches, perplexity, sample_logits, stream_batches

_NOTEBOOK_NAMES = {"check_perplexity": "perplexity_of", "check_bigram_probability": "bigram_probability",
                   "check_sample_with_temperature": "sample_with_temperature", "check_lanes": "lanes"}


def _verdict(check, answer, capsys):
    return named_verdict(check, answer, capsys, _NOTEBOOK_NAMES)


# ----------------------------------------------------------------------------- Exercise 1: perplexity


def perplexity_of(probabilities: np.ndarray) -> float:
    """The notebook's solution."""
    return float(np.exp(-np.mean(np.log(probabilities))))


def test_check_perplexity_accepts_right_answers(capsys):
    for right in (perplexity, perplexity_of, lambda p: np.exp(-np.mean(np.log(p))),      # np.float64 is a float
                  lambda p: float(2 ** -np.mean(np.log2(p))), lambda p: float(np.exp(-np.log(p).sum() / p.size)),
                  lambda p: float(np.exp(-np.mean(np.log(p.astype("float32")))))):
        assert _verdict(checks.check_perplexity, right, capsys)[0]


def _log_in_place(probabilities):
    np.log(probabilities, out=probabilities)
    return float(np.exp(-np.mean(probabilities)))


@pytest.mark.parametrize(("answer", "text"), [
    (lambda p: float(np.exp(-np.sum(np.log(p)))), "not their sum"),
    (lambda p: float(1 / np.mean(p)), "not the probabilities"),
    (lambda p: float(-np.mean(np.log(p))), "That is the cross-entropy"),
    (lambda p: float(np.exp(np.mean(np.log(p)))), "The sign is wrong"),
    (lambda p: float(2 ** -np.mean(np.log(p))), "Mixed bases"),
    (lambda p: float(np.prod(p) ** (-1 / len(p))), "underflows to 0"),
    (lambda p: round(float(np.exp(-np.mean(np.log(p)))), 2), "Perplexity = exp(-mean(log p))"),
    (lambda p: float(np.exp(-np.mean(np.log(p)))) if len(p) < 100 else 1.0, "Perplexity = exp(-mean(log p))"),
    (lambda p: np.exp(-np.mean(np.log(p), keepdims=True)), "should be a float, got ndarray"),
    (lambda p: str(float(np.exp(-np.mean(np.log(p))))), "should be a float, got str"),
    (_log_in_place, "changed its input `probabilities` in place"),
])
def test_check_perplexity_rejects_mistakes(answer, text, capsys):
    with np.errstate(all="ignore"):
        passed, line = _verdict(checks.check_perplexity, answer, capsys)
    assert not passed and text in line, line


# ----------------------------------------------------------------------------- Exercise 2: add-one bigram


def _solution_bigram_probability(counts: dict, previous: str, token: str, vocabulary: list) -> float:
    """The notebook's solution."""
    row = sum(counts.get((previous, v), 0) for v in vocabulary)
    return (counts.get((previous, token), 0) + 1) / (row + len(vocabulary))


def _row(counts, previous):
    return sum(n for (a, _), n in counts.items() if a == previous)


def test_check_bigram_probability_accepts_right_answers(capsys):
    for right in (bigram_probability, _solution_bigram_probability,
                  lambda c, p, t, v: (c.get((p, t), 0) + 1) / (_row(c, p) + len(v))):
        assert _verdict(checks.check_bigram_probability, right, capsys)[0]


def _smooths_in_place(counts, previous, token, vocabulary):
    counts.setdefault((previous, token), 0)
    return (counts[(previous, token)] + 1) / (_row(counts, previous) + len(vocabulary))


@pytest.mark.parametrize(("answer", "text"), [
    (lambda c, p, t, v: (c.get((p, t), 0) + 1) / (_row(c, p) + len({b for _, b in c})), "not the number of distinct"),
    (lambda c, p, t, v: (c.get((p, t), 0) + 1) / (_row(c, p) + len({x for pair in c for x in pair})),
     "not the number of distinct"),
    (lambda c, p, t, v: (c.get((p, t), 0) + 1) / (sum(c.values()) + len(v)), "not the number of all pairs"),
    (lambda c, p, t, v: (c.get((p, t), 0) + 1) / (sum(n for (_, b), n in c.items() if b == p) + len(v)),
     "not those that end with it"),
    (lambda c, p, t, v: (c.get((t, p), 0) + 1) / (_row(c, t) + len(v)), "you computed P(previous | token)"),
    (lambda c, p, t, v: (c.get((p, t), 0) + 1) / (_row(c, p) + 1), "not 1"),
    (lambda c, p, t, v: c.get((p, t), 0) / max(1, _row(c, p)), "(add-one smoothing)"),
    (lambda c, p, t, v: c.get((p, t), 0) / _row(c, p), "(add-one smoothing)"),      # would divide by 0 later
    (lambda c, p, t, v: (c[(p, t)] + 1) / (_row(c, p) + len(v)), "raised KeyError"),
    (lambda c, p, t, v: (c.get((p, t), 0) + 1) // (_row(c, p) + len(v)), "Add-one: (count(previous, token) + 1)"),
    (lambda c, p, t, v: str((c.get((p, t), 0) + 1) / (_row(c, p) + len(v))), "should be a float"),
    (_smooths_in_place, "changed its input `counts` in place"),
])
def test_check_bigram_probability_rejects_mistakes(answer, text, capsys):
    passed, line = _verdict(checks.check_bigram_probability, answer, capsys)
    assert not passed and text in line, line


# ----------------------------------------------------------------------------- Exercise 3: temperature sampling


def sample_with_temperature(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """The notebook's solution."""
    z = logits / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def test_the_frequency_tolerance_has_a_wide_margin_for_the_reference():
    """With the check's seeds the reference's frequencies are within a third of the tolerance,
    so the (deterministic) check cannot fail for it; other right samplers have room too."""
    from utils.checks.ch08 import _DRAWS, _FREQUENCY_CASES, _LOGITS

    tolerance = 5 * np.sqrt(0.25 / _DRAWS)
    for seed, temperature in _FREQUENCY_CASES:
        rng = np.random.default_rng(seed)
        draws = [sample_with_temperature(_LOGITS, temperature, rng) for _ in range(_DRAWS)]
        freq = np.bincount(draws, minlength=len(_LOGITS)) / _DRAWS
        assert np.abs(freq - _softmax(_LOGITS / temperature)).max() < tolerance / 3


def test_check_sample_with_temperature_accepts_right_answers(capsys):
    rights = [
        sample_with_temperature,
        lambda logits, t, rng: sample_logits(logits, t, rng=rng),
        lambda logits, t, rng: int(rng.choice(np.arange(len(logits)), p=_softmax(logits / t))),
        lambda logits, t, rng: int(np.searchsorted(np.cumsum(_softmax(logits / t)), rng.random(), side="right")),
        lambda logits, t, rng: int(rng.multinomial(1, _softmax(np.asarray(logits, "float64") / t)).argmax()),
        lambda logits, t, rng: int(np.argmax(logits / t + rng.gumbel(size=len(logits)))),        # Gumbel-max
        lambda logits, t, rng: rng.choice(len(logits), p=_softmax(logits / t)),                  # np.int64
    ]
    for right in rights:
        assert _verdict(checks.check_sample_with_temperature, right, capsys)[0]


def _divides_in_place(logits, temperature, rng):
    logits /= temperature
    return int(rng.choice(len(logits), p=_softmax(logits)))


def _new_generator(logits, temperature, rng):
    return int(np.random.default_rng(0).choice(len(logits), p=_softmax(logits / temperature)))


def _no_max_subtracted(logits, temperature, rng):
    e = np.exp(logits / temperature)
    return int(rng.choice(len(e), p=e / e.sum()))


@pytest.mark.parametrize(("answer", "text"), [
    (lambda logits, t, rng: int(rng.choice(len(logits), p=_softmax(logits))), "The temperature has no effect"),
    (lambda logits, t, rng: int(rng.choice(len(logits), p=_softmax(logits * t))), "multiplied the logits"),
    (lambda logits, t, rng: int(rng.choice(len(logits), p=_softmax(logits) / t / (_softmax(logits) / t).sum())),
     "The temperature has no effect"),                                          # temperature after the softmax
    (lambda logits, t, rng: int(np.argmax(logits)), "all 1500 draws were token 0"),
    (_new_generator, "all 1500 draws were token"),
    (lambda logits, t, rng: int(np.random.choice(len(logits), p=_softmax(logits / t))), "seeded alike"),
    (lambda logits, t, rng: rng.choice(len(logits), size=1, p=_softmax(logits / t)), "should be an int"),
    (lambda logits, t, rng: float(rng.choice(len(logits), p=_softmax(logits / t))), "should be an int"),
    (lambda logits, t, rng: int(rng.choice(len(logits), p=_softmax(logits / t))) + 1, "not a token id in 0..4"),
    (lambda logits, t, rng: int(rng.choice(len(logits), p=np.sort(_softmax(logits / t))[::-1])),
     "expected about"),                                                          # the rank instead of the id
    (_divides_in_place, "changed its input `logits` in place"),
    (_no_max_subtracted, "around 700 at temperature 0.2: calling"),
])
def test_check_sample_with_temperature_rejects_mistakes(answer, text, capsys):
    with np.errstate(all="ignore"):
        passed, line = _verdict(checks.check_sample_with_temperature, answer, capsys)
    assert not passed and text in line, line



# ----------------------------------------------------------------------------- Exercise 4: lanes for a carried state


def lanes(ids: np.ndarray, batch_size: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """The notebook's solution."""
    lane = (len(ids) - 1) // batch_size
    n_chunks = lane // chunk
    starts = np.arange(batch_size) * lane
    x = np.stack([ids[s: s + n_chunks * chunk] for s in starts])
    y = np.stack([ids[s + 1: s + 1 + n_chunks * chunk] for s in starts])
    return (x.reshape(batch_size, n_chunks, chunk).transpose(1, 0, 2),
            y.reshape(batch_size, n_chunks, chunk).transpose(1, 0, 2))


def _by_reshape(ids, batch_size, chunk):
    """Lanes by reshaping the usable part of the stream, then swapping the axes."""
    lane = (len(ids) - 1) // batch_size
    usable = lane // chunk * chunk
    x = np.stack([ids[b * lane: b * lane + usable] for b in range(batch_size)])
    y = np.stack([ids[b * lane + 1: b * lane + usable + 1] for b in range(batch_size)])
    return tuple(a.reshape(batch_size, -1, chunk).swapaxes(0, 1) for a in (x, y))


def test_check_lanes_accepts_right_answers(capsys):
    for right in (lanes, stream_batches, _by_reshape):
        assert _verdict(check_lanes, right, capsys)[0]


def _no_token_kept_back(ids, batch_size, chunk):
    lane = len(ids) // batch_size
    n = lane // chunk * chunk
    x = np.stack([ids[b * lane: b * lane + n] for b in range(batch_size)])
    y = np.stack([ids[b * lane + 1: b * lane + n + 1] for b in range(batch_size)])
    return x.reshape(batch_size, -1, chunk).transpose(1, 0, 2), y.reshape(batch_size, -1, chunk).transpose(1, 0, 2)


def _shifts_in_place(ids, batch_size, chunk):
    x, y = stream_batches(ids, batch_size, chunk)
    ids[:] = np.roll(ids, 1)
    return x, y


@pytest.mark.parametrize(("answer", "text"), [
    (consecutive_batches, "the rows of one batch are consecutive chunks"),
    (lambda i, b, c: (stream_batches(i, b, c)[0],) * 2, "y is the same as x"),
    (lambda i, b, c: tuple(a.transpose(1, 0, 2) for a in stream_batches(i, b, c)), "You put the lane first"),
    (_no_token_kept_back, "raised ValueError"),          # lanes of len(ids) // batch_size: the last target is missing
    (lambda i, b, c: stream_batches(np.r_[i, 0], b, c), "one is kept back for the last target"),   # a padded stream
    (lambda i, b, c: stream_batches(i, b, c)[::-1], "x[0, 0, 0] is 1, expected 0"),          # (y, x) swapped
    (lambda i, b, c: (stream_batches(i, b, c)[0], stream_batches(i, b, c)[1] + 1), "y[0, 0, 0] is 2, expected 1"),
    (lambda i, b, c: tuple(a.astype("float32") for a in stream_batches(i, b, c)), "must stay integers"),
    (lambda i, b, c: tuple(a.tolist() for a in stream_batches(i, b, c)), "should be a NumPy array"),
    (lambda i, b, c: np.stack(stream_batches(i, b, c)), "should return a tuple (x, y)"),
    (lambda i, b, c: stream_batches(i, b, c)[0], "should return a tuple (x, y)"),
    (lambda i, b, c: None, "should return a tuple (x, y) of two arrays, got NoneType"),
    (_shifts_in_place, "changed its input `ids` in place"),
    (stub, "not implemented yet"),
])
def test_check_lanes_rejects_mistakes(answer, text, capsys):
    passed, line = _verdict(check_lanes, answer, capsys)
    assert not passed and text in line, line


def test_check_lanes_never_raises_on_a_crashing_answer(capsys):
    def crashes(ids, batch_size, chunk):
        return ids.reshape(batch_size, -1, chunk), ids
    passed, line = _verdict(check_lanes, crashes, capsys)
    assert not passed and "raised ValueError" in line, line
