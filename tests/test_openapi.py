"""The OpenAPI 3.1 description at /api/openapi.json is kept true: every JSON route, its answers, schemathesis."""
import re
from urllib.parse import quote

import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from search.engine import SearchRequest
from web.openapi import DESCRIBED_PATHS, JSON_OPERATIONS, OPENAPI_VERSION

#: Examples per operation in the schemathesis run (10 operations, about 350 requests, some 15 s in all).
MAX_EXAMPLES = 50
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def doc(client):
    resp = client.get("/api/openapi.json", headers={"Host": "evil.example"})
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return resp.get_json()


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def validate(doc: dict, schema: dict, data) -> None:
    """Validate ``data`` against ``schema`` (whose ``$ref``s point into the document's components)."""
    jsonschema.Draft202012Validator({**schema, "components": doc["components"]}).validate(data)


def answer_schema(doc: dict, path: str, status: int) -> dict:
    return doc["paths"][path]["get"]["responses"][str(status)]["content"]["application/json"]["schema"]


def test_the_document_is_valid_openapi_3_1_with_valid_json_schemas_and_the_configured_server(doc):
    assert doc["openapi"] == OPENAPI_VERSION and doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": "http://baogao.test"}]  # the base URL, not the forged Host
    for name, schema in doc["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    schemathesis.openapi.from_dict(doc).validate()  # against the OpenAPI 3.1 meta-schema schemathesis ships


def test_every_json_route_is_described_and_nothing_else(app, doc):
    rules = {openapi_path(r.rule) for r in app.url_map.iter_rules()
             if r.rule.startswith("/api/") or r.rule in JSON_OPERATIONS}
    assert rules == set(doc["paths"])
    for rule in app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        if path in doc["paths"]:
            described = {p["name"] for p in doc["paths"][path]["get"]["parameters"] if p["in"] == "path"}
            assert described == set(rule.arguments), path


@pytest.fixture
def example_calls(sample_engine):
    """(path in the document, URL, expected status) covering every operation, its errors included."""
    pid = sample_engine.search(SearchRequest(q="项目为王")).hits[0].paragraph_id
    rid = "2021-湖南省"
    return [
        ("/api/search", "/api/search?q=营商环境&province=广东省&per_page=3", 200),
        ("/api/search", "/api/search", 200),
        ("/api/search", "/api/search?q=(项目 OR 投资", 400),
        ("/api/search", "/api/search?q=发展&page=99999", 400),
        ("/search.json", "/search.json?q=项目为王", 200),
        ("/api/reports", "/api/reports", 200),
        ("/api/reports/{report_id}", f"/api/reports/{quote(rid)}", 200),
        ("/api/reports/{report_id}", "/api/reports/2099-无此地", 404),
        ("/api/stats", "/api/stats", 200),
        ("/api/targets", "/api/targets", 200),
        ("/api/targets", "/api/targets?indicator=GDP&kind=target", 200),
        ("/api/targets", "/api/targets?kind=x", 400),
        ("/api/first", "/api/first?q=项目为王", 200),
        ("/api/first", "/api/first", 400),
        ("/api/similar/{paragraph_id}", f"/api/similar/{pid}?min=0.3", 200),
        ("/api/similar/{paragraph_id}", "/api/similar/0000000000000000", 404),
        ("/api/trends", "/api/trends?q=项目为王&q=营商环境", 200),
        ("/api/scorecard", "/api/scorecard", 200),
        ("/api/scorecard", "/api/scorecard?indicator=地区生产总值&year=2021", 200),
        ("/api/scorecard", "/api/scorecard?year=12", 400),
        ("/api/diff/{report_id}", f"/api/diff/{quote(rid)}", 200),
        ("/api/diff/{report_id}", f"/api/diff/{quote('2024-河北省-廊坊市')}?against={quote('2021-河北省-廊坊市-霸州市')}", 200),
        ("/api/diff/{report_id}", "/api/diff/2099-无此地", 404),
        ("/api/openapi.json", "/api/openapi.json", 200),
    ]


def test_answers_validate_against_their_schemas(client, doc, example_calls):
    covered = set()
    for path, url, status in example_calls:
        resp = client.get(url)
        assert resp.status_code == status, url
        described = doc["paths"][path]["get"]["responses"]
        assert str(status) in described, f"{url}: status {status} is not described"
        validate(doc, answer_schema(doc, path, status), resp.get_json())
        covered.add(path)
    assert covered == set(doc["paths"])


def test_a_wrong_answer_would_fail_validation(client, doc):
    """The schemas are not vacuous: a hit without its permalink or with a string year is rejected."""
    hit = client.get("/api/search?q=项目为王").get_json()["hits"][0]
    broken = [{k: v for k, v in hit.items() if k != "url"}, {**hit, "year": "2021"}, {**hit, "region": {}}]
    for bad in broken:
        with pytest.raises(jsonschema.ValidationError):
            validate(doc, {"$ref": "#/components/schemas/Hit"}, bad)


# -- schemathesis against the live app ---------------------------------------------------------
# Driven through hypothesis directly: schemathesis 4.32's lazy pytest loader needs a pytest-internal attribute
# that pytest 9 no longer has, so each operation's strategy is run inside an ordinary test.


@pytest.fixture
def real_values(sample_engine):
    """Values that find something in the sample, so that answers with bodies are checked too, not only errors."""
    pid = sample_engine.search(SearchRequest(q="项目为王")).hits[0].paragraph_id
    return {
        "/api/search": {"query": {"q": "发展"}},
        "/search.json": {"query": {"q": "项目为王"}},
        "/api/reports/{report_id}": {"path_parameters": {"report_id": "2021-湖南省"}},
        "/api/first": {"query": {"q": "项目为王"}},
        "/api/similar/{paragraph_id}": {"path_parameters": {"paragraph_id": pid}},
        "/api/trends": {"query": {"q": ["项目为王", "营商环境"]}},
        "/api/targets": {"query": {"indicator": "地区生产总值"}},
        "/api/scorecard": {"query": {"indicator": "地区生产总值"}},
        "/api/diff/{report_id}": {"path_parameters": {"report_id": "2024-河北省-廊坊市"},
                                  "query": {"against": "2021-河北省-廊坊市-霸州市"}},
    }


@pytest.fixture(scope="module")
def live_app(sample_index):
    """One app for the whole run (opening the engine once)."""
    from web import close_engine, create_app

    app = create_app({"TESTING": True, "INDEX": str(sample_index), "BASE_URL": "http://baogao.test"})
    yield app
    close_engine(app)


@pytest.mark.parametrize("path", DESCRIBED_PATHS)
def test_schemathesis_finds_no_server_error_and_no_answer_off_its_schema(live_app, path, real_values):
    operation = schemathesis.openapi.from_wsgi("/api/openapi.json", live_app)[path]["GET"]
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    if path in real_values:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, **real_values[path]))
    statuses = []

    @given(case=st.one_of(strategies))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def probe(case):
        response = case.call_and_validate(checks=CHECKS)
        statuses.append(response.status_code)

    probe()
    assert statuses and max(statuses) < 500
    assert 200 in statuses, f"{path}: no successful answer was checked ({sorted(set(statuses))})"
