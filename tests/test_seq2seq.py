import datetime as dt

import numpy as np
import pytest

from utils import checks
from utils.seq2seq import (
    DATE_FORMATS,
    Vocabulary,
    exact_match,
    greedy_decode,
    make_date_splits,
    teacher_forcing,
)


def test_every_format_on_a_known_date():
    d = dt.date(2021, 3, 3)
    spelled = {name: f(d) for name, f in DATE_FORMATS.items()}
    assert spelled["March 3, 2021"] == "March 3, 2021"
    assert spelled["Wednesday, 3 March 2021"] == "Wednesday, 3 March 2021"  # 2021-03-03 was a Wednesday
    assert spelled["the 3rd of March, 2021"] == "the 3rd of March, 2021"
    assert spelled["3/3/21"] == "3/3/21" and spelled["20210303"] == "20210303"
    # the format names are themselves the example date
    assert all(name == text for name, text in spelled.items())
    assert DATE_FORMATS["the 3rd of March, 2021"](dt.date(2021, 3, 11)) == "the 11th of March, 2021"
    assert DATE_FORMATS["the 3rd of March, 2021"](dt.date(2021, 3, 22)) == "the 22nd of March, 2021"


def test_splits_are_seeded_disjoint_by_date_and_correct():
    train, val, test = make_date_splits(3000, 500, 500, seed=3)
    again = make_date_splits(3000, 500, 500, seed=3)
    assert train == again[0] and test == again[2]
    assert (len(train), len(val), len(test)) == (3000, 500, 500)
    assert not set(train.target) & set(test.target) and not set(val.target) & set(test.target)
    for source, target, name in zip(test.source, test.target, test.format):
        assert DATE_FORMATS[name](dt.date.fromisoformat(target)) == source
    assert len(set(train.format)) == len(DATE_FORMATS), "every format should occur"
    assert make_date_splits(3000, 500, 500, seed=4)[0] != train
    with pytest.raises(ValueError, match="distinct dates"):
        make_date_splits(40_000, 0, 0)
    with pytest.raises(ValueError, match="unknown date formats"):
        make_date_splits(10, 1, 1, formats=["31/12/99"])


def test_vocabulary_round_trip_and_errors():
    v = Vocabulary.of_chars(["2021-03-03", "1999-12-31"])
    assert v.tokens[:3] == ["<pad>", "<s>", "</s>"] and (v.pad, v.start, v.end) == (0, 1, 2)
    x = v.encode(["2021-03-03"], 13, start=True, end=True)
    assert x[0, 0] == v.start and x[0, 11] == v.end and x[0, 12] == 0
    assert v.decode(x[0]) == "2021-03-03"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        v.encode(["2021/03/03"], 12)
    with pytest.raises(ValueError, match="more than length"):
        v.encode(["2021-03-03"], 5)
    words = Vocabulary.of_words([["i", "like", "cats"], ["i", "run"]], min_count=2)
    assert words.decode(words.encode([["i", "like"]], 3)[0], join=" ") == "i <unk>"


def test_teacher_forcing_shifts_by_one():
    rows = np.array([[1, 5, 6, 2, 0], [1, 7, 2, 0, 0]])
    decoder_in, decoder_out = teacher_forcing(rows)
    assert decoder_in.tolist() == [[1, 5, 6, 0], [1, 7, 0, 0]]
    assert decoder_out.tolist() == [[5, 6, 2, 0], [7, 2, 0, 0]]


def test_greedy_decode_and_exact_match():
    step = checks._toy_decoder()
    out = greedy_decode(step, np.array([0, 1]), 2, start=1, end=2, max_length=8)
    assert out.tolist() == [[3, 5, 6, 8, 9, 2, 0, 0], [4, 5, 7, 8, 2, 0, 0, 0]]
    assert exact_match(["a", "b"], ["a", "c"]) == 0.5
    with pytest.raises(ValueError):
        exact_match(["a"], ["a", "b"])


def test_load_cmn_filters_and_keeps_sentences_in_one_split():
    from utils.data import load_cmn

    train, val, test = load_cmn(max_source_words=6, max_target_chars=10)
    assert len(train) > 6 * len(test) > 0 and len(val) > 0  # 80 / 10 / 10 by sentence groups
    assert max(len(s.split()) for s in train.source) <= 6 and max(len(t) for t in test.target) <= 10
    assert not set(train.source) & set(test.source) and not set(val.source) & set(test.source)
    assert all(a.startswith("CC-BY 2.0 (France)") for a in test.attribution)
    assert load_cmn(max_source_words=6, max_target_chars=10)[2] == test
