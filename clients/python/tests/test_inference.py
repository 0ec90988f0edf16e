"""predict (records and DataFrames) and V2 infer (numpy arrays and plain Tensors) against the
real demo server."""

from __future__ import annotations

import pytest

from conftest import require
from modelgate_client import ModelgateApiError, Tensor


def feature_order(client, version="1.0.0"):
    return [f.name for f in client.get_version("breast-cancer", version).features]


def test_predict_records_names_the_version_and_hash(client, example_record):
    detail = client.get_version("breast-cancer", "1.0.0")
    r = client.predict("breast-cancer", [example_record], version="1.0.0")
    assert (r.model, r.version, r.artifact_sha256) == ("breast-cancer", "1.0.0", detail.artifact_sha256)
    assert len(r.prediction_id) >= 8
    assert [p.label for p in r.predictions] == ["malignant"]
    probabilities = r.predictions[0].probabilities
    assert set(probabilities) == {"malignant", "benign"}
    assert probabilities["malignant"] > 0.9
    assert probabilities["malignant"] + probabilities["benign"] == pytest.approx(1.0, abs=1e-6)
    assert r.replayed is False


def test_predict_is_reproducible_and_pins_versions(client, example_record):
    a = client.predict("breast-cancer", [example_record], version="1.0.0")
    b = client.predict("breast-cancer", [example_record], version="1.0.0")
    assert a.predictions == b.predictions
    assert a.prediction_id != b.prediction_id
    assert client.predict("breast-cancer", [example_record], version="1.1.0").version == "1.1.0"


def test_the_same_idempotency_key_replays_the_first_answer(client, example_record):
    first = client.predict("breast-cancer", [example_record], idempotency_key="py-replay-1")
    again = client.predict("breast-cancer", [example_record], idempotency_key="py-replay-1")
    assert (again.prediction_id, again.replayed) == (first.prediction_id, True)
    # without a key of its own, each call gets a fresh one: a new prediction
    assert client.predict("breast-cancer", [example_record]).prediction_id != first.prediction_id
    with pytest.raises(ModelgateApiError) as e:
        client.predict("breast-cancer", [example_record, example_record], idempotency_key="py-replay-1")
    assert (e.value.status, e.value.code) == (422, "IDEMPOTENCY_KEY_REUSED")


def test_predict_a_dataframe_gives_a_dataframe_back_with_its_index(client, example_record):
    pd = require("pandas")
    shrunk = {k: v * 0.5 for k, v in example_record.items()}
    frame = pd.DataFrame([example_record, shrunk], index=["patient-a", "patient-b"])
    r = client.predict("breast-cancer", frame, version="1.0.0")
    plain = client.predict("breast-cancer", [example_record, shrunk], version="1.0.0")
    assert r.predictions == plain.predictions
    out = r.to_frame()
    assert list(out.index) == ["patient-a", "patient-b"]
    assert list(out.columns) == ["label", "probability_malignant", "probability_benign"]
    assert list(out["label"]) == [p.label for p in plain.predictions]
    assert out.loc["patient-a", "probability_malignant"] == plain.predictions[0].probabilities["malignant"]


def test_a_dataframe_with_numpy_dtypes_and_a_missing_value(client, example_record):
    pd = require("pandas")
    np = require("numpy")
    frame = pd.DataFrame([example_record]).astype("float32")
    frame["mean_radius"] = frame["mean_radius"].astype("int64")  # numpy int64, which json cannot write
    r = client.predict("breast-cancer", frame, version="1.0.0")
    assert r.predictions[0].label == "malignant"
    frame.loc[0, "mean_texture"] = np.nan
    with pytest.raises(ModelgateApiError) as e:
        client.predict("breast-cancer", frame, version="1.0.0")
    # NaN went as null, which this model's non-nullable feature refuses with a pointer
    assert e.value.code == "VALIDATION_FAILED"
    assert e.value.pointers == ["/instances/0/mean_texture"]


def test_v2_infer_with_numpy_matches_native_predict(client, example_record):
    np = require("numpy")
    row = np.array([[example_record[f] for f in feature_order(client)]], dtype=np.float32)
    r = client.infer("breast-cancer", {"input": row}, version="1.0.0", request_id="py-1")
    native = client.predict("breast-cancer", [example_record], version="1.0.0")
    assert (r.model_name, r.model_version, r.id) == ("breast-cancer", "1.0.0", "py-1")
    assert r.artifact_sha256 == native.artifact_sha256
    arrays = r.numpy()
    assert set(arrays) == {"label", "probabilities"}
    assert arrays["probabilities"].shape == (1, 2)
    assert arrays["probabilities"].dtype == np.float32
    assert arrays["label"].dtype == np.int64
    assert arrays["probabilities"][0, 0] == pytest.approx(
        native.predictions[0].probabilities["malignant"], abs=1e-6
    )

    two = np.vstack([row, row * 0.5])
    only = client.infer("breast-cancer", {"input": two}, version="1.0.0", outputs=["probabilities"])
    assert list(only.outputs) == ["probabilities"]
    assert only.outputs["probabilities"].to_numpy().shape == (2, 2)


def test_v2_infer_with_plain_tensors_needs_no_numpy(client, example_record):
    data = [example_record[f] for f in feature_order(client)]
    r = client.infer("breast-cancer", [Tensor("input", [1, 30], "FP32", data)], version="1.0.0")
    probabilities = r.outputs["probabilities"]
    assert (probabilities.shape, probabilities.datatype, len(probabilities.data)) == ([1, 2], "FP32", 2)
    with pytest.raises(TypeError, match="numpy array, or Tensor"):
        client.infer("breast-cancer", {"input": [data]})


def test_v2_errors_carry_the_code_from_the_header(client):
    np = require("numpy")
    with pytest.raises(ModelgateApiError) as e:
        client.infer("breast-cancer", {"input": np.zeros((1, 29), dtype=np.float32)})
    assert (e.value.status, e.value.code) == (400, "V2_BAD_REQUEST")
    assert "[1,29]" in e.value.detail
    with pytest.raises(TypeError, match="float16"):
        client.infer("breast-cancer", {"input": np.zeros((1, 30), dtype=np.float16)})
