"""Checks for chapter 09: the Transformer (scaled dot-product attention, positions, masks, beam search)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..i18n import _
from ._core import (
    Fail,
    _sentence,
    _short,
    agrees,
    call,
    cause_of,
    cause_over_variants,
    compare_arrays,
    expect_array,
    expect_two,
    function_name,
    lazy_attributes,
    matches,
    run,
    with_cause,
)

# ----------------------------------------------------------------------------- Exercise 1: scaled dot-product attention


def _softmax_masked(scores: np.ndarray, mask: np.ndarray | None, axis: int = -1) -> np.ndarray:
    """``masked_softmax`` of ``scores`` along ``axis`` (the mask broadcast to the scores first)."""
    from ..attention import masked_softmax

    mask = np.ones(scores.shape, dtype=bool) if mask is None else np.broadcast_to(mask, scores.shape)
    return np.moveaxis(masked_softmax(np.moveaxis(scores, axis, -1), np.moveaxis(mask, axis, -1)), -1, axis)


def _attention_variants(q: np.ndarray, k: np.ndarray, v: np.ndarray,
                        mask: np.ndarray | None) -> list[tuple[np.ndarray, str]]:
    """The weights of the classic wrong attentions of one case, with their causes."""
    d = q.shape[-1]
    raw = q @ np.swapaxes(k, -1, -2)
    scores = raw / np.sqrt(d)
    full = np.ones(scores.shape, dtype=bool)
    mask = full if mask is None else np.broadcast_to(mask, scores.shape)
    return [
        (_softmax_masked(raw, mask), _("you did not scale the scores: divide q·kᵀ by sqrt(d) (d = the last axis of "
                                       "q), or large d makes the softmax nearly one-hot.")),
        (_softmax_masked(raw / d, mask), _("you divided the scores by d: the scale is 1/sqrt(d).")),
        (_softmax_masked(scores, mask, axis=-2), _("you took the softmax over the queries (axis -2): it runs over "
                                                   "the keys, the last axis, so that each query's weights sum to "
                                                   "1.")),
        (_softmax_masked(scores, None), _("you ignored the mask: keys where mask is False must get weight 0.")),
        (np.where(mask, _softmax_masked(scores, None), 0.0), _("you zeroed the masked keys after the softmax without "
                                                               "renormalising: mask the scores before the softmax "
                                                               "(e.g. np.where(mask, scores, -np.inf)).")),
        (_softmax_masked(scores, ~mask), _("you inverted the mask: True marks the keys a query may attend.")),
    ]


def _attention_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]]:
    """(q, k, v, mask): Tq ≠ Tk ≠ d ≠ dv, without a mask, with a padding mask (batch, 1, Tk), with
    batch and head axes and a per-query mask; every query may attend at least one key."""
    from ..attention import causal_mask

    rng = np.random.default_rng(9)
    padding = np.ones((2, 1, 5), dtype=bool)
    padding[0, 0, 3:] = False
    padding[1, 0, 1] = False
    per_query = rng.random((2, 1, 4, 6)) < 0.6
    per_query[..., 0] = True
    causal = np.zeros((3, 7), dtype=bool)
    causal[:, :3] = causal_mask(3)
    return [
        (rng.normal(size=(2, 4, 6)), rng.normal(size=(2, 5, 6)), rng.normal(size=(2, 5, 3)), None),
        (rng.normal(size=(2, 4, 6)) * 2, rng.normal(size=(2, 5, 6)), rng.normal(size=(2, 5, 3)), padding),
        (rng.normal(size=(2, 3, 4, 8)), rng.normal(size=(2, 3, 6, 8)), rng.normal(size=(2, 3, 6, 5)), per_query),
        (rng.normal(size=(3, 16)) * 3, rng.normal(size=(7, 16)), rng.normal(size=(7, 2)), causal),
    ]


def check_scaled_dot_attention(fn: Callable[..., tuple[np.ndarray, np.ndarray]]) -> bool:
    """Check ``scaled_dot_attention(q, k, v, mask) -> (output, weights)``: ``q`` (..., Tq, d),
    ``k`` (..., Tk, d), ``v`` (..., Tk, dv), ``mask`` None or boolean broadcastable to
    (..., Tq, Tk) (True = attend); ``weights = softmax(q kᵀ / sqrt(d))`` over the keys with the
    masked keys at exactly 0, ``output = weights @ v``. Both must be NumPy float arrays, weights
    (..., Tq, Tk) and output (..., Tq, dv). The cases have batch and head axes, Tq ≠ Tk and
    d ≠ dv; every query may attend at least one key."""
    from ..attention import scaled_dot_product_attention

    name = function_name(fn, "scaled_dot_attention")

    def body() -> None:
        for q, k, v, mask in _attention_cases():
            expected_out, expected_w = scaled_dot_product_attention(q, k, v, mask)
            got = call(fn, q, k, v, mask, name=name)
            where = _("for q {q}, k {k}, v {v} and {mask}").format(
                q=q.shape, k=k.shape, v=v.shape,
                mask=_("no mask") if mask is None else _("a mask of shape {shape}").format(shape=mask.shape))
            output, weights = expect_two(got, name, "output", "weights")
            if matches(output, expected_w) and matches(weights, expected_out):
                raise Fail(_("{where} you returned (weights, output): return output first, then weights.").format(
                    where=where))
            if isinstance(weights, np.ndarray) and matches(weights, np.swapaxes(expected_w, -1, -2)):
                raise Fail(_("{where} the weights are transposed: shape {shape}, expected (..., Tq, Tk) = "
                             "{expected}.").format(where=where, shape=weights.shape, expected=expected_w.shape))
            if matches(output, expected_w @ k):
                raise Fail(_("{where} you multiplied the weights by k instead of v: output = weights @ v.").format(
                    where=where))
            weights = expect_array(weights, _("{where} the weights").format(where=where), expected_w.shape, "f")
            output = expect_array(output, _("{where} the output").format(where=where), expected_out.shape, "f")
            problem = compare_arrays(weights, expected_w, _("weight matrix"))
            if problem is not None:
                cause = cause_of(weights, _attention_variants(q, k, v, mask), _(
                    "weights = softmax(q @ kᵀ / sqrt(d)) over the last axis, with scores of masked keys set to -inf "
                    "before the softmax."), atol=1e-5)
                raise Fail(_("{where}: {problem} {cause}").format(where=where, problem=problem, cause=cause))
            problem = compare_arrays(output, expected_out, _("output"))
            if problem is not None:
                raise Fail(_("{where}: {problem} {cause}").format(where=where, problem=problem, cause=_(
                    "output = weights @ v (one weighted average of the values per query).")))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 2: sinusoidal positions


def _table(length: int, depth: int, *, swap: bool = False, exponent: str = "2i", concat: bool = False,
           first: int = 0) -> np.ndarray:
    """A sinusoidal position table with one of the classic mistakes switched on (float64)."""
    positions = np.arange(first, first + length, dtype=np.float64)[:, None]
    i = np.arange(depth // 2, dtype=np.float64)
    if exponent == "column":   # column j gets the frequency of 2j/depth: the pairs do not share one
        even, odd = positions / 10000.0 ** (4 * i / depth), positions / 10000.0 ** ((4 * i + 2) / depth)
    else:
        even = odd = positions / 10000.0 ** ({"2i": 2 * i / depth, "i": i / depth}[exponent])
    first_part, second_part = (np.cos(even), np.sin(odd)) if swap else (np.sin(even), np.cos(odd))
    if concat:
        return np.concatenate([first_part, second_part], axis=1)
    table = np.empty((length, depth))
    table[:, 0::2], table[:, 1::2] = first_part, second_part
    return table


def _position_causes() -> tuple[tuple[dict[str, Any], str], ...]:
    """The classic mistakes of the position table (options of :func:`_table`), with their causes."""
    return (
        (dict(swap=True), _("sin and cos are swapped: even columns 2i hold the sine, odd columns 2i+1 the cosine.")),
        (dict(exponent="i"), _("the exponent is i/depth: it is 2i/depth (i counts the sin/cos pairs), so the "
                               "wavelengths reach 10000·2π.")),
        (dict(exponent="column"), _("you used the column index in the exponent: columns 2i and 2i+1 share one "
                                    "frequency, 1 / 10000^(2i/depth) (use the pair index i = column // 2).")),
        (dict(concat=True), _("you put all the sines first and all the cosines after: a valid variant (some "
                              "libraries use it), but not the one asked; interleave them, sin in column 2i, cos in "
                              "column 2i+1.")),
        (dict(first=1), _("your positions start at 1: the first token is position p = 0 (its row is sin 0 = 0, "
                          "cos 0 = 1).")),
    )


def check_sinusoidal_positions(fn: Callable[[int, int], np.ndarray]) -> bool:
    """Check ``positional_encoding(length, depth)``: the table of Vaswani et al., a NumPy
    **float32** array (length, depth) with ``PE[p, 2i] = sin(p / 10000^(2i/depth))`` and
    ``PE[p, 2i+1] = cos(p / 10000^(2i/depth))`` for positions p = 0 … length-1 (float64 values
    that are right fail with a hint to convert: embeddings are float32)."""
    from ..attention import sinusoidal_positions

    name = function_name(fn, "positional_encoding")

    def body() -> None:
        for length, depth in ((10, 8), (7, 12), (50, 16), (1, 4)):
            expected = sinusoidal_positions(length, depth)
            got = call(fn, length, depth, name=name)
            where = _("for length={length}, depth={depth}").format(length=length, depth=depth)
            if isinstance(got, np.ndarray) and got.shape == (depth, length) and length != depth:
                hint = _(" (your answer is the right one transposed)") if matches(got, expected.T, atol=1e-5) else ""
                raise Fail(_("{where} the table has shape {shape}, expected (length, depth) = {expected}{hint}.").format(
                    where=where, shape=got.shape, expected=(length, depth), hint=hint))
            got = expect_array(got, _("{where} the table").format(where=where), (length, depth), "f")
            problem = compare_arrays(got, expected, _("table"))
            if problem is not None:
                cause = cause_of(got, ((_table(length, depth, **options), text) for options, text in _position_causes()),
                                 _("PE[p, 2i] = sin(p / 10000^(2i/depth)) and PE[p, 2i+1] = cos(p / 10000^(2i/depth))."),
                                 atol=1e-5)
                raise Fail(_("{where}: {problem} {cause}").format(where=where, problem=problem, cause=cause))
            if got.dtype != np.float32:
                raise Fail(_("{where} the values are right but the dtype is {dtype}: return float32 (what the "
                             "embeddings it is added to use), e.g. `table.astype(\"float32\")`.").format(
                                 where=where, dtype=got.dtype))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 3: causal mask


def check_causal_mask(fn: Callable[[int], np.ndarray]) -> bool:
    """Check ``look_ahead_mask(length)``: a NumPy **boolean** array (length, length), True where
    query i may attend key j, i.e. j <= i (the diagonal included), the convention of
    ``MultiHeadAttention(attention_mask=...)``."""
    from ..attention import causal_mask

    name = function_name(fn, "look_ahead_mask")

    def body() -> None:
        for length in (4, 1, 7):
            expected = causal_mask(length)
            got = call(fn, length, name=name)
            where = _("for length={length}").format(length=length)
            got = expect_array(got, _("{where} the mask").format(where=where), (length, length))
            if got.dtype.kind == "f" and length > 1 and np.all(got[expected] == 0) and np.all(got[~expected] < -1e8):
                raise Fail(_("{where} you returned an additive mask (0 where allowed, -inf or a large negative "
                             "number where not): that is the other convention, added to the scores. Return booleans, "
                             "True where query i may attend key j.").format(where=where))
            if got.dtype.kind != "b":
                hint = (_("The values are right: convert them with .astype(bool).")
                        if matches(got, expected) else None)
                raise Fail(with_cause(_("{where} the mask has dtype {dtype}, expected a boolean array (True = may "
                                        "attend).").format(where=where, dtype=got.dtype), hint))
            if not np.array_equal(got, expected):
                i, j = (int(x) for x in np.argwhere(got != expected)[0])
                cause = cause_of(got, (
                    (np.triu(np.ones((length, length), dtype=bool)),
                     _("you returned the upper triangle: query i would see the future keys j > i and not the past.")),
                    (np.tril(np.ones((length, length), dtype=bool), k=-1),
                     _("you left out the diagonal: a token must be able to attend itself (j <= i, not j < i).")),
                    (~expected, _("you inverted the mask: True marks the keys a query may attend (j <= i), not the "
                                  "forbidden ones.")),
                ), _("True exactly where j <= i: np.tril of a matrix of ones."), atol=0)
                raise Fail(_("{where} entry [{i}, {j}] (query {i}, key {j}) is {got}, expected {expected}. "
                             "{cause}").format(where=where, i=i, j=j, got=bool(got[i, j]),
                                               expected=bool(expected[i, j]), cause=cause))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 4: one beam-search step


def _top(total: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The values and flat indices of the ``k`` largest entries of ``total``, best first."""
    flat = total.ravel()
    order = np.argsort(-flat, kind="stable")[:k]
    return flat[order], order


def _beam_variants() -> tuple[tuple[Callable[..., Any], str], ...]:
    """Wrong beam steps (functions of a case's arguments) with their causes."""

    def by(total_of: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., Any]:
        def variant(scores: np.ndarray, log_probs: np.ndarray, k: int) -> Any:
            ranking = total_of(scores, log_probs)
            _values, order = _top(ranking, k)
            vocab = log_probs.shape[1]
            return (ranking.ravel()[order], order // vocab, order % vocab)
        return variant

    def right(scores: np.ndarray, log_probs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values, order = _top(scores[:, None] + log_probs, k)
        return values, order // log_probs.shape[1], order % log_probs.shape[1]

    def lp_alone(scores: np.ndarray, log_probs: np.ndarray, k: int) -> Any:
        _values, order = _top(log_probs, k)
        vocab = log_probs.shape[1]
        return ((scores[:, None] + log_probs).ravel()[order], order // vocab, order % vocab)

    def per_beam(scores: np.ndarray, log_probs: np.ndarray, k: int) -> Any:
        total = scores[:, None] + log_probs
        order = np.argsort(-total, axis=1, kind="stable")[:, :k]
        return (np.take_along_axis(total, order, axis=1), np.broadcast_to(np.arange(len(scores))[:, None], order.shape),
                order)

    def per_beam_flat(scores: np.ndarray, log_probs: np.ndarray, k: int) -> Any:
        return tuple(np.asarray(a).ravel() for a in per_beam(scores, log_probs, k))

    def swapped(scores: np.ndarray, log_probs: np.ndarray, k: int) -> Any:
        values, parents, tokens = right(scores, log_probs, k)
        return values, tokens, parents

    def flat_tokens(scores: np.ndarray, log_probs: np.ndarray, k: int) -> Any:
        values, order = _top(scores[:, None] + log_probs, k)
        return values, order // log_probs.shape[1], order

    def by_beams(scores: np.ndarray, log_probs: np.ndarray, k: int) -> Any:
        values, order = _top(scores[:, None] + log_probs, k)
        return values, order // len(scores), order % len(scores)

    def worst_first(scores: np.ndarray, log_probs: np.ndarray, k: int) -> Any:
        return tuple(a[::-1] for a in right(scores, log_probs, k))

    def lowest(scores: np.ndarray, log_probs: np.ndarray, k: int) -> Any:
        total = (scores[:, None] + log_probs).ravel()
        order = np.argsort(total, kind="stable")[:k]
        return total[order], order // log_probs.shape[1], order % log_probs.shape[1]

    return (
        (lp_alone, _("you ranked the extensions by log_probs alone: add each hypothesis's running score, "
                     "scores[b] + log_probs[b, token].")),
        (per_beam, _("you took the top k of each beam: rank all beams × vocab extensions together (flatten the "
                     "(beams, vocab) totals) and keep k in all.")),
        (per_beam_flat, _("you took the top k of each beam: rank all beams × vocab extensions together (flatten the "
                          "(beams, vocab) totals) and keep k in all.")),
        (by(lambda s, lp: s[:, None] * lp), _("you multiplied the log-probabilities: log-probabilities add "
                                              "(log(p·q) = log p + log q).")),
        (by(lambda s, lp: np.exp(s)[:, None] * np.exp(lp)), _("you multiplied probabilities: the scores are "
                                                              "log-probabilities, which add.")),
        (swapped, _("you returned (scores, tokens, parents): the order is (new_scores, parents, tokens).")),
        (flat_tokens, _("your tokens are flat indices b·vocab + token: take the flat index % vocab.")),
        (by_beams, _("you split the flat index with the number of beams: the rows of the flattened (beams, vocab) "
                     "array have vocab entries, so parent = index // vocab and token = index % vocab.")),
        (worst_first, _("your extensions are worst first: return them best first.")),
        (lowest, _("you kept the k lowest scores: the best extensions have the highest log-probability.")),
        (lambda s, lp, k: right(s, lp, k - 1), _("you returned k - 1 extensions: return exactly k.")),
        (lambda s, lp, k: right(s, lp, k + 1), _("you returned k + 1 extensions: return exactly k.")),
    )


def _beam_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    """(scores, log_probs, k): beams ≠ vocab ≠ k, running scores far apart so that log_probs alone
    ranks differently, no ties."""
    rng = np.random.default_rng(13)
    cases = []
    for beams, vocab, k, spread in ((3, 5, 4, 1.5), (2, 7, 5, 0.4), (4, 3, 2, 3.0), (1, 6, 3, 0.0), (3, 4, 7, 1.0)):
        scores = -np.sort(rng.uniform(0.2, 0.2 + spread * beams, beams)) if beams > 1 else np.array([-0.7])
        log_probs = np.log(rng.dirichlet(np.full(vocab, 0.7), beams))
        cases.append((scores, log_probs, k))
    return cases


def _expect_three(got: Any, name: str) -> tuple[Any, Any, Any]:
    """``got`` if it is a tuple of three values, else :class:`Fail`."""
    if got is None:
        raise Fail(_("{name} returned None: did you forget `return new_scores, parents, tokens`?").format(name=name))
    if not isinstance(got, tuple) or len(got) != 3:
        raise Fail(_("{name} should return a tuple of three arrays (new_scores, parents, tokens), got {kind} "
                     "{value}.").format(name=name, kind=type(got).__name__, value=_short(got, 60)))
    return got[0], got[1], got[2]


__getattr__ = lazy_attributes(__name__, {"_POSITION_CAUSES": _position_causes, "_BEAM_VARIANTS": _beam_variants})


def check_beam_step(fn: Callable[[np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray, np.ndarray]]) -> bool:
    """Check ``beam_step(scores, log_probs, k) -> (new_scores, parents, tokens)`` for one
    sentence: ``scores`` (beams,) the running log-probabilities, ``log_probs`` (beams, vocab);
    the k best extensions ``scores[b] + log_probs[b, t]`` over all beams and tokens, best first.
    ``new_scores`` must be a NumPy float array (k,), ``parents`` and ``tokens`` NumPy integer
    arrays (k,). The cases have no ties."""
    from ..seq2seq import beam_step

    name = function_name(fn, "beam_step")

    def body() -> None:
        cases = _beam_cases()
        results = [call(fn, scores, log_probs, k, name=name) for scores, log_probs, k in cases]
        for (scores, log_probs, k), got in zip(cases, results):
            beams, vocab = log_probs.shape
            expected = beam_step(scores, log_probs, k)
            where = _("for {beams} beams with scores {scores}, a vocabulary of {vocab} and k={k}").format(
                beams=beams, scores=np.array2string(scores, precision=3, separator=", "), vocab=vocab, k=k)
            new_scores, parents, tokens = _expect_three(got, name)
            if not agrees((new_scores, parents, tokens), expected):
                cause = cause_over_variants(results, cases, _beam_variants())
                shown = _("got parents {parents} and tokens {tokens}, expected parents {expected_parents} and tokens "
                          "{expected_tokens}").format(parents=_short(_as_list(parents), 60),
                                                      tokens=_short(_as_list(tokens), 60),
                                                      expected_parents=expected[1].tolist(),
                                                      expected_tokens=expected[2].tolist())
                if agrees((parents, tokens), expected[1:]):
                    shown = _("the parents and tokens are right but new_scores is {got}, expected {expected}").format(
                        got=_short(_as_list(new_scores), 80),
                        expected=np.array2string(expected[0], precision=4, separator=", "))
                raise Fail(_("{where}: {shown}. {cause}").format(where=where, shown=shown, cause=_sentence(cause) if cause
                                                                 else _("The score of an extension is scores[b] + "
                                                                        "log_probs[b, token]; keep the k highest over "
                                                                        "all beams and tokens, best first.")))
            expect_array(new_scores, _("{where} new_scores").format(where=where), (k,), "f")
            expect_array(parents, _("{where} parents").format(where=where), (k,), "i")
            expect_array(tokens, _("{where} tokens").format(where=where), (k,), "i")

    return run(name, body)


def _as_list(value: Any) -> Any:
    """``value.tolist()`` for an array (short, readable feedback), else ``value``."""
    return value.tolist() if isinstance(value, np.ndarray) else value
