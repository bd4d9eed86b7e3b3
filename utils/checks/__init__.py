"""Automatic checks for the exercises, one module per chapter (``ch01`` … ``ch09``).

Each ``check_*`` function takes the student's function, runs it on cases whose answers come
from a reference implementation, prints one line starting with ✅ or ❌ that says what is
wrong in the student's terms, and returns True or False. A check never raises, whatever the
student's code does, so a student notebook always runs to the end; the rules every check
follows are in :mod:`utils.checks._core`. For nbgrader, the solution notebooks' hidden tests
``assert`` the returned value, so a ❌ scores zero points.
"""

from ._core import compare_arrays
from .ch01 import (
    _neighbours_reference,
    check_bag_of_words,
    check_cosine_similarity,
    check_embedding_matrix,
    check_nearest_neighbours,
    check_one_hot,
)
from .ch02 import (
    check_gradient_settings,
    check_node_levels,
    check_rnn_forward,
    check_rnn_step,
    check_rnn_step_backward,
    check_spectral_radius,
    check_stacked_params,
)
from .ch03 import ClassifierCheck, check_classifier_beats, check_gru_step, check_lstm_step, check_sequence_length
from .ch04 import check_attention_weights, check_merge_shape, check_probe_beats, check_reverse_reviews
from .ch05 import check_model_beats, check_naive_mae, check_windows
from .ch06 import check_conv1d, check_conv_stack_params, check_output_length, check_spike_detector
from .ch07 import (
    _toy_decoder,
    check_diagnose_teacher_forcing,
    check_dot_attention_weights,
    check_exact_match,
    check_greedy_decode,
)
from .ch08 import check_bigram_probability, check_lanes, check_perplexity, check_sample_with_temperature
from .ch09 import check_beam_step, check_causal_mask, check_scaled_dot_attention, check_sinusoidal_positions

__all__ = [
    "ClassifierCheck",
    "_neighbours_reference",
    "_toy_decoder",
    "check_attention_weights",
    "check_bag_of_words",
    "check_beam_step",
    "check_bigram_probability",
    "check_causal_mask",
    "check_classifier_beats",
    "check_conv1d",
    "check_conv_stack_params",
    "check_cosine_similarity",
    "check_diagnose_teacher_forcing",
    "check_dot_attention_weights",
    "check_embedding_matrix",
    "check_exact_match",
    "check_gradient_settings",
    "check_greedy_decode",
    "check_gru_step",
    "check_lanes",
    "check_lstm_step",
    "check_merge_shape",
    "check_model_beats",
    "check_naive_mae",
    "check_nearest_neighbours",
    "check_node_levels",
    "check_one_hot",
    "check_output_length",
    "check_perplexity",
    "check_probe_beats",
    "check_reverse_reviews",
    "check_rnn_forward",
    "check_rnn_step",
    "check_rnn_step_backward",
    "check_sample_with_temperature",
    "check_scaled_dot_attention",
    "check_sequence_length",
    "check_sinusoidal_positions",
    "check_spectral_radius",
    "check_spike_detector",
    "check_stacked_params",
    "check_windows",
    "compare_arrays",
]
