"""Chapter 09 checks: the reference passes, and the catalogue of wrong answers is rejected,
each without an exception and, where the check names a cause, with that cause."""

import numpy as np
import pytest
from checkhelpers import named_verdict, stub

from utils import checks
from utils.attention import causal_mask, scaled_dot_product_attention, sinusoidal_positions
from utils.checks import ch09
from utils.seq2seq import beam_step


def _verdict(check, answer, capsys):
    return named_verdict(check, answer, capsys, _NOTEBOOK_NAMES)


_NOTEBOOK_NAMES = {"check_scaled_dot_attention": "scaled_dot_attention",
                   "check_sinusoidal_positions": "positional_encoding",
                   "check_causal_mask": "look_ahead_mask", "check_beam_step": "beam_step"}


def _failing(check, answer, capsys):
    with np.errstate(all="ignore"):
        passed, line = _verdict(check, answer, capsys)
    assert not passed
    return line


# ----------------------------------------------------------------------------- Exercise 1: attention


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _attention(q, k, v, mask, *, scale="sqrt", axis=-1, masking="before", transpose=False, swap=False,
               as_list=False, mutate=False, values=True):
    """A student's attention, right by default, with one mistake switched on."""
    d = q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2)
    scores = scores / {"sqrt": np.sqrt(d), "d": d, "none": 1.0}[scale]
    if mask is not None and masking in ("before", "inverted"):
        keep = mask if masking == "before" else ~mask
        scores = np.where(keep, scores, -np.inf)
    weights = _softmax(scores, axis=axis)
    weights = np.nan_to_num(weights) if axis != -1 else weights
    if mask is not None and masking == "after":
        weights = np.where(mask, weights, 0.0)
    output = weights @ (v if values else k)
    if mutate:
        q *= 2
    if transpose:
        weights = np.swapaxes(weights, -1, -2)
    result = (weights, output) if swap else (output, weights)
    return [r.tolist() for r in result] if as_list else result


def _solution_scaled_dot_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None):
    """The notebook's solution."""
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ v, weights


def test_check_attention_accepts_right_answers(capsys):
    for right in (scaled_dot_product_attention, _solution_scaled_dot_attention, _attention):
        assert _verdict(checks.check_scaled_dot_attention, right, capsys)[0]

    def minus_a_billion_float32(q, k, v, mask):
        scores = (q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])).astype("float32")
        if mask is not None:
            scores = np.where(mask, scores, -1e9).astype("float32")
        weights = _softmax(scores)
        return weights @ v.astype("float32"), weights

    passed, line = _verdict(checks.check_scaled_dot_attention, minus_a_billion_float32, capsys)
    assert passed and line == "✅ minus_a_billion_float32: correct."


@pytest.mark.parametrize(("mistake", "text"), [
    (dict(scale="none"), "You did not scale the scores"),
    (dict(scale="d"), "You divided the scores by d"),
    (dict(axis=-2), "softmax over the queries"),
    (dict(masking="ignored"), "You ignored the mask"),
    (dict(masking="after"), "without renormalising"),
    (dict(masking="inverted"), "You inverted the mask"),
    (dict(transpose=True), "the weights are transposed"),
    (dict(swap=True), "you returned (weights, output)"),
    (dict(as_list=True), "should return a tuple (output, weights), got list"),
    (dict(mutate=True), "changed its input `q` in place"),
    (dict(values=False), "you multiplied the weights by k instead of v"),
])
def test_check_attention_rejects_mistakes(mistake, text, capsys):
    def scaled_dot_attention(q, k, v, mask):
        return _attention(q, k, v, mask, **mistake)

    line = _failing(checks.check_scaled_dot_attention, scaled_dot_attention, capsys)
    assert text in line, line


@pytest.mark.parametrize(("answer", "text"), [
    (lambda q, k, v, m: tuple(a.tolist() for a in _attention(q, k, v, m)), "should be a NumPy array"),
    (lambda q, k, v, m: (_attention(q, k, v, m)[0][..., :1], _attention(q, k, v, m)[1]), "has shape"),
    (lambda q, k, v, m: _attention(q, k, v, m)[0], "should return a tuple (output, weights)"),
    (lambda q, k, v, m: (np.full_like(_attention(q, k, v, m)[0], np.nan), _attention(q, k, v, m)[1]), "NaN"),
    (lambda q, k, v, m: (_attention(q, k, v, m)[0], np.nan * _attention(q, k, v, m)[1]), "NaN"),
    (lambda q, k, v, m: None, "returned None"),
    (lambda q, k, v, m: q[99], "raised IndexError"),
    (lambda q, k, v, m: (_attention(q, k, v, m)[0].astype(int), _attention(q, k, v, m)[1]),
     "expected a floating-point array"),
    (lambda q, k, v, m: (_attention(q, k, v, m)[0], _softmax(q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1]) + 1)
                         * 0.5), "weights = softmax(q @ kᵀ / sqrt(d))"),   # no named cause
    (stub, "not implemented yet"),
])
def test_check_attention_rejects_garbage(answer, text, capsys):
    line = _failing(checks.check_scaled_dot_attention, answer, capsys)
    assert text in line, line


# ----------------------------------------------------------------------------- Exercise 2: positions


def _solution_positional_encoding(length: int, depth: int) -> np.ndarray:
    """The notebook's solution."""
    p = np.arange(length)[:, None]
    i = np.arange(depth // 2)[None, :]
    angles = p / 10000 ** (2 * i / depth)
    table = np.zeros((length, depth), dtype="float32")
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles)
    return table


def _tf_tutorial(length: int, depth: int) -> np.ndarray:
    """Right too: one rate per column with the pair index ``j // 2``."""
    j = np.arange(depth)[None, :]
    angles = np.arange(length)[:, None] / np.power(10000, (2 * (j // 2)) / np.float32(depth))
    angles[:, 0::2] = np.sin(angles[:, 0::2])
    angles[:, 1::2] = np.cos(angles[:, 1::2])
    return angles.astype(np.float32)


def test_check_positions_accepts_right_answers(capsys):
    for right in (sinusoidal_positions, _solution_positional_encoding, _tf_tutorial):
        passed, line = _verdict(checks.check_sinusoidal_positions, right, capsys)
        assert passed and line.endswith("correct."), line


def _mistake(**options):
    return lambda length, depth: ch09._table(length, depth, **options).astype("float32")


@pytest.mark.parametrize(("answer", "text"), [
    (_mistake(swap=True), "Sin and cos are swapped"),
    (_mistake(exponent="i"), "The exponent is i/depth"),
    (_mistake(exponent="column"), "You used the column index in the exponent"),
    (_mistake(concat=True), "a valid variant (some libraries use it), but not the one asked"),
    (_mistake(first=1), "Your positions start at 1"),
    (lambda length, depth: sinusoidal_positions(length, depth).astype("float64"), "the dtype is float64"),
    (lambda length, depth: sinusoidal_positions(length, depth).T, "the right one transposed"),
    (lambda length, depth: sinusoidal_positions(length, depth)[:, :-1], "has shape"),
    (lambda length, depth: sinusoidal_positions(length, depth).tolist(), "should be a NumPy array"),
    (lambda length, depth: (np.arange(length * depth).reshape(length, depth) % 2), "expected a floating-point"),
    (lambda length, depth: sinusoidal_positions(length, depth) * np.nan, "NaN"),
    (lambda length, depth: np.sin(sinusoidal_positions(length, depth)), "PE[p, 2i] = sin"),  # no named cause
    (lambda length, depth: None, "is None"),
    (stub, "not implemented yet"),
])
def test_check_positions_rejects_mistakes(answer, text, capsys):
    line = _failing(checks.check_sinusoidal_positions, answer, capsys)
    assert text in line, line


# ----------------------------------------------------------------------------- Exercise 3: causal mask


def _solution_look_ahead_mask(length: int) -> np.ndarray:
    """The notebook's solution."""
    return np.tril(np.ones((length, length), dtype=bool))


def test_check_causal_mask_accepts_right_answers(capsys):
    for right in (causal_mask, _solution_look_ahead_mask,
                  lambda n: np.arange(n)[None, :] <= np.arange(n)[:, None]):
        assert _verdict(checks.check_causal_mask, right, capsys)[0]


@pytest.mark.parametrize(("answer", "text"), [
    (lambda n: np.triu(np.ones((n, n), dtype=bool)), "You returned the upper triangle"),
    (lambda n: np.tril(np.ones((n, n), dtype=bool), k=-1), "You left out the diagonal"),
    (lambda n: np.triu(np.ones((n, n), dtype=bool), k=1), "You inverted the mask"),
    (lambda n: np.tril(np.ones((n, n), dtype="int32")), "convert them with .astype(bool)"),
    (lambda n: np.tril(np.ones((n, n))), "convert them with .astype(bool)"),
    (lambda n: np.where(np.tril(np.ones((n, n), dtype=bool)), 0.0, -np.inf), "the other convention"),
    (lambda n: np.where(np.tril(np.ones((n, n), dtype=bool)), 0.0, -1e9), "the other convention"),
    (lambda n: np.triu(np.ones((n, n), dtype="int32")), "expected a boolean array"),
    (lambda n: np.tril(np.ones((n, n), dtype=bool)).tolist(), "should be a NumPy array"),
    (lambda n: np.tril(np.ones((n, n + 1), dtype=bool)), "has shape"),
    (lambda n: np.eye(n, dtype=bool), "np.tril of a matrix of ones"),                         # no named cause
    (lambda n: None, "is None"),
    (stub, "not implemented yet"),
])
def test_check_causal_mask_rejects_mistakes(answer, text, capsys):
    line = _failing(checks.check_causal_mask, answer, capsys)
    assert text in line, line


# ----------------------------------------------------------------------------- Exercise 4: beam step


def _solution_beam_step(scores: np.ndarray, log_probs: np.ndarray, k: int):
    """The notebook's solution."""
    total = scores[:, None] + log_probs
    flat = total.reshape(-1)
    best = np.argsort(flat)[::-1][:k]
    return flat[best], best // log_probs.shape[1], best % log_probs.shape[1]


def _unravel(scores, log_probs, k):
    """Right too: argpartition then sort, unravel_index, int32 and float32."""
    total = scores[:, None] + log_probs
    best = np.argpartition(-total.ravel(), k - 1)[:k]
    best = best[np.argsort(-total.ravel()[best])]
    parents, tokens = np.unravel_index(best, total.shape)
    return total.ravel()[best].astype("float32"), parents.astype("int32"), tokens.astype("int32")


def test_check_beam_step_accepts_right_answers(capsys):
    for right in (beam_step, _solution_beam_step, _unravel):
        assert _verdict(checks.check_beam_step, right, capsys)[0]


def _variant(text):
    """The catalogued wrong answer whose cause contains ``text``."""
    [(variant, _cause)] = [(v, c) for v, c in ch09._beam_variants() if text in c][:1]
    return variant


def _adds_in_place(scores, log_probs, k):
    log_probs += scores[:, None]
    flat = log_probs.ravel()
    best = np.argsort(-flat)[:k]
    return flat[best], best // log_probs.shape[1], best % log_probs.shape[1]


@pytest.mark.parametrize(("answer", "text"), [
    (_variant("log_probs alone"), "You ranked the extensions by log_probs alone"),
    (lambda s, lp, k: tuple(np.asarray(a) for a in ch09._beam_variants()[1][0](s, lp, k)), "top k of each beam"),
    (lambda s, lp, k: ch09._beam_variants()[2][0](s, lp, k), "top k of each beam"),
    (_variant("multiplied the log-probabilities"), "You multiplied the log-probabilities"),
    (_variant("multiplied probabilities"), "You multiplied probabilities"),
    (_variant("(scores, tokens, parents)"), "the order is (new_scores, parents, tokens)"),
    (_variant("flat indices"), "take the flat index % vocab"),
    (_variant("number of beams"), "parent = index // vocab"),
    (_variant("worst first"), "return them best first"),
    (_variant("k lowest"), "You kept the k lowest scores"),
    (_variant("k - 1"), "You returned k - 1 extensions"),
    (_variant("k + 1"), "You returned k + 1 extensions"),
    (lambda s, lp, k: tuple(a.tolist() for a in beam_step(s, lp, k)), "should be a NumPy array"),
    (lambda s, lp, k: (beam_step(s, lp, k)[0], *(a.astype(float) for a in beam_step(s, lp, k)[1:])),
     "expected an integer array"),
    (lambda s, lp, k: list(beam_step(s, lp, k)), "should return a tuple of three arrays"),
    (lambda s, lp, k: beam_step(s, lp, k)[1:], "should return a tuple of three arrays"),
    (lambda s, lp, k: (beam_step(s, lp, k)[0] * np.nan, *beam_step(s, lp, k)[1:]), "new_scores is"),
    (lambda s, lp, k: (beam_step(s, lp, k)[0] + 1.0, *beam_step(s, lp, k)[1:]), "The score of an extension"),
    (_adds_in_place, "changed its input `log_probs` in place"),
    (lambda s, lp, k: None, "returned None"),
    (lambda s, lp, k: lp[99], "raised IndexError"),
    (stub, "not implemented yet"),
])
def test_check_beam_step_rejects_mistakes(answer, text, capsys):
    line = _failing(checks.check_beam_step, answer, capsys)
    assert text in line, line


def test_beam_cases_separate_the_variants():
    """On the check's cases, every catalogued variant differs from the right answer and the
    named ones from each other (so that a cause is named only when it is the real one)."""
    from utils.checks._core import agrees

    cases = ch09._beam_cases()
    outputs = [[v(*case) for case in cases] for v, _cause in ch09._beam_variants()]
    right = [beam_step(*case) for case in cases]
    for (_variant_fn, cause), out in zip(ch09._beam_variants(), outputs):
        assert not all(agrees(o, r) for o, r in zip(out, right)), cause


def test_chapter_09_checks_speak_chinese(tmp_path, monkeypatch, capsys):
    """The catalogue's Chinese for these checks, compiled into a temporary locale directory (the
    shipped .mo is rebuilt by `make student`)."""
    from utils import i18n, translate

    _po, mo = translate.runtime_catalogue("zh")
    (tmp_path / "zh" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "zh" / "LC_MESSAGES" / "utils.mo").write_bytes(mo)
    lp_alone = _variant("log_probs alone")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.reload()
    i18n.set_language("zh")
    try:
        assert checks.check_causal_mask(lambda n: np.tril(np.ones((n, n), dtype=bool), k=-1)) is False
        assert checks.check_beam_step(lp_alone) is False
        assert checks.check_sinusoidal_positions(_mistake(concat=True)) is False
        assert "加上每个假设的累计分数" in ch09._BEAM_VARIANTS[0][1]
    finally:
        i18n.set_language("en")
        i18n.reload()
    mask, beam, positions = capsys.readouterr().out.splitlines()
    assert mask == ("❌ look_ahead_mask：对于 length=4，元素 [0, 0]（query 0，key 0）为 False，应为 True。"
                    "你漏掉了对角线：一个标记必须能关注它自己（j <= i，而不是 j < i）。")
    assert beam.startswith("❌ lp_alone：对于分数为 [") and beam.endswith("scores[b] + log_probs[b, token]。")
    assert positions.startswith("❌ positional_encoding：对于 length=10、depth=8：") and "有效的变体" in positions
    assert ch09._BEAM_VARIANTS[0][1].startswith("you ranked")
