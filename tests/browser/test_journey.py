"""A journalist's journey in a real headless Chromium against the real server (``baogao serve``).

Search 项目为王, narrow to 河北省, open the hit, land on the marked paragraph,
copy its citation; walk a report's hits; and see that script in a report or a
query stays text. Screenshots go to tests/output/ (gitignored) for a human look.
"""
from __future__ import annotations

import re
import urllib.request

import pytest

from tests.browser.conftest import XSS

expect = pytest.importorskip("playwright.sync_api", reason="Python playwright is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server["base"])
    pg = context.new_page()
    pg.dialogs = []
    pg.errors = []

    def on_dialog(d):
        pg.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()
    assert not pg.dialogs, f"a dialog fired: {pg.dialogs}"
    assert not pg.errors, f"script errors: {pg.errors}"


def test_search_narrow_open_and_cite(page, server, output_dir):
    page.goto(server["base"] + "/")
    page.fill("#q", "项目为王")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert page.locator(".report-group").count() >= 3
    assert "段命中" in page.locator(".summary .total").inner_text()

    page.locator(".facet-region a", has_text="河北省").click()
    page.wait_for_url(re.compile(r"province="))
    regions = page.locator(".report-group .region").all_inner_texts()
    assert regions and all(r.startswith("河北省") for r in regions)
    assert page.locator("#q").input_value() == "项目为王"
    assert page.locator(".facet-region li.selected", has_text="河北省").count() == 1
    page.screenshot(path=str(output_dir / "search.png"), full_page=True)

    # the Traditional-script 霸州 report: the query is marked in its own characters
    first = page.locator(".report-group", has_text="2021年霸州市政府工作报告").locator("li.hit").first
    href = first.locator("a", has_text="在报告中查看").get_attribute("href")
    pid = href.split("#p-")[1]
    first.locator("a", has_text="在报告中查看").click()
    page.wait_for_url(re.compile(r"/r/"))
    target = page.locator(f"#p-{pid}")
    assert page.evaluate("location.hash") == f"#p-{pid}"
    assert target.evaluate("el => el.matches(':target')")
    mark = target.locator("mark").first
    assert mark.inner_text() == "項目為王"
    box, viewport = mark.bounding_box(), page.viewport_size
    assert box and 0 <= box["y"] <= viewport["height"], "the marked paragraph is in view"

    button = target.locator("button.copy-cite").first  # the plain form; the GB/T 7714 one follows
    assert button.is_visible()
    button.click()
    expect(button).to_have_text("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("《") and "河北省" in copied and copied.endswith(f"/p/{pid}")
    assert re.search(r"，第\d+段，访问于\d{4}-\d{2}-\d{2}，http://127\.0\.0\.1:\d+/p/", copied)  # the bound address
    gbt = target.locator("button.copy-cite").nth(1)  # the same paragraph in GB/T 7714-2015 form
    gbt.click()
    expect(gbt).to_have_text("已复制")
    reference = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(r"霸州市人民政府\. 2021年霸州市政府工作报告\[R/OL\]\. \(2021\)\[\d{4}-\d{2}-\d{2}\]\. "
                        rf"http://127\.0\.0\.1:\d+/p/{pid}\.", reference), reference
    page.screenshot(path=str(output_dir / "reader.png"))

    # the permalink in the citation resolves to the same paragraph
    page.goto(copied.rsplit("，", 1)[1])
    assert page.evaluate("location.hash") == f"#p-{pid}"


def test_next_and_previous_hit_walk_the_report(page, server, output_dir):
    page.goto(server["base"] + "/r/2021-湖南省?q=营商环境")
    hits = page.locator(".para.hit")
    n = hits.count()
    assert n >= 2
    page.click("button[data-hitnav='1']")
    assert page.evaluate("location.hash") == "#" + hits.nth(0).get_attribute("id")
    page.click("button[data-hitnav='1']")
    assert page.evaluate("location.hash") == "#" + hits.nth(1).get_attribute("id")
    assert page.locator(".hitpos").inner_text() == f"第 2 / {n} 处"
    page.click("button[data-hitnav='-1']")
    assert page.evaluate("location.hash") == "#" + hits.nth(0).get_attribute("id")
    assert "current" in hits.nth(0).get_attribute("class")
    page.screenshot(path=str(output_dir / "reader_hits.png"))


def test_script_in_a_report_and_in_a_query_stays_text(page, server, output_dir):
    page.goto(server["base"] + "/search?q=" + urllib.request.quote(XSS))
    assert page.locator("#q").input_value() == XSS
    page.goto(server["base"] + "/search?q=" + urllib.request.quote(f'"{XSS}"'))
    assert page.locator(".snippet", has_text=XSS).count() == 1
    assert page.locator(".report-group h2", has_text=f"脚本测试{XSS}报告").count() == 1
    page.locator(".report-group h2 a").first.click()
    page.wait_for_url(re.compile(r"/r/"))
    assert page.locator(".ptext mark", has_text=XSS).count() == 1
    assert page.locator("h1", has_text=XSS).count() == 1
    page.screenshot(path=str(output_dir / "xss.png"))
