"""Open Inference Protocol (V2) tensors, and numpy arrays when numpy is importable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

#: V2 datatypes modelgate serves (the ones ONNX Runtime and the protocol share) → numpy dtype
NUMPY_DTYPES: Dict[str, str] = {
    "BOOL": "bool",
    "UINT8": "uint8",
    "UINT16": "uint16",
    "UINT32": "uint32",
    "UINT64": "uint64",
    "INT8": "int8",
    "INT16": "int16",
    "INT32": "int32",
    "INT64": "int64",
    "FP32": "float32",
    "FP64": "float64",
    "BYTES": "object",
}
_DATATYPES = {dtype: v2 for v2, dtype in NUMPY_DTYPES.items() if v2 != "BYTES"}


@dataclass(frozen=True)
class Tensor:
    """A V2 tensor: ``data`` flat and row-major (a request may also nest it following ``shape``)."""

    name: str
    shape: List[int]
    datatype: str
    data: List[Any]

    @classmethod
    def from_numpy(cls, name: str, array: Any) -> "Tensor":
        """A tensor from a numpy array (or anything ``numpy.asarray`` takes), datatype from its dtype."""
        import numpy as np

        a = np.asarray(array)
        if a.dtype.kind in "USO":
            data = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in a.ravel().tolist()]
            return cls(name, list(a.shape), "BYTES", data)
        datatype = _DATATYPES.get(a.dtype.name)
        if datatype is None:
            supported = ", ".join(sorted(_DATATYPES))
            raise TypeError(
                f"input '{name}': dtype {a.dtype.name} has no V2 datatype modelgate serves ({supported})"
            )
        return cls(name, list(a.shape), datatype, a.ravel().tolist())

    def to_numpy(self) -> Any:
        """The tensor as a numpy array of its shape and dtype. Needs numpy."""
        try:
            import numpy as np
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("to_numpy() needs numpy (pip install numpy)") from err
        dtype = NUMPY_DTYPES.get(self.datatype)
        if dtype is None:
            raise TypeError(f"output '{self.name}': datatype {self.datatype} has no numpy dtype here")
        return np.asarray(self.data, dtype=dtype).reshape(self.shape)

    def to_json(self) -> Dict[str, Any]:
        return {"name": self.name, "shape": list(self.shape), "datatype": self.datatype, "data": self.data}


InferInputs = Union[Mapping[str, Any], Sequence[Tensor]]


def input_tensors(inputs: InferInputs) -> List[Tensor]:
    """``{"input": ndarray}`` or ``[Tensor(...)]`` → tensors; a mapping's values may be Tensors."""
    if isinstance(inputs, Mapping):
        return [v if isinstance(v, Tensor) else _from_value(str(k), v) for k, v in inputs.items()]
    tensors = list(inputs)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError("inputs: pass {name: numpy array} or a list of Tensor")
    return tensors


def _from_value(name: str, value: Any) -> Tensor:
    if type(value).__module__.split(".")[0] != "numpy":
        raise TypeError(
            f"input '{name}': pass a numpy array, or Tensor(name, shape, datatype, data) to name the "
            "datatype of plain lists"
        )
    return Tensor.from_numpy(name, value)


@dataclass(frozen=True)
class InferResult:
    model_name: str
    model_version: str
    outputs: Dict[str, Tensor]
    artifact_sha256: Optional[str] = None
    #: during a rollout: ``stable`` or ``candidate``
    variant: Optional[str] = None
    id: Optional[str] = None
    replayed: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, replayed: bool = False) -> "InferResult":
        parameters = data.get("parameters") or {}
        outputs = {
            o["name"]: Tensor(o["name"], list(o["shape"]), o["datatype"], list(o["data"]))
            for o in data.get("outputs") or []
        }
        return cls(
            model_name=data["model_name"],
            model_version=data["model_version"],
            outputs=outputs,
            artifact_sha256=parameters.get("artifact_sha256"),
            variant=parameters.get("variant"),
            id=data.get("id"),
            replayed=replayed,
        )

    def numpy(self) -> Dict[str, Any]:
        """Every output as a numpy array of its shape. Needs numpy."""
        return {name: t.to_numpy() for name, t in self.outputs.items()}
