"""The baogao command, run in-process on the sample and on small fixtures."""
import json
import shutil

import pytest

import baogao
from tests.conftest import SAMPLE


def run(capsys, *argv):
    code = baogao.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sample_copy(tmp_path):
    d = tmp_path / "reports"
    d.mkdir()
    for name in ("000_1ebb74cc993d5f7f.txt", "001_7b54cff1a7856689.txt"):
        shutil.copy(SAMPLE / name, d / name)
    return d


def test_index_prints_a_summary_and_search_finds_the_traditional_paragraph(capsys, tmp_path, sample_copy):
    idx = tmp_path / "idx"
    code, out, err = run(capsys, "index", "--index", idx, "--json", sample_copy)
    assert code == 0
    summary = json.loads(out)
    assert summary["files"] == 2 and summary["reports"] == 2 and summary["failures"] == 0
    assert summary["characters"] > 9000 and summary["chars_per_second"] > 0
    assert "完成：2 个文件" in err
    code, out, _ = run(capsys, "search", "--index", idx, "--json", "项目为王")
    page = json.loads(out)
    assert code == 0 and page["total"] == 1
    hit = page["hits"][0]
    assert hit["region"] == {"province": "河北省", "prefecture": "廊坊市", "county": "霸州市", "code": "131081",
                             "level": "county"}
    assert hit["year"] == 2021 and hit["url"].endswith("/p/" + hit["paragraph_id"])
    assert set(page) >= {"query", "total", "page", "per_page", "hits", "facets", "years", "took_ms"}


def test_indexing_the_same_files_twice_changes_nothing(capsys, tmp_path, sample_copy):
    idx = tmp_path / "idx"
    run(capsys, "index", "--index", idx, sample_copy)
    gen = (idx / "CURRENT").read_text()
    code, out, _ = run(capsys, "index", "--index", idx, "--json", sample_copy)
    assert code == 0 and json.loads(out)["unchanged"] == 2
    assert (idx / "CURRENT").read_text() == gen


def test_an_unreadable_file_fails_the_run_but_the_others_are_indexed(capsys, tmp_path, sample_copy):
    (sample_copy / "broken.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (sample_copy / "clip.gif").write_bytes(b"GIF89a")
    idx = tmp_path / "idx"
    code, out, err = run(capsys, "index", "--index", idx, "--json", sample_copy)
    summary = json.loads(out)
    assert code == 1 and summary["failures"] == 1 and summary["skipped"] == 1 and summary["reports"] == 2
    assert "broken.docx" in err and "Traceback" not in err


def test_inspect_prints_reports_with_evidence_sections_and_paragraphs(capsys):
    code, out, _ = run(capsys, "inspect", "--json", SAMPLE / "004_000a05b7aea940ce.txt")
    reports = json.loads(out)
    assert code == 0 and len(reports) == 10
    first = reports[0]
    assert first["region"]["county"] == "宝兴县" and first["year"] == 2021
    assert any(e["field"] == "region" for e in first["evidence"])
    assert first["paragraphs"] and first["sections"]


def test_meta_file_corrects_region_and_year(capsys, tmp_path):
    report = tmp_path / "unnamed.txt"
    report.write_text("各位代表：现在，我代表人民政府向大会报告工作。\n坚持项目为王，推动高质量发展。\n", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("file,region,year\nunnamed.txt,霸州市,2019\n", encoding="utf-8")
    code, out, _ = run(capsys, "inspect", "--json", "--meta", meta, report)
    r = json.loads(out)[0]
    assert code == 0 and r["region"]["county"] == "霸州市" and r["region"]["prefecture"] == "廊坊市" and r["year"] == 2019
    assert any(e["where"] == "meta file" for e in r["evidence"])


def test_reports_and_paragraphs_list_the_index(capsys, tmp_path, sample_copy):
    idx = tmp_path / "idx"
    run(capsys, "index", "--index", idx, sample_copy)
    code, out, _ = run(capsys, "reports", "--index", idx, "--json")
    reports = json.loads(out)
    assert code == 0 and sorted(r["report_id"] for r in reports) == ["2021-河北省-廊坊市-霸州市", "2024-河北省-廊坊市"]
    code, out, _ = run(capsys, "paragraphs", "--index", idx, "--jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == sum(r["paragraphs"] for r in reports)
    assert set(rows[0]) == {"report_id", "paragraph_id", "number", "section", "section_category", "text"}


def test_a_bad_query_gets_a_chinese_message_not_a_traceback(capsys, tmp_path, sample_copy):
    idx = tmp_path / "idx"
    run(capsys, "index", "--index", idx, sample_copy)
    code, out, err = run(capsys, "search", "--index", idx, '"项目为王')
    assert code == 2 and "引号没有闭合" in err and "Traceback" not in err


def test_searching_a_missing_index_says_how_to_make_one(capsys, tmp_path):
    code, _, err = run(capsys, "search", "--index", tmp_path / "nothing", "项目为王")
    assert code == 2 and "baogao index" in err
