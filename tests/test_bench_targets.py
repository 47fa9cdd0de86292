"""bench.targets: issue 10's target rows from one benchmark run's dict (met, not met, not measured)."""
import json

from bench import targets
from bench.targets import MET, NOT_MEASURED, NOT_MET, target_rows

CHARS = 100_000_000


def run_at_limits(**changes) -> dict:
    """A run of 100M characters whose every figure sits exactly on its target."""
    run = {
        "name": "scaled-100M",
        "characters": CHARS,
        "indexing": {"baogao": {"seconds": 200.0, "chars_per_second": 500_000, "peak_rss_mb": 2048,
                                "size_ratio": 1.5}},
        "open_seconds": 1.0,
        "cold_open": {"query": "发展", "first_search_ms": 12.5, "second_search_ms": 10.0},
        "server_rss_mb": 3 * CHARS / 1024 / 1024 + 300,
        "server_in_limit": {"p95_vs_scan": 0.15, "p95_ms": 16.5, "peak_mb": 586, "errors": 0, "wrong_totals": 0,
                            "oom_kills": 0},
        "latency_ms": {
            "scan": {"word": {"p95": 100.0}, "and": {"p95": 120.0}, "all": {"p95": 110.0}},
            "baogao": {"word": {"p95": 30.0, "p95_vs_scan": 0.3}, "and": {"p95": 36.0, "p95_vs_scan": 0.3},
                       "all": {"p95": 11.0, "p95_vs_scan": 0.1}},
            "http": {"all": {"p95": 16.5, "p95_vs_scan": 0.15}},
        },
        "exactness": {"baogao": {"recall": 1.0, "precision": 1.0}},
        "incremental": {"seconds": 10.0},
    }
    run.update(changes)
    return run


def verdicts(run: dict) -> dict[str, str]:
    return {r.key: r.verdict for r in target_rows(run)}


def test_every_target_of_the_issue_has_a_row():
    assert list(verdicts(run_at_limits())) == ["indexing_speed", "indexing_memory", "incremental", "server_memory",
                                               "server_in_limit", "open", "first_search", "p95_all", "p95_word", "p95_and", "p95_http",
                                               "index_size",
                                               "exactness"]


def test_a_figure_exactly_on_its_target_meets_it():
    assert set(verdicts(run_at_limits()).values()) == {MET}


def test_a_figure_just_past_its_target_does_not():
    run = run_at_limits(open_seconds=1.01, server_rss_mb=3 * CHARS / 1024 / 1024 + 301,
                        cold_open={"query": "发展", "first_search_ms": 12.6, "second_search_ms": 10.0},
                        exactness={"baogao": {"recall": 1.0, "precision": 0.9999}},
                        incremental={"seconds": 10.1})
    run["indexing"]["baogao"].update(chars_per_second=499_999, peak_rss_mb=2049, size_ratio=1.51)
    run["latency_ms"]["baogao"]["word"]["p95_vs_scan"] = 0.301
    run["latency_ms"]["baogao"]["and"]["p95_vs_scan"] = 0.31
    run["latency_ms"]["baogao"]["all"]["p95_vs_scan"] = 0.101
    run["latency_ms"]["http"]["all"]["p95_vs_scan"] = 0.151
    run["server_in_limit"]["p95_vs_scan"] = 0.151
    assert set(verdicts(run).values()) == {NOT_MET}


def test_the_server_inside_the_limit_must_also_stay_exact_and_alive():
    for fault in ("errors", "wrong_totals", "oom_kills"):
        run = run_at_limits()
        run["server_in_limit"][fault] = 1
        row = {r.key: r for r in target_rows(run)}["server_in_limit"]
        assert row.verdict == NOT_MET and f"1 {fault.replace('_', ' ')}" in row.figure.replace("OOM kills", "oom kills")
    row = {r.key: r for r in target_rows(run_at_limits())}["server_in_limit"]
    assert row.figure == "0.150× scan (16.5 ms), peak 586 MB, 0 errors, 0 wrong totals, 0 OOM kills"
    assert row.target == "within 586 MB (cgroup), exact, p95 ≤ 0.15× scan"


def test_absent_figures_are_not_measured_and_written_as_a_dash():
    run = run_at_limits()
    del run["incremental"], run["server_rss_mb"], run["latency_ms"]["http"], run["server_in_limit"]
    rows = {r.key: r for r in target_rows(run)}
    for key in ("incremental", "server_memory", "server_in_limit", "p95_http"):
        assert rows[key].verdict == NOT_MEASURED and rows[key].figure is None and rows[key].value is None
    assert rows["p95_all"].verdict == MET
    table = targets.format_rows("scaled-100M", list(rows.values()))
    assert "9 of 9 measured met, 4 not measured" in table
    assert "p95, HTTP first page" in table and "—" in table


def test_an_empty_run_measures_nothing():
    assert set(verdicts({"name": "scaled-2M"}).values()) == {NOT_MEASURED}


def test_the_incremental_figure_is_a_fraction_of_the_full_build():
    assert verdicts(run_at_limits(incremental={"fraction_of_full": 0.049}))["incremental"] == MET
    assert verdicts(run_at_limits(incremental={"fraction_of_full": 0.2}))["incremental"] == NOT_MET
    # against the incremental run's own full build when it gives one
    rows = {r.key: r for r in target_rows(run_at_limits(incremental={"seconds": 30.0, "full_seconds": 1000.0}))}
    assert rows["incremental"].verdict == MET and rows["incremental"].value == 0.03
    assert "30.0 s of 1000.0 s" in rows["incremental"].figure


def test_a_run_takes_the_incremental_figure_measured_on_its_own_corpus(tmp_path):
    path = tmp_path / "incremental.json"
    path.write_text(json.dumps({"corpus": "scaled-100M", "ratio": 0.0452, "full": {"seconds": 905.97},
                                "incremental": {"seconds": 40.95}}), encoding="utf-8")
    same, other = run_at_limits(name="scaled-100M"), run_at_limits(name="scaled-20M")
    del same["incremental"], other["incremental"]
    targets.attach_incremental([same, other], path)
    row = {r.key: r for r in target_rows(same)}["incremental"]
    assert row.verdict == MET and row.value == 0.0452
    assert row.figure == "4.5% of a full build (41.0 s of 906.0 s, bench.incremental)"
    assert verdicts(other)["incremental"] == NOT_MEASURED


def test_the_server_limit_grows_with_the_corpus():
    small = {r.key: r for r in target_rows(run_at_limits(characters=20_000_000, server_rss_mb=400))}
    assert small["server_memory"].verdict == NOT_MET  # 3 B × 20M + 300 MB = 357 MB
    assert "357 MB" in small["server_memory"].target
    assert small["server_memory"].figure == "400 MB, 5.2 B/char beyond 300 MB"


def test_the_command_prints_the_scaled_runs_of_a_result_file(tmp_path, capsys):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"when": "now", "runs": [dict(run_at_limits(), name="corpus"), run_at_limits()]}),
                    encoding="utf-8")
    assert targets.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "targets at scaled-100M: 13 of 13 measured met" in out and "targets at corpus" not in out
    assert targets.main([str(tmp_path / "missing.json")]) == 2
    assert "无法读取基准结果" in capsys.readouterr().err
