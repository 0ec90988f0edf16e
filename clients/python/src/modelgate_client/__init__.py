"""Python client for the modelgate model server (standard library only)."""

from .client import Client, Feedback
from .errors import ModelgateApiError, ModelgateConnectionError, Pointer
from .models import (
    Aliases,
    AliasMove,
    Decision,
    Feature,
    FeedbackResult,
    ModelDetail,
    ModelSummary,
    Prediction,
    PredictResult,
    Rollout,
    UnknownFeedback,
    VersionDetail,
    VersionSummary,
)
from .retry import RetryPolicy
from .tensors import InferResult, Tensor

__version__ = "0.1.0"

__all__ = [
    "Aliases",
    "AliasMove",
    "Client",
    "Decision",
    "Feature",
    "Feedback",
    "FeedbackResult",
    "InferResult",
    "ModelDetail",
    "ModelgateApiError",
    "ModelgateConnectionError",
    "ModelSummary",
    "Pointer",
    "Prediction",
    "PredictResult",
    "RetryPolicy",
    "Rollout",
    "Tensor",
    "UnknownFeedback",
    "VersionDetail",
    "VersionSummary",
]
