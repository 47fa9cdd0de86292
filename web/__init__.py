"""The journalist's web app: search, facets, the report reader, permalinks, citations, export.

Vocabulary:

* the **app** is made by :func:`create_app`; its configuration comes from
  defaults, then ``BAOGAO_*`` environment variables (``BAOGAO_INDEX`` sets
  ``INDEX``), then the mapping given to :func:`create_app` (tests, ``baogao serve``).
* the **engine** (:class:`search.engine.Engine`) is opened once per app, on the
  first request that needs it, and shared by every thread (see :func:`get_engine`).
  The web layer holds no search logic: it turns URL parameters into a
  :class:`search.engine.SearchRequest` and the answer into pages.
* the **blueprints**: :mod:`web.views` (HTML pages and exports),
  :mod:`web.api` (JSON under ``/api``), :mod:`web.targets`, :mod:`web.scorecard`,
  :mod:`web.diff` and :mod:`web.insights`, whose routes live in :mod:`web.first`,
  :mod:`web.similar`, :mod:`web.trends` and :mod:`web.feed`. The pieces they
  share: :mod:`web.errors` answers 400/404/503 in Chinese and fetches a report
  or paragraph by id or answers 404; :mod:`web.urls` makes every URL the app
  hands out (absolute ones from ``BAOGAO_BASE_URL`` only, never from the
  request's ``Host``); :mod:`web.exports` writes every CSV (and streams the
  search exports); :mod:`web.chart` draws every chart; :mod:`web.params`
  reads URL parameters.
* every response carries **security headers**: a Content-Security-Policy that
  allows script, style and images only from the app itself (no inline script,
  no framing), ``nosniff`` and a strict referrer policy.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask, current_app

__all__ = ["create_app", "get_engine", "close_engine", "CONTENT_SECURITY_POLICY"]

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

_ENGINE_KEY = "baogao.engine"
_engine_lock = threading.Lock()


def create_app(test_config: dict | None = None) -> Flask:
    """The Flask app: defaults, then ``BAOGAO_*`` environment variables, then ``test_config``."""
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX="var/index",
        PER_PAGE=10,  # reports per search page
        JSON_AS_ASCII=False,
        BASE_URL=None,  # the address readers use (absolute URLs); see web.urls
        BOUND_URL=None,  # http://HOST:PORT of `baogao serve`, when no BASE_URL is set
        PROXY_FIX=False,  # trust one proxy's X-Forwarded-* headers
    )
    app.config.from_prefixed_env("BAOGAO")
    if test_config:
        app.config.from_mapping(test_config)
    app.config["INDEX"] = str(app.config["INDEX"])
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from . import api, diff, errors, insights, scorecard, targets, urls, views

    urls.install(app)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(targets.bp)
    app.register_blueprint(scorecard.bp)
    app.register_blueprint(insights.blueprint())
    app.register_blueprint(diff.bp)
    errors.register(app)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    log.debug("app created for index %s", Path(app.config["INDEX"]))
    return app


def get_engine():
    """The app's :class:`search.engine.Engine`, opened on first use; raises ``EngineError``."""
    app = current_app._get_current_object()
    engine = app.extensions.get(_ENGINE_KEY)
    if engine is None:
        with _engine_lock:
            engine = app.extensions.get(_ENGINE_KEY)
            if engine is None:
                from search.engine import Engine

                engine = Engine(app.config["INDEX"])
                app.extensions[_ENGINE_KEY] = engine
    return engine


def close_engine(app: Flask) -> None:
    """Close the app's engine, if one was opened (tests; a server just exits)."""
    engine = app.extensions.pop(_ENGINE_KEY, None)
    if engine is not None:
        engine.close()
