"""Amazon States Language: ``validate_asl`` (and ``compile_choice``, from the Choice compiler).

``validate_asl`` returns every problem as a :class:`tamis.Diagnostic` with the service's code, a
severity, a plain message, the JSON pointer of the offending value and, when the definition came as
text, its line and column. Positions are computed only when there is something to report.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from tamis.compiler.asl.sources import (
    JsonReader,
    LoadedDefinition,
    Substitutions,
    json_locator,
    load_definitions,
)
from tamis.compiler.asl.validator import MAX_DEFINITION_BYTES, Finding, validate_value
from tamis.errors import DefinitionError, Diagnostic, TamisError
from tamis.grammar.text import LineIndex

if TYPE_CHECKING:
    from tamis.runtime.choice.decision import ChoiceDecision

__all__ = [
    "Substitutions",
    "compile_choice",
    "pointer",
    "validate_asl",
    "validate_asl_file",
    "validate_loaded",
]


def pointer(path: tuple[str | int, ...]) -> str:
    """RFC 6901 JSON pointer of ``path`` (``/`` for the whole document, as the service reports it)."""
    if not path:
        return "/"
    joined = "/".join(map(str, path))
    if "~" not in joined and joined.count("/") == len(path) - 1:  # nothing to escape (the usual case)
        return "/" + joined
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _diagnostics(
    findings: list[Finding], loaded: LoadedDefinition | None, source: str | None
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    prefix = loaded.prefix if loaded is not None else ()
    refine = loaded is not None and loaded.text is not None and not loaded.prefix
    for code, severity, message, path, key, *inner in findings:
        line = column = None
        if loaded is not None:
            line, column = loaded.locate(path, key)
            if inner and refine and line is not None and column is not None:
                column = _column_inside_string(loaded.text or "", line, column, inner[0]) or column
        ptr = pointer((*prefix, *path)) if path[:1] != ("@",) else pointer(prefix)
        extra: dict[str, object] = {"definition": loaded.name} if loaded is not None and loaded.name else {}
        out.append(Diagnostic(code, severity, message, ptr, line, column, source, extra))
    return out


def _column_inside_string(text: str, line: int, column: int, inner: int) -> int | None:
    """The column of the ``inner``-th character of the JSON string that starts at (line, column).

    JSON strings hold no raw line breaks, so the character is on the same line; escapes such as
    ``\\n`` or ``\\u00e9`` take several columns for one character."""
    at = LineIndex(text).offset(line, column)
    if text[at : at + 1] != '"':
        return None
    i = at + 1
    for _ in range(inner):
        ch = text[i : i + 1]
        if ch in ('"', ""):
            return None
        i += (6 if text[i + 1 : i + 2] == "u" else 2) if ch == "\\" else 1
    return column + (i - at)


def _size_finding(size: int) -> list[Finding]:
    if size > MAX_DEFINITION_BYTES:
        return [
            (
                "SCHEMA_VALIDATION_FAILED",
                "error",
                f"the definition is {size} bytes; the limit is {MAX_DEFINITION_BYTES} (1 MB)",
                (),
                False,
            )
        ]
    return []


def _unreadable(exc: DefinitionError, source: str | None) -> list[Diagnostic]:
    code = (
        "INVALID_JSON_DESCRIPTION" if exc.rule in ("json", "encoding", None) else "INVALID_YAML_DESCRIPTION"
    )
    return [Diagnostic(code, "error", exc.message, "/", exc.line, exc.column, source or exc.source)]


def validate_asl(
    definition: str | bytes | dict[str, Any],
    *,
    source: str | None = None,
    base_dir: str | None = None,
    machine_type: str = "STANDARD",
    substitutions: Substitutions | None = None,
) -> list[Diagnostic]:
    """Validate one state-machine definition, or every definition in a template.

    ``definition`` is the definition as a dict, or text: JSON, YAML, a CloudFormation/SAM template or a
    template file with ``${...}`` placeholders. ``source`` names the file in diagnostics; ``base_dir``
    resolves a SAM ``DefinitionUri`` (defaults to the directory of ``source``). ``machine_type``
    ``"EXPRESS"`` adds the rules of Express workflows (no .sync, .waitForTaskToken or activities).

    A definition taken out of a template (as the linter does) is judged as the template would have it
    judged: ``machine_type`` is the resource's type, and ``substitutions`` what its deployment replaces
    (``${Name}`` it does not replace are reported). A template given whole says both itself.
    """
    if machine_type not in ("STANDARD", "EXPRESS"):
        raise TamisError(
            f"machine_type must be STANDARD or EXPRESS, not {machine_type!r}", rule="machine-type"
        )
    try:
        return _validate(definition, source, base_dir, machine_type == "EXPRESS", substitutions)
    except RecursionError:  # nesting deeper than the interpreter's stack: report, never a traceback
        return [
            Diagnostic(
                "TOO_DEEPLY_NESTED", "error", "the definition is nested too deeply", "/", None, None, source
            )
        ]


def _validate(
    definition: Any, source: str | None, base_dir: str | None, express: bool, subs: Substitutions | None
) -> list[Diagnostic]:
    if isinstance(definition, (dict, list)):  # a tuple: `dict | list` would build a union per call
        import json

        try:  # the limit is on the definition as sent: its compact JSON
            size = len(json.dumps(definition, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        except (TypeError, ValueError):
            size = 0
        findings = _size_finding(size) + validate_value(definition, express=express)
        if subs is not None:
            findings += subs.findings(definition)
        return _diagnostics(findings, None, source)
    if not isinstance(definition, (str, bytes, bytearray)):
        raise TypeError(f"validate_asl takes str, bytes or dict, not {type(definition).__name__}")
    if not definition or definition.isspace():  # (no stripped copy of the whole text)
        return [
            Diagnostic("MISSING_DESCRIPTION", "error", "the definition is empty", "/", None, None, source)
        ]
    size = len(definition)
    if isinstance(definition, str) and size * 4 > MAX_DEFINITION_BYTES:
        # the size in UTF-8 bytes matters only near the limit (a character is at most 4 bytes)
        size = len(definition.encode("utf-8"))
    # Fast path: a plain JSON definition parsed at C speed; positions only if something is wrong.
    try:
        value = JsonReader.loads(definition)
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, dict) and ("States" in value or "StartAt" in value or "Resources" not in value):
        findings = _size_finding(size) + validate_value(value, express=express)
        if subs is not None:
            findings += subs.findings(value)
        if not findings:
            return []
        text = definition if isinstance(definition, str) else bytes(definition).decode("utf-8")
        text = text.lstrip("\ufeff")
        loaded = LoadedDefinition(value, source, locate=json_locator(text, source), text=text)
        return _diagnostics(findings, loaded, source)
    try:
        loaded_all = load_definitions(definition, source=source, base_dir=base_dir)
    except DefinitionError as exc:
        return _unreadable(exc, source)
    out: list[Diagnostic] = []
    for loaded in loaded_all:
        if loaded.unreadable:
            out.extend(_diagnostics(loaded.findings, loaded, loaded.source or source))
            continue
        findings = (
            loaded.findings
            + _size_finding(size if len(loaded_all) == 1 else 0)
            + validate_value(loaded.value, express=express or loaded.machine_type == "EXPRESS")
        )
        if subs is not None and loaded.name is None:  # a template's own resources say what they replace
            findings += subs.findings(loaded.value)
        out.extend(_diagnostics(findings, loaded, loaded.source or source))
    return out


def validate_loaded(loaded: LoadedDefinition, *, express: bool = False) -> list[Diagnostic]:
    """Diagnostics for one definition from ``tamis.compiler.asl.sources.load_definitions`` (for tools that
    find definitions themselves, such as the linter), located in the file it came from."""
    if loaded.unreadable:
        return _diagnostics(loaded.findings, loaded, loaded.source)
    try:
        findings = loaded.findings + validate_value(loaded.value, express=express)
        return _diagnostics(findings, loaded, loaded.source)
    except RecursionError:
        return [
            Diagnostic(
                "TOO_DEEPLY_NESTED",
                "error",
                "the definition is nested too deeply",
                "/",
                None,
                None,
                loaded.source,
            )
        ]


def validate_asl_file(path: str | FsPath, *, machine_type: str = "STANDARD") -> list[Diagnostic]:
    """Validate the definition(s) in a file; ``DefinitionUri`` paths resolve against its directory."""
    p = FsPath(path)
    return validate_asl(p.read_bytes(), source=str(path), base_dir=str(p.parent), machine_type=machine_type)


def compile_choice(
    state_or_definition: str | bytes | dict[str, Any],
    state_name: str | None = None,
    *,
    source: str | None = None,
) -> ChoiceDecision:
    """Compile a Choice state into a callable (input, variables=None, context=None) -> next state name.

    Implemented in ``tamis.compiler.asl.choice_compiler``; imported on first use so that this module loads
    whether or not that compiler is installed.
    """
    from tamis.compiler.asl.choice_compiler import compile_choice as _compile_choice

    return _compile_choice(state_or_definition, state_name, source=source)
