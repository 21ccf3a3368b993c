"""Amazon States Language: ``validate_asl`` (and ``compile_choice``, from the Choice compiler).

``validate_asl`` returns every problem as a :class:`tamis.Diagnostic` with its code (tamis.rules:
``ASL201``; ``Diagnostic.service_code`` is the service's own, ``MISSING_TRANSITION_TARGET``), a
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
from tamis.errors import DefinitionError, Diagnostic
from tamis.grammar.located_json import MAX_NESTING
from tamis.grammar.text import LineIndex
from tamis.rules import code_for
from tamis.runtime.json_values import first_problem, lone_surrogate, text_may_be_deeper, too_deep
from tamis.runtime.json_values import pointer as json_pointer

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
    """RFC 6901 JSON pointer of ``path`` (``/`` for the whole document, as the service reports it); a lone
    surrogate in a key is written as its escape (runtime/json_values.pointer)."""
    return json_pointer(path)


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
        out.append(Diagnostic(asl_code(code), severity, message, ptr, line, column, source, extra))
    return out


def asl_code(finding_code: str) -> str:
    """The code (tamis.rules) of a validator finding's code (the service's, or tamis's own)."""
    found = code_for("asl", finding_code)
    if found is None:  # a check naming a code the registry lacks: tests/test_rules.py keeps this unreachable
        raise AssertionError(f"ASL finding code {finding_code!r} has no code in tamis.rules")
    return found


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
    json_rules = ("json", "json-nesting", "encoding", None)
    code = asl_code("INVALID_JSON_DESCRIPTION" if exc.rule in json_rules else "INVALID_YAML_DESCRIPTION")
    return [Diagnostic(code, "error", exc.message, "/", exc.line, exc.column, source or exc.source)]


def _unsound_value(value: Any, source: str | None) -> list[Diagnostic]:
    """A definition given as a dict is what the service receives as JSON: nesting past the JSON reader's
    200 levels (the one limit of every input form), a key that is not a string or a string that is not
    Unicode is an INVALID_JSON_DESCRIPTION, at its pointer."""
    problem = first_problem(value, MAX_NESTING)
    if problem is None or problem[3] == "number-size":  # long integers are the validator's to judge
        return []
    path, _key, message, _rule = problem
    code = asl_code("INVALID_JSON_DESCRIPTION")
    return [Diagnostic(code, "error", message, json_pointer(path), None, None, source)]


def _not_unicode(text: str, source: str | None) -> list[Diagnostic]:
    """Text holding a lone surrogate cannot be sent as UTF-8: refused where it stands, with the code of the
    language the text is written in."""
    at = lone_surrogate(text)
    if at is None:
        return []
    line, column = LineIndex(text).line_col(at)
    code = asl_code(
        "INVALID_JSON_DESCRIPTION" if text.lstrip()[:1] in ("{", "[") else "INVALID_YAML_DESCRIPTION"
    )
    message = f"lone surrogate U+{ord(text[at]):04X}: the definition is not Unicode text (nor UTF-8)"
    return [Diagnostic(code, "error", message, "/", line, column, source)]


def _too_deep_text(text: str | bytes, value: Any, source: str | None) -> list[Diagnostic]:
    """JSON text the fast reader took (it goes to 1024 levels) but that nests past the one limit: reported
    at the bracket that opens the level too many."""
    if not text_may_be_deeper(text, MAX_NESTING) or too_deep(value, MAX_NESTING) is None:
        return []
    return _nesting_diagnostic(text, source)


def _nesting_diagnostic(text: str | bytes, source: str | None) -> list[Diagnostic]:
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8")
    line, column = LineIndex(text).line_col(_opening_past(text, MAX_NESTING))
    message = f"JSON nesting deeper than {MAX_NESTING} levels"
    return [Diagnostic(asl_code("INVALID_JSON_DESCRIPTION"), "error", message, "/", line, column, source)]


def _opening_past(text: str, limit: int) -> int:
    """Offset of the first bracket, outside strings, that opens level ``limit + 1`` (a loop, not a parser:
    run only on text already known to nest that deep)."""
    depth, in_string, i = 0, False, 0
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
            if depth > limit:
                return i
        elif ch in "}]":
            depth -= 1
        i += 1
    return 0


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
        raise DefinitionError(
            f"machine_type must be STANDARD or EXPRESS, not {machine_type!r}", rule="machine-type"
        )
    try:
        return _validate(definition, source, base_dir, machine_type == "EXPRESS", substitutions)
    except RecursionError:  # nesting deeper than the interpreter's stack: report, never a traceback
        return [_stack_exhausted(source)]


def _validate(
    definition: Any, source: str | None, base_dir: str | None, express: bool, subs: Substitutions | None
) -> list[Diagnostic]:
    if isinstance(definition, (dict, list)):  # a tuple: `dict | list` would build a union per call
        import json

        unsound = _unsound_value(definition, source)
        if unsound:
            return unsound

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
            Diagnostic(
                asl_code("MISSING_DESCRIPTION"), "error", "the definition is empty", "/", None, None, source
            )
        ]
    if isinstance(definition, str) and not definition.isascii():
        not_unicode = _not_unicode(definition, source)
        if not_unicode:
            return not_unicode
    size = len(definition)
    if isinstance(definition, str) and size * 4 > MAX_DEFINITION_BYTES:
        # the size in UTF-8 bytes matters only near the limit (a character is at most 4 bytes)
        size = len(definition.encode("utf-8"))
    # Fast path: a plain JSON definition parsed at C speed; positions only if something is wrong.
    try:
        value = JsonReader.loads(definition)
    except RecursionError:  # the standard library's reader, on JSON nested past the interpreter's stack
        return _nesting_diagnostic(definition, source)
    except ValueError:
        value = None
    if isinstance(value, dict) and ("States" in value or "StartAt" in value or "Resources" not in value):
        deep = _too_deep_text(definition, value, source)
        if deep:
            return deep
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
        return [_stack_exhausted(loaded.source)]


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


def _stack_exhausted(source: str | None) -> Diagnostic:
    """Nesting deeper than the interpreter's stack: reported as a finding, never a traceback."""
    return Diagnostic(
        asl_code("TOO_DEEPLY_NESTED"), "error", "the definition is nested too deeply", "/", None, None, source
    )
