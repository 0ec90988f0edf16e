"""When the client sends a request again, and after how long.

The same rules as the TypeScript client (``src/client/retry-policy.ts``); both run the table in
``src/client/retry-policy-cases.json``. Pure: the clock and the random draw are arguments.

1. Only answers that say "not now" are retried: 429, 503, and 409 ``IDEMPOTENCY_KEY_IN_FLIGHT``.
2. Only requests that are safe to send twice: reads (GET, HEAD, OPTIONS) and writes that carry an
   ``Idempotency-Key``. A keyless write is never retried.
3. At most ``max_retries`` retries (``attempt`` counts the attempts made, 1 after the first).
4. ``Retry-After`` is honoured exactly (delay-seconds, or an HTTP-date); one longer than
   ``max_wait`` is not waited for: the error is raised at once, with the header on it.
5. Otherwise exponential backoff with equal jitter: b = min(max_wait, base_delay * 2**(attempt-1)),
   delay = b/2 + random*b/2 (0.25-0.5 s, 0.5-1 s, 1-2 s with the defaults).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Optional

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DIGITS = re.compile(r"^\d+$")
_HTTP_DATE = re.compile(r"^[A-Za-z]{3}, .* GMT$")


@dataclass(frozen=True)
class RetryPolicy:
    #: retries after the first attempt (0: never retry)
    max_retries: int = 3
    #: the longest wait before one retry, in seconds, Retry-After included
    max_wait: float = 30.0
    #: the first backoff step in seconds, when the server gives no Retry-After
    base_delay: float = 0.5


def retry_delay(
    *,
    method: str,
    status: int,
    code: Optional[str],
    keyed: bool,
    attempt: int,
    retry_after: Optional[str],
    policy: RetryPolicy,
    now: float,
    random: float,
) -> Optional[float]:
    """Seconds to wait before the next attempt, or None: do not retry."""
    not_now = status in (429, 503) or (status == 409 and code == "IDEMPOTENCY_KEY_IN_FLIGHT")
    if not not_now:
        return None
    if method.upper() not in SAFE_METHODS and not keyed:
        return None
    if attempt > policy.max_retries:
        return None
    told = parse_retry_after(retry_after, now)
    if told is not None:
        return told if told <= policy.max_wait else None
    b = min(policy.max_wait, policy.base_delay * 2.0 ** (attempt - 1))
    return b / 2 + random * b / 2


def parse_retry_after(header: Optional[str], now: float) -> Optional[float]:
    """RFC 9110: ``Retry-After: 120`` (digits only) or an HTTP-date; anything else is None."""
    if header is None:
        return None
    text = header.strip()
    if _DIGITS.match(text):
        return float(int(text))
    if not _HTTP_DATE.match(text):
        return None
    try:
        at = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, at - now)
