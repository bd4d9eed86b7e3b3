"""The Chinese edition's run-time messages: the checks of every chapter and the data layer's
errors speak Chinese after ``set_language("zh")`` and English again afterwards."""

import errno
import os
import tarfile

import numpy as np
import pytest

from utils import data, i18n
from utils.checks import ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08


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
    assert line.startswith("❌ _no_tanh_step：（批量 3，4 个特征，6 个神经元）新状态 在索引")
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


def _dot_product(a, b):
    return float(np.dot(a, b))


def test_a_wrong_cosine_similarity_gets_a_chinese_line_naming_its_mistake(capsys, zh):
    assert ch01.check_cosine_similarity(_dot_product) is False
    [line] = capsys.readouterr().out.splitlines()
    assert line == ("❌ _dot_product：cosine_similarity([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]) 应为 1，你返回的是 28。"
                    "这是普通的点积 a·b：还要除以 ‖a‖ ‖b‖。")
    assert "余弦距离" in ch01._COSINE_VARIANTS[2][1]   # the module-level list follows the language too
    i18n.set_language("en")
    assert ch01._COSINE_VARIANTS[2][1].startswith("That is the cosine distance")


def _reverse_with_padding(x):
    return x[:, ::-1]


def _concat_not_doubled(merge_mode, batch, steps, units, return_sequences):
    return (batch, steps, units) if return_sequences else (batch, units)


def test_chapter_04_checks_speak_chinese(capsys, zh):
    assert ch04.check_reverse_reviews(_reverse_with_padding) is False
    assert ch04.check_merge_shape(_concat_not_doubled) is False
    first, second = capsys.readouterr().out.splitlines()
    assert first == ("❌ _reverse_with_padding：x[:, ::-1] 把填充也移到了前面。请只反转每一行的前 n 个标记"
                     "（n = 该行非零 id 的个数），并把零留在末尾。")
    assert second.startswith("❌ _concat_not_doubled：merge_mode='concat'，使用 return_sequences"
                             "（批量 4，7 个时间步，5 个神经元）：得到 (4, 7, 5)，应为 (4, 7, 10)。")
    assert second.endswith("concat 沿最后一个轴拼接两个方向：共 2 × units 个特征。")


def _no_plus_one(length, kernel_size, stride, padding):
    return (length - kernel_size) // stride if padding == "valid" else -(-length // stride)


def test_a_wrong_output_length_gets_a_chinese_line_naming_its_mistake(capsys, zh):
    assert ch06.check_output_length(_no_plus_one) is False
    [line] = capsys.readouterr().out.splitlines()
    assert line == "❌ _no_plus_one：_no_plus_one(10, 3, 1, 'valid') 返回了 7，应为 8。你漏掉了 + 1：第一个窗口也要算上。"
    assert "步幅" in ch06._VALID_VARIANTS[1][1] and "卷积核大小无关" in ch06._RULES["same"]


def _percentage(predictions, references):
    return 100 * float(np.mean([p == r for p, r in zip(predictions, references)]))


def test_a_wrong_exact_match_gets_a_chinese_line_naming_its_mistake(capsys, zh):
    assert ch07.check_exact_match(_percentage) is False
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("❌ _percentage：对于预测 ['2021-03-03', '1999-12-31', '2021-03-03']…（8 个字符串）")
    assert line.endswith("：得到 25，应为 0.25。这是百分数：请返回 0 到 1 之间的比例。")
    assert "结束符" in ch07._GREEDY_CAUSES[2][1] and "'ok'" in ch07._DIAGNOSIS_CAUSES[0][1]


def _cross_entropy(probabilities):
    return float(-np.mean(np.log(probabilities)))


def test_a_wrong_perplexity_gets_a_chinese_line_naming_its_mistake(capsys, zh):
    assert ch08.check_perplexity(_cross_entropy) is False
    [line] = capsys.readouterr().out.splitlines()
    assert line == ("❌ _cross_entropy：对于概率 [0.5, 0.125, 0.25]（3 个值，float64）：得到 1.38629，应为 4。"
                    "这是交叉熵：困惑度是它的 exp。")


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
