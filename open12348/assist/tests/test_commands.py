"""trainassist (versioned artifacts, current pointer, corrections, --if-present) and the
evaluation commands' file formats."""

import json

import pytest
from django.core.management import CommandError, call_command

from open12348.assist import artifacts
from open12348.assist.labels import TOPIC_LABELS
from open12348.assist.models import LabelCorrection
from open12348.assist.tests.datasets import LABOUR

pytestmark = pytest.mark.django_db


def test_trainassist_writes_a_versioned_artifact_and_points_current_at_it(assist_env, settings):
    call_command("trainassist", stdout=open("/dev/null", "w"))
    first = artifacts.current_version()
    folder = settings.ASSIST_DIR / first
    assert {p.name for p in folder.iterdir()} == {"classifier.pkl", "retrieval.pkl", "meta.json"}
    meta = artifacts.current_meta()
    assert meta["version"] == first
    assert set(meta["classifier"]["dev"]) >= {"accuracy", "macro_f1"}
    assert set(meta["retrieval"]["dev"]) >= {"recall@10", "recall@100", "mrr@10"}
    assert meta["retrieval"]["source"] == "files"

    call_command("trainassist", "--data", str(assist_env), stdout=open("/dev/null", "w"))
    second = artifacts.current_version()
    assert second != first
    assert (settings.ASSIST_DIR / first).is_dir()  # older versions stay for rollback
    assert (settings.ASSIST_DIR / "current").read_text() == second


def test_corrections_are_included_only_when_asked(assist_env, clerk_a):
    LabelCorrection.objects.create(text="船在港口被扣押了", label="海事海商", by=clerk_a)
    call_command("trainassist", stdout=open("/dev/null", "w"))
    assert artifacts.current_meta()["classifier"]["trained_on"]["corrections"] == 0
    call_command("trainassist", "--include-corrections", stdout=open("/dev/null", "w"))
    assert artifacts.current_meta()["classifier"]["trained_on"]["corrections"] == 1
    assert "海事海商" in artifacts.current_classifier().labels


def test_trainassist_if_present_skips_quietly_without_data(no_data, capsys):
    call_command("trainassist", "--if-present")
    assert "skipped" in capsys.readouterr().out
    assert artifacts.current_version() is None


def test_trainassist_if_present_skips_an_up_to_date_artifact_and_retrains_a_stale_one(assist_env, capsys):
    call_command("trainassist", "--if-present")
    first = artifacts.current_version()
    call_command("trainassist", "--if-present")
    assert "up to date" in capsys.readouterr().out
    assert artifacts.current_version() == first
    train = assist_env / "stard" / "train.jsonl"
    train.write_text(train.read_text() + '{"qid": 99, "query": "加班", "positive_ids": []}\n')
    call_command("trainassist", "--if-present")
    assert artifacts.current_version() != first


def test_trainassist_without_data_is_an_error(no_data):
    with pytest.raises(CommandError, match="训练数据不存在"):
        call_command("trainassist")


def _run(tmp_path, task, rows, *args):
    source = tmp_path / "in.jsonl"
    target = tmp_path / "out.jsonl"
    source.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows))
    call_command("assist", task, "--input", str(source), "--output", str(target), *args, stderr=open("/dev/null", "w"))
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]


def test_assist_classify_writes_id_label_confidence(trained, tmp_path):
    out = _run(
        tmp_path,
        "classify",
        [{"id": "a", "text": "老板拖欠工资"}, {"id": 7, "text": ""}, {"id": "c", "text": "離婚"}, "not json"],
    )
    assert [r["id"] for r in out] == ["a", 7, "c", None]
    for r in out:
        assert set(r) == {"id", "label", "confidence"}
        assert r["label"] in TOPIC_LABELS
        assert 0 <= r["confidence"] <= 1
    assert out[0]["label"] == "劳动纠纷"
    assert out[1]["confidence"] == 0


def test_assist_statutes_writes_qid_and_citations_best_first(trained, tmp_path):
    out = _run(
        tmp_path,
        "statutes",
        [{"qid": 1, "query": "老板拖欠我三个月工资怎么办"}, {"qid": 2, "query": "   "}, {"qid": 3, "query": "😀"}],
        "--k",
        "5",
        "--scope",
        "national",
    )
    assert [r["qid"] for r in out] == [1, 2, 3]
    assert all(set(r) == {"qid", "results"} for r in out)
    assert out[0]["results"][0] == f"{LABOUR}第三十条"
    assert len(out[0]["results"]) <= 5
    assert out[1]["results"] == []


def test_the_eval_commands_build_an_artifact_when_there_is_none(assist_env, tmp_path):
    assert artifacts.current_version() is None
    out = _run(tmp_path, "statutes", [{"qid": 1, "query": "加班费"}], "--k", "3")
    assert artifacts.current_version() is not None
    assert out[0]["results"][0] == f"{LABOUR}第三十一条"


def test_assist_rejects_a_k_out_of_range(trained, tmp_path):
    with pytest.raises(CommandError):
        _run(tmp_path, "statutes", [{"qid": 1, "query": "工资"}], "--k", "0")
