"""search: query text → exact results, facets, snippets and insights. No Flask here.

* :mod:`search.query` (with :mod:`search.query_tree`) parses the query language into a small tree;
* :mod:`search.snapshot` is one index generation in memory (rows, columns, records of
  :mod:`search.records`), taken once per request;
* :mod:`search.evaluation` finds candidates through the rarest bigram and verifies
  them against the search text; :mod:`search.ranking` orders them (BM25);
  :mod:`search.results` counts facets and cuts pages and groups;
* :mod:`search.snippets` cuts fragments around the matched text and marks it;
* :mod:`search.facets` turns facet counts into view models for pages;
* :mod:`search.spread`, :mod:`search.similar`, :mod:`search.trends`,
  :mod:`search.targets` (with :mod:`search.figures`), :mod:`search.scorecard` and
  :mod:`search.diff` (with :mod:`search.new_phrases`) answer the insight pages.

The CLI and the web app both call :class:`search.engine.Engine`, the door to these.
"""
