"""bench.size_chart: p95 and memory against corpus size, as an SVG drawn from result files of python -m bench."""
import json
import xml.etree.ElementTree as ET
from collections import Counter

from bench import size_chart

SVG = "{http://www.w3.org/2000/svg}"
SERIES = ("baogao-all", "scan-all", "baogao-word", "scan-word", "server-rss", "indexing-rss", "raw-text")


def run(name: str, chars: int, *, baogao_all: float, scan_all: float, server: float | None = 400.0) -> dict:
    """A run as python -m bench writes it, with only the figures the chart reads."""
    r = {
        "name": name,
        "characters": chars,
        "raw_utf8_bytes": chars * 3,
        "indexing": {"baogao": {"peak_rss_mb": chars / 10_000}},
        "latency_ms": {"baogao": {"all": {"p95": baogao_all}, "word": {"p95": baogao_all * 3}},
                       "scan": {"all": {"p95": scan_all}, "word": {"p95": scan_all * 1.1}}},
    }
    if server is not None:
        r["server_rss_mb"] = server
    return r


def write(path, runs) -> str:
    path.write_text(json.dumps({"runs": runs}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def points(svg: str) -> Counter:
    root = ET.fromstring(svg)
    return Counter(c.get("data-series") for c in root.iter(f"{SVG}circle") if c.get("class") == "point")


def test_one_point_per_run_per_series_in_a_document_that_parses(tmp_path):
    runs = [run("corpus", 2_400_000, baogao_all=3.0, scan_all=3.3),
            run("scaled-20M", 19_400_000, baogao_all=10.4, scan_all=26.6),
            run("scaled-100M", 97_000_000, baogao_all=43.6, scan_all=136.7)]
    out = tmp_path / "chart.svg"
    assert size_chart.main([write(tmp_path / "bench.json", runs), "--out", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert points(svg) == Counter({key: 3 for key in SERIES})
    # accessible: a title, and a description holding the figures
    title, desc = root.find(f"{SVG}title").text, root.find(f"{SVG}desc").text
    assert "p95" in title and "内存" in title
    assert "scaled-100M（97M 字）43.6" in desc and "扫描，全部查询" in desc
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"2M", "20M", "100M", "1亿"} <= texts


def test_a_figure_a_run_lacks_has_no_point_and_a_later_file_only_adds_sizes(tmp_path):
    first = write(tmp_path / "bench.json", [run("corpus", 2_400_000, baogao_all=3.0, scan_all=3.3),
                                            run("scaled-100M", 97_000_000, baogao_all=43.6, scan_all=136.7,
                                                server=None)])
    # a 500M run kept in a file of its own, with a 100M run of its own that does not replace the main file's
    extra = write(tmp_path / "bench-500M.json", [run("scaled-500M", 480_000_000, baogao_all=90.0, scan_all=700.0),
                                                 run("scaled-100M", 97_000_000, baogao_all=40.0, scan_all=130.0,
                                                     server=None)])
    runs = size_chart.load_runs([first, extra])
    assert [r["name"] for r in runs] == ["corpus", "scaled-100M", "scaled-500M"]
    assert runs[1]["latency_ms"]["baogao"]["all"]["p95"] == 43.6
    svg = size_chart.size_chart_svg(runs)
    counted = points(svg)
    assert counted["server-rss"] == 2 and counted["baogao-all"] == 3
    assert "500M" in {t.text for t in ET.fromstring(svg).iter(f"{SVG}text")}


def test_no_runs_is_a_clear_error(tmp_path, capsys):
    assert size_chart.main([write(tmp_path / "empty.json", []), "--out", str(tmp_path / "c.svg")]) == 1
    assert size_chart.main([str(tmp_path / "missing.json"), "--out", str(tmp_path / "c.svg")]) == 2
    assert "无法读取基准结果" in capsys.readouterr().err
    assert not (tmp_path / "c.svg").exists()


def test_a_scaled_run_near_the_corpus_size_replaces_the_corpus_run(tmp_path):
    runs = [run("corpus", 2_400_000, baogao_all=3.0, scan_all=3.3),
            run("scaled-20M", 19_400_000, baogao_all=10.4, scan_all=26.6)]
    alone = write(tmp_path / "bench.json", runs)
    assert [r["name"] for r in size_chart.load_runs([alone])] == ["corpus", "scaled-20M"]
    with_2m = write(tmp_path / "bench-2M.json", [run("scaled-2M", 1_940_000, baogao_all=2.5, scan_all=3.0)])
    assert [r["name"] for r in size_chart.load_runs([alone, with_2m])] == ["scaled-2M", "scaled-20M"]


def test_sizes_in_chinese_units_never_use_an_exponent():
    assert [size_chart.size_label_zh(x) for x in (2e6, 1e7, 2e7, 5e7, 1e8, 5e8, 1.5e9, 19_755_805)] == \
        ["200万", "1000万", "2000万", "5000万", "1亿", "5亿", "15亿", "1980万"]
