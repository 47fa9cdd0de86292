"""Citations in two forms: the plain one and GB/T 7714-2015 ([R/OL]), with delivery and access dates."""
import html
import re
from datetime import datetime, timedelta, timezone

from index.report import Region
from search.engine import SearchRequest
from search.facets import citation_text, gbt7714_citation, issuing_body
from web.views import access_date

HUNAN = "2021-湖南省"
BAZHOU = Region("county", "河北省", "廊坊市", "霸州市", "131081")


def cites(body: str, cls: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(rf'<p class="{cls}">(?:<span class="cite-form">[^<]*</span>)?([^<]*)</p>', body)]


def test_gbt7714_form_of_an_online_report():
    assert gbt7714_citation("2021年霸州市政府工作报告", BAZHOU, 2021, "https://b.example/p/ab", date="2021-01-05",
                            accessed="2026-11-26") == \
        "霸州市人民政府. 2021年霸州市政府工作报告[R/OL]. (2021-01-05)[2026-11-26]. https://b.example/p/ab."


def test_gbt7714_uses_the_year_when_the_delivery_date_is_unknown_and_leaves_out_an_unknown_body():
    assert gbt7714_citation("湖南省政府工作报告", Region("province", "湖南省"), 2021, "u", accessed="2026-11-26") == \
        "湖南省人民政府. 湖南省政府工作报告[R/OL]. (2021)[2026-11-26]. u."
    assert gbt7714_citation("政府工作报告", Region(), None, "u", accessed="2026-11-26") == \
        "政府工作报告[R/OL]. [2026-11-26]. u."


def test_the_issuing_body_is_the_government_of_the_most_specific_region():
    assert issuing_body(Region("national")) == "中华人民共和国国务院"
    assert issuing_body(Region("province", "湖南省")) == "湖南省人民政府"
    assert issuing_body(Region("prefecture", "湖南省", "衡阳市")) == "衡阳市人民政府"
    assert issuing_body(Region("prefecture", "西藏自治区", "阿里地区")) == "阿里地区行政公署"
    assert issuing_body(Region("prefecture", "内蒙古自治区", "锡林郭勒盟")) == "锡林郭勒盟行政公署"
    assert issuing_body(Region()) is None


def test_plain_form_carries_the_delivery_and_access_dates_and_ends_with_the_permalink():
    assert citation_text("湖南省政府工作报告", "湖南省", 2021, "一、2020年工作回顾", 3, "http://x/p/ab",
                         date="2021-01-25", accessed="2026-11-26") == \
        "《湖南省政府工作报告》，湖南省，2021年（2021-01-25），一、2020年工作回顾，第3段，访问于2026-11-26，http://x/p/ab"


def test_the_access_date_is_today_in_china_standard_time():
    before = datetime.now(timezone(timedelta(hours=8))).date().isoformat()
    today = access_date()
    after = datetime.now(timezone(timedelta(hours=8))).date().isoformat()
    assert today in (before, after) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", today)


def test_reader_offers_both_forms_for_every_paragraph(client, sample_engine, access_day):
    rec, paras = sample_engine.report(HUNAN)
    body = client.get(f"/r/{HUNAN}").get_data(as_text=True)
    today = access_day
    gbt = cites(body, "cite-text cite-gbt")
    assert len(gbt) == len(paras)
    for p, c in zip(paras, gbt):
        assert c == (f"湖南省人民政府. 湖南省政府工作报告[R/OL]. (2021-01-25)[{today}]. "
                     f"http://baogao.test/p/{p['paragraph_id']}.")
    assert body.count("复制 GB/T 7714 引用") == len(paras)
    assert html.escape(gbt[0]) in body  # on the copy button too


def test_search_hits_offer_both_forms_with_the_reports_delivery_date(client, sample_engine, access_day):
    hits = sample_engine.search(SearchRequest(q="营商环境", per_page=1000)).hits
    dated = {h.paragraph_id: sample_engine.paragraph(h.paragraph_id)[0].get("date") for h in hits}
    body = client.get("/search", query_string={"q": "营商环境", "province": "广东省"}).get_data(as_text=True)
    gbt = cites(body, "cite-text cite-gbt")
    assert gbt
    for c in gbt:
        pid = re.search(r"/p/([0-9a-f]+)\.$", c).group(1)
        assert f"({dated[pid]})" in c and "[R/OL]" in c and f"[{access_day}]" in c
    assert any("（2021-02-" in c for c in cites(body, "cite-text"))
