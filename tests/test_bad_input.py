"""Bad input to the NumPy/Keras helpers raises TypeError/ValueError saying what was expected (issue #19).

Each case is one rule: the call, the exception type, and a pattern the message must match,
which names the argument and what was expected. A second group checks that the valid
boundary cases next to those rules still work.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from utils import attention, conv, lm, metrics, rnn, timeseries, training

B, D, U = 2, 3, 4          # batch, input_dim, units of the recurrent cases


def z(*shape: int) -> np.ndarray:
    return np.zeros(shape)


def rnn_args(blocks: int, bias_shape: tuple[int, ...] | None = None) -> list[np.ndarray]:
    """x_t, h_prev, kernel, recurrent_kernel, bias of a layer with ``blocks`` gate blocks."""
    return [z(B, D), z(B, U), z(D, blocks * U), z(U, blocks * U), z(*(bias_shape or (blocks * U,)))]


def lstm_args(blocks: int = 4) -> list[np.ndarray]:
    x, h, k, r, b = rnn_args(blocks)
    return [x, h, z(B, U), k, r, b]


def gru_args(bias_shape: tuple[int, ...] = (2, 3 * U)) -> list[np.ndarray]:
    return rnn_args(3, bias_shape)


def weather(hours: int = 30, origins: tuple[str, ...] = ("AAA", "BBB")) -> pd.DataFrame:
    """A tiny (origin, time)-indexed table with two features; temp counts the hours."""
    times = pd.date_range("2013-08-30", periods=hours, freq="h", tz="UTC")
    frames = [pd.DataFrame({"temp": np.arange(hours, dtype=float), "dewp": 0.5 * np.arange(hours)},
                           index=pd.Index(times, name="time")).assign(origin=o).set_index("origin", append=True)
              .swaplevel() for o in origins]
    return pd.concat(frames)


FEATURES = ("temp", "dewp")
MEAN, STD = pd.Series({"temp": 0.0, "dewp": 0.0}), pd.Series({"temp": 1.0, "dewp": 1.0})


def windows(table: object = None, mean: object = MEAN, std: object = STD, sequence_length: object = 4,
            sampling_rate: object = 2, horizon: object = 3, **kwargs: object) -> timeseries.Windows:
    table = weather() if table is None else table
    return timeseries.make_windows(table, mean, std, sequence_length, sampling_rate, horizon,
                                   **{"features": FEATURES, **kwargs})


def split_table() -> pd.DataFrame:
    return weather(hours=24 * 70)


def bigram() -> lm.NgramModel:
    return lm.NgramModel(np.array([0, 1, 0, 1, 2]), 3, order=2)


def tiny_model():
    import keras

    return keras.Sequential([keras.Input((None,), dtype="int64"), keras.layers.Embedding(10, 2),
                             keras.layers.GlobalAveragePooling1D()])


def padded() -> tuple[np.ndarray, np.ndarray]:
    return np.array([[3, 4, 0], [5, 0, 0], [1, 2, 3]]), np.arange(3)


CASES = [
    # ---------------------------------------------------------------- rnn: steps
    ("simple_rnn_step LSTM weights", lambda: rnn.simple_rnn_step(*rnn_args(4)), ValueError,
     r"recurrent_kernel must have shape \(units, 1·units\).*look like LSTM weights"),
    ("lstm_step GRU weights", lambda: rnn.lstm_step(*lstm_args(3)), ValueError,
     r"recurrent_kernel must have shape \(units, 4·units\).*look like GRU weights"),
    ("lstm_gates SimpleRNN weights", lambda: rnn.lstm_gates(*rnn_args(1)), ValueError,
     r"recurrent_kernel .*look like SimpleRNN weights"),
    ("gru_step LSTM weights", lambda: rnn.gru_step(*rnn_args(4, (2, 4 * U))), ValueError,
     r"recurrent_kernel must have shape \(units, 3·units\).*look like LSTM weights"),
    ("gru_step reset_after=False bias", lambda: rnn.gru_step(*gru_args((3 * U,))), ValueError,
     r"bias must have shape \(2, 3·units\) for a GRU with reset_after=True.*reset_after=False layout"),
    ("gru_step reset_after=True bias", lambda: rnn.gru_step(*gru_args(), reset_after=False), ValueError,
     r"bias must have shape \(3·units,\) for a GRU with reset_after=False.*reset_after=True layout"),
    ("gru_step reset_after not bool", lambda: rnn.gru_step(*gru_args(), reset_after="yes"), TypeError,
     r"reset_after must be True or False"),
    ("step x_t 3-D", lambda: rnn.simple_rnn_step(z(B, 1, D), *rnn_args(1)[1:]), ValueError,
     r"x_t must be a 1-D or 2-D array \(batch, input_dim\)"),
    ("step x_t strings", lambda: rnn.simple_rnn_step(np.array([["a"] * D] * B), *rnn_args(1)[1:]), TypeError,
     r"x_t must be an array of numbers"),
    ("step h_prev ragged", lambda: rnn.simple_rnn_step(z(B, D), [[0.0], [0.0, 0.0]], *rnn_args(1)[2:]), TypeError,
     r"h_prev must be a rectangular array"),
    ("step batch sizes differ", lambda: rnn.simple_rnn_step(z(B + 1, D), *rnn_args(1)[1:]), ValueError,
     r"x_t and h_prev must have the same batch size"),
    ("step kernel input_dim", lambda: rnn.simple_rnn_step(z(B, D + 1), *rnn_args(1)[1:]), ValueError,
     r"kernel must have shape \(input_dim, 1·units\).*input_dim = x_t.shape\[-1\] = 4"),
    ("step bias shape", lambda: rnn.lstm_step(*lstm_args()[:5], z(U)), ValueError,
     r"bias must have shape \(4·units,\)"),
    ("step no units", lambda: rnn.simple_rnn_step(z(B, D), z(B, 0), z(D, 0), z(0, 0), z(0)), ValueError,
     r"h_prev must have at least one unit"),
    ("lstm_step c_prev shape", lambda: rnn.lstm_step(z(B, D), z(B, U), z(B, U + 1), *lstm_args()[3:]), ValueError,
     r"c_prev must have the shape of h_prev"),
    # ---------------------------------------------------------------- rnn: forward, counts, radius
    ("forward no time step", lambda: rnn.simple_rnn_forward(z(B, 0, D), z(D, U), z(U, U), z(U)), ValueError,
     r"x must have at least one time step"),
    ("forward x 2-D", lambda: rnn.simple_rnn_forward(z(B, D), z(D, U), z(U, U), z(U)), ValueError,
     r"x must be a 3-D array \(batch, timesteps, features\)"),
    ("forward h0 shape", lambda: rnn.simple_rnn_forward(z(B, 5, D), z(D, U), z(U, U), z(U), h0=z(B + 1, U)),
     ValueError, r"h0 must have shape \(batch, units\)"),
    ("forward return_sequences", lambda: rnn.simple_rnn_forward(z(B, 5, D), z(D, U), z(U, U), z(U),
                                                                return_sequences="yes"),
     TypeError, r"return_sequences must be True or False"),
    ("simple_rnn_params zero", lambda: rnn.simple_rnn_params(0, 4), ValueError, r"input_dim must be at least 1"),
    ("simple_rnn_params float", lambda: rnn.simple_rnn_params(3, 2.5), TypeError, r"units must be an integer"),
    ("stacked_rnn_params empty", lambda: rnn.stacked_rnn_params(3, []), ValueError,
     r"units must name at least one layer"),
    ("stacked_rnn_params int", lambda: rnn.stacked_rnn_params(3, 32), TypeError,
     r"units must be a list of each layer's units"),
    ("stacked_rnn_params zero layer", lambda: rnn.stacked_rnn_params(3, [4, 0]), ValueError,
     r"units\[1\] must be at least 1"),
    ("spectral_radius not square", lambda: rnn.spectral_radius(z(2, 3)), ValueError,
     r"matrix must be square and non-empty"),
    ("spectral_radius NaN", lambda: rnn.spectral_radius(np.array([[1.0, np.nan], [0.0, 1.0]])), ValueError,
     r"matrix must hold only finite numbers, got nan at index \(0, 1\)"),
    # ---------------------------------------------------------------- conv
    ("conv1d stride 0", lambda: conv.conv1d(z(1, 8, 1), z(2, 1, 1), stride=0), ValueError,
     r"stride must be at least 1, got 0"),
    ("conv1d stride float", lambda: conv.conv1d(z(1, 8, 1), z(2, 1, 1), stride=1.5), TypeError,
     r"stride must be an integer"),
    ("conv1d padding causal", lambda: conv.conv1d(z(1, 8, 1), z(2, 1, 1), padding="causal"), ValueError,
     r"padding must be 'valid' or 'same', got 'causal'"),
    ("conv1d padding None", lambda: conv.conv1d(z(1, 8, 1), z(2, 1, 1), padding=None), TypeError,
     r"padding must be 'valid' or 'same', got None"),
    ("conv1d kernel longer than input", lambda: conv.conv1d(z(1, 3, 1), z(5, 1, 1)), ValueError,
     r"kernel_size = 5 \(kernel.shape\[0\]\) is longer than length = 3"),
    ("conv1d channels", lambda: conv.conv1d(z(1, 5, 2), z(3, 4, 1)), ValueError, r"same channels"),
    ("conv1d x 2-D", lambda: conv.conv1d(z(5, 2), z(3, 2, 1)), ValueError,
     r"x must be a 3-D array \(batch, length, channels\)"),
    ("conv1d bias shape", lambda: conv.conv1d(z(1, 5, 2), z(3, 2, 4), z(3)), ValueError,
     r"bias must have shape \(filters,\) with filters = kernel.shape\[2\] = \(4,\)"),
    ("conv1d empty input", lambda: conv.conv1d(z(1, 0, 2), z(3, 2, 4), padding="same"), ValueError,
     r"x needs a length and kernel a kernel_size of at least 1"),
    ("conv1d x strings", lambda: conv.conv1d(np.full((1, 5, 1), "a"), z(2, 1, 1)), TypeError,
     r"x must be an array of numbers"),
    ("output_length kernel longer", lambda: conv.conv1d_output_length(3, 5), ValueError,
     r"kernel_size = 5 is longer than length = 3"),
    ("output_length stride 0", lambda: conv.conv1d_output_length(8, 2, 0), ValueError, r"stride must be at least 1"),
    ("output_length length 0", lambda: conv.conv1d_output_length(0, 2, padding="same"), ValueError,
     r"length must be at least 1"),
    ("output_length padding", lambda: conv.conv1d_output_length(5, 2, padding="causal"), ValueError,
     r"padding must be 'valid' or 'same'"),
    ("same_padding kernel 0", lambda: conv.same_padding(5, 0), ValueError, r"kernel_size must be at least 1"),
    ("conv1d_params filters 0", lambda: conv.conv1d_params(3, 4, 0), ValueError, r"filters must be at least 1"),
    ("conv1d_params use_bias", lambda: conv.conv1d_params(3, 4, 2, use_bias=1), TypeError,
     r"use_bias must be True or False"),
    # ---------------------------------------------------------------- lm: perplexity, vocabulary, corpus
    ("perplexity empty", lambda: lm.perplexity([]), ValueError, r"probabilities must be a non-empty list"),
    ("perplexity NaN", lambda: lm.perplexity([0.5, np.nan]), ValueError,
     r"probabilities must be .* in \(0, 1\], got nan at position 1"),
    ("perplexity zero", lambda: lm.perplexity([0.5, 0.0]), ValueError, r"got 0.0 at position 1 .*infinite"),
    ("perplexity above 1", lambda: lm.perplexity(np.array([1.5])), ValueError, r"in \(0, 1\], got 1.5"),
    ("perplexity str", lambda: lm.perplexity("0.5"), TypeError, r"probabilities must be a list or array of numbers"),
    ("perplexity scalar", lambda: lm.perplexity(0.5), TypeError, r"probabilities must be a list or array"),
    ("encode non-str", lambda: lm.CharVocabulary().encode(["a"]), TypeError, r"text must be a str"),
    ("encode unknown", lambda: lm.CharVocabulary().encode("hé"), ValueError,
     r"character 'é' \(position 1 of text\) is not in the vocabulary"),
    ("decode -1", lambda: lm.CharVocabulary().decode([3, -1]), ValueError,
     r"ids must hold ids in \[0, 49\).*got -1 at position 1"),
    ("decode too large", lambda: lm.CharVocabulary().decode(np.array([49])), ValueError,
     r"ids must hold ids in \[0, 49\)"),
    ("decode floats", lambda: lm.CharVocabulary().decode([1.0]), TypeError, r"ids must hold integer ids"),
    ("decode float array", lambda: lm.CharVocabulary().decode(np.array([1.0])), TypeError,
     r"ids must be an array of integers"),
    ("decode str", lambda: lm.CharVocabulary().decode("abc"), TypeError, r"ids must be a list or 1-D array"),
    ("vocabulary repeats", lambda: lm.CharVocabulary("aba"), ValueError, r"chars must not repeat.*'a'"),
    ("vocabulary empty", lambda: lm.CharVocabulary(""), ValueError, r"chars must not be an empty str"),
    ("clean_text non-str", lambda: lm.clean_text(None), TypeError, r"text must be a str"),
    ("char_corpus one str", lambda: lm.char_corpus("a review"), TypeError,
     r"texts must be a list of str.*wrap a single text in a list"),
    ("char_corpus non-str item", lambda: lm.char_corpus(["ok", 3]), TypeError,
     r"texts must hold only str, got 3 \(int\) at position 1"),
    # ---------------------------------------------------------------- lm: n-grams
    ("ngram id too large", lambda: lm.NgramModel(np.array([0, 1, 3]), 3), ValueError,
     r"ids must hold ids in \[0, 3\).*got 3 at position 2"),
    ("ngram negative id", lambda: lm.NgramModel(np.array([0, -1]), 3, order=1), ValueError,
     r"ids must hold ids in \[0, 3\).*got -1"),
    ("ngram float ids", lambda: lm.NgramModel(np.array([0.0, 1.0]), 3), TypeError, r"ids must be an array of integers"),
    ("ngram 2-D ids", lambda: lm.NgramModel(np.zeros((2, 2), dtype=int), 3), ValueError,
     r"ids must be a 1-D array"),
    ("ngram order 3", lambda: lm.NgramModel(np.array([0, 1]), 3, order=3), ValueError, r"order must be 1 \(unigram\)"),
    ("ngram order float", lambda: lm.NgramModel(np.array([0, 1]), 3, order=2.0), TypeError,
     r"order must be an integer"),
    ("ngram k 0", lambda: lm.NgramModel(np.array([0, 1]), 3, k=0), ValueError, r"k must be greater than 0, got 0"),
    ("ngram k NaN", lambda: lm.NgramModel(np.array([0, 1]), 3, k=math.nan), ValueError, r"k must be a finite number"),
    ("ngram vocabulary 0", lambda: lm.NgramModel(np.array([0, 1]), 0), ValueError,
     r"vocabulary_size must be at least 1"),
    ("ngram too few ids", lambda: lm.NgramModel(np.array([1]), 3, order=2), ValueError,
     r"ids must hold at least 2 tokens to count from, got 1"),
    ("ngram probabilities id range", lambda: bigram().probabilities(np.array([5, 1])), ValueError,
     r"ids must hold ids in \[0, 3\)"),
    ("ngram perplexity one id", lambda: bigram().perplexity(np.array([1])), ValueError,
     r"ids must hold at least 2 tokens \(the first one only conditions the second\)"),
    ("bigram_probability k 0", lambda: lm.bigram_probability({}, "a", "b", "ab", k=0), ValueError,
     r"k must be greater than 0"),
    ("bigram_probability unknown token", lambda: lm.bigram_probability({}, "a", "z", "ab"), ValueError,
     r"token must be a token of the vocabulary \(2 tokens\), got 'z'"),
    ("bigram_probability counts list", lambda: lm.bigram_probability([("a", "b")], "a", "b", "ab"), TypeError,
     r"counts must be a dict"),
    ("bigram_probability empty vocabulary", lambda: lm.bigram_probability({}, "a", "b", []), ValueError,
     r"vocabulary must hold at least one token"),
    # ---------------------------------------------------------------- lm: batches and sampling
    ("stream_batches batch 0", lambda: lm.stream_batches(np.arange(100), 0, 5), ValueError,
     r"batch_size must be at least 1"),
    ("stream_batches chunk 0", lambda: lm.stream_batches(np.arange(100), 4, 0), ValueError,
     r"chunk must be at least 1"),
    ("stream_batches float ids", lambda: lm.stream_batches(np.linspace(0, 1, 100), 4, 5), TypeError,
     r"ids must be an array of integers"),
    ("stream_batches too few", lambda: lm.stream_batches(np.arange(10), 4, 5), ValueError,
     r"10 tokens are too few for 4 lanes of at least one chunk of 5"),
    ("sample temperature 0", lambda: lm.sample_logits(z(3), 0.0), ValueError, r"temperature must be > 0, got 0.0"),
    ("sample temperature NaN", lambda: lm.sample_logits(z(3), math.nan), ValueError, r"temperature must be > 0"),
    ("sample temperature inf", lambda: lm.sample_logits(z(3), math.inf), ValueError,
     r"temperature must be a finite number"),
    ("sample temperature str", lambda: lm.sample_logits(z(3), "hot"), TypeError, r"temperature must be a number"),
    ("sample top_k 0", lambda: lm.sample_logits(z(3), top_k=0), ValueError, r"top_k must be at least 1"),
    ("sample top_k above vocabulary", lambda: lm.sample_logits(z(3), top_k=4), ValueError,
     r"top_k must be at most 3, got 4"),
    ("sample top_k float", lambda: lm.sample_logits(z(3), top_k=2.0), TypeError, r"top_k must be an integer or None"),
    ("sample logits NaN", lambda: lm.sample_logits(np.array([0.0, np.nan])), ValueError,
     r"logits must be finite numbers"),
    ("sample logits all -inf", lambda: lm.sample_logits(np.full(3, -np.inf)), ValueError,
     r"logits must be finite .*but not every one"),
    ("sample logits empty", lambda: lm.sample_logits(z(0)), ValueError, r"logits must be a non-empty 1-D array"),
    ("sample logits 2-D", lambda: lm.sample_logits(z(2, 3)), ValueError, r"logits must be a non-empty 1-D array"),
    ("sample rng seed", lambda: lm.sample_logits(z(3), rng=42), TypeError, r"rng must be a np.random.Generator"),
    # ---------------------------------------------------------------- timeseries
    ("windows horizon 0", lambda: windows(horizon=0), ValueError,
     r"horizon must be at least 1 hour after the window's last hour, got 0.*naive forecast"),
    ("windows horizon negative", lambda: windows(horizon=-2), ValueError, r"horizon must be at least 1.*got -2"),
    ("windows horizon float", lambda: windows(horizon=1.5), TypeError, r"horizon must be an integer"),
    ("windows sequence_length 0", lambda: windows(sequence_length=0), ValueError,
     r"sequence_length must be at least 1"),
    ("windows sampling_rate 0", lambda: windows(sampling_rate=0), ValueError, r"sampling_rate must be at least 1"),
    ("windows stride 0", lambda: windows(stride=0), ValueError, r"stride must be at least 1"),
    ("windows too few rows", lambda: windows(sequence_length=20), ValueError,
     r"no airport has enough rows for one window.*\(20 - 1\) \* 2 \+ 3 = 41 rows, the longest airport series has 30"),
    ("windows missing column", lambda: windows(features=("temp", "wind")), ValueError,
     r"table has no column\(s\) \['wind'\]"),
    ("windows features str", lambda: windows(features="temp"), TypeError, r"features must be a tuple or list of str"),
    ("windows target missing", lambda: windows(target="humid"), ValueError, r"table has no column\(s\) \['humid'\]"),
    ("windows std 0", lambda: windows(std=pd.Series({"temp": 1.0, "dewp": 0.0})), ValueError,
     r"std must be finite and above 0 .*'dewp'"),
    ("windows mean missing feature", lambda: windows(mean=pd.Series({"temp": 0.0})), ValueError,
     r"mean has no value for the feature\(s\) \['dewp'\]"),
    ("windows mean dict", lambda: windows(mean={"temp": 0.0, "dewp": 0.0}), TypeError,
     r"mean must be a pandas Series"),
    ("windows table array", lambda: windows(table=z(30, 2)), TypeError, r"table must be a pandas DataFrame"),
    ("windows table without origin", lambda: windows(table=weather().droplevel("origin")), ValueError,
     r"table must have the index levels \['origin', 'time'\]"),
    ("split dates reversed", lambda: timeseries.chronological_split(split_table(), "2013-10-01", "2013-09-15"),
     ValueError, r"val_start must come before test_start"),
    ("split date outside", lambda: timeseries.chronological_split(split_table(), "2013-09-01", "2014-01-01"),
     ValueError, r"val_start and test_start must lie inside the table's time range.*test_start='2014-01-01'"),
    ("split date before table", lambda: timeseries.chronological_split(split_table(), "2013-01-01", "2013-10-01"),
     ValueError, r"first < val_start < test_start <= last"),
    ("split unreadable date", lambda: timeseries.chronological_split(split_table(), "first of september"),
     ValueError, r"val_start must be a date such as '2013-09-01'"),
    ("split date int", lambda: timeseries.chronological_split(split_table(), 20130901), TypeError,
     r"val_start must be a date"),
    ("split table array", lambda: timeseries.chronological_split(z(3, 2)), TypeError,
     r"table must be a pandas DataFrame"),
    # ---------------------------------------------------------------- attention
    ("masked_softmax mask shape", lambda: attention.masked_softmax(z(2, 3), np.ones((2, 4))), ValueError,
     r"mask must have the shape of scores \(2, 3\) \(or one that broadcasts to it\), got \(2, 4\)"),
    ("masked_softmax mask values", lambda: attention.masked_softmax(z(1, 2), np.array([[0.5, 1.0]])), ValueError,
     r"mask must be boolean or hold only 0 and 1"),
    ("masked_softmax NaN score", lambda: attention.masked_softmax(np.array([[0.0, np.nan]])), ValueError,
     r"scores \(where mask is True\) must hold only finite numbers, got nan at index \(0, 1\)"),
    ("masked_softmax str scores", lambda: attention.masked_softmax(np.array([["a", "b"]])), TypeError,
     r"scores must be an array of numbers"),
    ("masked_softmax scalar", lambda: attention.masked_softmax(1.0), ValueError, r"scores must have at least one axis"),
    ("attention_pooling w shape", lambda: attention.attention_pooling(z(2, 5, 3), z(4, 6), z(6), z(6)), ValueError,
     r"w must have shape \(features, units\) with features = hidden.shape\[2\] = 3"),
    ("attention_pooling v shape", lambda: attention.attention_pooling(z(2, 5, 3), z(3, 6), z(6), z(5)), ValueError,
     r"v must have shape \(units,\) with units = w.shape\[1\] = 6"),
    ("reverse_sequences floats", lambda: attention.reverse_sequences(np.array([[1.0, 0.0]])), TypeError,
     r"x must be an array of integers"),
    ("reverse_sequences 1-D", lambda: attention.reverse_sequences(np.arange(3)), ValueError, r"2-d array"),
    ("reverse_sequences not end-padded", lambda: attention.reverse_sequences(np.array([[1, 2, 0], [5, 0, 6]])),
     ValueError, r"x must be end-padded .* row 1 has a 0 at position 1"),
    ("highlight lengths", lambda: attention.highlight(["a", "b"], [1.0]), ValueError,
     r"one weight per token expected: 2 tokens, 1 weights"),
    ("highlight tokens str", lambda: attention.highlight("ab", [0.5, 0.5]), TypeError, r"tokens must be a list of str"),
    ("highlight token int", lambda: attention.highlight(["a", 3], [0.5, 0.5]), TypeError,
     r"tokens must hold only str, got 3"),
    ("highlight negative weight", lambda: attention.highlight(["a", "b"], [0.5, -0.1]), ValueError,
     r"weights must be at least 0"),
    ("highlight NaN weight", lambda: attention.highlight(["a"], [np.nan]), ValueError,
     r"weights must hold only finite numbers"),
    ("AttentionPooling units 0", lambda: attention.AttentionPooling(0), ValueError, r"units must be at least 1, got 0"),
    ("AttentionPooling units float", lambda: attention.AttentionPooling(8.0), TypeError, r"units must be an integer"),
    ("AttentionPooling 2-D input", lambda: attention.AttentionPooling(4)(z(2, 3)), ValueError,
     r"AttentionPooling needs inputs of shape \(batch, steps, features\)"),
    # ---------------------------------------------------------------- training
    ("make_dataset batch 0", lambda: training.make_dataset(z(4, 2), z(4), batch_size=0), ValueError,
     r"batch_size must be at least 1, got 0"),
    ("make_dataset lengths differ", lambda: training.make_dataset(z(4, 2), z(3)), ValueError,
     r"x and y must hold the same number of examples \(samples\), got 4 and 3"),
    ("make_dataset empty", lambda: training.make_dataset(z(0, 2)), ValueError, r"x must hold at least one example"),
    ("make_dataset shuffle", lambda: training.make_dataset(z(4, 2), shuffle="yes"), TypeError,
     r"shuffle must be True or False"),
    ("make_dataset seed", lambda: training.make_dataset(z(4, 2), shuffle=True, seed=-1), ValueError,
     r"seed must be at least 0"),
    ("make_dataset no length", lambda: training.make_dataset(5), TypeError, r"x must be an array or list of examples"),
    ("bucketed batch 0", lambda: training.make_bucketed_dataset(*padded(), batch_size=0), ValueError,
     r"batch_size must be at least 1"),
    ("bucketed n_buckets 0", lambda: training.make_bucketed_dataset(*padded(), n_buckets=0), ValueError,
     r"n_buckets must be at least 1"),
    ("bucketed float x", lambda: training.make_bucketed_dataset(z(3, 4), np.arange(3)), TypeError,
     r"x must be an array of integers"),
    ("bucketed empty", lambda: training.make_bucketed_dataset(np.zeros((0, 4), int), np.zeros(0)), ValueError,
     r"x must hold at least one example"),
    ("bucketed lengths differ", lambda: training.make_bucketed_dataset(padded()[0], np.arange(2)), ValueError,
     r"x must be \(samples, max_length\) and y \(samples, ...\)"),
    ("sequence_lengths 1-D", lambda: training.sequence_lengths(np.array([1, 2, 0])), ValueError,
     r"x must be a 2-D array \(samples, max_length\)"),
    ("char_gru vocabulary 1", lambda: training.char_gru_classifier(1), ValueError,
     r"vocabulary_size must be at least 2"),
    ("char_gru learning_rate 0", lambda: training.char_gru_classifier(10, learning_rate=0.0), ValueError,
     r"learning_rate must be greater than 0"),
    ("char_gru units float", lambda: training.char_gru_classifier(10, units=8.0), TypeError,
     r"units must be an integer"),
    ("seconds_to_target empty", lambda: training.seconds_to_target([], [], 0.8), ValueError,
     r"val_scores and epoch_seconds must hold at least one epoch"),
    ("seconds_to_target lengths", lambda: training.seconds_to_target([0.9], [1.0, 2.0], 0.8), ValueError,
     r"one time per epoch expected: 1 scores, 2 times"),
    ("seconds_to_target NaN target", lambda: training.seconds_to_target([0.9], [1.0], math.nan), ValueError,
     r"target must be a finite number"),
    ("seconds_to_target negative time", lambda: training.seconds_to_target([0.9], [-1.0], 0.8), ValueError,
     r"epoch_seconds must be finite and at least 0"),
    ("predict_bucketed not a model", lambda: training.predict_bucketed("model", padded()[0]), TypeError,
     r"model must be a keras.Model, got str"),
    ("predict_bucketed batch 0", lambda: training.predict_bucketed(tiny_model(), padded()[0], 0), ValueError,
     r"batch_size must be at least 1"),
    # ---------------------------------------------------------------- metrics
    ("record empty name", lambda: metrics.record("", 0.5), ValueError, r"name must be a non-empty str"),
    ("record name not str", lambda: metrics.record(5, 0.5), TypeError, r"name must be a str"),
    ("record NaN", lambda: metrics.record("bad_nan", math.nan), ValueError,
     r"value of 'bad_nan' must be a finite number, got nan"),
    ("record inf", lambda: metrics.record("bad_inf", -math.inf), ValueError, r"must be a finite number, got -inf"),
    ("record str value", lambda: metrics.record("bad_str", "0.5"), TypeError,
     r"value of 'bad_str' must be a real number"),
    ("record bool value", lambda: metrics.record("bad_bool", True), TypeError, r"must be a real number"),
    ("record array value", lambda: metrics.record("bad_array", np.array([0.1, 0.2])), TypeError,
     r"must be a real number"),
    ("record fmt", lambda: metrics.record("bad_fmt", 0.5, fmt="q"), ValueError,
     r"fmt must be a float format spec such as '.4f'"),
]


@pytest.mark.parametrize("call, error, pattern", [pytest.param(c, e, p, id=i) for i, c, e, p in CASES])
def test_bad_input_raises_a_helpful_error(call, error, pattern, monkeypatch):
    monkeypatch.delenv(metrics.METRICS_ENV, raising=False)
    with pytest.raises(error, match=pattern) as info:
        call()
    assert type(info.value) is error, f"expected exactly {error.__name__}, got {type(info.value).__name__}"


def test_a_refused_record_is_not_kept(monkeypatch):
    monkeypatch.delenv(metrics.METRICS_ENV, raising=False)
    for value in (math.nan, "0.5"):
        with pytest.raises((ValueError, TypeError)):
            metrics.record("refused_value", value)
    assert "refused_value" not in metrics.recorded()


# ----------------------------------------------------------------------------- valid boundary cases


def test_windows_with_horizon_one_forecast_the_next_hour():
    w = windows(horizon=1)
    np.testing.assert_array_equal(w.y - w.naive, np.ones(len(w.y)))     # temp counts hours
    assert len(w.y) == 2 * (30 - ((4 - 1) * 2 + 1))


def test_windows_of_exactly_the_table_length_give_one_window_per_airport():
    w = windows(sequence_length=14, sampling_rate=2, horizon=3)   # (14 - 1) * 2 + 3 = 29 = 30 - 1 rows needed
    assert len(w.y) == 2 and list(w.origin) == ["AAA", "BBB"]
    table = pd.concat([weather(30, ("AAA",)), weather(10, ("BBB",))])
    assert list(windows(table, sequence_length=14).origin) == ["AAA"]  # the short airport is left out


def test_conv1d_kernel_as_long_as_the_input_and_stride_one():
    rng = np.random.default_rng(0)
    x, kernel = rng.normal(size=(2, 5, 3)), rng.normal(size=(5, 3, 4))
    out = conv.conv1d(x, kernel, stride=1)
    assert out.shape == (2, 1, 4) and conv.conv1d_output_length(5, 5, 1) == 1
    np.testing.assert_allclose(out[:, 0], np.einsum("bkc,kcf->bf", x, kernel))
    assert conv.conv1d(x[:, :3], kernel, padding="same").shape == (2, 3, 4)   # "same" pads a long kernel


def test_rnn_steps_take_a_single_example_too():
    rng = np.random.default_rng(1)
    x, h, c = rng.normal(size=D), rng.normal(size=U), rng.normal(size=U)
    kernel, recurrent, bias = rng.normal(size=(D, 4 * U)), rng.normal(size=(U, 4 * U)), rng.normal(size=4 * U)
    h1, c1 = rnn.lstm_step(x, h, c, kernel, recurrent, bias)
    hb, cb = rnn.lstm_step(x[None], h[None], c[None], kernel, recurrent, bias)
    np.testing.assert_allclose(h1, hb[0])
    np.testing.assert_allclose(c1, cb[0])


def test_masked_softmax_broadcasts_a_mask_and_zeroes_an_empty_row():
    scores = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 9.0]])
    np.testing.assert_allclose(attention.masked_softmax(scores, np.array([1, 1, 0])),
                               attention.masked_softmax(scores, np.array([[1, 1, 0]] * 2)))
    empty = attention.masked_softmax(scores, np.array([[True, False, False], [False, False, False]]))
    np.testing.assert_array_equal(empty, [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    weights = attention.masked_softmax(np.array([[np.nan, 1.0]]), np.array([[False, True]]))
    np.testing.assert_array_equal(weights, [[0.0, 1.0]])   # a NaN score on padding is ignored


def test_language_model_boundaries():
    assert lm.perplexity([1.0]) == 1.0
    model = lm.NgramModel(np.array([0, 1]), 3, order=2, k=1e-6)
    assert model.perplexity(np.array([0, 1])) == pytest.approx(1.0, rel=1e-5)
    logits = np.array([0.0, -np.inf, 1.0])
    rng = np.random.default_rng(0)
    assert {lm.sample_logits(logits, top_k=3, rng=rng) for _ in range(200)} == {0, 2}  # -inf is never drawn
    assert lm.sample_logits(logits[None], 0.01, top_k=1, rng=rng) == 2                 # a (1, V) row is fine
    vocab = lm.CharVocabulary()
    assert vocab.decode([]) == "" and vocab.decode(np.array([vocab.size - 1])) == vocab.chars[-1]


def test_record_accepts_numpy_and_tensor_scalars(monkeypatch, capsys):
    import tensorflow as tf

    monkeypatch.delenv(metrics.METRICS_ENV, raising=False)
    metrics.record("np_scalar_value", np.float32(0.5))
    metrics.record("array_value", np.array([0.25]))
    metrics.record("tensor_value", tf.constant(2.0), fmt=".1f")
    assert metrics.recorded()["array_value"] == 0.25 and metrics.recorded()["tensor_value"] == 2.0
    assert "tensor_value = 2.0" in capsys.readouterr().out
