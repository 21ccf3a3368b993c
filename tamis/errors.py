"""Typed errors and diagnostics shared by every tamis language.

Every rejection names where it happened (source, 1-based line and column when the input came as text)
and the rule that was broken, so that a CLI or an editor can point at it without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class TamisError(ValueError):
    """Base of every input error tamis raises. A ``ValueError`` so callers can catch it generically."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
        rule: str | None = None,
        pointer: str | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        self.rule = rule
        self.pointer = pointer
        # The other independent mistakes found in the same input, in the order found (this one is the first).
        self.more: tuple[TamisError, ...] = ()
        super().__init__(self.__str__())

    @property
    def all_errors(self) -> tuple[TamisError, ...]:
        """Every mistake found in the input, this one first (a checker that recovers after an error
        reports them all in one run)."""
        return (self, *self.more)

    def located(self, *, line: int | None, column: int | None, source: str | None = None) -> TamisError:
        """Fill in the position (kept if already known) and return self, for re-raising."""
        if self.line is None:
            self.line, self.column = line, column
        if self.source is None:
            self.source = source
        self.args = (self.__str__(),)
        return self

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(str(self.line))
            if self.column is not None:
                where.append(str(self.column))
        prefix = ":".join(where)
        if not prefix and self.pointer:
            prefix = self.pointer
        return f"{prefix}: {self.message}" if prefix else self.message


class PatternError(TamisError):
    """An event pattern, SNS filter policy or Lambda filter criteria that the service would reject."""


class EventError(TamisError):
    """An event (or SNS message, or Lambda record) that is not in the shape the service accepts."""


class PolicyError(TamisError):
    """A data-protection policy that the service would reject."""


class DefinitionError(TamisError):
    """A state-machine definition that cannot be read at all (not JSON/YAML, or not an object)."""


@dataclass(frozen=True)
class Diagnostic:
    """One finding of a validator or the linter."""

    code: str
    severity: str  # "error" | "warning" | "info"
    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    source: str | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        loc = ":".join(str(p) for p in (self.source, self.line, self.column) if p is not None)
        head = f"{loc}: " if loc else ""
        ptr = f" (at {self.pointer})" if self.pointer else ""
        return f"{head}{self.severity} {self.code} {self.message}{ptr}"
