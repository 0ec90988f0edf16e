#!/usr/bin/python3
"""Trains the demo models and test fixtures and writes them as ONNX + manifest.

Run with Debian's python (python3-sklearn, python3-onnx):  /usr/bin/python3 scripts/train-demo-models.py
Deterministic: fixed seeds, so a second run writes byte-identical files.
skl2onnx is not available here, so the graphs are built with onnx.helper and the ai.onnx.ml
operators (TreeEnsembleClassifier/Regressor, LinearClassifier/Regressor, Scaler, CategoryMapper).
"""
import csv
import json
import math
import os
import shutil

import numpy as np
import onnx
import sklearn
import yaml
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, log_loss, mean_absolute_error, mean_squared_error, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "models", "demo")
FIXTURES = os.path.join(ROOT, "test", "fixtures", "models")
FRAMEWORK = f"scikit-learn {sklearn.__version__} (converted with onnx.helper {onnx.__version__}, ai.onnx.ml opset 3)"
OPSETS = [helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 3)]


def snake(name):
    return name.strip().lower().replace(" ", "_")


def nice_max(v):
    """A round number at least twice v: the validation ceiling (generous, not the training max)."""
    v = 2 * max(v, 1e-9)
    scale = 10 ** math.floor(math.log10(v))
    return float(round(math.ceil(v / scale) * scale, 10))


def f32_floor(t):
    """Largest float32 <= t, so that float32 x <= result  <=>  x <= t (sklearn compares float32 x to a double)."""
    f = np.float32(t)
    if float(f) > t:
        f = np.nextafter(f, np.float32(-np.inf))
    return float(f)


def f32(v):
    """Shortest decimal of a float32 (17.99, not 17.989999771118164); reads back as the same float32."""
    return float(repr(np.float32(v)))


def r4(x):
    return float(round(float(x), 4))


def model(graph_nodes, name, inputs, outputs, initializers=()):
    graph = helper.make_graph(graph_nodes, name, inputs, outputs, list(initializers))
    m = helper.make_model(graph, opset_imports=OPSETS, producer_name="modelgate-train-demo-models", producer_version="1")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def tree_attrs(estimators, leaf_weights):
    """Flattens sklearn trees into TreeEnsemble* attributes; leaf_weights(tree, node) -> [(target, weight)]."""
    a = {k: [] for k in ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
                         "nodes_truenodeids", "nodes_falsenodeids", "w_tree", "w_node", "w_id", "w_weight"]}
    for t, est in enumerate(estimators):
        tree = est.tree_
        for i in range(tree.node_count):
            a["nodes_treeids"].append(t)
            a["nodes_nodeids"].append(i)
            if tree.children_left[i] == -1:
                a["nodes_featureids"].append(0)
                a["nodes_values"].append(0.0)
                a["nodes_modes"].append("LEAF")
                a["nodes_truenodeids"].append(0)
                a["nodes_falsenodeids"].append(0)
                for target, w in leaf_weights(tree, i):
                    a["w_tree"].append(t)
                    a["w_node"].append(i)
                    a["w_id"].append(target)
                    a["w_weight"].append(float(w))
            else:
                a["nodes_featureids"].append(int(tree.feature[i]))
                a["nodes_values"].append(f32_floor(tree.threshold[i]))
                a["nodes_modes"].append("BRANCH_LEQ")
                a["nodes_truenodeids"].append(int(tree.children_left[i]))
                a["nodes_falsenodeids"].append(int(tree.children_right[i]))
    return a


def forest_classifier_onnx(forest, n_features, name):
    n_trees = len(forest.estimators_)
    n_classes = len(forest.classes_)

    def leaf(tree, i):
        counts = tree.value[i][0]
        return [(c, counts[c] / counts.sum() / n_trees) for c in range(n_classes)]

    a = tree_attrs(forest.estimators_, leaf)
    node = helper.make_node(
        "TreeEnsembleClassifier", ["input"], ["label", "probabilities"], domain="ai.onnx.ml",
        classlabels_int64s=[int(c) for c in forest.classes_], post_transform="NONE",
        nodes_treeids=a["nodes_treeids"], nodes_nodeids=a["nodes_nodeids"], nodes_featureids=a["nodes_featureids"],
        nodes_values=a["nodes_values"], nodes_modes=a["nodes_modes"], nodes_truenodeids=a["nodes_truenodeids"],
        nodes_falsenodeids=a["nodes_falsenodeids"], class_treeids=a["w_tree"], class_nodeids=a["w_node"],
        class_ids=a["w_id"], class_weights=a["w_weight"])
    return model([node], name,
                 [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, n_features])],
                 [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                  helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, n_classes])])


def forest_regressor_onnx(forest, n_features, name):
    a = tree_attrs(forest.estimators_, lambda tree, i: [(0, tree.value[i][0][0])])
    node = helper.make_node(
        "TreeEnsembleRegressor", ["input"], ["variable"], domain="ai.onnx.ml", n_targets=1, aggregate_function="AVERAGE",
        post_transform="NONE", nodes_treeids=a["nodes_treeids"], nodes_nodeids=a["nodes_nodeids"],
        nodes_featureids=a["nodes_featureids"], nodes_values=a["nodes_values"], nodes_modes=a["nodes_modes"],
        nodes_truenodeids=a["nodes_truenodeids"], nodes_falsenodeids=a["nodes_falsenodeids"],
        target_treeids=a["w_tree"], target_nodeids=a["w_node"], target_ids=a["w_id"], target_weights=a["w_weight"])
    return model([node], name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, n_features])],
                 [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])])


def write(folder, onnx_model, manifest, external=False):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    path = os.path.join(folder, manifest["artifact"])
    if external:
        onnx.save_model(onnx_model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx.data", size_threshold=0)
    else:
        onnx.save_model(onnx_model, path)
    with open(os.path.join(folder, "manifest.yaml"), "w") as f:
        yaml.safe_dump(manifest, f, sort_keys=False, width=120, allow_unicode=True)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([f32(v) if isinstance(v, (float, np.floating)) else v for v in r])


def features_of(names, X, descriptions=None):
    return [{"name": n, "type": "number", "min": 0.0 if X[:, j].min() >= 0 else -nice_max(abs(X[:, j].min())),
             "max": nice_max(X[:, j].max()), "nullable": False,
             "description": (descriptions or {}).get(n, f"{n.replace('_', ' ')}")} for j, n in enumerate(names)]


def smoke_tests(names, X, expected, label_of=None):
    tests = []
    for i, exp in expected:
        row = {n: f32(X[i, j]) for j, n in enumerate(names)}
        tests.append({"name": f"test-row-{i}", "input": row, "expected": exp, "tolerance": 0.0001})
    return tests


# --------------------------------------------------------------------------------------------
# Demo: breast cancer random forests (1.0.0, 1.1.0) and a deliberately degraded 1.2.0
# --------------------------------------------------------------------------------------------
def breast_cancer():
    data = load_breast_cancer()
    names = [snake(n) for n in data.feature_names]
    labels = ["malignant", "benign"]  # sklearn target 0 = malignant, 1 = benign
    X = data.data.astype(np.float32)
    y = data.target
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=42)
    out = os.path.join(DEMO, "breast-cancer")
    os.makedirs(out, exist_ok=True)
    header = names + ["target"]
    write_csv(os.path.join(out, "test.csv"), header, [list(r) + [labels[t]] for r, t in zip(X_te, y_te)])
    shifted = X_te.copy()
    shifted[:, 0] = shifted[:, 0] + np.float32(X_tr[:, 0].std())
    write_csv(os.path.join(out, "shifted.csv"), header, [list(r) + [labels[t]] for r, t in zip(shifted, y_te)])

    common = {
        "task": "binary-classification",
        "artifact": "model.onnx",
        "framework": FRAMEWORK,
        "training_data_version": "sklearn breast_cancer (569 rows, Wisconsin diagnostic), stratified 75/25 split, seed 42",
        "trainer": "scripts/train-demo-models.py",
        "intended_use": "Demonstration of modelgate: classifies a breast mass from 30 measurements of cell nuclei "
                        "in a digitized fine needle aspirate image as malignant or benign.",
        "limitations": "Trained on 426 rows from one 1990s clinical source; not validated on other populations, "
                       "imaging equipment or preprocessing. Not a medical device.",
        "ethical_considerations": "Never use for diagnosis. A false benign answer can delay treatment; any "
                                  "clinical use would need prospective validation and clinician oversight.",
    }
    variants = [
        ("1.0.0", RandomForestClassifier(n_estimators=100, max_depth=8, random_state=42), y_tr,
         "Initial production model: random forest, 100 trees, max depth 8."),
        ("1.1.0", RandomForestClassifier(n_estimators=200, max_depth=6, min_samples_leaf=2, max_features=0.5, random_state=7), y_tr,
         "Retrained with other hyper-parameters: 200 shallower trees (depth 6, 2+ samples per leaf, half the features per split)."),
        ("1.2.0", RandomForestClassifier(n_estimators=10, max_depth=3, random_state=3), np.random.RandomState(11).permutation(y_tr),
         "DELIBERATELY DEGRADED for the automatic-rollback demo: trained on randomly permuted labels. Never promote."),
    ]
    for version, clf, y_fit, changelog in variants:
        clf.fit(X_tr, y_fit)
        proba = clf.predict_proba(X_te)
        pred = clf.predict(X_te)
        p_malignant = proba[:, 0]
        metrics = {
            "roc_auc": r4(roc_auc_score(y_te == 0, p_malignant)),
            "accuracy": r4(accuracy_score(y_te, pred)),
            "f1": r4(f1_score(y_te == 0, pred == 0)),
            "log_loss": r4(log_loss(y_te, proba)),
        }
        picks = [int(np.where(pred == 0)[0][0]), int(np.where(pred == 1)[0][0]), int(np.where(pred == 1)[0][1])]
        expected = [(i, {"label": labels[int(pred[i])], "probabilities": {labels[c]: r4(proba[i, c]) for c in range(2)}}) for i in picks]
        manifest = {
            "name": "breast-cancer",
            "version": version,
            **{k: common[k] for k in ["task", "artifact"]},
            "algorithm": "RandomForestClassifier",
            "framework": common["framework"],
            "training_data_version": common["training_data_version"],
            "trainer": common["trainer"],
            "changelog": changelog,
            "description": "Breast mass classifier (malignant or benign) for the modelgate demo.",
            "features": features_of(names, X_tr),
            "outputs": {"labels": labels, "positive_label": "malignant", "threshold": 0.5,
                        "label_output": "label", "scores_output": "probabilities"},
            "metrics": metrics,
            "smoke_tests": smoke_tests(names, X_te, expected),
            "intended_use": common["intended_use"],
            "limitations": common["limitations"],
            "ethical_considerations": common["ethical_considerations"],
            "reference_data": "reference.csv",
        }
        folder = os.path.join(out, version)
        write(folder, forest_classifier_onnx(clf, X.shape[1], f"breast_cancer_{version}"), manifest)
        write_csv(os.path.join(folder, "reference.csv"), header, [list(r) + [labels[t]] for r, t in zip(X_tr, y_tr)])
        print(f"breast-cancer {version}: {metrics}")
        if version == "1.0.0":
            with open(os.path.join(out, "example-request.json"), "w") as f:
                json.dump({"instances": [manifest["smoke_tests"][0]["input"]]}, f, indent=2)
                f.write("\n")


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------
def iris():
    data = load_iris()
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    labels = [str(n) for n in data.target_names]  # setosa, versicolor, virginica
    X = data.data.astype(np.float32)
    X_tr, X_te, y_tr, y_te = train_test_split(X, data.target, test_size=0.3, stratify=data.target, random_state=1)
    mean, std = X_tr.mean(axis=0), X_tr.std(axis=0)
    clf = LogisticRegression(max_iter=1000, random_state=0).fit((X_tr - mean) / std, y_tr)
    proba = clf.predict_proba((X_te - mean) / std)
    pred = clf.predict((X_te - mean) / std)
    nodes = [
        helper.make_node("Scaler", ["input"], ["scaled"], domain="ai.onnx.ml", offset=[float(v) for v in mean], scale=[float(1 / v) for v in std]),
        helper.make_node("LinearClassifier", ["scaled"], ["label", "probabilities"], domain="ai.onnx.ml",
                         coefficients=[float(v) for v in clf.coef_.ravel()], intercepts=[float(v) for v in clf.intercept_],
                         classlabels_strings=labels, multi_class=1, post_transform="SOFTMAX"),
    ]
    m = model(nodes, "iris_logreg", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 4])],
              [helper.make_tensor_value_info("label", TensorProto.STRING, [None]),
               helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 3])])
    picks = [int(np.where(pred == c)[0][0]) for c in range(3)]
    expected = [(i, {"label": labels[int(pred[i])], "probabilities": {labels[c]: r4(proba[i, c]) for c in range(3)}}) for i in picks]
    manifest = {
        "name": "iris", "version": "1.0.0", "task": "multiclass-classification", "artifact": "model.onnx",
        "algorithm": "LogisticRegression (multinomial) with standard scaling", "framework": FRAMEWORK,
        "changelog": "Fixture: string labels from a LinearClassifier.",
        "features": features_of(names, X_tr),
        "outputs": {"labels": labels, "label_output": "label", "scores_output": "probabilities"},
        "metrics": {"accuracy": r4(accuracy_score(y_te, pred))},
        "smoke_tests": smoke_tests(names, X_te, expected),
    }
    write(os.path.join(FIXTURES, "iris-linear"), m, manifest)
    bare = {k: v for k, v in manifest.items() if k not in ("features", "outputs", "smoke_tests")}
    bare["name"] = "iris-inferred"
    bare["changelog"] = "Fixture: no features and no labels in the manifest; both are inferred from the ONNX model."
    write(os.path.join(FIXTURES, "iris-inferred"), m, bare)
    print(f"iris: accuracy {manifest['metrics']['accuracy']}")


def diabetes():
    data = load_diabetes()
    names = [snake(n) for n in data.feature_names]
    X = data.data.astype(np.float32)
    X_tr, X_te, y_tr, y_te = train_test_split(X, data.target, test_size=0.25, random_state=5)
    reg = RandomForestRegressor(n_estimators=20, max_depth=5, random_state=0).fit(X_tr, y_tr)
    pred = reg.predict(X_te)
    feats = [{"name": n, "type": "number", "min": -1.0, "max": 1.0, "nullable": False, "description": f"{n} (standardized)"} for n in names]
    manifest = {
        "name": "diabetes", "version": "1.0.0", "task": "regression", "artifact": "model.onnx",
        "algorithm": "RandomForestRegressor", "framework": FRAMEWORK,
        "changelog": "Fixture: regression with a TreeEnsembleRegressor.",
        "features": feats,
        "outputs": {"value_output": "variable"},
        "metrics": {"mae": r4(mean_absolute_error(y_te, pred)), "rmse": r4(math.sqrt(mean_squared_error(y_te, pred))), "r2": r4(r2_score(y_te, pred))},
        "smoke_tests": smoke_tests(names, X_te, [(i, {"value": r4(pred[i])}) for i in (0, 1, 2)]),
    }
    write(os.path.join(FIXTURES, "diabetes-regressor"), forest_regressor_onnx(reg, X.shape[1], "diabetes_rf"), manifest)
    print(f"diabetes: {manifest['metrics']}")


def wine_mlp_external():
    data = load_wine()
    X = data.data.astype(np.float32)
    X_tr, X_te, y_tr, y_te = train_test_split(X, data.target, test_size=0.3, stratify=data.target, random_state=2)
    mean, std = X_tr.mean(axis=0), X_tr.std(axis=0)
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=3000, random_state=0).fit((X_tr - mean) / std, y_tr)
    proba = mlp.predict_proba((X_te - mean) / std)
    pred = mlp.predict((X_te - mean) / std)
    t = lambda name, a: numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)
    inits = [t("mean", mean), t("std", std), t("W1", mlp.coefs_[0]), t("b1", mlp.intercepts_[0]),
             t("W2", mlp.coefs_[1]), t("b2", mlp.intercepts_[1])]
    nodes = [
        helper.make_node("Sub", ["input", "mean"], ["centered"]),
        helper.make_node("Div", ["centered", "std"], ["scaled"]),
        helper.make_node("MatMul", ["scaled", "W1"], ["h_pre"]),
        helper.make_node("Add", ["h_pre", "b1"], ["h_lin"]),
        helper.make_node("Relu", ["h_lin"], ["h"]),
        helper.make_node("MatMul", ["h", "W2"], ["o_pre"]),
        helper.make_node("Add", ["o_pre", "b2"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
    ]
    m = model(nodes, "wine_mlp", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 13])],
              [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [None, 3])], inits)
    names = [snake(n).replace("/", "_") for n in data.feature_names]
    labels = ["class_0", "class_1", "class_2"]
    picks = [int(np.where(pred == c)[0][0]) for c in range(3)]
    expected = [(i, {"label": labels[int(pred[i])], "probabilities": {labels[c]: r4(proba[i, c]) for c in range(3)}}) for i in picks]
    manifest = {
        "name": "wine", "version": "1.0.0", "task": "multiclass-classification", "artifact": "model.onnx",
        "external_data": ["model.onnx.data"],
        "algorithm": "MLPClassifier (one hidden layer of 16, ReLU) exported as plain ONNX ops",
        "framework": FRAMEWORK, "changelog": "Fixture: PyTorch-style softmax output and weights in an external data file.",
        "features": features_of(names, X_tr),
        "outputs": {"labels": labels, "scores_output": "probs"},
        "metrics": {"accuracy": r4(accuracy_score(y_te, pred))},
        "smoke_tests": smoke_tests(names, X_te, expected),
    }
    write(os.path.join(FIXTURES, "wine-mlp-external"), m, manifest, external=True)
    print(f"wine: accuracy {manifest['metrics']['accuracy']}")


def mixed_inputs():
    rng = np.random.RandomState(7)
    n = 500
    regions = ["north", "south", "east", "west"]
    age = rng.randint(18, 80, n)
    bmi = rng.uniform(16, 45, n).astype(np.float32)
    smoker = rng.rand(n) < 0.25
    region = rng.randint(0, 4, n)
    cost = 250 * age + 300 * bmi + 20000 * smoker + 500 * region + rng.normal(0, 2000, n)
    features = np.column_stack([age, bmi, smoker, region]).astype(np.float64)
    reg = LinearRegression().fit(features, cost)
    nodes = [
        helper.make_node("Cast", ["age"], ["age_f"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["smoker"], ["smoker_f"], to=TensorProto.FLOAT),
        helper.make_node("CategoryMapper", ["region"], ["region_i"], domain="ai.onnx.ml", cats_strings=regions,
                         cats_int64s=[0, 1, 2, 3], default_int64=-1),
        helper.make_node("Cast", ["region_i"], ["region_f"], to=TensorProto.FLOAT),
        helper.make_node("Concat", ["age_f", "bmi", "smoker_f", "region_f"], ["x"], axis=1),
        helper.make_node("LinearRegressor", ["x"], ["variable"], domain="ai.onnx.ml",
                         coefficients=[float(c) for c in reg.coef_], intercepts=[float(reg.intercept_)], targets=1),
    ]
    m = model(nodes, "insurance_cost",
              [helper.make_tensor_value_info("age", TensorProto.INT64, [None, 1]),
               helper.make_tensor_value_info("bmi", TensorProto.FLOAT, [None, 1]),
               helper.make_tensor_value_info("smoker", TensorProto.BOOL, [None, 1]),
               helper.make_tensor_value_info("region", TensorProto.STRING, [None, 1])],
              [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])])
    tests = []
    for i in (0, 1, 2):
        inp = {"age": int(age[i]), "bmi": f32(bmi[i]), "smoker": bool(smoker[i]), "region": regions[region[i]]}
        x = np.array([[age[i], np.float32(bmi[i]), smoker[i], region[i]]], dtype=np.float64)
        tests.append({"name": f"row-{i}", "input": inp, "expected": {"value": r4(reg.predict(x)[0])}, "tolerance": 0.0001})
    manifest = {
        "name": "insurance", "version": "1.0.0", "task": "regression", "artifact": "model.onnx",
        "algorithm": "LinearRegression over age, bmi, smoker, region (ordinal index via CategoryMapper)",
        "framework": FRAMEWORK, "training_data_version": "synthetic, 500 rows, numpy seed 7",
        "changelog": "Fixture: one input per feature with int64, float, bool and string inputs.",
        "features": [
            {"name": "age", "type": "integer", "min": 18, "max": 100, "nullable": False},
            {"name": "bmi", "type": "number", "min": 10.0, "max": 70.0, "nullable": False},
            {"name": "smoker", "type": "boolean", "nullable": False},
            {"name": "region", "type": "category", "values": regions, "nullable": False},
        ],
        "outputs": {"value_output": "variable"},
        "metrics": {"r2": r4(reg.score(features, cost))},
        "smoke_tests": tests,
    }
    write(os.path.join(FIXTURES, "mixed-inputs"), m, manifest)
    print(f"insurance: r2 {manifest['metrics']['r2']}")


def zipmap_output():
    data = load_iris()
    clf = LogisticRegression(max_iter=1000, random_state=0).fit(data.data, data.target)
    nodes = [
        helper.make_node("LinearClassifier", ["input"], ["label", "scores"], domain="ai.onnx.ml",
                         coefficients=[float(v) for v in clf.coef_.ravel()], intercepts=[float(v) for v in clf.intercept_],
                         classlabels_ints=[0, 1, 2], multi_class=1, post_transform="SOFTMAX"),
        helper.make_node("ZipMap", ["scores"], ["output_probability"], domain="ai.onnx.ml", classlabels_int64s=[0, 1, 2]),
    ]
    seq_map = onnx.TypeProto()  # seq(map(int64, float)); onnx 1.12's helper has no map-type builder
    seq_map.sequence_type.elem_type.map_type.key_type = TensorProto.INT64
    seq_map.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    m = model(nodes, "zipmap", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 4])],
              [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
               helper.make_value_info("output_probability", seq_map)])
    manifest = {"name": "zipmap", "version": "1.0.0", "task": "multiclass-classification", "artifact": "model.onnx",
                "changelog": "Fixture: probabilities behind a ZipMap (skl2onnx's default), which modelgate refuses.",
                "outputs": {"scores_output": "output_probability"}}
    write(os.path.join(FIXTURES, "zipmap-output"), m, manifest)


if __name__ == "__main__":
    np.random.seed(0)
    breast_cancer()
    iris()
    diabetes()
    wine_mlp_external()
    mixed_inputs()
    zipmap_output()
