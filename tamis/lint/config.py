"""The linter's configuration: the ``[tool.tamis]`` table of ``pyproject.toml`` or a ``.tamis.toml``, found
from the linted folder upwards, and the two matching languages it uses: codes (``EVT223``, ``EVT2*``) and
globs. Old spellings of codes (``pattern.numeric-bounds``, ``MISSING_TRANSITION_TARGET``, ``lint.*``) still
work wherever a code is accepted; :func:`canonical_code` gives the new one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tamis.compiler.suggestions import did_you_mean
from tamis.errors import TamisError
from tamis.lint.kinds import KINDS
from tamis.rules import RULES, resolve

CONFIG_KEYS = {"warnings-as-errors", "ignore", "exclude", "kinds", "severity"}
SEVERITIES = ("error", "warning", "info")


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
    # Old spellings of codes the file uses, as (old, new), each once: the run notes each (LNT903).
    deprecated: list[tuple[str, str]] = field(default_factory=list)

    def silenced(self, code: str) -> bool:
        return code_listed(code, self.ignore) or self.severity.get(code) == "off"

    def kind_for(self, relpath: str) -> str | None:
        for glob, kind in self.kinds.items():
            if glob_match(glob, relpath):
                return kind
        return None

    def excluded(self, relpath: str) -> bool:
        return any(glob_match(g, relpath) for g in self.exclude)


def code_listed(code: str, listed: Iterable[str]) -> bool:
    """Whether ``code`` is in ``listed``, where an item ending in "*" stands for every code it starts
    ("EVT*", "ASL2*"): the one rule of --ignore, ``ignore``, ``severity`` and ``# tamis: ignore[...]`` alike.
    Old spellings in ``listed`` count as their new codes. Plain string operations, no pattern engine."""
    for spelling in listed:
        for item in canonical_code(spelling)[0]:
            if item == code or (item.endswith("*") and code.startswith(item[:-1])):
                return True
    return False


# The old scheme's family wildcards, and the prefix of their new codes.
_OLD_FAMILIES = {"pattern.": "EVT", "policy.": "DP", "lint.": "LNT"}


@cache
def canonical_code(spelling: str) -> tuple[tuple[str, ...], bool]:
    """The new spellings of a code or a wildcard (``pattern.numeric-bounds`` -> ``EVT223``, ``lint.*`` ->
    ``LNT*``, ``pattern.numeric-*`` -> the codes whose old names it covered), and whether ``spelling`` was
    an old one. An unknown spelling comes back as it is."""
    spelling = spelling.strip()
    if spelling.endswith("*"):
        stem = spelling[:-1]
        new = _OLD_FAMILIES.get(stem)
        if new is not None:
            return (new + "*",), True
        if stem.startswith(tuple(_OLD_FAMILIES)):
            codes = tuple(r.code for r in RULES if any(a.startswith(stem) for a in r.aliases))
            if codes:
                return codes, True
        return (spelling,), False
    found, old = resolve(spelling)
    return ((found.code,), old) if found is not None else ((spelling,), False)


def unknown_spelling(spelling: str) -> str | None:
    """Why ``spelling`` names no code (with a did-you-mean), or None when it names one or a family of them.
    An ignore entry that silences nothing is a mistake the user cannot see, so it is refused, not skipped."""
    items, _ = canonical_code(spelling)
    codes = [r.code for r in RULES]
    for item in items:
        if item.endswith("*"):
            if any(code.startswith(item[:-1]) for code in codes):
                continue
        elif item in codes:
            continue
        hint = did_you_mean(spelling.strip(), codes)
        return f"{spelling!r} is not a tamis code{hint} (tamis rule --all lists them)"
    return None


def canonical_codes(spellings: Iterable[str], deprecated: list[tuple[str, str]]) -> list[str]:
    """``spellings`` in the new scheme; each old one is added to ``deprecated`` as (old, new) (once)."""
    out: list[str] = []
    for spelling in spellings:
        new, old = canonical_code(spelling)
        if old and (spelling, ", ".join(new)) not in deprecated:
            deprecated.append((spelling, ", ".join(new)))
        out.extend(new)
    return out


def _refuse_unknown(spellings: list[str], path: Path, key: str) -> None:
    """A ConfigError, at the spelling's place in the file, for the first entry naming no code."""
    for spelling in spellings:
        why = unknown_spelling(spelling)
        if why is None:
            continue
        line = column = None
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        for quoted in (f'"{spelling}"', f"'{spelling}'"):
            at = text.find(quoted)
            if at >= 0:
                line = text.count("\n", 0, at) + 1
                column = at - (text.rfind("\n", 0, at) + 1) + 1
                break
        raise ConfigError(f"{key}: {why}", source=str(path), line=line, column=column, rule="config")


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
        if key == "ignore":
            _refuse_unknown(items, path, "ignore")
        setattr(cfg, key, canonical_codes(items, cfg.deprecated) if key == "ignore" else list(items))
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
    _refuse_unknown(list(severity), path, "severity")
    cfg.severity = {
        new: level for key, level in severity.items() for new in canonical_codes([key], cfg.deprecated)
    }
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


# --- the configuration a run uses, and --force-exclude ----------------------------------------------


def resolve_config(targets: list[Path], config: str | None, here: Path) -> LintConfig:
    """The configuration a run over ``targets`` uses: the file ``--config`` names, else the nearest one at or
    above the first target (as :func:`tamis.lint.lint` finds it)."""
    if config is not None:
        cfg_path = Path(config)
        if not cfg_path.is_file():
            raise ConfigError(f"configuration file not found: {config}", rule="usage")
        return load_config(cfg_path)
    first = targets[0] if targets else here
    start = first if first.is_dir() else first.parent
    return load_config(find_config(start if start.exists() else here))


def force_excluded(cfg: LintConfig, path: Path, here: Path) -> bool:
    """Whether ``exclude`` covers a file named on the command line (``--force-exclude``: a pre-commit hook
    names every changed file, and the excluded ones must stay unread)."""
    absolute = path if path.is_absolute() else here / path
    root = cfg.root or here.resolve()
    try:
        rel = absolute.resolve().relative_to(root).as_posix()
    except ValueError:  # outside the configuration's folder: no glob of it applies
        return False
    return cfg.excluded(rel)
