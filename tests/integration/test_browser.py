"""A real browser: headless Chromium opens Neo4j Browser (served by the test Neo4j), logs in, loads
the Cartograph style from the API, runs the ring query and saves a screenshot; the screenshot must
show the graph drawn in the style's colours.

Chromium is driven over the Chrome DevTools Protocol on a pipe (``--remote-debugging-pipe``:
NUL-separated JSON on fds 3/4), so no driver package or browser download is needed; Debian's
``chromium`` (installed by ``scripts/bootstrap.sh``) is enough.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn
from matplotlib.image import imread

from api.app import create_app
from cartograph.settings import Settings
from cypher.spec import bind, catalogue
from graph.server import ServerConfig

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Colours from cypher/browser/style.grass; Browser's default palette has none of them.
USER, CARD = (0x1F, 0x77, 0xB4), (0xD6, 0x27, 0x28)
# CI installs chromium through scripts/bootstrap.sh, so there a missing browser is a failure;
# a developer machine without it sees an explicit skip in the summary (-ra).
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI=true but chromium is missing: scripts/bootstrap.sh should install it")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (bootstrap)")


class Cdp:
    """A minimal DevTools client on Chromium's debugging pipe (one page session)."""

    def __init__(self, chromium: str, profile: Path, log: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        args = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-dev-shm-usage", "--remote-debugging-pipe", f"--user-data-dir={profile}",
                "--window-size=1400,1000", "about:blank"]  # fmt: skip
        cmd = " ".join(f"'{a}'" for a in args)
        self.proc = subprocess.Popen(
            ["bash", "-c", f"exec {cmd} 3<&{to_chrome_r} 4>&{from_chrome_w}"],
            pass_fds=(to_chrome_r, from_chrome_w), stdin=subprocess.DEVNULL,
            stdout=log.open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next, self._replies, self._cv = 0, {}, threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]

    def _read(self) -> None:
        buf = b""
        while chunk := os.read(self._from_chrome, 1 << 16):
            buf += chunk
            *messages, buf = buf.split(b"\0")
            for raw in messages:
                msg = json.loads(raw)
                if "id" in msg:
                    with self._cv:
                        self._replies[msg["id"]] = msg
                        self._cv.notify_all()

    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        with self._cv:
            if not self._cv.wait_for(lambda: self._next in self._replies, timeout=30):
                raise TimeoutError(method)
            reply = self._replies.pop(self._next)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", True, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float = 60) -> Any:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if value := self.js(expression):
                return value
            time.sleep(0.25)
        raise TimeoutError(f"waiting for {expression}")

    def type_into(self, selector: str, text: str) -> None:
        """Focus an element and insert text the way typing does (React and Monaco see it)."""
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        self.call("Input.insertText", True, text=text)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_chrome)


@pytest.fixture()
def api_url(marketplace, neo4j_server: ServerConfig, tmp_path: Path) -> Iterator[str]:
    settings = Settings(
        api={"keys_file": tmp_path / "keys.json"}, neo4j={"http_port": neo4j_server.http_port}
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, marketplace.driver), host="127.0.0.1", port=0,
                       log_level="warning")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    # "localhost" is on Browser's default remote-content allow-list (127.0.0.1 is not).
    yield f"http://localhost:{server.servers[0].sockets[0].getsockname()[1]}"
    server.should_exit = True
    thread.join(10)


def _run_in_editor(cdp: Cdp, command: str) -> None:
    cdp.type_into("[data-testid=activeEditor] textarea", command)
    cdp.js("document.querySelector('[data-testid=editor-Run]').click()")


def test_browser_draws_a_ring_in_the_cartograph_style(
    marketplace, neo4j_server: ServerConfig, api_url: str, tmp_path: Path
) -> None:
    password = neo4j_server.password_file.read_text().strip()
    shot = tmp_path / "ring.png"
    cdp = Cdp(str(CHROMIUM), tmp_path / "profile", tmp_path / "chromium.log")
    try:
        cdp.call("Emulation.setDeviceMetricsOverride", True, width=1400, height=1000,
                 deviceScaleFactor=1, mobile=False)  # fmt: skip
        bolt = f"bolt://127.0.0.1:{neo4j_server.bolt_port}"
        cdp.call("Page.navigate", True, url=f"{neo4j_server.browser_url}?dbms={bolt}")
        cdp.wait_for("!!document.querySelector('[data-testid=password]')")
        cdp.js("document.querySelector('[data-testid=username]').select()")
        cdp.type_into("[data-testid=username]", "neo4j")
        cdp.type_into("[data-testid=password]", password)
        cdp.js("document.querySelector('[data-testid=connect]').click()")
        cdp.wait_for("!document.querySelector('[data-testid=password]')")
        cdp.wait_for("!!document.querySelector('[data-testid=activeEditor] textarea')")

        _run_in_editor(cdp, f":play {api_url}/browser/guide")  # the guide opens from the API
        cdp.wait_for("document.body.innerText.includes('the analyst')", 30)
        _run_in_editor(cdp, f":style {api_url}/browser/style.grass")
        cdp.wait_for("document.body.innerText.includes('node.Card')", 30)
        _run_in_editor(cdp, f":params {{identifier: '{marketplace.ring}', limit: 300}}")
        time.sleep(1)
        spec = catalogue("queries")["ring_graph"]
        assert bind(spec, {"identifier": marketplace.ring})  # the query the guide shows
        body = " ".join(line for line in spec.text.splitlines() if not line.startswith("//"))
        _run_in_editor(cdp, " ".join(body.split()))
        nodes = cdp.wait_for("document.querySelectorAll('svg g.node').length", 60)
        time.sleep(3)  # let the force layout settle before the picture
        box = cdp.js(
            "(() => { const r = [...document.querySelectorAll('svg g.node')]"
            ".map(n => n.getBoundingClientRect());"
            " return [Math.min(...r.map(b => b.left)), Math.min(...r.map(b => b.top)),"
            " Math.max(...r.map(b => b.right)), Math.max(...r.map(b => b.bottom))]; })()"
        )
    finally:
        # saved even on failure: the picture and page text are what explain a broken run
        png = cdp.call("Page.captureScreenshot", True, format="png")["data"]
        shot.write_bytes(base64.b64decode(png))
        (tmp_path / "page.txt").write_text(str(cdp.js("document.body.innerText")))
        cdp.close()

    # only the drawn graph counts (the label chips of Browser's overview use the same colours)
    left, top, right, bottom = (int(v) for v in box)
    pixels = (imread(shot)[top:bottom, left:right, :3] * 255).round().astype(int)
    near = lambda rgb: int((np.abs(pixels - np.array(rgb)).sum(axis=-1) <= 24).sum())  # noqa: E731
    assert nodes >= 5, "Browser drew too few nodes"
    assert near(CARD) > 150, f"no Card-red node in {shot}"  # one node, zoomed to fit: ~400 px
    assert near(USER) > 1000, f"no User-blue nodes in {shot}"
