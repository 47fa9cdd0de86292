"""`python -m bench --reuse-index` reports the indexing figures of the build that made the index it reuses."""
from __future__ import annotations

import json

from bench.__main__ import indexing_file, previous_indexing


def _index(tmp_path, payload: bytes):
    index_dir = tmp_path / "scaled-20M-index"
    (index_dir / "gen-000001").mkdir(parents=True)
    (index_dir / "CURRENT").write_text("gen-000001\n", encoding="utf-8")
    (index_dir / "gen-000001" / "columns.bin").write_bytes(payload)
    return index_dir


def test_figures_kept_beside_the_index_are_reported_while_the_index_is_unchanged(tmp_path):
    index_dir = _index(tmp_path, b"x" * 100)
    kept = {"seconds": 77.6, "chars_per_second": 250286, "peak_rss_mb": 606, "index_bytes": 100,
            "measured": "2026-11-27 05:28:59"}
    indexing_file(index_dir).write_text(json.dumps(kept), encoding="utf-8")
    result_file = tmp_path / "bench.json"  # another run's figures, for another build: not used
    result_file.write_text(json.dumps({"when": "2026-11-26 09:00:00", "runs": [
        {"name": "scaled-20M", "indexing": {"baogao": {"seconds": 99.0, "index_bytes": 100}}}]}), encoding="utf-8")
    assert previous_indexing(index_dir, result_file, "scaled-20M") == {"baogao": kept}
    (index_dir / "gen-000001" / "columns.bin").write_bytes(b"x" * 101)  # rebuilt since: the figures are not its
    assert previous_indexing(index_dir, result_file, "scaled-20M") == {}


def test_without_kept_figures_the_result_files_run_is_used(tmp_path):
    index_dir = _index(tmp_path, b"x" * 10)
    result_file = tmp_path / "bench.json"
    result_file.write_text(json.dumps({"when": "2026-11-26 09:00:00", "runs": [
        {"name": "scaled-20M", "indexing": {"baogao": {"seconds": 99.0}}}]}), encoding="utf-8")
    assert previous_indexing(index_dir, result_file, "scaled-20M") == {
        "baogao": {"seconds": 99.0, "measured": "2026-11-26 09:00:00"}}
    assert previous_indexing(index_dir, tmp_path / "missing.json", "scaled-20M") == {}
