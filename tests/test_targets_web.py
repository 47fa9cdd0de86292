"""The targets page, its exports and its API, over the bundled sample."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote


def test_targets_page_opens_with_no_filter_and_says_so(client):
    resp = client.get("/targets")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "主要预期目标" in html
    assert "地區生產總值增長8%左右" in html  # 霸州 2021, read from Traditional text
    assert "地区生产总值增长6%左右" in html  # 廊坊 2024
    assert "地区生产总值增长3.8%" in html  # a result is a row too: nothing is filtered out unseen
    assert "未筛选" in html and 'class="chip"' not in html
    assert '<svg class="targets-chart"' not in html  # a chart needs an indicator: offered, not chosen silently
    assert "选一个指标即可画出比较图" in html and f"/targets?indicator={quote('地区生产总值')}" in html
    for name in ("indicator", "province", "prefecture", "county", "level", "year", "kind"):
        menu = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S).group(1)
        assert re.match(r'\s*<option value="" selected>', menu), name
    assert "<script>" not in html


def test_prefecture_county_and_level_filters(client):
    html = client.get("/targets?prefecture=廊坊").get_data(as_text=True)
    assert "地区生产总值增长6%左右" in html and "地區生產總值增長8%左右" in html  # 廊坊市 and its county 霸州市
    assert "固定资产投资增长7%以上" not in html  # 怀安 is in 张家口
    assert '<option value="廊坊市" selected>' in html  # 廊坊 → 廊坊市, as the menu shows it
    html = client.get("/targets?prefecture=廊坊市&level=county").get_data(as_text=True)
    assert "地區生產總值增長8%左右" in html and "地区生产总值增长6%左右" not in html
    html = client.get("/targets?county=霸州市").get_data(as_text=True)
    assert "地區生產總值增長8%左右" in html and "地区生产总值增长6%左右" not in html
    body = client.get("/api/targets?level=province").get_json()
    assert {r["report_id"] for r in body["rows"]} == {"2021-湖南省"}
    resp = client.get("/api/targets?level=village")
    assert resp.status_code == 400 and "level" in resp.get_json()["error"]


def _menu(html: str, name: str) -> dict[str, int]:
    menu = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S).group(1)
    return {v: int(n) for v, n in re.findall(r'<option value="([^"]+)"[^>]*>[^<]*（(\d+)）</option>', menu)}


def test_menu_counts_apply_the_other_filters(client):
    every = client.get("/api/targets").get_json()["rows"]
    html = client.get("/targets?province=河北省&kind=target").get_data(as_text=True)
    indicators = _menu(html, "indicator")
    hebei_targets = [r for r in every if r["region"]["province"] == "河北省" and r["kind"] == "target"]
    assert indicators["地区生产总值"] == sum(r["indicator"] == "地区生产总值" for r in hebei_targets) == 3
    assert sum(indicators.values()) == len(hebei_targets)
    provinces = _menu(html, "province")  # the province menu ignores the province filter, not the kind
    assert provinces["湖南省"] == sum(r["region"]["province"] == "湖南省" and r["kind"] == "target" for r in every)
    assert set(_menu(html, "prefecture")) == {"廊坊市", "张家口市"}  # only 河北省's
    kinds = _menu(html, "kind")
    assert kinds["result"] == sum(r["region"]["province"] == "河北省" and r["kind"] == "result" for r in every)


def test_filters_narrow_the_table_and_the_chart_compares_regions(client):
    html = client.get("/targets?indicator=固定资产投资&province=河北&year=&kind=target").get_data(as_text=True)
    assert "固定资产投资增长6.5%左右" in html  # 廊坊 2024
    assert "固定资产投资增长7%以上" in html  # 怀安 2022
    assert "全社会固定资产投资增长10%以上" not in html  # 宝坻 is in 天津
    assert "<text" in html and "廊坊市" in html


def test_every_row_links_to_its_paragraph(client):
    html = client.get("/targets?indicator=地区生产总值&province=河北省&year=2022&kind=target").get_data(as_text=True)
    assert "地区生产总值增长6.5%以上" in html
    assert f"/r/{quote('2022-河北省-张家口市-怀安县')}#p-" in html
    assert "http://baogao.test/p/" in html


def test_csv_export_holds_the_filtered_rows_with_permalinks(client):
    resp = client.get("/targets.csv?indicator=GDP&province=河北&kind=target")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {(r["report_id"], r["display"]) for r in rows} == {
        ("2021-河北省-廊坊市-霸州市", "8%左右"),
        ("2022-河北省-张家口市-怀安县", "6.5%以上"),
        ("2024-河北省-廊坊市", "6%左右"),
    }
    assert all(r["url"].startswith("http://baogao.test/p/") for r in rows)
    assert resp.headers["X-Total-Count"] == "3"


def test_api_and_json_export_give_the_same_rows(client):
    api = client.get("/api/targets?indicator=一般公共预算收入&year=2021").get_json()
    download = client.get("/targets.json?indicator=一般公共预算收入&year=2021")
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_json() == api
    baodi = [r for r in api["rows"] if r["report_id"] == "2021-天津市-宝坻区"]
    assert [(r["value"], r["unit"], r["qualifier"], r["kind"], r["for_year"]) for r in baodi] == [
        (26.0, "%", "", "target", 2021)]
    assert api["total"] == len(api["rows"])


def test_api_without_parameters_gives_every_row(client):
    body = client.get("/api/targets").get_json()
    kinds = {r["kind"] for r in body["rows"]}
    assert kinds == {"target", "result"}
    assert body["reports"] >= 12


def test_bad_parameters_are_answered_in_chinese(client):
    resp = client.get("/api/targets?year=abc")
    assert resp.status_code == 400
    assert "year" in resp.get_json()["error"]
    resp = client.get("/targets?indicator=营商环境")
    assert resp.status_code == 400
    assert "无法识别" in resp.get_data(as_text=True)


def test_nav_links_to_the_targets_page(client):
    assert 'href="/targets"' in client.get("/about").get_data(as_text=True)


def test_a_short_province_name_is_shown_selected(client):
    html = client.get("/targets?province=河北&indicator=&year=&kind=").get_data(as_text=True)
    assert '<option value="河北省" selected>' in html


def test_a_long_table_says_how_much_it_leaves_out(client, monkeypatch):
    import web.targets

    monkeypatch.setattr(web.targets, "MAX_TABLE_ROWS", 5)
    html = client.get("/targets").get_data(as_text=True)
    total = client.get("/api/targets").get_json()["total"]
    assert html.count('<tr class="kind-') == 5
    assert f"下表列出前 5 项（共 {total} 项）" in html
    assert total > 5  # the API and the exports hold every row
