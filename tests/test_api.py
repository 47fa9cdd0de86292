"""The JSON API and the exports: shapes, errors, and CSV/JSON holding every hit."""
import csv
import io

import pytest

from search.engine import SearchRequest
from web.views import CSV_COLUMNS

HUNAN = "2021-湖南省"


def test_search_api_has_the_shape_shared_with_the_cli(client, sample_engine):
    data = client.get("/api/search", query_string={"q": "营商环境", "per_page": 5}).get_json()
    page = sample_engine.search(SearchRequest(q="营商环境", per_page=5))
    assert data == page.as_dict(lambda pid: f"http://baogao.test/p/{pid}") | {"took_ms": data["took_ms"]}
    assert set(data) == {"query", "total", "reports_total", "page", "per_page", "hits", "facets", "years", "took_ms",
                         "notices"}
    assert len(data["hits"]) == 5 and data["total"] == page.total
    hit = data["hits"][0]
    assert hit["url"] == f"http://baogao.test/p/{hit['paragraph_id']}"
    assert "<mark>营商环境</mark>" in hit["snippet_html"]
    assert {"value": "2024", "count": 3} in data["facets"]["year"]


def test_search_api_filters_and_pages(client):
    first = client.get("/api/search?q=营商环境&province=广东省&per_page=2").get_json()
    second = client.get("/api/search?q=营商环境&province=广东省&per_page=2&page=2").get_json()
    assert first["total"] == second["total"] == 7
    assert all(h["region"]["province"] == "广东省" for h in first["hits"] + second["hits"])
    assert not {h["paragraph_id"] for h in first["hits"]} & {h["paragraph_id"] for h in second["hits"]}


def test_a_query_error_is_400_json_with_message_and_position(client):
    resp = client.get("/api/search", query_string={"q": "营商环境 AND"})
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] and isinstance(body["position"], int)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"])


@pytest.mark.parametrize("query, status", [
    ("per_page=1000", 200),
    ("per_page=1001", 400),
    ("per_page=0", 400),
    ("page=-1", 400),
    ("page=x", 400),
    ("sort=random", 400),
])
def test_page_size_is_bounded_and_bad_values_are_400(client, query, status):
    resp = client.get(f"/api/search?q=发展&{query}")
    assert resp.status_code == status
    if status == 400:
        assert resp.get_json()["error"]


def test_reports_api_lists_every_report_without_internals(client, sample_engine):
    data = client.get("/api/reports").get_json()
    assert [r["report_id"] for r in data] == [r["report_id"] for r in sample_engine.reports()]
    one = next(r for r in data if r["report_id"] == HUNAN)
    assert "sketch" not in one
    assert one["region"]["province"] == "湖南省" and one["year"] == 2021 and one["speaker"] == "毛伟明"
    assert one["url"].startswith("http://baogao.test/r/")


def test_report_api_gives_paragraphs_with_permalinks(client, sample_engine):
    rec, paras = sample_engine.report(HUNAN)
    data = client.get(f"/api/reports/{HUNAN}").get_json()
    assert data["display_title"] == rec["display_title"]
    assert [p["text"] for p in data["paragraphs"]] == [p["text"] for p in paras]
    p = data["paragraphs"][5]
    assert p["url"] == f"http://baogao.test/p/{p['paragraph_id']}" and p["number"] == 6


@pytest.mark.parametrize("rid", ["2030-河北省", "x" * 500, "a<b>"])
def test_unknown_report_is_404_json(client, rid):
    resp = client.get(f"/api/reports/{rid}")
    assert resp.status_code == 404 and "error" in resp.get_json()


def test_stats_api_counts_what_is_indexed(client, sample_engine):
    data = client.get("/api/stats").get_json()
    assert data["reports"] == 14 and data["paragraphs"] == sample_engine.stats()["paragraphs"]
    assert data["years"] == [2021, 2024]


# -- exports ---------------------------------------------------------------------------


def read_csv(resp) -> list[dict]:
    raw = resp.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export_holds_every_hit_not_only_a_page(client):
    api = client.get("/api/search?q=发展&per_page=1000").get_json()
    resp = client.get("/search.csv?q=发展")
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    rows = read_csv(resp)
    assert api["total"] > 100 and len(rows) == api["total"]
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["paragraph_id"] for r in rows] == [h["paragraph_id"] for h in api["hits"]]
    for row, hit in zip(rows, api["hits"]):
        assert row["text"] == hit["text"]
        assert row["title"] == hit["title"] and row["section"] == hit["section"]
        assert row["province"] == (hit["region"]["province"] or "") and row["year"] == str(hit["year"])
        assert row["number"] == str(hit["number"]) and row["url"] == hit["url"]


def test_csv_export_keeps_filters_and_sort(client):
    rows = read_csv(client.get("/search.csv?q=营商环境&province=广东省&sort=oldest"))
    assert len(rows) == 7 and {r["province"] for r in rows} == {"广东省"}


def test_csv_keeps_text_with_quotes_and_commas_intact(client):
    rows = read_csv(client.get("/search.csv", query_string={"q": "“"}))
    assert rows and all("“" in r["text"] for r in rows)


def test_json_export_holds_every_hit(client, sample_engine):
    data = client.get("/search.json?q=发展").get_json()
    every = sample_engine.matching_paragraphs(SearchRequest(q="发展"))
    assert data["total"] == len(data["hits"]) == len(every)
    assert [h["paragraph_id"] for h in data["hits"]] == [h.paragraph_id for h in every]
    assert data["hits"][0]["url"].startswith("http://baogao.test/p/")


def test_exports_answer_a_bad_query_with_400(client):
    assert client.get('/search.csv?q="open').status_code == 400
    resp = client.get('/search.json?q="open')
    assert resp.status_code == 400 and resp.get_json()["error"]


def _rows_built(monkeypatch, module, name: str) -> list:
    """Count the calls of a row builder (to see when rows are made)."""
    built = []
    original = getattr(module, name)

    def counting(*args, **kwargs):
        built.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return built


def test_csv_export_streams_its_rows_as_they_are_built(client, monkeypatch):
    import web.views

    total = client.get("/api/search?q=发展&per_page=1").get_json()["total"]
    built = _rows_built(monkeypatch, web.views, "_csv_row")
    resp = client.get("/search.csv?q=发展", buffered=False)
    assert resp.headers["X-Total-Count"] == str(total)
    chunks = iter(resp.response)
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbf" if isinstance(first, bytes) else "\ufeff")
    assert built == [], "the header leaves before any row is built"
    rest = [next(chunks)]
    assert 0 < len(built) < total, "the first rows leave before the last row is built"
    rest += list(chunks)
    resp.close()
    raw = b"".join(c if isinstance(c, bytes) else c.encode() for c in [first, *rest])
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(built) == total


def test_json_export_streams_its_hits_as_they_are_built(client, monkeypatch):
    import json

    from search.engine import Hit

    total = client.get("/api/search?q=发展&per_page=1").get_json()["total"]
    built = _rows_built(monkeypatch, Hit, "as_dict")
    resp = client.get("/search.json?q=发展", buffered=False)
    chunks = iter(resp.response)
    first = next(chunks)
    assert built == [], "the head leaves before any hit is built"
    rest = [next(chunks)]
    assert 0 < len(built) < total, "the first hits leave before the last hit is built"
    rest += list(chunks)
    resp.close()
    data = json.loads(b"".join(c if isinstance(c, bytes) else c.encode() for c in [first, *rest]))
    assert data["total"] == len(data["hits"]) == len(built) == total
