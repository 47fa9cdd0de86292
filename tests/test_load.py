"""The load test, short: ``bench/load_test.py`` against a real ``baogao serve`` for about ten seconds.

The full run (16 clients, 60 s) is ``.venv/bin/python bench/load_test.py``; its
figures are in ``bench/results/load_test.json``.
"""
import json

import pytest

from bench import load_test

pytestmark = pytest.mark.slow


def test_a_short_load_run_has_no_errors_and_the_server_memory_stays_flat(tmp_path, sample_index):
    out = tmp_path / "load.json"
    code = load_test.main(["--index", str(sample_index), "--clients", "4", "--seconds", "10", "--warmup", "3",
                           "--out", str(out)])
    res = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0 and res["errors"] == 0, res["by_kind"]
    assert res["requests"] > 50
    assert all(k["requests"] > 0 for k in res["by_kind"].values())
    assert res["latency_ms"]["p99_ms"] < 5000
    assert res["rss_mb"]["growth_after_warmup"] < 50
