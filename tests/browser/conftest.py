"""Browser-test fixtures: the real server (``baogao serve``) over data/sample, and Debian's headless Chromium.

The server indexes data/sample plus one report holding a script tag (the XSS
check). The browser is /usr/bin/chromium (never a downloaded build); every
test module here is skipped with a reason when it or playwright is missing.
Screenshots go to tests/output/ (gitignored) for a human look.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from index.report import Region
from tests.conftest import ROOT, SAMPLE, make_report

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
OUTPUT = ROOT / "tests" / "output"
XSS = "<script>alert(1)</script>"

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (Debian package chromium; `make browser-deps`); browser tests need it",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Python playwright is not installed (pip install -e .[dev])")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """``baogao serve`` on a free port over data/sample plus one report holding a script tag."""
    from index.assemble import parse_path
    from index.writer import IndexStore

    root = tmp_path_factory.mktemp("browser")
    index = root / "index"
    xss = make_report(
        ["2022年霸州市政府工作报告", f"这一段原文里有 {XSS} 字样，必须原样显示为文字。", "继续坚持项目为王。"],
        region=Region("county", "河北省", "廊坊市", "霸州市", "131081"), year=2022, title=f"脚本测试{XSS}报告",
        source="xss.txt")
    with IndexStore(index).update() as up:
        for r in parse_path(SAMPLE):
            up.add_report(r)
        up.add_report(xss)
    port = free_port()
    env = {**os.environ, "BAOGAO_CACHE_DIR": os.environ.get("BAOGAO_CACHE_DIR", str(ROOT / "var" / "cache"))}
    with open(root / "server.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, str(ROOT / "baogao.py"), "serve", "--index", str(index),
                                 "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/api/stats", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("baogao serve did not start:\n" + (root / "server.log").read_text(errors="replace"))
            time.sleep(0.2)
        yield {"base": base, "xss": xss}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def output_dir():
    """tests/output/, where screenshots go (gitignored)."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
