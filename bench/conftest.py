"""pytest set-up for the suites in bench/ (never collected by the normal run: testpaths is tests/)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent

# The suites import their data generators (beside them, one folder per language) and timing.py (here) as
# plain modules; importlib mode keeps these folders off sys.path.
LANGUAGES = ("event_patterns", "data_protection", "asl", "lint", "archives")
for folder in (BENCH, *(BENCH / language for language in LANGUAGES)):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _git_head() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BENCH, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


_LOAD_AT_START: list[float] = []


def pytest_configure(config: Any) -> None:
    # 100,000-rule sizes take minutes per suite; `-m "not huge"` leaves them out of a quick run.
    config.addinivalue_line("markers", "huge: 100,000-rule sizes (deselect with -m 'not huge')")


def pytest_sessionstart(session: Any) -> None:
    # Other work on a shared machine shows in the load average; report.py prints it next to the figures.
    if hasattr(os, "getloadavg"):
        _LOAD_AT_START[:] = os.getloadavg()


def pytest_benchmark_update_json(config: Any, benchmarks: Any, output_json: dict[str, Any]) -> None:
    """Record what report.py needs to describe the run: cores, interpreter, peer versions, checkout."""
    output_json["tamis_bench"] = {
        "cpu_count": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "git_head": _git_head(),
        "loadavg_start": _LOAD_AT_START[:1] or None,
        "loadavg_end": list(os.getloadavg()[:1]) if hasattr(os, "getloadavg") else None,
        "versions": {
            dist: _version(dist)
            for dist in ("tamis", "moto", "localstack-core", "orjson", "google-re2", "pytest-benchmark")
        },
    }
