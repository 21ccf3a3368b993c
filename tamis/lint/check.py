"""Runs one lint target through the checker of its language and maps what comes back to the edited file.

The checkers (``tamis.compile_pattern``, the data-protection ``compile_model`` behind
``tamis.compile_policy``, ``tamis.validate_sns_archive_policy`` and ``validate_sns_replay_policy``,
``tamis.validate_asl``) are imported directly but lazily, inside
:func:`_checker`, on first use: a repository with only state machines never loads the pattern compiler. A
checker that is not installed gives a visible warning per target, never a silent pass.

Each target is checked first as a plain value (cheap); only when that finds something is the text checked
again, through the located parser, so that every finding has its line and column.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import Any

import orjson

from tamis.errors import Diagnostic, TamisError
from tamis.grammar.text import LineIndex
from tamis.lint.kinds import KINDS
from tamis.lint.targets import Target, plain, pointer_path
from tamis.rules import code_for

# Lint's own codes (tamis.rules); a checker's error carries its own code (``PatternError.code``).
CODE_UNRESOLVED = "LNT201"  # unresolved
CODE_UNAVAILABLE = "LNT202"  # checker-unavailable
CODE_INTERNAL = "LNT203"  # internal-error

# The module each family's checker comes from: its absence means the checker is not installed.
_CHECKER_MODULES = {
    "pattern": "tamis.patterns",
    "policy": "tamis.policies",
    "sns-archive": "tamis.sns_policies",
    "sns-replay": "tamis.sns_policies",
    "asl": "tamis.asl",
}

# Checking a plain value skips the located parse; only a failure is checked again from the text, for
# positions. Larger texts always go through the text path (size limits are counted on the text).
FAST_PATH_MAX_CHARS = 2000
ASL_FAST_PATH_MAX_CHARS = 200_000  # far below the 1 MB definition limit


@cache
def _checker(family: str) -> Callable[..., Any] | None:
    """The checker of a family, or None when its module is not installed (a module it needs being
    absent is a bug, and raises)."""
    module = _CHECKER_MODULES[family]
    try:
        if family == "pattern":
            from tamis.patterns import compile_pattern

            return compile_pattern
        if family == "policy":
            # Validation only: the compiled model, without building the redactor a Policy carries.
            try:
                from tamis.compiler.data_protection.policy import compile_model

                return compile_model
            except ImportError:
                from tamis.policies import compile_policy

                return compile_policy
        if family == "sns-archive":
            from tamis.sns_policies import validate_sns_archive_policy

            return validate_sns_archive_policy
        if family == "sns-replay":
            from tamis.sns_policies import validate_sns_replay_policy

            return validate_sns_replay_policy
        if family == "asl":
            from tamis.asl import validate_asl

            return validate_asl
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise
    except ImportError as exc:  # the module is there without its checker function
        if exc.name == module:
            return None
        raise
    return None


@cache
def _accepts(func: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def check(target: Target) -> list[Diagnostic]:
    """Check one target; every finding is located in ``target.file``."""
    spec = KINDS[target.kind]
    family = spec["family"]
    func = _checker(family)
    if func is None:
        return [
            _diag(
                target,
                CODE_UNAVAILABLE,
                "warning",
                f"{target.label}: not checked, the {family} checker is not available in this installation",
                target.anchor,
            )
        ]
    kwargs: dict[str, Any] = {}
    if "dialect" in spec:
        kwargs["dialect"] = spec["dialect"]
    if "scope" in spec:
        kwargs["scope"] = target.options.get("scope", spec["scope"])
    if "pattern_size" in spec:
        kwargs["pattern_size"] = int(spec["pattern_size"])
    if _accepts(func, "source"):
        kwargs["source"] = target.file
    # What the template says beyond the value (a state machine's type, its substitutions), for a checker
    # that takes it (validate-asl reads the same from a whole template).
    for name, arg in (*target.options.items(), *target.context.items()):
        if name not in kwargs and _accepts(func, name):
            kwargs[name] = arg
    stand_ins = _stand_ins(target)
    asl_text = _placeholders_restored(target, stand_ins) if family == "asl" else None
    value = _fast_value(target, family, asl_text)
    if value is not None:
        try:
            result = func(value, **kwargs)
        except Exception:  # whatever it is, the text path below reports it with its position
            pass
        else:
            if family == "asl":
                if not [d for d in result or () if d.code not in LINT_ACCEPTS]:
                    return []
            elif not (getattr(result, "diagnostics", None) or getattr(result, "warnings", None)):
                return []
    target.materialize()
    if asl_text is None and family == "asl":
        stand_ins = _stand_ins(target)
        asl_text = _placeholders_restored(target, stand_ins)
    found = _check_text(target, func, family, kwargs, asl_text or target.text)
    if family != "asl" and stand_ins and any(d.severity == "error" for d in found):
        # A stand-in is one value the placeholder may take: an error that another stand-in does not
        # give depends on the value (a bound compared with it), known only at deployment.
        other = _check_text(target, func, family, kwargs, _other_stand_ins(target.text, stand_ins))
        again = {(d.code, d.line, d.column) for d in other if d.severity == "error"}
        found = [
            _unresolved(target, d) if d.severity == "error" and (d.code, d.line, d.column) not in again else d
            for d in found
        ]
    return found


def _check_text(
    target: Target, func: Callable[..., Any], family: str, kwargs: dict[str, Any], text: str
) -> list[Diagnostic]:
    try:
        result = func(text, **kwargs)
    except TamisError as exc:
        return [_from_error(target, e, family) for e in exc.all_errors]
    except RecursionError:
        return [_diag(target, CODE_INTERNAL, "error", f"{target.label}: nested too deeply", target.anchor)]
    except Exception as exc:  # a checker bug must not hide the rest of the run
        message = f"{target.label}: the {family} checker failed ({type(exc).__name__}: {exc})"
        return [_diag(target, CODE_INTERNAL, "error", message, target.anchor)]
    if family == "asl":
        return [_from_diagnostic(target, d, asl=True) for d in result or () if d.code not in LINT_ACCEPTS]
    # Compiled patterns and policies may carry advisory findings (e.g. identifiers detected only by ML).
    notes = getattr(result, "diagnostics", None) or getattr(result, "warnings", None) or ()
    return [_from_diagnostic(target, d) for d in notes if isinstance(d, Diagnostic)]


# --- placeholders where JSON needs a value ------------------------------------------------------------
# grammar/placeholders.placeholder_ranges turns ``"MaxAttempts": ${n}`` into a number of the same width,
# ``1`` and blanks, so that the text is JSON with every position kept. That one value must not decide a
# check that compares it with something else ("HeartbeatSeconds must be smaller than TimeoutSeconds", a
# numeric range's bounds).


def _stand_ins(target: Target) -> list[tuple[int, int]]:
    """The ranges of ``target.text`` that hold a placeholder's stand-in number."""
    text = target.text
    return [
        (a, b) for a, b in target.unresolved if b - a >= 3 and text[a] == "1" and not text[a + 1 : b].strip()
    ]


def _placeholders_restored(target: Target, stand_ins: list[tuple[int, int]]) -> str:
    """For the ASL validator, which reads ``${...}`` itself as validate-asl does (an unknown value of the
    type its field needs): each stand-in becomes its placeholder again."""
    text, raw = target.text, target.raw_text
    if not stand_ins:
        return text
    chars = list(text)
    for a, b in stand_ins:
        chars[a:b] = raw[a:b] if raw is not None and len(raw) == len(text) else "${" + "_" * (b - a - 3) + "}"
    return "".join(chars)


def _other_stand_ins(text: str, stand_ins: list[tuple[int, int]]) -> str:
    """``text`` with each stand-in ``1`` replaced by a number at the other end of the range (9e99)."""
    chars = list(text)
    for a, b in stand_ins:
        chars[a:b] = ("9e99" if b - a >= 4 else "9e9").ljust(b - a)
    return "".join(chars)


# ASL codes lint does not report: a placeholder where JSON needs a value is accepted in a file lint reads
# as a template (docs/lint.md), where validate-asl, which checks a file as written, warns of it.
LINT_ACCEPTS = frozenset({"ASL401"})  # template-placeholder


def _fast_value(target: Target, family: str, asl_text: str | None = None) -> Any:
    """The plain value to check first, or None to go straight to the text."""
    limit = ASL_FAST_PATH_MAX_CHARS if family == "asl" else FAST_PATH_MAX_CHARS
    if target.value is not None:
        # Structured (YAML, jsonencode): already a value; its compact size stands in for the text's.
        value = plain(target.value, exact=family != "asl")
        try:
            size = len(orjson.dumps(value, default=str))
        except (TypeError, orjson.JSONEncodeError):
            return None
        return value if size <= limit else None
    if not target.text or len(target.text) > limit:
        return None
    if family == "asl":
        if asl_text is not target.text and asl_text is not None:
            return None  # placeholders where JSON needs a value: validate_asl reads them from the text
        # validate_asl reads text with orjson too (floats, not Decimals): the same value either way.
        try:
            return orjson.loads(target.text)
        except orjson.JSONDecodeError:
            return None
    return _plain_value(target.text)


def _plain_value(text: str) -> Any:
    """The JSON value with the located parser's number types (int, exact Decimal), or None when the text
    is not strict JSON or repeats a key (the text path reports those)."""
    try:
        value, repeated = load_noting_repeats(text, parse_float=Decimal, parse_constant=_not_json)
    except (ValueError, RecursionError):
        return None
    return None if repeated else value


def load_noting_repeats(text: str, **options: Any) -> tuple[Any, bool]:
    """``json.loads(text, **options)`` (the C scanner), and whether some object repeated a key. Raises as
    ``json.loads`` does."""
    repeated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        out = dict(items)
        repeated = repeated or len(out) != len(items)
        return out

    value = json.loads(text, object_pairs_hook=pairs, **options)
    return value, repeated


def _not_json(name: str) -> Any:
    raise ValueError(name)


def _position(
    target: Target, line: int | None, column: int | None, pointer: str | None
) -> tuple[int, int, int]:
    """File (line, column) and target-text offset (-1 when unknown) of a checker's finding."""
    if line is not None:
        index = _text_index(target)
        offset = index.offset(line, column or 1)
        return (*target.mapper(offset), offset)
    if pointer is not None and target.pointer_positions is not None:
        pos = target.pointer_positions(pointer)
        if pos is not None:
            return (*pos, -1)
    return (*target.anchor, -1)


def _text_index(target: Target) -> LineIndex:
    index = getattr(target, "_index", None)
    if index is None:
        index = LineIndex(target.text)
        target._index = index  # type: ignore[attr-defined]
    return index


def _from_error(target: Target, exc: TamisError, family: str) -> Diagnostic:
    line, column, offset = _position(target, exc.line, exc.column, exc.pointer)
    rule = exc.rule or "invalid"
    code = exc.code or code_for(family, exc.rule)
    message = exc.message
    if code is None:  # a rule without a code is a tamis bug (tests/test_rules.py keeps it unreachable)
        code, message = CODE_INTERNAL, f"{message} (rule {rule!r} of {family} has no code)"
    if (offset >= 0 and target.in_unresolved(offset)) or (target.lenient_syntax and rule == "json"):
        return _diag(
            target,
            CODE_UNRESOLVED,
            "info",
            f"{target.label}: not fully checked, a value there is only known at deployment ({message})",
            (line, column),
            exc.pointer or "",
        )
    return _diag(target, code, "error", f"{message}", (line, column), exc.pointer or "")


def _from_diagnostic(target: Target, d: Diagnostic, *, asl: bool = False) -> Diagnostic:
    """A checker's diagnostic located in the edited file. ``asl``: the validator reads ``${...}`` itself,
    as validate-asl does, so only what it cannot see as a placeholder makes an error a note."""
    line, column, offset = _position(target, d.line, d.column, d.pointer or None)
    severity = d.severity
    message = d.message
    code = d.code
    syntax = code in ("ASL001", "ASL002")  # the definition's JSON or YAML does not parse
    if severity == "error" and (
        (offset >= 0 and target.in_unresolved(offset, placeholders=not asl))
        or (target.lenient_syntax and syntax)
    ):
        severity, code = "info", CODE_UNRESOLVED
        message = f"{target.label}: not fully checked, a value there is only known at deployment ({message})"
    return Diagnostic(
        code=code,
        severity=severity,
        message=message,
        pointer=d.pointer,
        line=line,
        column=column,
        source=target.file,
        extra={"target": target.label, "anchor_lines": target.anchor_lines},
    )


def _unresolved(target: Target, d: Diagnostic) -> Diagnostic:
    """An error that depends on a value known only at deployment, as a note."""
    message = f"{target.label}: not fully checked, a value there is only known at deployment ({d.message})"
    return replace(d, code=CODE_UNRESOLVED, severity="info", message=message)


def _diag(
    target: Target, code: str, severity: str, message: str, pos: tuple[int, int], pointer: str = ""
) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=severity,
        message=message,
        pointer=pointer,
        line=pos[0],
        column=pos[1],
        source=target.file,
        extra={"target": target.label, "anchor_lines": target.anchor_lines},
    )


def pointer_lookup(
    position: Callable[[tuple[str | int, ...]], tuple[int | None, int | None]],
    exists: Callable[[tuple[str | int, ...]], bool],
    base: tuple[str | int, ...] = (),
) -> Callable[[str], tuple[int, int] | None]:
    """A ``Target.pointer_positions`` over a located document whose value sits at ``base``."""

    def lookup(pointer: str) -> tuple[int, int] | None:
        path: tuple[str | int, ...] = base
        for tok in pointer_path(pointer):
            nxt: tuple[str | int, ...] = (*path, int(tok)) if tok.isdigit() else (*path, tok)
            if tok.isdigit() and not exists(nxt):
                nxt = (*path, tok)
            path = nxt
        line, column = position(path)
        return (line, column) if line is not None and column is not None else None

    return lookup
