"""Chapter 07 checks: the reference passes, and the catalogue of wrong answers is rejected,
each without an exception and, where the check names a cause, with that cause."""

import numpy as np
import pytest
from checkhelpers import named_verdict

from utils import checks
from utils.attention import masked_softmax
from utils.checks import ch07
from utils.seq2seq import exact_match, greedy_decode


def _verdict(check, answer, capsys):
    return named_verdict(check, answer, capsys, _NOTEBOOK_NAMES)


_NOTEBOOK_NAMES = {"check_greedy_decode": "greedy", "check_exact_match": "exact_match_of",
                   "check_diagnose_teacher_forcing": "diagnose", "check_dot_attention_weights": "dot_attention_weights"}


# ----------------------------------------------------------------------------- Exercise 1: greedy


def _greedy(step, state, batch, start, end, max_length, *, feed_state=True, feed_token=True, zero_after_end=True,
            end_to_zero=False, with_start=False, stop_on_any=False, as_list=False, tokens_as_list=False,
            axis=-1, dtype="int32", write_state=False):
    """A student's greedy decoding, right by default, with one mistake switched on."""
    tokens, first = np.full(batch, start, dtype="int32"), state
    out = np.zeros((batch, max_length), dtype=dtype)
    done = np.zeros(batch, dtype=bool)
    for t in range(max_length - 1 if with_start else max_length):
        fed = list(tokens) if tokens_as_list else tokens if feed_token else np.full(batch, start, dtype="int32")
        logits, new_state = step(fed, state if feed_state else first)
        if write_state:
            state[...] = new_state
        else:
            state = new_state
        tokens = np.asarray(logits).argmax(axis=axis).astype("int32")
        if end_to_zero:
            done |= tokens == end
        out[:, t + with_start] = np.where(done & zero_after_end, 0, tokens)
        done |= tokens == end
        if done.any() if stop_on_any else False:
            break
    if with_start:
        out[:, 0] = start
    return out.tolist() if as_list else out


_solution_greedy = greedy_decode   # the notebook's solution is the same code as utils.seq2seq.greedy_decode


def test_check_greedy_accepts_right_answers(capsys):
    for right in (greedy_decode, _solution_greedy, _greedy):                    # _greedy: no early stop
        assert _verdict(checks.check_greedy_decode, right, capsys)[0]
    passed, line = _verdict(checks.check_greedy_decode, lambda *a: _greedy(*a, dtype="int64"), capsys)
    assert passed and line == "✅ greedy: correct."


@pytest.mark.parametrize(("mistake", "text"), [
    (dict(feed_state=False), "feed back the new state"),
    (dict(feed_token=False), "You feed the start id at every step"),
    (dict(zero_after_end=False), "write 0 after a row has produced `end`"),
    (dict(end_to_zero=True), "The end id itself became 0"),
    (dict(with_start=True), "Your rows begin with the start id"),
    (dict(stop_on_any=True), "You stopped when the first row ended"),
    (dict(as_list=True), "should be a NumPy array"),
    (dict(dtype="float32"), "expected an integer array"),
    (dict(tokens_as_list=True), "passed step() tokens of type list"),
    (dict(axis=0), "operands could not be broadcast"),                       # arg-max over the batch
    (dict(write_state=True), "changed its input `state` in place"),
])
def test_check_greedy_rejects_mistakes(mistake, text, capsys):
    def greedy(step, state, batch, start, end, max_length):
        return _greedy(step, state, batch, start, end, max_length, **mistake)

    passed, line = _verdict(checks.check_greedy_decode, greedy, capsys)
    assert not passed and text in line, line


def test_check_greedy_names_transposes_and_no_cause_for_other_mistakes(capsys):
    def transposed(step, state, batch, start, end, max_length):
        return greedy_decode(step, state, batch, start, end, max_length).T

    def reads_all_rows_with_first_state(step, state, batch, start, end, max_length):
        out = greedy_decode(step, state, batch, start, end, max_length)
        out[-1] = out[0]
        return out

    passed, line = _verdict(checks.check_greedy_decode, transposed, capsys)
    assert not passed and "the right one transposed" in line
    passed, line = _verdict(checks.check_greedy_decode, reads_all_rows_with_first_state, capsys)
    assert not passed and "Start every row with the start id" in line          # no invented cause


# ----------------------------------------------------------------------------- Exercise 2: exact match


def _solution_exact_match_of(predictions: list[str], references: list[str]) -> float:
    """The notebook's solution."""
    return float(np.mean([p == r for p, r in zip(predictions, references)]))


def test_check_exact_match_accepts_right_answers(capsys):
    assert _verdict(checks.check_exact_match, exact_match, capsys)[0]
    assert _verdict(checks.check_exact_match, _solution_exact_match_of, capsys)[0]
    assert _verdict(checks.check_exact_match, lambda p, r: sum(a == b for a, b in zip(p, r)) / len(r), capsys)[0]


def _sorts_then_compares(predictions, references):
    predictions.sort()
    references.sort()
    return _solution_exact_match_of(predictions, references)


@pytest.mark.parametrize(("answer", "text"), [
    (lambda p, r: float(np.mean([x in r for x in p])), "occur anywhere in the references"),
    (lambda p, r: sum(a == b for a, b in zip(p, r)), "That is the number of matches"),
    (lambda p, r: 100 * float(np.mean([a == b for a, b in zip(p, r)])), "That is a percentage"),
    (lambda p, r: float(np.mean([a.lower().strip() == b.lower().strip() for a, b in zip(p, r)])), "ignored case"),
    (lambda p, r: float(np.mean([b.startswith(a) for a, b in zip(p, r)])), "A prefix of the reference"),
    (lambda p, r: sum(a == b for a, b in zip(p, r)) // len(p), "One wrong character"),
    (lambda p, r: len(set(p) & set(r)) / len(p), "One wrong character"),        # agrees with no named cause
    (lambda p, r: [a == b for a, b in zip(p, r)], "should be a float"),
    (_sorts_then_compares, "changed its input `predictions` in place"),
])
def test_check_exact_match_rejects_mistakes(answer, text, capsys):
    passed, line = _verdict(checks.check_exact_match, answer, capsys)
    assert not passed and text in line, line


# ----------------------------------------------------------------------------- Exercise 3: diagnose teacher forcing

START, END = 1, 2


def _solution_diagnose(decoder_in: np.ndarray, decoder_out: np.ndarray) -> str:
    """The notebook's solution (tgt_vocab.start = 1, tgt_vocab.end = 2)."""
    if np.array_equal(decoder_in, decoder_out):
        return "not shifted"
    if np.all(decoder_out[:, 0] == START):
        return "swapped"
    if not np.all(np.any(decoder_out == END, axis=1)):
        return "no end"
    return "ok"


def _input_does_not_start(decoder_in, decoder_out):
    """Right too: a swapped pair is also the one whose input does not start with <s>."""
    if (decoder_in.shape == decoder_out.shape) and (decoder_in == decoder_out).all():
        return "not shifted"
    if (decoder_in[:, 0] != START).all():
        return "swapped"
    return "no end" if any(END not in row for row in decoder_out.tolist()) else "ok"


def test_check_diagnose_accepts_right_answers(capsys):
    for right in (ch07.diagnose_reference, _solution_diagnose, _input_does_not_start):
        passed, line = _verdict(checks.ch07.check_diagnose_teacher_forcing, right, capsys)
        assert passed and line.endswith("correct."), line


def test_check_diagnose_cases_cover_every_answer():
    answers = [ch07.diagnose_reference(*case) for case in ch07._diagnosis_cases()]
    assert set(answers) == set(ch07.DIAGNOSES) and all(answers.count(a) >= 2 for a in ch07.DIAGNOSES)


def _stub(decoder_in, decoder_out):
    raise NotImplementedError()


def _sorts_rows(decoder_in, decoder_out):
    decoder_out.sort(axis=1)
    return _solution_diagnose(decoder_in, decoder_out)


def _last_column(decoder_in, decoder_out):
    answer = _solution_diagnose(decoder_in, decoder_out)
    return "no end" if answer == "ok" and not (decoder_out[:, -1] == END).all() else answer


@pytest.mark.parametrize(("answer", "text"), [
    (lambda i, o: "ok", "You answered 'ok' for every pair"),
    (lambda i, o: "swapped" if (o[:, 0] == START).all() else _solution_diagnose(i, o), "Two identical arrays"),
    (_last_column, "`</s>` need not be in the last column"),
    (lambda i, o: "no end" if _solution_diagnose(i, o) == "ok" and not (i == END).any(axis=1).all()
     else _solution_diagnose(i, o), "You looked for `</s>` in the decoder input"),
    (lambda i, o: "ok" if _solution_diagnose(i, o) == "no end" and (o == END).any() else _solution_diagnose(i, o),
     "One row without `</s>` is enough"),
    (lambda i, o: "no end" if _solution_diagnose(i, o) == "swapped" else _solution_diagnose(i, o),
     "Test in the order of the statement"),                                   # no invented cause
    (lambda i, o: _solution_diagnose(i, o) == "ok", "should be a str"),
    (lambda i, o: _solution_diagnose(i, o).replace(" ", "_"), "spelled exactly so"),
    (lambda i, o: _solution_diagnose(i, o).title(), "spelled exactly so"),
    (_sorts_rows, "changed its input `decoder_out` in place"),
    (_stub, "not implemented yet"),
    (lambda i, o: i[99], "raised IndexError"),
])
def test_check_diagnose_rejects_mistakes(answer, text, capsys):
    passed, line = _verdict(checks.ch07.check_diagnose_teacher_forcing, answer, capsys)
    assert not passed and text in line, line


# ----------------------------------------------------------------------------- Exercise 4: attention weights


def _reference_attention(query, keys, mask):
    return masked_softmax(np.einsum("bd,btd->bt", query, keys), mask)


def _solution_dot_attention_weights(query: np.ndarray, keys: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The notebook's solution."""
    scores = np.einsum("btd,bd->bt", keys, query)
    scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(axis=1, keepdims=True)
    weights = np.where(mask, np.exp(scores), 0.0)
    return weights / weights.sum(axis=1, keepdims=True)


def _plain_softmax(scores, axis=-1):
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_check_dot_attention_weights_accepts_right_answers(capsys):
    assert checks.check_dot_attention_weights(_reference_attention)
    assert checks.check_dot_attention_weights(_solution_dot_attention_weights)

    def minus_a_billion(query, keys, mask):
        return _plain_softmax(np.where(mask, (keys @ query[:, :, None])[..., 0], -1e9))

    capsys.readouterr()
    assert _verdict(checks.check_dot_attention_weights, minus_a_billion, capsys)[0]


def _masking_keys_in_place(query, keys, mask):
    keys[~mask] = 0.0
    return _reference_attention(query, keys, mask)


def _overflowing(query, keys, mask):
    e = np.exp(np.einsum("btd,bd->bt", keys, query)) * mask
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize(("answer", "text"), [
    (lambda q, k, m: masked_softmax(np.einsum("bd,btd->bt", q, k)), "You ignored the mask"),
    (lambda q, k, m: masked_softmax(np.einsum("bd,btd->bt", q, k)) * m, "without renormalising"),
    (lambda q, k, m: masked_softmax(np.einsum("bd,btd->bt", q, k), ~m), "You inverted the mask"),
    (lambda q, k, m: masked_softmax(np.einsum("bd,btd->bt", q, k) / np.sqrt(q.shape[1]), m), "sqrt(d)"),
    (lambda q, k, m: np.where(m, _plain_softmax(np.where(m, np.einsum("bd,btd->bt", q, k), -np.inf), axis=0), 0),
     "over the batch axis"),
    (lambda q, k, m: masked_softmax(np.einsum("bd,btd->bt", q, k), np.arange(m.shape[1]) < m.sum(1, keepdims=True)),
     "treated the mask as a length"),
    (lambda q, k, m: np.einsum("bt,btd->bd", _reference_attention(q, k, m), k), "you returned the context"),
    (lambda q, k, m: _reference_attention(q, k, m).T, "the weights are transposed"),
    (lambda q, k, m: _reference_attention(q, k, m).tolist(), "should be a NumPy array"),
    (lambda q, k, m: _reference_attention(q, k, m) + 1e-9 * ~m, "not exactly 0"),
    (_masking_keys_in_place, "changed its input `keys` in place"),
    (_overflowing, "subtract each row's maximum"),
])
def test_check_dot_attention_weights_rejects_mistakes(answer, text, capsys):
    with np.errstate(all="ignore"):
        passed, line = _verdict(checks.check_dot_attention_weights, answer, capsys)
    assert not passed and text in line, line
