"""A whole report as .txt and .docx: metadata header, headings as headings, numbers matching the citations."""
import io
import re
from urllib.parse import quote

import docx
import pytest


HUNAN = "2021-湖南省"
BAZHOU = "2021-河北省-廊坊市-霸州市"


def open_docx(resp) -> docx.document.Document:
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return docx.Document(io.BytesIO(resp.get_data()))


def test_the_reader_links_both_downloads(client):
    body = client.get(f"/r/{HUNAN}").get_data(as_text=True)
    assert f'href="/r/{quote(HUNAN)}.txt"' in body and f'href="/r/{quote(HUNAN)}.docx"' in body


def test_docx_has_the_metadata_header(client, sample_engine, access_day):
    rec, _ = sample_engine.report(HUNAN)
    d = open_docx(client.get(f"/r/{HUNAN}.docx"))
    assert d.paragraphs[0].style.name == "Title" and d.paragraphs[0].text == "湖南省政府工作报告"
    assert d.core_properties.title == "湖南省政府工作报告"
    header = {p.text.split("：", 1)[0]: p.text.split("：", 1)[1] for p in d.paragraphs[1:12] if "：" in p.text}
    assert header["地区"] == "湖南省（省级）" and header["年份"] == "2021年"
    assert header["宣读日期"] == "2021-01-25" and header["报告人"] == "毛伟明"
    assert header["下载日期"] == access_day
    assert header["来源文件"] == "004_000a05b7aea940ce.txt#6"  # the file name, not the server path
    assert header["永久链接"] == f"http://baogao.test/r/{quote(HUNAN)}"
    assert header["参考文献（GB/T 7714—2015）"] == (
        f"湖南省人民政府. 湖南省政府工作报告[R/OL]. (2021-01-25)[{access_day}]. http://baogao.test/r/{quote(HUNAN)}.")


def test_docx_headings_are_headings_and_every_paragraph_keeps_its_citation_number(client, sample_engine):
    _, paras = sample_engine.report(HUNAN)
    d = open_docx(client.get(f"/r/{HUNAN}.docx"))
    body = [p for p in d.paragraphs if re.match(r"\[\d+\] ", p.text)]
    assert len(body) == len(paras)
    for para, p in zip(body, paras):
        assert para.text == f"[{p['number']}] {p['text']}"
        if p["is_heading"]:
            depth = min(len(p["section"].split(" › ")), 3)
            assert para.style.name == f"Heading {depth}", p["text"]
        else:
            assert para.style.name == "Normal"
    headings = [p.text for p in body if p.style.name.startswith("Heading")]
    assert "一、2020年和“十三五”时期工作回顾" in [h.split("] ", 1)[1] for h in headings]
    assert sum(1 for p in paras if p["is_heading"]) == len(headings) > 3


def test_the_number_in_a_download_is_the_number_in_the_citation(client, sample_engine):
    """The N of 第N段 in a paragraph's citation is the [N] in front of the same text in the download."""
    page = client.get(f"/r/{HUNAN}").get_data(as_text=True)
    cited = re.findall(r'<p class="cite-text">《[^<]*，第(\d+)段，[^<]*/p/([0-9a-f]+)</p>', page)
    assert cited
    _, paras = sample_engine.report(HUNAN)
    text_of = {p["paragraph_id"]: p["text"] for p in paras}
    lines = client.get(f"/r/{HUNAN}.txt").get_data(as_text=True).splitlines()
    for number, pid in cited[:40]:
        assert any(line.lstrip("# ").startswith(f"[{number}] {text_of[pid]}") for line in lines), number


def test_txt_has_the_header_then_numbered_paragraphs_with_marked_headings(client, sample_engine):
    _, paras = sample_engine.report(HUNAN)
    resp = client.get(f"/r/{HUNAN}.txt")
    assert resp.status_code == 200 and resp.content_type == "text/plain; charset=utf-8"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote(HUNAN)}.txt" in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    head, body = text.split("=" * 40 + "\n", 2)[1:]
    assert "宣读日期：2021-01-25" in head and "来源文件：004_000a05b7aea940ce.txt#6" in head
    assert f"永久链接：http://baogao.test/r/{quote(HUNAN)}" in head and "[R/OL]" in head
    numbered = [line for line in body.splitlines() if line]
    assert len(numbered) == len(paras)
    for line, p in zip(numbered, paras):
        prefix = "#" * min(len(p["section"].split(" › ")), 3) + " " if p["is_heading"] else ""
        assert line == f"{prefix}[{p['number']}] {p['text']}"


def test_a_report_without_a_date_or_speaker_leaves_them_out(client, access_day):
    text = client.get(f"/r/{BAZHOU}.txt").get_data(as_text=True)
    assert "宣读日期" not in text and "报告人" not in text
    assert f"霸州市人民政府. 2021年霸州市政府工作报告[R/OL]. (2021)[{access_day}]" in text


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
@pytest.mark.parametrize("rid", ["2099-不存在", "../../etc/passwd", "x" * 200])
def test_an_unknown_report_is_a_chinese_404(client, rid, suffix):
    resp = client.get(f"/r/{quote(rid)}{suffix}")
    assert resp.status_code == 404 and "找不到" in resp.get_data(as_text=True)
