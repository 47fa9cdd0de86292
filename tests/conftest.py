"""Shared fixtures: tiny inline indexes, and the bundled sample indexed once per session."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"

# jieba's dictionary cache goes under var/, never the system temp dir
os.environ.setdefault("BAOGAO_CACHE_DIR", str(ROOT / "var" / "cache"))


def make_report(texts, *, region=None, year=2021, title=None, source="inline.txt", traditional=False,
                sections=None, categories=None):
    """A Report built inline from paragraph texts (search text folded the real way)."""
    from index.assemble import paragraph_ids, report_id_for
    from index.normalise import fold_for_search
    from index.report import Paragraph, Region, Report

    region = region or Region("county", "河北省", "廊坊市", "霸州市", "131081")
    search = [fold_for_search(t, traditional=traditional) for t in texts]
    fp = hashlib.sha1("\n".join(search).encode()).hexdigest()
    ids = paragraph_ids(fp, search)
    paras = tuple(
        Paragraph(pid, i + 1, t, s,
                  section_path=tuple(sections[i]) if sections else (),
                  section_category=categories[i] if categories else "其他")
        for i, (pid, t, s) in enumerate(zip(ids, texts, search))
    )
    return Report(report_id_for(region, year, fp), region, year, title, None, None, (source,), paras,
                  fingerprint=fp, traditional=traditional)


def columns_from_reports(root, reports):
    """What the current generation of the index at ``root`` must hold in its columns, made without it: each
    live Whoosh document's report from Whoosh's ``report_id`` postings (its record's fingerprint names the
    report among ``reports``), its paragraph the report's next one in docnum order. Returns
    ``(ParagraphColumns, segments)``, the segments as the columns file lists them."""
    from index import schema
    from index.columns import ParagraphColumns, append_paragraph
    from index.whoosh_internals import leaf_segments
    from index.writer import IndexStore

    store = IndexStore(root)
    ix, records, _ = store.open_generation()
    by_fingerprint = {r.fingerprint: r for r in reports}
    cols = ParagraphColumns.empty()
    with ix.reader() as reader:
        paragraph_at = {}
        for rid, rec in records.items():
            report = by_fingerprint[rec["fingerprint"]]
            docnums = sorted(reader.postings(schema.REPORT_ID, rid).all_ids())
            assert len(docnums) == len(report.paragraphs), rid
            paragraph_at.update((d, (rid, report, p)) for d, p in zip(docnums, report.paragraphs))
        assert len(paragraph_at) == reader.doc_count()
        cols.docnum_to_row.extend([-1] * reader.doc_count_all())
        for d in sorted(paragraph_at):
            cols.docnum_to_row[d] = len(cols.texts)
            append_paragraph(cols, *paragraph_at[d])
        segments = [[s.segment_id, s.documents] for s in leaf_segments(reader)]
    return cols, segments


def assert_postings_complete(root) -> int:
    """Every term of every paragraph of the current generation at ``root``, answered through the engine's
    postings (a saved term from the saved file, any other from Whoosh), holds exactly the rows whose search
    text makes it (:func:`index.schema.paragraph_postings`, what the writer adds), a word with its frequency
    there; every term held by the threshold's rows is saved, and every saved term is held. A term a segment
    left out of Whoosh and the file lost would miss rows here. Returns how many terms were checked."""
    from collections import defaultdict

    from index import postings as P
    from index import schema
    from index.analysis import exact_vocabulary
    from search.engine import Engine

    engine = Engine(root)
    try:
        snap = engine.snapshot()
        vocabulary = exact_vocabulary()
        exact, words = defaultdict(list), defaultdict(lambda: ([], []))
        for row in range(snap.n):
            codes, ws, freqs = schema.paragraph_postings(snap.search[row])
            for c in sorted(set(codes)):
                exact[vocabulary[c].decode("utf-8")].append(row)
            for w, f in zip(ws, freqs):
                words[w.decode("utf-8")][0].append(row)
                words[w.decode("utf-8")][1].append(f)
        postings, frequent = snap.postings, snap.postings.frequent
        assert frequent is not None
        for term, rows in exact.items():
            assert postings.rows(schema.EXACT, term).tolist() == rows, term
        for word, (rows, freqs) in words.items():
            got_rows, got_freqs = postings.weighted(word)
            assert got_rows.tolist() == rows and got_freqs.tolist() == [min(f, 255.0) for f in freqs], word
        threshold = P.frequent_threshold(snap.n)
        held = {(schema.EXACT, t): len(r) for t, r in exact.items()}
        held.update({(schema.WORDS, w): len(r[0]) for w, r in words.items()})
        saved = set(frequent.terms())
        assert {key for key, n in held.items() if n >= threshold} <= saved
        assert all(held.get(key, 0) == frequent.df(*key) for key in saved)
        return len(held)
    finally:
        engine.close()


@pytest.fixture
def make_index(tmp_path):
    """Build an index directory from reports: ``make_index([report, ...]) -> Path``."""
    from index.writer import IndexStore

    def build(reports, root=None):
        root = Path(root or tmp_path / "index")
        with IndexStore(root).update() as up:
            for r in reports:
                up.add_report(r)
        return root

    return build


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory):
    """data/sample indexed through the whole pipeline, once per test session."""
    from index.build import build

    root = tmp_path_factory.mktemp("sample") / "index"
    summary = build([SAMPLE], root, workers=1)
    assert summary.failures == 0 and summary.reports > 0
    return root


@pytest.fixture(scope="session")
def sample_engine(sample_index):
    from search.engine import Engine

    engine = Engine(sample_index)
    yield engine
    engine.close()


# -- web app (tests/test_web.py, tests/test_api.py, tests/browser/) -----------------------


@pytest.fixture
def make_app():
    """``make_app(index_dir, **config) -> Flask app`` in testing mode; engines closed afterwards."""
    from web import close_engine, create_app

    apps = []

    def build(index_dir, **config):
        app = create_app({"TESTING": True, "INDEX": str(index_dir), "BASE_URL": "http://baogao.test", **config})
        apps.append(app)
        return app

    yield build
    for app in apps:
        close_engine(app)


@pytest.fixture
def app(make_app, sample_index):
    """The web app over the bundled sample."""
    return make_app(sample_index)


@pytest.fixture
def access_day(monkeypatch):
    """A fixed access date for citations and downloads (so a test never straddles midnight in China)."""
    import web.views

    monkeypatch.setattr(web.views, "access_date", lambda: "2030-01-02")
    return "2030-01-02"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
