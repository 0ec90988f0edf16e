"""Writes test/fixtures/models/slow-regressor: a regression model whose cost grows with the batch
size (a chain of 512x512 MatMul + Tanh layers whose weights are generated at run time by
RandomUniform, so the file stays tiny). Tests use it to exceed the inference timeout on purpose.
Run with Debian's python3 (python3-onnx)."""
import os
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'models', 'slow-regressor')
WIDTH, LAYERS, FEATURES = 512, 40, 4

nodes = [
    helper.make_node('RandomUniform', [], ['w_in'], dtype=TensorProto.FLOAT, shape=[FEATURES, WIDTH], seed=1.0, low=-0.1, high=0.1),
    helper.make_node('RandomUniform', [], ['w'], dtype=TensorProto.FLOAT, shape=[WIDTH, WIDTH], seed=2.0, low=-0.05, high=0.05),
    helper.make_node('MatMul', ['input', 'w_in'], ['h0']),
]
for i in range(LAYERS):
    nodes.append(helper.make_node('MatMul', [f'h{i}', 'w'], [f'm{i}']))
    nodes.append(helper.make_node('Tanh', [f'm{i}'], [f'h{i + 1}']))
nodes.append(helper.make_node('ReduceMean', [f'h{LAYERS}'], ['variable'], axes=[1], keepdims=1))
graph = helper.make_graph(
    nodes,
    'slow',
    [helper.make_tensor_value_info('input', TensorProto.FLOAT, [None, FEATURES])],
    [helper.make_tensor_value_info('variable', TensorProto.FLOAT, [None, 1])],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='modelgate-fixtures')
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(OUT, exist_ok=True)
onnx.save(model, os.path.join(OUT, 'model.onnx'))
features = ''.join(f"- name: f{i}\n  type: number\n  nullable: false\n" for i in range(FEATURES))
with open(os.path.join(OUT, 'manifest.yaml'), 'w') as f:
    f.write(f"""name: slow
version: 1.0.0
task: regression
artifact: model.onnx
algorithm: MatMul chain
framework: onnx.helper {onnx.__version__}
changelog: 'Fixture: inference cost grows with batch size ({LAYERS} layers of {WIDTH}x{WIDTH} MatMul).'
features:
{features}outputs:
  value_output: variable
""")
