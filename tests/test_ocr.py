"""Scanned reports: OCR of image-only PDF pages and pictures, layout, caching, failed pages, marking.

The fixtures (tests/fixtures/ocr/, made by tests/fixtures/make_ocr_fixture.py) are pages of seed
report 003 printed without a text layer. The OCR'd pages are cached under $BAOGAO_CACHE_DIR, so
only a fresh checkout pays for recognising them (about a minute on two cores).
"""
from __future__ import annotations

import csv
import io
import json

import pytest

import baogao
from index import ocr
from index.assemble import parse_file
from index.ocr import OcrLine
from index.sources import SourceError, read_reports
from index.writer import IndexStore
from tests.conftest import ROOT, SAMPLE

FIXTURES = ROOT / "tests" / "fixtures" / "ocr"
SCANNED_PDF = FIXTURES / "scanned_report.pdf"
SCANNED_PNG = FIXTURES / "scanned_note.png"


@pytest.fixture(scope="session")
def scanned_report():
    """The two-page scanned PDF through the whole pipeline (as baogao inspect reads it)."""
    reports = parse_file(SCANNED_PDF)
    assert len(reports) == 1
    return reports[0]


def test_fixtures_stay_small():
    assert SCANNED_PDF.stat().st_size < 300_000 and SCANNED_PNG.stat().st_size < 50_000


def test_a_scanned_pdf_is_read_with_its_phrases_region_and_year(scanned_report):
    r = scanned_report
    search = "\n".join(p.search_text for p in r.paragraphs)
    assert "项目为王" in search and "乡村振兴" in search
    assert r.region.county == "怀安县" and r.region.prefecture == "张家口市" and r.year == 2022
    assert r.ocr["engine"].startswith(ocr.DEFAULT_ENGINE) and r.ocr["pages"] == 2 and r.ocr["failed_pages"] == []


def test_page_furniture_is_dropped_and_paragraphs_are_kept_across_the_page_break(scanned_report):
    texts = [p.text for p in scanned_report.paragraphs]
    # the title and the six paragraphs printed: lines re-joined, the page break healed
    assert len(texts) == 7, texts
    assert texts[0] == "2022年怀安县政府工作报告"
    assert not any(ocr.is_page_number(t) or "- 1 -" in t or "- 2 -" in t for t in texts)
    project = next(p for p in scanned_report.paragraphs if "项目为王" in p.search_text)
    assert "立马开工" in project.search_text  # its last sentence was printed on page 2
    assert project.search_text.endswith("开工。")


def test_every_ocr_paragraph_carries_the_engine_confidence(scanned_report):
    assert all(0.5 <= p.ocr_confidence <= 1 for p in scanned_report.paragraphs)
    text_report = parse_file(SAMPLE / "003_58952eceed329ef4.txt")[0]
    assert all(p.ocr_confidence is None for p in text_report.paragraphs) and text_report.ocr is None


def test_a_picture_is_read_like_a_page(tmp_path, monkeypatch):
    monkeypatch.setenv("BAOGAO_CACHE_DIR", str(tmp_path / "cache"))
    engine = ocr.get_engine()
    calls = []
    real = engine.recognise
    monkeypatch.setattr(engine, "recognise", lambda image: calls.append(image.size) or real(image))
    first = parse_file(SCANNED_PNG)[0]
    assert first.year == 2022 and first.region.county == "怀安县"
    assert "乡村振兴" in "".join(p.search_text for p in first.paragraphs)
    assert first.ocr["pages"] == 1 and len(calls) == 1
    # indexing it again reads the cache by the file's content: no OCR
    again = parse_file(SCANNED_PNG)[0]
    assert len(calls) == 1 and again == first
    # the same bytes under another name are the same content
    copy = tmp_path / "renamed.png"
    copy.write_bytes(SCANNED_PNG.read_bytes())
    parse_file(copy)
    assert len(calls) == 1
    assert list((tmp_path / "cache" / "ocr").glob("*.json"))


def test_a_failed_page_costs_that_page_not_the_file(scanned_report, monkeypatch, capsys):
    engine = ocr.get_engine()
    cached = ocr.PageCache.get

    def page_two_not_cached(self, number):
        return None if number == 1 else cached(self, number)

    def broken(image):
        raise ocr.PageError("模拟的识别失败")

    monkeypatch.setattr(ocr.PageCache, "get", page_two_not_cached)
    monkeypatch.setattr(engine, "recognise", broken)
    report = parse_file(SCANNED_PDF)[0]
    assert report.ocr["failed_pages"] == [2]
    assert "项目为王" in "".join(p.search_text for p in report.paragraphs)
    assert not any("严格实行项目建设" in p.text for p in report.paragraphs)  # that was on page 2
    code = baogao.main(["inspect", str(SCANNED_PDF)])
    err = capsys.readouterr().err
    assert code == 0 and "OCR 未能识别第 2 页" in err


def test_a_file_whose_every_page_fails_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("BAOGAO_CACHE_DIR", str(tmp_path / "cache"))
    engine = ocr.get_engine()

    def broken(image):
        raise ocr.PageError("模拟的识别失败")

    monkeypatch.setattr(engine, "recognise", broken)
    with pytest.raises(SourceError, match="OCR 失败：2 页都无法识别"):
        read_reports(SCANNED_PDF)


def test_a_broken_picture_and_an_unknown_engine_are_clear_errors(monkeypatch, tmp_path):
    broken = tmp_path / "photo.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    with pytest.raises(SourceError, match="无法读取图片文件"):
        read_reports(broken)
    monkeypatch.setenv("BAOGAO_OCR_ENGINE", "abbyy")
    with pytest.raises(SourceError, match="未知的 OCR 引擎 abbyy"):
        read_reports(SCANNED_PNG)


def test_tesseract_is_the_other_engine(tmp_path, monkeypatch):
    if not ocr.shutil.which("tesseract"):
        pytest.skip("tesseract not installed (make ocr-deps)")
    monkeypatch.setenv("BAOGAO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("BAOGAO_OCR_ENGINE", "tesseract")
    report = parse_file(SCANNED_PNG)[0]
    assert report.ocr["engine"].startswith("tesseract") and report.year == 2022
    assert "工作报告" in report.paragraphs[0].search_text
    assert len(report.paragraphs) == 3  # title, and two paragraphs of wrapped lines


def test_ocr_paragraphs_are_marked_in_the_api_exports_and_reader(scanned_report, make_app, tmp_path):
    root = tmp_path / "index"
    text_report = parse_file(SAMPLE / "001_7b54cff1a7856689.txt")[0]
    with IndexStore(root).update() as up:
        up.add_report(scanned_report)
        up.add_report(text_report)
    client = make_app(root).test_client()

    hits = client.get("/api/search", query_string={"q": "项目为王"}).get_json()["hits"]
    assert hits and all(0.5 <= h["ocr_confidence"] <= 1 for h in hits)
    plain = client.get("/api/search", query_string={"q": "高质量发展"}).get_json()["hits"]
    assert plain and all(h["ocr_confidence"] is None for h in plain)

    record = client.get(f"/api/reports/{scanned_report.report_id}").get_json()
    assert record["ocr"]["engine"].startswith(ocr.DEFAULT_ENGINE) and record["ocr"]["pages"] == 2
    assert all(p["ocr_confidence"] is not None for p in record["paragraphs"])

    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv?q=项目为王").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows and all(float(r["ocr_confidence"]) >= 0.5 for r in rows)
    exported = json.loads(client.get("/search.json?q=项目为王").get_data(as_text=True))
    assert all(h["ocr_confidence"] for h in exported["hits"])

    results = client.get("/search?q=乡村振兴").get_data(as_text=True)
    assert results.count('class="ocr-mark"') == sum("乡村振兴" in p.search_text for p in scanned_report.paragraphs)

    page = client.get(f"/r/{scanned_report.report_id}").get_data(as_text=True)
    assert "由 OCR 从扫描图像识别" in page and "可能与原件有出入" in page
    assert page.count('class="ocr-mark"') == len(scanned_report.paragraphs)
    plain_page = client.get(f"/r/{text_report.report_id}").get_data(as_text=True)
    assert "ocr-mark" not in plain_page and "OCR" not in plain_page


# -- layout, on lines placed by hand -------------------------------------------------------------

W = 40  # a character's width in pixels
FULL = 28  # characters in a full line
PROSE = ("过去一年我们坚持稳中求进工作总基调经济运行保持总体平稳一批重大项目落地见效全年完成固定资产投资"
         "增长百分之八城乡居民收入稳步提高民生保障更加有力营商环境持续优化乡村振兴扎实推进") * 3


def line(text, left_chars=0, *, row, conf=0.95):
    """A recognised line ``text`` starting ``left_chars`` characters into the text block, on ``row``."""
    left = 100 + left_chars * W
    return OcrLine(text, left, 100 + row * 60, left + len(text) * W, 140 + row * 60, conf)


def prose(start, n):
    return PROSE[start:start + n]


def test_lines_join_unless_the_previous_is_short_or_the_next_indented():
    a, b, c, d, e = prose(0, 26), prose(26, 10) + "。", prose(40, 26), prose(66, 28), prose(94, 6) + "。"
    lines = [
        line("一、工作回顾", 2, row=0),
        line(a, 2, row=1),
        line(b, 0, row=2),
        line(c, 2, row=3),
        line(d, 0, row=4),
        line(e, 0, row=5),
    ]
    page = ocr.lay_out_page(0, lines)
    assert [p.text for p in page.paragraphs] == ["一、工作回顾", a + b, c + d + e]
    assert page.paragraphs[1].page == 1 and not page.ends_full and not page.continues


def test_page_numbers_and_running_heads_go_and_a_paragraph_continues_on_the_next_page():
    head = "2021年某县政府工作报告"
    pages = []
    for n in range(3):
        pages.append((n, [
            line(head, 8, row=-2),
            line(prose(n, 26), 2, row=0),
            line(prose(30 + n, 28), 0, row=1),
            line(prose(60 + n, 28), 0, row=2),
            line(f"- {n + 1} -", 13, row=24),
        ]))
    kept = ocr.drop_furniture(pages)
    assert [[ln.text for ln in lines] for _, lines in kept] == [
        [prose(n, 26), prose(30 + n, 28), prose(60 + n, 28)] for n in range(3)]
    laid = [ocr.lay_out_page(n, lines) for n, lines in kept]
    assert laid[0].ends_full and not laid[1].continues  # the next page opens indented: a new paragraph
    assert len(ocr.join_pages(laid)) == 3

    tail, rest = prose(0, 28), prose(28, 12) + "。"
    continued = [(0, [line(prose(60, 26), 2, row=0), line(prose(86, 28), 0, row=1), line(tail, 0, row=2)]),
                 (1, [line(rest, 0, row=0), line(prose(100, 26), 2, row=1), line(prose(126, 5) + "。", 0, row=2)])]
    joined = ocr.join_pages([ocr.lay_out_page(n, lines) for n, lines in continued])
    assert [p.text for p in joined] == [prose(60, 54) + tail + rest, prose(100, 31) + "。"]
    assert joined[0].page == 1 and joined[1].page == 2


def test_page_number_forms_and_engine_spacing():
    for furniture in ("- 3 -", "—12—", "3", "第3页", "第 3 页 共 12 页", "3/12", "－ 7 －"):
        assert ocr.is_page_number(furniture), furniture
    for text in ("2021年", "一、", "3.8%", "第三章"):
        assert not ocr.is_page_number(text), text
    assert ocr.join_words("项目", "为王") == "项目为王" and ocr.join_words("PPP", "project") == "PPP project"
    assert ocr._tidy("推 进 “ 两 不 愁 三 保 障 ” [18】和") == "推进“两不愁三保障”〔18〕和"


def test_a_pdf_mixing_text_pages_and_a_scanned_page_ocrs_only_the_scanned_one(tmp_path, monkeypatch):
    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    monkeypatch.setenv("BAOGAO_CACHE_DIR", str(tmp_path / "cache"))
    scan = io.BytesIO()
    Image.open(SCANNED_PNG).save(scan, "PDF", resolution=150)
    writer = PdfWriter()
    for page in PdfReader(ROOT / "tests" / "fixtures" / "sources" / "report.pdf").pages:
        writer.add_page(page)
    writer.add_page(PdfReader(io.BytesIO(scan.getvalue())).pages[0])
    mixed = tmp_path / "mixed.pdf"
    with open(mixed, "wb") as f:
        writer.write(f)
    report = parse_file(mixed)[0]
    assert report.ocr["pages"] == 1
    from_text = [p for p in report.paragraphs if p.ocr_confidence is None]
    from_scan = [p for p in report.paragraphs if p.ocr_confidence is not None]
    assert any("地区生产总值增长6.5%以上" in p.text for p in from_text)
    assert any("乡村振兴" in p.search_text for p in from_scan)
    assert report.paragraphs[-1] in from_scan  # the scanned page was the last
    # the same title printed on both: the text page's copy is not taken for OCR
    assert report.paragraphs[0].text == "2022年怀安县政府工作报告" and report.paragraphs[0] in from_text


def test_every_frame_of_a_tiff_is_a_page(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("BAOGAO_CACHE_DIR", str(tmp_path / "cache"))
    frames = [Image.new("L", (800, 400 + 100 * n), 255) for n in range(2)]
    tiff = tmp_path / "pages.tif"
    frames[0].save(tiff, save_all=True, append_images=frames[1:], compression="tiff_lzw")
    texts = {400: "2021年霸州市政府工作报告", 500: "坚持项目为王，推动高质量发展。"}
    engine = ocr.get_engine()
    seen = []

    def recognise(image):  # the page's size says which frame it is
        seen.append(image.size)
        return [OcrLine(texts[image.height], 50, 50, 50 + 40 * len(texts[image.height]), 90, 0.9)]

    monkeypatch.setattr(engine, "recognise", recognise)
    report = parse_file(tiff)[0]
    assert seen == [(800, 400), (800, 500)] and report.ocr["pages"] == 2
    assert [p.text for p in report.paragraphs] == list(texts.values())
    assert report.region.county == "霸州市" and report.year == 2021
