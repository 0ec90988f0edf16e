"""What the API answers, as dataclasses. Unknown fields in an answer are ignored (a newer server
may add some); missing optional ones are None."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Type, TypeVar

from .frames import predictions_frame

T = TypeVar("T")


def _build(cls: Type[T], data: Mapping[str, Any], **converted: Any) -> T:
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    values = {k: v for k, v in data.items() if k in names}
    values.update(converted)
    return cls(**values)


@dataclass(frozen=True)
class Aliases:
    production: Optional[str] = None
    staging: Optional[str] = None
    previous: Optional[str] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Aliases":
        return _build(cls, data)


@dataclass(frozen=True)
class ModelSummary:
    name: str
    created_at: str
    aliases: Aliases
    version_count: int
    latest_version: Optional[str] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ModelSummary":
        return _build(cls, data, aliases=Aliases.from_json(data.get("aliases") or {}))


@dataclass(frozen=True)
class VersionSummary:
    version: str
    display_id: str
    artifact_sha256: str
    task: str
    created_at: str
    created_by: str
    changelog: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "VersionSummary":
        return _build(cls, data)


@dataclass(frozen=True)
class ModelDetail:
    name: str
    created_at: str
    aliases: Aliases
    version_count: int
    latest_version: Optional[str] = None
    versions: List[VersionSummary] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ModelDetail":
        return _build(
            cls,
            data,
            aliases=Aliases.from_json(data.get("aliases") or {}),
            versions=[VersionSummary.from_json(v) for v in data.get("versions") or []],
        )


@dataclass(frozen=True)
class Feature:
    name: str
    type: str
    nullable: bool = False
    min: Optional[float] = None
    max: Optional[float] = None
    values: Optional[List[Any]] = None
    description: Optional[str] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Feature":
        return _build(cls, data)


@dataclass(frozen=True)
class VersionDetail:
    """One version: identity, hashes, aliases, its input signature and its manifest."""

    model: str
    version: str
    display_id: str
    artifact_sha256: str
    manifest_sha256: str
    task: str
    created_at: str
    created_by: str
    aliases: List[str]
    loaded: bool
    features: List[Feature]
    labels: Optional[List[str]] = None
    files: List[Dict[str, Any]] = field(default_factory=list)
    manifest: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "VersionDetail":
        signature = data.get("signature") or {}
        return _build(
            cls,
            data,
            features=[Feature.from_json(f) for f in signature.get("features") or []],
            labels=signature.get("labels"),
        )


@dataclass(frozen=True)
class Prediction:
    """A classifier's ``label`` and ``probabilities``, or a regressor's ``value``."""

    label: Optional[str] = None
    probabilities: Optional[Dict[str, float]] = None
    value: Optional[float] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Prediction":
        return _build(cls, data)


@dataclass(frozen=True)
class PredictResult:
    model: str
    version: str
    artifact_sha256: str
    prediction_id: str
    predictions: List[Prediction]
    #: during a rollout: ``stable`` or ``candidate``
    variant: Optional[str] = None
    #: the server replayed the stored answer of this Idempotency-Key
    replayed: bool = False
    #: the index of the DataFrame the instances came from, if they did
    index: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], *, replayed: bool = False, index: Any = None
    ) -> "PredictResult":
        predictions = [Prediction.from_json(p) for p in data.get("predictions") or []]
        return _build(cls, data, predictions=predictions, replayed=replayed, index=index)

    def to_frame(self) -> Any:
        """The predictions as a pandas DataFrame: ``label``, ``probability_<label>`` per class,
        or ``value``; indexed like the DataFrame that was sent. Needs pandas."""
        return predictions_frame(self.predictions, self.index)


@dataclass(frozen=True)
class UnknownFeedback:
    prediction_id: str
    index: int
    reason: str


@dataclass(frozen=True)
class FeedbackResult:
    accepted: int
    duplicates: int
    #: feedback the server could not match to a logged prediction, with the reason
    unknown: List[UnknownFeedback] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "FeedbackResult":
        return _build(cls, data, unknown=[_build(UnknownFeedback, u) for u in data.get("unknown") or []])


@dataclass(frozen=True)
class AliasMove:
    """The answer to promote and rollback: the aliases after the move."""

    model: str
    aliases: Aliases
    changed: bool
    #: when a rollout was running: its id (it was aborted, stable keeps serving)
    rollout_aborted: Optional[str] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "AliasMove":
        return _build(cls, data, aliases=Aliases.from_json(data.get("aliases") or {}))


@dataclass(frozen=True)
class Decision:
    at: str
    step_index: int
    look: int
    verdict: str
    action: str
    checks: List[Dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Rollout:
    """A rollout's state, step, live window and decisions (``GET /v1/rollouts/{id}``)."""

    id: str
    model: str
    candidate: str
    baseline: str
    strategy: str
    state: str
    step_index: int
    steps: List[Dict[str, Any]]
    current_step: Optional[Dict[str, Any]]
    step_started_at: str
    created_at: str
    reason: Optional[str] = None
    ended_at: Optional[str] = None
    max_prediction_psi: Optional[float] = None
    #: per arm (stable, candidate) counts of the current step, while the rollout is active
    window: Optional[Dict[str, Any]] = None
    decisions: List[Decision] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Rollout":
        return _build(cls, data, decisions=[_build(Decision, d) for d in data.get("decisions") or []])

    @property
    def active(self) -> bool:
        """Running or paused (not yet promoted, rolled back or aborted)."""
        return self.state in ("running", "paused")
