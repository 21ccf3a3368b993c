"""Typed errors and diagnostics shared by every tamis language.

Every rejection names where it happened (source, 1-based line and column when the input came as text)
and the rule that was broken, so that a CLI or an editor can point at it without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tamis.rules import Rule


def _rule(code: str | None) -> Rule | None:
    # The registry is imported on first use: reading it costs milliseconds, and most errors are never
    # asked for their code (the matching hot path imports this module too).
    import tamis.rules

    return tamis.rules.get(code) if code is not None else None


class TamisError(ValueError):
    """Base of every input error tamis raises. A ``ValueError`` so callers can catch it generically.

    ``rule`` names the rule broken in the words of its checker (``numeric-bounds``); ``code`` is its code
    in the one scheme of tamis.rules (``EVT223``), looked up by the error's family and rule."""

    #: Where ``rule`` is looked up in tamis.rules; the base class is raised by the readers the linter uses.
    family = "lint"

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
    def code(self) -> str | None:
        """The rule's code (tamis.rules), or None for a rule no code covers."""
        import tamis.rules

        return tamis.rules.code_for(self.family, self.rule)

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

    family = "pattern"


class EventError(TamisError):
    """An event (or SNS message, or Lambda record) that is not in the shape the service accepts."""

    family = "event"


class UnknownRuleError(TamisError, KeyError):
    """A rule name that is not in the rule set asked about (``RuleSet.explain``); a ``KeyError`` too, as a
    missing key of a mapping is."""

    family = "pattern"

    def __str__(self) -> str:
        return TamisError.__str__(self)  # not KeyError's quoted repr


class PolicyError(TamisError):
    """A data-protection policy that the service would reject."""

    family = "policy"


class SnsPolicyError(PolicyError):
    """An SNS FIFO topic's ``ArchivePolicy`` or a subscription's ``ReplayPolicy`` that the service would
    reject. A ``PolicyError``, with its own code family (``SNS``)."""

    family = "sns"


class DefinitionError(TamisError):
    """A state-machine definition that cannot be read at all (not JSON/YAML, or not an object)."""

    family = "asl"


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

    @property
    def service_code(self) -> str | None:
        """The service's own code for this finding (``MISSING_TRANSITION_TARGET``), where it has one."""
        found = _rule(self.code)
        return found.service_code if found is not None else None

    @property
    def name(self) -> str | None:
        """The readable name of the code (``missing-transition-target``)."""
        found = _rule(self.code)
        return found.name if found is not None else None

    def __str__(self) -> str:
        loc = ":".join(str(p) for p in (self.source, self.line, self.column) if p is not None)
        head = f"{loc}: " if loc else ""
        ptr = f" (at {self.pointer})" if self.pointer else ""
        service = self.service_code
        code = f"{self.code} ({service})" if service else self.code
        return f"{head}{self.severity} {code} {self.message}{ptr}"
