"""Alerts: a search as an Atom 1.0 feed, newest first by when each report was indexed."""
from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from index.report import Region
from tests.conftest import make_report

ATOM = "{http://www.w3.org/2005/Atom}"
BAZHOU = Region("county", "河北省", "廊坊市", "霸州市", "131081")
GUAN = Region("county", "河北省", "廊坊市", "固安县", "131022")
FENGYANG = Region("county", "安徽省", "滁州市", "凤阳县", "341126")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    """霸州 2022 indexed in January; later, in March, 固安 2021 (an older report) and 凤阳 2023 are added."""
    from index.writer import IndexStore

    root = tmp_path_factory.mktemp("feed") / "index"
    with IndexStore(root).update() as up:
        up.indexed_at = "2024-01-10T08:00:00+00:00"
        up.add_report(make_report(["霸州市政府工作报告", "坚持项目为王，狠抓项目建设。", "稳定粮食生产。"],
                                  region=BAZHOU, year=2022, source="bazhou.txt"))
    with IndexStore(root).update() as up:
        up.indexed_at = "2024-03-02T09:30:00+00:00"
        up.add_report(make_report(["固安县政府工作报告", "项目为王 <script>alert(1)</script> & “引号”。"],
                                  region=GUAN, year=2021, source="guan.txt"))
        up.add_report(make_report(["凤阳县政府工作报告", "推进小岗村深化农村改革。"], region=FENGYANG, year=2023,
                                  source="fy.txt"))
    return root


@pytest.fixture
def client(make_app, index_dir):
    return make_app(index_dir).test_client()


def feed(client, url):
    resp = client.get(url)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(resp.data)


def test_feed_is_atom_listing_matches_newest_indexed_first(client):
    root = feed(client, "/feed?q=项目为王")
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}updated") for e in entries] == ["2024-03-02T09:30:00+00:00",
                                                                "2024-01-10T08:00:00+00:00"]
    assert "固安县" in entries[0].findtext(f"{ATOM}title")  # the 2021 report, but indexed last
    assert root.findtext(f"{ATOM}updated") == "2024-03-02T09:30:00+00:00"


def test_feed_has_the_required_atom_elements(client):
    root = feed(client, "/feed?q=项目为王&province=河北")
    assert root.findtext(f"{ATOM}id").startswith("http://baogao.test/feed?")
    assert "项目为王" in root.findtext(f"{ATOM}title")
    assert root.find(f"{ATOM}author/{ATOM}name").text
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == root.findtext(f"{ATOM}id")
    for e in root.findall(f"{ATOM}entry"):
        link = e.find(f"{ATOM}link").get("href")
        assert e.findtext(f"{ATOM}id") == link and link.startswith("http://baogao.test/p/")
        assert e.findtext(f"{ATOM}title") and e.findtext(f"{ATOM}updated")


def test_entry_summary_is_the_paragraph_as_escaped_text(client):
    raw = client.get("/feed?q=项目为王").get_data(as_text=True)
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    entry = feed(client, "/feed?q=项目为王").find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}summary").get("type") == "text"
    assert entry.findtext(f"{ATOM}summary") == "项目为王 <script>alert(1)</script> & “引号”。"


def test_permalink_of_an_entry_opens_the_paragraph(client):
    entry = feed(client, "/feed?q=狠抓项目建设").find(f"{ATOM}entry")
    path = entry.findtext(f"{ATOM}id").replace("http://baogao.test", "")
    resp = client.get(path)
    assert resp.status_code == 302 and "#p-" in resp.headers["Location"]


def test_a_feed_without_hits_is_still_valid(client):
    root = feed(client, "/feed?q=新质生产力")
    assert root.findall(f"{ATOM}entry") == []
    assert root.findtext(f"{ATOM}updated") == "2024-03-02T09:30:00+00:00"


def test_filters_alone_make_a_feed_but_nothing_at_all_does_not(client):
    root = feed(client, "/feed?province=安徽")
    assert {e.findtext(f"{ATOM}title").split("第")[0] for e in root.findall(f"{ATOM}entry")} == {
        "2023年凤阳县政府工作报告（安徽省滁州市凤阳县）"}
    resp = client.get("/feed")
    assert resp.status_code == 400 and "订阅" in resp.get_data(as_text=True)
    assert client.get("/feed?q=(项目 OR 投资").status_code == 400


def test_search_page_offers_the_feed(client):
    html = client.get("/search?q=项目为王").get_data(as_text=True)
    assert 'type="application/atom+xml"' in html and "/feed?q=" in html
