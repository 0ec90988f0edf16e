"""HTTP with urllib: JSON in and out, the API key, Idempotency-Key and retries."""

from __future__ import annotations

import http.client
import json
import random as _random
import socket
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

from .errors import ModelgateApiError, ModelgateConnectionError
from .retry import RetryPolicy, retry_delay

USER_AGENT = "modelgate-client-python/0.1.0"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: Any

    @property
    def replayed(self) -> bool:
        """The server replayed a stored answer for this Idempotency-Key."""
        return self.headers.get("idempotent-replayed") == "true"


class Transport:
    def __init__(
        self,
        base_url: str,
        api_key: Optional[str],
        timeout: float,
        policy: RetryPolicy,
        idempotency_keys: bool,
        sleep: Optional[Callable[[float], None]] = None,
        clock: Optional[Callable[[], float]] = None,
        random: Optional[Callable[[], float]] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.policy = policy
        self.idempotency_keys = idempotency_keys
        self._sleep = sleep or time.sleep
        self._clock = clock or time.time
        self._random = random or _random.random
        # urllib's default handlers: proxies from the environment, no cookies
        self._opener = urllib.request.build_opener()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: Optional[Mapping[str, str]] = None,
        idempotent: bool = False,
        repeatable: bool = False,
        idempotency_key: Optional[str] = None,
        accept: Sequence[int] = (),
    ) -> Answer:
        """Sends the request, retrying as ``retry.retry_delay`` says; raises on an error answer.

        ``idempotent``: the route deduplicates by Idempotency-Key, so a write gets one (a fresh
        UUID unless the caller gave ``idempotency_key``), the same on every attempt.
        ``repeatable``: safe to send twice without a key (a prediction changes nothing; a repeat
        only logs a second prediction), so it is retried without the server storing every answer.
        ``accept``: error statuses answered with a readiness document instead of a problem.
        """
        sent = {"accept": "application/json", "user-agent": USER_AGENT, **(headers or {})}
        if self.api_key:
            sent["authorization"] = f"Bearer {self.api_key}"
        key = idempotency_key
        if key is None and idempotent and self.idempotency_keys:
            key = str(uuid.uuid4())
        if key is not None:
            sent["idempotency-key"] = sf_string(key)
        data = None
        if body is not None:
            sent["content-type"] = "application/json"
            data = encode_json(body)
        url = self.base_url + path
        attempt = 0
        while True:
            attempt += 1
            status, answer_headers, raw = self._send(method, url, data, sent)
            parsed = _parse(raw)
            if status < 400:
                return Answer(status, answer_headers, parsed)
            if status in accept and isinstance(parsed, dict) and isinstance(parsed.get("ready"), bool):
                return Answer(status, answer_headers, parsed)
            error = ModelgateApiError.from_answer(status, answer_headers, raw)
            delay = retry_delay(
                method=method,
                status=status,
                code=error.code,
                keyed=key is not None or repeatable,
                attempt=attempt,
                retry_after=error.retry_after,
                policy=self.policy,
                now=self._clock(),
                random=self._random(),
            )
            if delay is None:
                raise error
            self._sleep(delay)

    def _send(
        self, method: str, url: str, data: Optional[bytes], headers: Mapping[str, str]
    ) -> Tuple[int, Dict[str, str], bytes]:
        req = urllib.request.Request(url, data=data, headers=dict(headers), method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as res:
                return res.status, _lower(res.headers), res.read()
        except urllib.error.HTTPError as err:
            try:
                return err.code, _lower(err.headers), err.read()
            finally:
                err.close()
        except urllib.error.URLError as err:
            raise ModelgateConnectionError(self.base_url, _reason(err.reason)) from err
        except (socket.timeout, TimeoutError) as err:
            raise ModelgateConnectionError(self.base_url, f"timed out after {self.timeout} s") from err
        except (OSError, http.client.HTTPException) as err:
            raise ModelgateConnectionError(self.base_url, _reason(err)) from err


def sf_string(text: str) -> str:
    """An RFC 8941 sf-string (the Idempotency-Key format): double quotes, ``\\`` and ``"`` escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode_json(body: Any) -> bytes:
    try:
        return json.dumps(body, default=_plain, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except ValueError as err:
        raise ValueError(
            "NaN and infinity cannot be sent as JSON: send None for a missing value "
            "(the feature must be nullable)"
        ) from err


def _plain(value: Any) -> Any:
    """numpy scalars and arrays (and anything else with ``tolist``/``item``) as plain Python."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        return raw.decode("utf-8", "replace")


def _lower(headers: Any) -> Dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers is not None else {}


def _reason(reason: Any) -> str:
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)
