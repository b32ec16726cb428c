"""Shared pieces of the browser tests: a real server on a loopback port and headless Chromium.

Chromium comes from Debian's packages (``.ci/run`` installs it); Playwright's Python package
drives it through its ``executable_path``, so no browser is downloaded. Every request the page
makes is recorded, so a test can assert that nothing left for another host.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from engines import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)"
)


@dataclass
class LiveServer:
    """``policykg serve`` on a loopback port."""

    base: str
    process: subprocess.Popen[bytes]

    @property
    def host(self) -> str:
        return urlsplit(self.base).netloc


@dataclass
class Visit:
    """What a page did: the hosts it asked, its console errors and uncaught exceptions."""

    hosts: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


def serve(log: Path, options: list[str] | None = None) -> Iterator[LiveServer]:
    """``policykg serve`` with two workers, and ``options`` (such as an engine's)."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "policykg"), "serve", "--port", str(port)]
    command += ["--workers", "2", "--timeout", "10", *(options or [])]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                        break
                except OSError:
                    assert process.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, "policykg serve did not come up"
                    time.sleep(0.2)
            yield LiveServer(base, process)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=15)


def watch(page: object) -> Visit:
    """Record the hosts a page requests and its console errors."""
    visit = Visit()

    def on_request(request: object) -> None:
        visit.hosts.add(urlsplit(request.url).netloc or urlsplit(request.url).scheme)  # type: ignore[attr-defined]

    def on_console(message: object) -> None:
        if message.type == "error":  # type: ignore[attr-defined]
            visit.errors.append(message.text)  # type: ignore[attr-defined]

    page.on("request", on_request)  # type: ignore[attr-defined]
    page.on("console", on_console)  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: visit.errors.append(str(error)))  # type: ignore[attr-defined]
    return visit
