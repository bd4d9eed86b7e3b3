"""Chapter 09's NumPy references: scaled dot-product and multi-head attention against
``keras.layers.MultiHeadAttention`` (same weights, <= 1e-5), the sinusoidal position table, the
causal and padding masks, and beam search (one step by hand; the whole search against greedy
decoding, an exhaustive search and a length-penalty case)."""

import itertools

import keras
import numpy as np
import pytest
from keras import ops

from utils.attention import (
    causal_mask,
    combine_masks,
    masked_softmax,
    merge_heads,
    multi_head_attention,
    padding_mask,
    scaled_dot_product_attention,
    sinusoidal_positions,
    split_heads,
)
from utils.checks.ch07 import _table_decoder, _toy_decoder
from utils.seq2seq import IncrementalDecoder, beam_search, beam_step, greedy_decode, seq2seq

# ----------------------------------------------------------------------------- masks


def test_causal_mask_is_lower_triangular_bool():
    m = causal_mask(4)
    assert m.dtype == bool and m.shape == (4, 4)
    np.testing.assert_array_equal(m, np.arange(4)[None, :] <= np.arange(4)[:, None])
    assert m.diagonal().all() and not m[0, 1:].any()
    assert causal_mask(1).tolist() == [[True]]
    with pytest.raises(ValueError, match="at least 1"):
        causal_mask(0)
    with pytest.raises(TypeError, match="integer"):
        causal_mask(3.0)


def test_padding_mask_broadcasts_over_queries_and_combines():
    ids = np.array([[5, 6, 0, 0], [7, 8, 9, 1]])
    m = padding_mask(ids)
    assert m.shape == (2, 1, 4) and m.dtype == bool
    np.testing.assert_array_equal(m[:, 0], ids != 0)
    np.testing.assert_array_equal(padding_mask(ids, pad=1)[1, 0], [True, True, True, False])
    both = combine_masks(m, causal_mask(4), None)
    assert both.shape == (2, 4, 4)
    np.testing.assert_array_equal(both[0, 3], [True, True, False, False])
    np.testing.assert_array_equal(both[1], causal_mask(4))
    assert combine_masks(None, None) is None
    with pytest.raises(TypeError, match="integer"):
        padding_mask(np.ones((2, 3)))
    with pytest.raises(ValueError, match="2-D array"):
        padding_mask(np.ones(3, dtype=int))
    with pytest.raises(ValueError, match="does not broadcast"):
        combine_masks(np.ones((2, 3), bool), np.ones((4,), bool))
    with pytest.raises(ValueError, match="additive mask"):
        combine_masks(np.where(causal_mask(3), 0.0, -np.inf))


# ----------------------------------------------------------------------------- scaled dot-product attention


def test_scaled_dot_product_attention_by_hand():
    q = np.array([[1.0, 0.0]])
    k = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    v = np.array([[1.0], [2.0], [4.0]])
    out, w = scaled_dot_product_attention(q, k, v)
    e = np.exp(np.array([1.0, 0.0, 1.0]) / np.sqrt(2))
    np.testing.assert_allclose(w, [e / e.sum()])
    np.testing.assert_allclose(out, [[(e / e.sum()) @ [1.0, 2.0, 4.0]]])
    out, w = scaled_dot_product_attention(q, k, v, np.array([True, False, True]))
    np.testing.assert_allclose(w, [[0.5, 0.0, 0.5]])
    np.testing.assert_allclose(out, [[2.5]])


def test_scaled_dot_product_attention_heads_masks_and_dtypes():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 6, 7))
    mask = rng.random((2, 1, 4, 6)) < 0.7
    mask[0, 0, 2] = False                                   # a query with no allowed key
    out, w = scaled_dot_product_attention(q, k, v, mask)
    assert out.shape == (2, 3, 4, 7) and w.shape == (2, 3, 4, 6) and out.dtype == np.float64
    scores = np.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(5)
    np.testing.assert_allclose(w, masked_softmax(scores, np.broadcast_to(mask, scores.shape)), atol=1e-12)
    np.testing.assert_allclose(out, np.einsum("bhqk,bhkd->bhqd", w, v), atol=1e-12)
    assert np.all(w[np.broadcast_to(~mask, w.shape)] == 0)
    np.testing.assert_array_equal(w[0, :, 2], 0.0)         # fully masked: zero weights, zero output, no NaN
    np.testing.assert_array_equal(out[0, :, 2], 0.0)
    out32, w32 = scaled_dot_product_attention(q.astype("float32"), k.astype("float32"), v.astype("float32"))
    assert out32.dtype == w32.dtype == np.float32
    with pytest.raises(ValueError, match="same last axis d"):
        scaled_dot_product_attention(q, k[..., :4], v)
    with pytest.raises(ValueError, match="number of keys"):
        scaled_dot_product_attention(q, k, v[..., :5, :])
    with pytest.raises(ValueError, match="does not broadcast to the scores"):
        scaled_dot_product_attention(q, k, v, np.ones((2, 4, 6), bool))
    with pytest.raises(ValueError, match="at least 2 axes"):
        scaled_dot_product_attention(np.ones(3), np.ones(3), np.ones(3))


# ----------------------------------------------------------------------------- multi-head attention vs Keras


def _layer(num_heads, key_dim, value_dim, query_shape, value_shape, key_shape=None, use_bias=True, seed=0):
    """A built MultiHeadAttention with random (non-zero) weights, biases included."""
    layer = keras.layers.MultiHeadAttention(num_heads=num_heads, key_dim=key_dim, value_dim=value_dim,
                                            use_bias=use_bias)
    layer.build(query_shape, value_shape, key_shape)
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in layer.get_weights()])
    return layer


CASES = [  # (batch, Tq, Tk, Dq, Dv, Dk or None, heads, key_dim, value_dim, cross)
    (2, 5, 5, 8, 8, None, 2, 4, None, False),      # self-attention
    (3, 4, 6, 8, 6, None, 3, 5, 2, True),          # cross-attention, Tq ≠ Tk, value_dim ≠ key_dim
    (2, 3, 7, 6, 5, 4, 4, 3, 6, True),             # separate key input
    (1, 6, 6, 16, 16, None, 1, 16, None, False),   # one head
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("masking", ["none", "padding", "causal", "both"])
def test_multi_head_attention_matches_keras(case, masking):
    batch, tq, tk, dq, dv, dk, heads, key_dim, value_dim, cross = case
    rng = np.random.default_rng(1)
    query = rng.normal(size=(batch, tq, dq)).astype("float32")
    value = rng.normal(size=(batch, tk, dv)).astype("float32") if cross else query
    key = rng.normal(size=(batch, tk, dk)).astype("float32") if dk else None
    layer = _layer(heads, key_dim, value_dim, query.shape, value.shape, None if key is None else key.shape)
    mask = None
    if masking in ("padding", "both"):
        ids = rng.integers(1, 9, size=(batch, tk))
        ids[0, tk // 2:] = 0
        if batch > 1:
            ids[-1] = 0                                  # a row with no real key: zero weights, output = bias
        mask = np.broadcast_to(padding_mask(ids), (batch, tq, tk))
    causal = masking in ("causal", "both")
    got, got_scores = layer(query, value, key, attention_mask=mask, use_causal_mask=causal,
                            return_attention_scores=True)
    out, scores = multi_head_attention(layer.get_weights(), query, value, key, num_heads=heads, key_dim=key_dim,
                                       value_dim=value_dim, attention_mask=mask, use_causal_mask=causal)
    assert out.shape == (batch, tq, dq) and scores.shape == (batch, heads, tq, tk)
    np.testing.assert_allclose(out, ops.convert_to_numpy(got), atol=1e-5)
    np.testing.assert_allclose(scores, ops.convert_to_numpy(got_scores), atol=1e-5)
    assert np.all(np.isfinite(out))


def test_multi_head_attention_without_bias_and_with_a_2d_or_padding_mask():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 6)).astype("float32")
    layer = _layer(2, 3, None, x.shape, x.shape, use_bias=False)
    assert len(layer.get_weights()) == 4
    ids = np.array([[3, 4, 5, 0], [6, 0, 0, 0]])
    for mask in (causal_mask(4), padding_mask(ids)):
        got, got_scores = layer(x, x, attention_mask=np.broadcast_to(mask, (2, 4, 4)), return_attention_scores=True)
        out, scores = multi_head_attention(layer.get_weights(), x, x, num_heads=2, key_dim=3, attention_mask=mask)
        np.testing.assert_allclose(out, ops.convert_to_numpy(got), atol=1e-5)
        np.testing.assert_allclose(scores, ops.convert_to_numpy(got_scores), atol=1e-5)


def test_multi_head_attention_rejects_wrong_weights_and_shapes():
    x = np.zeros((2, 4, 6), "float32")
    weights = _layer(2, 3, None, x.shape, x.shape).get_weights()
    with pytest.raises(ValueError, match="query kernel must have shape"):
        multi_head_attention(weights, x, x, num_heads=3, key_dim=3)
    with pytest.raises(TypeError, match=r"layer\.get_weights"):
        multi_head_attention(weights[:5], x, x, num_heads=2, key_dim=3)
    with pytest.raises(ValueError, match="share batch"):
        multi_head_attention(weights, x, x[:1], num_heads=2, key_dim=3)
    with pytest.raises(ValueError, match="does not broadcast"):
        multi_head_attention(weights, x, x, num_heads=2, key_dim=3, attention_mask=np.ones((3, 4, 4), bool))
    with pytest.raises(TypeError, match="num_heads"):
        multi_head_attention(weights, x, x, num_heads=2.0, key_dim=3)


def test_split_and_merge_heads_are_inverse_and_match_the_einsum_kernels():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 5, 12))
    heads = split_heads(x, 3)
    assert heads.shape == (2, 3, 5, 4)
    np.testing.assert_array_equal(heads[:, 1, :, 2], x[:, :, 1 * 4 + 2])
    np.testing.assert_array_equal(merge_heads(heads), x)
    kernel = rng.normal(size=(7, 3, 4))                   # (D, heads, depth), as MultiHeadAttention stores it
    inputs = rng.normal(size=(2, 5, 7))
    np.testing.assert_allclose(split_heads(inputs @ kernel.reshape(7, 12), 3),
                               np.einsum("btd,dhk->bhtk", inputs, kernel), atol=1e-12)
    with pytest.raises(ValueError, match="multiple of num_heads"):
        split_heads(x, 5)
    with pytest.raises(ValueError, match="4-D array"):
        merge_heads(x)


# ----------------------------------------------------------------------------- positions


def test_sinusoidal_positions_table():
    pe = sinusoidal_positions(50, 16)
    assert pe.shape == (50, 16) and pe.dtype == np.float32
    np.testing.assert_array_equal(pe[0, 0::2], 0.0)                        # sin(0)
    np.testing.assert_array_equal(pe[0, 1::2], 1.0)                        # cos(0)
    p, i = 7, 3
    np.testing.assert_allclose(pe[p, 2 * i], np.sin(p / 10000 ** (2 * i / 16)), rtol=1e-6)
    np.testing.assert_allclose(pe[p, 2 * i + 1], np.cos(p / 10000 ** (2 * i / 16)), rtol=1e-6)
    np.testing.assert_allclose(pe[:, 0], np.sin(np.arange(50)), atol=1e-6)  # the fastest frequency is 1
    np.testing.assert_allclose(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, 1.0, atol=1e-6)
    assert np.abs(pe).max() <= 1.0
    # a shift by k is the same rotation for every position: PE[p+k] is linear in PE[p]
    k = 5
    rotation, *_ = np.linalg.lstsq(pe[:40].astype(float), pe[k:40 + k].astype(float), rcond=None)
    np.testing.assert_allclose(pe[:40] @ rotation, pe[k:40 + k], atol=1e-4)
    np.testing.assert_allclose(sinusoidal_positions(10, 16), pe[:10])      # a prefix of a longer table
    with pytest.raises(ValueError, match="depth must be even"):
        sinusoidal_positions(10, 7)
    with pytest.raises(TypeError, match="integer"):
        sinusoidal_positions(10.0, 8)


# ----------------------------------------------------------------------------- beam step


def test_beam_step_ranks_over_all_beams_by_running_score():
    scores = np.array([-0.1, -2.0])
    log_probs = np.log(np.array([[0.5, 0.3, 0.2], [0.98, 0.01, 0.01]]))
    new, parents, tokens = beam_step(scores, log_probs, 3)
    total = scores[:, None] + log_probs
    np.testing.assert_allclose(new, [total[0, 0], total[0, 1], total[0, 2]])
    assert parents.tolist() == [0, 0, 0] and tokens.tolist() == [0, 1, 2]
    new, parents, tokens = beam_step(scores, log_probs, 4)
    assert (parents.tolist(), tokens.tolist()) == ([0, 0, 0, 1], [0, 1, 2, 0])
    assert new.dtype == np.float64 and parents.dtype == tokens.dtype == np.int64
    # without the running score beam 1's 0.98 would win; over all beams, not per beam
    new, parents, tokens = beam_step(np.array([-1.0, -0.5]), np.log(np.array([[0.6, 0.4], [0.5, 0.5]])), 2)
    assert parents.tolist() == [1, 1] and tokens.tolist() == [0, 1]


def test_beam_step_ties_and_dead_beams():
    # ties are broken by the lowest flat index: earlier beam, then smaller token
    new, parents, tokens = beam_step(np.zeros(2), np.full((2, 3), np.log(1 / 3)), 4)
    assert parents.tolist() == [0, 0, 0, 1] and tokens.tolist() == [0, 1, 2, 0]
    new, parents, tokens = beam_step(np.array([0.0, -np.inf]), np.log(np.array([[0.5, 0.5], [0.9, 0.1]])), 3)
    assert parents.tolist() == [0, 0, 1] and new[2] == -np.inf
    rng = np.random.default_rng(5)
    for _ in range(20):                                      # the partition shortcut agrees with a full sort
        s, lp = rng.normal(size=4).round(1), np.log(rng.dirichlet(np.ones(6), 4)).round(1)
        k = int(rng.integers(1, 25))
        flat = (s[:, None] + lp).ravel()
        order = np.lexsort((np.arange(flat.size), -flat))[:k]
        new, parents, tokens = beam_step(s, lp, k)
        assert (parents * 6 + tokens).tolist() == order.tolist()
    with pytest.raises(ValueError, match="at most 6"):
        beam_step(np.zeros(2), np.zeros((2, 3)), 7)
    with pytest.raises(ValueError, match="same beams"):
        beam_step(np.zeros(3), np.zeros((2, 3)), 1)
    with pytest.raises(ValueError, match="NaN"):
        beam_step(np.zeros(1), np.array([[np.nan, 0.0]]), 1)


# ----------------------------------------------------------------------------- beam search


def _greedy_cases():
    table = np.random.default_rng(2).integers(3, 10, size=(4, 10))
    return [(_toy_decoder(), np.array([0, 1, 0]), 1, 2, 8),
            (_table_decoder(table), np.array([0, 1, 2, 3, 6]), 4, 7, 6),
            (_toy_decoder(vocab=9, start=6, end=8), np.array([1, 0]), 6, 8, 9),
            (_table_decoder(table), np.array([1]), 4, 7, 1)]


@pytest.mark.parametrize("case", range(4))
def test_beam_width_one_is_greedy_decoding(case):
    step, state, start, end, max_length = _greedy_cases()[case]
    expected = greedy_decode(step, state.copy(), len(state), start, end, max_length)
    got = beam_search(step, state.copy(), len(state), start, end, max_length, beam_width=1)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


class _RandomModel:
    """A small random language model of the prefix: the logits after prefix ``p`` are a fixed random
    vector of (the last token, the prefix's sum mod 5, its length). The state is a tuple
    ``(prefix (rows, t), [lengths (rows,)])`` so that beam search must reorder nested rows."""

    def __init__(self, vocab: int, max_length: int, seed: int = 0) -> None:
        self.vocab = vocab
        self.table = np.random.default_rng(seed).normal(scale=2.0, size=(vocab, 5, max_length + 1, vocab))

    def step(self, tokens, state):
        prefix, (lengths,) = state
        prefix = np.concatenate([prefix, tokens[:, None]], axis=1)
        logits = self.table[tokens, prefix.sum(axis=1) % 5, lengths]
        return logits, (prefix, [lengths + 1])

    def log_prob(self, start, sequence):
        """The summed log-probability of ``sequence`` after ``start``."""
        state = (np.zeros((1, 0), dtype="int32"), [np.zeros(1, dtype="int64")])
        total, token = 0.0, start
        for nxt in sequence:
            logits, state = self.step(np.array([token]), state)
            logits = logits[0] - logits[0].max()
            total += logits[nxt] - np.log(np.exp(logits).sum())
            token = nxt
        return total


@pytest.mark.parametrize(("seed", "alpha"), [(0, 0.0), (1, 0.0), (2, 1.0), (3, 0.7)])
def test_a_wide_beam_finds_the_exhaustive_best(seed, alpha):
    vocab, start, end, max_length, batch = 4, 1, 2, 3, 2
    model = _RandomModel(vocab, max_length, seed)
    best = None
    for length in range(1, max_length + 1):                  # every output: non-end tokens, then end
        for body in itertools.product([t for t in range(vocab) if t != end], repeat=length - 1):
            sequence = [*body, end]
            score = model.log_prob(start, sequence) / length ** alpha
            if best is None or score > best[0]:
                best = (score, sequence)
    state = (np.zeros((batch, 0), dtype="int32"), [np.zeros(batch, dtype="int64")])
    got = beam_search(model.step, state, batch, start, end, max_length, beam_width=vocab ** max_length,
                      length_penalty=alpha)
    expected = np.zeros(max_length, dtype="int32")
    expected[:len(best[1])] = best[1]
    for row in got:                                          # the two sentences are the same here
        np.testing.assert_array_equal(row, expected)
    narrow = beam_search(model.step, state, batch, start, end, max_length, beam_width=2, length_penalty=alpha)
    assert narrow.shape == (batch, max_length)


def _fixed_model(table):
    """A decoder whose next-token probabilities depend on the last token only: ``table[token]``."""
    log_table = np.log(np.asarray(table))

    def step(tokens, state):
        return log_table[tokens], state

    return step


def test_length_penalty_changes_the_choice():
    #      after <s> (1): </s> 0.5, a 0.45   after a (3): b 0.9   after b (4): </s> 0.9
    eps = 1e-4
    table = np.full((5, 5), eps)
    table[1, 2], table[1, 3] = 0.5, 0.45
    table[3, 4] = 0.9
    table[4, 2] = 0.9
    table /= table.sum(axis=1, keepdims=True)
    step, state = _fixed_model(table), np.zeros(2)
    short = beam_search(step, state, 2, 1, 2, 5, beam_width=2, length_penalty=0.0)
    long = beam_search(step, state, 2, 1, 2, 5, beam_width=2, length_penalty=1.0)
    np.testing.assert_array_equal(short, [[2, 0, 0, 0, 0]] * 2)   # raw sum: log 0.5 > log(0.45 · 0.9 · 0.9)
    np.testing.assert_array_equal(long, [[3, 4, 2, 0, 0]] * 2)    # per token: (log 0.365) / 3 > log 0.5
    assert np.log(table[1, 2]) > np.log(table[1, 3] * table[3, 4] * table[4, 2])
    assert np.log(table[1, 3] * table[3, 4] * table[4, 2]) / 3 > np.log(table[1, 2])


def test_beam_search_beats_greedy_when_the_best_first_token_leads_nowhere():
    # after <s>: a 0.55, b 0.45; after a: a flat distribution over 5 tokens; after b: </s> 0.95
    table = np.full((6, 6), 1e-6)
    table[1, 3], table[1, 4] = 0.55, 0.45
    table[3, [0, 1, 3, 4, 5]] = 0.2
    table[4, 2] = 0.95
    table[[0, 2, 5], 2] = 1.0
    table /= table.sum(axis=1, keepdims=True)
    step = _fixed_model(table)
    greedy = greedy_decode(step, np.zeros(1), 1, 1, 2, 4)
    beam = beam_search(step, np.zeros(1), 1, 1, 2, 4, beam_width=2)
    assert greedy[0, 0] == 3 and beam.tolist() == [[4, 2, 0, 0]]


def _rules_model(rules, vocab=6, start=1):
    """A decoder whose next-token distribution is ``rules[prefix]`` (a dict token -> probability,
    the prefix after ``<s>`` as a tuple), else uniform; its state is the tuple
    ``(prefix (rows, t) with <s>, [lengths (rows,)])``, nested, so the rows must follow their parent."""

    def step(tokens, state):
        prefix, (lengths,) = state
        prefix = np.concatenate([prefix, tokens[:, None]], axis=1)
        probs = np.full((len(tokens), vocab), 1.0 / vocab)
        for r, row in enumerate(prefix.tolist()):
            rule = rules.get(tuple(row[1:]) if row[0] == start else None)
            if rule:
                probs[r] = 1e-6
                for token, p in rule.items():
                    probs[r, token] = p
        return np.log(probs / probs.sum(axis=1, keepdims=True)), (prefix, [lengths + 1])

    return step


def test_beam_search_reorders_tuple_states_row_by_row():
    # after <s>: 3 (0.5), 4 (0.4), 5 (0.1); after 3: uniform; after 4 and 5: 3 (0.9); after 4 3: </s> (0.99).
    # The best two-token prefix, 4 3, comes from beam 1 into beam 0: only if the state rows follow
    # their parent does the decoder see 4 3 (not 3 3) and end the sentence.
    rules = {(): {3: 0.5, 4: 0.4, 5: 0.1}, (4,): {3: 0.9, 2: 0.05}, (5,): {3: 0.9}, (4, 3): {2: 0.99}}
    model = _rules_model(rules)
    seen = []

    def step(tokens, state):
        prefix, (lengths,) = state
        assert prefix.shape == (len(tokens), int(lengths[0]))
        seen.append(np.concatenate([prefix, tokens[:, None]], axis=1))
        return model(tokens, state)

    batch, width, start, end = 2, 3, 1, 2
    state = (np.zeros((batch, 0), dtype="int32"), [np.zeros(batch, dtype="int64")])
    out = beam_search(step, state, batch, start, end, 5, beam_width=width)
    np.testing.assert_array_equal(out, [[4, 3, 2, 0, 0]] * batch)
    assert len(seen[0]) == batch * width
    for b in range(batch):                                       # the winner was fed from its own prefix
        assert [start, 4, 3] in seen[2][b * width:(b + 1) * width].tolist()
    with pytest.raises(ValueError, match="one row per sentence"):
        beam_search(step, (np.zeros((2, 0)), [np.zeros(3)]), 3, 1, 2, 5)


def test_beam_search_runs_the_incremental_seq2seq_decoder():
    keras.utils.set_random_seed(1)
    model = seq2seq(False, keras.layers.Attention(name="attention"), src_size=20, tgt_size=14, units=16, embed=8)
    rng = np.random.default_rng(0)
    x = np.where(np.arange(7)[None] < rng.integers(2, 8, (5, 1)), rng.integers(3, 20, (5, 7)), 0).astype("int32")
    decoder = IncrementalDecoder(model)
    greedy = greedy_decode(decoder.step, decoder.start(x), 5, 1, 2, 8)
    np.testing.assert_array_equal(beam_search(decoder.step, decoder.start(x), 5, 1, 2, 8, beam_width=1), greedy)
    wide = beam_search(decoder.step, decoder.start(x), 5, 1, 2, 8, beam_width=4)
    assert wide.shape == (5, 8) and wide.dtype == np.int32


def test_beam_search_rejects_bad_arguments():
    step = _toy_decoder()
    with pytest.raises(ValueError, match="different ids"):
        beam_search(step, np.zeros(2), 2, 1, 1, 5)
    with pytest.raises(TypeError, match="beam_width"):
        beam_search(step, np.zeros(2), 2, 1, 2, 5, beam_width=2.0)
    with pytest.raises(ValueError, match="beam_width must be at least 1"):
        beam_search(step, np.zeros(2), 2, 1, 2, 5, beam_width=0)
    with pytest.raises(TypeError, match="length_penalty"):
        beam_search(step, np.zeros(2), 2, 1, 2, 5, length_penalty="1")
    with pytest.raises(ValueError, match="below the 10 logits"):
        beam_search(step, np.zeros(2, dtype=int), 2, 1, 12, 5)
    with pytest.raises(ValueError, match=r"\(batch \* beam_width, vocab\)"):
        beam_search(lambda tokens, state: (np.zeros((1, 5)), state), np.zeros(2), 2, 1, 2, 5)
