"""Which files ``tamis lint`` reads: through git when the folder is a work tree (so .gitignore is honoured
exactly as git reads it), else by a walk that skips hidden and well-known generated folders; in either
case only files whose names may hold something to check. (What each file holds: kinds.py; which of them
the configuration excludes or names the kind of: config.py.)
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tamis.lint.config import ConfigError
from tamis.lint.kinds import ASL_TEMPLATE_SUFFIXES

# Folders no walk enters: generated output, dependencies, tool caches.
SKIP_DIRS = {"node_modules", "__pycache__", "cdk.out", "venv", "site-packages", "dist", "build"}
DATA_SUFFIXES = (".json", ".yaml", ".yml", ".template")


def is_candidate(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".tf", *DATA_SUFFIXES, *ASL_TEMPLATE_SUFFIXES))


def discover(paths: list[Path]) -> list[Path]:
    """Files to lint under ``paths`` (files named explicitly are always included), sorted, unique."""
    found: dict[str, Path] = {}
    for path in paths:
        if path.is_file():
            found.setdefault(str(path), path)
            continue
        if not path.is_dir():
            raise ConfigError(f"no such file or folder: {path}", rule="usage")
        # A folder named on the command line is read even when it is generated output that a walk or
        # .gitignore passes over: `tamis lint cdk.out/` after `cdk synth` is how CDK apps are linted.
        listed = None if path.resolve().name in SKIP_DIRS or _git_ignored(path) else _git_files(path)
        files = listed if listed is not None else _walk(path)
        for f in files:
            found.setdefault(str(f), f)
    return [found[k] for k in sorted(found)]


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """``git ARGS`` run in ``folder``, or None where git cannot run there."""
    try:
        return subprocess.run(["git", *args], cwd=folder, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None


def _git_files(folder: Path) -> list[Path] | None:
    proc = _git(folder, "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", ".")
    if proc is None or proc.returncode != 0:
        return None
    out = []
    for rel in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if rel and is_candidate(rel):
            p = folder / rel
            if p.is_file():  # listed in the index but deleted in the work tree
                out.append(p)
    return out


def _git_ignored(folder: Path) -> bool:
    """The folder is in a git work tree and ignored there (git would list none of its files)."""
    proc = _git(folder, "check-ignore", "-q", "--", str(folder.resolve()))
    return proc is not None and proc.returncode == 0


def _walk(folder: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(filenames):
            if not name.startswith(".") and is_candidate(name):
                out.append(Path(dirpath) / name)
    return out
