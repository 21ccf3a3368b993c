"""``tamis lint`` report formats: text (for people), JSON (for scripts) and SARIF 2.1.0 (for code scanning).

SARIF facts used here come from the OASIS SARIF 2.1.0 specification (sarifLog, run, tool.driver,
reportingDescriptor, result, physicalLocation, region; ``level`` is one of none/note/warning/error) and
GitHub's code-scanning upload notes (results need ``ruleId``, a message and a location with a relative URI).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tamis.errors import Diagnostic
from tamis.grammar.text import LineIndex

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def format_text(diags: list[Diagnostic], texts: dict[str, str], *, show_source: bool = True) -> str:
    out: list[str] = []
    indexes: dict[str, LineIndex] = {}
    for d in diags:
        out.append(f"{d.source}:{d.line}:{d.column}: {d.severity} {d.code} {d.message}")
        if show_source and d.source in texts and d.line:
            index = indexes.get(d.source)
            if index is None:
                index = indexes[d.source] = LineIndex(texts[d.source])
            line = index.line_text(d.line)
            if line.strip():
                stripped = line.expandtabs(4)
                out.append(f"    {stripped}")
                col = max((d.column or 1) - 1, 0)
                prefix = line[:col].expandtabs(4)
                out.append("    " + " " * len(prefix) + "^")
    return "\n".join(out) + ("\n" if out else "")


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


def format_sarif(diags: list[Diagnostic], root: Path, version: str) -> str:
    rules: dict[str, int] = {}
    descriptors: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for d in diags:
        if d.code not in rules:
            rules[d.code] = len(descriptors)
            descriptors.append(
                {
                    "id": d.code,
                    "name": _rule_name(d.code),
                    "shortDescription": {"text": _rule_text(d.code)},
                    "defaultConfiguration": {"level": _LEVEL.get(d.severity, "warning")},
                }
            )
        region: dict[str, Any] = {"startLine": max(d.line or 1, 1)}
        if d.column:
            region["startColumn"] = max(d.column, 1)
        source = d.source or ""
        if Path(source).is_absolute():  # outside the run's root: a full file URI
            artifact: dict[str, Any] = {"uri": Path(source).as_uri()}
        else:
            artifact = {"uri": quote(source, safe="/"), "uriBaseId": "%SRCROOT%"}
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": rules[d.code],
            "level": _LEVEL.get(d.severity, "warning"),
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": region,
                    }
                }
            ],
        }
        if d.pointer:
            result["properties"] = {"pointer": d.pointer}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tamis",
                        "version": version,
                        "semanticVersion": version,
                        "informationUri": "https://pypi.org/project/tamis/",
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _rule_name(code: str) -> str:
    return "".join(p.capitalize() for p in code.replace(".", "-").replace("_", "-").split("-") if p)


def _rule_text(code: str) -> str:
    family, _, rule = code.partition(".")
    if family == "pattern":
        return f"Event pattern / filter policy rule: {rule}"
    if family == "policy":
        return f"Data-protection policy rule: {rule}"
    if family == "lint":
        return f"Linter: {rule.replace('-', ' ')}"
    return f"State machine (Amazon States Language): {code}"
