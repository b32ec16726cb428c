"""The ``policykg`` command, end to end: build, validate, trace, export and query.

Most tests drive ``policykg.cli.app`` in-process through typer's CliRunner, whose result keeps
standard output (``result.stdout``) and standard error (``result.stderr``) apart; one test runs the
installed console script in subprocesses. Builds write only under pytest's temporary folders; the
committed ``graphs/`` is only read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from policykg.cli import app

ROOT = Path(__file__).resolve().parents[1]
GRAPHS = ROOT / "graphs"
SOURCE_NAME = "shenzhen-amr-2023-summary-2024-plan.txt"
SOURCE = GRAPHS / "sources" / SOURCE_NAME
INVALID_EXAMPLES = ROOT / "ontology" / "examples" / "invalid"
BUILT_FILES = {
    "szamr-2024.trig",
    "szamr-2024.ttl",
    "szamr-2024.jsonld",
    f"sources/{SOURCE_NAME}",
}
PK = "PREFIX pk: <https://w3id.org/policykg/ontology#>\n"
COUNT_MEASURES = PK + "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a pk:Measure }"
EXPORT_FIELDS = ["id", "iri", "type", "label_zh", "label_en", "parent", "start", "end", "text"]

runner = CliRunner()


def run(*args: str | Path, input: str | None = None) -> Result:
    """Invoke the CLI in-process; unexpected exceptions propagate so a failure shows them."""
    return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def ok(*args: str | Path, input: str | None = None) -> Result:
    result = run(*args, input=input)
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stderr}"
    return result


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (hidden temporary files included), by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One fresh build of the shipped report, in a folder of its own (do not modify it)."""
    out = tmp_path_factory.mktemp("built")
    ok("build", "--out", out)
    return out


@pytest.fixture
def built_copy(built_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the fresh build, for tests that change or rebuild it."""
    copy = tmp_path / "graphs"
    shutil.copytree(built_dir, copy)
    return copy


# -- build -----------------------------------------------------------------------------------


def test_build_writes_the_graphs_and_the_source(built_dir: Path) -> None:
    assert set(snapshot(built_dir)) == BUILT_FILES
    assert (built_dir / "sources" / SOURCE_NAME).read_bytes() == SOURCE.read_bytes()
    trig = (built_dir / "szamr-2024.trig").read_text(encoding="utf-8")
    assert "<https://w3id.org/policykg/id/szamr-2024/graph/stated> {" in trig
    assert "<https://w3id.org/policykg/id/szamr-2024/graph/curated> {" in trig
    jsonld = json.loads((built_dir / "szamr-2024.jsonld").read_text(encoding="utf-8"))
    assert jsonld["@context"]["pk"] == "https://w3id.org/policykg/ontology#"


def test_build_summary_names_the_counts(tmp_path: Path) -> None:
    result = ok("build", "--out", tmp_path)
    out = result.stdout
    assert "29 measures" in out
    assert "33 headlines" in out
    assert "1146810" in out
    assert "7 task lists unnamed" in out
    framework = next(line for line in out.splitlines() if line.startswith("framework"))
    for count in (
        "1 WorkLine",
        "1 Project",
        "4 Build",
        "6 Requirement",
        "8 FocusArea",
        "10 TaskList",
    ):
        assert count in framework
    assert "shapes       conforms" in out
    assert f"wrote        4 changed file(s) under {tmp_path}" in out
    # progress goes to standard error, the summary to standard output
    assert "validating szamr-2024 against ontology/shapes.ttl" in result.stderr
    assert "4/4" in result.stderr  # the progress bar, finished
    assert "validating" not in out


def test_a_second_build_changes_nothing(built_copy: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in built_copy.rglob("*") if p.is_file()}
    contents = snapshot(built_copy)
    result = ok("build", "--out", built_copy)
    assert f"wrote        0 changed file(s) under {built_copy}" in result.stdout
    assert snapshot(built_copy) == contents
    assert {p: p.stat().st_mtime_ns for p in built_copy.rglob("*") if p.is_file()} == before


def test_console_script_builds_byte_identical_files_whatever_the_hash_seed(
    tmp_path: Path, built_dir: Path
) -> None:
    """The one subprocess test: the installed ``policykg`` script, two seeds, run side by side."""
    script = Path(sys.executable).parent / "policykg"
    assert script.is_file(), script
    processes = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = tmp_path / f"seed-{seed}"
        command = [str(script), "build", "--out", str(out)]
        processes.append(
            (
                out,
                subprocess.Popen(
                    command,
                    env=env,
                    cwd=tmp_path,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                ),
            )
        )
    outputs = []
    for out, process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        assert "29 measures" in stdout
        assert "7 task lists unnamed" in stdout
        assert f"wrote        4 changed file(s) under {out}" in stdout
        outputs.append(snapshot(out))
    first, second = outputs
    assert set(first) == BUILT_FILES
    assert first == second
    assert first == snapshot(built_dir)  # and the same as the in-process build


def test_check_passes_on_a_fresh_build(built_dir: Path) -> None:
    result = ok("build", "--check", "--out", built_dir)
    assert result.stdout == f"{built_dir} matches a fresh build (4 files)\n"


def test_check_fails_naming_the_changed_and_missing_files(built_copy: Path) -> None:
    ttl = built_copy / "szamr-2024.ttl"
    with ttl.open("ab") as stream:
        stream.write(b" ")
    changed = snapshot(built_copy)
    result = run("build", "--check", "--out", built_copy)
    assert result.exit_code == 1
    assert f"{built_copy} is stale" in result.stderr
    assert "szamr-2024.ttl: differs from a fresh build" in result.stderr
    assert "szamr-2024.trig" not in result.stderr
    assert "szamr-2024.jsonld" not in result.stderr
    assert result.stdout == ""
    assert snapshot(built_copy) == changed  # --check writes nothing

    (built_copy / "szamr-2024.jsonld").unlink()
    result = run("build", "--check", "--out", built_copy)
    assert result.exit_code == 1
    assert "szamr-2024.jsonld: missing" in result.stderr
    assert "szamr-2024.ttl: differs from a fresh build" in result.stderr
    assert not (built_copy / "szamr-2024.jsonld").exists()


def test_committed_graphs_match_a_fresh_build() -> None:
    result = ok("build", "--check")
    assert result.stdout == f"{GRAPHS} matches a fresh build (4 files)\n"


# -- bad input -------------------------------------------------------------------------------


def fail_build(out: Path, *args: str | Path) -> Result:
    """Run a build that must fail with exit 2, and check that it left ``out`` as it was."""
    before = snapshot(out)
    result = run("build", "--out", out, *args)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert snapshot(out) == before
    return result


def test_a_text_without_a_part_heading_is_refused(built_copy: Path, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("随便写点什么\n没有标题\n", encoding="utf-8")
    result = fail_build(built_copy, str(source))
    assert f"policykg: {source}:1: expected a part heading" in result.stderr


def test_a_report_missing_a_framework_definition_is_refused(
    built_copy: Path, tmp_path: Path, source_text: str
) -> None:
    lines = source_text.splitlines(keepends=True)
    removed = [n for n, line in enumerate(lines) if line.startswith("第二个“1”是指")]
    assert len(removed) == 1
    del lines[removed[0]]
    # the same file name, so the curated layer applies and the build would write szamr-2024.*
    source = tmp_path / "broken" / SOURCE_NAME
    source.parent.mkdir()
    source.write_text("".join(lines), encoding="utf-8")
    result = fail_build(built_copy, str(source))
    match = re.search(rf"{re.escape(str(source))}:(\d+): (.*)", result.stderr)
    assert match, result.stderr
    # a line of the 1146810 block (lines 46-51 once the definition is gone)
    assert 46 <= int(match[1]) <= 51, match[0]
    assert "expected a definition" in match[2]
    assert "Project" in match[2]


def test_a_report_that_is_not_utf8_is_refused(
    built_copy: Path, tmp_path: Path, source_text: str
) -> None:
    raw = SOURCE.read_bytes()
    at = raw.index("第二个".encode())
    source = tmp_path / "latin" / SOURCE_NAME
    source.parent.mkdir()
    source.write_bytes(raw[:at] + b"\xff" + raw[at:])
    result = fail_build(built_copy, str(source))
    assert f"policykg: {source}: not UTF-8 text (byte {at}" in result.stderr


def test_a_missing_report_is_refused(built_copy: Path, tmp_path: Path) -> None:
    source = tmp_path / "nowhere.txt"
    result = fail_build(built_copy, str(source))
    assert f"policykg: {source}: cannot read the report" in result.stderr


# -- trace -----------------------------------------------------------------------------------


def trace_json(node: str) -> dict[str, Any]:
    data = json.loads(ok("trace", node, "--format", "json").stdout)
    assert isinstance(data, dict)
    assert set(data) == {"start", "paths", "requirements", "baselines"}
    return data


def all_spans(data: dict[str, Any]) -> Iterator[tuple[int, int, str]]:
    """Every span cited by a step of a trace (its paths and the requirements it serves)."""
    steps = [s for path in data["paths"] for s in path] + list(data["requirements"])
    for step in steps:
        yield from ((b, e, a) for b, e, a in (step["evidence"] or {}).get("spans", []))


def test_trace_text_climbs_from_a_measure_to_the_work_line(source_text: str) -> None:
    out = ok("trace", "measure/2-2-1").stdout
    lines = out.splitlines()
    assert lines[0] == "measure/2-2-1  [Measure]  持续提升商事登记便利度 | " + (
        "Making business registration ever more convenient"
    )

    def index(pattern: str) -> int:
        found = [n for n, line in enumerate(lines) if re.search(pattern, line)]
        assert len(found) == 1, (pattern, out)
        return found[0]

    area = index(r"^  ↑ area/2  \[FocusArea\]  激发市场活力")
    build = index(r"^    ↑ build/3  \[Build\]  业务建设")
    project = index(r"^      ↑ project  \[Project\]  强基工程")
    workline = index(r"^        ↑ workline  \[WorkLine\]  作风提升年")
    serves = index(r"^serves the requirements:$")
    requirement = index(r"^  requirement/5  \[Requirement\]  促发展")
    assert area < build < project < workline < serves < requirement
    assert lines[area + 1].strip() == "partOf, extracted"
    assert lines[build + 1].strip().startswith("partOf, curated: ")
    assert lines[project + 1].strip() == "partOf, stated"
    assert lines[requirement + 1].strip().startswith("contributesTo, curated: ")
    assert lines[-1].strip() == "https://w3id.org/policykg/id/szamr-2024/requirement/5"
    # every span line quotes the source at its offsets (cut to 57 characters and … when long)
    spans = [re.fullmatch(r"\s*\[(\d+), (\d+)\) “(.*)”", line) for line in lines]
    shown = [(int(m[1]), int(m[2]), m[3]) for m in spans if m]
    assert len(shown) >= 3
    for begin, end, anchor in shown:
        text = source_text[begin:end]
        assert anchor == (text if len(text) <= 60 else text[:57] + "…")


def test_trace_json_gives_the_path_and_its_evidence(source_text: str) -> None:
    data = trace_json("measure/2-2-1")
    paths = data["paths"]
    assert isinstance(paths, list)
    assert len(paths) == 1
    path = paths[0]
    assert [s["id"] for s in path] == ["measure/2-2-1", "area/2", "build/3", "project", "workline"]
    assert [s["type"] for s in path] == ["Measure", "FocusArea", "Build", "Project", "WorkLine"]
    assert [s["relation"] for s in path] == [None, "partOf", "partOf", "partOf", "partOf"]
    assert path[0]["evidence"] is None
    assert path[0]["iri"] == "https://w3id.org/policykg/id/szamr-2024/measure/2-2-1"
    assert data["start"] == path[0]

    area, build = path[1], path[2]
    assert area["label_zh"] == "激发市场活力"
    assert area["evidence"]["kind"] in {"stated", "extracted"}
    assert area["evidence"]["spans"], "the area step cites the text"
    for begin, end, anchor in area["evidence"]["spans"]:
        assert source_text[begin:end] == anchor
    assert any("持续提升商事登记便利度" in anchor for _, _, anchor in area["evidence"]["spans"])

    assert build["label_zh"] == "业务建设"
    assert build["evidence"]["kind"] == "curated"
    assert build["evidence"]["rationale"].strip()
    assert build["evidence"]["spans"] == []

    assert [(r["id"], r["label_zh"], r["relation"]) for r in data["requirements"]] == [
        ("requirement/5", "促发展", "contributesTo")
    ]
    assert data["requirements"][0]["evidence"]["kind"] == "curated"
    spans = list(all_spans(data))
    assert spans
    for begin, end, anchor in spans:
        assert source_text[begin:end] == anchor


def test_trace_a_notation_with_three_builds(source_text: str) -> None:
    data = trace_json("P2.8.1")
    assert data["start"]["id"] == "measure/2-8-1"
    assert [[s["id"] for s in path] for path in data["paths"]] == [
        ["measure/2-8-1", "area/8", f"build/{n}", "project", "workline"] for n in (1, 2, 4)
    ]
    for path in data["paths"]:
        assert path[2]["evidence"]["kind"] == "curated"
        assert path[2]["evidence"]["rationale"]
    spans = list(all_spans(data))
    assert spans
    for begin, end, anchor in spans:
        assert source_text[begin:end] == anchor
    text = ok("trace", "P2.8.1").stdout
    assert [line for line in text.splitlines() if line.startswith("path ")] == [
        "path 1:",
        "path 2:",
        "path 3:",
    ]


def test_trace_a_headline_climbs_the_document(source_text: str) -> None:
    data = trace_json("headline/1-7-1")
    assert [[s["id"] for s in path] for path in data["paths"]] == [
        ["headline/1-7-1", "section/1-7", "part/1", "szamr-2024"]
    ]
    path = data["paths"][0]
    assert [s["type"] for s in path] == ["Headline", "Section", "Part", "SourceDocument"]
    assert {s["relation"] for s in path[1:]} == {"isPartOf"}
    assert path[0]["label_zh"] == "超大城市供应体系持续完善"
    assert data["requirements"] == []
    spans = list(all_spans(data))
    assert spans
    for begin, end, anchor in spans:
        assert source_text[begin:end] == anchor


def test_trace_an_iri() -> None:
    data = trace_json("https://w3id.org/policykg/id/szamr-2024/measure/2-2-1")
    assert [s["id"] for s in data["paths"][0]][:2] == ["measure/2-2-1", "area/2"]


def test_trace_an_unknown_node_is_an_error() -> None:
    result = run("trace", "nope/1")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "policykg: no node 'nope/1'" in result.stderr
    assert "measure/2-2-1" in result.stderr  # says what a valid node looks like


def test_trace_without_graphs_is_an_error(tmp_path: Path) -> None:
    result = run("trace", "measure/2-2-1", "--graphs", tmp_path)
    assert result.exit_code == 2
    assert "no graph to load" in result.stderr


# -- export ----------------------------------------------------------------------------------


def export(what: str, fmt: str) -> list[dict[str, str]]:
    """The rows of an export, every value as text (JSON numbers as their digits, null as "")."""
    out = ok("export", what, "--format", fmt).stdout
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(out)))
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in json.loads(out)]


def check_spans(rows: list[dict[str, str]], source_text: str) -> None:
    checked = [row for row in rows if row["start"]]
    assert checked, "no row has a span"
    for row in checked:
        assert source_text[int(row["start"]) : int(row["end"])] == row["text"], row["id"]


def test_export_framework(source_text: str) -> None:
    rows = export("framework", "json")
    assert Counter(r["type"] for r in rows) == {
        "WorkLine": 1,
        "Project": 1,
        "Aim": 6,
        "Build": 4,
        "Requirement": 6,
        "FocusArea": 8,
        "TaskList": 10,
    }
    by_id = {r["id"]: r for r in rows}
    assert by_id["workline"]["label_zh"] == "作风提升年"
    assert by_id["project"]["label_zh"] == "强基工程"
    assert [by_id[f"build/{n}"]["label_zh"] for n in range(1, 5)] == [
        "党的建设",
        "作风建设",
        "业务建设",
        "干部队伍建设",
    ]
    assert [by_id[f"requirement/{n}"]["label_zh"] for n in range(1, 7)] == [
        "讲政治",
        "转作风",
        "强监管",
        "保安全",
        "促发展",
        "惠民生",
    ]
    assert by_id["area/8"]["label_zh"] == "夯实工作基础"
    tasklists = [r for r in rows if r["type"] == "TaskList"]
    assert [r["label_zh"] for r in tasklists[:3]] == ["揭榜挂帅", "大调研", "风险排查"]
    assert sum(r["label_zh"] == "" for r in tasklists) == 7
    assert all(r["label_en"] == "" for r in tasklists if r["label_zh"] == "")
    check_spans(rows, source_text)


def test_export_measures(source_text: str) -> None:
    out = ok("export", "measures", "--format", "json").stdout
    data = json.loads(out)
    assert len(data) == 29
    assert all(list(row) == EXPORT_FIELDS for row in data)
    assert all(isinstance(row["start"], int) and isinstance(row["end"], int) for row in data)
    header = ok("export", "measures", "--format", "csv").stdout.splitlines()[0]
    assert header == ",".join(EXPORT_FIELDS)
    rows = export("measures", "json")
    by_id = {r["id"]: r for r in rows}
    assert by_id["measure/2-2-1"]["parent"] == "area/2"
    assert by_id["measure/2-2-1"]["label_zh"] == "持续提升商事登记便利度"
    assert by_id["measure/2-2-1"]["type"] == "Measure"
    per_area = Counter(r["parent"] for r in rows)
    assert [per_area[f"area/{n}"] for n in range(1, 9)] == [4, 4, 3, 3, 5, 3, 3, 4]
    check_spans(rows, source_text)
    for row in rows:
        assert row["start"], row["id"]
        assert row["label_zh"] in row["text"], row["id"]


def test_export_units(source_text: str) -> None:
    rows = export("units", "json")
    by_id = {r["id"]: r for r in rows}
    bureau = by_id["unit/bureau"]
    assert bureau["label_zh"] == "深圳市市场监督管理局"
    assert bureau["iri"] == "https://w3id.org/policykg/id/unit/bureau"
    assert int(bureau["mentions"]) >= 1
    assert by_id["unit/testing-bodies"]["label_zh"] == "检验检测机构"
    check_spans(rows, source_text)


def test_export_policies(source_text: str) -> None:
    rows = export("policies", "json")
    facts = {(r["label_zh"], r["action"], r["status"], r["year"]) for r in rows}
    assert ("特区社会信用条例", "推动出台", "done", "2023") in facts
    assert ("知识产权强市建设纲领性文件", "出台", "planned", "2024") in facts
    company_law = [r for r in rows if r["label_zh"] == "公司法"]
    assert [r["action"] for r in company_law] == ["依照"]
    assert company_law[0]["parent"] == "measure/2-2-1"
    check_spans(rows, source_text)


@pytest.mark.parametrize("what", ["framework", "measures", "units", "policies"])
def test_export_csv_and_json_give_the_same_rows(what: str) -> None:
    rows = export(what, "json")
    assert rows
    assert export(what, "csv") == rows


def test_export_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "measures.csv"
    result = ok("export", "measures", "--format", "csv", "-o", target)
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == ok("export", "measures", "--format", "csv").stdout
    assert len(list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))) == 29


def test_an_unknown_export_is_a_usage_error() -> None:
    result = run("export", "nope")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'nope' is not one of" in result.stderr
    assert "'framework'" in result.stderr


# -- query -----------------------------------------------------------------------------------


def test_query_table() -> None:
    lines = ok("query", COUNT_MEASURES).stdout.splitlines()
    assert [line.rstrip() for line in lines] == ["n", "--", "29", "(1 row)"]


def test_query_json() -> None:
    data = json.loads(ok("query", COUNT_MEASURES, "--format", "json").stdout)
    assert data["head"]["vars"] == ["n"]
    [binding] = data["results"]["bindings"]
    assert binding["n"]["value"] == "29"
    assert binding["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_query_csv() -> None:
    out = ok("query", COUNT_MEASURES, "--format", "csv").stdout
    assert list(csv.reader(io.StringIO(out))) == [["n"], ["29"]]


def test_query_select_rows() -> None:
    query = PK + (
        "SELECT ?m WHERE { ?m a pk:Measure ; pk:partOf "
        "<https://w3id.org/policykg/id/szamr-2024/area/2> } ORDER BY ?m"
    )
    out = ok("query", query, "--format", "csv").stdout
    assert [row[0] for row in csv.reader(io.StringIO(out))] == ["m"] + [
        f"https://w3id.org/policykg/id/szamr-2024/measure/2-2-{n}" for n in range(1, 5)
    ]


def test_query_ask() -> None:
    assert ok("query", PK + "ASK { ?m a pk:Measure }").stdout == "true\n"
    assert ok("query", "ASK { <urn:policykg:nothing> ?p ?o }").stdout == "false\n"
    data = json.loads(ok("query", "ASK { ?s ?p ?o }", "--format", "json").stdout)
    assert data["boolean"] is True


def test_query_from_stdin() -> None:
    result = ok("query", "-", "--format", "json", input=COUNT_MEASURES)
    assert json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"] == "29"


def test_query_syntax_error() -> None:
    result = run("query", "SELECT * WHERE { ?s ?p }")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "syntax" in result.stderr.lower()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates are"),
        ("DELETE WHERE { ?s ?p ?o }", "updates are"),
        ("LOAD <file:///etc/passwd>", "LOAD is"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE is"),
        ("select * where { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE is"),
    ],
)
def test_query_refuses_updates_load_and_service(query: str, word: str) -> None:
    for fmt in ("table", "json"):
        result = run("query", query, "--format", fmt)
        assert result.exit_code == 2, result.stdout
        assert result.stdout == ""
        assert f"policykg: {word} not allowed" in result.stderr


def closed_loopback_port() -> tuple[socket.socket, int]:
    """A loopback port that is bound but not listening: a connection to it is refused."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    return holder, holder.getsockname()[1]


def test_query_refuses_service_hidden_behind_an_escaped_quote() -> None:
    holder, port = closed_loopback_port()
    with holder:
        query = (
            PK + "SELECT * WHERE { VALUES ?z { pk:x\\' } "
            f"SERVICE <http://127.0.0.1:{port}/sparql> {{ ?a ?b ?c }} }}  # '"
        )
        result = runner.invoke(app, ["query", query])
    assert result.exit_code == 2
    assert "SERVICE is not allowed" in result.stderr


def test_query_refuses_service_written_with_a_codepoint_escape() -> None:
    query = PK + "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?a ?b ?c } }"
    result = runner.invoke(app, ["query", query])
    assert result.exit_code == 2
    assert "SERVICE is not allowed" in result.stderr


def test_query_allows_variables_named_like_update_keywords() -> None:
    result = runner.invoke(app, ["query", PK + "SELECT ?copy WHERE { ?copy a pk:Measure } LIMIT 1"])
    assert result.exit_code == 0, result.stderr
    assert "measure/" in result.stdout


# -- validate --------------------------------------------------------------------------------


def test_validate_the_committed_graph() -> None:
    result = ok("validate", GRAPHS / "szamr-2024.trig")
    assert result.stdout.strip() == "conforms"


def test_validate_names_the_violated_shape() -> None:
    examples = sorted(INVALID_EXAMPLES.glob("*.ttl"))
    assert examples, INVALID_EXAMPLES
    for example in examples:
        expect = re.search(r"^# expect: (\S+)", example.read_text(encoding="utf-8"), re.M)
        assert expect, example
        result = run("validate", example)
        assert result.exit_code == 1, (example.name, result.stdout, result.stderr)
        assert result.stdout.startswith("does not conform"), example.name
        assert expect[1] in result.stdout, (example.name, result.stdout)


def test_validate_a_file_that_is_not_rdf(tmp_path: Path) -> None:
    for name in ("broken.ttl", "broken.trig"):
        path = tmp_path / name
        path.write_text("这不是 RDF {{{\n", encoding="utf-8")
        result = run("validate", path)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert f"policykg: {path}: cannot parse as" in result.stderr


# -- help ------------------------------------------------------------------------------------


def test_help_lists_the_commands() -> None:
    result = ok("--help")
    commands = re.findall(r"^\W*(\w+)\s{2,}\S", result.stdout, re.M)
    for name in ("build", "validate", "trace", "export", "query"):
        assert name in commands, result.stdout


def test_no_query_form_reaches_a_loopback_listener() -> None:
    """SERVICE in every disguise is refused before evaluation: the listener sees no connection."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.3)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        disguises = [
            f"SELECT * WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
            f"SELECT * WHERE {{ service silent <{url}> {{ ?a ?b ?c }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?a ?b ?c }} }}",
            f"SELECT * WHERE {{ VALUES ?z {{ pk:x\\' }} SERVICE <{url}> {{ ?a ?b ?c }} }} # '",
            f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1 #\nSERVICE <{url}> {{ }}",
        ]
        for query in disguises:
            result = runner.invoke(app, ["query", PK + query])
            assert result.exit_code == 2, query
            assert "not allowed" in result.stderr or "syntax" in result.stderr.lower(), query
        with pytest.raises(TimeoutError):
            listener.accept()
