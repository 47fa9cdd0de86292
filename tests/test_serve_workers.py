"""``baogao serve --workers N``: real worker processes on a real port, sharing the sample index."""
from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from urllib.parse import quote

import pytest

import baogao
from bench.load_test import free_port, server_memory
from index.writer import IndexStore
from search.engine import SearchRequest
from tests.conftest import ROOT, make_report


@pytest.mark.parametrize("option, value, message", [
    ("--workers", "0", "--workers 须为 1–64 的整数（进程数），收到 0"),
    ("--workers", "两个", "--workers 须为 1–64 的整数（进程数），收到“两个”"),
    ("--threads", "-3", "--threads 须为 1–256 的整数（线程数），收到 -3"),
])
def test_a_bad_count_is_refused_in_chinese(option, value, message, capsys, tmp_path):
    assert baogao.main(["serve", "--index", str(tmp_path / "none"), option, value]) == 2
    assert capsys.readouterr().err.strip() == f"baogao: {message}"


def get_json(port: int, path: str):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return r.status, json.loads(r.read())


@pytest.mark.slow
def test_two_workers_answer_searches_share_the_mapped_index_and_each_notices_a_new_generation(
        sample_index, sample_engine, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    port = free_port()
    err = tmp_path / "serve.err"
    with open(err, "wb") as stderr:
        proc = subprocess.Popen([sys.executable, str(ROOT / "baogao.py"), "serve", "--index", str(index),
                                 "--port", str(port), "--workers", "2", "--threads", "2"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, stats = get_json(port, "/api/stats")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {err.read_text(errors='replace')[-500:]}")
                time.sleep(0.3)
        assert status == 200 and stats["paragraphs"] == sample_engine.snapshot().n
        deadline = time.monotonic() + 30  # the first answer may come while the second worker is still forking
        while (memory := server_memory(proc.pid)) is None or memory.processes < 3:
            assert time.monotonic() < deadline, f"gunicorn runs {memory.processes if memory else 0} processes, not 3"
            time.sleep(0.2)
        assert memory.processes == 3  # gunicorn's master and two workers
        expected = sorted(h.paragraph_id for h in sample_engine.search(
            SearchRequest(q="项目为王", per_page=100)).hits)
        for _ in range(6):  # several requests, so both workers answer some
            status, page = get_json(port, "/api/search?q=" + quote("项目为王") + "&per_page=100")
            assert status == 200 and sorted(h["paragraph_id"] for h in page["hits"]) == expected
        assert memory.pss_kb < memory.rss_kb  # the workers share pages (the mapped index among them)

        with IndexStore(index).update() as up:  # a new generation while they serve
            up.add_report(make_report(["坚持项目为王，新报告的一段。", "第二段文字。"], year=2025, source="new.txt"))
        deadline = time.monotonic() + 30
        while True:  # every worker answers from the new generation by itself, no restart
            answers = [get_json(port, "/api/search?q=" + quote("项目为王") + "&per_page=100")[1]["total"] for _ in range(8)]
            if answers == [len(expected) + 1] * 8:
                break
            assert time.monotonic() < deadline, answers
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert proc.returncode == 0
    assert server_memory(proc.pid) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_server_process_limits_its_malloc_arenas():
    # glibc gives each request thread an arena that keeps what it freed; serve() caps them first
    code = "from web.server import limit_malloc_arenas, MALLOC_ARENAS; print(limit_malloc_arenas(), MALLOC_ARENAS)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "2"]
