"""index: files → reports → paragraphs → a generation of the index on disk.

:func:`index.build.build` is the one way to index a set of paths. Data passes
through the modules in this order:

* :mod:`index.sources` reads a path (txt in any common encoding, docx, html,
  pdf; scanned pages and images through :mod:`index.ocr`) into
  :class:`~index.report.RawReport` objects, splitting files that hold several
  reports;
* :mod:`index.clean` removes page chrome and re-splits collapsed paragraphs;
* :mod:`index.normalise` repairs display text and folds it into search text;
* :mod:`index.sections` gives each paragraph its heading path and category;
* :mod:`index.regions`, :mod:`index.years` and :mod:`index.titles` find the
  metadata with evidence, :mod:`index.overrides` applies a user's corrections;
* :mod:`index.assemble` runs those steps and makes the stable identifiers;
* :mod:`index.analysis` and :mod:`index.schema` define what Whoosh indexes, and
  :mod:`index.writer` writes it in generations that never lose the previous one,
  each with its paragraph columns (:mod:`index.columns`) and frequent postings
  (:mod:`index.postings`), carried forward from the previous generation
  (:mod:`index.carry`);
* :mod:`index.whoosh_internals` is the only module that touches Whoosh's
  private code.

This package imports nothing from :mod:`search` or :mod:`web`.
"""
