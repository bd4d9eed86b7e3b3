"""Checks for chapter 08: language models."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..i18n import _
from ._core import (
    Fail,
    _sentence,
    answer_every_case,
    call,
    cause_over_cases,
    expect_array,
    expect_float,
    expect_int,
    function_name,
    run,
)

# ----------------------------------------------------------------------------- Exercise 1: perplexity


def _shown_probabilities(p: np.ndarray) -> str:
    return _("for probabilities {values} ({count} values, {dtype})").format(
        values=f"{np.round(p[:3], 4).tolist()}{'…' if len(p) > 3 else ''}", count=len(p), dtype=p.dtype)


def _perplexity_variants(p: np.ndarray) -> list[tuple[float, str]]:
    """The classic wrong perplexities of one case, with their causes (same order for every case)."""
    logs = np.log(p.astype("float64"))
    with np.errstate(all="ignore"):
        return [
            (float(np.exp(-np.sum(logs))), _("use the mean of the log-probabilities, not their sum.")),
            (float(1 / np.mean(p)), _("average the log-probabilities, not the probabilities.")),
            (float(-np.mean(logs)), _("that is the cross-entropy: the perplexity is exp of it.")),
            (float(np.exp(np.mean(logs))), _("the sign is wrong: exp(-mean(log p)), which is ≥ 1.")),
            (float(2 ** -np.mean(logs)), _("mixed bases: exp goes with the natural log (or 2 ** with log2).")),
            (float(np.exp(-np.mean(logs / np.log(2)))), _("mixed bases: exp goes with the natural log (or 2 ** with "
                                                          "log2).")),
        ]


def _perplexity_answer(got: object, p: np.ndarray) -> float:
    """The student's perplexity as a float; an infinite one where the product of the
    probabilities underflows is named as that."""
    try:
        return expect_float(got, _("{where} the perplexity").format(where=_shown_probabilities(p)))
    except Fail as fail:
        with np.errstate(all="ignore"):
            underflow = np.isinf(np.prod(p.astype("float64")) ** (-1 / len(p)))
        if isinstance(got, (float, np.floating)) and np.isinf(got) and underflow:
            raise Fail(_("{problem} The product of {count} probabilities underflows to 0: average the "
                         "log-probabilities instead, exp(-mean(log p)).").format(problem=fail, count=len(p))) from None
        raise


def check_perplexity(fn: Callable[[np.ndarray], float]) -> bool:
    """Check ``perplexity_of(probabilities) -> float``: exp of the mean negative log-probability,
    on short and long, float64 and float32 arrays (a long one where the product underflows)."""
    from ..lm import perplexity

    name = function_name(fn, "perplexity_of")

    def body() -> None:
        rng = np.random.default_rng(1)
        cases = [
            np.array([0.5, 0.125, 0.25]),               # 4
            np.full(7, 1 / 13),                          # uniform over 13 tokens: 13
            np.ones(3),                                  # a perfect model: 1
            np.array([0.2]),
            rng.uniform(0.01, 1.0, 41),
            rng.uniform(0.05, 1.0, 30).astype("float32"),
            rng.uniform(0.01, 0.2, 400),                 # the product of these underflows to 0
        ]
        outcomes = answer_every_case(cases, lambda p: _perplexity_answer(call(fn, p, name=name), p))
        values = [v if isinstance(v, float) else None for v in outcomes]
        for p, outcome in zip(cases, outcomes):
            if isinstance(outcome, Fail):
                raise outcome
            expected = perplexity(p.astype("float64"))
            if abs(outcome - expected) > (1e-5 if p.dtype == np.float32 else 1e-6) * expected:
                cause = cause_over_cases(values, [_perplexity_variants(c) for c in cases],
                                         _("Perplexity = exp(-mean(log p))."), rtol=1e-5)
                raise Fail(_("{where}: got {got:.6g}, expected {expected:.6g}. {cause}").format(
                    where=_shown_probabilities(p), got=outcome, expected=expected, cause=cause))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 2: add-one bigram


def _shown_pair(random: bool, previous: str, token: str) -> str:
    if random:
        return _("P({token} | {previous}) for the random counts").format(token=repr(token), previous=repr(previous))
    return f"P({token!r} | {previous!r})"


def _bigram_variants(counts: dict[tuple[str, str], int], previous: str, token: str,
                     vocabulary: list[str]) -> list[tuple[float, str]]:
    """The classic wrong add-one probabilities of one query, with their causes (same order for every query)."""
    pair, v = counts.get((previous, token), 0), len(vocabulary)
    row = sum(n for (a, _), n in counts.items() if a == previous)
    column = sum(n for (_, b), n in counts.items() if b == previous)
    swapped_row = sum(n for (a, _), n in counts.items() if a == token)
    distinct = _("V is the size of the vocabulary (len(vocabulary)), not the number of distinct tokens in the "
                 "counts.")
    return [
        ((pair + 1) / (row + len({b for _a, b in counts} | {a for a, _b in counts})), distinct),
        ((pair + 1) / (row + len({b for _a, b in counts})), distinct),
        ((pair + 1) / (sum(counts.values()) + v), _("count(previous) is the number of pairs that start with "
                                                    "previous, not the number of all pairs.")),
        ((pair + 1) / (column + v), _("count(previous) counts the pairs that start with previous, (previous, ·), "
                                      "not those that end with it.")),
        ((counts.get((token, previous), 0) + 1) / (swapped_row + v), _("the keys of counts are (previous, token): "
                                                                       "you computed P(previous | token).")),
        ((pair + 1) / (row + 1), _("add V (the vocabulary size) to the denominator, not 1.")),
        (pair / max(row, 1), _("add 1 to the pair count and V to the denominator (add-one smoothing).")),
    ]


def check_bigram_probability(fn: Callable[..., float]) -> bool:
    """Check ``bigram_probability(counts, previous, token, vocabulary)`` with add-one smoothing,
    on vocabularies with tokens that never occur in the counts (so ``V`` is not the number of
    distinct tokens of the counts) and previous tokens seen only second in a pair."""
    from ..lm import bigram_probability as reference

    name = function_name(fn, "bigram_probability")

    def body() -> None:
        counts = {("t", "h"): 5, ("h", "e"): 4, ("t", "o"): 1, ("e", " "): 3, (" ", "t"): 2, ("t", "t"): 2}
        vocabulary = ["e", "t", "z", "h", " ", "o", "q"]          # z, q never occur; o never starts a pair
        rng = np.random.default_rng(4)
        symbols = list("abcdefghijkl")
        random_counts = {(str(a), str(b)): int(rng.integers(1, 9)) for a, b in rng.choice(symbols[:7], (25, 2))}
        random_vocabulary = [str(s) for s in rng.permutation(symbols)]
        queries = [(counts, vocabulary, prev, tok) for prev, tok in
                   (("t", "h"), ("t", "e"), ("h", "e"), ("o", "t"), ("z", "q"), ("t", "t"), (" ", "t"))]
        queries += [(random_counts, random_vocabulary, "c", tok) for tok in random_vocabulary]
        queries += [(random_counts, random_vocabulary, str(a), str(b)) for a, b in rng.choice(symbols, (8, 2))]
        outcomes = answer_every_case(queries, lambda q: expect_float(
            call(fn, q[0], q[2], q[3], q[1], name=name), _shown_pair(q[0] is random_counts, q[2], q[3])))
        values = [v if isinstance(v, float) else None for v in outcomes]
        for (table, vocab, previous, token), outcome in zip(queries, outcomes):
            if isinstance(outcome, Fail):
                raise outcome
            expected = reference(table, previous, token, vocab)
            if abs(outcome - expected) > 1e-9:
                cause = cause_over_cases(values, [_bigram_variants(c, p, t, v) for c, v, p, t in queries],
                                         _("Add-one: (count(previous, token) + 1) / (count(previous) + V), "
                                           "count(previous) = the number of pairs (previous, ·), V = "
                                           "len(vocabulary)."),
                                         rtol=1e-9)
                raise Fail(_("{query} is {got:.6g}, expected {expected:.6g}. {cause}").format(
                    query=_shown_pair(table is random_counts, previous, token), got=outcome, expected=expected,
                    cause=cause))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 3: temperature sampling


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


_LOGITS = np.array([2.0, 0.5, -1.0, 1.0, 0.0])
_FREQUENCY_CASES = ((0, 1.0), (1, 0.5), (2, 2.5))   # (seed of the generator, temperature)
_DRAWS = 1500                                      # per temperature


def check_sample_with_temperature(fn: Callable[[np.ndarray, float, np.random.Generator], int]) -> bool:
    """Check ``sample_with_temperature(logits, temperature, rng) -> int``: a draw from
    ``softmax(logits / temperature)`` using the given NumPy generator.

    The draws come from generators with fixed seeds, so the check is deterministic; the
    tolerance is five standard deviations of a frequency over ``_DRAWS`` draws (0.065), which
    the reference misses by a margin of more than two with these seeds (``tests`` verify it),
    and every wrong distribution below differs from the right one by more than 0.13 (five
    standard deviations beyond the tolerance)."""
    name = function_name(fn, "sample_with_temperature")
    tolerance = 5 * np.sqrt(0.25 / _DRAWS)

    def body() -> None:
        logits = _LOGITS.copy()
        vocabulary = len(logits)
        for seed, temperature in _FREQUENCY_CASES:
            expected = _softmax(logits / temperature)
            rng = np.random.default_rng(seed)
            draws = []
            for _draw in range(_DRAWS):
                token = expect_int(call(fn, logits, temperature, rng, name=name),
                                   _("{name}'s result").format(name=name))
                if not 0 <= token < vocabulary:
                    raise Fail(_("{name} returned {token}, not a token id in 0..{last} for logits of length "
                                 "{length}.").format(name=name, token=token, last=vocabulary - 1, length=vocabulary))
                draws.append(token)
            freq = np.bincount(draws, minlength=vocabulary) / _DRAWS
            if np.abs(freq - expected).max() > tolerance:
                if len(set(draws)) == 1:
                    raise Fail(_("at temperature {temperature} all {draws} draws were token {token}: sample with "
                                 "rng.choice from the generator `rng` you are given (not the arg-max, not a new "
                                 "generator inside your function).").format(
                                     temperature=temperature, draws=_DRAWS, token=draws[0]))
                close = [text for p, text in (
                    (_softmax(logits), _("the temperature has no effect")),
                    (_softmax(logits * temperature), _("you multiplied the logits by the temperature instead of "
                                                       "dividing")),
                ) if np.abs(freq - p).max() <= tolerance]
                cause = _("{cause}. ").format(cause=_sentence(close[0])) if len(close) == 1 else ""
                raise Fail(_("at temperature {temperature} the draws' frequencies are {frequencies}, expected about "
                             "{expected}. {cause}Divide the logits by the temperature, then softmax, then "
                             "rng.choice(len(p), p=p).").format(
                                 temperature=temperature, frequencies=np.round(freq, 3).tolist(),
                                 expected=np.round(expected, 3).tolist(), cause=cause))
        pairs = [(call(fn, logits, 2.5, np.random.default_rng(s), name=name),
                  call(fn, logits, 2.5, np.random.default_rng(s), name=name)) for s in range(100, 130)]
        if any(a != b for a, b in pairs):
            raise Fail(_("two calls with generators seeded alike gave different tokens: draw with the `rng` you are "
                         "given (rng.choice), not np.random."))
        # float32 logits over 49 characters at the notebook's temperatures, as generate() passes them; then the
        # same logits shifted by 700, which changes nothing after the softmax: a failure there is an overflow.
        like_generate = (np.random.default_rng(3).normal(size=49) * 3).astype("float32")
        for shift in (0.0, 700.0):
            for temperature in (0.2, 1.5):
                where = (_("for float32 logits of 49 tokens around 700 at temperature {temperature}") if shift else
                         _("for float32 logits of 49 tokens at temperature {temperature}")).format(
                             temperature=temperature)
                overflow = _(" Subtract the maximum of logits / temperature before exp, so it cannot overflow.")
                try:
                    token = expect_int(call(fn, like_generate + np.float32(shift), temperature,
                                            np.random.default_rng(9), name=name), _("{name}'s result").format(name=name))
                except Fail as fail:
                    stop = "" if str(fail).endswith((".", "。")) else _(".")
                    raise Fail(_("{where}: {problem}{stop}{overflow}").format(
                        where=where, problem=fail, stop=stop, overflow=overflow if shift else "")) from None
                if not 0 <= token < 49:
                    raise Fail(_("{where} {name} returned {token}, not a token id in 0..48.{overflow}").format(
                        where=where, name=name, token=token, overflow=overflow if shift else ""))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 4: lanes for a carried state


def _lane_variants(ids: np.ndarray, batch_size: int, chunk: int) -> list[tuple[tuple[np.ndarray, np.ndarray], str]]:
    """The classic wrong layouts of one case (x, y), with their causes."""
    from ..lm import consecutive_batches, stream_layout

    x, _y = stream_layout(ids, batch_size, chunk)
    cx, cy = consecutive_batches(ids, batch_size, chunk)
    return [
        ((cx, cy), _("the rows of one batch are consecutive chunks of the text, so row b of the next batch does not "
                     "continue row b of this one and the carried state starts from unrelated text. Cut the stream "
                     "into batch_size long lanes first (lane b starts at b * lane_length), then cut every lane into "
                     "chunks.")),
        ((x, x), _("y is the same as x: the target at every position is the *next* token, y = the stream shifted by "
                   "one (ids[start + 1 : start + 1 + length]).")),
    ]


def _lanes_cases() -> list[tuple[np.ndarray, int, int]]:
    rng = np.random.default_rng(8)
    return [
        (np.arange(101, dtype="int32"), 4, 5),                     # 4 lanes of 25: 5 chunks of 5
        (np.arange(100, dtype="int32"), 4, 5),                     # one token short: lanes of 24, 4 chunks
        (np.arange(47, dtype="int64"), 3, 4),                      # lanes of 15: 3 chunks, 3 tokens left over per lane
        (rng.integers(0, 49, 1000).astype("int32"), 8, 12),
        (np.arange(11, dtype="int32"), 1, 10),                     # one lane: the whole stream
    ]


def check_lanes(fn: Callable[[np.ndarray, int, int], tuple[np.ndarray, np.ndarray]]) -> bool:
    """Check ``lanes(ids, batch_size, chunk) -> (x, y)``: the truncated-BPTT layout of
    :func:`utils.lm.stream_batches` (``batch_size`` contiguous lanes of ``(len(ids) - 1) //
    batch_size`` tokens, each cut into whole chunks; ``y`` is ``x`` shifted by one), shape
    ``(n_chunks, batch_size, chunk)``, on streams whose length leaves tokens over."""
    from ..lm import stream_layout

    name = function_name(fn, "lanes")

    def body() -> None:
        for ids, batch_size, chunk in _lanes_cases():
            where = _("for a stream of {count} tokens, batch_size={batch_size}, chunk={chunk}").format(
                count=len(ids), batch_size=batch_size, chunk=chunk)
            got = call(fn, ids, batch_size, chunk, name=name)
            if not isinstance(got, tuple) or len(got) != 2:
                length = _(" of length {length}").format(length=len(got)) if isinstance(got, (tuple, list)) else ""
                raise Fail(_("{name} should return a tuple (x, y) of two arrays, got {kind}.").format(
                    name=name, kind=type(got).__name__ + length))
            expected = stream_layout(ids, batch_size, chunk)
            shape = expected[0].shape
            arrays = []
            for label, value in zip("xy", got):
                array = expect_array(value, _("{where}, {label}").format(where=where, label=label))
                if array.dtype.kind not in "iu":
                    raise Fail(_("{where}, {label} has dtype {dtype}: token ids must stay integers (the "
                                 "Embedding layer needs them).").format(where=where, label=label, dtype=array.dtype))
                arrays.append(array)
            x, y = arrays
            if x.shape != shape or y.shape != shape:
                bad = x.shape if x.shape != shape else y.shape
                hint = ""
                if bad == (shape[1], shape[0], shape[2]):
                    hint = _(" You put the lane first: the chunk index comes first, so that x[j] is one batch.")
                elif bad[1:] == shape[1:] and bad[0] != shape[0]:
                    hint = _(" Each lane holds (len(ids) - 1) // batch_size = {tokens} tokens (one is kept back for "
                             "the last target) and only whole chunks of it are used.").format(
                                 tokens=(len(ids) - 1) // batch_size)
                raise Fail(_("{where}: got shape {shape}, expected (n_chunks, batch_size, chunk) = {expected}.{hint}"
                             ).format(where=where, shape=bad, expected=shape, hint=hint))
            if np.array_equal(x, expected[0]) and np.array_equal(y, expected[1]):
                continue
            cause = next((text for (vx, vy), text in _lane_variants(ids, batch_size, chunk)
                          if np.array_equal(x, vx) and np.array_equal(y, vy)), None)
            if cause is None:
                part = "x" if not np.array_equal(x, expected[0]) else "y"
                arr, ref = (x, expected[0]) if part == "x" else (y, expected[1])
                j, b, t = (int(v) for v in np.argwhere(arr != ref)[0])
                cause = _("{array}[{chunk}, {lane}, {position}] is {got}, expected {expected}. Lane b is "
                          "ids[b * L : (b + 1) * L] with L = (len(ids) - 1) // batch_size, x[j, b] its j-th chunk "
                          "and y[j, b] the same positions one token later.").format(
                              array=part, chunk=j, lane=b, position=t, got=arr[j, b, t], expected=ref[j, b, t])
            raise Fail(_("{where}: {cause}").format(where=where, cause=cause))

    return run(name, body)
