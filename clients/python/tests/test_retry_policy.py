"""The retry rules, on the table the TypeScript client runs too (src/client/retry-policy-cases.json):
one table, so the two clients cannot drift apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelgate_client import RetryPolicy
from modelgate_client.retry import parse_retry_after, retry_delay

CASES = json.loads(
    (Path(__file__).resolve().parents[3] / "src" / "client" / "retry-policy-cases.json").read_text()
)


def test_the_shared_table_covers_every_rule():
    assert len(CASES) >= 30
    assert any(c["expected_delay_ms"] is None and c["method"] == "POST" and not c["keyed"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_retry_delay(case):
    p = case["policy"]
    delay = retry_delay(
        method=case["method"],
        status=case["status"],
        code=case["code"],
        keyed=case["keyed"],
        attempt=case["attempt"],
        retry_after=case["retry_after"],
        policy=RetryPolicy(p["max_retries"], p["max_wait_ms"] / 1000, p["base_delay_ms"] / 1000),
        now=case["now_ms"] / 1000,
        random=case["random"],
    )
    if case["expected_delay_ms"] is None:
        assert delay is None
    else:
        assert delay == pytest.approx(case["expected_delay_ms"] / 1000, abs=0.001)


def test_defaults_match_the_typescript_client():
    assert RetryPolicy() == RetryPolicy(max_retries=3, max_wait=30.0, base_delay=0.5)


NOW = 1767225600.0  # 2026-01-01T00:00:00Z


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, None),
        ("", None),
        ("7", 7.0),
        ("007", 7.0),
        ("Thu, 01 Jan 2026 00:00:09 GMT", 9.0),
        ("Wed, 31 Dec 2025 23:59:00 GMT", 0.0),
        ("2e3", None),
        ("1.5", None),
        ("-3", None),
        ("2026-01-01T00:00:09Z", None),
    ],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header, NOW) == expected
