"""Writes test/fixtures/models/iris-softmax-zipmap: the iris-linear model as plain ONNX operators
(Sub, Mul, MatMul, Add, Softmax) whose only class labels are the string keys of a ZipMap beside
the probability tensor, as converters write for a softmax model. modelgate reads the class names
from the ZipMap keys, so the manifest's labels must name them in that order.
Run with Debian's python3 (python3-onnx, python3-yaml) after train-demo-models.py:
    /usr/bin/python3 scripts/make-zipmap-labels-fixture.py
Deterministic: it reads iris-linear's weights, so a second run writes byte-identical files."""
import os

import numpy as np
import onnx
import yaml
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', 'test', 'fixtures', 'models', 'iris-linear')
DST = os.path.join(HERE, '..', 'test', 'fixtures', 'models', 'iris-softmax-zipmap')

source = onnx.load(os.path.join(SRC, 'model.onnx'))
attrs = {n.op_type: {a.name: helper.get_attribute_value(a) for a in n.attribute} for n in source.graph.node}
scaler, linear = attrs['Scaler'], attrs['LinearClassifier']
labels = [s.decode() for s in linear['classlabels_strings']]
k = len(labels)
coefficients = np.asarray(linear['coefficients'], dtype=np.float32).reshape(k, -1)
f32 = lambda name, a: numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)
initializers = [
    f32('offset', scaler['offset']),
    f32('scale', scaler['scale']),
    f32('weights', coefficients.T),
    f32('intercepts', linear['intercepts']),
]
nodes = [
    helper.make_node('Sub', ['input', 'offset'], ['centered']),
    helper.make_node('Mul', ['centered', 'scale'], ['scaled']),
    helper.make_node('MatMul', ['scaled', 'weights'], ['logits_pre']),
    helper.make_node('Add', ['logits_pre', 'intercepts'], ['logits']),
    helper.make_node('Softmax', ['logits'], ['probabilities'], axis=1),
    helper.make_node('ZipMap', ['probabilities'], ['output_probability'], domain='ai.onnx.ml',
                     classlabels_strings=labels),
]
seq_map = onnx.TypeProto()  # seq(map(string, float)); onnx 1.12's helper has no map-type builder
seq_map.sequence_type.elem_type.map_type.key_type = TensorProto.STRING
seq_map.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
graph = helper.make_graph(
    nodes, 'iris_softmax_zipmap',
    [helper.make_tensor_value_info('input', TensorProto.FLOAT, [None, coefficients.shape[1]])],
    [helper.make_tensor_value_info('probabilities', TensorProto.FLOAT, [None, k]),
     helper.make_value_info('output_probability', seq_map)],
    initializers)
model = helper.make_model(graph, producer_name='modelgate-make-zipmap-labels-fixture', producer_version='1',
                          opset_imports=[helper.make_opsetid('', 15), helper.make_opsetid('ai.onnx.ml', 3)])
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(DST, exist_ok=True)
onnx.save(model, os.path.join(DST, 'model.onnx'))

with open(os.path.join(SRC, 'manifest.yaml')) as f:
    manifest = yaml.safe_load(f)
manifest['name'] = 'iris-zipmap'
manifest['algorithm'] = 'LogisticRegression (multinomial) with standard scaling, as plain ONNX operators'
manifest['changelog'] = ('Fixture: softmax probabilities with a ZipMap beside them; the class names are '
                         'only in the ZipMap keys.')
manifest['outputs'] = {'labels': labels, 'scores_output': 'probabilities'}
with open(os.path.join(DST, 'manifest.yaml'), 'w') as f:
    yaml.safe_dump(manifest, f, sort_keys=False, width=120)
