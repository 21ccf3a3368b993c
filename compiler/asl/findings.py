"""What the validator reports: a finding, the path it points at, and the codes and severities it uses.

Codes are the service's where it has one (ValidateStateMachineDefinitionDiagnostic lists
SCHEMA_VALIDATION_FAILED, INVALID_RESOURCE, MISSING_END_STATE, DUPLICATE_STATE_NAME, INVALID_STATE_NAME,
INVALID_LABEL_NAME, MISSING_TRANSITION_TARGET and the NO_DOLLAR / PASS_RESULT_IS_STATIC warnings;
INVALID_JSONATA_EXPRESSION and UNSUPPORTED_JSONATA_EXPRESSION are recorded AWS responses).
"""

from __future__ import annotations

from typing import Any

# A location in the definition, built as a linked pair (parent path, key) from the root ``()``: adding a
# step costs one small tuple, however deep, and the flat tuple is made only when a finding is reported.
Path = tuple[Any, ...]
# (code, severity, message, path, at_key) and, for a fault inside a string, its offset in the string
Finding = tuple[Any, ...]

SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING_TARGET = "MISSING_TRANSITION_TARGET"
ERROR, WARNING = "error", "warning"


def flat(path: Path) -> tuple[str | int, ...]:
    """The flat tuple of keys of a linked path (see ``Path``)."""
    keys: list[str | int] = []
    while path:
        path, key = path
        keys.append(key)
    keys.reverse()
    return tuple(keys)
