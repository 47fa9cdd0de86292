"""Error pages: what a journalist sees when something cannot be answered.

* **400** — a query the parser cannot understand (:class:`search.query.QueryError`)
  or a parameter that cannot be used (:class:`web.params.BadParameter`). The search
  page handles its own query errors (it keeps the query in the box); this is the
  fallback for other pages.
* **404** — an unknown or malformed report or paragraph id, or any unknown URL:
  a Chinese page with a link back to search, never a stack trace. Every view
  that opens a report or a paragraph by id goes through :func:`fetch_or_404`
  (:func:`report_or_404`, :func:`paragraph_or_404`): the id's form is checked,
  then the index is asked, and :class:`MissingPage` answers what it lacks.
* **503** — the index cannot be opened (:class:`search.engine.EngineError`).
* **500** — anything else: a short apology; the details go to the log.

Under ``/api`` every error is JSON: ``{"error": message}`` (plus ``position`` for
query errors).
"""
from __future__ import annotations

import logging
from typing import Callable, TypeVar

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search.engine import EngineError, NotFound
from search.snapshot import Snapshot
from search.query import QueryError

from .params import BadParameter, valid_paragraph_id, valid_report_id

__all__ = ["register", "MissingPage", "fetch_or_404", "report_or_404", "paragraph_or_404"]

log = logging.getLogger(__name__)


class MissingPage(Exception):
    """A report or paragraph the index does not hold (or an id that cannot be one); answered with 404."""

    def __init__(self, what: str, ident: str):
        self.what = what
        self.ident = ident
        super().__init__(f"{what} {ident}")


T = TypeVar("T")


def fetch_or_404(what: str, ident: str, valid: Callable[[str], bool], lookup: Callable[[str], T]) -> T:
    """``lookup(ident)``, or :class:`MissingPage` (404) for an id that cannot be one or that the index lacks.

    ``what`` names the thing in Chinese (报告, 段落); ``valid`` checks the id's
    form before the index is asked; ``lookup`` raises
    :class:`search.engine.NotFound` naming the id it could not find (which may
    be another one, as for a comparison's second report).
    """
    if not valid(ident):
        raise MissingPage(what, ident[:80])
    try:
        return lookup(ident)
    except NotFound as exc:
        raise MissingPage(what, str(exc.args[0]) if exc.args else ident) from None


def report_or_404(report_id: str, snap: Snapshot | None = None) -> tuple[dict, list[dict]]:
    """(record, paragraphs) of a report in ``snap`` (else the engine's current snapshot), or 404
    (:func:`fetch_or_404`)."""
    from . import get_engine

    return fetch_or_404("报告", report_id, valid_report_id, lambda rid: get_engine().report(rid, snap))


def paragraph_or_404(paragraph_id: str) -> tuple[dict, dict]:
    """(report record, paragraph) of a paragraph id, or 404 (:func:`fetch_or_404`)."""
    from . import get_engine

    return fetch_or_404("段落", paragraph_id, valid_paragraph_id, get_engine().paragraph)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def _page(status: int, title: str, message: str, **extra):
    return render_template("error.html", status=status, title=title, message=message, **extra), status


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(QueryError)
    def query_error(exc: QueryError):
        if _wants_json():
            return jsonify({"error": exc.message, "position": exc.position}), 400
        return _page(400, "检索式有误", str(exc), query=request.args.get("q", ""))

    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter):
        if _wants_json():
            return jsonify({"error": exc.message, "parameter": exc.name}), 400
        return _page(400, "参数有误", exc.message, query=request.args.get("q", ""))

    @app.errorhandler(MissingPage)
    def missing(exc: MissingPage):
        if _wants_json():
            return jsonify({"error": f"索引中没有{exc.what}：{exc.ident}"}), 404
        return _page(404, f"找不到这个{exc.what}",
                     f"索引中没有{exc.what}“{exc.ident}”。它可能已从索引中删除，或链接不完整。", ident=exc.ident)

    @app.errorhandler(NotFound)
    def engine_not_found(exc: NotFound):
        ident = str(exc.args[0]) if exc.args else ""
        if _wants_json():
            return jsonify({"error": f"索引中没有：{ident}"}), 404
        return _page(404, "找不到这个页面", f"索引中没有“{ident}”。", ident=ident)

    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError):
        log.error("index cannot be opened: %s", exc)
        if _wants_json():
            return jsonify({"error": str(exc)}), 503
        return _page(503, "索引暂时无法使用", str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        messages = {
            404: ("找不到这个页面", "这个地址不存在。请检查链接，或从检索页重新开始。"),
            405: ("不支持这种请求", "这个地址不接受这种请求方式。"),
            400: ("请求有误", "请求无法理解。"),
        }
        title, message = messages.get(status, ("出错了", exc.description or "请求无法完成。"))
        if _wants_json():
            return jsonify({"error": message}), status
        return _page(status, title, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        log.exception("unexpected error on %s", request.path)
        if _wants_json():
            return jsonify({"error": "服务器内部错误，详情见日志"}), 500
        return _page(500, "服务器出错了", "这个请求没能完成，详情已记入日志。请稍后重试。")
