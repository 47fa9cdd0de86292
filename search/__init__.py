"""search: query text → exact results, facets, snippets. No Flask here.

* :mod:`search.query` parses the query language into a small tree;
* :mod:`search.engine` finds candidates through the rarest bigram, verifies
  them against the text held in memory, ranks, counts facets and pages;
* :mod:`search.snippets` cuts fragments around the matched text and marks it;
* :mod:`search.facets` turns facet counts into view models for pages.

The CLI and the web app both call :class:`search.engine.Engine`.
"""
