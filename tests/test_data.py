import gzip
import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest

from utils import data
from utils.config import DATA_ENV


def _sha(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def toy(monkeypatch, tmp_path):
    """A registry holding one toy dataset, an empty cache and an empty data folder."""
    content = b"hello sequence course\n"
    entry = data.Dataset(
        name="toy",
        description="a toy file",
        variants=(
            data.Variant("toy.txt", _sha(content), "canonical"),
            data.Variant("toy-small.txt", _sha(b"small\n"), "reduced derivative: first line"),
        ),
        url="http://127.0.0.1:9/toy.txt",  # nothing listens there: downloads fail at once
        download_name="toy.txt",
        download_sha256=_sha(content),
        licence="none",
        citation="none",
    )
    monkeypatch.setitem(data.REGISTRY, "toy", entry)
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(data, "cache_dir", lambda: cache)
    folder = tmp_path / "datasets"
    folder.mkdir()
    monkeypatch.setenv(DATA_ENV, str(folder))
    return folder, cache, content


def test_registry_hit_in_data_dir(toy):
    folder, _, content = toy
    (folder / "toy.txt").write_bytes(content)
    assert data.fetch("toy", download=False) == folder / "toy.txt"


def test_registry_accepts_a_known_derivative(toy):
    folder, _, _ = toy
    (folder / "toy-small.txt").write_bytes(b"small\n")
    assert data.fetch("toy", download=False).name == "toy-small.txt"


def test_data_dir_comes_before_cache(toy):
    folder, cache, content = toy
    (folder / "toy.txt").write_bytes(content)
    (cache / "toy.txt").write_bytes(content)
    assert data.fetch("toy", download=False).parent == folder


def test_registry_miss_names_file_places_and_fix(toy):
    folder, cache, _ = toy
    with pytest.raises(data.DataNotFoundError) as err:
        data.fetch("toy")  # tries the (unreachable) download, then explains
    message = str(err.value)
    for needed in ("toy.txt", str(folder), str(cache), DATA_ENV, "python -m utils.data fetch toy", "download"):
        assert needed in message, f"{needed!r} missing from: {message}"


def test_sha256_mismatch_never_returns_data(toy):
    folder, _, content = toy
    flipped = bytearray(content)
    flipped[0] ^= 0x01
    (folder / "toy.txt").write_bytes(bytes(flipped))
    with pytest.raises(data.DataIntegrityError, match="sha256"):
        data.fetch("toy", download=False)


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(KeyError, match="imdb"):
        data.fetch("no-such-dataset")


def _tar_gz(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, payload in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


@pytest.fixture
def own_cache(monkeypatch, tmp_path):
    """An empty cache folder, so that nothing a test does lands in the course's data/cache."""
    cache = tmp_path / "own-cache"
    cache.mkdir()
    monkeypatch.setattr(data, "cache_dir", lambda: cache)
    return cache


def test_extract_tar_once_and_complete(tmp_path, own_cache):
    archive = tmp_path / "a.tar.gz"
    archive.write_bytes(_tar_gz({"root/x.txt": b"x", "root/y.txt": b"y"}))
    dest = data.extract_tar(archive, tmp_path / "out")
    assert (dest / "root" / "y.txt").read_bytes() == b"y"
    stamp = (dest / ".extracted-from").stat().st_mtime_ns
    data.extract_tar(archive, tmp_path / "out")  # second call: nothing to do
    assert (dest / ".extracted-from").stat().st_mtime_ns == stamp


def test_truncated_archive_is_detected_and_not_half_extracted(tmp_path, own_cache):
    payload = os.urandom(200_000)  # incompressible, so the gzip stream is long
    good = _tar_gz({"root/big.bin": payload, "root/small.txt": b"s"})
    archive = tmp_path / "cut.tar.gz"
    archive.write_bytes(good[: len(good) // 2])
    with pytest.raises(data.DataIntegrityError, match="truncated or corrupt"):
        data.extract_tar(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_not_gzip_at_all_is_detected(tmp_path, own_cache):
    archive = tmp_path / "junk.tar.gz"
    archive.write_bytes(gzip.compress(b"this is not a tar archive" * 10)[:40])
    with pytest.raises(data.DataIntegrityError):
        data.extract_tar(archive, tmp_path / "out")


def test_embedding_matrix_rows_and_coverage():
    vectors = data.WordVectors(["the", "movie"], np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32"))
    result = data.build_embedding_matrix(["", "[UNK]", "movie", "zzz", "the"], vectors, verbose=False)
    np.testing.assert_array_equal(result.matrix, [[0, 0], [0, 0], [3, 4], [0, 0], [1, 2]])
    assert (result.found, result.total) == (2, 3)
    assert result.coverage == pytest.approx(2 / 3)


def test_word_vectors_missing_word_message():
    vectors = data.WordVectors(["a"], np.zeros((1, 2), dtype="float32"))
    with pytest.raises(KeyError, match="not among the 1 words"):
        vectors["b"]


# --- the real course data (in CI: ../shared/datasets through COURSE_DATA_DIR) -------------

needs_data = pytest.mark.skipif(
    not os.environ.get(DATA_ENV), reason=f"{DATA_ENV} is not set: real-data tests need the datasets"
)


@needs_data
@pytest.mark.parametrize("name", sorted(data.REGISTRY))
def test_real_registry_files_verify(name):
    path = data.fetch(name, download=False)
    assert path.name in {v.filename for v in data.REGISTRY[name].variants}


@needs_data
def test_imdb_splits_are_disjoint_stratified_and_reproducible():
    first = data.load_imdb(n_train=300, n_val=100, n_test=200)
    again = data.load_imdb(n_train=300, n_val=100, n_test=200)
    assert first.sizes() == {"train": 300, "val": 100, "test": 200}
    assert first.train[0] == again.train[0]
    assert not set(first.train[0]) & set(first.val[0])
    for _, labels in (first.train, first.val, first.test):
        assert labels.mean() == pytest.approx(0.5, abs=0.01)
    assert not any("<br" in t for t in first.train[0])


@needs_data
def test_imdb_validation_is_carved_from_train_not_test():
    # (IMDB itself has some identical reviews in both official splits, so compare sources.)
    splits = data.load_imdb(n_train=None, n_val=5000, n_test=10)
    train_files, _ = data._imdb_files("train")
    official_train = set(data._read(train_files, clean=True))
    assert len(splits.val[0]) == 5000 and len(splits.train[0]) == 20000
    assert all(text in official_train for text in splits.val[0])


@needs_data
def test_chnsenticorp_splits_are_disjoint_stratified_and_complete():
    splits = data.load_chnsenticorp()
    sizes = splits.sizes()
    assert sum(sizes.values()) == 7765  # the one empty review is dropped
    assert sizes["test"] == pytest.approx(0.15 * 7765, abs=2)
    texts = [set(getattr(splits, k)[0]) for k in ("train", "val", "test")]
    assert not texts[0] & texts[1] and not texts[0] & texts[2] and not texts[1] & texts[2]  # no duplicates in the file
    for _, labels in (splits.train, splits.val, splits.test):
        assert labels.mean() == pytest.approx(5322 / 7766, abs=0.01)
    small = data.load_chnsenticorp(n_train=1000)
    assert small.sizes()["train"] == 1000 and small.val[0] == splits.val[0]


@needs_data
def test_glove_loads_known_similarities():
    glove = data.load_glove(max_words=50_000)
    assert len(glove) == 50_000 and glove.dim == 50
    unit = lambda w: glove[w] / np.linalg.norm(glove[w])  # noqa: E731
    assert float(unit("king") @ unit("queen")) == pytest.approx(0.784, abs=0.001)  # MANIFEST's check


def test_cli_list_runs(capsys):
    assert data._main(["list"]) == 0
    assert "imdb" in capsys.readouterr().out


def test_cli_usage(capsys):
    assert data._main([]) == 2
    assert "usage" in capsys.readouterr().out


def test_search_dirs_order(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    dirs = data.search_dirs()
    assert dirs[0] == Path(tmp_path) and len(dirs) == 2


def test_parse_ts(tmp_path):
    path = tmp_path / "x.ts"
    path.write_text("# comment\n@problemName x\n@data\n1,2,3:4,5,6:a\n7,8:9,10:b\n")
    series, labels = data.parse_ts(path)
    np.testing.assert_array_equal(series[0], [[1, 4], [2, 5], [3, 6]])
    assert series[1].shape == (2, 2) and labels.tolist() == ["a", "b"]


def test_parse_ts_reports_bad_lines(tmp_path):
    path = tmp_path / "bad.ts"
    path.write_text("@data\n1,zz:3,4:a\n")
    with pytest.raises(data.DataIntegrityError, match="line 2"):
        data.parse_ts(path)


@needs_data
def test_japanese_vowels_shapes():
    (train, y_train), (test, y_test) = data.load_japanese_vowels()
    assert (len(train), len(test)) == (270, 370)
    assert all(s.shape[1] == 12 and 7 <= s.shape[0] <= 29 for s in train + test)
    assert np.bincount(y_train).tolist() == [30] * 9 and y_test.max() == 8


@pytest.fixture
def local_server(tmp_path):
    """Serve tmp_path/www over HTTP on the loopback interface."""
    import functools
    import http.server
    import threading

    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("archive_kind", ["tar.gz", "zip"])
def test_download_extracts_and_verifies_member(monkeypatch, tmp_path, local_server, archive_kind):
    import zipfile

    www, base = local_server
    member_bytes = b"a,b\n1,2\n"
    if archive_kind == "zip":
        with zipfile.ZipFile(www / "pkg.zip", "w") as zf:
            zf.writestr("pkg/data/file.csv", member_bytes)
    else:
        (www / "pkg.tar.gz").write_bytes(_tar_gz({"pkg/data/file.csv": member_bytes}))
    archive_name = f"pkg.{archive_kind}"
    entry = data.Dataset(
        name="served", description="served by a test server",
        variants=(data.Variant("file.csv", _sha(member_bytes), "canonical"),),
        url=f"{base}/{archive_name}", download_name=archive_name,
        download_sha256=_sha((www / archive_name).read_bytes()),
        member="pkg/data/file.csv", licence="none", citation="none",
    )
    monkeypatch.setitem(data.REGISTRY, "served", entry)
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(data, "cache_dir", lambda: cache)
    monkeypatch.delenv(DATA_ENV, raising=False)
    path = data.fetch("served")
    assert path == cache / "file.csv" and path.read_bytes() == member_bytes
    assert data.fetch("served", download=False) == path  # now a cache hit


def test_download_with_wrong_hash_is_refused(monkeypatch, tmp_path, local_server):
    www, base = local_server
    (www / "f.txt").write_bytes(b"tampered\n")
    entry = data.Dataset(
        name="served2", description="x", variants=(data.Variant("f.txt", _sha(b"original\n"), "canonical"),),
        url=f"{base}/f.txt", download_name="f.txt", download_sha256=_sha(b"original\n"),
        licence="none", citation="none",
    )
    monkeypatch.setitem(data.REGISTRY, "served2", entry)
    monkeypatch.setattr(data, "cache_dir", lambda: tmp_path)
    monkeypatch.delenv(DATA_ENV, raising=False)
    with pytest.raises(data.DataError):
        data.fetch("served2")
    assert not (tmp_path / "f.txt").exists()
