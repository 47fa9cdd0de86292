"""bench/server_memory.py: the server answering inside a memory limit the kernel enforces."""
from __future__ import annotations

import json
import os

import pytest

from bench.server_memory import CgroupUnavailable, MemoryGroup, _stat, drop_from_page_cache, main


def test_stat_files_are_read_as_numbers_and_anything_else_is_left_out(tmp_path):
    f = tmp_path / "memory.stat"
    f.write_text("cache 4096\nrss 8192\nhierarchical_memory_limit 9223372036854771712\noom_kill_disable 0\nbad x\n")
    assert _stat(f) == {"cache": 4096, "rss": 8192, "hierarchical_memory_limit": 9223372036854771712,
                        "oom_kill_disable": 0}
    assert _stat(tmp_path / "missing") == {}


def test_dropping_from_the_page_cache_covers_every_file_under_the_folders(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.bin").write_bytes(b"x" * 5000)
    (tmp_path / "y.bin").write_bytes(b"y" * 300)
    assert drop_from_page_cache([tmp_path / "a", tmp_path / "y.bin"]) == 5300
    assert drop_from_page_cache([tmp_path]) == 5300


def _cgroups_writable() -> bool:
    try:
        with MemoryGroup("baogao-test", None):
            return True
    except CgroupUnavailable:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not _cgroups_writable(), reason="no writable cgroup memory controller here")
def test_the_server_answers_every_query_exactly_inside_the_limit(sample_index, tmp_path):
    out = tmp_path / "server-memory.json"
    assert main([str(sample_index), "--random", "10", "--repeat", "1", "--limit-mb", "450", "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["queries"] == 8 + 6 + 7 + 10
    for label, run in result["runs"].items():
        assert run["answers"] == result["queries"] and run["errors"] == 0 and run["wrong_totals"] == 0, label
        assert 50 < run["peak_mb"] and run["oom_kills"] == 0
    assert result["runs"]["limited"]["peak_mb"] <= 450 and result["runs"]["unlimited"]["limit_mb"] is None
    assert not any((parent / f"baogao-serve-{os.getpid()}").exists() for parent in (MemoryGroup.V1, MemoryGroup.V2))


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs Linux's /proc/self/maps")
def test_what_this_process_still_maps_of_an_index_is_counted(sample_index):
    import gc

    from bench.server_memory import mapped_here
    from search.engine import Engine

    before = mapped_here(sample_index)  # other tests of the session may hold it open
    engine = Engine(sample_index)
    engine.snapshot()
    assert mapped_here(sample_index) > before
    engine.close()
    del engine
    gc.collect()
    assert mapped_here(sample_index) == before


def test_the_bench_table_prints_the_server_in_its_cgroup(capsys):
    from bench.__main__ import print_table

    run = {"name": "scaled-100M", "paragraphs": 427_543, "characters": 98_794_380, "raw_utf8_bytes": 290_000_000,
           "indexing": {}, "open_seconds": 0.3, "latency_ms": {}, "phrase_p95_vs_scan": {}, "exactness": {},
           "server_in_limit": {"limit_mb": 583, "peak_mb": 583, "limit_hits": 17624, "oom_kills": 0, "errors": 0,
                               "wrong_totals": 0, "p50_ms": 17.0, "p95_ms": 43.0, "p95_vs_scan": 0.195,
                               "rss_mb": 595}}
    print_table([run])
    line = next(l for l in capsys.readouterr().out.splitlines() if "cgroup" in l)
    assert line.startswith("  server in a cgroup, the page cache it reads counted: limit   583 MB  peak  583 MB")
    assert "p95 43.0 ms = 0.195× scan" in line and "wrong totals 0" in line
