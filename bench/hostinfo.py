"""What machine a benchmark ran on, for the results files (shared by the bench scripts).

>>> isinstance(cpu_model(), str)
True
"""

from __future__ import annotations

import contextlib
import platform
from pathlib import Path


def cpu_model(default: str | None = None) -> str:
    """The CPU's model name from /proc/cpuinfo, else ``default`` (or the platform's name)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return default if default is not None else platform.processor() or platform.machine()
