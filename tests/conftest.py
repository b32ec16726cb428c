"""Shared fixtures: the source report, its parsed plan and its built dataset (built once), and the
query engine every API test runs on.

A test (or fixture) that takes ``engine`` runs once per engine, ``[memory]``, ``[disk]`` and
``[remote]`` (see ``engines.py``); ``pytest --engines memory,disk`` or the environment variable
``POLICYKG_TEST_ENGINES`` chooses fewer for a quick local run. The default, and CI, is all three.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from engines import ENGINES, Engine, Engines

from policykg.build import BuildResult, build, default_source
from policykg.model import Plan


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engines",
        default=os.environ.get("POLICYKG_TEST_ENGINES", ",".join(ENGINES)),
        help="comma-separated query engines to run the API tests on "
        f"(default: {','.join(ENGINES)}, or $POLICYKG_TEST_ENGINES)",
    )


def chosen_engines(config: pytest.Config) -> list[str]:
    names = [name.strip() for name in str(config.getoption("--engines")).split(",")]
    names = [name for name in names if name]
    unknown = sorted(set(names) - set(ENGINES))
    if unknown or not names:
        raise pytest.UsageError(
            f"--engines: unknown engine {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(ENGINES)}"
        )
    return [name for name in ENGINES if name in names]


def pytest_configure(config: pytest.Config) -> None:
    chosen_engines(config)  # a misspelt engine is a usage error before anything runs


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames:
        names = chosen_engines(metafunc.config)
        metafunc.parametrize("engine", names, indirect=True, ids=names, scope="module")


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engines]:
    made = Engines(tmp_path_factory)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module")
def engine(request: pytest.FixtureRequest, engines: Engines) -> Engine:
    """The engine this test runs on, over the built graphs (parametrized by name)."""
    return engines.get(request.param)


@pytest.fixture(scope="session")
def source_path() -> Path:
    return default_source()


@pytest.fixture(scope="session")
def source_text(source_path: Path) -> str:
    return source_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built(source_path: Path) -> BuildResult:
    return build(source_path)


@pytest.fixture(scope="session")
def plan(built: BuildResult) -> Plan:
    return built.plan
