"""Where the project's files live: the source checkout's ontology, graphs and named queries.

>>> (project_root() / "pyproject.toml").is_file()
True
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["graphs_dir", "ontology_dir", "project_root", "queries_dir"]


def project_root() -> Path:
    """The checkout root (the directory holding ``src/``).

    >>> project_root().joinpath("src", "policykg").is_dir()
    True
    """
    return Path(__file__).resolve().parents[2]


def ontology_dir() -> Path:
    """``ontology/``: the OWL ontology, the SHACL shapes and their examples.

    >>> (ontology_dir() / "shapes.ttl").is_file()
    True
    """
    return project_root() / "ontology"


def graphs_dir() -> Path:
    """``graphs/``: the source texts and the graphs built from them.

    >>> graphs_dir().name
    'graphs'
    """
    return project_root() / "graphs"


def queries_dir() -> Path:
    """``src/policykg/queries/``: the named SPARQL queries (``.rq`` files).

    >>> queries_dir().relative_to(project_root()).as_posix()
    'src/policykg/queries'
    """
    return Path(__file__).resolve().parent / "queries"
