"""Where absolute URLs come from: the configured base URL, never the request's Host; file names, never paths."""
import io
import re
import zipfile
from argparse import Namespace
from pathlib import Path
from urllib.parse import quote

import pytest

from search.engine import SearchRequest
from tests.conftest import SAMPLE
from web.urls import DEFAULT_BOUND_URL, BadBaseURL, source_name

EVIL = "evil.example"
FORGED = {"Host": EVIL, "X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https", "X-Forwarded-Prefix": "/evil",
          "X-Forwarded-For": "203.0.113.9", "Forwarded": f"host={EVIL};proto=https"}
HUNAN = "2021-湖南省"


@pytest.fixture
def ids(sample_engine):
    hit = sample_engine.search(SearchRequest(q="项目为王")).hits[0]
    return {"report_id": HUNAN, "paragraph_id": hit.paragraph_id}


def example_urls(app, ids) -> dict[str, str]:
    """One URL for every GET route of the app (the test below checks that none is missing)."""
    q = "q=项目为王"
    rid, pid = ids["report_id"], ids["paragraph_id"]
    urls = {
        "/": "/", "/search": f"/search?{q}&province=河北省",
        "/search.csv": f"/search.csv?{q}", "/search.json": f"/search.json?{q}",
        "/r/<report_id>": f"/r/{rid}?q=发展", "/r/<report_id>.txt": f"/r/{rid}.txt",
        "/r/<report_id>.docx": f"/r/{rid}.docx", "/p/<paragraph_id>": f"/p/{pid}",
        "/about": "/about", "/targets": "/targets", "/targets.csv": "/targets.csv", "/targets.json": "/targets.json",
        "/first": f"/first?{q}", "/first.csv": f"/first.csv?{q}", "/similar/<paragraph_id>": f"/similar/{pid}",
        "/similar/<paragraph_id>.csv": f"/similar/{pid}.csv", "/trends": f"/trends?{q}",
        "/trends.csv": f"/trends.csv?{q}", "/feed": f"/feed?{q}",
        "/api/search": f"/api/search?{q}", "/api/reports": "/api/reports", "/api/reports/<report_id>": f"/api/reports/{rid}",
        "/api/stats": "/api/stats", "/api/targets": "/api/targets", "/api/first": f"/api/first?{q}",
        "/api/similar/<paragraph_id>": f"/api/similar/{pid}", "/api/trends": f"/api/trends?{q}",
        "/api/openapi.json": "/api/openapi.json",
        "/scorecard": "/scorecard?indicator=地区生产总值", "/scorecard.csv": "/scorecard.csv",
        "/api/scorecard": "/api/scorecard", "/diff/<report_id>": f"/diff/{rid}",
        "/diff/<report_id>.csv": f"/diff/{rid}.csv", "/api/diff/<report_id>": f"/api/diff/{rid}",
    }
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert rules <= set(urls), f"routes without an example here: {sorted(rules - set(urls))}"
    return {rule: url for rule, url in urls.items() if rule in rules}


def answer_text(resp) -> str:
    """Body (unzipped for .docx) and headers of a response, as one string."""
    data = resp.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            body = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    else:
        body = data.decode("utf-8", "replace")
    return body + "\n" + "\n".join(f"{k}: {v}" for k, v in resp.headers.items())


@pytest.mark.parametrize("configured", [True, False])
def test_a_forged_host_appears_nowhere_in_any_page_or_export(make_app, sample_index, ids, configured):
    app = make_app(sample_index, BASE_URL="https://baogao.example.org" if configured else None)
    client = app.test_client()
    expected_base = "https://baogao.example.org" if configured else DEFAULT_BOUND_URL
    pages = example_urls(app, ids)
    pages["404"] = "/no/such/page"
    pages["400"] = "/search?q=(项目 OR 投资"
    for kind, url in pages.items():
        resp = client.get(url, headers=FORGED, base_url=f"http://{EVIL}")
        assert resp.status_code < 500, (kind, resp.status_code)
        text = answer_text(resp)
        assert EVIL not in text and "/evil" not in text, f"{kind}: the forged host reached the answer"
        if kind in ("/search.csv", "/search.json", "/api/search", "/feed", "/r/<report_id>.txt"):
            assert expected_base + "/" in text, f"{kind}: absolute URLs come from the base URL"


def test_citations_and_exports_use_the_base_url_with_its_path(make_app, sample_index):
    client = make_app(sample_index, BASE_URL="https://news.example/baogao/").test_client()
    data = client.get("/api/search", query_string={"q": "项目为王"}).get_json()
    assert data["hits"] and all(h["url"].startswith("https://news.example/baogao/p/") for h in data["hits"])
    body = client.get("/search", query_string={"q": "项目为王"}).get_data(as_text=True)
    assert "，https://news.example/baogao/p/" in body  # the citation a journalist copies
    assert 'href="/r/' in body  # page links stay relative


def test_without_a_base_url_the_bound_address_stands_in(make_app, sample_index):
    client = make_app(sample_index, BASE_URL=None, BOUND_URL="http://10.0.0.5:8080").test_client()
    rep = client.get(f"/api/reports/{HUNAN}").get_json()
    assert rep["url"] == f"http://10.0.0.5:8080/r/{quote(HUNAN)}"
    assert all(p["url"].startswith("http://10.0.0.5:8080/p/") for p in rep["paragraphs"])


def test_the_base_url_comes_from_the_environment(monkeypatch, make_app, sample_index):
    monkeypatch.setenv("BAOGAO_BASE_URL", "https://env.example")
    from web import close_engine, create_app

    app = create_app({"TESTING": True, "INDEX": str(sample_index)})
    try:
        data = app.test_client().get("/api/reports").get_json()
        assert data[0]["url"].startswith("https://env.example/r/")
    finally:
        close_engine(app)


@pytest.mark.parametrize("bad", ["baogao.example.org", "ftp://x.example", "https://x.example/?a=1"])
def test_a_base_url_that_is_not_an_http_address_is_refused_in_chinese(make_app, sample_index, bad):
    with pytest.raises(BadBaseURL, match="须是 http:// 或 https://"):
        make_app(sample_index, BASE_URL=bad)


def test_proxy_headers_are_trusted_only_when_configured(make_app, sample_index):
    headers = {"X-Forwarded-Prefix": "/baogao", "X-Forwarded-Host": "news.example", "X-Forwarded-Proto": "https"}
    plain = make_app(sample_index).test_client().get("/about", headers=headers).get_data(as_text=True)
    assert 'href="/baogao/' not in plain
    proxied_app = make_app(sample_index, PROXY_FIX=1, BASE_URL="https://news.example/baogao")
    client = proxied_app.test_client()
    proxied = client.get("/search", query_string={"q": "项目为王"}, headers=headers).get_data(as_text=True)
    assert 'href="/baogao/about"' in proxied  # links carry the proxy's prefix
    assert "https://news.example/baogao/p/" in proxied and "/baogao/baogao" not in proxied
    redirect = client.get("/p/" + re.search(r"/baogao/p/([0-9a-f]+)", proxied).group(1), headers=headers)
    assert redirect.headers["Location"].startswith("/baogao/r/")


def test_serve_passes_its_address_base_url_and_proxy_option_to_the_app(tmp_path):
    import baogao

    args = baogao.build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "8081",
                                             "--base-url", "https://b.example", "--behind-proxy"])
    config = baogao.serve_config(args, tmp_path)
    assert config["BOUND_URL"] == "http://0.0.0.0:8081"
    assert config["BASE_URL"] == "https://b.example" and config["PROXY_FIX"] is True
    plain = baogao.serve_config(baogao.build_parser().parse_args(["serve"]), tmp_path)
    assert "BASE_URL" not in plain and "PROXY_FIX" not in plain


def test_pages_show_a_source_by_file_name_never_the_server_path(client, sample_engine):
    rec, _ = sample_engine.report(HUNAN)
    path = rec["sources"][0]
    assert Path(path.split("#")[0]).is_absolute() or "/" in path
    for url in (f"/r/{HUNAN}", "/api/reports", f"/api/reports/{HUNAN}", f"/r/{HUNAN}.txt", f"/r/{HUNAN}.docx"):
        text = answer_text(client.get(url))
        assert source_name(path) in text and path not in text and str(SAMPLE) not in text, url


def test_source_name_keeps_the_part_marker_and_drops_folders():
    assert source_name("/srv/corpus/seeds/000_x.txt") == "000_x.txt"
    assert source_name("data/sample/004_y.txt#6") == "004_y.txt#6"
    assert source_name("C:\\报告\\霸州.docx") == "霸州.docx"
    assert source_name("plain.txt") == "plain.txt"


@pytest.mark.parametrize("config, headers", [
    ({}, {}),
    ({"PROXY_FIX": 1, "BASE_URL": "https://news.example/baogao"},
     {"X-Forwarded-Prefix": "/baogao", "X-Forwarded-Host": "news.example", "X-Forwarded-Proto": "https"}),
])
def test_a_permalink_made_from_the_requests_template_equals_url_for(make_app, sample_index, sample_engine, config,
                                                                    headers):
    """permalink() puts each id into one url_for answer per request: it must quote as the route does."""
    from flask import url_for

    from web.urls import absolute_url, permalink

    snap = sample_engine.snapshot()
    odd = ["a b", "中文段落", "x?y#z", "100%", "a/b", "~é", "a+b(c)", "a=b;c!@$"]
    pids = [snap.paragraph_ids[i] for i in range(snap.n)] + odd
    app = make_app(sample_index, **config)
    with app.test_request_context("/search", headers=headers):
        for pid in pids:
            assert permalink(pid) == absolute_url("views.paragraph", paragraph_id=pid)
        assert permalink("中文段落").endswith(url_for("views.paragraph", paragraph_id="中文段落").split("/p/")[1])
