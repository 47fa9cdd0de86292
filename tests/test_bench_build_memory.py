"""bench/build_memory.py: the phases it tells apart by the files of the generation being made."""
from __future__ import annotations

import os

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
