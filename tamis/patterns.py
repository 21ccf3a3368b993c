"""Public API of event patterns: EventBridge rule patterns, SNS filter policies, Lambda filter criteria.

    p = tamis.compile_pattern(pattern, dialect="eventbridge"); p.matches(event)
    rs = tamis.RuleSet(); rs.add("name", pattern); rs.matches(event) -> ["name", ...]

The dialects share one compiler (compiler/event_patterns/compiler.py) and one matcher
(runtime/events/matcher.py); each service's differences (input shapes, limits, operators, number
precision) are small overrides in compiler/event_patterns/dialects.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from tamis.compiler.event_patterns.dialects import Dialect, dialect_for
from tamis.compiler.event_patterns.filter_criteria import parse_filter_criteria
from tamis.compiler.event_patterns.parse import PatternInput, parse_pattern
from tamis.errors import EventError
from tamis.runtime.events.event_json import InvalidEvent
from tamis.runtime.events.matcher import EventMatcher
from tamis.runtime.events.service_inputs import (
    lambda_record_event,
    sns_attributes_event,
    sns_body_event,
)

__all__ = [
    "Dialect",
    "EventError",
    "Pattern",
    "PatternInput",
    "RuleSet",
    "RuleSetSource",
    "compile_pattern",
    "dialect_for",
    "lambda_record_event",
    "parse_filter_criteria",
    "parse_pattern",
    "sns_attributes_event",
    "sns_body_event",
]


class RuleSetSource(NamedTuple):
    """What a ``RuleSet`` was built from: its options and each pattern added, in order. Plain data that
    pickles, so another process (a pool worker, a Spark executor) compiles the same rule set from it."""

    dialect: str
    scope: str | None
    pattern_size: int | None
    rules: tuple[tuple[str, PatternInput], ...]

    def compile(self) -> RuleSet:
        rules = RuleSet(self.dialect, self.scope, pattern_size=self.pattern_size)
        for name, pattern in self.rules:
            rules.add(name, pattern)
        return rules


class RuleSet:
    """Many named patterns compiled into one matcher: which of my rules match this event?"""

    def __init__(
        self, dialect: str = "eventbridge", scope: str | None = None, *, pattern_size: int | None = None
    ) -> None:
        self.dialect = dialect_for(dialect, scope, pattern_size)
        self._matcher = EventMatcher()
        self._adapt: Callable[[Any], Any] = self.dialect.event_input() or _identity
        self._options = (dialect, scope, pattern_size)
        self._added: list[tuple[str, PatternInput]] = []

    def add(self, name: str, pattern: PatternInput, *, source: str | None = None) -> None:
        """Add a named pattern (adding a name again ORs the patterns). Raises ``PatternError``."""
        self._matcher.add(name, self.dialect.compile(pattern, source))
        self._added.append((name, pattern))

    def remove(self, name: str) -> bool:
        """Remove a rule by name; returns whether it was there."""
        self._added = [added for added in self._added if added[0] != name]
        return self._matcher.remove(name)

    def sources(self) -> RuleSetSource:
        """The options and patterns this rule set was built from (``RuleSetSource.compile`` rebuilds it)."""
        return RuleSetSource(*self._options, tuple(self._added))

    def __len__(self) -> int:
        return len(self._matcher)

    def __contains__(self, name: object) -> bool:
        return name in self._matcher

    @property
    def names(self) -> list[str]:
        return self._matcher.names

    def matches(self, event: Any) -> list[str]:
        """Names of the rules that match ``event`` (a dict, or JSON text/bytes), in the order added."""
        try:
            return self._matcher.match(self._adapt(event))
        except InvalidEvent as exc:
            raise EventError(str(exc), rule="event") from None


def _identity(event: Any) -> Any:
    return event


class Pattern:
    """One compiled pattern. ``matches(event) -> bool``."""

    def __init__(
        self,
        pattern: PatternInput,
        dialect: str = "eventbridge",
        scope: str | None = None,
        source: str | None = None,
        *,
        pattern_size: int | None = None,
    ) -> None:
        self._rules = RuleSet(dialect, scope, pattern_size=pattern_size)
        self._rules.add("pattern", pattern, source=source)
        self.dialect = self._rules.dialect.name
        self._match = self._rules._matcher.match
        adapt = self._rules._adapt
        self._adapt = None if adapt is _identity else adapt

    def matches(self, event: Any) -> bool:
        """Whether ``event`` (a dict, or JSON text/bytes) matches the pattern."""
        try:
            if self._adapt is not None:
                event = self._adapt(event)
            return bool(self._match(event))
        except InvalidEvent as exc:
            raise EventError(str(exc), rule="event") from None


def compile_pattern(
    pattern: PatternInput,
    dialect: str = "eventbridge",
    scope: str | None = None,
    source: str | None = None,
    *,
    pattern_size: int | None = None,
) -> Pattern:
    """Compile one pattern (text, bytes or dict). Raises ``tamis.PatternError`` with line/column.

    ``pattern_size`` raises EventBridge's pattern-size limit from its default 2048 characters (up to the
    4096 a quota increase allows)."""
    return Pattern(pattern, dialect=dialect, scope=scope, source=source, pattern_size=pattern_size)
