import os

import pytest

from utils import config


@pytest.mark.parametrize("value, fast", [("1", True), ("true", True), ("ON", True), ("0", False), ("", False), ("no", False)])
def test_mode_switch(monkeypatch, value, fast):
    monkeypatch.setenv(config.FAST_ENV, value)
    assert config.is_fast() is fast
    assert config.mode() == ("fast" if fast else "full")
    assert config.pick(fast="small", full="big") == ("small" if fast else "big")


def test_full_mode_is_the_default(monkeypatch):
    monkeypatch.delenv(config.FAST_ENV, raising=False)
    assert config.mode() == "full"
    assert config.pick(1, 2) == 2


def test_unclear_mode_value_is_an_error(monkeypatch):
    monkeypatch.setenv(config.FAST_ENV, "maybe")
    with pytest.raises(ValueError, match="COURSE_FAST"):
        config.is_fast()


def test_data_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    assert config.data_dir() == tmp_path
    monkeypatch.delenv(config.DATA_ENV)
    assert config.data_dir() is None


def test_seeding_makes_keras_reproducible():
    import keras
    import numpy as np

    def draw():
        config.seed_everything(7)
        layer = keras.layers.Dense(3)
        layer.build((None, 4))
        return np.asarray(layer.kernel), np.random.rand(2)

    (k1, r1), (k2, r2) = draw(), draw()
    np.testing.assert_array_equal(k1, k2)
    np.testing.assert_array_equal(r1, r2)


def test_scratch_dir_is_new_and_private_each_time():
    from utils.config import REPO_ROOT, scratch_dir

    first, second = scratch_dir("99"), scratch_dir("99")
    try:
        assert first != second and first.is_dir() and second.is_dir()
        assert first.parent == REPO_ROOT / "runs" and first.name.startswith("99-")
    finally:
        first.rmdir()
        second.rmdir()
    with pytest.raises(ValueError, match="short name"):
        scratch_dir("../elsewhere")


def test_cache_and_runs_live_in_the_checkout():
    assert config.in_checkout(), "the test suite runs from a clone of the course"
    assert config.cache_dir() == config.REPO_ROOT / "data" / "cache"


def test_without_a_checkout_cache_and_runs_go_to_the_user_folder(monkeypatch, tmp_path):
    """As on Colab, where the set-up cell pip-installs `utils` into site-packages."""
    site_packages, home = tmp_path / "site-packages", tmp_path / "home"
    (site_packages / "utils").mkdir(parents=True)
    monkeypatch.setattr(config, "REPO_ROOT", site_packages)
    monkeypatch.setattr(config, "USER_ROOT", home / ".cache" / "seqdl-course")
    assert not config.in_checkout()
    assert config.cache_dir() == home / ".cache" / "seqdl-course" / "data" / "cache"
    run = config.scratch_dir("07")
    assert run.parent == home / ".cache" / "seqdl-course" / "runs" and run.is_dir()
    assert not (site_packages / "data").exists() and not (site_packages / "runs").exists()


@pytest.mark.parametrize("seed, error", [(None, TypeError), ("42", TypeError), (1.5, TypeError), (True, TypeError),
                                         (-1, ValueError), (2**32, ValueError)])
def test_a_bad_seed_is_refused_before_anything_changes(seed, error):
    """setup(seed=None) used to set PYTHONHASHSEED="None" first, and every later Python
    subprocess died with a fatal error."""
    import subprocess
    import sys

    before = dict(os.environ)
    with pytest.raises(error, match="seed must be"):
        config.seed_everything(seed)
    with pytest.raises(error, match="seed must be"):
        config.setup(seed=seed)
    assert dict(os.environ) == before
    child = subprocess.run([sys.executable, "-c", "print('alive')"], capture_output=True, text=True, timeout=60)
    assert child.returncode == 0 and child.stdout.strip() == "alive", child.stderr


def test_numpy_integer_seeds_are_accepted():
    import numpy as np

    config.seed_everything(np.int64(7))
    assert os.environ["PYTHONHASHSEED"] == "7"


def test_setup_refuses_datasets_given_as_one_string():
    with pytest.raises(TypeError, match=r"tuple or list of str such as \('imdb', 'glove50'\)"):
        config.setup(datasets="imdb")
    with pytest.raises(TypeError, match="only str"):
        config.setup(datasets=["imdb", 3])


def test_scratch_dir_wants_a_string():
    with pytest.raises(TypeError, match="short name"):
        config.scratch_dir(3)


def test_download_settings_from_the_environment(monkeypatch):
    monkeypatch.delenv(config.TIMEOUT_ENV, raising=False)
    monkeypatch.delenv(config.TRIES_ENV, raising=False)
    assert config.download_timeout() == config.DEFAULT_DOWNLOAD_TIMEOUT
    assert config.download_tries() == config.DEFAULT_DOWNLOAD_TRIES
    monkeypatch.setenv(config.TIMEOUT_ENV, "2.5")
    monkeypatch.setenv(config.TRIES_ENV, "5")
    assert (config.download_timeout(), config.download_tries()) == (2.5, 5)


@pytest.mark.parametrize("variable, value", [("COURSE_DOWNLOAD_TIMEOUT", "soon"), ("COURSE_DOWNLOAD_TIMEOUT", "0"),
                                             ("COURSE_DOWNLOAD_TIMEOUT", "inf"), ("COURSE_DOWNLOAD_TRIES", "0"),
                                             ("COURSE_DOWNLOAD_TRIES", "2.5")])
def test_unclear_download_settings_are_errors(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable):
        config.download_timeout() if "TIMEOUT" in variable else config.download_tries()


def test_cache_dir_can_be_moved(monkeypatch, tmp_path):
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path / "elsewhere"))
    assert config.cache_dir() == tmp_path / "elsewhere" and (tmp_path / "elsewhere").is_dir()
