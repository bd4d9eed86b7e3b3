"""Checks for chapter 07: sequence to sequence with attention."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..i18n import _
from ._core import (
    Fail,
    _sentence,
    answer_every_case,
    call,
    cause_of,
    cause_over_cases,
    cause_over_variants,
    compare_arrays,
    expect_array,
    expect_float,
    function_name,
    lazy_attributes,
    matches,
    run,
)

# ----------------------------------------------------------------------------- Exercise 1: greedy decoding

Step = Callable[[np.ndarray, Any], tuple[np.ndarray, Any]]


def _toy_decoder(vocab: int = 10, start: int = 1, end: int = 2) -> Step:
    """A fake decoder step: after ``<s>`` it predicts 3 or 4, after token k it predicts k + 1
    or k + 2 (by the parity of the state, which counts the steps), and ``</s>`` past the
    vocabulary; a decoder that ignores the state or the fed-back token gets other ids."""

    def step(tokens: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tokens, state = np.asarray(tokens), np.asarray(state)
        nxt = np.where(tokens == start, 2, tokens) + 1 + state % 2
        nxt = np.where(nxt >= vocab, end, nxt)
        logits = np.full((len(tokens), vocab), -1.0)
        logits[np.arange(len(tokens)), nxt] = 1.0
        return logits, state + 1

    return step


def _table_decoder(table: np.ndarray) -> Step:
    """A fake decoder step driven by ``table[phase, token]`` (the next token), where the state is
    a per-row step counter and ``phase = state % len(table)``; logits are random but seeded, with
    the arg-max at the table's entry."""
    noise = np.random.default_rng(11).uniform(-1.0, 0.5, size=(*table.shape, table.shape[1]))

    def step(tokens: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        phase = state % len(table)
        logits = noise[phase, tokens].copy()
        logits[np.arange(len(tokens)), table[phase, tokens]] = 2.0
        return logits, state + 1

    return step


def _prefix_decoder(vocab: int, end: int, lengths: np.ndarray) -> Step:
    """A fake decoder whose state is the prefix generated so far, shape (batch, steps), as in the
    notebook's ``translate``: the next token is a function of the whole prefix, and row ``b``
    produces ``end`` once its prefix holds ``lengths[b]`` tokens after ``<s>``."""

    def step(tokens: np.ndarray, prefix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        prefix = np.concatenate([prefix, tokens[:, None]], axis=1)
        weights = np.arange(1, prefix.shape[1] + 1)
        nxt = (prefix @ weights) % (vocab - 3) + 3
        nxt = np.where(prefix.shape[1] > lengths, end, nxt)
        logits = np.zeros((len(tokens), vocab))
        logits[np.arange(len(tokens)), nxt] = 5.0
        return logits, prefix

    return step


class _StepGuard:
    """Wraps a fake decoder step: records the first way the student's code calls it wrongly
    (tokens not an integer array of shape (batch,)) and stops the decoding there."""

    def __init__(self, step: Step, batch: int, name: str) -> None:
        self.inner, self.batch, self.name, self.problem = step, batch, name, None

    def __call__(self, tokens: Any, state: Any) -> tuple[np.ndarray, Any]:
        problem = None
        if not isinstance(tokens, np.ndarray):
            problem = _("passed step() tokens of type {kind}; pass an integer NumPy array").format(
                kind=type(tokens).__name__)
        elif tokens.shape != (self.batch,):
            problem = _("passed step() tokens of shape {shape}; pass one token per row, shape ({batch},)").format(
                shape=tokens.shape, batch=self.batch)
        elif tokens.dtype.kind not in "iu":
            problem = _("passed step() tokens of dtype {dtype}; token ids must be integers (e.g. "
                        ".astype(\"int32\"))").format(dtype=tokens.dtype)
        if problem is not None:
            self.problem = self.problem or _(
                "{name} {problem}: step(tokens, state) takes the current token of every row, shape (batch,).").format(
                    name=self.name, problem=problem)
            raise TypeError(self.problem)
        return self.inner(tokens, state)


def _decode_variant(step: Step, state: Any, batch: int, start: int, end: int, max_length: int, *,
                    feed_state: bool = True, feed_token: bool = True, zero_after_end: bool = True,
                    keep_end: bool = True, with_start: bool = False, stop_on_any: bool = False) -> np.ndarray:
    """Greedy decoding with one of the classic mistakes switched on (for naming a cause)."""
    tokens, first_state = np.full(batch, start, dtype="int32"), state
    out = np.zeros((batch, max_length), dtype="int64")
    done = np.zeros(batch, dtype=bool)
    steps = max_length - 1 if with_start else max_length
    for t in range(steps):
        logits, new_state = step(tokens if feed_token else np.full(batch, start, dtype="int32"),
                                 state if feed_state else first_state)
        state = new_state
        tokens = np.asarray(logits).argmax(axis=-1).astype("int32")
        if not keep_end:
            done |= tokens == end
        out[:, t + with_start] = np.where(done & zero_after_end, 0, tokens)
        done |= tokens == end
        if stop_on_any and done.any():
            break
    if with_start:
        out[:, 0] = start
    return out


def _greedy_causes() -> tuple[tuple[dict[str, bool], str], ...]:
    """The classic mistakes of greedy decoding (options of :func:`_decode_variant`), with their
    causes in the current language."""
    return (
        (dict(feed_state=False), _("you call step() with the first state every time: feed back the new state it "
                                   "returns.")),
        (dict(feed_token=False), _("you feed the start id at every step: feed back the token you just chose.")),
        (dict(zero_after_end=False), _("rows go on after their end id: write 0 after a row has produced `end`.")),
        (dict(keep_end=False), _("the end id itself became 0: keep `end` in the output and write 0 only after it.")),
        (dict(with_start=True), _("your rows begin with the start id: return the chosen ids only, not the `<s>` fed "
                                  "in.")),
        (dict(stop_on_any=True), _("you stopped when the first row ended: go on until every row has produced `end` "
                                   "(or max_length).")),
    )


def check_greedy_decode(fn: Callable[..., np.ndarray]) -> bool:
    """Check ``greedy(step, state, batch, start, end, max_length)`` against the reference on
    fake decoders whose answer depends on the fed-back token and on the state: a step counter,
    a random transition table and, as in the notebook, the growing prefix."""
    from ..seq2seq import greedy_decode

    name = function_name(fn, "greedy")

    def body() -> None:
        table = np.random.default_rng(2).integers(3, 10, size=(4, 10))   # rows end after 5, 3, never, 2, never
        cases = [  # (step, state, start, end, max_length): batch ≠ max_length ≠ vocabulary
            (_toy_decoder(), np.array([0, 1, 0]), 1, 2, 8),
            (_table_decoder(table), np.array([0, 1, 2, 3, 6]), 4, 7, 6),
            (_prefix_decoder(8, 2, np.array([3, 0, 6, 1])), np.zeros((4, 0), dtype="int32"), 1, 2, 5),
            (_toy_decoder(vocab=9, start=6, end=8), np.array([1, 0]), 6, 8, 9),
            (_table_decoder(table), np.array([1]), 4, 7, 1),
        ]
        for step, state, start, end, max_length in cases:
            batch = len(state)
            expected = greedy_decode(step, state.copy(), batch, start, end, max_length)
            guard = _StepGuard(step, batch, name)
            try:
                got = call(fn, guard, state, batch, start, end, max_length, name=name)
            except Fail:
                if guard.problem:
                    raise Fail(guard.problem) from None
                raise
            if guard.problem:   # the student's code caught the step's error and went on
                raise Fail(guard.problem)
            where = _("for batch={batch}, start={start}, end={end}, max_length={max_length}").format(
                batch=batch, start=start, end=end, max_length=max_length)
            if isinstance(got, np.ndarray) and got.shape == (max_length, batch) and batch != max_length:
                hint = _(" (your answer is the right one transposed)") if matches(got, expected.T) else ""
                raise Fail(_("{where} the result has shape {shape}, expected (batch, max_length) = "
                             "{expected}{hint}.").format(where=where, shape=got.shape, expected=(batch, max_length),
                                                         hint=hint))
            got = expect_array(got, _("{where} the result").format(where=where), shape=(batch, max_length), kind="i")
            if not np.array_equal(got, expected):
                row = int(np.flatnonzero((got != expected).any(axis=1))[0])
                cause = cause_of(got, ((_decode_variant(step, state.copy(), batch, start, end, max_length, **options),
                                        text) for options, text in _greedy_causes()), atol=0)
                raise Fail(_("{where}, row {row} is {got}, expected {expected}. {cause}").format(
                    where=where, row=row, got=got[row].tolist(), expected=expected[row].tolist(),
                    cause=cause or _("Start every row with the start id, feed back the arg-max token and the new "
                                     "state at each step, and write 0 after a row's end id.")))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 2: exact match


def _shown(predictions: list[str], references: list[str]) -> str:
    def short(items: list[str]) -> str:
        return repr(items) if len(items) <= 4 else _("{items}… ({count} strings)").format(
            items=repr(items[:3]), count=len(items))

    return _("for predictions {predictions} and references {references}").format(
        predictions=short(predictions), references=short(references))


def _exact_match_variants(predictions: list[str], references: list[str]) -> list[tuple[float, str]]:
    """The classic wrong exact matches of one case, with their causes (same order for every case)."""
    pairs = list(zip(predictions, references))
    right = float(np.mean([p == r for p, r in pairs]))
    return [
        (float(np.mean([p in references for p in predictions])), _("you counted predictions that occur anywhere in "
                                                                   "the references; compare each prediction with the "
                                                                   "reference at its own position (zip).")),
        (float(sum(p == r for p, r in pairs)), _("that is the number of matches: divide by the number of "
                                                 "predictions.")),
        (100 * right, _("that is a percentage: return a fraction between 0 and 1.")),
        (float(np.mean([p.strip().lower() == r.strip().lower() for p, r in pairs])),
         _("you ignored case or spaces: a prediction counts only if the strings are identical.")),
        (float(np.mean([r.startswith(p) for p, r in pairs])),
         _("a prefix of the reference is not a match: the whole string must be equal.")),
    ]


def check_exact_match(fn: Callable[[list[str], list[str]], float]) -> bool:
    """Check ``exact_match_of(predictions, references) -> float``: the fraction of positions
    where the prediction equals its reference, as strings."""
    from ..seq2seq import exact_match

    name = function_name(fn, "exact_match_of")

    def body() -> None:
        rng = np.random.default_rng(3)
        dates = [f"{y}-{m:02d}-{d:02d}" for y, m, d in zip(rng.integers(1950, 2050, 37), rng.integers(1, 13, 37),
                                                            rng.integers(1, 29, 37))]
        noisy = [d if rng.random() < 0.6 else d[:-1] + str((int(d[-1]) + 1) % 10) for d in dates]
        cases = [  # duplicates, case, spaces, prefixes: membership, count, percentage, … all differ here
            (["2021-03-03", "1999-12-31", "2021-03-03", "Tom", "2021-03-0", "ok", " 猫", "1999-12-31"],
             ["1999-12-31", "2021-03-03", "2021-03-03", "tom", "2021-03-03", "ok", "猫", "2049-01-01"]),
            (["2021-03-03", "1999-12-31", "2021-03-03"], ["1999-12-31", "2021-03-03", "2021-03-03"]),
            (["2021-03-0", "1999-12-31", "x", "abc"], ["2021-03-03", "1999-12-31", "y", "abc"]),
            (["Tom", "猫 ", "我爱你。", "ok"], ["tom", "猫", "我爱你。", "ok"]),
            (["a", "a", "b", "b", "a", "c", "c"], ["a", "b", "a", "b", "c", "a", "b"]),
            (["1999-12-31"], ["1999-12-31"]),
            (["2049-01-01", "1950-01-01"], ["1950-01-01", "2049-01-01"]),
            (noisy, dates),
        ]
        outcomes = answer_every_case(cases, lambda case: expect_float(
            call(fn, *case, name=name), _("{where} the exact match").format(where=_shown(*case))))
        values = [v if isinstance(v, float) else None for v in outcomes]
        for case, outcome in zip(cases, outcomes):
            if isinstance(outcome, Fail):
                raise outcome
            expected = exact_match(*case)
            if abs(outcome - expected) > 1e-9:
                cause = cause_over_cases(values, [_exact_match_variants(*c) for c in cases],
                                         _("One wrong character makes the whole string wrong."))
                raise Fail(_("{where}: got {got:.6g}, expected {expected:.6g}. {cause}").format(
                    where=_shown(*case), got=outcome, expected=expected, cause=cause))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 3: diagnose teacher forcing

#: the answers of ``diagnose(decoder_in, decoder_out)``, in the order the exercise tests them
DIAGNOSES = ("not shifted", "swapped", "no end", "ok")
_PAD, _START, _END = 0, 1, 2


def diagnose_reference(decoder_in: np.ndarray, decoder_out: np.ndarray) -> str:
    """The reference diagnosis of a teacher-forcing pair (ids: pad 0, ``<s>`` 1, ``</s>`` 2)."""
    if np.array_equal(decoder_in, decoder_out):
        return "not shifted"
    if np.all(decoder_out[:, 0] == _START):
        return "swapped"
    if not np.all(np.any(decoder_out == _END, axis=1)):
        return "no end"
    return "ok"


def _targets(rng: np.random.Generator, rows: int, lengths: tuple[int, int], steps: int) -> np.ndarray:
    """``<s> y1 … yn </s>`` rows padded to ``steps`` columns, n drawn from ``lengths``."""
    out = np.zeros((rows, steps), dtype="int32")
    for row, n in enumerate(rng.integers(lengths[0], lengths[1] + 1, rows)):
        out[row, :n + 2] = [_START, *rng.integers(3, 40, n), _END]
    return out


def _diagnosis_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Pairs made the right way and with each fault, from date-like targets (all of one length,
    ``</s>`` in the last column) and sentence-like ones (lengths vary, padding after ``</s>``)."""
    from ..seq2seq import teacher_forcing

    rng = np.random.default_rng(5)
    dates, sentences = _targets(rng, 6, (10, 10), 12), _targets(rng, 7, (1, 8), 12)
    no_end = sentences.copy()
    no_end[no_end == _END] = _PAD                                        # encoded without end=True
    long_rows = _targets(rng, 6, (2, 12), 14)[:, :11]                    # cut: the longest rows lose </s>
    return [
        teacher_forcing(sentences),                                      # ok
        (dates[:, :-1], dates[:, :-1]),                                  # not shifted, both start with <s>
        (dates[:, 1:], dates[:, :-1]),                                   # swapped
        teacher_forcing(dates),                                          # ok, </s> in the last column
        (sentences[:, :-1], sentences[:, 1:]),                           # ok, </s> left in the input
        teacher_forcing(no_end),                                         # no end
        (sentences[:, 1:], sentences[:, 1:]),                            # not shifted
        (sentences[:, 1:], sentences[:, :-1]),                           # swapped
        teacher_forcing(long_rows),                                      # no end, in some rows only
        teacher_forcing(np.where(dates == _END, _PAD, dates)),           # no end
    ]


def _last_column_end(decoder_in: np.ndarray, decoder_out: np.ndarray) -> str:
    if np.array_equal(decoder_in, decoder_out):
        return "not shifted"
    if np.all(decoder_out[:, 0] == _START):
        return "swapped"
    return "ok" if np.all(decoder_out[:, -1] == _END) else "no end"


def _end_in_input(decoder_in: np.ndarray, decoder_out: np.ndarray) -> str:
    answer = diagnose_reference(decoder_in, decoder_out)
    if answer == "ok" and not np.all(np.any(decoder_in == _END, axis=1)):
        return "no end"
    return answer


def _every_row_no_end(decoder_in: np.ndarray, decoder_out: np.ndarray) -> str:
    answer = diagnose_reference(decoder_in, decoder_out)
    if answer == "no end" and np.any(np.any(decoder_out == _END, axis=1)):
        return "ok"
    return answer


def _swapped_first(decoder_in: np.ndarray, decoder_out: np.ndarray) -> str:
    if np.all(decoder_out[:, 0] == _START):
        return "swapped"
    return diagnose_reference(decoder_in, decoder_out)


def _diagnosis_causes() -> tuple[tuple[Callable[[np.ndarray, np.ndarray], str], str], ...]:
    """The likely wrong diagnoses, with their causes in the current language."""
    return (
        (lambda i, o: "ok", _("you answered 'ok' for every pair: compare the two arrays with each other, look at the "
                              "first column of the decoder target and look for `</s>` in every row.")),
        (_swapped_first, _("two identical arrays are 'not shifted', even when both start with `<s>`: test that "
                           "first.")),
        (_last_column_end, _("`</s>` need not be in the last column: shorter rows end earlier and are padded after "
                             "it; look for it anywhere in each row.")),
        (_end_in_input, _("you looked for `</s>` in the decoder input, which never needs it (teacher_forcing turns "
                          "it into padding): look in the decoder target.")),
        (_every_row_no_end, _("one row without `</s>` is enough: that sentence never teaches the decoder to stop.")),
    )


_VARIANT_LISTS: dict[str, Callable[[], tuple[tuple[Any, str], ...]]] = {
    "_GREEDY_CAUSES": _greedy_causes, "_DIAGNOSIS_CAUSES": _diagnosis_causes,
}


__getattr__ = lazy_attributes(__name__, _VARIANT_LISTS)


def _row(a: np.ndarray) -> str:
    return np.array2string(a[0], separator=" ")


def check_diagnose_teacher_forcing(fn: Callable[[np.ndarray, np.ndarray], str]) -> bool:
    """Check ``diagnose(decoder_in, decoder_out) -> str`` on teacher-forcing pairs made right and
    with each fault (not shifted, input and target swapped, no end token), from date-like and
    sentence-like targets; the answer is one of :data:`DIAGNOSES`."""
    name = function_name(fn, "diagnose")

    def body() -> None:
        cases = _diagnosis_cases()
        answers: list[Any] = []
        for decoder_in, decoder_out in cases:
            got = call(fn, decoder_in, decoder_out, name=name)
            where = _("for decoder_in {shape} with row 0 {row_in} and decoder_out row 0 {row_out}").format(
                shape=decoder_in.shape, row_in=_row(decoder_in), row_out=_row(decoder_out))
            if not isinstance(got, str):
                raise Fail(_("{where} the result should be a str, one of {answers}, got {value} ({kind}).").format(
                    where=where, answers=list(DIAGNOSES), value=repr(got), kind=type(got).__name__))
            if got not in DIAGNOSES:
                raise Fail(_("{where} you returned {value}: answer one of {answers}, spelled exactly so.").format(
                    where=where, value=repr(got), answers=list(DIAGNOSES)))
            answers.append(got)
        for k, ((decoder_in, decoder_out), got) in enumerate(zip(cases, answers)):
            expected = diagnose_reference(decoder_in, decoder_out)
            if got != expected:
                cause = cause_over_variants(answers, cases, _diagnosis_causes())
                raise Fail(_("for pair {pair} of {count} (decoder_in row 0 {row_in}, decoder_out row 0 {row_out}) you "
                             "answered {got}, expected {expected}. {cause}").format(
                                 pair=k + 1, count=len(cases), row_in=_row(decoder_in), row_out=_row(decoder_out),
                                 got=repr(got), expected=repr(expected),
                                 cause=_sentence(cause) if cause else _(
                                     "Test in the order of the statement: identical arrays, then a target that "
                                     "starts with `<s>`, then a row of the target without `</s>`.")))

    return run(name, body)


# ----------------------------------------------------------------------------- Exercise 4: attention weights


def _softmax_rows(scores: np.ndarray, mask: np.ndarray, axis: int = -1) -> np.ndarray:
    """``masked_softmax`` along any axis (a wrong variant uses the batch axis)."""
    from ..attention import masked_softmax

    return np.moveaxis(masked_softmax(np.moveaxis(scores, axis, -1), np.moveaxis(mask, axis, -1)), -1, axis)


def check_dot_attention_weights(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> bool:
    """Check ``dot_attention_weights(query, keys, mask)``: scores ``keys · query`` for every
    source step, softmax over the real steps (mask True), weight exactly 0 on padding."""
    from ..attention import masked_softmax

    name = function_name(fn, "dot_attention_weights")

    def body() -> None:
        rng = np.random.default_rng(7)
        hand_mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [0, 1, 0, 1, 1]], dtype=bool)
        random_mask = rng.random((4, 7)) < 0.6
        random_mask[np.arange(4), rng.integers(0, 7, 4)] = True            # at least one real step per row
        cases = [  # (query, keys, mask): batch ≠ steps ≠ d, masks that are not all prefixes
            (rng.normal(size=(3, 4)), rng.normal(size=(3, 5, 4)) * 2, hand_mask),
            (rng.normal(size=(4, 3)), rng.normal(size=(4, 7, 3)), random_mask),
            (rng.normal(size=(2, 6)) * 30, rng.normal(size=(2, 3, 6)) * 30, np.array([[1, 1, 0], [1, 1, 1]], bool)),
        ]
        for i, (query, keys, mask) in enumerate(cases):
            batch, steps, d = keys.shape
            scores = np.einsum("btd,bd->bt", keys, query)
            expected = masked_softmax(scores, mask)
            got = call(fn, query, keys, mask, name=name)
            where = _("for query {query}, keys {keys}").format(query=query.shape, keys=keys.shape)
            if isinstance(got, np.ndarray) and got.shape != (batch, steps):
                if matches(got, np.einsum("bt,btd->bd", expected, keys)):
                    raise Fail(_("{where} you returned the context (the weighted sum of the keys), shape {shape}: "
                                 "return the weights, shape (batch, steps) = {expected}.").format(
                                     where=where, shape=got.shape, expected=(batch, steps)))
                if matches(got, expected.T):
                    raise Fail(_("{where} the weights are transposed: shape {shape}, expected (batch, steps) = "
                                 "{expected}.").format(where=where, shape=got.shape, expected=(batch, steps)))
            got = expect_array(got, _("{where} the weights").format(where=where), shape=(batch, steps), kind="f")
            if not np.all(np.isfinite(got)):
                hint = (_(" The scores here are large: subtract each row's maximum score before exp, so it cannot "
                          "overflow.") if i == 2 else "")
                raise Fail(_("{where} the weights contain NaN or inf.{hint}").format(where=where, hint=hint))
            problem = compare_arrays(got, expected, _("weights"), atol=1e-6)
            if problem is None and np.any(got[~mask] != 0):
                problem = _("the weights of padding steps (mask False) are not exactly 0.")
            if problem:
                variants = (
                    (masked_softmax(scores), _("you ignored the mask: padding steps must get weight 0.")),
                    (np.where(mask, masked_softmax(scores), 0.0), _("you zeroed the padding after the softmax without "
                                                                    "renormalising: take the softmax over the real "
                                                                    "steps only.")),
                    (masked_softmax(scores, ~mask), _("you inverted the mask: True marks the real steps.")),
                    (masked_softmax(scores / np.sqrt(d), mask), _("you divided the scores by sqrt(d): this exercise "
                                                                  "asks for the plain dot product.")),
                    (_softmax_rows(scores, mask, axis=0), _("you took the softmax over the batch axis: it runs over "
                                                            "the source steps (the last axis), each row sums to 1.")),
                    (masked_softmax(scores, np.arange(steps) < mask.sum(axis=1, keepdims=True)),
                     _("you treated the mask as a length (the first n steps): use it step by step, the real steps "
                       "need not come first.")),
                )
                cause = cause_of(got, variants, _("The score of step t is keys[b, t] · query[b]; softmax over the "
                                                  "steps where mask is True."))
                raise Fail(_("{where}: {problem} {cause}").format(where=where, problem=problem, cause=cause))

    return run(name, body)
