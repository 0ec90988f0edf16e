"""The typed client: one method per API operation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union, cast
from urllib.parse import quote

from .frames import records_of
from .models import (
    AliasMove,
    FeedbackResult,
    ModelDetail,
    ModelSummary,
    PredictResult,
    Rollout,
    VersionDetail,
)
from .retry import RetryPolicy
from .tensors import InferInputs, InferResult, input_tensors
from .transport import Transport


@dataclass(frozen=True)
class Feedback:
    """Ground truth for a logged prediction: ``label`` (classifiers) or ``value`` (regressors);
    ``index`` picks the instance of a multi-instance prediction (default 0)."""

    prediction_id: str
    label: Union[str, int, float, None] = None
    value: Optional[float] = None
    index: Optional[int] = None

    def to_json(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"prediction_id": self.prediction_id}
        for name in ("index", "label", "value"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out


class Client:
    """modelgate over HTTP. Standard library only; numpy and pandas are used when passed in.

    Answers of 429 and 503 are retried, honouring Retry-After (see ``retry.py``). Every write
    the server deduplicates carries an ``Idempotency-Key`` (a fresh UUID per call, or yours), the
    same on each retry, so a retried write runs once.

    >>> mg = Client("http://127.0.0.1:8080", api_key=os.environ["MODELGATE_API_KEY"])
    >>> mg.predict("breast-cancer", [{"mean_radius": 17.99, ...}]).predictions[0].label
    """

    def __init__(
        self,
        base_url: str,
        api_key: Optional[str] = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),
        idempotency_keys: bool = True,
        sleep: Optional[Callable[[float], None]] = None,
        clock: Optional[Callable[[], float]] = None,
        random: Optional[Callable[[], float]] = None,
    ) -> None:
        """``timeout``: seconds per attempt. ``retry``: ``RetryPolicy(max_retries=0)`` turns retries
        off. ``idempotency_keys=False``: writes go without a key (and are then never retried).
        ``sleep``, ``clock``, ``random``: how the client waits, tells the time and draws jitter
        (``time.sleep``, ``time.time``, ``random.random``), for tests."""
        self._http = Transport(
            base_url, api_key, timeout, retry, idempotency_keys, sleep=sleep, clock=clock, random=random
        )

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def health(self) -> Dict[str, Any]:
        return cast(Dict[str, Any], self._http.request("GET", "/health").body)

    def ready(self) -> Dict[str, Any]:
        """The readiness document, for both 200 (ready) and 503 (not ready)."""
        return cast(Dict[str, Any], self._http.request("GET", "/ready", accept=(503,)).body)

    # registry

    def list_models(self) -> List[ModelSummary]:
        return [ModelSummary.from_json(m) for m in self._http.request("GET", "/v1/models").body["models"]]

    def get_model(self, name: str) -> ModelDetail:
        return ModelDetail.from_json(self._http.request("GET", f"/v1/models/{_seg(name)}").body)

    def get_version(self, name: str, version: str) -> VersionDetail:
        path = f"/v1/models/{_seg(name)}/versions/{_seg(version)}"
        return VersionDetail.from_json(self._http.request("GET", path).body)

    def promote(
        self,
        name: str,
        version: str,
        *,
        override_reason: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> AliasMove:
        """Makes ``version`` production (loaded, warmed and smoke-tested before the switch). With a
        promotion policy, a version that fails it is refused unless an admin gives a reason."""
        body: Dict[str, Any] = {"version": version}
        if override_reason is not None:
            body["override_reason"] = override_reason
        answer = self._http.request(
            "POST", f"/v1/models/{_seg(name)}/promote", body, idempotent=True, idempotency_key=idempotency_key
        )
        return AliasMove.from_json(answer.body)

    def rollback(
        self, name: str, *, to: Optional[str] = None, idempotency_key: Optional[str] = None
    ) -> AliasMove:
        """Production back to the previous version (or ``to``); during a rollout, aborts it."""
        body = {} if to is None else {"to": to}
        answer = self._http.request(
            "POST",
            f"/v1/models/{_seg(name)}/rollback",
            body,
            idempotent=True,
            idempotency_key=idempotency_key,
        )
        return AliasMove.from_json(answer.body)

    # inference

    def predict(
        self,
        name: str,
        instances: Any,
        *,
        version: Optional[str] = None,
        routing_key: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> PredictResult:
        """Predicts for records (a list of ``{feature: value}``) or the rows of a pandas DataFrame.

        ``version`` pins one (bypassing rollout routing); ``routing_key`` keeps a caller on the
        same rollout variant. ``result.to_frame()`` gives the predictions as a DataFrame.
        """
        records, index = records_of(instances)
        path = (
            f"/v1/models/{_seg(name)}/predict"
            if version is None
            else f"/v1/models/{_seg(name)}/versions/{_seg(version)}/predict"
        )
        answer = self._http.request(
            "POST",
            path,
            {"instances": records},
            headers=_routing(routing_key),
            repeatable=True,
            idempotency_key=idempotency_key,
        )
        return PredictResult.from_json(answer.body, replayed=answer.replayed, index=index)

    def infer(
        self,
        name: str,
        inputs: InferInputs,
        *,
        version: Optional[str] = None,
        outputs: Optional[Sequence[str]] = None,
        routing_key: Optional[str] = None,
        request_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> InferResult:
        """Open Inference Protocol (V2) inference: ``inputs`` as ``{name: numpy array}`` or a list
        of ``Tensor``; ``outputs`` names the tensors wanted (default: all).
        ``result.outputs[name].to_numpy()`` or ``result.numpy()`` give numpy arrays."""
        body: Dict[str, Any] = {"inputs": [t.to_json() for t in input_tensors(inputs)]}
        if outputs is not None:
            body["outputs"] = [{"name": o} for o in outputs]
        if request_id is not None:
            body["id"] = request_id
        answer = self._http.request(
            "POST",
            _v2_path(name, version, "/infer"),
            body,
            headers=_routing(routing_key),
            repeatable=True,
            idempotency_key=idempotency_key,
        )
        return InferResult.from_json(answer.body, replayed=answer.replayed)

    def model_metadata(self, name: str, version: Optional[str] = None) -> Dict[str, Any]:
        """V2 model metadata: input and output tensors (name, datatype, shape) from the ONNX graph."""
        return cast(Dict[str, Any], self._http.request("GET", _v2_path(name, version, "")).body)

    def feedback(
        self,
        name: str,
        feedback: Sequence[Union[Feedback, Mapping[str, Any]]],
        *,
        idempotency_key: Optional[str] = None,
    ) -> FeedbackResult:
        """Ground truth for logged predictions (by ``prediction_id``), for live accuracy."""
        items = [f.to_json() if isinstance(f, Feedback) else dict(f) for f in feedback]
        answer = self._http.request(
            "POST",
            f"/v1/models/{_seg(name)}/feedback",
            {"feedback": items},
            idempotent=True,
            idempotency_key=idempotency_key,
        )
        return FeedbackResult.from_json(answer.body)

    # rollouts

    def get_rollout(self, rollout_id: str) -> Rollout:
        return Rollout.from_json(self._http.request("GET", f"/v1/rollouts/{_seg(rollout_id)}").body)

    def list_rollouts(self, model: str) -> List[Rollout]:
        """A model's rollouts, newest first."""
        body = self._http.request("GET", f"/v1/models/{_seg(model)}/rollouts").body
        return [Rollout.from_json(r) for r in body["rollouts"]]

    def rollout_status(self, id_or_model: str) -> Optional[Rollout]:
        """A rollout by id (``ro_…``), or a model's latest one with its decisions; None when the
        model has had none (as ``modelgate rollout status``)."""
        if id_or_model.startswith("ro_"):
            return self.get_rollout(id_or_model)
        latest = self.list_rollouts(id_or_model)
        return self.get_rollout(latest[0].id) if latest else None


def _seg(value: str) -> str:
    return quote(value, safe="")


def _routing(routing_key: Optional[str]) -> Dict[str, str]:
    return {"x-routing-key": routing_key} if routing_key else {}


def _v2_path(name: str, version: Optional[str], suffix: str) -> str:
    pinned = "" if version is None else f"/versions/{_seg(version)}"
    return f"/v2/models/{_seg(name)}{pinned}{suffix}"
