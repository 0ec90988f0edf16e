"""models list/show, promote, rollback, rollout status and feedback against the real demo server.
Each test leaves production at 1.0.0, as the demo starts."""

from __future__ import annotations

import json
import urllib.request

import pytest

from modelgate_client import Feedback, ModelgateApiError


def test_list_and_show_models(client):
    [model] = client.list_models()
    assert (model.name, model.version_count, model.aliases.production) == ("breast-cancer", 2, "1.0.0")
    detail = client.get_model("breast-cancer")
    assert sorted(v.version for v in detail.versions) == ["1.0.0", "1.1.0"]
    assert all(len(v.artifact_sha256) == 64 for v in detail.versions)
    version = client.get_version("breast-cancer", "1.1.0")
    assert (version.model, version.version, version.task) == (
        "breast-cancer",
        "1.1.0",
        "binary-classification",
    )
    assert version.labels == ["malignant", "benign"]
    assert len(version.features) == 30
    radius = version.features[0]
    assert (radius.name, radius.type, radius.min, radius.max, radius.nullable) == (
        "mean_radius",
        "number",
        0.0,
        60.0,
        False,
    )
    assert version.manifest["name"] == "breast-cancer"


def test_promote_then_rollback(client):
    moved = client.promote("breast-cancer", "1.1.0")
    assert (moved.changed, moved.aliases.production, moved.aliases.previous) == (True, "1.1.0", "1.0.0")
    back = client.rollback("breast-cancer")
    assert (back.changed, back.aliases.production, back.aliases.previous) == (True, "1.0.0", "1.1.0")
    assert client.get_model("breast-cancer").aliases.production == "1.0.0"


def test_a_retried_promote_with_the_same_key_runs_once(client):
    first = client.promote("breast-cancer", "1.1.0", idempotency_key="py-promote-1")
    again = client.promote("breast-cancer", "1.1.0", idempotency_key="py-promote-1")
    assert first == again
    assert first.changed is True
    client.rollback("breast-cancer", to="1.0.0")
    assert client.get_model("breast-cancer").aliases.production == "1.0.0"


def start_rollout(server, candidate: str) -> dict:
    req = urllib.request.Request(
        f"{server.url}/v1/models/breast-cancer/rollouts",
        data=json.dumps({"candidate": candidate, "strategy": "canary"}).encode(),
        headers={"authorization": f"Bearer {server.admin_key}", "content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=60) as res:
        return json.load(res)


def test_rollout_status_by_model_and_by_id(server, client):
    assert client.rollout_status("breast-cancer") is None
    started = start_rollout(server, "1.1.0")
    try:
        status = client.rollout_status("breast-cancer")
        assert (status.id, status.state, status.active) == (started["id"], "running", True)
        assert (status.candidate, status.baseline, status.strategy) == ("1.1.0", "1.0.0", "canary")
        assert status.step_index == 0 and status.current_step == status.steps[0]
        assert client.rollout_status(started["id"]) == status
        assert [r.id for r in client.list_rollouts("breast-cancer")] == [started["id"]]
    finally:
        aborted = client.rollback("breast-cancer")
    assert (aborted.rollout_aborted, aborted.aliases.production) == (started["id"], "1.0.0")
    ended = client.get_rollout(started["id"])
    assert (ended.state, ended.active) == ("aborted", False)
    assert ended.ended_at is not None
    with pytest.raises(ModelgateApiError) as e:
        client.get_rollout("ro_0000000000000000")
    assert e.value.status == 404


def test_feedback_by_prediction_id(client, example_record):
    p = client.predict("breast-cancer", [example_record, example_record], version="1.0.0")
    r = client.feedback(
        "breast-cancer",
        [
            Feedback(p.prediction_id, label="malignant"),
            {"prediction_id": p.prediction_id, "index": 1, "label": "benign"},
        ],
    )
    assert (r.accepted, r.duplicates, r.unknown) == (2, 0, [])
    again = client.feedback("breast-cancer", [Feedback(p.prediction_id, label="malignant")])
    assert (again.accepted, again.duplicates) == (0, 1)
    unknown = client.feedback("breast-cancer", [Feedback("no-such-prediction", label="benign")])
    assert unknown.accepted == 0
    assert [(u.prediction_id, u.index) for u in unknown.unknown] == [("no-such-prediction", 0)]
