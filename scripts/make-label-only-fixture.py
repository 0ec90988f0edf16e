"""Writes test/fixtures/models/iris-label-only: the iris-linear fixture with its probabilities
output removed, so the model answers labels only (evaluations then have no ROC-AUC or log loss).
Run with Debian's python3 (python3-onnx, python3-yaml) after train-demo-models.py."""
import os
import onnx
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, '..', 'test', 'fixtures', 'models', 'iris-linear')
DST = os.path.join(HERE, '..', 'test', 'fixtures', 'models', 'iris-label-only')

model = onnx.load(os.path.join(SRC, 'model.onnx'))
keep = [o for o in model.graph.output if o.name == 'label']
del model.graph.output[:]
model.graph.output.extend(keep)
onnx.checker.check_model(model)
os.makedirs(DST, exist_ok=True)
onnx.save(model, os.path.join(DST, 'model.onnx'))

manifest = yaml.safe_load(open(os.path.join(SRC, 'manifest.yaml')))
manifest['name'] = 'iris-labels'
manifest['changelog'] = 'Fixture: the iris LinearClassifier with its probabilities output removed (labels only).'
manifest['outputs'] = {k: v for k, v in manifest['outputs'].items() if k != 'scores_output'}
for test in manifest.get('smoke_tests', []):
    test['expected'] = {'label': test['expected']['label']}
manifest.pop('metrics', None)
yaml.safe_dump(manifest, open(os.path.join(DST, 'manifest.yaml'), 'w'), sort_keys=False)
