"""Chapter 04 checks: the reference passes, and the catalogue of wrong answers is rejected."""

import numpy as np

from utils import checks


def test_check_merge_shape():
    def right(mode, batch, steps, units, return_sequences):
        one = (batch, steps, units) if return_sequences else (batch, units)
        if mode is None:
            return [one, one]
        return (*one[:-1], 2 * units) if mode == "concat" else one

    assert checks.check_merge_shape(right)
    assert checks.check_merge_shape(lambda *a: [list(s) for s in right(*a)] if a[0] is None else list(right(*a)))
    assert not checks.check_merge_shape(lambda m, b, t, u, r: (b, t, 2 * u) if r else (b, 2 * u))  # always concat
    assert not checks.check_merge_shape(lambda *a: 3)


def test_check_attention_weights():
    from utils.attention import masked_softmax

    assert checks.check_attention_weights(masked_softmax)

    def unmasked(scores, mask):
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def overflowing(scores, mask):
        e = np.exp(scores) * mask
        return e / e.sum(axis=1, keepdims=True)

    assert not checks.check_attention_weights(unmasked)
    with np.errstate(over="ignore", invalid="ignore"):
        assert not checks.check_attention_weights(overflowing)


def test_check_reverse_reviews(capsys):
    from utils.attention import reverse_sequences

    assert checks.check_reverse_reviews(reverse_sequences)
    capsys.readouterr()
    assert not checks.check_reverse_reviews(lambda x: x[:, ::-1])
    assert "moves the padding to the front" in capsys.readouterr().out
    assert not checks.check_reverse_reviews(lambda x: x)
