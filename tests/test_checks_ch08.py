"""Chapter 08 checks: the reference passes, and the catalogue of wrong answers is rejected."""

import numpy as np

from utils import checks


def test_check_perplexity(capsys):
    from utils.lm import perplexity

    assert checks.check_perplexity(perplexity)
    capsys.readouterr()
    assert not checks.check_perplexity(lambda p: float(np.exp(-np.sum(np.log(p)))))
    assert "mean of the log-probabilities" in capsys.readouterr().out
    assert not checks.check_perplexity(lambda p: float(1 / np.mean(p)))


def test_check_bigram_probability():
    from utils.lm import bigram_probability

    assert checks.check_bigram_probability(bigram_probability)
    assert not checks.check_bigram_probability(lambda c, p, t, v: (c.get((p, t), 0) + 1) / (sum(c.values()) + len(v)))
    assert not checks.check_bigram_probability(lambda c, p, t, v: c.get((p, t), 0) / max(1, sum(
        n for (a, _), n in c.items() if a == p)))


def test_check_sample_with_temperature():
    def right(logits, temperature, rng):
        z = logits / temperature
        p = np.exp(z - z.max())
        return int(rng.choice(len(p), p=p / p.sum()))

    def ignores_temperature(logits, temperature, rng):
        return right(logits, 1.0, rng)

    def global_rng(logits, temperature, rng):
        z = np.exp(logits / temperature)
        return int(np.random.choice(len(z), p=z / z.sum()))

    assert checks.check_sample_with_temperature(right)
    assert not checks.check_sample_with_temperature(ignores_temperature)
    assert not checks.check_sample_with_temperature(global_rng)
