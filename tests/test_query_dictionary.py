"""The query side's compact jieba dictionary (index.analysis.QueryDictionary)."""
import random
import subprocess
import sys

import numpy as np

from index import analysis
from index.assemble import parse_path
from tests.conftest import ROOT, SAMPLE


def _sample_texts() -> list[str]:
    return [p.search_text for f in sorted(SAMPLE.glob("*.txt")) for r in parse_path(f) for p in r.paragraphs]


def test_its_cut_equals_jiebas_on_spans_of_the_sample_that_queries_are_made_of():
    """Pasted passages and typed phrases are spans of report text: the cut must be jieba's, word for word,
    or BM25 would look up words the index never saw."""
    qd = analysis.query_dictionary()
    tk = analysis.jieba_tokenizer()
    rng = random.Random(7)
    texts = _sample_texts()
    spans = []
    for text in texts:
        for _ in range(4):
            a = rng.randrange(len(text))
            spans.append(text[a : a + rng.randint(2, 60)])
    spans += ["乾务镇", "AT&T公司", "B超检查", "5G+工业互联网", "一带一路", "放管服改革", "新质生产力", "项目为王"]
    assert len(spans) > 2000
    differ = [s for s in spans if list(qd.cut(s)) != list(tk.cut(s, HMM=True))]
    assert differ == []


def test_the_cached_dictionary_is_the_one_read_from_jiebas_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BAOGAO_CACHE_DIR", str(tmp_path))
    made = analysis.QueryDictionary.load()  # made and saved
    assert (tmp_path / analysis.query_dictionary_file()).exists()
    assert "jieba-next" in analysis.query_dictionary_file()
    loaded = analysis.QueryDictionary.load()  # read back
    assert np.array_equal(made.keys, loaded.keys) and np.array_equal(made.counts, loaded.counts)
    assert (made.total, made.longest) == (loaded.total, loaded.longest)
    assert np.all(np.diff(loaded.keys.astype(np.uint64)) > 0)  # sorted, no two words on one key
    assert list(loaded.cut("深化放管服改革，坚持项目为王")) == ["深化", "放管服", "改革", "，", "坚持", "项目", "为", "王"]


def test_searching_never_loads_jiebas_full_dictionary(sample_index):
    """A server process cuts only queries: jieba's 120 MB dictionary stays out of it."""
    code = (
        "import sys\n"
        "from index import analysis\n"
        "from search.engine import Engine, SearchRequest\n"
        "e = Engine(sys.argv[1])\n"
        "assert e.search(SearchRequest(q='深化放管服改革')).total >= 0\n"
        "assert e.search(SearchRequest(q='项目为王 OR 营商环境', sort='relevance')).total >= 0\n"
        "print(analysis.jieba_tokenizer.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(sample_index)], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "0"
