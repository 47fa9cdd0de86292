"""The targets page, its exports and its API, over the bundled sample."""
from __future__ import annotations

import csv
import io
from urllib.parse import quote


def test_targets_page_opens_on_this_years_gdp_targets(client):
    resp = client.get("/targets")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "主要预期目标" in html
    assert "地區生產總值增長8%左右" in html  # 霸州 2021, read from Traditional text
    assert "地区生产总值增长6%左右" in html  # 廊坊 2024
    assert "地区生产总值增长3.8%" not in html  # last year's result is not a target
    assert '<svg class="targets-chart"' in html
    assert "<script>" not in html


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
