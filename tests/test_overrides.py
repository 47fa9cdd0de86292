"""--meta FILE.csv: reading the corrections and matching them to sources."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.overrides import MetaFileError, load_overrides, overrides_for

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "meta_manifest_sample.csv"
SEED_004 = "seeds/004_000a05b7aea940ce.txt"


def test_manifest_format_is_read_as_is():
    rows = load_overrides(FIXTURE)
    assert len(rows) == 17
    first = rows[0]
    assert (first.file, first.region, first.year, first.row) == ("seeds/000_1ebb74cc993d5f7f.txt", "霸州市", 2021, 2)
    assert first.extra["province"] == "河北省" and first.extra["level"] == "county"


def test_all_ten_rows_of_a_multi_report_file_are_returned_in_file_order():
    rows = overrides_for("/corpus/" + SEED_004, load_overrides(FIXTURE))
    assert [r.region for r in rows] == ["宝兴县", "普洱市", "斗门区", "潮州市", "克拉玛依区", "湖南省", "衡阳市", "中站区", "凤阳县", "平塘县"]


@pytest.mark.parametrize(
    "source",
    [
        "seeds/001_7b54cff1a7856689.txt",
        "/work/shared/corpus/seeds/001_7b54cff1a7856689.txt",
        "data/sample/001_7b54cff1a7856689.txt",
        "./seeds/001_7b54cff1a7856689.txt",
    ],
)
def test_source_is_matched_by_path_suffix_or_base_name(source):
    rows = overrides_for(source, load_overrides(FIXTURE))
    assert [r.region for r in rows] == ["廊坊市"]


def test_a_path_match_wins_over_a_shared_base_name():
    rows = load_overrides(FIXTURE)
    assert [r.region for r in overrides_for("/corpus/hailar-gbk/2015.txt", rows)] == ["海拉尔区"]
    assert sorted(r.region for r in overrides_for("elsewhere/2015.txt", rows)) == ["national", "海拉尔区"]


def test_unmatched_source_gets_no_rows():
    assert overrides_for("seeds/999.txt", load_overrides(FIXTURE)) == []


def test_missing_column_is_reported_in_chinese_with_the_row(tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("file,region\na.txt,霸州市\n", encoding="utf-8")
    with pytest.raises(MetaFileError) as err:
        load_overrides(meta)
    assert "第1行" in str(err.value) and "year" in str(err.value)


def test_bad_year_is_reported_with_its_row(tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("file,region,year\na.txt,霸州市,2021\nb.txt,廊坊市,去年\n", encoding="utf-8")
    with pytest.raises(MetaFileError) as err:
        load_overrides(meta)
    assert "第3行" in str(err.value) and "去年" in str(err.value)


def test_empty_cells_leave_the_field_to_detection_and_chinese_years_are_read(tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("\ufeffyear,file,region,note\n,a.txt,霸州市,x\n二〇二一,b.txt,,y\n\n", encoding="utf-8")
    rows = load_overrides(meta)
    assert [(r.file, r.region, r.year, r.extra) for r in rows] == [
        ("a.txt", "霸州市", None, {"note": "x"}),
        ("b.txt", None, 2021, {"note": "y"}),
    ]


def test_missing_file_is_a_meta_file_error(tmp_path):
    with pytest.raises(MetaFileError) as err:
        load_overrides(tmp_path / "nope.csv")
    assert "找不到" in str(err.value)


@pytest.mark.parametrize("county,display", [("桐乡市", "浙江省嘉兴市桐乡市"), ("温岭市", "浙江省台州市温岭市"),
                                            ("乐清市", "浙江省温州市乐清市")])
@pytest.mark.parametrize("year", [1990, 2021])
def test_meta_row_naming_a_county_listed_under_two_codes_is_applied(tmp_path, county, display, year):
    from index.assemble import build_report
    from index.report import RawReport

    meta = tmp_path / "meta.csv"
    meta.write_text(f"file,region,year,province\nr.txt,{county},{year},浙江省\n", encoding="utf-8")
    [row] = overrides_for("in/r.txt", load_overrides(meta))
    raw = RawReport(source="in/r.txt", text="各位代表：\n现在，我代表市人民政府，向大会报告工作，请予审议。\n")
    report = build_report(raw, row)
    assert (report.region.display, report.year) == (display, year)
    assert any(e.where == "meta file" and e.value == display for e in report.evidence)


def test_rows_grouped_by_file_name_pick_what_all_rows_pick():
    """A build sends each file only the --meta rows of its base name (overrides.by_file_name); for any
    source that picks exactly what overrides_for picks from every row."""
    from index.overrides import by_file_name, file_name, overrides_for
    from index.report import MetaOverride

    rows = [MetaOverride(file=f, region="霸州市", year=2021, row=i + 2) for i, f in enumerate([
        "2015.txt", "hailar-gbk/2015.txt", "national-gbk-scrape/2015.txt", "/abs/dir/a.txt", "a.txt",
        "dir/b.docx", "b.docx", "sub/dir/b.docx", "c.txt", "other/c.txt"])]
    sources = ["corpus/hailar-gbk/2015.txt", "x/2015.txt", "2015.txt", "/abs/dir/a.txt", "elsewhere/a.txt",
               "dir/b.docx#2", "q/sub/dir/b.docx", "c.txt", "d.txt", "./c.txt", "z\\\\other\\\\c.txt"]
    groups = by_file_name(rows)
    for source in sources:
        assert overrides_for(source, groups.get(file_name(source), [])) == overrides_for(source, rows), source
    assert sum(len(g) for g in groups.values()) == len(rows) and len(groups) == 4
