"""``tamis lint`` report formats: text (for people), JSON (for scripts) and SARIF 2.1.0 (for code scanning).

SARIF facts used here come from the OASIS SARIF 2.1.0 specification
(https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html: sarifLog, run, tool.driver,
reportingDescriptor, result, partialFingerprints, physicalLocation, region with an exclusive endColumn;
``level`` is one of none/note/warning/error) and GitHub's code-scanning notes
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning:
results need ``ruleId``, a message text and a location whose URI is relative to the repository root, found
through ``uriBaseId``; fingerprints keep an alert across line moves; and
https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit:
at most 25,000 results and 25,000 rules per run, 20 tags per rule).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tamis.errors import Diagnostic
from tamis.grammar.text import LineIndex
from tamis.rules import get as get_rule

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_MAX_RESULTS = 25_000  # GitHub's hard limit per run (see the module docstring)
FINGERPRINT_KEY = "tamis/v1"  # SARIF 3.27.17: a versioned, tool-named key
INFORMATION_URI = "https://pypi.org/project/tamis/"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


# Widest source line echoed under a diagnostic; a longer one (minified JSON, a 2 MB line) is cut around the
# column, each cut marked with an ellipsis.
CONTEXT_WIDTH = 120
_ELLIPSIS = "..."


def context_line(line: str, caret: int) -> tuple[str, int]:
    """``line`` cut to at most ``CONTEXT_WIDTH`` characters (plus the ellipses) around ``caret``, and
    where the caret falls in what is shown."""
    if len(line) <= CONTEXT_WIDTH:
        return line, caret
    start = max(0, min(caret - CONTEXT_WIDTH // 2, len(line) - CONTEXT_WIDTH))
    end = start + CONTEXT_WIDTH
    head = _ELLIPSIS if start > 0 else ""
    tail = _ELLIPSIS if end < len(line) else ""
    return head + line[start:end] + tail, caret - start + len(head)


def format_text(diags: list[Diagnostic], texts: dict[str, str], *, show_source: bool = True) -> str:
    out: list[str] = []
    indexes: dict[str, LineIndex] = {}
    for d in diags:
        out.append(f"{d.source}:{d.line}:{d.column}: {d.severity} {code_label(d)} {d.message}")
        if show_source and d.source in texts and d.line:
            index = indexes.get(d.source)
            if index is None:
                index = indexes[d.source] = LineIndex(texts[d.source])
            line = index.line_text(d.line)
            if line.strip():
                col = max((d.column or 1) - 1, 0)
                shown, caret = context_line(line.expandtabs(4), len(line[:col].expandtabs(4)))
                out.append(f"    {shown}")
                out.append("    " + " " * caret + "^")
    return "\n".join(out) + ("\n" if out else "")


def code_label(d: Diagnostic) -> str:
    """A diagnostic's code, with the service's own code beside it where there is one:
    ``ASL201 (MISSING_TRANSITION_TARGET)``."""
    service = d.service_code
    return f"{d.code} ({service})" if service else d.code


def summary(diags: list[Diagnostic], files: int, checked: int) -> str:
    counts = {s: sum(d.severity == s for d in diags) for s in ("error", "warning", "info")}
    parts = [f"{counts['error']} error{'s' * (counts['error'] != 1)}"]
    parts.append(f"{counts['warning']} warning{'s' * (counts['warning'] != 1)}")
    parts.append(f"{counts['info']} note{'s' * (counts['info'] != 1)}")
    return f"tamis lint: {', '.join(parts)} ({checked} checked in {files} files)"


def format_json(diags: list[Diagnostic], files: int, checked: int) -> str:
    items = []
    for d in diags:
        items.append(
            {
                "path": d.source,
                "line": d.line,
                "column": d.column,
                "severity": d.severity,
                "code": d.code,
                "name": d.name,
                "service_code": d.service_code,
                "message": d.message,
                "pointer": d.pointer or None,
                "target": (d.extra or {}).get("target"),
            }
        )
    counts = {s: sum(d.severity == s for d in diags) for s in ("error", "warning", "info")}
    return json.dumps(
        {"diagnostics": items, "summary": {**counts, "files": files, "checked": checked}},
        indent=2,
        ensure_ascii=False,
    )


def repository_root(here: Path, config_root: Path | None = None) -> Path:
    """The folder SARIF URIs are relative to: the git work tree's top level, else the configuration's
    folder, else ``here``. Code scanning resolves URIs against the repository root, so a run from
    ``sam/`` must still say ``sam/template.yaml``."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=here, capture_output=True, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        proc = None
    if proc is not None and proc.returncode == 0 and proc.stdout.strip():
        return Path(proc.stdout.decode("utf-8", "surrogateescape").strip()).resolve()
    if config_root is None:
        from tamis.lint.config import find_config

        found = find_config(here)
        config_root = found.parent if found is not None else None
    return (config_root or here).resolve()


def format_sarif(
    diags: list[Diagnostic],
    here: Path,
    version: str,
    *,
    root: Path | None = None,
    texts: dict[str, str] | None = None,
) -> str:
    """A SARIF 2.1.0 log of ``diags`` (whose ``source`` is relative to ``here`` or absolute), with URIs
    relative to ``root`` (default: :func:`repository_root`) and end positions read from ``texts``."""
    root = (root or repository_root(here)).resolve()
    texts = texts or {}
    indexes: dict[str, LineIndex] = {}
    rules: dict[str, int] = {}
    descriptors: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    occurrences: dict[str, int] = {}
    for d in diags[:SARIF_MAX_RESULTS]:
        if d.code not in rules:
            rules[d.code] = len(descriptors)
            descriptors.append(_descriptor(d))
        source = d.source or ""
        line_text = ""
        if source in texts and d.line:
            index = indexes.get(source)
            if index is None:
                index = indexes[source] = LineIndex(texts[source])
            line_text = index.line_text(d.line)
        artifact, uri = _artifact(source, here, root)
        start_line = max(d.line or 1, 1)
        region: dict[str, Any] = {"startLine": start_line, "endLine": start_line}
        if d.column:
            region["startColumn"] = max(d.column, 1)
            region["endColumn"] = token_end(line_text, region["startColumn"])
        normalised = " ".join(line_text.split())
        digest = hashlib.sha256("\0".join((d.code, uri, normalised)).encode("utf-8", "surrogatepass"))
        stem = digest.hexdigest()[:32]
        occurrence = occurrences.get(stem, 0)  # the same line twice in a file: told apart by order
        occurrences[stem] = occurrence + 1
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": rules[d.code],
            "level": _LEVEL.get(d.severity, "warning"),
            "message": {"text": d.message or d.code},
            "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
            "partialFingerprints": {FINGERPRINT_KEY: f"{stem}:{occurrence}"},
        }
        properties: dict[str, Any] = {}
        if d.pointer:
            properties["pointer"] = d.pointer
        if d.service_code:
            properties["service_code"] = d.service_code
        if properties:
            result["properties"] = properties
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "tamis",
                "version": version,
                "semanticVersion": version,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if len(diags) > SARIF_MAX_RESULTS:
        run["properties"] = {"truncated": len(diags) - SARIF_MAX_RESULTS}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False)


def _artifact(source: str, here: Path, root: Path) -> tuple[dict[str, Any], str]:
    """The artifactLocation of a diagnostic's file, and the URI used in its fingerprint."""
    absolute = Path(os.path.abspath(here / source))
    try:
        rel = absolute.relative_to(root).as_posix()
    except ValueError:
        try:
            rel = absolute.resolve().relative_to(root).as_posix()
        except ValueError:  # outside the repository: a full file URI, which code scanning cannot place
            uri = absolute.as_uri()
            return {"uri": uri}, uri
    uri = quote(rel, safe="/")
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}, uri


def token_end(line: str, column: int) -> int:
    """The (exclusive, 1-based) column just after the token starting at ``column``: a JSON string with its
    quotes, else a run of characters up to a space or a delimiter; one character when neither applies."""
    i = column - 1
    if i >= len(line):
        return column + 1 if not line else max(column, len(line) + 1)
    if line[i] in "\"'":
        quote_char = line[i]
        j = i + 1
        while j < len(line):
            if line[j] == "\\":
                j += 2
                continue
            if line[j] == quote_char:
                return j + 2
            j += 1
        return len(line) + 1
    j = i
    while j < len(line) and not line[j].isspace() and line[j] not in ",:[]{}()=":
        j += 1
    return max(j, i + 1) + 1


# --- rule descriptions, from the registry (tamis.rules) -----------------------------------------------

_TAGS = {
    "EVT": ["event-pattern", "eventbridge", "sns", "lambda"],
    "DP": ["data-protection", "sns", "cloudwatch-logs"],
    "ASL": ["state-machine", "step-functions"],
    "LNT": ["lint"],
}
RULES_PAGE = "docs/rules.md"  # generated by `tamis rule --all --format markdown`


def docs_uri(anchor: str = "") -> str:
    """Where a code is documented: its anchor in docs/rules.md of the repository named in the installed
    package's metadata (Project-URL: Source, Repository or Homepage on github.com), else the package's
    page."""
    from importlib import metadata

    try:
        urls = metadata.metadata("tamis").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("source", "repository", "homepage") and "github.com" in url:
            return f"{url.strip().rstrip('/')}/blob/main/{RULES_PAGE}" + (f"#{anchor}" if anchor else "")
    return INFORMATION_URI


def _descriptor(d: Diagnostic) -> dict[str, Any]:
    rule = get_rule(d.code)
    if rule is None:  # not a registry code (tests/test_rules.py keeps this unreachable): the bare minimum
        return {
            "id": d.code,
            "shortDescription": {"text": d.code},
            "defaultConfiguration": {"level": _LEVEL.get(d.severity, "warning")},
        }
    uri = docs_uri(rule.anchor)
    full = f"{rule.summary} {rule.why}"
    text = f"{full}\n\nExample: {rule.example}\n\nFix: {rule.fix}"
    markdown = (
        f"**{rule.code}** ({rule.name}): {rule.summary}\n\n{rule.why}\n\n"
        f"Example:\n\n```\n{rule.example}\n```\n\nFix: {rule.fix}\n\n[Documentation]({uri})"
    )
    tags = [*_TAGS[rule.prefix], rule.group.replace(" ", "-")]
    properties: dict[str, Any] = {"tags": tags}
    if rule.service_code:
        properties["service_code"] = rule.service_code
    return {
        "id": rule.code,
        "name": "".join(
            p.capitalize() for p in rule.name.replace(".", "-").replace("_", "-").split("-") if p
        ),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": markdown},
        "helpUri": uri,
        "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "warning")},
        "properties": properties,
    }
