"""The two ways a call fails: the server answered with an error, or it could not be reached."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence


@dataclass(frozen=True)
class Pointer:
    """One validation problem: a JSON pointer into the request and what is wrong there."""

    pointer: str
    detail: str


class ModelgateApiError(Exception):
    """An error answer from the server, with its stable problem code (docs/errors.md).

    Native routes answer ``application/problem+json`` (RFC 9457); V2 routes answer the protocol's
    ``{"error": "..."}`` with the code in the ``X-Modelgate-Error-Code`` header. Both become this.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: Optional[str] = None,
        type: Optional[str] = None,
        errors: Sequence[Pointer] = (),
        request_id: Optional[str] = None,
        retry_after: Optional[str] = None,
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.status = status
        #: stable code, e.g. ``VALIDATION_FAILED``; ``HTTP_<status>`` when the answer had none
        self.code = code
        self.detail = detail
        self.title = title
        self.type = type
        #: for validation errors, one entry per problem
        self.errors = list(errors)
        self.request_id = request_id
        #: the answer's Retry-After header (set when the client gave up waiting, or ran out of retries)
        self.retry_after = retry_after

    @property
    def pointers(self) -> list[str]:
        """The JSON pointers of the validation problems, e.g. ``["/instances/0/mean_radius"]``."""
        return [e.pointer for e in self.errors]

    @classmethod
    def from_answer(cls, status: int, headers: Mapping[str, str], body: bytes) -> "ModelgateApiError":
        problem: Any
        try:
            problem = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            problem = {"detail": body[:300].decode("utf-8", "replace")}
        if not isinstance(problem, dict):
            problem = {}
        code = problem.get("code") or headers.get("x-modelgate-error-code") or f"HTTP_{status}"
        detail = problem.get("detail") or problem.get("error") or problem.get("title") or "request failed"
        errors = [
            Pointer(str(e.get("pointer", "")), str(e.get("detail", "")))
            for e in problem.get("errors") or []
            if isinstance(e, dict)
        ]
        return cls(
            status,
            str(code),
            str(detail),
            title=problem.get("title"),
            type=problem.get("type"),
            errors=errors,
            request_id=problem.get("request_id") or headers.get("x-request-id"),
            retry_after=headers.get("retry-after"),
        )

    def __repr__(self) -> str:
        return f"ModelgateApiError(status={self.status}, code={self.code!r}, detail={self.detail!r})"


class ModelgateConnectionError(Exception):
    """The server could not be reached (refused, reset, timed out, name not resolved)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach modelgate at {url}: {reason}")
        self.url = url
        self.reason = reason
