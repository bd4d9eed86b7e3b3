"""The data layer's fault paths: stalled networks, parallel first use, damaged caches,
environment faults (full disk, read-only, permissions, wrong paths), bad arguments, and
:func:`utils.data.require`. Everything runs on small synthetic files in temporary folders
(never the course's data/cache) and a loopback server; no test touches the internet."""

import builtins
import errno
import hashlib
import io
import json
import multiprocessing
import os
import socket
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from test_data import _sha, _tar_gz, local_server  # noqa: F401 - local_server is a fixture

from utils import data
from utils.config import DATA_ENV, TIMEOUT_ENV, TRIES_ENV

# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def place(monkeypatch, tmp_path):
    """An empty data folder (COURSE_DATA_DIR) and an empty cache; returns (folder, cache)."""
    folder, cache = tmp_path / "datasets", tmp_path / "cache"
    folder.mkdir()
    cache.mkdir()
    monkeypatch.setenv(DATA_ENV, str(folder))
    monkeypatch.setattr(data, "cache_dir", lambda: cache)
    return folder, cache


def _register(monkeypatch, name: str, filename: str, content: bytes, url: str = "http://127.0.0.1:9/none",
              member: str | None = None, download_sha256: str | None = None) -> data.Dataset:
    """Put a toy entry called ``name`` in the registry (replacing a real one for the test)."""
    entry = data.Dataset(
        name=name, description=f"toy {name}", variants=(data.Variant(filename, _sha(content), "canonical"),),
        url=url, download_name=url.rsplit("/", 1)[-1], download_sha256=download_sha256, member=member,
        licence="none", citation="none",
    )
    monkeypatch.setitem(data.REGISTRY, name, entry)
    return entry


def _glove_text(n_words: int = 3000, dim: int = 50, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(n_words, dim))
    return "".join(f"w{i} " + " ".join(f"{x:.5f}" for x in row) + "\n" for i, row in enumerate(rows)).encode()


@pytest.fixture
def toy_glove(monkeypatch, place):
    """A small GloVe-format file registered as glove50; returns its bytes."""
    folder, _ = place
    content = _glove_text()
    (folder / "glove.toy.txt").write_bytes(content)
    _register(monkeypatch, "glove50", "glove.toy.txt", content)
    return content


def _imdb_tar(per_class_train: int = 30, per_class_test: int = 10) -> bytes:
    files = {}
    for split, n in (("train", per_class_train), ("test", per_class_test)):
        for cls in ("neg", "pos"):
            for i in range(n):
                files[f"aclImdb/{split}/{cls}/{i}_{3 if cls == 'neg' else 8}.txt"] = (
                    f"{split} {cls} review number {i}<br />the end".encode()
                )
    return _tar_gz(files)


@pytest.fixture
def toy_imdb(monkeypatch, place):
    """A synthetic aclImdb tar.gz (30 + 30 train, 10 + 10 test reviews) registered as imdb."""
    folder, cache = place
    content = _imdb_tar()
    (folder / "toy_imdb.tar.gz").write_bytes(content)
    _register(monkeypatch, "imdb", "toy_imdb.tar.gz", content)
    return cache / "aclImdb_extracted" / "aclImdb"


# ----------------------------------------------------------------------------- 1. stalled network


@pytest.fixture
def silent_server():
    """A loopback server that accepts every connection and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.05)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", held
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def test_stalled_network_times_out_retries_and_explains(monkeypatch, place, silent_server, capsys):
    base, held = silent_server
    folder, cache = place
    _register(monkeypatch, "stalled", "stalled.txt", b"never sent\n", url=f"{base}/stalled.txt")
    monkeypatch.setenv(TIMEOUT_ENV, "0.3")
    monkeypatch.setenv(TRIES_ENV, "2")
    outcome: dict[str, BaseException | float] = {}

    def run() -> None:
        start = time.monotonic()
        try:
            data.fetch("stalled")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = exc
        outcome["seconds"] = time.monotonic() - start

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "fetch() still waiting for a server that never answers, after 20 s"
    assert outcome["seconds"] < 10
    error = outcome["error"]
    assert isinstance(error, data.DataNotFoundError), repr(error)
    message = str(error)
    for needed in ("did not answer", "0.3 s", "2 tries", TIMEOUT_ENV, DATA_ENV, str(folder),
                   "python -m utils.data fetch stalled"):
        assert needed in message, f"{needed!r} missing from: {message}"
    assert len(held) == 2, f"expected exactly 2 attempts (COURSE_DOWNLOAD_TRIES=2), the server saw {len(held)}"
    assert [p.name for p in cache.rglob("*") if not p.name.endswith(".lock")] == []  # nothing half-downloaded


def test_a_server_error_is_tried_again_then_the_file_arrives(monkeypatch, place):
    import http.server

    payload = b"second time lucky\n"
    requests: list[str] = []

    class Flaky(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            if len(requests) == 1:
                self.send_error(503)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/flaky.txt"
        _register(monkeypatch, "flaky", "flaky.txt", payload, url=url, download_sha256=_sha(payload))
        monkeypatch.setenv(TIMEOUT_ENV, "0.2")
        path = data.fetch("flaky")
    finally:
        server.shutdown()
    assert path.read_bytes() == payload and len(requests) == 2


# ----------------------------------------------------------------------------- 2. parallel first use


def _load_glove_in_child(barrier, queue) -> None:
    try:
        barrier.wait(timeout=60)
        glove = data.load_glove()
        queue.put(("ok", len(glove), hashlib.sha256(glove.vectors.tobytes()).hexdigest(),
                   hashlib.sha256("\n".join(glove.words).encode()).hexdigest()))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


def test_parallel_first_load_glove_all_succeed_with_identical_data(monkeypatch, place, toy_glove):
    _, cache = place
    real_savez = np.savez

    def slow_savez(file, *args, **kwargs):  # a slow disk: the real 40 MB cache takes a while to write
        real_savez(file, *args, **kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(np, "savez", slow_savez)
    n = 6
    ctx = multiprocessing.get_context("fork")  # children inherit the toy registry and the cache
    barrier, queue = ctx.Barrier(n), ctx.Queue()
    children = [ctx.Process(target=_load_glove_in_child, args=(barrier, queue)) for _ in range(n)]
    for child in children:
        child.start()
    results = [queue.get(timeout=120) for _ in range(n)]
    for child in children:
        child.join(30)
    errors = [r[1] for r in results if r[0] != "ok"]
    assert not errors, errors
    assert len({r[1:] for r in results}) == 1, "the processes got different data"
    assert results[0][1] == 3000
    expected = np.asarray([line.split(" ")[1:] for line in toy_glove.decode().splitlines()], dtype="float32")
    assert results[0][2] == hashlib.sha256(expected.tobytes()).hexdigest()
    assert len(list(cache.glob("*.npz"))) == 1
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]


# ----------------------------------------------------------------------------- 3. damaged caches


def test_deleted_files_in_the_extraction_are_noticed_and_extracted_again(toy_imdb, capsys):
    first = data.load_imdb(val_size=10)
    assert first.sizes() == {"train": 50, "val": 10, "test": 20}
    pos = toy_imdb / "train" / "pos"
    for path in sorted(pos.glob("*.txt"))[:20]:
        path.unlink()
    capsys.readouterr()
    again = data.load_imdb(val_size=10)
    assert "Extracting it again" in capsys.readouterr().out
    assert again.sizes() == first.sizes()
    assert again.train[0] == first.train[0] and again.train[1].mean() == pytest.approx(0.5)
    assert len(list(pos.glob("*.txt"))) == 30


def test_an_altered_file_in_the_extraction_is_noticed(tmp_path, place):
    archive = tmp_path / "a.tar.gz"
    archive.write_bytes(_tar_gz({"root/x.txt": b"complete contents", "root/y.txt": b"y"}))
    dest = data.extract_tar(archive, tmp_path / "out")
    (dest / "root" / "x.txt").write_bytes(b"cut")
    data.extract_tar(archive, tmp_path / "out")
    assert (dest / "root" / "x.txt").read_bytes() == b"complete contents"
    record = json.loads((dest / ".extracted-from").read_text())
    assert record["files"] == 2 and record["archive_sha256"] == _sha(archive.read_bytes())


@pytest.mark.parametrize("damage", [b"", b"not a zip file at all", "half"])
def test_a_corrupt_npz_cache_is_rebuilt(place, toy_glove, damage):
    _, cache = place
    first = data.load_glove()
    (npz,) = cache.glob("*.npz")
    good = npz.read_bytes()
    npz.write_bytes(good[: len(good) // 2] if damage == "half" else damage)
    again = data.load_glove()
    assert again.words == first.words
    np.testing.assert_array_equal(again.vectors, first.vectors)
    assert len(npz.read_bytes()) == len(good) and data._read_glove_npz(npz) is not None  # rebuilt


# ----------------------------------------------------------------------------- 4. environment faults


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES])
def test_a_full_or_readonly_disk_is_not_called_a_corrupt_archive(monkeypatch, tmp_path, place, code):
    archive = tmp_path / "good.tar.gz"
    archive.write_bytes(_tar_gz({"root/x.txt": b"x"}))

    def no_room(self, *args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tarfile.TarFile, "extractall", no_room)
    with pytest.raises(data.DataEnvironmentError) as err:
        data.extract_tar(archive, tmp_path / "out")
    message = str(err.value)
    assert "truncated or corrupt" not in message and "Delete it" not in message
    assert "do not delete" in message and "COURSE_CACHE_DIR" in message
    assert data._ENVIRONMENT_ERRNOS[code] in message
    assert archive.is_file() and not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_full_disk_while_unpacking_a_download_is_reported_as_such(monkeypatch, tmp_path, place, local_server):  # noqa: F811
    import zipfile

    www, base = local_server
    member = b"a,b\n1,2\n"
    with zipfile.ZipFile(www / "pkg.zip", "w") as zf:
        zf.writestr("pkg/file.csv", member)
    _register(monkeypatch, "zipped", "file.csv", member, url=f"{base}/pkg.zip", member="pkg/file.csv")
    monkeypatch.setenv(DATA_ENV, "")

    class FullDisk:
        """A file opened for writing on a disk with no room left."""

        def __init__(self, path: str) -> None:
            self.path = path

        def write(self, block: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device", self.path)

        def __enter__(self) -> "FullDisk":
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    def open_on_full_disk(path, mode="r", *args, **kwargs):  # only the unpacked member's temporary file
        if "w" in mode and Path(path).name.startswith(".file.csv."):
            return FullDisk(str(path))
        return builtins.open(path, mode, *args, **kwargs)

    monkeypatch.setattr(data, "open", open_on_full_disk, raising=False)
    with pytest.raises(data.DataEnvironmentError, match="no space is left") as err:
        data.fetch("zipped")
    assert "not a readable archive" not in str(err.value)
    assert (place[1] / "downloads" / "pkg.zip").is_file()  # the good download is kept


def test_a_folder_where_the_data_file_should_be(monkeypatch, place):
    folder, _ = place
    _register(monkeypatch, "toy", "toy.txt", b"toy\n")
    (folder / "toy.txt").mkdir()
    with pytest.raises(data.DataEnvironmentError, match=r"toy\.txt is a folder.*remove or rename"):
        data.fetch("toy", download=False)


def test_an_unreadable_file_and_list_carries_on(monkeypatch, place, capsys):
    folder, _ = place
    entry = _register(monkeypatch, "toy", "toy.txt", b"toy\n")
    (folder / "toy.txt").write_bytes(b"toy\n")

    def guarded_open(path, *args, **kwargs):  # tests run as root, so chmod 000 would not stop us
        if Path(path).name == "toy.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(data, "open", guarded_open, raising=False)
    with pytest.raises(data.DataEnvironmentError, match=r"cannot be read.*chmod a\+r"):
        data.sha256_file(folder / "toy.txt")
    with pytest.raises(data.DataEnvironmentError):
        data.fetch("toy", download=False)
    # the bad entry first, then every other one is still listed
    monkeypatch.setattr(data, "REGISTRY", {"toy": entry, **{k: v for k, v in data.REGISTRY.items() if k != "toy"}})
    assert data._main(["list"]) == 1
    out = capsys.readouterr().out
    assert "toy: toy toy\n  found: PROBLEM:" in out and "cannot be read" in out
    assert out.index("toy:") < out.index("cmn:") and "not found locally" in out


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_a_data_dir_that_is_not_a_folder_is_reported(monkeypatch, tmp_path, place, kind, capsys):
    _, cache = place
    content = b"toy\n"
    _register(monkeypatch, "toy", "toy.txt", content)
    (cache / "toy.txt").write_bytes(content)  # even with a good copy in the cache, the typo is reported
    wrong = tmp_path / "datasetz"
    if kind == "a file":
        wrong.write_text("not a folder")
    monkeypatch.setenv(DATA_ENV, str(wrong))
    expected = "is a file, not a folder" if kind == "a file" else "does not exist"
    with pytest.raises(data.DataEnvironmentError, match=expected) as err:
        data.fetch("toy", download=False)
    assert str(wrong) in str(err.value) and f"unset {DATA_ENV}" in str(err.value)
    assert data._main(["list"]) == 1
    assert expected in capsys.readouterr().out


# ----------------------------------------------------------------------------- 6. require


def test_require_returns_the_verified_paths(monkeypatch, place):
    folder, _ = place
    for name in ("a", "b"):
        _register(monkeypatch, name, f"{name}.txt", name.encode())
        (folder / f"{name}.txt").write_bytes(name.encode())
    assert data.require("a", "b", "a") == {"a": folder / "a.txt", "b": folder / "b.txt"}


def test_require_lists_every_missing_and_corrupt_file_in_one_error(monkeypatch, place):
    folder, _ = place
    for name in ("present", "missing1", "missing2", "corrupt", "isdir"):
        _register(monkeypatch, name, f"{name}.txt", name.encode())
    (folder / "present.txt").write_bytes(b"present")
    (folder / "corrupt.txt").write_bytes(b"corrupted!")
    (folder / "isdir.txt").mkdir()
    with pytest.raises(data.DataNotFoundError) as err:
        data.require("present", "missing1", "corrupt", "missing2", "isdir", download=False)
    message = str(err.value)
    assert message.startswith("4 of the 5 datasets")
    for needed in ("'missing1': no file named missing1.txt", "'missing2'", "corrupt.txt is corrupt",
                   "isdir.txt is a folder", DATA_ENV, str(folder),
                   "python -m utils.data fetch missing1 corrupt missing2 isdir"):
        assert needed in message, f"{needed!r} missing from: {message}"
    assert "present" not in message and message.count("Looked in:") == 1


def test_require_remembers_digests_and_still_sees_a_changed_file(monkeypatch, place):
    folder, cache = place
    content = b"x" * 10_000
    _register(monkeypatch, "big", "big.bin", content)
    path = folder / "big.bin"
    path.write_bytes(content)
    hashed: list[Path] = []
    real = data.sha256_file

    def counting(p, *args, **kwargs):
        hashed.append(Path(p))
        return real(p, *args, **kwargs)

    monkeypatch.setattr(data, "sha256_file", counting)
    data.require("big", download=False)
    data.require("big", download=False)
    assert hashed == [path], "the second check re-hashed an unchanged file"
    cached = json.loads((cache / ".sha256-cache.json").read_text())
    assert cached[str(path.resolve())]["sha256"] == _sha(content)
    stat = path.stat()
    with open(path, "r+b") as fh:  # same size, same mtime afterwards: only the content differs
        fh.write(b"y")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(data.DataNotFoundError, match=r"big\.bin is corrupt"):
        data.require("big", download=False)


def test_require_arguments(place):
    with pytest.raises(ValueError, match="at least one"):
        data.require()
    with pytest.raises(TypeError, match="str"):
        data.require(3)
    with pytest.raises(KeyError, match="Registered datasets"):
        data.require("imdb", "no-such-dataset")
    with pytest.raises(TypeError, match="True or False"):
        data.require("imdb", download="no")


def test_setup_checks_the_datasets_before_changing_anything(monkeypatch, place):
    from utils import config

    _register(monkeypatch, "toy", "toy.txt", b"toy\n")
    def offline(dataset: data.Dataset) -> Path:
        raise OSError("offline")

    monkeypatch.setattr(data, "_download", offline)
    before = dict(os.environ)
    with pytest.raises(data.DataNotFoundError, match=r"'toy': no file named toy\.txt"):
        config.setup(seed=3, datasets=("toy",))
    assert dict(os.environ) == before
    with pytest.raises(TypeError, match="tuple or list"):
        config.setup(datasets="imdb")
    with pytest.raises(KeyError, match="no-such"):
        config.setup(datasets=("no-such",))


# ----------------------------------------------------------------------------- argument checks


@pytest.fixture
def no_loading(monkeypatch):
    """Arguments must be checked before any data is looked for."""

    def refuse(name: str, download: bool = True) -> Path:
        raise AssertionError(f"fetch({name!r}) was called before the arguments were checked")

    monkeypatch.setattr(data, "fetch", refuse)


def _vectors() -> data.WordVectors:
    return data.WordVectors(["a", "b"], np.zeros((2, 3), dtype="float32"))


BAD_ARGUMENTS = [
    # (function, kwargs, exception, message)
    ("load_glove", {"max_words": -1}, ValueError, "max_words must be at least 1"),
    ("load_glove", {"max_words": 0}, ValueError, "at least 1"),
    ("load_glove", {"max_words": "10"}, TypeError, "an integer or None"),
    ("load_glove", {"max_words": True}, TypeError, "an integer or None"),
    ("load_imdb", {"n_train": 1}, ValueError, "n_train must be at least 2"),
    ("load_imdb", {"n_test": 2.5}, TypeError, "n_test must be an integer or None"),
    ("load_imdb", {"n_val": 6000}, ValueError, "more than val_size=5,000"),
    ("load_imdb", {"val_size": 0}, ValueError, "val_size must be at least 2"),
    ("load_imdb", {"seed": -1}, ValueError, "seed must be at least 0"),
    ("load_imdb", {"clean": "yes"}, TypeError, "clean must be True or False"),
    ("load_chnsenticorp", {"val_fraction": 0.5, "test_fraction": 0.6}, ValueError, r"0\.5 \+ 0\.6 = 1\.1\."),
    ("load_chnsenticorp", {"val_fraction": 0}, ValueError, "strictly between 0 and 1"),
    ("load_chnsenticorp", {"test_fraction": 1.0}, ValueError, "strictly between 0 and 1"),
    ("load_chnsenticorp", {"val_fraction": "0.1"}, TypeError, "a number between 0 and 1"),
    ("load_chnsenticorp", {"n_train": 0}, ValueError, "n_train must be at least 2"),
    ("load_chnsenticorp", {"seed": None}, TypeError, "seed must be an integer"),
    ("load_cmn", {"max_source_words": 0}, ValueError, "max_source_words must be at least 1"),
    ("load_cmn", {"max_target_chars": 2.0}, TypeError, "max_target_chars must be an integer or None"),
    ("load_cmn", {"val_fraction": float("nan")}, ValueError, "strictly between 0 and 1"),
    ("load_cmn", {"seed": 2**32}, ValueError, "seed must be at most"),
    ("load_nyc_weather", {"max_gap_hours": -1}, ValueError, "max_gap_hours must be at least 0"),
    ("load_nyc_weather", {"max_gap_hours": 1.5}, TypeError, "max_gap_hours must be an integer"),
    ("parse_ts", {"path": 3}, TypeError, "path must be a path"),
    ("sha256_file", {"path": None}, TypeError, "path must be a path"),
    ("sha256_file", {"path": "x", "chunk": 0}, ValueError, "chunk must be at least 1"),
    ("locate", {"name": None}, TypeError, "dataset name must be a str"),
    ("extract_tar", {"archive": 3, "dest": "x"}, TypeError, "archive must be a path"),
    ("extract_tar", {"archive": "x", "dest": ""}, ValueError, "dest must not be empty"),
    ("build_embedding_matrix", {"vocabulary": "abc", "vectors": "V"}, TypeError, "vocabulary must be a tuple or list"),
    ("build_embedding_matrix", {"vocabulary": ["a", 1], "vectors": "V"}, TypeError, "vocabulary must hold only str"),
    ("build_embedding_matrix", {"vocabulary": ["a"], "vectors": np.zeros((2, 3))}, TypeError, "WordVectors"),
    ("build_embedding_matrix", {"vocabulary": ["a"], "vectors": "V", "verbose": 1}, TypeError, "verbose must be True"),
]


@pytest.mark.parametrize("function, kwargs, exception, message", BAD_ARGUMENTS,
                         ids=[f"{f}-{'-'.join(map(str, k))}-{i}" for i, (f, k, _, _) in enumerate(BAD_ARGUMENTS)])
def test_bad_arguments_are_refused_with_what_was_expected(no_loading, function, kwargs, exception, message):
    kwargs = {k: _vectors() if isinstance(v, str) and v == "V" else v for k, v in kwargs.items()}
    with pytest.raises(exception, match=message):
        getattr(data, function)(**kwargs)


def test_fetch_arguments(place):
    with pytest.raises(TypeError, match="dataset name must be a str"):
        data.fetch(3)
    with pytest.raises(TypeError, match="download must be True or False"):
        data.fetch("imdb", download="no")
    with pytest.raises(ValueError, match="Unknown dataset 'nope'"):  # also a KeyError, as before
        data.fetch("nope")


def test_word_vectors_must_match_their_words():
    with pytest.raises(ValueError, match="2 words but 1 vectors"):
        data.WordVectors(["a", "b"], np.zeros((1, 3), dtype="float32"))
    with pytest.raises(TypeError, match="2-D NumPy array"):
        data.WordVectors(["a"], [[1.0, 2.0]])


def test_load_glove_refuses_more_words_than_it_has(toy_glove):
    with pytest.raises(ValueError, match="max_words=3,001 is more than the 3,000 words"):
        data.load_glove(max_words=3001)
    assert len(data.load_glove(max_words=3000)) == 3000


def test_load_imdb_refuses_more_reviews_than_there_are(toy_imdb):
    with pytest.raises(ValueError, match="n_train=1,000,000 is more than the 50 examples"):
        data.load_imdb(n_train=10**6, val_size=10)
    with pytest.raises(ValueError, match="n_test=21 is more than the 20"):
        data.load_imdb(n_test=21, val_size=10)
    with pytest.raises(ValueError, match="val_size=59 leaves fewer than 2"):
        data.load_imdb(val_size=59)
    assert data.load_imdb(n_train=50, n_val=9, n_test=20, val_size=10).sizes() == {"train": 50, "val": 9, "test": 20}


def test_split_fractions_must_leave_examples_in_every_split(monkeypatch, place):
    folder, _ = place
    csv = "label,review\n" + "".join(f"{i % 2},review {i}\n" for i in range(40))
    (folder / "toy.csv").write_text(csv)
    _register(monkeypatch, "chnsenticorp", "toy.csv", csv.encode())
    with pytest.raises(ValueError, match="n_train=100 is more than the"):
        data.load_chnsenticorp(n_train=100)
    with pytest.raises(ValueError, match=r"test_fraction = 0\.01 leaves fewer than 2 of the 40"):
        data.load_chnsenticorp(test_fraction=0.01)
    pairs = "".join(f"sentence {i}\t句子{i}\tCC-BY 2.0 (France) #{i}\n" for i in range(10))
    (folder / "cmn.toy.txt").write_text(pairs, encoding="utf-8")
    _register(monkeypatch, "cmn", "cmn.toy.txt", pairs.encode())
    with pytest.raises(ValueError, match=r"val_fraction = 0\.1 leaves fewer than 2 of the 10"):
        data.load_cmn()
    train, val, test = data.load_cmn(val_fraction=0.2, test_fraction=0.2)
    assert (len(train), len(val), len(test)) == (6, 2, 2)


def test_a_download_cut_short_is_not_kept(monkeypatch, place):
    import http.server
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("pkg/file.csv", b"a,b\n1,2\n")
    archive = buf.getvalue()

    class Cut(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(archive)))
            self.end_headers()
            self.wfile.write(archive[: len(archive) // 2])  # then the connection closes

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Cut)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/pkg.zip"
        _register(monkeypatch, "cut", "file.csv", b"a,b\n1,2\n", url=url, member="pkg/file.csv")
        monkeypatch.setenv(TIMEOUT_ENV, "0.2")
        with pytest.raises(data.DataNotFoundError, match="IncompleteRead"):
            data.fetch("cut")
    finally:
        server.shutdown()
    assert not (place[1] / "downloads" / "pkg.zip").exists()
