"""pandas at the edges: a DataFrame in as records, predictions out as a DataFrame. pandas is
imported only when the caller already uses it."""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Mapping, Tuple


def is_dataframe(value: Any) -> bool:
    t = type(value)
    return t.__name__ == "DataFrame" and t.__module__.split(".")[0] == "pandas"


def records_of(instances: Any) -> Tuple[List[Dict[str, Any]], Any]:
    """The instances as JSON-ready records, and the DataFrame's index when they came from one.

    A DataFrame's missing values (NaN, None, NaT) become null, which a nullable feature accepts;
    numpy scalars become plain numbers.
    """
    if is_dataframe(instances):
        columns = [str(c) for c in instances.columns]
        rows = [
            {c: _cell(v) for c, v in zip(columns, row)}
            for row in instances.itertuples(index=False, name=None)
        ]
        return rows, instances.index
    if isinstance(instances, Mapping):
        raise TypeError("instances: pass a list of records (dicts) or a pandas DataFrame, not one dict")
    rows = [dict(r) for r in instances]
    return rows, None


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    return value


def predictions_frame(predictions: Iterable[Any], index: Any) -> Any:
    try:
        import pandas as pd  # type: ignore[import]
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("to_frame() needs pandas (pip install pandas)") from err
    rows = []
    for p in predictions:
        row: Dict[str, Any] = {}
        if p.label is not None:
            row["label"] = p.label
        for label, probability in (p.probabilities or {}).items():
            row[f"probability_{label}"] = probability
        if p.value is not None:
            row["value"] = p.value
        rows.append(row)
    return pd.DataFrame(rows, index=index)
