"""The year range of the search, trends and first-use forms: ``year_from``/``year_to`` become the ``year`` filter."""
from __future__ import annotations

import re

import pytest

from web.params import BadParameter, search_request, year_bounds, year_from_range


def test_a_range_of_two_inputs_is_the_year_filter():
    assert year_from_range({"year_from": "2019", "year_to": "2023"}) == "2019-2023"
    assert year_from_range({"year_from": "2021", "year_to": "2021"}) == "2021"
    assert year_from_range({"year_from": "2023", "year_to": "2019"}) == "2019-2023"  # backwards means between
    assert year_from_range({"year_from": "2020", "year_to": ""}) == "2020-2100"
    assert year_from_range({"year_from": "", "year_to": "2020"}) == "1949-2020"
    assert year_from_range({"year_from": "", "year_to": ""}) is None
    with pytest.raises(BadParameter, match="起始年份须是 1949–2100 之间的四位年份"):
        year_from_range({"year_from": "20x1"})
    with pytest.raises(BadParameter, match="截止年份"):
        year_from_range({"year_to": "1800"})


def test_the_inputs_replace_the_year_parameter_even_when_emptied():
    assert search_request({"q": "x", "year": "2021", "year_from": "2019", "year_to": "2022"}).year == "2019-2022"
    assert search_request({"q": "x", "year": "2021", "year_from": "", "year_to": ""}).year is None  # cleared
    assert search_request({"q": "x", "year": "2021"}).year == "2021"


def test_the_form_shows_the_range_it_was_given():
    assert year_bounds("2019-2023") == ("2019", "2023")
    assert year_bounds("2021") == ("2021", "2021")
    assert year_bounds("2020-2100") == ("2020", "")
    assert year_bounds("1949-2020") == ("", "2020")
    assert year_bounds("nonsense") == ("", "")
    assert year_bounds(None) == ("", "")


def _inputs(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(year_from|year_to)"[^>]*value="(\d*)"', html))


def test_search_page_narrows_to_the_range_without_script(client):
    every = client.get("/api/search?q=营商环境&per_page=1000").get_json()
    html = client.get("/search?q=营商环境&year_from=2022&year_to=2024").get_data(as_text=True)
    assert _inputs(html) == {"year_from": "2022", "year_to": "2024"}
    assert "年份：2022–2024年" in html  # the chip says it in words
    expected = sum(1 for h in every["hits"] if 2022 <= h["year"] <= 2024)
    assert f"<strong>{expected}</strong> 段命中" in html
    assert 'type="hidden" name="year"' not in html  # the range inputs carry the year
    chosen = re.search(r'<li class="depth-0 selected">.*?</li>', html[html.index("facet-year"):], re.S).group(0)
    assert '<span class="label">2022–2024年</span><span class="count">%d</span>' % expected in chosen
    api = client.get("/api/search?q=营商环境&year_from=2022").get_json()
    assert api["total"] == sum(1 for h in every["hits"] if h["year"] >= 2022)


def test_an_open_ended_range_reads_as_words(client):
    html = client.get("/search?q=营商环境&year_from=2022").get_data(as_text=True)
    assert "年份：2022年起" in html and _inputs(html) == {"year_from": "2022", "year_to": ""}
    html = client.get("/search?q=营商环境&year_to=2021").get_data(as_text=True)
    assert "年份：2021年及以前" in html


def test_a_bad_year_is_a_chinese_400(client):
    resp = client.get("/search?q=营商环境&year_from=明年")
    assert resp.status_code == 400 and "起始年份须是" in resp.get_data(as_text=True)
    resp = client.get("/api/search?q=营商环境&year_to=99999")
    assert resp.status_code == 400 and resp.get_json()["parameter"] == "year_to"


def test_first_use_takes_the_range_too(client):
    html = client.get("/first?q=营商环境&year_from=2022&year_to=2024").get_data(as_text=True)
    assert _inputs(html) == {"year_from": "2022", "year_to": "2024"}
    assert "2021年" not in re.search(r'<ol class="use-list">.*?</ol>', html, re.S).group(0)
