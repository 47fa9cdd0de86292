"""Every URL the app hands out, and what a page may say about where a report came from.

Vocabulary:

* a **link** is a path without scheme or host (``/r/2021-河北省-廊坊市-霸州市``);
  pages link with links, so they work under any host name.
* the **base URL** is ``BAOGAO_BASE_URL`` (``baogao serve --base-url``), for
  example ``https://baogao.example.org`` or ``https://news.example/baogao``: the
  address readers use. Without it, the **bound URL** — ``http://HOST:PORT``
  that ``baogao serve`` listens on (config ``BOUND_URL``, default
  ``http://127.0.0.1:5000``) — stands in.
* an **absolute URL** is the base (or bound) URL followed by a link. Citations,
  feeds, CSV and JSON carry absolute URLs. They never come from the request:
  a forged ``Host`` header cannot put another site's address into a citation.
* **behind a proxy** (``BAOGAO_PROXY_FIX=1``, ``baogao serve --behind-proxy``)
  the app trusts one proxy's ``X-Forwarded-For/-Proto/-Host/-Prefix``
  (werkzeug's ``ProxyFix``): links then carry the proxy's path prefix. Without
  it those headers are ignored.
* a **source name** is the file name of a report's source
  (``000_1ebb74cc993d5f7f.txt``, ``…txt#2`` for the second report of a file);
  pages and downloads show it, never the server's path.
"""
from __future__ import annotations

import logging
from pathlib import PurePosixPath

from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_app_context, has_request_context, request, url_for

__all__ = ["BadBaseURL", "DEFAULT_BOUND_URL", "base_url", "link", "absolute_url", "permalink", "report_url",
           "report_link", "search_link", "source_name", "without_paths", "install"]

log = logging.getLogger(__name__)



class BadBaseURL(ValueError):
    """``BAOGAO_BASE_URL`` is not an http(s) address (raised when the app is made)."""


DEFAULT_BOUND_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """The configured base URL, else the bound one, without a trailing ``/``."""
    cfg = current_app.config
    return str(cfg.get("BASE_URL") or cfg.get("BOUND_URL") or DEFAULT_BOUND_URL).rstrip("/")


def link(endpoint: str, **values) -> str:
    """A link (path and query, no host) to ``endpoint``; ``None`` values are left out."""
    return url_for(endpoint, **{k: v for k, v in values.items() if v is not None})


def absolute_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint``: base URL + link (the request's host is never used)."""
    path = link(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):
        path = path[len(root):]  # the base URL names the prefix the readers use
    return base_url() + path


_PERMALINK_MARK = "PARAGRAPHID"


def permalink(paragraph_id: str) -> str:
    """The absolute permalink of a paragraph (``…/p/<paragraph_id>``).

    ``url_for`` runs once per request (its answer for a marker id kept in
    ``flask.g``); each id then takes the marker's place, quoted as the route's
    converter quotes it. Per row, ``url_for`` was 17 % of exporting 213,817
    hits; a test holds both ways equal.
    """
    if not has_app_context():
        return absolute_url("views.paragraph", paragraph_id=paragraph_id)
    parts = g.get("_permalink_parts")
    if parts is None:
        head, _, tail = absolute_url("views.paragraph", paragraph_id=_PERMALINK_MARK).rpartition(_PERMALINK_MARK)
        quote_id = current_app.url_map.converters["default"](current_app.url_map).to_url
        parts = g._permalink_parts = (head, tail, quote_id)
    head, tail, quote_id = parts
    return head + quote_id(paragraph_id) + tail


def report_url(report_id: str) -> str:
    """The absolute URL of a report's reader page."""
    return absolute_url("views.report", report_id=report_id)


def report_link(report_id: str, q: str = "", paragraph_id: str | None = None) -> str:
    """A link to the reader (marking ``q`` if given), at a paragraph's anchor if given."""
    url = link("views.report", report_id=report_id, q=q or None)
    return url + (f"#p-{paragraph_id}" if paragraph_id else "")


def search_link(params: dict, endpoint: str = "views.search") -> str:
    """A link for the given search parameters (view models give parameters, not URLs)."""
    return link(endpoint, **params)


def source_name(source: str) -> str:
    """The file name of a source path (``/srv/corpus/seeds/000_x.txt#2`` → ``000_x.txt#2``)."""
    return PurePosixPath(str(source).replace("\\", "/")).name or str(source)


def without_paths(data):
    """JSON-like data with every ``sources`` list reduced to file names (answers never show server paths)."""
    if isinstance(data, dict):
        return {k: [source_name(s) for s in v] if k == "sources" and isinstance(v, list) else without_paths(v)
                for k, v in data.items()}
    if isinstance(data, list):
        return [without_paths(v) for v in data]
    return data


def install(app: Flask) -> None:
    """Check the base URL, trust a proxy's ``X-Forwarded-*`` headers if configured, add the template filter."""
    for key in ("BASE_URL", "BOUND_URL"):
        value = app.config.get(key)
        if value:
            parts = urlsplit(str(value))
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
                raise BadBaseURL(f"{key} 须是 http:// 或 https:// 开头的地址（可带路径），收到“{value}”")
    if _truthy(app.config.get("PROXY_FIX")):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)
        log.info("trusting X-Forwarded-* from one proxy")
    app.add_template_filter(source_name, "source_name")


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
