"""Shared fixtures: the source report, its parsed plan and its built dataset (built once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.build import BuildResult, build, default_source
from policykg.model import Plan


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
