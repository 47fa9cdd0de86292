"""index.build: the one library call that indexes paths (used by the CLI, the tests and the benchmarks)."""
from __future__ import annotations

import shutil

import pytest

from index.build import BuildProgress, build
from index.sources import SourceError
from index.writer import IndexStore
from tests.conftest import SAMPLE

FIXTURES = SAMPLE.parent.parent / "tests" / "fixtures" / "sources"


class Recorder(BuildProgress):
    def __init__(self):
        self.events = []

    def start(self, files):
        self.events.append(("start", files))

    def file_done(self, parsed):
        self.events.append(("file", bool(parsed.problem)))

    def writing(self):
        self.events.append(("writing",))

    def close(self):
        self.events.append(("close",))


def test_build_indexes_good_files_and_lists_the_bad_one(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "001_7b54cff1a7856689.txt", folder / "a.txt")
    shutil.copy(FIXTURES / "binary.txt", folder / "b.txt")
    progress = Recorder()
    summary = build([folder], tmp_path / "index", progress=progress, workers=1)
    assert summary.files == 2 and summary.failures == 1 and summary.added == summary.reports == 1
    assert [p.path for p in summary.problems] == [str(folder / "b.txt")]
    assert summary.generation == IndexStore(tmp_path / "index").current_generation()
    assert summary.characters > 1000 and summary.chars_per_second > 0
    assert progress.events[0] == ("start", 2) and progress.events[-2:] == [("writing",), ("close",)]
    assert sorted(e for e in progress.events if e[0] == "file") == [("file", False), ("file", True)]


def test_a_second_build_of_the_same_files_changes_nothing(tmp_path):
    first = build([SAMPLE / "002_664a605172f01e95.txt"], tmp_path / "index", workers=1)
    again = build([SAMPLE / "002_664a605172f01e95.txt"], tmp_path / "index", workers=1)
    assert first.added == 1 and again.unchanged == 1 and again.added == 0
    assert again.generation == first.generation  # nothing changed: nothing published


def test_a_missing_path_raises_before_the_index_is_touched(tmp_path):
    with pytest.raises(SourceError):
        build([tmp_path / "nowhere"], tmp_path / "index")
    assert not (tmp_path / "index").exists()


def test_the_summary_as_json(tmp_path):
    d = build([SAMPLE / "003_58952eceed329ef4.txt"], tmp_path / "index", workers=1).as_dict()
    assert d["reports"] == 1 and d["problems"] == [] and d["generation"].startswith("gen-")
