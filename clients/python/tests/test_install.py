"""The package installs offline with Debian's setuptools and works with neither numpy nor pandas."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import require

PACKAGE = Path(__file__).resolve().parents[1]

SMOKE = textwrap.dedent(
    """
    import json, sys
    sys.modules["numpy"] = None   # importing either now raises ImportError
    sys.modules["pandas"] = None
    import importlib.metadata as md
    import modelgate_client as mg
    from modelgate_client import Client, ModelgateApiError, Tensor

    url, key, record = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    c = Client(url, api_key=key)
    features = [f.name for f in c.get_version("breast-cancer", "1.0.0").features]
    p = c.predict("breast-cancer", [record], version="1.0.0")
    v2 = c.infer("breast-cancer", [Tensor("input", [1, 30], "FP32", [record[f] for f in features])], version="1.0.0")
    try:
        c.predict("breast-cancer", [{**record, "mean_radius": 75.2}])
        code = None
    except ModelgateApiError as e:
        code = [e.code, e.pointers]
    print(json.dumps({
        "file": mg.__file__,
        "requires": md.requires("modelgate-client"),
        "label": p.predictions[0].label,
        "v2": v2.outputs["probabilities"].shape,
        "error": code,
    }))
    """
)


def test_pip_installs_it_offline_and_it_runs_without_numpy_or_pandas(tmp_path, server, example_record):
    require("pip")
    source = tmp_path / "source"
    shutil.copytree(
        PACKAGE, source, ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__")
    )
    venv = tmp_path / "venv"
    # Debian's setuptools and wheel come from the system site-packages; nothing is downloaded
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], check=True
    )
    python = venv / "bin" / "python"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-index",
            "--no-build-isolation",
            str(source),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert install.returncode == 0, install.stdout + install.stderr
    run = subprocess.run(
        [str(python), "-c", SMOKE, server.url, server.admin_key, json.dumps(example_record)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["file"].startswith(str(venv)), "the installed copy, not the source tree"
    # every requirement is an extra: a plain install pulls in nothing
    assert sorted(r.split(";")[0].strip() for r in out["requires"]) == ["numpy", "pandas", "pytest"]
    assert all("extra ==" in r for r in out["requires"]), out["requires"]
    assert (out["label"], out["v2"]) == ("malignant", [1, 2])
    assert out["error"] == ["VALIDATION_FAILED", ["/instances/0/mean_radius"]]
