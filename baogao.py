"""The ``baogao`` command: a thin shell over :mod:`index`, :mod:`search` and :mod:`web`.

    baogao index   [--index DIR] [--meta FILE.csv] [--wait SECONDS] PATH...
    baogao inspect [--meta FILE.csv] PATH... [--json]
    baogao reports [--index DIR] [--json]
    baogao paragraphs [--index DIR] [--jsonl]
    baogao search  [--index DIR] [filters] [--sort S] [--limit N] [--json] QUERY
    baogao serve   [--index DIR] [--host 127.0.0.1] [--port 5000] [--workers N] [--threads N] [--base-url URL] [--behind-proxy]
    baogao targets [--index DIR] [--province P] [--prefecture P] [--county C] [--level L] [--year Y]
                   [--indicator I] [--kind K] [--json]
    baogao scorecard [--index DIR] [--indicator I] [--year Y] [--province P] [--prefecture P] [--level L] [--json]
    baogao diff    [--index DIR] [--against REPORT_ID] [--json] REPORT_ID

Messages for people are Chinese and go to stderr; data goes to stdout.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from search.query import FILTER_NAMES

log = logging.getLogger("baogao")


class CommandError(Exception):
    """A command cannot go on; the message is shown to the user as is."""


def _index_dir(args) -> Path:
    from index.writer import default_index_dir

    return Path(args.index) if args.index else default_index_dir()


def _load_meta(path: str | None):
    if not path:
        return []
    from index.overrides import MetaFileError, load_overrides

    try:
        return load_overrides(path)
    except MetaFileError as exc:
        raise CommandError(f"--meta {path}：{exc}") from exc
    except OSError as exc:
        raise CommandError(f"无法读取 --meta 文件 {path}：{exc.strerror}") from exc


def _source_files(paths: list[str]) -> list:
    """Every file under the command line's paths; a missing path stops the command."""
    from index import sources

    try:
        return list(sources.iter_source_files(paths))
    except sources.SourceError as exc:
        raise CommandError(str(exc)) from exc


def _print_json(data) -> None:
    """Data as indented JSON on stdout (Chinese kept as is)."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    print()


def _permalink(paragraph_id: str) -> str:
    """A paragraph's permalink in JSON output: on ``$BAOGAO_BASE_URL``, else the default address of ``baogao serve``."""
    base = os.environ.get("BAOGAO_BASE_URL") or "http://127.0.0.1:5000"
    return f"{base.rstrip('/')}/p/{paragraph_id}"


def _progress(total: int, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="文件", file=sys.stderr, disable=None, dynamic_ncols=True, leave=True)


def _ocr_note(parsed) -> str | None:
    """The message for pages OCR could not read in a parsed file (a failed page costs that page only)."""
    failed = next((r.ocr["failed_pages"] for r in parsed.reports if r.ocr and r.ocr["failed_pages"]), None)
    if not failed:
        return None
    pages = "、".join(str(n) for n in failed)
    return f"注意  {parsed.path}：OCR 未能识别第 {pages} 页，这些页的文字缺失，其余各页已读入"


# -- index ---------------------------------------------------------------------------


class _BuildBar:
    """A progress bar on stderr for :func:`index.build.build`, one step per file."""

    def __init__(self):
        self.bar = None

    def start(self, files: int) -> None:
        self.bar = _progress(files, "索引")

    def file_done(self, parsed) -> None:
        self.bar.update(1)
        if parsed.problem:
            verb = "跳过" if parsed.problem.skipped else "失败"
            self.bar.write(f"{verb}  {parsed.path}：{parsed.problem.message}", file=sys.stderr)
        elif note := _ocr_note(parsed):
            self.bar.write(note, file=sys.stderr)

    def writing(self) -> None:
        self.close()
        print("正在写入并合并索引……", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def cmd_index(args) -> int:
    from index import sources
    from index.build import build
    from index.writer import IndexStoreError

    meta = _load_meta(args.meta)
    index_dir = _index_dir(args)
    try:
        summary = build(args.paths, index_dir, meta, _BuildBar(), workers=args.workers, wait=args.wait)
    except (sources.SourceError, IndexStoreError) as exc:
        raise CommandError(str(exc)) from exc
    s = summary
    print(
        f"完成：{s.files} 个文件，{s.reports} 篇报告（新增 {s.added}，更新 {s.replaced}，"
        f"未变 {s.unchanged}，重复 {s.duplicate}），{s.paragraphs} 段，"
        f"{s.characters:,} 字，用时 {s.seconds:.1f} 秒（{s.chars_per_second:,.0f} 字/秒），失败 {s.failures}，跳过 {s.skipped}",
        file=sys.stderr,
    )
    if args.json:
        print(json.dumps(s.as_dict(), ensure_ascii=False))
    return 1 if s.failures else 0


# -- inspect -------------------------------------------------------------------------


def cmd_inspect(args) -> int:
    from index.assemble import iter_parsed, report_as_dict

    meta = _load_meta(args.meta)
    files = _source_files(args.paths)
    failures = 0
    out = []
    for parsed in iter_parsed(files, meta):
        if parsed.problem:
            failures += 0 if parsed.problem.skipped else 1
            print(f"{'跳过' if parsed.problem.skipped else '失败'}  {parsed.path}：{parsed.problem.message}", file=sys.stderr)
            continue
        note = _ocr_note(parsed)
        if note:
            print(note, file=sys.stderr)
        for r in parsed.reports:
            if args.json:
                out.append(report_as_dict(r, paragraphs=not args.no_paragraphs))
            else:
                print(f"{r.report_id}\t{r.display_title}\t{r.region.display}\t{r.year or '未知'}\t{len(r.paragraphs)} 段\t{r.sources[0]}")
    if args.json:
        _print_json(out)
    return 1 if failures else 0


# -- reports / paragraphs ------------------------------------------------------------------


def _engine(args):
    from search.engine import Engine, EngineError

    try:
        engine = Engine(_index_dir(args))
    except EngineError as exc:
        raise CommandError(str(exc)) from exc
    if engine.generation is None:
        raise CommandError(f"{_index_dir(args)} 还没有索引：先运行 baogao index PATH")
    return engine


def cmd_reports(args) -> int:
    engine = _engine(args)
    reports = engine.reports(evidence=args.json)
    if args.json:
        _print_json(reports)
    else:
        for r in reports:
            print(f"{r['report_id']}\t{r['display_title']}\t{r['region_display']}\t{r.get('year') or '未知'}\t{r['paragraphs']} 段")
    return 0


def cmd_paragraphs(args) -> int:
    engine = _engine(args)
    for r in engine.reports():
        _, paras = engine.report(r["report_id"], evidence=False)
        for p in paras:
            rec = {"report_id": p["report_id"], "paragraph_id": p["paragraph_id"], "number": p["number"],
                   "section": p["section"], "section_category": p["section_category"], "text": p["text"]}
            if p.get("ocr_confidence") is not None:  # read from a page image by OCR
                rec["ocr_confidence"] = p["ocr_confidence"]
            print(json.dumps(rec, ensure_ascii=False) if args.jsonl else f"{p['paragraph_id']}\t{p['text']}")
    return 0


# -- search ----------------------------------------------------------------------------


def cmd_search(args) -> int:
    from search.engine import SearchRequest
    from search.query import QueryError

    engine = _engine(args)
    req = SearchRequest(q=" ".join(args.query), province=args.province, prefecture=args.prefecture,
                        county=args.county, year=args.year, level=args.level, section=args.section,
                        sort=args.sort, per_page=args.limit)
    try:
        page = engine.search(req)
    except QueryError as exc:
        raise CommandError(f"检索式有误：{exc}") from exc
    if args.json:
        _print_json(page.as_dict(_permalink))
        return 0
    import re

    for n in page.notices:
        print(f"注意：{n}", file=sys.stderr)
    print(f"共 {page.total} 段，来自 {page.reports_total} 篇报告（{page.took_ms:.1f} 毫秒）")
    for h in page.hits:
        snippet = re.sub(r"</?mark>", lambda m: "【" if m.group(0) == "<mark>" else "】", h.snippet_html)
        import html as _html

        print(f"\n{h.title}｜{h.region.display}｜{h.year or '未知'}年｜第{h.number}段｜{h.section or '（无章节）'}")
        print(f"  {_html.unescape(snippet)}")
        print(f"  /p/{h.paragraph_id}")
    return 0


# -- targets ---------------------------------------------------------------------------


def cmd_targets(args) -> int:
    from search.query import level_name
    from search.targets import INDICATORS, KIND_LABELS, filter_rows, indicator_name, targets_for_engine

    if args.indicator and indicator_name(args.indicator) is None:
        raise CommandError(f"指标“{args.indicator}”无法识别：可用 {'、'.join(INDICATORS)}")
    level = level_name(args.level) if args.level else None
    if args.level and level is None:
        raise CommandError(f"级别“{args.level}”无法识别：可用 national/province/prefecture/county 或 全国/省级/地级/县级")
    engine = _engine(args)
    rows = filter_rows(targets_for_engine(engine), indicator=args.indicator, province=args.province,
                       prefecture=args.prefecture, county=args.county, level=level,
                       year=args.year, kind=args.kind)
    if args.json:
        body = {"total": len(rows), "reports": len({r.report_id for r in rows}),
                "rows": [r.as_dict(_permalink(r.paragraph_id)) for r in rows]}
        _print_json(body)
        return 0
    for r in rows:
        print(f"{r.region.display}\t{r.year or '未知'}\t{r.indicator}\t{r.display}\t{KIND_LABELS[r.kind]}\t/p/{r.paragraph_id}")
    print(f"共 {len(rows)} 项，来自 {len({r.report_id for r in rows})} 篇报告", file=sys.stderr)
    return 0


def cmd_scorecard(args) -> int:
    from search.scorecard import ScorecardError, scorecard

    engine = _engine(args)
    try:
        card = scorecard(engine, indicator=args.indicator, year=args.year, province=args.province,
                         prefecture=args.prefecture, level=args.level)
    except ScorecardError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        _print_json(card.as_dict(_permalink))
        return 0
    for s in card.lines:
        result = s.result.display if s.result else "—"
        print(f"{s.region.display}\t{s.year}\t{s.indicator}\t目标 {s.target.display}\t结果 {result}\t{s.explanation}"
              f"\t/p/{s.target.paragraph_id}" + (f" /p/{s.result.paragraph_id}" if s.result else ""))
    print(card.summary, file=sys.stderr)
    return 0


# -- diff ------------------------------------------------------------------------------


def cmd_diff(args) -> int:
    from search.diff import DiffError, report_diff
    from search.engine import NotFound

    try:
        d = report_diff(_engine(args), args.report_id, against=args.against)
    except NotFound as exc:
        raise CommandError(f"索引中没有报告：{exc.args[0]}（baogao reports 列出全部报告编号）") from exc
    except DiffError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        _print_json(d.as_dict(_permalink))
        return 0
    if d.previous is None:
        print(d.message, file=sys.stderr)
        return 0
    print(f"{d.report['display_title']} 对照 {d.previous['display_title']}")
    for label, phrases in (("新提法", d.new_phrases), ("不再提", d.dropped_phrases)):
        print(f"\n{label}（{len(phrases)}）")
        for p in phrases:
            print(f"  {p.text}\t第{p.number}段\t/p/{p.paragraph_id}")
    print(f"\n预期目标（{len(d.targets)}）")
    for t in d.targets:
        print(f"  {t.indicator}\t{t.current.display if t.current else '—'}\t{t.previous.display if t.previous else '—'}\t{t.label}")
    print(f"\n改写段落 {len(d.rewritten)} 段，未变 {d.unchanged} 段，新增 {d.added} 段，删去 {d.removed} 段")
    return 0


# -- serve -----------------------------------------------------------------------------


def serve_config(args, index_dir: Path) -> dict:
    """The app's configuration from ``baogao serve``'s options (the bound address, the base URL, the proxy)."""
    config: dict = {"INDEX": str(index_dir), "BOUND_URL": f"http://{args.host}:{args.port}"}
    if args.base_url:
        config["BASE_URL"] = args.base_url
    if args.behind_proxy:
        config["PROXY_FIX"] = True
    return config


def cmd_serve(args) -> int:
    from web import create_app
    from web.server import DEFAULT_THREADS, MAX_THREADS, MAX_WORKERS, ServeError, check_count, serve
    from web.urls import BadBaseURL

    index_dir = _index_dir(args)
    try:
        workers = check_count("--workers", args.workers, MAX_WORKERS)
        threads = DEFAULT_THREADS if args.threads is None else check_count("--threads", args.threads, MAX_THREADS)
        app = create_app(serve_config(args, index_dir))
    except (BadBaseURL, ServeError) as exc:
        raise CommandError(str(exc)) from None
    print(f"baogao 正在 http://{args.host}:{args.port}/ 提供服务（索引 {index_dir}，按 Ctrl-C 停止）", file=sys.stderr)
    if not app.config.get("BASE_URL") and args.host in ("0.0.0.0", "::", ""):
        print(f"baogao: 注意：引用与导出中的链接将是 http://{args.host}:{args.port}/…；"
              "请用 --base-url（或 BAOGAO_BASE_URL）指定读者访问的地址", file=sys.stderr)
    serve(app, host=args.host, port=args.port, workers=workers, threads=threads)
    return 0


# -- main ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="baogao", description="政府工作报告全文检索：精确短语、按地区与年份筛选。")
    p.add_argument("-v", "--verbose", action="store_true", help="显示调试信息")
    sub = p.add_subparsers(dest="command", required=True)

    def add_index_opt(sp):
        sp.add_argument("--index", help="索引目录（默认 $BAOGAO_INDEX 或 var/index）")

    region_help = {
        "province": "省份，如 河北 或 河北省；全国 指国务院报告",
        "prefecture": "地市，如 驻马店市",
        "county": "县、县级市、区，如 霸州市",
        "level": "级别：national/province/prefecture/county 或 全国/省级/地级/县级",
    }

    def add_region_opts(sp, *names):
        for name in names:
            sp.add_argument(f"--{name}", help=region_help[name])

    sp = sub.add_parser("index", help="把报告文件加入索引")
    add_index_opt(sp)
    sp.add_argument("--meta", help="更正元数据的 CSV（列：file, region, year）")
    sp.add_argument("--wait", type=float, default=0.0, help="另一个索引进程占用时最多等待的秒数")
    sp.add_argument("--json", action="store_true", help="最后输出 JSON 摘要")
    sp.add_argument("--workers", type=int, help="解析文件的进程数（默认 2，1 表示不用子进程）")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp.set_defaults(func=cmd_index)

    sp = sub.add_parser("inspect", help="只解析、不索引，查看 baogao 如何理解文件")
    sp.add_argument("--meta")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--no-paragraphs", action="store_true", help="JSON 中不含段落")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp.set_defaults(func=cmd_inspect)

    sp = sub.add_parser("reports", help="列出索引中的报告")
    add_index_opt(sp)
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_reports)

    sp = sub.add_parser("paragraphs", help="导出索引中的全部段落")
    add_index_opt(sp)
    sp.add_argument("--jsonl", action="store_true")
    sp.set_defaults(func=cmd_paragraphs)

    sp = sub.add_parser("search", help="检索")
    add_index_opt(sp)
    for name in FILTER_NAMES:
        sp.add_argument(f"--{name}", **({"help": "2021 或 2019-2023"} if name == "year" else {}))
    sp.add_argument("--sort", default="relevance", choices=["relevance", "newest", "oldest", "region"])
    sp.add_argument("--limit", type=int, default=10)
    sp.add_argument("--json", action="store_true")
    sp.add_argument("query", nargs="*", metavar="QUERY")
    sp.set_defaults(func=cmd_search)

    sp = sub.add_parser("targets", help="主要预期目标表：各报告的年度目标与上年完成情况")
    add_index_opt(sp)
    add_region_opts(sp, "province", "prefecture", "county", "level")
    sp.add_argument("--year", type=int, help="报告年份")
    sp.add_argument("--indicator", help="指标，如 地区生产总值、GDP、固定资产投资")
    sp.add_argument("--kind", choices=["target", "result"], help="target 年度目标，result 上年完成")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_targets)

    sp = sub.add_parser("scorecard", help="目标完成情况：当年报告的目标对照次年报告回顾的结果")
    add_index_opt(sp)
    sp.add_argument("--indicator", help="指标，如 地区生产总值、经济增长、GDP")
    sp.add_argument("--year", type=int, help="目标所属年份（即定目标的报告年份）")
    add_region_opts(sp, "province", "prefecture", "level")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_scorecard)

    sp = sub.add_parser("diff", help="今年有什么新提法：与同一地区上一篇报告比较")
    add_index_opt(sp)
    sp.add_argument("--against", help="改与这篇报告比较（报告编号）")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("report_id", metavar="REPORT_ID")
    sp.set_defaults(func=cmd_diff)

    sp = sub.add_parser("serve", help="启动网页界面（一个进程用 waitress，多个进程用 gunicorn）")
    add_index_opt(sp)
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=5000)
    sp.add_argument("--workers", default="1", help="进程数（默认 1；多个进程共享内存映射的索引）")
    sp.add_argument("--threads", help="每个进程的线程数（默认 16：每个流式导出占用一个线程直到下载完毕）")
    sp.add_argument("--base-url", help="读者访问的地址，如 https://baogao.example.org（引用、订阅、导出中的绝对链接；默认 $BAOGAO_BASE_URL，否则 http://HOST:PORT）")
    sp.add_argument("--behind-proxy", action="store_true", help="信任一层反向代理的 X-Forwarded-* 头（默认不信任）")
    sp.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except CommandError as exc:
        print(f"baogao: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("baogao: 已中断；索引保持原样", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
