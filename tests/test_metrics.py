import json

from utils import metrics


def test_record_prints_and_writes_json(monkeypatch, tmp_path, capsys):
    target = tmp_path / "m.json"
    monkeypatch.setenv(metrics.METRICS_ENV, str(target))
    metrics.record("acc", 0.875)
    metrics.record("loss", 0.25)
    assert "acc = 0.8750" in capsys.readouterr().out
    saved = json.loads(target.read_text())
    assert saved["acc"] == 0.875 and saved["loss"] == 0.25
    assert metrics.recorded()["loss"] == 0.25
