"""Task breakdown tables (任务分解表): reading them, and building them into a named graph."""

from __future__ import annotations

import io
import shutil
import warnings
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import ORG
from typer.testing import CliRunner, Result

from policykg.assignments import COLUMNS, load_table, read_table, table_name
from policykg.cli import app
from policykg.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / "tests" / "fixtures" / "tasks.csv"
LEXICON = ROOT / "ontology" / "curated" / "units.yaml"
HEADER = ",".join(COLUMNS) + "\n"

PK = Namespace("https://w3id.org/policykg/ontology#")
DOC = "https://w3id.org/policykg/id/szamr-2024/"
UNIT = "https://w3id.org/policykg/id/unit/"
TASKS_GRAPH = URIRef(DOC + "graph/assignments/tasks")

MEASURES = {"measure/2-2-1", "measure/2-3-2", "measure/2-8-4"}
UNITS = {"bureau": "unit/bureau", "检验检测机构": "unit/testing-bodies", "各区": "unit/districts"}

runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def read(text: str, name: str = "demo") -> list[tuple[str, str, str, str | None, int | None]]:
    table = read_table(io.StringIO(text), name, MEASURES, UNITS)
    return [(a.task, a.unit, a.role, a.deadline, a.row) for a in table.assignments]


def parse_trig(path: Path) -> Dataset:
    dataset = Dataset()
    with warnings.catch_warnings():
        # rdflib 7.6's own Dataset.parse goes through its deprecated default_context and
        # ConjunctiveGraph: rdflib's internals, not ours
        warnings.filterwarnings(
            "ignore",
            r"(Dataset\.default_context|ConjunctiveGraph) is deprecated",
            DeprecationWarning,
        )
        dataset.parse(path, format="trig")
    return dataset


def triples(dataset: Dataset, name: URIRef) -> set[tuple[object, object, object]]:
    return set(dataset.graph(name).triples((None, None, None)))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# -- read_table ------------------------------------------------------------------------------


def test_read_table_roles_units_and_deadlines() -> None:
    rows = read(
        HEADER + "2-2-1,登记注册处,信用监管处;各区,2024-06-30\n"
        "P2.3.2,检验检测机构,,\n"
        "measure/2-8-4, bureau ,公安机关；前海、 各区 ,2024-12-31\n"
    )
    assert rows == [
        ("measure/2-2-1", "unit/登记注册处", "lead", "2024-06-30", 2),
        ("measure/2-2-1", "unit/信用监管处", "cooperating", "2024-06-30", 2),
        ("measure/2-2-1", "unit/districts", "cooperating", "2024-06-30", 2),
        ("measure/2-3-2", "unit/testing-bodies", "lead", None, 3),
        ("measure/2-8-4", "unit/bureau", "lead", "2024-12-31", 4),
        ("measure/2-8-4", "unit/公安机关", "cooperating", "2024-12-31", 4),
        ("measure/2-8-4", "unit/前海", "cooperating", "2024-12-31", 4),
        ("measure/2-8-4", "unit/districts", "cooperating", "2024-12-31", 4),
    ]


def test_read_table_ids_evidence_and_new_units() -> None:
    table = read_table(
        io.StringIO(HEADER + "2-2-1,登记注册处,信用监管处;各区;登记注册处/一科,2024-06-30\n"),
        "t1",
        MEASURES,
        UNITS,
    )
    assert table.name == "t1"
    assert [a.id for a in table.assignments] == [f"assignment/t1/2-{n}" for n in range(4)]
    assert {a.evidence for a in table.assignments} == {"stated"}
    assert {a.table for a in table.assignments} == {"t1"}
    assert [a.role_text for a in table.assignments] == [
        "牵头单位",
        "配合单位",
        "配合单位",
        "配合单位",
    ]
    # names the lexicon does not know become units of the table; "/" cannot stand in an IRI
    assert [(u.id, u.label) for u in table.units] == [
        ("unit/登记注册处", "登记注册处"),
        ("unit/信用监管处", "信用监管处"),
        ("unit/登记注册处%2F一科", "登记注册处/一科"),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("9-9-9,bureau,,", "row 2, column measure: unknown measure '9-9-9'"),
        ("2-2-1x,bureau,,", "row 2, column measure: unknown measure '2-2-1x'"),
        (",bureau,,", "row 2, column measure: unknown measure ''"),
        ("2-2-1,,各区,", "row 2, column lead_unit: the lead unit is empty"),
        ("2-2-1,  ,,", "row 2, column lead_unit: the lead unit is empty"),
        ("2-2-1,bureau,,2024-02-30", "row 2, column deadline: '2024-02-30' is not a date"),
        ("2-2-1,bureau,,2024/06/30", "row 2, column deadline: '2024/06/30' is not a date"),
        ("2-2-1,bureau,,20240630", "row 2, column deadline: '20240630' is not a date"),
        ("2-2-1,bureau,,2024-6-30", "row 2, column deadline: '2024-6-30' is not a date"),
        ("2-2-1,bureau,,下半年", "row 2, column deadline: '下半年' is not a date"),
    ],
)
def test_read_table_refuses_a_bad_cell(row: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        read_table(io.StringIO(HEADER + row + "\n"), "t", MEASURES, UNITS, source="t.csv")
    assert str(caught.value).startswith("t.csv: ")
    assert problem in str(caught.value)


def test_read_table_reports_every_problem_by_row_and_column() -> None:
    text = HEADER + (
        "2-2-1,bureau,,2024-06-30\n"  # row 2: fine
        "9-9-9,,,\n"  # row 3: two problems
        "2-3-2,bureau,,2024-02-30\n"  # row 4
    )
    with pytest.raises(InputError) as caught:
        read_table(io.StringIO(text), "t", MEASURES, UNITS)
    assert caught.value.message.split("; ") == [
        "row 3, column measure: unknown measure '9-9-9' "
        "(expected an id such as 2-3-2 of a measure of this plan)",
        "row 3, column lead_unit: the lead unit is empty",
        "row 4, column deadline: '2024-02-30' is not a date (YYYY-MM-DD)",
    ]


def test_read_table_refuses_a_missing_column() -> None:
    with pytest.raises(InputError) as caught:
        read_table(io.StringIO("measure,lead_unit,deadline\n2-2-1,bureau,\n"), "t", MEASURES, {})
    assert "row 1: missing column(s) cooperating_units" in str(caught.value)
    assert "measure,lead_unit,cooperating_units,deadline" in str(caught.value)


def test_read_table_refuses_an_empty_table() -> None:
    with pytest.raises(InputError, match="the table has no rows"):
        read_table(io.StringIO(HEADER), "t", MEASURES, UNITS)
    with pytest.raises(InputError, match="missing column"):
        read_table(io.StringIO(""), "t", MEASURES, UNITS)


def test_load_table_reads_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "2024 任务分解表.csv"
    path.write_bytes(("\ufeff" + HEADER + "2-2-1,bureau,,2024-06-30\n").encode("utf-8"))
    table = load_table(path, MEASURES, UNITS)
    assert table.name == table_name(path) == "2024-任务分解表"
    assert [(a.task, a.unit, a.row) for a in table.assignments] == [
        ("measure/2-2-1", "unit/bureau", 2)
    ]


def test_load_table_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "2-2-1,登记注册处,,\n").encode("gbk"))
    with pytest.raises(InputError) as caught:
        load_table(path, MEASURES, UNITS)
    assert str(caught.value).startswith(f"{path}: not UTF-8 text")


# -- build --assignments ---------------------------------------------------------------------


def assignment(
    row: int, n: int, measure: str, unit: str, role: str, deadline: str | None
) -> set[tuple[object, object, object]]:
    """The triples of one assignment of tests/fixtures/tasks.csv."""
    node = URIRef(f"{DOC}assignment/tasks/{row}-{n}")
    found: set[tuple[object, object, object]] = {
        (node, RDF.type, PK.Assignment),
        (node, PK.task, URIRef(DOC + measure)),
        (node, PK.unit, URIRef(UNIT + unit)),
        (node, PK.role, PK[role]),
        (node, PK.evidence, PK.stated),
        (node, PK.roleText, Literal("牵头单位" if role == "lead" else "配合单位", lang="zh")),
        (node, PK.sourceTable, Literal("tasks")),
        (node, PK.sourceRow, Literal(row, datatype=XSD.integer)),
    }
    if deadline:
        found.add((node, PK.deadline, Literal(deadline, datatype=XSD.date)))
    return found


def new_unit(name: str) -> set[tuple[object, object, object]]:
    node = URIRef(UNIT + name)
    return {(node, RDF.type, ORG.Organization), (node, SKOS.prefLabel, Literal(name, lang="zh"))}


@pytest.fixture(scope="module")
def built_with_tasks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("with-tasks")
    result = run("build", "--assignments", TASKS, "--out", out)
    assert result.exit_code == 0, result.stderr
    return out, result


def test_the_lexicon_knows_the_units_the_fixture_names() -> None:
    lexicon = LEXICON.read_text(encoding="utf-8")
    for entry in ("id: testing-bodies\n    zh: 检验检测机构", "id: districts", "id: police"):
        assert entry in lexicon


def test_build_puts_the_table_in_its_own_named_graph(
    built_with_tasks: tuple[Path, Result],
) -> None:
    out, result = built_with_tasks
    assert "table        tasks: 7 assignments, 2 new units" in result.stdout
    assert "assignments/tasks 66" in result.stdout
    dataset = parse_trig(out / "szamr-2024.trig")
    expected = (
        assignment(2, 0, "measure/2-2-1", "登记注册处", "lead", "2024-06-30")
        | assignment(2, 1, "measure/2-2-1", "信用监管处", "cooperating", "2024-06-30")
        | assignment(2, 2, "measure/2-2-1", "districts", "cooperating", "2024-06-30")
        | assignment(3, 0, "measure/2-3-2", "testing-bodies", "lead", None)
        | assignment(4, 0, "measure/2-8-4", "bureau", "lead", "2024-12-31")
        | assignment(4, 1, "measure/2-8-4", "police", "cooperating", "2024-12-31")
        | assignment(4, 2, "measure/2-8-4", "qianhai", "cooperating", "2024-12-31")
        | new_unit("登记注册处")
        | new_unit("信用监管处")
    )
    assert triples(dataset, TASKS_GRAPH) == expected


def test_the_table_leaves_the_stated_and_curated_graphs_alone(
    built_with_tasks: tuple[Path, Result], tmp_path: Path
) -> None:
    out, _ = built_with_tasks
    plain = tmp_path / "plain"
    assert run("build", "--out", plain).exit_code == 0
    with_tasks, without = parse_trig(out / "szamr-2024.trig"), parse_trig(plain / "szamr-2024.trig")
    for name in ("graph/stated", "graph/curated"):
        graph = URIRef(DOC + name)
        assert triples(with_tasks, graph) == triples(without, graph), name
    assert not triples(without, TASKS_GRAPH)
    # the other serialisations carry the table too
    turtle = Graph().parse(out / "szamr-2024.ttl", format="turtle")
    assert (URIRef(f"{DOC}assignment/tasks/3-0"), PK.unit, URIRef(UNIT + "testing-bodies")) in (
        turtle
    )
    assert "assignment/tasks/3-0" in (out / "szamr-2024.jsonld").read_text(encoding="utf-8")


def test_the_table_can_be_queried(built_with_tasks: tuple[Path, Result]) -> None:
    out, _ = built_with_tasks
    query = (
        "PREFIX pk: <https://w3id.org/policykg/ontology#>\n"
        'SELECT ?unit WHERE { ?a pk:sourceTable "tasks" ; pk:role pk:lead ; pk:unit ?unit } '
        "ORDER BY ?unit"
    )
    result = run("query", query, "--format", "csv", "--graphs", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["unit"] + [
        UNIT + u for u in ("bureau", "testing-bodies", "登记注册处")
    ]


@pytest.mark.parametrize(
    ("table", "row", "column", "says"),
    [
        ("2-2-1,bureau,,2024-06-30\n9-9-9,bureau,,\n", 3, "measure", "unknown measure '9-9-9'"),
        ("2-2-1,,各区,2024-06-30\n", 2, "lead_unit", "the lead unit is empty"),
        ("2-2-1,bureau,,2024-02-30\n", 2, "deadline", "'2024-02-30' is not a date"),
        ("2-2-1,bureau,,2024-06-30\n2-2-2,bureau,,2024/06/30\n", 3, "deadline", "'2024/06/30'"),
    ],
)
def test_a_bad_table_stops_the_build(
    built_with_tasks: tuple[Path, Result],
    tmp_path: Path,
    table: str,
    row: int,
    column: str,
    says: str,
) -> None:
    out = tmp_path / "graphs"
    shutil.copytree(built_with_tasks[0], out)
    before = snapshot(out)
    path = tmp_path / "tasks.csv"  # the same table name: a build would rewrite its graph
    path.write_text(HEADER + table, encoding="utf-8")
    result = run("build", "--assignments", path, "--out", out)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"policykg: {path}: row {row}, column {column}: {says}" in result.stderr
    assert snapshot(out) == before


def test_a_table_without_a_column_stops_the_build(
    built_with_tasks: tuple[Path, Result], tmp_path: Path
) -> None:
    out = tmp_path / "graphs"
    shutil.copytree(built_with_tasks[0], out)
    before = snapshot(out)
    path = tmp_path / "tasks.csv"
    path.write_text("measure,lead_unit,deadline\n2-2-1,bureau,2024-06-30\n", encoding="utf-8")
    result = run("build", "--assignments", path, "--out", out)
    assert result.exit_code == 2
    assert f"policykg: {path}: row 1: missing column(s) cooperating_units" in result.stderr
    assert snapshot(out) == before


def test_two_tables_with_one_name_stop_the_build(tmp_path: Path) -> None:
    other = tmp_path / "tasks.csv"
    other.write_text(HEADER + "2-2-1,bureau,,\n", encoding="utf-8")
    out = tmp_path / "graphs"
    result = run("build", "--assignments", TASKS, "--assignments", other, "--out", out)
    assert result.exit_code == 2
    assert "two tables share a name: tasks, tasks" in result.stderr
    assert not out.exists()
