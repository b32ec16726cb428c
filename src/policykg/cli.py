"""The ``policykg`` command: a thin layer over the library's typed functions.

Errors go to standard error; bad input (a malformed report, table, query or argument) exits
with 2, a graph that does not conform or a stale ``graphs/`` with 1.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from policykg import build as builder
from policykg.errors import BuildError, InputError
from policykg.export import export_rows, fields_of, render
from policykg.paths import graphs_dir
from policykg.store import Store
from policykg.trace import render_json, render_text, trace

__all__ = ["app", "main"]

app = typer.Typer(
    help="Turn a government work plan into a knowledge graph of its policies, targets and units.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


class TraceFormat(StrEnum):
    text = "text"
    json = "json"


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


class QueryFormat(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"


class Export(StrEnum):
    framework = "framework"
    measures = "measures"
    units = "units"
    policies = "policies"
    quantities = "quantities"


GraphsOption = Annotated[
    Path | None,
    typer.Option("--graphs", help="The folder of built graphs to read (*.trig). Default: graphs/."),
]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"policykg: {message}", err=True)
    return typer.Exit(code)


def _guard(action: Callable[[], T]) -> T:
    """Run an action; report InputError (exit 2) and BuildError (exit 1) without a traceback."""
    try:
        return action()
    except InputError as error:
        raise _fail(str(error), 2) from None
    except BuildError as error:
        raise _fail(str(error), 1) from None


def _store(graphs: Path) -> Store:
    _recover(graphs)
    return _guard(lambda: Store.from_files(sorted(graphs.glob("*.trig"))))


def _recover(graphs: Path) -> None:
    """Undo a build that was killed while it wrote ``graphs`` (see policykg.atomic)."""
    from policykg.atomic import recover

    if recover(graphs):
        typer.echo(f"policykg: undid an interrupted build in {graphs}", err=True)


@app.command()
def build(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(
            help="The reports (UTF-8 text), built into one dataset, each with its own document "
            "IRI and named graphs. Default: the report in graphs/sources/.",
            show_default=False,
        ),
    ] = None,
    assignments: Annotated[
        list[Path] | None,
        typer.Option(
            help="A task breakdown table (CSV: measure, lead_unit, cooperating_units, deadline); "
            "repeatable; with one report only. Each lands in its own named graph."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the graphs. Default: graphs/.")
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 if the folder differs from a fresh build."
        ),
    ] = False,
) -> None:
    """Parse the reports, build and validate their graphs, and write TriG, Turtle and JSON-LD.

    With several reports, a target is also linked to the result another report states for its
    year (graphs/cross-year.trig). Nothing is written unless every report builds and conforms.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    target = out or graphs_dir()
    paths = sources or [builder.default_source()]
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=console.is_terminal) as bar:
        task = bar.add_task("building", total=len(paths) * len(builder.STEPS))

        def progress(message: str) -> None:
            bar.update(task, description=message, advance=1)
            if not console.is_terminal:
                console.print(message, highlight=False)

        built = _guard(lambda: builder.build_all(paths, assignments or [], progress=progress))
    if check:
        _recover(target)
        stale = builder.check(built, target)
        if stale:
            raise _fail(f"{target} is stale; run 'policykg build':\n  " + "\n  ".join(stale), 1)
        typer.echo(f"{target} matches a fresh build ({len(built.files)} files)")
        return
    written = builder.write(built, target)
    lines = [line for result in built.results for line in _summary(result)]
    if len(built.results) > 1:
        met = sum(link.attainment == "met" for link in built.links)
        lines.append(
            f"cross-year   {len(built.links)} targets linked to a later report's result ({met} met)"
        )
    lines.append(f"wrote        {len(written)} changed file(s) under {target}")
    typer.echo("\n".join(lines))


def _summary(result: builder.BuildResult) -> list[str]:
    plan = result.plan
    kinds: dict[str, int] = {}
    for node in plan.framework:
        kinds[node.kind] = kinds.get(node.kind, 0) + 1
    if plan.code:
        unnamed = sum(node.label is None for node in plan.framework if node.kind == "TaskList")
        framework = " ".join(
            f"{kinds.get(k, 0)} {k}"
            for k in ("WorkLine", "Project", "Build", "Requirement", "FocusArea", "TaskList")
        )
        framework = f"{plan.code}: {framework} ({unnamed} task lists unnamed)"
    else:
        framework = f"no code: {kinds.get('FocusArea', 0)} FocusArea, the plan part's sections"
    summary_parts = {h.id.split("/")[1].split("-")[0] for h in plan.headlines}
    summary = [
        s
        for s in plan.sections
        if s.kind == "Section" and s.parent in {f"part/{p}" for p in summary_parts}
    ]
    instruments = len({p.instrument for p in plan.policies})
    return [
        f"report       {plan.document} ({len(plan.text)} characters, sha256 {plan.sha256[:12]}…)",
        f"framework    {framework}",
        f"summary      {len(summary)} sections, {len(plan.headlines)} headlines",
        f"plan         {len({m.section for m in plan.measures})} sections, "
        f"{len(plan.measures)} measures",
        f"units        {len(plan.units)} organisations, {len(plan.assignments)} assignments "
        "from the text",
        *(
            f"table        {table.name}: {len(table.assignments)} assignments, "
            f"{len(table.units)} new units"
            for table in result.tables
        ),
        f"policies     {instruments} instruments, {len(plan.policies)} actions",
        f"quantities   {sum(q.kind == 'target' for q in plan.quantities)} targets, "
        f"{sum(q.kind == 'achievement' for q in plan.quantities)} achievements, "
        f"{len(plan.indicators)} indicators, {len(plan.baselines)} baselines found by indicator",
        "triples      "
        + ", ".join(
            f"{iri.rsplit('/graph/', 1)[-1]} {n}" for iri, n in result.triples_per_graph().items()
        ),
        f"shapes       conforms ({result.seconds['shacl']:.2f} s)",
        "time         "
        + ", ".join(f"{step} {seconds:.2f} s" for step, seconds in result.seconds.items()),
    ]


@app.command()
def push(
    store: Annotated[
        str,
        typer.Argument(
            help="A SPARQL 1.1 Graph Store endpoint that accepts PUT "
            "(Oxigraph: http://HOST:7878/store; Fuseki: http://HOST:3030/DATASET/data)."
        ),
    ],
    graphs: GraphsOption = None,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds each graph's upload may take.")
    ] = 60.0,
) -> None:
    """Load the built graphs into a remote store: each named graph replaced by a PUT (Graph
    Store HTTP Protocol), so pushing twice gives the same store."""
    from policykg.push import push as push_graphs

    sources = sorted((graphs or graphs_dir()).glob("*.trig"))
    if not sources:
        raise _fail(f"no *.trig in {graphs or graphs_dir()}: run 'policykg build'", 2)
    sent = _guard(
        lambda: push_graphs(
            store, sources, timeout=timeout, progress=lambda m: typer.echo(m, err=True)
        )
    )
    for name, count in sent.items():
        typer.echo(f"{count:>8}  {name}")
    typer.echo(f"pushed {len(sent)} graphs, {sum(sent.values())} triples, to {store}")


@app.command()
def validate(
    file: Annotated[
        Path | None, typer.Argument(help="A TriG or Turtle file. Default: every *.trig in graphs/.")
    ] = None,
) -> None:
    """Check a graph against the SHACL shapes (ontology/shapes.ttl)."""
    from rdflib import Graph

    from policykg.graph import read_dataset, union_graph
    from policykg.validate import validate as run

    files = [file] if file else sorted(graphs_dir().glob("*.trig"))
    if not files:
        raise _fail("no graph to validate: run 'policykg build' first", 2)
    formats = {".ttl": "turtle", ".jsonld": "json-ld", ".nt": "nt", ".nq": "nquads"}
    union = Graph()
    for path in files:
        fmt = formats.get(path.suffix, "trig")
        try:
            union += union_graph(read_dataset(path, fmt))
        except Exception as error:  # rdflib raises many kinds of parse errors
            raise _fail(f"{path}: cannot parse as {fmt}: {error}", 2) from None
    report = run(union)
    typer.echo(report.summary())
    if not report.conforms:
        raise typer.Exit(1)


@app.command("trace")
def trace_command(
    node: Annotated[
        str, typer.Argument(help="A measure or headline: measure/2-2-1, P2.2.1 or an IRI.")
    ],
    format: Annotated[
        TraceFormat, typer.Option("--format", help="text or json")
    ] = TraceFormat.text,
    graphs: GraphsOption = None,
) -> None:
    """Trace a node up to the work line (or the report), with each step's evidence."""
    store = _store(graphs or graphs_dir())
    result = _guard(lambda: trace(store, node))
    typer.echo(render_json(result) if format is TraceFormat.json else render_text(result), nl=False)


@app.command("export")
def export_command(
    what: Annotated[
        Export, typer.Argument(help="framework, measures, units, policies or quantities")
    ],
    format: Annotated[
        ExportFormat, typer.Option("--format", help="json or csv")
    ] = ExportFormat.json,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to a file.")] = None,
    graphs: GraphsOption = None,
) -> None:
    """Export rows: id, iri, type, label_zh, label_en, parent, start, end, text (and more)."""
    store = _store(graphs or graphs_dir())
    rows = export_rows(store, what.value)
    text = render(rows, fields_of(what.value), format.value)
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise _fail(f"{output}: cannot write: {error.strerror}", 2) from None
    else:
        typer.echo(text, nl=False)


@app.command("render")
def render_command(
    focus: Annotated[
        str | None,
        typer.Option(help="Show only this node's neighbourhood: area/2, P2.2.1 or an IRI."),
    ] = None,
    depth: Annotated[int, typer.Option(min=0, max=6, help="Steps around the focus (0–6).")] = 1,
    trace: Annotated[
        str | None,
        typer.Option(help="Highlight this node's paths up to the work line: target/2-2-1-1."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Default: graphs/plan.html.")
    ] = None,
    graphs: GraphsOption = None,
) -> None:
    """Write the graph view as one self-contained HTML file (no server, no network needed)."""
    from policykg import viz

    folder = graphs or graphs_dir()
    store = _store(folder)
    html = _guard(lambda: viz.render(store, focus=focus, depth=depth, trace=trace))
    target = output or folder / "plan.html"
    try:
        viz.write_file(target, html)
    except OSError as error:
        raise _fail(f"{target}: cannot write: {error.strerror}", 2) from None
    typer.echo(f"wrote {target} ({len(html.encode('utf-8'))} bytes)", err=True)


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="Any Chinese policy text (UTF-8).")],
    format: Annotated[
        ExportFormat, typer.Option("--format", help="json or csv")
    ] = ExportFormat.csv,
) -> None:
    """Extract the quantities of any Chinese policy text, as 'export quantities' rows."""
    from policykg.export import QUANTITY_FIELDS
    from policykg.quantity_rows import rows_from_text

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _fail(f"{file}: cannot read as UTF-8 text: {error}", 2) from None
    typer.echo(render(rows_from_text(text), QUANTITY_FIELDS, format.value), nl=False)


@app.command()
def gaps(
    format: Annotated[
        TraceFormat, typer.Option("--format", help="text or json")
    ] = TraceFormat.text,
    graphs: GraphsOption = None,
) -> None:
    """Targets without a baseline, measures without a target, measures only the bureau owns."""
    from policykg import gaps as finder

    report = finder.find_gaps(_store(graphs or graphs_dir()))
    text = finder.render_json(report) if format is TraceFormat.json else finder.render_text(report)
    typer.echo(text, nl=False)


@app.command()
def query(
    sparql: Annotated[
        str,
        typer.Argument(
            help="A SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query; - reads it from stdin."
        ),
    ],
    format: Annotated[
        QueryFormat, typer.Option("--format", help="json, csv or table")
    ] = QueryFormat.table,
    graphs: GraphsOption = None,
) -> None:
    """Run a read-only SPARQL query over the union of the named graphs."""
    text = sys.stdin.read() if sparql == "-" else sparql
    store = _store(graphs or graphs_dir())
    if format is QueryFormat.table:
        result = _guard(lambda: store.query(text))
        if result.kind == "ask":
            typer.echo("true" if result.boolean else "false")
        elif result.kind == "graph":
            for triple in result.triples:
                typer.echo(f"{triple.subject} {triple.predicate} {triple.object} .")
        else:
            typer.echo(_table(result.variables, result.rows), nl=False)
        return
    typer.echo(_guard(lambda: store.serialise(text, format.value)).decode("utf-8"), nl=False)


def _width(text: str) -> int:
    """Columns a terminal gives the text: two for wide (CJK) characters."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(variables: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    width = {v: max([_width(v), *(_width(r.get(v, "")) for r in rows)]) for v in variables}
    out = ["  ".join(_pad(v, width[v]) for v in variables).rstrip()]
    out.append("  ".join("-" * width[v] for v in variables))
    out += ["  ".join(_pad(r.get(v, ""), width[v]) for v in variables).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(envvar="POLICYKG_HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="POLICYKG_PORT", help="Port to listen on.")] = 8000,
    graphs: Annotated[
        Path | None,
        typer.Option(
            envvar="POLICYKG_GRAPHS", help="The folder of built graphs. Default: graphs/."
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option(envvar="POLICYKG_TIMEOUT", help="Seconds a query may take.")
    ] = 10.0,
    max_rows: Annotated[
        int, typer.Option(envvar="POLICYKG_MAX_ROWS", help="Rows a result may hold.")
    ] = 10_000,
    workers: Annotated[
        int, typer.Option(envvar="POLICYKG_WORKERS", help="Query worker processes.")
    ] = 3,
    max_query_length: Annotated[
        int, typer.Option(envvar="POLICYKG_MAX_QUERY_LENGTH", help="Characters of query text.")
    ] = 100_000,
    max_body: Annotated[
        int, typer.Option(envvar="POLICYKG_MAX_BODY", help="Bytes of request body.")
    ] = 1_000_000,
    cors_origins: Annotated[
        str,
        typer.Option(
            envvar="POLICYKG_CORS_ORIGINS",
            help="Comma-separated origins allowed to read responses; none by default.",
        ),
    ] = "",
    store: Annotated[
        Path | None,
        typer.Option(
            envvar="POLICYKG_STORE",
            help="Serve from an on-disk store at this path, built from the graphs once "
            "(a restart opens it at once). Default: in memory.",
        ),
    ] = None,
    remote: Annotated[
        str | None,
        typer.Option(
            envvar="POLICYKG_REMOTE",
            help="Query this SPARQL 1.1 endpoint (URL) instead of a local store; its default "
            "graph should be the union of the named graphs.",
        ),
    ] = None,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            envvar="POLICYKG_ACCESS_LOG",
            help="Log every request (off by default: it costs throughput).",
        ),
    ] = False,
    iri_base: Annotated[
        str,
        typer.Option(
            envvar="POLICYKG_IRI_BASE", help="IRIs under this base resolve on this server at /id/…"
        ),
    ] = "https://w3id.org/policykg/",
) -> None:
    """Serve the graph: SPARQL at /sparql, the API at /api, linked data at /id, docs at /docs."""
    import os

    import uvicorn

    settings = {
        "POLICYKG_GRAPHS": str(graphs or graphs_dir()),
        "POLICYKG_TIMEOUT": str(timeout),
        "POLICYKG_MAX_ROWS": str(max_rows),
        "POLICYKG_WORKERS": str(workers),
        "POLICYKG_MAX_QUERY_LENGTH": str(max_query_length),
        "POLICYKG_MAX_BODY": str(max_body),
        "POLICYKG_CORS_ORIGINS": cors_origins,
        "POLICYKG_IRI_BASE": iri_base,
        "POLICYKG_STORE": str(store) if store else "",
        "POLICYKG_REMOTE": remote or "",
    }
    os.environ.update(settings)  # the app (api.create_app) reads its settings from these
    _recover(graphs or graphs_dir())
    files = sorted((graphs or graphs_dir()).glob("*.trig"))
    if not files and remote is None:
        raise _fail("no graph to serve: run 'policykg build' first", 2)
    from policykg.store import check_files, disk_store

    if remote is not None:
        pass  # the endpoint's data is its own; the app checks it answers when it starts
    elif store is not None:  # build the on-disk store now (or find it current): errors here
        if _guard(lambda: disk_store(store, files)):
            typer.echo(f"built the on-disk store {store}", err=True)
    else:
        _guard(lambda: check_files(files))  # a broken file: a clear error here, not a traceback
    uvicorn.run("api:create_app", factory=True, host=host, port=port, access_log=access_log)


def main() -> None:
    """Entry point for ``python -m policykg``."""
    app()
