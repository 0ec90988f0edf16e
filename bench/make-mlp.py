#!/usr/bin/python3
"""A dense network for the batching benchmark, built with onnx.helper (nothing trained: random
weights, scaled so the softmax is not saturated). Writes model.onnx, manifest.yaml and
request.json into OUT_DIR. Usage: make-mlp.py OUT_DIR FEATURES WIDTH [SEED]"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out, features, width = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 7
rng = np.random.default_rng(seed)
os.makedirs(out, exist_ok=True)


def dense(name, fan_in, fan_out):
    w = (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32)
    b = np.zeros(fan_out, dtype=np.float32)
    return [numpy_helper.from_array(w, f"{name}_w"), numpy_helper.from_array(b, f"{name}_b")]


inits = dense("l1", features, width) + dense("l2", width, width) + dense("l3", width, 2)
nodes = [
    helper.make_node("Gemm", ["input", "l1_w", "l1_b"], ["h1"]),
    helper.make_node("Relu", ["h1"], ["a1"]),
    helper.make_node("Gemm", ["a1", "l2_w", "l2_b"], ["h2"]),
    helper.make_node("Relu", ["h2"], ["a2"]),
    helper.make_node("Gemm", ["a2", "l3_w", "l3_b"], ["logits"]),
    helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
]
graph = helper.make_graph(
    nodes,
    f"mlp_{width}",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", features])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2])],
    inits,
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="modelgate-bench")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "model.onnx"))

names = [f"f{i}" for i in range(features)]
manifest = {
    "name": f"mlp-{width}",
    "version": "1.0.0",
    "task": "binary-classification",
    "artifact": "model.onnx",
    "changelog": "benchmark model (random weights)",
    "features": [{"name": n, "type": "number"} for n in names],
    "outputs": {"labels": ["neg", "pos"], "scores_output": "probabilities"},
}
with open(os.path.join(out, "manifest.yaml"), "w") as f:
    json.dump(manifest, f)  # JSON is YAML
row = {n: float(v) for n, v in zip(names, rng.standard_normal(features))}
with open(os.path.join(out, "request.json"), "w") as f:
    json.dump({"instances": [row]}, f)
