"""Retries: 429 and 503 honouring Retry-After, the same Idempotency-Key on every attempt of a
write, and no blind retry of a write without a key. A scripted stub gives the 503s; the real
server's rate limit gives the 429."""

from __future__ import annotations

import re

import pytest

from conftest import start_server, stop_server
from modelgate_client import Client, ModelgateApiError, RetryPolicy

UUID_KEY = re.compile(r'^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$')
OK = (
    200,
    {"model": "m", "version": "1.0.0", "artifact_sha256": "a" * 64, "prediction_id": "p1", "predictions": []},
    {},
)
MOVED = (200, {"model": "m", "aliases": {"production": "1.0.0"}, "changed": True}, {})


def unavailable(retry_after=None):
    headers = {} if retry_after is None else {"retry-after": retry_after}
    return (503, {"code": "OVERLOADED", "detail": "shedding load"}, headers)


def rate_limited(retry_after):
    return (429, {"code": "RATE_LIMITED", "detail": "slow down"}, {"retry-after": retry_after})


class Recorder:
    """A sleep that records what it was asked to wait, and returns at once."""

    def __init__(self):
        self.waits = []

    def __call__(self, seconds):
        self.waits.append(seconds)


@pytest.fixture
def slept():
    return Recorder()


def test_a_write_is_retried_with_the_same_key_waiting_what_retry_after_says(stub, slept):
    stub.script = [unavailable("2"), rate_limited("0"), OK]
    stub.script[-1] = MOVED
    Client(stub.url, api_key="k", sleep=slept).promote("m", "1.0.0")
    assert slept.waits == [2.0, 0.0]
    keys = stub.keys()
    assert len(keys) == 3 and UUID_KEY.match(keys[0])
    assert keys == [keys[0]] * 3


def test_a_prediction_is_retried_without_a_key_since_repeating_it_changes_nothing(stub, slept):
    stub.script = [unavailable("2"), rate_limited("0"), OK]
    r = Client(stub.url, api_key="k", sleep=slept).predict("m", [{"x": 1}])
    assert r.prediction_id == "p1"
    assert slept.waits == [2.0, 0.0]
    assert stub.keys() == [None, None, None]
    assert {s.body for s in stub.seen} == {b'{"instances":[{"x":1}]}'}


def test_each_call_gets_its_own_key_and_a_callers_key_is_quoted(stub, slept):
    stub.script = [MOVED, MOVED, unavailable("1"), OK]
    c = Client(stub.url, sleep=slept)
    c.promote("m", "1.0.0")
    c.promote("m", "1.0.0")
    c.predict("m", [{"x": 1}], idempotency_key='job-7 "a\\b"')
    keys = stub.keys()
    assert keys[0] != keys[1]
    assert keys[2:] == ['"job-7 \\"a\\\\b\\""'] * 2


@pytest.mark.parametrize("answer", [unavailable("1"), rate_limited("1")], ids=["503", "429"])
def test_a_write_without_a_key_is_not_retried(stub, slept, answer):
    stub.script = [answer, OK]
    c = Client(stub.url, idempotency_keys=False, sleep=slept)
    with pytest.raises(ModelgateApiError) as e:
        c.rollback("m")
    assert (e.value.status, e.value.retry_after) == (answer[0], "1")
    assert len(stub.seen) == 1 and stub.keys() == [None]
    assert slept.waits == []


def test_reads_back_off_exponentially_and_give_up_with_the_last_error(stub, slept):
    stub.script = [unavailable()] * 4 + [(200, {"models": []}, {})]
    with pytest.raises(ModelgateApiError) as e:
        Client(stub.url, sleep=slept).list_models()
    assert (e.value.status, e.value.code) == (503, "OVERLOADED")
    assert len(stub.seen) == 4 and len(stub.script) == 1
    first, second, third = slept.waits
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0 and 1.0 <= third <= 2.0
    assert stub.keys() == [None] * 4, "reads carry no key"


def test_a_retry_after_longer_than_max_wait_is_raised_at_once(stub, slept):
    stub.script = [rate_limited("45"), (200, {"models": []}, {})]
    with pytest.raises(ModelgateApiError) as e:
        Client(stub.url, sleep=slept).list_models()
    assert (e.value.code, e.value.retry_after, len(stub.seen)) == ("RATE_LIMITED", "45", 1)
    stub.script = [rate_limited("45"), (200, {"models": []}, {})]
    assert Client(stub.url, sleep=slept, retry=RetryPolicy(max_wait=60)).list_models() == []
    assert slept.waits == [45.0]


def test_a_key_still_in_flight_is_retried_until_replayed(stub, slept):
    stub.script = [
        (409, {"code": "IDEMPOTENCY_KEY_IN_FLIGHT"}, {"retry-after": "1"}),
        (OK[0], OK[1], {"idempotent-replayed": "true"}),
    ]
    r = Client(stub.url, sleep=slept).predict("m", [{"x": 1}])
    assert (r.replayed, slept.waits) == (True, [1.0])


def test_a_readiness_503_is_an_answer_and_other_errors_are_not_retried(stub, slept):
    stub.script = [(503, {"ready": False, "models": []}, {}), (409, {"code": "IDEMPOTENCY_KEY_REUSED"}, {})]
    assert Client(stub.url, sleep=slept).ready() == {"ready": False, "models": []}
    with pytest.raises(ModelgateApiError, match="IDEMPOTENCY_KEY_REUSED"):
        Client(stub.url, sleep=slept).predict("m", [{"x": 1}])
    assert (len(stub.seen), slept.waits) == (2, [])


def test_a_real_429_is_retried_after_retry_after_then_raised():
    """The server's rate limit (2 reads a minute here): a 429 whose Retry-After, the seconds left
    in the minute, the client waits before each retry (recorded, not slept)."""
    # one process: across `serve --workers N` a budget holds only to within the other workers'
    # last ~20 ms of hits (ADR 0015), and this test counts to the exact third request
    s = start_server([], {"MODELGATE_RATE_LIMIT_READ_PER_MINUTE": "2", "MODELGATE_WORKERS": "1"})
    try:
        slept = Recorder()
        patient = s.client(sleep=slept, retry=RetryPolicy(max_wait=120))
        assert patient.list_models() == [] and patient.list_models() == []
        with pytest.raises(ModelgateApiError) as e:
            patient.list_models()
        told = int(e.value.retry_after)
        assert (e.value.status, e.value.code) == (429, "RATE_LIMITED")
        assert 1 <= told <= 60
        assert len(slept.waits) == 3, "three retries, each refused again"
        assert all(w == int(w) and told <= w <= 60 for w in slept.waits), slept.waits

        hasty = s.client(sleep=slept, retry=RetryPolicy(max_wait=1))
        slept.waits.clear()
        with pytest.raises(ModelgateApiError) as e:
            hasty.get_model("none")
        assert e.value.code == "RATE_LIMITED" and int(e.value.retry_after) > 1
        assert slept.waits == []
    finally:
        stop_server(s)
