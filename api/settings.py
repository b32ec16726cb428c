"""Server settings: each a `policykg serve` option and a `POLICYKG_*` environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from policykg.paths import graphs_dir
from policykg.service import Settings

__all__ = ["ServerSettings"]


@dataclass(frozen=True)
class ServerSettings:
    """What the server serves and how (see the README's settings table)."""

    host: str = "127.0.0.1"
    port: int = 8000
    graphs: Path = field(default_factory=graphs_dir)  # the folder of built graphs (*.trig)
    timeout: float = 10.0  # seconds a query may run, waiting for a worker included
    max_rows: int = 10_000  # rows (or triples) a result may hold; more is an error, never cut
    workers: int = 3  # query worker processes
    max_query_length: int = 100_000  # characters of query text
    max_body: int = 1_000_000  # bytes of request body
    cors_origins: tuple[str, ...] = ()  # origins allowed to read responses; none by default
    store: Path | None = None  # an on-disk store (built from the graphs once); None: in memory
    remote: str | None = None  # a remote SPARQL endpoint to query instead of a local store
    iri_base: str = "https://w3id.org/policykg/"  # IRIs under it resolve here: {base}id/… → /id/…

    @classmethod
    def from_env(cls, **overrides: object) -> ServerSettings:
        """Settings from ``POLICYKG_*`` environment variables, then explicit overrides."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"POLICYKG_{f.name.upper()}")
            if raw is None:
                continue
            if f.name == "graphs":
                values[f.name] = Path(raw)
            elif f.name == "store":
                values[f.name] = Path(raw) if raw else None
            elif f.name == "remote":
                values[f.name] = raw or None
            elif f.name == "cors_origins":
                values[f.name] = tuple(o.strip() for o in raw.split(",") if o.strip())
            elif f.name in {"port", "max_rows", "workers", "max_query_length", "max_body"}:
                values[f.name] = int(raw)
            elif f.name == "timeout":
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def query_settings(self) -> Settings:
        """The query service's share of the settings."""
        return Settings(
            timeout=self.timeout,
            max_rows=self.max_rows,
            workers=self.workers,
            max_query_length=self.max_query_length,
        )
