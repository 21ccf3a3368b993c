"""The services' dialects of the event-pattern language: every difference between them, in one place.

EventBridge is the core; SNS and Lambda override a few limits and hooks of it:

- limits and operators the compiler enforces (class attributes below);
- ``compile``: how the service reads a pattern (SNS rounds the policy's numbers to five places; Lambda
  takes FilterCriteria and requires JSON payloads when a filter addresses fields inside them);
- ``event_input``: how the service shapes each input into the event its filters match (runtime, per
  event: runtime/events/service_inputs.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tamis.compiler.event_patterns.compiler import JSONPath
from tamis.compiler.event_patterns.filter_criteria import compile_filter_criteria
from tamis.compiler.event_patterns.operators import VALUE_OPERATORS
from tamis.compiler.event_patterns.parse import PatternInput, parse_pattern
from tamis.errors import PatternError
from tamis.runtime.events import conditions as C
from tamis.runtime.events.conditions import FieldCondition, SubRule
from tamis.runtime.events.service_inputs import (
    JSON_MARK,
    lambda_record_event,
    round_numbers,
    sns_attributes_event,
    sns_body_event,
)

EventInput = Callable[[Any], Any]


class Dialect:
    """The EventBridge pattern language; the other services override a few hooks."""

    name = "eventbridge"
    #: Largest accepted pattern text, in characters (None: no limit; each service sets its own below).
    max_pattern_chars: int | None = None
    #: Most sub-rules an `$or` expansion may produce.
    max_combinations: int | None = None
    max_keys: int | None = None
    allow_nesting = True
    allow_or = True
    allow_empty = False
    operators: tuple[str, ...] = VALUE_OPERATORS
    #: Numbers outside [-limit, limit] are rejected (SNS: 1e9); None: the whole double range.
    number_limit: float | None = None
    #: Operators allowed inside "anything-but": {...}.
    anything_but_operators: tuple[str, ...] = ("prefix", "suffix", "equals-ignore-case", "wildcard")
    #: Largest number of filters a Lambda event source mapping accepts.
    max_filters: int | None = None
    #: Most wildcard-pattern prefixes one value may match at once (wildcard_complexity.py, next to this file).
    max_wildcard_complexity: int | None = None

    def combinations(self, subrules: list[dict[str, tuple[JSONPath, list[Any]]]]) -> int:
        return len(subrules)

    def compile(self, pattern: PatternInput, source: str | None = None) -> list[SubRule]:
        """Check one pattern as the service reads it and return its sub-rules (raises ``PatternError``)."""
        return parse_pattern(pattern, self, source)

    def event_input(self) -> EventInput | None:
        """How the service shapes each input into the event its filters match; None: events as given."""
        return None


class EventBridgeDialect(Dialect):
    # EventBridge's documented limits: an event pattern is at most 2048 characters by default, a quota that
    # can be raised to 4096 (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html, "Event
    # pattern size"; PutRule's EventPattern takes 4096), and "$or" may expand to at most 1000 combinations
    # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
    max_pattern_chars = 2048
    max_combinations = 1000
    quota_pattern_chars = 4096
    # "Too complex" wildcards: no number is documented; event-ruler's measure with its production-style cap
    # of 11 (more than 10 rejected) reproduces the one public report (see wildcard_complexity.py here).
    max_wildcard_complexity = 10


class SnsDialect(Dialect):
    """SNS subscription filter policies (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html)."""

    name = "sns"
    max_pattern_chars = 256 * 1024  # "The maximum size of a filter policy is 256 KB"
    max_combinations = 150  # "The total combination of values in a filter policy must not exceed 150"
    max_keys = 5  # "A filter policy can have a maximum of five keys"
    allow_empty = True  # an empty policy {} accepts every message
    # SNS has no wildcard operator, and no `exactly`.
    operators = tuple(op for op in VALUE_OPERATORS if op not in ("wildcard", "exactly"))
    number_limit = 1e9  # "the value can range from -10^9 to 10^9 ... five digits of accuracy"
    anything_but_operators = ("prefix", "suffix", "equals-ignore-case")

    def __init__(self, scope: str = "MessageAttributes") -> None:
        if scope not in ("MessageAttributes", "MessageBody"):
            raise PatternError(
                f"FilterPolicyScope must be MessageAttributes or MessageBody, got {scope!r}", rule="sns-scope"
            )
        self.scope = scope
        self.allow_nesting = scope == "MessageBody"

    def combinations(self, subrules: list[dict[str, tuple[JSONPath, list[Any]]]]) -> int:
        # Product of the number of values of each key; for nested (MessageBody) policies each key's count
        # is multiplied by its depth, as in the worked example of the constraints page.
        total = 0
        for sub in subrules:
            product = 1
            for path, (_where, values) in sub.items():
                product *= len(values) * (path.count(".") + 1)
            total += product
        return total

    def compile(self, pattern: PatternInput, source: str | None = None) -> list[SubRule]:
        # SNS compares numbers to five decimal places: policy numbers are rounded like the messages'.
        return parse_pattern(pattern, self, source, transform=round_numbers)

    def event_input(self) -> EventInput:
        return sns_body_event if self.scope == "MessageBody" else sns_attributes_event


class LambdaDialect(EventBridgeDialect):
    """Lambda event-source-mapping filter patterns: the EventBridge language as Pipes and Lambda filtering
    run it, without wildcards and with anything-but over plain values only (the "Pipe support" column of
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html). Each
    pattern is at most 4096 characters (FilterCriteria Filter.Pattern), and a mapping takes at most 5
    filters by default (a quota that can be raised to 10)."""

    name = "lambda"
    max_pattern_chars = 4096  # FilterCriteria Filter.Pattern: "Maximum length of 4096" (API_Filter.html)
    operators = tuple(op for op in VALUE_OPERATORS if op not in ("wildcard", "exactly"))
    anything_but_operators = ()
    max_filters = 10

    def compile(self, pattern: PatternInput, source: str | None = None) -> list[SubRule]:
        # FilterCriteria, or a bare pattern (compile_filter_criteria tells them apart).
        return require_json_payloads(compile_filter_criteria(pattern, self, source))

    def event_input(self) -> EventInput:
        return lambda_record_event


def dialect_for(dialect: str, scope: str | None = None, pattern_size: int | None = None) -> Dialect:
    """The dialect by name. ``pattern_size`` raises EventBridge's pattern-size quota (2048 by default, at
    most 4096 characters), as a service quota increase does."""
    name = dialect.lower()
    if scope is not None and name != "sns":  # not ignored: a scope given to another dialect is a mistake
        raise PatternError(
            f"scope (FilterPolicyScope) applies to the sns dialect only, not {dialect!r}", rule="dialect"
        )
    if pattern_size is not None:
        if name != "eventbridge":
            raise PatternError("pattern_size applies to the eventbridge dialect only", rule="dialect")
        if not 1 <= pattern_size <= EventBridgeDialect.quota_pattern_chars:
            raise PatternError(
                f"pattern_size must be between 1 and {EventBridgeDialect.quota_pattern_chars}", rule="dialect"
            )
        custom = EventBridgeDialect()
        custom.max_pattern_chars = pattern_size
        return custom
    if name == "eventbridge":
        return EventBridgeDialect()
    if name == "sns":
        return SnsDialect(scope or "MessageAttributes")
    if name == "lambda":
        return LambdaDialect()
    raise PatternError(f"unknown dialect {dialect!r}; use eventbridge, sns or lambda", rule="dialect")


def require_json_payloads(subrules: list[SubRule]) -> list[SubRule]:
    """Lambda drops a record whose body (data) is plain text when the filter addresses fields inside it
    (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html, the body format table): each
    sub-rule naming such fields gets a hidden condition that the payload decoded as JSON, which
    runtime/events/service_inputs.lambda_record_event marks."""
    out = []
    for sub in subrules:
        extra = [
            FieldCondition(mark, frozenset({(C.TRUE,)}), False, False)
            for field, mark in JSON_MARK.items()
            if any(cond.path.startswith(field + ".") for cond in sub)
        ]
        out.append((*sub, *extra) if extra else sub)
    return out
