"""Public API of event patterns: EventBridge rule patterns, SNS filter policies, Lambda filter criteria.

    p = tamis.compile_pattern(pattern, dialect="eventbridge"); p.matches(event)
    rs = tamis.RuleSet(); rs.add("name", pattern); rs.matches(event) -> ["name", ...]

The dialects share one compiler (compiler/event_patterns/compiler.py) and one matcher
(runtime/events/matcher.py); each service's differences (input shapes, limits, operators, number
precision) are small overrides in compiler/event_patterns/dialects.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, NamedTuple

from orjson import loads as _loads

from tamis.compiler.event_patterns.dialects import Dialect, dialect_for
from tamis.compiler.event_patterns.explain import Explanation, explain_subrules
from tamis.compiler.event_patterns.filter_criteria import parse_filter_criteria
from tamis.compiler.event_patterns.parse import PatternInput, parse_pattern
from tamis.errors import EventError, PatternError, UnknownRuleError
from tamis.runtime.events.conditions import SubRule
from tamis.runtime.events.event_json import (
    InvalidEvent,
    decode_event,
    exact_loads,
    nesting_message,
    utf8,
)
from tamis.runtime.events.matcher import EventMatcher
from tamis.runtime.events.service_inputs import (
    lambda_record_event,
    sns_attributes_event,
    sns_body_event,
)
from tamis.runtime.json_values import EVENT_MAX_DEPTH, text_may_be_deeper, too_deep

__all__ = [
    "Dialect",
    "EventError",
    "Explanation",
    "Pattern",
    "PatternInput",
    "RuleSet",
    "RuleSetSource",
    "UnknownRuleError",
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
        # What pickling keeps (__reduce__): the options and each add still in force, in order.
        self._options = (dialect, scope, pattern_size)
        # Keyed by name (the order of first adds, as match results are) so that remove costs O(1), not a
        # scan of every rule.
        self._added: dict[str, list[tuple[PatternInput, str | None]]] = {}
        # Each rule's compiled sub-rules, kept for ``explain`` (the matcher owns its own copy).

    def add(self, name: str, pattern: PatternInput, *, source: str | None = None) -> None:
        """Add a named pattern (adding a name again ORs the patterns). Raises ``PatternError`` and leaves
        the set as it was when the pattern is invalid or cannot be indexed for matching."""
        subrules = self.dialect.compile(pattern, source)
        try:
            self._matcher.add(name, subrules)  # atomic: a refused rule leaves the set as it was
        except Exception as exc:  # whatever the index raised, it must not poison the set
            raise PatternError(
                f"the pattern cannot be indexed for matching ({type(exc).__name__}: {exc})",
                source=source,
                rule="runtime-index",
            ) from exc
        kept = pattern if isinstance(pattern, (str, bytes)) else _json_copy(pattern)
        self._added.setdefault(name, []).append((kept, source))

    def remove(self, name: str) -> bool:
        """Remove a rule by name; returns whether it was there."""
        self._added.pop(name, None)
        return self._matcher.remove(name)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its options and patterns, compiled again once on load (a spawned worker, say)."""
        return (_ruleset_from, (self._options, self._entries()))

    def sources(self) -> RuleSetSource:
        """The options and patterns this rule set was built from (``RuleSetSource.compile`` rebuilds it)."""
        return RuleSetSource(*self._options, tuple((name, pattern) for name, pattern, _ in self._entries()))

    def _entries(self) -> list[tuple[str, PatternInput, str | None]]:
        return [(name, pattern, source) for name, adds in self._added.items() for pattern, source in adds]

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
            if type(event) is bytes and len(event) > _SHORT_EVENT:
                _check_depth(event)
            return self._matcher.match(self._adapt(event))
        except (InvalidEvent, RecursionError, UnicodeEncodeError) as exc:
            return _retry(self._matcher.match, self._adapt, event, exc)

    def explain(self, event: Any, name: str) -> Explanation:
        """Why the rule ``name`` matches ``event`` or not: per `$or` branch and field condition, the values
        seen and whether each held, with hints for near misses (compiler/event_patterns/explain.py).
        Raises ``UnknownRuleError`` (a ``KeyError`` too) for a name not in the set, and the errors of
        ``matches`` for an event it cannot read."""
        if name not in self._added:
            raise UnknownRuleError(
                f"no rule named {name!r} in this rule set{_names_hint(name, self._added)}",
                rule="unknown-rule",
            )
        return self._explain(event, self._compiled(name), name)

    def _compiled(self, name: str) -> list[SubRule]:
        """The rule's sub-rules, compiled again from what was added: explaining is rare, and keeping
        every rule's compiled form beside the matcher would double a large set's memory."""
        return [sub for pattern, source in self._added[name] for sub in self.dialect.compile(pattern, source)]

    def _explain(self, event: Any, subrules: list[SubRule], name: str | None) -> Explanation:
        self.matches(event)  # an event the matcher cannot read gets its typed error, the same here
        attributes = self.dialect.event_input() is sns_attributes_event
        return explain_subrules(
            subrules, self._explained_event(event), self.dialect.name, name, attributes=attributes
        )

    def _explained_event(self, event: Any) -> dict[str, Any]:
        """The event as the dialect's input shaping makes it, with numbers as written: JSON text is read
        again keeping exact decimals, which the matcher consults only when a float needs it."""
        if self._adapt is not _identity:
            value = self._adapt(event)
        elif isinstance(event, bytes | bytearray | memoryview | str):
            raw = utf8(event) if isinstance(event, str) else bytes(event)
            try:
                value = exact_loads(raw)
            except (ValueError, RecursionError):
                value = decode_event(event)
        else:
            value = event
        if not isinstance(value, dict):
            raise EventError("an event must be a JSON object", rule="event")
        return value


def _names_hint(name: str, names: dict[str, Any]) -> str:
    from tamis.compiler.suggestions import did_you_mean

    return did_you_mean(name, names)


# Each nesting level takes two brackets: text this short cannot nest past EVENT_MAX_DEPTH, and is not counted.
_SHORT_EVENT = 2 * EVENT_MAX_DEPTH


def _check_depth(event: bytes) -> None:
    # Text that orjson reads (up to 1024 levels) but that nests past the services' limit is refused.
    if text_may_be_deeper(event, EVENT_MAX_DEPTH):
        decode_event(event)


def _retry(
    match: Callable[[Any], list[str]], adapt: Callable[[Any], Any], event: Any, exc: Exception
) -> list[str]:
    """The typed answer to what matching raised: an event in no shape the services accept is an
    ``EventError``; a ``str`` with lone surrogates is matched as the UTF-8 the services would have made
    of it (each written ``?``); a value nested past what the stack can walk is an ``EventError``."""
    if isinstance(exc, InvalidEvent):
        raise EventError(str(exc), rule="event") from None
    if isinstance(exc, UnicodeEncodeError) and isinstance(event, str):
        try:
            return match(adapt(utf8(event)))
        except InvalidEvent as again:
            raise EventError(str(again), rule="event") from None
    if isinstance(exc, RecursionError):
        path = too_deep(event, EVENT_MAX_DEPTH) if isinstance(event, dict | list) else None
        raise EventError(
            nesting_message(path) if path is not None else "the event nests too deeply to be walked",
            rule="event-nesting",
        ) from None
    raise exc


def _identity(event: Any) -> Any:
    return event


def _json_copy(value: Any) -> Any:
    """A copy of a pattern given as dicts and lists (the caller may change them after ``add``): a compiled
    pattern holds JSON values only (parse.py checked them, 200 levels at most), so this costs a few
    microseconds where ``copy.deepcopy`` and its memo cost tens at 100,000 rules."""
    kind = type(value)
    if kind is dict:
        return {key: _json_copy(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return kind(_json_copy(item) for item in value)
    if isinstance(value, dict | list):  # subclasses: keep them exact
        return copy.deepcopy(value)
    return value  # str, numbers, bool, None: immutable


def _ruleset_from(
    options: tuple[str, str | None, int | None], added: list[tuple[str, PatternInput, str | None]]
) -> RuleSet:
    dialect, scope, pattern_size = options
    rules = RuleSet(dialect, scope, pattern_size=pattern_size)
    for name, pattern, source in added:
        rules.add(name, pattern, source=source)
    return rules


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
        self._rules._matcher = EventMatcher(few=True)  # one rule: its cheap conditions are indexed too
        self._rules.add("pattern", pattern, source=source)
        self._source = (self._rules._entries()[0][1], dialect, scope, source, pattern_size)
        self.dialect = self._rules.dialect.name
        self._match = self._rules._matcher.match
        adapt = self._rules._adapt
        self._adapt = None if adapt is _identity else adapt
        # The pattern's own set never changes: short events go straight to the core.
        self._quick = self._rules._matcher.unchanging() if self._adapt is None else None

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its pattern and options, compiled again once on load."""
        pattern, dialect, scope, source, pattern_size = self._source
        return (_pattern_from, (pattern, dialect, scope, source, pattern_size))

    def matches(self, event: Any) -> bool:
        """Whether ``event`` (a dict, or JSON text/bytes) matches the pattern."""
        quick = self._quick
        if quick is not None:
            t = type(event)
            if t is dict or (t is bytes and len(event) <= _SHORT_EVENT):
                try:
                    obj = _loads(event) if t is bytes else event
                    answer = quick[0](obj, quick[1], True) if type(obj) is dict else None
                except Exception:  # the full path below gives the typed answer
                    answer = None
                if answer is True or answer is False:
                    return answer
        try:
            if type(event) is bytes and len(event) > _SHORT_EVENT:
                _check_depth(event)
            if self._adapt is not None:
                return bool(self._match(self._adapt(event)))
            return bool(self._match(event))
        except (InvalidEvent, RecursionError, UnicodeEncodeError) as exc:
            return bool(_retry(self._match, self._adapt or _identity, event, exc))

    def explain(self, event: Any) -> Explanation:
        """Why ``event`` matches the pattern or not: ``.matched`` (always what ``matches`` answers), and per
        `$or` branch and field condition the path, the operator, the event's values there and whether it
        held, with hints for near misses. ``str()`` prints it as a tree."""
        return self._rules._explain(event, self._rules._compiled("pattern"), None)


def _pattern_from(
    pattern: PatternInput, dialect: str, scope: str | None, source: str | None, pattern_size: int | None
) -> Pattern:
    return Pattern(pattern, dialect, scope, source, pattern_size=pattern_size)


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
