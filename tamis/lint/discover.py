"""Which files ``tamis lint`` reads, what each one holds, and the ``[tool.tamis]`` configuration.

Files are found through git when the folder is a work tree (so .gitignore is honoured exactly as git
reads it), else by a walk that skips hidden and well-known generated folders. What a JSON or YAML file
holds is recognised by its shape; configuration can name the kind of any file by glob.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tamis.compiler.event_patterns.operators import VALUE_OPERATORS
from tamis.errors import TamisError
from tamis.lint.targets import KINDS

CONFIG_KEYS = {"warnings-as-errors", "ignore", "exclude", "kinds", "severity"}
SEVERITIES = ("error", "warning", "info")
# Folders no walk enters: generated output, dependencies, tool caches.
SKIP_DIRS = {"node_modules", "__pycache__", "cdk.out", "venv", "site-packages", "dist", "build"}
DATA_SUFFIXES = (".json", ".yaml", ".yml", ".template")
ASL_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")
# Terraform templatefile() inputs named for what they render to.
ASL_TEMPLATE_SUFFIXES = (".asl.json.tftpl", ".asl.json.tpl")
# The data-protection policy language's version (compiler/data_protection.VERSION, not imported: finding
# files stays light; a test holds the two equal).
DATA_PROTECTION_VERSION = "2021-06-01"
# Top-level fields of an EventBridge event: a pattern naming one of them is an event pattern.
EVENT_ENVELOPE = {
    "source",
    "detail-type",
    "detail",
    "account",
    "region",
    "resources",
    "time",
    "id",
    "version",
}
# Every operator of the pattern language (lint recognises a pattern by its use of one).
PATTERN_OPERATORS = frozenset(VALUE_OPERATORS)


class ConfigError(TamisError):
    """The linter's configuration or command line is unusable (exit status 2)."""


@dataclass
class LintConfig:
    warnings_as_errors: bool = False
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    path: str | None = None  # the file the configuration came from
    root: Path | None = None  # globs are relative to this folder

    def silenced(self, code: str) -> bool:
        return _code_listed(code, self.ignore) or self.severity.get(code) == "off"

    def kind_for(self, relpath: str) -> str | None:
        for glob, kind in self.kinds.items():
            if glob_match(glob, relpath):
                return kind
        return None

    def excluded(self, relpath: str) -> bool:
        return any(glob_match(g, relpath) for g in self.exclude)


def _code_listed(code: str, listed: Iterable[str]) -> bool:
    # A trailing "*" silences a family ("pattern.*"); plain string operations, no pattern engine.
    return any(item == code or (item.endswith("*") and code.startswith(item[:-1])) for item in listed)


def _load_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", source=str(path), rule="config") from None


def find_config(start: Path) -> Path | None:
    """The nearest ``.tamis.toml``, or ``pyproject.toml`` with a ``[tool.tamis]`` table, at or above start."""
    here = start.resolve()
    for folder in (here, *here.parents):
        candidate = folder / ".tamis.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "tool" in (data := _load_toml(pyproject)) and "tamis" in data["tool"]:
            return pyproject
        if (folder / ".git").exists():
            break
    return None


def load_config(path: Path | None) -> LintConfig:
    if path is None:
        return LintConfig()
    data = _load_toml(path)
    table = data.get("tool", {}).get("tamis")
    if table is None:
        table = data if path.name != "pyproject.toml" else {}
    src = str(path)
    unknown = set(table) - CONFIG_KEYS
    if unknown:
        raise ConfigError(
            f"unknown [tool.tamis] setting(s): {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(CONFIG_KEYS))}",
            source=src,
            rule="config",
        )
    cfg = LintConfig(path=src, root=path.parent.resolve())
    wae = table.get("warnings-as-errors", False)
    if not isinstance(wae, bool):
        raise ConfigError("warnings-as-errors must be true or false", source=src, rule="config")
    cfg.warnings_as_errors = wae
    for key in ("ignore", "exclude"):
        items = table.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"{key} must be a list of strings", source=src, rule="config")
        setattr(cfg, key, list(items))
    kinds = table.get("kinds", {})
    if not isinstance(kinds, dict):
        raise ConfigError("kinds must be a table of glob = kind", source=src, rule="config")
    for glob, kind in kinds.items():
        if kind not in KINDS:
            raise ConfigError(
                f"kinds: unknown kind {kind!r} for {glob!r}; known: {', '.join(KINDS)}",
                source=src,
                rule="config",
            )
    cfg.kinds = dict(kinds)
    severity = table.get("severity", {})
    if not isinstance(severity, dict) or not all(v in (*SEVERITIES, "off") for v in severity.values()):
        raise ConfigError(
            "severity must be a table of code = error | warning | info | off", source=src, rule="config"
        )
    cfg.severity = dict(severity)
    return cfg


# --- globs, on RE2 ---------------------------------------------------------------------------------

_GLOB_CACHE: dict[str, Any] = {}


def glob_match(glob: str, relpath: str) -> bool:
    """gitignore-like globs: ``**`` spans folders, ``*`` and ``?`` stay within one; a glob without ``/``
    matches the file name anywhere. Compiled to RE2 (globs come from users)."""
    compiled = _GLOB_CACHE.get(glob)
    if compiled is None:
        import re2

        compiled = re2.compile(_glob_regex(glob))
        _GLOB_CACHE[glob] = compiled
    target = relpath if "/" in glob.rstrip("/") else relpath.rsplit("/", 1)[-1]
    return compiled.fullmatch(target) is not None


def _glob_regex(glob: str) -> str:
    import re2

    glob = glob.lstrip("/")
    if glob.endswith("/"):
        glob += "**"
    out: list[str] = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re2.escape(c))
            i += 1
    return "".join(out)


# --- discovery -------------------------------------------------------------------------------------


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
        listed = _git_files(path)
        files = listed if listed is not None else _walk(path)
        for f in files:
            found.setdefault(str(f), f)
    return [found[k] for k in sorted(found)]


def _git_files(folder: Path) -> list[Path] | None:
    try:
        proc = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "."],
            cwd=folder,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    out = []
    for rel in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if rel and is_candidate(rel):
            p = folder / rel
            if p.is_file():  # listed in the index but deleted in the work tree
                out.append(p)
    return out


def _walk(folder: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(filenames):
            if not name.startswith(".") and is_candidate(name):
                out.append(Path(dirpath) / name)
    return out


# --- what a data file holds ------------------------------------------------------------------------


def kind_by_name(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".tf"):
        return "terraform"
    if lower.endswith(ASL_SUFFIXES) or lower.endswith(ASL_TEMPLATE_SUFFIXES):
        return "state-machine"
    return None


def detect_kind(value: Any, name: str) -> str | None:
    """The kind of a parsed JSON/YAML document, recognised by its shape (None: not ours)."""
    if not isinstance(value, dict) or not value:
        return None
    resources = value.get("Resources")
    if "AWSTemplateFormatVersion" in value or (
        isinstance(resources, dict)
        and any(isinstance(r, dict) and isinstance(r.get("Type"), str) for r in resources.values())
    ):
        return "cloudformation"
    if "StartAt" in value and isinstance(value.get("States"), dict):
        return "state-machine"
    filters = value.get("Filters")
    if isinstance(filters, list) and filters and all(isinstance(f, dict) and "Pattern" in f for f in filters):
        return "lambda-filter-criteria"
    statements = value.get("Statement")
    identifiers = isinstance(statements, list) and any(
        isinstance(s, dict) and "DataIdentifier" in s for s in statements
    )
    if identifiers or value.get("Version") == DATA_PROTECTION_VERSION:
        # The language's own version marks a data-protection policy whatever is wrong with its statements
        # (missing, empty, not a list): it is checked, so that the mistake is reported.
        statements = statements if isinstance(statements, list) else []
        sns = any(isinstance(s, dict) and ("DataDirection" in s or "Principal" in s) for s in statements)
        return "sns-data-protection-policy" if sns else "cloudwatch-logs-data-protection-policy"
    lower = name.lower().replace("_", "-")
    shaped = _pattern_shaped(value, 0)
    # A file named for what it holds is checked even when a mistake leaves it misshapen (a value not in a
    # list: {"source": "aws.ec2"}; an operator the services lack: [{"contains": "x"}]), so that the mistake
    # is reported instead of the file being passed over; other misshapen JSON stays someone else's.
    named_policy = "filter-policy" in lower or "filterpolicy" in lower
    if named_policy or (shaped and "subscription" in lower):
        nested = any(isinstance(v, dict) for v in value.values())
        return "sns-filter-policy-body" if nested or "body" in lower else "sns-filter-policy"
    if not shaped:
        skeleton = all(isinstance(v, list | dict) for v in value.values())  # fields map to lists or objects
        if "pattern" in lower and (skeleton or set(value) & EVENT_ENVELOPE):
            return "eventbridge-pattern"
        return None
    if set(value) & EVENT_ENVELOPE or "pattern" in lower or "$or" in value or _uses_operator(value, 0):
        return "eventbridge-pattern"
    return None


def _uses_operator(value: Any, depth: int) -> bool:
    """A matcher object such as {"prefix": ...} or {"numeric": [...]}: the mark of a pattern, not of data."""
    if depth > 20:
        return False
    if isinstance(value, dict):
        return any(_uses_operator(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(
            isinstance(item, dict) and item and set(item) <= PATTERN_OPERATORS for item in value
        ) or any(isinstance(item, dict) and _uses_operator(item, depth + 1) for item in value)
    return False


def _pattern_shaped(value: dict[str, Any], depth: int) -> bool:
    """Every field maps to a list of matchers or to a nested pattern: the shape all three dialects share."""
    if depth > 20:
        return False
    for key, v in value.items():
        if key == "$or":
            if not (
                isinstance(v, list)
                and v
                and all(isinstance(x, dict) and _pattern_shaped(x, depth + 1) for x in v)
            ):
                return False
        elif isinstance(v, dict):
            if not v or not _pattern_shaped(v, depth + 1):
                return False
        elif isinstance(v, list):
            for item in v:
                if isinstance(item, dict) and not (set(item) <= PATTERN_OPERATORS):
                    return False
                if isinstance(item, list):
                    return False
        else:
            return False
    return True
