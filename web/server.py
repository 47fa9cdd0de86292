"""Serving the app over HTTP: one process with threads, or several worker processes sharing the index.

Vocabulary:

* a **worker** is a process answering requests, each with ``threads``
  threads. With one worker the app is served by waitress in this process
  (as ``baogao serve`` always did, and on any platform); with more, gunicorn's
  master process forks them and restarts one that dies (Linux, macOS).
* the workers **share** the index: the engine is opened in the master before
  the fork (:func:`web.get_engine`), so each worker starts with it open and the
  first search is as fast as the second; the generation's columns and Whoosh
  segment are memory-mapped read-only, so the kernel holds one copy of their
  pages for every worker. Each worker's engine notices a new generation by
  itself at its next request, and maps that one.

:func:`serve` is the one call ``baogao serve`` makes; :class:`ServeError`
explains a bad option in Chinese.

Each process limits glibc's malloc to :data:`MALLOC_ARENAS` arenas
(:func:`limit_malloc_arenas`): by default every request thread gets an arena
of its own and keeps the memory it freed there, which at 100M characters made
a server's own memory grow by 110 MB over 33 searches on 8 threads (55 MB with
two arenas, measured with ``RssAnon``).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

from flask import Flask

from . import get_engine

__all__ = ["ServeError", "MAX_WORKERS", "MAX_THREADS", "DEFAULT_THREADS", "MALLOC_ARENAS", "serve", "check_count", "limit_malloc_arenas"]

log = logging.getLogger(__name__)


class ServeError(ValueError):
    """A serving option that cannot be used. Message in Chinese."""


MAX_WORKERS = 64
MAX_THREADS = 256
#: Threads per process unless ``--threads`` says otherwise. A streamed export holds its thread for the
#: whole download (213,817 hits of 发展 as JSON: 12 s alone, minutes under load), and a request that
#: finds every thread taken waits: at 100M, 16 load-test clients on 2 workers of 8 threads left a search
#: waiting over 30 s behind exports. With 16 per process no client of 16 ever waits for a thread.
DEFAULT_THREADS = 16
#: Seconds a worker may stay silent before gunicorn's master replaces it (threads keep it alive
#: while a long export streams).
WORKER_TIMEOUT = 120
#: glibc malloc arenas per process (``M_ARENA_MAX``); the default is 8 per core.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Limit this process's malloc arenas (glibc only; inherited by forked workers). True when set.

    Call it before the request threads start: a thread takes its arena when it first allocates.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return False
    return bool(mallopt(_M_ARENA_MAX, arenas))


def check_count(option: str, value: str | int, maximum: int) -> int:
    """``value`` as an integer 1..``maximum``; raises :class:`ServeError` naming ``option`` otherwise."""
    what = "进程数" if option == "--workers" else "线程数"
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ServeError(f"{option} 须为 1–{maximum} 的整数（{what}），收到“{value}”") from None
    if not 1 <= n <= maximum:
        raise ServeError(f"{option} 须为 1–{maximum} 的整数（{what}），收到 {n}")
    return n


def serve(app: Flask, *, host: str, port: int, workers: int = 1, threads: int = DEFAULT_THREADS) -> None:
    """Serve ``app`` on ``host:port`` until interrupted (see the module docstring)."""
    workers = check_count("--workers", workers, MAX_WORKERS)
    threads = check_count("--threads", threads, MAX_THREADS)
    limit_malloc_arenas()
    if workers == 1:
        from waitress import serve as waitress_serve

        _open_engine(app)
        waitress_serve(app, host=host, port=port, threads=threads, ident="baogao")
        return
    from gunicorn.app.base import BaseApplication

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": WORKER_TIMEOUT,
                "proc_name": "baogao",
                "preload_app": True,
                "accesslog": None,
                "loglevel": "warning",
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    _open_engine(app)
    # the objects made so far are shared with the workers: keep the collector from touching them,
    # so their pages stay shared rather than copied into each worker
    gc.collect()
    gc.freeze()
    _Gunicorn().run()


def _open_engine(app: Flask) -> None:
    """Open the app's engine now, not in the first request (an index that cannot be opened
    is reported by each request, as before)."""
    from search.engine import EngineError

    with app.app_context():
        try:
            get_engine()
        except EngineError as exc:
            log.warning("index not opened at start: %s", exc)
