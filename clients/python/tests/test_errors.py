"""Error answers become one exception class with the stable code and the pointers."""

from __future__ import annotations

import socket

import pytest

from modelgate_client import Client, ModelgateApiError, ModelgateConnectionError, Pointer


def test_a_real_422_carries_code_pointers_and_request_id(client, example_record):
    bad = {**example_record, "mean_radius": 75.2, "unknown_feature": 1}
    del bad["mean_texture"]
    with pytest.raises(ModelgateApiError) as e:
        client.predict("breast-cancer", [example_record, bad])
    err = e.value
    assert (err.status, err.code, err.title) == (422, "VALIDATION_FAILED", "The request failed validation")
    assert err.type == "urn:modelgate:problem:validation-failed"
    assert sorted(err.pointers) == [
        "/instances/1/mean_radius",
        "/instances/1/mean_texture",
        "/instances/1/unknown_feature",
    ]
    assert Pointer("/instances/1/mean_radius", "must be <= 60, got 75.2") in err.errors
    assert err.request_id
    assert str(err).startswith("VALIDATION_FAILED: ")


def test_not_found_and_unauthorised(server, client):
    with pytest.raises(ModelgateApiError) as e:
        client.get_model("no-such-model")
    assert (e.value.status, e.value.code, e.value.errors) == (404, "MODEL_NOT_FOUND", [])
    with pytest.raises(ModelgateApiError) as e:
        Client(server.url).list_models()
    assert (e.value.status, e.value.code) == (401, "UNAUTHENTICATED")


def test_an_unreachable_server_is_a_connection_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # nothing listens on the port once the socket is closed
    with pytest.raises(ModelgateConnectionError) as e:
        Client(f"http://127.0.0.1:{port}", timeout=5).list_models()
    assert e.value.url == f"http://127.0.0.1:{port}"
    assert "refused" in e.value.reason.lower()


def test_nan_is_refused_before_sending(stub):
    with pytest.raises(ValueError, match="NaN and infinity"):
        Client(stub.url).predict("m", [{"x": float("nan")}])
    assert stub.seen == []
