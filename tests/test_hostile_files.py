"""Hostile files fed to ``baogao index``: each gets one clear line or is indexed right; none stops the run.

The folder a newsroom scraper leaves behind holds empty files, binary junk,
cut-off downloads, text in the wrong encoding, a 50 MB dump, a file of 100,000
one-character lines, pages full of scripts and iframes, and names with spaces
and Chinese. Big files are made here, in ``tmp_path``, never committed.
"""
import json
import random
import shutil
import time
import zipfile

import pytest

import baogao
from index import sources
from index.writer import IndexStore
from search.engine import Engine, SearchRequest
from tests.conftest import ROOT, SAMPLE

FIXTURES = ROOT / "tests" / "fixtures"
HOSTILE = FIXTURES / "hostile"
BAZHOU = SAMPLE / "000_1ebb74cc993d5f7f.txt"  # Traditional, 2021 霸州市
TONGZHOU = SAMPLE / "002_664a605172f01e95.txt"  # Simplified


def run(capsys, *argv):
    code = baogao.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _big5_lines(text: str) -> str:
    """The lines of ``text`` that Big5 can hold (Big5 lacks a few characters)."""
    keep = []
    for line in text.split("\n"):
        try:
            line.encode("big5hkscs")
        except UnicodeEncodeError:
            continue
        keep.append(line)
    return "\n".join(keep)


@pytest.fixture
def scraped(tmp_path):
    """A folder of hostile files plus two good reports (one under a name with spaces and Chinese)."""
    d = tmp_path / "scraped"
    d.mkdir()
    (d / "empty.txt").write_bytes(b"")
    (d / "bom_only.txt").write_bytes(b"\xef\xbb\xbf\r\n")
    (d / "binary.txt").write_bytes(random.Random(6).randbytes(8000))
    (d / "truncated.docx").write_bytes((FIXTURES / "sources" / "report.docx").read_bytes()[:2500])
    (d / "truncated.pdf").write_bytes((FIXTURES / "sources" / "report.pdf").read_bytes()[:1500])
    (d / "really_text.docx").write_text("这不是 Word 文件，只是改了扩展名。", encoding="utf-8")
    (d / "really_a_picture.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(500))
    # 50 MB of real report text: refused by size before it is read
    chunk = ("超大文件标记。" + TONGZHOU.read_text(encoding="utf-8")).encode("utf-8")
    with open(d / "dump 50MB.txt", "wb") as f:
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            f.write(chunk)
    (d / "lines.txt").write_text("行数文件标记\n" + "字\n" * 100_000, encoding="utf-8")
    shutil.copy(HOSTILE / "scripts_and_iframes.html", d / "scripts_and_iframes.html")
    shutil.copy(BAZHOU, d / "霸州 2021 政府工作报告 (定稿).txt")
    (d / "notes.xls").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    return d


BAD = {
    "empty.txt": "文件为空",
    "bom_only.txt": "文件为空",
    "binary.txt": "不是文本文件",
    "truncated.docx": "无法读取 DOCX 文件",
    "truncated.pdf": "无法读取 PDF 文件",
    "really_text.docx": "无法读取 DOCX 文件",
    "really_a_picture.pdf": "无法读取 PDF 文件",
    "dump 50MB.txt": "文件太大",
    "lines.txt": "行数太多",
}


def test_every_bad_file_gets_one_chinese_line_and_the_good_ones_are_indexed(capsys, scraped, tmp_path):
    idx = tmp_path / "idx"
    t0 = time.perf_counter()
    code, out, err = run(capsys, "index", "--index", idx, "--json", scraped)
    assert time.perf_counter() - t0 < 60
    assert code == 1  # failures make the exit status non-zero, and only at the end
    assert "Traceback" not in err
    summary = json.loads(out)
    assert summary["failures"] == len(BAD) and summary["skipped"] == 1
    lines = err.splitlines()
    for name, message in BAD.items():
        mine = [ln for ln in lines if name in ln and ln.startswith("失败")]
        assert len(mine) == 1, (name, lines)
        assert message in mine[0]
    assert any("notes.xls" in ln and ln.startswith("跳过") for ln in lines)
    reports = IndexStore(idx).read_reports()
    # the page and the text file are two different 2021 霸州 reports
    assert [r["region_display"] for r in reports.values()] == ["河北省廊坊市霸州市"] * 2
    sources_ = [s for r in reports.values() for s in r["sources"]]
    assert any(s.endswith("霸州 2021 政府工作报告 (定稿).txt") for s in sources_)


def test_nothing_of_a_refused_file_is_left_in_the_index(capsys, scraped, tmp_path):
    idx = tmp_path / "idx"
    run(capsys, "index", "--index", idx, scraped)
    engine = Engine(idx)
    assert engine.search(SearchRequest(q="超大文件标记")).total == 0
    assert engine.search(SearchRequest(q="行数文件标记")).total == 0
    assert engine.search(SearchRequest(q="项目为王")).total > 0
    assert sorted(p.name for p in idx.glob("gen-*")) == [IndexStore(idx).current_generation()]


def test_a_50_mb_text_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    monkeypatch.setattr(type(big), "read_bytes", lambda self: pytest.fail("a file over the limit was read"))
    t0 = time.perf_counter()
    with pytest.raises(sources.SourceError) as info:
        sources.read_reports(big)
    assert time.perf_counter() - t0 < 0.5
    assert str(info.value) == "文件太大（50 MB，TXT 文件上限 20 MB），不像一篇政府工作报告"


def test_a_file_of_100000_one_character_lines_is_refused_quickly(tmp_path):
    f = tmp_path / "lines.txt"
    f.write_text("字\n" * 100_000, encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(sources.SourceError) as info:
        sources.read_reports(f)
    assert time.perf_counter() - t0 < 2
    assert "行数太多（100,001 行，上限 50,000 行）" in str(info.value)


def test_too_many_characters_on_few_lines_is_refused(tmp_path):
    f = tmp_path / "one_line.txt"
    f.write_text("发展" * (sources.MAX_CHARACTERS // 2 + 1), encoding="utf-8")
    with pytest.raises(sources.SourceError, match="文字太多"):
        sources.read_reports(f)


def test_a_docx_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_DOCX_UNPACKED", 1000)
    with pytest.raises(sources.SourceError, match="DOCX 文件解压后太大"):
        sources.read_reports(FIXTURES / "sources" / "report.docx")


def test_a_real_zip_bomb_is_refused_without_unpacking_it(tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"\x00" * (1024 * 1024)
            for _ in range(sources.MAX_DOCX_UNPACKED // len(block) + 1):
                part.write(block)
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(sources.SourceError, match="解压后太大"):
        sources.read_reports(bomb)


def _paragraphs(capsys, path):
    code, out, err = run(capsys, "inspect", "--json", path)
    assert code == 0, err
    return [p["text"] for r in json.loads(out) for p in r["paragraphs"]]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "big5hkscs", "gb18030"])
def test_text_in_an_unannounced_encoding_gives_the_same_paragraphs_as_utf8(capsys, tmp_path, encoding):
    text = BAZHOU.read_text(encoding="utf-8")
    if encoding.startswith("big5"):
        text = _big5_lines(text)
    original = tmp_path / "utf8.txt"
    original.write_text(text, encoding="utf-8")
    other = tmp_path / f"{encoding}.txt"  # no BOM, no declaration: the bytes alone
    other.write_bytes(text.encode(encoding))
    expected = _paragraphs(capsys, original)
    assert len(expected) >= 5
    assert _paragraphs(capsys, other) == expected


def test_a_page_declaring_utf8_but_saved_as_gbk_is_read(capsys, tmp_path):
    body = "".join(f"<p>{line}</p>" for line in TONGZHOU.read_text(encoding="utf-8").split("\n")[:12] if line)
    page = f'<html><head><meta charset="utf-8"><title>通州区政府工作报告</title></head><body>{body}</body></html>'
    f = tmp_path / "liar.html"
    f.write_bytes(page.encode("gb18030"))
    paras = _paragraphs(capsys, f)
    assert any("开局是关键" in p for p in paras)


def test_scripts_iframes_and_handlers_never_reach_the_index(capsys, tmp_path):
    idx = tmp_path / "idx"
    code, _, err = run(capsys, "index", "--index", idx, HOSTILE / "scripts_and_iframes.html")
    assert code == 0, err
    engine = Engine(idx)
    (rec,) = engine.reports()
    _, paras = engine.report(rec["report_id"])
    text = "\n".join(p["text"] for p in paras)
    assert "深化放管服改革" in text and "项目为王" in text
    for hostile in ("alert", "script", "iframe", "onerror", "onclick", "javascript", "evil", "document.", "<", ">"):
        assert hostile not in text, hostile
    for q in ("alert", "evil", "javascript"):
        assert engine.search(SearchRequest(q=q)).total == 0


def test_an_unexpected_parser_error_fails_one_file_not_the_run(capsys, tmp_path, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(BAZHOU, d / "a_good.txt")
    (d / "b_trips_a_bug.txt").write_text("触发解析缺陷的文件。\n" * 3, encoding="utf-8")
    real = sources.split_reports

    def buggy(text):
        if "触发解析缺陷" in text:
            raise IndexError("a bug in a parser")
        return real(text)

    monkeypatch.setattr(sources, "split_reports", buggy)
    idx = tmp_path / "idx"
    code, _, err = run(capsys, "index", "--index", idx, d)
    assert code == 1 and "b_trips_a_bug.txt" in err and "Traceback" not in err
    assert len(IndexStore(idx).read_reports()) == 1
