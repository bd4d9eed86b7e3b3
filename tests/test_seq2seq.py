import datetime as dt
import os
import re
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import ops

from utils import checks
from utils.seq2seq import (
    DATE_FORMATS,
    IncrementalDecoder,
    Peeky,
    Vocabulary,
    corpus_bleu,
    detokenize,
    exact_match,
    frequency_baseline_loss,
    greedy_decode,
    make_date_splits,
    seq2seq,
    teacher_forcing,
    translate,
    word_tokens,
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


def test_frequency_baseline_loss_is_the_smoothed_unigram_cross_entropy():
    train = np.array([[1, 5, 5, 2, 0], [1, 5, 6, 2, 0]])       # outputs 5 5 2 5 6 2: counts 5:3, 6:1, 2:2
    val = np.array([[1, 6, 2, 0, 0]])                            # outputs 6 2
    counts = np.ones(8) + np.bincount([5, 5, 2, 5, 6, 2], minlength=8)
    expected = -np.mean(np.log(counts[[6, 2]] / counts.sum()))
    assert frequency_baseline_loss(train, val, 8) == pytest.approx(expected)
    assert frequency_baseline_loss(train, train, 8) < np.log(8)   # frequencies beat the uniform guess
    with pytest.raises(ValueError, match="outside vocabulary_size"):
        frequency_baseline_loss(train, val, 6)
    with pytest.raises(ValueError, match="no output tokens"):
        frequency_baseline_loss(train, np.array([[1, 0, 0]]), 8)


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


# ----------------------------------------------------------------------------- argument validation


def test_make_date_splits_validates_its_arguments():
    with pytest.raises(ValueError, match="n_val must be at least 0, got -1"):
        make_date_splits(10, -1, 1)
    with pytest.raises(TypeError, match=r"n_train must be an integer, got 10\.0"):
        make_date_splits(10.0, 1, 1)
    with pytest.raises(TypeError, match="formats must be a list of str"):
        make_date_splits(10, 1, 1, formats="3/3/21")
    with pytest.raises(ValueError, match="seed"):
        make_date_splits(10, 1, 1, seed=-1)
    assert len(make_date_splits(0, 0, 2, formats=["3/3/21"])[2]) == 2


def test_vocabulary_rejects_a_string_where_a_list_is_expected():
    v = Vocabulary.of_chars(["abc"])
    with pytest.raises(TypeError, match=r"wrap it in a list.*encode\(\['abc'\]"):
        v.encode("abc", 5)  # used to return 3 rows, one per character
    assert v.encode(["abc"], 5).shape == (1, 5)
    with pytest.raises(TypeError, match="wrap it in a list"):
        Vocabulary.of_chars("abc")
    with pytest.raises(TypeError, match="tokens must be an iterable of tokens, got one str"):
        Vocabulary("abc")
    with pytest.raises(TypeError, match=r"sentences\[0\] must be a list of tokens.*word_tokens"):
        Vocabulary.of_words(["hello world"])
    with pytest.raises(TypeError, match="tokens must be str, got 5"):
        v.encode([[5]], 3)


def test_vocabulary_validates_length_min_count_and_flags():
    v = Vocabulary.of_chars(["abc"])
    with pytest.raises(ValueError, match="length must be at least 1, got 0"):
        v.encode(["a"], 0)
    with pytest.raises(TypeError, match="length must be an integer, got '5'"):
        v.encode(["a"], "5")
    with pytest.raises(TypeError, match="start must be True or False"):
        v.encode(["a"], 3, start=1)
    with pytest.raises(ValueError, match="min_count must be at least 1, got 0"):
        Vocabulary.of_words([["a"]], min_count=0)
    with pytest.raises(TypeError, match="unknown must be True or False"):
        Vocabulary.of_chars(["a"], unknown="yes")


def test_decode_rejects_ids_outside_the_vocabulary():
    v = Vocabulary.of_chars(["ab"])  # 5 tokens: <pad> <s> </s> a b
    assert v.decode([3, 4, 2, 3]) == "ab" and v.decode([]) == "" and v.decode(np.array([4, 3])) == "ba"
    with pytest.raises(ValueError, match=r"id -1 is outside the vocabulary: valid ids are 0…4 \(5 tokens\)"):
        v.decode([3, -1])  # used to wrap around to the last token
    with pytest.raises(ValueError, match=r"id 99 is outside the vocabulary.*5 tokens"):
        v.decode([99])  # used to raise a bare IndexError
    with pytest.raises(TypeError, match="decode a matrix row by row"):
        v.decode(np.array([[3, 4], [4, 3]]))
    with pytest.raises(TypeError, match="ids must be integers, got dtype float"):
        v.decode([3.0, 4.0])
    with pytest.raises(TypeError, match="join must be a str"):
        v.decode([3], join=None)


def test_teacher_forcing_validates_the_matrix():
    with pytest.raises(ValueError, match=r"2-d array .* got shape \(4,\)"):
        teacher_forcing(np.array([1, 5, 2, 0]))
    with pytest.raises(ValueError, match="at least 2 steps"):
        teacher_forcing(np.array([[1], [1]]))
    with pytest.raises(TypeError, match="integer id matrix"):
        teacher_forcing(np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match="end must be at least 0"):
        teacher_forcing(np.array([[1, 2]]), end=-1)


def test_greedy_decode_validates_its_arguments():
    step = checks._toy_decoder()
    with pytest.raises(ValueError, match="batch must be at least 1, got 0"):
        greedy_decode(step, np.array([]), 0, start=1, end=2, max_length=3)
    with pytest.raises(ValueError, match="max_length must be at least 1, got 0"):
        greedy_decode(step, np.array([0]), 1, start=1, end=2, max_length=0)
    with pytest.raises(TypeError, match="batch must be an integer, got True"):
        greedy_decode(step, np.array([0]), True, start=1, end=2, max_length=3)
    with pytest.raises(ValueError, match="start and end must be different ids, got 1"):
        greedy_decode(step, np.array([0]), 1, start=1, end=1, max_length=3)
    with pytest.raises(ValueError, match="end=12 must be ids below the 10 logits"):
        greedy_decode(step, np.array([0]), 1, start=1, end=12, max_length=3)
    with pytest.raises(ValueError, match=r"logits of shape \(batch, vocab\) = \(3, vocab\), got shape \(3,\)"):
        greedy_decode(lambda tokens, state: (np.zeros(len(tokens)), state), None, 3, start=1, end=2, max_length=3)
    with pytest.raises(TypeError, match="step must be a function"):
        greedy_decode("step", np.array([0]), 1, start=1, end=2, max_length=3)


def test_exact_match_validates_types():
    with pytest.raises(TypeError, match="predictions must be a list of str"):
        exact_match("2021-03-03", ["2021-03-03"])
    with pytest.raises(TypeError, match=r"references\[1\] must be a str, got 3"):
        exact_match(["a", "b"], ["a", 3])
    with pytest.raises(ValueError, match="no references"):
        exact_match([], [])


# ----------------------------------------------------------------------------- words, detokenization, BLEU


def _old_english_tokens(sentence):
    """Chapter 07's English tokenizer before word_tokens (ASCII letters only)."""
    return re.findall(r"[a-z0-9']+|[^\sa-z0-9']", sentence.lower())


def test_word_tokens_keep_unicode_words_whole():
    assert word_tokens("¿Quién está aquí?") == ["¿", "quién", "está", "aquí", "?"]
    assert word_tokens("¡Él habló con la niña!") == ["¡", "él", "habló", "con", "la", "niña", "!"]
    assert word_tokens("André-Louis, Ryūtarō") == ["andré", "-", "louis", ",", "ryūtarō"]
    assert word_tokens("Venus doesn’t have any moons.") == ["venus", "doesn", "’", "t", "have", "any", "moons", "."]
    assert word_tokens("Quién", lower=False) == ["Quién"]
    with pytest.raises(TypeError, match=r"sentence must be a str.*\[word_tokens\(s\) for s in sentences\]"):
        word_tokens(["a b"])
    with pytest.raises(TypeError, match="lower must be True or False"):
        word_tokens("a", lower=None)


def test_word_tokens_match_the_old_english_tokenizer_on_ascii():
    # apostrophes inside and at the end of words, digits, punctuation runs, quotes
    sentences = ["Don't do that!", "I'd like to cash a travelers' check.", "It's 5 o'clock.", "He's 52nd...",
                 "Tom's at home; we're not.", "Call 555-0199 (ext. 3)?", 'She said "no".', "Rock'n'roll!",
                 "I'm 100% sure, aren't you?", "Where's the boys' bicycle?"]
    for s in sentences:
        assert word_tokens(s) == _old_english_tokens(s), s


def test_detokenize_attaches_punctuation():
    assert detokenize(["¿", "quién", "está", "aquí", "?"]) == "¿quién está aquí?"
    assert detokenize(["¡", "hola", ",", "tom", "!"]) == "¡hola, tom!"
    assert detokenize(["he", "said", '"', "hello", '"', "to", "me", "."]) == 'he said "hello" to me.'
    assert detokenize(["it", "is", "(", "i", "think", ")", "a", "well", "-", "known", "man", ":", "yes", ";"]) \
        == "it is (i think) a well-known man: yes;"
    assert detokenize(["“", "sí", "”", ",", "dijo", "«", "él", "»", "."]) == "“sí”, dijo «él»."
    assert detokenize(["the", "word", "'", "australia", "?", "'"]) == "the word 'australia?'"
    assert detokenize(word_tokens("Venus doesn’t, ‘I’m’ she said.")) == "venus doesn’t, ‘i’m’ she said."
    assert detokenize(word_tokens("It's 3:30, I have $1,000.50.")) == "it's 3:30, i have $1,000.50."
    assert detokenize(["a", ":", "3", ",", "b", "."]) == "a: 3, b."
    assert detokenize([]) == ""
    with pytest.raises(TypeError, match=r"got one str 'hola': split it first"):
        detokenize("hola")
    with pytest.raises(TypeError, match=r"tokens\[1\] must be a str"):
        detokenize(["a", 1])


def test_detokenize_inverts_word_tokens_on_ordinary_sentences():
    sentences = ["¿Dónde está la estación?", "¡Qué día tan bonito!", "No, gracias.", "Tom dijo: «ven aquí».",
                 "I don't know (yet).", "She's a well-known singer.", "Él tiene 3 hermanos; yo, 2."]
    for s in sentences:
        assert detokenize(word_tokens(s)) == s.lower()


def test_corpus_bleu_on_detokenized_text():
    import sacrebleu

    refs = ["¿quién está aquí?", "el gato duerme en la cama.", "no lo sé."]
    assert corpus_bleu(refs, refs).score == pytest.approx(100.0)
    hyps = ["¿quién está allí?", "el gato duerme en la mesa.", "no sé."]
    expected = sacrebleu.corpus_bleu(hyps, [refs]).score
    assert 0 < expected < 100
    assert corpus_bleu(hyps, refs).score == pytest.approx(expected)
    # token lists are detokenized first: the score is the one of the text, not of "¿ quién …"
    assert corpus_bleu([word_tokens(h) for h in hyps], [word_tokens(r) for r in refs]).score == pytest.approx(expected)
    assert corpus_bleu(hyps, [r.upper() for r in refs], lowercase=True).score == pytest.approx(expected)
    assert corpus_bleu(hyps, [r.upper() for r in refs]).score < expected
    zh_h, zh_r = ["我爱你。", "他是学生。"], ["我爱你。", "她是学生。"]
    assert corpus_bleu(zh_h, zh_r, tokenize="zh").score == pytest.approx(
        sacrebleu.corpus_bleu(zh_h, [zh_r], tokenize="zh").score)


def test_corpus_bleu_validates_its_arguments():
    with pytest.raises(ValueError, match="2 hypotheses for 1 references"):
        corpus_bleu(["a", "b"], ["a"])
    with pytest.raises(TypeError, match="hypotheses must be a list with one str"):
        corpus_bleu("a b", ["a b"])
    with pytest.raises(ValueError, match="tokenize must be one of sacrebleu's tokenizers"):
        corpus_bleu(["a"], ["a"], tokenize="chinese")
    with pytest.raises(ValueError, match="no sentences"):
        corpus_bleu([], [])
    with pytest.raises(TypeError, match=r"references\[0\] must be a str or a list of str tokens"):
        corpus_bleu(["a"], [3])


# ----------------------------------------------------------------------------- the model and translate


def _gru_params(inputs, units):
    return 3 * (inputs * units + units * units + 2 * units)  # Keras GRU, reset_after=True


def test_seq2seq_builds_every_variant_with_the_chapter_architecture():
    S, T, V_SRC, V_TGT, UNITS, EMBED = 7, 5, 30, 13, 16, 8
    x = np.random.default_rng(0).integers(1, V_SRC, size=(3, S)).astype("int32")
    x[0, 4:] = 0
    y = np.random.default_rng(1).integers(1, V_TGT, size=(3, T)).astype("int32")
    base = (V_SRC * EMBED + V_TGT * EMBED + _gru_params(EMBED, UNITS))  # embeddings + encoder
    expected = {
        (False, False): base + _gru_params(EMBED, UNITS) + UNITS * V_TGT + V_TGT,
        (True, False): base + _gru_params(EMBED + UNITS, UNITS) + 2 * UNITS * V_TGT + V_TGT,
        (False, True): base + _gru_params(EMBED, UNITS) + 2 * UNITS * V_TGT + V_TGT,
        (True, True): base + _gru_params(EMBED + UNITS, UNITS) + 3 * UNITS * V_TGT + V_TGT,
    }
    for (peeky, attention), params in expected.items():
        model = seq2seq(peeky, keras.layers.Attention(name="attention") if attention else None,
                        src_size=V_SRC, tgt_size=V_TGT, units=UNITS, embed=EMBED, name="m")
        assert tuple(model([x, y]).shape) == (3, T, V_TGT)
        assert model.count_params() == params, (peeky, attention)
        names = {layer.name for layer in model.layers}
        assert {"encoder", "decoder", "logits"} <= names and ("attention" in names) == attention
        assert ({"peeky_input", "peeky_output"} <= names) == peeky
    # the decoder starts from the encoder's final state: changing the source changes the output
    model = seq2seq(src_size=V_SRC, tgt_size=V_TGT, units=UNITS, embed=EMBED)
    other = x.copy()
    other[:, 0] = (other[:, 0] % (V_SRC - 1)) + 1
    assert not np.allclose(model([x, y]), model([other, y]))
    # padding is masked: extra padding at the end of the source does not change the logits
    padded = np.concatenate([x, np.zeros((3, 4), dtype="int32")], axis=1)
    np.testing.assert_allclose(model([x, y]), model([padded, y]), atol=1e-5)


def test_peeky_concatenates_the_context_and_keeps_the_mask():
    sequence = np.arange(2 * 3 * 2, dtype="float32").reshape(2, 3, 2)
    context = np.array([[10.0], [20.0]], dtype="float32")
    out = ops.convert_to_numpy(Peeky()(sequence, context))
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out[..., :2], sequence)
    np.testing.assert_array_equal(out[..., 2], [[10, 10, 10], [20, 20, 20]])
    mask = np.array([[True, True, False], [True, False, False]])
    assert Peeky().compute_mask(sequence, context, mask) is mask


def test_seq2seq_validates_its_arguments():
    with pytest.raises(TypeError, match="attention must be a Keras layer"):
        seq2seq(attention="dot", src_size=5, tgt_size=5)
    with pytest.raises(ValueError, match="src_size must be at least 3, got 2"):
        seq2seq(src_size=2, tgt_size=5)
    with pytest.raises(TypeError, match="units must be an integer"):
        seq2seq(src_size=5, tgt_size=5, units=1.5)
    with pytest.raises(TypeError, match="peeky must be True or False"):
        seq2seq("yes", src_size=5, tgt_size=5)
    with pytest.raises(TypeError, match="missing 2 required keyword-only arguments"):
        seq2seq()


def _copy_model(vocab_size):
    """A fake model whose next token is the source token at the same position (then </s>)."""

    def model(inputs, training=False):
        source, prefix = (np.asarray(a) for a in inputs)
        steps = prefix.shape[1]
        padded = np.concatenate([source, np.zeros((len(source), steps), dtype=source.dtype)], axis=1)
        nxt = np.where(padded[:, :steps] == 0, 2, padded[:, :steps])  # copy, </s> at the padding
        logits = np.zeros((len(source), steps, vocab_size), dtype="float32")
        np.put_along_axis(logits, nxt[..., None], 1.0, axis=-1)
        return logits

    return model


def test_translate_decodes_in_chunks_with_the_given_search():
    vocab = Vocabulary.of_chars(["abcdef"])
    texts = ["abc", "fed", "a", "bad", "cafe", "e"]
    x = vocab.encode(texts, 6)
    model = _copy_model(len(vocab))
    assert translate(model, x, vocab, 6) == texts
    assert translate(model, x, vocab, 6, max_logits=1) == texts  # one source at a time
    assert translate(model, x, vocab, 2) == [t[:2] for t in texts]
    assert translate(model, x[:2], vocab, 6, join=" ") == ["a b c", "f e d"]
    calls = []

    def spy(*args):
        calls.append(args[2:])
        return greedy_decode(*args)

    assert translate(model, x, vocab, 6, decode=spy, max_logits=4 * 6 * len(vocab)) == texts
    assert calls == [(4, vocab.start, vocab.end, 6), (2, vocab.start, vocab.end, 6)]
    assert translate(model, x[:0], vocab, 6) == []


def test_translate_validates_its_arguments():
    vocab = Vocabulary.of_chars(["ab"])
    model = _copy_model(len(vocab))
    with pytest.raises(ValueError, match=r"sources must be a 2-d id matrix.*got shape \(3,\)"):
        translate(model, np.array([3, 4, 3]), vocab, 3)
    with pytest.raises(TypeError, match="vocab must be the target Vocabulary"):
        translate(model, np.array([[3]]), ["a", "b"], 3)
    with pytest.raises(ValueError, match="max_length must be at least 1, got 0"):
        translate(model, np.array([[3]]), vocab, 0)
    with pytest.raises(TypeError, match="model must be a Keras model"):
        translate("model", np.array([[3]]), vocab, 3)
    with pytest.raises(TypeError, match="decode must be a function"):
        translate(model, np.array([[3]]), vocab, 3, decode=None)


def _variants():
    """Every decoder the chapter builds: plain, peeky, dot-product and additive attention, both."""
    return [(False, None), (True, None), (False, "dot"), (False, "additive"), (True, "dot"), (True, "additive")]


def _random_seq2seq(peeky, attention, seed=1):
    keras.utils.set_random_seed(seed)
    layer = {None: None, "dot": keras.layers.Attention(name="attention"),
             "additive": keras.layers.AdditiveAttention(name="attention")}[attention]
    return seq2seq(peeky, layer, src_size=20, tgt_size=14, units=16, embed=8)


def _sources(n=48, length=9, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, length + 1, n)
    return np.where(np.arange(length)[None] < lengths[:, None], rng.integers(3, 20, (n, length)), 0).astype("int32")


def _prefix_decode(model, x, max_length):
    """The chapter's first decoding: re-run the whole model on the growing prefix at every step."""

    def step(tokens, prefix):
        prefix = np.concatenate([prefix, tokens[:, None]], axis=1)
        return ops.convert_to_numpy(model([x, prefix], training=False))[:, -1], prefix

    return greedy_decode(step, np.zeros((len(x), 0), dtype="int32"), len(x), 1, 2, max_length)


@pytest.mark.parametrize(("peeky", "attention"), _variants())
def test_incremental_decoder_gives_the_logits_of_the_whole_model(peeky, attention):
    # random prefixes with pad ids (0) in the middle and at the end: every position's logits agree
    model, x = _random_seq2seq(peeky, attention), _sources(16)
    rng = np.random.default_rng(2)
    prefix = rng.integers(0, 14, (16, 8)).astype("int32")
    prefix[rng.random(prefix.shape) < 0.3] = 0
    prefix[:, 0], prefix[:3, 5:] = 1, 0
    full = ops.convert_to_numpy(model([x, prefix]))
    decoder = IncrementalDecoder(model)
    state = decoder.start(x)
    for t in range(prefix.shape[1]):
        logits, state = decoder.step(prefix[:, t], state)
        np.testing.assert_allclose(logits, full[:, t], atol=1e-5, err_msg=f"step {t}")


@pytest.mark.parametrize(("peeky", "attention"), _variants())
def test_incremental_decoding_is_token_for_token_the_prefix_decoding(peeky, attention):
    model, x = _random_seq2seq(peeky, attention), _sources()
    vocab = Vocabulary([str(i) for i in range(3, 14)])                 # 14 tokens, as the model's output
    slow = _prefix_decode(model, x, 12)
    decoder = IncrementalDecoder(model)
    fast = greedy_decode(decoder.step, decoder.start(x), len(x), 1, 2, 12)
    np.testing.assert_array_equal(fast, slow)
    assert len(np.unique(slow)) > 4                                   # the random model is not constant
    texts = translate(model, x, vocab, 12, join=" ", incremental=False)
    assert translate(model, x, vocab, 12, join=" ") == texts            # the default: incremental for seq2seq
    assert translate(model, x, vocab, 12, join=" ", incremental=True, max_logits=5 * 12 * 14) == texts


def test_incremental_decoding_matches_on_a_trained_date_model():
    train, val, _ = make_date_splits(1500, 200, 0, seed=1)
    src, tgt = Vocabulary.of_chars(train.source), Vocabulary.of_chars(train.target)
    dec_in, dec_out = teacher_forcing(tgt.encode(train.target, 12, start=True, end=True))
    keras.utils.set_random_seed(0)
    model = seq2seq(attention=keras.layers.Attention(name="attention"), src_size=len(src), tgt_size=len(tgt),
                    units=32, embed=16)
    model.compile(optimizer=keras.optimizers.Adam(5e-3), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit([src.encode(train.source, 32), dec_in], dec_out, batch_size=64, epochs=2, verbose=0)
    x = src.encode(val.source, 32)
    texts = translate(model, x, tgt, 11, incremental=False)
    assert translate(model, x, tgt, 11) == texts
    assert sum(t[:2] in ("19", "20") for t in texts) > 100              # it has learned something


def test_incremental_decoder_refuses_other_models():
    vocab = Vocabulary.of_chars(["ab"])
    with pytest.raises(TypeError, match="model must be a Keras model built by seq2seq"):
        IncrementalDecoder(_copy_model(len(vocab)))
    with pytest.raises(TypeError, match="model must be a Keras model built by seq2seq"):
        translate(_copy_model(len(vocab)), np.array([[3]]), vocab, 3, incremental=True)
    inputs = keras.Input((None,), dtype="int32")
    other = keras.Model(inputs, keras.layers.Dense(3, name="logits")(keras.layers.Embedding(5, 2)(inputs)))
    with pytest.raises(ValueError, match="has no layer"):
        IncrementalDecoder(other)
    with pytest.raises(TypeError, match="incremental must be True or False"):
        translate(_copy_model(len(vocab)), np.array([[3]]), vocab, 3, incremental="yes")


# ----------------------------------------------------------------------------- English → Spanish, end to end

SPA_ENG = Path(os.environ.get("COURSE_DATA_DIR", "/nonexistent")) / "spa-eng.zip"


def _english_spanish(seed: int, n_train: int = 8000, epochs: int = 5, batch_size: int = 64) -> dict:
    """The chapter 07 pipeline on short English → Spanish pairs: load_pairs, word_tokens
    vocabularies, the utils builder with attention, translate, detokenize, corpus BLEU."""
    from utils.data import load_pairs

    train, val, test = load_pairs(SPA_ENG, max_source_words=4, max_target_words=4)
    rng = np.random.default_rng(0)

    def sample(pairs, n):
        rows = rng.choice(len(pairs), size=n, replace=False)
        return [word_tokens(pairs.source[i]) for i in rows], [word_tokens(pairs.target[i]) for i in rows], \
            [pairs.target[i] for i in rows]

    (src_tr, tgt_tr, _), (src_va, tgt_va, _), (src_te, _, refs) = sample(train, n_train), sample(val, 300), \
        sample(test, 300)
    en, es = Vocabulary.of_words(src_tr, min_count=2), Vocabulary.of_words(tgt_tr, min_count=2)
    S, T = max(map(len, src_tr + src_va + src_te)), max(map(len, tgt_tr + tgt_va)) + 2
    dec_in, dec_out = teacher_forcing(es.encode(tgt_tr, T, start=True, end=True))
    val_in, val_out = teacher_forcing(es.encode(tgt_va, T, start=True, end=True))
    keras.utils.set_random_seed(seed)
    model = seq2seq(attention=keras.layers.Attention(name="attention"), src_size=len(en), tgt_size=len(es),
                    units=64, embed=32)
    model.compile(optimizer=keras.optimizers.Adam(5e-3, clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x_val = en.encode(src_va, S)
    untrained = model.evaluate([x_val, val_in], val_out, verbose=0)
    model.fit([en.encode(src_tr, S), dec_in], dec_out, batch_size=batch_size, epochs=epochs, verbose=0)
    trained = model.evaluate([x_val, val_in], val_out, verbose=0)
    hypotheses = [detokenize(h.split(" ")) for h in translate(model, en.encode(src_te, S), es, T - 1, join=" ")]
    most_common = max(set(map(tuple, tgt_tr)), key=tgt_tr.count)   # one answer for every sentence
    return {"log_v": float(np.log(len(es))), "untrained": untrained, "trained": trained,
            "bleu": corpus_bleu(hypotheses, refs, lowercase=True).score,
            "constant_bleu": corpus_bleu([list(most_common)] * len(refs), refs, lowercase=True).score,
            "hypotheses": hypotheses}


@pytest.mark.skipif(not SPA_ENG.is_file(), reason="spa-eng.zip is not in COURSE_DATA_DIR")
def test_english_to_spanish_learns():
    run = _english_spanish(seed=0)
    # untrained: about log(V); trained: far below it (seeds 0-2 gave about 0.26 log V)
    assert abs(run["untrained"] - run["log_v"]) < 0.3
    assert run["trained"] < 0.5 * run["log_v"] and run["trained"] < run["untrained"] - 3
    # seeds 0-2 gave BLEU 3.6-4.6; one answer for every sentence gets far less
    assert run["bleu"] > 1.5 and run["bleu"] > 2 * run["constant_bleu"]
    assert any(not h.isascii() for h in run["hypotheses"]), "accented Spanish words come out whole"
