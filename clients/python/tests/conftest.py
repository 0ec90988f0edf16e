"""Fixtures: a real modelgate server (``serve --demo`` from this source tree, as a user starts it)
and a scripted stub server for answers the real one gives only under load (503)."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from modelgate_client import Client  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "models" / "demo" / "breast-cancer"
IN_CI = os.environ.get("CI") == "true"


def require(module: str):
    """Imports an optional module; skips the test without it, except under CI=true (fails)."""
    try:
        return __import__(module)
    except ImportError:
        if IN_CI:
            pytest.fail(f"{module} is not installed, and under CI=true its tests may not be skipped")
        pytest.skip(f"{module} is not installed (Debian: python3-{module})")


def admin_key() -> str:
    """A key in the format of `modelgate keys generate`: mg_<12 alphanumerics>_<43 base64url>."""
    alphabet = string.ascii_letters + string.digits
    key_id = "".join(secrets.choice(alphabet) for _ in range(12))
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return f"mg_{key_id}_{secret}"


@dataclass
class Server:
    url: str
    admin_key: str
    process: subprocess.Popen
    home: str

    def client(self, **options) -> Client:
        return Client(self.url, api_key=self.admin_key, **options)


def _node() -> str:
    node = os.environ.get("MODELGATE_TEST_NODE") or shutil.which("node")
    if not node:
        pytest.fail("node is not on PATH (set MODELGATE_TEST_NODE to the Node 24 binary)")
    return node


def start_server(args: List[str], env: Dict[str, str]) -> Server:
    """`modelgate serve` from the source tree on a free port; returns once it listens."""
    home = tempfile.mkdtemp(prefix="mg-pyclient-")
    key = admin_key()
    full_env = {
        **os.environ,
        "MODELGATE_HOME": home,
        "MODELGATE_ADMIN_KEY": key,
        "MODELGATE_LOG_LEVEL": "warn",
        # a loaded test machine lags: nothing is shed unless a test asks for it
        "MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS": "0",
        **env,
    }
    for name in ("MODELGATE_URL", "MODELGATE_API_KEY"):
        full_env.pop(name, None)
    log = open(os.path.join(home, "server.log"), "wb")
    process = subprocess.Popen(
        [_node(), "--import", "tsx", "src/cli/index.ts", "serve", "--port", "0", *args],
        cwd=REPO,
        env=full_env,
        stdout=log,
        stderr=subprocess.PIPE,
    )
    log.close()
    banner = []
    assert process.stderr is not None
    for raw in process.stderr:
        line = raw.decode("utf-8", "replace")
        banner.append(line)
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            # the rest of stderr drains in the background so the server never blocks on it
            threading.Thread(target=lambda: process.stderr.read(), daemon=True).start()
            return Server(m.group(1), key, process, home)
    process.wait(timeout=10)
    shutil.rmtree(home, ignore_errors=True)
    raise RuntimeError(f"serve exited with {process.returncode}:\n{''.join(banner)}")


def stop_server(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    shutil.rmtree(server.home, ignore_errors=True)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """`serve --demo`: breast-cancer 1.0.0 (production) and 1.1.0 registered. Rate limits off,
    and the rollout controller slow, so tests decide what happens."""
    s = start_server(
        ["--demo"],
        {
            "MODELGATE_RATE_LIMIT_READ_PER_MINUTE": "0",
            "MODELGATE_RATE_LIMIT_ADMIN_PER_MINUTE": "0",
            "MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE": "0",
            "MODELGATE_ROLLOUT_TICK_MS": "600000",
        },
    )
    yield s
    stop_server(s)


@pytest.fixture
def client(server: Server) -> Client:
    return server.client()


@pytest.fixture(scope="session")
def example_record() -> Dict[str, float]:
    return json.loads((DEMO / "example-request.json").read_text())["instances"][0]


@dataclass
class Seen:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes


@dataclass
class Stub:
    """A scripted HTTP server: each request takes the next (status, body, headers) answer."""

    url: str
    script: List[tuple] = field(default_factory=list)
    seen: List[Seen] = field(default_factory=list)

    def keys(self) -> List[Optional[str]]:
        return [s.headers.get("idempotency-key") for s in self.seen]


@pytest.fixture
def stub() -> Iterator[Stub]:
    state = Stub("")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            state.seen.append(
                Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            if state.script:
                status, payload, headers = state.script.pop(0)
            else:
                status, payload, headers = 500, {"code": "SCRIPT_EMPTY", "detail": "no answer left"}, {}
            data = json.dumps(payload).encode()
            self.send_response(status)
            kind = "application/json" if status < 400 else "application/problem+json"
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, *args) -> None:  # quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
