"""Reading source files into RawReports: formats, encodings, errors, compilations."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.report import RawReport
from index.sources import (
    SUPPORTED_SUFFIXES,
    SourceError,
    UnsupportedFile,
    decode_text,
    html_charset,
    iter_source_files,
    read_reports,
    split_reports,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"
SAMPLE = ROOT / "data" / "sample"

TITLE = "2022年怀安县政府工作报告"
GOALS = (
    "全县经济社会发展的主要预期目标是:地区生产总值增长6.5%以上;固定资产投资增长7%以上;"
    "一般公共预算收入增长6.5%以上;社会消费品零售总额增长10%以上。"
)
TASKS = "实现今年目标任务,重点做好七个方面工作。"
RURAL_START = "(一)持续巩固脱贫攻坚成果,全力以赴推动乡村振兴。"
EXPECTED_LINES = [TITLE, GOALS, TASKS]

SEED_004_TITLES = [
    "2021年宝兴县政府工作报告",
    "普洱市政府工作报告",
    "2021年斗门区政府工作报告",
    "潮州市政府工作报告",
    "2021年克拉玛依区政府工作报告",
    "湖南省政府工作报告",
    "衡阳市政府工作报告",
    "2021年中站区政府工作报告",
    "2021年凤阳县政府工作报告",
    "2021年平塘县政府工作报告",
]


def only_report(path: Path | str) -> RawReport:
    reports = read_reports(path)
    assert len(reports) == 1
    return reports[0]


def sample_text(name: str) -> str:
    return (SAMPLE / name).read_text(encoding="utf-8")


# --- plain text and encodings ------------------------------------------------


@pytest.mark.parametrize(
    "name", ["utf8.txt", "utf8_bom.txt", "utf16_bom.txt", "gbk.txt", "crlf.txt", "cr.txt"]
)
def test_text_file_is_decoded_to_the_same_lines_whatever_its_encoding_and_line_ends(name):
    report = only_report(FIXTURES / name)
    assert report.format == "txt"
    assert report.text.split("\n")[:3] == EXPECTED_LINES
    assert "\r" not in report.text
    assert not report.text.startswith("\ufeff")
    assert report.part == 1 and report.parts == 1
    assert report.title_hint is None


def test_gbk_file_is_decoded():
    raw = (FIXTURES / "gbk.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert decode_text(raw).startswith(TITLE + "\n" + GOALS)


def test_gb18030_only_characters_survive():
    # 㙟 (CJK Ext. A) and 𠀀 (Ext. B) exist in GB18030 but not in GBK.
    text = "广东省政府工作报告提到㙟和𠀀。"
    assert decode_text(text.encode("gb18030")) == text


def test_mixed_line_ends_all_become_lf():
    assert decode_text("各位代表：\r\n现在，\r我代表\n政府。".encode("utf-8")) == "各位代表：\n现在，\n我代表\n政府。"


def test_replacement_characters_already_in_a_utf8_file_are_text():
    text = "霸州市明確主要預\ufffd期目標\ufffd\ufffd。" * 3
    assert decode_text(text.encode("utf-8")) == text


def test_empty_file_is_an_error():
    with pytest.raises(SourceError, match="文件为空"):
        read_reports(FIXTURES / "empty.txt")


def test_whitespace_only_file_is_empty():
    with pytest.raises(SourceError, match="文件为空"):
        decode_text(b" \r\n\t\r\n")


def test_bom_without_text_is_empty():
    with pytest.raises(SourceError, match="文件为空"):
        decode_text(b"\xff\xfe \x00\n\x00")


def test_symlink_loop_is_walked_once(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "报告.txt").write_text(GOALS, encoding="utf-8")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    assert [p.name for p in iter_source_files([tmp_path])] == ["报告.txt"]


def test_binary_file_is_an_error_with_a_chinese_message():
    with pytest.raises(SourceError) as caught:
        read_reports(FIXTURES / "binary.txt")
    message = str(caught.value)
    assert "二进制" in message and "\n" not in message


def test_control_characters_without_nul_are_binary():
    data = bytes(range(1, 32)) * 20 + "报告".encode("utf-8")
    with pytest.raises(SourceError, match="二进制"):
        decode_text(data)


def test_a_few_broken_gb_bytes_are_replaced_not_fatal():
    good = ("各位代表：现在，我代表市人民政府，向大会作政府工作报告，请予审议。" * 20).encode("gbk")
    text = decode_text(good + b"\xff" + good)
    assert text.count("\ufffd") == 1
    assert text.startswith("各位代表：现在")


# --- HTML ----------------------------------------------------------------------


def test_gb2312_page_gives_its_article_text_and_title():
    report = only_report(FIXTURES / "page_gb2312.html")
    assert report.format == "html"
    assert report.title_hint == TITLE
    lines = report.text.split("\n")
    assert lines[:3] == EXPECTED_LINES
    assert any(line.startswith(RURAL_START) for line in lines)
    assert "地区生产总值\t增长6.5%以上" in lines


def test_page_script_iframe_and_navigation_do_not_survive():
    text = only_report(FIXTURES / "page_gb2312.html").text
    for chrome in ("alert", "脚本", "document.write", "框架里的广告文字", "互动交流", "color: red"):
        assert chrome not in text


def test_lxml_fallback_drops_scripts_and_keeps_paragraphs(monkeypatch, tmp_path):
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    page = tmp_path / "page.htm"
    page.write_text(
        "<html><head><title>怀安县人民政府 | 2022年怀安县政府工作报告</title>"
        "<script>alert(1)</script></head><body><nav>首页 政务公开</nav>"
        f"<iframe>广告</iframe><div><p>{GOALS}</p><p>{TASKS}<br>{RURAL_START}</p></div></body></html>",
        encoding="utf-8",
    )
    report = only_report(page)
    assert report.text.split("\n") == [GOALS, TASKS, RURAL_START]
    assert report.title_hint == TITLE


def test_repeated_paragraphs_of_a_page_are_all_kept(tmp_path):
    # Reports address the delegates again and again; trafilatura keeps only the
    # first 各位代表！ of a page like this, and every one must stay findable.
    long_lines = [line for line in sample_text("001_7b54cff1a7856689.txt").split("\n") if len(line) > 80]
    paragraphs: list[str] = []
    for line in long_lines[:10]:
        paragraphs += [line[:200], "各位代表！"]
    page = tmp_path / "repeats.html"
    page.write_text(
        "<html><head><title>报告</title></head><body><div class='nav'><a>首页</a></div><div class='article'>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</div></body></html>",
        encoding="utf-8",
    )
    assert only_report(page).text.split("\n") == paragraphs


def test_declared_charset_is_mapped_to_gb18030():
    assert html_charset(b'<meta charset="GB2312">') == "gb18030"
    assert html_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gbk">') == "gb18030"
    assert html_charset(b'<meta charset="utf-8">') == "utf-8"
    assert html_charset(b"<p>no declaration</p>") is None


def test_utf8_page_wrongly_declared_gb2312_is_still_read(tmp_path):
    page = tmp_path / "wrong.html"
    page.write_bytes(
        f'<html><head><meta charset="gb2312"><title>{TITLE}</title></head>'
        f"<body><article><p>{GOALS}</p><p>{TASKS}</p></article></body></html>".encode("utf-8")
    )
    report = only_report(page)
    assert GOALS in report.text and report.title_hint == TITLE


# --- DOCX ----------------------------------------------------------------------


def test_docx_paragraphs_and_table_rows_are_lines_in_body_order():
    report = only_report(FIXTURES / "report.docx")
    assert report.format == "docx"
    assert report.title_hint == TITLE
    lines = report.text.split("\n")
    assert lines[:4] == [TITLE, GOALS, "指标\t目标", "地区生产总值\t增长6.5%以上"]
    assert lines[4] == TASKS
    assert lines[5].startswith(RURAL_START)


def test_docx_core_title_that_is_not_a_title_is_ignored(tmp_path):
    import docx

    document = docx.Document()
    document.core_properties.title = "Microsoft Word - 报告.doc"
    document.add_paragraph(GOALS)
    path = tmp_path / "untitled.docx"
    document.save(path)
    assert only_report(path).title_hint is None


def test_truncated_docx_is_a_source_error():
    with pytest.raises(SourceError, match="DOCX.*损坏或被截断"):
        read_reports(FIXTURES / "truncated.docx")


def test_text_renamed_to_docx_is_a_source_error(tmp_path):
    fake = tmp_path / "fake.docx"
    fake.write_text(GOALS, encoding="utf-8")
    with pytest.raises(SourceError, match="DOCX"):
        read_reports(fake)


# --- PDF -----------------------------------------------------------------------


def test_pdf_text_layer_is_read_and_wrapped_lines_are_rejoined():
    report = only_report(FIXTURES / "report.pdf")
    assert report.format == "pdf"
    lines = report.text.split("\n")
    assert lines[:3] == EXPECTED_LINES  # GOALS was wrapped over two lines in the PDF
    assert lines[3].startswith(RURAL_START) and lines[3].endswith("农村繁荣。")  # page 2, three lines


def test_pdf_without_text_layer_is_a_source_error():
    with pytest.raises(SourceError, match="PDF 没有文字层"):
        read_reports(FIXTURES / "scanned.pdf")


def test_truncated_pdf_is_a_source_error_not_a_warning():
    with pytest.raises(SourceError, match="PDF.*损坏或被截断"):
        read_reports(FIXTURES / "truncated.pdf")


def test_pdf_with_garbage_inside_is_a_source_error(tmp_path):
    data = (FIXTURES / "report.pdf").read_bytes()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(data[:9] + b"\x00garbage" * 50 + data[-40:])
    with pytest.raises(SourceError):
        read_reports(broken)


# --- file types and folders ------------------------------------------------------


def test_unknown_suffix_is_unsupported_and_named():
    with pytest.raises(UnsupportedFile, match=r"不支持的文件类型 \.xls，已跳过"):
        read_reports(FIXTURES / "table.xls")


def test_unsupported_file_is_a_source_error():
    assert issubclass(UnsupportedFile, SourceError)


def test_supported_suffixes_cover_every_format():
    assert {".txt", ".html", ".htm", ".docx", ".pdf"} <= SUPPORTED_SUFFIXES
    assert ".xls" not in SUPPORTED_SUFFIXES
    assert ".md" not in SUPPORTED_SUFFIXES  # a folder's README is not a report


def test_suffix_is_matched_case_insensitively(tmp_path):
    path = tmp_path / "REPORT.TXT"
    path.write_text(GOALS, encoding="utf-8")
    assert only_report(path).text == GOALS


def test_folder_is_walked_recursively_sorted_without_hidden_files():
    found = [p.relative_to(FIXTURES / "walk").as_posix() for p in iter_source_files([FIXTURES / "walk"])]
    assert found == ["a report.txt", "子目录 二/notes.xls", "子目录 二/怀安 报告.txt"]


def test_walked_path_keeps_the_callers_spelling(monkeypatch):
    monkeypatch.chdir(ROOT)
    walked = [p.as_posix() for p in iter_source_files(["tests/fixtures/sources/walk/子目录 二"])]
    assert walked == ["tests/fixtures/sources/walk/子目录 二/notes.xls", "tests/fixtures/sources/walk/子目录 二/怀安 报告.txt"]
    report = only_report(Path(walked[1]))
    assert report.source == "tests/fixtures/sources/walk/子目录 二/怀安 报告.txt"
    assert report.text.strip() == TASKS


def test_missing_path_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="找不到"):
        list(iter_source_files([tmp_path / "不存在"]))


def test_folder_given_to_read_reports_is_a_source_error(tmp_path):
    with pytest.raises(SourceError):
        read_reports(tmp_path)


def test_file_names_with_spaces_and_chinese_are_read(tmp_path):
    folder = tmp_path / "政府 工作报告"
    folder.mkdir()
    shutil.copy(FIXTURES / "gbk.txt", folder / "怀安县 2022 报告.txt")
    (report,) = [r for p in iter_source_files([tmp_path]) for r in read_reports(p)]
    assert report.source == (folder / "怀安县 2022 报告.txt").as_posix()
    assert report.text.startswith(TITLE)


# --- compilations ----------------------------------------------------------------


def test_seed_004_gives_ten_reports_with_their_titles(monkeypatch):
    monkeypatch.chdir(ROOT)
    reports = read_reports("data/sample/004_000a05b7aea940ce.txt")
    assert [r.title_hint for r in reports] == SEED_004_TITLES
    assert [r.part for r in reports] == list(range(1, 11))
    assert {r.parts for r in reports} == {10}
    assert {r.source for r in reports} == {"data/sample/004_000a05b7aea940ce.txt"}


def test_seed_004_parts_hold_only_their_report_text():
    reports = read_reports(SAMPLE / "004_000a05b7aea940ce.txt")
    assert reports[0].text.startswith("2021年宝兴县政府工作报告各位代表:现在,我代表县人民政府")
    assert reports[1].text.startswith("2021年2月2日在普洱市第四届人民代表大会第五次会议上")
    for report in reports:
        assert "\n" not in report.text  # each was one collapsed line in the page
        assert "2025-07-08" not in report.text
        assert "点我投稿" not in report.text and "联系我们" not in report.text
        assert "【" not in report.text[:20]
    assert reports[-1].text.endswith("而不懈努力奋斗!")


@pytest.mark.parametrize(
    "name",
    [
        "000_1ebb74cc993d5f7f.txt",
        "001_7b54cff1a7856689.txt",
        "002_664a605172f01e95.txt",
        "003_58952eceed329ef4.txt",
    ],
)
def test_other_seeds_are_one_report_kept_as_they_are(name):
    report = only_report(SAMPLE / name)
    assert report.text == sample_text(name)
    assert report.source == (SAMPLE / name).as_posix()


def test_two_different_reports_in_one_file_are_split():
    first, second = sample_text("002_664a605172f01e95.txt"), sample_text("003_58952eceed329ef4.txt")
    text = "\n".join(
        ["网站首页 > 政务公开", "[宝坻]2021年宝坻区政府工作报告", first, "2024-02-01",
         "[怀安]2022年怀安县政府工作报告", second, "返回顶部", "- 联系我们"]
    )
    parts = split_reports(text)
    assert [p.title for p in parts] == ["2021年宝坻区政府工作报告", "2022年怀安县政府工作报告"]
    # Short non-sentence lines after a body are page furniture between reports.
    assert first.rstrip("\n").endswith("\n\n我要反馈")
    assert parts[0].text == first.rstrip("\n").removesuffix("\n\n我要反馈")
    assert parts[1].text == second.strip("\n")


def test_report_with_title_subtitle_and_mentions_stays_one():
    body = sample_text("001_7b54cff1a7856689.txt")
    text = "\n".join(
        ["2024年廊坊市政府工作报告", "——2024年1月在廊坊市第八届人民代表大会第六次会议上", body,
         "政府工作报告", "现在，我代表市人民政府，向大会作政府工作报告，请予审议。", body[:200]]
    )
    assert [p.text for p in split_reports(text)] == [text]


def test_report_repeated_by_a_scraper_stays_one():
    body = sample_text("001_7b54cff1a7856689.txt")
    text = "\n".join(["2024年廊坊市政府工作报告", body] * 4)
    parts = split_reports(text)
    assert len(parts) == 1 and parts[0].title is None and parts[0].text == text


def test_compilation_in_a_docx_is_split(tmp_path):
    import docx

    document = docx.Document()
    for title, name in (("2021年宝坻区政府工作报告", "002_664a605172f01e95.txt"), ("2022年怀安县政府工作报告", "003_58952eceed329ef4.txt")):
        document.add_paragraph(title)
        for line in sample_text(name).split("\n"):
            document.add_paragraph(line)
    path = tmp_path / "合订本.docx"
    document.save(path)
    reports = read_reports(path)
    assert [(r.part, r.parts, r.title_hint) for r in reports] == [
        (1, 2, "2021年宝坻区政府工作报告"),
        (2, 2, "2022年怀安县政府工作报告"),
    ]
    assert reports[1].text.startswith("全县经济社会发展的主要预期目标是")
