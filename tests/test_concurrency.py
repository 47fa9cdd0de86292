"""Concurrent use and crashes, with real ``baogao`` processes.

* serving while indexing: ``baogao serve`` keeps answering while ``baogao
  index`` adds reports; a reader sees the old index or the new one, never a
  half-written one, and the new reports without a restart;
* two ``baogao index`` runs at once: the second stops with a clear message (or
  waits with ``--wait``); the index stays whole;
* ``kill -9`` in the middle of ``baogao index`` (killed when its progress bar
  shows it started): the index answers exactly as before, and the same command
  run again completes the job;
* a full disk or a read-only index folder while publishing: a clear message,
  ``CURRENT`` still names the old generation, searches answer as before.

The runs index *copies* of the sample under new names, each with its own year
(from the file name) and a line of its own, so none is a duplicate of another.
Progress bars are drawn only on a terminal: the child's stderr is a pseudo-terminal.
The subprocess tests are marked slow (about 1.5 minutes together on 2 cores).
"""
import errno
import fcntl
import json
import os
import pty
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import threading
import time
import urllib.request
from pathlib import Path

import pytest

import baogao
from index import writer as index_writer
from index.writer import IndexStore
from search.engine import Engine, SearchRequest
from tests.conftest import ROOT, SAMPLE

QUERIES = ["项目为王", "发展", "营商环境 -疫情", "year:1960-1980 改革", "province:天津 OR 霸州"]


def make_copies(folder: Path, years: range) -> Path:
    """Copies of three sample reports, one per year, under names that give the year."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, tag in (("001_7b54cff1a7856689.txt", "甲"), ("002_664a605172f01e95.txt", "乙")):
        text = (SAMPLE / name).read_text(encoding="utf-8")
        for y in years:
            body = text.replace("2021", str(y)).replace("2022", str(y + 1))
            (folder / f"{y}年政府工作报告_{tag}.txt").write_text(f"（{tag}副本第{y}号）\n{body}", encoding="utf-8")
    return folder


def answers(index_dir: Path) -> dict:
    """What the index answers to a few queries and the list of reports (timings left out)."""
    engine = Engine(index_dir)
    try:
        out = {}
        for q in QUERIES:
            page = engine.search(SearchRequest(q=q, per_page=1000)).as_dict()
            page.pop("took_ms")
            out[q] = page
        out["reports"] = sorted(r["report_id"] for r in engine.reports())
        return out
    finally:
        engine.close()


_RUNNING: list["Cli"] = []


@pytest.fixture(autouse=True)
def _no_process_outlives_its_test():
    yield
    while _RUNNING:
        _RUNNING.pop().close()


class Cli:
    """A ``baogao`` subprocess in its own session, stderr on a pseudo-terminal (so tqdm draws)."""

    def __init__(self, *args: str):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # tqdm draws nothing 0 wide
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "baogao.py"), *args], cwd=ROOT, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=slave, start_new_session=True,
            env={**os.environ, "COLUMNS": "100"},
        )
        os.close(slave)
        self.err = ""
        _RUNNING.append(self)

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                self.err += os.read(self.master, 65536).decode("utf-8", "replace")
            except OSError:  # the child closed the terminal
                time.sleep(timeout)

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match:
        """Read stderr until ``pattern`` matches (or fail)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.err)
            if m:
                return m
            if self.proc.poll() is not None:
                self._read(0.2)
                m = re.search(pattern, self.err)
                if m:
                    return m
                pytest.fail(f"baogao exited ({self.proc.returncode}) before {pattern!r}: {self.err[-500:]}")
            self._read(0.2)
        pytest.fail(f"no {pattern!r} within {timeout} s: {self.err[-500:]}")

    def wait_progress(self, at_least: int, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [int(n) for n in re.findall(r"(\d+)/\d+ \[", self.err)]
            if done and max(done) >= at_least:
                return max(done)
            if self.proc.poll() is not None:
                pytest.fail(f"baogao exited before {at_least} files: {self.err[-500:]}")
            self._read(0.1)
        pytest.fail(f"no progress to {at_least} within {timeout} s: {self.err[-500:]}")

    def finish(self, timeout: float = 120) -> int:
        try:
            while self.proc.poll() is None and timeout > 0:
                self._read(0.2)
                timeout -= 0.2
            return self.proc.wait(max(timeout, 1))
        finally:
            self.close()

    def kill9(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the run and any parsing workers it forked
        except ProcessLookupError:
            pass
        self.proc.wait(10)
        self.close()

    def close(self) -> None:
        if self.master is not None:
            try:
                self._read(0)
            except OSError:
                pass
            os.close(self.master)
            self.master = None
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Two sample reports (``first``), 36 copies (``copies``), 6 more (``more``), and ``expected``:
    the answers of an index built from ``first`` then ``copies`` by runs nobody interrupted."""
    root = tmp_path_factory.mktemp("corpus")
    first = root / "first"
    first.mkdir()
    for name in ("000_1ebb74cc993d5f7f.txt", "002_664a605172f01e95.txt"):
        (first / name).write_bytes((SAMPLE / name).read_bytes())
    copies = make_copies(root / "copies", range(1960, 1978))  # 36 files
    more = make_copies(root / "more", range(1980, 1983))
    control = root / "control"
    for folder in (first, copies):
        assert baogao.main(["index", "--index", str(control), str(folder)]) == 0
    return {"first": first, "copies": copies, "more": more, "expected": answers(control)}


@pytest.fixture
def base_index(tmp_path, corpus):
    """An index of two sample reports, built by the CLI."""
    idx = tmp_path / "idx"
    assert Cli("index", "--index", str(idx), str(corpus["first"])).finish() == 0
    return idx


# -- kill -9 ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["while reading files", "while writing the index"])
def test_kill_9_mid_run_leaves_the_index_answering_as_before_and_a_rerun_completes(base_index, corpus, moment):
    copies = corpus["copies"]
    before = answers(base_index)
    gen = IndexStore(base_index).current_generation()
    run = Cli("index", "--index", str(base_index), str(copies))
    if moment == "while reading files":
        assert run.wait_progress(at_least=4) < 36
    else:
        run.wait_for("正在写入并合并索引")
    run.kill9()
    assert "完成" not in run.err
    assert IndexStore(base_index).current_generation() == gen
    assert answers(base_index) == before
    # the same command again: the abandoned generation is cleared and the job completes
    again = Cli("index", "--index", str(base_index), str(copies))
    assert again.finish() == 0, again.err[-500:]
    assert "完成：36 个文件" in again.err
    assert answers(base_index) == corpus["expected"]
    gens = sorted(p.name for p in base_index.glob("gen-*"))
    assert IndexStore(base_index).current_generation() == gens[-1] and len(gens) <= 2


# -- two writers ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_second_index_run_stops_with_a_message_or_waits_for_the_first(base_index, corpus):
    copies, more = corpus["copies"], corpus["more"]
    first = Cli("index", "--index", str(base_index), str(copies))
    first.wait_progress(at_least=2)
    impatient = Cli("index", "--index", str(base_index), str(more))
    assert impatient.finish(60) == 2
    assert "另一个 baogao index 正在写入" in impatient.err and "Traceback" not in impatient.err
    patient = Cli("index", "--index", str(base_index), "--wait", "120", str(more))
    assert first.finish() == 0, first.err[-500:]
    assert patient.finish() == 0, patient.err[-500:]
    reports = IndexStore(base_index).read_reports()
    assert set(corpus["expected"]["reports"]) < set(reports)  # the first run's reports, and the waiting run's
    assert {r["year"] for r in reports.values()} >= {1960, 1977, 1980, 1982}


# -- serving while indexing -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, timeout: float = 10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, json.loads(r.read())


@pytest.mark.slow
def test_serve_keeps_answering_while_index_adds_reports_and_shows_them_without_a_restart(base_index, corpus):
    copies = corpus["copies"]
    added = len(corpus["expected"]["reports"]) - 2
    port = free_port()
    server = Cli("serve", "--index", str(base_index), "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, stats = get_json(f"{base}/api/stats", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.proc.poll() is not None:
                    pytest.fail(f"server did not start: {server.err[-500:]}")
                time.sleep(0.2)
        old_reports = stats["reports"]
        _, page = get_json(f"{base}/api/search?q=%E5%8F%91%E5%B1%95&per_page=1")
        old_total = page["total"]

        seen: list[tuple[int, int, int]] = []  # (status, reports, total of 发展)
        errors: list[str] = []
        stop = threading.Event()

        def reader():
            end = time.monotonic() + 120  # bounded even if the test body fails
            while not stop.is_set() and time.monotonic() < end and len(seen) < 5000:
                try:
                    s1, st = get_json(f"{base}/api/stats")
                    s2, pg = get_json(f"{base}/api/search?q=%E5%8F%91%E5%B1%95&per_page=5")
                    seen.append((s1 if s1 != 200 else s2, st["reports"], pg["total"]))
                except Exception as exc:  # noqa: BLE001 — every failure is a finding
                    errors.append(repr(exc))

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            writer = Cli("index", "--index", str(base_index), str(copies))
            assert writer.finish() == 0, writer.err[-500:]
            # the server notices the new generation by itself (within about a second)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                _, st = get_json(f"{base}/api/stats")
                if st["reports"] == old_reports + added:
                    break
                time.sleep(0.2)
            assert st["reports"] == old_reports + added
            time.sleep(0.5)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        assert errors == []
        assert len(seen) > 10
        assert {s for s, _, _ in seen} == {200}
        _, page = get_json(f"{base}/api/search?q=%E5%8F%91%E5%B1%95&per_page=1")
        new_total = page["total"]
        assert new_total > old_total
        # never a half-written index: every answer is the old one or the new one
        assert {r for _, r, _ in seen} <= {old_reports, old_reports + added}
        assert {t for _, _, t in seen} <= {old_total, new_total}
        assert server.proc.poll() is None
    finally:
        server.kill9()


# -- disk full, read-only ---------------------------------------------------------------------


def _fail_with(err: int, where: str, monkeypatch, root: Path):
    """Make one step of the writer's publish path raise OSError(err)."""
    if where == "reports.json":
        real = index_writer._write_atomic

        def write_atomic(path, data):
            if path.name == "reports.json":
                raise OSError(err, os.strerror(err), str(path))
            return real(path, data)

        monkeypatch.setattr(index_writer, "_write_atomic", write_atomic)
    elif where == "CURRENT":
        real_replace = os.replace

        def replace(src, dst, *a, **k):
            if Path(dst).name == "CURRENT" and Path(dst).parent == root:
                raise OSError(err, os.strerror(err), str(dst))
            return real_replace(src, dst, *a, **k)

        monkeypatch.setattr(os, "replace", replace)
    elif where == "segment files":
        from whoosh.filedb.filestore import FileStorage

        real_create = FileStorage.create_file

        def create_file(self, name, *a, **k):
            if name.endswith(".seg") or "_" in name:
                raise OSError(err, os.strerror(err), name)
            return real_create(self, name, *a, **k)

        monkeypatch.setattr(FileStorage, "create_file", create_file)
    elif where == "new generation folder":
        real_mkdir = Path.mkdir

        def mkdir(self, *a, **k):
            if self.name.startswith("gen-") and self.parent == root:
                raise OSError(err, os.strerror(err), str(self))
            return real_mkdir(self, *a, **k)

        monkeypatch.setattr(Path, "mkdir", mkdir)


@pytest.mark.parametrize("err, message", [(errno.ENOSPC, "磁盘已满"), (errno.EROFS, "不可写")])
@pytest.mark.parametrize("where", [
    "new generation folder",
    "segment files",  # Whoosh's own files: the writer must close its temporary files too
    "reports.json",
    "CURRENT",
])
def test_a_full_disk_or_read_only_folder_gives_a_message_and_keeps_the_old_index(
        capsys, tmp_path, monkeypatch, err, message, where):
    idx = tmp_path / "idx"
    assert baogao.main(["index", "--index", str(idx), str(SAMPLE / "000_1ebb74cc993d5f7f.txt")]) == 0
    capsys.readouterr()
    before = answers(idx)
    gen = IndexStore(idx).current_generation()
    _fail_with(err, where, monkeypatch, idx)
    code = baogao.main(["index", "--index", str(idx), str(SAMPLE / "002_664a605172f01e95.txt")])
    monkeypatch.undo()
    out, stderr = capsys.readouterr()
    assert code == 2
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("baogao: ") and message in last and "原索引未改动" in last, stderr
    assert "Traceback" not in stderr
    assert IndexStore(idx).current_generation() == gen
    assert sorted(p.name for p in idx.glob("gen-*")) == [gen]
    assert answers(idx) == before
