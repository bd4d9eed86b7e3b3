"""The Chinese edition's run-time messages: the checks of chapters 02, 03 and 05 and the data
layer's errors speak Chinese after ``set_language("zh")`` and English again afterwards."""

import errno
import os
import tarfile

import numpy as np
import pytest

from utils import data, i18n
from utils.checks import ch02, ch03, ch05


@pytest.fixture
def zh():
    """Chinese for the test, English again afterwards (whatever the test did)."""
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def _no_tanh_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    return x_t @ kernel + h_prev @ recurrent_kernel + bias


def test_a_wrong_rnn_step_gets_a_chinese_line_naming_its_mistake(capsys, zh):
    assert ch02.check_rnn_step(_no_tanh_step) is False
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("❌ _no_tanh_step：（批量 3，4 个特征，6 个单元）新状态 在索引")
    assert line.endswith("缺少 tanh：new_state = tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)。")


def test_the_variant_causes_follow_the_language_of_the_moment(zh):
    assert "叶子的层级是 0" in ch02._LEVEL_VARIANTS[0][1]
    i18n.set_language("en")
    assert ch02._LEVEL_VARIANTS[0][1].startswith("Leaves have level 0 here")


def test_sequence_length_and_naive_mae_checks_speak_chinese(capsys, zh):
    assert ch03.check_sequence_length(lambda lengths, coverage: 3.0) is False
    assert ch05.check_naive_mae(lambda series, horizon: float(np.mean((series[horizon:] - series[:-horizon]) ** 2)))\
        is False
    first, second = capsys.readouterr().out.splitlines()
    assert first.startswith("❌ choose_sequence_length：choose_sequence_length 的返回值 应为 int，得到的是 float 3.0。")
    assert first.endswith("请用 int(...) 转换。")
    assert second.startswith("❌ naive_mae：对于 series = [3., 1., 4.,") and second.endswith("这是均方误差：应取绝对值，而不是平方。")


def test_a_corrupt_archive_and_a_full_disk_are_reported_in_chinese(monkeypatch, tmp_path, zh):
    monkeypatch.setattr(data, "cache_dir", lambda: tmp_path / "cache")
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"this is not a tar archive")
    with pytest.raises(data.DataIntegrityError) as err:
        data.extract_tar(broken, tmp_path / "out")
    assert f"{broken} 不完整或已损坏，没有被解压" in str(err.value) and "请删除它并重新获取。" in str(err.value)

    good = tmp_path / "good.tar.gz"
    with tarfile.open(good, "w:gz") as tf:
        tf.add(broken, arcname="root/x")

    def no_room(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tarfile.TarFile, "extractall", no_room)
    with pytest.raises(data.DataEnvironmentError) as err:
        data.extract_tar(good, tmp_path / "out")
    assert str(err.value).startswith(f"无法把 good.tar.gz 解压到 {tmp_path}：设备上没有剩余空间")
    assert "请不要删除它们" in str(err.value) and "COURSE_CACHE_DIR" in str(err.value)
