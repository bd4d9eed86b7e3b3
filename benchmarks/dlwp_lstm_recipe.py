"""Time-to-accuracy of the *Deep Learning with Python* LSTM recipe, measured on this machine.

Chapter 03's bar asks for its best IMDB model's time to 0.87 validation accuracy next to the
book's recipe (DLwP 1st ed., listing 6.27), measured the same way on the same machine. The
recipe: the 10,000 most frequent words, every review cut or padded to 500 tokens at the front
(`pad_sequences` defaults), `Embedding(10000, 32)` → `LSTM(32)` → `Dense(1, sigmoid)`,
RMSprop, batch 128, 10 epochs. The book used 20,000 training and 5,000 validation reviews
(`validation_split=0.2`); we use chapter 03's own 20,000 / 5,000 split of the same reviews, and
the course's tf.data input pipeline, so only the recipe differs.

Run alone (other work on the CPU distorts the timings), from the repo root::

    make bench-dlwp

It takes about 4 minutes on 2 cores and writes ``benchmarks/dlwp_lstm_recipe.json``.
"""

from __future__ import annotations

import utils  # first: quiet TensorFlow import

# isort: split

import json
import os
import platform
from pathlib import Path

import keras
import numpy as np

from utils import load_imdb, make_dataset
from utils.training import EpochTimer, seconds_to_target

TARGET = 0.87
OUT = Path(__file__).with_name("dlwp_lstm_recipe.json")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    utils.setup(seed=42)
    data = load_imdb()
    (train_texts, y_train), (val_texts, y_val), _ = data.train, data.val, data.test
    vectorize = keras.layers.TextVectorization(max_tokens=10_000, ragged=True)
    vectorize.adapt(train_texts, batch_size=512)
    x_train, x_val = (keras.utils.pad_sequences(vectorize(t).to_list(), maxlen=500) for t in (train_texts, val_texts))

    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((500,), dtype="int32"),
        keras.layers.Embedding(10_000, 32),
        keras.layers.LSTM(32),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    history = model.fit(make_dataset(x_train, y_train, 128, shuffle=True), epochs=10, verbose=2,
                        validation_data=make_dataset(x_val, y_val, 512), callbacks=[timer])
    val_acc = [float(a) for a in history.history["val_accuracy"]]
    cumulative = np.cumsum(timer.seconds)
    reached = [i for i, a in enumerate(val_acc) if a >= TARGET]
    result = {
        "recipe": "DLwP 1st ed. listing 6.27: top-10k words, maxlen 500 (pre-padding), Embedding 32, "
                  "LSTM(32), RMSprop, batch 128, 10 epochs",
        "machine": f"{os.cpu_count()} cores, {cpu_model()}",
        "versions": {"keras": keras.__version__, "tensorflow": __import__("tensorflow").__version__},
        "val_accuracy": val_acc,
        "seconds_per_epoch": [round(s, 2) for s in timer.seconds],
        "best_val_accuracy": max(val_acc),
        "target": TARGET,
        "epochs_to_target": reached[0] + 1 if reached else None,
        "seconds_to_target": round(seconds_to_target(val_acc, timer.seconds, TARGET), 1) if reached else None,
        "total_seconds": round(float(cumulative[-1]), 1),
    }
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
