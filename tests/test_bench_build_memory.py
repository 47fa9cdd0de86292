"""bench/build_memory.py: the phases it tells apart by the files of the generation being made."""
from __future__ import annotations

import os

import pytest

from bench.build_memory import publishing, sample


def test_publishing_begins_when_the_new_generation_writes_its_records(tmp_path):
    assert not publishing(tmp_path)  # nothing yet
    old = tmp_path / "gen-000001"
    old.mkdir()
    (old / "reports.json").write_text("{}")
    assert not publishing(tmp_path)  # an update starts: the previous generation has its records, no saved rows
    new = tmp_path / "gen-000002"
    (new / "saved-rows").mkdir(parents=True)
    assert not publishing(tmp_path)  # building: rows saved, no records yet
    (new / "reports.json").write_text("{}")
    assert publishing(tmp_path)  # Whoosh has committed, the records are out: the columns and postings follow


def test_a_sample_reads_this_process_and_none_once_a_process_is_gone():
    mine = sample(os.getpid())
    assert mine is not None and mine["VmRSS"] >= mine["RssAnon"] > 0
    assert sample(2 ** 22 + 7) is None


@pytest.mark.slow
def test_a_build_of_the_sample_is_sampled_and_its_kernel_peak_kept(tmp_path, capsys):
    import json

    from bench.build_memory import main
    from tests.conftest import SAMPLE

    out = tmp_path / "build-memory.json"
    assert main([str(SAMPLE), "--index", str(tmp_path / "index"), "--every", "0.2", "--out", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["reports"] > 0 and result["characters"] > 100_000
    sampled = max(p["VmRSS"] for p in result["peaks_mb"].values())
    assert 0 < sampled <= result["max_rss_mb"] < 2048  # the kernel's peak sees at least what was sampled
    assert "by the kernel" in capsys.readouterr().out
